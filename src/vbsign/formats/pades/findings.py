"""The catalogue of structural and modification findings (stable codes, documented).

Every check in :mod:`vbsign.formats.pades.structure`, :mod:`vbsign.formats.pades.shadow`,
:mod:`vbsign.formats.pades.visual` and :mod:`vbsign.formats.pades.limits` reports through one of these codes.
A code never changes meaning; new checks get new codes. ``docs/security.rst`` lists them
all (a test keeps the two in sync).

Each entry says how serious the finding is by default, which ETSI EN 319 102-1
sub-indication it leads to when it decides the verdict, and which attack class it is
evidence of (names from the RUB-NDS papers: USF, ISA, SWA, shadow attacks, certification
attacks), so that a report can say *why* a document was rejected, not only *that* it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vbsign._core.i18n import Msg
from vbsign.model.report import Finding, Severity, SubIndication

FORMAT = SubIndication.FORMAT_FAILURE


@dataclass(frozen=True)
class Kind:
    """What one finding code means."""

    severity: Severity
    #: sub-indication when this finding decides the verdict (None: never decides it)
    sub_indication: SubIndication | None
    #: attack class this finding is evidence of (None: a plain defect)
    attack: str | None
    title: Msg


#: attack class identifiers used in ``Finding.details["attack"]``
ATTACKS: dict[str, Msg] = {
    "universal-signature-forgery": Msg("giả mạo chữ ký phổ quát (USF)", "universal signature forgery (USF)"),
    "incremental-saving-attack": Msg("tấn công lưu gia tăng (ISA)", "incremental saving attack (ISA)"),
    "signature-wrapping": Msg("tấn công bọc chữ ký (SWA)", "signature wrapping attack (SWA)"),
    "signature-spoofing": Msg("giả mạo từ điển chữ ký", "signature dictionary spoofing"),
    "shadow-hide": Msg("tấn công bóng – che giấu (shadow hide)", "shadow attack – hide"),
    "shadow-replace": Msg("tấn công bóng – thay thế (shadow replace)", "shadow attack – replace"),
    "shadow-hide-and-replace": Msg(
        "tấn công bóng – che giấu và thay thế (shadow hide-and-replace)", "shadow attack – hide-and-replace"
    ),
    "evil-annotation": Msg("tấn công chú thích độc hại (Evil Annotation)", "evil annotation attack"),
    "sneaky-signature": Msg("tấn công chữ ký lén (Sneaky Signature)", "sneaky signature attack"),
    "denial-of-service": Msg("tấn công từ chối dịch vụ", "denial of service"),
}


def _k(sev: Severity, sub: SubIndication | None, attack: str | None, vi: str, en: str) -> Kind:
    return Kind(sev, sub, attack, Msg(vi, en))


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

CATALOGUE: dict[str, Kind] = {
    # ---- signature dictionary: /ByteRange ------------------------------------------------
    "BYTERANGE_MISSING": _k(E, FORMAT, "universal-signature-forgery", "Thiếu /ByteRange", "/ByteRange missing"),
    "BYTERANGE_MALFORMED": _k(
        E, FORMAT, "universal-signature-forgery", "/ByteRange sai dạng", "/ByteRange malformed"
    ),
    "BYTERANGE_INDIRECT": _k(
        E, FORMAT, "signature-wrapping", "/ByteRange là đối tượng gián tiếp", "/ByteRange is an indirect object"
    ),
    "BYTERANGE_NOT_FROM_START": _k(
        E, FORMAT, "signature-wrapping", "/ByteRange không bắt đầu từ 0", "/ByteRange does not start at 0"
    ),
    "BYTERANGE_OUT_OF_BOUNDS": _k(
        E, FORMAT, "signature-wrapping", "/ByteRange vượt ngoài tệp", "/ByteRange outside the file"
    ),
    "BYTERANGE_GAP_NOT_CONTENTS": _k(
        E,
        FORMAT,
        "signature-wrapping",
        "Khoảng trống của /ByteRange không đúng là /Contents",
        "/ByteRange gap is not exactly /Contents",
    ),
    "BYTERANGE_NOT_REVISION_END": _k(
        E,
        FORMAT,
        "incremental-saving-attack",
        "/ByteRange không kết thúc ở cuối phiên bản đã ký",
        "/ByteRange does not end at the end of the signed revision",
    ),
    "BYTERANGE_OVERLAP": _k(
        E, FORMAT, "signature-wrapping", "/ByteRange chồng lấn chữ ký khác", "/ByteRange overlaps another signature"
    ),
    "SIGNATURE_DUPLICATED": _k(
        E, FORMAT, "signature-wrapping", "Chữ ký bị sao chép", "Signature duplicated"
    ),
    # ---- signature dictionary: /Contents and the dictionary itself ------------------------
    "CONTENTS_MISSING": _k(E, FORMAT, "universal-signature-forgery", "Thiếu /Contents", "/Contents missing"),
    "CONTENTS_MALFORMED": _k(
        E, FORMAT, "universal-signature-forgery", "/Contents sai dạng", "/Contents malformed"
    ),
    "CONTENTS_EMPTY": _k(E, FORMAT, "universal-signature-forgery", "/Contents rỗng", "/Contents empty"),
    "CONTENTS_NOT_DER": _k(
        E, FORMAT, "universal-signature-forgery", "/Contents không phải DER", "/Contents is not DER"
    ),
    "CONTENTS_NOT_SIGNED_DATA": _k(
        E,
        FORMAT,
        "universal-signature-forgery",
        "/Contents không phải CMS SignedData",
        "/Contents is not a CMS SignedData",
    ),
    "CONTENTS_TRAILING_DATA": _k(
        W,
        None,
        "signature-wrapping",
        "Dữ liệu lạ sau chữ ký trong /Contents",
        "Unexpected data after the signature in /Contents",
    ),
    "SIGNATURE_DICTIONARY_INVALID": _k(
        E, FORMAT, "universal-signature-forgery", "Từ điển chữ ký không hợp lệ", "Invalid signature dictionary"
    ),
    "SIGNATURE_DICTIONARY_CHANGED": _k(
        E,
        FORMAT,
        "signature-spoofing",
        "Từ điển chữ ký bị sửa sau khi ký",
        "Signature dictionary changed after signing",
    ),
    "SIGNATURE_REMOVED": _k(
        E,
        FORMAT,
        "incremental-saving-attack",
        "Chữ ký có trong phiên bản trước đã bị gỡ",
        "A signature present in an earlier revision was removed",
    ),
    "SUBFILTER_UNSUPPORTED": _k(
        E,
        FORMAT,
        None,
        "Kiểu chữ ký (SubFilter) không được hỗ trợ",
        "Unsupported signature type (SubFilter)",
    ),
    # ---- revisions and incremental updates --------------------------------------------
    "HIDDEN_UPDATE": _k(
        E, FORMAT, "incremental-saving-attack", "Bản cập nhật ẩn", "Hidden incremental update"
    ),
    "UNPARSED_TRAILING_DATA": _k(
        E,
        FORMAT,
        "incremental-saving-attack",
        "Dữ liệu không thuộc phiên bản nào ở cuối tệp",
        "Data after the last revision",
    ),
    "HIDDEN_OBJECT": _k(
        E,
        FORMAT,
        "incremental-saving-attack",
        "Đối tượng ẩn trong bản cập nhật",
        "Object hidden in an update",
    ),
    "XREF_OUTSIDE_REVISION": _k(
        E,
        FORMAT,
        "incremental-saving-attack",
        "Bảng tham chiếu trỏ ra ngoài bản cập nhật",
        "Cross-reference entry outside its update",
    ),
    "STARTXREF_MISMATCH": _k(
        E,
        FORMAT,
        "incremental-saving-attack",
        "startxref không khớp bảng tham chiếu",
        "startxref does not match the cross-reference section",
    ),
    "TRAILER_ROOT_CHANGED": _k(
        E,
        FORMAT,
        "shadow-hide-and-replace",
        "Gốc tài liệu (/Root) bị thay sau khi ký",
        "Document root (/Root) replaced after signing",
    ),
    "TRAILER_ONLY_UPDATE": _k(
        W, None, "incremental-saving-attack", "Bản cập nhật chỉ có trailer", "Trailer-only update"
    ),
    # ---- what changed after signing (shadow and certification attacks) -----------------
    "PAGE_TREE_CHANGED": _k(
        E, FORMAT, "shadow-hide-and-replace", "Cây trang bị thay đổi", "Page tree changed"
    ),
    "PAGE_CONTENT_CHANGED": _k(
        E, FORMAT, "shadow-replace", "Nội dung trang bị thay đổi", "Page content changed"
    ),
    "FONT_CHANGED": _k(E, FORMAT, "shadow-replace", "Phông chữ bị thay đổi", "Font changed"),
    "XOBJECT_CHANGED": _k(
        E, FORMAT, "shadow-replace", "Đối tượng đồ hoạ (XObject) bị thay đổi", "XObject changed"
    ),
    "RESOURCES_CHANGED": _k(
        E, FORMAT, "shadow-replace", "Tài nguyên trang bị thay đổi", "Page resources changed"
    ),
    "OPTIONAL_CONTENT_CHANGED": _k(
        E, FORMAT, "shadow-hide", "Lớp nội dung tuỳ chọn bị bật/tắt", "Optional content visibility changed"
    ),
    "FORM_FIELD_OVERWRITTEN": _k(
        E,
        FORMAT,
        "shadow-replace",
        "Trường biểu mẫu đã có giá trị bị ghi đè",
        "A form field that had a value was overwritten",
    ),
    "FORM_FIELD_CHANGED": _k(
        W,
        None,
        None,
        "Giá trị trường biểu mẫu được đổi, như chữ ký chứng thực cho phép",
        "A form field value was changed, as the certification signature permits",
    ),
    "FORM_FIELD_FILLED": _k(
        I, None, None, "Trường biểu mẫu trống được điền", "An empty form field was filled"
    ),
    "ANNOTATION_ADDED": _k(
        E, FORMAT, "evil-annotation", "Chú thích được thêm sau khi ký", "Annotation added after signing"
    ),
    "ANNOTATION_CHANGED": _k(
        E, FORMAT, "shadow-hide", "Chú thích bị sửa hoặc xoá", "Annotation changed or removed"
    ),
    "ANNOTATION_COVERS_CONTENT": _k(
        E, FORMAT, "evil-annotation", "Chú thích che nội dung", "Annotation covers page content"
    ),
    "SIGNATURE_FIELD_ADDED": _k(
        I, None, None, "Trường chữ ký mới được thêm", "New signature field added"
    ),
    "SIGNATURE_WIDGET_COVERS_CONTENT": _k(
        E,
        FORMAT,
        "sneaky-signature",
        "Hình hiển thị của chữ ký mới che nội dung",
        "A new signature's appearance covers page content",
    ),
    "SIGNATURE_OVERLAPS_CONTENT": _k(
        W,
        None,
        None,
        "Hình chữ ký mới chờm lên nội dung đã ký nhưng không che nét chữ nào",
        "A new signature's appearance overlaps signed content without hiding it",
    ),
    "SIGNATURE_OVER_SIGNATURE_BLOCK": _k(
        W,
        None,
        None,
        "Hình chữ ký mới đè lên khối chữ ký đã có (như dấu trùm chữ ký, NĐ 30/2020)",
        "A new signature's appearance overlaps the existing signature block (seal over signature, Decree 30/2020)",
    ),
    "DOCMDP_VIOLATION": _k(
        E,
        FORMAT,
        "evil-annotation",
        "Thay đổi vượt quyền của chữ ký chứng thực (DocMDP)",
        "Change not permitted by the certification signature (DocMDP)",
    ),
    "SIGNATURE_SHOWN_TWICE": _k(
        I, None, None, "Một chữ ký được nhiều trường hiển thị", "One signature shown by several fields"
    ),
    "CHANGE_ANALYSIS_INCOMPLETE": _k(
        W,
        None,
        None,
        "Không phân tích hết các thay đổi sau khi ký",
        "The changes after signing could not be fully analysed",
    ),
    "COMMENTS_ALLOWED": _k(
        I, None, None, "Ghi chú thêm sau khi ký (được phép)", "Comments added after signing (allowed)"
    ),
    "CATALOG_CHANGED": _k(
        E, FORMAT, "shadow-hide-and-replace", "Danh mục tài liệu bị thay đổi", "Document catalog changed"
    ),
    "OBJECT_FREED": _k(E, FORMAT, "shadow-hide", "Đối tượng đã ký bị xoá", "Signed object freed"),
    "SHADOW_CONTENT_PRESENT": _k(
        W,
        None,
        "shadow-hide",
        "Tệp sắp ký có thể chứa nội dung 'bóng'",
        "The file to be signed may hold shadow content",
    ),
    # ---- visual comparison -----------------------------------------------------------------
    "VISUAL_DIFFERENCE": _k(
        E, FORMAT, "shadow-replace", "Hình ảnh trang khác bản đã ký", "Page looks different from the signed version"
    ),
    "VISUAL_CHECK_SKIPPED": _k(
        I, None, None, "Bỏ qua so sánh hình ảnh", "Visual comparison skipped"
    ),
    # ---- resources -------------------------------------------------------------------------
    "RESOURCE_LIMIT": _k(
        E, FORMAT, "denial-of-service", "Vượt giới hạn tài nguyên", "Resource limit exceeded"
    ),
    "WORKER_CRASHED": _k(
        E, FORMAT, "denial-of-service", "Tiến trình kiểm tra bị dừng bất thường", "Verification worker crashed"
    ),
    "LIMITS_NOT_ENFORCED": _k(
        I, None, None, "Giới hạn tài nguyên không được áp dụng", "Resource limits not enforced"
    ),
}


@dataclass(frozen=True)
class Issue:
    """One structural or modification finding, before it is attached to a report.

    ``revision`` is the first revision the issue concerns: a signature is affected when
    its signed revision is earlier (``None`` = the whole document / every signature).
    """

    code: str
    msg: Msg
    details: dict[str, Any] = field(default_factory=dict)
    revision: int | None = None
    #: the id of the signature dictionary it concerns (its object number), if any
    signature_obj: int | None = None

    @property
    def kind(self) -> Kind:
        return CATALOGUE[self.code]

    @property
    def severity(self) -> Severity:
        sev = self.details.get("severity")
        return Severity(sev) if isinstance(sev, str) else self.kind.severity

    @property
    def attack(self) -> str | None:
        a = self.details.get("attack", self.kind.attack)
        return a if isinstance(a, str) else None

    def affects(self, signed_revision: int | None) -> bool:
        if self.revision is None or signed_revision is None:
            return True
        return signed_revision < self.revision

    def to_finding(self) -> Finding:
        details = {k: v for k, v in self.details.items() if k != "severity"}
        attack = self.attack
        msg = self.msg
        if attack is not None:
            details["attack"] = attack
            name = ATTACKS.get(attack)
            if name is not None and self.severity is not Severity.INFO:
                msg = Msg(f"{msg.vi} — dấu hiệu {name.vi}", f"{msg.en} — a sign of {name.en}")
        if self.revision is not None:
            details.setdefault("revision", self.revision)
        return Finding.of(self.code, self.severity, msg, details)


def issue(code: str, vi: str, en: str, *, revision: int | None = None, **details: Any) -> Issue:
    """Build an :class:`Issue`; the message is the catalogue title plus the specifics."""
    if code not in CATALOGUE:  # pragma: no cover - programming error
        raise KeyError(code)
    title = CATALOGUE[code].title
    msg = Msg(f"{title.vi}: {vi}" if vi else title.vi, f"{title.en}: {en}" if en else title.en)
    return Issue(code, msg, dict(details), revision)


def attack_name(attack: str | None) -> Msg | None:
    return ATTACKS.get(attack) if attack else None


__all__ = ["ATTACKS", "CATALOGUE", "Issue", "Kind", "attack_name", "issue"]
