"""Issue 14 item 2: the audit chain cannot be bent — missing head, signed checkpoints.

``registry audit verify`` exits non-zero after one edited row, a deleted tail plus a
deleted head, a wiped log, and any change before the last signed checkpoint (on SQLite
and PostgreSQL). Checkpoints are CAdES signatures made with the usual key backends
(timestamped, B-LT, when a TSA is configured), written to a file or the evidence store,
automatically every N events or after an interval.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from vbsign import api, testpki
from vbsign.model.events import AuditEvent
from vbsign.pki.validation import Services
from vbsign.registry import Registry

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=UTC)
PW = "vbsign-test"


def _events(n: int, start: int = 0) -> list[AuditEvent]:
    return [
        AuditEvent(kind="verify", document_sha256=f"{i:064x}", document_id=f"CV-{i:04d}", verdict="TOTAL-PASSED",
                   time=T0 + timedelta(minutes=i), details={"n": i})
        for i in range(start, start + n)
    ]


def _sql(reg: Any, *statements: str) -> None:
    with reg.engine.begin() as c:
        for s in statements:
            c.execute(text(s))


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from vbsign.cli.main import main

    try:
        code = main(["--lang", "en", *args])
    except SystemExit as e:
        code = e.code
    got = capsys.readouterr()
    return int(code or 0), got.out, got.err


@pytest.fixture
def seal(pki_dir: Path, pki: testpki.TestPKI) -> Iterator[api.Signer]:
    """The agency seal, with in-process OCSP/CRL and TSA at T0: B-LT checkpoints."""
    with api.Signer(pki_dir / "agency.p12", passphrase=PW, trust=pki.roots, tsa=pki.timestamper(T0), level="B-LT",
                    services=Services(online=False, fetcher_backend=pki.fetcher_backend(T0)),
                    clock=lambda: T0) as signer:
        yield signer


@pytest.fixture
def check(pki: testpki.TestPKI, reg: Any) -> Callable[..., Any]:
    """``check(checkpoint=None)``: ``reg.verify_audit`` trusting the test roots, offline at T0."""
    return lambda checkpoint=None: reg.verify_audit(checkpoint, trust=pki.roots, services=Services(online=False),
                                                     now=T0)


# ---- without a checkpoint --------------------------------------------------------------------


def test_one_edited_row_is_named(reg: Any, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    reg.record_events(_events(10))
    assert _run(capsys, "registry", "--db", db_url, "audit", "verify")[0] == 0
    _sql(reg, "UPDATE audit_events SET verdict = 'TOTAL-FAILED' WHERE seq = 4")
    code, out, _ = _run(capsys, "registry", "--db", db_url, "audit", "verify")
    assert code == 1 and "#4" in out and "was edited" in out


def test_deleting_the_tail_and_the_head_is_a_failure(reg: Any, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    reg.record_events(_events(10))
    _sql(reg, "DELETE FROM audit_events WHERE seq > 6", "DELETE FROM audit_head")
    code, out, _ = _run(capsys, "registry", "--db", db_url, "audit", "verify")
    assert code == 1, out
    assert "chain head (table audit_head) is missing" in out and "0000000000000000" not in out


def test_a_wiped_log_is_a_failure(reg: Any, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    reg.record_events(_events(10))
    _sql(reg, "DELETE FROM audit_events", "DELETE FROM audit_head")
    code, out, _ = _run(capsys, "registry", "--db", db_url, "audit", "verify")
    assert code == 1 and "missing" in out
    _sql(reg, "INSERT INTO audit_head (id, seq, hash) VALUES (1, 5, '" + "ab" * 32 + "')")
    assert _run(capsys, "registry", "--db", db_url, "audit", "verify")[0] == 1  # the head says #1–#5 existed


# ---- with a signed checkpoint ----------------------------------------------------------------


def test_checkpoint_detects_any_change_before_it(
    reg: Any, seal: api.Signer, check: Callable[..., Any], tmp_path: Path
) -> None:
    reg.record_events(_events(20))
    cp, path = reg.make_checkpoint(seal, directory=tmp_path / "evidence" / "audit")
    assert (cp.seq, path.name) == (20, cp.file_name()) and path.read_bytes()[:1] == b"\x30"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reg.record_events(_events(5, start=20))
    ok = check(path)
    assert ok.ok and not ok.checkpoint_indeterminate, [p.message.en for p in ok.problems]
    assert ok.checkpoint["seq"] == 20 and ok.checkpoint["signature"] == "TOTAL-PASSED"
    assert ok.checkpoint["signer"] == testpki.load().cert("agency").subject.native["common_name"]

    # rewrite every record up to #12 and recompute every hash and the head: the chain alone
    # cannot see it (the attacker knows the algorithm), the checkpoint does
    _rewrite_from(reg, 12)
    assert reg.verify_audit().ok  # what an attacker with database access can achieve
    bad = check(path)
    assert not bad.ok
    assert [(p.seq, p.kind) for p in bad.problems] == [(20, "rewritten")]
    assert "signed checkpoint" in bad.problems[0].message.en


def test_checkpoint_detects_a_wiped_and_restarted_log(
    reg: Any, seal: api.Signer, check: Callable[..., Any], tmp_path: Path
) -> None:
    reg.record_events(_events(8))
    _, path = reg.make_checkpoint(seal, out=tmp_path / "cp.p7m")
    _sql(reg, "DELETE FROM audit_events", "UPDATE audit_head SET seq = 0, hash = '" + "0" * 64 + "'")
    reg.record_events(_events(3, start=100))  # a fresh, internally consistent log
    assert reg.verify_audit().ok
    bad = check(path)
    assert [(p.seq, p.kind) for p in bad.problems] == [(8, "deleted")]


def test_a_checkpoint_of_the_empty_log_holds_for_what_follows(
    reg: Any, seal: api.Signer, check: Callable[..., Any], tmp_path: Path
) -> None:
    """A registry checkpointed on its first day (nothing audited yet) verifies, then and later."""
    cp, path = reg.make_checkpoint(seal, out=tmp_path / "cp.p7m")
    assert cp.seq == 0
    ok = check(path)
    assert ok.ok, [p.message.en for p in ok.problems]
    reg.record_events(_events(3))
    assert check(path).ok
    _sql(reg, "UPDATE audit_events SET verdict = 'TOTAL-FAILED' WHERE seq = 2")
    assert not check(path).ok  # the chain itself still catches an edit


def test_a_forged_or_foreign_checkpoint_is_refused(
    reg: Any, seal: api.Signer, check: Callable[..., Any], tmp_path: Path, pki_dir: Path, pki: testpki.TestPKI
) -> None:
    reg.record_events(_events(5))
    _, path = reg.make_checkpoint(seal, out=tmp_path / "cp.p7m")
    forged = tmp_path / "forged.p7m"
    data = path.read_bytes()
    i = data.index(b'"seq":5')
    forged.write_bytes(data[:i] + b'"seq":4' + data[i + 7:])  # same length, signature no longer matches
    forged_report = check(forged)
    assert not forged_report.ok and "checkpoint" in [p.kind for p in forged_report.problems]
    assert any("forged or altered" in p.message.en for p in forged_report.problems)
    # a checkpoint signed by an untrusted key: the comparison holds, the signer is not established
    assert check(path).ok
    untrusted = reg.verify_audit(path, trust=[], services=Services(online=False), now=T0)
    assert untrusted.ok and untrusted.checkpoint_indeterminate
    # another registry's checkpoint
    with Registry.open(f"sqlite:///{tmp_path / 'other.sqlite3'}", create=True, clock=lambda: T0) as other:
        other.record_events(_events(5))
        _, foreign = other.make_checkpoint(seal, out=tmp_path / "foreign.p7m")
    assert [p.kind for p in check(foreign).problems] == ["checkpoint"]


def test_a_tampered_log_is_never_anchored(reg: Any, seal: api.Signer, tmp_path: Path) -> None:
    from vbsign.registry.errors import RegistryError

    reg.record_events(_events(5))
    _sql(reg, "UPDATE audit_events SET verdict = 'X' WHERE seq = 2")
    with pytest.raises(RegistryError, match="not intact"):
        reg.make_checkpoint(seal, out=tmp_path / "cp.p7m")
    assert not (tmp_path / "cp.p7m").exists()


def test_automatic_checkpoints_every_n_events(
    reg: Any, check: Callable[..., Any], tmp_path: Path, pki_dir: Path, pki: testpki.TestPKI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vbsign.registry.checkpoint import CheckpointConfig

    monkeypatch.setenv("SEAL_PW", PW)
    store = tmp_path / "evidence"
    config = CheckpointConfig.from_env({
        "VBSIGN_AUDIT_CHECKPOINT_DIR": str(store), "VBSIGN_AUDIT_CHECKPOINT_KEY": str(pki_dir / "agency.p12"),
        "VBSIGN_AUDIT_CHECKPOINT_SECRET_ENV": "SEAL_PW", "VBSIGN_AUDIT_CHECKPOINT_EVERY": "5",
    })
    assert config is not None and config.every == 5 and config.tsa is None
    # in-process revocation source for the pre-signing check (tests never use the network)
    config._signer = api.Signer(pki_dir / "agency.p12", passphrase=PW, trust=pki.roots, level="B-B",
                                services=Services(online=False, fetcher_backend=pki.fetcher_backend(T0)),
                                clock=lambda: T0)
    reg.checkpoints = config
    for e in _events(12):
        reg.record_event(e)
    files = sorted(p.name for p in store.iterdir())
    assert [int(n.rsplit("-", 1)[1].split(".")[0]) for n in files] == [5, 10]
    last = json.loads(reg.settings()["audit_checkpoint_last"])
    assert last["seq"] == 10 and last["file"].endswith(files[-1])
    report = reg.verify_audit(store, trust=pki.roots, services=Services(online=False, fetcher_backend=pki.fetcher_backend(T0)),
                              now=T0)
    assert report.ok and report.checkpoint["seq"] == 10
    config._signer.close()


def _rewrite_from(reg: Any, seq: int) -> None:
    """Edit record ``seq`` and recompute every hash after it, and the head (an attacker)."""
    from vbsign.registry.audit import HASHED_COLUMNS, record_hash
    from vbsign.registry.models import AuditEventRow

    with reg.writing() as s:
        rows = s.query(AuditEventRow).order_by(AuditEventRow.seq).all()
        prev = "0" * 64
        for row in rows:
            if row.seq == seq:
                row.verdict = "TOTAL-FAILED"
            values = {c: getattr(row, c) for c in HASHED_COLUMNS}
            row.prev_hash = prev
            row.hash = record_hash(values, prev)
            prev = row.hash
        s.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": rows[-1].seq, "h": prev})


# ---- the command line ------------------------------------------------------------------------


def test_cli_checkpoint_then_verify_against_it(
    db_url: str, served_pki: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``registry audit checkpoint`` over real HTTP services (TSA, OCSP): a B-LT checkpoint
    that later verifies offline; any change before it makes ``audit verify`` exit 1."""
    from vbsign.testpki.export import write_pki

    pki = served_pki.pki
    if not pki.cert("agency").not_valid_before <= datetime.now(UTC) <= pki.cert("agency").not_valid_after:
        pytest.skip("test certificates are not valid at the wall-clock time")  # pragma: no cover
    keys = tmp_path / "pki"
    write_pki(keys, port=served_pki.port, passphrase=PW)
    monkeypatch.setenv("SEAL_PW", PW)
    with Registry.open(db_url) as reg:
        reg.record_events(_events(7))
    db = ["registry", "--db", db_url, "audit"]
    code, out, err = _run(capsys, *db, "checkpoint", "--key", str(keys / "agency.p12"), "--passphrase-env", "SEAL_PW",
                          "--tsa", pki.tsa_url, "--trust", str(keys / "roots.pem"), "--dir", str(tmp_path / "ev"),
                          "--timeout", "5")
    assert code == 0, out + err
    assert "record #7" in out
    verify = [*db, "verify", "--checkpoint", str(tmp_path / "ev"), "--trust", str(keys / "roots.pem"), "--offline"]
    code, out, err = _run(capsys, *verify)
    assert code == 0, out + err
    assert "Checkpoint: record #7" in out and "TOTAL-PASSED" in out
    with Registry.open(db_url) as reg:
        _sql(reg, "DELETE FROM audit_events WHERE seq >= 3")
        _sql(reg, "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_events WHERE seq = 2)")
        assert reg.verify_audit().ok  # truncated cleanly: only the checkpoint knows
    code, out, _ = _run(capsys, *verify)
    assert code == 1 and "Record #7" in out and "is missing" in out


def test_when_automatic_checkpoints_are_due() -> None:
    from vbsign.registry.checkpoint import CheckpointConfig

    c = CheckpointConfig(Path("/x"), "k.p12", every=100, interval=3600)
    assert not c.due(0, None, 0) and not c.due(99, None, 0) and c.due(100, None, 0)
    last = {"seq": 150, "hash": "h", "at": 1000.0}
    assert not c.due(150, last, 99_999)  # nothing new since the last one
    assert not c.due(160, last, 1000 + 3599) and c.due(160, last, 1000 + 3600)  # the interval
    assert c.due(250, last, 1001)  # N events
    assert CheckpointConfig.from_env({}) is None
    with pytest.raises(Exception, match="must be numbers"):
        CheckpointConfig.from_env({"VBSIGN_AUDIT_CHECKPOINT_DIR": "d", "VBSIGN_AUDIT_CHECKPOINT_KEY": "k",
                                   "VBSIGN_AUDIT_CHECKPOINT_EVERY": "often"})
