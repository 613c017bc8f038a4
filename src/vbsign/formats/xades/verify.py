"""XML-DSig / XAdES verification into vbsign's :class:`~vbsign.report.Report`.

Every ``ds:Signature`` of the document is verified (counter-signatures included). For each
one, vbsign reports *what exactly was signed* (``SignatureReport.signed_scope`` and, in the
API, :attr:`XmlVerification.signed` with the verified elements and octets), so that a
caller never trusts "some signature in the file verified". Signature-wrapping defences:

* a same-document reference must resolve to exactly one element (duplicate Ids are a
  FORMAT_FAILURE);
* the document-level verdict requires the valid signatures, together, to cover every
  content element of the document; content outside every signed part downgrades the
  verdict to INDETERMINATE/SIG_CONSTRAINTS_FAILURE with a finding listing it;
* the SignedProperties must be covered by the signature, and the signing certificate must
  match the SigningCertificate(V2) digest.

Certificate, time and revocation evaluation is shared with CAdES (:mod:`vbsign.formats.ades`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import cms, x509
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from lxml import etree

import vbsign.formats.xades.constants as C
import vbsign.formats.xades.dsig as dsig
from vbsign._core.errors import short_reason as _short
from vbsign._core.i18n import Msg
from vbsign._core.x509 import unique_der as _dedupe
from vbsign.formats.ades import AdesVerifyOptions, SignerEvidence, TimestampToken, evaluate
from vbsign.formats.xades.archive import archive_input, is_archive_timestamp
from vbsign.formats.xades.safe import DEFAULT_LIMITS, MalformedXmlError, XmlLimits, parse
from vbsign.model.report import (
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

logger = logging.getLogger(__name__)
F, I = Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741
XADES_NAMESPACES = (C.XADES, C.XADES141, *C.XADES_OLD)


@dataclass
class SignedObject:
    """One thing a signature covers (a verified reference)."""

    uri: str
    #: "document", "element", "object", "detached", "signed-properties", "other"
    kind: str
    description: str
    #: the designated element of the verified document (None for whole-document/detached)
    element: etree._Element | None
    #: the exact octets that were digested (after transforms)
    octets: bytes


@dataclass
class XmlVerification:
    """The report plus, per signature id, exactly what that signature covers."""

    report: Report
    document: etree._ElementTree | None
    signed: dict[str, list[SignedObject]] = field(default_factory=dict)
    #: every element covered by a valid reference of an intact signature
    covered: list[etree._Element] = field(default_factory=list)

    def is_covered(self, el: etree._Element) -> bool:
        """Is ``el`` (an element of :attr:`document`) covered by a valid signature?"""
        return any(c is el for c in self.covered)

    def signed_elements(self, signature_id: str | None = None) -> list[etree._Element]:
        """Elements covered by valid references (of one signature, or of all)."""
        out: list[etree._Element] = []
        for sid, objs in self.signed.items():
            if signature_id is None or sid == signature_id:
                out += [o.element for o in objs if o.element is not None and o.kind != "signed-properties"]
        return out


async def verify_xml(
    data: bytes,
    name: str,
    options: AdesVerifyOptions,
    *,
    contents: Mapping[str, bytes] | None = None,
    limits: XmlLimits = DEFAULT_LIMITS,
    require_full_coverage: bool = True,
) -> XmlVerification:
    """Verify every XML signature of ``data``; detached content comes from ``contents``."""
    doc_info = DocumentInfo(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), format="xml")
    report = Report(
        document=doc_info,
        indication=Indication.NO_SIGNATURE_FOUND,
        validation_time_mode="now" if options.at == "now" else "signing",
        validation_time=options.now,
        online=options.services.online,
        trust_anchors=options.trust.fingerprints(),
    )
    try:
        doc = parse(data, limits=limits, name=name)
    except MalformedXmlError as e:
        report.indication, report.sub_indication = F, SubIndication.FORMAT_FAILURE
        report.add("XML_UNREADABLE", Severity.ERROR, e.msg)
        return XmlVerification(report, None)
    result = XmlVerification(report, doc)
    root = doc.getroot()
    sigs = list(root.iter(C.ds("Signature")))
    if not sigs:
        report.add("NO_SIGNATURE", Severity.ERROR, Msg(
            "Tài liệu không có chữ ký số.", "The document carries no digital signature."
        ))
        return result
    resolver = dsig.content_resolver(contents) if contents else None
    covered: list[etree._Element] = []
    for n, sig in enumerate(sigs, start=1):
        sid = f"S{n}"
        try:
            rep, objs, cov = await _verify_one(sig, sid, doc, options, resolver, limits)
        except Exception as e:  # hostile input must never crash verification
            logger.debug("signature %s unprocessable", sid, exc_info=True)
            rep = SignatureReport(id=sid, kind="signature", indication=F, sub_indication=SubIndication.FORMAT_FAILURE)
            rep.add("SIGNATURE_UNPROCESSABLE", Severity.ERROR, Msg(
                "Không xử lý được chữ ký: {e}", "The signature cannot be processed: {e}"
            ).format(e=_short(e)))
            objs, cov = [], []
        report.signatures.append(rep)
        result.signed[sid] = objs
        covered += cov
    report.indication = worst_indication([s.indication for s in report.signatures])
    worst = [s for s in report.signatures if s.indication == report.indication]
    report.sub_indication = worst[0].sub_indication if worst else None
    result.covered = covered
    uncovered = uncovered_content(root, covered)
    if uncovered:
        paths = [describe(el) for el in uncovered[:5]]
        report.add(
            "PARTIAL_COVERAGE",
            Severity.WARNING if not require_full_coverage else Severity.ERROR,
            Msg(
                "Một phần nội dung tài liệu KHÔNG được chữ ký hợp lệ nào bảo vệ ({n} phần tử, ví dụ {p}); "
                "chỉ tin phần đã ký.",
                "Part of the document is NOT covered by any valid signature ({n} elements, e.g. {p}); "
                "trust only the signed part.",
            ).format(n=len(uncovered), p=", ".join(paths)),
            unsigned=paths,
        )
        if require_full_coverage and report.indication is Indication.TOTAL_PASSED:
            report.indication, report.sub_indication = I, SubIndication.SIG_CONSTRAINTS_FAILURE
    return result


# ---- one signature -------------------------------------------------------------------------------


@dataclass
class _SignedProps:
    """Where a signature's XAdES properties are (any may be missing)."""

    qp: etree._Element | None  # xades:QualifyingProperties
    sp: etree._Element | None  # xades:SignedProperties
    ssp: etree._Element | None  # xades:SignedSignatureProperties
    sdop: etree._Element | None  # xades:SignedDataObjectProperties


