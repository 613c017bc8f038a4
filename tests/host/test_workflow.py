"""The host bridge end to end: agency A signs and sends, agency B receives (acceptance tests)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import crl, ocsp, x509

from vbsign import api, testpki
from vbsign._core.errors import InputError, PluginError, VerificationError
from vbsign._core.i18n import Msg
from vbsign.appearance import AgencyConfig
from vbsign.host import (
    Attachment,
    EvidenceBundle,
    IncomingDocument,
    OutgoingDocument,
    ReceiveContext,
    ReceiveDecision,
    SendContext,
    SendDecision,
    async_on_receive,
    delete_evidence,
    on_receive,
    on_send,
)
from vbsign.model.report import Indication, Severity
from vbsign.pki.validation import Services
from vbsign.plugins import manager
from vbsign.testpki.sample_images import seal_png, signature_png
from vbsign.testpki.samples import SampleDocument, official_document_pdf

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
NUMBER = "12/QĐ-BKHCN"
CPS_URL = "https://ca.gov.vn/pki/pub/policies/CP"
#: the agency's local copy of its CA's CPS (the content is the host's business, not vbsign's)
CPS = {CPS_URL: "Quy chế chứng thực (bản lưu thử nghiệm) / CPS (test copy)".encode()}


@pytest.fixture(scope="module")
def appendix_pdf() -> bytes:
    return official_document_pdf(SampleDocument(title="PHỤ LỤC", number=NUMBER))


@pytest.fixture
def agency_a(make_signer: Callable[..., api.Signer], agency_policy: Path) -> SendContext:
    return SendContext(person=make_signer("person"), seal=make_signer("agency"), unit="Bộ Khoa học và Công nghệ",
                       location="Hà Nội", policy=str(agency_policy), cps_documents=CPS)


@pytest.fixture
def agency_b(pki: testpki.TestPKI, agency_policy: Path) -> ReceiveContext:
    return ReceiveContext(
        trust=pki.roots,
        policy=str(agency_policy),
        cps_documents=CPS,
        services=Services(online=False, fetcher_backend=pki.fetcher_backend(T0)),
        tsa=pki.timestamper(T0),
        unit="Sở Khoa học và Công nghệ Hà Nội",
        clock=lambda: T0,
    )


@pytest.fixture(scope="module")
def agency_appearance(tmp_path_factory: pytest.TempPathFactory) -> AgencyConfig:
    """The host's appearance configuration: a blue signature image and a red seal (PNG)."""
    d = tmp_path_factory.mktemp("look")
    (d / "chu-ky.png").write_bytes(signature_png())
    (d / "con-dau.png").write_bytes(seal_png())
    return AgencyConfig(signature_image=d / "chu-ky.png", seal_image=d / "con-dau.png", seal_diameter_mm=36)


@pytest.fixture(scope="module")
def sent(pki_dir: Path, pki: testpki.TestPKI, agency_policy: Path, sample_pdf: bytes, appendix_pdf: bytes,
         agency_appearance: AgencyConfig) -> Any:
    """Agency A's decision 12/QĐ-BKHCN with an appendix, sent once for the module's tests."""
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))

    def signer(label: str) -> api.Signer:
        return api.Signer(pki_dir / f"{label}.p12", passphrase="vbsign-test", trust=pki.roots,
                          tsa=pki.timestamper(T0), services=services, clock=lambda: T0)

    fresh = manager.PluginManager()
    fresh.load_entry_points(autoload=False)
    ctx = SendContext(person=signer("person"), seal=signer("agency"), unit="Bộ Khoa học và Công nghệ",
                      location="Hà Nội", policy=str(agency_policy), cps_documents=CPS,
                      appearance=agency_appearance, person_title="Phó Cục trưởng")
    doc = OutgoingDocument(sample_pdf, name="quyet-dinh-12.pdf", number=NUMBER, document_id="BKHCN-2026-12",
                           attachments=[Attachment(appendix_pdf, "phu-luc.pdf")], recipients=["Sở KH&CN Hà Nội"])
    with manager.use_plugin_manager(fresh):
        try:
            return on_send(doc, ctx)
        finally:
            ctx.seal.close()
            ctx.person.close()  # type: ignore[union-attr]


