"""Rules that explain what ordinary PDF writers do after a signature (pyHanko rule API).

pyHanko's difference analysis demands that every object written after a signature be
*explained* by a rule; an unexplained object fails the signature. Its standard rules cover
pyHanko's own output and much of Adobe's, but documents from other writers (iText,
PDFBox, Acrobat on tagged or pre-filled forms, LibreOffice) carry changes that no rule
explains although ISO 32000 allows them and nothing a reader sees changes. Each rule
below explains one such class, through pyHanko's own bookkeeping (an object used in
several places must be cleared in every place, DocMDP levels are compared by pyHanko):

* :class:`VbsignDiffPolicy` — freeing an object number that was *not in use* in the
  signed revision is no change at all (iText lists its own cross-reference stream as a
  free entry, Acrobat frees numbers it reserved); freeing a signed object is still a
  failure;
* :class:`EquivalentRewriteRule` — an object rewritten with the same content, where a
  reference may point to a *new* object that is an exact copy of the old target (some
  timestamping tools re-serialise the page's ``/Resources`` under a new number);
* :class:`WidgetKidRule` — a field whose widget annotations are separate ``/Kids``
  (Acrobat, iText, LibreOffice) gets a new value and a new appearance: pyHanko only looks
  at the field dictionary, the widget's new appearance is explained here, with the same
  checks pyHanko applies to merged field/widgets;
* :class:`VbsignSigFieldCreationRule` — new signature fields and their widgets on the
  page, where the page may differ only by ``/Annots``, the non-visual ``/StructParents``
  and ``/Tabs`` entries and exact copies (pyHanko compares the page byte-for-byte apart
  from ``/Annots``);
* :class:`StructTreeRule` — the logical structure tree (tags, ISO 32000-1 §14.7) grows
  when a tagged writer adds a signature or fills a form: structure elements, the parent
  tree, ``/ParentTreeNextKey``. Tags are not displayed; the walk never follows ``/Pg``,
  ``/Obj``, ``/Stm`` or ``/StmOwn`` (those point at displayed objects, which other rules
  must explain), and an old object is cleared only on its paths through the tree;
* :class:`TolerantFormRule` — pyHanko's form rule, except that a partial field name
  containing a period (forbidden by ISO 32000-1 §12.7.3.2 but written by some Polish
  and Czech signing tools) is read instead of aborting the analysis; two fields whose
  full names would then collide are still refused.

The rules never approve a change to what a page displays; what the updates draw is then
judged by :mod:`vbsign.formats.pades.shadow` and :mod:`vbsign.formats.pades.visual`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel, SuspiciousModification
from pyhanko.sign.diff_analysis.commons import compare_key_refs, qualify_transforming
from pyhanko.sign.diff_analysis.constants import VALUE_UPDATE_KEYS
from pyhanko.sign.diff_analysis.form_rules_api import (
    FieldComparisonContext,
    FieldComparisonSpec,
    FieldMDPRule,
    FormUpdate,
    FormUpdatingRule,
)
from pyhanko.sign.diff_analysis.policies import StandardDiffPolicy
from pyhanko.sign.diff_analysis.rules.form_field_rules import (
    SigFieldCreationRule,
    _allow_appearance_update,
    _allow_in_place_appearance_update,
)
from pyhanko.sign.diff_analysis.rules_api import Context, QualifiedWhitelistRule, ReferenceUpdate
from pyhanko.sign.fields import FieldMDPSpec, MDPPerm

from vbsign.formats.pades.limits import check_deadline

#: page keys that do not change what the page displays
NON_VISUAL_PAGE_KEYS = frozenset({"/Annots", "/StructParents", "/Tabs"})
#: keys of structure-tree objects that point at displayed objects (never followed)
_STRUCT_EXTERNAL = frozenset({"/Pg", "/Obj", "/Stm", "/StmOwn"})
#: objects visited by one equivalence comparison or structure walk
MAX_VISIT = 20_000


# ---- equivalence modulo fresh copies ---------------------------------------------------


class _Equivalence:
    """Compare an old and a new value, where a reference in the new value may point to a
    *new* object whose content equals the old target's (recursively)."""

    def __init__(self, old: HistoricalResolver, new: HistoricalResolver) -> None:
        self.old = old
        self.new = new
        self.copies: set[generic.Reference] = set()
        self._budget = MAX_VISIT

    def same(self, a: Any, b: Any, depth: int = 0) -> bool:
        self._budget -= 1
        if depth > 48 or self._budget <= 0:
            return False
        if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
            return self._same_through_reference(a, b, depth)
        return self._same_value(a, b, depth)

    def _same_through_reference(self, a: Any, b: Any, depth: int) -> bool:
        """A reference stays the same reference, or becomes a *new* object with the old
        target's content (a direct value may also move into one); remembered as a copy."""
        if isinstance(b, generic.IndirectObject) and not isinstance(a, generic.IndirectObject):
            # a direct value moved into a *new* indirect object with the same content
            if not self.old.is_ref_unassignable(b.reference):
                return False
            try:
                ok = self.same(a, self.new(b.reference), depth + 1)
            except Exception:
                return False
            if ok:
                self.copies.add(b.reference)
            return ok
        if not (isinstance(a, generic.IndirectObject) and isinstance(b, generic.IndirectObject)):
            return False
        if a.reference == b.reference:
            return True
        if not self.old.is_ref_unassignable(b.reference):
            return False  # only a *new* object can stand in for the old one
        try:
            ok = self.same(self.old(a.reference), self.new(b.reference), depth + 1)
        except Exception:
            return False
        if ok:
            self.copies.add(b.reference)
        return ok

    def _same_value(self, a: Any, b: Any, depth: int) -> bool:
        """Direct values: streams by their encoded data and dictionary, dictionaries and
        arrays member by member, strings by their bytes, numbers by value (612 = 612.0)."""
        if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
            if not (isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject)):
                return False
            if a.encoded_data != b.encoded_data:
                return False
        if isinstance(a, generic.DictionaryObject):
            if not isinstance(b, generic.DictionaryObject) or set(a.keys()) != set(b.keys()):
                return False
            return all(k == "/Length" or self.same(a.raw_get(k), b.raw_get(k), depth + 1) for k in a)
        if isinstance(a, generic.ArrayObject):
            return (
                isinstance(b, generic.ArrayObject)
                and len(a) == len(b)
                and all(self.same(x, y, depth + 1) for x, y in zip(a, b, strict=True))
            )
        if isinstance(a, (generic.TextStringObject, generic.ByteStringObject)):
            return isinstance(b, (generic.TextStringObject, generic.ByteStringObject)) and a.original_bytes == b.original_bytes
        numbers = (generic.NumberObject, generic.FloatObject)
        if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
            return bool(a == b)  # 612 and 612.0 are the same number
        return bool(type(a) is type(b) and a == b)

    def same_dicts(self, a: Any, b: Any, ignored: frozenset[str]) -> bool:
        if not (isinstance(a, generic.DictionaryObject) and isinstance(b, generic.DictionaryObject)):
            return False
        if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
            return False
        if set(a.keys()) - ignored != set(b.keys()) - ignored:
            return False
        return all(self.same(a.raw_get(k), b.raw_get(k)) for k in a if k not in ignored)

    def copy_updates(self) -> Iterator[ReferenceUpdate]:
        """The new copies that stood in for old objects, and what *they* reference anew."""
        for ref in sorted(self.copies, key=lambda r: r.idnum):
            yield ReferenceUpdate(ref)


