"""What changed after a signature, named the way an attacker would have used it.

pyHanko's difference analysis answers *whether* the updates after a signature are on its
whitelist (``ModificationLevel``). This module answers *what* they did, by comparing
what the signed revision and the current file show: the page list, each page's content
streams and resources (fonts, XObjects), the annotations on each page, the form fields'
values and appearances, optional-content visibility and a few catalog entries. Each
difference becomes a finding whose code names the attack it enables (see
:mod:`vbsign.formats.pades.findings`):

* shadow *hide*: an overlay that existed at signing time (annotation, form field
  appearance, optional content) is removed or made transparent, revealing content;
* shadow *replace*: a font, XObject, content stream or filled-in form value is swapped;
* shadow *hide-and-replace*: the page tree or page contents are pointed at objects that
  were already in the signed file but not displayed (a prepared "shadow document");
* *evil annotation* / *sneaky signature*: annotations or new signature widgets are added
  on top of the content (the visual check in :mod:`vbsign.formats.pades.visual` tells whether
  they actually cover it).

Some differences are expected (a new signature field, filling an empty form field,
comments when the caller allows them): they are reported at INFO level and returned as
:class:`Overlay` candidates for the visual check. Nothing here performs I/O.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

from vbsign.formats.pades.findings import Issue, issue

#: markup annotations a reader may add as "comments" (ISO 32000-1 §12.5.6.2), minus
#: those that embed files or media, or that can remove content (Redact)
COMMENT_SUBTYPES = frozenset(
    {
        "/Text",
        "/FreeText",
        "/Line",
        "/Square",
        "/Circle",
        "/Polygon",
        "/PolyLine",
        "/Highlight",
        "/Underline",
        "/Squiggly",
        "/StrikeOut",
        "/Caret",
        "/Ink",
        "/Stamp",
        "/Popup",
    }
)
#: bound on objects visited when mapping what an overwritten object was used for
MAX_WALK = 50_000
MAX_PAGES = 20_000
_BLANK_OPS = re.compile(
    # operators that paint nothing by themselves: marked content, graphics state, text
    # state and positioning, colours, and showing an *empty* string (an empty field's
    # appearance as most writers generate it)
    rb"/Tx\s+BMC|EMC|\bq\b|\bQ\b|\bBT\b|\bET\b|/[A-Za-z0-9_.+-]+\s+[-\d.]+\s+Tf\b"
    rb"|(?:[-\d.]+\s+){1,4}(?:rg|RG|g|G|k|K|Td|TD|TL|Tc|Tw|Tz|Ts)\b|\(\)\s*Tj|\[\s*\]\s*TJ|\s+"
)


@dataclass(frozen=True)
class Overlay:
    """Something drawn on top of a page after signing, for the visual check."""

    kind: str  # "signature", "comment", "annotation", "form-field"
    page: int
    rect: tuple[float, float, float, float]
    ref: str


@dataclass
class ChangeReport:
    """The differences between a signed revision and the current file."""

    issues: list[Issue] = field(default_factory=list)
    overlays: list[Overlay] = field(default_factory=list)
    #: pages (0-based) whose display may differ
    pages: set[int] = field(default_factory=set)
    #: annotations added after signing, by subtype (for the comments policy)
    added_annotations: list[str] = field(default_factory=list)
    #: True when the comparison hit a size bound and is incomplete
    truncated: bool = False
    #: page boxes (MediaBox, user space) of the current file, for the visual check
    boxes: dict[int, tuple[float, float, float, float]] = field(default_factory=dict)
    #: widgets of the signatures that existed in the signed revision (see visual.py:
    #: a later signature may overlap the signature block around them, Decree 30/2020)
    signed_signature_areas: list[Overlay] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity.value == "error"]


@dataclass
class _Page:
    ref: generic.Reference
    index: int
    obj: generic.DictionaryObject
    contents: list[generic.Reference]
    resources: generic.PdfObject | None
    annots: list[generic.Reference]


@dataclass
class _Field:
    name: str
    ref: generic.Reference | None
    ftype: str | None
    value: generic.PdfObject | None
    widgets: list[generic.Reference]
    obj: generic.DictionaryObject


@dataclass
class _View:
    resolver: HistoricalResolver
    revision: int
    root_ref: generic.Reference
    root: generic.DictionaryObject
    pages: list[_Page]
    fields: dict[str, _Field]
    truncated: bool = False


def _refs(value: generic.PdfObject | None) -> list[generic.Reference]:
    if isinstance(value, generic.IndirectObject):
        target = value.get_object()
        if isinstance(target, generic.ArrayObject):
            return [v.reference for v in target if isinstance(v, generic.IndirectObject)]
        return [value.reference]
    if isinstance(value, generic.ArrayObject):
        return [v.reference for v in value if isinstance(v, generic.IndirectObject)]
    return []


def _get(d: generic.PdfObject | None, key: str) -> Any:
    if not isinstance(d, generic.DictionaryObject):
        return None
    try:
        return d.raw_get(key)
    except KeyError:
        return None


def _deref(v: Any) -> Any:
    return v.get_object() if isinstance(v, generic.IndirectObject) else v


def _view(reader: PdfFileReader, revision: int, *, current: bool = False) -> _View:
    # the latest revision can be read through the reader itself (no historical copies)
    res: Any = _CurrentResolver(reader) if current else reader.get_historical_resolver(revision)
    root_ref = res.root_ref
    root = res(root_ref)
    if not isinstance(root, generic.DictionaryObject):
        raise ValueError("the document catalog is not a dictionary")
    view = _View(res, revision, root_ref, root, [], {})
    _walk_pages(view, _get(root, "/Pages"), None, set())
    _walk_fields(view, _deref(_get(_deref(_get(root, "/AcroForm")), "/Fields")), "", set(), 0)
    _orphan_widgets(view)
    return view


def _orphan_widgets(view: _View) -> None:
    """Widgets on pages that no field of the form tree owns (viewers still show them)."""
    owned = {w for f in view.fields.values() for w in f.widgets}
    for p in view.pages:
        for ref in p.annots:
            if ref in owned:
                continue
            annot = _safe(view.resolver, ref)
            if not isinstance(annot, generic.DictionaryObject) or str(_get(annot, "/Subtype")) != "/Widget":
                continue
            ftype = _inherited(annot, "/FT")
            name = f"(trang/page {p.index + 1}, {_ref_text(ref)})"
            view.fields[name] = _Field(name, ref, str(ftype) if ftype else None, _inherited(annot, "/V"), [ref], annot)


def _walk_pages(view: _View, node_ref: Any, inherited: Any, seen: set[generic.Reference]) -> None:
    if not isinstance(node_ref, generic.IndirectObject):
        return
    ref = node_ref.reference
    if ref in seen or len(seen) > MAX_PAGES:
        view.truncated = view.truncated or len(seen) > MAX_PAGES
        return
    seen.add(ref)
    node = node_ref.get_object()
    if not isinstance(node, generic.DictionaryObject):
        return
    resources = _get(node, "/Resources")
    resources = inherited if resources is None else resources
    kids = _get(node, "/Kids")
    if kids is not None and str(_get(node, "/Type")) != "/Page":
        for kid in _deref(kids) or []:
            _walk_pages(view, kid, resources, seen)
        return
    view.pages.append(
        _Page(
            ref=ref,
            index=len(view.pages),
            obj=node,
            contents=_refs(_get(node, "/Contents")),
            resources=resources,
            annots=_refs(_get(node, "/Annots")),
        )
    )


def _walk_fields(view: _View, fields: Any, prefix: str, seen: set[generic.Reference], depth: int) -> None:
    if not isinstance(fields, generic.ArrayObject) or depth > 32:
        return
    for f in fields:
        if not isinstance(f, generic.IndirectObject) or f.reference in seen:
            continue
        seen.add(f.reference)
        obj = f.get_object()
        if not isinstance(obj, generic.DictionaryObject):
            continue
        partial = _get(obj, "/T")
        name = f"{prefix}.{partial}" if prefix and partial is not None else str(partial or prefix)
        kids = _deref(_get(obj, "/Kids"))
        child_fields = [k for k in (kids or []) if isinstance(k, generic.IndirectObject) and "/T" in k.get_object()]
        if child_fields:
            _walk_fields(view, generic.ArrayObject(child_fields), name, seen, depth + 1)
            continue
        widgets = [k.reference for k in (kids or []) if isinstance(k, generic.IndirectObject)] or [f.reference]
        ftype = _inherited(obj, "/FT")
        view.fields[name] = _Field(name, f.reference, str(ftype) if ftype else None, _get(obj, "/V"), widgets, obj)


def _inherited(obj: generic.DictionaryObject, key: str, depth: int = 0) -> Any:
    v = _get(obj, key)
    if v is not None or depth > 32:
        return v
    parent = _deref(_get(obj, "/Parent"))
    return _inherited(parent, key, depth + 1) if isinstance(parent, generic.DictionaryObject) else None


def same(a: Any, b: Any, depth: int = 0) -> bool:
    """Structural identity of two PDF objects (streams by their encoded bytes)."""
    if depth > 64:
        return False
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return (
            isinstance(a, generic.IndirectObject)
            and isinstance(b, generic.IndirectObject)
            and a.reference == b.reference
        )
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        if not (isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject)):
            return False
        if a.encoded_data != b.encoded_data:
            return False
    if isinstance(a, generic.DictionaryObject):
        if not isinstance(b, generic.DictionaryObject) or set(a.keys()) != set(b.keys()):
            return False
        return all(same(a.raw_get(k), b.raw_get(k), depth + 1) for k in a if k != "/Length")
    if isinstance(a, generic.ArrayObject):
        return (
            isinstance(b, generic.ArrayObject)
            and len(a) == len(b)
            and all(same(x, y, depth + 1) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, (generic.TextStringObject, generic.ByteStringObject)):
        return isinstance(b, (generic.TextStringObject, generic.ByteStringObject)) and a.original_bytes == b.original_bytes
    return bool(type(a) is type(b) and a == b)


def _closure(resolver: HistoricalResolver, start: Any, budget: list[int]) -> set[generic.Reference]:
    """Every indirect object reachable from ``start`` (bounded by ``budget``)."""
    out: set[generic.Reference] = set()
    stack = [start]
    while stack and budget[0] > 0:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            ref = obj.reference
            if ref in out:
                continue
            out.add(ref)
            budget[0] -= 1
            try:
                obj = resolver(ref)
            except Exception:
                continue
        if isinstance(obj, generic.DictionaryObject):
            for k in obj:
                if k not in ("/Parent", "/P"):
                    stack.append(obj.raw_get(k))
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(obj)
    return out


def _rect(annot: generic.DictionaryObject) -> tuple[float, float, float, float] | None:
    r = _deref(_get(annot, "/Rect"))
    if not isinstance(r, generic.ArrayObject) or len(r) != 4:
        return None
    try:
        x1, y1, x2, y2 = (float(_deref(v)) for v in r)
    except (TypeError, ValueError):
        return None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _appearance_blank(resolver: HistoricalResolver, annot: Any) -> bool:
    """Does the annotation's normal appearance paint nothing (empty stream)?"""
    if not isinstance(annot, generic.DictionaryObject):
        return True
    if int(_deref(_get(annot, "/F")) or 0) & 0x22:  # Hidden or NoView
        return True
    ap = _deref(_get(annot, "/AP"))
    n = _deref(_get(ap, "/N"))
    if n is None:
        return True
    if isinstance(n, generic.DictionaryObject) and not isinstance(n, generic.StreamObject):
        state = _get(annot, "/AS")
        n = _deref(n.raw_get(state)) if state is not None and state in n else None
        if n is None:
            return True
    if isinstance(n, generic.StreamObject):
        head = _stream_head(n)
        return head is not None and not _BLANK_OPS.sub(b"", head)
    return True


