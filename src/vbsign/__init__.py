"""vbsign — ký số, kiểm tra và thẩm định văn bản điện tử / sign, verify, validate e-documents.

The small, safe top-level API::

    import vbsign
    result = vbsign.sign("in.pdf", "out.pdf", key="person.p12", passphrase=..., trust=["roots.pem"],
                         tsa="http://tsa.example/tsa", level=vbsign.Level.B_LT)
    report = vbsign.verify("out.pdf", trust=["roots.pem"], at=vbsign.ValidationTime.SIGNING)

Every option is a named, typed keyword (``help(vbsign.sign)`` lists them); the choices
are enums (:class:`Level`, :class:`ValidationTime`, :class:`SignatureFormat`,
:class:`Packaging`, :class:`XadesTransform`, :class:`Role`) whose plain strings are
accepted too, in any case.

Names are imported lazily so that ``import vbsign`` (and ``vbsign --help``) stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vbsign._version import __version__

#: public name -> "module:attribute"
_EXPORTS: dict[str, str] = {
    "sign": "vbsign.api.signer:sign",
    "async_sign": "vbsign.api.signer:async_sign",
    "sign_many": "vbsign.api.signer:sign_many",
    "verify": "vbsign.api.verification:verify",
    "async_verify": "vbsign.api.verification:async_verify",
    "validate": "vbsign.api.compliance:validate",
    "async_validate": "vbsign.api.compliance:async_validate",
    "extend": "vbsign.api.extension:extend",
    "async_extend": "vbsign.api.extension:async_extend",
    "extend_many": "vbsign.api.extension:extend_many",
    "ExtendResult": "vbsign.model.extend:ExtendResult",
    # two-step signing (the key elsewhere: a token in a browser PC, a remote-signing service)
    "prepare": "vbsign.api.two_step:prepare",
    "async_prepare": "vbsign.api.two_step:async_prepare",
    "complete": "vbsign.api.two_step:complete",
    "async_complete": "vbsign.api.two_step:async_complete",
    "TwoStepSigner": "vbsign.api.two_step:TwoStepSigner",
    # the named choices of the options (plain strings are accepted too)
    "Level": "vbsign.model.options:Level",
    "ValidationTime": "vbsign.model.options:ValidationTime",
    "SignatureFormat": "vbsign.model.options:SignatureFormat",
    "Packaging": "vbsign.model.options:Packaging",
    "XadesTransform": "vbsign.model.options:XadesTransform",
    "Role": "vbsign.appearance.roles:Role",
    "ComplianceReport": "vbsign.policy:ComplianceReport",
    "DocumentFacts": "vbsign.policy:DocumentFacts",
    "Signer": "vbsign.api.signer:Signer",
    "SignResult": "vbsign.model.sign:SignResult",
    "Report": "vbsign.report:Report",
    "Indication": "vbsign.report:Indication",
    "SubIndication": "vbsign.report:SubIndication",
    "TrustStore": "vbsign.pki.trust:TrustStore",
    "Services": "vbsign.pki.validation:Services",
    "open_key": "vbsign.api.extensions:open_key",
    "VbsignError": "vbsign.errors:VbsignError",
    # opt-in, process-wide: faster pyHanko tokenizer leaves and X.509 name preparation
    "enable_speedups": "vbsign.formats.pades.speedups:enable_speedups",
    "verify_xml": "vbsign.api.verification:verify_xml",
    "async_verify_xml": "vbsign.api.verification:async_verify_xml",
    "XmlVerification": "vbsign.formats.xades.verify:XmlVerification",
    "Appearance": "vbsign.appearance:Appearance",
    # host bridge (document management systems): see vbsign.host
    "on_send": "vbsign.host:on_send",
    "on_receive": "vbsign.host:on_receive",
    "async_on_send": "vbsign.host:async_on_send",
    "async_on_receive": "vbsign.host:async_on_receive",
    "SendContext": "vbsign.host:SendContext",
    "ReceiveContext": "vbsign.host:ReceiveContext",
    "OutgoingDocument": "vbsign.host:OutgoingDocument",
    "IncomingDocument": "vbsign.host:IncomingDocument",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from vbsign.api.compliance import async_validate, validate
    from vbsign.api.extension import async_extend, extend, extend_many
    from vbsign.api.extensions import open_key
    from vbsign.api.signer import Signer, async_sign, sign, sign_many
    from vbsign.api.two_step import TwoStepSigner, async_complete, async_prepare, complete, prepare
    from vbsign.api.verification import async_verify, async_verify_xml, verify, verify_xml
    from vbsign.appearance import Appearance
    from vbsign.appearance.roles import Role
    from vbsign.errors import VbsignError
    from vbsign.formats.pades.speedups import enable_speedups
    from vbsign.formats.xades.verify import XmlVerification
    from vbsign.host import IncomingDocument as IncomingDocument
    from vbsign.host import OutgoingDocument as OutgoingDocument
    from vbsign.host import ReceiveContext as ReceiveContext
    from vbsign.host import SendContext as SendContext
    from vbsign.host import async_on_receive as async_on_receive
    from vbsign.host import async_on_send as async_on_send
    from vbsign.host import on_receive as on_receive
    from vbsign.host import on_send as on_send
    from vbsign.model.extend import ExtendResult
    from vbsign.model.options import (
        Level,
        Packaging,
        SignatureFormat,
        ValidationTime,
        XadesTransform,
    )
    from vbsign.model.sign import SignResult
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services
    from vbsign.policy import ComplianceReport, DocumentFacts
    from vbsign.report import Indication, Report, SubIndication


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'vbsign' has no attribute {name!r}")
    module, attr = target.split(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
