"""Strict structural checks of signed PDFs: revisions, hidden updates, /ByteRange, /Contents.

pyHanko parses a PDF the way a careful reader does: it follows ``startxref`` and ``/Prev``
and ignores every byte that no cross-reference section points to. Attackers exploit the
*other* readers, which repair files by scanning for objects (incremental saving attack,
ISA), or trust a ``/ByteRange`` without checking what lies in its gap (signature
wrapping, SWA), or skip verification when ``/Contents`` is odd (universal signature
forgery, USF). This module looks at the raw bytes as well as at pyHanko's view and
reports every disagreement between the two as an :class:`~vbsign.formats.pades.findings.Issue`:

* :func:`analyse_layout` — where each revision starts and ends, and whether every byte
  after the first signed revision belongs to a parsed revision (no hidden objects, no
  data after the last ``%%EOF``, cross-reference entries inside their own update,
  ``startxref`` consistent, ``/Root`` unchanged);
* :func:`check_signature_dictionary` — the ``/ByteRange``/``/Contents`` rules of one
  signature;
* :func:`check_gap_collisions` — no two signatures share or overlap a gap;
* :func:`enumerate_signatures` — every filled signature field, including those pyHanko
  refuses to load (so that a forged one is reported, never silently skipped).

Everything here is cheap (regular expressions over the bytes of the updates that follow
a signature, plus pyHanko's already-parsed cross-reference data).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from asn1crypto import cms
from asn1crypto import parser as asn1_parser
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.pdf_utils.xref import XRefSectionType
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from vbsign.formats.pades.findings import Issue, issue

#: SubFilter values vbsign can verify (pyHanko's)
SUPPORTED_SUBFILTERS = frozenset(
    {"/adbe.pkcs7.detached", "/adbe.pkcs7.sha1", "/ETSI.CAdES.detached", "/ETSI.RFC3161"}
)
_WS = b"\x00\t\n\x0c\r "
_EOF_RE = re.compile(rb"startxref\s*(\d{1,20})\s*(%%EOF)[ \t]*(?:\r\n|\r|\n)?")
_OBJ_HEADER_RE = re.compile(rb"(?<![0-9])(\d{1,10})[\x00\t\n\x0c\r ]+(\d{1,5})[\x00\t\n\x0c\r ]+obj(?![A-Za-z])")
_HEX_GAP_RE = re.compile(rb"<[0-9A-Fa-f]*>")
_UPDATE_KEYWORDS = (b"obj", b"xref", b"trailer", b"startxref", b"%%EOF")


@dataclass
class Revision:
    """One revision as pyHanko parsed it, located in the file's bytes."""

    index: int
    #: first byte of the revision (the byte after the previous revision's end)
    start: int
    #: offset just past this revision's ``%%EOF`` marker and its end-of-line
    end: int
    #: offset of the ``%%EOF`` marker itself (``end`` may include an EOL after it)
    eof_marker: int
    xref_start: int
    xref_end: int
    declared_startxref: int
    xref_kind: str
    #: objects written (or overwritten) in this revision
    written: set[tuple[int, int]] = field(default_factory=set)
    #: ``startxref`` value read just before this revision's ``%%EOF``
    startxref_value: int | None = None


@dataclass
class Layout:
    """Where the revisions lie, and what is wrong with the file's update chain."""

    size: int
    revisions: list[Revision]
    issues: list[Issue] = field(default_factory=list)

    def revision(self, index: int) -> Revision | None:
        if 0 <= index < len(self.revisions):
            return self.revisions[index]
        return None


def _xref_kind(t: XRefSectionType) -> str:
    return {
        XRefSectionType.STANDARD: "table",
        XRefSectionType.STREAM: "stream",
        XRefSectionType.HYBRID_MAIN: "hybrid",
        XRefSectionType.HYBRID_STREAM: "hybrid",
    }.get(t, "table")


def _find_eof(data: bytes, pos: int) -> re.Match[bytes] | None:
    return _EOF_RE.search(data, pos)


