"""Targeted speed-ups for pyHanko internals, installed once when vbsign's PDF code loads.

pyHanko's PDF tokenizer reads hexadecimal strings one byte at a time through a generator
(~25 Python calls per byte). Every signature's ``/Contents`` is a hex string of 16–40 KB,
so reading one signature dictionary cost ~30 ms — more than hashing a 10 MB file. The
replacement below reads the string in chunks and decodes it with ``binascii``; it returns
exactly the same object, and for anything unusual (comments, invalid characters,
truncation) it rewinds and defers to pyHanko's original function, so errors are unchanged.

pyHanko also tokenizes arrays one item at a time; font ``/Widths`` arrays hold hundreds of
plain numbers, which made reading a small PDF's objects dominate the pre-signing scan. Arrays
whose body is nothing but numbers and white space are parsed in one pass (same objects, same
types); anything else goes through pyHanko's reader.

asn1crypto compares X.509 names with RFC 4518 string preparation, recomputed for every
freshly parsed certificate; with Vietnamese names this stringprep dominated certificate
matching. The preparation is a pure function of the string, so it is memoised.
"""

from __future__ import annotations

import binascii
import functools
import re
from typing import Any

_HEX_AND_WS = re.compile(rb"[0-9A-Fa-f \n\r\t\f\x00]*\Z")
#: an array body made only of PDF numbers separated by PDF white space
_NUMBERS_BODY = re.compile(
    rb"[ \n\r\t\f]*(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[ \n\r\t\f]+|\Z))*\Z"
)
_ARRAY_PEEK = 16384
_WS_TABLE = bytes.maketrans(b"", b"")
_WS = b" \n\r\t\f\x00"
_CHUNK = 65536
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import generic

    prep = asn1_x509.NameTypeAndValue._ldap_string_prep

    @functools.lru_cache(maxsize=8192)
    def _prep_cached(string: str) -> str:
        result: str = prep(None, string)  # the method does not use self
        return result

    def _ldap_string_prep(self: Any, string: Any) -> Any:
        if isinstance(string, str):
            return _prep_cached(string)
        return prep(self, string)

    asn1_x509.NameTypeAndValue._ldap_string_prep = _ldap_string_prep  # type: ignore[method-assign]

    original = generic.read_hex_string_from_stream

    def read_hex_string_from_stream(stream: Any) -> Any:
        start = stream.tell()
        stream.read(1)  # the opening '<'
        parts: list[bytes] = []
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:  # truncated: let pyHanko raise its usual error
                stream.seek(start)
                return original(stream)
            end = chunk.find(b">")
            if end < 0:
                parts.append(chunk)
                continue
            parts.append(chunk[:end])
            # position the stream just after the closing '>'
            stream.seek(end + 1 - len(chunk), 1)
            break
        body = b"".join(parts)
        if not _HEX_AND_WS.match(body):  # comments or invalid tokens: original semantics
            stream.seek(start)
            return original(stream)
        digits = body.translate(_WS_TABLE, _WS)
        if len(digits) % 2:
            digits += b"0"
        return generic.pdf_string(binascii.unhexlify(digits))

    read_hex_string_from_stream.__wrapped__ = original  # type: ignore[attr-defined]
    generic.read_hex_string_from_stream = read_hex_string_from_stream

    array_cls = generic.ArrayObject
    original_array = array_cls.read_from_stream
    number_cls: Any = generic.NumberObject
    float_cls: Any = generic.FloatObject

    def read_array_from_stream(stream: Any, container_ref: Any, in_content_stream: Any = None) -> Any:
        if in_content_stream is None:
            in_content_stream = generic.ContentOpReading.NO
        start = stream.tell()
        head = stream.read(_ARRAY_PEEK)
        end = head.find(b"]")
        if head[:1] == b"[" and end > 0:
            body = head[1:end]
            if _NUMBERS_BODY.match(body):
                arr = array_cls()
                for t in body.split():
                    item = float_cls(t.decode("ascii")) if b"." in t else number_cls(t.decode("ascii"))
                    item.container_ref = container_ref
                    arr.append(item)
                stream.seek(start + end + 1)
                return arr
        stream.seek(start)
        return original_array(stream, container_ref, in_content_stream=in_content_stream)

    read_array_from_stream.__wrapped__ = original_array  # type: ignore[attr-defined]
    array_cls.read_from_stream = staticmethod(read_array_from_stream)  # type: ignore[method-assign,assignment]
    _installed = True
