"""Small I/O helpers: read inputs without modifying them, write outputs atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from .errors import InputError
from .i18n import Msg

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO


def read_input(source: Source, *, max_bytes: int | None = None) -> tuple[bytes, str]:
    """Return ``(data, display_name)`` for a path, bytes or a binary stream."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "<bytes>"
    if hasattr(source, "read"):
        data = source.read()  # type: ignore[union-attr]
        if not isinstance(data, bytes):
            raise InputError(Msg("Luồng đầu vào phải ở chế độ nhị phân.", "Input stream must be binary."))
        return data, getattr(source, "name", "<stream>")
    path = Path(os.fspath(source))  # type: ignore[arg-type]
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise InputError(
                Msg(
                    "Tệp {p} quá lớn (giới hạn {n} byte).",
                    "File {p} is too large (limit {n} bytes).",
                ).format(p=path, n=max_bytes)
            )
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        raise InputError(
            Msg("Không tìm thấy tệp: {p}", "File not found: {p}").format(p=path),
            details={"path": str(path)},
        ) from None
    except IsADirectoryError:
        raise InputError(
            Msg("{p} là thư mục, không phải tệp.", "{p} is a directory, not a file.").format(p=path)
        ) from None
    except PermissionError:
        raise InputError(
            Msg("Không có quyền đọc tệp: {p}", "Permission denied reading: {p}").format(p=path)
        ) from None


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename.

    Readers see either the old file or the complete new one, never a partial write; a
    crash leaves at most a ``.vbsign-*.tmp`` file behind, never a truncated output.
    """
    target = Path(os.fspath(path))
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(
            Msg("Thư mục đích không tồn tại: {d}", "Output directory does not exist: {d}").format(
                d=directory
            )
        )
    fd, tmp = tempfile.mkstemp(prefix=".vbsign-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)
    except FileNotFoundError:
        return os.path.abspath(a) == os.path.abspath(b)
