"""CAdES (ETSI EN 319 122-1) for any file: detached ``.p7s`` and enveloping ``.p7m``.

Signing goes through pyHanko (``Signer.async_sign_general_data`` with CAdES attributes:
signing-certificate-v2, signing-time, content-type, message-digest; a signature
timestamp for B-T). For B-LT vbsign adds what pyHanko does not: the certificates of the
signer's and the TSA's paths to ``SignedData.certificates`` and their OCSP responses and
CRLs to ``SignedData.crls`` (CMS ``RevocationInfoChoice``; OCSP as
``id-ri-ocsp-response``), as EN 319 122-1 prescribes for baseline B-LT. Unsigned fields
only: the signature value is untouched, and ``openssl cms -verify`` still accepts the file.

Verification reads DER or PEM, one report per ``SignerInfo``, and uses the evaluation
shared with XAdES (:mod:`vbsign.formats.ades`). The signed content of an enveloping signature is
returned by :func:`verify_cms` so that callers use exactly the bytes that were verified.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from asn1crypto import cms, core, pem, x509
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp

from vbsign._core.algorithms import require_signing_hash
from vbsign._core.errors import InputError, ResourceLimitExceeded, SigningError
from vbsign._core.i18n import Msg
from vbsign.formats.ades import (
    AdesVerifyOptions,
    SignerEvidence,
    TimestampToken,
    ValidationData,
    evaluate,
)
from vbsign.formats.xades.dsig import _hash
from vbsign.model.report import (
    CertificateInfo,
    DocumentInfo,
    Indication,
    IntegrityInfo,
    Report,
    Severity,
    SignatureReport,
    SubIndication,
    note_malformed_fields,
    worst_indication,
)

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper

    from vbsign.backends.base import SigningKey

from vbsign._core.errors import short_reason as _short
from vbsign._core.x509 import unique_der as _dedupe

logger = logging.getLogger(__name__)
F, I = Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741
CADES_LEVELS: tuple[str, ...] = ("B-B", "B-T", "B-LT")
#: hard cap on what :func:`verify_cms` reads (content included)
MAX_CMS_BYTES = 512 * 1024 * 1024

OID_CERTIFICATE_VALUES = "1.2.840.113549.1.9.16.2.23"
OID_REVOCATION_VALUES = "1.2.840.113549.1.9.16.2.24"
OID_ARCHIVE_TIMESTAMP_V3 = "0.4.0.1733.2.4"
ARCHIVE_TIMESTAMP_OIDS = frozenset(
    {"1.2.840.113549.1.9.16.2.27", "1.2.840.113549.1.9.16.2.48", "0.4.0.1733.2.4"}
)

ValidationDataSource = Callable[[x509.Certificate, list[x509.Certificate]], Awaitable[ValidationData]]


# ---- ASN.1 for the legacy CAdES-X-L unsigned attributes (RFC 5126 §6.3.3-4) -----------------


class _CRLs(core.SequenceOf):  # type: ignore[misc]
    _child_spec = asn1_crl.CertificateList


class _BasicOCSPs(core.SequenceOf):  # type: ignore[misc]
    _child_spec = asn1_ocsp.BasicOCSPResponse


class _RevocationValues(core.Sequence):  # type: ignore[misc]
    _fields = [
        ("crl_vals", _CRLs, {"explicit": 0, "optional": True}),
        ("ocsp_vals", _BasicOCSPs, {"explicit": 1, "optional": True}),
        ("other_rev_vals", core.Any, {"explicit": 2, "optional": True}),
    ]


class _CertificateValues(core.SequenceOf):  # type: ignore[misc]
    _child_spec = x509.Certificate


class _RawEncapsulatedContentInfo(core.Sequence):  # type: ignore[misc]
    """EncapsulatedContentInfo with the content left unparsed (asn1crypto parses the octet
    string according to the content type, which fails e.g. for nested SignedData)."""

    _fields = [
        ("content_type", cms.ContentType),
        ("content", core.Any, {"explicit": 0, "optional": True}),
    ]


#: signature algorithm OIDs asn1crypto does not know (RSA/ECDSA with SHA-3, RFC 8702 / NIST)
_EXTRA_MECHANISMS: dict[str, tuple[str, str]] = {
    "2.16.840.1.101.3.4.3.13": ("rsa", "sha3_224"),
    "2.16.840.1.101.3.4.3.14": ("rsa", "sha3_256"),
    "2.16.840.1.101.3.4.3.15": ("rsa", "sha3_384"),
    "2.16.840.1.101.3.4.3.16": ("rsa", "sha3_512"),
    "2.16.840.1.101.3.4.3.9": ("ecdsa", "sha3_224"),
    "2.16.840.1.101.3.4.3.10": ("ecdsa", "sha3_256"),
    "2.16.840.1.101.3.4.3.11": ("ecdsa", "sha3_384"),
    "2.16.840.1.101.3.4.3.12": ("ecdsa", "sha3_512"),
}


# ---- signing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CadesOptions:
    """How to build a CAdES signature."""

    #: True: detached ``.p7s`` (content not inside); False: enveloping ``.p7m``
    detached: bool = True
    level: str = "B-LT"
    md_algorithm: str = "sha256"
    prefer_pss: bool = False
    #: DER (default) or PEM output
    pem: bool = False


@dataclass
class CadesSignOutcome:
    data: bytes
    signing_time: datetime
    timestamp_time: datetime | None = None


async def sign_cades(
    data: bytes,
    key: SigningKey,
    options: CadesOptions,
    *,
    now: datetime,
    timestamper: TimeStamper | None = None,
    validation_data: ValidationDataSource | None = None,
) -> CadesSignOutcome:
    """Sign ``data`` and return the DER (or PEM) CMS ``ContentInfo``."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    level = options.level.upper()
    if level not in CADES_LEVELS:
        raise InputError(
            Msg(
                "CAdES chỉ hỗ trợ các mức {ok} (yêu cầu: {l}).",
                "CAdES supports levels {ok} only (requested: {l}).",
            ).format(ok=", ".join(CADES_LEVELS), l=options.level)
        )
    if level != "B-B" and timestamper is None:
        raise InputError(
            Msg("Mức {l} cần máy chủ dấu thời gian (--tsa).", "Level {l} needs a timestamp server (--tsa).").format(
                l=level
            )
        )
    md = require_signing_hash(options.md_algorithm)  # SHA-1/MD5: a clear bilingual refusal
    signer = key.pyhanko_signer(prefer_pss=options.prefer_pss)
    try:
        ci = await signer.async_sign_general_data(
            data,
            md,
            detached=options.detached,
            use_cades=True,
            timestamper=timestamper if level != "B-B" else None,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=now),
        )
    except (OSError, ValueError) as e:
        raise SigningError(
            Msg("Ký CAdES thất bại: {e}", "CAdES signing failed: {e}").format(e=_short(e))
        ) from e
    sd = ci["content"]
    ts_time = None
    tokens = list(_tst_iter(sd["signer_infos"][0]))
    if tokens:
        ts_time = tokens[0]["encap_content_info"]["content"].parsed["gen_time"].native
    if level == "B-LT":
        if validation_data is None:
            raise InputError(
                Msg(
                    "Mức B-LT cần dữ liệu kiểm tra chứng thư (OCSP/CRL).",
                    "Level B-LT needs certificate validation data (OCSP/CRL).",
                )
            )
        vd = await validation_data(key.certificate, list(key.chain))
        for tok in tokens:
            tsa_certs = [c.chosen for c in tok["certificates"] if c.name == "certificate"]
            tsa = _signer_cert(tok["signer_infos"][0], tsa_certs)
            if tsa is not None:
                vd.extend(await validation_data(tsa, tsa_certs))
        _embed_validation_data(sd, vd)
    der = ci.dump()
    out = pem.armor("CMS", der) if options.pem else der
    return CadesSignOutcome(out, now, ts_time)


