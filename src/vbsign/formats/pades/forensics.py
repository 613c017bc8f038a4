"""Attack-resistant verdicts: the structural, modification and visual checks, per signature.

:mod:`vbsign.formats.pades.verify` gathers the cryptographic evidence of each signature with pyHanko;
this module adds what makes the verdict safe against forged files and decides how it
changes the verdict:

* :func:`analyse` runs once per document: it enumerates every filled signature field
  (:func:`~vbsign.formats.pades.structure.enumerate_signatures`), locates the revisions and checks
  the update chain and every signature dictionary (:mod:`vbsign.formats.pades.structure`);
* :meth:`Forensics.judge` runs per signature after pyHanko's checks: it adds the
  structural findings that concern the signature, names what changed after it
  (:mod:`vbsign.formats.pades.shadow`), runs the visual comparison when needed
  (:mod:`vbsign.formats.pades.visual`) and downgrades the verdict — a structural error gives
  ``TOTAL-FAILED/FORMAT_FAILURE`` whatever else was found, a disallowed change gives
  ``TOTAL-FAILED/FORMAT_FAILURE`` unless the bytes themselves were already shown to be
  altered (``HASH_FAILURE``) or the signature value wrong;
* :meth:`Forensics.unloadable` builds the report of a signature pyHanko cannot even load
  (universal signature forgery), with the reason instead of a generic error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader

import vbsign.formats.pades.shadow as shadow
import vbsign.formats.pades.structure as structure
import vbsign.formats.pades.visual as visual
from vbsign._core.i18n import Msg
from vbsign.formats.pades.findings import CATALOGUE, Issue, issue
from vbsign.formats.pades.limits import BudgetExceeded, check_deadline
from vbsign.formats.pades.structure import Layout, SignatureSlot
from vbsign.model.report import Indication, RevisionInfo, Severity, SignatureReport, SubIndication

logger = logging.getLogger(__name__)

#: findings about the file's structure (as opposed to what changed after signing)
STRUCTURAL = frozenset(
    code
    for code in CATALOGUE
    if code.startswith(("BYTERANGE_", "CONTENTS_", "SIGNATURE_DICTIONARY_", "SIGNATURE_DUPLICATED"))
    or code
    in (
        "HIDDEN_UPDATE",
        "UNPARSED_TRAILING_DATA",
        "HIDDEN_OBJECT",
        "XREF_OUTSIDE_REVISION",
        "STARTXREF_MISMATCH",
        "TRAILER_ROOT_CHANGED",
    )
)


#: findings about what changed (or what the changes cover) that a certification can refuse
_CHANGE_ERRORS = frozenset(
    {
        "SIGNATURE_WIDGET_COVERS_CONTENT",
        "ANNOTATION_COVERS_CONTENT",
        "ANNOTATION_ADDED",
        "ANNOTATION_CHANGED",
        "FORM_FIELD_OVERWRITTEN",
        "VISUAL_DIFFERENCE",
    }
)


@dataclass
class Forensics:
    """Structural evidence about one document, shared by all its signatures."""

    data: bytes
    reader: PdfFileReader
    slots: list[SignatureSlot]
    layout: Layout | None
    slot_issues: dict[int, list[Issue]] = field(default_factory=dict)
    allow_comments: bool = False
    visual_options: visual.VisualOptions = field(default_factory=visual.VisualOptions)
    _renderer: visual.Renderer | None = None

    # ---- document level ------------------------------------------------------------------
    def document_issues(self) -> list[Issue]:
        """Layout issues that concern the document as a whole (reported once)."""
        return list(self.layout.issues) if self.layout is not None else []

    def signatures_removed(self) -> bool:
        """An earlier revision shows a signature that the current file hides."""
        return any(i.code == "SIGNATURE_REMOVED" for i in self.document_issues())

    def revision_details(self) -> list[RevisionInfo]:
        if self.layout is None:
            return []
        by_rev: dict[int, list[SignatureSlot]] = {}
        for s in self.slots:
            if s.revision is not None:
                by_rev.setdefault(s.revision, []).append(s)
        out: list[RevisionInfo] = []
        for rev in self.layout.revisions:
            sigs = by_rev.get(rev.index, [])
            if sigs:
                kind = "document-timestamp" if all(s.sig_type == "/DocTimeStamp" for s in sigs) else "signature"
            elif rev.index == 0:
                kind = "original"
            elif not rev.written:
                kind = "empty"
            else:
                kind = "update"
            out.append(
                RevisionInfo(
                    index=rev.index,
                    start=rev.start,
                    end=rev.end,
                    xref=rev.xref_kind,
                    objects=len(rev.written),
                    kind=kind,
                    signatures=[s.field_name for s in sigs],
                )
            )
        hidden = [i for i in self.layout.issues if i.code in ("HIDDEN_UPDATE", "UNPARSED_TRAILING_DATA")]
        for i in hidden:
            off = int(i.details.get("offset", 0))
            out.append(
                RevisionInfo(
                    index=len(self.layout.revisions),
                    start=off,
                    end=self.layout.size,
                    xref="none",
                    objects=0,
                    kind="hidden",
                    signatures=[],
                    hidden=True,
                )
            )
        return out

    def issues_for(self, slot: SignatureSlot) -> list[Issue]:
        own = self.slot_issues.get(id(slot), [])
        doc = structure.issues_for(self.document_issues(), slot)
        return doc + own

    # ---- signature level ---------------------------------------------------------------
    def unloadable(self, slot: SignatureSlot, sid: str) -> SignatureReport:
        """The report of a signature pyHanko cannot load: structural reasons first."""
        kind = "document-timestamp" if slot.sig_type == "/DocTimeStamp" else "signature"
        rep = SignatureReport(
            id=sid,
            kind=kind,  # type: ignore[arg-type]
            indication=Indication.TOTAL_FAILED,
            sub_indication=SubIndication.FORMAT_FAILURE,
            field_name=slot.field_name,
            revision=slot.revision,
        )
        rep.sub_filter = slot.subfilter
        issues = self.issues_for(slot)
        _add(rep, issues)
        errs = [i for i in issues if i.severity is Severity.ERROR]
        if errs and all(i.code == "SUBFILTER_UNSUPPORTED" for i in errs):
            rep.indication, rep.sub_indication = Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE
        if not errs:
            rep.add(
                "SIGNATURE_UNPROCESSABLE",
                Severity.ERROR,
                Msg("Không xử lý được chữ ký: {e}", "The signature cannot be processed: {e}").format(
                    e=structure._short(slot.error)
                ),
            )
        return rep

    async def judge(self, rep: SignatureReport, slot: SignatureSlot | None) -> None:
        """Add this module's findings to ``rep`` and downgrade its verdict if they demand it."""
        if slot is None:
            return
        issues = self.issues_for(slot)
        changes: shadow.ChangeReport | None = None
        last = self.reader.xrefs.total_revisions - 1
        mod = rep.modification
        # pyHanko's LTA_UPDATES level (DSS, document timestamps, metadata, orphans) cannot
        # change what is displayed: skip the comparison there (it costs ~10 ms)
        lta_only = mod is not None and mod.level in ("NONE", "LTA_UPDATES")
        if slot.revision is not None and slot.revision < last and not lta_only:
            check_deadline()
            form_filling = bool(mod is not None and mod.certified and (mod.docmdp_permission or 0) >= 2)
            try:
                changes = shadow.compare(
                    self.reader, slot.revision, allow_comments=self.allow_comments, form_filling_allowed=form_filling
                )
                issues += changes.issues
            except BudgetExceeded:
                raise
            except Exception as e:  # never let the analysis itself crash a verdict
                logger.debug("change analysis failed", exc_info=True)
                issues.append(_analysis_failed(e))
        if changes is not None and self._wants_visual(rep, issues, changes):
            issues += await self._visual(slot, changes)
        issues += self._docmdp(rep, changes, issues)
        _add(rep, issues)
        _decide(rep, issues)

    def _docmdp(self, rep: SignatureReport, changes: shadow.ChangeReport | None, issues: list[Issue]) -> list[Issue]:
        """DOCMDP_VIOLATION when a certified document changed beyond its permission: the
        level pyHanko measured is too high, or a change the level allows (a new signature,
        a changed field value) paints over certified content or is otherwise refused."""
        mod = rep.modification
        if mod is None or not mod.certified:
            return []
        refused = [i for i in issues if i.severity is Severity.ERROR and i.code in _CHANGE_ERRORS]
        if mod.docmdp_ok is not False and not refused:
            return []
        codes = {i.code for i in changes.issues} if changes is not None else set()
        codes |= {i.code for i in refused}
        attack = None
        if codes & {"SIGNATURE_FIELD_ADDED", "SIGNATURE_WIDGET_COVERS_CONTENT"}:
            attack = "sneaky-signature"
        elif codes & {"ANNOTATION_ADDED", "COMMENTS_ALLOWED", "ANNOTATION_COVERS_CONTENT"}:
            attack = "evil-annotation"
        p = mod.docmdp_permission
        allowed = {
            1: ("không được thay đổi gì", "no change at all"),
            2: ("chỉ điền biểu mẫu và ký", "only form filling and signing"),
            3: ("chỉ điền biểu mẫu, ký và ghi chú", "only form filling, signing and comments"),
        }.get(p or 0, ("?", "?"))
        if mod.docmdp_ok is False:
            vi_why, en_why = f"tài liệu bị thay đổi ở mức {mod.level}", f"the document changed at level {mod.level}"
        else:
            which = ", ".join(sorted({i.code for i in refused}))
            vi_why = f"thay đổi sau khi ký che hoặc thay nội dung đã chứng thực ({which})"
            en_why = f"a change after signing covers or replaces certified content ({which})"
        return [
            issue(
                "DOCMDP_VIOLATION",
                f"chữ ký chứng thực (DocMDP P{p}: {allowed[0]}) nhưng {vi_why}",
                f"certification signature (DocMDP P{p}: {allowed[1]}) but {en_why}",
                permission=p,
                level=mod.level,
                attack=attack,
            )
        ]

    def _wants_visual(self, rep: SignatureReport, issues: list[Issue], changes: shadow.ChangeReport) -> bool:
        opt = self.visual_options.enabled
        if opt is False:
            return False
        if not changes.pages:
            return False
        if opt is True:
            return True
        # auto: only when updates draw something that the rules accepted
        already_failed = rep.indication is Indication.TOTAL_FAILED or any(
            i.severity is Severity.ERROR for i in issues
        )
        return bool(changes.overlays) and not already_failed

    async def _visual(self, slot: SignatureSlot, changes: shadow.ChangeReport) -> list[Issue]:
        if not visual.available():
            sev = "warning" if self.allow_comments and any(o.kind == "comment" for o in changes.overlays) else "info"
            return [
                issue(
                    "VISUAL_CHECK_SKIPPED",
                    "chưa cài poppler (pdftoppm) hoặc numpy; không kiểm tra được các đối tượng mới có che nội dung không",
                    "poppler (pdftoppm) or numpy is not installed; whether new objects cover content was not checked",
                    severity=sev,
                )
            ]
        rev = self.layout.revision(slot.revision) if self.layout is not None and slot.revision is not None else None
        if rev is None:
            return []
        if self._renderer is None:
            self._renderer = visual.Renderer(self.data, self.visual_options)
        try:
            return await self._renderer.compare(
                rev.end, sorted(changes.pages), changes.overlays, changes.boxes, changes.signed_signature_areas
            )
        except BudgetExceeded:
            raise
        except Exception as e:
            logger.debug("visual comparison failed", exc_info=True)
            sev = "warning" if self.allow_comments and any(o.kind == "comment" for o in changes.overlays) else "info"
            return [
                issue(
                    "VISUAL_CHECK_SKIPPED",
                    f"so sánh hình ảnh thất bại ({structure._short(e) or type(e).__name__})",
                    f"the visual comparison failed ({structure._short(e) or type(e).__name__})",
                    severity=sev,
                )
            ]


