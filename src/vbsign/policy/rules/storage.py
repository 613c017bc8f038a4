"""Storage rules (legal-rules.md §9 C): does this file / evidence bundle contain what must be kept?

An item counts when it is in the file (PAdES B-LT keeps the signer's certificate and the
OCSP/CRL in the file; a document timestamp proves a time of receipt) or when the host
declares it stored next to the file (:class:`~vbsign.policy.facts.EvidenceBundle`). The
CA's certification practice statement (CPS) cannot be in a PDF signature: without a
bundle it is reported as "not checkable from the file", never as present.

TT41-05 (accompanying information is destroyed together with the document, by software,
without affecting other documents) is a property of the host's storage, not of a file —
see ``docs/policy.rst`` for how vbsign supports it (per-document evidence, no shared
mutable blobs).
"""

from __future__ import annotations

from typing import Any

from vbsign._core.i18n import Msg
from vbsign._core.timefmt import vn_time
from vbsign.model.report import Indication, SignatureReport
from vbsign.policy.context import Evidence
from vbsign.policy.model import Citation, Outcome, Rule, failed, not_applicable, passed
from vbsign.policy.rules._common import embedded, join, valid_timestamp


def _responsibility(sig: SignatureReport) -> str | None:
    """Information on the signer's responsibility: title / organisation / role / reason."""
    s = sig.signer
    if "signer_attributes_v2" in sig.signed_attributes or "signer_attributes" in sig.signed_attributes:
        return "signer-attributes"
    if s is not None and s.subject_fields.get("title"):
        return f"title: {s.subject_fields['title']}"
    if s is not None and s.subject_fields.get("organization_name"):
        # the real certificates name the body (O) and the unit (OU) the signer answers for
        units = [s.subject_fields["organization_name"], *(s.subject_fields.get("organizational_unit_name") or "").split("; ")]
        return "organisation: " + ", ".join(u for u in units if u)
    if sig.reason:
        return f"reason: {sig.reason}"
    return None


def _cps(ev: Evidence, sig: SignatureReport) -> tuple[str, Msg | None]:
    """('ok'|'missing'|'unchecked'|'none', problem)."""
    urls = list(sig.signer.cps_urls) if sig.signer else []
    bundle = ev.facts.bundle
    if bundle is None:
        return "unchecked", None
    if not urls:
        return "none", None
    if any(u in bundle.cps_copies for u in urls):
        return "ok", None
    return "missing", Msg(f"bản sao quy chế chứng thực (CPS) {urls[0]}", f"a copy of the CPS {urls[0]}")


def _common_items(ev: Evidence, sig: SignatureReport) -> tuple[dict[str, Any], list[Msg]]:
    bundle = ev.facts.bundle
    items: dict[str, Any] = {}
    missing: list[Msg] = []
    cert_ok = bool(sig.signer_certificate_embedded) or bool(bundle and bundle.certificates_stored)
    items["signer_certificate"] = cert_ok
    if not cert_ok:
        missing.append(Msg("chứng thư của người ký", "the signer's certificate"))
    rev_ok = embedded(sig.revocation) or bool(bundle and bundle.revocation_data_stored)
    items["revocation_data"] = rev_ok
    if not rev_ok:
        missing.append(Msg("danh sách thu hồi (CRL/OCSP) tại thời điểm ký", "the revocation list (CRL/OCSP) at the signing time"))
    cps_state, cps_problem = _cps(ev, sig)
    items["cps"] = cps_state
    if cps_problem is not None:
        missing.append(cps_problem)
    resp = _responsibility(sig)
    items["signer_responsibility"] = resp
    if resp is None:
        missing.append(Msg("thông tin về trách nhiệm của người ký (chức danh, cơ quan)", "information on the signer's responsibility (title, organisation)"))
    return items, missing


def _storage_outcome(ev: Evidence, items: dict[str, Any], missing: list[Msg], what: Msg) -> Outcome:
    note = Msg("", "")
    if items.get("cps") == "unchecked":
        note = Msg(
            " Quy chế chứng thực (CPS) không nằm trong tệp: lưu bản sao kèm văn bản (EvidenceBundle.cps_copies).",
            " The CPS is not in the file: keep a copy with the document (EvidenceBundle.cps_copies).",
        )
    if missing:
        return failed(
            Msg(f"{what.vi} thiếu: " + join(missing).vi + "." + note.vi, f"{what.en} lacks: " + join(missing).en + "." + note.en),
            items=items,
        )
    return passed(Msg(f"{what.vi} có đủ thông tin phải lưu." + note.vi, f"{what.en} holds everything that must be kept." + note.en), items=items)