async def _verify_one(
    sig: etree._Element,
    sid: str,
    doc: etree._ElementTree,
    options: AdesVerifyOptions,
    resolver: dsig.ContentResolver | None,
    limits: XmlLimits,
) -> tuple[SignatureReport, list[SignedObject], list[etree._Element]]:
    """Verify one ``ds:Signature``: its structure, the XAdES properties, the signature
    value (before any algorithm is judged), every reference, the timestamps; then the
    shared AdES verdict (:func:`vbsign.formats.ades.evaluate`). Returns the report, the
    signed objects and the elements the valid references cover."""
    rep = SignatureReport(id=sid, kind="signature", indication=I, sub_indication=None)
    if any(a.tag == C.ds("Signature") for a in sig.iterancestors()):
        rep.add("COUNTER_SIGNATURE", Severity.INFO, Msg(
            "Đây là chữ ký nằm trong một chữ ký khác (chữ ký đối ứng).",
            "This signature is nested in another one (counter-signature).",
        ))
    ev = SignerEvidence(signer_cert=None)
    signed_info = sig.find(C.ds("SignedInfo"))
    sv_el = sig.find(C.ds("SignatureValue"))
    cm = signed_info.find(C.ds("CanonicalizationMethod")) if signed_info is not None else None
    sm = signed_info.find(C.ds("SignatureMethod")) if signed_info is not None else None
    if signed_info is None or sv_el is None or cm is None or sm is None:
        return _fail(rep, F, SubIndication.FORMAT_FAILURE, "XMLDSIG_STRUCTURE", Msg(
            "Cấu trúc chữ ký XML không hợp lệ (thiếu SignedInfo/SignatureValue).",
            "Invalid XML signature structure (SignedInfo/SignatureValue missing).",
        ))
    c14n_uri = cm.get("Algorithm") or ""
    if c14n_uri not in C.C14N_METHODS:
        return _fail(rep, F, SubIndication.FORMAT_FAILURE, "UNSUPPORTED_C14N", Msg(
            "Phương pháp chuẩn hóa không được hỗ trợ: {a}", "Unsupported canonicalisation method: {a}"
        ).format(a=c14n_uri))
    method = sm.get("Algorithm") or ""
    props = _read_properties(sig, rep, ev)
    certs = ev.other_certs
    if method.startswith(C.HMAC_PREFIXES):
        return _refuse_hmac(rep, sm)
    # signature value: verified before any algorithm is judged (ETSI EN 319 102-1: the
    # cryptographic verification comes first; a weak or unknown algorithm is refused after)
    method_known = method in C.SIGNATURE_METHODS
    key_algo, pad, sig_digest = C.SIGNATURE_METHODS.get(method, ("?", "", "?"))
    if method_known:
        ev.hash_algorithms.append(sig_digest)
    si_c14n = dsig.c14n_element(
        signed_info,
        exclusive=C.C14N_METHODS[c14n_uri][0],
        with_comments=C.C14N_METHODS[c14n_uri][1],
        prefixes=dsig.inclusive_prefixes(cm),
    )
    try:
        value = dsig.b64decode_text(sv_el.text)
    except ValueError:
        value = b""
    sig_ok, cert_problem = _check_value(rep, ev, sig, props.sp, certs, options, method if method_known else None, si_c14n, value)

    outcomes = _process_references(signed_info, doc, sig, resolver, limits, rep)
    algorithm = f"{sig_digest}_{key_algo}{'_pss' if pad == 'pss' else ''}" if method_known else method
    objects = _record_references(rep, ev, outcomes, props.sp, sig_ok, algorithm)
    ev.blocking = (
        _blocking(outcomes, props.sp, props.qp, cert_problem)
        or _counter_signature_target(sig, outcomes)
        or _value_blocking(rep, ev, sig, method if method_known else None, method, value)
    )
    usp = _collect_timestamps(props.qp, sv_el, rep, ev)
    _collect_archive_timestamps(sig, usp, outcomes[: len(signed_info.findall(C.ds('Reference')))], rep, ev)
    rep.signed_attributes = _property_names(props.ssp) + _property_names(props.sdop)
    rep.unsigned_attributes = _property_names(usp)
    rep.signer_certificate_embedded = ev.signer_cert is not None and ev.signer_cert.dump() in {c.dump() for c in certs}
    assert rep.integrity is not None
    rep.integrity.signature_algorithm_oid = C.SIGNATURE_METHOD_OIDS.get(method)
    outcome = await evaluate(rep, ev, options)
    note_malformed_fields(rep)
    rep.level = _level(props.sp, props.ssp, outcome.timestamp_ok, outcome.embedded_revocation)
    if rep.level == "B-LT" and any(a.intact and a.valid and a.trusted for a in rep.archive_timestamps):
        rep.level = "B-LTA"
    covered: list[etree._Element] = []
    if rep.integrity.intact and rep.integrity.signature_valid and ev.blocking is None:
        covered = _covered(doc, outcomes)
    return rep, objects, covered


