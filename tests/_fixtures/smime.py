"""Data and helpers shared by the S/MIME tests (imported by tests._fixtures.mail, the test modules,
the token helper process and scripts/fuzz_mail.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from typing import Any

from vbsign import testpki
from vbsign.formats.smime.mime import POLICY
from vbsign.pki.validation import Services

#: the fixed "now" and the PKCS#12 passphrase of tests/conftest.py
T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
PASSPHRASE = "vbsign-test"


def services_at(pki: testpki.TestPKI, when: datetime) -> Services:
    return Services(online=False, fetcher_backend=pki.fetcher_backend(when))

SUBJECT = "Quyết định số 12/QĐ-BKHCN về việc phê duyệt Kế hoạch chuyển đổi số năm 2026 của Bộ Khoa học và Công nghệ"
BODY = "Kính gửi đồng chí Phan Văn Nhận,\nVăn phòng Bộ gửi kèm Quyết định số 12/QĐ-BKHCN.\nTrân trọng — Nguyễn Thị Thư.\n"
ATTACHMENT_NAME = "Quyết định số 12-QĐ-BKHCN (bản chính thức, đã ký số).pdf"
ATTACHMENT = b"%PDF-1.7\n% not a real PDF: attachment bytes for the test\n" + bytes(range(256))
SENDER = "Nguyễn Thị Thư <thu.nt@bkhcn.vbsign.test>"
RECIPIENT = "Phan Văn Nhận <nhan.pv@sokhcn.hanoi.vbsign.test>"


def vietnamese_message(*, sender: str = SENDER, to: str = RECIPIENT, cc: str | None = None) -> EmailMessage:
    """A realistic ministry message: Vietnamese subject, UTF-8 body, a Vietnamese file name."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = SUBJECT
    msg["Date"] = "Tue, 01 Dec 2026 10:00:00 +0700"
    msg["Message-ID"] = "<qd12-2026@bkhcn.vbsign.test>"
    msg.set_content(BODY)
    msg.add_attachment(ATTACHMENT, maintype="application", subtype="pdf", filename=ATTACHMENT_NAME)
    return msg




def codes(report: Any) -> set[str]:
    """Every finding code of a report (document, signatures, parts)."""
    out = {f.code for f in report.findings}
    for s in report.signatures:
        out |= {f.code for f in s.findings}
    for a in report.attachments:
        out |= {f.code for f in a.findings}
    return out


def resign(data: bytes, content: bytes, pki: testpki.TestPKI, label: str = "mail-person") -> bytes:
    """``data`` (a CRLF multipart/signed message) with its signature replaced by one over
    ``content`` — to build messages whose signer signed something other than the canonical
    first part (the cases canonicalisation diagnosis must recognise)."""
    import asyncio
    import base64

    from cryptography.hazmat.primitives.serialization import load_der_private_key

    from vbsign.backends.software import SoftwareKey
    from vbsign.formats.smime.cms import sign_entity
    from vbsign.formats.smime.raw import parse_entity

    key = SoftwareKey(load_der_private_key(pki.private_key(label).dump(), None), pki.cert(label), pki.chain(label))
    sig = asyncio.run(sign_entity(content, key, now=T0))
    b64 = base64.encodebytes(sig.der).replace(b"\n", b"\r\n")
    part = parse_entity(data).children[1]
    body_start = part.end - len(part.body)
    return data[:body_start] + b64 + data[part.end :]
