"""``vbsign mail``: sign, verify, encrypt, decrypt from the command line (real HTTP services)."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests._fixtures.smime import SUBJECT, vietnamese_message
from vbsign import testpki
from vbsign.cli.main import main
from vbsign.mail import parse_message


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(argv)
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_help_is_bilingual(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--lang", "vi", "mail", "--help"], capsys)
    assert code == 0 and "Lệnh" in out and "Ký số thư IN" in out
    code, out, _ = run(["--lang", "en", "mail", "--help"], capsys)
    assert code == 0 and "Commands" in out and "Sign the message IN" in out
    code, out, _ = run(["--help"], capsys)
    assert "mail" in out


@pytest.mark.slow
@pytest.mark.integration
def test_mail_commands_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    pki = testpki.load(port=port)
    if not pki.cert("mail-person").not_valid_before <= datetime.now(timezone.utc) <= pki.cert("mail-person").not_valid_after:
        pytest.skip("test certificates are not valid at the wall-clock time")  # pragma: no cover
    from vbsign.testpki.export import write_pki
    from vbsign.testpki.server import ServerThread

    d = tmp_path / "pki"
    write_pki(d, port=port, passphrase="vbsign-test")
    monkeypatch.setenv("P12_PASS", "vbsign-test")
    trust = ["--trust", str(d / "roots.pem")]
    src = tmp_path / "thư đi.eml"
    src.write_bytes(vietnamese_message().as_bytes())
    key = ["--key", str(d / "mail-person.p12"), "--passphrase-env", "P12_PASS"]
    with ServerThread(pki, port):
        code, out, err = run(["--lang", "en", "mail", "sign", str(src), *key, *trust, "--timeout", "5"], capsys)
        assert code == 0, out + err
        signed = tmp_path / "thư đi.signed.eml"
        assert "Message signed" in out and "multipart/signed" in out and signed.exists()
        code, out, err = run(["mail", "sign", str(src), *key, *trust, "--opaque", "-o", str(tmp_path / "opaque.eml")], capsys)
        assert code == 0 and "signed-data" in out, out + err
        code, out, err = run(["mail", "verify", str(signed), str(tmp_path / "opaque.eml"), *trust], capsys)
        assert code == 0 and out.count("Kết luận: HỢP LỆ (TOTAL-PASSED)") == 2 and SUBJECT in out, out + err
        code, out, err = run(["mail", "verify", "--json", str(signed), *trust], capsys)
        rep = json.loads(out)[0]
        assert code == 0 and rep["indication"] == "TOTAL-PASSED" and rep["document"]["format"] == "mail"
        assert rep["mail"]["subject"] == SUBJECT and len(rep["attachments"]) == 2
        # encrypt the signed message for the recipient, decrypt it, verify what is inside
        enc = tmp_path / "enc.eml"
        code, out, err = run(["--lang", "en", "mail", "encrypt", str(signed), "-o", str(enc), "--to-cert",
                              str(d / "mail-person-b.cert.pem"), "--chain", str(d / "chain.pem"), *trust], capsys)
        assert code == 0 and "Phan Văn Nhận" in out and "aes256-gcm" in out, out + err
        rkey = ["--key", str(d / "mail-person-b.p12"), "--passphrase-env", "P12_PASS"]
        dec = tmp_path / "dec.eml"
        code, out, err = run(["--lang", "en", "mail", "decrypt", str(enc), "-o", str(dec), *rkey], capsys)
        assert code == 0 and "is signed" in out, out + err
        assert str(parse_message(dec.read_bytes())["Subject"]) == SUBJECT
        shown = tmp_path / "shown.eml"
        code, out, err = run(["mail", "verify", str(enc), *trust, *rkey, "--extract", str(shown)], capsys)
        assert code == 0 and "authEnveloped-data → multipart/signed" in out, out + err
        assert str(parse_message(shown.read_bytes())["Subject"]) == SUBJECT
        # a certificate without the e-mail purpose is refused (policy MAIL-01 at FAIL): exit 3
        code, out, err = run(["--lang", "en", "mail", "sign", str(src), "--key", str(d / "mail-noeku.p12"),
                              "--passphrase-env", "P12_PASS", *trust], capsys)
        assert code == 3 and "MAIL-01" in err and "emailProtection" in err
    # tampered: exit 1, offline verification of a message whose signature is broken
    bad = tmp_path / "bad.eml"
    bad.write_bytes(signed.read_bytes().replace(b"Tr=C3=A2n", b"Th=C3=A2n", 1))
    code, out, err = run(["--lang", "en", "mail", "verify", str(bad), *trust, "--offline"], capsys)
    assert code == 1 and "HASH_FAILURE" in out and "MAIL_CONTENT_CHANGED" in out
    assert "vbsign-test" not in out + err  # the passphrase never shows