#: how much of an appearance stream is decoded to decide whether it draws anything
APPEARANCE_PEEK = 64 << 10


def _stream_head(stream: generic.StreamObject) -> bytes | None:
    """The whole decoded stream if it is short, else ``None`` ("assume it draws").

    A single Flate layer is inflated with a bound, so that a decompression bomb in an
    appearance stream costs at most ``APPEARANCE_PEEK`` bytes here; other filter chains
    are decoded by pyHanko (bounded by its decoding limits) only when small on disk.
    """
    filters = _deref(stream.get("/Filter"))
    if isinstance(filters, generic.ArrayObject) and len(filters) == 1:
        filters = _deref(filters[0])
    raw = stream.encoded_data if stream.encoded_data is not None else b""
    try:
        if filters is None:
            return bytes(raw) if len(raw) <= APPEARANCE_PEEK else None
        if str(filters) == "/FlateDecode" and stream.get("/DecodeParms") is None:
            d = zlib.decompressobj()
            out = d.decompress(raw, APPEARANCE_PEEK)
            return None if d.unconsumed_tail else out
        if len(raw) <= APPEARANCE_PEEK:
            data = stream.data
            return data if len(data) <= APPEARANCE_PEEK else None
    except MemoryError:
        raise
    except Exception:
        return None
    return None


