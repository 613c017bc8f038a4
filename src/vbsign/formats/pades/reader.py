"""vbsign's own PDF reader: pyHanko's reader with a faster tokenizer, for the objects vbsign reads.

pyHanko's tokenizer reads hexadecimal strings one byte at a time through a generator (~25
Python calls per byte). Every signature's ``/Contents`` is a hex string of 16–40 KB, so
reading one signature dictionary cost ~30 ms — more than hashing a 10 MB file. It also
tokenizes arrays one item at a time; font ``/Widths`` arrays hold hundreds of plain numbers.

:class:`PdfReader` (and :func:`open_writer` for incremental updates) reads objects with
pyHanko's *own* code — :func:`pyhanko.pdf_utils.generic.read_object`, the dictionary and
array readers, the reader's ``_read_object`` — rebound to a private namespace in which two
leaf readers are faster:

* hex strings are read in chunks and decoded with ``binascii``; anything unusual (comments,
  invalid characters, truncation) rewinds and defers to pyHanko's function, so results and
  errors are exactly pyHanko's;
* arrays made only of numbers and white space are parsed in one pass (same objects, same
  types); any other array goes through pyHanko's reader;
* names and the white space between tokens are read by one regular-expression match
  instead of a generator step per byte (pyHanko's ``read_until_delimiter``); escaped names
  (``#``), non-ASCII names and comments go to pyHanko's functions.

Nothing in pyHanko is replaced: a host application that uses pyHanko itself gets pyHanko's
code, untouched (``tests/formats/pades/test_speedups.py``). Because the rebound functions *are*
pyHanko's, a pyHanko release that changes its tokenizer (a security fix…) is used as is; if
it renames what this module rebinds, vbsign falls back to pyHanko's plain reader (logged
once) instead of failing. :func:`vbsign.enable_speedups` installs the same leaf readers
process-wide, for applications that want pyHanko's other readers faster too.
"""

from __future__ import annotations

import binascii
import logging
import re
import sys
import types
from collections.abc import Callable
from typing import IO, Any

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

logger = logging.getLogger(__name__)

_HEX_AND_WS = re.compile(rb"[0-9A-Fa-f \n\r\t\f\x00]*\Z")
#: an array body made only of PDF numbers separated by PDF white space
_NUMBERS_BODY = re.compile(rb"[ \n\r\t\f]*(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[ \n\r\t\f]+|\Z))*\Z")
_ARRAY_PEEK = 16384
_WS_TABLE = bytes.maketrans(b"", b"")
_WS = b" \n\r\t\f\x00"
_CHUNK = 65536


def _original(fn: Any) -> Any:
    """pyHanko's function itself, even after :func:`vbsign.enable_speedups` wrapped it."""
    return getattr(fn, "__wrapped__", fn)


_pyhanko_read_hex = _original(generic.read_hex_string_from_stream)


def read_hex_string(stream: Any) -> Any:
    """:func:`pyhanko.pdf_utils.generic.read_hex_string_from_stream`, in chunks."""
    start = stream.tell()
    stream.read(1)  # the opening '<'
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:  # truncated: let pyHanko raise its usual error
            stream.seek(start)
            return _pyhanko_read_hex(stream)
        end = chunk.find(b">")
        if end < 0:
            parts.append(chunk)
            continue
        parts.append(chunk[:end])
        stream.seek(end + 1 - len(chunk), 1)  # just after the closing '>'
        break
    body = b"".join(parts)
    if not _HEX_AND_WS.match(body):  # comments or invalid tokens: pyHanko's semantics
        stream.seek(start)
        return _pyhanko_read_hex(stream)
    digits = body.translate(_WS_TABLE, _WS)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


read_hex_string.__wrapped__ = _pyhanko_read_hex  # type: ignore[attr-defined]


_pyhanko_read_name = _original(generic.NameObject.read_from_stream)
_pyhanko_read_non_whitespace = _original(misc.read_non_whitespace)
#: a name: ``/`` and the regular characters up to the next white space or delimiter
_NAME = re.compile(rb"/([^ \n\r\t\f\x00()<>\[\]{}/%]*)")
#: a name body pyHanko decodes to itself: printable ASCII without the ``#`` escape
_PLAIN_NAME = re.compile(rb"[\x21\x22\x24-\x7e]*\Z")
_NON_WS = re.compile(rb"[^ \n\r\t\f\x00]")
_NAME_PEEK = 128
_WS_PEEK = 64


def read_name(stream: Any) -> Any:
    """``NameObject.read_from_stream`` with one regular-expression match instead of a
    generator step per byte; escapes (``#``), non-ASCII bytes and a name running past the
    peek or the end of the data go to pyHanko's function (same result, same errors)."""
    start = stream.tell()
    chunk = stream.read(_NAME_PEEK)
    m = _NAME.match(chunk)
    if m is not None and m.end() < len(chunk) and _PLAIN_NAME.match(m.group(1)):
        stream.seek(start + m.end())  # on the delimiter, as pyHanko leaves it
        return generic.NameObject("/" + m.group(1).decode("ascii"))
    stream.seek(start)
    return _pyhanko_read_name(stream)


read_name.__wrapped__ = _pyhanko_read_name  # type: ignore[attr-defined]


