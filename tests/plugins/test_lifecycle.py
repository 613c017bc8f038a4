"""Lifecycle hooks around signing and verification, and what a failing plugin may not do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from vbsign import api
from vbsign._core.errors import PluginError
from vbsign._core.i18n import Msg
from vbsign.model.report import Finding, Indication, Severity
from vbsign.pki.validation import Services
from vbsign.plugins import SignatureVetoed, SignDecision, manager

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
Recorder = Any  # the ``audit`` fixture (tests/plugins/conftest.py)


def test_audit_events_for_sign_and_verify(
    audit: Recorder, make_signer: Callable[..., api.Signer], sample_pdf: bytes, pki: Any
) -> None:
    signer = make_signer("person")
    result = signer.sign(sample_pdf, metadata={"document_id": "VB-0001", "unit": "Văn phòng Bộ"})
    report = api.verify(result.data, trust=pki.roots, now=T0, services=Services(online=False),
                        metadata={"document_id": "VB-0001"})
    assert report.indication is Indication.TOTAL_PASSED
    assert audit.kinds() == ["sign", "verify"]
    signed, verified = audit.events
    import hashlib

    assert signed.document_sha256 == hashlib.sha256(result.data).hexdigest()
    assert signed.document_id == "VB-0001" and signed.unit == "Văn phòng Bộ" and signed.verdict == "SIGNED"
    assert signed.signer_names == ("Nguyễn Văn A",)
    assert signed.certificate_fingerprints == (result.signer.sha256_fingerprint,)
    assert signed.details["input_sha256"] == hashlib.sha256(sample_pdf).hexdigest()
    assert verified.verdict == "TOTAL-PASSED" and verified.document_id == "VB-0001"
    assert verified.certificate_fingerprints == (result.signer.sha256_fingerprint,)


def test_before_sign_adds_metadata_to_the_signature(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], sample_pdf: bytes, verify_at: Any
) -> None:
    seen: list[Any] = []

    class Numbering:
        def vbsign_before_sign(self, request: Any) -> SignDecision:
            seen.append(request)
            return SignDecision.add(reason="Ban hành văn bản số 7/QĐ-BKHCN", dms_ticket="T-42")

    pm.add_plugin(Numbering(), "numbering")
    result = make_signer("agency").sign(sample_pdf, metadata={"document_id": "D7"}, location="Hà Nội")
    (req,) = seen
    assert req.document == sample_pdf and req.format == "pdf" and req.level == "B-LT"
    assert req.signer.common_name == "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA" and req.location == "Hà Nội"
    assert req.metadata == {"document_id": "D7"}
    assert result.metadata == {"document_id": "D7", "reason": "Ban hành văn bản số 7/QĐ-BKHCN", "dms_ticket": "T-42"}
    sig = verify_at(result.data).signatures[0]
    assert sig.reason == "Ban hành văn bản số 7/QĐ-BKHCN" and sig.location == "Hà Nội"


def test_caller_reason_wins_over_plugin_metadata(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], sample_pdf: bytes, verify_at: Any
) -> None:
    class Numbering:
        def vbsign_before_sign(self, request: Any) -> SignDecision:
            return SignDecision.add(reason="from plugin")

    pm.add_plugin(Numbering(), "numbering")
    result = make_signer("person", level="B-B").sign(sample_pdf, reason="Phê duyệt")
    assert verify_at(result.data).signatures[0].reason == "Phê duyệt"


def test_veto_refuses_the_signature_and_writes_nothing(
    pm: manager.PluginManager, audit: Recorder, make_signer: Callable[..., api.Signer],
    sample_pdf_path: Path, tmp_path: Path,
) -> None:
    class Guard:
        def vbsign_before_sign(self, request: Any) -> SignDecision | None:
            if request.metadata.get("role") == "seal" and "document_number" not in request.metadata:
                return SignDecision.refuse("Chưa cấp số văn bản.", "No document number assigned yet.")
            return None

    pm.add_plugin(Guard(), "numbering-guard")
    out = tmp_path / "signed.pdf"
    before = sample_pdf_path.read_bytes()
    with pytest.raises(SignatureVetoed) as ei:
        make_signer("agency").sign(sample_pdf_path, out, metadata={"role": "seal"})
    assert "numbering-guard" in ei.value.msg.vi and "Chưa cấp số văn bản." in ei.value.msg.vi
    assert "No document number assigned yet." in ei.value.msg.en
    assert ei.value.details["plugin"] == "numbering-guard"
    assert not out.exists() and sample_pdf_path.read_bytes() == before
    assert audit.events == []  # nothing was signed, nothing to audit
    # allowed once the number is there
    make_signer("agency").sign(sample_pdf_path, out, metadata={"role": "seal", "document_number": "1/QĐ"})
    assert out.exists()


@pytest.mark.parametrize("hook", ["vbsign_before_sign", "vbsign_after_sign", "vbsign_audit_event"])
def test_plugin_raising_in_sign_hooks_fails_cleanly(
    hook: str, pm: manager.PluginManager, make_signer: Callable[..., api.Signer],
    sample_pdf_path: Path, tmp_path: Path,
) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("disk of the archive is full")

    class Faulty:
        pass

    setattr(Faulty, hook, staticmethod(lambda *a, **k: boom()))
    pm.add_plugin(Faulty(), "faulty-archive")
    out = tmp_path / "signed.pdf"
    before = sample_pdf_path.read_bytes()
    with pytest.raises(PluginError) as ei:
        make_signer("person").sign(sample_pdf_path, out)
    err = ei.value
    assert "faulty-archive" in err.msg.vi and "faulty-archive" in err.msg.en and hook in err.msg.en
    assert "disk of the archive is full" in err.msg.en
    assert err.details == {"plugin": "faulty-archive", "hook": hook, "error": "RuntimeError"}
    assert isinstance(err.__cause__, RuntimeError)
    # the input is untouched and no output (not even a temporary file) was written
    assert sample_pdf_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [sample_pdf_path.name]


def test_after_sign_sees_the_signed_bytes(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], sample_pdf: bytes
) -> None:
    got: list[tuple[Any, Any]] = []

    class Archive:
        def vbsign_after_sign(self, request: Any, result: Any) -> None:
            got.append((request, result))

    pm.add_plugin(Archive(), "archive")
    result = make_signer("person", level="B-T").sign(sample_pdf)
    ((request, seen),) = got
    # the plugin reads its own copy of the result (vbsign.plugins.guard)
    assert seen == result and seen.data == result.data and seen.data.startswith(sample_pdf[:8]) and len(seen.data) > len(sample_pdf)
    assert request.document == sample_pdf and seen.level == "B-T"


def test_after_verify_adds_findings_but_never_changes_the_verdict(
    pm: manager.PluginManager, sign_as: Any, verify_at: Any, sample_pdf: bytes
) -> None:
    class Archivist:
        def vbsign_after_verify(self, report: Any) -> list[Finding]:
            return [Finding.of("ARCHIVE_COPY_MISSING", Severity.ERROR,
                               Msg("Chưa có bản lưu.", "No archive copy."))]

    pm.add_plugin(Archivist(), "archivist")
    report = verify_at(sign_as("person", sample_pdf))
    assert report.indication is Indication.TOTAL_PASSED
    (f,) = [f for f in report.findings if f.code == "ARCHIVE_COPY_MISSING"]
    assert f.details == {"plugin": "archivist"} and f.message_en == "No archive copy."


def test_plugin_returning_garbage_is_named(
    pm: manager.PluginManager, make_signer: Callable[..., api.Signer], sample_pdf: bytes
) -> None:
    class Garbage:
        def vbsign_before_sign(self, request: Any) -> str:
            return "yes please"

    pm.add_plugin(Garbage(), "garbage")
    with pytest.raises(PluginError) as ei:
        make_signer("person").sign(sample_pdf)
    assert "garbage" in str(ei.value) and "SignDecision" in str(ei.value)


def test_verify_fails_with_the_plugin_named_when_a_hook_raises(
    pm: manager.PluginManager, sign_as: Any, sample_pdf: bytes, pki: Any
) -> None:
    signed = sign_as("person", sample_pdf, level="B-B")

    class Broken:
        def vbsign_after_verify(self, report: Any) -> None:
            raise KeyError("x")

    pm.add_plugin(Broken(), "broken-siem")
    with pytest.raises(PluginError, match="broken-siem"):
        api.verify(signed, trust=pki.roots, now=T0, services=Services(online=False))
