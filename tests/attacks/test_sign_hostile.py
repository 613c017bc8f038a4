"""Issue 14 item 3: ``vbsign sign`` gets the verification's hostile-input set too.

The same files (``kit.hostile_set``: deep nesting, reference cycles, decompression bombs,
huge declarations, too many revisions, truncated and random bytes) go through
verification and through ``vbsign sign``: verification gives a verdict that is never
TOTAL-PASSED, signing exits 3 with one clear message — no traceback, no output file.
A PDF that can be signed but carries a decompression bomb is signed with a warning.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from vbsign.model.report import Indication

NAMES = [
    "deep-nesting-catalog",
    "deep-nesting-page",
    "page-tree-cycle",
    "form-field-cycle",
    "xref-prev-cycle",
    "objstm-bomb",
    "huge-xref-declaration",
    "too-many-revisions",
    "truncated-half",
    "truncated-no-trailer",
    "random-bytes",
    "header-only",
]


@functools.lru_cache(maxsize=1)
def _hostile(kit: Any, sample: bytes) -> dict[str, bytes]:
    return dict(kit.hostile_set(sample))


def _sign_cli(pki_dir: Path, src: Path, out: Path, capsys: pytest.CaptureFixture[str],
              monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    from vbsign.cli.main import main

    monkeypatch.setenv("PW", "vbsign-test")
    monkeypatch.setenv("COLUMNS", "300")
    try:
        code = main(["--lang", "en", "sign", str(src), "-o", str(out), "--key", str(pki_dir / "person.p12"),
                     "--passphrase-env", "PW", "--trust", str(pki_dir / "roots.pem"), "--level", "b-b",
                     "--no-revocation-check", "--offline"])
    except SystemExit as e:
        code = e.code
    got = capsys.readouterr()
    return int(code or 0), got.out, got.err


def test_the_hostile_set_is_the_one_verification_uses(kit: Any, sample_pdf: bytes) -> None:
    assert sorted(_hostile(kit, sample_pdf)) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_hostile_input_is_judged_by_verify_and_refused_by_sign(
    name: str, kit: Any, judge: Any, sample_pdf: bytes, pki_dir: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _hostile(kit, sample_pdf)[name]
    assert judge(data).indication is not Indication.TOTAL_PASSED  # a verdict, never an exception
    src, out = tmp_path / f"{name}.pdf", tmp_path / "signed.pdf"
    src.write_bytes(data)
    code, stdout, stderr = _sign_cli(pki_dir, src, out, capsys, monkeypatch)
    assert code == 3, stdout + stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Not signed" in errors[0], stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == [src.name]


def test_signing_a_pdf_carrying_a_decompression_bomb_warns(
    kit: Any, pki_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    sign_as: Any, verify_at: Any,
) -> None:
    bomb = kit.page_bomb(128 << 20)  # a page whose content stream inflates (twice) to 128 MiB
    assert len(bomb) < 64 << 10
    src, out = tmp_path / "bom.pdf", tmp_path / "signed.pdf"
    src.write_bytes(bomb)
    code, stdout, stderr = _sign_cli(pki_dir, src, out, capsys, monkeypatch)
    assert code == 0, stdout + stderr
    (warning,) = [line for line in stdout.splitlines() if "decompression bomb" in line]
    assert warning.startswith("! ") and "4 0 R" in warning and "viewers" in warning
    assert out.read_bytes().startswith(b"%PDF")
    # the library says it too, and a plain document gets no such warning
    from vbsign import api

    res = api.sign(bomb, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=[pki_dir / "roots.pem"],
                   level="B-B", check_revocation=False)
    assert any("decompression bomb" in w.en for w in res.warnings)
    res = api.sign(kit.raw_pdf(kit.MINIMAL_PAGE), key=pki_dir / "person.p12", passphrase="vbsign-test",
                   trust=[pki_dir / "roots.pem"], level="B-B", check_revocation=False)
    assert not any("bomb" in w.en for w in res.warnings)
