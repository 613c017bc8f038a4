"""The ``csc:`` remote-signing backend against the test PKI's CSC API v2 service, over real
HTTP on a free loopback port (``vbsign testpki serve`` serves the same application)."""

from __future__ import annotations

import base64
import json
import logging
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from vbsign import api
from vbsign.api.batch import FileStatus
from vbsign.cli.main import main
from vbsign.errors import KeyAccessError, ServiceError
from vbsign.model.report import Indication

pytestmark = pytest.mark.integration
PIN = "vbsign-test"


@pytest.fixture(scope="module")
def served(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The test PKI + CSC service on a free loopback port, and its ``testpki init`` directory."""
    from vbsign.testpki.export import write_pki
    from vbsign.testpki.server import ServerThread

    with ServerThread.on_free_port() as server:
        d = tmp_path_factory.mktemp("csc-pki")
        write_pki(d, port=server.port, passphrase=PIN)
        yield server, d


@pytest.fixture
def csc(served, monkeypatch):  # type: ignore[no-untyped-def]
    """(server, service URL, pki directory), the service reset; VBSIGN_CSC_TOKEN is the
    README's ``CSC token:`` line (the test contract)."""
    server, d = served
    server.csc.reset()
    token = re.search(r"^CSC token: (\S+)$", (d / "README.txt").read_text("utf-8"), re.M)
    assert token is not None and token.group(1) == server.csc.token
    monkeypatch.setenv("VBSIGN_CSC_TOKEN", token.group(1))
    return server, f"http://localhost:{server.port}/csc/v2", d


def _signer(server: Any, url: str, **opts: Any) -> api.Signer:
    return api.Signer(
        "csc:" + str(opts.pop("credential", "person")), key_options={"csc_url": url, "pin": opts.pop("pin", PIN),
        "timeout": 10}, trust=server.pki.roots, tsa=server.pki.tsa_url, level=opts.pop("level", "B-B"),
    )  # fmt: skip


def _run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as e:
        main(args)
    return int(e.value.code or 0)


def test_cli_sign_with_csc_key(csc, sample_pdf_path, tmp_path, monkeypatch, capsys, caplog):  # type: ignore[no-untyped-def]
    server, url, d = csc
    monkeypatch.setenv("PIN", PIN)
    out = tmp_path / "out.pdf"
    with caplog.at_level(logging.DEBUG):
        assert _run(["sign", str(sample_pdf_path), "-o", str(out), "--key", "csc:person", "--csc-url", url,
                     "--pin-env", "PIN", "--trust", str(d / "roots.pem"), "--tsa", server.pki.tsa_url]) == 0  # fmt: skip
    assert _run(["verify", str(out), "--trust", str(d / "roots.pem")]) == 0
    seen = capsys.readouterr()
    everything = seen.out + seen.err + caplog.text
    assert server.csc.token not in everything  # the bearer token is never logged or shown
    assert server.csc.calls["credentials/authorize"] == 1


def test_batch_of_50_with_one_authorisation(csc, sample_pdf, tmp_path):  # type: ignore[no-untyped-def]
    server, url, _ = csc
    src = tmp_path / "in"
    src.mkdir()
    for i in range(50):
        (src / f"vb{i:02}.pdf").write_bytes(sample_pdf)
    with _signer(server, url) as signer:
        result = signer.sign_many(src, tmp_path / "out")
    assert len(result.files) == 50 and all(f.status is FileStatus.SIGNED for f in result.files)
    assert server.csc.calls["credentials/authorize"] == 1
    assert server.csc.calls["signatures/signHash"] == 50
    report = api.verify(tmp_path / "out" / "vb49.pdf", trust=server.pki.roots)
    assert report.signatures[0].indication is not Indication.TOTAL_FAILED


def test_wrong_pin_is_never_retried(csc, sample_pdf, tmp_path):  # type: ignore[no-untyped-def]
    server, url, _ = csc
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"d{i}.pdf").write_bytes(sample_pdf)
    with _signer(server, url, pin="000000") as signer:
        result = signer.sign_many(src, tmp_path / "out")
    assert server.csc.calls["credentials/authorize"] == 1
    assert result.stopped_by is not None and "Wrong PIN" in result.stopped_by.msg.en
    assert "000000" not in str(result.stopped_by)
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_expired_token_is_refused_clearly(csc, monkeypatch):  # type: ignore[no-untyped-def]
    server, url, _ = csc
    stale = server.csc.issue_token(0)
    monkeypatch.setenv("VBSIGN_CSC_TOKEN", stale)
    with pytest.raises(KeyAccessError) as e:
        _signer(server, url)
    assert "access token" in e.value.msg.en and stale not in str(e.value)


def test_sad_expiry_means_a_new_authorisation(csc, sample_pdf):  # type: ignore[no-untyped-def]
    server, url, _ = csc
    server.csc.sad_seconds = 1  # shorter than the client's 5 s safety margin: never reused
    asked: list[str] = []
    pin_callback = lambda credential: asked.append(credential) or PIN  # noqa: E731 - the host's PIN dialog
    with api.Signer("csc:person", key_options={"csc_url": url, "pin_callback": pin_callback},
                    trust=server.pki.roots, level="B-B") as signer:  # fmt: skip
        signer.key.expect_signatures(2)
        signer.sign(sample_pdf)
        signer.sign(sample_pdf)
    assert server.csc.calls["credentials/authorize"] == 2
    assert asked == ["person"]  # the PIN dialog is shown once


def test_service_refuses_a_reused_sad(csc):  # type: ignore[no-untyped-def]
    """The service side of the contract, spoken directly over HTTP."""
    server, url, _ = csc

    def post(method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        req = urllib.request.Request(f"{url}/{method}", json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {server.csc.token}",
                                              "Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    status, auth = post("credentials/authorize", {"credentialID": "agency", "numSignatures": 1, "PIN": PIN})
    assert status == 200
    one = base64.b64encode(bytes(32)).decode()
    sign = {"credentialID": "agency", "SAD": auth["SAD"], "hashes": [one], "hashAlgo": "2.16.840.1.101.3.4.2.1",
            "signAlgo": "1.2.840.113549.1.1.11"}  # fmt: skip
    assert post("signatures/signHash", sign)[0] == 200
    status, err = post("signatures/signHash", sign)
    assert status == 400 and "SAD" in err["error_description"]
    status, err = post("credentials/authorize", {"credentialID": "agency", "numSignatures": 1, "PIN": "bad"})
    assert status == 400 and err["error"] == "invalid_pin"


def test_service_down_mid_batch_leaves_no_partial_output(csc, sample_pdf, tmp_path):  # type: ignore[no-untyped-def]
    server, url, _ = csc
    src = tmp_path / "in"
    src.mkdir()
    for i in range(6):
        (src / f"d{i}.pdf").write_bytes(sample_pdf)
    server.csc.down_after = 2
    with _signer(server, url) as signer:
        result = signer.sign_many(src, tmp_path / "out")
    signed = [f for f in result.files if f.status is FileStatus.SIGNED]
    assert len(signed) == 2
    failed = [f for f in result.files if f.status is FileStatus.FAILED]
    assert failed and isinstance(failed[0].error, ServiceError)
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(Path(f.job.output).name for f in signed)  # nothing half-written
