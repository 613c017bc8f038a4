"""PAdES verification: evidence from pyHanko, verdicts in ETSI EN 319 102-1 terms.

pyHanko offers three partial views, each wrong alone (see docs/validation.rst):
its classic status ignores time semantics, its modification analysis is separate, and its
AdES engine ignores PDF modifications and misreports B-LT files as NO_POE. vbsign gathers the
evidence itself, in this order, for every signature:

1. integrity and coverage (ByteRange digest, signature value, what the signature covers);
2. modifications after signing (pyHanko's difference analysis, reject by default);
3. the signature timestamp, validated at its own time;
4. the signing time: proven by a valid timestamp (or a later document timestamp), else the
   signer's unproven claim;
5. the certificate path and revocation status **at the validation time**: by default the
   signing time (Vietnamese law: the certificate must be valid and unrevoked when the
   document was signed), optionally "now"; embedded revocation data first (DSS, CMS), then
   online sources if allowed;
6. a verdict with a sub-indication, and findings explaining it.

Missing revocation data never passes: it is INDETERMINATE/TRY_LATER with a warning.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from asn1crypto import cms, x509
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils import misc as pdf_misc
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffPolicy, ModificationLevel
from pyhanko.sign.validation import generic_cms
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator import errors as cv_errors

from vbsign._core.errors import PasswordRequired, UnsupportedFormatError
from vbsign._core.errors import short_reason as _short
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import format_vn_time, utcnow
from vbsign._core.x509 import prepare_names, prepare_signed_data
from vbsign.formats.pades.appearance_facts import add_appearance_facts
from vbsign.formats.pades.diffpolicy import vbsign_policy
from vbsign.formats.pades.forensics import Forensics, slot_for
from vbsign.formats.pades.forensics import analyse as analyse_forensics
from vbsign.formats.pades.limits import Limits, budgeted_diff_policy, check_deadline
from vbsign.formats.pades.reader import open_reader
from vbsign.formats.pades.structure import prepare_reader
from vbsign.formats.pades.visual import VisualOptions
from vbsign.formats.proofs import judge_proof_chain, proof_of
from vbsign.formats.verdict import (
    CERT_USAGE,
    NO_TRUSTED_CHAIN,
    REVOCATION_UNAVAILABLE,
    Blocking,
    TrustProblem,
    VerdictFacts,
    decide,
    trust_problem,
)
from vbsign.model.report import (
    CertificateInfo,
    DocumentInfo,
    DssInfo,
    Finding,
    Indication,
    IntegrityInfo,
    ModificationInfo,
    Report,
    Severity,
    SignatureReport,
    SubIndication,
    TimestampInfo,
    note_malformed_fields,
    worst_indication,
)
from vbsign.pki.revinfo import chain_revocation, fetched_revinfo, issuer_candidates, revocation_info
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import OFFLINE, Services, build_context, status_now_without_poe

logger = logging.getLogger(__name__)

SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})


@dataclass(frozen=True)
class VerifyOptions:
    """How to verify.

    ``at="signing"`` (default) validates certificates at the signing time proven by a
    trusted timestamp (or, without one, at the signer's claimed time, flagged as unproven);
    ``at="now"`` validates them at ``now``. ``now`` defaults to the current time and exists
    so that long-term validation can be tested at simulated future times.
    """

    trust: TrustStore
    at: str = "signing"
    now: datetime | None = None
    services: Services = OFFLINE
    #: what may change after signing; ``None``: pyHanko's default policy with vbsign's rules
    #: (:func:`~vbsign.formats.pades.diffpolicy.vbsign_policy`). A value, not an identity: the
    #: options travel to an isolated worker by pickling
    diff_policy: DiffPolicy | None = None
    #: accept annotations (comments) added after signing when they do not cover content
    allow_comments: bool = False
    #: time and memory budget (see :mod:`vbsign.formats.pades.limits`); ``None``: the defaults
    limits: Limits | None = None
    #: the optional visual comparison with poppler (see :mod:`vbsign.formats.pades.visual`)
    visual: VisualOptions = VisualOptions()
    #: user password of an encrypted PDF (an owner-password-only file needs none)
    password: bytes | None = field(default=None, repr=False)


@dataclass
class _DocEvidence:
    """Per-document evidence shared by all signatures."""

    reader: PdfFileReader
    dss_certs: list[x509.Certificate] = field(default_factory=list)
    dss_ocsps: list[asn1_ocsp.OCSPResponse] = field(default_factory=list)
    dss_crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    #: (revision, gen_time, valid) of every document timestamp
    doc_timestamps: list[tuple[int, datetime, bool]] = field(default_factory=list)


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


async def verify_pdf(data: bytes, name: str, options: VerifyOptions) -> Report:
    """Verify every signature of a PDF document and return the report."""
    if not is_pdf(data):
        raise UnsupportedFormatError(
            Msg("Tệp {n} không phải là PDF.", "File {n} is not a PDF.").format(n=name)
        )
    now = options.now or utcnow()
    doc = DocumentInfo(
        name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), format="pdf"
    )
    report = Report(
        document=doc,
        indication=Indication.NO_SIGNATURE_FOUND,
        validation_time_mode="now" if options.at == "now" else "signing",
        validation_time=now,
        online=options.services.online,
        trust_anchors=options.trust.fingerprints(),
    )
    try:
        reader, options, forensics = _open_document(data, name, options, doc)
    except PasswordRequired:
        raise
    except Exception as e:  # any parse failure of a file that claims to be a PDF
        report.indication = Indication.TOTAL_FAILED
        report.sub_indication = SubIndication.FORMAT_FAILURE
        report.add(
            "PDF_UNREADABLE",
            Severity.ERROR,
            Msg("Không đọc được cấu trúc PDF: {e}", "The PDF structure cannot be read: {e}").format(
                e=_short(e)
            ),
        )
        return report

    doc.revision_details = forensics.revision_details()
    report.findings.extend(i.to_finding() for i in forensics.document_issues())
    ev = _DocEvidence(reader)
    _read_dss(reader, ev, report)
    await _verify_embedded_signatures(report, forensics, ev, options, now)
    add_appearance_facts(data, reader, report)  # what the widgets show (Decree 30 rules)
    if options.at != "now":
        _judge_proof_chains(report.signatures, now)
    _document_verdict(report, forensics)
    return report


def _open_document(
    data: bytes, name: str, options: VerifyOptions, doc: DocumentInfo
) -> tuple[PdfFileReader, VerifyOptions, Forensics]:
    """Read the PDF (decrypting it if needed), settle the difference policy and run the
    structural forensics over every filled signature field. Returns the reader, the
    options as settled and the forensics; raises on a file that cannot be read."""
    reader = open_reader(io.BytesIO(data))
    prepare_reader(reader)  # where pyHanko is stricter than ISO 32000 (see structure.py)
    if reader.encrypted:
        _decrypt(reader, options.password, name)
    # comments are allowed when asked, and wherever a certification signature permits
    # them (DocMDP P=3, ISO 32000-2 §12.8.2.2.2); the visual check still refuses any
    # comment that covers signed content (evil annotation)
    if not options.allow_comments and _annotations_permitted(reader):
        options = replace(options, allow_comments=True)
    # vbsign's DSS/comment rules and the time budget are part of pyHanko's diff policy
    policy = vbsign_policy(options.diff_policy or DEFAULT_DIFF_POLICY, allow_comments=options.allow_comments)
    options = replace(options, diff_policy=budgeted_diff_policy(policy))
    doc.revisions = reader.xrefs.total_revisions
    try:
        doc.pages = int(reader.root["/Pages"]["/Count"])
    except Exception:
        doc.pages = None
    # every filled signature field, also those pyHanko cannot load (forgeries), with
    # the structural checks of revisions, /ByteRange and /Contents
    forensics = analyse_forensics(data, reader, allow_comments=options.allow_comments, visual_options=options.visual)
    return reader, options, forensics


async def _verify_embedded_signatures(
    report: Report, forensics: Forensics, ev: _DocEvidence, options: VerifyOptions, now: datetime
) -> None:
    """Verify every signature field into ``report.signatures``: document timestamps
    first (they prove the existence of earlier signatures), then the signatures, then the
    fields pyHanko cannot load; ordered by revision."""
    embedded = [s.embedded for s in forensics.slots if s.embedded is not None]
    for i, emb in enumerate(embedded, start=1):
        if _sig_type(emb) == "/DocTimeStamp":
            check_deadline()
            ts = await _verify_doc_timestamp(emb, f"T{i}", ev, options, now)
            await forensics.judge(ts, slot_for(forensics, emb))
            report.signatures.append(ts)
    n = 0
    for emb in embedded:
        if _sig_type(emb) == "/DocTimeStamp":
            continue
        n += 1
        check_deadline()
        try:
            sig = await _verify_signature(emb, f"S{n}", ev, options, now)
        except Exception as e:  # never crash on hostile input: report it
            logger.debug("signature %s could not be processed", n, exc_info=True)
            sig = _unprocessable_signature(emb, f"S{n}", e)
        await forensics.judge(sig, slot_for(forensics, emb))
        report.signatures.append(sig)
    # signatures pyHanko cannot load are reported with the structural reason, never skipped
    for slot in forensics.slots:
        if slot.embedded is None:
            is_ts = slot.sig_type == "/DocTimeStamp"
            n += 0 if is_ts else 1
            report.signatures.append(forensics.unloadable(slot, f"T{len(report.signatures) + 1}" if is_ts else f"S{n}"))
    # order: by revision, signatures before the timestamps that cover them
    report.signatures.sort(key=lambda s: (s.revision if s.revision is not None else 1 << 30, s.kind != "signature"))


def _judge_proof_chains(reports: list[SignatureReport], now: datetime) -> None:
    """Past signature validation (:mod:`vbsign.formats.proofs`): each signature and document
    timestamp is proven by its own timestamp and the document timestamps of later revisions;
    the chain must have been renewed in time and its newest link must still hold ``now``."""
    doc_proofs = [
        (r.revision, proof_of(r.timestamp))
        for r in reports
        if r.kind == "document-timestamp" and r.timestamp is not None and r.revision is not None
    ]
    for rep in reports:
        own = proof_of(rep.timestamp) if rep.timestamp is not None else None
        rev = rep.revision if rep.revision is not None else 1 << 30
        later = [p for (r, p) in doc_proofs if p is not None and r > rev]
        proofs = ([own] if own is not None else []) + later
        if rep.kind == "signature" and own is None and rep.signing_time_source != "timestamp":
            continue  # no proven signing time to keep (B-B): judged as it is
        judge_proof_chain(rep, proofs, now)


def _unprocessable_signature(emb: EmbeddedPdfSignature, sid: str, e: Exception) -> SignatureReport:
    sig = SignatureReport(
        id=sid,
        kind="signature",
        indication=Indication.TOTAL_FAILED,
        sub_indication=SubIndication.FORMAT_FAILURE,
        field_name=_safe_field_name(emb),
    )
    sig.add(
        "SIGNATURE_UNPROCESSABLE",
        Severity.ERROR,
        Msg("Không xử lý được chữ ký: {e}", "The signature cannot be processed: {e}").format(
            e=_short(e)
        ),
    )
    return sig


def _document_verdict(report: Report, forensics: Forensics) -> None:
    """The document's indication: the worst of its signatures' (with the first such
    signature's sub-indication); a document without signatures names none, and one whose
    signature an update removed has failed."""
    sigs = [s for s in report.signatures if s.kind == "signature"]
    if not sigs:
        report.indication = Indication.NO_SIGNATURE_FOUND
        report.add(
            "NO_SIGNATURE",
            Severity.ERROR,
            Msg("Tài liệu không có chữ ký số.", "The document carries no digital signature."),
        )
        if forensics.signatures_removed():  # it was signed: an update hid the signature
            report.indication, report.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        return
    report.indication = worst_indication([s.indication for s in report.signatures])
    worst = [s for s in report.signatures if s.indication == report.indication]
    report.sub_indication = worst[0].sub_indication if worst else None


def _annotations_permitted(reader: PdfFileReader) -> bool:
    """Does the document's strictest DocMDP permission, as *signed* in the signature
    dictionaries (certification /Reference or a field /Lock), allow annotations (P=3)?"""
    try:
        levels = [emb.docmdp_level for emb in reader.embedded_signatures]
    except Exception:
        return False
    known = [lv.value for lv in levels if lv is not None]
    return bool(known) and min(known) == 3


def _sig_type(emb: EmbeddedPdfSignature) -> str:
    try:
        # a /ETSI.RFC3161 SubFilter is a document timestamp even without /Type /DocTimeStamp
        if str(emb.sig_object.get("/SubFilter")) == "/ETSI.RFC3161":
            return "/DocTimeStamp"
        return str(emb.sig_object_type)
    except Exception:
        return "/Sig"


def _safe_field_name(emb: Any) -> str | None:
    try:
        return str(emb.field_name)
    except Exception:
        return None


def _decrypt(reader: PdfFileReader, password: bytes | None, name: str) -> None:
    """Open an encrypted PDF: the empty user password first (owner-password-only files
    open for everyone), then the caller's password. Without access: :class:`PasswordRequired`.

    Public-key (certificate) encryption is out of scope: reported as unreadable."""
    from pyhanko.pdf_utils.crypt import AuthStatus, StandardSecurityHandler

    if not isinstance(reader.security_handler, StandardSecurityHandler):
        raise ValueError("the PDF is encrypted with a security handler other than the standard one (password)")
    for candidate in (b"", password):
        if candidate is None:
            continue
        try:
            if reader.decrypt(candidate).status != AuthStatus.FAILED:
                return
        except Exception:  # a malformed encryption dictionary: try the next, then refuse
            continue
    if password is None:
        raise PasswordRequired(
            Msg(
                "Tệp {n} được mã hoá, cần mật khẩu để mở (dùng --password-env BIẾN, hoặc tham số password=).",
                "{n} is encrypted, password needed (use --password-env VAR, or the password= argument).",
            ).format(n=name),
            details={"document": name},
        )
    raise PasswordRequired(
        Msg("Mật khẩu không mở được tệp {n}.", "The password does not open {n}.").format(n=name),
        details={"document": name, "wrong_password": True},
    )


def _read_dss(reader: PdfFileReader, ev: _DocEvidence, report: Report) -> None:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except (pdf_misc.PdfReadError, NoDSSFoundError):
        return  # no DSS
    except Exception as e:
        report.add(
            "DSS_UNREADABLE",
            Severity.WARNING,
            Msg("Không đọc được kho dữ liệu kiểm tra (DSS): {e}", "The DSS cannot be read: {e}").format(e=_short(e)),
        )
        return
    try:
        ev.dss_certs = list(dss.load_certs())
        prepare_names(ev.dss_certs)
        for ref in dss.ocsps:
            ev.dss_ocsps.append(asn1_ocsp.OCSPResponse.load(ref.get_object().data))
        for ref in dss.crls:
            ev.dss_crls.append(asn1_crl.CertificateList.load(ref.get_object().data))
        report.document.dss = DssInfo(
            len(ev.dss_certs), len(ev.dss_ocsps), len(ev.dss_crls), len(getattr(dss, "vri_entries", None) or {})
        )
    except Exception as e:
        report.add(
            "DSS_UNREADABLE",
            Severity.WARNING,
            Msg("Dữ liệu trong DSS bị hỏng: {e}", "DSS content is damaged: {e}").format(e=_short(e)),
        )


def _cms_revinfo(signer_info: cms.SignerInfo) -> tuple[list[Any], list[Any]]:
    """Revocation data in the Adobe revocation-info-archival signed attribute."""
    ocsps: list[Any] = []
    crls: list[Any] = []
    try:
        for attr in signer_info["signed_attrs"]:
            if attr["type"].native == "adobe_revocation_info_archival":
                for val in attr["values"]:
                    ocsps += list(val["ocsp"] or [])
                    crls += list(val["crl"] or [])
    except Exception:  # pragma: no cover - malformed attribute
        pass
    return ocsps, crls


def _tst_gen_time(tst_sd: cms.SignedData) -> datetime:
    gen: datetime = tst_sd["encap_content_info"]["content"].parsed["gen_time"].native
    return gen


def _mode_moment(options: VerifyOptions, signing_time: datetime, now: datetime) -> datetime:
    return now if options.at == "now" else signing_time


async def _validate_tst(
    tst_sd: cms.SignedData,
    imprint_checker: Any,
    trust: TrustStore,
    options: VerifyOptions,
    now: datetime,
    other_certs: list[x509.Certificate],
    ocsps: list[Any],
    crls: list[Any],
) -> tuple[Any, datetime]:
    from pyhanko.sign.validation.status import TimestampSignatureStatus

    gen = _tst_gen_time(tst_sd)
    st: Any = None
    # offline first (embedded data only); fetch only if that is not enough
    for services in _offline_first(options.services):
        vc = build_context(
            trust,
            moment=_mode_moment(options, gen, now),
            other_certs=other_certs,
            ocsps=ocsps,
            crls=crls,
            services=services,
            retroactive_revinfo=options.at != "now",
        )
        try:
            st = TimestampSignatureStatus(**await generic_cms.validate_tst_signed_data(tst_sd, vc, imprint_checker))
        finally:
            await vc.aclose()
        if st.trusted or not (st.intact and st.valid):
            break
    return st, gen


def _offline_first(services: Services, has_embedded: bool = True) -> list[Services]:
    """Try embedded revocation data alone first; use the network (or injected source) only
    when that is not enough — faster, private, and immune to unreachable responders.
    Without any embedded revocation data the offline attempt cannot succeed: skip it."""
    if not services.can_fetch:
        return [OFFLINE]
    return [OFFLINE, services] if has_embedded else [services]


def _timestamp_info(kind: str, st: Any, gen: datetime) -> TimestampInfo:
    tsa = None
    try:
        tsa = CertificateInfo.from_asn1(st.signing_cert)
    except Exception:
        pass
    return TimestampInfo(
        kind=kind,  # type: ignore[arg-type]
        time=gen,
        intact=bool(st.intact),
        valid=bool(st.valid),
        trusted=bool(st.trusted),
        tsa=tsa,
        hash_algorithm=st.md_algorithm,
        chain=_path_infos(getattr(st, "validation_path", None)),
    )


async def _verify_doc_timestamp(
    emb: EmbeddedPdfSignature, sid: str, ev: _DocEvidence, options: VerifyOptions, now: datetime
) -> SignatureReport:
    rep = SignatureReport(
        id=sid, kind="document-timestamp", indication=Indication.INDETERMINATE, sub_indication=None
    )
    try:
        rep.field_name = _safe_field_name(emb)
        rep.revision = emb.signed_revision
        emb.compute_integrity_info(diff_policy=options.diff_policy)
        other = ev.dss_certs + list(emb.other_embedded_certs)
        st, gen = await _validate_tst(
            emb.signed_data,
            emb.compute_digest,
            options.trust,
            options,
            now,
            other,
            ev.dss_ocsps,
            ev.dss_crls,
        )
        rep.timestamp = _timestamp_info("document", st, gen)
        rep.signing_time = gen
        rep.signing_time_source = "timestamp"
        rep.signer = rep.timestamp.tsa
        rep.integrity = IntegrityInfo(
            intact=bool(st.intact),
            signature_valid=bool(st.valid),
            digest_algorithm=st.md_algorithm,
            signature_algorithm=st.pkcs7_signature_mechanism,
            coverage=emb.coverage.name if emb.coverage is not None else None,
            byte_range=_byte_range(emb),
        )
        level = _mod_level(emb.diff_result)
        rep.modification = ModificationInfo(level=level, docmdp_ok=None)
        ok = st.intact and st.valid and st.trusted
        ev.doc_timestamps.append((emb.signed_revision, gen, bool(ok)))
        if not (st.intact and st.valid):
            rep.indication, rep.sub_indication = Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE if not st.intact else SubIndication.SIG_CRYPTO_FAILURE
            rep.add(  # every verdict names its reason
                "HASH_MISMATCH" if not st.intact else "SIGNATURE_VALUE_INVALID",
                Severity.ERROR,
                Msg(
                    "Dấu thời gian tài liệu không khớp với nội dung hoặc chữ ký của nó sai.",
                    "The document timestamp does not match the content, or its signature is wrong.",
                ),
            )
        elif not st.trusted:
            rep.sub_indication = _trust_subindication(st)
            rep.add(
                "TIMESTAMP_UNTRUSTED",
                Severity.WARNING,
                Msg("Dấu thời gian tài liệu không được tin cậy.", "The document timestamp is not trusted."),
            )
        elif level == "OTHER":
            rep.indication, rep.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
            rep.findings.append(_modified_finding(emb))
        else:
            rep.indication = Indication.TOTAL_PASSED
    except Exception as e:
        rep.indication, rep.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        rep.add(
            "TIMESTAMP_UNPROCESSABLE",
            Severity.ERROR,
            Msg("Không xử lý được dấu thời gian tài liệu: {e}", "The document timestamp cannot be processed: {e}").format(
                e=_short(e)
            ),
        )
    return rep


def _byte_range(emb: EmbeddedPdfSignature) -> list[int]:
    try:
        return [int(x) for x in emb.byte_range]
    except Exception:
        return []


def _mod_level(diff_result: Any) -> str | None:
    from pyhanko.sign.diff_analysis import DiffResult

    if diff_result is None:
        return None
    if isinstance(diff_result, DiffResult):
        return str(diff_result.modification_level.name)
    return ModificationLevel.OTHER.name


def _modified_finding(emb: EmbeddedPdfSignature) -> Finding:
    detail = ""
    dr = emb.diff_result
    if dr is not None and not hasattr(dr, "modification_level"):
        detail = _short(dr)  # SuspiciousModification
    return Finding.of(
        "MODIFIED_AFTER_SIGNING",
        Severity.ERROR,
        Msg(
            "Tài liệu bị thay đổi sau khi ký theo cách không được phép{d}.",
            "The document was changed after signing in a way that is not allowed{d}.",
        ).format(d=f": {detail}" if detail else ""),
        {"detail": detail},
    )


def _trust_subindication(st: Any) -> SubIndication:
    indic = st.trust_problem_indic
    if indic is None:
        return SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    try:
        return SubIndication(indic.name)
    except ValueError:
        return SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE


def _pades_b_b(emb: EmbeddedPdfSignature) -> bool:
    subfilter = str(emb.sig_object.get("/SubFilter", ""))
    if subfilter != "/ETSI.CAdES.detached":
        return False
    try:
        names = {a["type"].native for a in emb.signer_info["signed_attrs"]}
    except Exception:
        return False
    return bool(names & {"signing_certificate_v2", "signing_certificate"})


@dataclass
class _SignerMaterial:
    """What the document carries to validate one signature with: the DSS and the
    signature's own certificates and revocation data (the Adobe archival attribute)."""

    other_certs: list[x509.Certificate]
    ocsps: list[Any]
    crls: list[Any]

    @classmethod
    def gather(cls, emb: EmbeddedPdfSignature, ev: _DocEvidence) -> _SignerMaterial:
        cms_ocsps, cms_crls = _cms_revinfo(emb.signer_info)
        return cls(
            other_certs=ev.dss_certs + list(emb.other_embedded_certs),
            ocsps=ev.dss_ocsps + cms_ocsps,
            crls=ev.dss_crls + cms_crls,
        )


async def _verify_signature(
    emb: EmbeddedPdfSignature, sid: str, ev: _DocEvidence, options: VerifyOptions, now: datetime
) -> SignatureReport:
    """Gather the evidence of one signature (steps 1-5 of the module docstring) and judge
    it (step 6, :func:`_decide`)."""
    rep = _signature_report(emb, sid, now)
    prepare_signed_data(emb.signed_data)  # before pyHanko matches the signer's certificate
    if not _identify_signer(emb, rep):
        return rep
    # 1-2. integrity, coverage, modifications
    signer_cert = _record_integrity_and_changes(emb, rep, ev, options)
    # 3. signature timestamp
    material = _SignerMaterial.gather(emb, ev)
    ts_ok = await _check_signature_timestamp(emb, rep, material, options, now)
    # 4. signing time
    signing_time, proven = _establish_signing_time(emb, rep, ev, ts_ok, options, now)
    moment = _mode_moment(options, signing_time, now)
    rep.validation_time = moment
    # 5. certificate path and revocation at the validation time
    legacy_sha1 = _pdf_str(emb.sig_object.get("/SubFilter")) == "/adbe.pkcs7.sha1"
    validated = await _validate_signer_path(emb, rep, material, options, moment, legacy_sha1)
    if validated is None:
        return rep
    status, vc = validated
    path = _record_signature_value_and_chain(emb, rep, status, legacy_sha1)
    now_error = await _record_revocation_evidence(emb, rep, signer_cert, material, vc, path, proven, options, now)
    has_lt = rep.revocation is not None and rep.revocation.source in ("embedded", "embedded+online")
    rep.level = _level(emb, rep, ev, ts_ok, has_lt)
    # 6. verdict
    try:
        await _decide(rep, emb, status, vc, signer_cert, signing_time, proven, options, now_error)
    finally:
        await vc.aclose()
    note_malformed_fields(rep)
    return rep


def _signature_report(emb: EmbeddedPdfSignature, sid: str, now: datetime) -> SignatureReport:
    """A report for one signature with what its signature dictionary says (unsigned claims)."""
    rep = SignatureReport(id=sid, kind="signature", indication=Indication.INDETERMINATE, sub_indication=None)
    rep.field_name = _safe_field_name(emb)
    rep.revision = emb.signed_revision
    so = emb.sig_object
    rep.reason = _pdf_str(so.get("/Reason"))
    rep.location = _pdf_str(so.get("/Location"))
    rep.contact_info = _pdf_str(so.get("/ContactInfo"))
    rep.signer_name = _pdf_str(so.get("/Name"))
    rep.validation_time = now
    return rep


def _record_integrity_and_changes(
    emb: EmbeddedPdfSignature, rep: SignatureReport, ev: _DocEvidence, options: VerifyOptions
) -> x509.Certificate:
    """Steps 1-2: pyHanko's integrity and difference analysis; returns the signer's
    certificate (its names prepared for path building)."""
    emb.compute_integrity_info(diff_policy=options.diff_policy)
    integrity = emb.summarise_integrity_info()
    signer_cert: x509.Certificate = emb.signer_cert
    prepare_names([signer_cert, *emb.other_embedded_certs])  # the instances path building compares
    rep.signer = CertificateInfo.from_asn1(signer_cert)
    docmdp = emb.docmdp_level
    rep.modification = ModificationInfo(
        level=_mod_level(emb.diff_result),
        docmdp_ok=integrity.get("docmdp_ok"),
        certified=docmdp is not None,
        docmdp_permission=int(docmdp.value) if docmdp is not None else None,
        revisions_after=max(0, ev.reader.xrefs.total_revisions - 1 - emb.signed_revision),
    )
    return signer_cert


async def _check_signature_timestamp(
    emb: EmbeddedPdfSignature,
    rep: SignatureReport,
    material: _SignerMaterial,
    options: VerifyOptions,
    now: datetime,
) -> bool:
    """Step 3: validate the signature timestamps (the first good one wins) and record the
    last one examined; True when one is intact, valid and trusted."""
    ts_ok = False
    for tst_sd in generic_cms.extract_tst_data_iter(emb.signer_info, signed=False):
        try:
            tst_certs = [c.chosen for c in tst_sd["certificates"] if c.name == "certificate"] if tst_sd["certificates"].native else []
            st, gen = await _validate_tst(
                tst_sd,
                generic_cms.message_imprint_checker(emb.signer_info),
                options.trust,
                options,
                now,
                material.other_certs + tst_certs,
                material.ocsps,
                material.crls,
            )
        except Exception as e:  # a broken timestamp leaves the signature itself to be judged
            logger.debug("signature timestamp unprocessable", exc_info=True)
            rep.add(
                "TIMESTAMP_INVALID",
                Severity.WARNING,
                Msg(
                    "Không kiểm tra được dấu thời gian của chữ ký ({e}); thời điểm ký không được chứng minh.",
                    "The signature timestamp cannot be checked ({e}); the signing time is not proven.",
                ).format(e=_short(e) or type(e).__name__),
            )
            continue
        rep.timestamp = _timestamp_info("signature", st, gen)
        if st.intact and st.valid and st.trusted:
            ts_ok = True
            break
    if rep.timestamp is not None and not ts_ok:
        t = rep.timestamp
        rep.add(
            "TIMESTAMP_INVALID" if not (t.intact and t.valid) else "TIMESTAMP_UNTRUSTED",
            Severity.WARNING,
            Msg(
                "Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy; thời điểm ký không được chứng minh.",
                "The signature timestamp is invalid or untrusted; the signing time is not proven.",
            ),
        )
    return ts_ok


def _establish_signing_time(
    emb: EmbeddedPdfSignature,
    rep: SignatureReport,
    ev: _DocEvidence,
    ts_ok: bool,
    options: VerifyOptions,
    now: datetime,
) -> tuple[datetime, bool]:
    """Step 4: the signing time and whether it is proven — by the signature timestamp, else
    by a valid document timestamp of a later revision, else only the signer's claim."""
    claimed = emb.self_reported_timestamp
    rep.claimed_signing_time = claimed
    proven = False
    if ts_ok and rep.timestamp is not None:
        signing_time, rep.signing_time_source, proven = rep.timestamp.time, "timestamp", True
    else:
        later = [t for (rev, t, ok) in ev.doc_timestamps if ok and rev > emb.signed_revision]
        if later:
            signing_time, rep.signing_time_source, proven = min(later), "timestamp", True
            rep.add(
                "SIGNING_TIME_FROM_DOCUMENT_TIMESTAMP",
                Severity.INFO,
                Msg(
                    "Thời điểm ký được chứng minh bởi dấu thời gian tài liệu sau chữ ký (ký trước {t}).",
                    "The signing time is proven by a later document timestamp (signed before {t}).",
                ).format(t=format_vn_time(min(later))),
            )
        elif claimed is not None:
            signing_time, rep.signing_time_source = claimed, "claimed"
        else:
            signing_time, rep.signing_time_source = now, "none"
    rep.signing_time = signing_time
    if not proven and options.at != "now":
        rep.add(
            "SIGNING_TIME_UNPROVEN",
            Severity.WARNING,
            Msg(
                "Không có dấu thời gian hợp lệ: thời điểm ký chỉ do người ký khai báo.",
                "No valid timestamp: the signing time is only claimed by the signer.",
            ),
        )
    return signing_time, proven


async def _validate_signer_path(
    emb: EmbeddedPdfSignature,
    rep: SignatureReport,
    material: _SignerMaterial,
    options: VerifyOptions,
    moment: datetime,
    legacy_sha1: bool,
) -> tuple[dict[str, Any], Any] | None:
    """Step 5: pyHanko's CMS validation at ``moment``, embedded revocation data alone
    first. Returns pyHanko's status and the (still open) validation context, or ``None``
    when the CMS cannot be validated at all (the verdict is then set on ``rep``)."""
    status: dict[str, Any] = {}
    signed_data = emb.signed_data if legacy_sha1 else _without_empty_econtent(emb, rep)
    # adbe.pkcs7.sha1: the SignedData encapsulates the SHA-1 digest of the byte range and
    # signs *that*; pyHanko verifies the signature over the encapsulated digest, vbsign
    # checks that the digest is the document's
    raw_digest = None if legacy_sha1 else emb.compute_digest()
    try:
        for services in _offline_first(options.services, bool(material.ocsps or material.crls)):
            vc = build_context(
                options.trust,
                moment=moment,
                other_certs=material.other_certs,
                ocsps=material.ocsps,
                crls=material.crls,
                services=services,
                retroactive_revinfo=options.at != "now",
            )
            status = await generic_cms.cms_basic_validation(
                signed_data,
                raw_digest=raw_digest,
                validation_context=vc,
                status_kwargs={},
                key_usage_settings=SIGNER_KEY_USAGE,
            )
            if status.get("trust_problem_indic") is None or not (status.get("intact") and status.get("valid")):
                break
            if services is not options.services:
                await vc.aclose()
    except SignatureValidationError as e:
        await vc.aclose()
        _cms_unverifiable(emb, rep, e)
        return None
    return status, vc


def _cms_unverifiable(emb: EmbeddedPdfSignature, rep: SignatureReport, e: SignatureValidationError) -> None:
    """The verdict when pyHanko could not validate the CMS at all: nothing was computed,
    so neither "altered" nor "wrong value" may be claimed."""
    rep.integrity = IntegrityInfo(
        False, False, emb.md_algorithm, None, _cov(emb), _byte_range(emb), checked=False, signature_checked=False
    )
    if getattr(getattr(e, "ades_subindication", None), "name", None) == "NO_SIGNING_CERTIFICATE_FOUND":
        rep.indication, rep.sub_indication = Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND
        rep.add(
            "SIGNER_CERT_NOT_FOUND",
            Severity.ERROR,
            Msg(
                "Không xác định được chứng thư của người ký trong chữ ký: {e}",
                "The signer's certificate cannot be identified in the signature: {e}",
            ).format(e=_short(e)),
        )
        return
    rep.indication, rep.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
    rep.add(
        "CMS_STRUCTURE",
        Severity.ERROR,
        Msg("Cấu trúc CMS của chữ ký không hợp lệ: {e}", "Invalid CMS structure in the signature: {e}").format(
            e=_short(e)
        ),
    )


def _record_signature_value_and_chain(
    emb: EmbeddedPdfSignature, rep: SignatureReport, status: dict[str, Any], legacy_sha1: bool
) -> Any:
    """Record integrity, signature value and the validation path pyHanko found (returned,
    ``None`` without one); ``rep.trusted`` when all three hold."""
    intact = bool(status.get("intact"))
    valid = bool(status.get("valid"))
    if legacy_sha1:
        intact = intact and _legacy_sha1_matches(emb, rep)
    rep.integrity = IntegrityInfo(
        intact=intact,
        signature_valid=valid,
        digest_algorithm=status.get("md_algorithm"),
        signature_algorithm=status.get("pkcs7_signature_mechanism"),
        coverage=_cov(emb),
        byte_range=_byte_range(emb),
    )
    path = status.get("validation_path")
    if path is not None:
        try:
            rep.chain = [CertificateInfo.from_asn1(c) for c in path.iter_certs(include_root=True)][::-1]
        except Exception:
            pass
    rep.trusted = bool(intact and valid and status.get("trust_problem_indic") is None and path is not None)
    return path


async def _record_revocation_evidence(
    emb: EmbeddedPdfSignature,
    rep: SignatureReport,
    signer_cert: x509.Certificate,
    material: _SignerMaterial,
    vc: Any,
    path: Any,
    proven: bool,
    options: VerifyOptions,
    now: datetime,
) -> BaseException | None:
    """Record the revocation evidence of the signer's certificate and its chain (embedded
    and fetched) and the policy evidence. Returns the error of the status check *now*,
    which an unproven signing time requires (``None`` when it passed or was not needed)."""
    other, ocsps, crls = material.other_certs, material.ocsps, material.crls
    # an unproven (claimed) signing time cannot make old revocation data stand in for the
    # current status: the certificate must also be unrevoked now, with fresh data
    now_error: BaseException | None = None
    now_ocsps: list[Any] = []
    now_crls: list[Any] = []
    if rep.trusted and not proven and options.at != "now":
        # data fetched just now by the validation above is current: offer it first
        cur_ocsps, cur_crls = fetched_revinfo(vc)
        now_error, now_ocsps, now_crls = await status_now_without_poe(
            signer_cert, options.trust, now=now, other_certs=other, ocsps=[*ocsps, *cur_ocsps],
            crls=[*crls, *cur_crls], services=options.services,
        )
    fetched_ocsps, fetched_crls = fetched_revinfo(vc)
    fetched_ocsps, fetched_crls = [*fetched_ocsps, *now_ocsps], [*fetched_crls, *now_crls]
    # only revocation data the certificate's issuer vouches for counts (the DSS is unsigned)
    issuers = issuer_candidates(options.trust, other, path)
    embedded, fetched = (ocsps, crls), (fetched_ocsps, fetched_crls)
    rep.revocation = revocation_info(signer_cert, embedded, fetched, issuers=issuers)
    _policy_evidence(emb, rep)
    if path is not None:
        rep.chain_revocation.extend(chain_revocation(path, embedded, fetched, issuers=issuers))
    return now_error


def _identify_signer(emb: EmbeddedPdfSignature, rep: SignatureReport) -> bool:
    """Find the signer's certificate; False (with the verdict set) if it is not there.

    Some writers name the certificate in the SignerInfo with an issuer encoded differently
    from the certificate itself — node-forge (node-signpdf) encodes a UTF-8 issuer name
    twice, so every Vietnamese CA name with diacritics mismatches. The SignerInfo's issuer
    is not signed; when exactly one embedded certificate has the serial number and its key
    verifies the signature, it *is* the signer's certificate: the SignerInfo is pointed at
    it, with a warning naming the quirk."""
    try:
        emb.signer_cert  # noqa: B018 - pyHanko's identification (issuer and serial)
        return True
    except (SignatureValidationError, ValueError, KeyError) as e:
        error: Exception = e
    si = emb.signer_info
    try:
        serial = si["sid"].chosen["serial_number"].native if si["sid"].name == "issuer_and_serial_number" else None
        certs = [c.chosen for c in emb.signed_data["certificates"] if c.name == "certificate"]
        same_serial = [c for c in certs if serial is not None and c.serial_number == serial]
        content_type = emb.signed_data["encap_content_info"]["content_type"].native
        verified = [
            c for c in same_serial if generic_cms.validate_sig_integrity(si, c, content_type, emb.compute_digest())[1]
        ]
    except Exception:
        verified = []
    if len(verified) == 1:
        cert = verified[0]
        si["sid"] = cms.SignerIdentifier(
            name="issuer_and_serial_number",
            value=cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number}),
        )
        emb._sd_cert_info = None  # pyHanko's cached lookup: identify again
        rep.add(
            "SIGNER_ID_MISMATCH",
            Severity.WARNING,
            Msg(
                "Phần định danh người ký (SignerInfo) ghi tên tổ chức cấp chứng thư theo cách mã hoá khác với chứng thư "
                "(ví dụ mã hoá UTF-8 hai lần như node-forge); chứng thư được xác định theo số hiệu {n} và khóa của nó "
                "kiểm tra đúng chữ ký.",
                "The SignerInfo names the certificate's issuer in an encoding different from the certificate's "
                "(e.g. UTF-8 encoded twice, as node-forge writes it); the certificate was identified by its serial "
                "number {n} and its key verifies the signature.",
            ).format(n=format(cert.serial_number, "X")),
        )
        return True
    rep.integrity = IntegrityInfo(False, False, emb.md_algorithm, None, None, _byte_range(emb), checked=False, signature_checked=False)
    rep.indication, rep.sub_indication = Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND
    rep.add(
        "SIGNER_CERT_NOT_FOUND",
        Severity.ERROR,
        Msg(
            "Không tìm thấy chứng thư của người ký trong chữ ký ({e}); chưa thể nói chữ ký đúng hay sai.",
            "The signer's certificate is not in the signature ({e}); it cannot be told right or wrong.",
        ).format(e=_short(error)),
    )
    return False