class EquivalentRewriteRule(QualifiedWhitelistRule):
    """An existing object rewritten with equivalent content (modulo fresh exact copies)."""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        for ref in new.explicit_refs_in_revision():
            if old.is_ref_unassignable(ref) or old.reader.xrefs.get_historical_ref(ref, old.revision) is None:
                continue
            eq = _Equivalence(old, new)
            try:
                ok = eq.same(old(ref), new(ref))
            except Exception:
                continue
            if ok and eq.copies:  # plain identical rewrites are pyHanko's own business
                yield ModificationLevel.LTA_UPDATES, ReferenceUpdate(ref)
                for upd in eq.copy_updates():
                    yield ModificationLevel.LTA_UPDATES, upd


# ---- freeing -----------------------------------------------------------------------------


def _in_use(old: HistoricalResolver, idnum: int) -> bool:
    """Was object number ``idnum`` in use (any generation) in ``old``'s revision?"""
    xrefs = old.reader.xrefs
    for r in range(old.revision, -1, -1):
        data = xrefs.get_xref_data(r)
        if idnum in data.freed:
            return False
        if idnum in data.standard_xrefs or idnum in data.xrefs_in_objstm:
            return True
        hybrid = data.hybrid
        if hybrid is not None and (idnum in hybrid.xref_data.standard_xrefs or idnum in hybrid.xref_data.xrefs_in_objstm):
            return True
    return False


