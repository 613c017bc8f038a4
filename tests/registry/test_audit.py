"""The hash-chained audit log: append through the plugin hook, verify, detect an edited,
rewritten or deleted record, 8 concurrent processes, summaries."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pluggy
import pytest
from sqlalchemy import text

from vbsign.model.events import AuditEvent
from vbsign.plugins.hookspecs import PROJECT, AuditSpec
from vbsign.registry import Registry, RegistryAuditSink
from vbsign.registry.audit import record_hash

T = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)


def _events(n: int, fp: str | None = None, start: int = 0) -> list[AuditEvent]:
    return [
        AuditEvent(
            kind="sign" if i % 3 else "verify",
            document_sha256=f"{i:064x}",
            document_id=f"VB-{i:05d}",
            document_name=f"Quyết định số {i}/QĐ.pdf",
            verdict="SIGNED" if i % 3 else "TOTAL-PASSED",
            certificate_fingerprints=(fp,) if fp else (),
            signer_names=("Nguyễn Văn A",) if fp else (),
            time=T + timedelta(minutes=i),
            details={"ghi_chú": "văn bản đi", "n": i},
        )
        for i in range(start, start + n)
    ]


def test_chain_verifies_and_names_an_edited_record(reg: Any) -> None:
    seqs = reg.record_events(_events(30))
    assert seqs == list(range(1, 31))
    report = reg.verify_audit()
    assert report.ok and report.records == 30 and report.last_seq == 30
    assert "30" in report.summary().vi and "intact" in report.summary().en
    with reg.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET verdict = 'TOTAL-FAILED' WHERE seq = 12"))
    bad = reg.verify_audit()
    assert not bad.ok
    (p,) = bad.problems
    assert (p.seq, p.kind) == (12, "edited")
    assert "#12" in p.message.vi and "VB-00011" in p.message.vi and "was edited" in p.message.en


def test_a_rewritten_record_and_deleted_records_are_named(reg: Any) -> None:
    reg.record_events(_events(20))
    # edit record 5 and recompute its own hash: the next record's link breaks
    with reg.reading() as s:
        row = dict(s.execute(text("SELECT * FROM audit_events WHERE seq = 5")).mappings().one())
    row["details"] = '{"sửa":"đã sửa"}'
    from vbsign.registry.models import UTCDateTime

    row["time"] = UTCDateTime().process_result_value(row["time"] if isinstance(row["time"], datetime)
                                                      else datetime.fromisoformat(row["time"]), None)  # type: ignore[arg-type]
    new_hash = record_hash(row, row["prev_hash"])
    with reg.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET details = :d, hash = :h WHERE seq = 5"), {"d": row["details"], "h": new_hash})
        c.execute(text("DELETE FROM audit_events WHERE seq IN (9, 10)"))
        c.execute(text("DELETE FROM audit_events WHERE seq = 20"))
    report = reg.verify_audit()
    found = {(p.kind, p.seq) for p in report.problems}
    assert found == {("rewritten", 5), ("deleted", 9), ("deleted", 20)}
    msgs = {p.seq: p.message for p in report.problems}
    assert "#9–#10" in msgs[9].vi and "deleted" in msgs[9].en
    assert "ở cuối nhật ký" in msgs[20].vi and "#20" in msgs[20].en
    assert "#5" in msgs[5].vi and "recomputed" in msgs[5].en


def test_events_are_resolved_against_the_registry(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, ids = seeded
    fp_person = reg.list_certificates(subscriber=ids["person"])[0].fingerprint
    fp_seal = reg.list_certificates(subscriber=ids["agency"])[0].fingerprint
    # the leader signs, then the clerk applies the seal to the signed version: no document
    # id from the host, the document is followed by hash (input of the 2nd = output of the 1st)
    reg.record_events(
        [
            AuditEvent("sign", "aa" * 32, certificate_fingerprints=(fp_person.lower(),), unit="Bộ Khoa học và Công nghệ",
                       verdict="SIGNED", time=T, details={"input_sha256": "99" * 32}),
            AuditEvent("sign", "bb" * 32, certificate_fingerprints=(fp_seal,), unit="Bộ Khoa học và Công nghệ",
                       verdict="SIGNED", time=T + timedelta(minutes=3), details={"input_sha256": "AA" * 32}),
            AuditEvent("verify", "bb" * 32, certificate_fingerprints=(fp_person, fp_seal), unit="SO-HN",
                       verdict="TOTAL-PASSED", time=T + timedelta(hours=2)),
        ]
    )
    with reg.reading() as s:
        rows = s.execute(
            text("SELECT unit_id, subscriber_id, signer_mask, document_key FROM audit_events ORDER BY seq")
        ).all()
    units = {u.code: u.id for u in reg.list_units()}
    # the leader's sign event counts for his unit (a sub-unit of the named ministry)
    assert rows[0] == (units["CDS"], ids["person"], 1, "aa" * 32)
    assert rows[1] == (units["CDS"], ids["agency"], 2, "aa" * 32)
    # a verification counts for the unit that verified (the host names it)
    assert rows[2][0] == units["SO-HN"] and rows[2][2] == 3
    usage = reg.usage_report(__import__("vbsign.registry.periods", fromlist=["x"]).parse_period("2026-05"))
    cds = next(u for u in usage.units if u.code == "CDS")
    # one outgoing document, signed by the person and sealed: two signing events
    assert (cds.outgoing, cds.outgoing_both, cds.signed) == (1, 1, 2)
    assert reg.verify_audit().ok


def test_summaries_match_the_log(seeded: tuple[Any, dict[str, int]]) -> None:
    from vbsign.registry.periods import parse_period

    reg, ids = seeded
    fp = reg.list_certificates(subscriber=ids["person-ec"])[0].fingerprint
    reg.record_events(_events(40, fp))
    whole = reg.usage_report(parse_period("2026-05"))
    raw = reg.usage_report(parse_period("2026-05-01..2026-05-31"))
    raw_trend = [(p.signed, p.verified) for p in raw.trend]
    assert sum(s for s, _ in raw_trend) == whole.totals.signed == 26
    assert [u.to_dict() for u in whole.units] == [u.to_dict() for u in raw.units]
    with reg.engine.begin() as c:
        c.execute(text("DELETE FROM audit_monthly"))
    assert reg.usage_report(parse_period("2026-05")).totals.signed == 0
    assert reg.rebuild_summaries() == 40
    again = reg.usage_report(parse_period("2026-05"))
    assert [u.to_dict() for u in again.units] == [u.to_dict() for u in whole.units]


def test_the_sink_plugin_records_events(reg: Any) -> None:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(AuditSpec)
    pm.register(RegistryAuditSink(reg))
    for e in _events(5):
        pm.hook.vbsign_audit_event(event=e)
    assert reg.audit_count() == 5 and reg.verify_audit().ok


def _reloaded(module: Any) -> Any:
    """The plugin module loaded afresh (reload keeps old attributes, so drop the hook)."""
    for hook in ("vbsign_audit_event", "vbsign_signer_class", "vbsign_mail_recipient_certificates"):
        module.__dict__.pop(hook, None)
    return importlib.reload(module)


@pytest.fixture
def plugin_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    from vbsign.registry import plugin

    yield plugin
    plugin._default_sink.close()
    monkeypatch.delenv("VBSIGN_REGISTRY_URL", raising=False)
    monkeypatch.delenv("VBSIGN_REGISTRY_AUDIT", raising=False)
    _reloaded(plugin)  # leave it as a process without a registry would load it


def test_the_builtin_sink_records_only_when_configured(monkeypatch: pytest.MonkeyPatch, sqlite_url: str,
                                                       tmp_path: Path, plugin_module: Any) -> None:
    plugin = plugin_module

    monkeypatch.delenv("VBSIGN_REGISTRY_URL", raising=False)
    monkeypatch.delenv("VBSIGN_REGISTRY_AUDIT", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "nothing-here"))
    assert plugin.recording_url() is None
    assert not hasattr(_reloaded(plugin), "vbsign_audit_event")  # no hook at all
    plugin.record(_events(1)[0])  # no registry configured: nothing happens
    assert not (tmp_path / "nothing-here").exists()
    monkeypatch.setenv("VBSIGN_REGISTRY_URL", sqlite_url)
    assert callable(_reloaded(plugin).vbsign_audit_event)
    plugin.vbsign_audit_event(_events(1)[0])
    plugin.record(_events(1, start=1)[0])
    monkeypatch.setenv("VBSIGN_REGISTRY_AUDIT", "0")
    plugin.record(_events(1, start=2)[0])
    plugin._default_sink.close()
    with Registry.open(sqlite_url) as r:
        assert r.audit_count() == 2
    monkeypatch.setenv("VBSIGN_REGISTRY_AUDIT", "1")
    monkeypatch.delenv("VBSIGN_REGISTRY_URL")
    assert plugin.recording_url() == f"sqlite:///{tmp_path / 'nothing-here' / 'vbsign' / 'registry.sqlite3'}"


def test_the_builtin_plugin_validates_with_the_manager(monkeypatch: pytest.MonkeyPatch, sqlite_url: str,
                                                       plugin_module: Any) -> None:
    manager = pytest.importorskip("vbsign.plugins.manager")
    plugin = plugin_module

    monkeypatch.setenv("VBSIGN_REGISTRY_URL", sqlite_url)
    module = _reloaded(plugin)
    pm = manager.PluginManager()
    info = pm.add_plugin(module, "vbsign-registry-test")
    assert info.loaded and sorted(info.hooks) == ["vbsign_audit_event", "vbsign_mail_recipient_certificates", "vbsign_signer_class"]
    monkeypatch.delenv("VBSIGN_REGISTRY_URL")
    idle = manager.PluginManager().add_plugin(_reloaded(plugin), "vbsign-registry-idle")
    assert idle.loaded and idle.hooks == []


WORKER = textwrap.dedent(
    """
    import os, sys, time
    from datetime import UTC, datetime, timedelta
    import pluggy
    from vbsign.model.events import AuditEvent
    from vbsign.plugins.hookspecs import PROJECT, AuditSpec
    from vbsign.registry import Registry, RegistryAuditSink

    url, go, wid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    reg = Registry.open(url)
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(AuditSpec)
    pm.register(RegistryAuditSink(reg))
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.002)
    t0 = datetime(2026, 5, 1, tzinfo=UTC)
    for i in range(1000):
        pm.hook.vbsign_audit_event(event=AuditEvent(
            "sign", f"{wid:02x}{i:062x}", document_id=f"W{wid}-{i}", verdict="SIGNED",
            time=t0 + timedelta(seconds=i), details={"worker": wid}))
    reg.close()
    """
)


@pytest.mark.slow
def test_eight_processes_append_at_once(db_url: str, tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, str(script), db_url, str(go), str(w)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for w in range(8)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        go.touch()  # all eight start appending at the same moment
        for p in procs:
            _, err = p.communicate(timeout=240)
            assert p.returncode == 0, err
        elapsed = time.perf_counter() - started
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    with Registry.open(db_url) as reg:
        assert reg.audit_count() == 8000
        report = reg.verify_audit()
        assert report.ok, report.problems[:3]
        assert report.records == report.last_seq == report.head_seq == 8000
        with reg.reading() as s:
            per_worker = s.execute(text("SELECT COUNT(DISTINCT document_key) FROM audit_events")).scalar_one()
        assert per_worker == 8000
    print(f"8 x 1000 concurrent appends: {elapsed:.1f} s")


def test_signing_and_verifying_are_recorded_end_to_end(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, plugin_module: Any, pki: Any, sign_as: Any, verify_at: Any,
    sample_pdf: bytes,
) -> None:
    """vbsign.sign / vbsign.verify → plugin manager → built-in registry sink → hash chain."""
    manager = pytest.importorskip("vbsign.plugins.manager")
    with Registry.open(sqlite_url) as reg:
        reg.add_unit("BO", "Bộ Khoa học và Công nghệ")
        reg.add_unit("LDB", "Lãnh đạo Bộ", parent="BO", requires_seal=False)
        person = reg.add_subscriber("Nguyễn Văn A", "LDB", title="Thứ trưởng")
        reg.import_certificates([pki.cert("person")])
    monkeypatch.setenv("VBSIGN_REGISTRY_URL", sqlite_url)
    _reloaded(plugin_module)
    pm = manager.PluginManager()
    pm.load_entry_points(autoload=False)
    assert "vbsign_audit_event" in pm.infos()[[i.name for i in pm.infos()].index("vbsign-registry")].hooks
    with manager.use_plugin_manager(pm):
        signed = sign_as("person", sample_pdf, level="B-B")
        verify_at(signed)
    plugin_module._default_sink.close()
    with Registry.open(sqlite_url) as reg:
        events = reg.audit_events()
        assert [e["kind"] for e in events] == ["sign", "verify"]
        assert events[0]["subscriber_id"] == person.id and events[0]["signers"] == ["Nguyễn Văn A"]
        assert reg.verify_audit().ok