def _read_properties(sig: etree._Element, rep: SignatureReport, ev: SignerEvidence) -> _SignedProps:
    """Read the XAdES properties into the evidence (certificates, revocation values,
    claimed signing time) and the report (place, claimed role, commitment)."""
    qp = _qualifying_properties(sig)
    sp = _child(qp, "SignedProperties") if qp is not None else None
    ssp = _child(sp, "SignedSignatureProperties") if sp is not None else None
    ev.other_certs = _keyinfo_certs(sig) + _certificate_values(qp)
    ev.ocsps, ev.crls = _revocation_values(qp)
    if ssp is not None:
        st = _child(ssp, "SigningTime")
        if st is not None and st.text:
            ev.claimed_time = _parse_time(st.text)
        city = _find_local(ssp, ("SignatureProductionPlaceV2", "SignatureProductionPlace"), "City")
        rep.location = city
        role = _find_local(ssp, ("SignerRoleV2", "SignerRole"), "ClaimedRole")
        if role:
            rep.add("CLAIMED_ROLE", Severity.INFO, Msg(
                "Chức danh người ký tự khai: {r}", "Role claimed by the signer: {r}"
            ).format(r=role), role=role)
    sdop = _child(sp, "SignedDataObjectProperties") if sp is not None else None
    if sdop is not None:
        rep.reason = _find_local(sdop, ("CommitmentTypeIndication",), "Description")
    return _SignedProps(qp, sp, ssp, sdop)


def _refuse_hmac(
    rep: SignatureReport, sm: etree._Element
) -> tuple[SignatureReport, list[SignedObject], list[etree._Element]]:
    """An HMAC signature is no certificate-based signature; a truncated one is an attack."""
    if any(_local(e) == "HMACOutputLength" for e in sm):
        return _fail(rep, F, SubIndication.FORMAT_FAILURE, "HMAC_TRUNCATION", Msg(
            "Chữ ký HMAC có HMACOutputLength (tấn công cắt ngắn CVE-2009-0217): từ chối.",
            "HMAC signature with HMACOutputLength (truncation attack CVE-2009-0217): refused.",
        ))
    return _fail(rep, I, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, "HMAC_NOT_SUPPORTED", Msg(
        "Chữ ký HMAC (khóa bí mật dùng chung) không phải chữ ký số có chứng thư; không kiểm tra được.",
        "An HMAC (shared-secret) signature is not a certificate-based signature; it cannot be verified.",
    ))


def _process_references(
    signed_info: etree._Element,
    doc: etree._ElementTree,
    sig: etree._Element,
    resolver: dsig.ContentResolver | None,
    limits: XmlLimits,
    rep: SignatureReport,
) -> list[dsig.ReferenceOutcome]:
    """Dereference and digest every reference, and the entries of the ``ds:Manifest``\\ s
    they sign: a mismatch is an alteration; an entry whose data is not at hand is reported
    (XML-DSig leaves manifest validation to the application), not fatal."""
    outcomes = [
        dsig.process_reference(ref, doc, sig, resolver=resolver, limits=limits)
        for ref in signed_info.findall(C.ds("Reference"))
    ]
    for o in list(outcomes):
        if o.ref_type == C.MANIFEST_TYPE and o.digest_ok and o.target is not None:
            for mref in o.target.findall(C.ds("Reference")):
                m = dsig.process_reference(mref, doc, sig, resolver=resolver, limits=limits)
                if m.digest_ok is None:
                    rep.add("MANIFEST_ENTRY_NOT_VERIFIED", Severity.WARNING, Msg(
                        "Mục {u} của ds:Manifest không kiểm tra được ({p}); phần đó không được coi là đã ký.",
                        "Manifest entry {u} could not be checked ({p}); it is not considered signed.",
                    ).format(u=_uri(m.uri), p=m.problem), uri=m.uri)
                    continue
                outcomes.append(m)
    return outcomes