class VbsignDiffPolicy(StandardDiffPolicy):
    """pyHanko's standard policy; freeing is judged by what was freed (see module docs).
    The verification deadline is checked before each revision is compared."""

    checks_deadline = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["reject_object_freeing"] = False
        super().__init__(*args, **kwargs)

    def apply(
        self,
        old: HistoricalResolver,
        new: HistoricalResolver,
        field_mdp_spec: FieldMDPSpec | None = None,
        doc_mdp: MDPPerm | None = None,
    ) -> DiffResult:
        check_deadline()
        signed = sorted(r.idnum for r in new.refs_freed_in_revision() if _in_use(old, r.idnum))
        if signed:
            raise SuspiciousModification(
                f"Objects {signed} of the signed revision were freed in revision {new.revision}."
            )
        return super().apply(old, new, field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)


# ---- widgets that are separate /Kids of their field -----------------------------------


def _widget_kids(field: Any) -> list[generic.Reference]:
    if not isinstance(field, generic.DictionaryObject):
        return []
    try:
        kids = field["/Kids"]
    except KeyError:
        return []
    if not isinstance(kids, generic.ArrayObject):
        return []
    out = []
    for k in kids:
        if isinstance(k, generic.IndirectObject):
            obj = k.get_object()
            if isinstance(obj, generic.DictionaryObject) and "/T" not in obj:
                out.append(k.reference)
    return out


def _annotation_paths(old: HistoricalResolver, ref: generic.Reference) -> set[RawPdfPath]:
    """Paths through which ``ref`` is used as a widget: a page's /Annots, a field's
    /Kids, the structure tree's /Obj."""
    out = set()
    for p in old._get_usages_of_ref(ref):
        path = p.path
        if len(path) < 2:
            continue
        if path[0] == "/Root" and path[1] in ("/Pages", "/AcroForm", "/StructTreeRoot") and path[-2] in ("/Annots", "/Kids", "/Obj"):
            out.add(p)
    return out


