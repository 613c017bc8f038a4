"""The public API: :func:`sign`, :func:`verify`, :func:`validate` and the reusable :class:`Signer`.

Everything here is async at the core with thin sync wrappers (which also work inside a
running event loop, see :mod:`vbsign._core.aio`).

>>> import vbsign
>>> result = vbsign.sign("in.pdf", "out.pdf", key="person.p12", passphrase="...",
...                      trust=["roots.pem"], tsa="http://tsa.example/tsa", level="B-LT")
>>> report = vbsign.verify("out.pdf", trust=["roots.pem"])
>>> report.indication
<Indication.TOTAL_PASSED: 'TOTAL-PASSED'>

The API layer is the one place below the host bridge and the CLI that consults plugins
(:mod:`vbsign.api.extensions`) and passes what they give down to the formats, the PKI and
the policy engine (``docs/architecture.rst``). Its modules: :mod:`.signer` (signing),
:mod:`.verification` (verification), :mod:`.compliance` (verification + policy: :func:`validate`), :mod:`.batch`
(many documents, one login), :mod:`vbsign.api.mail` (S/MIME e-mail, published as :mod:`vbsign.mail`),
:mod:`.reports` (the human report, HTML or PDF).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> submodule of vbsign.api that defines it (imported on first use, so that
#: e.g. ``vbsign policy list`` does not load the signing code)
_EXPORTS: dict[str, str] = {
    "SignResult": "vbsign.model.sign",
    "Signer": "vbsign.api.signer",
    "TrustLike": "vbsign.pki.trust",
    "async_extend": "vbsign.api.extension",
    "async_validate": "vbsign.api.compliance",
    "extend": "vbsign.api.extension",
    "extend_many": "vbsign.api.extension",
    "ExtendResult": "vbsign.model.extend",
    "async_verify": "vbsign.api.verification",
    "async_verify_xml": "vbsign.api.verification",
    "human_report": "vbsign.api.reports",
    "load_policy": "vbsign.api.policies",
    "open_key": "vbsign.api.extensions",
    "page_pictures": "vbsign.api.reports",
    "policy_registry": "vbsign.api.policies",
    "sign": "vbsign.api.signer",
    "sign_many": "vbsign.api.signer",
    "validate": "vbsign.api.compliance",
    "verify": "vbsign.api.verification",
    "verify_xml": "vbsign.api.verification",
}

__all__ = [
    "ExtendResult",
    "SignResult",
    "async_extend",
    "extend",
    "extend_many",
    "Signer",
    "TrustLike",
    "async_validate",
    "async_verify",
    "async_verify_xml",
    "human_report",
    "load_policy",
    "open_key",
    "page_pictures",
    "policy_registry",
    "sign",
    "sign_many",
    "validate",
    "verify",
    "verify_xml",
]

if TYPE_CHECKING:  # pragma: no cover
    from vbsign.api.compliance import async_validate, validate
    from vbsign.api.extension import async_extend, extend, extend_many
    from vbsign.api.extensions import open_key
    from vbsign.api.policies import load_policy, policy_registry
    from vbsign.api.reports import human_report, page_pictures
    from vbsign.api.signer import Signer, sign, sign_many
    from vbsign.api.verification import async_verify, async_verify_xml, verify, verify_xml
    from vbsign.model.extend import ExtendResult
    from vbsign.model.sign import SignResult
    from vbsign.pki.trust import TrustLike


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vbsign.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