def _draws_nothing(obj: Any) -> bool:
    """A content stream or form XObject that paints nothing (or is no stream any more)."""
    if not isinstance(obj, generic.StreamObject):
        return True
    if str(obj.get("/Subtype")) == "/Image":
        return False
    head = _stream_head(obj)
    return head is not None and not _BLANK_OPS.sub(b"", head)


def _value_empty(v: Any) -> bool:
    v = _deref(v)
    if v is None or isinstance(v, generic.NullObject):
        return True
    if isinstance(v, (generic.TextStringObject, generic.ByteStringObject)):
        return not bytes(v.original_bytes).strip()
    if isinstance(v, generic.NameObject):
        return str(v) == "/Off"
    if isinstance(v, generic.ArrayObject):
        return len(v) == 0
    return False


def _existed(reader: PdfFileReader, ref: generic.Reference, revision: int) -> bool:
    try:
        return reader.xrefs.get_historical_ref(ref, revision) is not None
    except Exception:
        return False


def _written_after(reader: PdfFileReader, revision: int) -> tuple[set[generic.Reference], set[int]]:
    """(objects written after ``revision``, object numbers freed after it)."""
    written: set[generic.Reference] = set()
    freed: set[int] = set()
    xrefs = reader.xrefs
    for r in range(revision + 1, xrefs.total_revisions):
        try:
            freed_here = set(xrefs.get_xref_data(r).freed)
        except Exception:  # pragma: no cover - pyHanko internals
            freed_here = set()
        freed |= freed_here
        written |= {
            generic.Reference(x.idnum, x.generation)
            for x in xrefs.explicit_refs_in_revision(r)
            if x.idnum not in freed_here
        }
    return written, freed


def _existed_id(reader: PdfFileReader, idnum: int, revision: int) -> bool:
    """Was object number ``idnum`` in use (any generation) in ``revision``?"""
    xrefs = reader.xrefs
    for r in range(revision, -1, -1):
        try:
            data = xrefs.get_xref_data(r)
        except Exception:  # pragma: no cover
            return False
        if idnum in data.freed:
            return False
        if idnum in data.standard_xrefs or idnum in data.xrefs_in_objstm:
            return True
        hybrid = data.hybrid
        if hybrid is not None and (
            idnum in hybrid.xref_data.standard_xrefs or idnum in hybrid.xref_data.xrefs_in_objstm
        ):
            return True
    return False


def _ref_text(ref: generic.Reference) -> str:
    return f"{ref.idnum} {ref.generation}"


