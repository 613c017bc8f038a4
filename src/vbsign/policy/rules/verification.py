"""Verification rules VER-01 … VER-12 (legal-rules.md §9 B).

They restate, with their legal basis, what verification found — and add what a plain
cryptographic verification does not judge: which root a path must end at (VER-04, VER-11),
algorithm strength along the whole path (VER-06), person + agency signatures (VER-12), the
clerk's action on an incoming document (VER-10).
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
    Outcome,
    Rule,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from vbsign.policy.roots import HIERARCHY_TEXT, KNOWN_POLICY_OIDS
from vbsign.policy.rules._common import (
    ALLOWED_HASHES,
    cert_evidence,
    join,
    key_problem,
    revocation_evidence,
    signing_time,
    time_evidence,
    unknown_advice,
)

F, I = Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741


# ---- VER-01 ---------------------------------------------------------------------------------
def check_ver01(ev: Evidence) -> Outcome:
    integ = ev.sig.integrity
    if integ is None:
        return failed(
            Msg("Không kiểm tra được giá trị chữ ký (chữ ký không xử lý được).", "The signature value could not be checked (unprocessable signature)."),
            indication=F,
            sub_indication=SubIndication.FORMAT_FAILURE,
        )
    facts: dict[str, Any] = {"digest_algorithm": integ.digest_algorithm, "signature_algorithm": integ.signature_algorithm}
    if integ.state == "not-checked":  # never "altered" when no byte was shown changed
        return failed(
            Msg("Chưa kiểm tra được giá trị băm hoặc giá trị chữ ký (thiếu dữ liệu được ký hoặc chứng thư người ký).", "The digest or the signature value could not be checked (signed data or the signer's certificate missing)."),
            indication=I,
            sub_indication=SubIndication.SIGNED_DATA_NOT_FOUND if not integ.checked else SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
            **facts,
        )
    if not integ.intact:
        return failed(
            Msg("Giá trị băm tính lại không khớp giá trị băm trong chữ ký: nội dung đã bị thay đổi.", "The recomputed digest does not match the signed digest: the content was altered."),
            indication=F,
            sub_indication=SubIndication.HASH_FAILURE,
            **facts,
        )
    if not integ.signature_valid:
        return failed(
            Msg("Chữ ký không khớp khóa công khai của chứng thư gắn kèm.", "The signature does not verify with the attached certificate's public key."),
            indication=F,
            sub_indication=SubIndication.SIG_CRYPTO_FAILURE,
            **facts,
        )
    return passed(
        Msg("Chữ ký khớp khóa công khai của chứng thư; giá trị băm khớp.", "The signature verifies with the certificate's public key; the digest matches."),
        **facts,
    )


VER_01 = Rule(
    id="VER-01",
    requirement=Msg(
        "Chữ ký phải được tạo bởi khóa bí mật tương ứng với khóa công khai trên chứng thư gắn kèm; giá trị băm tính lại phải khớp.",
        "The signature must verify with the attached certificate's public key, and the recomputed digest must match.",
    ),
    citations=(
        Citation("TT15", "6", "1", "a, d", Msg("Phụ lục II mục 2.2, 2.4", "Annex II items 2.2, 2.4")),
        Citation("TT41", "7", secondary=True),
    ),
    check=check_ver01,
    how=Msg("Kiểm tra chữ ký CMS trên signedAttrs và messageDigest = băm(ByteRange).", "CMS signature over signedAttrs; messageDigest = hash(ByteRange)."),
    indication=F,
    sub_indication=SubIndication.SIG_CRYPTO_FAILURE,
)


# ---- VER-02 ---------------------------------------------------------------------------------
def check_ver02(ev: Evidence) -> Outcome:
    sig = ev.sig
    s = sig.signer
    if s is None:
        return indeterminate(Msg("Không tìm thấy chứng thư của người ký.", "The signer's certificate was not found."), sub_indication=SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
    t, proven = signing_time(sig)
    facts: dict[str, Any] = {**time_evidence(sig), "valid_from": iso(s.not_before), "valid_to": iso(s.not_after), **revocation_evidence(sig.revocation)}
    if t is None:
        return indeterminate(Msg("Không xác định được thời điểm ký.", "The signing time is unknown."), **facts)
    if t < s.not_before:
        return failed(
            Msg(f"Chứng thư chưa có hiệu lực tại thời điểm ký {vn_time(t)} (hiệu lực từ {vn_time(s.not_before)}).", f"The certificate was not yet valid at the signing time {vn_time(t)} (valid from {vn_time(s.not_before)})."),
            indication=F, sub_indication=SubIndication.NOT_YET_VALID, **facts,
        )
    if t > s.not_after:
        msg = Msg(f"Chứng thư đã hết hạn tại thời điểm ký {vn_time(t)} (hết hạn {vn_time(s.not_after)}).", f"The certificate had expired at the signing time {vn_time(t)} (expired {vn_time(s.not_after)}).")
        if proven:
            return failed(msg, indication=F, sub_indication=SubIndication.EXPIRED, **facts)
        return indeterminate(msg, sub_indication=SubIndication.OUT_OF_BOUNDS_NO_POE, **facts)
    rev = sig.revocation
    if rev is None or rev.status not in ("good", "revoked"):
        return indeterminate(
            Msg("Không có thông tin thu hồi (OCSP/CRL) để xác định trạng thái chứng thư tại thời điểm ký.", "No revocation information (OCSP/CRL) establishes the certificate's status at the signing time."),
            sub_indication=SubIndication.TRY_LATER, **facts,
        )
    if rev.status == "revoked":
        when = rev.revocation_time
        if when is None or when <= t:
            msg = Msg(f"Chứng thư đã bị thu hồi từ {vn_time(when)}, trước thời điểm ký.", f"The certificate was revoked on {vn_time(when)}, before the signing time.")
            if proven:
                return failed(msg, indication=F, sub_indication=SubIndication.REVOKED, **facts)
            return indeterminate(msg, sub_indication=SubIndication.REVOKED_NO_POE, **facts)
        if not proven:
            return indeterminate(
                Msg(f"Chứng thư bị thu hồi từ {vn_time(when)}; không có dấu thời gian chứng minh chữ ký được tạo trước đó.", f"The certificate was revoked on {vn_time(when)}; no timestamp proves the signature was made before."),
                sub_indication=SubIndication.REVOKED_NO_POE, **facts,
            )
        return passed(
            Msg(f"Chứng thư có hiệu lực tại thời điểm ký {vn_time(t)} (bị thu hồi sau đó, từ {vn_time(when)}).", f"The certificate was valid at the signing time {vn_time(t)} (revoked later, on {vn_time(when)})."),
            **facts,
        )
    note = Msg("", "") if proven else Msg(" (thời điểm ký do người ký khai báo)", " (signing time claimed by the signer)")
    return passed(
        Msg(f"Chứng thư còn hiệu lực và chưa bị thu hồi tại thời điểm ký {vn_time(t)}{note.vi}.", f"The certificate was valid and not revoked at the signing time {vn_time(t)}{note.en}."),
        **facts,
    )


VER_02 = Rule(
    id="VER-02",
    requirement=Msg(
        "Chứng thư của người ký phải còn hiệu lực và không bị tạm dừng, thu hồi tại thời điểm ký.",
        "The signer's certificate must be within its validity period and not suspended or revoked at the signing time.",
    ),
    citations=(
        Citation("TT41", "8", "2", secondary=True),
        Citation("TT15", extra=Msg("Phụ lục II mục 1.1, 2.3", "Annex II items 1.1, 2.3")),
        Citation("ND68", "31"),
    ),
    check=check_ver02,
    how=Msg(
        "Thời điểm ký theo dấu thời gian (nếu có), so với hạn chứng thư và thời điểm thu hồi trong OCSP/CRL.",
        "Signing time from the timestamp (if any) against the validity period and the OCSP/CRL revocation time.",
    ),
    indication=F,
    sub_indication=SubIndication.REVOKED,
)


# ---- VER-03 ---------------------------------------------------------------------------------
def check_ver03(ev: Evidence) -> Outcome:
    rev = ev.sig.revocation
    facts: dict[str, Any] = revocation_evidence(rev)
    if rev is not None and rev.status in ("good", "revoked"):
        src = {"embedded": Msg("nhúng trong tệp", "embedded in the file"), "online": Msg("tra cứu trực tuyến", "fetched online"), "embedded+online": Msg("nhúng và trực tuyến", "embedded and online")}.get(rev.source, Msg(rev.source, rev.source))
        return passed(
            Msg(f"Đã xác định trạng thái chứng thư từ OCSP/CRL ({src.vi}: {rev.ocsp_responses} OCSP, {rev.crls} CRL).", f"The certificate status was established from OCSP/CRL ({src.en}: {rev.ocsp_responses} OCSP, {rev.crls} CRL)."),
            **facts,
        )
    return indeterminate(
        Msg("Không có dữ liệu OCSP/CRL hợp lệ cho thời điểm ký; phải cảnh báo và chưa thể kết luận.", "No valid OCSP/CRL data for the signing time; warn and draw no conclusion."),
        sub_indication=SubIndication.TRY_LATER,
        **facts,
    )


VER_03 = Rule(
    id="VER-03",
    requirement=Msg(
        "Trạng thái chứng thư phải được kiểm tra qua CRL công bố tại thời điểm ký hoặc OCSP trực tuyến.",
        "The certificate status must be checked with the CRL published at the signing time or online OCSP.",
    ),
    citations=(
        Citation("TT41", "8", "1", "a", secondary=True),
        Citation("TT15", extra=Msg("Phụ lục II mục 1.2", "Annex II item 1.2")),
    ),
    check=check_ver03,
    how=Msg(
        "Dữ liệu thu hồi nhúng (DSS, thuộc tính CMS) hoặc tra cứu trực tuyến; pyhanko-certvalidator kiểm tra khoảng hiệu lực của dữ liệu so với thời điểm kiểm tra.",
        "Embedded revocation data (DSS, CMS attribute) or online fetching; pyhanko-certvalidator checks the data's validity window against the validation time.",
    ),
    sub_indication=SubIndication.TRY_LATER,
)


# ---- VER-04 / VER-11: where the path ends --------------------------------------------------
def _anchor_outcome(ev: Evidence, accepted: frozenset[str], rule_label: Msg) -> Outcome:
    sig = ev.sig
    if not sig.chain:
        return indeterminate(
            Msg("Không xây dựng được đường dẫn tin cậy tới chứng thư gốc đã cấu hình (thiếu chứng thư gốc trong kho tin cậy?).", "No certification path to a configured trust anchor (root missing from the trust store?)."),
            sub_indication=SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
        )
    top = sig.chain[-1]
    entry = ev.doc.anchor(sig)
    wanted_vi = " hoặc ".join(HIERARCHY_TEXT[h].vi for h in sorted(accepted))
    wanted_en = " or ".join(HIERARCHY_TEXT[h].en for h in sorted(accepted))
    facts: dict[str, Any] = {"anchor": cert_name(top), "anchor_sha256": top.sha256_fingerprint, "accepted": sorted(accepted), "path_length": len(sig.chain)}
    if entry is None:
        return failed(
            Msg(f"Đường dẫn kết thúc tại '{cert_name(top)}', không phải chứng thư gốc chính thức {wanted_vi} (có thể khai báo trong mục [anchors] của tệp chính sách).", f"The path ends at '{cert_name(top)}', not an official {wanted_en} root (it can be declared in the policy file's [anchors])."),
            sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
            **facts,
        )
    facts.update(hierarchy=entry.hierarchy, official=entry.official, anchor_role=entry.role, configured_by=None if entry.official else entry.source)
    origin = Msg("chính thức", "official") if entry.official else Msg(f"được cấu hình bởi {entry.source} — KHÔNG phải chứng thư gốc chính thức", f"configured by {entry.source} — NOT an official root")
    if entry.hierarchy not in accepted:
        return failed(
            Msg(f"{rule_label.vi}: đường dẫn kết thúc tại {entry.name} (hệ thống {HIERARCHY_TEXT[entry.hierarchy].vi}); yêu cầu {wanted_vi}.", f"{rule_label.en}: the path ends at {entry.name} ({HIERARCHY_TEXT[entry.hierarchy].en} hierarchy); required: {wanted_en}."),
            sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
            **facts,
        )
    return passed(
        Msg(f"Đường dẫn kết thúc tại {entry.name} ({HIERARCHY_TEXT[entry.hierarchy].vi}; {origin.vi}).", f"The path ends at {entry.name} ({HIERARCHY_TEXT[entry.hierarchy].en}; {origin.en})."),
        **facts,
    )


def check_ver04(ev: Evidence) -> Outcome:
    return _anchor_outcome(ev, ev.policy.anchor_hierarchies, Msg("Sai chứng thư gốc", "Wrong root"))


VER_04 = Rule(
    id="VER-04",
    requirement=Msg(
        "Đường dẫn chứng thực phải tới chứng thư gốc tin cậy của hồ sơ: CDCV → RootCA chuyên dùng Chính phủ; công cộng → Vietnam National Root CA.",
        "The certification path must reach the profile's trusted root: CDCV → the VGCA government root; public → the Vietnam National Root CA.",
    ),
    citations=(
        Citation("TT41", "8", "1", "b", secondary=True),
        Citation("TT15", "6", "1", "b"),
        Citation("ND68", "32"),
        Citation("LGDDT", "22", "3", "đ"),
    ),
    check=check_ver04,
    how=Msg(
        "Dấu vân tay SHA-256 của chứng thư cuối đường dẫn so với danh sách gốc chính thức (và gốc khai báo trong tệp chính sách).",
        "SHA-256 fingerprint of the path's last certificate against the official roots (and roots declared in the policy file).",
    ),
    sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
)


def check_ver11(ev: Evidence) -> Outcome:
    return _anchor_outcome(ev, frozenset({"cdcv"}), Msg("Không phải chữ ký số chuyên dùng công vụ", "Not an official-duty (CDCV) signature"))


VER_11 = Rule(
    id="VER-11",
    requirement=Msg(
        "Văn bản công vụ phải được ký bằng chữ ký số chuyên dùng công vụ (chứng thư do Ban Cơ yếu Chính phủ cấp), không phải chứng thư CA công cộng.",
        "Official documents must carry an official-duty (CDCV) signature backed by a VGCA certificate, not a public-CA certificate.",
    ),
    citations=(Citation("LGDDT", "22", "3", "đ"), Citation("ND68", "32")),
    check=check_ver11,
    how=Msg("Đường dẫn phải kết thúc tại gốc hệ thống CDCV (G2 hoặc G1).", "The path must end at a CDCV-hierarchy root (G2 or G1)."),
    sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
)


# ---- VER-05 ---------------------------------------------------------------------------------
def check_ver05(ev: Evidence) -> Outcome:
    s = ev.sig.signer
    if s is None:
        return indeterminate(Msg("Không có chứng thư của người ký.", "No signer certificate."), sub_indication=SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
    facts: dict[str, Any] = {"key_usage": list(s.key_usage), "extended_key_usage": list(s.extended_key_usage), "policies": list(s.policies), "is_ca": s.is_ca}
    problems: list[Msg] = []
    if s.is_ca:
        problems.append(Msg("là chứng thư của CA", "is a CA certificate"))
    if s.key_usage and not ({"digital_signature", "non_repudiation"} & set(s.key_usage)):
        problems.append(Msg(f"Key Usage ({', '.join(s.key_usage)}) không có digitalSignature/nonRepudiation", f"Key Usage ({', '.join(s.key_usage)}) lacks digitalSignature/nonRepudiation"))
    if problems:
        return failed(
            Msg("Chứng thư được dùng ngoài phạm vi: " + join(problems).vi + ".", "The certificate is used outside its scope: " + join(problems).en + "."),
            sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
            **facts,
        )
    known = [KNOWN_POLICY_OIDS[o] for o in s.policies if o in KNOWN_POLICY_OIDS]
    extra = Msg("; chính sách: " + ", ".join(k.vi for k in known), "; policy: " + ", ".join(k.en for k in known)) if known else Msg("", "")
    return passed(
        Msg(f"Chứng thư dùng để ký (Key Usage phù hợp, không phải CA){extra.vi}.", f"A signing certificate (suitable Key Usage, not a CA){extra.en}."),
        **facts,
    )


VER_05 = Rule(
    id="VER-05",
    requirement=Msg(
        "Chứng thư phải được dùng đúng phạm vi, mục đích (Key Usage có digitalSignature hoặc nonRepudiation; không phải chứng thư CA).",
        "The certificate must be used within its scope and purpose (Key Usage digitalSignature or nonRepudiation; not a CA certificate).",
    ),
    citations=(Citation("TT41", "8", "2", "b", secondary=True), Citation("TT15", extra=Msg("Phụ lục II mục 1.4, 1.5", "Annex II items 1.4, 1.5"))),
    check=check_ver05,
    how=Msg("Key Usage, Basic Constraints và chính sách chứng thư của chứng thư người ký.", "Key Usage, Basic Constraints and certificate policies of the signer's certificate."),
    sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
)


# ---- VER-06 ---------------------------------------------------------------------------------
def check_ver06(ev: Evidence) -> Outcome:
    sig = ev.sig
    certs = list(sig.chain) or ([sig.signer] if sig.signer else [])
    if not certs:
        return indeterminate(Msg("Không có chứng thư để kiểm tra.", "No certificate to check."), sub_indication=SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
    problems: list[Msg] = []
    checked: list[dict[str, Any]] = []
    for i, c in enumerate(certs):
        is_anchor = bool(sig.chain) and i == len(certs) - 1
        entry = cert_evidence_row(c, is_anchor)
        kp = key_problem(c)
        if kp is not None:
            problems.append(Msg(f"{cert_name(c)}: {kp.vi}", f"{cert_name(c)}: {kp.en}"))
            entry["problem"] = kp.en
        h = (c.signature_hash_algorithm or "").lower()
        if is_anchor:
            entry["note"] = "the trust anchor's own signature is not relied upon"
        elif h not in ALLOWED_HASHES:
            label = h.upper() or "?"
            problems.append(Msg(f"{cert_name(c)}: chữ ký chứng thư dùng {label}", f"{cert_name(c)}: certificate signed with {label}"))
            entry["problem"] = f"signature hash {label}"
        checked.append(entry)
    if problems:
        return failed(
            Msg("Thuật toán trên chứng thư không đạt chuẩn bắt buộc: " + join(problems).vi + ".", "Certificate algorithms do not meet the mandatory standards: " + join(problems).en + "."),
            sub_indication=SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
            certificates=checked,
        )
    return passed(
        Msg(f"{len(certs)} chứng thư trên đường dẫn dùng khóa và hàm băm đạt chuẩn (RSA ≥ 2048, EC ≥ 256, SHA-2/SHA-3).", f"The {len(certs)} certificate(s) of the path use compliant keys and hashes (RSA ≥ 2048, EC ≥ 256, SHA-2/SHA-3)."),
        certificates=checked,
    )


def cert_evidence_row(c: Any, is_anchor: bool) -> dict[str, Any]:
    row = cert_evidence(c)
    row["trust_anchor"] = is_anchor
    return row


VER_06 = Rule(
    id="VER-06",
    requirement=Msg(
        "Thuật toán trên các chứng thư phải theo tiêu chuẩn bắt buộc (RSA ≥ 2048 bit, ECDSA ≥ 256 bit, hàm băm SHA-2/SHA-3; không SHA-1).",
        "Algorithms on the certificates must follow the mandatory standards (RSA ≥ 2048 bits, ECDSA ≥ 256 bits, SHA-2/SHA-3 hashes; no SHA-1).",
    ),
    citations=(Citation("TT15", extra=Msg("Phụ lục II mục 1.3; Phụ lục I mục 1.2, 1.3", "Annex II item 1.3; Annex I items 1.2, 1.3")),),
    check=check_ver06,
    how=Msg(
        "Kích thước khóa và hàm băm chữ ký của mọi chứng thư trên đường dẫn (trừ chữ ký tự ký của chứng thư gốc).",
        "Key size and signature hash of every certificate of the path (except the trust anchor's self-signature).",
    ),
    sub_indication=SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
)


# ---- VER-07 ---------------------------------------------------------------------------------
def check_ver07(ev: Evidence) -> Outcome:
    ts = ev.sig.timestamp
    if ts is None:
        return not_applicable(Msg("Chữ ký không gắn dấu thời gian.", "The signature carries no timestamp."))
    facts: dict[str, Any] = {"time": iso(ts.time), "time_vn": vn_time(ts.time), "tsa": cert_name(ts.tsa), "intact": ts.intact, "valid": ts.valid, "trusted": ts.trusted, "hash": ts.hash_algorithm}
    problems: list[Msg] = []
    if not (ts.intact and ts.valid):
        problems.append(Msg("dấu thời gian không toàn vẹn hoặc chữ ký TSA không hợp lệ", "the timestamp is not intact or the TSA signature is invalid"))
    elif not ts.trusted:
        problems.append(Msg("chứng thư của đơn vị cấp dấu thời gian không được tin cậy", "the timestamp authority's certificate is not trusted"))
    if ts.hash_algorithm and ts.hash_algorithm.lower() not in ALLOWED_HASHES:
        problems.append(Msg(f"hàm băm {ts.hash_algorithm}", f"hash {ts.hash_algorithm}"))
    if ts.tsa is not None and ts.tsa.extended_key_usage and "time_stamping" not in ts.tsa.extended_key_usage:
        problems.append(Msg("chứng thư TSA không có EKU timeStamping", "the TSA certificate lacks the timeStamping EKU"))
    if problems:
        return failed(Msg("Dấu thời gian không hợp lệ: " + join(problems).vi + ".", "Invalid timestamp: " + join(problems).en + "."), **facts)
    return passed(Msg(f"Dấu thời gian hợp lệ ({vn_time(ts.time)}, {cert_name(ts.tsa)}).", f"Valid timestamp ({vn_time(ts.time)}, {cert_name(ts.tsa)})."), **facts)


VER_07 = Rule(
    id="VER-07",
    requirement=Msg("Nếu chữ ký có gắn dấu thời gian thì dấu thời gian phải hợp lệ.", "If a timestamp is attached to the signature it must be valid."),
    citations=(Citation("TT15", "6", "1", "g"), Citation("LGDDT", "31")),
    check=check_ver07,
    how=Msg("Chữ ký TSA, đường dẫn tin cậy, EKU timeStamping, messageImprint, hàm băm.", "TSA signature, trust path, timeStamping EKU, messageImprint, hash algorithm."),
)


# ---- VER-08 ---------------------------------------------------------------------------------
def check_ver08(ev: Evidence) -> Outcome:
    sig = ev.sig
    s = sig.signer
    missing: list[str] = []
    if s is None:
        missing += ["signer", "issuer", "validity_period"]
    if sig.signing_time is None:
        missing.append("signing_time")
    if sig.integrity is None:
        missing.append("integrity")
    if not ev.report.summary("vi"):
        missing.append("verdict_vi")
    unit = None
    if s is not None:
        unit = s.subject_fields.get("organizational_unit_name") or s.subject_fields.get("organization_name")
    facts: dict[str, Any] = {
        "issuer": (s.issuer_common_name or s.issuer) if s else None,
        "signer": cert_name(s) if s else None,
        "unit": unit,
        "signing_time": iso(sig.signing_time),
        "integrity": None if sig.integrity is None else bool(sig.integrity.intact and sig.integrity.signature_valid),
        "valid_at_signing_time": sig.indication is Indication.TOTAL_PASSED,
        "validity_period": [iso(s.not_before), iso(s.not_after)] if s else None,
        "missing": missing,
    }
    if missing:
        return failed(
            Msg(f"Báo cáo thiếu thông tin bắt buộc phải hiển thị: {', '.join(missing)}.", f"The report lacks information that must be displayed: {', '.join(missing)}."),
            **facts,
        )
    note = Msg("", "") if unit else Msg(" (chứng thư không ghi đơn vị)", " (the certificate names no unit)")
    return passed(
        Msg(f"Báo cáo tiếng Việt có đủ: tổ chức cấp, người ký, đơn vị, thời điểm ký, toàn vẹn, hiệu lực tại thời điểm ký, thời hạn chứng thư{note.vi}.", f"The Vietnamese report shows the issuer, signer, unit, signing time, integrity, validity at signing time and validity period{note.en}."),
        **facts,
    )


VER_08 = Rule(
    id="VER-08",
    requirement=Msg(
        "Kết quả kiểm tra phải được thông báo bằng tiếng Việt, với tối thiểu: tổ chức cấp chứng thư, người ký, đơn vị quản lý, thời điểm ký/dấu thời gian, tính toàn vẹn, hiệu lực tại thời điểm ký, thời hạn chứng thư.",
        "The result must be shown in Vietnamese with at least: issuing CA, signer, managing unit, signing time/timestamp, integrity, validity at signing time, certificate validity period.",
    ),
    citations=(Citation("TT15", "6", "4"),),
    check=check_ver08,
    how=Msg("Các trường tương ứng của báo cáo (JSON và văn bản tiếng Việt).", "The corresponding report fields (JSON and Vietnamese text)."),
)


# ---- VER-09 ---------------------------------------------------------------------------------
def check_ver09(ev: Evidence) -> Outcome:
    sig = ev.sig
    integ = sig.integrity
    mod = sig.modification
    if integ is None or mod is None:
        return indeterminate(Msg("Không phân tích được các thay đổi sau khi ký.", "Changes after signing could not be analysed."), sub_indication=SubIndication.FORMAT_FAILURE)
    facts: dict[str, Any] = {"coverage": integ.coverage, "modification_level": mod.level, "docmdp_ok": mod.docmdp_ok, "revisions_after": mod.revisions_after, "byte_range": list(integ.byte_range)}
    if integ.coverage not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        return failed(
            Msg(f"Vùng ký không bao phủ toàn bộ phiên bản tài liệu ({integ.coverage}).", f"The signed byte range does not cover the whole revision ({integ.coverage})."),
            indication=F, sub_indication=SubIndication.FORMAT_FAILURE, **facts,
        )
    if mod.level == "OTHER" or mod.docmdp_ok is False:
        return failed(
            Msg("Tài liệu bị thay đổi sau khi ký theo cách không được phép.", "The document was changed after signing in a way that is not allowed."),
            indication=F, sub_indication=SubIndication.FORMAT_FAILURE, **facts,
        )
    if mod.level is None and mod.revisions_after:
        return indeterminate(Msg("Có thay đổi sau khi ký nhưng không phân loại được.", "There are changes after signing that could not be classified."), sub_indication=SubIndication.FORMAT_FAILURE, **facts)
    if mod.revisions_after == 0:
        return passed(Msg("Không có thay đổi nào sau khi ký.", "No change after signing."), **facts)
    return passed(
        Msg(f"{mod.revisions_after} phiên bản sau chữ ký chỉ chứa thay đổi được phép ({mod.level}).", f"The {mod.revisions_after} revision(s) after the signature contain only allowed changes ({mod.level})."),
        **facts,
    )


VER_09 = Rule(
    id="VER-09",
    requirement=Msg("Mọi thay đổi đối với văn bản sau thời điểm ký đều phải phát hiện được.", "Any change to the document after signing must be detectable."),
    citations=(Citation("LGDDT", "22", "3", "d"), Citation("TT41", "4", "2")),
    check=check_ver09,
    how=Msg(
        "Vùng ký (/ByteRange) và phân tích thay đổi từng phiên bản (mặc định từ chối mọi thay đổi không thuộc loại cho phép).",
        "Signed byte range and per-revision change analysis (reject-by-default).",
    ),
    indication=F,
    sub_indication=SubIndication.FORMAT_FAILURE,
)


# ---- VER-10 ---------------------------------------------------------------------------------
def check_ver10(ev: Evidence) -> Outcome:
    if ev.facts.direction != "incoming":
        return not_applicable(Msg("Chỉ áp dụng cho văn bản đến (direction = incoming).", "Applies to incoming documents only (direction = incoming)."))
    ind = ev.report.indication
    facts: dict[str, Any] = {"verification": ind.value}
    if ind is Indication.TOTAL_PASSED:
        return passed(Msg("Văn bản đến xác thực và toàn vẹn: tiếp nhận.", "Incoming document authentic and intact: accept."), action="accept", **facts)
    if ind is Indication.INDETERMINATE:
        return indeterminate(
            Msg("Chưa xác định được tính xác thực, toàn vẹn: tạm dừng tiếp nhận, báo người có trách nhiệm.", "Authenticity/integrity undetermined: hold the document and notify the responsible person."),
            sub_indication=ev.report.sub_indication,
            action="hold",
            **facts,
        )
    return failed(
        Msg("Văn bản đến không xác thực hoặc không toàn vẹn: trả lại nơi gửi trên Hệ thống và thông báo (NĐ 30/2020 Đ21 k2).", "The incoming document is not authentic or not intact: return it to the sender through the system and notify them (Decree 30/2020 Art. 21(2))."),
        indication=F if ind is Indication.TOTAL_FAILED else None,
        sub_indication=ev.report.sub_indication,
        action="return-to-sender",
        **facts,
    )


VER_10 = Rule(
    id="VER-10",
    requirement=Msg(
        "Văn thư phải kiểm tra tính xác thực, toàn vẹn của văn bản đến trước khi tiếp nhận; không đạt thì trả lại nơi gửi.",
        "The clerk must check an incoming document's authenticity and integrity before registering it, and return it to the sender if it fails.",
    ),
    citations=(Citation("ND30", "21", "2"), Citation("QD28", "9", secondary=True)),
    check=check_ver10,
    how=Msg("Kết luận kiểm tra → hành động: accept / hold / return-to-sender.", "Verification verdict → action: accept / hold / return-to-sender."),
    scope="document",
    indication=F,
    sub_indication=SubIndication.SIG_CONSTRAINTS_FAILURE,
    direction="incoming",
)


# ---- VER-12 ---------------------------------------------------------------------------------
def check_ver12(ev: Evidence) -> Outcome:
    doc = ev.doc
    kind = ev.facts.effective_kind
    required = ["organisation"] if kind in ("attachment", "copy") else ["person", "organisation"]
    valid = [s for s in doc.signatures if s.indication is Indication.TOTAL_PASSED]
    found: dict[str, list[str]] = {"person": [], "organisation": [], "unknown": []}
    for s in valid:
        found[doc.classification(s).kind].append(s.id)
    facts: dict[str, Any] = {"document_kind": kind, "required": required, "valid_signatures": {k: v for k, v in found.items()}}
    missing = [r for r in required if not found[r]]
    if not missing:
        return passed(
            Msg("Có đủ chữ ký số hợp lệ: " + ", ".join(ROLE_TEXT[r].vi for r in required) + ".", "All required valid signatures are present: " + ", ".join(ROLE_TEXT[r].en for r in required) + "."),
            **facts,
        )
    msg = Msg(
        "Thiếu chữ ký số hợp lệ của " + ", ".join(ROLE_TEXT[r].vi for r in missing) + " (văn bản chỉ có giá trị pháp lý như bản gốc khi có đủ chữ ký của người có thẩm quyền và của cơ quan).",
        "Missing a valid signature of the " + ", ".join(ROLE_TEXT[r].en for r in missing) + " (legal value as an original needs both the competent person's and the agency's signatures).",
    )
    if found["unknown"]:
        tip = unknown_advice(ev, found["unknown"])
        return indeterminate(
            Msg(
                msg.vi + f" Các chữ ký {', '.join(found['unknown'])} chưa xác định được là của cá nhân hay cơ quan. {tip.vi}",
                msg.en + f" Signature(s) {', '.join(found['unknown'])} could not be classified as person or organisation. {tip.en}",
            ),
            **facts,
        )
    return failed(msg, **facts)


VER_12 = Rule(
    id="VER-12",
    requirement=Msg(
        "Văn bản điện tử có giá trị pháp lý như bản gốc khi được ký số bởi người có thẩm quyền và ký số của cơ quan, tổ chức.",
        "An e-document has the legal value of the original when signed by both the competent person and the agency.",
    ),
    citations=(Citation("ND30", "5", "1"),),
    check=check_ver12,
    how=Msg(
        "Đếm chữ ký hợp lệ theo loại chủ thể (cá nhân / cơ quan); văn bản kèm theo, bản sao: chỉ cần chữ ký cơ quan.",
        "Count valid signatures by signer type (person / organisation); attachments and copies: agency signature only.",
    ),
    scope="document",
)


RULES: tuple[Rule, ...] = (VER_01, VER_02, VER_03, VER_04, VER_05, VER_06, VER_07, VER_08, VER_09, VER_10, VER_11, VER_12)
