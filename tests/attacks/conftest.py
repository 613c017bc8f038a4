"""Tools to build PDF attacks from the test PKI: the attacker's side of the tests.

Every attack test follows the same script: an *attacker* prepares a document (optional),
a *victim* signs it with the test PKI at B-LT (``sign_as``), the attacker changes the
signed file, and vbsign must (1) pass the untouched signed file — the baseline, asserted
in every test — and (2) reject the changed one with a finding that names the reason.

The helpers here only build PDF objects with pyHanko's incremental writer or edit bytes;
nothing in them knows what vbsign checks.
"""

from __future__ import annotations

import io
import re
import sys
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from vbsign.model.report import Indication, Report

#: where the sample decision prints "Số: 414/QĐ-BKHCN" (PDF user space, points)
NUMBER_LINE = (118.0, 720.0, 238.0, 737.0)
#: a blank area of the sample page, right of the "Nơi nhận" block
BLANK_AREA = (60.0, 40.0, 200.0, 90.0)
#: a blank area under the signature block where hidden text is planted
PLANT_AREA = (330.0, 300.0, 540.0, 330.0)


def helvetica() -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            generic.NameObject("/Encoding"): generic.NameObject("/WinAnsiEncoding"),
        }
    )


def arr(*values: float) -> generic.ArrayObject:
    return generic.ArrayObject(generic.FloatObject(v) for v in values)


def name(n: str) -> generic.NameObject:
    return generic.NameObject(n)


def form_xobject(w: IncrementalPdfFileWriter, content: bytes, width: float, height: float) -> generic.IndirectObject:
    stream = generic.StreamObject(
        {
            name("/Type"): name("/XObject"),
            name("/Subtype"): name("/Form"),
            name("/BBox"): arr(0, 0, width, height),
            name("/Resources"): generic.DictionaryObject(
                {name("/Font"): generic.DictionaryObject({name("/Helv"): w.add_object(helvetica())})}
            ),
        },
        stream_data=content,
    )
    return w.add_object(stream)


def white_box(width: float, height: float) -> bytes:
    return f"1 1 1 rg 0 0 {width:.1f} {height:.1f} re f".encode()


def text_box(text: str, width: float, height: float, *, fill: bool = True) -> bytes:
    bg = f"1 1 1 rg 0 0 {width:.1f} {height:.1f} re f " if fill else ""
    return f"{bg}BT 0 0 0 rg /Helv 11 Tf 3 {height / 3:.1f} Td ({text}) Tj ET".encode()


def page_ref(w: IncrementalPdfFileWriter, index: int = 0) -> generic.IndirectObject:
    kids = w.root["/Pages"]["/Kids"]
    ref = kids.raw_get(index) if hasattr(kids, "raw_get") else kids[index]
    assert isinstance(ref, generic.IndirectObject)
    return ref


def add_annotation(w: IncrementalPdfFileWriter, annot: generic.DictionaryObject, page: int = 0) -> generic.IndirectObject:
    """Append an annotation to a page's /Annots (creating the array if needed)."""
    pref = page_ref(w, page)
    annot[name("/P")] = pref
    ref = w.add_object(annot)
    p = pref.get_object()
    existing = p.get("/Annots")
    annots = generic.ArrayObject(list(existing)) if existing is not None else generic.ArrayObject()
    annots.append(ref)
    p[name("/Annots")] = annots
    w.update_container(p)
    return ref


def freetext(w: IncrementalPdfFileWriter, rect: tuple[float, float, float, float], text: str, *, opaque: bool) -> generic.DictionaryObject:
    x1, y1, x2, y2 = rect
    ap = form_xobject(w, text_box(text, x2 - x1, y2 - y1, fill=opaque), x2 - x1, y2 - y1)
    return generic.DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/FreeText"),
            name("/Rect"): arr(*rect),
            name("/Contents"): generic.TextStringObject(text),
            name("/DA"): generic.TextStringObject("0 g /Helv 11 Tf"),
            name("/F"): generic.NumberObject(4),
            name("/AP"): generic.DictionaryObject({name("/N"): ap}),
        }
    )


def sticky_note(w: IncrementalPdfFileWriter, rect: tuple[float, float, float, float], text: str) -> generic.DictionaryObject:
    """A /Text comment whose icon is a small yellow square (drawn in a blank area)."""
    x1, y1, x2, y2 = rect
    ap = form_xobject(w, f"1 1 0 rg 0 0 {x2 - x1:.1f} {y2 - y1:.1f} re f".encode(), x2 - x1, y2 - y1)
    return generic.DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/Text"),
            name("/Rect"): arr(*rect),
            name("/Contents"): generic.TextStringObject(text),
            name("/F"): generic.NumberObject(4),
            name("/AP"): generic.DictionaryObject({name("/N"): ap}),
        }
    )


