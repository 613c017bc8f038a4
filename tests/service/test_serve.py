"""``vbsign serve`` for real: the command on a free port, curl's multipart upload, the same
verdict as ``vbsign verify --json``; the portal and ``/openapi.json`` over the socket."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tests.service.conftest import LiveServer
from vbsign.cli.serve import serve_cmd
from vbsign.cli.verify import verify_cmd
from vbsign.service.security import digest


@pytest.fixture(scope="module")
def served(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``vbsign serve --port 0 --workers 2 --trust roots.pem --offline`` in its own process
    (two uvicorn worker processes on one socket, each writing the access log): its URL."""
    log = tmp_path_factory.mktemp("serve") / "access.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vbsign.cli.main", "serve", "--port", "0", "--workers", "2", "--trust", str(demo / "pki" / "roots.pem"),
         "--offline", "--access-log", str(log)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )
    assert proc.stderr is not None
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        m = re.search(r"vbsign serve: (http://127\.0\.0\.1:\d+)/", line)
        url = m.group(1) if m else None
    try:
        assert url, "vbsign serve did not start"
        for _ in range(200):  # the socket is bound before the line; the app starts right after
            try:
                httpx.get(url + "/api/v1/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, -signal.SIGTERM)
    entries = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert any(e["path"] == "/api/v1/verify" and e["verdict"] == "TOTAL-PASSED" for e in entries)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl missing")
def test_curl_verify_gives_the_clis_verdict(served: str, demo: Path) -> None:
    proc = subprocess.run(
        ["curl", "-sS", "--max-time", "60", "-F", f"file=@{demo / 'signed.pdf'}", f"{served}/api/v1/verify"],
        capture_output=True, text=True, check=True,
    )
    answer = json.loads(proc.stdout)
    cli_run = CliRunner().invoke(verify_cmd, [ str(demo / "signed.pdf"), "--trust", str(demo / "pki" / "roots.pem"), "--offline", "--json"])
    (expected,) = json.loads(cli_run.output)  # one file: a list of one report
    assert answer["indication"] == expected["indication"] == "TOTAL-PASSED"
    assert [s["indication"] for s in answer["signatures"]] == [s["indication"] for s in expected["signatures"]]
    assert [s["signer"]["subject_fields"]["common_name"] for s in answer["signatures"]] == [
        s["signer"]["subject_fields"]["common_name"] for s in expected["signatures"]
    ]


def test_portal_and_openapi_over_the_socket(served: str) -> None:
    page = httpx.get(served + "/", timeout=10)
    assert page.status_code == 200 and '<html lang="vi">' in page.text and "Kiểm tra chữ ký số" in page.text
    spec = httpx.get(served + "/openapi.json", timeout=10).json()
    assert spec["info"]["title"] == "vbsign" and "/api/v1/verify" in spec["paths"]
    assert httpx.get(served + "/api/v1/health", timeout=10).json()["status"] == "ok"


def test_live_server_in_thread(live: LiveServer, signed: bytes) -> None:
    """The test fixture other tests use (the portal in Chromium): uvicorn on port 0."""
    response = httpx.post(live.url + "/api/v1/verify", files={"file": ("signed.pdf", signed)}, timeout=60)
    assert response.status_code == 200 and response.json()["indication"] == "TOTAL-PASSED"


def test_new_key_prints_a_key_and_its_line() -> None:
    result = CliRunner().invoke(serve_cmd, ["--new-key", "dms-so-noi-vu"])
    assert result.exit_code == 0, result.output
    key = re.search(r"(vbs_[A-Za-z0-9_-]+)", result.output)
    assert key is not None
    assert f"dms-so-noi-vu:{digest(key.group(1))}" in result.output
    bad = CliRunner().invoke(serve_cmd, ["--new-key", "tên có dấu"])
    assert bad.exit_code != 0
