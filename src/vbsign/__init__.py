"""vbsign — ký số, kiểm tra và thẩm định văn bản điện tử / sign, verify, validate e-documents.

The small, safe top-level API::

    import vbsign
    result = vbsign.sign("in.pdf", "out.pdf", key="person.p12", passphrase=..., trust=["roots.pem"],
                         tsa="http://tsa.example/tsa")
    report = vbsign.verify("out.pdf", trust=["roots.pem"])

Names are imported lazily so that ``import vbsign`` (and ``vbsign --help``) stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vbsign._version import __version__

#: public name -> "module:attribute"
_EXPORTS: dict[str, str] = {
    "sign": "vbsign.api:sign",
    "sign_many": "vbsign.api:sign_many",
    "verify": "vbsign.api:verify",
    "async_verify": "vbsign.api:async_verify",
    "validate": "vbsign.compliance:validate",
    "async_validate": "vbsign.compliance:async_validate",
    "ComplianceReport": "vbsign.policy:ComplianceReport",
    "DocumentFacts": "vbsign.policy:DocumentFacts",
    "Signer": "vbsign.api:Signer",
    "SignResult": "vbsign.api:SignResult",
    "Report": "vbsign.model.report:Report",
    "Indication": "vbsign.model.report:Indication",
    "SubIndication": "vbsign.model.report:SubIndication",
    "TrustStore": "vbsign.trust:TrustStore",
    "Services": "vbsign.validation:Services",
    "open_key": "vbsign.backends:open_key",
    "VbsignError": "vbsign._core.errors:VbsignError",
    "verify_xml": "vbsign.xmlsig:verify_xml",
    "async_verify_xml": "vbsign.xmlsig:async_verify_xml",
    "XmlVerification": "vbsign.xmlsig.verify:XmlVerification",
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
    from vbsign._core.errors import VbsignError
    from vbsign.api import Signer, async_verify, sign, sign_many, verify
    from vbsign.appearance import Appearance
    from vbsign.backends import open_key
    from vbsign.compliance import async_validate, validate
    from vbsign.host import IncomingDocument as IncomingDocument
    from vbsign.host import OutgoingDocument as OutgoingDocument
    from vbsign.host import ReceiveContext as ReceiveContext
    from vbsign.host import SendContext as SendContext
    from vbsign.host import async_on_receive as async_on_receive
    from vbsign.host import async_on_send as async_on_send
    from vbsign.host import on_receive as on_receive
    from vbsign.host import on_send as on_send
    from vbsign.model.report import Indication, Report, SubIndication
    from vbsign.model.sign import SignResult
    from vbsign.policy import ComplianceReport, DocumentFacts
    from vbsign.trust import TrustStore
    from vbsign.validation import Services
    from vbsign.xmlsig import async_verify_xml, verify_xml
    from vbsign.xmlsig.verify import XmlVerification


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