# ---- TT41-03 --------------------------------------------------------------------------------
def check_tt41_03(ev: Evidence) -> Outcome:
    if ev.facts.direction == "incoming":
        return not_applicable(Msg("Văn bản đến: xem TT41-04.", "Incoming document: see TT41-04."))
    sig = ev.sig
    items, missing = _common_items(ev, sig)
    items["timestamp_at_signing"] = valid_timestamp(sig)
    if not items["timestamp_at_signing"]:
        missing.append(Msg("dấu thời gian hợp lệ vào thời điểm ký", "a valid timestamp at the signing time"))
    return _storage_outcome(ev, items, missing, Msg("Văn bản đi (tệp và hồ sơ kèm theo)", "The outgoing document (file and bundle)"))


TT41_03 = Rule(
    id="TT41-03",
    requirement=Msg(
        "Văn bản đi phải lưu kèm: chứng thư người ký tại thời điểm ký; CRL tại thời điểm ký; quy chế chứng thực tại thời điểm ký; thông tin trách nhiệm người ký; dấu thời gian hợp lệ vào thời điểm ký.",
        "Outgoing documents are stored with: the signer's certificate at signing time; the CRL at signing time; the CA's CPS at signing time; the signer's responsibility information; a valid timestamp at signing time.",
    ),
    citations=(Citation("TT41", "9", "1", "a"),),
    check=check_tt41_03,
    how=Msg(
        "Trong tệp: chứng thư trong CMS, OCSP/CRL nhúng (B-LT), dấu thời gian chữ ký, chức danh/cơ quan; CPS: hồ sơ kèm theo (EvidenceBundle).",
        "In the file: certificate in the CMS, embedded OCSP/CRL (B-LT), signature timestamp, title/organisation; CPS: the evidence bundle.",
    ),
    phase="storage",
    direction="outgoing",
)


# ---- TT41-04 --------------------------------------------------------------------------------
def check_tt41_04(ev: Evidence) -> Outcome:
    if ev.facts.direction != "incoming":
        return not_applicable(Msg("Chỉ áp dụng cho văn bản đến (direction = incoming).", "Applies to incoming documents only (direction = incoming)."))
    sig = ev.sig
    items, missing = _common_items(ev, sig)
    later = [
        d
        for d in ev.doc.document_timestamps
        if d.indication is Indication.TOTAL_PASSED and d.revision is not None and sig.revision is not None and d.revision > sig.revision
    ]
    bundle = ev.facts.bundle
    receipt = None
    if later and later[0].signing_time is not None:
        receipt = later[0].signing_time
        items["receipt_timestamp"] = {"source": "document-timestamp", "time": receipt.isoformat()}
    elif bundle is not None and bundle.receipt_timestamp is not None:
        receipt = bundle.receipt_timestamp
        items["receipt_timestamp"] = {"source": "bundle", "time": receipt.isoformat()}
    else:
        items["receipt_timestamp"] = None
        missing.append(Msg("dấu thời gian hợp lệ vào thời điểm nhận (dấu thời gian tài liệu, PAdES B-LTA)", "a valid timestamp at the time of receipt (document timestamp, PAdES B-LTA)"))
    if receipt is not None and sig.signing_time is not None and receipt < sig.signing_time:
        missing.append(Msg(f"dấu thời gian nhận ({vn_time(receipt)}) sớm hơn thời điểm ký", f"the receipt timestamp ({vn_time(receipt)}) precedes the signing time"))
    return _storage_outcome(ev, items, missing, Msg("Văn bản đến (tệp và hồ sơ kèm theo)", "The incoming document (file and bundle)"))


TT41_04 = Rule(
    id="TT41-04",
    requirement=Msg(
        "Văn bản đến phải lưu kèm: các chứng thư của chữ ký; CRL tại thời điểm ký; quy chế chứng thực; thông tin trách nhiệm người ký; dấu thời gian hợp lệ vào thời điểm nhận.",
        "Incoming documents are stored with: the signatures' certificates; the CRL at signing time; the CPS; the signer's responsibility information; a valid timestamp at the time of receipt.",
    ),
    citations=(Citation("TT41", "9", "1", "b"),),
    check=check_tt41_04,
    how=Msg(
        "Như TT41-03, với dấu thời gian tài liệu (DocTimeStamp) thêm khi nhận, hoặc mốc thời gian nhận của hệ thống (EvidenceBundle).",
        "As TT41-03, with a document timestamp (DocTimeStamp) added on receipt, or the system's receipt time label (EvidenceBundle).",
    ),
    phase="storage",
    direction="incoming",
)