def _record_references(
    rep: SignatureReport,
    ev: SignerEvidence,
    outcomes: list[dsig.ReferenceOutcome],
    sp: etree._Element | None,
    sig_ok: bool,
    signature_algorithm: str,
) -> list[SignedObject]:
    """Record integrity (every computed digest matches, none unknown) and the signed scope;
    each mismatching reference is an error. Returns the objects the valid references sign."""
    for o in outcomes:
        if o.digest_algorithm:
            ev.hash_algorithms.append(o.digest_algorithm)
    computed = [o for o in outcomes if o.digest_ok is not None]
    intact = bool(outcomes) and all(o.digest_ok for o in computed)
    unknown = [o for o in outcomes if o.digest_ok is None]
    # a mismatch is an alteration whatever else could not be computed
    ev.integrity_known = bool(outcomes) and (not unknown or not intact)
    data_refs = [o for o in outcomes if o.ref_type != C.SIGNED_PROPERTIES_TYPE and o.target is not sp]
    rep.integrity = IntegrityInfo(
        intact=intact and not unknown,
        signature_valid=sig_ok,
        digest_algorithm=data_refs[0].digest_algorithm if data_refs else None,
        signature_algorithm=signature_algorithm,
        checked=ev.integrity_known,
        signature_checked=ev.signature_checked,
    )
    objects = [_signed_object(o, sp) for o in outcomes if o.digest_ok]
    rep.signed_scope = [o.description for o in objects if o.kind != "signed-properties"]
    for o in outcomes:
        if o.digest_ok is False:
            rep.add("REFERENCE_DIGEST_MISMATCH", Severity.ERROR, Msg(
                "Giá trị băm của tham chiếu {u} không khớp: phần này đã bị sửa.",
                "The digest of reference {u} does not match: this part was altered.",
            ).format(u=_uri(o.uri)), uri=o.uri)
    return objects


def _collect_timestamps(
    qp: etree._Element | None, sv_el: etree._Element, rep: SignatureReport, ev: SignerEvidence
) -> etree._Element | None:
    """Gather the signature timestamps into the evidence (archive timestamps are only
    noted); returns ``xades:UnsignedSignatureProperties`` if present."""
    usp = _child(_child(qp, "UnsignedProperties"), "UnsignedSignatureProperties") if qp is not None else None
    if usp is not None:
        for ts in usp:
            if _local(ts) == "SignatureTimeStamp":
                tok = _timestamp_token(ts, sv_el, rep)
                if tok is not None:
                    ev.timestamps.append(tok)
    return usp


def _collect_archive_timestamps(
    sig: etree._Element,
    usp: etree._Element | None,
    outcomes: list[dsig.ReferenceOutcome],
    rep: SignatureReport,
    ev: SignerEvidence,
) -> None:
    """Archive timestamps into the evidence, each with the imprint of what it covers
    (:mod:`vbsign.formats.xades.archive`); without every reference's data (a detached
    content not supplied) the imprint cannot match and the timestamp proves nothing."""
    if usp is None:
        return
    octets = [o.signed_octets for o in outcomes]
    for ats in usp:
        if not is_archive_timestamp(ats):
            continue
        tok = _timestamp_token(ats, sig, rep)  # the imprint is replaced below
        if tok is None:
            continue
        cm = ats.find(C.ds("CanonicalizationMethod"))
        exclusive, comments = C.C14N_METHODS.get((cm.get("Algorithm") if cm is not None else None) or C.C14N_10, (False, False))

        def expected(md: str, ats: etree._Element = ats, exclusive: bool = exclusive, comments: bool = comments) -> bytes:
            if any(o is None for o in octets) or not octets:
                return b""
            data = archive_input(sig, ats, usp, [o for o in octets if o is not None], exclusive=exclusive,
                                 with_comments=comments)  # fmt: skip
            return dsig.digest(data, md)

        ev.archive_timestamps.append(TimestampToken(tok.signed_data, expected, kind="archive"))


def _check_value(
    rep: SignatureReport,
    ev: SignerEvidence,
    sig: etree._Element,
    sp: etree._Element | None,
    certs: list[x509.Certificate],
    options: AdesVerifyOptions,
    method: str | None,
    si_c14n: bytes,
    value: bytes,
) -> tuple[bool, tuple[str, Msg] | None]:
    """Check the signature value with the signer's key; set ``ev.signer_cert`` and
    ``ev.signature_checked``. Returns (value valid, signing-certificate reference problem).

    SIG_CRYPTO_FAILURE needs the key the signature names: a value that no *other*
    available certificate verifies says nothing about the signature (signer not found)."""
    if method is None:  # an algorithm vbsign cannot compute: nothing is checked
        ev.signature_checked = False
        return False, None
    signer, sig_ok, cert_problem, designated = _select_signer(sig, sp, certs, options, method, si_c14n, value)
    ev.signer_cert = signer
    if signer is None and not sig_ok:
        key = _key_value(sig)
        if key is not None:
            sig_ok, designated = dsig.verify_signature_value(method, si_c14n, value, key), True
            rep.add("KEY_VALUE_ONLY", Severity.WARNING, Msg(
                "Chữ ký chỉ mang khóa công khai (KeyValue), không có chứng thư số.",
                "The signature carries a bare public key (KeyValue), no certificate.",
            ))
    ev.signature_checked = sig_ok or designated or not value
    return sig_ok, cert_problem