def analyse(
    data: bytes,
    reader: PdfFileReader,
    *,
    allow_comments: bool = False,
    visual_options: visual.VisualOptions | None = None,
) -> Forensics:
    """Enumerate the signatures and run the document-level structural checks."""
    structure.tolerate_dangling_references(reader)
    slots = structure.enumerate_signatures(reader)
    removed, removed_rev = structure.removed_signatures(reader, slots)
    revs = [s.revision for s in slots if s.revision is not None]
    if removed_rev is not None:
        revs.append(removed_rev)
    layout = structure.analyse_layout(data, reader, min(revs) if revs else None)
    layout.issues.extend(removed)
    f = Forensics(
        data,
        reader,
        slots,
        layout,
        allow_comments=allow_comments,
        visual_options=visual_options or visual.VisualOptions(),
    )
    collisions = structure.check_gap_collisions(slots)
    for s in slots:
        own = structure.check_signature_dictionary(data, reader, s, layout)
        own += [i for i in collisions if i.signature_obj is not None and i.signature_obj == s.obj_number]
        if s.aliases:
            own.append(
                issue(
                    "SIGNATURE_SHOWN_TWICE",
                    f"các trường {', '.join([s.field_name, *s.aliases])}",
                    f"fields {', '.join([s.field_name, *s.aliases])}",
                    fields=[s.field_name, *s.aliases],
                )
            )
        f.slot_issues[id(s)] = own
    return f


