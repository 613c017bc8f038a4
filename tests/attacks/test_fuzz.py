"""Property-based fuzzing of signed PDFs and signed XML (a bounded CI run; long runs:
``scripts/fuzz.py``).

Properties:

1. verification never raises anything but a vbsign error (a typed refusal), whatever
   the bytes;
2. a signed PDF is never TOTAL-PASSED after a byte *inside its signed ranges* changed,
   after an update that changes page content, fonts or annotations was appended, after
   its /ByteRange was edited, or after an object of its page was redefined;
3. a signed XML document is never TOTAL-PASSED after a byte of its signed content changed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vbsign._core.errors import VbsignError
from vbsign.model.report import Indication

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # CI runs are reproducible; scripts/fuzz.py explores
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<QuyetDinh xmlns="urn:vn:gov:qd" Id="qd-12">'
    "<So>12/QĐ-BKHCN</So><TrichYeu>Về việc phê duyệt kế hoạch năm 2027</TrichYeu>"
    "<NoiDung>Điều 1. Phê duyệt kế hoạch năm 2027 của Bộ.</NoiDung></QuyetDinh>"
).encode()


@pytest.fixture
def signed_pdf(signed, judge):  # type: ignore[no-untyped-def]
    data = signed()
    assert judge(data).indication is Indication.TOTAL_PASSED
    return data


def _verdict(judge, data: bytes) -> Indication | None:  # type: ignore[no-untyped-def]
    """The indication, or None for a typed refusal; anything else propagates (= a bug)."""
    try:
        return judge(data).indication
    except VbsignError:
        return None


def _signed_ranges(data: bytes) -> list[tuple[int, int]]:
    b0, l1, s2, l2 = (int(x) for x in re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", data)[0])
    return [(b0, b0 + l1), (s2, s2 + l2)]


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_fuzz_pdf_bytes(signed_pdf, judge, data):  # type: ignore[no-untyped-def]
    """Byte flips, inserts and truncations anywhere in a signed PDF."""
    doc = signed_pdf
    ranges = _signed_ranges(doc)
    kind = data.draw(st.sampled_from(["flip-signed", "flip-any", "insert", "truncate"]))
    if kind == "flip-signed":
        lo, hi = ranges[data.draw(st.integers(0, 1))]
        pos = data.draw(st.integers(lo, hi - 1))
    else:
        pos = data.draw(st.integers(0, len(doc) - 1))
    if kind in ("flip-signed", "flip-any"):
        new = data.draw(st.integers(0, 255).filter(lambda b: b != doc[pos]))
        mutated = doc[:pos] + bytes([new]) + doc[pos + 1 :]
    elif kind == "insert":
        mutated = doc[:pos] + data.draw(st.binary(min_size=1, max_size=16)) + doc[pos:]
    else:
        mutated = doc[:pos]
    verdict = _verdict(judge, mutated)
    in_signed = any(lo <= pos < hi for lo, hi in ranges)
    if kind.startswith("flip") and in_signed:
        assert verdict is not Indication.TOTAL_PASSED, f"flip at {pos} passed"
    if kind == "insert" and pos < ranges[1][1]:
        assert verdict is not Indication.TOTAL_PASSED, f"insert at {pos} passed"


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_fuzz_pdf_structure(signed_pdf, judge, kit, data):  # type: ignore[no-untyped-def]
    """Appended content-changing updates, /ByteRange edits, redefined page objects."""
    from pyhanko.pdf_utils import generic

    doc = signed_pdf
    kind = data.draw(st.sampled_from(["content", "annotation", "font", "mediabox", "byterange", "redefine"]))
    if kind == "content":
        text = data.draw(st.text(alphabet="ABCDEFGHIJ 0123456789", min_size=1, max_size=20))
        mutated = kit.incremental(doc, lambda w: kit.plant_text(w, kit.BLANK_AREA, text))
    elif kind == "annotation":
        x = data.draw(st.floats(0, 500))
        y = data.draw(st.floats(0, 780))
        opaque = data.draw(st.booleans())
        mutated = kit.incremental(doc, lambda w: kit.add_annotation(w, kit.freetext(w, (x, y, x + 80, y + 20), "X", opaque=opaque)))
    elif kind == "font":
        base = data.draw(st.sampled_from(["/Courier", "/Symbol", "/ZapfDingbats", "/Times-Bold"]))

        def swap(w):  # type: ignore[no-untyped-def]
            fonts = kit.page_ref(w).get_object()["/Resources"]["/Font"]
            font = next(iter(fonts.values())).get_object()
            font[kit.name("/BaseFont")] = kit.name(base)
            w.update_container(font)

        mutated = kit.incremental(doc, swap)
    elif kind == "mediabox":
        size = data.draw(st.floats(10, 2000))

        def box(w):  # type: ignore[no-untyped-def]
            page = kit.page_ref(w).get_object()
            page[kit.name("/MediaBox")] = kit.arr(0, 0, size, size)
            w.update_container(page)

        mutated = kit.incremental(doc, box)
    elif kind == "byterange":
        m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", doc)
        assert m is not None
        group = data.draw(st.integers(1, 4))
        old = m.group(group)
        new = data.draw(st.text(alphabet="0123456789", min_size=len(old), max_size=len(old)).filter(lambda s: s.encode() != old))
        mutated = doc[: m.start(group)] + new.encode() + doc[m.end(group) :]
    else:
        target = data.draw(st.sampled_from(["page", "contents", "pages"]))
        junk = data.draw(st.dictionaries(st.sampled_from(["/A", "/B", "/Type", "/Length"]), st.integers(0, 9), max_size=3))

        def redefine(w):  # type: ignore[no-untyped-def]
            page_ref = kit.page_ref(w)
            ref = {
                "page": page_ref,
                "contents": page_ref.get_object().raw_get("/Contents"),
                "pages": w.root.raw_get("/Pages"),
            }[target]
            if isinstance(ref, generic.ArrayObject):
                ref = ref[0]
            obj = generic.DictionaryObject({kit.name(k): generic.NumberObject(v) for k, v in junk.items()})
            w.mark_update(ref)
            w.objects[(ref.generation, ref.idnum)] = obj  # replace what mark_update queued

        mutated = kit.incremental(doc, redefine)
    verdict = _verdict(judge, mutated)
    assert verdict is not Indication.TOTAL_PASSED, f"{kind} passed"


@pytest.fixture
def signed_xml(sign_as, judge):  # type: ignore[no-untyped-def]
    data = bytes(sign_as("person", XML, level="B-LT"))
    assert judge(data).indication is Indication.TOTAL_PASSED
    return data


@FUZZ
@given(data=st.data())
def test_fuzz_xml(signed_xml, judge, data):  # type: ignore[no-untyped-def]
    doc = signed_xml
    start, end = doc.index(b"<So>"), doc.index(b"</NoiDung>") + len(b"</NoiDung>")
    kind = data.draw(st.sampled_from(["flip-signed", "flip-any", "insert", "truncate"]))
    if kind == "flip-signed":
        pos = data.draw(st.integers(start, end - 1))
    else:
        pos = data.draw(st.integers(0, len(doc) - 1))
    if kind.startswith("flip"):
        new = data.draw(st.integers(0, 255).filter(lambda b: b != doc[pos]))
        mutated = doc[:pos] + bytes([new]) + doc[pos + 1 :]
    elif kind == "insert":
        mutated = doc[:pos] + data.draw(st.binary(min_size=1, max_size=16)) + doc[pos:]
    else:
        mutated = doc[:pos]
    verdict = _verdict(judge, mutated)
    if kind == "flip-signed":
        assert verdict is not Indication.TOTAL_PASSED, f"flip at {pos} passed"


def test_fuzz_settings_are_bounded() -> None:
    """CI keeps to a few hundred examples in total (see scripts/fuzz.py for long runs)."""
    assert FUZZ.max_examples * 3 <= 300


def _unused(_: Any) -> None:  # pragma: no cover - keeps typing imports honest
    return None