def _errors(outcome: Any) -> list[str]:
    return [r.code for r in outcome.reasons if r.severity is Severity.ERROR]


def test_agency_a_signs_person_then_seal_and_is_ready(sent: Any, sample_pdf: bytes) -> None:
    assert sent.decision is SendDecision.READY and sent.ready, sent.summary("en")
    # the only warning: the keys are PKCS#12 files, not FIPS-validated tokens (TT15-10)
    assert _errors(sent) == [] and {r.code for r in sent.reasons if r.severity is Severity.WARNING} == {"POLICY_TT15-10"}
    assert all(r.details["rule"] == "TT15-10" for r in sent.reasons if r.severity is Severity.WARNING)
    validation = sent.validation
    assert validation.policy == "bkhcn-test" and validation.status.value == "compliant"
    assert validation.result("VER-12").status.value == "passed"  # person + agency signatures
    assert validation.result("TT41-02", "S1").status.value == "passed"
    report = sent.report
    assert report.indication is Indication.TOTAL_PASSED
    person, seal = [s for s in report.signatures if s.kind == "signature"]
    assert person.signer.common_name == "Nguyễn Văn A" and person.reason == "Phê duyệt văn bản"
    assert seal.signer.common_name == "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"
    assert seal.reason == f"Ban hành văn bản số {NUMBER} ngày 01/12/2026" and seal.location == "Hà Nội"
    assert person.level == seal.level == "B-LT"
    assert sent.signed.startswith(sample_pdf[:1024])  # incremental updates of the original
    # the attachment: signed by the agency only, with the number
    ((name, att),) = sent.attachments
    assert name == "phu-luc.pdf" and att.startswith(b"%PDF-")
    ev = sent.evidence
    att_json = json.loads(ev.files["attachments/phu-luc.pdf.report.json"])
    assert att_json["indication"] == "TOTAL-PASSED"
    (att_sig,) = att_json["signatures"]
    assert att_sig["signer"]["subject_fields"]["common_name"] == "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"
    assert att_sig["reason"] == f"Văn bản kèm theo văn bản số {NUMBER}"


def test_send_evidence_bundle(sent: Any) -> None:
    ev = sent.evidence
    m = ev.manifest
    assert m["kind"] == "send" and m["decision"] == "READY" and m["document_number"] == NUMBER
    assert m["document"]["sha256"] == hashlib.sha256(sent.signed).hexdigest()
    assert m["metadata"]["document_id"] == "BKHCN-2026-12"
    assert m["attachments"][0]["sha256"] == hashlib.sha256(sent.attachments[0][1]).hexdigest()
    assert ev.report().indication is Indication.TOTAL_PASSED
    ocsps = [ocsp.OCSPResponse.load(b) for k, b in ev.files.items() if k.startswith("revocation/ocsp-")]
    crls = [crl.CertificateList.load(b) for k, b in ev.files.items() if k.startswith("revocation/crl-")]
    certs = [x509.Certificate.load(b) for k, b in ev.files.items() if k.startswith("certificates/")]
    assert ocsps and all(o["response_status"].native == "successful" for o in ocsps)
    assert crls
    names = {c.subject.native.get("common_name") for c in certs}
    assert {"Nguyễn Văn A", "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"} <= names
    assert set(m["files"]) == set(ev.files)
    assert all(m["files"][k]["sha256"] == hashlib.sha256(v).hexdigest() for k, v in ev.files.items())