def _legacy_sha1_matches(emb: EmbeddedPdfSignature, rep: SignatureReport) -> bool:
    """adbe.pkcs7.sha1 (ISO 32000-1 §12.8.3.3, deprecated by ISO 32000-2): is the
    encapsulated content the SHA-1 digest of the signed byte range? Reported as a
    non-baseline signature; SHA-1 is then judged like any weak algorithm (the policy)."""
    rep.add(
        "LEGACY_SUBFILTER",
        Severity.WARNING,
        Msg(
            "Chữ ký kiểu cũ adbe.pkcs7.sha1 (không thuộc PAdES baseline, ISO 32000-2 đã bãi bỏ; dùng SHA-1): "
            "đã kiểm tra giá trị băm SHA-1 của vùng ký; việc chấp nhận do chính sách kiểm tra quyết định.",
            "Legacy adbe.pkcs7.sha1 signature (not PAdES baseline, deprecated by ISO 32000-2; SHA-1): "
            "the SHA-1 digest of the signed byte range was checked; the validation policy decides whether it is acceptable.",
        ),
        subfilter="/adbe.pkcs7.sha1",
    )
    try:
        content = emb.signed_data["encap_content_info"]["content"].native
    except Exception:
        content = None
    h = hashlib.sha1()
    stream = emb.reader.stream
    for start, length in zip(*[iter(int(x) for x in emb.byte_range)] * 2, strict=False):
        stream.seek(start)
        h.update(stream.read(length))
    return isinstance(content, bytes) and content == h.digest()


