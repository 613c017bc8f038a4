"""What extending (augmenting) a signed document produced: plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vbsign._core.i18n import Msg


@dataclass
class ExtendResult:
    """The outcome of :func:`vbsign.extend` for one document.

    ``level_before``/``level_after`` are the baseline levels the document's structure reaches
    (ETSI EN 319 142-1 / 319 132-1 / 319 122-1); ``steps`` names what was added, in order:
    ``document-timestamp``, ``signature-timestamp``, ``validation-data``,
    ``archive-timestamp``, ``archive-timestamp-renewed``. Empty ``steps``: the document was
    already at the requested level and was returned unchanged.

    Attributes:
        data: the extended document's bytes.
        output: where it was written (``None``: not written).
        format: ``pdf``, ``xml`` or ``cms``.
        level_before: the baseline level of the input.
        level_after: the baseline level of the output.
        steps: what was added, in order (see above).
        timestamp_time: generation time of the newest archive (document) timestamp added.
        warnings: what the caller should know (bilingual messages).
    """

    data: bytes = field(repr=False)
    output: Path | None
    format: str
    level_before: str
    level_after: str
    steps: list[str] = field(default_factory=list)
    timestamp_time: datetime | None = None
    warnings: list[Msg] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.steps)


@dataclass
class ArchiveEntry:
    """One signed document of an archive scan (``vbsign archive scan``).

    ``proof_holds_until`` is the date until which the document's newest proof of existence
    holds: the earliest expiry in the newest timestamp's TSA certification path, or the
    sunset of its hash algorithm (``limit`` says which). ``renewal_due``: that date is within
    the scan's horizon (or there is no proof at all: the document needs extending first).
    """

    path: Path
    format: str | None = None
    level: str | None = None
    indication: str | None = None
    sub_indication: str | None = None
    newest_proof_time: datetime | None = None
    proof_holds_until: datetime | None = None
    limit: str | None = None
    days_left: int | None = None
    renewal_due: bool = False
    #: why the document needs attention (or why it was not examined), if it does
    note: Msg | None = None

    def to_dict(self) -> dict[str, object]:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat() if d is not None else None

        return {
            "path": str(self.path),
            "format": self.format,
            "level": self.level,
            "indication": self.indication,
            "sub_indication": self.sub_indication,
            "newest_proof_time": iso(self.newest_proof_time),
            "proof_holds_until": iso(self.proof_holds_until),
            "limit": self.limit,
            "days_left": self.days_left,
            "renewal_due": self.renewal_due,
            "note_vi": self.note.vi if self.note else None,
            "note_en": self.note.en if self.note else None,
        }
