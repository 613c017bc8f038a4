"""XML signatures: XAdES (ETSI EN 319 132-1) signing and XML-DSig/XAdES verification.

* :func:`vbsign.formats.xades.sign.sign_xades` — enveloped, enveloping or detached, B-B/B-T/B-LT;
* :func:`vbsign.formats.xades.verify.verify_xml` — verification that says *exactly what was
  signed* (:class:`XmlVerification`), for callers that must use only the signed elements
  (public: :func:`vbsign.verify_xml`);
* :mod:`vbsign.formats.xades.safe` — the hardened parser every XML input goes through.

(The package is not called ``xml`` so that it never shadows the standard library.)
"""

from __future__ import annotations

from vbsign.formats.xades.safe import DEFAULT_LIMITS, MalformedXmlError, UnsafeXmlError, XmlLimits
from vbsign.formats.xades.verify import SignedObject, XmlVerification

__all__ = [
    "DEFAULT_LIMITS",
    "MalformedXmlError",
    "SignedObject",
    "UnsafeXmlError",
    "XmlLimits",
    "XmlVerification",
]