class WidgetKidRule(FieldMDPRule):
    """New value and appearance of a field whose widgets are separate ``/Kids``.

    Only the appearance-related keys of the widget may change (pyHanko's
    ``VALUE_UPDATE_KEYS``); the new appearance streams must be new objects or updated in
    place where pyHanko would allow that for a merged field/widget. For a signature
    field this applies only when it is being signed (no value before, a value now).
    """

    def apply(self, context: FieldComparisonContext) -> Iterable[tuple[ModificationLevel, FormUpdate]]:
        old, new = context.old, context.new
        for fq_name, spec in context.field_specs.items():
            if spec.old_field_ref is None or spec.new_field_ref is None:
                continue
            old_field, new_field = spec.old_field, spec.new_field
            if old_field is None or new_field is None:
                continue
            if spec.field_type == "/Sig" and not ("/V" not in old_field and "/V" in new_field):
                continue
            for kid in _widget_kids(new_field):
                if kid not in _widget_kids(old_field):
                    continue
                yield from self._kid(old, new, fq_name, kid)

    @staticmethod
    def _kid(
        old: HistoricalResolver, new: HistoricalResolver, fq_name: str, kid: generic.Reference
    ) -> Iterator[tuple[ModificationLevel, FormUpdate]]:
        level = ModificationLevel.FORM_FILLING
        try:
            old_kid, new_kid = old(kid), new(kid)
        except Exception:
            return
        if not (isinstance(old_kid, generic.DictionaryObject) and isinstance(new_kid, generic.DictionaryObject)):
            return
        eq = _Equivalence(old, new)
        if not eq.same_dicts(old_kid, new_kid, VALUE_UPDATE_KEYS):
            return  # other keys changed: left unexplained
        for path in _annotation_paths(old, kid):
            yield level, FormUpdate(kid, field_name=fq_name, context_checked=Context.from_absolute(old, path))
        for upd in eq.copy_updates():
            yield level, FormUpdate(upd.updated_ref, field_name=fq_name)
        yield from qualify_transforming(
            level,
            _allow_appearance_update(old_kid, new_kid, old, new),
            transform=FormUpdate.curry_ref(field_name=fq_name),
        )
        for upd in _allow_in_place_appearance_update(old_kid, new_kid, old, new, fq_name=fq_name):
            yield level, upd


# ---- new signature fields on pages ---------------------------------------------------


class VbsignSigFieldCreationRule(SigFieldCreationRule):
    """pyHanko's rule for new signature fields; the page walk tolerates non-visual keys
    and exact copies (see module docs). Visible new fields are allowed after a
    certification signature (as Acrobat does); whether their appearance covers certified
    content is decided by the visual check, and covering content is a DocMDP violation."""

    def __init__(self) -> None:
        super().__init__(approve_widget_bindings=False, allow_new_visible_after_certify=True)  # type: ignore[no-untyped-call]

    def apply(self, context: FieldComparisonContext) -> Iterable[tuple[ModificationLevel, FormUpdate]]:
        yield from super().apply(context)
        widgets: dict[generic.Reference, str] = {}
        for fq_name, spec in context.field_specs.items():
            if spec.field_type != "/Sig" or spec.old_field_ref is not None or spec.new_field_ref is None:
                continue
            kids = _widget_kids(spec.new_field)
            for w in kids or [spec.new_field_ref]:
                widgets[w] = fq_name
        if not widgets:
            return
        old_root = context.old.root["/Pages"]
        new_root = context.new.root["/Pages"]
        for upd in _walk_pages(context.old, context.new, old_root, new_root, widgets, set()):
            yield ModificationLevel.LTA_UPDATES, upd


def _kid_refs(node: Any, exc: type[Exception]) -> list[generic.Reference]:
    try:
        kids = node["/Kids"]
    except (KeyError, TypeError):
        raise exc("No /Kids in /Pages entry") from None
    if not isinstance(kids, generic.ArrayObject) or not all(isinstance(k, generic.IndirectObject) for k in kids):
        raise exc("/Kids is not an array of references")
    return [k.reference for k in kids]


def _annots(page: generic.DictionaryObject) -> tuple[list[generic.Reference], generic.Reference | None]:
    try:
        raw = page.raw_get("/Annots")
    except KeyError:
        return [], None
    ref = raw.reference if isinstance(raw, generic.IndirectObject) else None
    arr = raw.get_object()
    if not isinstance(arr, generic.ArrayObject) or not all(isinstance(a, generic.IndirectObject) for a in arr):
        raise SuspiciousModification("/Annots is not an array of references")
    return [a.reference for a in arr], ref