def _embed_validation_data(sd: cms.SignedData, vd: ValidationData) -> None:
    """Add certificates and revocation data to the unsigned parts of ``sd`` (B-LT)."""
    have = {c.chosen.dump() for c in _items(sd["certificates"])}
    certs = [cms.CertificateChoices(name="certificate", value=c.chosen) for c in sd["certificates"]] if have else []
    for c in vd.certs:
        if c.dump() not in have:
            certs.append(cms.CertificateChoices(name="certificate", value=c))
            have.add(c.dump())
    sd["certificates"] = cms.CertificateSet(certs)
    revs: list[cms.RevocationInfoChoice] = [cms.RevocationInfoChoice(name="crl", value=c) for c in vd.crls]
    for resp in vd.ocsps:
        revs.append(
            cms.RevocationInfoChoice(
                name="other",
                value=cms.OtherRevocationInfoFormat(
                    {"other_rev_info_format": "ocsp_response", "other_rev_info": resp}
                ),
            )
        )
    if revs:
        sd["crls"] = cms.RevocationInfoChoices(revs)
        if vd.ocsps:
            sd["version"] = "v5"  # RFC 5652 §5.1: "other" revocation formats need v5


# ---- verification ---------------------------------------------------------------------------


@dataclass
class CmsVerification:
    report: Report
    #: the content that was verified (enveloped in the signature, or supplied detached)
    content: bytes | None