def analyse_layout(data: bytes, reader: PdfFileReader, first_signed_revision: int | None) -> Layout:
    """Locate every revision and check the update chain after ``first_signed_revision``.

    Revisions up to the first signed one are covered by that signature's digest, so only
    what follows it is checked in detail; data after the last revision is checked always
    (an unsigned document with hidden data is reported too, as a document-level issue).
    """
    xrefs = reader.xrefs
    layout = Layout(size=len(data), revisions=[])
    for r in range(xrefs.total_revisions):
        meta = xrefs.get_xref_container_info(r)
        m = _find_eof(data, meta.end_location)
        if m is not None:
            end = m.end()
            eof_marker = m.start(2)
            startxref_value: int | None = int(m.group(1))
        else:
            end = eof_marker = len(data)
            startxref_value = None
        try:
            written = {(ref.idnum, ref.generation) for ref in xrefs.explicit_refs_in_revision(r)}
        except Exception:  # pragma: no cover - defensive: pyHanko internals
            written = set()
        layout.revisions.append(
            Revision(
                index=r,
                start=0,
                end=end,
                eof_marker=eof_marker,
                xref_start=meta.start_location,
                xref_end=meta.end_location,
                declared_startxref=meta.declared_startxref,
                xref_kind=_xref_kind(meta.xref_section_type),
                written=written,
                startxref_value=startxref_value,
            )
        )
    # revisions are cumulative: a revision's bytes extend at least to the end of the
    # previous one (in a linearised file the first-page section sits at the start of the
    # file but its revision ends where the whole original file ends)
    for prev, rev in zip(layout.revisions, layout.revisions[1:], strict=False):
        if rev.end < prev.end:
            rev.end, rev.eof_marker = prev.end, prev.eof_marker
        rev.start = prev.end
    if not layout.revisions:
        return layout
    if first_signed_revision is not None:
        for rev in layout.revisions[first_signed_revision + 1 :]:
            layout.issues.extend(_check_update(data, reader, layout, rev))
    layout.issues.extend(_check_tail(data, layout))
    return layout


def _check_update(data: bytes, reader: PdfFileReader, layout: Layout, rev: Revision) -> Iterator[Issue]:
    """Checks of one incremental update that follows a signed revision."""
    prev = layout.revisions[rev.index - 1]
    r = rev.index
    if rev.xref_start < prev.end or rev.end <= prev.end:
        yield issue(
            "XREF_OUTSIDE_REVISION",
            f"mục tham chiếu của phiên bản {r} nằm ở vị trí {rev.xref_start}, trước cuối phiên bản {r - 1} ({prev.end})",
            f"the cross-reference section of revision {r} is at offset {rev.xref_start}, before the end of revision {r - 1} ({prev.end})",
            revision=r,
        )
        return
    if rev.startxref_value is not None and rev.startxref_value != rev.declared_startxref:
        yield issue(
            "STARTXREF_MISMATCH",
            f"phiên bản {r}: startxref {rev.startxref_value}, /Prev của phiên bản sau chỉ tới {rev.declared_startxref}",
            f"revision {r}: startxref {rev.startxref_value}, but the next /Prev points to {rev.declared_startxref}",
            revision=r,
        )
    elif not _xref_keyword_at(data, rev):
        yield issue(
            "STARTXREF_MISMATCH",
            f"phiên bản {r}: startxref {rev.declared_startxref} không trỏ đúng vào bảng tham chiếu (ở {rev.xref_start})",
            f"revision {r}: startxref {rev.declared_startxref} does not point at the cross-reference section (at {rev.xref_start})",
            revision=r,
        )
    # every object written by the update must lie inside the update's body; re-listing an
    # unchanged object at its old offset is harmless (some writers repeat the whole table)
    xrefs = reader.xrefs
    offsets: dict[int, tuple[int, int]] = {}
    for idnum, gen in sorted(rev.written):
        ref = generic.Reference(idnum, gen)
        loc = xrefs.get_historical_ref(ref, r)
        if not isinstance(loc, int):
            continue
        offsets[_skip_ws(data, loc)] = (idnum, gen)
        # anywhere in the update's own bytes: writers place a cross-reference *stream*
        # before or between the objects it lists (Acrobat, iText with full compression)
        inside = rev.start <= loc < rev.xref_start or (
            rev.xref_kind == "stream" and rev.xref_start <= loc < rev.eof_marker
        )
        if inside or xrefs.get_historical_ref(ref, r - 1) == loc:
            continue
        yield issue(
            "XREF_OUTSIDE_REVISION",
            f"phiên bản {r} định nghĩa lại đối tượng {idnum} {gen} bằng byte có sẵn ở vị trí {loc}, ngoài phần thân của nó",
            f"revision {r} redefines object {idnum} {gen} with pre-existing bytes at offset {loc}, outside its own body",
            revision=r,
            object=f"{idnum} {gen}",
            offset=loc,
        )
    if not rev.written and rev.xref_kind == "table":
        yield from _trailer_only(reader, rev)
    # objects present in the body but not in the cross-reference section: readers that
    # repair files by scanning would use them, pyHanko does not → parser differential
    yield from _hidden_objects(data, reader, rev, offsets)
    # the trailer must keep the same document catalog, or point to a new one written by
    # this very update (some writers do that); pointing to an object that already existed
    # swaps in a prepared "shadow" document
    try:
        old_root = reader.trailer.raw_get("/Root", revision=r - 1)
        new_root = reader.trailer.raw_get("/Root", revision=r)
    except Exception:  # pragma: no cover - a trailer without /Root fails pyHanko earlier
        return
    if (
        isinstance(old_root, generic.IndirectObject)
        and isinstance(new_root, generic.IndirectObject)
        and old_root.reference != new_root.reference
        and (new_root.idnum, new_root.generation) not in rev.written
    ):
        yield issue(
            "TRAILER_ROOT_CHANGED",
            f"phiên bản {r} chuyển /Root từ đối tượng {old_root.idnum} sang đối tượng có sẵn {new_root.idnum}",
            f"revision {r} moves /Root from object {old_root.idnum} to the pre-existing object {new_root.idnum}",
            revision=r,
        )


