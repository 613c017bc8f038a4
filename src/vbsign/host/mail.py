"""The host bridge for e-mail: what a mail gateway or a DMS mail module calls.

>>> from vbsign import Signer
>>> from vbsign.host import MailSendContext, MailReceiveContext, on_mail_send, on_mail_receive
>>> ctx = MailSendContext(signer=Signer("thu.p12", passphrase=…, trust=["roots.pem"]), encrypt=True,
...                       lookup=registry_lookup)
>>> out = on_mail_send(message, ctx)          # an email.message.EmailMessage
>>> if out.ready:
...     smtp.sendmail(sender, recipients, out.data)
>>> got = on_mail_receive(raw_bytes, MailReceiveContext(trust=["roots.pem"], decrypt_key=token_key))
>>> got.decision                              # ACCEPT, RETURN_TO_SENDER or QUARANTINE
>>> got.content                               # the message as verified (decrypted): show this one

* ``on_mail_send``: sign (the pre-signing certificate check and rules MAIL-01/02 at the
  policy's level), then optionally encrypt for the recipients (certificates given, found
  by ``lookup`` — e.g. the certificate registry — or by plugins); ``READY`` or ``BLOCKED``
  with bilingual reasons; ``vbsign_on_mail_send`` plugins may only block;
* ``on_mail_receive``: decrypt (with the recipient's key) and verify; ``ACCEPT`` a valid
  signature, ``RETURN_TO_SENDER`` an invalid one (or an unsigned message when signatures
  are required, or a FAIL-level e-mail rule), ``QUARANTINE`` when no conclusion is possible
  yet (revocation unreachable) or the message cannot be decrypted; ``vbsign_on_mail_receive``
  plugins may only return a message to its sender.

Both run the audit sinks (events ``send`` and ``receive``) and never modify the input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import vbsign.plugins.guard as plugin_guard
import vbsign.plugins.lifecycle as plugin_calls
import vbsign.plugins.manager as plugin_manager
from vbsign._core.aio import run_sync
from vbsign._core.errors import ConfigurationError, DecryptionError, PluginError, VbsignError
from vbsign._core.i18n import Lang, Msg
from vbsign._core.timefmt import utcnow
from vbsign.api.mail import (
    MailEncryptResult,
    MailSignResult,
    MessageLike,
    SignerLike,
    as_message,
    async_encrypt_message,
    async_sign_message,
    async_verify_message,
    read_message,
    receive_event,
)
from vbsign.formats.smime.envelope import DEFAULT_CIPHER
from vbsign.formats.smime.recipients import CertificateLike, RecipientLookup
from vbsign.host.reasons import BASIS_RETURN, error_reasons, report_reasons
from vbsign.model.events import AuditEvent
from vbsign.model.host import (
    RECEIVE_STRICTNESS,
    SEND_STRICTNESS,
    ReceiveDecision,
    SendDecision,
    decision_summary,
)
from vbsign.model.report import Finding, Indication, Report, Severity
from vbsign.plugins.lifecycle import SignatureVetoed

if TYPE_CHECKING:
    from vbsign.backends.base import SigningKey
    from vbsign.pki.validation import Services


@dataclass
class MailSendContext:
    """How one sender's outgoing mail is signed (and encrypted). Build once, reuse."""

    #: the sender's signer (a :class:`vbsign.Signer`: key, trust, services, TSA)
    signer: SignerLike
    #: also encrypt the signed message for its recipients
    encrypt: bool = False
    #: recipient certificates given by the host (files or certificate objects)
    recipients: Sequence[CertificateLike] = ()
    #: ``lookup(address) -> certificates`` for To/Cc/Bcc addresses (e.g. the registry's)
    lookup: RecipientLookup | None = None
    #: encrypt for the sender's own certificate too, so the sent copy stays readable
    encrypt_to_self: bool = True
    opaque: bool = False
    protect_headers: bool = True
    #: validation policy deciding the level of rules MAIL-01 / MAIL-02 (default profile)
    policy: Any = None
    cipher: str | None = None
    #: intermediate CA certificates for checking recipient certificates
    intermediates: Sequence[CertificateLike] = ()
    check_recipient_revocation: bool = True
    unit: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass
class MailSendOutcome:
    """Result of :func:`on_mail_send`: hand :attr:`data` to the transport only when ``READY``."""

    decision: SendDecision
    reasons: list[Finding]
    #: the message to send (signed, and encrypted if asked); ``None`` when signing failed
    data: bytes | None = None
    signed: MailSignResult | None = None
    encrypted: MailEncryptResult | None = None

    @property
    def ready(self) -> bool:
        return self.decision is SendDecision.READY

    def summary(self, lang: Lang | None = None) -> str:
        return decision_summary(self.decision.value, self.reasons, lang)