def _value_blocking(
    rep: SignatureReport, ev: SignerEvidence, sig: etree._Element, known: str | None, method: str, value: bytes
) -> tuple[Indication, SubIndication, str, Msg] | None:
    """Why the signature value could not be judged (applied after the digests)."""
    if known is None:
        return (I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "UNSUPPORTED_ALGORITHM", Msg(
            "Thuật toán ký không được hỗ trợ: {a}", "Unsupported signature algorithm: {a}"
        ).format(a=method))
    if not value:
        rep.add("SIGNATURE_VALUE_UNREADABLE", Severity.ERROR, Msg(
            "Giá trị chữ ký không đọc được (không phải base64).", "The signature value is unreadable (not base64)."
        ))
        return None
    if ev.signature_checked:
        return None
    bad = _malformed_keyinfo_certs(sig)
    if bad:  # the signature carries its certificate, damaged: say exactly which field
        return (F, SubIndication.FORMAT_FAILURE, "SIGNER_CERT_MALFORMED", Msg(
            "Chứng thư số gắn trong chữ ký bị hỏng, không kiểm tra được giá trị chữ ký: {f}",
            "The certificate carried in the signature is malformed, so the signature value cannot be checked: {f}",
        ).format(f="; ".join(bad)))
    return (I, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, "SIGNER_CERT_NOT_FOUND", Msg(
        "Không có chứng thư nào mà chữ ký chỉ định để kiểm tra giá trị chữ ký ({k}); "
        "chưa thể nói chữ ký đúng hay sai (cung cấp chứng thư của người ký: --cert).",
        "No certificate the signature designates is available to check its value ({k}); "
        "it cannot be told right or wrong (supply the signer's certificate: --cert).",
    ).format(k=_key_reference(sig)))


def _property_names(container: etree._Element | None) -> list[str]:
    if container is None:
        return []
    out: list[str] = []
    for el in container:
        if isinstance(el.tag, str):
            name = C.XADES_PROPERTY_NAMES.get(_local(el), _local(el))
            if name not in out:
                out.append(name)
    return out


def _counter_signature_target(
    sig: etree._Element, outcomes: list[dsig.ReferenceOutcome]
) -> tuple[Indication, SubIndication, str, Msg] | None:
    """A signature nested in another one must countersign *that* signature's value
    (otherwise it is a counter-signature copied or injected from elsewhere)."""
    parent = next((a for a in sig.iterancestors() if a.tag == C.ds("Signature")), None)
    if parent is None:
        return None
    parent_value = parent.find(C.ds("SignatureValue"))
    if any(o.digest_ok and o.target is not None and o.target is parent_value for o in outcomes):
        return None
    return (F, SubIndication.FORMAT_FAILURE, "COUNTER_SIGNATURE_TARGET", Msg(
        "Chữ ký đối ứng không ký giá trị chữ ký mà nó nằm trong (bị chèn hoặc sao chép từ chỗ khác).",
        "The counter-signature does not sign the value of the signature it is nested in (injected or copied).",
    ))


def _fail(
    rep: SignatureReport, ind: Indication, sub: SubIndication, code: str, msg: Msg
) -> tuple[SignatureReport, list[SignedObject], list[etree._Element]]:
    rep.indication, rep.sub_indication = ind, sub
    rep.add(code, Severity.ERROR, msg)
    return rep, [], []


def _blocking(
    outcomes: list[dsig.ReferenceOutcome],
    sp: etree._Element | None,
    qp: etree._Element | None,
    cert_problem: tuple[str, Msg] | None,
) -> tuple[Indication, SubIndication, str, Msg] | None:
    for o in outcomes:
        if o.problem == "AMBIGUOUS_ID":
            return (F, SubIndication.FORMAT_FAILURE, "DUPLICATE_ID", Msg(
                "Tham chiếu {u} trỏ tới nhiều phần tử trùng Id (dấu hiệu tấn công bọc chữ ký).",
                "Reference {u} matches several elements with the same Id (signature-wrapping sign).",
            ).format(u=_uri(o.uri)))
    for o in outcomes:
        if o.problem in ("REFUSED_DIGEST", "UNSUPPORTED_DIGEST"):
            return (I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "UNSUPPORTED_ALGORITHM", Msg(
                "Hàm băm không được chấp nhận: {a}", "Digest algorithm not accepted: {a}"
            ).format(a=o.problem_detail))
    for o in outcomes:
        if o.problem is not None and o.digest_ok is None:
            if o.problem == "DETACHED_CONTENT_MISSING":
                msg = Msg(
                    "Không có nội dung được ký tách rời '{u}' (dùng --content TỆP).",
                    "The detached signed content '{u}' was not supplied (use --content FILE).",
                ).format(u=o.problem_detail)
            elif o.problem == "UNSUPPORTED_TRANSFORM":
                msg = Msg(
                    "Tham chiếu {u} dùng phép biến đổi không được hỗ trợ ({d}).",
                    "Reference {u} uses an unsupported transform ({d}).",
                ).format(u=_uri(o.uri), d=o.problem_detail)
            else:
                msg = Msg(
                    "Không tìm thấy dữ liệu được ký của tham chiếu {u} ({p}).",
                    "The signed data of reference {u} was not found ({p}).",
                ).format(u=_uri(o.uri), p=o.problem)
            return (I, SubIndication.SIGNED_DATA_NOT_FOUND, o.problem, msg)
    if qp is not None:
        signed_sp = sp is not None and any(o.target is sp and o.digest_ok for o in outcomes)
        if not signed_sp:
            return (F, SubIndication.FORMAT_FAILURE, "SIGNED_PROPERTIES_NOT_SIGNED", Msg(
                "Thuộc tính ký XAdES (SignedProperties) không được chữ ký bảo vệ.",
                "The XAdES SignedProperties are not protected by the signature.",
            ))
    if cert_problem is not None:
        code, msg = cert_problem
        return (I, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, code, msg)
    return None