def _skip_ws(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] in _WS:
        pos += 1
    return pos


def _xref_keyword_at(data: bytes, rev: Revision) -> bool:
    """Does the declared ``startxref`` point exactly at the section pyHanko read?"""
    pos = _skip_ws(data, rev.declared_startxref)
    if rev.xref_kind == "stream":
        return pos == rev.xref_start
    return data[pos : pos + 4] == b"xref" and rev.xref_start - pos <= 6


def _trailer_only(reader: PdfFileReader, rev: Revision) -> Iterator[Issue]:
    yield issue(
        "TRAILER_ONLY_UPDATE",
        f"phiên bản {rev.index} không ghi đối tượng nào",
        f"revision {rev.index} writes no object",
        revision=rev.index,
    )


_STREAM_KW = re.compile(rb"stream(?:\r\n|\n|\r)")
_LENGTH = re.compile(rb"/Length[\x00\t\n\x0c\r ]+(\d{1,12})(?:[\x00\t\n\x0c\r ]+(\d{1,5})[\x00\t\n\x0c\r ]+R)?")


def _object_end(data: bytes, reader: PdfFileReader, start: int, stop: int) -> int:
    """Where the object whose header is at ``start`` ends (just past ``endobj``).

    Stream data may contain anything, including text that looks like an object header,
    so a stream is skipped by its ``/Length`` (read from the raw dictionary, resolving an
    indirect length through the reader) and must be followed by ``endstream``.
    """
    end = data.find(b"endobj", start, stop)
    kw = _STREAM_KW.search(data, start, end if end != -1 else stop)
    if kw is None:
        return stop if end == -1 else end + 6
    lengths = list(_LENGTH.finditer(data, start, kw.start()))
    m = lengths[-1] if lengths else None  # the last /Length before "stream" is the stream's own
    length: int | None = None
    if m is not None:
        if m.group(2) is None:
            length = int(m.group(1))
        else:
            try:
                v = reader.get_object(generic.Reference(int(m.group(1)), int(m.group(2))))
                length = int(v) if isinstance(v, generic.NumberObject) else None
            except Exception:
                length = None
    if length is not None:
        after = kw.end() + length
        tail = data[after : after + 16].lstrip(_WS)
        if tail.startswith(b"endstream"):
            e = data.find(b"endobj", after, stop)
            return stop if e == -1 else e + 6
    e = data.find(b"endstream", kw.end(), stop)  # bad /Length: fall back to the keyword
    e = data.find(b"endobj", e if e != -1 else kw.end(), stop)
    return stop if e == -1 else e + 6


def _hidden_objects(
    data: bytes, reader: PdfFileReader, rev: Revision, offsets: dict[int, tuple[int, int]]
) -> Iterator[Issue]:
    # a cross-reference stream may sit before other objects of its update: scan to %%EOF
    pos, stop = rev.start, (rev.eof_marker if rev.xref_kind == "stream" else rev.xref_start)
    reported = 0
    while pos < stop:
        m = _OBJ_HEADER_RE.search(data, pos, stop)
        if m is None:
            break
        start = m.start()
        ref = (int(m.group(1)), int(m.group(2)))
        if offsets.get(start) == ref:
            pos = max(m.end(), _object_end(data, reader, start, stop))
            continue
        if rev.xref_kind == "stream" and _is_xref_or_objstm_here(reader, rev, ref):
            pos = m.end()
            continue
        if reported < 20:
            yield issue(
                "HIDDEN_OBJECT",
                f"đối tượng {ref[0]} {ref[1]} ở vị trí {start} (phiên bản {rev.index}) không có trong bảng tham chiếu",
                f"object {ref[0]} {ref[1]} at offset {start} (revision {rev.index}) is not in the cross-reference section",
                revision=rev.index,
                object=f"{ref[0]} {ref[1]}",
                offset=start,
            )
        reported += 1
        end = data.find(b"endobj", m.end(), stop)
        pos = m.end() if end == -1 else end + 6


