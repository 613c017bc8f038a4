"""Names and messages containing ``[...]`` are printed as they are (rich markup must not eat them)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import run_vbsign, sign_args
from vbsign.testpki.samples import official_document_pdf


def test_bracketed_file_names(tmp_path: Path, pki_dir: Path) -> None:
    src = tmp_path / "QĐ [bản cuối] [bold].pdf"
    src.write_bytes(official_document_pdf())
    proc = run_vbsign("sign", str(src), *sign_args(pki_dir))
    assert proc.returncode == 0, proc.stderr
    assert "QĐ [bản cuối] [bold].signed.pdf" in proc.stdout
    signed = tmp_path / "QĐ [bản cuối] [bold].signed.pdf"
    proc = run_vbsign("verify", str(signed), str(tmp_path / "thiếu [x].pdf"), "--trust", str(pki_dir / "roots.pem"),
                      "--offline")
    assert "Tệp: QĐ [bản cuối] [bold].signed.pdf" in proc.stdout
    assert "thiếu [x].pdf" in proc.stderr
    proc = run_vbsign("sign", str(tmp_path / "không có [red].pdf"), *sign_args(pki_dir))
    assert proc.returncode == 3
    assert "không có [red].pdf" in proc.stderr


def test_policy_error_keeps_table_name(tmp_path: Path) -> None:
    empty = tmp_path / "rỗng.toml"
    empty.write_text("", "utf-8")
    proc = run_vbsign("policy", "show", str(empty))
    assert proc.returncode == 3
    assert "[policy]" in proc.stderr


def test_registry_names_with_brackets(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'sổ.db'}"]
    assert run_vbsign("registry", *db, "init").returncode == 0
    proc = run_vbsign("registry", *db, "unit", "add", "P1", "Phòng [kế hoạch]")
    assert proc.returncode == 0, proc.stderr
    assert "Phòng [kế hoạch]" in proc.stdout
    proc = run_vbsign("registry", *db, "unit", "list")
    assert "Phòng [kế hoạch]" in proc.stdout
