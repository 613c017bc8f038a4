"""Bounds for every input that is not a document: configuration, keys, certificates, images.

Documents have their budgets (:mod:`vbsign.formats.pades.limits`, :mod:`vbsign.formats.xades.safe`). The
files around them come from users and administrators too, sometimes from a shared folder,
and a 50 MB policy file used to take half a minute and 650 MB of memory to refuse. Each kind
of file has a size limit checked *before* it is read (``stat``, then a read of at most
limit + 1 bytes, so a FIFO or ``/dev/zero`` cannot get around it) and, for structured text
(TOML, JSON), a limit on the number of entries and on the nesting depth checked after
parsing. Going over a bound is a clear bilingual error of the caller's type
(:class:`~vbsign.errors.PolicyError` for policy files,
:class:`~vbsign.errors.ConfigurationError` for appearance files,
:class:`~vbsign.errors.InputError` otherwise).

The limits (:data:`BOUNDS`) are far above anything real: an agency's policy file is a few
kilobytes (a list of 5,000 certificate fingerprints is about 500 KB).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vbsign._core.errors import InputError, VbsignError
from vbsign._core.files import os_reason
from vbsign._core.i18n import Msg

KiB = 1 << 10
MiB = 1 << 20


@dataclass(frozen=True)
class Bound:
    """How much of one kind of input vbsign accepts."""

    #: what the file is, for messages
    what: Msg
    max_bytes: int
    #: values in the parsed tree (table entries and array items), for TOML/JSON
    max_entries: int | None = None
    #: nesting depth of tables and arrays, for TOML/JSON
    max_depth: int | None = None


POLICY_FILE = Bound(Msg("tệp chính sách", "policy file"), 1 * MiB, max_entries=50_000, max_depth=16)
APPEARANCE_FILE = Bound(Msg("tệp cấu hình hình thức chữ ký", "appearance configuration file"), 64 * KiB,
                        max_entries=200, max_depth=4)
CERTIFICATE_FILE = Bound(Msg("tệp chứng thư số", "certificate file"), 16 * MiB)
KEY_FILE = Bound(Msg("tệp khóa", "key file"), 16 * MiB)
PIN_FILE = Bound(Msg("tệp PIN", "PIN file"), 4 * KiB)
IMAGE_FILE = Bound(Msg("tệp ảnh", "image file"), 32 * MiB)
FONT_FILE = Bound(Msg("tệp phông chữ", "font file"), 64 * MiB)
MANIFEST_FILE = Bound(Msg("tệp mô tả", "manifest file"), 16 * MiB, max_entries=1_000_000, max_depth=32)
CHECKPOINT_FILE = Bound(Msg("tệp điểm mốc nhật ký", "audit checkpoint file"), 1 * MiB,
                        max_entries=1_000, max_depth=8)
CPS_DOCUMENT = Bound(Msg("bản lưu quy chế chứng thực", "CPS copy"), 64 * MiB)

#: every bound, by name (documented in docs/security.rst; a test keeps them in sync)
BOUNDS: dict[str, Bound] = {
    "policy": POLICY_FILE,
    "appearance": APPEARANCE_FILE,
    "certificate": CERTIFICATE_FILE,
    "key": KEY_FILE,
    "pin": PIN_FILE,
    "image": IMAGE_FILE,
    "font": FONT_FILE,
    "manifest": MANIFEST_FILE,
    "checkpoint": CHECKPOINT_FILE,
    "cps": CPS_DOCUMENT,
}


def _size_text(n: int) -> str:
    return f"{n // MiB} MiB" if n >= MiB and n % MiB == 0 else f"{n // KiB} KiB" if n % KiB == 0 else f"{n} B"


def too_large(path: object, bound: Bound, error: type[VbsignError] = InputError) -> VbsignError:
    return error(
        Msg(
            "{w} {p} quá lớn (giới hạn {m}); vbsign không đọc tệp này.",
            "The {we} {p} is too large (limit {m}); vbsign does not read it.",
        ).format(w=bound.what.vi[:1].upper() + bound.what.vi[1:], we=bound.what.en, p=path, m=_size_text(bound.max_bytes)),
        details={"path": str(path), "limit": "size", "max_bytes": bound.max_bytes},
    )


def read_bounded(path: str | os.PathLike[str], bound: Bound, error: type[VbsignError] = InputError) -> bytes:
    """The bytes of ``path``, refused with ``error`` beyond ``bound.max_bytes``.

    The size is checked before reading, and the read itself stops one byte past the
    limit (special files report no size).
    """
    p = Path(os.fspath(path))
    try:
        if p.stat().st_size > bound.max_bytes:
            raise too_large(p, bound, error)
        with open(p, "rb") as fh:
            data = fh.read(bound.max_bytes + 1)
    except FileNotFoundError:
        raise error(
            Msg("Không tìm thấy {w}: {p}", "The {we} was not found: {p}").format(w=bound.what.vi, we=bound.what.en, p=p),
            details={"path": str(p)},
        ) from None
    except IsADirectoryError:
        raise error(
            Msg("{p} là thư mục, không phải {w}.", "{p} is a directory, not a {we}.").format(
                p=p, w=bound.what.vi, we=bound.what.en
            )
        ) from None
    except OSError as e:
        reason = os_reason(e)
        raise error(
            Msg("Không đọc được {w} {p}: {r}", "Cannot read the {we} {p}: {re}").format(
                w=bound.what.vi, we=bound.what.en, p=p, r=reason.vi, re=reason.en
            ),
            details={"path": str(p)},
        ) from None
    if len(data) > bound.max_bytes:
        raise too_large(p, bound, error)
    return data


def check_text_size(text: str, source: str, bound: Bound, error: type[VbsignError] = InputError) -> None:
    """Refuse ``text`` (already in memory, e.g. given to a parser directly) beyond the bound."""
    # a character is at least one UTF-8 byte: only texts that may be too long are encoded
    if len(text) > bound.max_bytes or (len(text) * 4 > bound.max_bytes and len(text.encode("utf-8")) > bound.max_bytes):
        raise too_large(source, bound, error)


def _walk(value: Any) -> Iterator[tuple[Any, int]]:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        yield v, depth
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)


def check_tree(value: Any, source: str, bound: Bound, error: type[VbsignError] = InputError) -> None:
    """Refuse a parsed TOML/JSON tree with too many entries or too deep a nesting."""
    for entries, (_, depth) in enumerate(_walk(value)):  # the root itself is not an entry
        if bound.max_depth is not None and depth > bound.max_depth:
            raise error(
                Msg(
                    "{p}: cấu trúc lồng nhau quá sâu (giới hạn {n} mức).",
                    "{p}: nested too deeply (limit {n} levels).",
                ).format(p=source, n=bound.max_depth),
                details={"path": source, "limit": "depth", "max_depth": bound.max_depth},
            )
        if bound.max_entries is not None and entries > bound.max_entries:
            raise error(
                Msg(
                    "{p}: quá nhiều mục (giới hạn {n}).",
                    "{p}: too many entries (limit {n}).",
                ).format(p=source, n=bound.max_entries),
                details={"path": source, "limit": "entries", "max_entries": bound.max_entries},
            )


def loads_toml(text: str, source: str, bound: Bound, error: type[VbsignError] = InputError) -> dict[str, Any]:
    """Parse TOML within ``bound`` (size, entries, depth); syntax errors are ``error`` too."""
    check_text_size(text, source, bound, error)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise error(
            Msg("{p}: tệp TOML không hợp lệ: {e}", "{p}: invalid TOML: {e}").format(p=source, e=e),
            details={"path": source},
        ) from None
    except RecursionError:
        raise error(
            Msg("{p}: cấu trúc lồng nhau quá sâu.", "{p}: nested too deeply.").format(p=source),
            details={"path": source, "limit": "depth"},
        ) from None
    check_tree(data, source, bound, error)
    return data


def loads_json(data: bytes, source: str, bound: Bound, error: type[VbsignError] = InputError) -> Any:
    """Parse JSON within ``bound`` (size, entries, depth)."""
    import json

    if len(data) > bound.max_bytes:
        raise too_large(source, bound, error)
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise error(
            Msg("{p}: JSON không hợp lệ: {e}", "{p}: invalid JSON: {e}").format(p=source, e=type(e).__name__),
            details={"path": source},
        ) from None
    check_tree(value, source, bound, error)
    return value
