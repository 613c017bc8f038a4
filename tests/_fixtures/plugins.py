"""Fixtures for the plugin and host-bridge tests (tests/plugins, tests/host; loaded for the whole
suite through ``pytest_plugins`` in tests/conftest.py).

Every test runs with its *own* plugin manager (built-ins only, plus what the test
registers), so that plugins installed in the environment — such as the example plugin —
and other tests cannot change what a test observes. The example-plugin tests load the
real entry points on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from vbsign import testpki
from vbsign.pki.validation import Services
from vbsign.plugins import manager

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
PASSPHRASE = "vbsign-test"


@pytest.fixture
def pm() -> Iterator[manager.PluginManager]:
    """A fresh process-wide plugin manager with vbsign's built-ins only."""
    fresh = manager.PluginManager()
    fresh.load_entry_points(autoload=False)
    with manager.use_plugin_manager(fresh):
        yield fresh


@pytest.fixture
def make_signer(pki_dir: Path, pki: testpki.TestPKI) -> Iterator[Callable[..., Any]]:
    """``make_signer("person", level="B-LT", **kw)``: an ``api.Signer`` at T0, in-process services."""
    from vbsign import api

    opened: list[api.Signer] = []

    def _make(subject: str, level: str = "B-LT", **kw: Any) -> api.Signer:
        kw.setdefault("services", Services(online=False, fetcher_backend=pki.fetcher_backend(T0)))
        kw.setdefault("tsa", pki.timestamper(T0))
        kw.setdefault("trust", pki.roots)
        signer = api.Signer(
            pki_dir / f"{subject}.p12", passphrase=PASSPHRASE, level=level, clock=lambda: T0, **kw
        )
        opened.append(signer)
        return signer

    yield _make
    for s in opened:
        s.close()


class Recorder:
    """A plugin (a plain object) that records the audit events it receives."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def vbsign_audit_event(self, event: Any) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
def audit(pm: manager.PluginManager) -> Recorder:
    rec = Recorder()
    pm.add_plugin(rec, "test-audit")
    return rec


def _agency_policy_text(pki: testpki.TestPKI, extends: str = "tt41", name: str = "bkhcn-test") -> str:
    """An agency's policy file accepting the test PKI's roots as *configured* anchors."""
    gov = testpki.fingerprint(pki.cert("gov-root"))
    pub = testpki.fingerprint(pki.cert("pub-root"))
    return (
        f'[policy]\nextends = "{extends}"\nname = "{name}"\n\n'
        f'[anchors]\ncdcv = ["{gov}"]\nnational = ["{pub}"]\n\n'
        f'[anchors.names]\n"{gov}" = "RootCA G2 (TEST)"\n"{pub}" = "National Root (TEST)"\n'
    )


@pytest.fixture(scope="session")
def agency_policy(tmp_path_factory: pytest.TempPathFactory, pki: testpki.TestPKI) -> Path:
    """The policy file both test agencies use (tt41 + the test roots as anchors)."""
    p = tmp_path_factory.mktemp("policy") / "bkhcn-test.toml"
    p.write_text(_agency_policy_text(pki), encoding="utf-8")
    return p


@pytest.fixture
def agency_policy_text(pki: testpki.TestPKI) -> Callable[..., str]:
    """``agency_policy_text(extends="tt41", name=...)``: policy file text with the test anchors."""
    return lambda extends="tt41", name="bkhcn-test": _agency_policy_text(pki, extends, name)
