"""XML signatures: XAdES (ETSI EN 319 132-1) signing and XML-DSig/XAdES verification.

* :func:`vbsign.xmlsig.xades.sign_xades` — enveloped, enveloping or detached, B-B/B-T/B-LT;
* :func:`verify_xml` / :func:`async_verify_xml` — verification that says *exactly what was
  signed* (:class:`XmlVerification`), for callers that must use only the signed elements;
* :mod:`vbsign.xmlsig.safe` — the hardened parser every XML input goes through.

(The package is not called ``xml`` so that it never shadows the standard library.)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from vbsign.xmlsig.safe import DEFAULT_LIMITS, MalformedXmlError, UnsafeXmlError, XmlLimits
from vbsign.xmlsig.verify import SignedObject, XmlVerification


async def async_verify_xml(
    source: Any,
    *,
    trust: Any = None,
    at: str = "signing",
    now: datetime | None = None,
    services: Any = None,
    contents: Mapping[str, bytes] | None = None,
    extra_certs: Iterable[Any] = (),
    limits: XmlLimits = DEFAULT_LIMITS,
    require_full_coverage: bool = True,
) -> XmlVerification:
    """Verify the XML signatures of ``source`` (path, bytes or stream).

    Returns the :class:`~vbsign.model.report.Report` *and* the signed parts:
    ``result.signed_elements()`` are the elements the valid references designate — the only
    parts of the document a caller should act upon.
    """
    from vbsign._core import files as _io
    from vbsign._core.timefmt import utcnow
    from vbsign.ades import AdesVerifyOptions
    from vbsign.trust import TrustStore
    from vbsign.validation import DEFAULT_SERVICES
    from vbsign.xmlsig.verify import verify_xml as _verify

    data, name = _io.read_input(source)
    options = AdesVerifyOptions(
        trust=TrustStore.coerce(trust),
        at=at,
        now=now or utcnow(),
        services=services or DEFAULT_SERVICES,
        extra_certs=tuple(extra_certs),
    )
    return await _verify(
        data, os.path.basename(name), options, contents=contents, limits=limits,
        require_full_coverage=require_full_coverage,
    )


def verify_xml(source: Any, **kwargs: Any) -> XmlVerification:
    """Synchronous :func:`async_verify_xml` (also works inside a running event loop)."""
    from vbsign._core.aio import run_sync

    return run_sync(async_verify_xml(source, **kwargs))


__all__ = [
    "DEFAULT_LIMITS",
    "MalformedXmlError",
    "SignedObject",
    "UnsafeXmlError",
    "XmlLimits",
    "XmlVerification",
    "async_verify_xml",
    "verify_xml",
]
