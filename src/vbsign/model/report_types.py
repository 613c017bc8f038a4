"""The verification report's value types: plain dataclasses, JSON-serialisable, with a
versioned schema. :mod:`vbsign.model.report` re-exports them and gives :class:`Report` its
human renderings (HTML/PDF), whose modules read these types — so the types live here, below
both, and no import goes round in a circle.

One :class:`Report` per document. It holds *evidence* (what was found) and *verdicts* in the
ETSI EN 319 102-1 vocabulary (indication + sub-indication). Policy code reads reports and
never changes them; renderers (:mod:`vbsign.model.render`) turn them into text or HTML.

The JSON form is stable within a schema version (:data:`SCHEMA_ID`); :func:`json_schema`
derives the JSON Schema from these dataclasses so that the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Self

from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign._version import __version__

SCHEMA_ID = "https://vbsign.vn/schemas/report/v1"
SCHEMA_VERSION = 1


class Indication(str, enum.Enum):
    """ETSI EN 319 102-1 main status indication (plus DSS's NO_SIGNATURE_FOUND)."""

    TOTAL_PASSED = "TOTAL-PASSED"
    TOTAL_FAILED = "TOTAL-FAILED"
    INDETERMINATE = "INDETERMINATE"
    NO_SIGNATURE_FOUND = "NO_SIGNATURE_FOUND"


class SubIndication(str, enum.Enum):
    """ETSI EN 319 102-1 sub-indications (names as in EU DSS)."""

    # TOTAL-FAILED
    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    NOT_YET_VALID = "NOT_YET_VALID"
    # INDETERMINATE
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    EXPIRED = "EXPIRED"
    POLICY_PROCESSING_ERROR = "POLICY_PROCESSING_ERROR"
    SIGNATURE_POLICY_NOT_AVAILABLE = "SIGNATURE_POLICY_NOT_AVAILABLE"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    OUT_OF_BOUNDS_NOT_REVOKED = "OUT_OF_BOUNDS_NOT_REVOKED"
    REVOCATION_OUT_OF_BOUNDS_NO_POE = "REVOCATION_OUT_OF_BOUNDS_NO_POE"
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    NO_POE = "NO_POE"
    TRY_LATER = "TRY_LATER"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


INDICATION_TEXT: dict[Indication, Msg] = {
    Indication.TOTAL_PASSED: Msg("HỢP LỆ", "VALID"),
    Indication.TOTAL_FAILED: Msg("KHÔNG HỢP LỆ", "INVALID"),
    Indication.INDETERMINATE: Msg("CHƯA XÁC ĐỊNH", "INDETERMINATE"),
    Indication.NO_SIGNATURE_FOUND: Msg("KHÔNG CÓ CHỮ KÝ SỐ", "NO SIGNATURE FOUND"),
}

ValidationTimeMode = Literal["signing", "now"]
SigningTimeSource = Literal["timestamp", "claimed", "none"]
RevocationStatus = Literal["good", "revoked", "unknown", "unavailable", "not-checked"]
RevocationSource = Literal["embedded", "online", "embedded+online", "none"]


@dataclass
class Finding:
    """One observation, with a stable machine-readable code and a bilingual message."""

    code: str
    severity: Severity
    message_vi: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls, code: str, severity: Severity, msg: Msg, details: dict[str, Any] | None = None
    ) -> Finding:
        return cls(code, severity, msg.vi, msg.en, dict(details or {}))

    def message(self, lang: Lang | None = None) -> str:
        return self.message_en if (lang or current_lang()) == "en" else self.message_vi