def _walk_pages(
    old: HistoricalResolver,
    new: HistoricalResolver,
    old_node: Any,
    new_node: Any,
    widgets: dict[generic.Reference, str],
    seen: set[generic.Reference],
) -> Iterator[FormUpdate]:
    old_kids = _kid_refs(old_node, misc.PdfReadError)
    new_kids = _kid_refs(new_node, SuspiciousModification)
    if old_kids != new_kids:
        raise SuspiciousModification("Unexpected change to page tree structure.")
    for ref in new_kids:
        if ref in seen or len(seen) > MAX_VISIT:
            raise misc.PdfReadError("Circular or oversized page tree")
        seen.add(ref)
        old_kid, new_kid = old(ref), new(ref)
        if not isinstance(old_kid, generic.DictionaryObject) or not isinstance(new_kid, generic.DictionaryObject):
            raise misc.PdfReadError("Invalid page tree node")
        if str(old_kid.get("/Type")) == "/Pages":
            yield from _walk_pages(old, new, old_kid, new_kid, widgets, seen)
            continue
        new_annots, new_ref = _annots(new_kid)
        try:
            old_annots, old_ref = _annots(old_kid)
        except SuspiciousModification as e:
            raise misc.PdfReadError(str(e)) from e
        if old_annots == new_annots:
            continue
        if set(old_annots) - set(new_annots):
            raise SuspiciousModification("Annotations were deleted.")
        added = set(new_annots) - set(old_annots)
        if added - widgets.keys():
            continue  # not (only) new signature widgets: other rules or nobody explain it
        eq = _Equivalence(old, new)
        if not eq.same_dicts(old_kid, new_kid, NON_VISUAL_PAGE_KEYS):
            raise SuspiciousModification(f"Page {ref} changed beyond its annotations.")
        name = widgets[next(iter(added))] if len(added) == 1 else None
        yield FormUpdate(ref, field_name=name, valid_when_locked=name is not None, context_checked=None)
        for upd in eq.copy_updates():
            yield FormUpdate(upd.updated_ref, field_name=name)
        if new_ref is not None and (new_ref == old_ref or old.is_ref_unassignable(new_ref)):
            yield FormUpdate(new_ref, field_name=name, context_checked=None)


# ---- the logical structure tree ---------------------------------------------------------


class StructTreeRule(QualifiedWhitelistRule):
    """Changes to the structure tree (tags), never to what it points at (module docs)."""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        level = ModificationLevel.FORM_FILLING
        try:
            new_raw = new.root.raw_get("/StructTreeRoot")
        except KeyError:
            return
        try:
            old_raw: Any = old.root.raw_get("/StructTreeRoot")
        except KeyError:
            old_raw = None
        if (
            isinstance(new_raw, generic.IndirectObject)
            and isinstance(old_raw, generic.IndirectObject)
            and old_raw.reference != new_raw.reference
            and not old.is_ref_unassignable(new_raw.reference)
        ):
            return  # a pre-existing object became the structure tree: not explained here
        written = set(new.explicit_refs_in_revision())
        if not _touches_struct_tree(old, new_raw, old_raw, written):
            return
        yield from _struct_tree_updates(old, new, new_raw, written, level)


def _struct_tree_updates(
    old: HistoricalResolver,
    new: HistoricalResolver,
    new_raw: Any,
    written: set[generic.Reference],
    level: ModificationLevel,
) -> Iterator[tuple[ModificationLevel, ReferenceUpdate]]:
    """Walk the new structure tree (bounded): each object written in this revision is
    explained if it is new, or if it is a structure object the signed revision reached
    through the tree."""
    stack: list[Any] = [new_raw]
    seen: set[generic.Reference] = set()
    while stack and len(seen) < MAX_VISIT:
        value = stack.pop()
        if isinstance(value, generic.IndirectObject):
            ref = value.reference
            if ref in seen:
                continue
            seen.add(ref)
            try:
                obj = new(ref)
            except Exception:
                continue
            if ref in written:
                if old.is_ref_unassignable(ref) or old.reader.xrefs.get_historical_ref(ref, old.revision) is None:
                    yield level, ReferenceUpdate(ref)
                elif _struct_object(obj):
                    for path in old._get_usages_of_ref(ref):
                        if path.path[:2] == ("/Root", "/StructTreeRoot"):
                            yield level, ReferenceUpdate(ref, context_checked=Context.from_absolute(old, path))
            value = obj
        if isinstance(value, generic.StreamObject):
            continue  # streams in the tree (e.g. attribute data) are not walked into
        if isinstance(value, generic.DictionaryObject):
            for k in value:
                if k not in _STRUCT_EXTERNAL and k not in ("/P", "/Parent"):
                    stack.append(value.raw_get(k))
        elif isinstance(value, generic.ArrayObject):
            stack.extend(value)


