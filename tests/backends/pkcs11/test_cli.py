"""The command line: ``vbsign token list`` and ``vbsign sign --batch`` with a token."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from cryptography.hazmat.primitives import serialization

from vbsign import testpki
from vbsign.backends import open_key
from vbsign.cli.main import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ei:
        main(argv)
    out = capsys.readouterr()
    return int(ei.value.code or 0), out.out, out.err


def test_token_list_shows_tokens_flags_certificates_and_usable_uris(
    softhsm: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["--lang", "vi", "token", "list", "--module", softhsm.module], capsys)
    assert code == 0
    assert "Thiết bị: Token Bộ KH&CN" in out
    assert "Nhãn: TRẦN NGỌC TÚ's Viettel-CA SHA2 Certificate" in out
    assert "Nguyễn Văn A" in out and "RSA-2048" in out and "ECDSA P-384" in out
    assert "Trạng thái PIN" in out
    uris = re.findall(r"URI: (pkcs11:\S+object=\S+)", out)
    assert len(uris) >= 8
    # the URI printed for the Deputy Minister opens exactly his certificate
    block = out.split("• Nguyễn Văn A")[1]
    uri = re.search(r"URI: (\S+)", block).group(1)  # type: ignore[union-attr]
    with open_key(uri) as key:
        assert key.certificate.subject.native["common_name"] == "Nguyễn Văn A"


def test_token_list_json(softhsm: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["token", "list", "--module", softhsm.module, "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    tokens = {t["label"]: t for t in data["modules"][0]["tokens"]}
    main_token = tokens["Token Bộ KH&CN"]
    labels = {c["label"]: c for c in main_token["certificates"]}
    person = labels["TRẦN NGỌC TÚ's Viettel-CA SHA2 Certificate"]
    assert person["key"] == "RSA-2048" and person["ca"] is False and person["id"] == "0102"
    assert set(main_token["pin_state"]) == {"count_low", "final_try", "locked", "to_be_changed"}


def test_token_list_without_a_module_loads_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VBSIGN_PKCS11_MODULE", raising=False)
    before = set(pkcs11._loaded)
    code, out, _ = run(["--lang", "en", "token", "list"], capsys)
    assert code == 0
    assert "never loads a driver by itself" in out and "libsofthsm2.so" in out
    assert set(pkcs11._loaded) == before


def _pdfs(tmp_path: Path, data: bytes, n: int, broken: bool = False) -> Path:
    src = tmp_path / "vao"
    src.mkdir()
    for i in range(n):
        (src / f"van-ban-{i + 1}.pdf").write_bytes(data)
    if broken:
        (src / "van-ban-hong.pdf").write_bytes(b"%PDF-1.7 this is not really a PDF")
    return src


def test_cli_batch_b_b_one_bad_file_and_pin_from_env(
    softhsm: Any, sample_pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, pki_dir: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    src = _pdfs(tmp_path, sample_pdf, 2, broken=True)
    monkeypatch.setenv("TOKEN_PIN", softhsm.pin)
    monkeypatch.setenv("VBSIGN_PKCS11_MODULE", softhsm.module)
    uri = softhsm.uri_of("person-ec").split("?")[0]  # module from the environment
    code, out, err = run(
        ["-vv", "--lang", "en", "sign", "--batch", str(src), "-o", str(tmp_path / "ra"), "--key", uri,
         "--pin-env", "TOKEN_PIN", "--level", "b-b", "--offline", "--no-revocation-check",
         "--trust", str(pki_dir / "roots.pem")],
        capsys,
    )
    assert code == 3, (out, err)
    assert "van-ban-1.pdf: signed" in out and "van-ban-2.pdf: signed" in out
    assert "van-ban-hong.pdf: FAILED, no output written" in out
    assert "Signed 2, failed 1" in err
    assert sorted(p.name for p in (tmp_path / "ra").iterdir()) == ["van-ban-1.pdf", "van-ban-2.pdf"]
    assert softhsm.pin not in out + err + caplog.text


def test_cli_wrong_pin_exits_with_the_token_state(
    softhsm: Any, sample_pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], pki_dir: Path,
) -> None:
    src = _pdfs(tmp_path, sample_pdf, 2)
    monkeypatch.setenv("TOKEN_PIN", "Wrong#0000-abc")
    code, out, err = run(
        ["--lang", "vi", "sign", "--batch", str(src), "-o", str(tmp_path / "ra"), "--key",
         softhsm.uri_of("person-ec"), "--pin-env", "TOKEN_PIN", "--level", "b-b", "--offline",
         "--no-revocation-check", "--trust", str(pki_dir / "roots.pem")],
        capsys,
    )
    assert code == 3
    assert "Sai PIN" in err and "không tự thử lại" in err
    assert "Wrong#0000-abc" not in out + err
    assert not (tmp_path / "ra").exists() or not list((tmp_path / "ra").iterdir())


@pytest.mark.integration
def test_cli_batch_b_lt_with_real_http_services(
    softhsm: Any, sample_pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], served_pki: Any,
) -> None:
    """The clerk's command: token + OCSP/CRL/TSA over HTTP on loopback, PAdES B-LT."""
    from vbsign import api
    from vbsign.model.report import Indication
    from vbsign.pki.validation import Services

    pki, port = served_pki.pki, served_pki.port  # served over HTTP on a free port
    cert = pki.cert("person")
    now = datetime.now(timezone.utc)
    if not cert.not_valid_before <= now <= cert.not_valid_after:  # pragma: no cover
        pytest.skip("test certificates are not valid at the wall-clock time")
    label = f"Token HTTP {port}"
    softhsm.init_token(label)
    key = serialization.load_der_private_key(pki.private_key("person").dump(), None)
    softhsm.import_key(label, f"http-{port}", key, cert, label="Nguyễn Văn A", ident=b"\x01")
    softhsm.write_ca(label, ["gov-ca"], pki)
    roots = tmp_path / "roots.pem"
    roots.write_bytes(testpki.pem_bundle(pki.roots))
    src = _pdfs(tmp_path, sample_pdf, 3)
    monkeypatch.setenv("TOKEN_PIN", softhsm.pin)
    code, out, err = run(
        ["--lang", "vi", "sign", "--batch", str(src), "-o", str(tmp_path / "ra"), "--key",
         softhsm.uri(label, object="Nguyễn Văn A"), "--pin-env", "TOKEN_PIN", "--tsa", pki.tsa_url,
         "--trust", str(roots), "--timeout", "5"],
        capsys,
    )
    assert code == 0, (out, err)
    assert out.count("đã ký →") == 3 and "Đã ký 3, lỗi 0" in out
    for pdf in sorted((tmp_path / "ra").iterdir()):
        report = api.verify(pdf, trust=pki.roots, services=Services(online=False))
        assert report.indication == Indication.TOTAL_PASSED, report.summary("en")
