"""The four Decree 30/2020 signature roles and their appearances.

An :class:`Appearance` is an :data:`~vbsign.appearance.spec.AppearanceProvider`: pass it as
``appearance=`` to :meth:`vbsign.Signer.sign`. When called during signing it receives
the document, the signer's certificate and the signing time that goes into the
signature (``/M`` and the CMS signing-time attribute), resolves its placement and
returns the page, the box and a stamp style that draws exactly what the role prescribes:

* ``person``: blue handwritten-signature image, centred between the signer's title and
  name lines; optional small text block (signer, title, agency, time);
* ``agency``: red seal image at its real diameter, over the left third of the person's
  signature image;
* ``attachment``: no image; top-right of page 1; document number and symbol + signing time;
* ``copy``: no image; top-right of page 1; copy form + copying agency + signing time.

The time shown is ``dd/mm/yyyy hh:mm:ss +07:00`` in Asia/Ho_Chi_Minh whatever the
machine's time zone, and is the very instant recorded in the signature.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from pathlib import Path

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader

import vbsign.appearance.layout as layout
from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import format_vn_time
from vbsign.appearance.config import DEFAULT_SEAL_DIAMETER_MM, AgencyConfig
from vbsign.appearance.images import ImageKind, ImageSource, InkImage, load_image
from vbsign.appearance.placement import (
    Anchor,
    At,
    DocumentView,
    InField,
    OverSignature,
    PlacementRule,
    TopRight,
    relative_box,
    shift,
)
from vbsign.appearance.spec import AppearanceSpec
from vbsign.appearance.stamp import Box, Drawing, DrawingStampStyle


class Role(str, Enum):
    """Who signs, which fixes how the signature looks (Decree 30/2020 Appendix I)."""

    PERSON = "person"
    AGENCY = "agency"
    ATTACHMENT = "attachment"
    COPY = "copy"

    @classmethod
    def parse(cls, value: str | Role) -> Role:
        if isinstance(value, Role):
            return value
        v = value.strip().lower()
        v = {"appendix": "attachment", "phu-luc": "attachment", "kem-theo": "attachment", "sao": "copy",
             "ca-nhan": "person", "co-quan": "agency", "seal": "agency"}.get(v, v)
        try:
            return cls(v)
        except ValueError:
            raise InputError(
                Msg(
                    "Vai trò ký không hợp lệ: {v} (chọn person, agency, attachment hoặc copy).",
                    "Invalid signing role: {v} (choose person, agency, attachment or copy).",
                ).format(v=value)
            ) from None


#: labels of the person's text block (Vietnamese: the document is Vietnamese whatever the UI language)
LABEL_SIGNER = "Ký bởi"
LABEL_TITLE = "Chức vụ"
LABEL_AGENCY = "Cơ quan"
LABEL_TIME = "Thời gian ký"


def _subject(cert: x509.Certificate, key: str) -> str | None:
    value = cert.subject.native.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip() if value else None


def _person_agency(cert: x509.Certificate) -> str | None:
    """The unit a person works in: the most specific OU (the last one, as the real
    certificates list the units from the top down), else the organisation."""
    units = cert.subject.native.get("organizational_unit_name")
    if isinstance(units, list):
        units = units[-1] if units else None
    return str(units).strip() if units else _subject(cert, "organization_name")


@dataclass(frozen=True)
class Appearance:
    """A visible signature appearance for one role (callable as an appearance provider).

    Build it with :meth:`person`, :meth:`agency`, :meth:`attachment`, :meth:`copy` or
    :func:`build_appearance`; fonts and images are loaded and checked when it is built,
    so problems surface before anything is signed.
    """

    role: Role
    placement: PlacementRule | None = None
    image: InkImage | None = None
    show_text: bool = True
    signer_name: str | None = None
    title: str | None = None
    agency_name: str | None = None
    doc_number: str | None = None
    copy_form: str | None = None
    seal_diameter_mm: float = DEFAULT_SEAL_DIAMETER_MM
    font: Path | None = None
    text_size: float = layout.CORNER_TEXT_SIZE
    warnings: tuple[Msg, ...] = field(default=(), compare=False)

    # ---- construction ----------------------------------------------------------------
    @classmethod
    def person(
        cls,
        image: ImageSource | InkImage | None = None,
        *,
        placement: PlacementRule | None = None,
        show_text: bool = True,
        signer_name: str | None = None,
        title: str | None = None,
        agency_name: str | None = None,
        font: str | os.PathLike[str] | None = None,
    ) -> Appearance:
        """The competent person's signature (image centred between title and name)."""
        img = _image(image, ImageKind.SIGNATURE)
        warnings = list(img.warnings) if img else []
        if img is None:
            if not show_text:
                raise InputError(
                    Msg(
                        "Chữ ký hiển thị của người có thẩm quyền cần ảnh chữ ký (--image) hoặc khối chữ.",
                        "A visible personal signature needs a signature image (--image) or its text block.",
                    )
                )
            warnings.append(
                Msg(
                    "Không có ảnh chữ ký: Nghị định 30/2020 quy định hiển thị ảnh chữ ký (PNG màu xanh, nền trong suốt).",
                    "No signature image: Decree 30/2020 prescribes showing the signature image (blue PNG, transparent).",
                )
            )
        return cls(
            Role.PERSON, placement, img, show_text, signer_name, title, agency_name,
            font=_font(font, show_text), warnings=tuple(warnings),
        )

    @classmethod
    def agency(
        cls,
        seal: ImageSource | InkImage,
        *,
        diameter_mm: float = DEFAULT_SEAL_DIAMETER_MM,
        placement: PlacementRule | None = None,
    ) -> Appearance:
        """The agency's seal, real size, over the left third of the person's signature."""
        if seal is None:
            raise InputError(
                Msg(
                    "Chữ ký của cơ quan cần ảnh con dấu (--image hoặc seal_image trong tệp cấu hình).",
                    "An agency signature needs the seal image (--image or seal_image in the configuration).",
                )
            )
        if not 10 <= diameter_mm <= 80:
            raise InputError(
                Msg("Đường kính dấu phải từ 10 đến 80 mm: {d}", "The seal diameter must be 10–80 mm: {d}").format(d=diameter_mm)
            )
        img = _image(seal, ImageKind.SEAL)
        assert img is not None
        return cls(Role.AGENCY, placement, img, False, seal_diameter_mm=diameter_mm, warnings=img.warnings)

    @classmethod
    def attachment(
        cls,
        doc_number: str,
        *,
        placement: PlacementRule | None = None,
        font: str | os.PathLike[str] | None = None,
    ) -> Appearance:
        """An attachment or appendix in its own file: number and symbol + signing time."""
        if not doc_number or not doc_number.strip():
            raise InputError(
                Msg(
                    "Văn bản kèm theo cần số và ký hiệu của văn bản chính (--doc-number \"123/QĐ-BKHCN\").",
                    "An attachment needs the main document's number and symbol (--doc-number \"123/QĐ-BKHCN\").",
                )
            )
        return cls(Role.ATTACHMENT, placement, doc_number=doc_number.strip(), font=_font(font, True))

    @classmethod
    def copy(
        cls,
        form: str = "SAO Y",
        *,
        agency_name: str | None = None,
        placement: PlacementRule | None = None,
        font: str | os.PathLike[str] | None = None,
    ) -> Appearance:
        """An electronic copy (sao y / sao lục / trích sao): form + copying agency + time."""
        if not form or not form.strip():
            raise InputError(Msg("Thiếu hình thức sao (--copy-form).", "The copy form is missing (--copy-form)."))
        return cls(Role.COPY, placement, agency_name=agency_name, copy_form=form.strip(), font=_font(font, True))

    @property
    def field_name(self) -> str | None:
        """The existing field this appearance fills (for ``Signer.sign(field=...)``)."""
        return self.placement.name if isinstance(self.placement, InField) else None

    # ---- the provider ------------------------------------------------------------------
    def __call__(self, reader: PdfFileReader, cert: x509.Certificate, signing_time: datetime) -> AppearanceSpec:
        doc = DocumentView(reader)
        page, box, drawing = self._resolve(doc, cert, signing_time)
        return AppearanceSpec(page=page, box=box, stamp_style=DrawingStampStyle(drawing=drawing), text_params={})

    def text_lines(self, cert: x509.Certificate, signing_time: datetime) -> list[str]:
        """The lines of text this appearance shows for ``cert`` at ``signing_time``.

        Lines are NFC-normalised and checked against the font: a character it cannot draw
        is an :class:`~vbsign.errors.InputError`, never an empty box on the document.
        """
        lines = [unicodedata.normalize("NFC", line) for line in self._raw_lines(cert, signing_time)]
        if lines and self.font is not None:
            from vbsign.appearance.fonts import check_text  # start-up: fontTools

            check_text(self.font, "".join(lines))
        return lines

    def _raw_lines(self, cert: x509.Certificate, signing_time: datetime) -> list[str]:
        when = format_vn_time(signing_time)
        if self.role is Role.PERSON:
            if not self.show_text:
                return []
            name = self.signer_name or _subject(cert, "common_name") or ""
            title = self.title if self.title is not None else _subject(cert, "title")
            agency = self.agency_name if self.agency_name is not None else _person_agency(cert)
            lines = [f"{LABEL_SIGNER}: {name}"]
            if title:
                lines.append(f"{LABEL_TITLE}: {title}")
            if agency:
                lines.append(f"{LABEL_AGENCY}: {agency}")
            lines.append(f"{LABEL_TIME}: {when}")
            return lines
        if self.role is Role.ATTACHMENT:
            return [self.doc_number or "", when]
        if self.role is Role.COPY:
            # copies are signed with the copying agency's seal certificate, whose CN names the
            # agency itself (the real ones: CN=CỤC THUẾ under O=BỘ TÀI CHÍNH)
            agency = self.agency_name or _subject(cert, "common_name") or _subject(cert, "organization_name")
            if not agency:
                raise InputError(
                    Msg(
                        "Không xác định được tên cơ quan sao văn bản: dùng agency_name trong tệp cấu hình.",
                        "Cannot tell the copying agency's name: set agency_name in the configuration.",
                    )
                )
            return [self.copy_form or "SAO Y", agency, when]
        return []

    def _resolve(self, doc: DocumentView, cert: x509.Certificate, when: datetime) -> tuple[int, Box, Drawing]:
        lines = self.text_lines(cert, when)
        rule = self.placement or self._default_placement(cert)
        if isinstance(rule, InField):
            w = doc.widget(rule.name)
            if w.signed:
                raise InputError(
                    Msg("Trường chữ ký '{f}' đã được ký.", "Signature field '{f}' is already signed.").format(f=rule.name)
                )
            if not w.visible:
                raise InputError(
                    Msg(
                        "Trường chữ ký '{f}' không có vùng hiển thị; hãy dùng --box hoặc --anchor.",
                        "Signature field '{f}' has no visible area; use --box or --anchor.",
                    ).format(f=rule.name)
                )
            return w.page, w.rect, self._drawing_for_box(w.rect, lines)
        if isinstance(rule, At):
            page = doc.page_index(rule.page)
            return page, rule.box, self._drawing_for_box(rule.box, lines)
        if isinstance(rule, TopRight):
            page = doc.page_index(rule.page)
            drawing = self._natural_drawing(lines)
            box = layout.top_right_box(
                doc.page_box(page), drawing.width, drawing.height,
                top=rule.top_mm * layout.MM, right=rule.right_mm * layout.MM,
            )
            return page, box, drawing
        if isinstance(rule, OverSignature):
            page, image_box = doc.signature_image_box(rule.field)
            box = layout.seal_box_over(image_box, self._seal_size())
            box = layout.clamp_to_page(box, doc.page_box(page))
            return page, box, self._drawing_for_box(box, lines)
        assert isinstance(rule, Anchor)
        match = doc.find(rule)
        page_box = doc.page_box(match.page)
        if self.role is Role.PERSON and rule.position in ("auto", "above", "below"):
            direction = rule.position
            if direction == "auto":
                name = (self.signer_name or _subject(cert, "common_name") or "").casefold().split()
                direction = "above" if " ".join(rule.text.casefold().split()) == " ".join(name) else "below"
            others = [ln.bbox for ln in doc.text.lines(match.page)]
            box = layout.gap_box(match.bbox, others, direction=direction, width=layout.PERSON_WIDTH)
        elif self.role is Role.AGENCY and rule.position in ("auto", "over"):
            box = layout.seal_box_over(match.bbox, self._seal_size())
        else:
            natural = self._natural_drawing(lines)
            position = "below" if rule.position == "auto" else rule.position
            box = relative_box(match.bbox, natural.width, natural.height, position)
        box = layout.clamp_to_page(shift(box, rule.offset), page_box)
        return match.page, box, self._drawing_for_box(box, lines)

    def _default_placement(self, cert: x509.Certificate) -> PlacementRule:
        if self.role is Role.PERSON:
            name = self.signer_name or _subject(cert, "common_name")
            if not name:
                raise InputError(
                    Msg(
                        "Chứng thư không có tên người ký để định vị; hãy dùng --anchor, --box hoặc --field.",
                        "The certificate has no signer name to look for; use --anchor, --box or --field.",
                    )
                )
            return Anchor(name, position="above")
        if self.role is Role.AGENCY:
            return OverSignature()
        return TopRight()

    def _seal_size(self) -> float:
        return self.seal_diameter_mm * layout.MM

    def _natural_drawing(self, lines: list[str]) -> Drawing:
        if self.role in (Role.ATTACHMENT, Role.COPY):
            assert self.font is not None
            return layout.corner_drawing(lines, self.font, self.text_size)
        if self.role is Role.AGENCY:
            assert self.image is not None
            return layout.seal_drawing(self._seal_size(), self.image)
        return layout.person_drawing(layout.PERSON_WIDTH, layout.PERSON_DEFAULT_HEIGHT, self.image, lines, self.font)

    def _drawing_for_box(self, box: Box, lines: list[str]) -> Drawing:
        w, h = box[2] - box[0], box[3] - box[1]
        if self.role is Role.PERSON:
            return layout.person_drawing(w, h, self.image, lines, self.font)
        if self.role is Role.AGENCY:
            assert self.image is not None
            return layout.seal_drawing(min(w, h), self.image, w, h)
        natural = self._natural_drawing(lines)
        # attachment / copy text stays 10 pt: the box is laid out around it, right-aligned
        return Drawing(w, h, (), tuple(
            replace(t, x=t.x + (w - natural.width), y=t.y + (h - natural.height)) for t in natural.texts
        ), natural.font)


