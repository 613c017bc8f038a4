"""S/MIME with keys on a SoftHSM2 token (real PKCS#11 module): signing and decryption.

The token work happens in a subprocess (see softhsm_helper.py) so that its private
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

from tests._fixtures.smime import ATTACHMENT_NAME, BODY, SUBJECT, codes
from vbsign.mail import parse_message
from vbsign.model.report import Indication

pytest.importorskip("pkcs11")
if not (shutil.which("softhsm2-util") and Path("/usr/lib/softhsm/libsofthsm2.so").exists()):  # pragma: no cover
    pytest.skip("SoftHSM2 is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def token_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("mail-softhsm-out")
    work = tmp_path_factory.mktemp("mail-softhsm-work")
    env = {k: v for k, v in os.environ.items() if k != "SOFTHSM2_CONF"}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("softhsm_helper.py")), str(out), str(work)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "mail-2468" not in proc.stdout + proc.stderr  # the PIN never leaks
    return out, json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["mail-person-clear", "mail-person-opaque", "mail-person-pss", "mail-ec-clear", "mail-ec-opaque"])
def test_token_signed_messages_verify(token_run: tuple[Path, dict[str, Any]], verify_mail: Any, name: str) -> None:
    out, info = token_run
    assert info["key_type"] == "Pkcs11Key"
    assert info["logins"] == {"mail-person": 1, "mail-ec": 1}  # one login per key for all its messages
    checked = verify_mail((out / f"{name}.eml").read_bytes())
    rep = checked.report
    assert rep.indication is Indication.TOTAL_PASSED, codes(rep)
    expected = {"mail-person": "Nguyễn Thị Thư", "mail-ec": "Hoàng Thị Điệp"}[name.rsplit("-", 1)[0]]
    assert rep.signatures[0].signer.common_name == expected
    if name.endswith("pss"):
        assert rep.signatures[0].integrity.signature_algorithm == "rsassa_pss"
    msg = parse_message(checked.content)
    assert str(msg["Subject"]) == SUBJECT
    assert [p.get_filename() for p in msg.walk() if p.get_filename()] == [ATTACHMENT_NAME]


@pytest.mark.parametrize("cipher", ["aes256-gcm", "aes256-cbc"])
def test_token_key_decrypts(token_run: tuple[Path, dict[str, Any]], cipher: str) -> None:
    out, info = token_run
    assert info[f"cipher-{cipher}"] == [cipher.replace("-", "_"), "rsaes_oaep"]
    msg = parse_message((out / f"decrypted-{cipher}.eml").read_bytes())
    assert str(msg["Subject"]) == SUBJECT
    body = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    assert body.get_content().replace("\r\n", "\n") == BODY