def test_agency_b_accepts_with_receipt_and_evidence(sent: Any, agency_b: ReceiveContext, tmp_path: Path) -> None:
    got = on_receive(sent.signed, agency_b)
    assert got.decision is ReceiveDecision.ACCEPT and got.accepted, got.summary("en")
    assert got.reasons[0].code == "ACCEPTED" and _errors(got) == []
    assert got.validation.status.value == "compliant"
    tt41_04 = got.validation.result("TT41-04", "S2")
    assert tt41_04.status.value == "passed" and tt41_04.evidence["items"]["receipt_timestamp"]["source"] == "bundle"
    assert got.evidence.files["cps/01-CP"] == CPS[CPS_URL]
    assert got.evidence.manifest["cps"] == {CPS_URL: "cps/01-CP"}
    ev = got.evidence
    receipt = ev.receipt
    assert receipt is not None and receipt.time == T0 and receipt.hash_algorithm == "sha256"
    assert receipt.imprint == hashlib.sha256(sent.signed).hexdigest()
    assert ev.manifest["receipt_timestamp"]["file"] == "receipt-timestamp.tst"
    assert any(k.startswith("revocation/") for k in ev.files)
    target = got.evidence.write(tmp_path / "den-0001")
    loaded = EvidenceBundle.load(target)
    assert loaded.check(sent.signed) == []
    assert loaded.check(sent.signed + b"\n") != []  # a different file is detected
    assert loaded.report().indication is Indication.TOTAL_PASSED
    delete_evidence(target)
    assert not target.exists()


def test_a_valid_b_b_document_is_accepted_with_a_finding_not_returned(
    make_signer: Callable[..., api.Signer], agency_b: ReceiveContext, sample_pdf: bytes
) -> None:
    """The timestamp duty (TT 41/2017 Đ9 k1 a) binds the *sender*: a valid document without a
    signature timestamp is accepted, and the clerk is told what the sender did not do."""
    person, seal = make_signer("person", level="B-B"), make_signer("agency", level="B-B")
    bb = seal.sign(person.sign(sample_pdf).data).data
    got = on_receive(bb, agency_b)
    assert got.decision is ReceiveDecision.ACCEPT, got.summary("en")
    assert got.report is not None and all(s.level == "B-B" for s in got.report.signatures)
    tt41_01 = next(r for r in got.reasons if r.code == "POLICY_TT41-01")
    assert tt41_01.severity is Severity.WARNING and "the sender's duty" in tt41_01.message_en
    result = got.validation.result("TT41-01", "S1")
    assert result.other_party and result.effective_level.value == "INFORM" and result not in got.validation.failures()
    # the receiver's own duties still apply: the receipt timestamp is in the evidence
    assert got.validation.result("TT41-04", "S1").status.value == "passed"
    assert "POLICY_TT41-01" not in {r.code for r in got.reasons if r.severity is Severity.ERROR}


def test_document_tampered_in_transit_is_returned_with_the_reason(
    sent: Any, agency_b: ReceiveContext
) -> None:
    marker = b"ReportLab Generated PDF document"
    assert sent.signed.count(marker) == 1
    tampered = sent.signed.replace(marker, b"ReportLab Generated PDF documenT")
    got = on_receive(tampered, agency_b)
    assert got.decision is ReceiveDecision.RETURN_TO_SENDER
    head = got.reasons[0]
    assert head.code == "RETURN_TO_SENDER" and head.details["basis"] == "NĐ 30/2020/NĐ-CP Điều 21 khoản 2"
    assert "Điều 21 khoản 2" in head.message_vi and "Art. 21 cl. 2" in head.message_en
    assert "HASH_MISMATCH" in _errors(got)
    assert any("Nguyễn Văn A" in r.message_vi and "giá trị băm" in r.message_vi for r in got.reasons)
    # the evidence still records what arrived and when
    assert got.evidence.document_sha256 == hashlib.sha256(tampered).hexdigest()
    assert got.evidence.receipt is not None and got.evidence.manifest["decision"] == "RETURN_TO_SENDER"