def _without_empty_econtent(emb: EmbeddedPdfSignature, rep: SignatureReport) -> cms.SignedData:
    """A detached signature whose SignedData carries an *empty* encapsulated content
    (eContent present, zero bytes: seen in documents of a Vietnamese DMS vendor, accepted
    by Adobe and Foxit) is verified as the detached signature it is, with a warning that
    names the quirk. Non-empty encapsulated content stays a structural failure."""
    sd: cms.SignedData = emb.signed_data
    try:
        content = sd["encap_content_info"]["content"]
        empty = content.native is not None and len(content.native) == 0
    except Exception:
        return sd
    if not empty:
        return sd
    fixed = sd.copy()
    fixed["encap_content_info"] = {"content_type": sd["encap_content_info"]["content_type"].native}
    rep.add(
        "ENCAPSULATED_CONTENT_IN_DETACHED",
        Severity.WARNING,
        Msg(
            "CMS của chữ ký tách rời có nội dung đóng gói rỗng (không theo chuẩn); chữ ký được kiểm tra trên vùng đã ký.",
            "The detached signature's CMS carries an empty encapsulated content (non-conformant); "
            "the signature was verified over the signed byte range.",
        ),
    )
    return fixed


def _pdf_str(v: Any) -> str | None:
    if v is None:
        return None
    try:
        return str(v)
    except Exception:
        return None


