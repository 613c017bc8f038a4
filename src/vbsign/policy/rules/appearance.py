"""Decree 30/2020 Appendix I: how the signatures of an official document *look* (ND30-02…08).

Checked on what the file shows (:class:`~vbsign.report.AppearanceInfo`, read by PDF
verification): the widget's page and rectangle, the images its appearance paints (size,
transparency, dominant colour, where), the text it draws (font, size, colour). What a file
cannot show is said in each outcome rather than assumed — e.g. whether an image is the
person's *own* handwritten signature, or the seal's *real* size (only a plausible 10–80 mm).

These are "should" rules (the decree's text is known through provincial reproductions,
legal-rules.md §3): WARN in the built-in profiles, FAIL where an agency's policy file says so.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from vbsign._core.i18n import Msg
from vbsign.model.report import AppearanceInfo, ImageInfo, Indication, SignatureReport
from vbsign.policy.context import Evidence, cert_name
from vbsign.policy.model import (
    Citation,
    Outcome,
    Rule,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from vbsign.policy.rules._common import join

_PL1 = Msg("Phụ lục I", "Appendix I")
#: the points of QĐ 144/2025 Đồng Tháp Đ13 that reproduce Appendix I (legal-rules.md §3)
_MM = 72 / 25.4
#: a real seal is 30–45 mm across; accept what a seal can plausibly be
SEAL_MM = (10.0, 80.0)
#: the seal covers "about 1/3" of the person's signature image, on its left
SEAL_OVERLAP = (0.15, 0.55)
CORNER_SIZE = (9.5, 10.5)
_TIME = re.compile(r"\d{2}/\d{2}/\d{4}\s+\d{2}:\d{2}(:\d{2})?\s*\+07:?00")
#: "414/QĐ-CĐSQG", "12/2026/TT-BKHCN": a number, then a symbol starting with a letter (not a date)
_NUMBER = re.compile(r"\d+\s*/\s*(?:\d{4}\s*/\s*)?[^\W\d_][\w]*(?:[-–][\w]+)*")
COPY_FORMS = ("SAO Y", "SAO LỤC", "TRÍCH SAO")
TIMES_FONTS = ("timesnewroman", "times", "liberationserif", "tinos", "nimbusroman")


def _not_pdf(ev: Evidence) -> Outcome | None:
    if ev.report.document.format != "pdf":
        return not_applicable(Msg("Không phải văn bản PDF: không có hình thức hiển thị chữ ký.", "Not a PDF document: no visible signature form."))
    return None


def _appearance(sig: SignatureReport) -> AppearanceInfo | None:
    return sig.appearance


def _role(ev: Evidence, sig: SignatureReport) -> str:
    cls = ev.doc.classification(sig).kind
    if cls != "unknown":
        return cls
    expected, _ = ev.doc.expected_role(sig)
    return expected or "unknown"


def _largest(images: list[ImageInfo]) -> ImageInfo | None:
    return max(images, key=lambda i: (i.box[2] - i.box[0]) * (i.box[3] - i.box[1]) if i.box else 0, default=None)


def _box_evidence(a: AppearanceInfo) -> dict[str, Any]:
    return {
        "visible": a.visible,
        "page": a.page,
        "rect": a.rect,
        "images": [{"size": [i.width, i.height], "alpha": i.alpha, "colour": i.colour, "box": i.box} for i in a.images],
    }


def _image_problems(a: AppearanceInfo, colour: str, what: Msg) -> tuple[ImageInfo | None, list[Msg]]:
    img = _largest(a.images)
    if img is None:
        return None, [Msg(f"không có hình ảnh {what.vi}", f"no {what.en} image")]
    problems: list[Msg] = []
    if not img.alpha:
        problems.append(Msg("ảnh không có nền trong suốt", "the image has no transparent background"))
    if img.colour is None:
        problems.append(Msg("không đọc được màu của ảnh", "the image's colour cannot be read"))
    elif img.colour != colour:
        vi = {"blue": "xanh", "red": "đỏ", "black": "đen"}.get(img.colour, "khác")
        want = {"blue": "xanh", "red": "đỏ"}[colour]
        problems.append(Msg(f"ảnh màu {vi}, không phải màu {want}", f"the image is {img.colour}, not {colour}"))
    return img, problems


# ---- ND30-02 --------------------------------------------------------------------------------
def check_nd30_02(ev: Evidence) -> Outcome:
    if (na := _not_pdf(ev)) is not None:
        return na
    sig = ev.sig
    if ev.facts.effective_kind != "main" or _role(ev, sig) != "person":
        return not_applicable(Msg("Không phải chữ ký của người có thẩm quyền trên văn bản chính.", "Not the competent person's signature on a main document."))
    a = _appearance(sig)
    if a is None:
        return indeterminate(Msg("Không đọc được hình thức hiển thị của chữ ký.", "The signature's appearance cannot be read."))
    facts = _box_evidence(a)
    if not a.visible:
        return failed(
            Msg(f"Chữ ký của {cert_name(sig.signer)} không hiển thị (chữ ký ẩn): phải có hình ảnh chữ ký màu xanh.", f"{cert_name(sig.signer)}'s signature is invisible: it must show the blue signature image."),
            **facts,
        )
    _img, problems = _image_problems(a, "blue", Msg("chữ ký", "signature"))
    if problems:
        return failed(Msg("Hình thức chữ ký của người có thẩm quyền: " + join(problems).vi + ".", "The competent person's signature appearance: " + join(problems).en + "."), **facts)
    return passed(
        Msg(
            "Chữ ký hiển thị ảnh chữ ký màu xanh, nền trong suốt (vị trí giữa chức vụ và họ tên không kiểm tra từ tệp).",
            "The signature shows a blue signature image with a transparent background (its place between title and name is not checked from the file).",
        ),
        **facts,
    )


ND30_02 = Rule(
    id="ND30-02",
    requirement=Msg(
        "Chữ ký số của người có thẩm quyền hiển thị hình ảnh chữ ký màu xanh, định dạng PNG nền trong suốt, đặt canh giữa chức vụ và họ tên người ký.",
        "The competent person's signature shows the blue handwritten-signature image (PNG, transparent background), centred between the signer's title and name.",
    ),
    citations=(Citation("ND30", extra=_PL1, secondary=True), Citation("QD144DT", "13", "1", "a")),
    check=check_nd30_02,
    how=Msg(
        "Widget hiển thị (/Rect khác 0), ảnh trong luồng hiển thị có SMask (trong suốt), màu chủ đạo xanh.",
        "A visible widget (non-empty /Rect), an image in its appearance with an SMask (transparency), dominant colour blue.",
    ),
    phase="signing",
    strength="should",
)


# ---- ND30-03 --------------------------------------------------------------------------------
def _overlap(seal: list[float], person: list[float]) -> tuple[float, bool, bool]:
    """(share of the person's image covered horizontally, seal on its left, boxes meet vertically)."""
    width = person[2] - person[0]
    inter = max(0.0, min(seal[2], person[2]) - max(seal[0], person[0]))
    left = (seal[0] + seal[2]) / 2 < (person[0] + person[2]) / 2
    vertical = min(seal[3], person[3]) > max(seal[1], person[1])
    return (inter / width if width > 0 else 0.0), left, vertical


def _person_image(ev: Evidence, seal: SignatureReport) -> ImageInfo | list[float] | None:
    for s in ev.doc.signatures:
        if s is seal or _role(ev, s) != "person" or s.appearance is None or not s.appearance.visible:
            continue
        if s.appearance.page != (seal.appearance.page if seal.appearance else None):
            continue
        return _largest(s.appearance.images) or s.appearance.rect
    return None


def check_nd30_03(ev: Evidence) -> Outcome:
    if (na := _not_pdf(ev)) is not None:
        return na
    sig = ev.sig
    if ev.facts.effective_kind != "main" or _role(ev, sig) != "organisation":
        return not_applicable(Msg("Không phải chữ ký của cơ quan trên văn bản chính.", "Not the agency's signature on a main document."))
    a = _appearance(sig)
    if a is None:
        return indeterminate(Msg("Không đọc được hình thức hiển thị của chữ ký.", "The signature's appearance cannot be read."))
    facts = _box_evidence(a)
    if not a.visible:
        return failed(Msg("Chữ ký của cơ quan không hiển thị (chữ ký ẩn): phải có hình ảnh con dấu màu đỏ.", "The agency's signature is invisible: it must show the red seal image."), **facts)
    img, problems = _image_problems(a, "red", Msg("con dấu", "seal"))
    if img is not None and img.box:
        mm = (img.box[2] - img.box[0]) / _MM
        facts["seal_width_mm"] = round(mm, 1)
        if not SEAL_MM[0] <= mm <= SEAL_MM[1]:
            problems.append(Msg(f"ảnh dấu rộng {mm:.0f} mm, không phải kích thước thật của dấu", f"the seal image is {mm:.0f} mm wide, not a real seal's size"))
        person = _person_image(ev, sig)
        pbox = person.box if isinstance(person, ImageInfo) else person
        if pbox:
            share, left, vertical = _overlap(img.box, pbox)
            facts.update(overlap=round(share, 2), seal_on_left=left)
            if not (vertical and left and SEAL_OVERLAP[0] <= share <= SEAL_OVERLAP[1]):
                problems.append(
                    Msg(
                        f"dấu không trùm khoảng 1/3 ảnh chữ ký về bên trái (trùm {share:.0%}{'' if left else ', về bên phải'})",
                        f"the seal does not cover about 1/3 of the signature image on its left (covers {share:.0%}{'' if left else ', on the right'})",
                    )
                )
        else:
            facts["overlap"] = None
    if problems:
        return failed(Msg("Hình thức chữ ký của cơ quan: " + join(problems).vi + ".", "The agency signature's appearance: " + join(problems).en + "."), **facts)
    note = Msg("", "") if facts.get("overlap") is not None else Msg(" (không có ảnh chữ ký cá nhân cùng trang để đo độ trùm)", " (no personal signature image on the page to measure the overlap)")
    return passed(
        Msg(f"Chữ ký của cơ quan hiển thị ảnh dấu màu đỏ, nền trong suốt, trùm khoảng 1/3 ảnh chữ ký về bên trái{note.vi}.", f"The agency signature shows a red seal with a transparent background over about 1/3 of the signature image on its left{note.en}."),
        **facts,
    )


ND30_03 = Rule(
    id="ND30-03",
    requirement=Msg(
        "Chữ ký số của cơ quan hiển thị hình ảnh dấu màu đỏ, kích thước thật của dấu, PNG nền trong suốt, trùm lên khoảng 1/3 hình ảnh chữ ký của người có thẩm quyền về bên trái.",
        "The agency's signature shows the red seal image at the seal's real size (PNG, transparent), over about 1/3 of the competent person's signature image, on its left.",
    ),
    citations=(Citation("ND30", extra=_PL1, secondary=True), Citation("QD144DT", "13", "1", "b"), Citation("ND30", "33", "1", "b")),
    check=check_nd30_03,
    how=Msg(
        "Ảnh dấu có SMask, màu đỏ, rộng 10–80 mm; phần giao theo chiều ngang với ảnh chữ ký cá nhân 15–55 %, tâm dấu ở bên trái.",
        "The seal image has an SMask, is red and 10–80 mm wide; it covers 15–55 % of the personal signature image's width, its centre on the left.",
    ),
    phase="signing",
    strength="should",
)


# ---- ND30-04 --------------------------------------------------------------------------------
def check_nd30_04(ev: Evidence) -> Outcome:
    if ev.facts.effective_kind != "main":
        return not_applicable(Msg("Chỉ áp dụng cho văn bản chính (văn bản kèm theo cùng tệp).", "Applies to main documents (attachments in the same file)."))
    orgs = [s for s in ev.doc.signatures if _role(ev, s) == "organisation" and s.signer is not None]
    by_cert: dict[str, list[str]] = {}
    for s in orgs:
        assert s.signer is not None
        by_cert.setdefault(s.signer.sha256_fingerprint, []).append(s.id)
    repeated = {fp: ids for fp, ids in by_cert.items() if len(ids) > 1}
    facts: dict[str, Any] = {"agency_signatures": {fp[:16]: ids for fp, ids in by_cert.items()}}
    if repeated:
        ids = ", ".join(i for v in repeated.values() for i in v)
        return failed(
            Msg(
                f"Cơ quan ký số nhiều lần trên cùng một tệp ({ids}): văn bản kèm theo cùng tệp không được ký số riêng.",
                f"The agency signed the same file several times ({ids}): an attachment in the same file is not signed separately.",
            ),
            **facts,
        )
    return passed(Msg("Cơ quan ký số một lần trên tệp văn bản (không ký riêng phần kèm theo).", "The agency signed the file once (the attachment in it is not signed separately)."), **facts)


ND30_04 = Rule(
    id="ND30-04",
    requirement=Msg(
        "Văn bản kèm theo cùng tệp với văn bản chính: văn thư chỉ ký số văn bản, không ký số riêng văn bản kèm theo.",
        "An attachment in the same file as the main document: the clerk signs the document only, not the attachment separately.",
    ),
    citations=(Citation("ND30", extra=_PL1, secondary=True), Citation("QD144DT", "13", "4", "a"), Citation("QD144DT", "13", "5")),
    check=check_nd30_04,
    how=Msg("Trên văn bản chính, mỗi chứng thư của cơ quan chỉ ký một lần.", "On a main document, each agency certificate signs once."),
    phase="signing",
    scope="document",
    strength="should",
)


# ---- ND30-05 / ND30-06: the corner text of attachments and copies ---------------------------
def _corner_problems(a: AppearanceInfo) -> list[Msg]:
    problems: list[Msg] = []
    if a.page not in (0, None):
        problems.append(Msg(f"ở trang {a.page + 1}, không phải trang đầu", f"on page {a.page + 1}, not the first page"))
    if a.page_size and a.rect:
        cx, cy = (a.rect[0] + a.rect[2]) / 2, (a.rect[1] + a.rect[3]) / 2
        if cx < a.page_size[0] / 2 or cy < a.page_size[1] / 2:
            problems.append(Msg("không ở góc trên, bên phải", "not in the top-right corner"))
    if a.images:
        problems.append(Msg("có hình ảnh (phải không hiển thị hình ảnh)", "shows an image (no image is to be shown)"))
    fonts = [unicodedata.normalize("NFKD", f).lower().replace(" ", "").replace("-", "") for f in a.fonts]
    if not fonts or not all(any(t in f for t in TIMES_FONTS) for f in fonts):
        problems.append(Msg(f"phông chữ {', '.join(a.fonts) or '—'}, không phải Times New Roman", f"font {', '.join(a.fonts) or '—'}, not Times New Roman"))
    if any("bold" in f or "italic" in f or "oblique" in f for f in fonts):
        problems.append(Msg("chữ đậm/nghiêng (phải chữ thường, đứng)", "bold/italic text (must be regular, upright)"))
    if not a.font_sizes or not all(CORNER_SIZE[0] <= s <= CORNER_SIZE[1] for s in a.font_sizes):
        sizes = ", ".join(f"{s:g}" for s in sorted(set(a.font_sizes))) or "—"
        problems.append(Msg(f"cỡ chữ {sizes}, không phải 10", f"font size {sizes}, not 10"))
    if a.text_colours and any(c != "black" for c in a.text_colours):
        problems.append(Msg("chữ không màu đen", "the text is not black"))
    if not _TIME.search(a.text):
        problems.append(Msg("thiếu thời gian ký theo ISO 8601 giờ Việt Nam (+07:00)", "no signing time in ISO 8601 Vietnam time (+07:00)"))
    return problems


def _corner_rule(ev: Evidence, kind: str, content: Msg, has_content: bool) -> Outcome:
    if (na := _not_pdf(ev)) is not None:
        return na
    sig = ev.sig
    if ev.facts.effective_kind != kind:
        return not_applicable(Msg(f"Văn bản không phải loại '{kind}'.", f"The document is not of kind '{kind}'."))
    a = _appearance(sig)
    if a is None:
        return indeterminate(Msg("Không đọc được hình thức hiển thị của chữ ký.", "The signature's appearance cannot be read."))
    facts = {**_box_evidence(a), "text": a.text, "fonts": a.fonts, "font_sizes": a.font_sizes, "text_colours": a.text_colours}
    if not a.visible:
        return failed(Msg(f"Chữ ký không hiển thị: phải có {content.vi} ở góc trên, bên phải trang đầu.", f"The signature is invisible: {content.en} must show top-right on the first page."), **facts)
    problems = _corner_problems(a)
    if not has_content:
        problems.insert(0, Msg(f"thiếu {content.vi}", f"missing {content.en}"))
    if problems:
        return failed(Msg("Thông tin chữ ký: " + join(problems).vi + ".", "The signature text: " + join(problems).en + "."), **facts)
    return passed(Msg(f"Góc trên, bên phải trang đầu: {content.vi} và thời gian ký; Times New Roman 10, màu đen.", f"Top-right of the first page: {content.en} and the signing time; Times New Roman 10, black."), **facts)


def check_nd30_05(ev: Evidence) -> Outcome:
    a = ev.sig.appearance
    return _corner_rule(ev, "attachment", Msg("số và ký hiệu văn bản", "the document's number and symbol"), bool(a and _NUMBER.search(a.text)))


def _has_copy_form(text: str) -> bool:
    upper = unicodedata.normalize("NFC", text).upper()
    return any(f in upper for f in COPY_FORMS)


def check_nd30_06(ev: Evidence) -> Outcome:
    a = ev.sig.appearance
    return _corner_rule(ev, "copy", Msg("hình thức sao (SAO Y, SAO LỤC, TRÍCH SAO) và tên cơ quan sao", "the copy form (SAO Y, SAO LỤC, TRÍCH SAO) and the copying agency"), bool(a and _has_copy_form(a.text) and len(a.text.splitlines()) >= 3))


ND30_05 = Rule(
    id="ND30-05",
    requirement=Msg(
        "Văn bản kèm theo (phụ lục) ở tệp riêng: chữ ký của cơ quan trên từng tệp, góc trên bên phải trang đầu, không hiển thị hình ảnh; số và ký hiệu văn bản, thời gian ký (ISO 8601, +07:00); Times New Roman, chữ thường, đứng, cỡ 10, màu đen.",
        "An attachment / appendix in a separate file: the agency's signature on each file, top-right of the first page, no image; the document's number and symbol and the signing time (ISO 8601, +07:00); Times New Roman, regular, upright, 10 pt, black.",
    ),
    citations=(Citation("ND30", extra=_PL1, secondary=True), Citation("QD144DT", "13", "4", "b"), Citation("QD144DT", "13", "5")),
    check=check_nd30_05,
    how=Msg(
        "Widget trang 1, nửa trên bên phải; không có ảnh; văn bản có số/ký hiệu và thời gian +07:00; phông Times/Liberation Serif 10 pt, màu đen.",
        "Widget on page 1, upper-right; no image; text with the number/symbol and a +07:00 time; Times/Liberation Serif 10 pt, black.",
    ),
    phase="signing",
    strength="should",
)
ND30_06 = Rule(
    id="ND30-06",
    requirement=Msg(
        "Bản sao điện tử (sao y, sao lục, trích sao): chữ ký của cơ quan ở góc trên bên phải trang đầu, không hiển thị hình ảnh; hình thức sao, tên cơ quan sao, thời gian ký (ISO 8601, +07:00); Times New Roman 10, màu đen.",
        "An electronic copy (sao y, sao lục, trích sao): the agency's signature top-right of the first page, no image; the copy form, the copying agency and the signing time (ISO 8601, +07:00); Times New Roman 10, black.",
    ),
    citations=(Citation("ND30", extra=_PL1, secondary=True), Citation("QD144DT", "13", "2")),
    check=check_nd30_06,
    how=Msg(
        "Như ND30-05, với từ khóa hình thức sao và dòng tên cơ quan.",
        "As ND30-05, with the copy-form keyword and a line naming the agency.",
    ),
    phase="signing",
    strength="should",
)


# ---- ND30-07 --------------------------------------------------------------------------------
def check_nd30_07(ev: Evidence) -> Outcome:
    if (na := _not_pdf(ev)) is not None:
        return na
    if ev.facts.effective_kind != "copy":
        return not_applicable(Msg("Chỉ áp dụng cho bản sao điện tử (số hóa).", "Applies to electronic (digitised) copies only."))
    doc = ev.report.document
    scans = [i for i in doc.page_images if i.dpi is not None]
    facts: dict[str, Any] = {"pdf_version": doc.pdf_version, "page_images": [{"page": i.page, "dpi": i.dpi, "colour_space": i.colour_space, "bits": i.bits_per_component} for i in scans]}
    if not scans:
        return not_applicable(Msg("Không có ảnh quét trên các trang: không phải bản số hóa từ giấy.", "No scanned page image: not a copy digitised from paper."), **facts)
    problems: list[Msg] = []
    version = tuple(int(x) for x in (doc.pdf_version or "0.0").split("."))
    if version < (1, 4):
        problems.append(Msg(f"PDF phiên bản {doc.pdf_version or '?'} (cần từ 1.4)", f"PDF version {doc.pdf_version or '?'} (1.4 or later needed)"))
    low = [i for i in scans if (i.dpi or 0) < 200]
    if low:
        problems.append(Msg(f"ảnh quét {min(i.dpi or 0 for i in low):.0f} dpi (cần ≥ 200 dpi)", f"scanned at {min(i.dpi or 0 for i in low):.0f} dpi (≥ 200 dpi needed)"))
    grey = [i for i in scans if i.colour_space in ("/DeviceGray", "/CalGray") or i.bits_per_component == 1]
    if grey:
        problems.append(Msg("ảnh quét đen trắng/xám (cần ảnh màu)", "scanned in black and white / grey (colour needed)"))
    if problems:
        return failed(Msg("Bản số hóa: " + join(problems).vi + ".", "The digitised copy: " + join(problems).en + "."), **facts)
    return passed(Msg(f"Bản số hóa PDF {doc.pdf_version}, ảnh màu ≥ 200 dpi.", f"Digitised copy: PDF {doc.pdf_version}, colour images ≥ 200 dpi."), **facts)


ND30_07 = Rule(
    id="ND30-07",
    requirement=Msg(
        "Tệp bản sao số hóa: PDF phiên bản 1.4 trở lên, ảnh màu, độ phân giải tối thiểu 200 dpi, tỷ lệ 100 %.",
        "A digitised copy file: PDF 1.4 or later, colour, at least 200 dpi, 100 % scale.",
    ),
    citations=(Citation("ND30", extra=_PL1, secondary=True),),
    check=check_nd30_07,
    how=Msg(
        "Phiên bản PDF (đầu tệp/catalog); ảnh trên trang: số điểm ảnh / kích thước in (pt/72) ≥ 200; không phải DeviceGray hay 1 bit.",
        "PDF version (header/catalogue); page images: pixels / printed size (pt/72) ≥ 200; not DeviceGray or 1-bit.",
    ),
    phase="signing",
    scope="document",
    strength="should",
)


# ---- ND30-08 --------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def check_nd30_08(ev: Evidence) -> Outcome:
    sig = ev.sig
    if _role(ev, sig) != "organisation" or sig.signer is None:
        return not_applicable(Msg("Không phải chữ ký bằng khóa bí mật con dấu của cơ quan.", "Not a signature with an agency's seal key."))
    if ev.facts.effective_kind != "main":
        return not_applicable(Msg("Bản sao / văn bản kèm theo: cơ quan ký trên văn bản mình sao hoặc ban hành.", "Copy / attachment: the agency signs what it copies or issues."))
    agency = sig.signer.common_name or ""
    persons = [s for s in ev.doc.signatures if s is not sig and _role(ev, s) == "person" and s.signer is not None and s.indication is Indication.TOTAL_PASSED]
    facts: dict[str, Any] = {"agency": agency, "persons": [cert_name(s.signer) for s in persons]}
    if not persons:
        return not_applicable(Msg("Không có chữ ký hợp lệ của người có thẩm quyền để đối chiếu (xem VER-12).", "No valid signature of a competent person to compare with (see VER-12)."), **facts)
    units: list[str] = []
    for s in persons:
        assert s.signer is not None
        f = s.signer.subject_fields
        units += [f.get("organization_name") or "", *(f.get("organizational_unit_name") or "").split("; ")]
    units = [u for u in units if u]
    facts["person_units"] = units
    if not units:
        return indeterminate(Msg("Chứng thư của người ký không ghi cơ quan, đơn vị (O/OU) để đối chiếu.", "The signer's certificate names no body or unit (O/OU) to compare with."), **facts)
    if _norm(agency) in {_norm(u) for u in units}:
        return passed(Msg(f"Con dấu của {agency}, cơ quan của người ký: văn bản do cơ quan ban hành.", f"The seal of {agency}, the signer's own body: a document the agency issues."), **facts)
    return failed(
        Msg(
            f"Khóa bí mật con dấu của {agency} được dùng cho văn bản do người thuộc {', '.join(units)} ký: chỉ dùng cho văn bản do chính cơ quan ban hành và bản sao.",
            f"The seal key of {agency} was used on a document signed by a person of {', '.join(units)}: it is only for the agency's own documents and copies.",
        ),
        **facts,
    )


ND30_08 = Rule(
    id="ND30-08",
    requirement=Msg(
        "Thiết bị lưu khóa bí mật của cơ quan chỉ dùng để ký số văn bản do cơ quan ban hành và bản sao từ văn bản giấy sang điện tử.",
        "The agency's key device is used only to sign documents the agency issues and paper-to-electronic copies.",
    ),
    citations=(Citation("ND30", "33", "2"),),
    check=check_nd30_08,
    how=Msg(
        "Tên cơ quan trên chứng thư con dấu (CN) phải là cơ quan hoặc đơn vị (O/OU) ghi trên chứng thư của người có thẩm quyền đã ký.",
        "The agency named by the seal certificate (CN) must be the body or unit (O/OU) named by the competent person's certificate.",
    ),
    phase="signing",
    strength="should",
)


RULES: tuple[Rule, ...] = (ND30_02, ND30_03, ND30_04, ND30_05, ND30_06, ND30_07, ND30_08)