def incremental(data: bytes, mutate: Callable[[IncrementalPdfFileWriter], Any]) -> bytes:
    """``data`` plus one incremental update written by pyHanko after ``mutate(writer)``."""
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    mutate(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def add_text_field(
    w: IncrementalPdfFileWriter, field: str, rect: tuple[float, float, float, float], value: str, appearance: bytes
) -> generic.IndirectObject:
    """A text field with one widget on page 1, registered in the AcroForm."""
    x1, y1, x2, y2 = rect
    ap = form_xobject(w, appearance, x2 - x1, y2 - y1)
    widget = generic.DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/Widget"),
            name("/FT"): name("/Tx"),
            name("/T"): generic.TextStringObject(field),
            name("/V"): generic.TextStringObject(value),
            name("/Rect"): arr(*rect),
            name("/F"): generic.NumberObject(4),
            name("/DA"): generic.TextStringObject("0 g /Helv 11 Tf"),
            name("/AP"): generic.DictionaryObject({name("/N"): ap}),
        }
    )
    ref = add_annotation(w, widget)
    root = w.root
    acro = root.get("/AcroForm")
    if acro is None:
        acro = generic.DictionaryObject({name("/Fields"): generic.ArrayObject()})
        root[name("/AcroForm")] = w.add_object(acro)
        w.update_root()
    acro = acro.get_object() if isinstance(acro, generic.IndirectObject) else acro
    acro["/Fields"].append(ref)
    w.update_container(acro)
    return ref


def plant_text(w: IncrementalPdfFileWriter, rect: tuple[float, float, float, float], text: str) -> None:
    """Draw ``text`` on page 1 (a new content stream appended to the page)."""
    x1, y1, _x2, _y2 = rect
    stream = generic.StreamObject(stream_data=f"BT 0 0 0 rg /HelvX 14 Tf {x1 + 4:.1f} {y1 + 8:.1f} Td ({text}) Tj ET".encode())
    ref = w.add_object(stream)
    res = generic.DictionaryObject({name("/Font"): generic.DictionaryObject({name("/HelvX"): w.add_object(helvetica())})})
    w.add_stream_to_page(0, ref, resources=res)


def set_field_appearance(w: IncrementalPdfFileWriter, field: str, value: str, appearance: bytes) -> None:
    """Fill a text field after signing: new /V and a new appearance stream."""
    for f in w.root["/AcroForm"]["/Fields"]:
        obj = f.get_object()
        if str(obj.get("/T")) == field:
            x1, y1, x2, y2 = (float(v) for v in obj["/Rect"])
            obj[name("/V")] = generic.TextStringObject(value)
            obj[name("/AP")] = generic.DictionaryObject({name("/N"): form_xobject(w, appearance, x2 - x1, y2 - y1)})
            w.update_container(obj)
            return
    raise AssertionError(f"no field {field}")


def append_raw(data: bytes, body: bytes) -> bytes:
    return data + body


def last_startxref(data: bytes) -> int:
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def replace_same_length(data: bytes, old: bytes, new: bytes, *, count: int = 1) -> bytes:
    assert len(old) == len(new), (len(old), len(new))
    assert data.count(old) >= count, old
    return data.replace(old, new, count)


def byte_range(data: bytes, index: int = 0) -> list[int]:
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    return [int(x) for x in found[index]]


def flate_bomb(decoded_size: int) -> bytes:
    """Zeros compressed twice: a few KB that inflate to ``decoded_size`` bytes."""
    c = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = [c.compress(chunk) for _ in range(decoded_size >> 20)]
    once = b"".join(parts) + c.flush()
    return zlib.compress(once, 9)


@dataclass
class Verdict:
    """The parts of a report the attack tests assert on."""

    report: Report

    @property
    def indication(self) -> Indication:
        return self.report.indication

    def codes(self) -> set[str]:
        out = {f.code for f in self.report.findings}
        for s in self.report.signatures:
            out |= {f.code for f in s.findings}
        return out

    def error_codes(self) -> set[str]:
        out = {f.code for f in self.report.findings if f.severity.value == "error"}
        for s in self.report.signatures:
            out |= {f.code for f in s.findings if f.severity.value == "error"}
        return out

    def attacks(self) -> set[str]:
        out: set[str] = set()
        for f in [*self.report.findings, *(f for s in self.report.signatures for f in s.findings)]:
            a = f.details.get("attack")
            if isinstance(a, str) and f.severity.value == "error":
                out.add(a)
        return out

    def signature(self, sid: str = "S1") -> Any:
        return next(s for s in self.report.signatures if s.id == sid)


