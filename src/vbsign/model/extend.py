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
    """

    data: bytes = field(repr=False)
    output: Path | None
    format: str
    level_before: str
    level_after: str
    steps: list[str] = field(default_factory=list)
    #: generation time of the newest archive (document) timestamp added
    timestamp_time: datetime | None = None
    warnings: list[Msg] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.steps)
