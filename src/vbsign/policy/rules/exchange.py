"""Exchanging documents between agencies (legal-rules.md §7, §9 B, E): QĐ 28/2018, edXML,
provincial rules on the format, and what a printed copy is worth."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from vbsign._core.i18n import Msg
from vbsign._core.timefmt import VN_TZ, vn_time
from vbsign.model.report import Indication
from vbsign.policy.context import Evidence
from vbsign.policy.model import (
    Citation,
    Outcome,
    Rule,
    failed,
    indeterminate,
    not_applicable,
    passed,
)


def _valid(ev: Evidence) -> list[Any]:
    return [s for s in ev.doc.signatures if s.indication is Indication.TOTAL_PASSED]


# ---- QD28-01 --------------------------------------------------------------------------------
def check_qd28_01(ev: Evidence) -> Outcome:
    valid = _valid(ev)
    facts: dict[str, Any] = {"signatures": len(ev.doc.signatures), "valid": [s.id for s in valid], "legal_value": bool(valid)}
    if valid:
        return passed(
            Msg("Văn bản điện tử đã ký số hợp lệ: có giá trị pháp lý tương đương văn bản giấy khi gửi, nhận qua hệ thống.", "A validly signed e-document: it has the legal value of paper when exchanged through the system."),
            **facts,
        )
    return failed(
        Msg("Văn bản không có chữ ký số hợp lệ: chỉ có giá trị tham khảo.", "The document carries no valid digital signature: for reference only."),
        **facts,
    )


QD28_01 = Rule(
    id="QD28-01",
    requirement=Msg(
        "Văn bản điện tử đã ký số gửi, nhận qua hệ thống quản lý văn bản có giá trị pháp lý tương đương văn bản giấy; văn bản không ký số chỉ có giá trị tham khảo.",
        "Signed e-documents exchanged through the document management system have the legal value of paper; unsigned ones are for reference only.",
    ),
    citations=(Citation("QD28", "4", secondary=True),),
    check=check_qd28_01,
    how=Msg("Có ít nhất một chữ ký hợp lệ (TOTAL-PASSED) → legal_value.", "At least one valid (TOTAL-PASSED) signature → legal_value."),
    scope="document",
)


# ---- QD28-02 --------------------------------------------------------------------------------
def check_qd28_02(ev: Evidence) -> Outcome:
    sent = ev.facts.sent_at
    times = [s.signing_time for s in ev.doc.signatures if s.signing_time is not None]
    if sent is None or not times:
        return not_applicable(Msg("Không có thời điểm gửi (DocumentFacts.sent_at) để đối chiếu.", "No sending time (DocumentFacts.sent_at) to compare with."))
    signed = max(times)
    day = signed.astimezone(VN_TZ).date()
    deadline = datetime.combine(day + timedelta(days=1), datetime.min.time(), VN_TZ).replace(hour=12)
    facts: dict[str, Any] = {"signed": vn_time(signed), "sent": vn_time(sent), "deadline": vn_time(deadline)}
    if sent <= deadline:
        return passed(Msg(f"Gửi lúc {vn_time(sent)}, trong ngày ký hoặc sáng hôm sau.", f"Sent at {vn_time(sent)}, on the signing day or the next morning."), **facts)
    return failed(Msg(f"Ký lúc {vn_time(signed)} nhưng gửi lúc {vn_time(sent)}: chậm hơn sáng ngày làm việc tiếp theo.", f"Signed at {vn_time(signed)} but sent at {vn_time(sent)}: later than the next working morning."), **facts)


QD28_02 = Rule(
    id="QD28-02",
    requirement=Msg(
        "Văn bản điện tử được gửi ngay trong ngày ký, chậm nhất trong buổi sáng ngày làm việc tiếp theo; văn bản khẩn gửi ngay sau khi ký.",
        "The e-document is sent on the signing day, at the latest the next working morning; urgent documents right after signing.",
    ),
    citations=(Citation("QD28", "6"),),
    check=check_qd28_02,
    how=Msg(
        "Thời điểm gửi của hệ thống (DocumentFacts.sent_at) ≤ 12:00 ngày sau ngày ký cuối cùng (giờ Việt Nam; không tính ngày nghỉ).",
        "The system's sending time (DocumentFacts.sent_at) ≤ 12:00 on the day after the last signing (Vietnam time; holidays not counted).",
    ),
    scope="document",
    strength="should",
    direction="outgoing",
)


# ---- QD28-03 --------------------------------------------------------------------------------
def check_qd28_03(ev: Evidence) -> Outcome:
    if ev.facts.direction != "incoming":
        return not_applicable(Msg("Chỉ áp dụng cho văn bản đến.", "Applies to incoming documents only."))
    rep = ev.report
    bad_attachments = [a.name for a in rep.attachments if a.indication is not Indication.TOTAL_PASSED]
    facts: dict[str, Any] = {"verification": rep.indication.value, "attachments": [a.name for a in rep.attachments], "attachments_not_valid": bad_attachments}
    if rep.indication is Indication.TOTAL_PASSED and not bad_attachments:
        return passed(Msg("Đã kiểm tra tính đầy đủ, toàn vẹn, xác thực của văn bản đến (và các tệp đính kèm).", "The incoming document (and its attachments) was checked complete, intact and authentic."), **facts)
    if rep.indication is Indication.INDETERMINATE and not bad_attachments:
        return indeterminate(Msg("Chưa xác định được tính xác thực: chưa tiếp nhận, kiểm tra lại.", "Authenticity undetermined: not accepted yet, check again."), **facts)
    return failed(
        Msg(
            "Văn bản đến không đầy đủ, không toàn vẹn hoặc không xác thực" + (f" (tệp đính kèm: {', '.join(bad_attachments)})" if bad_attachments else "") + ": phản hồi nơi gửi qua hệ thống.",
            "The incoming document is incomplete, altered or not authentic" + (f" (attachments: {', '.join(bad_attachments)})" if bad_attachments else "") + ": respond to the sender through the system.",
        ),
        indication=Indication.TOTAL_FAILED if rep.indication is Indication.TOTAL_FAILED else None,
        **facts,
    )


QD28_03 = Rule(
    id="QD28-03",
    requirement=Msg(
        "Trước khi tiếp nhận, bên nhận kiểm tra tính đầy đủ, toàn vẹn, xác thực của văn bản điện tử; không đạt thì phản hồi qua hệ thống.",
        "Before accepting, the receiver checks the e-document's completeness, integrity and authenticity, and responds through the system if it fails.",
    ),
    citations=(Citation("QD28", "9"),),
    check=check_qd28_03,
    how=Msg("Kết luận kiểm tra của văn bản và của mọi tệp đính kèm (edXML).", "The verdict of the document and of every attachment (edXML)."),
    scope="document",
    direction="incoming",
)


# ---- EDX-01 ---------------------------------------------------------------------------------
def check_edx_01(ev: Evidence) -> Outcome:
    rep = ev.report
    is_edxml = rep.document.format == "xml" and (rep.attachments or any(f.code.startswith("EDXML") for f in rep.findings))
    if not is_edxml:
        return not_applicable(Msg("Không phải phong bì edXML.", "Not an edXML envelope."))
    header = [s for s in ev.doc.signatures if s.signer is not None]
    unsigned = [
        a.name
        for a in rep.attachments
        if not (a.report is not None and a.report.signatures) and not any(f.code == "ATTACHMENT_SIGNED_DETACHED" for f in a.findings)
    ]
    facts: dict[str, Any] = {"header_signatures": len(header), "attachments": [a.name for a in rep.attachments], "unsigned_attachments": unsigned}
    problems = []
    if not header:
        problems.append(Msg("phần đầu (Header) không có chữ ký XMLDSig kèm chứng thư", "the Header has no XMLDSig signature with its certificate"))
    if unsigned:
        problems.append(Msg(f"tệp đính kèm không có chữ ký riêng: {', '.join(unsigned)}", f"attachments without their own signature: {', '.join(unsigned)}"))
    if problems:
        return failed(Msg("Phong bì edXML: " + "; ".join(p.vi for p in problems) + ".", "edXML envelope: " + "; ".join(p.en for p in problems) + "."), **facts)
    return passed(Msg("Phong bì edXML có chữ ký ở phần đầu; mỗi tệp đính kèm có chữ ký riêng.", "The edXML envelope is signed in its header; every attachment carries its own signature."), **facts)


EDX_01 = Rule(
    id="EDX-01",
    requirement=Msg(
        "Phong bì edXML: chữ ký XMLDSig trong phần đầu (Header) kèm X509Data; các tệp đính kèm mang chữ ký riêng.",
        "edXML envelope: an XMLDSig signature in the Header with X509Data; attachments carry their own signatures.",
    ),
    citations=(Citation("QD28", extra=Msg("edXML (suy ra từ thư viện edXML của VNPT)", "edXML (inferred from VNPT's edXML library)"), secondary=True),),
    check=check_edx_01,
    how=Msg("Chữ ký của phần đầu và báo cáo kiểm tra của từng tệp đính kèm.", "The header signature and each attachment's own verification report."),
    scope="document",
    strength="should",
)


# ---- QLVB-01 --------------------------------------------------------------------------------
def check_qlvb_01(ev: Evidence) -> Outcome:
    rep = ev.report
    formats = [rep.document.format] if not rep.attachments else [a.name.rsplit(".", 1)[-1].lower() for a in rep.attachments]
    facts: dict[str, Any] = {"format": rep.document.format, "files": formats}
    if rep.document.format == "pdf" or (rep.attachments and all(f == "pdf" for f in formats)):
        return passed(Msg("Văn bản ký số được trao đổi dưới dạng PDF.", "The signed document is exchanged as PDF."), **facts)
    return failed(Msg(f"Văn bản ký số không ở dạng PDF ({', '.join(formats)}).", f"The signed document is not a PDF ({', '.join(formats)})."), **facts)


QLVB_01 = Rule(
    id="QLVB-01",
    requirement=Msg("Văn bản được ký số trao đổi ở định dạng PDF.", "Signed e-documents are exchanged as PDF."),
    citations=(Citation("QD161NB", "8", "3", "b"),),
    check=check_qlvb_01,
    how=Msg("Định dạng của văn bản (hoặc các tệp đính kèm của phong bì edXML).", "The document's format (or the edXML envelope's attachments')."),
    scope="document",
    strength="should",
)


# ---- VER-13 ---------------------------------------------------------------------------------
def check_ver13(ev: Evidence) -> Outcome:
    if not ev.doc.signatures:
        return not_applicable(Msg("Văn bản không có chữ ký số.", "The document carries no digital signature."))
    return passed(
        Msg(
            "Lưu ý: bản in ra giấy của văn bản điện tử có chữ ký số không có giá trị pháp lý; giá trị pháp lý nằm ở tệp điện tử này.",
            "Note: a printed copy of a digitally signed e-document has no legal value; the legal value lies in this electronic file.",
        ),
        signed=True,
    )


VER_13 = Rule(
    id="VER-13",
    requirement=Msg(
        "Văn bản giấy in ra từ văn bản điện tử có chữ ký số không có giá trị pháp lý.",
        "Paper printed from a digitally signed e-document has no legal value.",
    ),
    citations=(Citation("QD165NB", "15", "5", "b"),),
    check=check_ver13,
    how=Msg("Thông tin kèm theo mọi văn bản đã ký.", "Information attached to every signed document."),
    scope="document",
    strength="should",
)

RULES: tuple[Rule, ...] = (QD28_01, QD28_02, QD28_03, EDX_01, QLVB_01, VER_13)
