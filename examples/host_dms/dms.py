"""A minimal document management system (DMS) that uses vbsign for sending and receiving.

Two agencies exchange documents through folders, as a stand-in for the national document
exchange axis (Trục liên thông văn bản quốc gia)::

    <root>/<agency>/drafts/        documents waiting to be issued
    <root>/<agency>/sent/          issued documents (signed) + evidence/<id>/
    <root>/<agency>/blocked/       documents vbsign refused to release, with reasons.txt
    <root>/<agency>/inbox/         incoming: <id>.pdf + <id>.envelope.json (+ attachments)
    <root>/<agency>/registered/    accepted incoming documents + evidence/<id>/
    <root>/<agency>/returned/      returned to the sender (Decree 30/2020 Art. 21 cl. 2) + reasons
    <root>/<agency>/quarantine/    no conclusion yet (e.g. revocation unreachable): check again later
    <root>/<agency>/notices/       notices from other agencies (returns)
    <root>/journal.jsonl           the DMS's audit journal (fed by vbsign's audit hook)

The DMS plugs into vbsign in two ways: it calls the host bridge (``vbsign.host.on_send`` /
``on_receive``) and it registers its own plugin object (:class:`DmsPlugin`) that receives
vbsign's audit events and checks the addressee of incoming documents.
"""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vbsign.host import (
    Attachment,
    IncomingDocument,
    OutgoingDocument,
    ReceiveContext,
    ReceiveDecision,
    SendContext,
    on_receive,
    on_send,
)
from vbsign.i18n import Msg

FOLDERS = ("drafts", "sent", "blocked", "inbox", "registered", "returned", "quarantine", "notices")


