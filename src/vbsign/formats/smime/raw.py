"""MIME entities as *bytes*: where each part starts and ends in the message as received.

A signature covers bytes, and :mod:`email` re-serialises what it parses (headers may be
re-folded, line endings changed), so verification cannot take the signed part from an
:class:`~email.message.EmailMessage`. This module only *locates* entities — header
section, body, the parts of a multipart body per RFC 2046 §5.1.1 — and leaves the reading
of header fields to :mod:`email` (:class:`email.parser.BytesHeaderParser`). Nothing here
builds MIME; that is :mod:`vbsign.formats.smime.mime`'s job, through :mod:`email` only.

Limits keep hostile input cheap: at most :data:`MAX_DEPTH` levels of nesting and
:data:`MAX_PARTS` entities in total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg

CRLF = b"\r\n"
MAX_DEPTH = 16
MAX_PARTS = 2000
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def to_crlf(data: bytes) -> bytes:
    """Every line break (CRLF, bare LF, bare CR) as CRLF: the canonical form of RFC 5322 /
    RFC 8551 §3.1.1 (a stored copy of a message often uses the platform's LF)."""
    return _LINE_BREAK.sub(CRLF, data)


def strip_mbox_line(data: bytes) -> tuple[bytes, bool]:
    """Drop a leading mbox ``From sender date`` separator line (not a header field)."""
    if data.startswith(b"From ") and not data.startswith(b"From: "):
        end = data.find(b"\n")
        if end > 0:
            return data[end + 1 :], True
    return data, False


def split_header_body(data: bytes, nl: bytes = CRLF) -> tuple[bytes, bytes]:
    """``(header section, body)`` of an entity; the blank line belongs to neither.

    The header section keeps the line break ending its last field. An entity with no
    header fields starts with the blank line (RFC 2046 §5.1.1: "a body part that starts
    with a blank line"). ``nl`` is CRLF (canonical) or LF (a stored copy, for diagnosis).
    """
    if data.startswith(nl):
        return b"", data[len(nl) :]
    end = data.find(nl + nl)
    if end < 0:
        return data if data.endswith(nl) else data + nl, b""
    return data[: end + len(nl)], data[end + 2 * len(nl) :]


def read_headers(header: bytes) -> EmailMessage:
    """The header fields of a header section, parsed by :mod:`email` (no body)."""
    msg = BytesHeaderParser(policy=email_policy.default).parsebytes(header + CRLF)
    assert isinstance(msg, EmailMessage)
    return msg


def header_values(headers: EmailMessage, name: str) -> list[str]:
    """The decoded values of the ``name`` fields; the raw text when :mod:`email` cannot
    parse one (hostile input must not stop verification)."""
    try:
        return [str(v) for v in headers.get_all(name) or []]
    except Exception:
        return [str(v) for n, v in headers.raw_items() if n.lower() == name.lower()]


@dataclass
class RawEntity:
    """One MIME entity located in a CRLF message (offsets into the top-level bytes)."""

    #: the entity exactly as it appears: header section, blank line, body
    data: bytes
    header: bytes
    body: bytes
    #: ``[start, end)`` of :attr:`data` in the top-level message
    start: int
    end: int
    headers: EmailMessage
    #: "1", "1.2" … (RFC 3501 part numbers; "" for the top level)
    path: str = ""
    children: list[RawEntity] = field(default_factory=list)
    #: the multipart body had no closing delimiter (truncated or malformed)
    unterminated: bool = False

    @property
    def content_type(self) -> str:
        """The MIME type; ``application/octet-stream`` when the field cannot be parsed (never
        ``text/plain``: an unreadable type must not make hostile bytes look like text)."""
        try:
            return self.headers.get_content_type()
        except Exception:  # CPython's header parser fails on some malformed parameters
            return "application/octet-stream"

    def param(self, name: str) -> str | None:
        try:
            value = self.headers.get_param(name, header="content-type")
        except Exception:
            return None
        if value is None or isinstance(value, tuple):
            return None if value is None else str(value[2])
        return str(value)

    @property
    def is_multipart(self) -> bool:
        return self.content_type.startswith("multipart/")

    def leaves(self) -> list[RawEntity]:
        if not self.children:
            return [self]
        out: list[RawEntity] = []
        for c in self.children:
            out += c.leaves()
        return out

    def walk(self) -> list[RawEntity]:
        out = [self]
        for c in self.children:
            out += c.walk()
        return out


def multipart_parts(body: bytes, boundary: str, nl: bytes = CRLF) -> tuple[list[tuple[int, int]], bool]:
    """``[(start, end)]`` of each body part in ``body`` and whether the close delimiter
    was found. The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1)."""
    enl = re.escape(nl)
    delim = re.compile(
        rb"(?:\A|" + enl + rb")--" + re.escape(boundary.encode("ascii", "replace")) + rb"(--)?[ \t]*(?=" + enl + rb"|\Z)"
    )
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for m in delim.finditer(body):
        if start is not None:
            spans.append((start, m.start()))
        if m.group(1):  # close delimiter
            return spans, True
        start = m.end() + len(nl) if body[m.end() : m.end() + len(nl)] == nl else m.end()
        if len(spans) > MAX_PARTS:
            break
    if start is not None and start <= len(body):
        spans.append((start, len(body)))
    return spans, False


def parse_entity(
    data: bytes, *, start: int = 0, path: str = "", depth: int = 0, budget: list[int] | None = None, nl: bytes = CRLF
) -> RawEntity:
    """Locate ``data`` (a CRLF entity; LF with ``nl=b"\\n"``) and, for multipart
    entities, its parts, recursively."""
    budget = budget if budget is not None else [MAX_PARTS]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise InputError(
            Msg(
                "Thư có quá nhiều phần hoặc lồng nhau quá sâu (giới hạn {p} phần, {d} cấp).",
                "The message has too many parts or is nested too deeply (limit {p} parts, {d} levels).",
            ).format(p=MAX_PARTS, d=MAX_DEPTH)
        )
    header, body = split_header_body(data, nl)
    entity = RawEntity(data, header, body, start, start + len(data), read_headers(to_crlf(header)), path)
    boundary = entity.param("boundary") if entity.is_multipart else None
    if boundary:
        body_start = start + len(data) - len(body)
        spans, closed = multipart_parts(body, boundary, nl)
        entity.unterminated = not closed
        for n, (s, e) in enumerate(spans, start=1):
            entity.children.append(
                parse_entity(
                    body[s:e], start=body_start + s, path=f"{path}.{n}" if path else str(n), depth=depth + 1,
                    budget=budget, nl=nl,
                )  # fmt: skip
            )
    return entity


def header_fields(header: bytes) -> list[bytes]:
    """The raw header fields of a header section, each with its folded continuation
    lines and final CRLF (for byte-exact reassembly)."""
    fields: list[bytes] = []
    for line in header.split(CRLF)[:-1] if header.endswith(CRLF) else header.split(CRLF):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line + CRLF
        else:
            fields.append(line + CRLF)
    return fields


def field_name(raw_field: bytes) -> str:
    return raw_field.split(b":", 1)[0].strip().decode("ascii", "replace").lower()


__all__ = [
    "CRLF",
    "header_values",
    "RawEntity",
    "field_name",
    "header_fields",
    "multipart_parts",
    "parse_entity",
    "read_headers",
    "split_header_body",
    "strip_mbox_line",
    "to_crlf",
]