def _is_xref_or_objstm_here(reader: PdfFileReader, rev: Revision, ref: tuple[int, int]) -> bool:
    """The xref stream object itself may be absent from its own section (allowed)."""
    try:
        meta = reader.xrefs.get_xref_container_info(rev.index)
    except Exception:  # pragma: no cover
        return False
    sref = meta.stream_ref
    return sref is not None and (sref.idnum, sref.generation) == ref


def _check_tail(data: bytes, layout: Layout) -> Iterator[Issue]:
    last = max(layout.revisions, key=lambda r: r.end)
    tail = data[last.end :]
    junk = tail.strip(_WS)
    if not junk:
        return
    n = len(layout.revisions)
    if any(k in junk for k in _UPDATE_KEYWORDS):
        yield issue(
            "HIDDEN_UPDATE",
            f"{len(tail)} byte sau %%EOF cuối cùng mà chuỗi tham chiếu (startxref, /Prev) không trỏ tới",
            f"{len(tail)} bytes after the last %%EOF that no startxref or /Prev points to",
            revision=n,
            offset=last.end,
            length=len(tail),
        )
    else:
        yield issue(
            "UNPARSED_TRAILING_DATA",
            f"{len(tail)} byte sau %%EOF cuối cùng",
            f"{len(tail)} bytes after the last %%EOF",
            revision=n,
            offset=last.end,
            length=len(tail),
        )


# ---- signature dictionaries ------------------------------------------------------------


@dataclass
class SignatureSlot:
    """A filled signature field, whether or not pyHanko can load its signature."""

    field_name: str
    sig_ref: generic.Reference | None
    sig_object: generic.DictionaryObject | None
    embedded: EmbeddedPdfSignature | None
    #: why pyHanko could not load it (the structural checks say more)
    error: Exception | None = None
    #: revision in which the signature dictionary was written (last change)
    revision: int | None = None
    #: revision in which the signature dictionary first appeared
    introduced: int | None = None
    #: other fields whose /V is the very same signature dictionary
    aliases: list[str] = field(default_factory=list)

    @property
    def sig_type(self) -> str:
        if self.sig_object is None:
            return "/Sig"
        if self.subfilter == "/ETSI.RFC3161":
            return "/DocTimeStamp"
        try:
            t = self.sig_object.get("/Type")
        except Exception:
            return "/Sig"
        return str(t) if t is not None else "/Sig"

    @property
    def subfilter(self) -> str | None:
        try:
            v = self.sig_object.get("/SubFilter") if self.sig_object is not None else None
        except Exception:
            return None
        return str(v) if v is not None else None

    @property
    def obj_number(self) -> int | None:
        return self.sig_ref.idnum if self.sig_ref is not None else None


def prepare_reader(reader: PdfFileReader) -> None:
    """Read the file the way ISO 32000 says where pyHanko is stricter than the standard.

    * ``/Encrypt null`` in a trailer means "no encryption" (a null value is the same as
      an absent key, ISO 32000-1 §7.3.9); pyHanko would refuse to read the file at all,
      so the report could not say what the file really contains (the DSS sample
      ``pdf-spoofing-attack.pdf`` hides a forged signature dictionary behind it);
    * dangling references resolve to null (:func:`tolerate_dangling_references`).
    """
    for trailer in getattr(reader.trailer, "_trailer_revisions", []):
        try:
            if isinstance(trailer.raw_get("/Encrypt"), generic.NullObject):
                del trailer["/Encrypt"]
        except KeyError:
            continue
    tolerate_dangling_references(reader)
    cache_dependency_graph(reader)


class _GraphResolver(HistoricalResolver):
    """pyHanko's view of one revision, whose ``collect_dependencies`` remembers each
    object's direct references.

    pyHanko's difference analysis compares every signed revision with every later one
    and walks the same object graphs each time (``lt-short.pdf``: 25 signatures, 622
    revision pairs, 1.6 million recursive calls). A revision's objects never change, so
    the direct references of each object are read once per revision; the walk itself
    (which depends on ``since_revision``) is redone on the cached edges and returns
    exactly the set pyHanko's recursive walk returns.
    """

    def __init__(self, reader: PdfFileReader, revision: int) -> None:
        super().__init__(reader, revision)
        self._vbsign_edges: dict[generic.Reference, tuple[generic.Reference, ...]] = {}

    def _vbsign_children(self, ref: generic.Reference) -> tuple[generic.Reference, ...]:
        hit = self._vbsign_edges.get(ref)
        if hit is None:
            found: list[generic.Reference] = []
            _direct_references(self(ref), found)
            hit = self._vbsign_edges[ref] = tuple(found)
        return hit

    def collect_dependencies(self, obj: generic.PdfObject, since_revision: int | None = None) -> set[generic.Reference]:
        result: set[generic.Reference] = set()
        introduced = self.reader.xrefs.get_introducing_revision
        stack: list[generic.Reference] = []
        _direct_references(obj, stack)
        while stack:
            ref = stack.pop()
            if ref in result:
                continue
            # as pyHanko: an object older than since_revision is neither kept nor entered
            if since_revision is not None and introduced(ref) < since_revision:
                continue
            result.add(ref)
            stack.extend(self._vbsign_children(ref))
        return result