@dataclass
class CertificateInfo:
    """What a human (and a policy rule) needs to know about one certificate."""

    subject: str
    issuer: str
    serial_number: str
    not_before: datetime
    not_after: datetime
    sha256_fingerprint: str
    key_algorithm: str
    key_size: int
    signature_algorithm: str
    signature_hash_algorithm: str | None
    subject_fields: dict[str, str] = field(default_factory=dict)
    issuer_fields: dict[str, str] = field(default_factory=dict)
    key_usage: list[str] = field(default_factory=list)
    extended_key_usage: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    cps_urls: list[str] = field(default_factory=list)
    is_ca: bool = False
    self_signed: bool = False
    ocsp_urls: list[str] = field(default_factory=list)
    crl_urls: list[str] = field(default_factory=list)
    #: e-mail addresses the certificate names (subjectAltName rfc822Name, then the subject's
    #: E attribute), in certificate order, without duplicates — what S/MIME binds a sender to
    email_addresses: list[str] = field(default_factory=list)
    #: fields that do not decode as their ASN.1 type says (e.g. a BIT STRING attribute
    #: encoded as UTF8String) and were read leniently, as pyHanko's parser and poppler do;
    #: none of them is used by the cryptographic check
    malformed_fields: list[str] = field(default_factory=list)

    @property
    def common_name(self) -> str | None:
        return self.subject_fields.get("common_name")

    @property
    def issuer_common_name(self) -> str | None:
        return self.issuer_fields.get("common_name")

    @classmethod
    def from_asn1(cls, cert: Any) -> CertificateInfo:
        """Build from an :class:`asn1crypto.x509.Certificate`."""
        from asn1crypto import x509 as asn1_x509

        assert isinstance(cert, asn1_x509.Certificate)
        names = _NameReader()

        pub = cert.public_key
        try:
            key_size = int(pub.bit_size)
        except Exception:  # pragma: no cover - exotic keys
            key_size = 0
        ku = cert.key_usage_value
        eku = cert.extended_key_usage_value
        policies: list[str] = []
        cps: list[str] = []
        pol = cert.certificate_policies_value
        if pol is not None:
            for info in pol:
                policies.append(info["policy_identifier"].dotted)
                quals = info["policy_qualifiers"]
                if quals.native:
                    for q in quals:
                        if q["policy_qualifier_id"].native == "certification_practice_statement":
                            cps.append(str(q["qualifier"].native))
        bc = cert.basic_constraints_value
        sig_algo = cert["signature_algorithm"]
        try:
            hash_algo: str | None = sig_algo.hash_algo
        except Exception:
            hash_algo = None
        try:
            sig_algo_name = str(sig_algo.signature_algo)
        except ValueError:  # an OID asn1crypto does not know (e.g. RSA with SHA-3)
            sig_algo_name = str(sig_algo["algorithm"].dotted)
        return cls(
            subject=names.human(cert.subject, "subject"),
            issuer=names.human(cert.issuer, "issuer"),
            serial_number=format(cert.serial_number, "X"),
            not_before=cert.not_valid_before,
            not_after=cert.not_valid_after,
            sha256_fingerprint=hashlib.sha256(cert.dump()).hexdigest().upper(),
            key_algorithm={"rsa": "RSA", "ec": "EC", "dsa": "DSA"}.get(pub.algorithm, pub.algorithm.upper()),
            key_size=key_size,
            signature_algorithm=sig_algo_name,
            signature_hash_algorithm=hash_algo,
            subject_fields=names.fields(cert.subject, "subject"),
            issuer_fields=names.fields(cert.issuer, "issuer"),
            key_usage=sorted(ku.native) if ku is not None else [],
            extended_key_usage=list(eku.native) if eku is not None else [],
            policies=policies,
            cps_urls=cps,
            is_ca=bool(bc is not None and bc["ca"].native),
            self_signed=cert.self_signed in ("yes", "maybe"),
            ocsp_urls=list(cert.ocsp_urls),
            crl_urls=_crl_urls(cert),
            email_addresses=_email_addresses(cert),
            malformed_fields=names.malformed,
        )


