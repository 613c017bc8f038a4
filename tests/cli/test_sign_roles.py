"""``vbsign sign --role ...`` end to end through the real CLI entry point (in-process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vbsign.cli.main import main


@pytest.fixture
def vb(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """``vb(*args, lang="en") -> (exit code, stdout, stderr)``; the CLI's language is reset after."""
    from vbsign._core import i18n

    token = i18n._current.set(None)
    monkeypatch.setenv("VBSIGN_PASS", "vbsign-test")
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str, lang: str = "en") -> tuple[int, str, str]:
        monkeypatch.setenv("VBSIGN_LANG", lang)
        i18n._current.set(None)
        with pytest.raises(SystemExit) as ei:
            main(list(args))
        out, err = capsys.readouterr()
        return int(ei.value.code or 0), out, err

    yield run
    i18n._current.reset(token)


def common(pki_dir: Path, subject: str) -> list[str]:
    return ["--key", str(pki_dir / f"{subject}.p12"), "--passphrase-env", "VBSIGN_PASS", "--trust",
            str(pki_dir / "roots.pem"), "--level", "b-b", "--no-revocation-check", "--offline"]


def test_cli_person_then_agency_from_config(vb, tmp_path, sample_pdf_path, pki_dir, signature_png_path, seal_png_path, pdftext) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "bkhcn.toml"
    cfg.write_text(f'agency_name = "Bộ Khoa học và Công nghệ"\nseal_image = "{seal_png_path}"\nseal_diameter_mm = 36\n', encoding="utf-8")
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    code, out, err = vb("sign", str(sample_pdf_path), "-o", str(first), *common(pki_dir, "person"), "--role", "person", "--image", str(signature_png_path))
    assert code == 0, err + out
    code, out, err = vb("sign", str(first), "-o", str(second), *common(pki_dir, "agency"), "--role", "agency", "--appearance-config", str(cfg))
    assert code == 0, err + out
    text = pdftext(second.read_bytes())
    assert "Ký bởi: Nguyễn Văn A" in text and "+07:00" in text


def test_cli_anchor_not_found(vb, tmp_path, sample_pdf_path, pki_dir) -> None:  # type: ignore[no-untyped-def]
    out_pdf = tmp_path / "o.pdf"
    code, _out, err = vb("sign", str(sample_pdf_path), "-o", str(out_pdf), *common(pki_dir, "person"), "--role", "person", "--anchor", "CHỦ TỊCH")
    assert code == 3 and "CHỦ TỊCH" in err and "not found" in err
    assert not out_pdf.exists()


def test_cli_attachment_and_usage_errors(vb, tmp_path, sample_pdf_path, pki_dir, pdftext) -> None:  # type: ignore[no-untyped-def]
    out_pdf = tmp_path / "att.pdf"
    code, _out, err = vb("sign", str(sample_pdf_path), "-o", str(out_pdf), *common(pki_dir, "agency"), "--role", "attachment", "--doc-number", "123/QĐ-BKHCN")
    assert code == 0, err
    assert "123/QĐ-BKHCN" in pdftext(out_pdf.read_bytes())
    code, _out, err = vb("sign", str(sample_pdf_path), "-o", str(tmp_path / "x.pdf"), *common(pki_dir, "agency"), "--role", "attachment", lang="vi")
    assert code == 3 and "số và ký hiệu" in err
    code, _out, err = vb("sign", str(sample_pdf_path), "-o", str(tmp_path / "y.pdf"), *common(pki_dir, "agency"), "--anchor", "KT. CỤC TRƯỞNG")
    assert code == 3 and "--role" in err
    code, _out, err = vb("sign", str(sample_pdf_path), "-o", str(tmp_path / "z.pdf"), *common(pki_dir, "agency"), "--role", "copy", "--image", str(pki_dir / "roots.pem"))
    assert code == 3 and "image" in err
    assert not any((tmp_path / n).exists() for n in ("x.pdf", "y.pdf", "z.pdf"))