def compare(
    reader: PdfFileReader,
    signed_revision: int,
    *,
    allow_comments: bool = False,
    form_filling_allowed: bool = False,
) -> ChangeReport:
    """Compare what ``signed_revision`` shows with what the current file shows.

    ``form_filling_allowed``: a certification signature permits form filling (DocMDP P2
    or P3, ISO 32000-2 §12.8.2.2): a field that had a value at signing may then get
    another one (``FORM_FIELD_CHANGED``, a warning) unless it is read-only; the new
    appearance is handed to the visual check, which fails it if it paints over signed
    content. Without that permission (an approval signature) the value the signer saw
    stays binding (``FORM_FIELD_OVERWRITTEN``, shadow replace/hide)."""
    out = ChangeReport()
    last = reader.xrefs.total_revisions - 1
    if signed_revision >= last:
        return out
    written, freed = _written_after(reader, signed_revision)
    old = _view(reader, signed_revision)
    new = _view(reader, last)
    out.truncated = old.truncated or new.truncated
    overwritten = {r for r in written if _existed(reader, r, signed_revision)}

    for idnum in sorted(freed):
        if _existed_id(reader, idnum, signed_revision):
            out.issues.append(
                issue(
                    "OBJECT_FREED",
                    f"đối tượng số {idnum} có trong bản đã ký bị xoá",
                    f"object number {idnum} of the signed version was freed",
                    object=idnum,
                )
            )
    out.issues.extend(_compare_pages(reader, signed_revision, old, new, out))
    out.issues.extend(_compare_annotations(reader, signed_revision, old, new, out, allow_comments, written))
    out.issues.extend(_compare_fields(old, new, out, form_filling_allowed))
    out.issues.extend(_compare_catalog(old, new, overwritten, allow_comments))
    out.issues.extend(_classify_overwritten(old, new, overwritten, out))
    for p in new.pages:
        if p.index in out.pages:
            box = _box(_inherited(p.obj, "/MediaBox"))
            rotate = _deref(_inherited(p.obj, "/Rotate"))
            if box is not None and not rotate:
                out.boxes[p.index] = box
    return out


def _box(v: Any) -> tuple[float, float, float, float] | None:
    v = _deref(v)
    if not isinstance(v, generic.ArrayObject) or len(v) != 4:
        return None
    try:
        a, b, c, d = (float(_deref(x)) for x in v)
    except (TypeError, ValueError):
        return None
    return (min(a, c), min(b, d), max(a, c), max(b, d))


def _compare_pages(
    reader: PdfFileReader, s: int, old: _View, new: _View, out: ChangeReport
) -> Iterator[Issue]:
    old_refs = [p.ref for p in old.pages]
    new_refs = [p.ref for p in new.pages]
    if old_refs != new_refs:
        shadow = [r for r in new_refs if r not in old_refs and _existed(reader, r, s)]
        attack = "shadow-hide-and-replace" if shadow or len(new_refs) == len(old_refs) else None
        out.pages.update(range(max(len(old_refs), len(new_refs))))
        yield issue(
            "PAGE_TREE_CHANGED",
            f"danh sách trang {len(old_refs)} → {len(new_refs)} trang"
            + (f"; trang {', '.join(_ref_text(r) for r in shadow)} đã nằm sẵn (ẩn) trong bản đã ký" if shadow else ""),
            f"page list {len(old_refs)} → {len(new_refs)} pages"
            + (f"; page(s) {', '.join(_ref_text(r) for r in shadow)} were already (hidden) in the signed file" if shadow else ""),
            attack=attack,
            shadow_objects=[_ref_text(r) for r in shadow],
        )
    old_by_ref = {p.ref: p for p in old.pages}
    for p in new.pages:
        q = old_by_ref.get(p.ref)
        if q is None:
            continue
        if p.contents != q.contents:
            shadow = [r for r in p.contents if r not in q.contents and _existed(reader, r, s)]
            out.pages.add(p.index)
            yield issue(
                "PAGE_CONTENT_CHANGED",
                f"trang {p.index + 1}: luồng nội dung được thay"
                + (" bằng đối tượng đã nằm sẵn (ẩn) trong bản đã ký" if shadow else ""),
                f"page {p.index + 1}: content streams replaced"
                + (" by objects that were already (hidden) in the signed file" if shadow else ""),
                attack="shadow-hide-and-replace" if shadow else "shadow-replace",
                page=p.index + 1,
                shadow_objects=[_ref_text(r) for r in shadow],
            )
        if not same(_deref(p.resources), _deref(q.resources)):
            yield from _compare_resources(p, q, out)


def _compare_resources(p: _Page, q: _Page, out: ChangeReport) -> Iterator[Issue]:
    new_r, old_r = _deref(p.resources), _deref(q.resources)
    out.pages.add(p.index)
    keys = set(new_r.keys() if isinstance(new_r, generic.DictionaryObject) else []) | set(
        old_r.keys() if isinstance(old_r, generic.DictionaryObject) else []
    )
    reported = False
    for key in sorted(keys):
        if same(_deref(_get(new_r, key)), _deref(_get(old_r, key))):
            continue
        code = {"/Font": "FONT_CHANGED", "/XObject": "XOBJECT_CHANGED"}.get(key, "RESOURCES_CHANGED")
        reported = True
        yield issue(
            code,
            f"trang {p.index + 1}: mục {key} của tài nguyên trang bị sửa",
            f"page {p.index + 1}: the {key} entry of the page resources changed",
            page=p.index + 1,
        )
    if not reported:
        yield issue(
            "RESOURCES_CHANGED",
            f"trang {p.index + 1}: tài nguyên trang bị thay",
            f"page {p.index + 1}: the page resources were replaced",
            page=p.index + 1,
        )


