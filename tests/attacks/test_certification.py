"""Certification attacks (Evil Annotation, Sneaky Signature) and the comments policy.

Rohlmann et al. (IEEE S&P 2021): in a certified document, annotations or new signature
widgets added afterwards paint over the certified content; 15 of 26 viewers showed the
forged content without a warning. The same overlays also work after approval signatures.
"""

from __future__ import annotations

from typing import Any

import pytest
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.stamp import TextStampStyle

from vbsign.appearance.spec import AppearanceSpec
from vbsign.formats.pades import visual
from vbsign.model.report import Indication

needs_poppler = pytest.mark.skipif(not visual.available(), reason="poppler (pdftoppm) not installed")


def _opaque_stamp(box: tuple[float, float, float, float]) -> Any:
    """A signature appearance that paints an opaque white box with its own text."""
    w, h = box[2] - box[0], box[3] - box[1]
    background = RawContent(f"1 1 1 rg 0 0 {w:.1f} {h:.1f} re f".encode(), box=BoxConstraints(w, h))
    style = TextStampStyle(stamp_text="DA THU HOI", background=background, background_opacity=1, border_width=0)

    def provider(reader, cert, when):  # type: ignore[no-untyped-def]
        return AppearanceSpec(page=0, box=box, stamp_style=style)

    return provider


def _certified(signed, judge, level: int) -> bytes:  # type: ignore[no-untyped-def]
    data = signed(certify=level)
    base = judge(data)
    assert base.indication is Indication.TOTAL_PASSED, sorted(base.codes())
    assert base.signature().modification.certified
    return data


def test_evil_annotation_under_docmdp_2(signed, judge, kit):  # type: ignore[no-untyped-def]
    data = _certified(signed, judge, 2)
    attacked = kit.incremental(data, lambda w: kit.add_annotation(w, kit.freetext(w, kit.NUMBER_LINE, "So: 999/QD", opaque=True)))
    v = judge(attacked)
    kit.assert_rejected(v, codes={"ANNOTATION_ADDED", "DOCMDP_VIOLATION"}, attack="evil-annotation")


@needs_poppler
def test_evil_annotation_under_docmdp_3_with_comments_allowed(signed, judge, kit):  # type: ignore[no-untyped-def]
    """P3 permits annotations, and the caller allows comments: covering content still fails."""
    data = _certified(signed, judge, 3)
    attacked = kit.incremental(data, lambda w: kit.add_annotation(w, kit.freetext(w, kit.NUMBER_LINE, "So: 999/QD", opaque=True)))
    v = judge(attacked, allow_comments=True)
    kit.assert_rejected(v, codes={"ANNOTATION_COVERS_CONTENT"}, attack="evil-annotation")


@needs_poppler
def test_sneaky_signature_after_approval(signed, judge, kit, sign_as):  # type: ignore[no-untyped-def]
    """A second signer's visible widget paints over the first signer's content."""
    data = signed()
    assert judge(data).indication is Indication.TOTAL_PASSED
    attacked = bytes(sign_as("person-b", data, level="B-LT", appearance=_opaque_stamp(kit.NUMBER_LINE)))
    v = judge(attacked)
    kit.assert_rejected(v, codes={"SIGNATURE_WIDGET_COVERS_CONTENT"}, attack="sneaky-signature")
    first, second = v.signature("S1"), v.signature("S2")
    assert first.indication is Indication.TOTAL_FAILED
    assert second.indication is Indication.TOTAL_PASSED  # the new signature itself is fine


def test_sneaky_signature_under_certification(signed, judge, kit, sign_as):  # type: ignore[no-untyped-def]
    data = _certified(signed, judge, 2)
    attacked = bytes(sign_as("person-b", data, level="B-LT", appearance=_opaque_stamp(kit.NUMBER_LINE)))
    v = judge(attacked)
    kit.assert_rejected(v, codes={"DOCMDP_VIOLATION"}, attack="sneaky-signature")


@needs_poppler
def test_second_signature_in_blank_area_stays_valid(signed, judge, kit, sign_as):  # type: ignore[no-untyped-def]
    """The normal workflow (leader signs, then the seal) raises no alarm."""
    data = signed()
    both = bytes(sign_as("agency", data, level="B-LT", appearance=_opaque_stamp(kit.BLANK_AREA)))
    v = judge(both)
    assert v.indication is Indication.TOTAL_PASSED, sorted(v.codes())