def _direct_references(obj: Any, out: list[generic.Reference]) -> None:
    """The references met in ``obj`` without entering other indirect objects (``obj``
    itself, if it is one)."""
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, generic.IndirectObject):
            out.append(o.reference)
        elif isinstance(o, generic.DictionaryObject):
            stack.extend(o.values())
        elif isinstance(o, generic.ArrayObject):
            stack.extend(o)


class _GraphResolverCache(dict[int, HistoricalResolver]):
    """The reader's resolver cache, creating :class:`_GraphResolver` views."""

    def __init__(self, reader: PdfFileReader, existing: dict[int, HistoricalResolver]) -> None:
        super().__init__(existing)
        self._reader = reader

    def __missing__(self, revision: int) -> HistoricalResolver:
        res = self[revision] = _GraphResolver(self._reader, revision)
        return res


def cache_dependency_graph(reader: PdfFileReader) -> None:
    """Give this reader (only) resolvers that cache object graphs (see _GraphResolver)."""
    current = getattr(reader, "_historical_resolver_cache", None)
    if isinstance(current, dict) and not isinstance(current, _GraphResolverCache):
        reader._historical_resolver_cache = _GraphResolverCache(reader, current)


def tolerate_dangling_references(reader: PdfFileReader) -> None:
    """Let references to undefined objects resolve to null, as ISO 32000-1 §7.3.10 says.

    pyHanko's dependency walk (used by its difference analysis) raises ``KeyError`` on a
    reference that no revision defines; real files carry such dangling references (e.g.
    in their DSS), and the error would turn a valid signature into an unprocessable one.
    A dangling reference cannot hide content: an object defined in an update's body
    without a cross-reference entry is reported as ``HIDDEN_OBJECT``.

    The answers are also memoised: pyHanko scans every cross-reference section per call,
    and its difference analysis makes hundreds of thousands of calls on files with many
    signatures (``lt-short.pdf``: 25 signatures, 47 revisions — 30 s without the cache).
    Only this reader instance is affected.
    """
    xrefs = reader.xrefs
    if getattr(xrefs, "_vbsign_tolerant", False):
        return
    original = xrefs.get_introducing_revision
    cache: dict[tuple[int, int], int] = {}

    def get_introducing_revision(ref: generic.Reference) -> int:
        key = (ref.idnum, ref.generation)
        hit = cache.get(key)
        if hit is None:
            try:
                hit = int(original(ref))
            except KeyError:
                hit = int(xrefs.total_revisions)  # "introduced after every revision"
            cache[key] = hit
        return hit

    xrefs.get_introducing_revision = get_introducing_revision  # type: ignore[method-assign]
    xrefs._vbsign_tolerant = True  # type: ignore[attr-defined]


def enumerate_signatures(reader: PdfFileReader) -> list[SignatureSlot]:
    """Every filled signature field, sorted by the revision that wrote it.

    pyHanko's ``reader.embedded_signatures`` raises on the first unloadable signature
    and silently drops those with an unknown SubFilter; an attacker could use either to
    hide a signature. Here each field is loaded on its own and failures are kept.
    """
    slots: list[SignatureSlot] = []
    by_ref: dict[generic.Reference, SignatureSlot] = {}
    for fq_name, sig_obj, sig_field in enumerate_sig_fields(reader, filled_status=True):
        ref = sig_obj.reference if isinstance(sig_obj, generic.IndirectObject) else None
        if ref is not None and ref in by_ref:
            by_ref[ref].aliases.append(fq_name)  # one signature shown by several fields
            continue
        try:
            so = sig_obj.get_object()
        except Exception as e:
            slots.append(SignatureSlot(fq_name, ref, None, None, e))
            continue
        if not isinstance(so, generic.DictionaryObject):
            slots.append(SignatureSlot(fq_name, ref, None, None, ValueError("not a dictionary")))
            continue
        slot = SignatureSlot(fq_name, ref, so, None)
        if ref is not None:
            try:
                slot.revision = reader.xrefs.get_last_change(ref)
                slot.introduced = reader.xrefs.get_introducing_revision(ref)
            except Exception:
                pass
        sub = slot.subfilter
        if sub is not None and sub not in SUPPORTED_SUBFILTERS:
            slot.error = ValueError(f"unsupported SubFilter {sub}")
        elif ref is None:
            slot.error = ValueError("the signature dictionary is not an indirect object")
        else:
            try:
                slot.embedded = EmbeddedPdfSignature(reader, sig_field, fq_name)
            except Exception as e:
                slot.error = e
        if ref is not None:
            by_ref[ref] = slot
        slots.append(slot)
    slots.sort(key=lambda s: (s.revision if s.revision is not None else 1 << 30))
    return slots