def looks_like_cms(data: bytes) -> bool:
    """DER SEQUENCE starting with the signedData OID, or a PEM PKCS7/CMS block."""
    head = data[:64].lstrip()
    if head.startswith(b"-----BEGIN"):
        return b"PKCS7" in head or b"CMS" in head
    return data[:1] == b"\x30" and b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" in data[:32]


def load_content_info(data: bytes) -> cms.ContentInfo:
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    ci = cms.ContentInfo.load(data)
    if ci["content_type"].native != "signed_data":
        raise ValueError(f"not a CMS SignedData ({ci['content_type'].native})")
    len(ci["content"]["signer_infos"])  # parse the outer structure now (lazy inside)
    return ci


async def verify_cms(
    data: bytes,
    name: str,
    options: AdesVerifyOptions,
    *,
    content: bytes | None = None,
    content_name: str | None = None,
) -> CmsVerification:
    """Verify every SignerInfo of a CMS/CAdES signature (``content``: detached data)."""
    if len(data) > MAX_CMS_BYTES or (content is not None and len(content) > MAX_CMS_BYTES):
        raise ResourceLimitExceeded(
            Msg("Tệp quá lớn (giới hạn {m} byte).", "File too large (limit {m} bytes).").format(m=MAX_CMS_BYTES)
        )
    doc = DocumentInfo(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), format="cms")
    report = Report(
        document=doc,
        indication=Indication.NO_SIGNATURE_FOUND,
        validation_time_mode="now" if options.at == "now" else "signing",
        validation_time=options.now,
        online=options.services.online,
        trust_anchors=options.trust.fingerprints(),
    )
    try:
        # asn1crypto parses lazily: read every part verification uses now, so that a damaged
        # structure is one clear FORMAT_FAILURE instead of an error half-way through
        ci = load_content_info(data)
        sd: cms.SignedData = ci["content"]
        eci = sd["encap_content_info"]
        content_type = eci["content_type"].native
        econtent = _econtent(eci)
        certs = _certificates(sd)
        ocsps, crls = _revinfo(sd)
        signer_infos = list(sd["signer_infos"])
    except Exception as e:
        report.indication, report.sub_indication = F, SubIndication.FORMAT_FAILURE
        report.add("CMS_UNREADABLE", Severity.ERROR, Msg(
            "Không đọc được cấu trúc CMS/PKCS#7: {e}", "The CMS/PKCS#7 structure cannot be read: {e}"
        ).format(e=_short(e)))
        return CmsVerification(report, None)

    signed, content_differs, scope = _signed_content(report, econtent, content, content_name)
    doc.format = "cms"
    for n, si in enumerate(signer_infos, start=1):
        sid = f"S{n}"
        try:
            rep = await _verify_signer(si, sid, content_type, signed, certs, ocsps, crls, options, sd=sd)
        except Exception as e:
            logger.debug("signer %s unprocessable", sid, exc_info=True)
            rep = SignatureReport(id=sid, kind="signature", indication=F, sub_indication=SubIndication.FORMAT_FAILURE)
            rep.add("SIGNATURE_UNPROCESSABLE", Severity.ERROR, Msg(
                "Không xử lý được chữ ký: {e}", "The signature cannot be processed: {e}"
            ).format(e=_short(e)))
        rep.signed_scope = [scope]
        report.signatures.append(rep)
    if not report.signatures:
        report.add("NO_SIGNATURE", Severity.ERROR, Msg(
            "Cấu trúc CMS không có chữ ký nào.", "The CMS structure holds no signature."
        ))
        return CmsVerification(report, signed)
    report.indication = worst_indication([s.indication for s in report.signatures])
    worst = [s for s in report.signatures if s.indication == report.indication]
    report.sub_indication = worst[0].sub_indication if worst else None
    if content_differs and report.indication is Indication.TOTAL_PASSED:
        report.indication, report.sub_indication = I, SubIndication.SIG_CONSTRAINTS_FAILURE
    return CmsVerification(report, signed)


