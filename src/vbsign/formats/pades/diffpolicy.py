"""vbsign's adjustments to pyHanko's difference policy (what may change after signing).

Two adjustments, both as pyHanko rules so that pyHanko's machinery keeps doing the
bookkeeping (every changed object must be explained, DocMDP levels compared):

1. :class:`TolerantDSSRule` replaces pyHanko's ``DSSCompareRule``: it also accepts
   updates that *rewrite* existing ``/VRI`` entries (EU DSS, Adobe and others refresh
   them when adding validation data) and a ``/Type /VRI`` key in the ``/VRI`` map. The
   DSS holds validation data only; vbsign validates every OCSP response and CRL it
   uses, so these rewrites cannot change what a reader sees nor what vbsign trusts.
2. :class:`CommentRule`, only with ``allow_comments``:

   pyHanko's standard policy rejects every annotation added after a signature (its
   ``ModificationLevel.ANNOTATIONS`` exists but no rule produces it; the maintainer
   declined to add one, pyHanko #209). Some agencies want readers to be able to add
   sticky notes or highlights to a signed document without invalidating it:

* only *new* markup annotations of the types in
  :data:`vbsign.formats.pades.shadow.COMMENT_SUBTYPES` (notes, highlights, shapes, ink, stamps and
  their pop-ups) are accepted, and everything they reference must be new as well;
* the page may change only by its ``/Annots`` entry, and no annotation may disappear;
* the change is rated ``ANNOTATIONS``, so a certification signature with DocMDP 1 or 2
  still rejects it (pyHanko compares the level with the DocMDP permission);
* whether a comment *covers* page content is decided afterwards by the visual check
  (:mod:`vbsign.formats.pades.visual`): a comment may add ink only where the signed page was blank.

The default stays strict: without ``allow_comments`` the rule is not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    DiffPolicy,
    ModificationLevel,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis.commons import compare_dicts
from pyhanko.sign.diff_analysis.constants import ROOT_EXEMPT_STRICT_COMPARISON
from pyhanko.sign.diff_analysis.policies import StandardDiffPolicy
from pyhanko.sign.diff_analysis.rules.file_structure_rules import CatalogModificationRule
from pyhanko.sign.diff_analysis.rules.form_field_rules import (
    DSSCompareRule,
    GenericFieldModificationRule,
    SigFieldModificationRule,
)
from pyhanko.sign.diff_analysis.rules_api import Context, QualifiedWhitelistRule, ReferenceUpdate

from vbsign.formats.pades.diffrules import (
    EquivalentRewriteRule,
    StructTreeRule,
    TolerantFormRule,
    VbsignDiffPolicy,
    VbsignSigFieldCreationRule,
    WidgetKidRule,
)
from vbsign.formats.pades.shadow import COMMENT_SUBTYPES

MAX_PAGE_NODES = 20_000


def _annot_refs(page: generic.DictionaryObject) -> tuple[list[generic.Reference], generic.Reference | None] | None:
    try:
        raw = page.raw_get("/Annots")
    except KeyError:
        return [], None
    arr_ref = raw.reference if isinstance(raw, generic.IndirectObject) else None
    arr = raw.get_object()
    if not isinstance(arr, generic.ArrayObject):
        return None
    refs = []
    for v in arr:
        if not isinstance(v, generic.IndirectObject):
            return None  # direct annotation dictionaries: not supported, left to pyHanko
        refs.append(v.reference)
    return refs, arr_ref


def _pages(res: HistoricalResolver) -> Iterator[tuple[generic.Reference, generic.DictionaryObject]]:
    seen: set[generic.Reference] = set()
    stack: list[Any] = [res.root.raw_get("/Pages")]
    while stack and len(seen) < MAX_PAGE_NODES:
        node = stack.pop()
        if not isinstance(node, generic.IndirectObject) or node.reference in seen:
            continue
        seen.add(node.reference)
        obj = node.get_object()
        if not isinstance(obj, generic.DictionaryObject):
            continue
        if str(obj.get("/Type")) == "/Pages":
            kids = obj.get("/Kids")
            if isinstance(kids, generic.ArrayObject):
                stack.extend(reversed(list(kids)))
        else:
            yield node.reference, obj


class CommentRule(QualifiedWhitelistRule):
    """Approve new comment annotations (and only them) at level ``ANNOTATIONS``."""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        level = ModificationLevel.ANNOTATIONS
        old_pages = dict(_pages(old))
        for page_ref, new_page in _pages(new):
            old_page = old_pages.get(page_ref)
            if old_page is None:
                continue
            new_annots = _annot_refs(new_page)
            old_annots = _annot_refs(old_page)
            if new_annots is None or old_annots is None:
                continue
            (new_list, new_arr_ref), (old_list, old_arr_ref) = new_annots, old_annots
            if new_list == old_list or not set(old_list) <= set(new_list):
                continue
            added = [r for r in new_list if r not in old_list]
            if not all(self._is_new_comment(old, new, r) for r in added):
                continue
            if not compare_dicts(old_page, new_page, frozenset({"/Annots"}), raise_exc=False):
                continue
            yield level, ReferenceUpdate(page_ref, context_checked=None)
            if new_arr_ref is not None and (new_arr_ref == old_arr_ref or old.is_ref_unassignable(new_arr_ref)):
                yield level, ReferenceUpdate(new_arr_ref, context_checked=None)
            for ref in added:
                yield level, ReferenceUpdate(ref, context_checked=None)
                annot = new(ref)
                for dep in new.collect_dependencies(annot, since_revision=old.revision + 1):
                    yield level, ReferenceUpdate(dep, context_checked=None)

    @staticmethod
    def _is_new_comment(old: HistoricalResolver, new: HistoricalResolver, ref: generic.Reference) -> bool:
        if not old.is_ref_unassignable(ref) and old.reader.xrefs.get_historical_ref(ref, old.revision) is not None:
            return False  # a pre-existing object re-used as an annotation
        try:
            annot = new(ref)
        except Exception:
            return False
        if not isinstance(annot, generic.DictionaryObject):
            return False
        return str(annot.get("/Subtype")) in COMMENT_SUBTYPES


#: name trees of the catalog's /Names that a comment may add entries to: /AP maps names to
#: annotation appearance streams (ISO 32000-1 Table 31); Acrobat stores the icons of the
#: comments it adds there ("~icon+Comment+…"). Nothing else (no /JavaScript, no files).
COMMENT_NAME_TREES = frozenset({"/AP"})
MAX_NAME_ENTRIES = 10_000


def _name_entries(tree: Any, budget: list[int]) -> dict[str, Any] | None:
    """name -> raw value of a (small) name tree; None if it is malformed or too large."""
    out: dict[str, Any] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        node = node.get_object() if isinstance(node, generic.IndirectObject) else node
        if not isinstance(node, generic.DictionaryObject):
            return None
        names = node.get("/Names")
        if isinstance(names, generic.ArrayObject):
            if len(names) % 2:
                return None
            for i in range(0, len(names), 2):
                budget[0] -= 1
                if budget[0] < 0:
                    return None
                out[str(names.raw_get(i))] = names.raw_get(i + 1)  # raw: references stay references
        kids = node.get("/Kids")
        if isinstance(kids, generic.ArrayObject):
            stack.extend(kids.raw_get(i) for i in range(len(kids)))
    return out


def _check_added_entries(old: HistoricalResolver, key: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Entries of a comment name tree may only be added, each pointing to a *new* form XObject."""
    for name_, value in after.items():
        if name_ in before and before[name_] == value:
            continue
        if name_ in before or not isinstance(value, generic.IndirectObject):
            raise _suspicious(f"/Names {key} entry {name_} rewritten")
        if not old.is_ref_unassignable(value.reference) and old.reader.xrefs.get_historical_ref(
            value.reference, old.revision
        ) is not None:
            raise _suspicious(f"/Names {key} entry {name_} points to a pre-existing object")
        stream = value.get_object()
        if not isinstance(stream, generic.StreamObject) or str(stream.get("/Subtype")) != "/Form":
            raise _suspicious(f"/Names {key} entry {name_} is not a form XObject")


