"""``on_send`` in two steps: the leader's key is elsewhere (openssl stands in for the token)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from vbsign import api, testpki
from vbsign.api.two_step import TwoStepSigner
from vbsign.errors import SessionRejected
from vbsign.host import OutgoingDocument, SendContext, SendDecision, complete_send, prepare_send
from vbsign.pki.validation import Services

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
KEYS = Path(testpki.__file__).parent / "keys"
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary needed")


def _openssl(tbs: bytes, key: str, tmp: Path) -> bytes:
    (tmp / "s.tbs").write_bytes(tbs)
    subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(KEYS / f"{key}.key.pem"), "-out", str(tmp / "s.bin"),
                    str(tmp / "s.tbs")], check=True)  # fmt: skip
    return (tmp / "s.bin").read_bytes()


def test_prepare_on_send_complete_when_the_signature_arrives(pki, pki_dir, sample_pdf, tmp_path):  # type: ignore[no-untyped-def]
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    common = dict(trust=pki.roots, tsa=pki.timestamper(T0), services=services, clock=lambda: T0)
    seal = api.Signer(pki_dir / "agency.p12", passphrase="vbsign-test", **common)
    ctx = SendContext(seal=seal, unit="Bộ Khoa học và Công nghệ", location="Hà Nội",
                      policy=str(pki_dir / "policy-test.toml"))  # fmt: skip
    doc = OutgoingDocument(sample_pdf, name="qd-12.pdf", number="12/QĐ-BKHCN")
    with TwoStepSigner(pki.cert("person"), pki.chain("person"), **common) as leader, seal:  # type: ignore[arg-type]
        pending = prepare_send(doc, ctx, leader)
        stored_session, stored_pdf = pending.session_json(), pending.document  # the DMS keeps these
        with pytest.raises(SessionRejected):
            complete_send(doc, ctx, leader, session=stored_session, signature=_openssl(pending.tbs, "person-b", tmp_path),
                          prepared_document=stored_pdf)  # fmt: skip
        outcome = complete_send(doc, ctx, leader, session=stored_session,
                                signature=_openssl(pending.tbs, "person", tmp_path), prepared_document=stored_pdf)  # fmt: skip
    assert outcome.decision is SendDecision.READY, [r.code for r in outcome.reasons]
    assert outcome.report is not None and len(outcome.report.signatures) == 2
    names = [s.signer.common_name for s in outcome.report.signatures if s.signer is not None]
    assert names[0] == pki.cert("person").subject.native["common_name"]
