"""``vbsign prepare`` → ``openssl dgst -sha256 -sign`` → ``vbsign complete`` → ``vbsign verify``,
against the test PKI served over HTTP on loopback (real OCSP/CRL/TSA)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vbsign import testpki
from vbsign.cli.main import main

KEYS = Path(testpki.__file__).parent / "keys"
pytestmark = [pytest.mark.integration, pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl needed")]


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as e:
        main(args)
    return int(e.value.code or 0)


@pytest.fixture
def served_dir(served_pki, tmp_path):  # type: ignore[no-untyped-def]
    from vbsign.testpki.export import write_pki

    d = tmp_path / "pki"
    write_pki(d, port=served_pki.port, passphrase="vbsign-test")
    return d, served_pki.pki.tsa_url


def _openssl(tbs: Path, key: str, out: Path) -> None:
    subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(KEYS / f"{key}.key.pem"), "-out", str(out), str(tbs)],
                   check=True)  # fmt: skip


def test_prepare_openssl_complete_verify(served_dir, sample_pdf_path, tmp_path, capsys):  # type: ignore[no-untyped-def]
    pki, tsa = served_dir
    session = tmp_path / "SESSION.json"
    common = ["--trust", str(pki / "roots.pem"), "--tsa", tsa]
    assert _run(["prepare", str(sample_pdf_path), "--cert", str(pki / "person.cert.pem"), "--chain",
                 str(pki / "chain.pem"), "--level", "b-lt", "--role", "person", "--image", _signature(tmp_path),
                 "-o", str(session), *common]) == 0  # fmt: skip
    assert json.loads(session.read_text())["tbs_sha256"] in capsys.readouterr().out
    _openssl(Path(f"{session}.tbs"), "person", tmp_path / "SIG.bin")
    out = tmp_path / "out.pdf"
    assert _run(["complete", str(session), "--signature", str(tmp_path / "SIG.bin"), "-o", str(out), *common]) == 0
    assert _run(["verify", str(out), "--trust", str(pki / "roots.pem")]) == 0
    # the wrong key: exit 3 with the reason, nothing written
    _openssl(Path(f"{session}.tbs"), "person-b", tmp_path / "BAD.bin")
    bad = tmp_path / "bad.pdf"
    assert _run(["--lang", "en", "complete", str(session), "--signature", str(tmp_path / "BAD.bin"),
                 "-o", str(bad), *common]) == 3  # fmt: skip
    assert "another key" in capsys.readouterr().err and not bad.exists()
    # a tampered session file: exit 3
    obj = json.loads(session.read_text())
    obj["level"] = "B-B"
    session.write_text(json.dumps(obj))
    assert _run(["--lang", "en", "complete", str(session), "--signature", str(tmp_path / "SIG.bin"),
                 "-o", str(bad), *common]) == 3  # fmt: skip
    assert "tampered" in capsys.readouterr().err and not bad.exists()


def _signature(tmp_path: Path) -> str:
    from vbsign.testpki.sample_images import signature_png

    p = tmp_path / "signature.png"
    p.write_bytes(signature_png())
    return str(p)