def _cov(emb: EmbeddedPdfSignature) -> str | None:
    return emb.coverage.name if emb.coverage is not None else None


def _level(emb: EmbeddedPdfSignature, rep: SignatureReport, ev: _DocEvidence, ts_ok: bool, has_lt: bool) -> str | None:
    if not _pades_b_b(emb):
        rep.add(
            "NOT_PADES_BASELINE",
            Severity.INFO,
            Msg(
                "Chữ ký không theo PAdES baseline (SubFilter {s}).",
                "The signature is not a PAdES baseline signature (SubFilter {s}).",
            ).format(s=_pdf_str(emb.sig_object.get("/SubFilter")) or "?"),
        )
        return None
    later_ts = [ok for (rev, _t, ok) in ev.doc_timestamps if rev > emb.signed_revision]
    if not (ts_ok or any(later_ts)):
        return "B-B"
    if not has_lt:
        return "B-T"
    # B-LTA: a document timestamp over validation data (a DSS in the revision it covers); a
    # document timestamp made before the DSS only gave the signature its time (B-T)
    if any(ok and _covers_dss(ev.reader, rev) for (rev, _t, ok) in ev.doc_timestamps if rev > emb.signed_revision):
        return "B-LTA"
    return "B-LT"


def _covers_dss(reader: PdfFileReader, revision: int) -> bool:
    try:
        return "/DSS" in reader.get_historical_root(revision)
    except Exception:  # a damaged history proves nothing
        return False