@pytest.fixture
def judge(verify_at: Any) -> Callable[..., Verdict]:
    """``judge(data, **verify_options) -> Verdict`` (offline at T0, test PKI trusted)."""

    def _judge(data: bytes, **opts: Any) -> Verdict:
        return Verdict(verify_at(data, **opts))

    return _judge


@pytest.fixture
def signed(sign_as: Any, sample_pdf: bytes) -> Callable[..., bytes]:
    """``signed(data=None, subject="person", **opts)``: the victim signs (B-LT at T0)."""

    def _signed(data: bytes | None = None, subject: str = "person", **opts: Any) -> bytes:
        return bytes(sign_as(subject, data if data is not None else sample_pdf, level="B-LT", **opts))

    return _signed


def assert_rejected(v: Verdict, *, codes: Iterable[str], attack: str | None = None) -> None:
    """Not passed, and the findings name the reason (and the attack class)."""
    assert v.indication is not Indication.TOTAL_PASSED
    assert v.indication is Indication.TOTAL_FAILED
    found = v.error_codes()
    missing = set(codes) - found
    assert not missing, f"missing findings {missing}; got {sorted(found)}"
    if attack is not None:
        assert attack in v.attacks(), f"attack {attack} not named; got {sorted(v.attacks())}"




def raw_pdf(objects: list[bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A classic PDF from object bodies (object n is ``objects[n-1]``), xref computed."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, trailer_extra, xref_at)
    return bytes(out)


MINIMAL_PAGE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
]


def objstm_bomb(decoded: int) -> bytes:
    """The catalog lives in an object stream that inflates (twice) to ``decoded`` bytes."""
    stream = flate_bomb(decoded)
    objs = [
        b"<< /Type /Catalog /Pages 4 0 R >>",  # 1: placeholder, overridden below
        b"<< /Type /ObjStm /N 1 /First 4 /Filter [/FlateDecode /FlateDecode] /Length %d >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    return raw_pdf(objs)


def page_bomb(decoded: int) -> bytes:
    """A readable one-page PDF whose page content stream inflates (twice) to ``decoded`` bytes."""
    stream = flate_bomb(decoded)
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Filter [/FlateDecode /FlateDecode] /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ])


def hostile_set(sample: bytes) -> dict[str, bytes]:
    """The hostile inputs every entry point must survive (verification *and* signing):
    deep nesting, reference cycles, decompression bombs, huge declarations, too many
    revisions, truncated and random bytes. Each is refused or judged with a typed error
    or a verdict — never a traceback, a hang or a crash."""
    import random

    deep = b"[" * 100_000 + b"]" * 100_000
    base = raw_pdf(MINIMAL_PAGE)
    at = len(base)
    rng = random.Random(14)
    return {
        "deep-nesting-catalog": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R >>", MINIMAL_PAGE[1],
                                         MINIMAL_PAGE[2], deep]),
        "deep-nesting-page": raw_pdf([MINIMAL_PAGE[0], MINIMAL_PAGE[1],
                                      b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots " + deep
                                      + b" >>"]),
        "page-tree-cycle": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                    b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", MINIMAL_PAGE[2]]),
        "form-field-cycle": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
                                     MINIMAL_PAGE[1], MINIMAL_PAGE[2], b"<< /T (a) /Kids [4 0 R] /FT /Sig /V 5 0 R >>",
                                     b"<< /Type /Sig /Contents <00> /ByteRange [0 1 2 3] >>"]),
        "xref-prev-cycle": base + b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 4 /Root 1 0 R /Prev %d >>\n"
                                  b"startxref\n%d\n%%%%EOF\n" % (at, at),
        "objstm-bomb": objstm_bomb(256 << 20),
        "huge-xref-declaration": re.sub(rb"xref\n0 4\n", b"xref\n0 2000000000\n", base),
        "too-many-revisions": base + b"%%EOF\n" * 2100,
        "truncated-half": sample[: len(sample) // 2],
        "truncated-no-trailer": sample[: sample.rindex(b"trailer")],
        "random-bytes": b"%PDF-1.7\n" + rng.randbytes(64 << 10),
        "header-only": b"%PDF-1.7\n%%EOF\n",
    }


# captured while this module executes: other directories' conftest modules share the name
# "conftest", so looking the module up later (sys.modules) could find one of them
_KIT = sys.modules[__name__]


@pytest.fixture
def kit() -> Any:
    """The helper functions of this module (tests use ``kit.incremental(...)`` etc.)."""
    return _KIT