# ---- comments policy (allow_comments) ------------------------------------------------------


@needs_poppler
def test_comment_in_blank_area_allowed_only_when_asked(signed, judge, kit):  # type: ignore[no-untyped-def]
    data = signed()
    noted = kit.incremental(data, lambda w: kit.add_annotation(w, kit.sticky_note(w, kit.BLANK_AREA, "Da xem")))
    strict = judge(noted)
    kit.assert_rejected(strict, codes={"ANNOTATION_ADDED"})
    lenient = judge(noted, allow_comments=True)
    assert lenient.indication is Indication.TOTAL_PASSED, sorted(lenient.codes())
    assert "COMMENTS_ALLOWED" in lenient.codes()
    assert lenient.signature().modification.level == "ANNOTATIONS"


def test_comment_rejected_by_docmdp_2_even_when_allowed(signed, judge, kit):  # type: ignore[no-untyped-def]
    data = _certified(signed, judge, 2)
    noted = kit.incremental(data, lambda w: kit.add_annotation(w, kit.sticky_note(w, kit.BLANK_AREA, "Da xem")))
    v = judge(noted, allow_comments=True)
    kit.assert_rejected(v, codes={"DOCMDP_VIOLATION"})


@needs_poppler
def test_comment_that_covers_text_is_rejected(signed, judge, kit):  # type: ignore[no-untyped-def]
    data = signed()
    covered = kit.incremental(data, lambda w: kit.add_annotation(w, kit.freetext(w, kit.NUMBER_LINE, "So: 1/QD", opaque=True)))
    v = judge(covered, allow_comments=True)
    kit.assert_rejected(v, codes={"ANNOTATION_COVERS_CONTENT"}, attack="evil-annotation")


def test_comment_without_renderer_is_not_valid(signed, judge, kit, monkeypatch):  # type: ignore[no-untyped-def]
    """Fail closed: nobody can tell whether the comment hides content → INDETERMINATE."""
    data = signed()
    noted = kit.incremental(data, lambda w: kit.add_annotation(w, kit.sticky_note(w, kit.BLANK_AREA, "Da xem")))
    monkeypatch.setattr(visual, "PDFTOPPM", "pdftoppm-not-installed")
    v = judge(noted, allow_comments=True)
    assert v.indication is Indication.INDETERMINATE
    assert "VISUAL_CHECK_SKIPPED" in v.codes()


@needs_poppler
def test_opaque_seal_over_the_signature_block_is_a_warning(kit, judge, sign_as, sample_pdf):  # type: ignore[no-untyped-def]
    """Decree 30/2020: the agency seal covers the left third of the leader's signature image
    and usually part of the title line. A seal drawn by another tool may *paint* (not
    composite as ink) over that title text: inside the signature block this is reported
    (warning), not treated as a sneaky signature; elsewhere it is (tests above)."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    from vbsign.appearance import Appearance
    from vbsign.testpki.sample_images import signature_png

    leader = bytes(sign_as("person", sample_pdf, level="B-LT", appearance=Appearance.person(signature_png())))
    r = PdfFileReader(BytesIO(leader))  # the leader's widget rectangle, from the file itself
    annots = r.root["/Pages"]["/Kids"][0].get_object()["/Annots"]
    x1, y1, x2, y2 = (float(v) for v in annots[0].get_object()["/Rect"])
    # an opaque white disc-like box over the left third of the image and the title line above
    seal_box = (x1 - 20.0, y1 + 10.0, x1 + (x2 - x1) / 3 + 20.0, y2 + 30.0)
    both = bytes(sign_as("agency", leader, level="B-LT", appearance=_opaque_stamp(seal_box)))
    v = judge(both)
    assert v.indication is Indication.TOTAL_PASSED, sorted(v.codes())
    assert "SIGNATURE_OVER_SIGNATURE_BLOCK" in v.codes()
    assert "SIGNATURE_WIDGET_COVERS_CONTENT" not in v.codes()
