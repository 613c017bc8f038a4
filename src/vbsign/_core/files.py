"""Small I/O helpers: read inputs without modifying them, write outputs atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from vbsign._core.errors import InputError, StorageFullError
from vbsign._core.i18n import Msg

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
                ).format(p=printable(path), n=max_bytes)
            )
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        raise InputError(
            Msg("Không tìm thấy tệp: {p}", "File not found: {p}").format(p=printable(path)),
            details={"path": str(path)},
        ) from None
    except IsADirectoryError:
        raise InputError(
            Msg("{p} là thư mục, không phải tệp.", "{p} is a directory, not a file.").format(p=printable(path))
        ) from None
    except PermissionError:
        raise InputError(
            Msg("Không có quyền đọc tệp: {p}", "Permission denied reading: {p}").format(p=printable(path))
        ) from None
    except OSError as e:  # name too long, I/O error, ...
        raise InputError(
            _with_reason(Msg("Không đọc được tệp {p}", "Cannot read {p}").format(p=printable(path)), e)
        ) from None


_OS_REASONS: dict[str, tuple[str, str]] = {
    "EACCES": ("không có quyền", "permission denied"),
    "EPERM": ("không được phép", "operation not permitted"),
    "EROFS": ("hệ thống tệp chỉ đọc", "read-only file system"),
    "ENOSPC": ("hết dung lượng đĩa", "no space left on device"),
    "EDQUOT": ("vượt hạn mức đĩa", "disk quota exceeded"),
    "EFBIG": ("tệp vượt giới hạn kích thước", "file too large for the file-size limit"),
    "ENAMETOOLONG": ("tên tệp quá dài", "file name too long"),
    "ENOTDIR": ("một phần của đường dẫn không phải thư mục", "a path component is not a directory"),
    "EISDIR": ("là thư mục", "is a directory"),
    "EIO": ("lỗi vào/ra", "input/output error"),
}


def os_reason(e: OSError) -> Msg:
    """Why an OS call failed, in both languages (the errno name is kept for support staff)."""
    import errno

    name = errno.errorcode.get(e.errno or 0, "")
    vi, en = _OS_REASONS.get(name, (e.strerror or str(e), e.strerror or str(e)))
    suffix = f" ({name})" if name else ""
    return Msg(vi + suffix, en + suffix)


#: files holding personal data or key material: owner only, whatever the umask
PRIVATE_FILE_MODE = 0o600
#: directories vbsign creates for such files
PRIVATE_DIR_MODE = 0o700


def make_private_dirs(path: str | os.PathLike[str]) -> Path:
    """Create directory ``path`` and its missing parents with mode 0700 (not subject to
    the umask); directories that already exist are left as they are (they are the
    user's)."""
    target = Path(os.fspath(path))
    missing: list[Path] = []
    cur = target
    while not os.path.isdir(cur):
        missing.append(cur)
        if cur.parent == cur:
            break
        cur = cur.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # created meanwhile by someone else: not ours to change
        os.chmod(d, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    return target


def create_private_file(path: str | os.PathLike[str]) -> bool:
    """Create an empty file with mode 0600 unless it exists; True if it was created."""
    try:
        fd = os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return True


def atomic_write(path: str | os.PathLike[str], data: bytes, *, private: bool = False) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename.

    Readers see either the old file or the complete new one, never a partial write; a
    crash leaves at most a ``.vbsign-*.tmp`` file behind, never a truncated output.
    With ``private`` (personal data, key material) the file is created with mode 0600
    whatever the umask or the mode of the file it replaces.
    """
    target = Path(os.fspath(path))
    directory = target.parent if str(target.parent) else Path(".")
    if not os.path.isdir(directory):
        raise InputError(
            Msg("Thư mục đích không tồn tại: {d}", "Output directory does not exist: {d}").format(
                d=directory
            )
        )
    if os.path.isdir(target):  # (Path.is_dir raises on a too-long name)
        raise InputError(
            Msg(
                "Tệp đầu ra {p} là một thư mục; hãy chỉ định tên tệp.",
                "The output {p} is a directory; give a file name.",
            ).format(p=target)
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=".vbsign-", suffix=".tmp", dir=directory)
    except OSError as e:  # read-only file system, no permission, ...
        raise _write_error(target, e) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if private:
            mode = PRIVATE_FILE_MODE
        else:
            try:
                mode = target.stat().st_mode & 0o777
            except FileNotFoundError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):  # disk full, name too long, ...: no partial output is left
            raise _write_error(target, e) from None
        raise
    return target


#: errno names meaning "no room to write": the disk, the quota, the file-size limit
NO_SPACE = frozenset({"ENOSPC", "EDQUOT", "EFBIG"})


def _write_error(target: Path, e: OSError) -> InputError:
    import errno

    cls = StorageFullError if errno.errorcode.get(e.errno or 0) in NO_SPACE else InputError
    return cls(
        _with_reason(Msg("Không ghi được tệp {p}", "Cannot write {p}").format(p=printable(target)), e),
        details={"path": str(target)},
    )


def _with_reason(msg: Msg, e: OSError) -> Msg:
    reason = os_reason(e)
    return Msg(f"{msg.vi}: {reason.vi}", f"{msg.en}: {reason.en}")


#: characters that would break a line or reorder text on a terminal or in a log
_UNPRINTABLE = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_UNPRINTABLE.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})
_UNPRINTABLE.update({c: f"\\u{c:04x}" for c in [0x2028, 0x2029, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                                *range(0x2066, 0x206A)]})


def printable(text: object) -> str:
    """``text`` as one line that cannot forge another: line breaks, other control characters
    and bidirectional-override characters are shown escaped (``\\n``, ``\\x1b``,
    ``\\u202e``). For file names and any other text that comes from outside (names in
    certificates, signature fields) before it is printed or logged."""
    return str(text).translate(_UNPRINTABLE)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # missing output, name too long, ...
        return os.path.abspath(a) == os.path.abspath(b)
