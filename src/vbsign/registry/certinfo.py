"""What the registry keeps about a certificate, read from the X.509 structure (pure)."""

from __future__ import annotations

import hashlib
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import algos, x509
from cryptography import x509 as pyca
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

#: asn1crypto attribute name -> the short name used in distinguished names
_SHORT_NAMES = {
    "country_name": "C",
    "state_or_province_name": "ST",
    "locality_name": "L",
    "organization_name": "O",
    "organizational_unit_name": "OU",
    "common_name": "CN",
    "user_id": "UID",
    "title": "T",
    "email_address": "E",
    "serial_number": "SERIALNUMBER",
    "given_name": "GN",
    "surname": "SN",
    "street_address": "STREET",
    "domain_component": "DC",
    "organization_identifier": "organizationIdentifier",
}

_SHORT_BY_OID = {
    "2.5.4.6": "C",
    "2.5.4.8": "ST",
    "2.5.4.7": "L",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.3": "CN",
    "0.9.2342.19200300.100.1.1": "UID",
    "2.5.4.12": "T",
    "1.2.840.113549.1.9.1": "E",
    "2.5.4.5": "SERIALNUMBER",
    "2.5.4.42": "GN",
    "2.5.4.4": "SN",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "2.5.4.97": "organizationIdentifier",
}

_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


@dataclass(frozen=True)
class CertFields:
    fingerprint: str
    serial_hex: str
    issuer: str
    issuer_cn: str | None
    subject: str
    subject_cn: str | None
    subject_o: str | None
    subject_ou: str | None
    subject_uid: str | None
    subject_title: str | None
    not_before: datetime
    not_after: datetime
    key_type: str
    signature_algorithm: str
    is_ca: bool
    self_signed: bool
    public_key_sha256: str
    der: bytes


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest().upper()


def nfc(text: str | None) -> str | None:
    return unicodedata.normalize("NFC", text) if text is not None else None


def normalise_name(text: str | None) -> str:
    """For comparing names: NFC, case-folded, single spaces."""
    return " ".join((nfc(text) or "").casefold().split())


def normalise_uid(text: str | None) -> str | None:
    """``"cccd: 001190012345"`` -> ``"CCCD:001190012345"`` (prefix upper case, no spaces)."""
    if not text:
        return None
    t = "".join(nfc(text).split())  # type: ignore[union-attr]
    if ":" in t:
        prefix, rest = t.split(":", 1)
        return f"{prefix.upper()}:{rest}"
    return t


def name_string(name: x509.Name) -> str:
    """``C=VN, O=Bộ Khoa học và Công nghệ, CN=Nguyễn Văn A`` (certificate order, UTF-8)."""
    return ", ".join(f"{k}={v}" for k, v in _pairs_asn1(name))


def _pairs_asn1(name: x509.Name) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for rdn in name.chosen:
        for ava in rdn:
            value = ava["value"].native
            out.append(
                (
                    _SHORT_NAMES.get(ava["type"].native, ava["type"].dotted),
                    value.hex() if isinstance(value, bytes) else nfc(str(value)) or "",
                )
            )
    return out