def _signed_content(
    report: Report, econtent: bytes | None, content: bytes | None, content_name: str | None
) -> tuple[bytes | None, bool, str]:
    """What the signatures sign: the encapsulated content, else the detached ``content``.
    Returns it, whether a supplied content file differs from the encapsulated one (an
    error finding: the verdict must not read as "this file is valid") and the scope text."""
    signed: bytes | None
    content_differs = False
    if econtent is not None:
        signed = econtent
        if content is not None and content != signed:
            # the caller (or the x.p7s → x convention) named a file as the signed content,
            # and it is not what was signed: the verdict must not read as "this file is valid"
            content_differs = True
            report.add("CONTENT_IGNORED", Severity.ERROR, Msg(
                "Chữ ký đã chứa nội dung; tệp nội dung được cung cấp KHÁC nội dung đã ký và KHÔNG được chữ ký bảo vệ.",
                "The signature embeds its content; the supplied content file DIFFERS from it and is NOT "
                "covered by the signature.",
            ), content=content_name or "content")
        scope = f"content: enveloped in the signature ({len(signed)} bytes, sha256 {_h(signed)}…)"
    else:
        signed = content
        label = content_name or "detached content"
        scope = (
            f"content: detached '{label}' ({len(signed)} bytes, sha256 {_h(signed)}…)"
            if signed is not None
            else "content: detached (not supplied)"
        )
    return signed, content_differs, scope


async def _verify_signer(
    si: cms.SignerInfo,
    sid: str,
    content_type: str,
    signed: bytes | None,
    certs: list[x509.Certificate],
    ocsps: list[Any],
    crls: list[Any],
    options: AdesVerifyOptions,
    *,
    sd: cms.SignedData | None = None,
) -> SignatureReport:
    """Verify one SignerInfo: its integrity over ``signed``, the evidence it carries
    (certificates, revocation data, timestamps), then the shared AdES verdict."""
    from pyhanko.sign.validation import generic_cms

    rep = SignatureReport(id=sid, kind="signature", indication=I, sub_indication=None)
    md = si["digest_algorithm"]["algorithm"].native
    sig_algo = si["signature_algorithm"]
    try:
        sig_name = sig_algo.signature_algo
        sig_hash = sig_algo.hash_algo if sig_name != "rsassa_pss" else md
    except ValueError:
        sig_name, sig_hash = sig_algo["algorithm"].native, md
    candidates = _dedupe([*certs, *options.extra_certs, *options.trust.intermediates])
    cert = _signer_cert(si, candidates)
    u_certs, u_ocsps, u_crls = _unsigned_revinfo(si)
    a_ocsps, a_crls = _adobe_revinfo(si)
    ev = SignerEvidence(
        signer_cert=cert,
        other_certs=_dedupe([*certs, *u_certs]),
        ocsps=[*ocsps, *u_ocsps, *a_ocsps],
        crls=[*crls, *u_crls, *a_crls],
        hash_algorithms=[md, sig_hash] if sig_hash else [md],
    )
    try:
        ev.claimed_time = generic_cms.extract_self_reported_ts(si)
    except Exception:
        ev.claimed_time = None
    rep.integrity = IntegrityInfo(
        intact=False, signature_valid=False, digest_algorithm=md, signature_algorithm=sig_algo["algorithm"].native
    )
    _check_integrity(si, cert, content_type, signed, md, rep, ev)
    _read_unsigned_attributes(si, rep, ev)
    if sd is not None:
        _read_archive_timestamps(sd, si, signed, ev)
    if cert is not None:
        rep.signer = CertificateInfo.from_asn1(cert)
    # what could not be computed is "not checked", never "altered"
    rep.integrity.checked = ev.integrity_known
    rep.integrity.signature_checked = ev.integrity_known and cert is not None
    rep.signed_attributes = _attr_names(si, "signed_attrs")
    rep.unsigned_attributes = _attr_names(si, "unsigned_attrs")
    rep.signer_certificate_embedded = cert is not None and cert.dump() in {c.dump() for c in certs}
    rep.integrity.signature_algorithm_oid = sig_algo["algorithm"].dotted
    outcome = await evaluate(rep, ev, options)
    note_malformed_fields(rep)
    signed_names = set(rep.signed_attributes)
    if signed_names & {"signing_certificate_v2", "signing_certificate"}:
        rep.level = "B-B"
        if outcome.timestamp_ok:
            rep.level = "B-LT" if outcome.embedded_revocation else "B-T"
            if rep.level == "B-LT" and any(a.intact and a.valid and a.trusted for a in rep.archive_timestamps):
                rep.level = "B-LTA"
    return rep