def _annotation_kind(
    new: _View, ref: generic.Reference, annot: generic.DictionaryObject, sig_widgets: set[generic.Reference]
) -> str:
    subtype = str(_get(annot, "/Subtype"))
    if subtype == "/Widget":
        if ref in sig_widgets or str(_inherited(annot, "/FT")) == "/Sig":
            return "signature"
        return "form-field"
    return "comment" if subtype in COMMENT_SUBTYPES else "annotation"


def _compare_annotations(
    reader: PdfFileReader,
    s: int,
    old: _View,
    new: _View,
    out: ChangeReport,
    allow_comments: bool,
    written: set[generic.Reference],
) -> Iterator[Issue]:
    """Annotations removed from a page signed at revision ``s``, or added to it (a
    reference undefined at signing time counts as added); records overlays for the
    visual checks."""
    old_by_ref = {p.ref: p for p in old.pages}
    sig_widgets = {w for f in new.fields.values() if f.ftype == "/Sig" for w in f.widgets}
    _record_signed_signature_areas(old, out)
    for p in new.pages:
        q = old_by_ref.get(p.ref)
        if q is None:
            continue
        removed = [r for r in q.annots if r not in p.annots]
        if removed:
            out.pages.add(p.index)
            yield issue(
                "ANNOTATION_CHANGED",
                f"trang {p.index + 1}: {len(removed)} chú thích/trường có lúc ký bị gỡ khỏi trang",
                f"page {p.index + 1}: {len(removed)} annotation(s) present at signing were removed from the page",
                attack="shadow-hide",
                page=p.index + 1,
                objects=[_ref_text(r) for r in removed],
            )
        for ref in p.annots:
            # a reference listed at signing time but undefined then (it resolved to null)
            # counts as added: that is how prepared "shadow" annotations are activated
            if ref in q.annots and (_existed(reader, ref, s) or ref not in written):
                continue
            try:
                annot = new.resolver(ref)
            except Exception:
                continue
            if not isinstance(annot, generic.DictionaryObject):
                continue
            yield from _added_annotation(reader, s, new, p.index, ref, annot, sig_widgets, out, allow_comments)


def _record_signed_signature_areas(old: _View, out: ChangeReport) -> None:
    """Where the signature widgets of the signed revision are (later content may not cover them)."""
    old_sig_widgets = {w for f in old.fields.values() if f.ftype == "/Sig" for w in f.widgets}
    for old_page in old.pages:
        for ref in old_page.annots:
            if ref not in old_sig_widgets:
                continue
            try:
                old_annot = old.resolver(ref)
            except Exception:
                continue
            old_rect = _rect(old_annot) if isinstance(old_annot, generic.DictionaryObject) else None
            if old_rect is not None:
                out.signed_signature_areas.append(
                    Overlay("signed-signature", old_page.index, old_rect, _ref_text(ref))
                )


def _added_annotation(
    reader: PdfFileReader,
    s: int,
    new: _View,
    page_index: int,
    ref: generic.Reference,
    annot: generic.DictionaryObject,
    sig_widgets: set[generic.Reference],
    out: ChangeReport,
    allow_comments: bool,
) -> Iterator[Issue]:
    """One annotation added after signing: a new signature field, an allowed comment, or
    an added annotation (an attack when its object was already in the signed file)."""
    kind = _annotation_kind(new, ref, annot, sig_widgets)
    subtype = str(_get(annot, "/Subtype"))
    rect = _rect(annot)
    visible = not _appearance_blank(new.resolver, annot)
    if rect is not None and visible:
        out.overlays.append(Overlay(kind, page_index, rect, _ref_text(ref)))
        out.pages.add(page_index)
    if kind == "signature":
        yield issue(
            "SIGNATURE_FIELD_ADDED",
            f"trang {page_index + 1}: trường chữ ký mới {'hiển thị' if visible else 'ẩn'}",
            f"page {page_index + 1}: new {'visible' if visible else 'invisible'} signature field",
            page=page_index + 1,
            object=_ref_text(ref),
            visible=visible,
        )
        return
    out.added_annotations.append(subtype)
    if kind == "comment" and allow_comments:
        yield issue(
            "COMMENTS_ALLOWED",
            f"trang {page_index + 1}: ghi chú {subtype[1:]}",
            f"page {page_index + 1}: {subtype[1:]} comment",
            page=page_index + 1,
            object=_ref_text(ref),
            subtype=subtype,
        )
        return
    pre = _existed(reader, ref, s)
    yield issue(
        "ANNOTATION_ADDED",
        f"trang {page_index + 1}: thêm {('trường biểu mẫu' if kind == 'form-field' else 'chú thích ' + subtype[1:])}"
        + (" (đối tượng đã nằm sẵn trong bản đã ký)" if pre else ""),
        f"page {page_index + 1}: {('form field' if kind == 'form-field' else subtype[1:] + ' annotation')} added"
        + (" (an object already present in the signed file)" if pre else ""),
        page=page_index + 1,
        object=_ref_text(ref),
        subtype=subtype,
        attack="shadow-hide-and-replace" if pre else "evil-annotation",
    )


