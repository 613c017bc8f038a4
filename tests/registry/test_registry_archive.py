"""The registry holds archived documents and raises renewal alerts through the existing
``vbsign_certificate_alert`` hook (issue 18)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pluggy

from tests.conftest import T0
from vbsign.api.archive import scan_archive
from vbsign.model.events import CertificateAlert
from vbsign.plugins.hookspecs import PROJECT, RegistrySpec, hookimpl


class _Collector:
    def __init__(self) -> None:
        self.alerts: list[CertificateAlert] = []

    @hookimpl
    def vbsign_certificate_alert(self, alert: CertificateAlert) -> None:
        self.alerts.append(alert)


def test_held_documents_raise_renewal_then_expiry_alerts(
    sreg: Any, archive_pki: Any, archive_lta: bytes, sample_pdf: bytes, tmp_path: Path
) -> None:
    d = tmp_path / "archive"
    d.mkdir()
    (d / "qd.pdf").write_bytes(archive_lta)
    (d / "unsigned.pdf").write_bytes(sample_pdf)
    entries = scan_archive(d, trust=[archive_pki.cert("ar-root")], now=T0)
    assert sreg.hold_archive(entries) == 1  # the unsigned file is not held
    (held,) = sreg.archived_documents()
    expiry = archive_pki.cert("ar-tsa1").not_valid_after
    assert held.level == "B-LTA" and held.proof_holds_until == expiry
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(RegistrySpec)
    collector = _Collector()
    pm.register(collector)
    sreg.plugin_manager = pm
    assert not [a for a in sreg.alerts(at=T0, notify=True) if a.code.startswith("ARCHIVE")]
    due = [a for a in sreg.alerts(at=expiry - timedelta(days=30), within_days=90, notify=True) if a.code.startswith("ARCHIVE")]
    assert [a.code for a in due] == ["ARCHIVE_RENEWAL_DUE"] and due[0].due == expiry.date()
    late = [a for a in sreg.alerts(at=expiry + timedelta(days=1), notify=True) if a.code.startswith("ARCHIVE")]
    assert [(a.code, a.severity) for a in late] == [("ARCHIVE_PROOF_EXPIRED", "critical")]
    sent = [a for a in collector.alerts if a.code.startswith("ARCHIVE")]
    assert [a.code for a in sent] == ["ARCHIVE_RENEWAL_DUE", "ARCHIVE_PROOF_EXPIRED"]
    assert "qd.pdf" in sent[0].message_en and "renew" in sent[0].message_en and sent[0].message_vi
    assert sent[0].details["proof_holds_until"] == expiry.isoformat()