def _check_integrity(
    si: cms.SignerInfo,
    cert: x509.Certificate | None,
    content_type: str,
    signed: bytes | None,
    md: str,
    rep: SignatureReport,
    ev: SignerEvidence,
) -> None:
    """The message digest and signature value of one SignerInfo, into ``rep.integrity``;
    what cannot be computed (no content, no certificate, an unknown algorithm, a broken
    structure) is recorded as not known, with the reason that blocks a verdict."""
    from pyhanko.sign.validation import errors as val_errors
    from pyhanko.sign.validation import generic_cms

    assert rep.integrity is not None
    if signed is None:
        ev.integrity_known = False
        ev.blocking = (I, SubIndication.SIGNED_DATA_NOT_FOUND, "DETACHED_CONTENT_MISSING", Msg(
            "Chữ ký tách rời: cần tệp nội dung đã ký (dùng --content TỆP).",
            "Detached signature: the signed content file is needed (use --content FILE).",
        ))
        return
    if cert is None:
        ev.integrity_known = False
        return
    try:
        digest = hashlib.new(md.replace("_", "-") if md.startswith("sha3") else md, signed).digest()
    except ValueError:
        ev.integrity_known = False
        ev.blocking = (I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "UNSUPPORTED_ALGORITHM", Msg(
            "Hàm băm không được hỗ trợ: {a}", "Unsupported digest algorithm: {a}"
        ).format(a=md))
        return
    try:
        intact, valid = generic_cms.validate_sig_integrity(si, cert, content_type, digest)
        if intact and not valid:
            valid = _lenient_signature_check(si, cert, rep)
        rep.integrity.intact, rep.integrity.signature_valid = intact, valid
    except val_errors.SignatureValidationError as e:
        ev.integrity_known = False
        sub = getattr(e, "ades_subindication", None)
        name = getattr(sub, "name", "FORMAT_FAILURE")
        if name == "NO_SIGNING_CERTIFICATE_FOUND":
            ev.blocking = (I, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, "SIGNING_CERT_REF_MISMATCH", Msg(
                "Chứng thư ký không khớp với thuộc tính signing-certificate đã ký.",
                "The signing certificate does not match the signed signing-certificate attribute.",
            ))
        else:
            ev.blocking = (F, SubIndication.FORMAT_FAILURE, "CMS_STRUCTURE", Msg(
                "Cấu trúc CMS của chữ ký không hợp lệ: {e}", "Invalid CMS structure in the signature: {e}"
            ).format(e=_short(e)))
    except Exception as e:  # unsupported mechanisms and the like
        ev.integrity_known = False
        ev.blocking = (I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "UNSUPPORTED_ALGORITHM", Msg(
            "Không kiểm tra được giá trị chữ ký ({e}).", "The signature value cannot be checked ({e})."
        ).format(e=_short(e)))


