"""The example third-party plugin, pip-installed into the test environment (scripts/setup.sh)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from vbsign import api
from vbsign.pki.validation import Services
from vbsign.plugins import manager

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
DIST = "vbsign-plugin-example"


@pytest.fixture(scope="module")
def example_installed() -> importlib.metadata.Distribution:
    try:
        return importlib.metadata.distribution(DIST)
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(
            f"{DIST} is not installed: pip install -e examples/vbsign-plugin-example "
            "(scripts/setup.sh installs it into the test environment)"
        )


@pytest.fixture
def real_plugins(example_installed: Any) -> Iterator[manager.PluginManager]:
    """The plugins as a user's installation loads them: every entry point of the group."""
    pm = manager.PluginManager()
    pm.load_entry_points()
    with manager.use_plugin_manager(pm):
        yield pm


def test_example_plugin_shows_in_plugins_list(example_installed: Any) -> None:
    vbsign = str(Path(sys.executable).with_name("vbsign"))
    env = {k: v for k, v in os.environ.items() if k not in ("VBSIGN_DISABLE_PLUGIN_AUTOLOAD", "VBSIGN_DISABLE_PLUGINS")}
    done = subprocess.run([vbsign, "plugins", "list", "--json", "--strict"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    plugins = {p["name"]: p for p in json.loads(done.stdout)}
    example = plugins["example"]
    assert example["status"] == "loaded" and not example["builtin"]
    assert example["distribution"] == DIST and example["version"] == example_installed.version
    assert example["module"] == "vbsign_plugin_example"
    assert set(example["hooks"]) >= {"vbsign_audit_event", "vbsign_policy_rules"}
    text = subprocess.run([vbsign, "--lang", "en", "plugins", "list"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert f"example ({DIST} {example_installed.version}): loaded" in text.stdout


def test_example_audit_sink_receives_sign_and_verify(
    real_plugins: manager.PluginManager, pki_dir: Path, pki: Any, sample_pdf: bytes,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert real_plugins.has_plugin("example")
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv("VBSIGN_EXAMPLE_AUDIT_LOG", str(log))
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    result = api.sign(sample_pdf, key=pki_dir / "agency.p12", passphrase="vbsign-test", trust=pki.roots,
                      tsa=pki.timestamper(T0), services=services, clock=lambda: T0,
                      metadata={"document_id": "VIDU-1"})
    report = api.verify(result.data, trust=pki.roots, now=T0, services=Services(online=False))
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in records] == ["sign", "verify"]
    digest = hashlib.sha256(result.data).hexdigest()
    assert records[0]["document_sha256"] == records[1]["document_sha256"] == digest
    assert records[0]["document_id"] == "VIDU-1" and records[0]["signer_names"] == ["CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"]
    assert records[1]["verdict"] == report.indication.value == "TOTAL-PASSED"


def test_example_plugin_is_harmless_by_default(
    real_plugins: manager.PluginManager, sign_as: Any, verify_at: Any, sample_pdf: bytes,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VBSIGN_EXAMPLE_AUDIT_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    report = verify_at(sign_as("person", sample_pdf))
    assert report.indication.value == "TOTAL-PASSED"
    assert not any(f.details.get("plugin") == "example" for f in report.findings)
    assert list(tmp_path.iterdir()) == []  # wrote nothing
    import vbsign_plugin_example as example

    assert example.EVENTS and example.EVENTS[-1].kind == "verify"  # memory only, bounded
    assert example.EVENTS.maxlen == 100


@pytest.fixture
def fresh_policy_registry(real_plugins: manager.PluginManager) -> Any:
    """The policy registry the API uses, built from the plugins actually installed (the
    built-ins of :func:`vbsign.policy.default_registry` are never changed by plugins)."""
    from vbsign.api import policy_registry
    from vbsign.policy import default_registry

    reg = policy_registry()
    assert not default_registry().has_rule("VIDU-01")  # the pure policy layer stays pure
    return reg


def test_example_rule_fires_in_validation(
    fresh_policy_registry: Any, make_signer: Any, sample_pdf: bytes, pki: Any, tmp_path: Path,
    agency_policy_text: Any,
) -> None:
    import vbsign
    from vbsign.policy import RuleStatus

    assert fresh_policy_registry.has_rule("VIDU-01")
    assert fresh_policy_registry.origin("rule", "VIDU-01") == "plugin example"
    policy = tmp_path / "vidu-test.toml"
    policy.write_text(agency_policy_text(extends="vidu", name="vidu-test"), encoding="utf-8")
    person = make_signer("person").sign(sample_pdf, reason="Phê duyệt").data
    offline = {"trust": pki.roots, "now": T0, "services": Services(online=False)}

    numbered = make_signer("agency").sign(person, reason="Ban hành văn bản số 12/QĐ-BKHCN").data
    ok = vbsign.validate(numbered, policy=str(policy), **offline)
    assert ok.result("VIDU-01", "S2").status is RuleStatus.PASSED
    assert ok.result("VIDU-01", "S1").status is RuleStatus.NOT_APPLICABLE  # the person's signature
    assert not any(r.rule_id == "VIDU-01" for r in ok.failures())

    unnumbered = make_signer("agency").sign(person, reason="Ban hành văn bản").data
    bad = vbsign.validate(unnumbered, policy=str(policy), **offline)
    fail = bad.result("VIDU-01", "S2")
    assert fail.status is RuleStatus.FAILED and "số văn bản" in fail.message_vi
    assert bad.status.value == "non-compliant"
    # ... and nowhere else: the built-in tt41 profile does not run the plugin's rule
    plain = tmp_path / "tt41-test.toml"
    plain.write_text(agency_policy_text(), encoding="utf-8")
    tt41 = vbsign.validate(unnumbered, policy=str(plain), **offline)
    assert not any(r.rule_id == "VIDU-01" for r in tt41.results)


def test_example_rule_blocks_sending_through_the_host(
    fresh_policy_registry: Any, make_signer: Any, sample_pdf: bytes, pki: Any, tmp_path: Path,
    agency_policy_text: Any,
) -> None:
    from vbsign.host import OutgoingDocument, SendContext, SendDecision, on_send

    policy = tmp_path / "vidu-test.toml"
    policy.write_text(agency_policy_text(extends="vidu", name="vidu-test"), encoding="utf-8")
    ctx = SendContext(person=make_signer("person"), seal=make_signer("agency"), policy=str(policy))
    assert on_send(OutgoingDocument(sample_pdf, number="7/QĐ-BKHCN"), ctx).decision is SendDecision.READY
    blocked = on_send(OutgoingDocument(sample_pdf), ctx)  # no number: the seal's reason cannot state it
    assert blocked.decision is SendDecision.BLOCKED
    assert "POLICY_VIDU-01" in [r.code for r in blocked.reasons if r.severity.value == "error"]
