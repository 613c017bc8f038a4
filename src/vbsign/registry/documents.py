"""Office documents of the subscriber-managing unit, print-ready PDF (Vietnamese) and CSV.

* :func:`request_list` — the list of subscribers attached to a registration / renewal
  request (danh sách đề nghị cấp mới, gia hạn chứng thư số), or the revocation request
  list (danh sách đề nghị thu hồi chứng thư số);
* :func:`handover_record` — the token hand-over record (biên bản bàn giao thiết bị lưu
  khóa bí mật) with the signature blocks of both parties.

They are administrative documents filed with Vietnamese authorities, so their text is
Vietnamese whatever the interface language. CSV files are UTF-8 with a byte-order mark
(Excel opens Vietnamese text correctly) and CRLF line ends.

The exact field lists of the Decree 68/2024 forms could not be verified (see
``docs/registry.rst``); the lists carry the fields those forms are known to ask for
(name, title, unit, identity number, e-mail, telephone, request type and form number).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

import vbsign.registry.pdfkit as pdfkit
from vbsign._core.i18n import Msg
from vbsign.registry.errors import RegistryError
from vbsign.registry.views import HandoverView, RequestView
from vbsign.registry.workflow import HANDOVER_REASONS, REQUEST_KINDS

LIST_KINDS = ("registration", "revocation")

_REG_HEAD = [
    "STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số định danh (CCCD/MST)", "Thư điện tử", "Điện thoại",
    "Loại đề nghị (mẫu)", "Ghi chú",
]
_REV_HEAD = [
    "STT", "Thuê bao", "Đơn vị", "Số hiệu chứng thư số", "Hiệu lực đến", "Số seri thiết bị", "Lý do thu hồi",
    "Ghi chú",
]


def _fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _check_kind(kind: str) -> None:
    if kind not in LIST_KINDS:
        raise RegistryError(
            Msg("Loại danh sách không hợp lệ: {k} (registration, revocation).",
                "Unknown list kind: {k} (registration, revocation).").format(k=kind)
        )


def _rows(requests: Sequence[RequestView], kind: str) -> list[list[str]]:
    from vbsign.registry.alerts import local_date

    rows = []
    for i, r in enumerate(requests, 1):
        k = REQUEST_KINDS.get(r.kind)
        label = f"{k.label.vi} (Mẫu {k.form})" if k else r.kind
        if kind == "registration":
            rows.append(
                [str(i), r.subscriber_name or "", r.subscriber_title or "", r.unit_name or "", r.subscriber_uid or "",
                 r.subscriber_email or "", r.subscriber_phone or "", label, r.note or ""]
            )
        else:
            rows.append(
                [str(i), r.subscriber_name or "", r.unit_name or "", r.certificate_serial or "",
                 _fmt(local_date(r.certificate_not_after)) if r.certificate_not_after else "", r.token_serial or "",
                 r.reason or "", r.note or ""]
            )
    return rows


def select_for_list(requests: Sequence[RequestView], kind: str) -> list[RequestView]:
    """The requests that belong on a list: registration kinds, or revocations."""
    _check_kind(kind)
    want_registration = kind == "registration"
    return [
        r for r in requests
        if r.kind in REQUEST_KINDS and REQUEST_KINDS[r.kind].registration == want_registration
        and (want_registration or r.kind == "revocation")
    ]


def request_list(
    requests: Sequence[RequestView],
    kind: str,
    fmt: str,
    *,
    settings: dict[str, str],
    on: date,
    reference: str | None = None,
) -> bytes:
    """The registration/renewal list or the revocation list, as ``pdf`` or ``csv``."""
    _check_kind(kind)
    chosen = select_for_list(requests, kind)
    if not chosen:
        raise RegistryError(
            Msg("Không có yêu cầu nào phù hợp để lập danh sách.", "No matching request to put on the list.")
        )
    head = _REG_HEAD if kind == "registration" else _REV_HEAD
    rows = _rows(chosen, kind)
    if fmt == "csv":
        return _csv(head, rows)
    if fmt != "pdf":
        raise RegistryError(Msg("Định dạng phải là pdf hoặc csv.", "Format must be pdf or csv."))
    from reportlab.platypus import Paragraph, Spacer

    st = pdfkit.styles()
    width = pdfkit.frame_width(landscape=True)
    title = (
        "DANH SÁCH ĐỀ NGHỊ CẤP MỚI, GIA HẠN, THAY ĐỔI THÔNG TIN CHỨNG THƯ SỐ"
        if kind == "registration"
        else "DANH SÁCH ĐỀ NGHỊ THU HỒI CHỨNG THƯ SỐ"
    )
    story = pdfkit.header(settings, on, width=width)
    story.append(Paragraph(title, st["title"]))
    ref = reference or next((r.reference for r in chosen if r.reference), None)
    sub = f"(Kèm theo văn bản số {pdfkit.esc(ref)})" if ref else "(Kèm theo văn bản đề nghị của đơn vị)"
    story.append(Paragraph(f"<i>{sub}</i>", st["subtitle"]))
    if kind == "registration":
        fractions = [0.045, 0.14, 0.1, 0.14, 0.14, 0.14, 0.085, 0.13, 0.075]
    else:
        fractions = [0.045, 0.17, 0.16, 0.14, 0.085, 0.11, 0.17, 0.12]
    story.append(pdfkit.data_table(head, rows, [f * width for f in fractions]))
    story.append(Spacer(1, 6))
    story.append(Paragraph(f"Tổng số: {len(rows)} thuê bao.", st["left"]))
    story.append(Spacer(1, 10))
    story.append(
        pdfkit.signature_blocks(
            [("Người lập danh sách", None),
             (settings.get("signer_title") or "Thủ trưởng đơn vị", settings.get("signer_name"))],
            width=width,
        )
    )
    return pdfkit.build(story, landscape=True, title=title)


def handover_record(h: HandoverView, fmt: str, *, settings: dict[str, str], place: str | None = None) -> bytes:
    """The hand-over record of one token (biên bản bàn giao), as ``pdf`` or ``csv``."""
    head = ["STT", "Số seri thiết bị", "Loại thiết bị", "Chứng thư số (chủ thể)", "Số hiệu chứng thư", "Hiệu lực"]
    certs = h.certificates or (("", "", None, None),)
    rows = [
        [str(i), h.token_serial, h.token_model or "", cn, serial,
         f"{_fmt(nb)} – {_fmt(na)}" if nb and na else ""]
        for i, (cn, serial, nb, na) in enumerate(certs, 1)
    ]
    if fmt == "csv":
        return _csv(head, rows)
    if fmt != "pdf":
        raise RegistryError(Msg("Định dạng phải là pdf hoặc csv.", "Format must be pdf or csv."))
    from reportlab.platypus import Paragraph, Spacer

    st = pdfkit.styles()
    width = pdfkit.frame_width()
    reason_label = HANDOVER_REASONS[h.reason][0].vi if h.reason in HANDOVER_REASONS else h.reason
    story = pdfkit.header(settings, h.handed_on, width=width, number=h.record_no)
    story.append(Paragraph("BIÊN BẢN BÀN GIAO", st["title"]))
    story.append(Paragraph("<b>THIẾT BỊ LƯU KHÓA BÍ MẬT VÀ CHỨNG THƯ SỐ</b>", st["center"]))
    story.append(Paragraph(f"<i>({pdfkit.esc(reason_label)})</i>", st["subtitle"]))
    where = place or settings.get("locality") or ""
    story.append(
        Paragraph(
            f"Hôm nay, ngày {h.handed_on.day:02d} tháng {h.handed_on.month:02d} năm {h.handed_on.year}"
            + (f", tại {pdfkit.esc(where)}" if where else "") + ", chúng tôi gồm:",
            st["base"],
        )
    )
    story.append(Paragraph(f"<b>Bên giao (Bên A):</b> {pdfkit.esc(h.from_party)}", st["base"]))
    story.append(Paragraph(f"<b>Bên nhận (Bên B):</b> {pdfkit.esc(h.to_party)}", st["base"]))
    if h.permission_ref:
        story.append(Paragraph(f"Căn cứ văn bản cho phép: {pdfkit.esc(h.permission_ref)}.", st["base"]))
    story.append(Spacer(1, 4))
    story.append(Paragraph("Bên A bàn giao cho Bên B thiết bị lưu khóa bí mật với thông tin như sau:", st["base"]))
    story.append(Spacer(1, 4))
    story.append(pdfkit.data_table(head, rows, [f * width for f in (0.07, 0.16, 0.16, 0.27, 0.16, 0.18)]))
    story.append(Spacer(1, 6))
    duties = [
        "Bên B có trách nhiệm quản lý, sử dụng thiết bị lưu khóa bí mật và chứng thư số đúng mục đích, "
        "đúng quy định; giữ bí mật mã PIN, không cho người khác sử dụng.",
        "Khi thiết bị bị mất, hư hỏng hoặc có nghi ngờ lộ khóa bí mật, Bên B phải báo ngay cho đơn vị quản lý "
        "thuê bao để đề nghị thu hồi chứng thư số.",
    ]
    if h.reason == "return_to_ca":
        duties = ["Thiết bị được nộp lại do chứng thư số đã hết hạn hoặc bị thu hồi (Mẫu 08)."]
    elif h.reason == "lost":
        duties = ["Biên bản ghi nhận việc mất thiết bị lưu khóa bí mật (Mẫu 09); "
                  "chứng thư số trên thiết bị phải được đề nghị thu hồi."]
    for d in duties:
        story.append(Paragraph("– " + pdfkit.esc(d), st["base"]))
    if h.note:
        story.append(Paragraph(f"Ghi chú: {pdfkit.esc(h.note)}", st["base"]))
    story.append(
        Paragraph("Biên bản được lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản.", st["base"])
    )
    story.append(Spacer(1, 12))
    story.append(pdfkit.signature_blocks([("Đại diện bên giao", h.from_party), ("Đại diện bên nhận", h.to_party)],
                                         width=width))
    return pdfkit.build(story, title="Biên bản bàn giao thiết bị lưu khóa bí mật")


def _csv(head: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
