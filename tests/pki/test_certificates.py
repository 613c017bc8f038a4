"""Pre-signing certificate checks and validation-time semantics (long-term, revocation)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from vbsign import api
from vbsign._core.errors import CertificateRejected
from vbsign.model.report import Indication, SubIndication
from vbsign.pki.validation import Services


def _sign(pki_dir, pki, subject, data, when, level="B-LT", **kw):  # type: ignore[no-untyped-def]
    return api.sign(
        data, key=pki_dir / f"{subject}.p12", passphrase="vbsign-test", trust=pki.roots,
        tsa=pki.timestamper(when), level=level,
        services=Services(online=False, fetcher_backend=pki.fetcher_backend(when)), clock=lambda: when, **kw,
    ).data


@pytest.mark.parametrize(
    ("subject", "code"),
    [
        ("revoked", "REVOKED"),
        ("expired", "EXPIRED"),
        ("not-yet-valid", "NOT_YET_VALID"),
        ("wrong-ku", "WRONG_KEY_USAGE"),
        ("rsa1024", "WEAK_KEY"),
        ("sha1", "WEAK_ALGORITHM"),
    ],
)
@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_bad_signer_refused_before_signing_at_every_level(subject, code, level, pki_dir, pki, sample_pdf, t0):
    with pytest.raises(CertificateRejected) as exc:
        _sign(pki_dir, pki, subject, sample_pdf, t0, level=level)
    assert code in exc.value.details["codes"]
    assert exc.value.reasons  # explained, in both languages
    assert all(r.vi and r.en for r in exc.value.reasons)


def test_untrusted_signer_refused(pki_dir, pki, sample_pdf, t0):
    with pytest.raises(CertificateRejected) as exc:
        api.sign(sample_pdf, key=pki_dir / "subscriber.p12", passphrase="vbsign-test", trust=[pki.cert("gov-root")],
                 level="B-B", services=Services(online=False, fetcher_backend=pki.fetcher_backend(t0)), clock=lambda: t0)
    assert "NO_CHAIN" in exc.value.details["codes"]


def test_no_trust_anchor_configured_is_a_configuration_error(pki_dir, sample_pdf, t0, monkeypatch, tmp_path):
    from vbsign._core.errors import ConfigurationError

    monkeypatch.setenv("VBSIGN_TRUST_DIR", str(tmp_path / "empty"))
    with pytest.raises(ConfigurationError):
        api.sign(sample_pdf, key=pki_dir / "person.p12", passphrase="vbsign-test", level="B-B",
                 services=Services(online=False), clock=lambda: t0)


def test_revocation_unavailable_refuses_unless_explicitly_skipped(pki_dir, pki, sample_pdf, t0):
    with pytest.raises(CertificateRejected) as exc:
        api.sign(sample_pdf, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots, level="B-B",
                 services=Services(online=False), clock=lambda: t0)
    assert "REVOCATION_UNAVAILABLE" in exc.value.details["codes"]
    res = api.sign(sample_pdf, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots, level="B-B",
                   services=Services(online=False), clock=lambda: t0, check_revocation=False)
    assert res.warnings and "revocation" in res.warnings[0].en


def test_revoked_after_signing_with_timestamp_is_valid_at_signing_time(pki_dir, pki, sample_pdf, t0, verify_at):
    # revoked-later is revoked on 2027-03-01; signed (and timestamped) at T0 = 2026-12-01
    signed = _sign(pki_dir, pki, "revoked-later", sample_pdf, t0, level="B-T")
    later = datetime(2027, 6, 1, tzinfo=timezone.utc)
    report = verify_at(signed, when=later, fetch=True)  # fresh revocation data says "revoked"
    sig = report.signatures[0]
    assert sig.revocation is not None and sig.revocation.status == "revoked"
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert sig.has_finding("CERT_REVOKED_AFTER_SIGNING")
    # ... but "now" semantics says revoked
    now_report = verify_at(signed, when=later, fetch=True, at="now")
    assert now_report.indication is Indication.TOTAL_FAILED
    assert now_report.sub_indication is SubIndication.REVOKED


def test_revoked_after_claimed_time_without_timestamp_is_revoked_no_poe(pki_dir, pki, sample_pdf, t0, verify_at):
    signed = _sign(pki_dir, pki, "revoked-later", sample_pdf, t0, level="B-B")
    report = verify_at(signed, when=datetime(2027, 6, 1, tzinfo=timezone.utc), fetch=True)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.REVOKED_NO_POE


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
@pytest.mark.parametrize("days", [1, 400])
def test_long_term_signatures_verify_offline_in_the_future(level, days, sign_as, verify_at, sample_pdf, t0, no_network):
    signed = sign_as("person", sample_pdf, level=level)
    report = verify_at(signed, when=t0 + timedelta(days=days))  # offline: embedded data only
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert report.signatures[0].revocation.source == "embedded"


def test_bt_offline_in_the_future_is_indeterminate(sign_as, verify_at, sample_pdf, t0):
    report = verify_at(sign_as("person", sample_pdf, level="B-T"), when=t0 + timedelta(days=1))
    assert report.indication is Indication.INDETERMINATE


def test_no_trust_anchor_is_indeterminate(sign_as, verify_at, sample_pdf):
    report = verify_at(sign_as("person", sample_pdf), trust=[])
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_wrong_trust_anchor_is_indeterminate(sign_as, verify_at, sample_pdf, pki):
    report = verify_at(sign_as("person", sample_pdf), trust=[pki.cert("pub-root")])
    assert report.indication is Indication.INDETERMINATE


def test_now_mode_after_expiry_is_indeterminate(sign_as, verify_at, sample_pdf):
    signed = sign_as("person", sample_pdf)
    after_expiry = datetime(2030, 6, 1, tzinfo=timezone.utc)  # person cert valid until 2030-01-01
    assert verify_at(signed, when=after_expiry).indication is Indication.TOTAL_PASSED  # at signing time
    report = verify_at(signed, when=after_expiry, at="now")
    assert report.indication is Indication.INDETERMINATE
