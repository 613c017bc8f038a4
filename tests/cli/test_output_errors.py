"""Unwritable, too-long or directory outputs: a typed bilingual error (exit 3), never a traceback."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import run_vbsign, sign_args
from vbsign._core import files as _io
from vbsign._core.errors import InputError
from vbsign._core.i18n import use_lang
from vbsign.testpki.samples import official_document_pdf


def _no_temp_left(d: Path) -> None:
    assert not [p for p in d.iterdir() if p.name.startswith(".vbsign-")]


def test_sign_output_is_a_directory(tmp_path: Path, pki_dir: Path) -> None:
    src = tmp_path / "in.pdf"
    src.write_bytes(official_document_pdf())
    (tmp_path / "out").mkdir()
    proc = run_vbsign("sign", str(src), "-o", str(tmp_path / "out"), *sign_args(pki_dir))
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "là một thư mục" in proc.stderr
    _no_temp_left(tmp_path)


def test_sign_output_name_too_long(tmp_path: Path, pki_dir: Path) -> None:
    # a 250-byte Vietnamese name is fine as input; "<name>.signed.pdf" exceeds NAME_MAX
    name = "ư" * 123 + ".pdf"
    assert len(name.encode()) <= 255
    src = tmp_path / name
    src.write_bytes(official_document_pdf())
    proc = run_vbsign("sign", str(src), *sign_args(pki_dir), lang="en")
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "file name too long" in proc.stderr
    _no_temp_left(tmp_path)


def test_sign_input_name_too_long(tmp_path: Path, pki_dir: Path) -> None:
    proc = run_vbsign("sign", str(tmp_path / ("Văn bản dài " * 25 + ".pdf")), *sign_args(pki_dir))
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "tên tệp quá dài" in proc.stderr


def test_atomic_write_unwritable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a: object, **k: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(_io.tempfile, "mkstemp", refuse)
    with pytest.raises(InputError) as info:
        _io.atomic_write(tmp_path / "x.pdf", b"data")
    assert "hệ thống tệp chỉ đọc" in info.value.message_vi
    assert "read-only file system" in info.value.message_en


def test_atomic_write_disk_full_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*a: object, **k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_io.os, "replace", full)
    with pytest.raises(InputError) as info, use_lang("en"):
        _io.atomic_write(tmp_path / "x.pdf", b"data")
    assert "no space left" in info.value.message_en
    assert list(tmp_path.iterdir()) == []


def test_validate_junit_into_directory(tmp_path: Path, pki_dir: Path) -> None:
    src = tmp_path / "in.pdf"
    src.write_bytes(official_document_pdf())
    (tmp_path / "j").mkdir()
    proc = run_vbsign("validate", str(src), "--junit", str(tmp_path / "j"))
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr


def test_os_error_guard(tmp_path: Path) -> None:
    """An OS error no command anticipated (here: a parent path that is a file) is exit 3, no traceback."""
    blocker = tmp_path / "tệp"
    blocker.write_text("x")
    for lang, word in (("vi", "Lỗi vào/ra"), ("en", "I/O error")):
        proc = run_vbsign("testpki", "init", str(blocker / "pki"), lang=lang)
        assert proc.returncode == 3, proc.stderr
        assert "Traceback" not in proc.stderr
        assert word in proc.stderr


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None, reason="needs root to mount a read-only tmpfs")
def test_demo_read_only_fs(tmp_path: Path) -> None:  # pragma: no cover - environment dependent
    import subprocess

    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)]).returncode != 0:
        pytest.skip("cannot mount")
    try:
        proc = run_vbsign("demo", "--out", str(ro / "d"))
        assert proc.returncode == 3
        assert "Traceback" not in proc.stderr
        assert "EROFS" in proc.stderr
    finally:
        subprocess.run(["umount", str(ro)])