def _image(source: ImageSource | InkImage | None, kind: ImageKind) -> InkImage | None:
    if source is None or isinstance(source, InkImage):
        return source
    return load_image(source, kind)


def _font(font: str | os.PathLike[str] | None, needed: bool) -> Path | None:
    if not needed:
        return None
    from vbsign.appearance.fonts import find_font, pdf_font  # start-up: fontTools

    return pdf_font(find_font(configured=font))


def build_appearance(
    role: str | Role,
    *,
    image: ImageSource | None = None,
    anchor: str | None = None,
    page: int | None = None,
    box: Box | None = None,
    field: str | None = None,
    doc_number: str | None = None,
    copy_form: str | None = None,
    show_text: bool | None = None,
    config: AgencyConfig | None = None,
) -> Appearance:
    """One entry point for the CLI and host systems: role + options + agency defaults.

    Placement precedence: ``box`` (with ``page``), then ``field`` (an existing empty
    field), then ``anchor``, then the role's default.
    """
    cfg = config or AgencyConfig()
    r = Role.parse(role)
    placement: PlacementRule | None = None
    if box is not None:
        placement = At(page if page is not None else 0, box)
    elif field is not None:
        placement = InField(field)
    elif anchor is not None:
        placement = Anchor(anchor, page=page)
    elif page is not None and r in (Role.ATTACHMENT, Role.COPY):
        placement = TopRight(page=page)
    if r is Role.PERSON:
        return Appearance.person(
            image if image is not None else cfg.signature_image,
            placement=placement,
            show_text=cfg.person_text if show_text is None else show_text,
            font=cfg.font,
        )
    if r is Role.AGENCY:
        seal = image if image is not None else cfg.seal_image
        if seal is None:
            raise InputError(
                Msg(
                    "Chữ ký của cơ quan cần ảnh con dấu (--image hoặc seal_image trong tệp cấu hình).",
                    "An agency signature needs the seal image (--image or seal_image in the configuration).",
                )
            )
        return Appearance.agency(seal, diameter_mm=cfg.seal_diameter_mm, placement=placement)
    if image is not None:
        raise InputError(
            Msg(
                "Vai trò {r} không hiển thị hình ảnh (Nghị định 30/2020); bỏ --image.",
                "Role {r} shows no image (Decree 30/2020); drop --image.",
            ).format(r=r.value)
        )
    if r is Role.ATTACHMENT:
        return Appearance.attachment(doc_number or "", placement=placement, font=cfg.font)
    return Appearance.copy(copy_form or cfg.copy_form or "SAO Y", agency_name=cfg.agency_name, placement=placement, font=cfg.font)


def default_stamp_style(cert: x509.Certificate, signing_time: datetime) -> DrawingStampStyle:
    """The text block of a person's signature, for a visible signature made without an
    appearance (``--box`` alone, or an existing visible field): correct Vietnamese and the
    +07:00 time instead of pyHanko's default Courier stamp, which garbles Vietnamese."""
    ap = Appearance.person(None, show_text=True)
    lines = ap.text_lines(cert, signing_time)
    return DrawingStampStyle(factory=lambda w, h: layout.person_drawing(w, h, None, lines, ap.font))