def _read_unsigned_attributes(si: cms.SignerInfo, rep: SignatureReport, ev: SignerEvidence) -> None:
    """Signature timestamps into the evidence; archive timestamps and counter-signatures
    are noted (vbsign does not validate them yet)."""
    from pyhanko.sign.validation import generic_cms

    for tst in _tst_iter(si):
        ev.timestamps.append(TimestampToken(tst, generic_cms.message_imprint_checker(si)))
    for attr in _items(si["unsigned_attrs"]):
        oid = attr["type"].dotted
        if oid in ARCHIVE_TIMESTAMP_OIDS and oid != OID_ARCHIVE_TIMESTAMP_V3:
            rep.add("ARCHIVE_TIMESTAMP_NOT_VALIDATED", Severity.INFO, Msg(
                "Có dấu thời gian lưu trữ kiểu cũ (CAdES-A v2 / ATS v1); vbsign chỉ kiểm tra archive-time-stamp-v3.",
                "A legacy archive timestamp (CAdES-A v2 / ATS v1) is present; vbsign validates archive-time-stamp-v3 only.",
            ))
            continue
        if attr["type"].native == "counter_signature":
            rep.add("COUNTER_SIGNATURE_NOT_VERIFIED", Severity.INFO, Msg(
                "Có chữ ký đối ứng (counter-signature); vbsign chưa kiểm tra nó.",
                "A counter-signature is present; vbsign does not verify it.",
            ))


def _read_archive_timestamps(
    sd: cms.SignedData, si: cms.SignerInfo, signed: bytes | None, ev: SignerEvidence
) -> None:
    """archive-time-stamp-v3 tokens into the evidence, each with its message imprint
    (EN 319 122-1 §5.5.3, :mod:`vbsign.formats.cades_ats`); a token whose hash index lists
    something no longer in the signature gets an imprint that cannot match."""
    from vbsign.formats.cades_ats import digest, imprint_input, index_of, index_still_holds

    for attr in _items(si["unsigned_attrs"]):
        if attr["type"].dotted != OID_ARCHIVE_TIMESTAMP_V3:
            continue
        for value in attr["values"]:
            token = cms.ContentInfo.load(value.dump())
            index = index_of(token)

            def expected(md: str, index: Any = index) -> bytes:
                if index is None or signed is None or not index_still_holds(index, sd, si):
                    return b""
                return digest(md, imprint_input(sd, si, digest(md, signed), index))

            ev.archive_timestamps.append(TimestampToken(token["content"], expected, kind="archive"))