async def _decide(
    rep: SignatureReport,
    emb: EmbeddedPdfSignature,
    status: dict[str, Any],
    vc: Any,
    cert: x509.Certificate,
    signing_time: datetime,
    proven: bool,
    options: VerifyOptions,
    now_error: BaseException | None = None,
) -> None:
    """This PDF signature's facts, judged by the verdict function every format shares."""
    integ = rep.integrity
    assert integ is not None
    problem = status.get("trust_problem_indic")
    crypto = getattr(problem, "name", None)
    weak = crypto in ("CRYPTO_CONSTRAINTS_FAILURE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE")

    async def diagnose() -> TrustProblem | None:
        if problem is None and rep.trusted:
            return None
        return await _diagnose_trust(problem, vc, cert, status)

    await decide(rep, VerdictFacts(
        certificate=cert,
        signing_time=signing_time,
        proven=proven,
        at_now=options.at == "now",
        now=options.now or utcnow(),
        blocking=_structural_verdict(rep, emb),
        # a disallowed algorithm in the signature itself (e.g. Ed448 with SHA-256, MD5, SHA-1)
        weak_algorithms=[f"{integ.digest_algorithm or '?'} / {integ.signature_algorithm or '?'}"] if weak else (),
        weak_sub_indication=SubIndication(crypto) if weak else SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
        trust_problem=diagnose,
        now_error=now_error,
    ))  # fmt: skip


