"""Issue 14 item 7: nothing but vbsign's own messages reaches the user; ``--lang`` anywhere.

* no ``CryptographyDeprecationWarning`` (DSA) on stderr of any command (the warning came
  with the first import of pyHanko, so every command that signs or verifies printed it);
* ``registry cert check-revocation`` closes its HTTP sessions (no "Unclosed client session");
* ``--lang`` is accepted after the subcommand too, by every command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest

from tests.cli.helpers import run_vbsign_process, sign_args

NOISE = ("Warning", "DSA", "Unclosed", "Traceback")


def _clean(stderr: str) -> bool:
    return not any(word in stderr for word in NOISE)


@pytest.mark.slow
def test_signing_prints_no_library_warning(tmp_path: Path, pki_dir: Path, sample_pdf_path: Path) -> None:
    """One process per check: the warning came once per process, at the first pyHanko import
    (every command that signs or verifies)."""
    out = tmp_path / "signed.pdf"
    signed = run_vbsign_process("sign", str(sample_pdf_path), "-o", str(out), *sign_args(pki_dir))
    assert signed.returncode == 0 and out.exists(), signed.stderr
    assert _clean(signed.stderr), signed.stderr


@pytest.mark.slow
def test_check_revocation_closes_its_http_sessions(
    tmp_path: Path, served_pki: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from vbsign import testpki
    from vbsign.cli.main import main

    pki = served_pki.pki
    certs = tmp_path / "certs"
    certs.mkdir()
    for label in ("gov-root", "gov-ca", "person", "revoked"):
        (certs / f"{label}.pem").write_bytes(testpki.pem_bundle([pki.cert(label)]))
    roots = tmp_path / "roots.pem"
    roots.write_bytes(testpki.pem_bundle(pki.roots))
    db = ["registry", "--db", f"sqlite:///{tmp_path / 'reg.sqlite3'}"]
    for args in (["init"], ["cert", "import", str(certs)]):  # set up in this process (faster)
        try:
            code = main([*db, *args])
        except SystemExit as e:
            code = e.code
        assert code in (0, None), capsys.readouterr().err
    # the check itself in its own process: "Unclosed client session" is printed at its exit
    checked = run_vbsign_process(*db, "cert", "check-revocation", "--trust", str(roots), "--timeout", "5", lang="en")
    assert checked.returncode == 1, checked.stdout + checked.stderr  # one certificate is revoked
    assert "REVOKED" in checked.stdout and "good" in checked.stdout
    assert _clean(checked.stderr), checked.stderr


def _commands(group: click.Group, ctx: click.Context, path: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        out.append([*path, name])
        if isinstance(cmd, click.Group):
            out += _commands(cmd, click.Context(cmd, info_name=name, parent=ctx), [*path, name])
    return out


def test_lang_is_accepted_after_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    from vbsign.cli.main import cli, main

    commands = _commands(cli, click.Context(cli, info_name="vbsign"), [])
    assert len(commands) > 50 and ["registry", "audit", "verify"] in commands
    for path in commands:
        try:
            code = main([*path, "--lang", "en", "--help"])
        except SystemExit as e:
            code = e.code
        out, err = capsys.readouterr()
        assert code == 0, (path, err)
        assert "No such option" not in err and "Không có tùy chọn" not in err


def test_verify_with_lang_after_the_subcommand_speaks_english(
    capsys: pytest.CaptureFixture[str], pki_dir: Path, sign_as: Any, sample_pdf: bytes, tmp_path: Path
) -> None:
    from vbsign.cli.main import main

    f = tmp_path / "f.pdf"
    f.write_bytes(sign_as("person", sample_pdf))
    with pytest.raises(SystemExit) as ei:
        main(["verify", "--lang", "en", str(f), "--offline", "--trust", str(pki_dir / "roots.pem")])
    out, err = capsys.readouterr()
    assert ei.value.code == 0, err
    assert "Verdict:" in out and "Kết luận" not in out
    # and the language does not stick to the next command of the same process
    with pytest.raises(SystemExit):
        main(["verify", str(f), "--offline", "--trust", str(pki_dir / "roots.pem")])
    assert "Kết luận" in capsys.readouterr().out
