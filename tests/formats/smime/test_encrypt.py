"""S/MIME encryption and decryption: round trips, interoperability, recipient checks."""

from __future__ import annotations

import shutil
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms, pem

from tests._fixtures.smime import (
    ATTACHMENT_NAME,
    BODY,
    PASSPHRASE,
    SUBJECT,
    T0,
    codes,
    services_at,
    vietnamese_message,
)
from vbsign._core.errors import CertificateRejected, ConfigurationError, DecryptionError, InputError
from vbsign.mail import decrypt_message, encrypt_message, parse_message
from vbsign.model.report import Indication
from vbsign.pki.trust import TrustStore


@pytest.fixture
def encrypt(pki: Any) -> Any:
    """``encrypt(message, recipients=[...], **kw)`` checked against the test PKI at T0."""

    def _encrypt(message: Any, output: Any = None, **kw: Any) -> Any:
        kw.setdefault("trust", TrustStore.coerce(pki.roots).with_intermediates(pki.intermediates))
        kw.setdefault("services", services_at(pki, T0))
        return encrypt_message(message, output, clock=lambda: T0, **kw)

    return _encrypt


def _intact(data: bytes, headers: bool = True) -> None:
    msg = parse_message(data)
    if headers:
        assert str(msg["Subject"]) == SUBJECT
    body = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    assert body.get_content().replace("\r\n", "\n") == BODY
    assert [p.get_filename() for p in msg.walk() if p.get_filename() and "pkcs7" not in p.get_content_type()] == [ATTACHMENT_NAME]


