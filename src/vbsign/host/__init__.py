"""The host bridge: what a document management system calls when documents leave or arrive.

>>> from vbsign import Signer
>>> from vbsign.host import OutgoingDocument, SendContext, ReceiveContext, on_send, on_receive
>>> ctx = SendContext(person=Signer("leader.p12", ...), seal=Signer("agency.p12", ...))
>>> out = on_send(OutgoingDocument("draft.pdf", number="12/QĐ-BKHCN"), ctx)
>>> if out.ready:
...     transport.send(out.signed); out.evidence.write("evidence/12-QD-BKHCN")
>>> got = on_receive(incoming_bytes, ReceiveContext(trust=["roots.pem"], tsa="http://tsa…"))
>>> got.decision            # ACCEPT, RETURN_TO_SENDER or QUARANTINE
>>> print(got.summary())    # the reasons, in Vietnamese (or English)

E-mail (S/MIME): :func:`on_mail_send` signs (and encrypts) an outgoing message, and
:func:`on_mail_receive` decrypts and verifies an incoming one (:mod:`vbsign.host.mail`).

Both functions have async versions (:func:`async_on_send`, :func:`async_on_receive`) for
hosts built on asyncio (FastAPI, aiohttp); the sync ones also work inside a running loop.
"""

from __future__ import annotations

from vbsign.host.mail import (
    MailReceiveContext,
    MailReceiveOutcome,
    MailSendContext,
    MailSendOutcome,
    async_on_mail_receive,
    async_on_mail_send,
    on_mail_receive,
    on_mail_send,
)
from vbsign.host.receive import async_on_receive, on_receive
from vbsign.host.send import async_on_send, on_send
from vbsign.host.two_step import (
    async_complete_send,
    async_prepare_send,
    complete_send,
    prepare_send,
)
from vbsign.host.types import ReceiveContext, SendContext
from vbsign.model.evidence import EvidenceBundle, ReceiptInfo, delete_evidence
from vbsign.model.host import (
    Attachment,
    IncomingDocument,
    OutgoingDocument,
    ReceiveDecision,
    ReceiveOutcome,
    SendDecision,
    SendOutcome,
)

__all__ = [
    "Attachment",
    "EvidenceBundle",
    "IncomingDocument",
    "MailReceiveContext",
    "MailReceiveOutcome",
    "MailSendContext",
    "MailSendOutcome",
    "OutgoingDocument",
    "ReceiptInfo",
    "ReceiveContext",
    "ReceiveDecision",
    "ReceiveOutcome",
    "SendContext",
    "SendDecision",
    "SendOutcome",
    "async_complete_send",
    "async_on_mail_receive",
    "async_on_mail_send",
    "async_on_receive",
    "async_on_send",
    "async_prepare_send",
    "complete_send",
    "delete_evidence",
    "on_mail_receive",
    "on_mail_send",
    "on_receive",
    "on_send",
    "prepare_send",
]
