"""Issue 14 item 1: plugins can only make a decision stricter, never bend it or its record.

Every hook that receives a mutable object is exercised with a plugin that changes it:
the host decisions (on_receive / on_send), the evidence manifest, the signed bytes about
to be written, the request, the verification report, audit events and alerts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from vbsign import api, testpki
from vbsign._core.errors import PluginError
from vbsign._core.i18n import Msg
from vbsign.host import (
    IncomingDocument,
    OutgoingDocument,
    ReceiveContext,
    ReceiveDecision,
    SendContext,
    SendDecision,
    on_receive,
    on_send,
)
from vbsign.model.report import Indication, Severity
from vbsign.pki.validation import Services
from vbsign.plugins import manager

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def receiver(pki: testpki.TestPKI, agency_policy: Path) -> ReceiveContext:
    return ReceiveContext(
        trust=pki.roots,
        policy=str(agency_policy),
        services=Services(online=False, fetcher_backend=pki.fetcher_backend(T0)),
        tsa=pki.timestamper(T0),
        unit="Sở Khoa học và Công nghệ Hà Nội",
        metadata={"channel": "truc-lien-thong"},
        clock=lambda: T0,
    )


@pytest.fixture
def sender(make_signer: Callable[..., api.Signer], agency_policy: Path) -> SendContext:
    return SendContext(person=make_signer("person"), seal=make_signer("agency"), unit="Bộ Khoa học và Công nghệ",
                       policy=str(agency_policy))


@pytest.fixture
def issued(pm: manager.PluginManager, sender: SendContext, sample_pdf: bytes) -> bytes:
    """A decision signed by the person and sealed by the agency (acceptable as it is)."""
    out = on_send(OutgoingDocument(sample_pdf, number="9/QĐ"), sender)
    assert out.decision is SendDecision.READY and out.signed is not None
    return out.signed


@pytest.fixture
def tampered(sign_as: Any, sample_pdf: bytes) -> bytes:
    signed = sign_as("person", sample_pdf)
    marker = b"ReportLab Generated PDF document"
    return signed.replace(marker, b"ReportLab Generated PDF documenT")


class Acceptor:
    """A plugin that "accepts" whatever arrives by setting the decision it was given."""

    def vbsign_on_receive(self, document: Any, context: Any, outcome: Any) -> None:
        outcome.decision = ReceiveDecision.ACCEPT
        outcome.reasons.clear()
        outcome.evidence.manifest["decision"] = "ACCEPT"
        if outcome.report is not None:
            outcome.report.indication = Indication.TOTAL_PASSED


def _refusals(outcome: Any) -> list[Any]:
    return [r for r in outcome.reasons if r.code == "PLUGIN_CHANGE_REFUSED"]


def test_a_plugin_cannot_accept_a_document_that_must_be_returned(
    pm: manager.PluginManager, receiver: ReceiveContext, tampered: bytes, tmp_path: Path
) -> None:
    pm.add_plugin(Acceptor(), "lenient-dms")
    got = on_receive(tampered, receiver)
    assert got.decision is ReceiveDecision.RETURN_TO_SENDER and not got.accepted
    assert got.reasons[0].code == "RETURN_TO_SENDER"
    assert got.report is not None and got.report.indication is Indication.TOTAL_FAILED
    (refused, *_) = _refusals(got)
    assert refused.details["plugin"] == "lenient-dms" and "lenient-dms" in refused.message_en
    assert "RETURN_TO_SENDER → ACCEPT" in refused.message_en
    # the record holds the real decision, in memory and on disk
    assert got.evidence.manifest["decision"] == "RETURN_TO_SENDER"
    written = json.loads((got.evidence.write(tmp_path / "ev") / "manifest.json").read_text("utf-8"))
    assert written["decision"] == "RETURN_TO_SENDER"
    assert "PLUGIN_CHANGE_REFUSED" in {r["code"] for r in written["reasons"]}


def test_a_plugin_cannot_accept_a_quarantined_document(
    pm: manager.PluginManager, receiver: ReceiveContext, sign_as: Any, sample_pdf: bytes
) -> None:
    signed = sign_as("person", sample_pdf, level="B-T")  # no revocation data inside
    offline = ReceiveContext(trust=receiver.trust, services=Services(online=False), clock=lambda: T0)
    pm.add_plugin(Acceptor(), "lenient-dms")
    got = on_receive(signed, offline)
    assert got.decision is ReceiveDecision.QUARANTINE
    assert got.evidence.manifest["decision"] == "QUARANTINE"
    assert _refusals(got)[0].details["plugin"] == "lenient-dms"


def test_a_plugin_may_make_a_receive_decision_stricter(
    pm: manager.PluginManager, receiver: ReceiveContext, issued: bytes
) -> None:
    class Cautious:
        def vbsign_on_receive(self, outcome: Any) -> None:
            outcome.decision = ReceiveDecision.QUARANTINE  # e.g. the virus scanner is down

    pm.add_plugin(Cautious(), "av-scan")
    got = on_receive(issued, receiver)
    assert got.decision is ReceiveDecision.QUARANTINE and got.reasons[0].code == "QUARANTINE"
    (named,) = [r for r in got.reasons if r.code == "PLUGIN_DECISION"]
    assert named.details == {"plugin": "av-scan", "decision": "QUARANTINE"}
    assert got.evidence.manifest["decision"] == "QUARANTINE"


def test_a_plugin_cannot_change_the_hosts_envelope_or_context(
    pm: manager.PluginManager, receiver: ReceiveContext, issued: bytes
) -> None:
    envelope = {"to": "Sở Khoa học và Công nghệ Hà Nội"}

    class Meddler:
        def vbsign_on_receive(self, document: Any, context: Any) -> None:
            try:
                document.metadata["to"] = "someone else"
            except TypeError:
                pass  # read-only: the expected outcome
            try:
                context.metadata["channel"] = "email"
            except TypeError:
                pass
            context.trust = []  # reassigning on its own copy changes nothing for the host
            context.tsa = None

    pm.add_plugin(Meddler(), "meddler")
    got = on_receive(IncomingDocument(issued, metadata=envelope), receiver)
    assert got.decision is ReceiveDecision.ACCEPT
    assert envelope == {"to": "Sở Khoa học và Công nghệ Hà Nội"}
    assert dict(receiver.metadata) == {"channel": "truc-lien-thong"} and receiver.trust
    assert receiver.tsa is not None and got.evidence.receipt is not None


def test_a_plugin_cannot_release_a_blocked_document_or_swap_its_bytes(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], sample_pdf: bytes
) -> None:
    class Releaser:
        def vbsign_on_send(self, outcome: Any) -> None:
            outcome.decision = SendDecision.READY
            outcome.reasons.clear()
            outcome.signed = sample_pdf  # "send the unsigned original instead"

    pm.add_plugin(Releaser(), "releaser")
    blocked = SendContext(person=make_signer("revoked"), seal=make_signer("agency"))
    out = on_send(OutgoingDocument(sample_pdf, number="1/QĐ"), blocked)
    assert out.decision is SendDecision.BLOCKED and out.signed is None
    assert "CERTIFICATE_REJECTED" in {r.code for r in out.reasons}
    assert {r.details["plugin"] for r in _refusals(out)} == {"releaser"}
    assert out.evidence.manifest["decision"] == "BLOCKED"


def test_a_plugin_cannot_swap_the_signed_bytes_of_a_ready_document(
    pm: manager.PluginManager, sender: SendContext, sample_pdf: bytes
) -> None:
    class Swapper:
        def vbsign_on_send(self, outcome: Any) -> None:
            outcome.signed = sample_pdf

    pm.add_plugin(Swapper(), "swapper")
    out = on_send(OutgoingDocument(sample_pdf, number="2/QĐ"), sender)
    assert out.decision is SendDecision.READY
    assert out.signed is not None and out.signed != sample_pdf and out.signed.startswith(sample_pdf[:8])
    (refused,) = _refusals(out)
    assert refused.details["changed"] == "signed" and refused.severity is Severity.WARNING
    assert out.evidence.manifest["decision"] == "READY"


def test_a_plugin_may_block_sending_by_setting_the_decision(
    pm: manager.PluginManager, sender: SendContext, sample_pdf: bytes
) -> None:
    class Blocker:
        def vbsign_on_send(self, outcome: Any) -> None:
            outcome.decision = SendDecision.BLOCKED

    pm.add_plugin(Blocker(), "blocker")
    out = on_send(OutgoingDocument(sample_pdf, number="3/QĐ"), sender)
    assert out.decision is SendDecision.BLOCKED
    assert [r.details["plugin"] for r in out.reasons if r.code == "PLUGIN_DECISION"] == ["blocker"]
    assert out.evidence.manifest["decision"] == "BLOCKED"


# ---- the sign / verify lifecycle ----------------------------------------------------------------


def test_after_sign_cannot_swap_the_bytes_that_are_written(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], sample_pdf_path: Path, tmp_path: Path
) -> None:
    class Swapper:
        def vbsign_after_sign(self, result: Any) -> None:
            result.data = b"%PDF-1.7 something else entirely"

    pm.add_plugin(Swapper(), "swapper")
    out = tmp_path / "out.pdf"
    with pytest.raises(PluginError) as ei:
        make_signer("person").sign(sample_pdf_path, out)
    assert ei.value.details["plugin"] == "swapper" and "swapper" in ei.value.msg.en
    assert not out.exists()


def test_before_sign_cannot_change_the_request(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], sample_pdf: bytes
) -> None:
    class Renamer:
        def vbsign_before_sign(self, request: Any) -> None:
            request.signer.subject_fields["common_name"] = "Someone Else"

    pm.add_plugin(Renamer(), "renamer")
    signer = make_signer("person")
    with pytest.raises(PluginError, match="renamer"):
        signer.sign(sample_pdf)
    assert signer.signer_info.common_name != "Someone Else"


def test_after_verify_cannot_remove_a_finding(
    pm: manager.PluginManager, sign_as: Any, verify_at: Any, sample_pdf: bytes
) -> None:
    signed = sign_as("person", sample_pdf, level="B-B")  # no timestamp: SIGNING_TIME_UNPROVEN

    class Tidy:
        def vbsign_after_verify(self, report: Any) -> None:
            for s in report.signatures:
                s.findings[:] = [f for f in s.findings if f.severity is not Severity.WARNING]

    baseline = verify_at(signed)
    assert any(f.severity is Severity.WARNING for s in baseline.signatures for f in s.findings)
    pm.add_plugin(Tidy(), "tidy")
    with pytest.raises(PluginError) as ei:
        verify_at(signed)
    assert ei.value.details["plugin"] == "tidy"


def test_one_audit_sink_cannot_change_what_the_next_one_records(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], sample_pdf: bytes
) -> None:
    seen: list[Any] = []

    class Recorder:
        def vbsign_audit_event(self, event: Any) -> None:
            seen.append(event)

    class Scrubber:
        def vbsign_audit_event(self, event: Any) -> None:
            event.details["metadata"]["document_id"] = "forged"
            event.details["level"] = "B-LTA"

    pm.add_plugin(Recorder(), "recorder")
    pm.add_plugin(Scrubber(), "scrubber")  # registered last: pluggy calls it first
    make_signer("person", level="B-T").sign(sample_pdf, metadata={"document_id": "CV-7"})
    (event,) = seen
    assert event.details["metadata"]["document_id"] == "CV-7" and event.details["level"] == "B-T"


def test_an_alert_receiver_cannot_change_what_the_next_one_sees() -> None:
    from vbsign.model.events import CertificateAlert
    from vbsign.plugins.lifecycle import notify_certificate_alert

    seen: list[Any] = []

    class Mailer:
        def vbsign_certificate_alert(self, alert: Any) -> None:
            seen.append(alert)

    class Muter:
        def vbsign_certificate_alert(self, alert: Any) -> None:
            alert.details["days_left"] = 999

    fresh = manager.PluginManager()
    fresh.add_plugin(Mailer(), "mailer")
    fresh.add_plugin(Muter(), "muter")
    alert = CertificateAlert("EXPIRING", "sắp hết hạn", "expiring", details={"days_left": 3})
    with manager.use_plugin_manager(fresh):
        notify_certificate_alert(alert)
    assert seen[0].details == {"days_left": 3} and alert.details == {"days_left": 3}


@pytest.fixture
def renderer_plugin() -> Iterator[list[Any]]:
    got: list[Any] = []

    class Whitewash:
        def vbsign_report_renderers(self) -> dict[str, Any]:
            def render(report: Any, lang: str) -> str:
                report.indication = Indication.TOTAL_PASSED
                got.append(report)
                return "ok"

            return {"whitewash": render}

    fresh = manager.PluginManager()
    fresh.load_entry_points(autoload=False)
    fresh.add_plugin(Whitewash(), "whitewash")
    with manager.use_plugin_manager(fresh):
        yield got


def test_a_renderer_cannot_change_the_report_it_renders(
    renderer_plugin: list[Any], sign_as: Any, verify_at: Any, sample_pdf: bytes
) -> None:
    from vbsign.plugins import render_report

    report = verify_at(sign_as("person", sample_pdf), trust=[])
    assert report.indication is Indication.INDETERMINATE
    assert render_report(report, "whitewash") == "ok"
    assert report.indication is Indication.INDETERMINATE and renderer_plugin[0] is not report


def test_objections_still_return_the_document(
    pm: manager.PluginManager, receiver: ReceiveContext, issued: bytes
) -> None:
    class Addressee:
        def vbsign_on_receive(self, document: Any) -> list[Msg]:
            return [Msg("Gửi sai nơi nhận.", "Wrong addressee.")]

    pm.add_plugin(Addressee(), "addressee")
    got = on_receive(issued, receiver)
    assert got.decision is ReceiveDecision.RETURN_TO_SENDER
    assert got.reasons[0].code == "RETURN_TO_SENDER" and got.reasons[1].code == "PLUGIN_OBJECTION"
    assert got.evidence.manifest["decision"] == "RETURN_TO_SENDER"


def test_a_policy_rule_from_outside_vbsign_cannot_change_the_report(
    sign_as: Any, verify_at: Any, sample_pdf: bytes
) -> None:
    """Rules come from plugins too (``vbsign_policy_rules``); they read a copy of the report."""
    import dataclasses

    from vbsign.policy import evaluate, load_policy
    from vbsign.policy.model import Citation, Level, Rule, passed

    def tidy(ev: Any) -> Any:
        ev.report.findings.clear()
        for s in ev.report.signatures:
            s.findings.clear()
        return passed(Msg("ok", "ok"))

    rule = Rule(id="ORG-98", requirement=Msg("x", "x"), citations=(Citation("ND68", "1"),), check=tidy,
                scope="document")
    pol = dataclasses.replace(load_policy("tt41"), rules=(rule,), levels={"ORG-98": Level.FAIL})
    report = verify_at(sign_as("person", sample_pdf, level="B-B"))  # SIGNING_TIME_UNPROVEN warning
    before = report.to_dict()
    result = evaluate(report, pol)
    assert report.to_dict() == before
    (r,) = [x for x in result.results if x.rule_id == "ORG-98"]
    assert r.status.value == "indeterminate" and "ORG-98 changed the verification report" in r.message_en
