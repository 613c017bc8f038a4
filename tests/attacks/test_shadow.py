"""Shadow attacks (hide, replace, hide-and-replace), built from the test PKI.

The attacker prepares the document before the victim signs it, so that an update that
looks harmless afterwards changes what the reader sees (Mainka et al., NDSS 2021).
"""

from __future__ import annotations

from pyhanko.pdf_utils import generic

from vbsign.model.report import Indication


def _baseline(judge, data):  # type: ignore[no-untyped-def]
    base = judge(data)
    assert base.indication is Indication.TOTAL_PASSED, sorted(base.codes())
    return base


def test_shadow_hide_overlay_field_blanked(signed, judge, kit, sample_pdf):  # type: ignore[no-untyped-def]
    """Hidden text under an opaque form field; after signing the field is emptied."""
    x1, y1, x2, y2 = kit.PLANT_AREA

    def prepare(w):  # type: ignore[no-untyped-def]
        kit.plant_text(w, kit.PLANT_AREA, "KHONG PHE DUYET")
        kit.add_text_field(w, "GhiChu", kit.PLANT_AREA, " ", kit.white_box(x2 - x1, y2 - y1))

    data = signed(kit.incremental(sample_pdf, prepare))
    _baseline(judge, data)
    attacked = kit.incremental(data, lambda w: kit.set_field_appearance(w, "GhiChu", "", b""))
    v = judge(attacked)
    kit.assert_rejected(v, codes={"FORM_FIELD_OVERWRITTEN"}, attack="shadow-hide")


def test_shadow_replace_field_value(signed, judge, kit, sample_pdf):  # type: ignore[no-untyped-def]
    """A borderless field that reads like page text; after signing its value is swapped."""
    x1, y1, x2, y2 = kit.PLANT_AREA
    data = signed(
        kit.incremental(
            sample_pdf,
            lambda w: kit.add_text_field(w, "KetLuan", kit.PLANT_AREA, "Dong y", kit.text_box("Dong y", x2 - x1, y2 - y1)),
        )
    )
    _baseline(judge, data)
    attacked = kit.incremental(
        data, lambda w: kit.set_field_appearance(w, "KetLuan", "Khong dong y", kit.text_box("Khong dong y", x2 - x1, y2 - y1))
    )
    v = judge(attacked)
    kit.assert_rejected(v, codes={"FORM_FIELD_OVERWRITTEN"}, attack="shadow-replace")


def test_shadow_replace_font_swapped(signed, judge, kit):  # type: ignore[no-untyped-def]
    """A font of the signed page is redefined after signing (glyphs draw other letters)."""
    data = signed()
    _baseline(judge, data)

    def swap_font(w):  # type: ignore[no-untyped-def]
        page = kit.page_ref(w).get_object()
        fonts = page["/Resources"]["/Font"]
        ref = next(v for v in fonts.values())
        font = ref.get_object() if isinstance(ref, generic.IndirectObject) else ref
        font[kit.name("/BaseFont")] = kit.name("/Courier")
        w.update_container(font)

    v = judge(kit.incremental(data, swap_font))
    kit.assert_rejected(v, codes={"FONT_CHANGED"}, attack="shadow-replace")


def test_shadow_hide_and_replace_page_tree(signed, judge, kit, sample_pdf):  # type: ignore[no-untyped-def]
    """A complete shadow page is in the signed file but not displayed; the update swaps it in."""
    shadow: dict[str, generic.IndirectObject] = {}

    def prepare(w):  # type: ignore[no-untyped-def]
        content = w.add_object(generic.StreamObject(stream_data=b"BT /H 24 Tf 72 700 Td (QUYET DINH GIA MAO) Tj ET"))
        res = generic.DictionaryObject({kit.name("/Font"): generic.DictionaryObject({kit.name("/H"): w.add_object(kit.helvetica())})})
        page = generic.DictionaryObject(
            {
                kit.name("/Type"): kit.name("/Page"),
                kit.name("/MediaBox"): kit.arr(0, 0, 595.2756, 841.8898),
                kit.name("/Contents"): content,
                kit.name("/Resources"): res,
                kit.name("/Parent"): w.root.raw_get("/Pages"),
            }
        )
        shadow["page"] = w.add_object(page)  # written, but in no page tree: invisible

    data = signed(kit.incremental(sample_pdf, prepare))
    _baseline(judge, data)
    idnum = shadow["page"].idnum

    def swap(w):  # type: ignore[no-untyped-def]
        pages = w.root["/Pages"]
        pages[kit.name("/Kids")] = generic.ArrayObject([generic.IndirectObject(idnum, 0, w)])
        w.update_container(pages)

    v = judge(kit.incremental(data, swap))
    kit.assert_rejected(v, codes={"PAGE_TREE_CHANGED"}, attack="shadow-hide-and-replace")


def test_shadow_hide_and_replace_page_contents(signed, judge, kit, sample_pdf):  # type: ignore[no-untyped-def]
    """The page's content stream reference is pointed at a prepared, unreferenced stream."""
    shadow: dict[str, int] = {}

    def prepare(w):  # type: ignore[no-untyped-def]
        shadow["n"] = w.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 72 700 200 40 re f")).idnum

    data = signed(kit.incremental(sample_pdf, prepare))
    _baseline(judge, data)

    def swap(w):  # type: ignore[no-untyped-def]
        page = kit.page_ref(w).get_object()
        page[kit.name("/Contents")] = generic.IndirectObject(shadow["n"], 0, w)
        w.update_container(page)

    v = judge(kit.incremental(data, swap))
    kit.assert_rejected(v, codes={"PAGE_CONTENT_CHANGED"}, attack="shadow-hide-and-replace")


def test_filling_an_empty_field_stays_valid(signed, judge, kit, sample_pdf):  # type: ignore[no-untyped-def]
    """Form filling after an approval signature is allowed when the field was empty and
    the filled value lands on a blank area (no false alarm on the legitimate case)."""
    x1, y1, x2, y2 = kit.BLANK_AREA
    data = signed(kit.incremental(sample_pdf, lambda w: kit.add_text_field(w, "SoDen", kit.BLANK_AREA, "", b"")))
    _baseline(judge, data)
    filled = kit.incremental(data, lambda w: kit.set_field_appearance(w, "SoDen", "123", kit.text_box("123", x2 - x1, y2 - y1, fill=False)))
    v = judge(filled)
    assert v.indication is Indication.TOTAL_PASSED, sorted(v.codes())
    assert "FORM_FIELD_FILLED" in v.codes()