class _NameReader:
    """Reads distinguished names, leniently: a mis-tagged attribute value is read as what
    it is and noted in :attr:`malformed` (``"subject 2.5.4.45 (…): why"``)."""

    def __init__(self) -> None:
        self.malformed: list[str] = []

    def value_of(self, atv: Any, where: str) -> str:
        try:
            value = atv["value"].native
        except ValueError as e:  # mis-tagged attribute: read it as what it is
            value = _lenient_attribute(atv)
            note = f"{where} {atv['type'].dotted} ({atv['type'].native}): {str(e).splitlines()[0]}"
            if note not in self.malformed:
                self.malformed.append(note)
        return value if isinstance(value, str) else str(value)

    def fields(self, name: Any, where: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for rdn in name.chosen:
            for atv in rdn:
                key = atv["type"].native
                value = self.value_of(atv, where)
                out[key] = f"{out[key]}; {value}" if key in out else value
        return out

    def human(self, name: Any, where: str) -> str:
        parts = []
        for rdn in reversed(name.chosen):
            for atv in rdn:
                parts.append(f"{_SHORT_NAMES.get(atv['type'].native, atv['type'].dotted)}={self.value_of(atv, where)}")
        return ", ".join(parts)


def _lenient_attribute(atv: Any) -> str:
    """The value of a name attribute whose encoding contradicts its type: text for any
    string tag, else hexadecimal (how poppler's pdfsig and OpenSSL show it)."""
    from asn1crypto import core

    raw = core.Sequence.load(atv.dump())[1]
    contents = bytes(raw.contents or b"")
    if raw.tag in (12, 19, 20, 22, 26, 28, 30):  # UTF8/Printable/T61/IA5/Visible/Universal/BMP
        codec = {30: "utf-16-be", 28: "utf-32-be"}.get(raw.tag, "utf-8")
        return contents.decode(codec, "replace")
    return "#" + contents.hex()


def note_malformed_fields(rep: SignatureReport) -> None:
    """A warning for each certificate field read leniently: the signature was verified,
    and the report says which field of which certificate is not well-formed."""
    for role, info in (("signer", rep.signer), ("TSA", rep.timestamp.tsa if rep.timestamp else None)):
        if info is None or not info.malformed_fields:
            continue
        # the path validator compares names attribute by attribute: it needs the field
        blocked = [f for f in rep.findings if f.code.startswith("CHAIN") and "Error parsing" in f.message_en]
        if blocked:
            rep.add(
                "CERT_FIELD_BLOCKS_VALIDATION",
                Severity.ERROR,
                Msg(
                    "Không kiểm tra được đường dẫn chứng thư vì trường sau của chứng thư ({r}) mã hoá sai kiểu ASN.1: {f}. "
                    "Giá trị chữ ký và giá trị băm vẫn đúng.",
                    "The certificate path cannot be validated because this field of the {r} certificate contradicts "
                    "its ASN.1 type: {f}. The signature value and the digest do verify.",
                ).format(r=role, f="; ".join(info.malformed_fields)),
                fields=list(info.malformed_fields),
            )
            continue
        rep.add(
            "CERT_FIELD_MALFORMED",
            Severity.WARNING,
            Msg(
                "Chứng thư số ({r}) có trường mã hoá sai kiểu ASN.1, đã đọc theo cách dễ dãi (kiểm tra mật mã không dùng "
                "trường này): {f}",
                "The {r} certificate has a field whose ASN.1 encoding contradicts its type; it was read leniently "
                "(the cryptographic check does not use it): {f}",
            ).format(r=role, f="; ".join(info.malformed_fields)),
            fields=list(info.malformed_fields),
        )


def _crl_urls(cert: Any) -> list[str]:
    out: list[str] = []
    for dp in cert.crl_distribution_points or []:
        try:
            out.append(dp.url)
        except Exception:  # pragma: no cover
            pass
    return [u for u in out if u]


def _email_addresses(cert: Any) -> list[str]:
    """rfc822Name entries of the subjectAltName, then the subject's E attribute(s)."""
    out: list[str] = []
    try:
        san = cert.subject_alt_name_value
        for gn in san or []:
            if gn.name == "rfc822_name":
                out.append(str(gn.native))
    except Exception:  # a malformed extension names no address
        pass
    try:
        for rdn in cert.subject.chosen:
            for atv in rdn:
                if atv["type"].native == "email_address":
                    out.append(str(atv["value"].native))
    except Exception:  # pragma: no cover - names are parsed above already
        pass
    return list(dict.fromkeys(a.strip() for a in out if a and a.strip()))


_SHORT_NAMES = {
    "common_name": "CN",
    "organization_name": "O",
    "organizational_unit_name": "OU",
    "locality_name": "L",
    "state_or_province_name": "ST",
    "country_name": "C",
    "title": "T",
    "user_id": "UID",
    "email_address": "E",
    "serial_number": "SERIALNUMBER",
}


@dataclass
class TimestampInfo:
    """An RFC 3161 timestamp attached to a signature or to the document."""

    kind: Literal["signature", "document", "content", "archive"]
    time: datetime
    intact: bool
    valid: bool
    trusted: bool
    tsa: CertificateInfo | None = None
    hash_algorithm: str | None = None
    #: the TSA's validated certification path, TSA first, trust anchor last (empty if none)
    chain: list[CertificateInfo] = field(default_factory=list)


@dataclass
class RevocationInfo:
    """Revocation status of the signer's certificate (and how it was established)."""

    status: RevocationStatus
    source: RevocationSource
    revocation_time: datetime | None = None
    reason: str | None = None
    #: number of OCSP responses and CRLs available for the signer's chain
    ocsp_responses: int = 0
    crls: int = 0
    #: SHA-256 fingerprint of the certificate this status is about (set for CA certificates
    #: in :attr:`SignatureReport.chain_revocation`; ``None`` means the signer's certificate)
    certificate_sha256: str | None = None
    subject: str | None = None


@dataclass
class IntegrityInfo:
    """Cryptographic integrity of one signature."""

    intact: bool
    signature_valid: bool
    digest_algorithm: str | None
    signature_algorithm: str | None
    #: pyHanko's coverage level: ENTIRE_FILE, ENTIRE_REVISION, CONTIGUOUS_BLOCK_FROM_START, UNCLEAR
    coverage: str | None = None
    byte_range: list[int] = field(default_factory=list)
    #: OID of the signature algorithm in the SignerInfo, e.g. 1.2.840.113549.1.1.10 (RSASSA-PSS)
    #: or 1.2.840.113549.1.1.11 / …1.1 (PKCS#1 v1.5) — evidence for policy rule TT15-06
    signature_algorithm_oid: str | None = None
    #: False when a digest could not be computed (signed data not found, unsupported
    #: transform or algorithm): ``intact`` is then False without any byte being shown altered
    checked: bool = True
    #: False when the signature value could not be checked (no key the signature names):
    #: ``signature_valid`` is then False without the value being shown wrong
    signature_checked: bool = True

    @property
    def altered(self) -> bool:
        """A computed digest does not match: signed bytes were changed."""
        return self.checked and not self.intact

    @property
    def state(self) -> str:
        """"intact", "altered" (digest mismatch), "signature-invalid" (value does not verify)
        or "not-checked" — what the human report says, never "altered" for intact bytes."""
        if self.altered:
            return "altered"
        if not self.checked:
            return "not-checked"
        if not self.signature_valid:
            return "signature-invalid" if self.signature_checked else "not-checked"
        return "intact"


@dataclass
class ModificationInfo:
    """What happened to the document after this signature."""

    #: NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER (pyHanko's levels)
    level: str | None
    docmdp_ok: bool | None
    certified: bool = False
    #: DocMDP permission level of a certification signature (1, 2, 3)
    docmdp_permission: int | None = None
    revisions_after: int = 0


@dataclass(frozen=True)
class KeyStorage:
    """Where the private key lives, as far as the backend can tell (rule TT15-10: tokens and
    smart cards validated FIPS 140-2/3 level ≥ 2, HSMs level ≥ 3 — TT 15/2025 Annex I 1.8–1.9)."""

    #: "software" (a key file), "token" (PKCS#11 token / smart card), "hsm", "remote", "unknown"
    kind: str = "unknown"
    #: manufacturer / model / label, as the device reports them (never secrets)
    description: str = ""
    #: third-party validations the module reports (PKCS#11 CKO_VALIDATION objects), e.g.
    #: "FIPS 140-3 level 2 (cert #4567)"; empty: none reported
    validations: tuple[str, ...] = ()
    #: the highest FIPS 140 security level among them (``None``: none reported)
    fips_level: int | None = None



@dataclass
class ImageInfo:
    """An image painted by a signature appearance or on a page (what Decree 30/2020
    Appendix I asks of images can be read from it)."""

    width: int
    height: int
    #: transparency (an ``/SMask`` or ``/Mask``): "PNG nền trong suốt"
    alpha: bool
    #: dominant colour of the ink (opaque, saturated pixels): "blue", "red", "black",
    #: "other"; ``None`` when the image could not be decoded
    colour: str | None = None
    colour_space: str | None = None
    bits_per_component: int | None = None
    #: page-space box where it is drawn ``[x1, y1, x2, y2]`` (points), when known
    box: list[float] = field(default_factory=list)
    #: pixels per inch as drawn (the smaller of both axes), when known
    dpi: float | None = None
    #: page index (0-based) for page images
    page: int | None = None


@dataclass
class AppearanceInfo:
    """What a signature's widget shows (read from its normal appearance stream)."""

    visible: bool
    #: page index (0-based) of the widget
    page: int | None = None
    #: the widget's ``/Rect`` ``[x1, y1, x2, y2]`` (points)
    rect: list[float] = field(default_factory=list)
    #: the page's size ``[width, height]`` (points)
    page_size: list[float] = field(default_factory=list)
    images: list[ImageInfo] = field(default_factory=list)
    #: the text the appearance draws, one line per text object
    text: str = ""
    #: base font names used by the text
    fonts: list[str] = field(default_factory=list)
    #: font sizes in points (as drawn)
    font_sizes: list[float] = field(default_factory=list)
    #: fill colours of the text: "black", "blue", "red", "other"
    text_colours: list[str] = field(default_factory=list)


@dataclass
class SignatureReport:
    """Evidence and verdict for one signature (or document timestamp)."""

    id: str
    kind: Literal["signature", "document-timestamp"]
    indication: Indication
    sub_indication: SubIndication | None
    field_name: str | None = None
    revision: int | None = None
    signer: CertificateInfo | None = None
    chain: list[CertificateInfo] = field(default_factory=list)
    trusted: bool = False
    signing_time: datetime | None = None
    signing_time_source: SigningTimeSource = "none"
    claimed_signing_time: datetime | None = None
    timestamp: TimestampInfo | None = None
    #: archive timestamps inside the signature (XAdES ArchiveTimeStamp, CAdES
    #: archive-time-stamp-v3), oldest first; PDF document timestamps are reports of their own
    archive_timestamps: list[TimestampInfo] = field(default_factory=list)
    integrity: IntegrityInfo | None = None
    modification: ModificationInfo | None = None
    revocation: RevocationInfo | None = None
    #: PAdES/CAdES/XAdES baseline level actually reached: B-B, B-T, B-LT, B-LTA (or None)
    level: str | None = None
    validation_time: datetime | None = None
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None
    signer_name: str | None = None
    #: what exactly the signature covers (formats that can sign parts of a file: XML)
    signed_scope: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # ---- structural evidence read by the policy rules (vbsign.policy) -------------------
    #: PDF ``/SubFilter`` of the signature dictionary, e.g. ``/ETSI.CAdES.detached``
    sub_filter: str | None = None
    #: names of the CMS signed / unsigned attributes (asn1crypto names, e.g.
    #: ``signing_certificate_v2``, ``signature_time_stamp_token``)
    signed_attributes: list[str] = field(default_factory=list)
    unsigned_attributes: list[str] = field(default_factory=list)
    #: whether the signer's certificate is embedded in the signature container
    signer_certificate_embedded: bool | None = None
    #: revocation status of the CA certificates of the path (issuing CA first, root excluded)
    chain_revocation: list[RevocationInfo] = field(default_factory=list)
    #: what the signature's widget shows (PDF; ``None``: not read / no widget)
    appearance: AppearanceInfo | None = None

    def add(self, code: str, severity: Severity, msg: Msg, **details: Any) -> Finding:
        f = Finding.of(code, severity, msg, details)
        self.findings.append(f)
        return f

    def has_finding(self, code: str) -> bool:
        return any(f.code == code for f in self.findings)


@dataclass
class DssInfo:
    """What the PDF Document Security Store (validation data kept in the file) contains."""

    certificates: int = 0
    ocsp_responses: int = 0
    crls: int = 0
    vri_entries: int = 0


@dataclass
class RevisionInfo:
    """One revision (incremental update) of a PDF, located in the file's bytes."""

    index: int
    #: byte offsets: the revision occupies ``[start, end)``
    start: int
    end: int
    #: cross-reference form: "table", "stream", "hybrid" ("none" for hidden data)
    xref: str
    #: objects written (or overwritten) by the revision
    objects: int
    #: "original", "signature", "document-timestamp", "update", "empty" or "hidden"
    #: (bytes after the last revision that no cross-reference section accounts for)
    kind: str
    #: signature fields whose signature was written in this revision
    signatures: list[str] = field(default_factory=list)
    hidden: bool = False


@dataclass
class DocumentInfo:
    name: str
    sha256: str
    size: int
    format: Literal["pdf", "xml", "cms", "mail"]
    pages: int | None = None
    revisions: int | None = None
    #: the PDF's DSS dictionary (``None``: no DSS, or not a PDF)
    dss: DssInfo | None = None
    #: every revision of a PDF, oldest first (see :mod:`vbsign.formats.pades.structure`)
    revision_details: list[RevisionInfo] = field(default_factory=list)
    #: the PDF version the file declares (header, or a later catalogue ``/Version``)
    pdf_version: str | None = None
    #: images painted on the pages (first pages only; digitised copies, Decree 30/2020)
    page_images: list[ImageInfo] = field(default_factory=list)


@dataclass
class AttachmentReport:
    """A file carried inside an envelope (edXML) and the verification of its own signature."""

    name: str
    content_id: str | None
    content_type: str | None
    sha256: str
    size: int
    #: protected by a valid envelope (header) signature
    covered_by_envelope: bool
    indication: Indication
    sub_indication: SubIndication | None = None
    #: the attachment's own verification report (``None``: unsigned or not verifiable)
    report: Report | None = None
    findings: list[Finding] = field(default_factory=list)

    def add(self, code: str, severity: Severity, msg: Msg, **details: Any) -> Finding:
        f = Finding.of(code, severity, msg, details)
        self.findings.append(f)
        return f


@dataclass
class MailInfo:
    """What an e-mail message (S/MIME, :mod:`vbsign.mail`) says about itself.

    Header values are decoded (RFC 2047) and read from the message as received; the
    ``protected_headers`` are the copies inside the signed part (RFC 9788 header
    protection), which the signature covers and the outer header section does not.
    """

    #: the S/MIME layers, outermost first: ``enveloped-data``, ``authEnveloped-data``,
    #: ``multipart/signed`` (clear-signed), ``signed-data`` (opaque), or ``[]`` (plain mail)
    layers: list[str] = field(default_factory=list)
    #: addresses of the From header (several are allowed; then Sender names the sender)
    from_addresses: list[str] = field(default_factory=list)
    sender: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str | None = None
    date: str | None = None
    message_id: str | None = None
    #: header fields inside the signed part (RFC 9788 ``hp`` parameter), name → value
    protected_headers: dict[str, str] = field(default_factory=dict)
    #: how the message was made canonical before verifying (``crlf``: as received;
    #: ``lf-to-crlf``: bare LF line endings converted, as RFC 8551 §3.1.1 prescribes)
    canonical_form: str | None = None


@dataclass
class Report:
    """The verification report for one document (its data; :class:`vbsign.model.report.Report`
    is what vbsign returns: this plus the human renderings)."""

    document: DocumentInfo
    indication: Indication
    sub_indication: SubIndication | None = None
    signatures: list[SignatureReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    validation_time_mode: ValidationTimeMode = "signing"
    validation_time: datetime | None = None
    online: bool = False
    trust_anchors: list[str] = field(default_factory=list)
    #: files carried by an envelope (edXML), each with its own verification; for e-mail:
    #: every MIME part and whether the signature covers it
    attachments: list[AttachmentReport] = field(default_factory=list)
    #: e-mail headers and S/MIME structure (``None`` unless the document is a message)
    mail: MailInfo | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    vbsign_version: str = __version__
    schema: str = SCHEMA_ID

    # ---- verdict helpers -------------------------------------------------------------
    @property
    def valid(self) -> bool:
        return self.indication is Indication.TOTAL_PASSED

    @property
    def exit_code(self) -> int:
        """CLI convention: 0 all valid, 1 invalid (or unsigned), 2 indeterminate."""
        return {
            Indication.TOTAL_PASSED: 0,
            Indication.TOTAL_FAILED: 1,
            Indication.NO_SIGNATURE_FOUND: 1,
            Indication.INDETERMINATE: 2,
        }[self.indication]

    def summary(self, lang: Lang | None = None) -> str:
        lang = lang or current_lang()
        verdict = INDICATION_TEXT[self.indication].get(lang)
        n = len([s for s in self.signatures if s.kind == "signature"])
        if lang == "en":
            return f"{self.document.name}: {verdict} ({n} signature{'s' if n != 1 else ''})"
        return f"{self.document.name}: {verdict} ({n} chữ ký)"

    def add(self, code: str, severity: Severity, msg: Msg, **details: Any) -> Finding:
        f = Finding.of(code, severity, msg, details)
        self.findings.append(f)
        return f

    # ---- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out = _to_jsonable(self)
        assert isinstance(out, dict)
        out["summary_vi"] = self.summary("vi")
        out["summary_en"] = self.summary("en")
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        data = {k: v for k, v in data.items() if k not in ("summary_vi", "summary_en")}
        if data.get("schema") != SCHEMA_ID:
            raise ValueError(f"unsupported report schema {data.get('schema')!r}")
        obj = _from_jsonable(cls, data)
        assert isinstance(obj, cls)
        return obj


def worst_indication(indications: list[Indication]) -> Indication:
    if not indications:
        return Indication.NO_SIGNATURE_FOUND
    if Indication.TOTAL_FAILED in indications:
        return Indication.TOTAL_FAILED
    if Indication.INDETERMINATE in indications:
        return Indication.INDETERMINATE
    return Indication.TOTAL_PASSED


# ---- (de)serialisation driven by the dataclass annotations ---------------------------------


def _to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, (list, tuple)):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def _hints(cls: type) -> dict[str, Any]:
    # the defining module's names, so that other modules' dataclasses (e.g. the policy's
    # ComplianceReport, which embeds a Report) can reuse these helpers
    import sys

    module = sys.modules.get(cls.__module__)
    return typing.get_type_hints(cls, globalns={**globals(), **(vars(module) if module else {})})


def _from_jsonable(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if value is None:
        return None
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        return _from_jsonable(non_none[0], value) if len(non_none) == 1 else value
    if origin is list:
        return [_from_jsonable(args[0], v) for v in value]
    if origin is dict:
        return {k: _from_jsonable(args[1], v) for k, v in value.items()}
    if origin is Literal or tp is Any:
        return value
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if tp is datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)  # type: ignore[arg-type]
        kwargs = {
            f.name: _from_jsonable(hints[f.name], value[f.name])
            for f in dataclasses.fields(tp)
            if f.name in value
        }
        return tp(**kwargs)  # type: ignore[operator]
    return value


def _schema_for(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema_for(a, defs) for a in args]}
    if tp is type(None):
        return {"type": "null"}
    if origin is list:
        return {"type": "array", "items": _schema_for(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema_for(args[1], defs)}
    if origin is Literal:
        return {"enum": list(args)}
    if tp is Any:
        return {}
    if tp is datetime:
        return {"type": "string", "format": "date-time"}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if dataclasses.is_dataclass(tp):
        name = str(getattr(tp, "__name__", tp))
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = _hints(tp)  # type: ignore[arg-type]
            props = {f.name: _schema_for(hints[f.name], defs) for f in dataclasses.fields(tp)}
            required = [
                f.name
                for f in dataclasses.fields(tp)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            ]
            defs[name] = {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON schema for {tp!r}")  # pragma: no cover


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of :meth:`Report.to_dict` output, derived from the code."""
    defs: dict[str, Any] = {}
    root = _schema_for(Report, defs)
    report_def = defs["Report"]
    report_def["properties"]["summary_vi"] = {"type": "string"}
    report_def["properties"]["summary_en"] = {"type": "string"}
    report_def["properties"]["schema"] = {"const": SCHEMA_ID}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "vbsign verification report",
        **root,
        "$defs": defs,
    }


__all__ = [
    "AppearanceInfo",
    "AttachmentReport",
    "CertificateInfo",
    "DocumentInfo",
    "DssInfo",
    "Finding",
    "INDICATION_TEXT",
    "ImageInfo",
    "Indication",
    "IntegrityInfo",
    "KeyStorage",
    "MailInfo",
    "ModificationInfo",
    "Report",
    "RevisionInfo",
    "RevocationInfo",
    "RevocationSource",
    "RevocationStatus",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Severity",
    "SignatureReport",
    "SigningTimeSource",
    "SubIndication",
    "TimestampInfo",
    "ValidationTimeMode",
    "json_schema",
    "note_malformed_fields",
    "worst_indication",
]
