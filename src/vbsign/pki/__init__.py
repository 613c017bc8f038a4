"""PKI: trust anchors, certificate validation services (revocation sources passed in), the
pre-signing certificate check, what revocation data says, chain completion, and the one
HTTP client setting (TLS ≥ 1.2).

Imports :mod:`vbsign._core` and :mod:`vbsign.model` only (``docs/architecture.rst``):
where revocation data comes from is decided by the caller — :class:`~vbsign.pki.validation.Services`
is handed what plugins provide by :mod:`vbsign.api`, never looks for them itself.
"""
