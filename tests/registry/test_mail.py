"""The registry as the source of recipient certificates for encrypted e-mail (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from vbsign.registry.mail import encryption_certificates, recipient_lookup

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)


def test_lookup_by_subscriber_email_and_certificate_address(reg: Any, pki: Any) -> None:
    reg.add_unit("VP", "Văn phòng Bộ")
    reg.add_unit("SO", "Sở Khoa học và Công nghệ Hà Nội")
    thu = reg.add_subscriber("Nguyễn Thị Thư", "VP", email="Thu.NT@bkhcn.vbsign.test")
    reg.add_subscriber("Phan Văn Nhận", "SO")  # no e-mail registered: found by its certificate's address
    reg.import_certificates([pki.cert(x) for x in ("mail-person", "mail-person-b", "mail-noeku", "person", "gov-ca")],
                            source="testpki")  # fmt: skip
    found = encryption_certificates(reg, "thu.nt@bkhcn.vbsign.test", at=T0)
    assert [c.subject.native["common_name"] for c in found] == ["Nguyễn Thị Thư"]
    assert thu.email == "Thu.NT@bkhcn.vbsign.test"
    lookup = recipient_lookup(reg, at=lambda: T0)
    assert [c.subject.native["common_name"] for c in lookup("nhan.pv@sokhcn.hanoi.vbsign.test")] == []  # SAN only, no E, no e-mail
    assert lookup("ai.do@khac.vbsign.test") == []
    assert encryption_certificates(reg, "thu.nt@bkhcn.vbsign.test", at=datetime(2031, 1, 1, tzinfo=timezone.utc)) == []


def test_lookup_feeds_encryption(reg: Any, pki: Any) -> None:
    from email.message import EmailMessage

    from vbsign.formats.smime.mime import POLICY
    from vbsign.mail import encrypt_message

    reg.add_unit("SO", "Sở Khoa học và Công nghệ Hà Nội")
    reg.add_subscriber("Phan Văn Nhận", "SO", email="nhan.pv@sokhcn.hanoi.vbsign.test")
    reg.import_certificates([pki.cert("mail-person-b")], source="testpki")
    msg = EmailMessage(policy=POLICY)
    msg["To"] = "Phan Văn Nhận <nhan.pv@sokhcn.hanoi.vbsign.test>"
    msg["Subject"] = "Thư mật"
    msg.set_content("Nội dung mật.\n")
    enc = encrypt_message(msg, lookup=recipient_lookup(reg, at=lambda: T0), check_chain=False, clock=lambda: T0)
    assert [r.common_name for r in enc.recipients] == ["Phan Văn Nhận"]


def _encrypt_cli(tmp_path: Any, pki_dir: Any, pm: Any) -> tuple[int, str, str, Any]:
    """``vbsign mail encrypt --registry`` (click's runner) on a message to Phan Văn Nhận."""
    from email.message import EmailMessage

    from tests._fixtures.cli import invoke
    from vbsign.formats.smime.mime import POLICY
    from vbsign.plugins.manager import use_plugin_manager

    msg = EmailMessage(policy=POLICY)
    msg["To"] = "Phan Văn Nhận <nhan.pv@sokhcn.hanoi.vbsign.test>"
    msg["Subject"] = "Thư mật"
    msg.set_content("Nội dung mật.\n")
    src = tmp_path / "thư.eml"
    src.write_bytes(msg.as_bytes())
    out = tmp_path / "thư.enc.eml"
    with use_plugin_manager(pm):
        r = invoke(["--lang", "en", "mail", "encrypt", str(src), "-o", str(out), "--registry",
                    "--trust", str(pki_dir / "roots.pem"), "--chain", str(pki_dir / "chain.pem"),
                    "--no-revocation-check", "--offline"])  # fmt: skip
    return r.code, r.out, r.err, out


def test_cli_encrypt_finds_recipient_through_the_registry_plugin(reg: Any, pki: Any, pki_dir: Any, tmp_path: Any) -> None:
    """``--registry``: the CLI asks the plugins, the registry answers as one
    (:class:`vbsign.registry.plugin.RegistryRecipientDirectory`); the CLI never imports it."""
    from vbsign.plugins.manager import PluginManager
    from vbsign.registry.plugin import RegistryRecipientDirectory

    now = datetime.now(timezone.utc)
    if not pki.cert("mail-person-b").not_valid_before <= now <= pki.cert("mail-person-b").not_valid_after:
        pytest.skip("test certificates are not valid at the wall-clock time")  # pragma: no cover
    reg.add_unit("SO", "Sở Khoa học và Công nghệ Hà Nội")
    reg.add_subscriber("Phan Văn Nhận", "SO", email="nhan.pv@sokhcn.hanoi.vbsign.test")
    reg.import_certificates([pki.cert("mail-person-b")], source="testpki")
    pm = PluginManager()
    directory = RegistryRecipientDirectory(reg)
    pm.register(directory, "test-registry")
    code, out, err, enc = _encrypt_cli(tmp_path, pki_dir, pm)
    assert code == 0, out + err
    assert "Message encrypted" in out and "Phan Văn Nhận" in out
    assert b"application/pkcs7-mime" in enc.read_bytes()


def test_cli_encrypt_registry_without_a_registry_fails_clearly(pki_dir: Any, tmp_path: Any) -> None:
    from vbsign.plugins.manager import PluginManager

    code, out, err, enc = _encrypt_cli(tmp_path, pki_dir, PluginManager())
    assert code == 3, out + err
    assert "--registry needs a configured certificate registry" in err and "VBSIGN_REGISTRY_URL" in err
    assert not enc.exists()
