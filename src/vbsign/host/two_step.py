"""``on_send`` in two steps: the competent person's key is not on the server.

When the leader's key sits on a USB token in the leader's PC (or in a phone app of a
remote-signing service the DMS does not call itself), the DMS cannot sign on send:

1. :func:`prepare_send` prepares the person's signature (Decree 30/2020 appearance, field,
   reason, as :func:`~vbsign.host.on_send` would) and returns a
   :class:`~vbsign.api.two_step.PreparedSignature`: the DMS stores ``prepared.document``
   and ``prepared.session_json()`` with the draft and sends ``prepared.tbs`` to the
   leader's signing tool;
2. when the signature value arrives, :func:`complete_send` verifies it against the
   leader's certificate and embeds it (:meth:`~vbsign.api.two_step.TwoStepSigner.complete`
   — a wrong key, other bytes, an expired or tampered session raise
   :class:`~vbsign.errors.SessionRejected`: ask the leader again), then runs the rest of
   :func:`~vbsign.host.on_send` unchanged — agency seal with the document number,
   attachments, verification, the outgoing policy, plugins, evidence — and returns its
   :class:`~vbsign.model.host.SendOutcome`.

With a remote-signing service the DMS can call itself, no split is needed: give
``SendContext(person=Signer("csc:CREDENTIAL", key_options={"csc_url": …, "pin": …}))``.
"""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import timedelta
from pathlib import Path

import vbsign._core.files as _io
from vbsign._core.aio import run_sync
from vbsign.api.two_step import DEFAULT_VALID_FOR, PreparedSignature, TwoStepSigner
from vbsign.host.appearances import default_appearances
from vbsign.host.send import async_on_send
from vbsign.host.types import SendContext
from vbsign.model.host import OutgoingDocument, SendOutcome
from vbsign.model.session import SigningSession

__all__ = ["async_complete_send", "async_prepare_send", "complete_send", "prepare_send"]


async def async_prepare_send(
    document: _io.Source | OutgoingDocument,
    context: SendContext,
    person: TwoStepSigner,
    *,
    valid_for: timedelta = DEFAULT_VALID_FOR,
) -> PreparedSignature:
    """Step one: the person's signature, prepared as ``on_send`` would sign it."""
    doc = document if isinstance(document, OutgoingDocument) else OutgoingDocument(document)
    data, source_name = _io.read_input(doc.content)
    stream = io.BytesIO(data)
    stream.name = doc.name or Path(source_name).name
    person_appearance, _seal = default_appearances(dataclasses.replace(context, person=person.signer))
    return await person.async_prepare(
        stream,
        field=context.person_field,
        reason=context.person_reason,
        location=context.location,
        appearance=person_appearance,
        valid_for=valid_for,
    )


async def async_complete_send(
    document: OutgoingDocument,
    context: SendContext,
    person: TwoStepSigner,
    *,
    session: SigningSession | str | bytes | os.PathLike[str],
    signature: bytes,
    prepared_document: _io.Source,
    secret: bytes | str | None = None,
) -> SendOutcome:
    """Step two: embed the person's signature, then seal, check and decide like ``on_send``
    (``document`` carries the number, attachments and recipients; its content is replaced
    by the person-signed PDF)."""
    signed = await person.async_complete(session, signature, document=prepared_document, secret=secret)
    return await async_on_send(
        dataclasses.replace(document, content=signed.data), dataclasses.replace(context, person=None)
    )


def prepare_send(
    document: _io.Source | OutgoingDocument,
    context: SendContext,
    person: TwoStepSigner,
    *,
    valid_for: timedelta = DEFAULT_VALID_FOR,
) -> PreparedSignature:
    """Synchronous :func:`async_prepare_send`."""
    return run_sync(async_prepare_send(document, context, person, valid_for=valid_for))


def complete_send(
    document: OutgoingDocument,
    context: SendContext,
    person: TwoStepSigner,
    *,
    session: SigningSession | str | bytes | os.PathLike[str],
    signature: bytes,
    prepared_document: _io.Source,
    secret: bytes | str | None = None,
) -> SendOutcome:
    """Synchronous :func:`async_complete_send`."""
    return run_sync(
        async_complete_send(document, context, person, session=session, signature=signature,
                            prepared_document=prepared_document, secret=secret)  # fmt: skip
    )
