"""What revocation data (OCSP responses, CRLs) says about a certificate — shared by every format.

Verification keeps its verdict logic in pyhanko-certvalidator; these helpers only *read* the
revocation data for the report (status, time, reason, counts) and list what a validation
context fetched. CRLs are looked up through ``cryptography`` (national CRLs hold tens of
thousands of entries: asn1crypto walks them in seconds, cryptography in microseconds).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from asn1crypto import x509

from vbsign.model.report import RevocationInfo

if TYPE_CHECKING:
    from vbsign.pki.trust import TrustStore


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
    cert: x509.Certificate,
    ocsps: Sequence[Any],
    crls: Sequence[Any],
    *,
    issuers: Sequence[x509.Certificate] | None = None,
) -> tuple[str, datetime | None, str | None, int, int]:
    """What the revocation data says about ``cert``: (status, time, reason, #ocsp, #crl).

    With ``issuers`` (the certificates that may have issued ``cert``: embedded, trust
    anchors, intermediates), only *authentic* data counts — an OCSP response signed by the
    issuer of ``cert`` or by a responder it delegated, a CRL signed by that issuer. Revocation
    data sits in unsigned parts of a document (a PDF's DSS may be extended by anyone after
    signing): unauthenticated, it could make a valid signature read "revoked".
    """
    if issuers is not None:
        ocsps, crls = authentic_revinfo(cert, ocsps, crls, issuers)
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
            entry = crl_entry(c, serial)
            if entry is not None:
                status = "revoked"
                when, reason = entry
            elif status == "unknown":
                status = "good"
        except Exception:
            continue
    return status, when, reason, n_ocsp, n_crl


def issuer_candidates(trust: TrustStore, other: Sequence[x509.Certificate], path: Any) -> list[x509.Certificate]:
    """Certificates that may have issued a certificate of a signature's path: the ones the
    document carries, the trust store's, and the validated path's own."""
    out = [*other, *trust.anchors, *trust.intermediates]
    if path is not None:
        try:
            out += list(path.iter_certs(include_root=True))
        except Exception:
            pass
    return out


def revocation_info(
    cert: x509.Certificate,
    embedded: tuple[Sequence[Any], Sequence[Any]],
    fetched: tuple[Sequence[Any], Sequence[Any]],
    *,
    issuers: Sequence[x509.Certificate],
    describe: bool = False,
) -> RevocationInfo:
    """The report entry for ``cert`` from embedded and fetched (OCSP responses, CRLs).

    ``source`` names where authentic data *about this certificate* came from; with
    ``describe`` the entry also names the certificate (used for the CAs of a path).
    """
    (e_ocsps, e_crls), (f_ocsps, f_crls) = embedded, fetched
    status, when, reason, n_o, n_c = revocation_status(
        cert, [*e_ocsps, *f_ocsps], [*e_crls, *f_crls], issuers=issuers
    )
    emb = revocation_status(cert, e_ocsps, e_crls, issuers=issuers)
    got = revocation_status(cert, f_ocsps, f_crls, issuers=issuers)
    e_any, f_any = bool(emb[3] or emb[4]), bool(got[3] or got[4])
    source = "embedded+online" if e_any and f_any else "embedded" if e_any else "online" if f_any else "none"
    return RevocationInfo(
        status=status if (n_o or n_c) else "unavailable",  # type: ignore[arg-type]
        source=source,  # type: ignore[arg-type]
        revocation_time=when,
        reason=reason,
        ocsp_responses=n_o,
        crls=n_c,
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest().upper() if describe else None,
        subject=cert.subject.human_friendly if describe else None,
    )


def chain_revocation(
    path: Any,
    embedded: tuple[Sequence[Any], Sequence[Any]],
    fetched: tuple[Sequence[Any], Sequence[Any]],
    *,
    issuers: Sequence[x509.Certificate],
) -> list[RevocationInfo]:
    """Report entries for each CA certificate of a validated path (issuing CA first, no
    leaf, no root) — what the policy rules on CA revocation read."""
    try:
        cas = list(path.iter_certs(include_root=False))[::-1][1:]
    except Exception:
        return []
    return [revocation_info(ca, embedded, fetched, issuers=issuers, describe=True) for ca in cas]


#: results of signature checks, keyed by (signature, SHA-256 of the data, signer key, algorithm):
#: a report asks the same questions several times (signer, chain, embedded vs fetched data)
_SIG_CACHE: dict[tuple[bytes, bytes, bytes, bytes], bool] = {}


def _signed_by(signature: bytes, data: bytes, algorithm: Any, signer: x509.Certificate) -> bool:
    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    key = (bytes(signature), hashlib.sha256(data).digest(), signer.public_key.dump(), algorithm.dump())
    hit = _SIG_CACHE.get(key)
    if hit is not None:
        return hit
    try:
        DefaultSignatureValidator().validate_signature(signature, data, signer.public_key, algorithm)
        ok = True
    except Exception:
        ok = False
    if len(_SIG_CACHE) >= 4096:
        _SIG_CACHE.pop(next(iter(_SIG_CACHE)))
    _SIG_CACHE[key] = ok
    return ok


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    return cert.issuer == issuer.subject and _signed_by(
        cert["signature_value"].native, cert["tbs_certificate"].dump(), cert["signature_algorithm"], issuer
    )


def find_issuer(cert: x509.Certificate, candidates: Iterable[x509.Certificate]) -> x509.Certificate | None:
    """The certificate among ``candidates`` whose key verifies ``cert``'s signature."""
    for c in candidates:
        try:
            if _issued_by(cert, c):
                return c
        except Exception:
            continue
    return None


def _ocsp_authentic(resp: Any, cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        basic = resp.basic_ocsp_response
        tbs = basic["tbs_response_data"]
        for single in tbs["responses"]:
            cid = single["cert_id"]
            if cid["serial_number"].native != cert.serial_number:
                continue
            algo = cid["hash_algorithm"]["algorithm"].native
            key_hash = hashlib.new(algo, issuer.public_key["public_key"].contents[1:]).digest()
            if cid["issuer_key_hash"].native != key_hash:
                return False
        signature = basic["signature"].native
        data = tbs.dump()
        algorithm = basic["signature_algorithm"]
        if _signed_by(signature, data, algorithm, issuer):
            return True
        for responder in basic["certs"] or []:
            eku = responder.extended_key_usage_value
            if eku is None or "ocsp_signing" not in eku.native:
                continue
            if _issued_by(responder, issuer) and _signed_by(signature, data, algorithm, responder):
                return True
    except Exception:
        return False
    return False


#: CRL signature checks ((id of the CRL, issuer DER) -> (CRL kept alive, result)): national
#: CRLs are megabytes, and the same CRL is checked for every certificate it covers
_CRL_AUTH_CACHE: dict[tuple[int, bytes], tuple[Any, bool]] = {}


def _crl_authentic(c: Any, issuer: x509.Certificate) -> bool:
    try:
        if c.issuer != issuer.subject:
            return False
    except Exception:
        return False
    key = (id(c), issuer.dump())
    hit = _CRL_AUTH_CACHE.get(key)
    if hit is not None and hit[0] is c:
        return hit[1]
    try:
        ok = _signed_by(c["signature"].native, c["tbs_cert_list"].dump(), c["signature_algorithm"], issuer)
    except Exception:
        ok = False
    if len(_CRL_AUTH_CACHE) >= 256:
        _CRL_AUTH_CACHE.pop(next(iter(_CRL_AUTH_CACHE)))
    _CRL_AUTH_CACHE[key] = (c, ok)
    return ok


def authentic_revinfo(
    cert: x509.Certificate, ocsps: Sequence[Any], crls: Sequence[Any], issuers: Iterable[x509.Certificate]
) -> tuple[list[Any], list[Any]]:
    """The OCSP responses and CRLs about ``cert`` that its issuer (found among ``issuers``
    by signature) vouches for; nothing when the issuer is unknown."""
    issuer = find_issuer(cert, issuers)
    if issuer is None:
        return [], []
    return (
        [r for r in ocsps if _ocsp_authentic(r, cert, issuer)],
        [c for c in crls if _crl_authentic(c, issuer)],
    )


#: parsed CRLs (id -> (asn1crypto object kept alive, cryptography CRL)): national CRLs hold
#: tens of thousands of entries; asn1crypto walks them in seconds, cryptography in microseconds
_CRL_CACHE: dict[int, tuple[Any, Any]] = {}


def crl_entry(c: Any, serial: int) -> tuple[datetime, str | None] | None:
    """(revocation time, reason) of ``serial`` on the CRL ``c``, or None when it is not listed.

    cryptography looks the serial up in microseconds; when it refuses the CRL or an entry's
    extensions (its parser grows stricter between releases, and government CAs issue legacy
    encodings), the CRL is walked with asn1crypto instead — slower, same answer.
    """
    try:
        entry = _pyca_crl(c).get_revoked_certificate_by_serial_number(serial)
        if entry is None:
            return None
        return entry.revocation_date_utc, _crl_reason(entry)
    except Exception:  # ValueError, DuplicateExtension, … — whatever this release refuses
        return _crl_entry_asn1(c, serial)


def _crl_entry_asn1(c: Any, serial: int) -> tuple[datetime, str | None] | None:
    for revoked in c["tbs_cert_list"]["revoked_certificates"] or []:
        if revoked["user_certificate"].native != serial:
            continue
        reason: str | None = None
        for ext in revoked["crl_entry_extensions"] or []:
            try:
                if ext["extn_id"].native == "crl_reason":
                    reason = str(ext["extn_value"].parsed.native)
            except ValueError:
                continue
        return revoked["revocation_date"].native, reason
    return None


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
