"""Two-step XAdES and CAdES: prepare → openssl → complete → verify (test PKI in process)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vbsign import testpki
from vbsign.api import two_step
from vbsign.errors import SessionRejected
from vbsign.model.report import Indication

KEYS = Path(testpki.__file__).parent / "keys"
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary needed")
XML = "<?xml version='1.0' encoding='UTF-8'?><VanBan><TrichYeu>Về việc thử ký hai bước</TrichYeu></VanBan>".encode()


def _openssl(tbs: bytes, key: str, tmp: Path) -> bytes:
    (tmp / "s.tbs").write_bytes(tbs)
    subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(KEYS / f"{key}.key.pem"), "-out", str(tmp / "s.bin"),
                    str(tmp / "s.tbs")], check=True)  # fmt: skip
    return (tmp / "s.bin").read_bytes()


@pytest.mark.parametrize(
    ("data", "fmt", "packaging", "subject"),
    [(XML, None, None, "person"), (XML, None, "detached", "person-ec"), (b"any file \x00\x01", "cades", None, "person"),
     (b"enveloping", "cades", "enveloping", "person")],
)  # fmt: skip
def test_round_trip(pki, services, tsa, tmp_path, verify_at, clock, data, fmt, packaging, subject):  # type: ignore[no-untyped-def]
    prep = two_step.prepare(data, certificate=pki.cert(subject), chain=pki.chain(subject), trust=pki.roots, tsa=tsa,
                            level="B-LT", services=services, clock=clock, format=fmt, packaging=packaging)  # fmt: skip
    assert prep.document == data  # XAdES / CAdES: the host keeps the original
    sig = _openssl(prep.tbs, subject, tmp_path)
    result = two_step.complete(prep.session_json(), sig, document=data, trust=pki.roots, tsa=tsa,
                               services=services, clock=clock)  # fmt: skip
    assert result.level == "B-LT" and result.timestamp_time is not None
    detached = packaging == "detached" or (fmt == "cades" and packaging is None)
    report = verify_at(result.data, **({"content": data} if detached else {}))
    assert report.indication is Indication.TOTAL_PASSED, report.to_dict()


def test_xades_refuses_other_key_and_changed_document(pki, services, tsa, tmp_path, clock):  # type: ignore[no-untyped-def]
    prep = two_step.prepare(XML, certificate=pki.cert("person"), chain=pki.chain("person"), trust=pki.roots,
                            tsa=tsa, level="B-T", services=services, clock=clock)  # fmt: skip
    with pytest.raises(SessionRejected) as e:
        two_step.complete(prep.session, _openssl(prep.tbs, "agency", tmp_path), document=XML, trust=pki.roots,
                          tsa=tsa, services=services, clock=clock)  # fmt: skip
    assert e.value.details["reason"] == "wrong_key"
    with pytest.raises(SessionRejected) as e:
        two_step.complete(prep.session, _openssl(prep.tbs, "person", tmp_path), document=XML + b" ",
                          trust=pki.roots, tsa=tsa, services=services, clock=clock)  # fmt: skip
    assert e.value.details["reason"] == "document_changed"