def _compare_fields(old: _View, new: _View, out: ChangeReport, form_filling_allowed: bool = False) -> Iterator[Issue]:
    for name, f in old.fields.items():
        if f.ftype == "/Sig":
            continue
        g = new.fields.get(name)
        if g is None:
            yield issue(
                "FORM_FIELD_OVERWRITTEN",
                f"trường {name} bị xoá",
                f"field {name} was removed",
                attack="shadow-hide",
                field=name,
            )
            continue
        value_same = same(_deref(f.value), _deref(g.value))
        ap_same = len(f.widgets) == len(g.widgets) and all(
            _widget_same(old, new, a, b) for a, b in zip(f.widgets, g.widgets, strict=True)
        )
        if value_same and ap_same:
            continue
        old_blank = all(_appearance_blank(old.resolver, _safe(old.resolver, w)) for w in f.widgets)
        new_blank = all(_appearance_blank(new.resolver, _safe(new.resolver, w)) for w in g.widgets)
        if _value_empty(f.value) and old_blank:
            yield issue(
                "FORM_FIELD_FILLED",
                f"trường {name} (trống lúc ký) được điền",
                f"field {name} (empty at signing) was filled in",
                field=name,
            )
            for w in g.widgets:
                annot = _safe(new.resolver, w)
                rect = _rect(annot) if isinstance(annot, generic.DictionaryObject) else None
                page = _page_of(new, w)
                if rect is not None and page is not None:
                    out.overlays.append(Overlay("form-field", page, rect, _ref_text(w)))
                    out.pages.add(page)
            continue
        hide = _value_empty(g.value) or new_blank
        for w in g.widgets:
            page = _page_of(new, w)
            if page is not None:
                out.pages.add(page)
        if form_filling_allowed:
            # ReadOnly (Ff bit 1) is a user-interface flag for values a program sets
            # (ISO 32000-1 Table 221); fields are *locked* by FieldMDP, which pyHanko checks
            ro = bool(int(_deref(_inherited(g.obj, "/Ff")) or 0) & 1)
            _field_overlays(new, g, out)
            yield issue(
                "FORM_FIELD_CHANGED",
                f"trường {name}{' (chỉ đọc)' if ro else ''}: {_value_text(f.value)} → {_value_text(g.value)}"
                " (chữ ký chứng thực cho phép điền biểu mẫu)",
                f"field {name}{' (read-only)' if ro else ''}: {_value_text(f.value)} → {_value_text(g.value)}"
                " (the certification permits form filling)",
                field=name,
            )
            continue
        yield issue(
            "FORM_FIELD_OVERWRITTEN",
            f"trường {name} đã có giá trị/hình hiển thị lúc ký bị {'xoá trắng' if hide else 'thay'}",
            f"field {name}, which had a value or appearance at signing, was {'blanked' if hide else 'changed'}",
            attack="shadow-hide" if hide else "shadow-replace",
            field=name,
        )


def _field_overlays(view: _View, fld: _Field, out: ChangeReport) -> None:
    """The widgets of a changed field, as overlays for the visual check."""
    for w in fld.widgets:
        annot = _safe(view.resolver, w)
        rect = _rect(annot) if isinstance(annot, generic.DictionaryObject) else None
        page = _page_of(view, w)
        if rect is not None and page is not None:
            out.overlays.append(Overlay("form-field", page, rect, _ref_text(w)))
            out.pages.add(page)


def _value_text(v: Any) -> str:
    v = _deref(v)
    if v is None or isinstance(v, generic.NullObject):
        return "∅"
    if isinstance(v, (generic.TextStringObject, generic.ByteStringObject, generic.NameObject)):
        text = str(v)
        return repr(text if len(text) <= 40 else text[:40] + "…")
    return type(v).__name__


def _safe(res: HistoricalResolver, ref: generic.Reference) -> Any:
    try:
        return res(ref)
    except Exception:
        return None


def _widget_same(old: _View, new: _View, a: generic.Reference, b: generic.Reference) -> bool:
    wa, wb = _safe(old.resolver, a), _safe(new.resolver, b)
    if not (isinstance(wa, generic.DictionaryObject) and isinstance(wb, generic.DictionaryObject)):
        return wa is wb
    for key in ("/AS", "/F", "/Rect", "/MK"):
        if not same(_deref(_get(wa, key)), _deref(_get(wb, key))):
            return False
    ap_a, ap_b = _deref(_get(wa, "/AP")), _deref(_get(wb, "/AP"))
    return _ap_same(ap_a, ap_b)


