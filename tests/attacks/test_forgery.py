"""USF, ISA and SWA built from the test PKI: forged signature dictionaries and hidden updates.

Each test first asserts that the untouched signed file is TOTAL-PASSED (the attack, not
some other defect, makes the difference), then that the attacked file is TOTAL-FAILED
with FORMAT_FAILURE and a finding that names the reason.
"""

from __future__ import annotations

import re

import pytest

from vbsign.model.report import Indication, SubIndication


@pytest.fixture
def victim(signed, judge):  # type: ignore[no-untyped-def]
    data = signed()
    base = judge(data)
    assert base.indication is Indication.TOTAL_PASSED, base.codes()
    return data


def _contents_span(data: bytes) -> tuple[int, int]:
    m = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", data)
    assert m is not None
    return m.start(1), m.end(1)


# ---- universal signature forgery ---------------------------------------------------------


def test_usf_contents_zeroed(victim, judge, kit):  # type: ignore[no-untyped-def]
    a, b = _contents_span(victim)
    forged = victim[:a] + b"0" * (b - a) + victim[b:]
    v = judge(forged)
    kit.assert_rejected(v, codes={"CONTENTS_EMPTY"}, attack="universal-signature-forgery")
    assert v.report.sub_indication is SubIndication.FORMAT_FAILURE


def test_usf_contents_not_signed_data(victim, judge, kit):  # type: ignore[no-untyped-def]
    a, b = _contents_span(victim)
    der_integer = b"020101"  # an ASN.1 INTEGER instead of a CMS SignedData
    forged = victim[:a] + der_integer + b"0" * (b - a - len(der_integer)) + victim[b:]
    v = judge(forged)
    kit.assert_rejected(v, codes={"CONTENTS_NOT_SIGNED_DATA"}, attack="universal-signature-forgery")


@pytest.mark.parametrize(
    ("replacement", "code"),
    [
        (b"/ByteRange null", "BYTERANGE_MALFORMED"),
        (b"/ByteRangX [0 1 2 3]", "BYTERANGE_MISSING"),
        (b"/ByteRange [0 -1 2 3]", "BYTERANGE_MALFORMED"),
        (b"/ByteRange [0 1 2]", "BYTERANGE_MALFORMED"),
        (b"/ByteRange [7 1 2 3]", "BYTERANGE_NOT_FROM_START"),
    ],
)
def test_usf_byte_range_forms(victim, judge, kit, replacement, code):  # type: ignore[no-untyped-def]
    m = re.search(rb"/ByteRange\s*\[[^\]]*\]", victim)
    assert m is not None
    original = m.group(0)
    forged = kit.replace_same_length(victim, original, replacement.ljust(len(original)))
    v = judge(forged)
    kit.assert_rejected(v, codes={code})
    assert v.report.sub_indication is SubIndication.FORMAT_FAILURE


# ---- incremental saving attack -----------------------------------------------------------


def test_isa_visible_update_changes_page(victim, judge, kit):  # type: ignore[no-untyped-def]
    forged = kit.incremental(victim, lambda w: kit.plant_text(w, kit.BLANK_AREA, "DA HUY BO"))
    v = judge(forged)
    kit.assert_rejected(v, codes={"MODIFIED_AFTER_SIGNING", "PAGE_CONTENT_CHANGED"}, attack="shadow-replace")


def test_isa_hidden_update_behind_old_startxref(victim, judge, kit):  # type: ignore[no-untyped-def]
    """A complete update (body, xref, trailer) whose startxref still points at the old xref.

    pyHanko follows startxref and never sees it; a viewer that repairs files does.
    """
    update = kit.incremental(victim, lambda w: kit.plant_text(w, kit.BLANK_AREA, "DA HUY BO"))[len(victim) :]
    old = kit.last_startxref(victim)
    hidden = re.sub(rb"startxref\s+\d+", f"startxref\n{old}".encode(), update)
    v = judge(victim + hidden)
    kit.assert_rejected(v, codes={"HIDDEN_UPDATE"}, attack="incremental-saving-attack")


def test_isa_body_only_objects_without_xref(victim, judge, kit):  # type: ignore[no-untyped-def]
    """New object definitions appended with no xref at all (repairing readers use them)."""
    v = judge(victim + b"\n4 0 obj\n<< /Type /Page /Contents 99 0 R >>\nendobj\n99 0 obj\n<< /Length 0 >>\nstream\n\nendstream\nendobj\n")
    kit.assert_rejected(v, codes={"HIDDEN_UPDATE"}, attack="incremental-saving-attack")