#: removed signatures are looked for in at most this many earlier revisions
MAX_HISTORY = 64


def removed_signatures(reader: PdfFileReader, current: Sequence[SignatureSlot]) -> tuple[list[Issue], int | None]:
    """Signatures that an earlier revision shows but the current file no longer does.

    Rolling an object (the catalog, the form) back to its state before signing makes a
    signed file look unsigned, or hides one of several signatures; the bytes of the
    signature are still there. Returns the issues and the earliest revision in which a
    removed signature was written.
    """
    total = reader.xrefs.total_revisions
    if total < 2:
        return [], None
    now = {s.sig_ref for s in current if s.sig_ref is not None}
    seen: dict[generic.Reference, tuple[str, int]] = {}
    for r in range(max(0, total - 1 - MAX_HISTORY), total - 1):
        try:
            res = reader.get_historical_resolver(r)
            for fq_name, sig_obj, _field in enumerate_sig_fields(res, filled_status=True):
                if isinstance(sig_obj, generic.IndirectObject):
                    ref = generic.Reference(sig_obj.idnum, sig_obj.generation)
                    seen.setdefault(ref, (fq_name, r))
        except Exception:
            continue
    out: list[Issue] = []
    first: int | None = None
    for ref, (fq_name, r) in seen.items():
        if any(ref.idnum == n.idnum and ref.generation == n.generation for n in now):
            continue
        first = r if first is None else min(first, r)
        out.append(
            issue(
                "SIGNATURE_REMOVED",
                f"chữ ký ở trường {fq_name} (phiên bản {r}) không còn trong tài liệu hiện tại",
                f"the signature in field {fq_name} (revision {r}) is no longer in the current document",
                revision=r + 1,
                field=fq_name,
            )
        )
    return out, first


def byte_range_of(so: generic.DictionaryObject) -> list[int] | None:
    """The four /ByteRange integers, or None when absent or malformed."""
    try:
        br = so.raw_get("/ByteRange")
    except KeyError:
        return None
    if not isinstance(br, generic.ArrayObject) or len(br) != 4:
        return None
    out: list[int] = []
    for v in br:
        if not isinstance(v, generic.NumberObject) or isinstance(v, bool) or int(v) < 0:
            return None
        out.append(int(v))
    return out


def check_signature_dictionary(
    data: bytes, reader: PdfFileReader, slot: SignatureSlot, layout: Layout
) -> list[Issue]:
    """The strict /ByteRange and /Contents rules for one signature."""
    so = slot.sig_object
    if so is None:
        return [
            issue(
                "SIGNATURE_DICTIONARY_INVALID",
                f"trường {slot.field_name}: giá trị /V không đọc được ({_short(slot.error)})",
                f"field {slot.field_name}: its /V value cannot be read ({_short(slot.error)})",
            )
        ]
    out: list[Issue] = []
    name = slot.field_name
    if slot.sig_ref is None:
        out.append(
            issue(
                "SIGNATURE_DICTIONARY_INVALID",
                f"trường {name}: từ điển chữ ký phải là đối tượng gián tiếp",
                f"field {name}: the signature dictionary must be an indirect object",
            )
        )
    if slot.introduced is not None and slot.revision is not None and slot.revision > slot.introduced:
        out.append(
            issue(
                "SIGNATURE_DICTIONARY_CHANGED",
                f"trường {name}: từ điển chữ ký tạo ở phiên bản {slot.introduced} bị ghi lại ở phiên bản {slot.revision}",
                f"field {name}: the signature dictionary created in revision {slot.introduced} was rewritten in revision {slot.revision}",
            )
        )
    sub = slot.subfilter
    if sub is not None and sub not in SUPPORTED_SUBFILTERS:
        out.append(
            issue(
                "SUBFILTER_UNSUPPORTED",
                f"trường {name}: {sub}",
                f"field {name}: {sub}",
                severity="error",
                subfilter=sub,
            )
        )
    out.extend(_check_contents(so, name, parsed=slot.embedded is not None))
    out.extend(_check_byte_range(data, reader, slot, layout))
    return [replace(i, signature_obj=slot.obj_number) for i in out]


