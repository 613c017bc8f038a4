"""X.509 helpers shared by every layer: reading certificates from bytes and files, fingerprints,
de-duplication.

Only asn1crypto is needed here: the key backends, the trust store and the CLI all read
certificates the same way (PEM — one or many —, DER, or a PKCS#7 bundle).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from asn1crypto import cms, pem, x509

from vbsign._core.bounds import CERTIFICATE_FILE, read_bounded
from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg

#: file suffixes read as certificates when a directory is given
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der", ".p7b", ".p7c")


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER encoding, upper-case hex."""
    return hashlib.sha256(cert.dump()).hexdigest().upper()


def read_certificates(data: bytes, *, allow_empty: bool = False) -> list[x509.Certificate]:
    """Certificates from PEM (one or many), DER, or a PKCS#7 certificate bundle."""
    out: list[x509.Certificate] = []
    if pem.detect(data):
        for kind, _, der in pem.unarmor(data, multiple=True):
            if kind == "CERTIFICATE":
                out.append(x509.Certificate.load(der))
            elif kind in ("PKCS7", "CMS"):
                out += _pkcs7_certs(cms.ContentInfo.load(der))
    else:
        try:
            ci = cms.ContentInfo.load(data)
            if ci["content_type"].native == "signed_data":
                out += _pkcs7_certs(ci)
            else:
                raise ValueError
        except Exception:
            try:
                cert = x509.Certificate.load(data)
                cert.native  # force full parse  # noqa: B018
                out.append(cert)
            except Exception:
                pass
    if not out and not allow_empty:
        raise InputError(Msg("Không đọc được chứng thư số.", "No certificate could be read."))
    return out


def _pkcs7_certs(ci: Any) -> list[x509.Certificate]:
    certs = ci["content"]["certificates"]
    return [c.chosen for c in certs if c.name == "certificate"] if certs.native else []


def load_certificates(paths: Iterable[str | os.PathLike[str]]) -> list[x509.Certificate]:
    """Certificates from files (PEM/DER/PKCS#7) or directories of such files."""
    out: list[x509.Certificate] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files = sorted(f for f in path.iterdir() if f.suffix.lower() in CERT_SUFFIXES)
        elif path.exists():
            files = [path]
        else:
            raise InputError(
                Msg("Không tìm thấy tệp chứng thư: {p}", "Certificate file not found: {p}").format(p=path)
            )
        for f in files:
            data = read_bounded(f, CERTIFICATE_FILE)  # a too-large file is named as such
            try:
                out += read_certificates(data)
            except InputError:
                raise InputError(
                    Msg("Tệp {p} không chứa chứng thư số hợp lệ.", "File {p} contains no valid certificate.").format(
                        p=f
                    )
                ) from None
    return dedupe_certificates(out)


_PREP = getattr(x509.NameTypeAndValue._ldap_string_prep, "__wrapped__", x509.NameTypeAndValue._ldap_string_prep)


@functools.lru_cache(maxsize=8192)
def _prepared(value: str) -> str:
    result: str = _PREP(None, value)  # asn1crypto's RFC 4518 preparation (it does not use self)
    return result


def prepare_names(certs: Iterable[x509.Certificate]) -> None:
    """Fill the RFC 4518 prepared form of the subject and issuer names of ``certs`` from one
    memo, so that comparing them (path building, issuer look-ups) does not recompute it.

    asn1crypto caches the prepared form per parsed name and recomputes it for every freshly
    parsed certificate — with Vietnamese names, the main cost of matching certificates.
    This sets the same value asn1crypto would (its own function) on vbsign's certificate
    objects only; the class is not changed (``vbsign.enable_speedups`` memoises it for the
    whole process).
    """
    for cert in certs:
        try:
            names = (cert.subject, cert.issuer)
        except Exception:  # a malformed certificate: asn1crypto reports it where it matters
            continue
        for name in names:
            prepare_name(name)


def prepare_name(name: x509.Name) -> None:
    """:func:`prepare_names` for one name (e.g. the issuer a CMS signer identifier names)."""
    try:
        for rdn in name.chosen:
            for ntv in rdn:
                if ntv._prepped is None:
                    value = ntv["value"].native
                    if isinstance(value, str):
                        ntv._prepped = _prepared(value)
    except Exception:  # malformed: left to asn1crypto, which reports it where it matters
        return


def prepare_signed_data(signed_data: Any) -> None:
    """:func:`prepare_names` for a CMS SignedData: its certificates, the issuers its signer
    identifiers name, and the same for the timestamp tokens in its unsigned attributes.

    Signed attributes are never touched: they are verified byte for byte as they were
    encoded, and parsing them could make asn1crypto re-encode them."""
    try:
        prepare_names(c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate")
        for si in signed_data["signer_infos"]:
            sid = si["sid"]
            if sid.name == "issuer_and_serial_number":
                prepare_name(sid.chosen["issuer"])
            for attr in si["unsigned_attrs"] or []:
                if attr["type"].native == "signature_time_stamp_token":
                    for token in attr["values"]:
                        prepare_signed_data(token["content"])
    except Exception:  # malformed: verification reports it
        return


def unique_der(items: Iterable[Any]) -> list[Any]:
    """ASN.1 objects (certificates, OCSP responses, CRLs) without duplicates, in order."""
    seen: set[bytes] = set()
    out = []
    for it in items:
        d = it.dump()
        if d not in seen:
            seen.add(d)
            out.append(it)
    return out


def dedupe_certificates(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """Drop duplicates; re-load each certificate from its DER encoding.

    Re-loading matters for speed: certificates built in memory (e.g. by a test PKI) are
    re-serialised by asn1crypto on every comparison, parsed ones are not.
    """
    seen: set[bytes] = set()
    out = []
    for c in certs:
        d = c.dump()
        if d not in seen:
            seen.add(d)
            out.append(x509.Certificate.load(d))
    prepare_names(out)
    return out


__all__ = [
    "CERT_SUFFIXES",
    "dedupe_certificates",
    "fingerprint",
    "load_certificates",
    "prepare_name",
    "prepare_names",
    "prepare_signed_data",
    "read_certificates",
    "unique_der",
]