def test_isa_object_hidden_inside_a_legal_update(victim, judge, kit):  # type: ignore[no-untyped-def]
    """An update whose body defines an object its own xref does not list (trailer-only)."""
    prev = kit.last_startxref(victim)
    size = int(re.findall(rb"/Size\s+(\d+)", victim)[-1])
    root = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", victim)[-1].decode()
    body = b"\n7 0 obj\n<< /Type /Annot /Subtype /FreeText /Rect [0 0 600 800] >>\nendobj\n"
    xref_at = len(victim) + len(body)
    tail = f"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size {size} /Root {root} /Prev {prev} >>\nstartxref\n{xref_at}\n%%EOF\n"
    v = judge(victim + body + tail.encode())
    kit.assert_rejected(v, codes={"HIDDEN_OBJECT"}, attack="incremental-saving-attack")
    assert "TRAILER_ONLY_UPDATE" in v.codes()


def test_isa_update_redefining_object_with_signed_bytes(victim, judge, kit):  # type: ignore[no-untyped-def]
    """An update whose xref points an object back at an *older* definition in the signed
    bytes (here: the catalog as it was before signing) — no new object bytes at all."""
    prev = kit.last_startxref(victim)
    size = int(re.findall(rb"/Size\s+(\d+)", victim)[-1])
    root_ref = re.findall(rb"/Root\s+(\d+)\s+(\d+)\s+R", victim)[-1]
    root_num = int(root_ref[0])
    first = re.search(rb"\n" + root_ref[0] + rb" 0 obj", victim)
    assert first is not None
    tail = (
        f"xref\n0 1\n0000000000 65535 f \n{root_num} 1\n{first.start() + 1:010d} 00000 n \n"
        f"trailer\n<< /Size {size} /Root {root_num} 0 R /Prev {prev} >>\nstartxref\n{len(victim)}\n%%EOF\n"
    )
    v = judge(victim + tail.encode())
    # the rolled-back catalog has no form any more: the file would look unsigned
    kit.assert_rejected(v, codes={"XREF_OUTSIDE_REVISION", "SIGNATURE_REMOVED"}, attack="incremental-saving-attack")


# ---- signature wrapping -------------------------------------------------------------------


def test_swa_data_smuggled_into_the_gap(victim, judge, kit):  # type: ignore[no-untyped-def]
    """The unsigned /Contents padding is split so that the gap holds a second value."""
    from asn1crypto import parser

    a, b = _contents_span(victim)
    blob = bytes.fromhex(victim[a:b].decode())
    _cls, _m, _t, header, content, trailer = parser.parse(blob)
    cut = a + 2 * (len(header) + len(content) + len(trailer)) + 8  # inside the zero padding
    smuggled = b">/Evil(1)/Pad<"  # /Contents <DER…> /Evil (1) /Pad <zeros…>
    forged = victim[:cut] + smuggled + victim[cut + len(smuggled) :]
    v = judge(forged)
    kit.assert_rejected(v, codes={"BYTERANGE_GAP_NOT_CONTENTS"}, attack="signature-wrapping")


def test_swa_signature_dictionary_copied_to_a_new_field(victim, judge, kit):  # type: ignore[no-untyped-def]
    """A second field shows a copy of the first signature (same ByteRange and Contents)."""
    from pyhanko.pdf_utils import generic

    def copy_sig(w):  # type: ignore[no-untyped-def]
        original = next(f.get_object() for f in w.root["/AcroForm"]["/Fields"] if "/V" in f.get_object())
        sig = original["/V"]
        clone = generic.DictionaryObject({k: sig.raw_get(k) for k in sig})
        field = generic.DictionaryObject(
            {
                kit.name("/FT"): kit.name("/Sig"),
                kit.name("/T"): generic.TextStringObject("GiaMao"),
                kit.name("/Type"): kit.name("/Annot"),
                kit.name("/Subtype"): kit.name("/Widget"),
                kit.name("/Rect"): kit.arr(0, 0, 0, 0),
                kit.name("/V"): w.add_object(clone),
            }
        )
        ref = kit.add_annotation(w, field)
        acro = w.root["/AcroForm"]
        acro["/Fields"].append(ref)
        w.update_container(acro)

    v = judge(kit.incremental(victim, copy_sig))
    kit.assert_rejected(v, codes={"SIGNATURE_DUPLICATED", "BYTERANGE_NOT_REVISION_END"}, attack="signature-wrapping")
    # the genuine signature is still reported for what it is
    assert any(s.field_name != "GiaMao" and s.indication is Indication.TOTAL_FAILED for s in v.report.signatures)
