"""Before signing: read what signing will touch, within the same budget as verification.

Verification has always given hostile files (decompression bombs, reference cycles, deep
nesting, truncated or random bytes) a verdict within its budget; signing used to hand the
same files straight to pyHanko's writer, and a circular page tree or deeply nested arrays
ended in a Python traceback. Signing now goes through the same limits and error types:

1. :func:`~vbsign.formats.pades.limits.precheck` on the raw bytes (size, revisions, declared
   cross-reference entries);
2. this module's inspection — open the file, walk the page tree (cycles, depth), the
   signature fields, and every stream (bounded inflation, see below) — under the
   verification's deadline, in an isolated worker (``fork`` + ``RLIMIT_AS``) when the file
   is large or intricate, exactly as :func:`~vbsign.formats.pades.limits.verify_within` does;
3. any parse error that still escapes while signing is an
   :class:`~vbsign.errors.InputError` (:func:`input_error`).

Whatever the file, the caller gets a typed error (exit 3 on the command line) with one
clear message, and nothing is written.

A file that can be signed but carries a **decompression bomb** — a stream that inflates to
more than :data:`BOMB_DECODED_SIZE` bytes, or more than :data:`BOMB_RATIO` times its size
once past 1 MiB (what stacked filters do) — is signed with a warning
(``DECOMPRESSION_BOMB``): signing does not need to inflate it, but every viewer of the
signed document would. Inflation is counted, never kept, and stops at the threshold.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign.formats.pades.limits import (
    DEFAULT_LIMITS,
    Limits,
    check_deadline,
    isolation_available,
    precheck,
    run_in_process,
    verify_within,
)
from vbsign.formats.pades.reader import open_reader
from vbsign.model.report import DocumentInfo, Finding, Indication, Report, Severity

MiB = 1 << 20
#: a stream inflating beyond this is a decompression bomb (no page needs 64 MiB of one stream)
BOMB_DECODED_SIZE = 64 * MiB
#: ... and so is one inflating more than this many times its size once past 1 MiB
#: (above the ~1032:1 a single Deflate layer can reach: only stacked filters do this)
BOMB_RATIO = 1100
#: nesting of the page tree beyond this is refused (real documents: a handful of levels)
MAX_PAGE_TREE_DEPTH = 256
_CHUNK = 4 * MiB
_FLATE = re.compile(rb"/Fl(?:ateDecode)?(?![A-Za-z0-9#])")
#: the most one Deflate layer can inflate (about 1032:1: a 258-byte match per 2 bits)
_MAX_DEFLATE_RATIO = 1033


def input_error(e: BaseException) -> InputError:
    """A parse failure of the input PDF as the error the caller gets (exit 3)."""
    text = " ".join(str(e).split())[:200] or type(e).__name__
    return InputError(
        Msg(
            "Không ký: tệp PDF đầu vào hỏng hoặc có cấu trúc không đọc được ({t}: {e}).",
            "Not signed: the input PDF is damaged or its structure cannot be read ({t}: {e}).",
        ).format(t=type(e).__name__, e=text),
        details={"error": type(e).__name__},
    )


#: exceptions a malformed PDF can raise from pyHanko's reader (vbsign errors pass through)
def _parse_errors() -> tuple[type[BaseException], ...]:
    from pyhanko.pdf_utils.misc import PdfError

    return (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, zlib.error, EOFError)


async def preflight(
    data: bytes, *, limits: Limits | None = None, open_reader: Callable[[], Any] | None = None
) -> list[Msg]:
    """Check that ``data`` can be signed within ``limits``; return warnings (bombs).

    Raises :class:`~vbsign.errors.InputError` for a file that cannot be read or is over
    the budget (``details["limit"]`` says which). A large or
    intricate file is inspected in an isolated worker first; any other is inspected in
    this process, under the deadline, on the reader ``open_reader()`` returns (the one
    signing will use: the file is parsed once).
    """
    limits = limits or DEFAULT_LIMITS
    pre = precheck(data, limits)
    isolate = pre.risky if limits.isolate is None else limits.isolate
    if pre.refused is not None or (isolate and isolation_available()) or open_reader is None:
        report = await verify_within(_inspect, data, "<input>", None, limits, pre=pre)
    else:
        opener = open_reader

        async def here(data: bytes, name: str, options: Any) -> Report:
            return await _inspect(data, name, options, reader=opener())

        report = await run_in_process(here, data, "<input>", None, limits)
    over = [f for f in report.findings if f.code in ("RESOURCE_LIMIT", "WORKER_CRASHED")]
    if over:
        f = over[0]
        raise InputError(  # bad input for signing (exit 3), as the raw precheck always said
            Msg(
                f"Không ký: tệp PDF không đọc được trong giới hạn tài nguyên ({f.message_vi}).",
                f"Not signed: the PDF cannot be read within the resource limits ({f.message_en}).",
            ),
            details=dict(f.details),
        )
    return [Msg(f.message_vi, f.message_en) for f in report.findings if f.code == "DECOMPRESSION_BOMB"]


async def _inspect(data: bytes, name: str, options: Any, *, reader: Any = None) -> Report:
    """The inspection, as a report (so it can run in the verification's isolated worker)."""
    try:
        bombs = inspect_pdf(data, reader=reader)
    except RecursionError:
        raise InputError(
            Msg(
                "Không ký: tệp PDF có cấu trúc lồng nhau quá sâu (dấu hiệu tấn công từ chối dịch vụ).",
                "Not signed: the PDF's structure is nested too deeply (a sign of denial of service).",
            ),
            details={"limit": "nesting"},
        ) from None
    except _parse_errors() as e:
        raise input_error(e) from None
    report = Report(
        # an internal report (only its findings are read): no SHA-256 pass over the input
        document=DocumentInfo(name=name, sha256="", size=len(data), format="pdf"),
        indication=Indication.TOTAL_PASSED,
        validation_time=datetime.now(timezone.utc),
    )
    for ref, decoded in bombs:
        report.findings.append(
            Finding.of(
                "DECOMPRESSION_BOMB",
                Severity.WARNING,
                Msg(
                    "Văn bản chứa luồng dữ liệu nén giãn ra hơn {n} MiB (đối tượng {r}: \"bom giải nén\"); "
                    "vbsign ký mà không giải nén nó, nhưng phần mềm đọc PDF sẽ giải nén khi mở văn bản đã ký.",
                    "The document holds a compressed stream inflating to more than {n} MiB (object {r}: a "
                    "decompression bomb); vbsign signs without inflating it, but PDF viewers will when they "
                    "open the signed document.",
                ).format(n=min(decoded, BOMB_DECODED_SIZE) // MiB, r=ref),
                {"object": ref, "decoded_at_least": decoded},
            )
        )
    return report


def inspect_pdf(data: bytes, *, reader: Any = None) -> list[tuple[str, int]]:
    """Open ``data`` (unless ``reader`` is given), walk its page tree and signature fields,
    and measure every stream that could be a bomb.

    Returns the decompression bombs found as ``(object reference, decoded bytes at least)``;
    raises what pyHanko raises on a file it cannot read (see :func:`input_error`).
    """
    from pyhanko.sign import fields

    if reader is None:
        reader = open_reader(io.BytesIO(data))
    bombs = list(_bombs(reader, data))
    hidden = [ref for ref, _, kind in bombs if kind == "/ObjStm"]
    if hidden:  # the document's own objects live in the bomb: nothing can be read safely
        raise InputError(
            Msg(
                "Không ký: các đối tượng của tệp PDF nằm trong luồng nén giãn ra quá lớn ({r}: \"bom giải nén\").",
                "Not signed: the PDF's objects sit in a compressed stream that inflates too far ({r}: a "
                "decompression bomb).",
            ).format(r=hidden[0]),
            details={"object": hidden[0], "limit": "decompression"},
        )
    _walk_page_tree(reader.root["/Pages"])
    for _ in fields.enumerate_sig_fields(reader, filled_status=None):
        check_deadline()
    return [(ref, decoded) for ref, decoded, _ in bombs]


def _walk_page_tree(root: Any) -> None:
    """Every node once; a node met twice (a cycle) or a tree too deep is refused."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.misc import PdfReadError

    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        check_deadline()
        obj = node.get_object() if isinstance(node, generic.IndirectObject) else node
        if id(obj) in seen:
            raise PdfReadError("Circular reference in page tree")
        if depth > MAX_PAGE_TREE_DEPTH:
            raise PdfReadError(f"page tree deeper than {MAX_PAGE_TREE_DEPTH} levels")
        seen.add(id(obj))
        if isinstance(obj, generic.DictionaryObject) and obj.get("/Type") == "/Pages":
            kids = obj.get("/Kids")
            if isinstance(kids, generic.ArrayObject):
                stack.extend((k, depth + 1) for k in kids)


def _all_refs(reader: Any) -> set[Any]:
    refs: set[Any] = set()
    for rev in range(reader.xrefs.total_revisions):
        refs |= reader.xrefs.explicit_refs_in_revision(rev)
    return refs


def _candidates(reader: Any, data: bytes) -> list[Any]:
    """References of the objects that *could* be bombs, found without parsing every object.

    A stream is always a top-level object (never inside an object stream), so its bytes
    run from its offset to the next object's. One Deflate layer cannot inflate fewer than
    ``BOMB_DECODED_SIZE / 1033`` bytes past the threshold: only larger objects, and objects
    naming Deflate more than once (stacked filters), are parsed and measured.
    """
    located: list[tuple[int, Any]] = []
    for ref in _all_refs(reader):
        where = reader.xrefs[ref]
        if isinstance(where, int):
            located.append((where, ref))
    located.sort(key=lambda x: x[0])
    small = BOMB_DECODED_SIZE // _MAX_DEFLATE_RATIO
    out: list[Any] = []
    for i, (start, ref) in enumerate(located):
        end = located[i + 1][0] if i + 1 < len(located) else len(data)
        head = data[start : min(end, start + 4096)]
        if end - start >= small or len(_FLATE.findall(head)) > 1:
            out.append(ref)
    return out


def _bombs(reader: Any, data: bytes) -> Iterator[tuple[str, int, str]]:
    """``(reference, decoded bytes at least, /Type)`` of each stream that inflates too far."""
    from pyhanko.pdf_utils import generic

    for ref in _candidates(reader, data):
        check_deadline()
        try:
            obj = reader.get_object(ref)
        except _parse_errors():
            continue  # an unreadable object the document may never use: signing will tell
        if not isinstance(obj, generic.StreamObject):
            continue
        filters = obj.get("/Filter")
        names = [str(f) for f in filters] if isinstance(filters, generic.ArrayObject) else [str(filters)]
        if not names or any(n not in ("/FlateDecode", "/Fl") for n in names):
            continue  # only Deflate layers inflate without bound
        if len(names) == 1 and len(obj.encoded_data) * _MAX_DEFLATE_RATIO <= BOMB_DECODED_SIZE:
            continue  # one Deflate layer cannot inflate this little data past the threshold
        decoded = _inflated_size(obj.encoded_data, len(names))
        if decoded > BOMB_DECODED_SIZE or (decoded > MiB and decoded > BOMB_RATIO * max(1, len(obj.encoded_data))):
            yield f"{ref.idnum} {ref.generation} R", decoded, str(obj.get("/Type", ""))


def _inflated_size(data: bytes, layers: int) -> int:
    """How far ``layers`` stacked Deflate layers inflate ``data`` (stops past the threshold;
    a damaged stream counts what inflated before the damage)."""
    for _ in range(layers - 1):  # inner layers are what the outer one produced: keep them
        inner = _inflate(data, BOMB_DECODED_SIZE + 1, keep=True)
        if isinstance(inner, int):
            return inner
        data = inner
    size = _inflate(data, BOMB_DECODED_SIZE + 1, keep=False)
    assert isinstance(size, int)
    return size


def _inflate(data: bytes, cap: int, *, keep: bool) -> bytes | int:
    """Inflate at most ``cap`` bytes; the bytes (``keep``, if under the cap) or their count."""
    d = zlib.decompressobj()
    out: list[bytes] = []
    total = 0
    pending = data
    try:
        while pending or not d.eof:
            chunk = d.decompress(pending, _CHUNK)
            pending = d.unconsumed_tail
            total += len(chunk)
            if total >= cap:
                return total
            if keep:
                out.append(chunk)
            if not chunk and not pending:
                break
            check_deadline()
    except zlib.error:
        pass
    return b"".join(out) if keep else total