# ---- certificates ---------------------------------------------------------------------------


def _keyinfo_certs(sig: etree._Element) -> list[x509.Certificate]:
    out = []
    for el in sig.findall(f"{C.ds('KeyInfo')}/{C.ds('X509Data')}/{C.ds('X509Certificate')}"):
        try:
            out.append(x509.Certificate.load(dsig.b64decode_text(el.text)))
        except Exception:
            continue
    return out


def _malformed_keyinfo_certs(sig: etree._Element) -> list[str]:
    """Which ds:X509Certificate elements of KeyInfo cannot be read, and why."""
    out = []
    els = sig.findall(f"{C.ds('KeyInfo')}/{C.ds('X509Data')}/{C.ds('X509Certificate')}")
    for n, el in enumerate(els, start=1):
        try:
            cert = x509.Certificate.load(dsig.b64decode_text(el.text))
            cert.public_key.dump()  # the part the cryptographic check needs
        except Exception as e:
            out.append(f"ds:KeyInfo/ds:X509Data/ds:X509Certificate[{n}]: {_short(e)}")
    return out


def _certificate_values(qp: etree._Element | None) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    if qp is None:
        return out
    for el in qp.iter():
        if _local(el) == "EncapsulatedX509Certificate":
            try:
                out.append(x509.Certificate.load(dsig.b64decode_text(el.text)))
            except Exception:
                continue
    return out


def _revocation_values(qp: etree._Element | None) -> tuple[list[Any], list[Any]]:
    ocsps: list[Any] = []
    crls: list[Any] = []
    if qp is None:
        return ocsps, crls
    for el in qp.iter():
        name = _local(el)
        try:
            if name == "EncapsulatedOCSPValue":
                der = dsig.b64decode_text(el.text)
                try:
                    resp = asn1_ocsp.OCSPResponse.load(der)
                    resp["response_status"].native  # noqa: B018 - is it an OCSPResponse at all?
                except Exception:
                    basic = asn1_ocsp.BasicOCSPResponse.load(der)
                    resp = asn1_ocsp.OCSPResponse(
                        {
                            "response_status": "successful",
                            "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
                        }
                    )
                ocsps.append(resp)
            elif name == "EncapsulatedCRLValue":
                # parsed lazily: national CRLs are megabytes (ades.usable_revinfo checks them)
                crls.append(asn1_crl.CertificateList.load(dsig.b64decode_text(el.text)))
        except Exception:
            continue
    return ocsps, crls


def _cert_digest(sp: etree._Element | None) -> tuple[str, bytes] | None:
    """(hash algorithm, digest) of the first SigningCertificate(V2)/Cert/CertDigest."""
    if sp is None:
        return None
    for el in sp.iter():
        if _local(el) in ("SigningCertificateV2", "SigningCertificate"):
            cert = _child(el, "Cert")
            cd = _child(cert, "CertDigest") if cert is not None else None
            if cd is None:
                return None
            dm = cd.find(C.ds("DigestMethod"))
            dv = cd.find(C.ds("DigestValue"))
            algo = C.DIGESTS.get(dm.get("Algorithm") or "") if dm is not None else None
            if algo is None or dv is None:
                return None
            try:
                return algo, dsig.b64decode_text(dv.text)
            except ValueError:
                return None
    return None