def _analysis_failed(e: BaseException) -> Issue:
    return issue(
        "CHANGE_ANALYSIS_INCOMPLETE",
        structure._short(e) or type(e).__name__,
        structure._short(e) or type(e).__name__,
    )


def _add(rep: SignatureReport, issues: list[Issue]) -> None:
    seen = {(f.code, f.message_en) for f in rep.findings}
    for i in issues:
        f = i.to_finding()
        if (f.code, f.message_en) not in seen:
            rep.findings.append(f)
            seen.add((f.code, f.message_en))


def _decide(rep: SignatureReport, issues: list[Issue]) -> None:
    errors = [i for i in issues if i.severity is Severity.ERROR]
    if not errors:
        warn = [i for i in issues if i.code == "VISUAL_CHECK_SKIPPED" and i.severity is Severity.WARNING]
        if warn and rep.indication is Indication.TOTAL_PASSED:
            # comments were allowed but nobody could check that they leave content visible
            rep.indication, rep.sub_indication = Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE
        return
    if all(i.code == "SUBFILTER_UNSUPPORTED" for i in errors):
        # a format vbsign does not verify is not shown wrong: INDETERMINATE, with the
        # ETSI sub-indication for "not within the validation constraints" (FORMAT_FAILURE
        # belongs to TOTAL-FAILED)
        if rep.indication is not Indication.TOTAL_FAILED:
            rep.indication, rep.sub_indication = Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE
        return
    structural = [i for i in errors if i.code in STRUCTURAL]
    if structural:
        rep.indication, rep.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        return
    if rep.indication is Indication.TOTAL_FAILED and rep.sub_indication in (
        SubIndication.HASH_FAILURE,
        SubIndication.SIG_CRYPTO_FAILURE,
    ):
        return  # the signed bytes themselves are already shown to be wrong
    rep.indication, rep.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
    if not rep.has_finding("MODIFIED_AFTER_SIGNING"):
        codes = ", ".join(sorted({i.code for i in errors}))
        rep.add(
            "MODIFIED_AFTER_SIGNING",
            Severity.ERROR,
            Msg(
                "Tài liệu bị thay đổi sau khi ký theo cách không được phép ({c}).",
                "The document was changed after signing in a way that is not allowed ({c}).",
            ).format(c=codes),
            detail=codes,
        )


def attack_classes(rep: SignatureReport) -> list[str]:
    """The attack classes the findings of ``rep`` are evidence of (for summaries)."""
    out: list[str] = []
    for f in rep.findings:
        a = f.details.get("attack") if f.severity is Severity.ERROR else None
        if isinstance(a, str) and a not in out:
            out.append(a)
    return out


def slot_for(forensics: Forensics | None, emb: Any) -> SignatureSlot | None:
    """The slot of an ``EmbeddedPdfSignature`` (by identity)."""
    if forensics is None:
        return None
    for s in forensics.slots:
        if s.embedded is emb:
            return s
    return None


__all__ = ["STRUCTURAL", "Forensics", "analyse", "attack_classes", "slot_for"]