# ---- TT15-09 --------------------------------------------------------------------------------
def check_tt15_09(ev: Evidence) -> Outcome:
    sig = ev.sig
    bundle = ev.facts.bundle
    items: dict[str, Any] = {
        "signer_certificate": bool(sig.signer_certificate_embedded) or bool(bundle and bundle.certificates_stored),
        "revocation_data": embedded(sig.revocation) or bool(bundle and bundle.revocation_data_stored),
        "status_check_result": embedded(sig.revocation) or bool(bundle and bundle.validation_report_stored),
    }
    labels = {
        "signer_certificate": Msg("chứng thư người ký tại thời điểm ký", "the signer's certificate at signing time"),
        "revocation_data": Msg("CRL/OCSP tại thời điểm ký", "the CRL/OCSP at signing time"),
        "status_check_result": Msg("kết quả kiểm tra trạng thái chứng thư", "the certificate status check result"),
    }
    missing = [labels[k] for k, v in items.items() if not v]
    if missing:
        return failed(
            Msg(
                "Tệp và hồ sơ kèm theo thiếu: " + join(missing).vi + ". Nhúng dữ liệu kiểm tra (PAdES B-LT) hoặc lưu báo cáo JSON và OCSP/CRL kèm văn bản.",
                "The file and bundle lack: " + join(missing).en + ". Embed validation data (PAdES B-LT) or keep the JSON report and the OCSP/CRL with the document.",
            ),
            items=items,
        )
    return passed(Msg("Có đủ chứng thư, CRL/OCSP và kết quả kiểm tra trạng thái để lưu trữ.", "The certificate, CRL/OCSP and status check result are available for storage."), items=items)


TT15_09 = Rule(
    id="TT15-09",
    requirement=Msg(
        "Lưu trữ (và hủy được) thông tin kèm theo: chứng thư người ký tại thời điểm ký, CRL tại thời điểm ký, kết quả kiểm tra trạng thái chứng thư.",
        "Store (and be able to delete) the accompanying information: the signer's certificate at signing time, the CRL at signing time, the certificate status check result.",
    ),
    citations=(Citation("TT15", "5", "4"), Citation("TT15", "6", "2")),
    check=check_tt15_09,
    how=Msg("Chứng thư và OCSP/CRL nhúng trong tệp (B-LT), hoặc khai báo trong EvidenceBundle.", "Certificate and OCSP/CRL embedded (B-LT), or declared in the EvidenceBundle."),
    phase="storage",
)


# ---- TT41-05 --------------------------------------------------------------------------------
def check_tt41_05(ev: Evidence) -> Outcome:
    bundle = ev.facts.bundle
    if bundle is None or bundle.deletable_per_document is None:
        return not_applicable(
            Msg(
                "Không kiểm chứng được từ tệp: việc hủy thông tin kèm theo là của kho lưu trữ của hệ thống (gói chứng cứ của vbsign: vbsign.host.delete_evidence).",
                "Not provable from the file: destroying the accompanying information is the host storage's job (vbsign's evidence bundles: vbsign.host.delete_evidence).",
            )
        )
    if bundle.deletable_per_document:
        return passed(
            Msg(
                "Thông tin kèm theo được lưu riêng cho từng văn bản (gói chứng cứ có danh mục tệp) và hủy cùng văn bản bằng phần mềm, không ảnh hưởng văn bản khác.",
                "The accompanying information is kept per document (an evidence bundle with a manifest) and destroyed with it by software, without affecting other documents.",
            ),
            per_document=True,
        )
    return failed(
        Msg(
            "Thông tin kèm theo dùng chung giữa các văn bản: không hủy được cùng văn bản mà không ảnh hưởng văn bản khác.",
            "The accompanying information is shared between documents: it cannot be destroyed with one document without affecting others.",
        ),
        per_document=False,
    )


TT41_05 = Rule(
    id="TT41-05",
    requirement=Msg(
        "Thông tin lưu trữ kèm theo văn bản điện tử ký số được hủy cùng văn bản, bằng phần mềm, không ảnh hưởng đến văn bản khác.",
        "The information stored with a signed e-document is destroyed together with it, by software, without affecting other documents.",
    ),
    citations=(Citation("TT41", "10"), Citation("TT15", "5", "4"), Citation("TT15", "6", "2")),
    check=check_tt41_05,
    how=Msg(
        "Hồ sơ kèm theo do hệ thống khai báo (EvidenceBundle.deletable_per_document); gói chứng cứ của vbsign: một thư mục, danh mục tệp, delete_evidence xóa đúng các tệp đó.",
        "Declared by the host (EvidenceBundle.deletable_per_document); vbsign's evidence bundles: one folder, a manifest, delete_evidence removes exactly those files.",
    ),
    phase="storage",
    scope="document",
)


RULES: tuple[Rule, ...] = (TT41_03, TT41_04, TT41_05, TT15_09)
