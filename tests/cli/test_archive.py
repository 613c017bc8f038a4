"""``vbsign extend`` and ``vbsign archive scan/renew`` (issue 18) through click, against the
test PKI served over HTTP on loopback (OCSP, CRL, TSA)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import PASSPHRASE
from vbsign import testpki
from vbsign.errors import SigningError


@pytest.fixture
def setup(served_pki: Any, tmp_path: Path, sample_pdf: bytes) -> dict[str, Any]:
    """A B-B document signed online against the served PKI, and its trust anchors."""
    import vbsign
    from vbsign.pki.validation import Services

    pki = served_pki.pki
    roots = tmp_path / "roots.pem"
    roots.write_bytes(testpki.pem_bundle(pki.roots))
    key = tmp_path / "person.p12"
    key.write_bytes(pki.pkcs12("person", PASSPHRASE))
    archive = tmp_path / "archive"
    archive.mkdir()
    signed = vbsign.sign(sample_pdf, key=key, passphrase=PASSPHRASE, trust=pki.roots, level="B-B",
                         services=Services(timeout=5)).data  # fmt: skip
    (archive / "bb.pdf").write_bytes(signed)
    return {"pki": pki, "roots": str(roots), "tsa": pki.tsa_url, "archive": archive, "tmp": tmp_path}


def _run(*args: str) -> Result:
    from vbsign.cli.main import cli

    return CliRunner().invoke(cli, ["--lang", "en", *args], catch_exceptions=True)


def test_extend_scan_and_renew(setup: dict[str, Any]) -> None:
    archive, tmp = setup["archive"], setup["tmp"]
    common = ["--tsa", setup["tsa"], "--trust", setup["roots"], "--timeout", "5"]
    out = archive / "lta.pdf"
    res = _run("extend", str(archive / "bb.pdf"), "-o", str(out), "--level", "b-lta", "--json", *common)
    assert res.exit_code == 0, res.output + repr(res.exception)
    (row,) = json.loads(res.output)
    assert (row["level_before"], row["level_after"]) == ("B-B", "B-LTA") and Path(row["output"]) == out

    res = _run("archive", "scan", str(archive), "--json", "--trust", setup["roots"])
    entries = {Path(e["path"]).name: e for e in json.loads(res.output)}
    lta = entries["lta.pdf"]
    tsa_cert = setup["pki"].cert("gov-tsa")
    # the TSA certificate expires before its CA and the root: that is the renewal date
    assert datetime.fromisoformat(lta["proof_holds_until"]) == tsa_cert.not_valid_after
    assert lta["level"] == "B-LTA" and lta["renewal_due"] is False
    assert "Archive" not in lta["limit"] and "TEST" in lta["limit"]
    assert entries["bb.pdf"]["renewal_due"] is False  # offline it cannot be verified: flagged for review
    assert entries["bb.pdf"]["note_en"] and res.exit_code == 0

    planned = _run("archive", "scan", str(archive), "--at", "2035-12-01", "--days", "90", "--trust", setup["roots"])
    assert planned.exit_code == 1 and "RENEW" in planned.output

    renewed_dir = tmp / "renewed"
    res = _run("archive", "renew", str(archive), "-o", str(renewed_dir), "--days", "4000", "--json", *common[:4])
    rows = json.loads(res.output)
    assert [(Path(r["input"]).name, r["ok"]) for r in rows] == [("lta.pdf", True)]
    assert rows[0]["steps"] == ["archive-timestamp-renewed"] and res.exit_code == 0


def test_extend_refuses_a_tampered_document_and_keeps_the_input(setup: dict[str, Any]) -> None:
    src = setup["archive"] / "bb.pdf"
    data = bytearray(src.read_bytes())
    data[data.index(b"/Producer") + 1] ^= 0x20
    src.write_bytes(bytes(data))
    out = setup["tmp"] / "x.pdf"
    res = _run("extend", str(src), "-o", str(out), "--tsa", setup["tsa"], "--trust", setup["roots"])
    assert isinstance(res.exception, SigningError) and "does not verify now" in res.exception.message_en
    assert not out.exists() and src.read_bytes() == bytes(data)


def test_extend_batch_mode(setup: dict[str, Any]) -> None:
    archive, tmp = setup["archive"], setup["tmp"]
    (archive / "broken.pdf").write_bytes(b"%PDF-1.7\nbroken\n%%EOF\n")
    out = tmp / "out"
    res = _run("extend", str(archive), "-o", str(out), "--batch", "--level", "b-lt", "--tsa", setup["tsa"],
               "--trust", setup["roots"], "--json")  # fmt: skip
    rows = {Path(r["input"]).name: r for r in json.loads(res.output)}
    assert rows["bb.pdf"]["ok"] and rows["bb.pdf"]["level_after"] == "B-LT"
    assert not rows["broken.pdf"]["ok"] and res.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["bb.pdf"]
