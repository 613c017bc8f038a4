"""The host bridge for e-mail: on_mail_send / on_mail_receive decisions and plugin hooks."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests._fixtures.smime import PASSPHRASE, SUBJECT, T0, services_at, vietnamese_message
from vbsign import api
from vbsign._core.i18n import Msg
from vbsign.host import (
    MailReceiveContext,
    MailSendContext,
    ReceiveDecision,
    SendDecision,
    on_mail_receive,
    on_mail_send,
)
from vbsign.mail import parse_message
from vbsign.pki.trust import TrustStore
from vbsign.plugins import manager


class Plugin:
    """Records events; objects when told to."""

    def __init__(self, object_send: bool = False, object_receive: bool = False) -> None:
        self.events: list[Any] = []
        self.object_send, self.object_receive = object_send, object_receive

    def vbsign_audit_event(self, event: Any) -> None:
        self.events.append(event)

    def vbsign_on_mail_send(self, message: EmailMessage, outcome: Any) -> Any:
        assert str(message["Subject"]) == SUBJECT  # the message as the host gave it
        return [Msg("Thư có tệp đính kèm chưa được phép gửi ra ngoài.", "Attachments may not leave the ministry.")] if self.object_send else None

    def vbsign_on_mail_receive(self, message: bytes, outcome: Any) -> Any:
        return [Msg("Sai người nhận.", "Wrong addressee.")] if self.object_receive else None


@pytest.fixture
def plugin() -> Iterator[Plugin]:
    fresh = manager.PluginManager()
    fresh.load_entry_points(autoload=False)
    p = Plugin()
    fresh.add_plugin(p, "test-mail-host")
    with manager.use_plugin_manager(fresh):
        yield p


@pytest.fixture
def signer(pki_dir: Path, pki: Any) -> Iterator[Any]:
    def _make(label: str = "mail-person") -> api.Signer:
        return api.Signer(
            pki_dir / f"{label}.p12", passphrase=PASSPHRASE, trust=TrustStore.coerce(pki.roots).with_intermediates(pki.intermediates),
            services=services_at(pki, T0), clock=lambda: T0, level="B-B",
        )  # fmt: skip

    made: list[api.Signer] = []
    yield lambda label="mail-person": made.append(_make(label)) or made[-1]
    for s in made:
        s.close()


@pytest.fixture
def receive_ctx(pki: Any, pki_dir: Path) -> Any:
    def _ctx(**kw: Any) -> MailReceiveContext:
        kw.setdefault("trust", pki.roots)
        kw.setdefault("services", services_at(pki, T0))
        return MailReceiveContext(clock=lambda: T0, **kw)

    return _ctx


def test_send_sign_and_encrypt_then_receive(plugin: Plugin, signer: Any, receive_ctx: Any, pki: Any, pki_dir: Path) -> None:
    directory = {"nhan.pv@sokhcn.hanoi.vbsign.test": [pki.cert("mail-person-b")]}
    out = on_mail_send(vietnamese_message(), MailSendContext(signer=signer(), encrypt=True, lookup=lambda a: directory.get(a, [])))
    assert out.decision is SendDecision.READY and out.ready, out.summary("en")
    assert out.signed is not None and out.encrypted is not None and out.data == out.encrypted.data
    assert sorted(r.common_name for r in out.encrypted.recipients) == ["Nguyễn Thị Thư", "Phan Văn Nhận"]  # + the sender's copy
    got = on_mail_receive(out.data, receive_ctx(decrypt_key=str(pki_dir / "mail-person-b.p12"), passphrase=PASSPHRASE))
    assert got.decision is ReceiveDecision.ACCEPT and got.decrypted, got.summary("en")
    assert str(parse_message(got.content)["Subject"]) == SUBJECT
    assert [e.kind for e in plugin.events] == ["sign", "send", "verify", "receive"]
    assert plugin.events[-1].verdict == "ACCEPT" and plugin.events[1].details["encrypted"] is True


def test_send_is_blocked_with_reasons(plugin: Plugin, signer: Any, pki: Any) -> None:
    bad = on_mail_send(vietnamese_message(sender="Lâm Văn Ký <ky.lv@bkhcn.vbsign.test>"), MailSendContext(signer=signer("mail-noeku")))
    assert bad.decision is SendDecision.BLOCKED and bad.data is None
    assert "MAIL-01" in bad.summary("en") and "emailProtection" in bad.summary("en")
    missing = on_mail_send(vietnamese_message(), MailSendContext(signer=signer(), encrypt=True, lookup=lambda a: []))
    assert missing.decision is SendDecision.BLOCKED and "nhan.pv@sokhcn.hanoi.vbsign.test" in missing.summary("vi")
    plugin.object_send = True
    objected = on_mail_send(vietnamese_message(), MailSendContext(signer=signer()))
    assert objected.decision is SendDecision.BLOCKED and "Attachments may not leave" in objected.summary("en")
    assert objected.signed is not None  # signed, but the plugin's objection blocks it


def test_receive_decisions(plugin: Plugin, signer: Any, receive_ctx: Any, pki: Any) -> None:
    from vbsign.mail import sign_message
    from vbsign.pki.validation import Services

    good = on_mail_send(vietnamese_message(), MailSendContext(signer=signer())).data
    assert on_mail_receive(good, receive_ctx()).decision is ReceiveDecision.ACCEPT
    tampered = good.replace(b"Tr=C3=A2n", b"Th=C3=A2n", 1)
    assert on_mail_receive(tampered, receive_ctx()).decision is ReceiveDecision.RETURN_TO_SENDER
    unsigned = vietnamese_message().as_bytes()
    assert on_mail_receive(unsigned, receive_ctx()).decision is ReceiveDecision.RETURN_TO_SENDER
    lenient = on_mail_receive(unsigned, receive_ctx(require_signature=False))
    assert lenient.decision is ReceiveDecision.ACCEPT
    # revocation status unreachable: no conclusion yet
    unreachable = on_mail_receive(good, receive_ctx(services=Services(online=False)))
    assert unreachable.decision is ReceiveDecision.QUARANTINE, unreachable.summary("en")
    # a certificate not meant for e-mail (MAIL-01 at FAIL): returned to the sender
    with signer("mail-noeku") as s:
        noeku = sign_message(vietnamese_message(sender="Lâm Văn Ký <ky.lv@bkhcn.vbsign.test>"), signer=s,
                             policy=_warn_policy(pki)).data  # fmt: skip
    got = on_mail_receive(noeku, receive_ctx())
    assert got.decision is ReceiveDecision.RETURN_TO_SENDER and "emailProtection" in got.summary("en")
    # encrypted, no key: quarantined (cannot be read yet)
    from vbsign.mail import encrypt_message

    enc = encrypt_message(good, recipients=[pki.cert("mail-person-b")], check_chain=False)
    assert on_mail_receive(enc.data, receive_ctx()).decision is ReceiveDecision.QUARANTINE
    # a plugin may only make it stricter
    plugin.object_receive = True
    objected = on_mail_receive(good, receive_ctx())
    assert objected.decision is ReceiveDecision.RETURN_TO_SENDER and "Wrong addressee" in objected.summary("en")


def _warn_policy(pki: Any) -> Any:
    """The default profile with MAIL-01 lowered to WARN (to make such a message at all)."""
    from vbsign.policy.model import Level
    from vbsign.policy.policy import PolicySettings
    from vbsign.policy.registry import default_registry

    return default_registry().resolve("tt41", PolicySettings(levels={"MAIL-01": Level.WARN}))


class _Loosener:
    """Tries to accept every incoming message and to un-block every outgoing one."""

    def vbsign_on_mail_receive(self, message: bytes, outcome: Any) -> None:
        outcome.decision = ReceiveDecision.ACCEPT
        outcome.reasons.clear()

    def vbsign_on_mail_send(self, message: EmailMessage, outcome: Any) -> None:
        outcome.decision = SendDecision.READY


def test_mail_plugins_cannot_loosen_a_decision(signer: Any, receive_ctx: Any) -> None:
    fresh = manager.PluginManager()
    fresh.load_entry_points(autoload=False)
    fresh.add_plugin(_Loosener(), "loosener")
    with manager.use_plugin_manager(fresh):
        unsigned = vietnamese_message().as_bytes()
        got = on_mail_receive(unsigned, receive_ctx())
        assert got.decision is ReceiveDecision.RETURN_TO_SENDER
        assert "PLUGIN_CHANGE_REFUSED" in {r.code for r in got.reasons} and "loosener" in got.summary("en")
        bad = on_mail_send(
            vietnamese_message(sender="Lâm Văn Ký <ky.lv@bkhcn.vbsign.test>"), MailSendContext(signer=signer("mail-noeku"))
        )
        assert bad.decision is SendDecision.BLOCKED and bad.data is None
        assert "PLUGIN_CHANGE_REFUSED" in {r.code for r in bad.reasons}