@dataclass
class MailReceiveContext:
    """How one mailbox (or gateway) checks incoming mail. Build once, reuse."""

    trust: Any = None
    services: Services | None = None
    policy: Any = None
    #: the recipient's key (reference or open key) to decrypt encrypted mail
    decrypt_key: str | SigningKey | None = None
    passphrase: Any = None
    key_options: Mapping[str, Any] = field(default_factory=dict)
    #: an unsigned message is returned to its sender (False: accepted, with a warning)
    require_signature: bool = True
    #: parts outside the signature make the message QUARANTINE (False: a warning)
    require_full_coverage: bool = True
    clock: Callable[[], datetime] | None = None
    at: str = "signing"
    unit: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass
class MailReceiveOutcome:
    """Result of :func:`on_mail_receive`."""

    decision: ReceiveDecision
    reasons: list[Finding]
    report: Report | None = None
    #: the message as verified (decrypted, inner signed entity): what the user should see
    content: bytes | None = None
    decrypted: bool = False

    @property
    def accepted(self) -> bool:
        return self.decision is ReceiveDecision.ACCEPT

    def summary(self, lang: Lang | None = None) -> str:
        return decision_summary(self.decision.value, self.reasons, lang)


# ---- sending -------------------------------------------------------------------------------------


async def _encrypt(signed: bytes, context: MailSendContext) -> MailEncryptResult:
    signer = context.signer
    own = [signer.key.certificate] if context.encrypt_to_self else []
    ku = signer.key.certificate.key_usage_value
    if ku is not None and "key_encipherment" not in ku.native:
        own = []  # a signature-only certificate cannot receive; the sender keeps the signed copy
    return await async_encrypt_message(
        signed, recipients=[*context.recipients, *own], lookup=context.lookup, trust=signer.trust,
        intermediates=[*context.intermediates, *signer.key.chain], services=signer.services,
        check_revocation=context.check_recipient_revocation, cipher=context.cipher or DEFAULT_CIPHER,
        clock=signer.now, policy=context.policy,
    )  # fmt: skip


async def async_on_mail_send(message: MessageLike, context: MailSendContext) -> MailSendOutcome:
    """Sign (and encrypt) an outgoing message; decide READY or BLOCKED (see the module docs)."""
    original = as_message(message)
    meta = {k: v for k, v in {**context.metadata, "unit": context.unit, "role": "mail"}.items() if v}
    out = MailSendOutcome(SendDecision.BLOCKED, [])
    try:
        out.signed = await async_sign_message(
            original, signer=context.signer, opaque=context.opaque, protect_headers=context.protect_headers,
            policy=context.policy, metadata=meta,
        )  # fmt: skip
        out.data = out.signed.data
        out.reasons += [Finding.of("SIGNING_WARNING", Severity.WARNING, w) for w in out.signed.warnings]
        if context.encrypt:
            out.encrypted = await _encrypt(out.signed.data, context)
            out.data = out.encrypted.data
            out.reasons += [Finding.of("ENCRYPTION_WARNING", Severity.WARNING, w) for w in out.encrypted.warnings]
        out.decision = SendDecision.READY
    except SignatureVetoed as e:
        out.reasons += error_reasons(e)
    except (PluginError, ConfigurationError):
        raise
    except VbsignError as e:
        what = Msg("Không ký/mã hóa được thư", "The message could not be signed/encrypted")
        out.reasons += error_reasons(e, prefix=what)
    review = plugin_guard.review_decision(
        "vbsign_on_mail_send", message=original, outcome=out,
        strictness=SEND_STRICTNESS, objection=SendDecision.BLOCKED,
    )
    out.decision = review.decision
    out.reasons += review.findings
    headline = Msg("Thư đã ký số, sẵn sàng gửi.", "The message is signed and ready to send.")
    if out.decision is SendDecision.BLOCKED:
        headline = Msg("Không gửi thư.", "The message must not be sent.")
    out.reasons.insert(0, Finding.of(out.decision.value, Severity.INFO if out.ready else Severity.ERROR, headline))
    if plugin_manager.has_implementations("vbsign_audit_event"):
        signer = context.signer.signer_info
        plugin_calls.emit_audit_event(AuditEvent(
            kind="send", document_sha256=hashlib.sha256(out.data or b"").hexdigest(), document_name=str(original.get("Subject", "")),
            document_id=str(original.get("Message-ID", "")) or None, verdict=out.decision.value,
            certificate_fingerprints=(signer.sha256_fingerprint,), signer_names=(signer.common_name or signer.subject,),
            unit=context.unit, details={"format": "smime", "encrypted": out.encrypted is not None, "metadata": meta},
        ))  # fmt: skip
    return out


