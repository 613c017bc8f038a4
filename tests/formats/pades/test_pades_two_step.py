"""Two-step PAdES signing: prepare → an external signer (real openssl) → complete → verify.

Services are the test PKI in process at the fixed time T0; the external signer is the
``openssl`` binary signing ``SESSION.tbs`` like any message.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import T0, Clock
from vbsign import testpki
from vbsign.api import two_step
from vbsign.errors import SessionRejected
from vbsign.model.report import Indication
from vbsign.pki.validation import Services

KEYS = Path(testpki.__file__).parent / "keys"
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary needed")


def openssl_sign(tbs: bytes, key: str, tmp: Path, *extra: str) -> bytes:
    (tmp / "s.tbs").write_bytes(tbs)
    subprocess.run(
        ["openssl", "dgst", "-sha256", *extra, "-sign", str(KEYS / f"{key}.key.pem"), "-out", str(tmp / "s.bin"),
         str(tmp / "s.tbs")], check=True,
    )  # fmt: skip
    return (tmp / "s.bin").read_bytes()


def _prepare(pki: testpki.TestPKI, services: Services, tsa: object, data: bytes, level: str, clock: Clock, **kw: object):  # type: ignore[no-untyped-def]
    return two_step.prepare(
        data, certificate=pki.cert(str(kw.pop("subject", "person"))), chain=pki.chain("person"), trust=pki.roots,
        tsa=tsa, level=level, services=services, clock=clock, **kw,
    )  # fmt: skip


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_openssl_round_trip(pki, services, tsa, sample_pdf, tmp_path, verify_at, clock, level):  # type: ignore[no-untyped-def]
    prep = _prepare(pki, services, tsa, sample_pdf, level, clock)
    assert prep.session.algorithm_name == "sha256_rsa"
    assert prep.session.tbs[0] == 0x31  # DER SET OF attributes: what CMS signs
    session_json = prep.session_json()
    assert len(session_json) < 16_000 and "PRIVATE" not in session_json
    sig = openssl_sign(prep.tbs, "person", tmp_path)
    result = two_step.complete(session_json, sig, document=prep.document, trust=pki.roots, tsa=tsa,
                               services=services, clock=clock)  # fmt: skip
    assert result.level == level and result.field_name == "ChuKy1"
    report = verify_at(result.data, fetch=level in ("B-B", "B-T"))
    assert report.indication is Indication.TOTAL_PASSED, report.to_dict()
    assert (result.timestamp_time is None) == (level == "B-B")


def test_visible_decree30_appearance_b_lt(pki, services, tsa, sample_pdf, tmp_path, verify_at, clock):  # type: ignore[no-untyped-def]
    from vbsign.appearance import build_appearance
    from vbsign.testpki.sample_images import signature_png

    img = tmp_path / "sig.png"
    img.write_bytes(signature_png())
    prep = _prepare(pki, services, tsa, sample_pdf, "B-LT", clock, appearance=build_appearance("person", image=img))
    sig = openssl_sign(prep.tbs, "person", tmp_path)
    result = two_step.complete(prep.session, sig, document=prep.document, trust=pki.roots, tsa=tsa,
                               services=services, clock=clock)  # fmt: skip
    report = verify_at(result.data)
    assert report.indication is Indication.TOTAL_PASSED
    appearance = report.signatures[0].appearance
    assert appearance is not None and appearance.visible and appearance.images


def test_pss_and_ecdsa(pki, services, tsa, sample_pdf, tmp_path, verify_at, clock):  # type: ignore[no-untyped-def]
    prep = _prepare(pki, services, tsa, sample_pdf, "B-LT", clock, prefer_pss=True)
    assert prep.session.algorithm_name == "rsassa_pss"
    sig = openssl_sign(prep.tbs, "person", tmp_path, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:max")
    result = two_step.complete(prep.session, sig, document=prep.document, trust=pki.roots, tsa=tsa,
                               services=services, clock=clock)  # fmt: skip
    assert verify_at(result.data).indication is Indication.TOTAL_PASSED
    ec = two_step.prepare(sample_pdf, certificate=pki.cert("person-ec"), chain=pki.chain("person-ec"),
                          trust=pki.roots, tsa=tsa, level="B-LT", services=services, clock=clock)  # fmt: skip
    assert ec.session.algorithm_name == "sha256_ecdsa"
    sig = openssl_sign(ec.tbs, "person-ec", tmp_path)
    result = two_step.complete(ec.session, sig, document=ec.document, trust=pki.roots, tsa=tsa,
                               services=services, clock=clock)  # fmt: skip
    assert verify_at(result.data).indication is Indication.TOTAL_PASSED


@pytest.fixture
def prepared(pki, services, tsa, sample_pdf, clock):  # type: ignore[no-untyped-def]
    return _prepare(pki, services, tsa, sample_pdf, "B-T", clock)


def _complete(prep, sig, pki, services, tsa, clock, **kw):  # type: ignore[no-untyped-def]
    return two_step.complete(kw.pop("session", prep.session_json()), sig, document=kw.pop("document", prep.document),
                             trust=pki.roots, tsa=tsa, services=services, clock=clock, **kw)  # fmt: skip


def _reason(excinfo: pytest.ExceptionInfo[SessionRejected]) -> str:
    return str(excinfo.value.details["reason"])


def test_refuses_another_key(prepared, pki, services, tsa, clock, tmp_path):  # type: ignore[no-untyped-def]
    sig = openssl_sign(prepared.tbs, "person-b", tmp_path)
    with pytest.raises(SessionRejected) as e:
        _complete(prepared, sig, pki, services, tsa, clock)
    assert _reason(e) == "wrong_key" and "another key" in e.value.msg.en and "khóa khác" in e.value.msg.vi


def test_refuses_other_bytes(prepared, pki, services, tsa, clock, tmp_path):  # type: ignore[no-untyped-def]
    sig = openssl_sign(prepared.tbs + b"x", "person", tmp_path)
    with pytest.raises(SessionRejected) as e:
        _complete(prepared, sig, pki, services, tsa, clock)
    assert _reason(e) == "other_bytes" and "other bytes" in e.value.msg.en


def test_refuses_expired_session(prepared, pki, services, tsa, clock, tmp_path):  # type: ignore[no-untyped-def]
    sig = openssl_sign(prepared.tbs, "person", tmp_path)
    clock.advance(minutes=31)
    with pytest.raises(SessionRejected) as e:
        _complete(prepared, sig, pki, services, tsa, clock)
    assert _reason(e) == "expired" and "expired" in e.value.msg.en


def test_refuses_tampered_session_and_document(prepared, pki, services, tsa, clock, tmp_path):  # type: ignore[no-untyped-def]
    sig = openssl_sign(prepared.tbs, "person", tmp_path)
    obj = json.loads(prepared.session_json())
    obj["expires"] = (T0 + timedelta(days=365)).isoformat()
    with pytest.raises(SessionRejected) as e:
        _complete(prepared, sig, pki, services, tsa, clock, session=json.dumps(obj))
    assert _reason(e) == "tampered"
    doc = bytearray(prepared.document)
    doc[100] ^= 1
    with pytest.raises(SessionRejected) as e:
        _complete(prepared, sig, pki, services, tsa, clock, document=bytes(doc))
    assert _reason(e) == "document_changed"


def test_host_secret_seals_the_session(prepared, pki, services, tsa, clock, tmp_path):  # type: ignore[no-untyped-def]
    sig = openssl_sign(prepared.tbs, "person", tmp_path)
    sealed = prepared.session_json(secret="host-secret")
    with pytest.raises(SessionRejected) as e:
        _complete(prepared, sig, pki, services, tsa, clock, session=sealed)  # no secret
    assert _reason(e) == "secret"
    with pytest.raises(SessionRejected) as e:
        _complete(prepared, sig, pki, services, tsa, clock, session=sealed, secret="other")
    assert _reason(e) == "tampered"
    result = _complete(prepared, sig, pki, services, tsa, clock, session=sealed, secret="host-secret")
    assert result.data.startswith(b"%PDF")


def test_a_timestamped_level_needs_a_tsa_to_complete(prepared, pki, services, clock, tmp_path):  # type: ignore[no-untyped-def]
    from vbsign.errors import InputError

    sig = openssl_sign(prepared.tbs, "person", tmp_path)
    with pytest.raises(InputError) as e:  # B-T must not silently become B-B
        two_step.complete(prepared.session_json(), sig, document=prepared.document, trust=pki.roots,
                          services=services, clock=clock)  # fmt: skip
    assert "timestamp server" in e.value.msg.en
