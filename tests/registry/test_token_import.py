"""Importing the certificates stored on a real PKCS#11 token (SoftHSM2), no PIN needed.

Runs the CLI in a fresh process with its own ``SOFTHSM2_CONF``, so the token library is
initialised with this test's token directory whatever other tests loaded before.
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

MODULE = "/usr/lib/softhsm/libsofthsm2.so"

pytestmark = pytest.mark.skipif(
    not (shutil.which("softhsm2-util") and shutil.which("pkcs11-tool") and Path(MODULE).exists()),
    reason="SoftHSM2 / OpenSC not installed",
)


def _token(tmp_path: Path, pki: Any, labels: list[str]) -> dict[str, str]:
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "VBSIGN REG", "--pin", "123456", "--so-pin", "12345678"],
        env=env, check=True, capture_output=True,
    )
    for i, label in enumerate(labels, 1):
        der = tmp_path / f"{label}.der"
        der.write_bytes(pki.cert(label).dump())
        subprocess.run(
            ["pkcs11-tool", "--module", MODULE, "--token-label", "VBSIGN REG", "--login", "--pin", "123456",
             "--write-object", str(der), "--type", "cert", "--label", label, "--id", f"{i:02x}"],
            env=env, check=True, capture_output=True,
        )
    return env


@pytest.mark.slow
def test_import_from_a_softhsm_token(tmp_path: Path, pki: Any, sqlite_url: str) -> None:
    from vbsign.registry import Registry

    with Registry.open(sqlite_url) as reg:
        reg.add_unit("BO", "Bộ Khoa học và Công nghệ")
        reg.add_unit("CDS", "Cục Chuyển đổi số quốc gia", parent="BO")
        reg.add_subscriber("Cục Chuyển đổi số quốc gia", "CDS", kind="organisation")
    env = _token(tmp_path, pki, ["agency", "gov-ca"])
    env.pop("VBSIGN_REGISTRY_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "vbsign.cli.main", "registry", "--db", sqlite_url, "cert", "import", "--token-module",
         MODULE, "--json"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    items = json.loads(run.stdout)
    assert sorted(i["subject_cn"] for i in items) == ["CA phục vụ các cơ quan Nhà nước G2 (TEST)", "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"]
    with Registry.open(sqlite_url) as reg:
        (seal,) = reg.list_certificates()
        assert seal.subscriber_name == "Cục Chuyển đổi số quốc gia" and seal.token_serial
        (token,) = reg.list_tokens()
        assert token.serial == seal.token_serial and token.owner_name == "Cục Chuyển đổi số quốc gia"
    # a second import of the same token only finds duplicates
    again = subprocess.run(
        [sys.executable, "-m", "vbsign.cli.main", "registry", "--db", sqlite_url, "cert", "import", "--token-module",
         MODULE, "--token", "VBSIGN REG", "--json"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert {i["outcome"] for i in json.loads(again.stdout)} == {"duplicate"}