def _structural_verdict(rep: SignatureReport, emb: EmbeddedPdfSignature) -> Blocking | None:
    """PAdES' own blocking checks: the byte range covers the whole revision, and what changed
    after signing is allowed (DocMDP, vbsign's difference rules)."""
    F = Indication.TOTAL_FAILED
    cov = emb.coverage
    if cov is None or cov < SignatureCoverageLevel.ENTIRE_REVISION:
        return Blocking(F, SubIndication.FORMAT_FAILURE, [Finding.of(
            "BYTERANGE_COVERAGE",
            Severity.ERROR,
            Msg(
                "Vùng ký (/ByteRange) không bao phủ toàn bộ phiên bản tài liệu ({c}).",
                "The signed byte range does not cover the whole document revision ({c}).",
            ).format(c=cov.name if cov is not None else "?"),
        )])
    mod = rep.modification
    if mod is not None and (mod.level == "OTHER" or mod.docmdp_ok is False):
        return Blocking(F, SubIndication.FORMAT_FAILURE, [_modified_finding(emb)])
    return None


async def _diagnose_trust(problem: Any, vc: Any, cert: x509.Certificate, status: dict[str, Any]) -> TrustProblem:
    """Turn pyHanko's (sometimes generic) trust sub-indication into a precise reason."""
    name = getattr(problem, "name", None)
    if name == "NO_CERTIFICATE_CHAIN_FOUND" or (problem is None and status.get("validation_path") is None):
        return NO_TRUSTED_CHAIN
    if name in ("CERTIFICATE_CHAIN_GENERAL_FAILURE", "TRY_LATER", None):
        exc = await _rerun_path_validation(vc, cert)
        if exc is not None:
            return REVOCATION_UNAVAILABLE if name == "TRY_LATER" else trust_problem(exc)
    if name == "CHAIN_CONSTRAINTS_FAILURE":
        return CERT_USAGE
    if name in ("CRYPTO_CONSTRAINTS_FAILURE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"):
        return (
            SubIndication(name),
            "WEAK_ALGORITHM",
            Msg("Thuật toán không còn an toàn (ví dụ SHA-1).", "A disallowed algorithm is used (e.g. SHA-1)."),
        )
    try:
        sub = SubIndication(name)
    except ValueError:
        sub = SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
    return (
        sub,
        "CHAIN_INVALID",
        Msg("Chuỗi chứng thư số không hợp lệ ({n}).", "The certificate chain is invalid ({n}).").format(n=name),
    )


