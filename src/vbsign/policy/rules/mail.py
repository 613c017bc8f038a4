"""E-mail (S/MIME) rules MAIL-01, MAIL-02: the certificate may protect e-mail, and it names
the sender.

They apply to reports of e-mail messages only (``report.mail`` set by
:mod:`vbsign.mail`); for every other document they are *not applicable*. The checks are
pure functions over the report's evidence, also used by :mod:`vbsign.mail` before signing
(the same policy level decides there whether a problem refuses the signature or only warns).

RFC 8550 (S/MIME 4.0 certificate handling) is a technical standard, not a Vietnamese legal
instrument: both rules are "should" rules; the profiles give them their level (``base``:
MAIL-01 FAIL — RFC 8550 §4.4.4 says receiving agents MUST check the purpose —, MAIL-02
WARN — §3 asks for "explicit alternate processing", e.g. showing the certificate's
addresses, when the From address is not in the certificate).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from vbsign._core.i18n import Msg
from vbsign.model.report import CertificateInfo, MailInfo, SubIndication
from vbsign.policy.context import Evidence
from vbsign.policy.model import Citation, Level, Outcome, Rule, failed, not_applicable, passed

#: extended key usages that allow S/MIME (RFC 8550 §4.4.4), in asn1crypto's names
EMAIL_PURPOSES = frozenset({"email_protection", "any_extended_key_usage"})
#: the same as dotted OIDs (an EKU asn1crypto does not name is reported by its OID)
EMAIL_PURPOSE_OIDS = frozenset({"1.3.6.1.5.5.7.3.4", "2.5.29.37.0"})


def normalise_address(address: str) -> str:
    """An address for comparison: NFC, stripped, case-insensitive (as mail systems treat
    local parts in practice; domains are case-insensitive by definition)."""
    return unicodedata.normalize("NFC", address).strip().strip("<>").casefold()


def eku_outcome(signer: CertificateInfo | None) -> Outcome:
    """RFC 8550 §4.4.4: if the certificate has an extended key usage extension, it must
    contain emailProtection (or anyExtendedKeyUsage); without the extension, any purpose."""
    if signer is None:
        return not_applicable(Msg("Không có chứng thư người ký.", "No signer certificate."))
    eku = list(signer.extended_key_usage)
    if not eku:
        return passed(
            Msg(
                "Chứng thư không giới hạn mục đích sử dụng (không có Extended Key Usage): dùng được cho thư điện tử.",
                "The certificate does not restrict its purposes (no Extended Key Usage): usable for e-mail.",
            ),
            extended_key_usage=[],
        )
    if set(eku) & (EMAIL_PURPOSES | EMAIL_PURPOSE_OIDS):
        return passed(
            Msg(
                "Chứng thư có mục đích bảo vệ thư điện tử (emailProtection).",
                "The certificate has the e-mail protection purpose (emailProtection).",
            ),
            extended_key_usage=eku,
        )
    return failed(
        Msg(
            "Chứng thư số không dùng cho thư điện tử: Extended Key Usage ({u}) không có emailProtection.",
            "The certificate is not for e-mail: its Extended Key Usage ({u}) lacks emailProtection.",
        ).format(u=", ".join(eku)),
        extended_key_usage=eku,
    )


def sender_outcome(
    from_addresses: Sequence[str], sender: str | None, signer: CertificateInfo | None
) -> Outcome:
    """RFC 8550 §3: the address in From (or Sender) must be one the certificate names."""
    if signer is None:
        return not_applicable(Msg("Không có chứng thư người ký.", "No signer certificate."))
    cert_addrs = list(signer.email_addresses)
    shown = [a for a in [*from_addresses, *([sender] if sender else [])] if a]
    facts: dict[str, Any] = {"from": list(from_addresses), "sender": sender, "certificate_addresses": cert_addrs}
    if not shown:
        return failed(
            Msg("Thư không có địa chỉ người gửi (From).", "The message has no sender address (From)."), **facts
        )
    if not cert_addrs:
        return failed(
            Msg(
                "Chứng thư số không ghi địa chỉ thư điện tử nào: không xác định được người gửi {a} có phải người ký.",
                "The certificate names no e-mail address: the sender {a} cannot be bound to the signer.",
            ).format(a=", ".join(shown)),
            cap=Level.WARN,
            **facts,
        )
    wanted = {normalise_address(a) for a in cert_addrs}
    if any(normalise_address(a) in wanted for a in shown):
        return passed(
            Msg(
                "Địa chỉ người gửi {a} có trong chứng thư số.", "The sender address {a} is in the certificate."
            ).format(a=", ".join(shown)),
            **facts,
        )
    return failed(
        Msg(
            "Địa chỉ người gửi {a} KHÔNG có trong chứng thư số của người ký (chứng thư ghi: {c}).",
            "The sender address {a} is NOT in the signer's certificate (the certificate names: {c}).",
        ).format(a=", ".join(shown), c=", ".join(cert_addrs)),
        **facts,
    )


def _mail(ev: Evidence) -> MailInfo | None:
    return ev.report.mail


def check_mail01(ev: Evidence) -> Outcome:
    if _mail(ev) is None:
        return not_applicable(Msg("Không phải thư điện tử.", "Not an e-mail message."))
    return eku_outcome(ev.sig.signer)


def check_mail02(ev: Evidence) -> Outcome:
    mail = _mail(ev)
    if mail is None:
        return not_applicable(Msg("Không phải thư điện tử.", "Not an e-mail message."))
    return sender_outcome(mail.from_addresses, mail.sender, ev.sig.signer)


MAIL_01 = Rule(
    id="MAIL-01",
    requirement=Msg(
        "Chứng thư ký thư điện tử phải cho phép bảo vệ thư điện tử: nếu có Extended Key Usage thì phải có emailProtection.",
        "A certificate signing e-mail must allow e-mail protection: if it has an Extended Key Usage, it must include emailProtection.",
    ),
    citations=(Citation("RFC8550", extra=Msg("mục 4.4.4", "section 4.4.4")),),
    check=check_mail01,
    how=Msg(
        "Đọc phần mở rộng Extended Key Usage của chứng thư người ký (emailProtection hoặc anyExtendedKeyUsage).",
        "Reads the signer certificate's Extended Key Usage (emailProtection or anyExtendedKeyUsage).",
    ),
    strength="should",
    sub_indication=SubIndication.CHAIN_CONSTRAINTS_FAILURE,
)

MAIL_02 = Rule(
    id="MAIL-02",
    requirement=Msg(
        "Địa chỉ người gửi (From hoặc Sender) phải là một địa chỉ thư điện tử ghi trong chứng thư của người ký.",
        "The sender address (From or Sender) must be an e-mail address named in the signer's certificate.",
    ),
    citations=(Citation("RFC8550", extra=Msg("mục 3", "section 3")),),
    check=check_mail02,
    how=Msg(
        "So địa chỉ From/Sender (không phân biệt hoa thường) với subjectAltName rfc822Name và thuộc tính E của chứng thư.",
        "Compares the From/Sender addresses (case-insensitively) with the certificate's subjectAltName rfc822Name and E attribute.",
    ),
    strength="should",
)

RULES: tuple[Rule, ...] = (MAIL_01, MAIL_02)


__all__ = [
    "EMAIL_PURPOSES",
    "MAIL_01",
    "MAIL_02",
    "RULES",
    "eku_outcome",
    "normalise_address",
    "sender_outcome",
]
