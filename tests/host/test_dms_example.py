"""The reference DMS (examples/host_dms) end to end, over real HTTP on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORY = ROOT / "examples" / "host_dms" / "run_story.py"


@pytest.mark.slow
@pytest.mark.integration
def test_reference_dms_story(tmp_path: Path) -> None:
    root = tmp_path / "dms"
    done = subprocess.run([sys.executable, str(STORY), "--root", str(root), "--json"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    decisions = json.loads(done.stdout[done.stdout.index("{"):done.stdout.rindex("}") + 1])
    assert decisions == {
        "12-QĐ-BKHCN": "ACCEPT",
        "13-QĐ-BKHCN": "RETURN_TO_SENDER",
        "14-CV-BKHCN": "RETURN_TO_SENDER",
        "5-SKHCN-VP": "ACCEPT",
    }
    a, b = root / "bo-khcn", root / "so-khcn-hn"
    # accepted: the file as sent, its evidence with a receipt timestamp
    registered = b / "registered"
    assert (registered / "12-QĐ-BKHCN.pdf").read_bytes() == (a / "sent" / "12-QĐ-BKHCN.pdf").read_bytes()
    manifest = json.loads((registered / "evidence" / "12-QĐ-BKHCN" / "manifest.json").read_text("utf-8"))
    assert manifest["decision"] == "ACCEPT" and manifest["receipt_timestamp"]["hash_algorithm"] == "sha256"
    assert any(f.startswith("revocation/") for f in manifest["files"])
    appendix = json.loads(
        (registered / "evidence" / "12-QĐ-BKHCN.phu-luc-12" / "manifest.json").read_text("utf-8"))
    assert appendix["decision"] == "ACCEPT"
    # returned with the reasons, and the sender notified
    reasons = (b / "returned" / "13-QĐ-BKHCN.reasons.txt").read_text("utf-8")
    assert "Điều 21 khoản 2" in reasons and "giá trị băm" in reasons
    wrong = json.loads((a / "notices" / "14-CV-BKHCN.returned.json").read_text("utf-8"))
    assert any("sai nơi nhận" in r for r in wrong["reasons_vi"]) and "host-dms" in " ".join(wrong["reasons_vi"])
    # the DMS's own plugin received vbsign's audit events for the whole story
    journal = [json.loads(line) for line in (root / "journal.jsonl").read_text("utf-8").splitlines()]
    kinds = {e["kind"] for e in journal}
    assert kinds == {"sign", "verify", "send", "receive"}
    assert sum(1 for e in journal if e["kind"] == "receive") == 5  # 4 main files + 1 appendix