def on_mail_send(message: MessageLike, context: MailSendContext) -> MailSendOutcome:
    """Synchronous :func:`async_on_mail_send` (also works inside a running event loop)."""
    return run_sync(async_on_mail_send(message, context))


# ---- receiving -----------------------------------------------------------------------------------


def decide_mail(report: Report, context: MailReceiveContext) -> ReceiveDecision:
    """The decision for a verified message (fail closed)."""
    if report.indication is Indication.NO_SIGNATURE_FOUND:
        if any(f.code == "MAIL_ENCRYPTED" for f in report.findings):
            return ReceiveDecision.QUARANTINE  # not decrypted: nothing can be concluded
        return ReceiveDecision.RETURN_TO_SENDER if context.require_signature else ReceiveDecision.ACCEPT
    if report.indication is Indication.TOTAL_FAILED:
        return ReceiveDecision.RETURN_TO_SENDER
    if report.indication is Indication.INDETERMINATE:
        failed_rule = any(f.details.get("level") == "FAIL" for s in report.signatures for f in s.findings)
        return ReceiveDecision.RETURN_TO_SENDER if failed_rule else ReceiveDecision.QUARANTINE
    return ReceiveDecision.ACCEPT


_HEADLINES = {
    ReceiveDecision.ACCEPT: (Severity.INFO, Msg("Thư xác thực, toàn vẹn: tiếp nhận.", "The message is authentic and intact: accepted.")),
    ReceiveDecision.QUARANTINE: (Severity.WARNING, Msg(
        "Tạm giữ thư: chưa xác định được hiệu lực chữ ký hoặc chưa giải mã được; kiểm tra lại sau.",
        "Message quarantined: its signature cannot be established yet, or it cannot be decrypted; check again later.",
    )),
    ReceiveDecision.RETURN_TO_SENDER: (Severity.ERROR, Msg(
        "Trả lại nơi gửi: thư không bảo đảm tính xác thực, toàn vẹn hoặc không đáp ứng quy định.",
        "Return to sender: the message is not authentic, intact or compliant.",
    )),
}  # fmt: skip


async def async_on_mail_receive(message: MessageLike, context: MailReceiveContext) -> MailReceiveOutcome:
    """Decrypt (if needed) and verify an incoming message; decide (see the module docs)."""
    data, _ = read_message(message)
    now = (context.clock or utcnow)()
    meta = {k: v for k, v in {**context.metadata, "unit": context.unit, "role": "incoming-mail"}.items() if v}
    out = MailReceiveOutcome(ReceiveDecision.QUARANTINE, [])
    try:
        checked = await async_verify_message(
            data, trust=context.trust, at=context.at, now=now, services=context.services, policy=context.policy,
            decrypt_key=context.decrypt_key, passphrase=context.passphrase, key_options=dict(context.key_options),
            require_full_coverage=context.require_full_coverage, metadata=meta,
        )  # fmt: skip
    except (PluginError, ConfigurationError):
        raise
    except DecryptionError as e:
        out.reasons += error_reasons(e)
    except VbsignError as e:  # not a readable message: the sender must send a proper one
        out.decision = ReceiveDecision.RETURN_TO_SENDER
        out.reasons += error_reasons(e)
    else:
        out.report, out.content, out.decrypted = checked.report, checked.content, checked.decrypted
        out.decision = decide_mail(checked.report, context)
        out.reasons += report_reasons(checked.report)
    review = plugin_guard.review_decision(
        "vbsign_on_mail_receive", message=data, outcome=out,
        strictness=RECEIVE_STRICTNESS, objection=ReceiveDecision.RETURN_TO_SENDER,
    )
    out.decision = review.decision
    out.reasons += review.findings
    severity, headline = _HEADLINES[out.decision]
    basis = {"basis": BASIS_RETURN} if out.decision is ReceiveDecision.RETURN_TO_SENDER else {}
    out.reasons.insert(0, Finding.of(out.decision.value, severity, headline, basis))
    if plugin_manager.has_implementations("vbsign_audit_event") and out.report is not None:
        plugin_calls.emit_audit_event(receive_event(out.report, out.decision.value, meta))
    return out


def on_mail_receive(message: MessageLike, context: MailReceiveContext) -> MailReceiveOutcome:
    """Synchronous :func:`async_on_mail_receive` (also works inside a running event loop)."""
    return run_sync(async_on_mail_receive(message, context))


__all__ = [
    "MailReceiveContext",
    "MailReceiveOutcome",
    "MailSendContext",
    "MailSendOutcome",
    "async_on_mail_receive",
    "async_on_mail_send",
    "decide_mail",
    "on_mail_receive",
    "on_mail_send",
]