def _ap_same(a: Any, b: Any, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(a, generic.DictionaryObject) and not isinstance(a, generic.StreamObject):
        if not isinstance(b, generic.DictionaryObject) or isinstance(b, generic.StreamObject):
            return False
        if set(a.keys()) != set(b.keys()):
            return False
        return all(_ap_same(_deref(a.raw_get(k)), _deref(b.raw_get(k)), depth + 1) for k in a)
    return same(a, b)


def _page_of(view: _View, annot_ref: generic.Reference) -> int | None:
    for p in view.pages:
        if annot_ref in p.annots:
            return p.index
    return None


_ALLOWED_CATALOG_CHANGES = frozenset(
    {"/AcroForm", "/DSS", "/Extensions", "/Metadata", "/MarkInfo", "/Version", "/Perms", "/Pages", "/Type"}
)
_WATCHED_CATALOG_KEYS = ("/OpenAction", "/AA", "/Names", "/OCProperties", "/Outlines", "/PageLabels")


def _only_comment_names(old: _View, new: _View, overwritten: set[generic.Reference]) -> bool:
    """/Names differs only in its /AP name tree (annotation appearances of comments), and
    no object that existed at signing was rewritten for it. The diff policy
    (:class:`vbsign.formats.pades.diffpolicy.AppearanceNamesRule`) checks the entries themselves."""
    a, b = _deref(_get(old.root, "/Names")), _deref(_get(new.root, "/Names"))
    a = a if isinstance(a, generic.DictionaryObject) else generic.DictionaryObject()
    if not isinstance(b, generic.DictionaryObject):
        return False
    if set(a.keys()) - {"/AP"} != set(b.keys()) - {"/AP"}:
        return False
    if not all(same(_deref(a.raw_get(k)), _deref(b.raw_get(k))) for k in a if k != "/AP"):
        return False
    ap = a.raw_get("/AP") if "/AP" in a else None
    return not (isinstance(ap, generic.IndirectObject) and ap.reference in overwritten and "/AP" not in b)


def _compare_catalog(
    old: _View, new: _View, overwritten: set[generic.Reference], allow_comments: bool = False
) -> Iterator[Issue]:
    oc_old, oc_new = _deref(_get(old.root, "/OCProperties")), _deref(_get(new.root, "/OCProperties"))
    ocgs = _refs(_get(oc_old, "/OCGs")) if isinstance(oc_old, generic.DictionaryObject) else []
    if not same(oc_old, oc_new) or any(r in overwritten for r in ocgs):
        yield issue(
            "OPTIONAL_CONTENT_CHANGED",
            "trạng thái bật/tắt của các lớp nội dung (optional content) khác bản đã ký",
            "the on/off state of optional content groups differs from the signed version",
        )
    for key in _WATCHED_CATALOG_KEYS:
        if key == "/OCProperties":
            continue
        if not same(_deref(_get(old.root, key)), _deref(_get(new.root, key))):
            if key == "/Names" and allow_comments and _only_comment_names(old, new, overwritten):
                continue  # a comment's icon appearances (Acrobat), judged by the diff policy
            yield issue(
                "CATALOG_CHANGED",
                f"mục {key} của danh mục tài liệu bị sửa",
                f"the {key} entry of the document catalog changed",
                key=key,
                attack=None,
            )


def _compared_elsewhere(old: _View) -> set[generic.Reference]:
    """Objects other comparisons judge: the catalog, pages, form fields and their widgets."""
    known: set[generic.Reference] = {old.root_ref}
    for p in old.pages:
        known.add(p.ref)
    for f in old.fields.values():
        if f.ref is not None:
            known.add(f.ref)
        known.update(f.widgets)
    acro = _get(old.root, "/AcroForm")
    if isinstance(acro, generic.IndirectObject):
        known.add(acro.reference)
    return known


def _roles_at_signing(old: _View, budget: list[int]) -> list[tuple[str, int, Iterable[generic.Reference]]]:
    """What each page used at signing time, by role: content, fonts, XObjects, other
    resources, and annotations other than form fields (walks bounded by ``budget``)."""
    widgets = {w for f in old.fields.values() for w in f.widgets}
    roles: list[tuple[str, int, Iterable[generic.Reference]]] = []
    for p in old.pages:
        roles.append(("content", p.index, p.contents))
        res = _deref(p.resources)
        for key, code in (("/Font", "font"), ("/XObject", "xobject")):
            sub = _deref(_get(res, key))
            if isinstance(sub, generic.DictionaryObject):
                roles.append((code, p.index, _closure(old.resolver, sub, budget)))
        if isinstance(res, generic.DictionaryObject):
            others = generic.DictionaryObject({k: v for k, v in res.items() if k not in ("/Font", "/XObject")})
            roles.append(("resources", p.index, _closure(old.resolver, others, budget)))
        if isinstance(p.resources, generic.IndirectObject):
            roles.append(("resources", p.index, [p.resources.reference]))
        for a in p.annots:
            if a in widgets or str(_get(_safe(old.resolver, a), "/Subtype")) == "/Widget":
                continue  # form fields and their appearances are compared field by field
            roles.append(("annotation", p.index, _closure(old.resolver, generic.IndirectObject(a.idnum, a.generation, old.resolver), budget)))
    return roles


def _classify_overwritten(
    old: _View, new: _View, overwritten: set[generic.Reference], out: ChangeReport
) -> Iterator[Issue]:
    """Name what each rewritten pre-existing object was used for at signing time."""
    suspects = overwritten - _compared_elsewhere(old)
    if not suspects:
        return
    budget = [MAX_WALK]
    roles = _roles_at_signing(old, budget)
    if budget[0] <= 0:
        out.truncated = True
    codes = {
        "content": ("PAGE_CONTENT_CHANGED", "shadow-replace", "luồng nội dung", "content stream"),
        "font": ("FONT_CHANGED", "shadow-replace", "phông chữ", "font"),
        "xobject": ("XOBJECT_CHANGED", "shadow-replace", "XObject", "XObject"),
        "resources": ("RESOURCES_CHANGED", "shadow-replace", "tài nguyên trang", "page resource"),
        "annotation": ("ANNOTATION_CHANGED", "shadow-hide", "chú thích", "annotation"),
    }
    done: set[generic.Reference] = set()
    for role, page, refs in roles:
        hits = [r for r in refs if r in suspects and r not in done]
        hits = [r for r in hits if not same(_safe(old.resolver, r), _safe(new.resolver, r))]
        if not hits:
            continue
        done.update(hits)
        code, attack, vi, en = codes[role]
        if role in ("content", "xobject") and all(_draws_nothing(_safe(new.resolver, r)) for r in hits):
            attack = "shadow-hide"  # an overlay or content made empty: what it covered shows
        out.pages.add(page)
        yield issue(
            code,
            f"trang {page + 1}: {vi} {', '.join(_ref_text(r) for r in hits[:5])} bị ghi đè sau khi ký",
            f"page {page + 1}: {en} {', '.join(_ref_text(r) for r in hits[:5])} overwritten after signing",
            attack=attack,
            page=page + 1,
            objects=[_ref_text(r) for r in hits],
        )


__all__ = ["COMMENT_SUBTYPES", "ChangeReport", "Overlay", "compare", "same"]


# ---- before signing: what an attacker may have prepared ---------------------------------

#: objects beyond this count are not walked for the unreferenced-object warning (cost)
PRESIGN_MAX_OBJECTS = 20_000
_DISPLAYABLE_TYPES = frozenset({"/Page", "/Pages", "/Catalog", "/XObject", "/Font", "/Annot"})


def signing_risks(reader: PdfFileReader) -> list[Issue]:
    """Things in a document *about to be signed* that could be used against its signer.

    A shadow attack is prepared before signing: content the victim does not see (objects
    no page uses, hidden optional-content layers) or overlays that can be changed later
    (form fields with a visible value or appearance). vbsign rejects the changes that
    activate them, but other verifiers may not, so the signer is warned. The returned
    issues are warnings; signing goes ahead.
    """
    out: list[Issue] = []
    try:
        view = _view(reader, reader.xrefs.total_revisions - 1, current=True)
    except Exception:
        return out
    unreferenced = _unreferenced_displayable(reader)
    if unreferenced:
        out.append(
            issue(
                "SHADOW_CONTENT_PRESENT",
                f"{len(unreferenced)} đối tượng hiển thị được (trang, nội dung, ảnh, phông, chú thích) không được trang nào dùng: "
                "có thể là nội dung 'bóng' chuẩn bị sẵn; hãy kiểm tra nguồn gốc tệp trước khi ký",
                f"{len(unreferenced)} displayable objects (pages, content, images, fonts, annotations) that no page uses: "
                "possibly prepared 'shadow' content; check where the file comes from before signing",
                objects=unreferenced[:20],
            )
        )
    oc = _deref(_get(_deref(_get(view.root, "/OCProperties")), "/D"))
    off = _deref(_get(oc, "/OFF"))
    if isinstance(off, generic.ArrayObject) and len(off) > 0:
        out.append(
            issue(
                "SHADOW_CONTENT_PRESENT",
                f"tài liệu có {len(off)} lớp nội dung đang bị ẩn; chúng có thể được bật lên sau khi ký",
                f"the document has {len(off)} hidden optional-content layers that could be switched on after signing",
            )
        )
    for name, f in view.fields.items():
        if f.ftype == "/Sig":
            continue
        flags = int(_deref(_inherited(f.obj, "/Ff")) or 0)
        if flags & 1:  # ReadOnly
            continue
        if _value_empty(f.value) and all(_appearance_blank(view.resolver, _safe(view.resolver, w)) for w in f.widgets):
            continue
        out.append(
            issue(
                "SHADOW_CONTENT_PRESENT",
                f"trường biểu mẫu {name} đã có giá trị/hình hiển thị và chưa khoá: phần mềm khác có thể cho phép đổi nó sau khi ký",
                f"form field {name} already shows a value and is not read-only: other software may let it be changed after signing",
                field=name,
            )
        )
    return out


class _CurrentResolver:
    """The current revision through the reader itself (no historical copies).

    A historical resolver deep-copies every object it returns; for the latest revision the
    reader's own cache gives the same objects, and warms it for the signing that follows.
    """

    def __init__(self, reader: PdfFileReader) -> None:
        self._reader = reader
        self.trailer_view = reader.trailer_view
        self.root_ref = reader.root_ref

    def __call__(self, ref: generic.Reference) -> Any:
        return self._reader.get_object(ref)


def _unreferenced_displayable(reader: PdfFileReader) -> list[str]:
    xrefs = reader.xrefs
    last = xrefs.total_revisions - 1
    res: Any = _CurrentResolver(reader)
    in_use: set[generic.Reference] = set()
    for r in range(last + 1):
        for ref in xrefs.explicit_refs_in_revision(r):
            if ref.generation >= 0:
                in_use.add(generic.Reference(ref.idnum, ref.generation))
    if len(in_use) > PRESIGN_MAX_OBJECTS:
        return []
    budget = [PRESIGN_MAX_OBJECTS]
    reachable = _closure(res, res.trailer_view, budget)
    if budget[0] <= 0:
        return []
    stream_refs = {
        generic.Reference(x, 0) for r in range(last + 1) for x in xrefs.get_xref_data(r).obj_streams_used
    }
    out: list[str] = []
    for ref in sorted(in_use - reachable - stream_refs, key=lambda x: x.idnum):
        obj = _safe(res, ref)
        if isinstance(obj, generic.StreamObject):
            if str(obj.get("/Type")) in ("/XRef", "/ObjStm", "/Metadata"):
                continue
            out.append(_ref_text(ref))
        elif isinstance(obj, generic.DictionaryObject) and str(obj.get("/Type")) in _DISPLAYABLE_TYPES:
            out.append(_ref_text(ref))
    return out