class AppearanceNamesRule(QualifiedWhitelistRule):
    """With comments allowed: the catalog's ``/Names`` may change only by entries *added*
    to its ``/AP`` name tree, pointing to *new* Form XObjects (a comment's icon
    appearances, as Acrobat writes them). Any other ``/Names`` change is suspicious.

    (:class:`~pyhanko.sign.diff_analysis.rules.file_structure_rules.CatalogModificationRule`
    is then told to leave ``/Names`` to this rule.)"""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        old_raw, new_raw = old.root.get("/Names"), new.root.get("/Names")
        if old_raw is None and new_raw is None:
            return
        old_raw = old_raw.get_object() if isinstance(old_raw, generic.IndirectObject) else old_raw
        new_raw = new_raw.get_object() if isinstance(new_raw, generic.IndirectObject) else new_raw
        old_names = generic.DictionaryObject() if old_raw is None else old_raw
        if not isinstance(old_names, generic.DictionaryObject) or not isinstance(new_names := new_raw, generic.DictionaryObject):
            raise _suspicious("/Names is not a dictionary")
        if not compare_dicts(old_names, new_names, COMMENT_NAME_TREES, raise_exc=False):
            raise _suspicious("/Names changed beyond the annotation appearance (/AP) name tree")
        level = ModificationLevel.ANNOTATIONS
        since = old.revision + 1
        for key in COMMENT_NAME_TREES:
            if key not in new_names:
                if key in old_names:
                    raise _suspicious(f"/Names {key} removed")
                continue
            before = _name_entries(old_names[key], [MAX_NAME_ENTRIES]) if key in old_names else {}
            after = _name_entries(new_names[key], [MAX_NAME_ENTRIES])
            if before is None or after is None:
                raise _suspicious(f"/Names {key} is malformed or too large")
            _check_added_entries(old, key, before, after)
            if set(before) - set(after):
                raise _suspicious(f"/Names {key} entries removed")
            tree = new_names.raw_get(key)
            for dep in new.collect_dependencies(tree, since_revision=since):
                yield level, ReferenceUpdate(dep, context_checked=None)
            if isinstance(tree, generic.IndirectObject):
                yield level, ReferenceUpdate(tree.reference, context_checked=None)
        holder = new.root.raw_get("/Names")
        if isinstance(holder, generic.IndirectObject):
            yield level, ReferenceUpdate(holder.reference, context_checked=None)