def read_non_whitespace(stream: Any, seek_back: bool = False, allow_eof: bool = False) -> Any:
    """``read_non_whitespace`` of pyHanko, white space skipped by one search; a comment or
    the end of the peek goes to pyHanko's function."""
    start = stream.tell()
    chunk = stream.read(_WS_PEEK)
    m = _NON_WS.search(chunk)
    if m is not None and chunk[m.start()] != 0x25:  # not '%': no comment to skip
        pos = m.start()
        stream.seek(start + pos + (0 if seek_back else 1))
        return chunk[pos : pos + 1]
    stream.seek(start)
    return _pyhanko_read_non_whitespace(stream, seek_back=seek_back, allow_eof=allow_eof)


read_non_whitespace.__wrapped__ = _pyhanko_read_non_whitespace  # type: ignore[attr-defined]


def _numbers_array(stream: Any, container_ref: Any) -> Any:
    """An array of plain numbers read in one pass, or ``None`` (stream rewound)."""
    start = stream.tell()
    head = stream.read(_ARRAY_PEEK)
    end = head.find(b"]")
    if head[:1] == b"[" and end > 0:
        body = head[1:end]
        if _NUMBERS_BODY.match(body):
            arr = generic.ArrayObject()
            for t in body.split():
                item = generic.FloatObject(t.decode("ascii")) if b"." in t else generic.NumberObject(t.decode("ascii"))
                item.container_ref = container_ref
                arr.append(item)
            stream.seek(start + end + 1)
            return arr
    stream.seek(start)
    return None


def make_array_reader(general: Callable[..., Any]) -> Callable[..., Any]:
    """``ArrayObject.read_from_stream`` with the numbers-only fast path before ``general``."""

    def read_array(stream: Any, container_ref: Any, in_content_stream: Any = None) -> Any:
        if in_content_stream is None:
            in_content_stream = generic.ContentOpReading.NO
        fast = _numbers_array(stream, container_ref)
        if fast is not None:
            return fast
        return general(stream, container_ref, in_content_stream=in_content_stream)

    read_array.__wrapped__ = general  # type: ignore[attr-defined]
    return read_array


# ---- pyHanko's tokenizer, rebound to faster leaf readers -------------------------------------


def _rebind(fn: Any, namespace: dict[str, Any]) -> Any:
    """A copy of the plain function ``fn`` whose global names resolve in ``namespace``."""
    fn = _original(fn)
    copy = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = fn.__qualname__
    return copy


class _Readers:
    """Stand-in for a class whose ``read_from_stream`` the rebound code calls."""

    def __init__(self, read_from_stream: Callable[..., Any]) -> None:
        self.read_from_stream = read_from_stream


class _GenericView(types.SimpleNamespace):
    """:mod:`pyhanko.pdf_utils.generic` as the rebound reader methods see it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(generic, name)


def _build() -> tuple[Any, Any] | None:
    """The rebound ``(_read_object, _get_object_from_stream)`` of the reader, or ``None``
    when pyHanko's internals no longer have the shape this module expects."""
    try:
        base = dict(vars(generic))
        obj_ns, dict_ns, array_ns = dict(base), dict(base), dict(base)
        read_object = _rebind(generic.read_object, obj_ns)
        read_dict = _rebind(generic.DictionaryObject.read_from_stream, dict_ns)
        read_array = make_array_reader(_rebind(generic.ArrayObject.read_from_stream, array_ns))
        names = _Readers(read_name)
        obj_ns.update(
            read_object=read_object,
            read_hex_string_from_stream=read_hex_string,
            DictionaryObject=_Readers(read_dict),
            ArrayObject=_Readers(read_array),
            NameObject=names,
            read_non_whitespace=read_non_whitespace,
        )
        dict_ns.update(read_object=read_object, NameObject=names, read_non_whitespace=read_non_whitespace)
        array_ns.update(read_object=read_object, read_non_whitespace=read_non_whitespace)
        reader_ns = dict(vars(_module_of(PdfFileReader._read_object)))
        reader_ns["generic"] = _GenericView(read_object=read_object)
        return (
            _rebind(PdfFileReader._read_object, reader_ns),
            _rebind(PdfFileReader._get_object_from_stream, reader_ns),
        )
    except Exception:  # pragma: no cover - a pyHanko release with another shape
        logger.warning("vbsign: pyHanko's reader changed shape; reading PDFs without speed-ups", exc_info=True)
        return None


def _module_of(fn: Any) -> types.ModuleType:
    return sys.modules[fn.__module__]


_REBOUND = _build()


class PdfReader(PdfFileReader):
    """:class:`pyhanko.pdf_utils.reader.PdfFileReader` with the faster leaf readers (see the
    module docs); objects, errors and behaviour are pyHanko's."""

    if _REBOUND is not None:
        _read_object = _REBOUND[0]
        _get_object_from_stream = _REBOUND[1]


def open_reader(stream: IO[bytes], *, strict: bool = False) -> PdfFileReader:
    """A :class:`PdfReader` on ``stream`` (vbsign reads untrusted PDFs non-strictly)."""
    return PdfReader(stream, strict=strict)


def open_writer(stream: IO[bytes], *, strict: bool = False) -> IncrementalPdfFileWriter:
    """An incremental writer whose previous revision is read by a :class:`PdfReader`."""
    return IncrementalPdfFileWriter.from_reader(PdfReader(stream, strict=strict))


__all__ = ["PdfReader", "make_array_reader", "open_reader", "open_writer", "read_hex_string"]
