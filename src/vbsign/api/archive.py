"""Archive watch: which signed documents need a new archive timestamp, and renewing them.

:func:`scan_archive` verifies every signed file of a directory (offline by default: the
archive's own validation data) and tells, for each, the date until which its newest proof of
existence holds (:mod:`vbsign.formats.proofs`) and whether renewal is due within the horizon.
:func:`renew_archive` renews the due ones with :func:`vbsign.extend` (``renew=True``) into
another directory, in one batch; the originals are never touched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from pyhanko.sign.timestamps.api import TimeStamper

from vbsign._core.errors import InputError, SigningError, VbsignError
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import utcnow
from vbsign.api.extension import BatchItem, extend
from vbsign.api.verification import verify
from vbsign.formats.proofs import Proof, proof_of
from vbsign.model.extend import ArchiveEntry
from vbsign.model.report import Indication, Report
from vbsign.pki.trust import TrustLike
from vbsign.pki.validation import OFFLINE, Services

#: what an archive scan looks at (a detached ``.p7s`` is verified with the file next to it)
SIGNED_SUFFIXES = (".pdf", ".xml", ".p7s", ".p7m")
DEFAULT_HORIZON_DAYS = 90

_NO_PROOF = Msg(
    "Không có dấu thời gian hợp lệ: cần gia hạn lên B-LTA.",
    "No valid timestamp: extend to B-LTA.",
)
_NOT_VALID = Msg(
    "Chữ ký hiện không hợp lệ hoặc chưa xác định: không gia hạn được, cần xem xét.",
    "The signature does not verify now: it cannot be renewed, review it.",
)


def signed_files(directory: str | os.PathLike[str]) -> Iterator[Path]:
    """The files of ``directory`` (recursively, sorted) an archive scan examines."""
    root = Path(os.fspath(directory))
    if not root.is_dir():
        raise InputError(Msg("Không phải thư mục: {d}", "Not a directory: {d}").format(d=root))
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix.lower() in SIGNED_SUFFIXES:
            yield path


def scan_archive(
    directory: str | os.PathLike[str],
    *,
    trust: TrustLike = None,
    within_days: int = DEFAULT_HORIZON_DAYS,
    now: datetime | None = None,
    services: Services = OFFLINE,
) -> list[ArchiveEntry]:
    """One :class:`~vbsign.model.extend.ArchiveEntry` per signed file of ``directory``."""
    moment = now or utcnow()
    entries = []
    for path in signed_files(directory):
        entry = ArchiveEntry(path=path)
        try:
            report = verify(path, trust=trust, now=moment, services=services)
        except VbsignError as e:
            entry.note = e.msg
            entries.append(entry)
            continue
        _fill(entry, report, moment, within_days)
        entries.append(entry)
    return entries


def _fill(entry: ArchiveEntry, report: Report, now: datetime, within_days: int) -> None:
    entry.format = report.document.format
    entry.indication = report.indication.value
    entry.sub_indication = report.sub_indication.value if report.sub_indication else None
    levels = [s.level for s in report.signatures if s.kind == "signature" and s.level]
    entry.level = min(levels, key=_level_rank) if levels else None
    newest = newest_proof(report)
    if newest is not None:
        entry.newest_proof_time, entry.proof_holds_until, entry.limit = newest.time, newest.holds_until, newest.limit
        entry.days_left = (newest.holds_until - now).days
    if report.indication is Indication.NO_SIGNATURE_FOUND:
        return
    if report.indication is not Indication.TOTAL_PASSED:
        entry.note = _NOT_VALID
        entry.renewal_due = newest is not None and newest.holds_until <= now + timedelta(days=within_days)
        return
    if newest is None:
        entry.note, entry.renewal_due = _NO_PROOF, True
        return
    entry.renewal_due = newest.holds_until <= now + timedelta(days=within_days)


def _level_rank(level: str) -> int:
    order = ("B-B", "B-T", "B-LT", "B-LTA")
    return order.index(level) if level in order else 0


def newest_proof(report: Report) -> Proof | None:
    """The proof of the newest good timestamp of the document (signature or archive)."""
    proofs = [p for s in report.signatures if s.timestamp is not None and (p := proof_of(s.timestamp))]
    return max(proofs, key=lambda p: p.time) if proofs else None


def renew_archive(
    directory: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    *,
    tsa: str | TimeStamper | None,
    trust: TrustLike = None,
    within_days: int = DEFAULT_HORIZON_DAYS,
    services: Services | None = None,
    clock: Callable[[], datetime] | None = None,
) -> list[BatchItem]:
    """Renew every document of ``directory`` whose renewal is due (see :func:`scan_archive`)
    into ``output_dir`` (same relative path); documents not due are left out."""
    now = clock() if clock else utcnow()
    root, out_root = Path(os.fspath(directory)), Path(os.fspath(output_dir))
    if out_root.resolve() == root.resolve():
        raise InputError(
            Msg("Thư mục đầu ra phải khác thư mục lưu trữ.", "The output directory must differ from the archive.")
        )
    items = []
    for entry in scan_archive(root, trust=trust, within_days=within_days, now=now):
        if not entry.renewal_due:
            continue
        item = BatchItem(entry.path)
        if entry.indication != Indication.TOTAL_PASSED.value:  # too late, or invalid: say so
            item.error = SigningError(entry.note or _NOT_VALID)
            items.append(item)
            continue
        target = out_root / entry.path.relative_to(root)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            item.result = extend(
                entry.path, target, renew=True, tsa=tsa, trust=trust, services=services, clock=lambda: now
            )
        except VbsignError as e:
            item.error = e
        items.append(item)
    return items


__all__ = ["DEFAULT_HORIZON_DAYS", "newest_proof", "renew_archive", "scan_archive", "signed_files"]
