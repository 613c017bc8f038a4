"""The command line: exit codes, languages, JSON, demo, fast --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._fixtures.cli import Invocation, invoke

VB = [sys.executable, "-m", "vbsign.cli.main"]


def run(*args: str, lang: str | None = None, env: dict[str, str] | None = None) -> Invocation:
    """``vbsign ARGS`` in-process (click's runner)."""
    return invoke(list(args), env={"COLUMNS": "200", **(env or {}), "VBSIGN_LANG": lang})


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``vbsign ARGS`` as a real command (the end-to-end demo)."""
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("VBSIGN_LANG", None)
    return subprocess.run([*VB, *args], capture_output=True, text=True, env=env, timeout=120)


def test_help_is_fast_and_lazy():
    code = (
        "import sys, time; t=time.perf_counter(); sys.argv=['vbsign','--help'];"
        "from vbsign.cli.main import main\n"
        "try:\n main()\nexcept SystemExit: pass\n"
        "print('PYHANKO' if 'pyhanko' in sys.modules else 'LAZY', time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "LAZY" in out, out
    assert "Lệnh" in out and "verify" in out


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("demo")
    t = time.monotonic()
    proc = run_process("demo", "--out", str(d))  # end to end: the command as a user runs it
    elapsed = time.monotonic() - t
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert elapsed < 60  # the 15 s target is measured on the demo itself, not asserted here
    return d


def test_demo_outputs(demo_dir):
    for name in ("input.pdf", "signed.pdf", "report.json", "pki/roots.pem", "pki/chain.pem", "pki/person.p12",
                 "pki/agency.p12", "pki/README.txt"):
        assert (demo_dir / name).is_file(), name
    report = json.loads((demo_dir / "report.json").read_text("utf-8"))
    assert report["indication"] == "TOTAL-PASSED"
    assert [s["signer"]["subject_fields"]["common_name"] for s in report["signatures"]] == [
        "Nguyễn Văn A",
        "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA",
    ]
    assert all(s["level"] == "B-LT" for s in report["signatures"])


def test_verify_demo_offline_exits_0(demo_dir):
    proc = run("verify", str(demo_dir / "signed.pdf"), "--trust", str(demo_dir / "pki" / "roots.pem"), "--offline")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "HỢP LỆ" in proc.stdout and "Nguyễn Văn A" in proc.stdout


def test_verify_english_and_json(demo_dir):
    proc = run("--lang", "en", "verify", str(demo_dir / "signed.pdf"), "--trust", str(demo_dir / "pki" / "roots.pem"))
    assert proc.returncode == 0 and "VALID" in proc.stdout and "Signer" in proc.stdout
    proc = run("verify", "--json", str(demo_dir / "signed.pdf"), "--trust", str(demo_dir / "pki" / "roots.pem"))
    data = json.loads(proc.stdout)
    assert isinstance(data, list) and data[0]["indication"] == "TOTAL-PASSED"


def test_verify_exit_codes(demo_dir, tmp_path):
    signed = (demo_dir / "signed.pdf").read_bytes()
    roots = str(demo_dir / "pki" / "roots.pem")
    broken = tmp_path / "broken.pdf"
    b = bytearray(signed)
    b[200] ^= 0xFF
    broken.write_bytes(bytes(b))
    assert run("verify", str(broken), "--trust", roots).returncode == 1
    # untrusted (no anchors given, empty default store) → indeterminate
    env_dir = tmp_path / "no-trust"
    proc = run("verify", str(demo_dir / "signed.pdf"), env={"VBSIGN_TRUST_DIR": str(env_dir)})
    assert proc.returncode == 2, proc.stdout
    assert run("verify", str(tmp_path / "missing.pdf"), "--trust", roots).returncode == 3
    notpdf = tmp_path / "x.txt"
    notpdf.write_text("hello")
    proc = run("verify", str(notpdf), "--trust", roots)
    assert proc.returncode == 3 and "x.txt" in proc.stderr
    # any invalid among several files → 1
    assert run("verify", str(demo_dir / "signed.pdf"), str(broken), "--trust", roots).returncode == 1


def test_sign_cli_roundtrip_and_errors(demo_dir, tmp_path, dead_port):
    from vbsign.testpki.export import write_pki

    # certificates whose OCSP/CRL URLs name a port this test holds closed: the demo's default
    # port 8750 may be served by another program (or another developer's tests)
    pki = tmp_path / "pki"
    write_pki(pki, port=dead_port, passphrase="vbsign-test")
    out = tmp_path / "out.pdf"
    env = {"PASS": "vbsign-test"}
    # the test PKI's services are not reachable: refuse (revocation unavailable), write nothing
    proc = run("sign", str(demo_dir / "input.pdf"), "-o", str(out), "--key", str(pki / "person.p12"),
               "--passphrase-env", "PASS", "--trust", str(pki / "roots.pem"), "--level", "b-b",
               "--timeout", "2", env=env)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "REVOCATION_UNAVAILABLE" in proc.stderr
    assert not out.exists()
    # explicit, loud escape hatch
    proc = run("sign", str(demo_dir / "input.pdf"), "-o", str(out), "--key", str(pki / "person.p12"),
               "--passphrase-env", "PASS", "--trust", str(pki / "roots.pem"), "--level", "b-b",
               "--no-revocation-check", "--offline", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CẢNH BÁO" in proc.stderr and "Ký số thành công" in proc.stdout
    assert out.read_bytes().startswith(b"%PDF")
    # wrong passphrase: a clear message, the passphrase itself never printed
    env["PASS"] = "sai-roi-123"
    proc = run("sign", str(demo_dir / "input.pdf"), "-o", str(tmp_path / "o2.pdf"), "--key",
               str(pki / "person.p12"), "--passphrase-env", "PASS", "--trust", str(pki / "roots.pem"), env=env)
    assert proc.returncode == 3
    assert "sai mật khẩu" in proc.stderr and "sai-roi-123" not in proc.stderr + proc.stdout


def test_demo_validates_against_the_test_policy(demo_dir):
    """`testpki init` writes policy-test.toml so that documents signed on the test PKI can be
    validated (test roots are never recognised as official by fingerprint)."""
    pki = demo_dir / "pki"
    proc = run("validate", str(demo_dir / "signed.pdf"), "--policy", str(pki / "policy-test.toml"),
               "--trust", str(pki / "roots.pem"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ĐẠT" in proc.stdout
    # without it, the same document is not compliant with the official-use profile
    proc = run("validate", str(demo_dir / "signed.pdf"), "--policy", "cdcv", "--trust", str(pki / "roots.pem"))
    assert proc.returncode != 0


def test_usage_errors_are_vietnamese_by_default_and_english_on_request():
    proc = run("sign", "x.pdf")
    assert proc.returncode == 3
    assert "Thiếu tùy chọn bắt buộc '--key'" in proc.stderr and "Cách dùng" in proc.stderr
    proc = run("verify", "--at", "sometimes", "x.pdf")
    assert proc.returncode == 3 and "không phải là một trong" in proc.stderr
    proc = run("--lang", "en", "sign", "x.pdf")
    assert proc.returncode == 3 and "Missing option '--key'" in proc.stderr
    assert "Traceback" not in proc.stderr