def _lenient_signature_check(si: cms.SignerInfo, cert: x509.Certificate, rep: SignatureReport) -> bool:
    """Second chance for a signature pyHanko rejects for a *representation* reason:

    * a signature algorithm asn1crypto does not know (RSA/ECDSA with SHA-3);
    * signed attributes stored in non-DER order (the signer signed the DER form, or the
      stored form): both encodings are tried. The message digest is inside the signed
      attributes either way, so this never accepts altered content.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key


    oid = si["signature_algorithm"]["algorithm"].dotted
    md = si["digest_algorithm"]["algorithm"].native
    if oid in _EXTRA_MECHANISMS:
        kind, hash_name = _EXTRA_MECHANISMS[oid]
    else:
        try:
            algo = si["signature_algorithm"].signature_algo
        except ValueError:
            return False
        kind = {"rsassa_pkcs1v15": "rsa", "ecdsa": "ecdsa"}.get(algo, "")
        try:
            hash_name = si["signature_algorithm"].hash_algo
        except ValueError:
            hash_name = md
    if not kind:
        return False
    sa = si["signed_attrs"]
    if isinstance(sa, core.Void):
        return False
    stored = b"\x31" + sa.dump()[1:]
    items = sorted(a.dump(force=True) for a in sa)
    der = cms.CMSAttributes.load(b"\x31" + _der_len(sum(len(i) for i in items)) + b"".join(items)).dump()
    try:
        key = load_der_public_key(cert.public_key.dump())
        h = _hash(hash_name)
    except Exception:
        return False
    signature = si["signature"].native
    for candidate, note in ((stored, None), (der, "DER")):
        try:
            if kind == "rsa" and isinstance(key, rsa.RSAPublicKey):
                key.verify(signature, candidate, padding.PKCS1v15(), h)
            elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(signature, candidate, ec.ECDSA(h))
            else:
                return False
        except InvalidSignature:
            continue
        if note == "DER":
            rep.add("NON_DER_SIGNED_ATTRIBUTES", Severity.WARNING, Msg(
                "Thuộc tính ký được lưu không theo thứ tự DER; chữ ký khớp với dạng DER của chúng.",
                "The signed attributes are stored out of DER order; the signature matches their DER form.",
            ))
        return True
    return False


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _econtent(eci: cms.EncapsulatedContentInfo) -> bytes | None:
    """The octets of the encapsulated content (``None`` for a detached signature)."""
    raw = _RawEncapsulatedContentInfo.load(eci.dump())
    any_ = raw["content"]
    if isinstance(any_, core.Void) or any_.contents is None:
        return None
    try:
        return bytes(any_.parse(core.OctetString).native)
    except Exception:  # PKCS#7 v1.5 content that is not an OCTET STRING: the raw value
        return bytes(any_.contents)


def _items(value: Any) -> list[Any]:
    """The elements of an optional SET/SEQUENCE OF, parsed lazily (empty when absent)."""
    if value is None or isinstance(value, core.Void):
        return []
    try:
        return list(value)
    except Exception:
        return []


def _certificates(sd: cms.SignedData) -> list[x509.Certificate]:
    out = []
    for c in _items(sd["certificates"]):
        try:
            if c.name == "certificate":
                out.append(c.chosen)
        except Exception:
            continue
    return out


def _attr_names(si: cms.SignerInfo, which: str) -> list[str]:
    try:
        return [str(a["type"].native) for a in _items(si[which])]
    except Exception:
        return []


def _signer_cert(si: cms.SignerInfo, certs: list[x509.Certificate]) -> x509.Certificate | None:
    sid = si["sid"]
    if sid.name == "issuer_and_serial_number":
        ias = sid.chosen
        for c in certs:
            if c.issuer == ias["issuer"] and c.serial_number == ias["serial_number"].native:
                return c
        return None
    ski = sid.chosen.native
    for c in certs:
        if c.key_identifier == ski:
            return c
    return None


def _tst_iter(si: cms.SignerInfo) -> list[cms.SignedData]:
    out: list[cms.SignedData] = []
    for attr in _items(si["unsigned_attrs"]):
        try:
            if attr["type"].native == "signature_time_stamp_token":
                for v in attr["values"]:
                    out.append(v["content"])
        except Exception:  # an unparsable token is reported as missing, not fatal
            continue
    return out


def _revinfo(sd: cms.SignedData) -> tuple[list[Any], list[Any]]:
    ocsps: list[Any] = []
    crls: list[Any] = []
    for choice in _items(sd["crls"]):
        try:
            if choice.name == "crl":
                crls.append(choice.chosen)
            elif choice.name == "other" and choice.chosen["other_rev_info_format"].native == "ocsp_response":
                ocsps.append(choice.chosen["other_rev_info"])
        except Exception:
            continue
    return ocsps, crls


def _unsigned_revinfo(si: cms.SignerInfo) -> tuple[list[Any], list[Any], list[Any]]:
    certs: list[Any] = []
    ocsps: list[Any] = []
    crls: list[Any] = []
    for attr in _items(si["unsigned_attrs"]):
        oid = attr["type"].dotted
        try:
            if oid == OID_CERTIFICATE_VALUES:
                for v in attr["values"]:
                    certs += list(_CertificateValues.load(v.dump()))
            elif oid == OID_REVOCATION_VALUES:
                for v in attr["values"]:
                    rv = _RevocationValues.load(v.dump())
                    crls += list(_items(rv["crl_vals"]))
                    for basic in _items(rv["ocsp_vals"]):
                        ocsps.append(
                            asn1_ocsp.OCSPResponse(
                                {
                                    "response_status": "successful",
                                    "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
                                }
                            )
                        )
        except Exception:
            continue
    return certs, ocsps, crls


def _adobe_revinfo(si: cms.SignerInfo) -> tuple[list[Any], list[Any]]:
    ocsps: list[Any] = []
    crls: list[Any] = []
    try:
        for attr in _items(si["signed_attrs"]):
            if attr["type"].native == "adobe_revocation_info_archival":
                for val in attr["values"]:
                    ocsps += list(val["ocsp"] or [])
                    crls += list(val["crl"] or [])
    except Exception:
        pass
    return ocsps, crls


def _h(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


__all__ = [
    "CADES_LEVELS",
    "CadesOptions",
    "CadesSignOutcome",
    "CmsVerification",
    "looks_like_cms",
    "sign_cades",
    "verify_cms",
]
