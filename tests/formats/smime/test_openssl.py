"""Interoperability with OpenSSL's S/MIME: it accepts ours, we accept its."""

from __future__ import annotations

import quopri
import re
import shutil
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import pem

from tests._fixtures.smime import BODY, T0, codes, services_at
from vbsign._core.timefmt import utcnow
from vbsign.mail import parse_message, verify_message
from vbsign.model.report import Indication

if shutil.which("openssl") is None:  # pragma: no cover - Debian always has it
    pytest.skip("openssl is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def ossl(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Path:
    d = tmp_path_factory.mktemp("openssl")
    from vbsign.testpki import pem_bundle

    (d / "roots.pem").write_bytes(pem_bundle(pki.roots))
    (d / "chain.pem").write_bytes(pem_bundle(pki.intermediates))
    for label in ("mail-person", "mail-person-b"):
        (d / f"{label}.key").write_bytes(pem.armor("PRIVATE KEY", pki.private_key(label).dump()))
        (d / f"{label}.crt").write_bytes(pem.armor("CERTIFICATE", pki.cert(label).dump()))
    return d


def _verify(ossl: Path, path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["openssl", "smime", "-verify", "-in", str(path), "-CAfile", str(ossl / "roots.pem"),
         "-certfile", str(ossl / "chain.pem"), "-attime", str(int(T0.timestamp()))],
        capture_output=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("opaque", [False, True])
def test_openssl_verifies_our_messages(ossl: Path, sign_mail: Any, message: EmailMessage, opaque: bool, tmp_path: Path) -> None:
    out = tmp_path / "signed.eml"
    out.write_bytes(sign_mail(message, opaque=opaque).data)
    proc = _verify(ossl, out)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Verification successful" in proc.stderr
    content = parse_message(proc.stdout)  # what OpenSSL says was signed: our MIME entity
    body = next(p for p in content.walk() if p.get_content_type() == "text/plain")
    assert body.get_content().replace("\r\n", "\n") == BODY
    assert str(content["Subject"]).startswith("Quyết định số 12/QĐ-BKHCN")  # the protected copy


def test_openssl_rejects_a_changed_message(ossl: Path, sign_mail: Any, message: EmailMessage, tmp_path: Path) -> None:
    data = sign_mail(message).data
    out = tmp_path / "changed.eml"
    out.write_bytes(data.replace(b"Tr=C3=A2n", b"Th=C3=A2n", 1))
    proc = _verify(ossl, out)
    assert proc.returncode != 0 and b"Verification successful" not in proc.stderr


def _openssl_sign(ossl: Path, tmp_path: Path, *extra: str) -> bytes:
    body = tmp_path / "body.txt"
    body.write_bytes(
        b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + BODY.encode("utf-8")
    )
    out = tmp_path / "openssl.eml"
    subprocess.run(
        ["openssl", "smime", "-sign", "-md", "sha256", "-in", str(body), "-signer", str(ossl / "mail-person.crt"),
         "-inkey", str(ossl / "mail-person.key"), "-from", "thu.nt@bkhcn.vbsign.test",
         "-to", "nhan.pv@sokhcn.hanoi.vbsign.test", "-subject", "Cong van", "-out", str(out), *extra],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return out.read_bytes()


@pytest.mark.parametrize("opaque", [False, True])
def test_we_accept_openssl_messages(ossl: Path, pki: Any, tmp_path: Path, opaque: bool) -> None:
    data = _openssl_sign(ossl, tmp_path, *(["-nodetach"] if opaque else []))
    now = utcnow()  # OpenSSL signs at the wall-clock time
    checked = verify_message(data, trust=pki.roots, now=now, services=services_at(pki, now))
    rep = checked.report
    assert rep.indication is Indication.TOTAL_PASSED, codes(rep)
    assert rep.mail.layers == ["signed-data" if opaque else "multipart/signed"]
    assert rep.mail.canonical_form == "lf-to-crlf"  # OpenSSL writes LF line endings
    body = next(p for p in parse_message(checked.content).walk() if p.get_content_type() == "text/plain")
    assert body.get_content().replace("\r\n", "\n") == BODY
    if not opaque:
        assert "MAIL_8BIT_SIGNED" in codes(rep)  # OpenSSL signed 8-bit text as it was


def test_openssl_message_reencoded_by_a_relay(ossl: Path, pki: Any, tmp_path: Path) -> None:
    """A 7-bit relay turns the 8-bit part of an OpenSSL message into quoted-printable."""
    data = _openssl_sign(ossl, tmp_path).replace(b"\r\n", b"\n")
    m = re.search(rb"Content-Transfer-Encoding: 8bit\n\n(.*?)\n\n------", data, re.S)
    assert m is not None
    qp = quopri.encodestring(m.group(1).replace(b"\n", b"\r\n"), quotetabs=False).replace(b"=0D\n", b"\n")
    relayed = data[: m.start()] + b"Content-Transfer-Encoding: quoted-printable\n\n" + qp + data[m.end(1) :]
    now = utcnow()
    rep = verify_message(relayed, trust=pki.roots, now=now, services=services_at(pki, now)).report
    assert rep.indication is Indication.TOTAL_FAILED
    assert "MAIL_TRANSFER_ENCODING_CHANGED" in codes(rep), codes(rep)


def test_encrypting_or_signing_again_leaves_a_foreign_signed_part_intact(ossl: Path, pki: Any, pki_dir: Path, tmp_path: Path) -> None:
    """The signed part of another agent's message (here: address list written ``a,b`` without
    folding, which vbsign would write differently) must travel byte for byte."""
    from vbsign.mail import decrypt_message, encrypt_message, sign_message
    from vbsign.pki.trust import TrustStore

    body = tmp_path / "inner.txt"
    body.write_bytes(b"To: a@bkhcn.vbsign.test,b@bkhcn.vbsign.test\nContent-Type: text/plain; charset=utf-8\n\nNoi dung\n")
    out = tmp_path / "foreign.eml"
    subprocess.run(
        ["openssl", "smime", "-sign", "-in", str(body), "-signer", str(ossl / "mail-person.crt"), "-inkey",
         str(ossl / "mail-person.key"), "-from", "thu.nt@bkhcn.vbsign.test", "-to", "nhan.pv@sokhcn.hanoi.vbsign.test",
         "-subject", "Foreign", "-out", str(out)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    now = utcnow()
    services = services_at(pki, now)
    enc = encrypt_message(out, recipients=[pki.cert("mail-person-b")], trust=TrustStore.coerce(pki.roots).with_intermediates(pki.intermediates),
                          services=services, clock=lambda: now)  # fmt: skip
    dec = decrypt_message(enc.data, key=pki_dir / "mail-person-b.p12", passphrase="vbsign-test")
    rep = verify_message(dec.data, trust=pki.roots, now=now, services=services).report
    assert rep.indication is Indication.TOTAL_PASSED, codes(rep)
    twice = sign_message(out, key=pki_dir / "mail-person.p12", passphrase="vbsign-test", trust=pki.roots, services=services,
                         clock=lambda: now)  # fmt: skip
    rep2 = verify_message(twice.data, trust=pki.roots, now=now, services=services).report
    assert rep2.mail.layers == ["multipart/signed", "multipart/signed"]
    assert [s.indication for s in rep2.signatures] == [Indication.TOTAL_PASSED] * 2, codes(rep2)
