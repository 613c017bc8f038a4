"""The e-mail API: sign, verify, encrypt and decrypt RFC 5322 messages with S/MIME 4.0.

>>> from email.message import EmailMessage
>>> import vbsign.mail
>>> msg = EmailMessage(); msg["From"] = "Nguyễn Thị Thư <thu.nt@bkhcn.gov.vn>"; ...
>>> signed = vbsign.mail.sign_message(msg, key="thu.p12", passphrase="…", trust=["roots.pem"])
>>> checked = vbsign.mail.verify_message(signed.data, trust=["roots.pem"])
>>> checked.report.indication
<Indication.TOTAL_PASSED: 'TOTAL-PASSED'>

Signing applies the same pre-signing certificate check as documents (validity, key usage,
key size, chain to a trust anchor, revocation — fail closed) and, from the validation policy,
the e-mail rules: MAIL-01 (the certificate may protect e-mail) and MAIL-02 (the From address
is in the certificate). Their *level* decides: FAIL refuses the signature, WARN signs with a
warning (:data:`vbsign.policy.profiles.BASE`: MAIL-01 FAIL, MAIL-02 WARN; a policy file's
``[levels]`` changes them). Verification reports the same rules at the same levels.

Any key backend works: ``key`` is a key reference (``x.p12``, PEM, ``pkcs11:…``, a plugin's
scheme) or an open :class:`~vbsign.backends.base.SigningKey`; ``signer`` may be a
:class:`vbsign.Signer` (reused across messages: one token login, a cached certificate check).
Every function has an ``async_`` twin; the synchronous ones also work inside a running loop.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, MIMEPart
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import vbsign._core.files as _io
import vbsign.api.extensions as extensions
import vbsign.api.policies as policies
import vbsign.plugins.lifecycle as plugin_calls
from vbsign._core.aio import run_sync
from vbsign._core.errors import CertificateRejected, InputError
from vbsign._core.i18n import Msg
from vbsign._core.secrets import SecretLike
from vbsign._core.timefmt import utcnow
from vbsign.api.signer import Signer
from vbsign.formats.ades import AdesVerifyOptions
from vbsign.formats.smime.envelope import DEFAULT_CIPHER, decrypt_envelope, encrypt_entity
from vbsign.formats.smime.mime import (
    build_pkcs7_mime,
    copy_message,
    parse_message,
    serialise,
    split_message,
)
from vbsign.formats.smime.raw import header_values, parse_entity, strip_mbox_line, to_crlf
from vbsign.formats.smime.recipients import (
    CertificateLike,
    RecipientLookup,
    check_recipient,
    load_recipient_certificates,
    refuse,
    resolve_recipients,
)
from vbsign.formats.smime.sign import MailSignOptions, sign_mime
from vbsign.formats.smime.verify import (
    MailVerification,
    MailVerifyOptions,
    addresses_in,
    assemble,
    smime_kind,
    verify_mime,
)
from vbsign.model.events import AuditEvent
from vbsign.model.options import ValidationTime, validation_moment
from vbsign.model.report import CertificateInfo, Indication, Report, Severity
from vbsign.model.sign import SignRequest, SignResult
from vbsign.pki.trust import TrustLike, TrustStore
from vbsign.pki.validation import Services
from vbsign.plugins.manager import has_implementations
from vbsign.policy.model import Level, Outcome, RuleStatus, min_level
from vbsign.policy.rules.mail import MAIL_01, MAIL_02, eku_outcome, sender_outcome

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper

    from vbsign.backends.base import SigningKey
    from vbsign.pki.validation import SignerCheck

MessageLike = EmailMessage | MIMEPart | bytes | bytearray | str | os.PathLike[str]
#: finding codes of the e-mail rules in a report
RULE_CODES = {MAIL_01.id: "MAIL_CERT_NOT_FOR_EMAIL", MAIL_02.id: "MAIL_SENDER_MISMATCH"}
_SEVERITY = {Level.FAIL: Severity.ERROR, Level.WARN: Severity.WARNING, Level.INFORM: Severity.INFO}


class SignerLike(Protocol):
    """What signing needs from a signer — :class:`vbsign.Signer` has it all."""

    key: SigningKey
    trust: TrustStore
    services: Services
    timestamper: TimeStamper | None
    md_algorithm: str
    prefer_pss: bool

    @property
    def signer_info(self) -> CertificateInfo: ...

    def now(self) -> datetime: ...

    async def async_check_certificate(self, now: datetime | None = None) -> SignerCheck: ...


# ---- inputs ------------------------------------------------------------------------------------


def read_message(message: MessageLike) -> tuple[bytes, str]:
    """``(bytes, display name)`` of a message given as an object, bytes or a path."""
    if isinstance(message, MIMEPart):
        return serialise(message), "<message>"
    data, name = _io.read_input(message)  # type: ignore[arg-type]
    return data, Path(name).name


def refuse_overwrite(message: MessageLike, output: str | os.PathLike[str] | None) -> None:
    """Never write over the input file."""
    if output is None or isinstance(message, (MIMEPart, bytes, bytearray)):
        return
    if _io.same_file(os.fspath(message), output):
        raise InputError(
            Msg(
                "Tệp đầu ra trùng tệp đầu vào; vbsign không bao giờ ghi đè tệp gốc.",
                "The output is the input file; vbsign never overwrites its input.",
            )
        )


def as_message(message: MessageLike) -> EmailMessage:
    """``message`` as an :class:`EmailMessage` (an EmailMessage passes through unchanged)."""
    if isinstance(message, EmailMessage):
        return message
    if isinstance(message, MIMEPart):
        return copy_message(message)
    return parse_message(read_message(message)[0])


def _trust(trust: TrustLike) -> TrustStore:
    """``trust`` itself, or the default store plus anchors contributed by plugins."""
    return TrustStore.coerce(extensions.trust_or_default(trust))


def mail_levels(policy: Any = None) -> dict[str, Level]:
    """The levels the validation policy (a profile name, a policy file or a Policy) gives
    the e-mail rules MAIL-01 and MAIL-02."""
    pol = policies.load_policy(policy)
    return {rule.id: pol.level(rule.id) for rule in (MAIL_01, MAIL_02)}


def _sender(msg: EmailMessage) -> tuple[list[str], str | None]:
    froms = addresses_in(header_values(msg, "From"))
    senders = addresses_in(header_values(msg, "Sender"))
    return froms, senders[0] if senders else None


def _mail_outcomes(signer: CertificateInfo, froms: list[str], sender: str | None) -> list[tuple[str, Outcome]]:
    return [(MAIL_01.id, eku_outcome(signer)), (MAIL_02.id, sender_outcome(froms, sender, signer))]


# ---- signing ------------------------------------------------------------------------------------


@dataclass
class MailSignResult:
    """A signed message."""

    data: bytes
    output: Path | None
    signer: CertificateInfo
    signing_time: datetime
    #: "B-B", or "B-T" with a signature timestamp
    level: str
    #: ``multipart/signed`` (False) or opaque ``signed-data`` (True)
    opaque: bool
    timestamp_time: datetime | None = None
    warnings: list[Msg] = field(default_factory=list)
    #: parts re-encoded from 8 bits before signing, and header fields protected inside
    reencoded_parts: list[str] = field(default_factory=list)
    protected_headers: list[str] = field(default_factory=list)
    revocation_checked: bool = True
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> EmailMessage:
        """The signed message, parsed (for sending through :mod:`smtplib`, use :attr:`data`)."""
        return parse_message(self.data)


def _check_mail_rules(signer: CertificateInfo, msg: EmailMessage, policy: Any) -> list[Msg]:
    """Apply MAIL-01/02 before signing: FAIL-level problems refuse, WARN-level ones warn."""
    levels = mail_levels(policy)
    froms, sender = _sender(msg)
    refusals: list[tuple[str, Msg]] = []
    warnings: list[Msg] = []
    for rule_id, outcome in _mail_outcomes(signer, froms, sender):
        if outcome.status not in (RuleStatus.FAILED, RuleStatus.INDETERMINATE):
            continue
        level = min_level(levels[rule_id], outcome.cap)
        if level is Level.FAIL:
            refusals.append((rule_id, outcome.message))
        elif level is Level.WARN:
            warnings.append(Msg(f"[{rule_id}] {outcome.message.vi}", f"[{rule_id}] {outcome.message.en}"))
    if refusals:
        raise CertificateRejected(
            Msg(
                "Không ký thư: chứng thư số của người ký không đạt quy tắc thư điện tử ({codes}).",
                "Not signed: the signer's certificate fails the e-mail rules ({codes}).",
            ).format(codes=", ".join(r for r, _ in refusals)),
            reasons=[m for _, m in refusals],
            details={"codes": [r for r, _ in refusals], "subject": signer.subject},
        )
    return warnings


async def async_sign_message(
    message: MessageLike,
    output: str | os.PathLike[str] | None = None,
    *,
    signer: SignerLike | None = None,
    key: str | os.PathLike[str] | SigningKey | None = None,
    passphrase: SecretLike = None,
    key_options: dict[str, Any] | None = None,
    trust: TrustLike = None,
    tsa: str | TimeStamper | None = None,
    services: Services | None = None,
    check_revocation: bool = True,
    prefer_pss: bool = False,
    clock: Callable[[], datetime] | None = None,
    opaque: bool = False,
    protect_headers: bool = True,
    policy: Any = None,
    metadata: Mapping[str, str] | None = None,
) -> MailSignResult:
    """Sign ``message`` as S/MIME (``multipart/signed``, or opaque with ``opaque=True``).

    Give a ``signer`` (e.g. a :class:`vbsign.Signer`, reused for many messages) or a ``key``
    with its options. ``policy`` chooses the levels of rules MAIL-01/MAIL-02 (default: the
    default profile). ``output`` is written atomically (never over the input).
    """
    if (signer is None) == (key is None):
        raise InputError(Msg("Cần đúng một trong signer hoặc key.", "Give exactly one of signer or key."))
    if signer is None:
        assert key is not None

        with Signer(
            key, passphrase=passphrase, trust=trust, tsa=tsa, level="B-T" if tsa else "B-B", services=services,
            check_revocation=check_revocation, prefer_pss=prefer_pss, clock=clock, key_options=key_options,
        ) as own:  # fmt: skip
            return await _sign_with(own, message, output, opaque, protect_headers, policy, metadata)
    return await _sign_with(signer, message, output, opaque, protect_headers, policy, metadata)


async def _sign_with(
    signer: SignerLike,
    message: MessageLike,
    output: str | os.PathLike[str] | None,
    opaque: bool,
    protect_headers: bool,
    policy: Any,
    metadata: Mapping[str, str] | None,
) -> MailSignResult:
    name = "<message>"
    if isinstance(message, MIMEPart):
        msg = copy_message(message)
    else:
        refuse_overwrite(message, output)
        raw, name = read_message(message)
        msg = copy_message(parse_message(raw))
    level = "B-T" if signer.timestamper is not None else "B-B"
    labels = {str(k): str(v) for k, v in (metadata or {}).items()}
    request: SignRequest | None = None
    if any(has_implementations(h) for h in ("vbsign_before_sign", "vbsign_after_sign", "vbsign_audit_event")):
        data = serialise(msg)  # what plugins and audit sinks see (address lists already safe to write)
        request = SignRequest(
            document=data, document_name=name, document_sha256=hashlib.sha256(data).hexdigest(), format="smime",
            level=level, signer=signer.signer_info, metadata=labels,
        )  # fmt: skip
    added = plugin_calls.before_sign(request) if request is not None else {}
    now = signer.now()
    check = await signer.async_check_certificate(now)
    warnings = [*check.warnings, *_check_mail_rules(signer.signer_info, msg, policy)]
    options = MailSignOptions(opaque, protect_headers, signer.md_algorithm, signer.prefer_pss)
    signed = await sign_mime(msg, signer.key, options, now=now, timestamper=signer.timestamper, copy=False)
    result = MailSignResult(
        data=signed.data, output=None, signer=signer.signer_info, signing_time=now, level=level, opaque=opaque,
        timestamp_time=signed.signature.timestamp_time, warnings=warnings, reencoded_parts=signed.reencoded,
        protected_headers=signed.protected_headers, revocation_checked=check.revocation_checked,
        metadata={**labels, **added},
    )  # fmt: skip
    if request is not None:
        _after_sign(request, result)
    if output is not None:
        result.output = _io.atomic_write(output, result.data)
    return result


def _after_sign(request: SignRequest, result: MailSignResult) -> None:
    """``vbsign_after_sign`` and the audit sinks see mail signatures like document ones."""
    doc = SignResult(
        data=result.data, output=None, format="smime", field_name=None, level=result.level, signer=result.signer,
        signing_time=result.signing_time, timestamp_time=result.timestamp_time, warnings=result.warnings,
        metadata=result.metadata, revocation_checked=result.revocation_checked,
    )  # fmt: skip
    plugin_calls.after_sign(request, doc)
    if has_implementations("vbsign_audit_event"):
        plugin_calls.emit_audit_event(plugin_calls.sign_event(request, doc))


def sign_message(
    message: MessageLike,
    output: str | os.PathLike[str] | None = None,
    *,
    signer: SignerLike | None = None,
    key: str | os.PathLike[str] | SigningKey | None = None,
    passphrase: SecretLike = None,
    key_options: dict[str, Any] | None = None,
    trust: TrustLike = None,
    tsa: str | TimeStamper | None = None,
    services: Services | None = None,
    check_revocation: bool = True,
    prefer_pss: bool = False,
    clock: Callable[[], datetime] | None = None,
    opaque: bool = False,
    protect_headers: bool = True,
    policy: Any = None,
    metadata: Mapping[str, str] | None = None,
) -> MailSignResult:
    """Synchronous :func:`async_sign_message`."""
    return run_sync(async_sign_message(
        message, output, signer=signer, key=key, passphrase=passphrase, key_options=key_options,
        trust=trust, tsa=tsa, services=services, check_revocation=check_revocation, prefer_pss=prefer_pss,
        clock=clock, opaque=opaque, protect_headers=protect_headers, policy=policy, metadata=metadata,
    ))  # fmt: skip


# ---- verification ------------------------------------------------------------------------------


def apply_mail_rules(report: Report, levels: Mapping[str, Level]) -> None:
    """Add the MAIL-01/MAIL-02 findings to each signature at the policy's level; a FAIL-level
    problem makes a passing signature INDETERMINATE (never the other way round)."""
    mail = report.mail
    if mail is None:
        return
    rules = {MAIL_01.id: MAIL_01, MAIL_02.id: MAIL_02}
    for sig in report.signatures:
        if sig.signer is None:
            continue
        for rule_id, outcome in _mail_outcomes(sig.signer, mail.from_addresses, mail.sender):
            level = min_level(levels.get(rule_id, Level.IGNORE), outcome.cap)
            if level is Level.IGNORE or outcome.status is RuleStatus.NOT_APPLICABLE:
                continue
            if outcome.status is RuleStatus.PASSED:
                if rule_id == MAIL_02.id:
                    sig.add("MAIL_SENDER_MATCHES", Severity.INFO, outcome.message, rule=rule_id)
                continue
            sig.add(RULE_CODES[rule_id], _SEVERITY[level], outcome.message, rule=rule_id, level=level.value)
            if level is Level.FAIL and sig.indication is Indication.TOTAL_PASSED:
                sig.indication, sig.sub_indication = Indication.INDETERMINATE, rules[rule_id].sub_indication
    order = {Indication.TOTAL_PASSED: 0, Indication.INDETERMINATE: 1, Indication.TOTAL_FAILED: 2}
    for sig in report.signatures:
        if order.get(sig.indication, 0) > order.get(report.indication, 3):
            report.indication, report.sub_indication = sig.indication, sig.sub_indication


async def async_verify_message(
    message: MessageLike,
    *,
    trust: TrustLike = None,
    at: ValidationTime | str | datetime = ValidationTime.SIGNING,
    now: datetime | None = None,
    services: Services | None = None,
    policy: Any = None,
    decrypt_key: str | os.PathLike[str] | SigningKey | None = None,
    passphrase: SecretLike = None,
    key_options: dict[str, Any] | None = None,
    require_full_coverage: bool = True,
    metadata: Mapping[str, str] | None = None,
) -> MailVerification:
    """Verify an S/MIME message (decrypting it first with ``decrypt_key`` if encrypted).

    ``result.report`` is the :class:`~vbsign.report.Report` (``document.format == "mail"``;
    every MIME part in ``attachments``; headers in ``mail``); ``result.content`` is the
    message as verified — display that, not the outer message.
    """
    at, now = validation_moment(at, now)
    data, name = read_message(message)
    ades = AdesVerifyOptions(trust=_trust(trust), at=at, now=now or utcnow(), services=extensions.resolve_services(services))
    key = extensions.open_key(decrypt_key, passphrase=passphrase, **(key_options or {})) if decrypt_key is not None else None
    try:
        result = await verify_mime(data, name, MailVerifyOptions(ades, require_full_coverage, key))
    finally:
        if key is not None and key is not decrypt_key:
            key.close()
    apply_mail_rules(result.report, mail_levels(policy))
    plugin_calls.after_verify(result.report)
    if has_implementations("vbsign_audit_event"):
        plugin_calls.emit_audit_event(plugin_calls.report_event(result.report, "verify", metadata))
    return result


def verify_message(
    message: MessageLike,
    *,
    trust: TrustLike = None,
    at: ValidationTime | str | datetime = ValidationTime.SIGNING,
    now: datetime | None = None,
    services: Services | None = None,
    policy: Any = None,
    decrypt_key: str | os.PathLike[str] | SigningKey | None = None,
    passphrase: SecretLike = None,
    key_options: dict[str, Any] | None = None,
    require_full_coverage: bool = True,
    metadata: Mapping[str, str] | None = None,
) -> MailVerification:
    """Synchronous :func:`async_verify_message`."""
    return run_sync(async_verify_message(
        message, trust=trust, at=at, now=now, services=services, policy=policy, decrypt_key=decrypt_key,
        passphrase=passphrase, key_options=key_options, require_full_coverage=require_full_coverage,
        metadata=metadata,
    ))  # fmt: skip


# ---- encryption ---------------------------------------------------------------------------------


@dataclass
class MailEncryptResult:
    data: bytes
    output: Path | None
    #: the certificates the message was encrypted for
    recipients: list[CertificateInfo]
    cipher: str
    warnings: list[Msg] = field(default_factory=list)


async def async_encrypt_message(
    message: MessageLike,
    output: str | os.PathLike[str] | None = None,
    *,
    recipients: Sequence[CertificateLike] = (),
    lookup: RecipientLookup | None = None,
    trust: TrustLike = None,
    intermediates: Sequence[CertificateLike] = (),
    services: Services | None = None,
    check_chain: bool = True,
    check_revocation: bool = True,
    cipher: str = DEFAULT_CIPHER,
    clock: Callable[[], datetime] | None = None,
    policy: Any = None,
) -> MailEncryptResult:
    """Encrypt ``message`` for ``recipients`` (certificates or files) and, through ``lookup``
    and plugins, for every To/Cc/Bcc address no given certificate names.

    Each recipient certificate is checked first (validity, RSA, keyEncipherment, MAIL-01 at
    the policy's level, chain and revocation unless disabled): one bad certificate refuses
    the whole message (:class:`~vbsign.errors.CertificateRejected`, naming it).
    """
    refuse_overwrite(message, output)
    now = clock() if clock else utcnow()
    msg = as_message(message)
    explicit = load_recipient_certificates(recipients)
    addresses = addresses_in([v for f in ("To", "Cc", "Bcc") for v in header_values(msg, f)])
    lookups = [lookup] if lookup is not None else []
    if has_implementations("vbsign_mail_recipient_certificates"):
        lookups.append(plugin_calls.mail_recipient_certificates)
    certs = resolve_recipients(addresses, explicit, now=now, lookups=lookups)
    if not certs:
        raise InputError(Msg("Chưa có chứng thư người nhận nào để mã hóa.", "No recipient certificate to encrypt for."))
    store = _trust(trust).with_intermediates(load_recipient_certificates(intermediates))
    warnings: list[Msg] = []
    levels = mail_levels(policy)
    for cert in certs:
        problems = await check_recipient(
            cert, store, now=now, services=extensions.resolve_services(services), check_chain=check_chain,
            check_revocation=check_revocation, clock_given=clock is not None, intermediates=store.intermediates,
        )  # fmt: skip
        eku = eku_outcome(CertificateInfo.from_asn1(cert))
        if eku.status is RuleStatus.FAILED:
            lvl = levels[MAIL_01.id]
            if lvl is Level.FAIL:
                problems.append((MAIL_01.id, eku.message))
            elif lvl is Level.WARN:
                warnings.append(eku.message)
        if problems:
            raise refuse(cert, problems)
    if not check_revocation or not check_chain:
        warnings.append(Msg(
            "CẢNH BÁO: không kiểm tra chuỗi/thu hồi của chứng thư người nhận.",
            "WARNING: the recipient certificates' chain/revocation was not checked.",
        ))  # fmt: skip
    headers, entity = split_message(copy_message(msg))
    envelope = encrypt_entity(serialise(entity), certs, cipher)
    data = serialise(build_pkcs7_mime(headers, envelope.der, envelope.smime_type))
    written = _io.atomic_write(output, data) if output is not None else None
    return MailEncryptResult(data, written, [CertificateInfo.from_asn1(c) for c in certs], cipher, warnings)


def encrypt_message(
    message: MessageLike,
    output: str | os.PathLike[str] | None = None,
    *,
    recipients: Sequence[CertificateLike] = (),
    lookup: RecipientLookup | None = None,
    trust: TrustLike = None,
    intermediates: Sequence[CertificateLike] = (),
    services: Services | None = None,
    check_chain: bool = True,
    check_revocation: bool = True,
    cipher: str = DEFAULT_CIPHER,
    clock: Callable[[], datetime] | None = None,
    policy: Any = None,
) -> MailEncryptResult:
    """Synchronous :func:`async_encrypt_message`."""
    return run_sync(async_encrypt_message(
        message, output, recipients=recipients, lookup=lookup, trust=trust, intermediates=intermediates,
        services=services, check_chain=check_chain, check_revocation=check_revocation, cipher=cipher,
        clock=clock, policy=policy,
    ))  # fmt: skip


# ---- decryption ---------------------------------------------------------------------------------


@dataclass
class MailDecryptResult:
    #: the outer header fields followed by the decrypted entity (byte for byte)
    data: bytes
    output: Path | None
    cipher: str
    key_transport: str
    #: the decrypted content is itself S/MIME (signed): verify it with :func:`verify_message`
    signed: bool
    warnings: list[Msg] = field(default_factory=list)

    @property
    def message(self) -> EmailMessage:
        return parse_message(self.data)


async def async_decrypt_message(
    message: MessageLike,
    output: str | os.PathLike[str] | None = None,
    *,
    key: str | os.PathLike[str] | SigningKey,
    passphrase: SecretLike = None,
    key_options: dict[str, Any] | None = None,
) -> MailDecryptResult:
    """Decrypt an ``enveloped-data``/``authEnveloped-data`` message with the recipient's key
    (a PKCS#12/PEM file, a ``pkcs11:`` token key, or an open key)."""
    refuse_overwrite(message, output)
    data, _ = read_message(message)
    raw, _ = strip_mbox_line(data)
    top = parse_entity(to_crlf(raw))
    kind, der = smime_kind(top)
    if kind not in ("enveloped-data", "authEnveloped-data"):
        raise InputError(Msg("Thư không được mã hóa S/MIME ({k}).", "The message is not S/MIME encrypted ({k}).").format(
            k=kind or top.content_type
        ))  # fmt: skip
    opened = extensions.open_key(key, passphrase=passphrase, **(key_options or {}))
    try:
        plain = await decrypt_envelope(der, opened)
    finally:
        if opened is not key:
            opened.close()
    out = assemble(top.header, plain.content)
    inner, _ = smime_kind(parse_entity(to_crlf(plain.content)))
    written = _io.atomic_write(output, out) if output is not None else None
    return MailDecryptResult(out, written, plain.cipher, plain.key_transport, inner is not None, plain.warnings)


def decrypt_message(
    message: MessageLike,
    output: str | os.PathLike[str] | None = None,
    *,
    key: str | os.PathLike[str] | SigningKey,
    passphrase: SecretLike = None,
    key_options: dict[str, Any] | None = None,
) -> MailDecryptResult:
    """Synchronous :func:`async_decrypt_message`."""
    return run_sync(async_decrypt_message(
        message, output, key=key, passphrase=passphrase, key_options=key_options,
    ))  # fmt: skip


def receive_event(report: Report, decision: str, metadata: Mapping[str, str]) -> AuditEvent:
    """The audit event of a received message (for :func:`vbsign.host.on_mail_receive`)."""
    event = plugin_calls.report_event(report, "receive", metadata)
    return AuditEvent(**{**event.__dict__, "verdict": decision})


__all__ = [
    "MailDecryptResult",
    "MailEncryptResult",
    "MailSignResult",
    "MessageLike",
    "SignerLike",
    "apply_mail_rules",
    "as_message",
    "async_decrypt_message",
    "async_encrypt_message",
    "async_sign_message",
    "async_verify_message",
    "decrypt_message",
    "encrypt_message",
    "mail_levels",
    "read_message",
    "refuse_overwrite",
    "sign_message",
    "verify_message",
]
