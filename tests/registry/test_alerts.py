"""Lifecycle alerts at a fixed "today", revocation through the test PKI's real CRL/OCSP
responses (in-process), the token-recovery deadline, and the plugin hook."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pluggy
import pytest

from vbsign.model.events import CertificateAlert
from vbsign.pki.validation import Services
from vbsign.plugins.hookspecs import PROJECT, hookimpl

#: the fixed "now" of the registry fixtures (the same instant as the `t0` fixture)
T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def _codes(alerts: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for a in alerts:
        out.setdefault(a.code, []).append(a)
    return out


def _check(reg: Any, pki: Any, when: datetime) -> dict[str, str]:
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(when))
    return {c.subject_cn: result for c, result in reg.check_revocation(services=services, at=when)}


def test_revoked_through_crl_ocsp_and_token_deadline(seeded: tuple[Any, dict[str, int]], pki: Any) -> None:
    reg, ids = seeded
    results = _check(reg, pki, T0)
    assert results["Đỗ Văn Thu Hồi (TEST bị thu hồi)"] == "revoked"
    assert results["Vũ Thị Sau (TEST thu hồi sau)"] == "good"  # revoked only from 2027-03-01
    assert results["Nguyễn Văn A"] == results["Phạm Thị Dung"] == "good"
    revoked = reg.list_certificates(status="revoked")
    assert [c.subscriber_id for c in revoked] == [ids["revoked"]]
    assert revoked[0].revoked_at == datetime(2026, 6, 1, tzinfo=UTC)
    alerts = _codes(reg.alerts(at=T0))
    assert [a.subscriber_name for a in alerts["CERT_REVOKED"]] == ["Đỗ Văn Thu Hồi (TEST bị thu hồi)"]
    assert alerts["CERT_REVOKED"][0].severity == "critical"
    # notice on Tue 01/12/2026: Wed 2, Thu 3, Fri 4, Mon 7, Tue 8
    (due,) = alerts["TOKEN_RECOVERY_DUE"]
    assert due.due == date(2026, 12, 8) and due.details["working_days_left"] == 5
    assert "08/12/2026" in due.message.vi and "5 working days" in due.message.en
    # across a weekend and a holiday the deadline moves
    reg.add_holiday(date(2026, 12, 7), "Ngày nghỉ (thử nghiệm)")
    (due2,) = _codes(reg.alerts(at=T0))["TOKEN_RECOVERY_DUE"]
    assert due2.due == date(2026, 12, 9)
    late = _codes(reg.alerts(at=datetime(2026, 12, 10, 3, tzinfo=UTC)))
    assert "TOKEN_RECOVERY_DUE" not in late
    (overdue,) = late["TOKEN_RECOVERY_OVERDUE"]
    assert overdue.severity == "critical" and overdue.details["working_days_late"] == 1
    # the token handed back to the CA (form 08): no more deadline alerts
    fp = revoked[0].fingerprint
    reg.set_certificate_token(fp, "TK-REV")
    reg.record_handover("TK-REV", reason="return_to_ca", to_party="Cục Chứng thực số và Bảo mật thông tin")
    after = _codes(reg.alerts(at=datetime(2026, 12, 10, 3, tzinfo=UTC)))
    assert "TOKEN_RECOVERY_OVERDUE" not in after and "CERT_REVOKED" in after


def test_revoked_later(seeded: tuple[Any, dict[str, int]], pki: Any) -> None:
    reg, _ = seeded
    when = datetime(2027, 4, 1, 3, tzinfo=UTC)
    results = _check(reg, pki, when)
    assert results["Vũ Thị Sau (TEST thu hồi sau)"] == "revoked"


def test_no_revocation_data_is_unknown_never_good(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, _ = seeded
    results = reg.check_revocation(services=Services(online=False), at=T0)
    assert results and {r for _, r in results} == {"unknown"}
    assert reg.list_certificates(status="revoked") == []
    unknown = _codes(reg.alerts(at=T0))["REVOCATION_UNKNOWN"]
    assert len(unknown) == len(results)
    assert "thu hồi" in unknown[0].message.vi and "OCSP/CRL" in unknown[0].message.vi


def test_no_trust_anchor_is_unknown(sreg: Any, pki: Any) -> None:
    sreg.add_unit("BO", "Bộ Khoa học và Công nghệ")
    sreg.import_certificates([pki.cert("agency")])  # no CA certificate in the registry
    ((_, result),) = sreg.check_revocation(services=Services(online=False, fetcher_backend=pki.fetcher_backend(T0)), at=T0)
    assert result == "unknown"


def test_expiring_and_expired_at_a_fixed_today(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, ids = seeded
    at = datetime(2029, 12, 10, 3, tzinfo=UTC)
    expiring = _codes(reg.alerts(at=at, within_days=30))["CERT_EXPIRING"]
    names = {a.subscriber_name for a in expiring}
    assert {"Nguyễn Văn A", "Cục Chuyển đổi số quốc gia", "Lê Văn Cường"} <= names
    a = next(x for x in expiring if x.subscriber_name == "Nguyễn Văn A")
    assert a.due == date(2030, 1, 1) and a.details["days_left"] == 22
    assert "01/01/2030" in a.message.vi and "22" in a.message.en
    assert "CERT_EXPIRING" not in _codes(reg.alerts(at=at, within_days=7))
    expired = _codes(reg.alerts(at=datetime(2030, 2, 1, tzinfo=UTC)))["CERT_EXPIRED"]
    assert "Nguyễn Văn A" in {x.subscriber_name for x in expired}
    reg.deactivate_subscriber(ids["person"])  # retired: no longer worth an alert
    expired = _codes(reg.alerts(at=datetime(2030, 2, 1, tzinfo=UTC)))["CERT_EXPIRED"]
    assert "Nguyễn Văn A" not in {x.subscriber_name for x in expired}


def test_missing_seal(seeded: tuple[Any, dict[str, int]]) -> None:
    reg, _ = seeded
    missing = {a.unit_code for a in reg.alerts(at=T0) if a.code == "SEAL_MISSING"}
    # CDS and SO-HN have valid seal certificates; BO and UBND-HN need none here; TTCNTT has
    # its own seal but no certificate for it
    assert missing == {"TTCNTT"}
    later = {a.unit_code for a in reg.alerts(at=datetime(2030, 2, 1, tzinfo=UTC)) if a.code == "SEAL_MISSING"}
    assert later == {"CDS", "TTCNTT", "SO-HN"}


def _cert(pki: Any, cn: str, unit_ou: str, start: datetime, years: float, uid: str) -> Any:
    from asn1crypto import x509
    from cryptography import x509 as pyca
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    issuer = pyca.load_der_x509_certificate(pki.cert("gov-ca").dump())
    ca_key = serialization.load_der_private_key(pki.private_key("gov-ca").dump(), None)
    subject = pyca.Name(
        [
            pyca.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            pyca.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Khoa học và Công nghệ"),
            pyca.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit_ou),
            pyca.NameAttribute(NameOID.COMMON_NAME, cn),
            pyca.NameAttribute(NameOID.USER_ID, uid),
        ]
    )
    c = (
        pyca.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        .serial_number(pyca.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365.25 * years))
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))


def test_validity_anomalies(seeded: tuple[Any, dict[str, int]], pki: Any) -> None:
    reg, _ = seeded
    reg.add_subscriber("Trịnh Văn Dài", "TTCNTT", uid="CCCD:079090000001")
    reg.add_subscriber("Đặng Thị Cũ", "TTCNTT", uid="CCCD:079090000002")
    reg.add_subscriber("Lương Văn Xưa", "TTCNTT", uid="CCCD:079090000003")
    start = datetime(2025, 3, 1, tzinfo=UTC)
    six_years = _cert(pki, "Trịnh Văn Dài", "Trung tâm Công nghệ thông tin", start, 6, "CCCD:079090000001")
    first = _cert(pki, "Đặng Thị Cũ", "Trung tâm Công nghệ thông tin", start, 2, "CCCD:079090000002")
    # a renewal (continuous validity) of four years: more than the 3-year maximum
    renewal = _cert(pki, "Đặng Thị Cũ", "Trung tâm Công nghệ thông tin", datetime(2027, 2, 1, tzinfo=UTC), 4,
                    "CCCD:079090000002")
    legacy = _cert(pki, "Lương Văn Xưa", "Trung tâm Công nghệ thông tin", datetime(2017, 1, 1, tzinfo=UTC), 10,
                   "CCCD:079090000003")
    result = reg.import_certificates([six_years, first, renewal, legacy])
    assert [i.renewal_of is not None for i in result.items] == [False, False, True, False]
    anomalies = _codes(reg.alerts(at=T0))["VALIDITY_ANOMALY"]
    by_fp = {a.fingerprint: a for a in anomalies}
    fps = [i.fingerprint for i in result.items]
    assert set(by_fp) == {fps[0], fps[2], fps[3]}  # the 2-year certificate is fine
    assert by_fp[fps[0]].details["max_years"] == 5 and by_fp[fps[0]].severity == "warning"
    assert by_fp[fps[2]].details["max_years"] == 3 and "gia hạn" in by_fp[fps[2]].message.vi
    assert by_fp[fps[3]].severity == "info" and by_fp[fps[3]].details["predates_decree_68"]
    # the test PKI's 5-year certificates are exactly at the limit: no anomaly
    assert not any(a.subscriber_name == "Nguyễn Văn A" for a in anomalies)


class _Collector:
    def __init__(self) -> None:
        self.alerts: list[CertificateAlert] = []

    @hookimpl
    def vbsign_certificate_alert(self, alert: CertificateAlert) -> None:
        self.alerts.append(alert)


def test_alerts_are_sent_through_the_plugin_hook_once(seeded: tuple[Any, dict[str, int]], pki: Any) -> None:
    from vbsign.plugins.hookspecs import RegistrySpec

    reg, _ = seeded
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(RegistrySpec)
    collector = _Collector()
    pm.register(collector)
    reg.plugin_manager = pm
    _check(reg, pki, T0)
    sent = reg.alerts(at=T0, notify=True)
    assert len(collector.alerts) == len(sent) > 0
    revoked = next(a for a in collector.alerts if a.code == "CERT_REVOKED")
    assert isinstance(revoked, CertificateAlert) and revoked.message_vi and revoked.message_en
    assert revoked.certificate_fingerprint and revoked.details["severity"] == "critical"
    token = next(a for a in collector.alerts if a.code == "TOKEN_RECOVERY_DUE")
    assert token.due is not None and token.due.date() == date(2026, 12, 8)
    reg.alerts(at=T0, notify=True)  # nothing new
    assert len(collector.alerts) == len(sent)
    reg.alerts(at=T0, notify=True, only_new=False)
    assert len(collector.alerts) == 2 * len(sent)


def test_alerts_go_through_the_process_wide_plugin_manager(seeded: tuple[Any, dict[str, int]]) -> None:
    manager = pytest.importorskip("vbsign.plugins.manager")
    reg, _ = seeded
    pm = manager.PluginManager()
    collector = _Collector()
    pm.add_plugin(collector, "test-alert-collector")
    with manager.use_plugin_manager(pm):
        sent = reg.alerts(at=datetime(2029, 12, 10, tzinfo=UTC), notify=True)
    assert {a.code for a in collector.alerts} == {a.code for a in sent} >= {"CERT_EXPIRING"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_alert_messages_exist_in_both_languages(seeded: tuple[Any, dict[str, int]], lang: str) -> None:
    reg, _ = seeded
    for a in reg.alerts(at=datetime(2029, 12, 10, tzinfo=UTC)):
        text = a.message.get(lang)  # type: ignore[arg-type]
        assert text and text != (a.message.en if lang == "vi" else a.message.vi)