def _check_byte_range(data: bytes, reader: PdfFileReader, slot: SignatureSlot, layout: Layout) -> Iterator[Issue]:
    so = slot.sig_object
    assert so is not None
    name = slot.field_name
    try:
        raw = so.raw_get("/ByteRange")
    except KeyError:
        yield issue("BYTERANGE_MISSING", f"trường {name}", f"field {name}")
        return
    if isinstance(raw, generic.IndirectObject):
        yield issue("BYTERANGE_INDIRECT", f"trường {name}", f"field {name}")
        return
    br = byte_range_of(so)
    if br is None:
        yield issue(
            "BYTERANGE_MALFORMED",
            f"trường {name}: cần đúng bốn số nguyên không âm, có {_short(raw)}",
            f"field {name}: exactly four non-negative integers expected, got {_short(raw)}",
        )
        return
    b0, l1, s2, l2 = br
    if b0 != 0:
        yield issue("BYTERANGE_NOT_FROM_START", f"trường {name}: {br}", f"field {name}: {br}", byte_range=br)
        return
    if not (l1 < s2 and s2 + l2 <= len(data)):
        yield issue(
            "BYTERANGE_OUT_OF_BOUNDS",
            f"trường {name}: {br}, tệp dài {len(data)} byte",
            f"field {name}: {br}, file length {len(data)}",
            byte_range=br,
        )
        return
    gap = data[l1:s2]
    if not _HEX_GAP_RE.fullmatch(gap):
        yield issue(
            "BYTERANGE_GAP_NOT_CONTENTS",
            f"trường {name}: vùng không ký [{l1}, {s2}) chứa dữ liệu khác ngoài một chuỗi hex",
            f"field {name}: the unsigned gap [{l1}, {s2}) holds more than one hex string",
            byte_range=br,
        )
    else:
        contents = _raw_contents(so)
        if contents is not None and bytes.fromhex(gap[1:-1].decode("ascii")) != contents:
            yield issue(
                "BYTERANGE_GAP_NOT_CONTENTS",
                f"trường {name}: chuỗi trong vùng không ký không phải /Contents của chính chữ ký này",
                f"field {name}: the string in the unsigned gap is not this signature's /Contents",
                byte_range=br,
            )
        elif not _contents_key_at(data, reader, slot, l1):
            yield issue(
                "BYTERANGE_GAP_NOT_CONTENTS",
                f"trường {name}: vùng không ký không nằm ở khoá /Contents của từ điển chữ ký",
                f"field {name}: the unsigned gap is not at the /Contents key of the signature dictionary",
                byte_range=br,
            )
    rev = layout.revision(slot.revision) if slot.revision is not None else None
    end = s2 + l2
    if rev is not None and not rev.eof_marker + 5 <= end <= rev.end:
        yield issue(
            "BYTERANGE_NOT_REVISION_END",
            f"trường {name}: vùng ký kết thúc ở {end}, phiên bản {rev.index} kết thúc ở {rev.end}",
            f"field {name}: the signed range ends at {end}, revision {rev.index} ends at {rev.end}",
            byte_range=br,
        )


def _contents_key_at(data: bytes, reader: PdfFileReader, slot: SignatureSlot, gap_start: int) -> bool:
    """Is the gap the value of the ``/Contents`` key of *this* dictionary's bytes?"""
    if slot.sig_ref is None or slot.revision is None:
        return False
    loc = reader.xrefs.get_historical_ref(slot.sig_ref, slot.revision)
    if not isinstance(loc, int) or loc >= gap_start:
        return False  # in an object stream (cannot be signed in place) or after the gap
    end = data.find(b"endobj", loc)
    if end != -1 and end < gap_start:
        return False
    before = data[max(loc, gap_start - 64) : gap_start]
    return re.search(rb"/Contents[\x00\t\n\x0c\r ]*$", before) is not None


def _raw_contents(so: generic.DictionaryObject) -> bytes | None:
    try:
        v = so.raw_get("/Contents", decrypt=generic.EncryptedObjAccess.RAW)
    except KeyError:
        return None
    if isinstance(v, (generic.TextStringObject, generic.ByteStringObject)):
        return bytes(v.original_bytes)
    return None


