"""``vbsign archive``: watch an archive of signed documents (``scan``) and renew the archive
timestamps that are due (``renew``)."""

from __future__ import annotations

import json
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any

import click

from vbsign._core.i18n import Msg
from vbsign._core.timefmt import format_vn_time
from vbsign.cli._common import EXIT_OK, console, esc, fail, t

EXIT_DUE = 1


@click.group("archive")
def archive_group() -> None:
    """Lưu trữ dài hạn: dấu thời gian lưu trữ sắp hết giá trị, gia hạn hàng loạt.

    Long-term archive: archive timestamps about to stop holding, batch renewal.
    """


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(Msg("Ngày không hợp lệ: {v} (YYYY-MM-DD).", "Invalid date: {v} (YYYY-MM-DD).").format(v=value))
    if parsed.tzinfo is None:
        parsed = datetime.combine(parsed.date(), time(0), timezone.utc) if len(value) == 10 else parsed.replace(tzinfo=timezone.utc)
    return parsed


@archive_group.command("scan")
@click.argument("directory", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--days", type=click.IntRange(min=0), default=90, show_default=True,
              help="Báo cần gia hạn khi bằng chứng hết giá trị trong N ngày / renewal horizon in days.")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True),
              help="Chứng thư gốc tin cậy (PEM/DER) / trust anchors.")
@click.option("--at", "at_text", metavar="DATE", help="Quét như vào ngày này (lập kế hoạch) / scan as of this date.")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON / JSON output.")
def scan_cmd(directory: Path, days: int, trust_files: tuple[str, ...], at_text: str | None, as_json: bool) -> None:
    """Liệt kê văn bản đã ký: mức, bằng chứng tồn tại mới nhất còn giá trị đến ngày nào, có cần gia hạn không.

    List signed documents: level, until when the newest proof of existence holds, renewal due.
    Exit code 1 when a renewal is due. Offline: uses the validation data in the documents.
    """
    from vbsign.api.archive import scan_archive

    entries = scan_archive(directory, trust=list(trust_files) if trust_files else None, within_days=days,
                           now=_at(at_text))  # fmt: skip
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
    else:
        _print_entries(entries, directory)
    raise SystemExit(EXIT_DUE if any(e.renewal_due for e in entries) else EXIT_OK)


def _print_entries(entries: list[Any], root: Path) -> None:
    out = console()
    if not entries:
        out.print(t("Không có văn bản đã ký.", "No signed documents."))
    for e in entries:
        until = format_vn_time(e.proof_holds_until) if e.proof_holds_until else "—"
        flag = "[yellow]" + t("CẦN GIA HẠN", "RENEW") + "[/] " if e.renewal_due else ""
        note = f" — {esc(e.note.get())}" if e.note else ""
        out.print(f"{flag}{esc(e.path.relative_to(root))}: {e.level or '—'} {e.indication or ''}; "
                  f"{t('bằng chứng đến', 'proof holds until')} {until}{note}", markup=True)  # fmt: skip


@archive_group.command("renew")
@click.argument("directory", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Thư mục ghi các văn bản đã gia hạn / directory for the renewed documents.")
@click.option("--tsa", metavar="URL", required=True, help="Máy chủ dấu thời gian / timestamp server URL.")
@click.option("--days", type=click.IntRange(min=0), default=90, show_default=True,
              help="Gia hạn khi bằng chứng hết giá trị trong N ngày / renewal horizon in days.")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True),
              help="Chứng thư gốc tin cậy (PEM/DER) / trust anchors.")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Giới hạn thời gian mỗi yêu cầu mạng (giây) / per-request network timeout (s).")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON / JSON output.")
def renew_cmd(directory: Path, output: Path, tsa: str, days: int, trust_files: tuple[str, ...], timeout: float,
              as_json: bool) -> None:
    """Gia hạn hàng loạt dấu thời gian lưu trữ của các văn bản đến hạn (bản gốc không đổi).

    Renew the archive timestamps that are due, in one batch (the originals are untouched).
    """
    from vbsign.api.archive import renew_archive
    from vbsign.cli.extend import _print
    from vbsign.pki.validation import Services

    output.mkdir(parents=True, exist_ok=True)
    items = renew_archive(directory, output, tsa=tsa, trust=list(trust_files) if trust_files else None,
                          within_days=days, services=Services(timeout=timeout))  # fmt: skip
    if not items and not as_json:
        console().print(t("Không có văn bản nào đến hạn gia hạn.", "No document is due for renewal."))
    _print([(i.source, i.result, i.error) for i in items], as_json)
    raise SystemExit(1 if any(i.error for i in items) else EXIT_OK)
