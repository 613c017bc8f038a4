"""The faster name and white-space readers of :mod:`vbsign.formats.pades.reader` (issue 20)
give exactly pyHanko's result, stream position and error class on any input — escapes,
non-ASCII bytes, comments, names at the end of the data included — and whole objects read
through vbsign's reader equal pyHanko's."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic, misc

from vbsign.formats.pades import reader as fast_reader

#: pyHanko's own functions, as this (unpatched) test process has them
PYHANKO_NAME = generic.NameObject.read_from_stream
PYHANKO_NON_WS = misc.read_non_whitespace

_NAME_BYTES = st.lists(
    st.sampled_from([*b"AZaz09.-_#/%()<>[]{} \n\r\t\x0c\x00", 0x7F, 0x80, 0xC3, 0xA1, 0x1F, *b"2F4g"]),
    max_size=160,
).map(bytes)


def _run(fn, data: bytes, **kw):  # type: ignore[no-untyped-def]
    stream = io.BytesIO(data)
    try:
        value = fn(stream, **kw)
        return ("ok", type(value).__name__, value, stream.tell())
    except Exception as e:
        return ("err", type(e).__name__, None, None)


@settings(max_examples=300, deadline=None)
@given(body=_NAME_BYTES)
def test_name_reader_matches_pyhanko(body: bytes) -> None:
    for data in (b"/" + body, body, b"/" + body + b" /Next"):
        assert _run(fast_reader.read_name, data) == _run(PYHANKO_NAME, data)


def test_long_and_escaped_names_match_pyhanko() -> None:
    for data in (b"/" + b"A" * 300 + b" ", b"/A#20B ", b"/A#2 ", b"/Caf\xc3\xa9 ", b"/ ", b"/", b"/Type/Page"):
        assert _run(fast_reader.read_name, data) == _run(PYHANKO_NAME, data)


@settings(max_examples=300, deadline=None)
@given(
    ws=st.lists(st.sampled_from([*b" \n\r\t\x0c\x00%", *b"x/<"]), max_size=120).map(bytes),
    seek_back=st.booleans(),
    allow_eof=st.booleans(),
)
def test_non_whitespace_reader_matches_pyhanko(ws: bytes, seek_back: bool, allow_eof: bool) -> None:
    kw = {"seek_back": seek_back, "allow_eof": allow_eof}
    assert _run(fast_reader.read_non_whitespace, ws, **kw) == _run(PYHANKO_NON_WS, ws, **kw)


def test_objects_read_by_vbsign_equal_pyhankos() -> None:
    """A document with escaped names, comments between tokens and nested dictionaries: every
    object read through vbsign's reader equals the one pyHanko's plain reader gives."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from vbsign.testpki.samples import official_document_pdf

    data = official_document_pdf()
    slow, fast = PdfFileReader(io.BytesIO(data), strict=False), fast_reader.open_reader(io.BytesIO(data))
    refs = slow.xrefs.explicit_refs_in_revision(0)
    assert refs
    for ref in refs:
        assert repr(fast.get_object(ref)) == repr(slow.get_object(ref))
    sources = (  # unusual syntax: escapes, comments between tokens, a name that must be escaped
        b"<< /Type /Annot%comment\n /Na#6De (x) /K [ 1 2 /A#20B <</X /Y>> ] /Z 1 >>",
        b"<< /Type /Annot /Caf\xc3\xa9 1 >>",
        b"<< /A [ /B%c\n/C ] /D <</E/F>>>>",
        b"<< /A",
    )
    for source in sources:
        outcomes = []
        for fn in (generic.read_object, _fast_read_object()):
            stream = io.BytesIO(source)
            try:
                outcomes.append(("ok", repr(fn(stream, generic.TrailerReference(slow))), stream.tell()))
            except Exception as e:
                outcomes.append(("err", type(e).__name__, None))
        assert outcomes[0] == outcomes[1], source


def _fast_read_object():  # type: ignore[no-untyped-def]
    """The rebound ``read_object`` vbsign's reader uses (names and white space sped up)."""
    rebound = fast_reader.PdfReader._read_object
    return rebound.__globals__["generic"].read_object