def _pairs_pyca(name: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for rdn in name.rdns:
        for attr in rdn:
            value = attr.value
            out.append(
                (
                    _SHORT_BY_OID.get(attr.oid.dotted_string, attr.oid.dotted_string),
                    value.hex() if isinstance(value, bytes) else nfc(str(value)) or "",
                )
            )
    return out


def key_type(cert: x509.Certificate) -> str:
    pub = cert.public_key
    algo = pub.algorithm
    if algo == "rsa":
        return f"RSA-{pub.bit_size}"
    if algo == "ec":
        curve = pub.curve[1] if isinstance(pub.curve, tuple) else str(pub.curve)
        return f"EC-{_CURVES.get(curve, curve)}"
    return str(algo).upper()


def _fields(
    der: bytes,
    subject: list[tuple[str, str]],
    issuer: list[tuple[str, str]],
    **rest: Any,
) -> CertFields:
    def first(pairs: list[tuple[str, str]], key: str, last: bool = False) -> str | None:
        values = [v for k, v in pairs if k == key]
        return (values[-1] if last else values[0]) if values else None

    ous = [v for k, v in subject if k == "OU"]
    return CertFields(
        fingerprint=fingerprint(der),
        issuer=", ".join(f"{k}={v}" for k, v in issuer),
        issuer_cn=first(issuer, "CN", last=True),
        subject=", ".join(f"{k}={v}" for k, v in subject),
        subject_cn=first(subject, "CN", last=True),
        subject_o=first(subject, "O"),
        subject_ou=" / ".join(ous) if ous else None,
        subject_uid=normalise_uid(first(subject, "UID")),
        subject_title=first(subject, "T"),
        der=der,
        **rest,
    )


def read_fields(cert: x509.Certificate | bytes) -> CertFields:
    """The registry's view of a certificate (fast path: pyca/cryptography; asn1crypto for
    legacy encodings it refuses)."""
    der = cert if isinstance(cert, bytes) else cert.dump()
    try:
        return _read_pyca(der)
    except Exception:  # e.g. a non-DER legacy encoding that pyca refuses: parse leniently
        return _read_asn1(x509.Certificate.load(der) if isinstance(cert, bytes) else cert)


def _read_pyca(der: bytes) -> CertFields:
    # pyca warns about attributes longer than X.520 allows (CN > 64 characters), which some
    # legacy Vietnamese CA certificates have; the registry records them as they are
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _read_pyca_quiet(der)


def _read_pyca_quiet(der: bytes) -> CertFields:
    c = pyca.load_der_x509_certificate(der)
    pub = c.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        ktype = f"RSA-{pub.key_size}"
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        ktype = f"EC-{_CURVES.get(pub.curve.name, pub.curve.name)}"
    else:
        ktype = type(pub).__name__.replace("PublicKey", "").upper()
    is_ca, self_signed = _ca_flags_pyca(c, der)
    sig_oid = c.signature_algorithm_oid.dotted_string
    return _fields(
        der,
        _pairs_pyca(c.subject),
        _pairs_pyca(c.issuer),
        serial_hex=format(c.serial_number, "X") if c.serial_number >= 0 else "-" + format(-c.serial_number, "X"),
        not_before=c.not_valid_before_utc,
        not_after=c.not_valid_after_utc,
        key_type=ktype,
        signature_algorithm=algos.SignedDigestAlgorithmId._map.get(sig_oid, sig_oid),
        is_ca=is_ca,
        self_signed=self_signed,
        public_key_sha256=hashlib.sha256(pub.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hexdigest(),
    )


def _ca_flags_pyca(c: Any, der: bytes) -> tuple[bool, bool]:
    """(is a CA, self-signed) from the extensions, read by cryptography when it accepts them.

    cryptography parses extensions lazily and, since release 51, refuses some that real
    government CA certificates carry (an empty issuerAltName ``SEQUENCE {}`` in the legacy
    Ban Cơ yếu CA certificates). Those extensions are read by asn1crypto instead, so the
    answer does not depend on which cryptography release is installed.
    """
    try:
        exts = c.extensions
    except Exception:  # ValueError, DuplicateExtension, … — whatever this release refuses
        return _ca_flags_asn1(x509.Certificate.load(der))
    try:
        is_ca = bool(exts.get_extension_for_class(pyca.BasicConstraints).value.ca)
    except pyca.ExtensionNotFound:
        is_ca = False
    self_signed = c.issuer == c.subject
    if self_signed:
        try:
            aki = exts.get_extension_for_class(pyca.AuthorityKeyIdentifier).value.key_identifier
            ski = exts.get_extension_for_class(pyca.SubjectKeyIdentifier).value.digest
            self_signed = aki is None or aki == ski
        except pyca.ExtensionNotFound:
            pass
    return is_ca, self_signed


def _ca_flags_asn1(cert: x509.Certificate) -> tuple[bool, bool]:
    bc = cert.basic_constraints_value
    return bool(bc is not None and bc["ca"].native), cert.self_signed in ("yes", "maybe")


def _read_asn1(cert: x509.Certificate) -> CertFields:
    is_ca, self_signed = _ca_flags_asn1(cert)
    return _fields(
        cert.dump(),
        _pairs_asn1(cert.subject),
        _pairs_asn1(cert.issuer),
        serial_hex=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        key_type=key_type(cert),
        signature_algorithm=str(cert["signature_algorithm"]["algorithm"].native),
        is_ca=is_ca,
        self_signed=self_signed,
        public_key_sha256=hashlib.sha256(cert.public_key.dump()).hexdigest(),
    )


def organisation_names(fields: CertFields) -> set[str]:
    """The normalised O and OU values of the subject (to match a subscriber's unit)."""
    names = set()
    if fields.subject_o:
        names.add(normalise_name(fields.subject_o))
    if fields.subject_ou:
        names.update(normalise_name(p) for p in fields.subject_ou.split(" / "))
    return names