def _touches_struct_tree(old: HistoricalResolver, new_raw: Any, old_raw: Any, written: set[generic.Reference]) -> bool:
    """Cheap gate: does this revision rewrite the tree's root or an object the signed
    revision reaches through the tree? (Otherwise no new object can hang in the tree.)"""
    if not isinstance(new_raw, generic.IndirectObject) or not isinstance(old_raw, generic.IndirectObject):
        return True
    if new_raw.reference in written or new_raw.reference != old_raw.reference:
        return True
    old._load_reverse_xref_cache()
    for ref in written:
        if old.is_ref_unassignable(ref):
            continue
        if any(p.path[:2] == ("/Root", "/StructTreeRoot") for p in old._get_usages_of_ref(ref)):
            return True
    return False


def _struct_object(obj: Any) -> bool:
    """A structure element, the tree root, a number/name-tree node or an array of them."""
    if isinstance(obj, generic.ArrayObject):
        return True
    if not isinstance(obj, generic.DictionaryObject) or isinstance(obj, generic.StreamObject):
        return False
    t = str(obj.get("/Type")) if "/Type" in obj else None
    if t in ("/StructElem", "/StructTreeRoot", "/OBJR", "/MCR"):
        return True
    return t is None and bool(set(obj.keys()) & {"/Nums", "/Names", "/Kids", "/Limits", "/S", "/K"})


# ---- form fields with periods in their names ------------------------------------------


def _list_fields(
    old_fields: Any, new_fields: Any, old_path: RawPdfPath | None, parent_name: str = "", inherited_ft: Any = None
) -> Generator[tuple[str, FieldComparisonSpec], None, None]:
    """pyHanko's ``_list_fields`` (0.38) without the period check, with a collision check."""

    def _make_list(lst: Any, exc: type[Exception]) -> Iterator[tuple[str, tuple[Any, Any, Any, int]]]:
        if not isinstance(lst, generic.ArrayObject):
            raise exc("Field list is not an array.")
        names_seen: set[str] = set()
        for ix, field_ref in enumerate(lst):
            if not isinstance(field_ref, generic.IndirectObject):
                raise exc("Fields must be indirect objects")
            fld = field_ref.get_object()
            if not isinstance(fld, generic.DictionaryObject):
                raise exc("Fields must be dictionary objects")
            try:
                name = fld.raw_get("/T")
            except KeyError:
                continue
            if not isinstance(name, (generic.TextStringObject, generic.ByteStringObject)):
                raise exc("Names must be strings")
            if str(name) in names_seen:
                raise exc("Duplicate field name")
            names_seen.add(str(name))
            fq_name = parent_name + "." + str(name) if parent_name else str(name)
            try:
                field_type = fld.raw_get("/FT")
            except KeyError:
                field_type = inherited_ft
            try:
                kids = fld["/Kids"]
            except KeyError:
                kids = generic.ArrayObject()
            if not kids and field_type is None:
                raise exc(f"Field type of terminal field {fq_name!r} could not be determined")
            yield fq_name, (field_type, field_ref.reference, kids, ix)

    old_by_name = dict(_make_list(old_fields, misc.PdfReadError))
    new_by_name = dict(_make_list(new_fields, SuspiciousModification))
    for field_name in sorted(set(old_by_name) | set(new_by_name)):
        old_ft, old_ref, old_kids, index = old_by_name.get(field_name, (None, None, generic.ArrayObject(), None))
        new_ft, new_ref, new_kids, _ = new_by_name.get(field_name, (None, None, generic.ArrayObject(), None))
        if old_ref and new_ref and new_ft != old_ft:
            raise SuspiciousModification(f"Update changed field type of {field_name}")
        common_ft = old_ft or new_ft
        field_path = old_path + index if index is not None and old_path is not None else None
        yield (
            field_name,
            FieldComparisonSpec(
                field_type=common_ft,  # type: ignore[arg-type]  # pyHanko's own annotation is too narrow
                old_field_ref=old_ref,
                new_field_ref=new_ref,
                old_canonical_path=field_path,
            ),
        )
        if old_kids or new_kids:
            yield from _list_fields(
                old_kids,
                new_kids,
                parent_name=field_name,
                old_path=field_path + "/Kids" if field_path is not None else None,
                inherited_ft=common_ft,
            )


