"""XAdES and CAdES B-B/B-T/B-LT with keys on a SoftHSM2 token (real PKCS#11 module).

The signing happens in a subprocess (see softhsm_helper.py) so that its private
SOFTHSM2_CONF never meets the tokens of tests/backends/pkcs11 in the same worker process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vbsign.model.report import Indication

pytest.importorskip("pkcs11")
if not (shutil.which("softhsm2-util") and Path("/usr/lib/softhsm/libsofthsm2.so").exists()):  # pragma: no cover
    pytest.skip("SoftHSM2 is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def token_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("softhsm-out")
    work = tmp_path_factory.mktemp("softhsm-work")
    env = {k: v for k, v in os.environ.items() if k != "SOFTHSM2_CONF"}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("softhsm_helper.py")), str(out), str(work)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "xmlcms-1234" not in proc.stdout + proc.stderr  # the PIN never leaks
    return out, json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("label", ["person", "person-ec"])
@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT"])
def test_token_signatures_verify(token_signed: tuple[Path, dict[str, Any]], verify_at: Any, label: str, level: str) -> None:
    out, info = token_signed
    assert info["key_type"] == "Pkcs11Key"
    assert info["logins"] == {"person": 1, "person-ec": 1}  # one login for six signatures
    docx = (out / "DOCX").read_bytes()
    for name, content in ((f"{label}-xades-{level}.xml", None), (f"{label}-cades-{level}.p7s", docx)):
        report = verify_at((out / name).read_bytes(), fetch=level != "B-LT", content=content)
        sig = report.signatures[0]
        assert report.indication is Indication.TOTAL_PASSED, (name, [f.code for f in sig.findings])
        assert sig.level == level
        assert sig.signer.sha256_fingerprint  # the token's certificate
        expected_cn = "Nguyễn Văn A" if label == "person" else sig.signer.common_name
        assert sig.signer.common_name == expected_cn