def slug(text: str) -> str:
    """A file-name-safe id: '12/QĐ-BKHCN' -> '12-QĐ-BKHCN'."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-")


class DmsPlugin:
    """The DMS's own vbsign plugin: an audit journal and the addressee check."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self._lock = threading.Lock()

    def vbsign_audit_event(self, event: Any) -> None:
        line = json.dumps(asdict(event), ensure_ascii=False, default=str, sort_keys=True)
        with self._lock, open(self.journal, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")

    def vbsign_on_receive(self, document: IncomingDocument, context: ReceiveContext, outcome: Any) -> list[Msg] | None:
        to = document.metadata.get("to")
        if to and to != context.unit:
            return [
                Msg(
                    f"Văn bản gửi sai nơi nhận (gửi tới: {to}).",
                    f"The document was sent to the wrong addressee (addressed to: {to}).",
                )
            ]
        return None


@dataclass
class Agency:
    """One agency of the DMS: its folders, its signing keys and its receiving settings."""

    name: str
    root: Path
    send: SendContext
    receive: ReceiveContext
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for sub in FOLDERS:
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.receive.unit = self.name
        self.send.unit = self.name

    # ---- sending ---------------------------------------------------------------------------
    def issue(
        self,
        draft: Path,
        *,
        number: str,
        to: list[str],
        attachments: list[Path] = (),  # type: ignore[assignment]
    ) -> bool:
        """Sign and release a draft; True if it is ready to send (placed in ``sent/``)."""
        doc_id = slug(number)
        doc = OutgoingDocument(
            draft, name=f"{doc_id}.pdf", number=number, document_id=doc_id, recipients=to,
            attachments=[Attachment(p, p.name) for p in attachments],
        )
        out = on_send(doc, self.send)
        if not out.ready:
            target = self.root / "blocked" / doc_id
            target.mkdir(parents=True, exist_ok=True)
            (target / "reasons.txt").write_text(out.summary("vi") + "\n\n" + out.summary("en") + "\n", encoding="utf-8")
            out.evidence.write(target / "evidence")
            self.log.append(f"{self.name}: {number} BLOCKED")
            return False
        sent = self.root / "sent"
        assert out.signed is not None
        (sent / f"{doc_id}.pdf").write_bytes(out.signed)
        for name, data in out.attachments:
            (sent / f"{doc_id}.{name}").write_bytes(data)
        out.evidence.write(sent / "evidence" / doc_id)
        envelope = {"id": doc_id, "number": number, "from": self.name, "to": to,
                    "attachments": [f"{doc_id}.{n}" for n, _ in out.attachments]}
        (sent / f"{doc_id}.envelope.json").write_text(json.dumps(envelope, ensure_ascii=False, indent=2), encoding="utf-8")
        self.log.append(f"{self.name}: {number} READY")
        return True

    # ---- receiving -------------------------------------------------------------------------
    def receive_all(self, agencies: dict[str, Agency]) -> dict[str, str]:
        """Check every document in ``inbox/``; return ``{document id: decision}``."""
        decisions: dict[str, str] = {}
        inbox = self.root / "inbox"
        for env_path in sorted(inbox.glob("*.envelope.json")):
            envelope = json.loads(env_path.read_text(encoding="utf-8"))
            doc_id = envelope["id"]
            files = [inbox / f"{doc_id}.pdf", *(inbox / a for a in envelope["attachments"])]
            envelope_data = {"sender": envelope["from"], "to": ", ".join(envelope["to"]), "number": envelope["number"]}
            outcomes = [
                on_receive(
                    IncomingDocument(f, kind="main" if i == 0 else "attachment", document_id=doc_id,
                                     metadata=envelope_data),
                    self.receive,
                )
                for i, f in enumerate(files)
            ]
            # the main document and every attachment must pass; the worst decision wins
            order = [ReceiveDecision.RETURN_TO_SENDER, ReceiveDecision.QUARANTINE, ReceiveDecision.ACCEPT]
            worst = min(outcomes, key=lambda o: order.index(o.decision))
            folder = {
                ReceiveDecision.ACCEPT: "registered",
                ReceiveDecision.RETURN_TO_SENDER: "returned",
                ReceiveDecision.QUARANTINE: "quarantine",
            }[worst.decision]
            target = self.root / folder
            for f, outcome in zip(files, outcomes, strict=True):
                outcome.evidence.write(target / "evidence" / f.stem)
                shutil.move(str(f), target / f.name)
            shutil.move(str(env_path), target / env_path.name)
            if worst.decision is ReceiveDecision.RETURN_TO_SENDER:
                notice = {"id": doc_id, "from": self.name, "decision": worst.decision.value,
                          "reasons_vi": [r.message_vi for r in worst.reasons],
                          "reasons_en": [r.message_en for r in worst.reasons]}
                (target / f"{doc_id}.reasons.txt").write_text(worst.summary("vi") + "\n", encoding="utf-8")
                sender = agencies.get(envelope["from"])
                if sender is not None:
                    (sender.root / "notices" / f"{doc_id}.returned.json").write_text(
                        json.dumps(notice, ensure_ascii=False, indent=2), encoding="utf-8"
                    )
            decisions[doc_id] = worst.decision.value
            self.log.append(f"{self.name}: {envelope['number']} {worst.decision.value}")
        return decisions


class Exchange:
    """The transport between agencies (a folder copy; ``corrupt`` simulates damage in transit)."""

    def __init__(self, agencies: dict[str, Agency]) -> None:
        self.agencies = agencies

    def deliver(self, sender: Agency, doc_id: str, to: str, *, corrupt: bool = False) -> None:
        sent = sender.root / "sent"
        envelope = json.loads((sent / f"{doc_id}.envelope.json").read_text(encoding="utf-8"))
        inbox = self.agencies[to].root / "inbox"
        for name in [f"{doc_id}.pdf", *envelope["attachments"]]:
            data = (sent / name).read_bytes()
            if corrupt and name == f"{doc_id}.pdf":
                i = data.index(b"/Producer") if b"/Producer" in data else 200
                data = data[:i] + data[i:i + 64].replace(b"e", b"E", 1) + data[i + 64:]
            (inbox / name).write_bytes(data)
        (inbox / f"{doc_id}.envelope.json").write_text(json.dumps(envelope, ensure_ascii=False), encoding="utf-8")