def test_unsigned_document_is_returned(pm: manager.PluginManager, sample_pdf: bytes, agency_b: ReceiveContext) -> None:
    got = on_receive(sample_pdf, agency_b)
    assert got.decision is ReceiveDecision.RETURN_TO_SENDER
    assert "NO_SIGNATURE" in _errors(got)


def test_unsupported_file_is_returned(pm: manager.PluginManager, agency_b: ReceiveContext) -> None:
    got = on_receive(b"PK\x03\x04 not a pdf", agency_b)
    assert got.decision is ReceiveDecision.RETURN_TO_SENDER
    assert "UNSUPPORTED_FORMAT" in _errors(got)


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (an unreachable OCSP/CRL server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


def test_unreachable_revocation_status_is_quarantined_not_accepted(
    pm: manager.PluginManager, blackhole: int, tmp_path: Path, sample_pdf: bytes, no_network: None
) -> None:
    """A B-T document carries no revocation data; its CA's OCSP/CRL server does not answer."""
    dead = testpki.load(port=blackhole)  # certificates whose OCSP/CRL URLs point at the dead port
    p12 = tmp_path / "person.p12"
    p12.write_bytes(dead.pkcs12("person", "pw"))
    signer = api.Signer(p12, passphrase="pw", trust=dead.roots, tsa=dead.timestamper(T0), level="B-T",
                        services=Services(online=False, fetcher_backend=dead.fetcher_backend(T0)),
                        clock=lambda: T0)
    signed = signer.sign(sample_pdf).data
    ctx = ReceiveContext(trust=dead.roots, services=Services(online=True, timeout=0.5), tsa=dead.timestamper(T0),
                         clock=lambda: T0)
    started = time.monotonic()
    got = on_receive(signed, ctx)
    elapsed = time.monotonic() - started
    assert got.decision is ReceiveDecision.QUARANTINE, got.summary("en")
    assert got.reasons[0].code == "QUARANTINE" and not got.accepted
    assert "REVOCATION_UNAVAILABLE" in {r.code for r in got.reasons}
    assert got.report.indication is Indication.INDETERMINATE
    assert got.evidence.receipt is not None  # the receipt is kept whatever the decision
    # liveness, not speed: every request is bounded by the 0.5 s timeout, nothing hangs
    assert elapsed < 60


def test_revoked_signer_blocks_sending(pm: manager.PluginManager, make_signer: Callable[..., api.Signer],
                                       sample_pdf: bytes) -> None:
    ctx = SendContext(person=make_signer("revoked"), seal=make_signer("agency"))
    out = on_send(OutgoingDocument(sample_pdf, number="1/QĐ"), ctx)
    assert out.decision is SendDecision.BLOCKED and out.signed is None and out.report is None
    assert "CERTIFICATE_REJECTED" in _errors(out)
    assert any("thu hồi" in r.message_vi and "revoked" in r.message_en for r in out.reasons)
    assert out.evidence.manifest["decision"] == "BLOCKED"


def test_attachments_need_the_document_number(pm: manager.PluginManager, agency_a: SendContext,
                                              sample_pdf: bytes, appendix_pdf: bytes) -> None:
    with pytest.raises(InputError, match="App. I"):
        on_send(OutgoingDocument(sample_pdf, attachments=[Attachment(appendix_pdf, "pl.pdf")]), agency_a)


class AddresseeCheck:
    """What a DMS plugs in: a document sent to another agency goes back (Decree 30 Art. 21 cl. 2)."""

    def vbsign_on_receive(self, document: IncomingDocument, context: ReceiveContext, outcome: Any) -> list[Msg] | None:
        assert isinstance(document.content, bytes)  # the bytes as received
        if document.metadata.get("to") != context.unit:
            return [Msg("Văn bản gửi sai nơi nhận.", "The document was sent to the wrong addressee.")]
        return None

    def vbsign_on_send(self, document: OutgoingDocument, context: SendContext, outcome: Any) -> list[Msg]:
        return [] if document.recipients else [Msg("Chưa có nơi nhận.", "No addressee.")]


@pytest.mark.slow
def test_plugins_can_object_to_sending_and_receiving(
    pm: manager.PluginManager, agency_a: SendContext, agency_b: ReceiveContext, sample_pdf: bytes
) -> None:
    pm.add_plugin(AddresseeCheck(), "dms-addressee")
    out = on_send(OutgoingDocument(sample_pdf, number="3/CV"), agency_a)
    assert out.decision is SendDecision.BLOCKED
    (objection,) = [r for r in out.reasons if r.code == "PLUGIN_OBJECTION"]
    assert "dms-addressee" in objection.message_en and objection.details["plugin"] == "dms-addressee"
    assert out.evidence.manifest["decision"] == "BLOCKED"
    good = on_send(OutgoingDocument(sample_pdf, number="3/CV", recipients=["Sở KH&CN Hà Nội"]), agency_a)
    assert good.decision is SendDecision.READY
    right = IncomingDocument(good.signed, "3-CV.pdf", metadata={"to": "Sở Khoa học và Công nghệ Hà Nội"})
    assert on_receive(right, agency_b).decision is ReceiveDecision.ACCEPT
    wrong = IncomingDocument(good.signed, "3-CV.pdf", metadata={"to": "UBND tỉnh Ninh Bình"})
    got = on_receive(wrong, agency_b)
    assert got.decision is ReceiveDecision.RETURN_TO_SENDER
    assert got.reasons[0].code == "RETURN_TO_SENDER"
    assert "sai nơi nhận" in got.reasons[1].message_vi and got.evidence.manifest["decision"] == "RETURN_TO_SENDER"


def test_a_plugin_raising_in_a_host_hook_fails_the_operation(
    pm: manager.PluginManager, agency_a: SendContext, agency_b: ReceiveContext, sample_pdf: bytes,
    tmp_path: Path,
) -> None:
    class Crashing:
        def vbsign_on_receive(self, document: bytes, context: Any, outcome: Any) -> None:
            raise ConnectionError("national exchange axis unreachable")

    out = on_send(OutgoingDocument(sample_pdf, number="4/CV"), agency_a)
    pm.add_plugin(Crashing(), "axis-bridge")
    with pytest.raises(PluginError) as ei:
        on_receive(out.signed, agency_b)
    assert "axis-bridge" in ei.value.msg.vi and "vbsign_on_receive" in ei.value.msg.en


def test_audit_sink_sees_the_whole_story(
    audit: Any, agency_a: SendContext, agency_b: ReceiveContext, sample_pdf: bytes, appendix_pdf: bytes
) -> None:
    out = on_send(OutgoingDocument(sample_pdf, number=NUMBER, document_id="A-1",
                                   attachments=[Attachment(appendix_pdf, "pl.pdf")]), agency_a)
    on_receive(out.signed, agency_b)
    kinds = audit.kinds()
    assert kinds[:3] == ["sign", "sign", "sign"]  # person, seal, attachment seal
    assert kinds[-1] == "receive" and "send" in kinds and kinds.count("verify") == 3
    roles = [e.details["metadata"].get("role") for e in audit.events if e.kind == "sign"]
    assert roles == ["person", "seal", "attachment"]
    send = next(e for e in audit.events if e.kind == "send")
    assert send.verdict == "READY" and send.document_id == "A-1"
    assert send.signer_names == ("Nguyễn Văn A", "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA")
    recv = audit.events[-1]
    assert recv.verdict == "ACCEPT" and recv.unit == "Sở Khoa học và Công nghệ Hà Nội"
    assert recv.document_sha256 == hashlib.sha256(out.signed).hexdigest()


def test_receipt_timestamp_failure_is_a_warning(pm: manager.PluginManager, sent: Any,
                                                agency_b: ReceiveContext) -> None:
    agency_b.tsa = "http://tsa.invalid/tsa"
    agency_b.services = Services(online=False, fetcher_backend=agency_b.services.fetcher_backend)  # type: ignore[union-attr]
    got = on_receive(sent.signed, agency_b)
    assert got.decision is ReceiveDecision.ACCEPT and got.evidence.receipt is None
    (warn,) = [r for r in got.reasons if r.code == "RECEIPT_TIMESTAMP_FAILED"]
    assert warn.severity is Severity.WARNING and "Art. 9" in warn.message_en


def test_host_bridge_inside_a_running_event_loop(pm: manager.PluginManager, sent: Any,
                                                 agency_b: ReceiveContext) -> None:
    async def handler() -> tuple[Any, Any]:
        asyncio.get_running_loop()  # as in a FastAPI / aiohttp request handler
        first = await async_on_receive(sent.signed, agency_b)
        second = on_receive(sent.signed, agency_b)  # the sync API too, without nesting asyncio.run
        return first, second

    first, second = asyncio.run(handler())
    assert first.decision is second.decision is ReceiveDecision.ACCEPT


def test_evidence_is_never_overwritten_and_tampering_is_detected(sent: Any, tmp_path: Path) -> None:
    target = sent.evidence.write(tmp_path / "di-12")
    with pytest.raises(InputError):
        sent.evidence.write(target)
    assert [p.name for p in tmp_path.iterdir()] == ["di-12"]  # no temporary directory left behind
    report = target / "report.json"
    report.write_bytes(report.read_bytes().replace(b"TOTAL-PASSED", b"TOTAL-FAILED", 1))
    with pytest.raises(VerificationError, match="report.json"):
        EvidenceBundle.load(target)
    # deleting removes exactly the bundle's files; a file the host put there survives
    (target / "host-note.txt").write_text("giữ lại", encoding="utf-8")
    delete_evidence(target)
    assert sorted(p.name for p in target.iterdir()) == ["host-note.txt"]
    with pytest.raises(InputError):
        delete_evidence(tmp_path)  # not a bundle: refused


def test_storage_gaps_are_warnings_for_the_host_not_the_senders_fault(
    pm: manager.PluginManager, sent: Any, agency_b: ReceiveContext
) -> None:
    agency_b.cps_documents = {}  # no local CPS copy, and the TSA for the receipt is down
    agency_b.tsa = "http://tsa.invalid/tsa"
    agency_b.services = Services(online=False, fetcher_backend=agency_b.services.fetcher_backend)  # type: ignore[union-attr]
    got = on_receive(sent.signed, agency_b)
    assert got.decision is ReceiveDecision.ACCEPT, got.summary("en")
    storage = [r for r in got.reasons if r.code == "POLICY_TT41-04"]
    assert storage and all(r.severity is Severity.WARNING for r in storage)
    assert "CPS" in storage[0].message_en and "time of receipt" in storage[0].message_en
    validation = json.loads(got.evidence.files["validation.json"])["document"]
    assert validation["status"] == "passed" and validation["storage_warnings"] == ["TT41-04"]
    assert validation["result"]["status"] == "non-compliant"  # the engine's view, kept for auditors


def test_a_misnamed_policy_fails_before_anything_is_signed(
    audit: Any, agency_a: SendContext, sample_pdf: bytes
) -> None:
    from vbsign._core.errors import PolicyError

    agency_a.policy = "tt14"
    with pytest.raises(PolicyError):
        on_send(OutgoingDocument(sample_pdf, number="1/QĐ"), agency_a)
    assert audit.events == []


def test_policy_failure_returns_a_valid_but_non_compliant_document(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], agency_b: ReceiveContext, sample_pdf: bytes
) -> None:
    """Only the agency seal, no competent person's signature: valid, but not an official document (VER-12)."""
    seal_only = make_signer("agency").sign(sample_pdf, reason="Ban hành").data
    got = on_receive(seal_only, agency_b)
    assert got.report.indication is Indication.TOTAL_PASSED
    assert got.decision is ReceiveDecision.RETURN_TO_SENDER
    assert "POLICY_VER-12" in _errors(got)
