"""Signing-side rules (legal-rules.md §9 A): what the signer and the signing software must do.

They are checked on the signed file — from what the signature carries — and, when the
caller passes :class:`~vbsign.policy.facts.SigningFacts` (e.g. from a
:class:`vbsign.model.sign.SignResult`), on what the signing software reports. A requirement on
the *process* that leaves no trace in the file (e.g. "check the certificate before
signing" without embedded revocation data) is ``not-applicable`` to the file, with an
explanation, rather than guessed.
"""

from __future__ import annotations

from typing import Any

from vbsign._core.i18n import Msg
from vbsign._core.timefmt import vn_time
from vbsign.model.report import Indication, SubIndication
from vbsign.model.signers import ROLE_TEXT
from vbsign.policy.context import Evidence, cert_name, iso
from vbsign.policy.model import (
    Citation,
    Level,
    Outcome,
    Rule,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from vbsign.policy.roots import HIERARCHY_TEXT
from vbsign.policy.rules._common import (
    ALLOWED_HASHES,
    OID_RSASSA_PSS,
    OIDS_RSA_PKCS1V15,
    embedded,
    join,
    key_problem,
    revocation_evidence,
    signature_hash,
    signing_time,
    time_evidence,
    unknown_advice,
    valid_timestamp,
)

F = Indication.TOTAL_FAILED


def _no_trace(what: Msg) -> Outcome:
    return not_applicable(
        Msg(
            f"Không kiểm chứng được từ tệp: {what.vi} Hiệu lực tại thời điểm ký do VER-02/VER-03 đánh giá; "
            "truyền SigningFacts (từ SignResult) để kiểm tra quy trình ký.",
            f"Not provable from the file: {what.en} Validity at the signing time is judged by VER-02/VER-03; "
            "pass SigningFacts (from a SignResult) to check the signing process.",
        )
    )


# ---- ND68-01 --------------------------------------------------------------------------------
def check_nd68_01(ev: Evidence) -> Outcome:
    sig = ev.sig
    sf = ev.doc.signing_facts(sig)
    if sf is not None:
        facts: dict[str, Any] = {"source": "signing-facts", "certificate_checked": sf.certificate_checked, "revocation_checked": sf.revocation_checked}
        if not sf.certificate_checked:
            return failed(Msg("Phần mềm ký không kiểm tra chứng thư trước khi ký.", "The signing software did not check the certificate before signing."), **facts)
        if not sf.revocation_checked:
            return failed(
                Msg("Đã bỏ qua kiểm tra thu hồi (OCSP/CRL) chứng thư trước khi ký.", "The certificate revocation check (OCSP/CRL) was skipped before signing."),
                **facts,
            )
        return passed(Msg("Chứng thư đã được kiểm tra hiệu lực và trạng thái thu hồi trước khi ký.", "The certificate's validity and revocation status were checked before signing."), **facts)
    s = sig.signer
    rev = sig.revocation
    t, _ = signing_time(sig)
    if s is None or t is None:
        return indeterminate(Msg("Thiếu chứng thư hoặc thời điểm ký.", "Signer certificate or signing time missing."))
    facts2: dict[str, Any] = {"source": "file", **time_evidence(sig), **revocation_evidence(rev)}
    if not (s.not_before <= t <= s.not_after):
        return failed(Msg(f"Chứng thư không còn hiệu lực tại thời điểm ký {vn_time(t)}.", f"The certificate was not valid at the signing time {vn_time(t)}."), **facts2)
    if embedded(rev) and rev is not None and rev.status == "revoked" and (rev.revocation_time is None or rev.revocation_time <= t):
        return failed(
            Msg("Dữ liệu thu hồi nhúng trong tệp cho thấy chứng thư đã bị thu hồi khi ký.", "The revocation data embedded in the file shows the certificate was revoked when signing."),
            **facts2,
        )
    if embedded(rev) and rev is not None and rev.status == "good":
        return passed(
            Msg("Tệp mang trạng thái chứng thư (OCSP/CRL) lấy khi ký: còn hiệu lực, chưa bị thu hồi.", "The file carries the certificate status (OCSP/CRL) obtained at signing: valid, not revoked."),
            **facts2,
        )
    return _no_trace(Msg("tệp không mang dữ liệu thu hồi lấy khi ký (không phải PAdES B-LT).", "the file carries no revocation data obtained at signing (not PAdES B-LT)."))


ND68_01 = Rule(
    id="ND68-01",
    requirement=Msg(
        "Trước khi ký, phải kiểm tra chứng thư của người ký còn hiệu lực (trong thời hạn, không bị thu hồi).",
        "Before signing, the signer's certificate must be checked to be valid (within its validity, not revoked).",
    ),
    citations=(Citation("ND68", "29", "1"), Citation("TT15", "5", "1", "a"), Citation("ND23", "15")),
    check=check_nd68_01,
    how=Msg(
        "SigningFacts của phần mềm ký; hoặc OCSP/CRL nhúng trong tệp (B-LT) cho thời điểm ký.",
        "The signing software's SigningFacts; or the OCSP/CRL embedded in the file (B-LT) for the signing time.",
    ),
    phase="signing",
    direction="outgoing",
)


# ---- ND68-02 --------------------------------------------------------------------------------
def check_nd68_02(ev: Evidence) -> Outcome:
    sig = ev.sig
    sf = ev.doc.signing_facts(sig)
    if sf is not None and not sf.chain_validated:
        return failed(Msg("Phần mềm ký không kiểm tra đường dẫn chứng thực trước khi ký.", "The signing software did not validate the certification path before signing."), source="signing-facts")
    if not sig.chain:
        if sf is not None:
            return passed(Msg("Đường dẫn chứng thực đã được kiểm tra trước khi ký (theo phần mềm ký).", "The certification path was validated before signing (per the signing software)."), source="signing-facts")
        return indeterminate(
            Msg("Không xây dựng được đường dẫn chứng thực tới chứng thư gốc.", "No certification path to a trusted root could be built."),
            sub_indication=SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
        )
    t, _ = signing_time(sig)
    entry = ev.doc.anchor(sig)
    accepted = ev.policy.anchor_hierarchies
    facts: dict[str, Any] = {"source": "signing-facts+file" if sf else "file", "path": [cert_name(c) for c in sig.chain], "anchor_hierarchy": entry.hierarchy if entry else None}
    if entry is None or entry.hierarchy not in accepted:
        where = Msg(f"'{cert_name(sig.chain[-1])}'", f"'{cert_name(sig.chain[-1])}'") if entry is None else HIERARCHY_TEXT[entry.hierarchy]
        return failed(
            Msg(f"Đường dẫn chứng thực kết thúc tại {where.vi}, không phải gốc của hồ sơ ({', '.join(sorted(accepted))}).", f"The certification path ends at {where.en}, not at the profile's root ({', '.join(sorted(accepted))})."),
            sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
            **facts,
        )
    problems: list[Msg] = []
    if t is not None:
        for c in sig.chain[1:]:
            if not (c.not_before <= t <= c.not_after):
                problems.append(Msg(f"{cert_name(c)} không còn hiệu lực tại thời điểm ký", f"{cert_name(c)} was not valid at the signing time"))
    for r in sig.chain_revocation:
        if r.status == "revoked" and (t is None or r.revocation_time is None or r.revocation_time <= t):
            problems.append(Msg(f"{r.subject or r.certificate_sha256} đã bị thu hồi", f"{r.subject or r.certificate_sha256} was revoked"))
    if problems:
        return failed(
            Msg("Đường dẫn chứng thực không hợp lệ tại thời điểm ký: " + join(problems).vi + ".", "The certification path was not valid at the signing time: " + join(problems).en + "."),
            sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
            **facts,
        )
    return passed(
        Msg(f"Đường dẫn chứng thực ({len(sig.chain)} chứng thư) tới gốc {HIERARCHY_TEXT[entry.hierarchy].vi} hợp lệ tại thời điểm ký.", f"The certification path ({len(sig.chain)} certificates) to the {HIERARCHY_TEXT[entry.hierarchy].en} root was valid at the signing time."),
        **facts,
    )


ND68_02 = Rule(
    id="ND68-02",
    requirement=Msg(
        "Trước khi ký, phải kiểm tra tính hợp lệ của đường dẫn chứng thực tới chứng thư gốc (CDCV: Ban Cơ yếu Chính phủ; công cộng: NEAC).",
        "Before signing, the certification path to the root must be validated (CDCV: VGCA; public: NEAC).",
    ),
    citations=(Citation("ND68", "29", "2"), Citation("TT15", "5", "2", "b")),
    check=check_nd68_02,
    how=Msg(
        "Đường dẫn đã kiểm tra tới gốc của hồ sơ; các CA trên đường dẫn còn hiệu lực, không bị thu hồi tại thời điểm ký.",
        "The validated path reaches the profile's root; its CAs were valid and not revoked at the signing time.",
    ),
    phase="signing",
    sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    direction="outgoing",
)


# ---- ND23-01 --------------------------------------------------------------------------------
def check_nd23_01(ev: Evidence) -> Outcome:
    sig = ev.sig
    entry = ev.doc.anchor(sig)
    if entry is not None and entry.hierarchy == "cdcv":
        return not_applicable(Msg("Chữ ký chuyên dùng công vụ: NĐ 23/2025 không áp dụng.", "An official-duty (CDCV) signature: Decree 23/2025 does not apply."))
    sf = ev.doc.signing_facts(sig)
    if sf is not None:
        if not sf.revocation_checked:
            return failed(Msg("Không kiểm tra trạng thái chứng thư của người ký và của CA cấp trước khi ký.", "The status of the signer's and the issuing CA's certificates was not checked before signing."), source="signing-facts")
        return passed(Msg("Đã kiểm tra trạng thái chứng thư của người ký và của mọi CA trên đường dẫn trước khi ký.", "The status of the signer's certificate and of every CA of the path was checked before signing."), source="signing-facts")
    t, _ = signing_time(sig)
    leaf = sig.revocation
    cas = list(sig.chain_revocation)
    facts: dict[str, Any] = {"source": "file", "signer": revocation_evidence(leaf), "issuing_cas": [{"subject": r.subject, "status": r.status, "source": r.source} for r in cas]}
    for r in [leaf, *cas]:
        if r is not None and r.status == "revoked" and (t is None or r.revocation_time is None or r.revocation_time <= t):
            return failed(Msg("Dữ liệu thu hồi cho thấy một chứng thư trên đường dẫn đã bị thu hồi khi ký.", "The revocation data shows a certificate of the path was revoked when signing."), **facts)
    if embedded(leaf) and leaf is not None and leaf.status == "good" and cas and all(embedded(r) and r.status == "good" for r in cas):
        return passed(
            Msg("Tệp mang trạng thái (lấy khi ký) của chứng thư người ký và của CA cấp: đều còn hiệu lực.", "The file carries the status (obtained at signing) of the signer's and the issuing CA's certificates: both valid."),
            **facts,
        )
    return _no_trace(Msg("tệp không mang trạng thái của cả chứng thư người ký và chứng thư CA cấp lấy khi ký.", "the file does not carry the status of both the signer's and the issuing CA's certificates obtained at signing."))


ND23_01 = Rule(
    id="ND23-01",
    requirement=Msg(
        "Trước khi ký, người ký phải kiểm tra trạng thái chứng thư của mình và của tổ chức cấp chứng thư (tại NEAC); không ký nếu một trong hai không còn hiệu lực.",
        "Before signing, the signer must check the status of their own certificate and of the issuing CA's (at NEAC), and not sign if either is invalid.",
    ),
    citations=(Citation("ND23", "15", "1"),),
    check=check_nd23_01,
    how=Msg("OCSP/CRL của chứng thư người ký và của CA cấp (nhúng trong tệp), hoặc SigningFacts.", "OCSP/CRL for the signer's and the issuing CA's certificates (embedded), or SigningFacts."),
    phase="signing",
    direction="outgoing",
)


# ---- TT41-01 / ND68-03: timestamps -------------------------------------------------------------
def _ts_facts(ev: Evidence) -> dict[str, Any]:
    sig = ev.sig
    ts = sig.timestamp
    later = [d for d in ev.doc.document_timestamps if d.revision is not None and sig.revision is not None and d.revision > sig.revision]
    return {
        "signature_timestamp": None if ts is None else {"time": iso(ts.time), "tsa": cert_name(ts.tsa), "valid": bool(ts.intact and ts.valid and ts.trusted)},
        "later_document_timestamps": len(later),
        "claimed_signing_time": iso(sig.claimed_signing_time),
    }


def check_tt41_01(ev: Evidence) -> Outcome:
    sig = ev.sig
    facts: dict[str, Any] = _ts_facts(ev)
    if valid_timestamp(sig):
        ts = sig.timestamp
        assert ts is not None
        return passed(Msg(f"Chữ ký có dấu thời gian hợp lệ tại thời điểm ký ({vn_time(ts.time)}).", f"The signature carries a valid timestamp at signing time ({vn_time(ts.time)})."), **facts)
    if sig.timestamp is not None:
        return failed(Msg("Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy.", "The signature's timestamp is invalid or untrusted."), **facts)
    if facts["later_document_timestamps"]:
        return failed(
            Msg(
                "Chữ ký không có dấu thời gian tại thời điểm ký; dấu thời gian tài liệu thêm sau chỉ chứng minh văn bản tồn tại trước thời điểm đó.",
                "The signature has no timestamp at signing time; a document timestamp added later only proves the document existed before that time.",
            ),
            **facts,
        )
    return failed(
        Msg("Chữ ký không có dấu thời gian (PAdES B-B); văn bản đi phải có dấu thời gian hợp lệ tại thời điểm ký (B-T trở lên).", "The signature has no timestamp (PAdES B-B); outgoing documents need a valid timestamp at signing time (B-T or higher)."),
        **facts,
    )


TT41_01 = Rule(
    id="TT41-01",
    requirement=Msg("Văn bản đi phải có chứng thực dấu thời gian hợp lệ vào thời điểm ký.", "Outgoing documents must carry a valid timestamp at the signing time."),
    citations=(Citation("TT41", "9", "1", "a"),),
    check=check_tt41_01,
    how=Msg(
        "Thuộc tính signature-time-stamp (RFC 3161) hợp lệ và được tin cậy (PAdES B-T trở lên).",
        "A valid, trusted signature-time-stamp attribute (RFC 3161; PAdES B-T or higher).",
    ),
    phase="signing",
    direction="outgoing",
)


def check_nd68_03(ev: Evidence) -> Outcome:
    sig = ev.sig
    facts: dict[str, Any] = _ts_facts(ev)
    if not valid_timestamp(sig):
        return failed(
            Msg("Chữ ký không gắn dấu thời gian hợp lệ tương ứng (cần khi pháp luật yêu cầu dấu thời gian).", "The signature carries no valid corresponding timestamp (required where the law requires a timestamp)."),
            **facts,
        )
    tsa = ev.doc.tsa_anchor(sig)
    ts = sig.timestamp
    assert ts is not None
    facts["tsa_anchor_hierarchy"] = tsa.hierarchy if tsa else None
    if tsa is None or tsa.hierarchy != "cdcv":
        return failed(
            Msg(f"Dấu thời gian do {cert_name(ts.tsa)} cấp, không thuộc hệ thống chứng thực chuyên dùng Chính phủ.", f"The timestamp was issued by {cert_name(ts.tsa)}, outside the government specialised (CDCV) hierarchy."),
            **facts,
        )
    return passed(Msg(f"Dấu thời gian hợp lệ do {cert_name(ts.tsa)} (hệ thống CDCV) cấp.", f"Valid timestamp issued by {cert_name(ts.tsa)} (CDCV hierarchy)."), **facts)


ND68_03 = Rule(
    id="ND68-03",
    requirement=Msg(
        "Khi pháp luật yêu cầu dấu thời gian, chữ ký chuyên dùng công vụ phải được gắn dấu thời gian từ máy chủ do tổ chức cung cấp dịch vụ CDCV công bố.",
        "Where the law requires a timestamp, the official-duty signature must carry one from the TSA published by the CDCV certification service.",
    ),
    citations=(Citation("ND68", "29", "4"), Citation("LGDDT", "24", "3", "e"), Citation("LGDDT", "31")),
    check=check_nd68_03,
    how=Msg("Dấu thời gian hợp lệ; đường dẫn của chứng thư TSA kết thúc tại gốc CDCV.", "A valid timestamp whose TSA certificate chains to a CDCV root."),
    phase="signing",
    strength="must",
    direction="outgoing",
)


# ---- TT15-01 --------------------------------------------------------------------------------
def check_tt15_01(ev: Evidence) -> Outcome:
    sig = ev.sig
    if not sig.signed_attributes and sig.signer_certificate_embedded is None:
        return indeterminate(Msg("Báo cáo không ghi cấu trúc chữ ký (báo cáo cũ?).", "The report does not record the signature structure (older report?)."))
    attrs = set(sig.signed_attributes)
    has_time = sig.claimed_signing_time is not None or "signing_time" in attrs
    has_cert_ref = bool(attrs & {"signing_certificate_v2", "signing_certificate"}) or ev.report.document.format != "pdf"
    facts: dict[str, Any] = {"signer_certificate_embedded": sig.signer_certificate_embedded, "signing_time_embedded": has_time, "signed_attributes": sorted(attrs)}
    missing: list[Msg] = []
    if not sig.signer_certificate_embedded:
        missing.append(Msg("chứng thư người ký", "the signer's certificate"))
    if not has_time:
        missing.append(Msg("thời điểm ký", "the signing time"))
    if not has_cert_ref:
        missing.append(Msg("thuộc tính signing-certificate(-v2)", "the signing-certificate(-v2) attribute"))
    if missing:
        return failed(Msg("Chữ ký không gắn kèm: " + join(missing).vi + ".", "The signature does not embed: " + join(missing).en + "."), **facts)
    return passed(Msg("Chữ ký gắn kèm chứng thư người ký và thời điểm ký.", "The signature embeds the signer's certificate and the signing time."), **facts)


TT15_01 = Rule(
    id="TT15-01",
    requirement=Msg(
        "Chữ ký số, chứng thư của người ký và thời điểm ký phải được gắn kèm thông điệp dữ liệu sau khi ký.",
        "The signature, the signer's certificate and the signing time must be attached to the data message after signing.",
    ),
    citations=(Citation("TT15", "5", "1", "d"), Citation("TT41", "4", "1")),
    check=check_tt15_01,
    how=Msg(
        "SignedData.certificates chứa chứng thư người ký; /M hoặc signingTime; thuộc tính signing-certificate-v2.",
        "SignedData.certificates holds the signer's certificate; /M or signingTime; the signing-certificate-v2 attribute.",
    ),
    phase="signing",
    direction="outgoing",
)


# ---- TT15-02 --------------------------------------------------------------------------------
def check_tt15_02(ev: Evidence) -> Outcome:
    sig = ev.sig
    integ = sig.integrity
    if integ is None:
        return indeterminate(Msg("Không đọc được thuật toán của chữ ký.", "The signature's algorithms could not be read."))
    used: dict[str, str | None] = {"message_digest": integ.digest_algorithm, "signature_algorithm": signature_hash(integ.signature_algorithm) or integ.digest_algorithm}
    if sig.signer is not None and not sig.signer.self_signed:
        used["signer_certificate_signature"] = sig.signer.signature_hash_algorithm
    bad = {k: v for k, v in used.items() if (v or "").lower() not in ALLOWED_HASHES}
    facts: dict[str, Any] = {"hashes": used, "allowed": sorted(ALLOWED_HASHES)}
    if bad:
        detail = ", ".join(f"{k}={(v or '?').upper()}" for k, v in bad.items())
        return failed(
            Msg(f"Hàm băm không thuộc danh mục bắt buộc (SHA-2/SHA-3): {detail}.", f"Hash function outside the mandatory list (SHA-2/SHA-3): {detail}."),
            sub_indication=SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
            **facts,
        )
    return passed(Msg(f"Hàm băm đạt chuẩn: {', '.join(sorted({(v or '').upper() for v in used.values()}))}.", f"Compliant hash functions: {', '.join(sorted({(v or '').upper() for v in used.values()}))}."), **facts)


TT15_02 = Rule(
    id="TT15-02",
    requirement=Msg(
        "Hàm băm phải thuộc SHA-256/384/512, SHA-512/224, SHA-512/256, SHA3-224/256/384/512, SHAKE128/256 (không dùng SHA-1, MD5).",
        "Hash functions must be SHA-256/384/512, SHA-512/224, SHA-512/256, SHA3-224/256/384/512 or SHAKE128/256 (no SHA-1, MD5).",
    ),
    citations=(Citation("TT15", extra=Msg("Phụ lục I mục 1.3", "Annex I item 1.3")),),
    check=check_tt15_02,
    how=Msg(
        "digestAlgorithm và thuật toán chữ ký của SignerInfo; hàm băm của chữ ký trên chứng thư người ký.",
        "The SignerInfo's digestAlgorithm and signature algorithm; the hash of the signature on the signer's certificate.",
    ),
    phase="signing",
    sub_indication=SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
)


# ---- TT15-03 --------------------------------------------------------------------------------
def check_tt15_03(ev: Evidence) -> Outcome:
    sig = ev.sig
    if sig.signer is None:
        return indeterminate(Msg("Không có chứng thư của người ký.", "No signer certificate."), sub_indication=SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
    keys: dict[str, str] = {"signer": f"{sig.signer.key_algorithm}-{sig.signer.key_size}"}
    problems: list[Msg] = []
    kp = key_problem(sig.signer)
    if kp is not None:
        problems.append(Msg(f"người ký: {kp.vi}", f"signer: {kp.en}"))
    tsa = sig.timestamp.tsa if sig.timestamp is not None else None
    if tsa is not None:
        keys["tsa"] = f"{tsa.key_algorithm}-{tsa.key_size}"
        kp = key_problem(tsa)
        if kp is not None:
            problems.append(Msg(f"TSA: {kp.vi}", f"TSA: {kp.en}"))
    if problems:
        return failed(
            Msg("Độ dài khóa không đạt (RSA ≥ 2048 bit, ECDSA ≥ 256 bit): " + join(problems).vi + ".", "Key too short (RSA ≥ 2048 bits, ECDSA ≥ 256 bits): " + join(problems).en + "."),
            sub_indication=SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
            keys=keys,
        )
    return passed(Msg(f"Độ dài khóa đạt chuẩn ({', '.join(keys.values())}).", f"Compliant key sizes ({', '.join(keys.values())})."), keys=keys)


TT15_03 = Rule(
    id="TT15-03",
    requirement=Msg("Khóa RSA tối thiểu 2048 bit; khóa ECDSA tối thiểu 256 bit.", "RSA keys of at least 2048 bits; ECDSA keys of at least 256 bits."),
    citations=(Citation("TT15", extra=Msg("Phụ lục I mục 1.2", "Annex I item 1.2")),),
    check=check_tt15_03,
    how=Msg("Khóa công khai của chứng thư người ký và của chứng thư TSA.", "Public key of the signer's certificate and of the TSA certificate."),
    phase="signing",
    sub_indication=SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
)


# ---- TT15-04 --------------------------------------------------------------------------------
def check_tt15_04(ev: Evidence) -> Outcome:
    sig = ev.sig
    if ev.report.document.format != "pdf":
        return not_applicable(Msg("Không phải chữ ký PDF.", "Not a PDF signature."))
    if sig.sub_filter is None:
        return indeterminate(Msg("Báo cáo không ghi /SubFilter (báo cáo cũ?).", "The report does not record /SubFilter (older report?)."))
    cov = sig.integrity.coverage if sig.integrity else None
    facts: dict[str, Any] = {"sub_filter": sig.sub_filter, "coverage": cov, "level": sig.level}
    problems: list[Msg] = []
    if sig.sub_filter != "/ETSI.CAdES.detached":
        problems.append(Msg(f"/SubFilter {sig.sub_filter} (không phải PAdES /ETSI.CAdES.detached)", f"/SubFilter {sig.sub_filter} (not PAdES /ETSI.CAdES.detached)"))
    elif not ({"signing_certificate_v2", "signing_certificate"} & set(sig.signed_attributes)):
        problems.append(Msg("thiếu thuộc tính signing-certificate-v2 của PAdES baseline", "the PAdES baseline signing-certificate-v2 attribute is missing"))
    if cov not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        problems.append(Msg(f"/ByteRange không bao phủ cả phiên bản ({cov})", f"/ByteRange does not cover the whole revision ({cov})"))
    if problems:
        return failed(Msg("Chữ ký PDF không theo PAdES (ETSI EN 319 142): " + join(problems).vi + ".", "The PDF signature does not follow PAdES (ETSI EN 319 142): " + join(problems).en + "."), **facts)
    return passed(Msg(f"Chữ ký PAdES baseline ({sig.level or 'B-B'}), /ByteRange bao phủ cả phiên bản.", f"PAdES baseline signature ({sig.level or 'B-B'}); /ByteRange covers the whole revision."), **facts)


TT15_04 = Rule(
    id="TT15-04",
    requirement=Msg(
        "Chữ ký trên PDF theo PAdES (ETSI EN 319 142-1 V1.2.1, 319 142-2 V1.1.1) hoặc ISO 14533-3 + ISO 32000.",
        "PDF signatures follow PAdES (ETSI EN 319 142-1 V1.2.1, 319 142-2 V1.1.1) or ISO 14533-3 + ISO 32000.",
    ),
    citations=(Citation("TT15", extra=Msg("Phụ lục I mục 1.5", "Annex I item 1.5")),),
    check=check_tt15_04,
    how=Msg(
        "/SubFilter /ETSI.CAdES.detached với signing-certificate-v2; /ByteRange bao phủ cả phiên bản trừ /Contents.",
        "/SubFilter /ETSI.CAdES.detached with signing-certificate-v2; /ByteRange covers the revision except /Contents.",
    ),
    phase="signing",
    direction="outgoing",
)


# ---- TT15-05 --------------------------------------------------------------------------------
_XADES_REQUIRED = {"signingcertificatev2|signingcertificate": Msg("SigningCertificateV2", "SigningCertificateV2"), "signingtime": Msg("SigningTime", "SigningTime")}
_CADES_REQUIRED = {
    "content_type": Msg("content-type", "content-type"),
    "message_digest": Msg("message-digest", "message-digest"),
    "signing_certificate_v2|signing_certificate": Msg("signing-certificate-v2", "signing-certificate-v2"),
    "signing_time": Msg("signing-time", "signing-time"),
}


def check_tt15_05(ev: Evidence) -> Outcome:
    fmt = ev.report.document.format
    sig = ev.sig
    if fmt == "pdf":
        return not_applicable(Msg("Chữ ký PDF (xem TT15-04).", "A PDF signature (see TT15-04)."))
    standard = "XAdES (ETSI EN 319 132-1 V1.2.1)" if fmt == "xml" else "CAdES (ETSI EN 319 122-1 V1.3.1)"
    if not sig.signed_attributes:
        return failed(
            Msg(
                f"Chữ ký không có thuộc tính được ký của {standard} (chữ ký XMLDSig/PKCS#7 thuần).",
                f"The signature has no {standard} signed properties (plain XMLDSig/PKCS#7).",
            ),
            format=fmt,
            signed_attributes=[],
        )
    norm = {a.replace("-", "_").lower() for a in sig.signed_attributes} | {a.replace("-", "").replace("_", "").lower() for a in sig.signed_attributes}
    required = _XADES_REQUIRED if fmt == "xml" else _CADES_REQUIRED
    missing = [label for keys, label in required.items() if not any(k in norm for k in keys.split("|"))]
    facts: dict[str, Any] = {"format": fmt, "signed_attributes": list(sig.signed_attributes)}
    if missing:
        names = ", ".join(m.en for m in missing)
        return failed(Msg(f"Chữ ký không theo {standard}: thiếu {names}.", f"The signature does not follow {standard}: missing {names}."), **facts)
    return passed(Msg(f"Chữ ký theo {standard} mức B.", f"The signature follows {standard} level B."), **facts)


TT15_05 = Rule(
    id="TT15-05",
    requirement=Msg(
        "Chữ ký XML theo XAdES (ETSI EN 319 132-1 V1.2.1); chữ ký CMS theo CAdES (ETSI EN 319 122-1 V1.3.1).",
        "XML signatures follow XAdES (ETSI EN 319 132-1 V1.2.1); CMS signatures follow CAdES (ETSI EN 319 122-1 V1.3.1).",
    ),
    citations=(Citation("TT15", extra=Msg("Phụ lục I mục 1.6, 1.7", "Annex I items 1.6, 1.7")), Citation("TT39", extra=Msg("mục 4.14", "item 4.14"), secondary=True)),
    check=check_tt15_05,
    how=Msg(
        "XAdES: SignedProperties có SigningTime, SigningCertificateV2; CAdES-B: content-type, message-digest, signing-certificate-v2, signing-time.",
        "XAdES: SignedProperties with SigningTime and SigningCertificateV2; CAdES-B: content-type, message-digest, signing-certificate-v2, signing-time.",
    ),
    phase="signing",
    direction="outgoing",
)


# ---- TT15-06 --------------------------------------------------------------------------------
def check_tt15_06(ev: Evidence) -> Outcome:
    sig = ev.sig
    if sig.signer is None or sig.integrity is None:
        return indeterminate(Msg("Không đọc được thuật toán của chữ ký.", "The signature's algorithm could not be read."))
    if sig.signer.key_algorithm.upper() != "RSA":
        return not_applicable(Msg(f"Khóa {sig.signer.key_algorithm}, không phải RSA.", f"{sig.signer.key_algorithm} key, not RSA."), key=sig.signer.key_algorithm)
    oid = sig.integrity.signature_algorithm_oid
    name = (sig.integrity.signature_algorithm or "").lower()
    facts: dict[str, Any] = {"signature_algorithm": sig.integrity.signature_algorithm, "oid": oid}
    if oid == OID_RSASSA_PSS or "pss" in name:
        return passed(Msg("Lược đồ RSASSA-PSS, như TT 15/2025 Phụ lục I ghi.", "RSASSA-PSS scheme, as Circular 15/2025 Annex I states."), scheme="RSASSA-PSS", **facts)
    if oid in OIDS_RSA_PKCS1V15 or (oid is None and ("rsa" in name)):
        return failed(
            Msg(
                "Lược đồ PKCS#1 v1.5 (sha256WithRSAEncryption) — lược đồ mọi CA Việt Nam thực tế đang dùng; TT 15/2025 Phụ lục I ghi RSASSA-PSS. "
                "vbsign chấp nhận cả hai khi kiểm tra; mục này chỉ để thông tin.",
                "PKCS#1 v1.5 scheme (sha256WithRSAEncryption) — what every real Vietnamese CA uses; Circular 15/2025 Annex I names RSASSA-PSS. "
                "vbsign accepts both when verifying; reported for information.",
            ),
            cap=Level.INFORM,
            scheme="RSASSA-PKCS1-v1_5",
            **facts,
        )
    return indeterminate(Msg(f"Không nhận biết được lược đồ chữ ký RSA ({oid}).", f"Unrecognised RSA signature scheme ({oid})."), cap=Level.INFORM, **facts)


TT15_06 = Rule(
    id="TT15-06",
    requirement=Msg(
        "Lược đồ chữ ký RSA: TT 15/2025 ghi RSASSA-PSS (PKCS #1 ≥ v2.1); CA thực tế dùng PKCS#1 v1.5 — báo cáo lược đồ đã dùng.",
        "RSA signature scheme: Circular 15/2025 names RSASSA-PSS (PKCS #1 ≥ v2.1); real CAs use PKCS#1 v1.5 — report the scheme used.",
    ),
    citations=(Citation("TT15", extra=Msg("Phụ lục I mục 1.2", "Annex I item 1.2")), Citation("TT39", extra=Msg("mục 4.10", "item 4.10"), secondary=True)),
    check=check_tt15_06,
    how=Msg(
        "OID thuật toán chữ ký trong SignerInfo: 1.2.840.113549.1.1.10 (PSS) hay 1.2.840.113549.1.1.11/…1.1 (v1.5).",
        "Signature algorithm OID in the SignerInfo: 1.2.840.113549.1.1.10 (PSS) vs 1.2.840.113549.1.1.11/…1.1 (v1.5).",
    ),
    phase="signing",
    strength="should",
    direction="outgoing",
)


# ---- TT15-07 --------------------------------------------------------------------------------
def check_tt15_07(ev: Evidence) -> Outcome:
    rep = ev.report
    missing: list[str] = []
    if not rep.summary("vi"):
        missing.append("summary")
    for f in rep.findings:
        if not f.message_vi.strip():
            missing.append(f"finding {f.code}")
    for s in rep.signatures:
        for f in s.findings:
            if not f.message_vi.strip():
                missing.append(f"{s.id}: finding {f.code}")
    for sf in ev.facts.signing:
        for w in sf.warnings:
            if not w.vi.strip():
                missing.append(f"signing warning: {w.en[:40]}")
        if not sf.output_available:
            missing.append("signed output not returned")
    facts: dict[str, Any] = {"missing": missing, "signing_facts": len(ev.facts.signing)}
    if missing:
        return failed(
            Msg(f"Có thông báo không có tiếng Việt hoặc thiếu kết quả: {', '.join(missing)}.", f"Some messages lack Vietnamese text or a result is missing: {', '.join(missing)}."),
            **facts,
        )
    return passed(Msg("Mọi thông báo kết quả (ký, kiểm tra chứng thư) có tiếng Việt.", "Every result message (signing, certificate check) exists in Vietnamese."), **facts)


TT15_07 = Rule(
    id="TT15-07",
    requirement=Msg(
        "Thông báo ký số thành công/không thành công và kết quả kiểm tra hiệu lực chứng thư bằng tiếng Việt; cho phép tải tệp đã ký.",
        "Notify signing success/failure and the certificate-validity result in Vietnamese; let the user download the signed file.",
    ),
    citations=(Citation("TT15", "5", "6"), Citation("TT41", "6", "1", secondary=True)),
    check=check_tt15_07,
    how=Msg("Mọi thông báo trong báo cáo và SigningFacts có bản tiếng Việt; tệp đã ký được trả về.", "Every message of the report and the SigningFacts has Vietnamese text; the signed file is returned."),
    phase="signing",
    scope="document",
)


# ---- TT15-08 --------------------------------------------------------------------------------
_REVOCATION_CODES = ("REVOCATION", "TRY_LATER", "NO_POE")


def check_tt15_08(ev: Evidence) -> Outcome:
    sig = ev.sig
    sf = ev.doc.signing_facts(sig)
    if sf is not None and not sf.revocation_checked:
        if sf.warnings:
            return passed(
                Msg("Không kiểm tra được/bỏ qua trạng thái thu hồi khi ký và người ký đã được cảnh báo.", "Revocation status was not checked at signing and the signer was warned."),
                source="signing-facts",
                warnings=[w.vi for w in sf.warnings],
            )
        return failed(
            Msg("Không kiểm tra trạng thái thu hồi khi ký mà không cảnh báo người ký.", "Revocation status was not checked at signing and the signer was not warned."),
            source="signing-facts",
        )
    rev = sig.revocation
    if rev is not None and rev.status in ("good", "revoked"):
        return not_applicable(Msg("Đã có trạng thái thu hồi; không cần cảnh báo.", "The revocation status was obtained; no warning needed."), **revocation_evidence(rev))
    warned = [f.code for f in sig.findings if f.severity.value in ("warning", "error") and any(c in f.code for c in _REVOCATION_CODES)]
    facts: dict[str, Any] = {**revocation_evidence(rev), "warnings": warned, "verdict": sig.indication.value}
    if warned and sig.indication is not Indication.TOTAL_PASSED:
        return passed(
            Msg("Không có trạng thái OCSP/CRL: báo cáo đã cảnh báo và không kết luận hợp lệ.", "No OCSP/CRL status: the report warns and does not conclude valid."),
            **facts,
        )
    return failed(
        Msg("Không có trạng thái OCSP/CRL nhưng báo cáo không cảnh báo (hoặc vẫn kết luận hợp lệ).", "No OCSP/CRL status but the report gives no warning (or still concludes valid)."),
        **facts,
    )


TT15_08 = Rule(
    id="TT15-08",
    requirement=Msg(
        "Khi không kiểm tra được trạng thái chứng thư qua OCSP/CRL, phần mềm phải hiển thị cảnh báo tương ứng.",
        "When the certificate status cannot be checked through OCSP/CRL, the software must show a corresponding warning.",
    ),
    citations=(Citation("TT15", extra=Msg("Phụ lục II mục 1.2", "Annex II item 1.2")),),
    check=check_tt15_08,
    how=Msg(
        "Trạng thái thu hồi không có → phải có cảnh báo REVOCATION_UNAVAILABLE và kết luận không phải HỢP LỆ.",
        "No revocation status → a REVOCATION_UNAVAILABLE warning and a verdict other than VALID.",
    ),
    phase="signing",
)


# ---- TT41-02 --------------------------------------------------------------------------------
def check_tt41_02(ev: Evidence) -> Outcome:
    sig = ev.sig
    expected, why = ev.doc.expected_role(sig)
    cls = ev.doc.classification(sig)
    facts: dict[str, Any] = {
        "expected_role": expected,
        "expectation_source": why.en,
        "signer_class": cls.kind,
        "classification": [r.en for r in cls.reasons],
        "classified_by": cls.source,
        "signer": cert_name(sig.signer),
    }
    if expected is None:
        return not_applicable(Msg(f"Không có vai trò kỳ vọng cho chữ ký này: {why.vi}.", f"No expected role for this signature: {why.en}."), **facts)
    if cls.kind == "unknown":
        tip = unknown_advice(ev, [sig.id])
        return indeterminate(
            Msg(
                f"Chưa xác định được chứng thư của {cert_name(sig.signer)} là của cá nhân hay cơ quan ({cls.explain('vi')}); kỳ vọng: {ROLE_TEXT[expected].vi}. {tip.vi}",
                f"Cannot tell whether {cert_name(sig.signer)}'s certificate is a person's or an organisation's ({cls.explain('en')}); expected: {ROLE_TEXT[expected].en}. {tip.en}",
            ),
            **facts,
        )
    if cls.kind != expected:
        if expected == "person":
            msg = Msg(
                f"Chữ ký của người có thẩm quyền lại dùng khóa bí mật con dấu của cơ quan ({cert_name(sig.signer)}; {cls.explain('vi')}).",
                f"The competent person's signature was made with the agency's seal key ({cert_name(sig.signer)}; {cls.explain('en')}).",
            )
        else:
            msg = Msg(
                f"Chữ ký của cơ quan lại dùng khóa bí mật cá nhân ({cert_name(sig.signer)}; {cls.explain('vi')}).",
                f"The agency's signature was made with a personal key ({cert_name(sig.signer)}; {cls.explain('en')}).",
            )
        return failed(msg, **facts)
    return passed(
        Msg(f"Đúng loại khóa: {ROLE_TEXT[expected].vi} ({cls.explain('vi')}).", f"Correct kind of key: {ROLE_TEXT[expected].en} ({cls.explain('en')})."),
        **facts,
    )


TT41_02 = Rule(
    id="TT41-02",
    requirement=Msg(
        "Người có thẩm quyền ký bằng khóa bí mật cá nhân; chữ ký của cơ quan do văn thư ký bằng khóa bí mật con dấu; ký thay, thừa lệnh bằng chứng thư cá nhân của người ký.",
        "The competent person signs with a personal key; the agency signature is applied by the clerk with the agency's seal key; signing on behalf uses the signer's own personal certificate.",
    ),
    citations=(Citation("TT41", "6", "2"), Citation("ND30", "32"), Citation("ND30", "33")),
    check=check_tt41_02,
    how=Msg(
        "Loại chủ thể của chứng thư (UID CCCD/MST, chức danh, CN = O, cấu hình) so với vai trò kỳ vọng của chữ ký.",
        "Signer type of the certificate (UID CCCD/MST, title, CN = O, configuration) against the signature's expected role.",
    ),
    phase="signing",
)


# ---- ND30-01 --------------------------------------------------------------------------------
def check_nd30_01(ev: Evidence) -> Outcome:
    doc = ev.doc
    if ev.facts.effective_kind in ("attachment", "copy"):
        return not_applicable(Msg("Văn bản kèm theo / bản sao: chỉ có chữ ký của cơ quan.", "Attachment / copy: the agency's signature only."))
    sigs = doc.signatures
    classes = {s.id: doc.classification(s).kind for s in sigs}
    orgs = [s for s in sigs if classes[s.id] == "organisation"]
    facts: dict[str, Any] = {"order": [{"id": s.id, "revision": s.revision, "class": classes[s.id], "valid": s.indication is Indication.TOTAL_PASSED} for s in sigs]}
    if not orgs:
        unknown = [sid for sid, c in classes.items() if c == "unknown"]
        if unknown:
            tip = unknown_advice(ev, unknown)
            return indeterminate(Msg(f"Chưa xác định được chữ ký nào là của cơ quan. {tip.vi}", f"Cannot tell which signature is the agency's. {tip.en}"), **facts)
        return not_applicable(Msg("Văn bản chưa có chữ ký của cơ quan.", "The document has no agency signature yet."), **facts)
    for org in orgs:
        before = [s for s in sigs if (s.revision or 0) < (org.revision or 0)]
        persons_before = [s for s in before if classes[s.id] == "person" and s.indication is Indication.TOTAL_PASSED]
        if not persons_before:
            unknown = [s.id for s in before if classes[s.id] == "unknown"]
            if unknown:
                tip = unknown_advice(ev, unknown)
                return indeterminate(
                    Msg(f"Trước chữ ký cơ quan {org.id} có chữ ký chưa xác định loại. {tip.vi}", f"Before the agency signature {org.id} there are signatures of unknown type. {tip.en}"),
                    **facts,
                )
            return failed(
                Msg(f"Cơ quan ký ({org.id}) khi chưa có chữ ký hợp lệ của người có thẩm quyền trước đó.", f"The agency signed ({org.id}) before any valid signature of the competent person."),
                **facts,
            )
    return passed(Msg("Người có thẩm quyền ký trước, cơ quan ký sau.", "The competent person signed first, the agency after."), **facts)


ND30_01 = Rule(
    id="ND30-01",
    requirement=Msg(
        "Thứ tự ký: người có thẩm quyền ký trước, sau đó văn thư ký số của cơ quan (cấp số, ngày ban hành).",
        "Order: the competent person signs first, then the clerk applies the agency signature (number and date).",
    ),
    citations=(Citation("ND30", "5", "1"), Citation("ND30", "13", secondary=True), Citation("ND30", "32")),
    check=check_nd30_01,
    how=Msg("Mỗi chữ ký cơ quan phải có chữ ký cá nhân hợp lệ ở phiên bản trước.", "Every agency signature needs a valid personal signature in an earlier revision."),
    phase="signing",
    scope="document",
    strength="should",
)


RULES: tuple[Rule, ...] = (
    ND68_01,
    ND68_02,
    ND23_01,
    TT41_01,
    ND68_03,
    TT15_01,
    TT15_02,
    TT15_03,
    TT15_04,
    TT15_05,
    TT15_06,
    TT15_07,
    TT15_08,
    TT41_02,
    ND30_01,
)