def _select_signer(
    sig: etree._Element,
    sp: etree._Element | None,
    embedded: list[x509.Certificate],
    options: AdesVerifyOptions,
    method: str,
    si_c14n: bytes,
    value: bytes,
) -> tuple[x509.Certificate | None, bool, tuple[str, Msg] | None, bool]:
    """Pick the signer's certificate.

    Returns (cert, signature value valid, cert-ref problem, designated): ``designated`` is
    True when the signature itself names the certificate that failed — embedded in it, or
    matched by the signed SigningCertificate digest, or by its only X509IssuerSerial —
    so that a value that does not verify is a SIG_CRYPTO_FAILURE; a value that merely no
    other available certificate verifies means the signer's certificate is missing.
    """
    candidates = _dedupe([*embedded, *options.extra_certs, *options.trust.intermediates])
    ref = _cert_digest(sp)
    chosen: x509.Certificate | None = None
    if ref is not None:
        algo, want = ref
        chosen = next((c for c in candidates if dsig.digest(c.dump(), algo) == want), None)
    designated = chosen is not None or bool(embedded)
    if chosen is None:
        chosen, unique = _by_issuer_serial(sig, candidates)
        designated = designated or (chosen is not None and unique)
    tried: list[x509.Certificate] = [chosen] if chosen is not None else []
    tried += [c for c in candidates if c is not chosen]
    for cert in tried:
        if value and dsig.verify_signature_value(method, si_c14n, value, _pyca_public_key(cert)):
            problem = None
            if ref is not None and dsig.digest(cert.dump(), ref[0]) != ref[1]:
                problem = ("SIGNING_CERT_REF_MISMATCH", Msg(
                    "Chứng thư ký không khớp với thuộc tính SigningCertificate đã ký.",
                    "The signing certificate does not match the signed SigningCertificate property.",
                ))
            return cert, True, problem, True
    if chosen is None and embedded:
        chosen = embedded[0]
    return chosen, False, None, designated


def _key_reference(sig: etree._Element) -> str:
    """How the signature names its key, for messages (serial numbers, subject names)."""
    serials = [(el.findtext(C.ds("X509SerialNumber")) or "").strip() for el in sig.iter(C.ds("X509IssuerSerial"))]
    names = [(el.text or "").strip() for el in sig.iter(C.ds("X509SubjectName"))]
    parts = [f"serial {s}" for s in serials if s] + [n for n in names if n]
    return "; ".join(parts[:3]) or "KeyInfo"


def _by_issuer_serial(sig: etree._Element, candidates: list[x509.Certificate]) -> tuple[x509.Certificate | None, bool]:
    """The candidate named by an X509IssuerSerial, and whether that entry is the only one."""
    entries = list(sig.iter(C.ds("X509IssuerSerial")))
    for xis in entries:
        sn = xis.find(C.ds("X509SerialNumber"))
        try:
            serial = int((sn.text or "").strip()) if sn is not None else None
        except ValueError:
            serial = None
        for c in candidates:
            if serial is not None and c.serial_number == serial:
                return c, len(entries) == 1
    return None, False


def _pyca_public_key(cert: x509.Certificate) -> Any:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        return load_der_public_key(cert.public_key.dump())
    except Exception:
        return None


