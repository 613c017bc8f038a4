"""PAdES augmentation (issue 18): B-B → B-T → B-LT → B-LTA, renewal, refusals, batch."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import vbsign
from tests.conftest import T0
from vbsign.errors import InputError, SigningError
from vbsign.model.report import Indication
from vbsign.pki.validation import Services

OFFLINE = Services(online=False)


@pytest.fixture
def bb_pdf(sign_as, sample_pdf: bytes) -> bytes:  # type: ignore[no-untyped-def]
    return sign_as("person", sample_pdf, level="B-B")


def _extend(data: bytes | Path, pki, services, tsa, **kw):  # type: ignore[no-untyped-def]
    return vbsign.extend(data, tsa=tsa, trust=pki.roots, services=services, clock=lambda: T0, **kw)


def test_step_by_step_each_level_verifies(bb_pdf, pki, services, tsa, verify_at) -> None:  # type: ignore[no-untyped-def]
    data = bb_pdf
    seen = []
    for level in ("b-t", "b-lt", "b-lta"):
        result = _extend(data, pki, services, tsa, level=level)
        assert result.level_after == level.upper(), result
        assert result.data.startswith(data)  # incremental: every earlier byte kept
        # B-T has no validation data yet: fetch; B-LT and B-LTA verify offline
        report = verify_at(result.data, fetch=level == "b-t")
        assert report.indication is Indication.TOTAL_PASSED, [(s.id, s.findings) for s in report.signatures]
        assert next(s for s in report.signatures if s.kind == "signature").level == level.upper()
        seen.append(result.steps)
        data = result.data
    assert seen == [["document-timestamp"], ["validation-data"], ["archive-timestamp"]]
    assert _extend(data, pki, services, tsa, level="b-lt").steps == []  # already there: unchanged


def test_b_b_to_b_lta_in_one_call_then_renew(bb_pdf, pki, services, tsa, verify_at) -> None:  # type: ignore[no-untyped-def]
    lta = _extend(bb_pdf, pki, services, tsa, level="b-lta")
    assert (lta.level_before, lta.level_after) == ("B-B", "B-LTA")
    renewed = _extend(lta.data, pki, services, tsa, level="b-lta", renew=True)
    assert renewed.steps == ["archive-timestamp-renewed"]
    report = verify_at(renewed.data)
    assert report.indication is Indication.TOTAL_PASSED
    assert [s.kind for s in report.signatures].count("document-timestamp") == 3


def test_refuses_a_signature_that_does_not_verify(bb_pdf, pki, services, tsa) -> None:  # type: ignore[no-untyped-def]
    tampered = bytearray(bb_pdf)
    i = tampered.index(b"/Producer")
    tampered[i + 1] ^= 0x20
    with pytest.raises(SigningError) as e:
        _extend(bytes(tampered), pki, services, tsa, level="b-lta")
    assert "TOTAL-FAILED" in e.value.message_en and "does not verify now" in e.value.message_en
    assert e.value.message_vi.startswith("Không gia hạn")


def test_refuses_revoked_signer(sign_as, sample_pdf, pki, tsa) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from tests.conftest import services_at

    # signed before the revocation (2027-03-01), extended after it: the signature is still
    # good at its signing time but the signer is revoked now -> B-LT data cannot be made
    signed = sign_as("revoked-later", sample_pdf, level="B-T")
    later = T0.replace(year=2027, month=6)
    with pytest.raises(SigningError):
        vbsign.extend(
            signed, level="b-lt", tsa=pki.timestamper(later), trust=pki.roots,
            services=services_at(pki, later), clock=lambda: later + timedelta(0),
        )


def test_output_atomic_input_untouched_and_never_overwritten(tmp_path, bb_pdf, pki, services, tsa) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.pdf"
    src.write_bytes(bb_pdf)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    with pytest.raises(InputError):
        _extend(src, pki, services, tsa, output=src, level="b-lta")
    out = tmp_path / "out.pdf"
    result = _extend(src, pki, services, tsa, output=out, level="b-lta")
    assert result.output == out and out.read_bytes() == result.data
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("*.tmp"))


def test_batch_one_failure_does_not_stop_the_rest(tmp_path, bb_pdf, pki, services, tsa) -> None:  # type: ignore[no-untyped-def]
    good, bad = tmp_path / "a.pdf", tmp_path / "b.pdf"
    good.write_bytes(bb_pdf)
    bad.write_bytes(b"%PDF-1.7\nnot really\n%%EOF\n")
    out = tmp_path / "out"
    out.mkdir()
    items = vbsign.extend_many(
        [bad, good], out, level="b-lta", tsa=tsa, trust=pki.roots, services=services, clock=lambda: T0
    )
    assert [i.source.name for i in items] == ["b.pdf", "a.pdf"]
    assert items[0].error is not None and items[0].result is None
    assert items[1].result is not None and items[1].result.level_after == "B-LTA"
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf"]


def test_needs_a_tsa_and_a_real_level(bb_pdf, pki, services) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        vbsign.extend(bb_pdf, level="b-lta", trust=pki.roots, services=services)
    with pytest.raises(InputError):
        vbsign.extend(bb_pdf, level="b-b", tsa=pki.timestamper(T0), trust=pki.roots, services=services)
