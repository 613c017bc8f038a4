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

from ._version import __version__

#: public name -> "module:attribute"
_EXPORTS: dict[str, str] = {
    "sign": "vbsign.api:sign",
    "verify": "vbsign.api:verify",
    "async_verify": "vbsign.api:async_verify",
    "Signer": "vbsign.api:Signer",
    "SignResult": "vbsign.api:SignResult",
    "Report": "vbsign.report:Report",
    "Indication": "vbsign.report:Indication",
    "SubIndication": "vbsign.report:SubIndication",
    "TrustStore": "vbsign.trust:TrustStore",
    "Services": "vbsign.validation:Services",
    "open_key": "vbsign.backends:open_key",
    "VbsignError": "vbsign.errors:VbsignError",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from .api import SignResult, Signer, async_verify, sign, verify
    from .backends import open_key
    from .errors import VbsignError
    from .report import Indication, Report, SubIndication
    from .trust import TrustStore
    from .validation import Services


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