def _key_value(sig: etree._Element) -> Any:
    """A bare public key from ds:KeyValue (RSA, DSA or dsig11 EC), or None."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    kv = sig.find(f"{C.ds('KeyInfo')}/{C.ds('KeyValue')}")
    if kv is None:
        return None

    def num(parent: etree._Element, tag: str) -> int:
        return int.from_bytes(dsig.b64decode_text(parent.findtext(C.ds(tag))), "big")

    try:
        r = kv.find(C.ds("RSAKeyValue"))
        if r is not None:
            return rsa.RSAPublicNumbers(num(r, "Exponent"), num(r, "Modulus")).public_key()
        d = kv.find(C.ds("DSAKeyValue"))
        if d is not None:
            params = dsa.DSAParameterNumbers(num(d, "P"), num(d, "Q"), num(d, "G"))
            return dsa.DSAPublicNumbers(num(d, "Y"), params).public_key()
        e = kv.find(f"{{{C.DSIG11}}}ECKeyValue")
        if e is not None:
            curve = {
                "urn:oid:1.2.840.10045.3.1.7": ec.SECP256R1(),
                "urn:oid:1.3.132.0.34": ec.SECP384R1(),
                "urn:oid:1.3.132.0.35": ec.SECP521R1(),
            }[e.find(f"{{{C.DSIG11}}}NamedCurve").get("URI")]  # type: ignore[union-attr]
            point = dsig.b64decode_text(e.findtext(f"{{{C.DSIG11}}}PublicKey"))
            return ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
    except Exception:
        return None
    return None


# ---- timestamps ----------------------------------------------------------------------------


def _timestamp_token(ts: etree._Element, sv_el: etree._Element, rep: SignatureReport) -> TimestampToken | None:
    enc = _child(ts, "EncapsulatedTimeStamp")
    if enc is None:
        return None
    cm = ts.find(C.ds("CanonicalizationMethod"))
    c14n_uri = cm.get("Algorithm") if cm is not None else C.C14N_10
    try:
        exclusive, comments = C.C14N_METHODS[c14n_uri or C.C14N_10]
        token = cms.ContentInfo.load(dsig.b64decode_text(enc.text))
        sd = token["content"]
        sd["encap_content_info"]["content"].parsed["gen_time"].native  # noqa: B018 - parse now
    except Exception as e:
        rep.add("TIMESTAMP_UNPROCESSABLE", Severity.WARNING, Msg(
            "Không đọc được dấu thời gian của chữ ký: {e}", "The signature timestamp cannot be read: {e}"
        ).format(e=_short(e)))
        return None
    octets = dsig.c14n_element(sv_el, exclusive=exclusive, with_comments=comments)

    def imprint(algo: str) -> bytes:
        return dsig.digest(octets, algo)

    return TimestampToken(sd, imprint)


# ---- scope and coverage -----------------------------------------------------------------------


def _signed_object(o: dsig.ReferenceOutcome, sp: etree._Element | None) -> SignedObject:
    octets = o.signed_octets or b""
    if sp is not None and o.target is sp:
        return SignedObject(o.uri, "signed-properties", "signed-properties: XAdES SignedProperties", o.target, octets)
    excluded = [describe(e) for e in o.excluded if e.tag != C.ds("Signature")]
    tail = f" except {', '.join(excluded)}" if excluded else ""
    if o.external:
        return SignedObject(
            o.uri, "detached",
            f"detached: {_uri(o.uri)} ({len(octets)} bytes, sha256 {hashlib.sha256(octets).hexdigest()[:16]}…)",
            None, octets,
        )
    if o.whole_document:
        sigs = " (signature elements excluded)" if any(e.tag == C.ds("Signature") for e in o.excluded) else ""
        return SignedObject(o.uri, "document", f"document: whole XML document{sigs}{tail}", None, octets)
    if o.target is not None:
        if o.target.tag == C.ds("Object"):
            enc = o.target.get("Encoding")
            what = f"{len(octets)} bytes" + (", base64-encoded" if enc == C.BASE64 else "")
            return SignedObject(o.uri, "object", f"object: ds:Object {_uri(o.uri)} ({what}){tail}", o.target, octets)
        return SignedObject(o.uri, "element", f"element: {describe(o.target)} {_uri(o.uri)}{tail}", o.target, octets)
    return SignedObject(o.uri, "other", f"other: {_uri(o.uri)}", None, octets)


def _covered(doc: etree._ElementTree, outcomes: list[dsig.ReferenceOutcome]) -> list[etree._Element]:
    out: list[etree._Element] = []
    for o in outcomes:
        if not o.digest_ok or o.external:
            continue
        top = doc.getroot() if o.whole_document else o.target
        if top is None:
            continue
        skip = {id(e) for e in o.excluded}
        stack = [top]
        while stack:
            el = stack.pop()
            if id(el) in skip:
                continue
            out.append(el)
            stack.extend(c for c in el if isinstance(c.tag, str))
    return out


def _is_machinery(el: etree._Element) -> bool:
    tag = el.tag
    parent = el.getparent()
    if tag == C.ds("Signature"):
        return True
    if tag == C.ds("Object") and parent is not None and parent.tag == C.ds("Signature"):
        return True
    for a in (el, *el.iterancestors()):
        if a.tag in (C.ds("SignedInfo"), C.ds("SignatureValue"), C.ds("KeyInfo")) or _local(a) == "QualifyingProperties":
            return True
    return False


def uncovered_content(root: etree._Element, covered: list[etree._Element]) -> list[etree._Element]:
    """Content elements (not signature machinery) that no valid reference covers."""
    cov = {id(e) for e in covered}
    keep_alive = covered  # ids stay valid while the proxies live
    out = [el for el in root.iter(etree.Element) if id(el) not in cov and not _is_machinery(el)]
    del keep_alive
    return out


def describe(el: etree._Element) -> str:
    """A short, human-readable path such as ``/QuyetDinh/NoiDung[1]``."""
    parts = []
    cur: etree._Element | None = el
    while cur is not None:
        parent = cur.getparent()
        name = _local(cur)
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == cur.tag]
            if len(same) > 1:
                name += f"[{same.index(cur) + 1}]"
        parts.append(name)
        cur = parent
    return "/" + "/".join(reversed(parts))


# ---- small helpers -------------------------------------------------------------------------


def _local(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(el: etree._Element | None, local: str) -> etree._Element | None:
    if el is None:
        return None
    for c in el:
        if isinstance(c.tag, str) and _local(c) == local:
            return c
    return None


def _find_local(el: etree._Element, containers: tuple[str, ...], leaf: str) -> str | None:
    for c in el.iter():
        if isinstance(c.tag, str) and _local(c) in containers:
            for d in c.iter():
                if isinstance(d.tag, str) and _local(d) == leaf and (d.text or "").strip():
                    return (d.text or "").strip()
    return None


def _qualifying_properties(sig: etree._Element) -> etree._Element | None:
    sig_id = sig.get("Id")
    found = None
    for obj in sig.findall(C.ds("Object")):
        for qp in obj:
            if isinstance(qp.tag, str) and _local(qp) == "QualifyingProperties":
                target = qp.get("Target")
                if sig_id is None or target is None or target == f"#{sig_id}":
                    return qp
                found = found or qp
    return found


def _level(sp: etree._Element | None, ssp: etree._Element | None, ts_ok: bool, lt: bool) -> str | None:
    if sp is None or ssp is None:
        return None
    if _child(ssp, "SigningCertificateV2") is None and _child(ssp, "SigningCertificate") is None:
        return None
    if not ts_ok:
        return "B-B"
    return "B-LT" if lt else "B-T"


def _parse_time(text: str) -> datetime | None:
    from datetime import timezone

    t = text.strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _uri(uri: str) -> str:
    return uri if uri else '""'



__all__ = ["SignedObject", "XmlVerification", "describe", "uncovered_content", "verify_xml"]
