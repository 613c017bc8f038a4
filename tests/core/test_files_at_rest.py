"""Issue 14 item 5: files at rest are the owner's only, whatever the umask.

The registry database (subscribers' personal data, and the WAL/SHM files SQLite creates
next to it), evidence bundles, registry documents and reports, and written key material
(the test PKI's .p12 files) are created 0600, the directories vbsign creates for them 0700.
Checked under the most permissive umask (0o000), where the defaults would be 0666/0777.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _modes_under(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): _mode(p) for p in [root, *root.rglob("*")]}


def test_registry_database_and_its_wal_are_private(open_umask: None, tmp_path: Path) -> None:
    from vbsign.model.events import AuditEvent
    from vbsign.registry import Registry

    db = tmp_path / "new" / "dir" / "registry.sqlite3"
    with Registry.open(f"sqlite:///{db}", create=True) as reg:
        reg.record_event(AuditEvent(kind="verify", document_sha256="ab" * 32, verdict="TOTAL-PASSED", time=T0))
        files = {p.name: _mode(p) for p in db.parent.iterdir()}
        assert {"registry.sqlite3", "registry.sqlite3-wal", "registry.sqlite3-shm"} <= set(files)
        assert set(files.values()) == {0o600}, files
    assert _mode(db.parent) == _mode(db.parent.parent) == 0o700


def test_registry_reports_are_private(open_umask: None, tmp_path: Path) -> None:
    from vbsign.registry import Registry
    from vbsign.registry.periods import parse_period
    from vbsign.registry.reports import render_report

    with Registry.open(f"sqlite:///{tmp_path / 'r.sqlite3'}", create=True) as reg:
        report = reg.usage_report(parse_period("2026"))
    out = tmp_path / "bao-cao.csv"
    render_report(report, "csv", out=out)
    assert _mode(out) == 0o600


def test_evidence_bundles_are_private(open_umask: None, tmp_path: Path) -> None:
    from vbsign.model.evidence import EvidenceBuilder

    builder = EvidenceBuilder("receive", b"%PDF-1.7 received", "cong-van.pdf")
    builder.add_json("validation.json", {"status": "passed"})
    builder.add_file("certificates/cert-01.der", b"\x30\x00")
    target = builder.build("ACCEPT", [], created_at=T0).write(tmp_path / "store" / "2026" / "CV-1")
    modes = _modes_under(target)
    assert {m for name, m in modes.items() if (target / name).is_file()} == {0o600}, modes
    assert {m for name, m in modes.items() if (target / name).is_dir()} == {0o700}, modes
    assert _mode(tmp_path / "store") == _mode(tmp_path / "store" / "2026") == 0o700


def test_written_key_material_is_private(open_umask: None, tmp_path: Path) -> None:
    from vbsign import testpki
    from vbsign.testpki.export import write_pki

    d = tmp_path / "pki"
    write_pki(d, port=testpki.DEFAULT_PORT, passphrase="pw")
    assert _mode(d) == 0o700
    keys = {p.name: _mode(p) for p in d.glob("*.p12")}
    assert keys and set(keys.values()) == {0o600}, keys
    assert _mode(d / "roots.pem") == 0o666  # public certificates follow the umask