async def _rerun_path_validation(vc: Any, cert: x509.Certificate) -> BaseException | None:
    """Re-run path validation to learn *why* it failed (pyHanko keeps only a generic code)."""
    try:
        await CertificateValidator(cert, validation_context=vc).async_validate_usage(set())
    except (cv_errors.PathBuildingError, cv_errors.ValidationError) as e:
        return e
    except ValueError as e:
        return e
    return None


# ---- structural evidence for the policy rules (vbsign.policy reads it, never this module) ----


def _path_infos(path: Any) -> list[CertificateInfo]:
    """A validation path as CertificateInfo, end entity first, trust anchor last."""
    if path is None:
        return []
    try:
        return [CertificateInfo.from_asn1(c) for c in path.iter_certs(include_root=True)][::-1]
    except Exception:
        return []


def _attr_names(signer_info: Any, key: str) -> list[str]:
    try:
        return [str(a["type"].native) for a in (signer_info[key] or [])]
    except Exception:
        return []


def _policy_evidence(emb: EmbeddedPdfSignature, rep: SignatureReport) -> None:
    """Record what the policy rules need and verification itself does not judge:
    SubFilter, CMS attribute names, the signature algorithm OID and whether the signer's
    certificate is embedded. (CA revocation evidence comes from :func:`chain_revocation`.)"""
    rep.sub_filter = _pdf_str(emb.sig_object.get("/SubFilter"))
    si = emb.signer_info
    rep.signed_attributes = _attr_names(si, "signed_attrs")
    rep.unsigned_attributes = _attr_names(si, "unsigned_attrs")
    if rep.integrity is not None:
        try:
            rep.integrity.signature_algorithm_oid = si["signature_algorithm"]["algorithm"].dotted
        except Exception:
            rep.integrity.signature_algorithm_oid = None
    try:
        signer_der = emb.signer_cert.dump()
        certs = emb.signed_data["certificates"]
        rep.signer_certificate_embedded = any(
            c.name == "certificate" and c.chosen.dump() == signer_der for c in (certs or [])
        )
    except Exception:
        rep.signer_certificate_embedded = False


__all__ = ["VerifyOptions", "Finding", "is_pdf", "verify_pdf"]
