"""What revocation data (OCSP responses, CRLs) says about a certificate — shared by every format.

Verification keeps its verdict logic in pyhanko-certvalidator; these helpers only *read* the
revocation data for the report (status, time, reason, counts) and list what a validation
context fetched. CRLs are looked up through ``cryptography`` (national CRLs hold tens of
thousands of entries: asn1crypto walks them in seconds, cryptography in microseconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from asn1crypto import x509


def fetched_revinfo(vc: Any) -> tuple[list[Any], list[Any]]:
    """OCSP responses and CRLs a validation context fetched (online or in-process)."""
    fetchers = getattr(vc.revinfo_manager, "_fetchers", None)
    if fetchers is None:
        return [], []
    try:
        return list(fetchers.ocsp_fetcher.fetched_responses()), list(fetchers.crl_fetcher.fetched_crls())
    except Exception:
        return [], []


def revocation_status(
    cert: x509.Certificate, ocsps: Sequence[Any], crls: Sequence[Any]
) -> tuple[str, datetime | None, str | None, int, int]:
    """What the revocation data says about ``cert``: (status, time, reason, #ocsp, #crl)."""
    status = "unknown"
    when: datetime | None = None
    reason: str | None = None
    n_ocsp = n_crl = 0
    serial = cert.serial_number
    for resp in ocsps:
        try:
            for single in resp.basic_ocsp_response["tbs_response_data"]["responses"]:
                if single["cert_id"]["serial_number"].native != serial:
                    continue
                n_ocsp += 1
                cs = single["cert_status"]
                if cs.name == "revoked":
                    status = "revoked"
                    when = cs.chosen["revocation_time"].native
                    r = cs.chosen["revocation_reason"]
                    reason = r.native if r.native else None
                elif cs.name == "good" and status != "revoked":
                    status = "good"
        except Exception:
            continue
    for c in crls:
        try:
            if c.issuer != cert.issuer:
                continue
            n_crl += 1
            entry = _pyca_crl(c).get_revoked_certificate_by_serial_number(serial)
            if entry is not None:
                status = "revoked"
                when = entry.revocation_date_utc
                reason = _crl_reason(entry)
            elif status == "unknown":
                status = "good"
        except Exception:
            continue
    return status, when, reason, n_ocsp, n_crl


#: parsed CRLs (id -> (asn1crypto object kept alive, cryptography CRL)): national CRLs hold
#: tens of thousands of entries; asn1crypto walks them in seconds, cryptography in microseconds
_CRL_CACHE: dict[int, tuple[Any, Any]] = {}


def _pyca_crl(c: Any) -> Any:
    hit = _CRL_CACHE.get(id(c))
    if hit is not None and hit[0] is c:
        return hit[1]
    from cryptography import x509 as pyca_x509

    parsed = pyca_x509.load_der_x509_crl(c.dump())
    if len(_CRL_CACHE) >= 64:
        _CRL_CACHE.pop(next(iter(_CRL_CACHE)))
    _CRL_CACHE[id(c)] = (c, parsed)
    return parsed


def _crl_reason(entry: Any) -> str | None:
    from cryptography import x509 as pyca_x509

    try:
        ext = entry.extensions.get_extension_for_class(pyca_x509.CRLReason)
    except pyca_x509.ExtensionNotFound:
        return None
    return str(ext.value.reason.name)  # asn1crypto's spelling too (key_compromise …)