def _unique_specs(items: Iterable[tuple[str, FieldComparisonSpec]]) -> dict[str, FieldComparisonSpec]:
    out: dict[str, FieldComparisonSpec] = {}
    for name, spec in items:
        if name in out:  # "a.b" as one partial name and "a" → "b": refuse the ambiguity
            raise SuspiciousModification(f"Two fields share the full name {name!r}")
        out[name] = spec
    return out


class TolerantFormRule(FormUpdatingRule):
    """pyHanko's ``FormUpdatingRule.apply`` (0.38) with :func:`_list_fields` above."""

    def apply(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, FormUpdate]]:
        from pyhanko.sign.diff_analysis.commons import compare_dicts

        acroform_context = Context.from_absolute(old, RawPdfPath("/Root", "/AcroForm"))
        old_acroform, new_acroform = yield from qualify_transforming(
            ModificationLevel.LTA_UPDATES,
            compare_key_refs("/AcroForm", old, old.root, new.root),
            transform=FormUpdate.curry_ref(field_name=None, context_checked=acroform_context),
        )
        compare_dicts(old_acroform, new_acroform, self.ignored_acroform_keys)
        if not isinstance(old_acroform, generic.DictionaryObject) or not isinstance(new_acroform, generic.DictionaryObject):
            raise SuspiciousModification("/AcroForm is not a dictionary")
        fields_path = RawPdfPath("/Root", "/AcroForm", "/Fields")
        old_fields, new_fields = yield from qualify_transforming(
            ModificationLevel.LTA_UPDATES,
            compare_key_refs("/Fields", old, old_acroform, new_acroform),
            transform=FormUpdate.curry_ref(field_name=None, context_checked=Context.from_absolute(old, fields_path)),
        )
        _old_dr, new_dr = yield from qualify_transforming(
            ModificationLevel.FORM_FILLING,
            compare_key_refs("/DR", old, old_acroform, new_acroform),
            transform=FormUpdate.curry_ref(
                field_name=None, context_checked=Context.from_absolute(old, RawPdfPath("/Root", "/AcroForm", "/DR"))
            ),
        )
        if new_dr is not None:
            for dep in new.collect_dependencies(new_dr, since_revision=old.revision + 1):
                yield ModificationLevel.FORM_FILLING, FormUpdate(dep, field_name=None)
        context = FieldComparisonContext(
            field_specs=_unique_specs(_list_fields(old_fields, new_fields, old_path=fields_path)), old=old, new=new
        )
        for rule in self.field_rules:
            yield from rule.apply(context)


__all__ = [
    "EquivalentRewriteRule",
    "StructTreeRule",
    "TolerantFormRule",
    "VbsignDiffPolicy",
    "VbsignSigFieldCreationRule",
    "WidgetKidRule",
]