def _check_contents(so: generic.DictionaryObject, name: str, *, parsed: bool = False) -> Iterator[Issue]:
    try:
        v = so.raw_get("/Contents", decrypt=generic.EncryptedObjAccess.RAW)
    except KeyError:
        yield issue("CONTENTS_MISSING", f"trường {name}", f"field {name}")
        return
    if isinstance(v, generic.IndirectObject):
        yield issue(
            "CONTENTS_MALFORMED",
            f"trường {name}: /Contents là đối tượng gián tiếp",
            f"field {name}: /Contents is an indirect object",
        )
        return
    if not isinstance(v, (generic.TextStringObject, generic.ByteStringObject)):
        yield issue(
            "CONTENTS_MALFORMED",
            f"trường {name}: /Contents phải là chuỗi, có {type(v).__name__}",
            f"field {name}: /Contents must be a string, got {type(v).__name__}",
        )
        return
    blob = bytes(v.original_bytes)
    if not blob.strip(b"\x00"):
        yield issue(
            "CONTENTS_EMPTY",
            f"trường {name}: /Contents rỗng hoặc toàn số 0 (chữ ký chưa từng được tạo)",
            f"field {name}: /Contents is empty or all zeros (no signature was ever made)",
        )
        return
    # BER (indefinite lengths) is accepted, as by Adobe and pyHanko: many real signers
    # emit it. What matters is that exactly one SignedData is there, followed only by
    # the zero padding the signer reserved.
    try:
        cls_, method, tag, header, content, trailer = asn1_parser.parse(blob)
    except Exception as e:
        yield issue(
            "CONTENTS_NOT_DER",
            f"trường {name}: không phải cấu trúc ASN.1 hợp lệ ({_short(e)})",
            f"field {name}: not a valid ASN.1 structure ({_short(e)})",
        )
        return
    total = len(header) + len(content) + len(trailer)
    if (cls_, method, tag) != (0, 1, 16):
        yield issue(
            "CONTENTS_NOT_SIGNED_DATA",
            f"trường {name}: không bắt đầu bằng một SEQUENCE",
            f"field {name}: does not start with a SEQUENCE",
        )
        return
    if blob[total:].strip(b"\x00"):
        yield issue(
            "CONTENTS_TRAILING_DATA",
            f"trường {name}: {len(blob) - total} byte sau cấu trúc chữ ký không phải số 0",
            f"field {name}: {len(blob) - total} bytes after the signature structure are not zero padding",
        )
    if parsed:
        return  # pyHanko has already loaded this SignedData and its SignerInfo
    try:
        ci = cms.ContentInfo.load(blob[:total])
        ctype = ci["content_type"].native
        if ctype != "signed_data":
            yield issue(
                "CONTENTS_NOT_SIGNED_DATA",
                f"trường {name}: kiểu nội dung {ctype}",
                f"field {name}: content type {ctype}",
            )
            return
        if len(ci["content"]["signer_infos"]) < 1:
            yield issue(
                "CONTENTS_NOT_SIGNED_DATA",
                f"trường {name}: SignedData không có SignerInfo",
                f"field {name}: the SignedData holds no SignerInfo",
            )
    except Exception as e:
        yield issue(
            "CONTENTS_NOT_SIGNED_DATA",
            f"trường {name}: không phân tích được CMS ({_short(e)})",
            f"field {name}: the CMS cannot be parsed ({_short(e)})",
        )


def check_gap_collisions(slots: Sequence[SignatureSlot]) -> list[Issue]:
    """Signature gaps must be pairwise disjoint; identical byte ranges are duplicates."""
    ranges: list[tuple[SignatureSlot, list[int]]] = []
    for s in slots:
        br = byte_range_of(s.sig_object) if s.sig_object is not None else None
        if br is not None and br[1] < br[2]:
            ranges.append((s, br))
    out: list[Issue] = []
    for i, (a, ra) in enumerate(ranges):
        for b, rb in ranges[i + 1 :]:
            if ra == rb:
                for x, y in ((a, b), (b, a)):
                    out.append(
                        replace(
                            issue(
                                "SIGNATURE_DUPLICATED",
                                f"trường {x.field_name} dùng lại đúng vùng ký của {y.field_name}",
                                f"field {x.field_name} reuses the exact byte range of {y.field_name}",
                                byte_range=ra,
                            ),
                            signature_obj=x.obj_number,
                        )
                    )
            elif ra[1] < rb[2] and rb[1] < ra[2]:
                for x, y in ((a, b), (b, a)):
                    out.append(
                        replace(
                            issue(
                                "BYTERANGE_OVERLAP",
                                f"vùng không ký của {x.field_name} chồng lên vùng của {y.field_name}",
                                f"the unsigned gap of {x.field_name} overlaps that of {y.field_name}",
                            ),
                            signature_obj=x.obj_number,
                        )
                    )
    return out


def issues_for(issues: Iterable[Issue], slot: SignatureSlot) -> list[Issue]:
    """The document-level issues that affect a signature, plus its own ones."""
    out = []
    for i in issues:
        if i.signature_obj is not None:
            if i.signature_obj == slot.obj_number:
                out.append(i)
        elif i.affects(slot.revision):
            out.append(i)
    return out


def _short(e: Any) -> str:
    text = str(e) if e is not None else "?"
    return text if len(text) <= 120 else text[:120] + "…"


__all__ = [
    "Layout",
    "prepare_reader",
    "Revision",
    "SignatureSlot",
    "analyse_layout",
    "byte_range_of",
    "check_gap_collisions",
    "check_signature_dictionary",
    "enumerate_signatures",
    "issues_for",
]
