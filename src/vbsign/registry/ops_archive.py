"""Archived documents: the registry holds the results of archive scans and raises renewal
alerts for them through the same ``vbsign_certificate_alert`` hook as certificate alerts
(:meth:`Registry.alerts`, codes ``ARCHIVE_RENEWAL_DUE`` and ``ARCHIVE_PROOF_EXPIRED``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from vbsign.model.extend import ArchiveEntry
from vbsign.registry.base import RegistryBase
from vbsign.registry.models import ArchivedDocument


@dataclass(frozen=True)
class ArchivedDocumentView:
    path: str
    sha256: str | None
    format: str | None
    level: str | None
    indication: str | None
    proof_holds_until: datetime | None
    proof_limit: str | None
    scanned_at: datetime


class ArchiveOps(RegistryBase):
    """Hold archive-scan results (one row per document path, replaced by each scan)."""

    def hold_archive(self, entries: Sequence[ArchiveEntry]) -> int:
        """Record (or update) the scanned documents that carry a signature; returns how many."""
        now = self.clock()
        held = 0
        with self.writing() as s:
            for e in entries:
                if e.indication is None or e.indication == "NO_SIGNATURE_FOUND":
                    continue
                row = s.get(ArchivedDocument, str(e.path)) or ArchivedDocument(path=str(e.path))
                row.sha256 = _sha256(e)
                row.format, row.level, row.indication = e.format, e.level, e.indication
                row.proof_holds_until, row.proof_limit = e.proof_holds_until, e.limit
                row.scanned_at = now
                s.add(row)
                held += 1
        return held

    def archived_documents(self) -> list[ArchivedDocumentView]:
        with self.reading() as s:
            rows = s.execute(select(ArchivedDocument).order_by(ArchivedDocument.path)).scalars().all()
            return [
                ArchivedDocumentView(
                    r.path, r.sha256, r.format, r.level, r.indication, r.proof_holds_until, r.proof_limit, r.scanned_at
                )
                for r in rows
            ]


def _sha256(entry: ArchiveEntry) -> str | None:
    try:
        return hashlib.sha256(entry.path.read_bytes()).hexdigest()
    except OSError:
        return None