_VRI_STREAM_KEYS = frozenset({"/Cert", "/CRL", "/OCSP"})


def _vri_entry_check(vri: Any) -> Any:
    """The structural check pyHanko makes of a new VRI entry (it raises, or passes)."""
    from pyhanko.sign.diff_analysis.commons import assert_not_stream
    from pyhanko.sign.diff_analysis.rules.form_field_rules import _assert_stream_refs

    def check() -> None:
        assert_not_stream(vri)
        if not isinstance(vri, generic.DictionaryObject):
            raise _suspicious("VRI entries should be dictionaries")
        unexpected = set(vri.keys()) - ({"/Type", "/TU", "/TS"} | _VRI_STREAM_KEYS)
        if unexpected:
            raise _suspicious(f"Unexpected keys in VRI dictionary: {unexpected}.")
        for der_type in _VRI_STREAM_KEYS:
            if der_type in vri:
                _assert_stream_refs(der_type, vri.raw_get(der_type), SuspiciousModification, True)

    return check


class TolerantDSSRule(DSSCompareRule):
    """pyHanko's DSS rule, but rewritten ``/VRI`` entries are validated, not rejected.

    :meth:`apply` follows pyHanko 0.38's ``DSSCompareRule.apply`` line by line (pyHanko
    calls ``DSSCompareRule._check_vri`` by class name, so overriding that alone is not
    enough); only the ``/VRI`` comparison differs.
    """

    def __init__(self) -> None:
        super().__init__()
        #: id(resolver) -> (resolver, VRI keys whose structure was checked in its revision)
        self._checked: dict[int, tuple[HistoricalResolver, set[str]]] = {}

    def apply(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterable[ReferenceUpdate]:
        # pyHanko's policy only looks up approvals of objects *written in* ``new``'s revision
        # (StandardDiffPolicy.apply: ``new_xrefs``); the DSS rule approves every DSS object
        # added since the signature, again for each later revision. Handing on only the
        # approvals that can matter gives the same verdict, without pyHanko ingesting
        # hundreds of irrelevant approvals per comparison (lt-short.pdf: 217 000).
        written = set(new.explicit_refs_in_revision())
        for upd in self._approvals(old, new):
            if upd.updated_ref in written:
                yield upd

    def _approvals(self, old: HistoricalResolver, new: HistoricalResolver) -> Iterator[ReferenceUpdate]:
        from pyhanko.pdf_utils import misc
        from pyhanko.sign.diff_analysis.commons import compare_key_refs
        from pyhanko.sign.diff_analysis.rules.form_field_rules import _validate_dss_substructure

        dss_context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS"))
        old_dss, new_dss = yield from misc.map_with_return(
            compare_key_refs("/DSS", old, old.root, new.root),
            ReferenceUpdate.curry_ref(context_checked=dss_context),
        )
        if new_dss is None:
            return
        if old_dss is None:
            old_dss = generic.DictionaryObject()
        if not isinstance(old_dss, generic.DictionaryObject):
            raise misc.PdfReadError("/DSS is not a dictionary")
        if not isinstance(new_dss, generic.DictionaryObject):
            raise _suspicious("/DSS is not a dictionary")
        stream_keys = {"/Certs", "/CRLs", "/OCSPs"}
        unexpected = set(new_dss.keys()) - ({"/Type", "/VRI"} | stream_keys)
        if unexpected:
            raise _suspicious(f"Unexpected keys in DSS: {unexpected}.")
        yield from _validate_dss_substructure(
            old, new, old_dss, new_dss, stream_keys, is_vri=False, context=dss_context
        )
        old_vri, new_vri = yield from misc.map_with_return(
            compare_key_refs("/VRI", old, old_dss, new_dss),
            ReferenceUpdate.curry_ref(context_checked=Context.from_absolute(old, RawPdfPath("/Root", "/DSS", "/VRI"))),
        )
        if new_vri is not None:
            if not isinstance(new_vri, generic.DictionaryObject):
                raise _suspicious("/VRI is not a dictionary")
            if old_vri is None:
                old_vri = generic.DictionaryObject()
            elif not isinstance(old_vri, generic.DictionaryObject):
                raise misc.PdfReadError("/VRI is not a dictionary")
            yield from self._check_vri(old, new, old_vri, new_vri)

    def _check_vri(  # type: ignore[override]
        self,
        old: HistoricalResolver,
        new: HistoricalResolver,
        old_vri: generic.DictionaryObject,
        new_vri: generic.DictionaryObject,
    ) -> Iterator[ReferenceUpdate]:
        changed = generic.DictionaryObject()
        kept = generic.DictionaryObject()
        for key in new_vri:
            if key == "/Type":
                if str(new_vri.raw_get(key)) != "/VRI":
                    raise _suspicious("/VRI has a /Type other than /VRI")
                continue
            value = new_vri.raw_get(key)
            try:
                unchanged = old_vri.raw_get(key) == value
            except KeyError:
                unchanged = False
            if unchanged:
                kept[key] = value
                continue
            changed[key] = value
            if isinstance(value, generic.IndirectObject) and not old.is_ref_unassignable(value.reference):
                # an existing VRI dictionary rewritten in place: approve it on this path only
                yield ReferenceUpdate(
                    value.reference,
                    context_checked=Context.from_absolute(old, RawPdfPath("/Root", "/DSS", "/VRI", key)),
                )
                changed[key] = value.get_object()
        # validate the rewritten and new entries exactly like pyHanko validates new ones
        yield from self._check_entries(old, new, changed)

    def _once(self, res: HistoricalResolver, what: str, check: Any) -> None:
        """Run a structural ``check`` of ``res``'s revision once (it raises, or passes)."""
        done = self._checked.setdefault(id(res), (res, set()))[1]
        if what not in done:
            check()
            done.add(what)

    def _check_entries(
        self, old: HistoricalResolver, new: HistoricalResolver, entries: generic.DictionaryObject
    ) -> Iterator[ReferenceUpdate]:
        """pyHanko 0.38's ``DSSCompareRule._check_vri`` for new entries, except that an
        entry's structure, which depends on ``new``'s revision only, is checked once per
        revision rather than once per earlier signature (lt-short.pdf: 25 signatures)."""
        from pyhanko.pdf_utils import misc
        from pyhanko.sign.diff_analysis.constants import VRI_KEY_PATTERN

        since = old.revision + 1
        for key, entry in entries.items():
            if not VRI_KEY_PATTERN.match(key):
                raise _suspicious(f"VRI key {key} is not formatted correctly.")
            vri = entry
            if isinstance(entry, generic.IndirectObject) and old.is_ref_unassignable(entry.reference):
                yield ReferenceUpdate(entry.reference)
                vri = entry.get_object()
            self._once(new, f"vri{key}", _vri_entry_check(vri))
            context = Context.from_absolute(old, RawPdfPath("/Root", "/DSS", "/VRI", key))
            for der_type in sorted(_VRI_STREAM_KEYS):
                if der_type not in vri:
                    continue
                for ref in new.collect_dependencies(vri.raw_get(der_type), since_revision=since):
                    yield ReferenceUpdate(ref, context_checked=context.descend(der_type))
            try:  # /TS is also a DER stream
                ts_ref = vri.get_value_as_reference("/TS", optional=True)
                if ts_ref is not None and old.is_ref_unassignable(ts_ref):
                    yield ReferenceUpdate(ts_ref)
            except misc.IndirectObjectExpected:
                pass


def _suspicious(msg: str) -> Exception:
    from pyhanko.sign.diff_analysis import SuspiciousModification

    return SuspiciousModification(msg)


def vbsign_policy(policy: DiffPolicy, *, allow_comments: bool = False) -> DiffPolicy:
    """``policy`` with :class:`TolerantDSSRule` and, if asked, :class:`CommentRule`.

    pyHanko's default policy (the library default) also gets the rules of
    :mod:`vbsign.formats.pades.diffrules` that explain ordinary writers' output, and becomes a
    :class:`~vbsign.formats.pades.diffrules.VbsignDiffPolicy` (freeing unused object numbers is
    no change). Policies that are not pyHanko ``StandardDiffPolicy`` objects are
    returned unchanged: a caller who wrote their own policy gets exactly that policy.
    """
    if not isinstance(policy, StandardDiffPolicy):
        return policy
    rules: list[Any] = [
        TolerantDSSRule().as_qualified(ModificationLevel.LTA_UPDATES) if _is_dss_rule(r) else r
        for r in policy.global_rules
    ]
    if allow_comments and not any(isinstance(r, CommentRule) for r in rules):
        rules.append(CommentRule())
        if any(isinstance(r, CatalogModificationRule) for r in rules):
            # /Names is then checked by AppearanceNamesRule (a comment's icon appearances)
            rules = [
                CatalogModificationRule(ignored_keys=ROOT_EXEMPT_STRICT_COMPARISON | {"/Names"})
                if isinstance(r, CatalogModificationRule)
                else r
                for r in rules
            ]
            rules.append(AppearanceNamesRule())
    if policy is not DEFAULT_DIFF_POLICY:
        return type(policy)(
            global_rules=rules,
            form_rule=policy.form_rule,
            reject_object_freeing=policy.reject_object_freeing,
            ignore_orphaned_objects=policy.ignore_orphaned_objects,
            ignore_identical_objects=policy.ignore_identical_objects,
        )
    rules += [EquivalentRewriteRule(), StructTreeRule()]
    form_rule = TolerantFormRule(
        field_rules=[VbsignSigFieldCreationRule(), SigFieldModificationRule(), GenericFieldModificationRule(), WidgetKidRule()]
    )
    return VbsignDiffPolicy(
        global_rules=rules,
        form_rule=form_rule,
        ignore_orphaned_objects=policy.ignore_orphaned_objects,
        ignore_identical_objects=policy.ignore_identical_objects,
    )


def _is_dss_rule(rule: Any) -> bool:
    inner = getattr(rule, "rule", None)
    return type(inner) is DSSCompareRule


__all__ = ["AppearanceNamesRule", "CommentRule", "TolerantDSSRule", "vbsign_policy"]
