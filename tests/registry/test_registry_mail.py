"""The registry as the source of recipient certificates for encrypted e-mail (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

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