@pytest.mark.parametrize(("cipher", "smime_type", "oid"), [
    ("aes256-gcm", "authEnveloped-data", "authenticated_enveloped_data"),
    ("aes256-cbc", "enveloped-data", "enveloped_data"),
])  # fmt: skip
def test_encrypt_decrypt_round_trip(encrypt: Any, pki: Any, pki_dir: Path, message: EmailMessage, cipher: str, smime_type: str, oid: str) -> None:
    enc = encrypt(message, recipients=[pki.cert("mail-person-b")], cipher=cipher)
    top = parse_message(enc.data)
    assert top.get_content_type() == "application/pkcs7-mime" and top.get_param("smime-type") == smime_type
    assert str(top["Subject"]) == SUBJECT  # the header section stays readable for transport
    der = top.get_payload(decode=True)
    ci = cms.ContentInfo.load(der)
    assert ci["content_type"].native == oid
    ri = ci["content"]["recipient_infos"][0].chosen
    assert ri["key_encryption_algorithm"]["algorithm"].native == "rsaes_oaep"
    assert ri["key_encryption_algorithm"]["parameters"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert "Kính gửi".encode() not in enc.data and b"K=C3=ADnh" not in enc.data
    dec = decrypt_message(enc.data, key=pki_dir / "mail-person-b.p12", passphrase=PASSPHRASE)
    assert dec.cipher == cipher.replace("-", "_") and dec.key_transport == "rsaes_oaep" and not dec.signed
    _intact(dec.data)


def test_sign_then_encrypt_then_decrypt_and_verify(encrypt: Any, sign_mail: Any, verify_mail: Any, pki: Any, pki_dir: Path, message: EmailMessage) -> None:
    signed = sign_mail(message)
    enc = encrypt(signed.data, recipients=[pki.cert("mail-person-b"), pki.cert("mail-person")])
    assert [r.common_name for r in enc.recipients] == ["Phan Văn Nhận", "Nguyễn Thị Thư"]
    # the recipient decrypts, then verifies what was inside
    dec = decrypt_message(enc.data, key=pki_dir / "mail-person-b.p12", passphrase=PASSPHRASE)
    assert dec.signed
    rep = verify_mail(dec.data).report
    assert rep.indication is Indication.TOTAL_PASSED, codes(rep)
    # or both at once; the sender can read its own copy too
    for label in ("mail-person-b", "mail-person"):
        both = verify_mail(enc.data, decrypt_key=pki_dir / f"{label}.p12", passphrase=PASSPHRASE)
        assert both.report.indication is Indication.TOTAL_PASSED and both.decrypted
        assert both.report.mail.layers == ["authEnveloped-data", "multipart/signed"]
        _intact(both.content)
    # without the key: no conclusion, and it says why
    locked = verify_mail(enc.data).report
    assert locked.indication is Indication.NO_SIGNATURE_FOUND and "MAIL_ENCRYPTED" in codes(locked)


def test_outputs_never_overwrite_the_input(encrypt: Any, pki: Any, pki_dir: Path, message: EmailMessage, tmp_path: Path) -> None:
    src = tmp_path / "thư.eml"
    src.write_bytes(message.as_bytes())
    with pytest.raises(InputError):
        encrypt(src, src, recipients=[pki.cert("mail-person-b")])
    enc = tmp_path / "enc.eml"
    encrypt(src, enc, recipients=[pki.cert("mail-person-b")])
    before = enc.read_bytes()
    with pytest.raises(InputError):
        decrypt_message(enc, enc, key=pki_dir / "mail-person-b.p12", passphrase=PASSPHRASE)
    assert enc.read_bytes() == before and src.read_bytes() == message.as_bytes()


def test_wrong_key_and_altered_ciphertext_are_refused(encrypt: Any, pki: Any, pki_dir: Path, message: EmailMessage) -> None:
    enc = encrypt(message, recipients=[pki.cert("mail-person-b")])
    with pytest.raises(DecryptionError) as e:
        decrypt_message(enc.data, key=pki_dir / "mail-person.p12", passphrase=PASSPHRASE)
    assert "Nguyễn Thị Thư" in e.value.message("vi")
    top = parse_message(enc.data)
    der = bytearray(top.get_payload(decode=True))
    der[-40] ^= 0x01  # inside the GCM ciphertext
    from vbsign.formats.smime.mime import build_pkcs7_mime, serialise, split_message

    headers, _ = split_message(top)
    bad = serialise(build_pkcs7_mime(headers, bytes(der), "authEnveloped-data"))
    with pytest.raises(DecryptionError):
        decrypt_message(bad, key=pki_dir / "mail-person-b.p12", passphrase=PASSPHRASE)


def test_recipients_from_a_lookup_and_missing_ones(encrypt: Any, pki: Any) -> None:
    msg = vietnamese_message(cc="Nguyễn Thị Thư <thu.nt@bkhcn.vbsign.test>")
    directory = {"nhan.pv@sokhcn.hanoi.vbsign.test": [pki.cert("mail-person-b")], "thu.nt@bkhcn.vbsign.test": [pki.cert("mail-person")]}
    enc = encrypt(msg, lookup=lambda a: directory.get(a.casefold(), []))
    assert sorted(r.common_name for r in enc.recipients) == ["Nguyễn Thị Thư", "Phan Văn Nhận"]
    with pytest.raises(InputError) as e:
        encrypt(vietnamese_message(cc="ai.do@khac.vbsign.test"), lookup=lambda a: directory.get(a, []))
    assert e.value.details["missing"] == ["ai.do@khac.vbsign.test"]


def test_recipient_certificates_are_checked(encrypt: Any, pki: Any, message: EmailMessage) -> None:
    with pytest.raises(CertificateRejected) as e:
        encrypt(message, recipients=[pki.cert("mail-noeku")])
    assert e.value.details["codes"] == ["MAIL-01"]
    with pytest.raises(CertificateRejected) as e:
        encrypt(message, recipients=[pki.cert("subscriber")])  # a signature-only certificate
    assert "WRONG_KEY_USAGE" in e.value.details["codes"]
    with pytest.raises(CertificateRejected) as e:
        encrypt(message, recipients=[pki.cert("mail-ec")])
    assert "NOT_RSA" in e.value.details["codes"]
    with pytest.raises(CertificateRejected) as e:  # chain and revocation, fail closed
        encrypt(message, recipients=[pki.cert("mail-person-b")], services=None)
    with pytest.raises(ConfigurationError):
        encrypt(message, recipients=[pki.cert("mail-person-b")], trust=TrustStore.coerce([]))


def test_recipient_plugin_hook(encrypt: Any, pki: Any, message: EmailMessage) -> None:
    from vbsign.plugins import manager

    class Directory:
        asked: list[str] = []

        def vbsign_mail_recipient_certificates(self, address: str) -> Any:
            self.asked.append(address)
            return [pki.cert("mail-person-b")] if address == "nhan.pv@sokhcn.hanoi.vbsign.test" else None

    fresh = manager.PluginManager()
    fresh.load_entry_points(autoload=False)
    plugin = Directory()
    fresh.add_plugin(plugin, "test-directory")
    with manager.use_plugin_manager(fresh):
        enc = encrypt(message)
    assert plugin.asked == ["nhan.pv@sokhcn.hanoi.vbsign.test"]
    assert [r.common_name for r in enc.recipients] == ["Phan Văn Nhận"]


# ---- OpenSSL -------------------------------------------------------------------------------------

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


@needs_openssl
@pytest.mark.parametrize("cipher", ["aes256-gcm", "aes256-cbc"])
def test_openssl_decrypts_ours(encrypt: Any, pki: Any, message: EmailMessage, tmp_path: Path, cipher: str) -> None:
    enc = tmp_path / "enc.eml"
    enc.write_bytes(encrypt(message, recipients=[pki.cert("mail-person-b")], cipher=cipher).data)
    key = tmp_path / "k.pem"
    key.write_bytes(pem.armor("PRIVATE KEY", pki.private_key("mail-person-b").dump()))
    proc = subprocess.run(["openssl", "cms", "-decrypt", "-in", str(enc), "-inkey", str(key)], capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    _intact(proc.stdout, headers=False)  # OpenSSL prints the decrypted entity only


@needs_openssl
@pytest.mark.parametrize("args", [["-aes-256-gcm", "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"], ["-aes256"]])
def test_we_decrypt_openssls(pki: Any, pki_dir: Path, message: EmailMessage, tmp_path: Path, args: list[str]) -> None:
    plain = tmp_path / "plain.eml"
    plain.write_bytes(message.as_bytes())
    crt = tmp_path / "r.crt"
    crt.write_bytes(pem.armor("CERTIFICATE", pki.cert("mail-person-b").dump()))
    out = tmp_path / "ossl.eml"
    subprocess.run(["openssl", "cms", "-encrypt", "-in", str(plain), "-out", str(out), "-recip", str(crt), *args], check=True, capture_output=True, timeout=60)
    dec = decrypt_message(out.read_bytes(), key=pki_dir / "mail-person-b.p12", passphrase=PASSPHRASE)
    assert dec.cipher in ("aes256_gcm", "aes256_cbc")
    assert ("-aes256" in args) == bool(dec.warnings)  # PKCS#1 v1.5 key transport is flagged
    body = next(p for p in dec.message.walk() if p.get_content_type() == "text/plain")
    assert body.get_content().replace("\r\n", "\n") == BODY
