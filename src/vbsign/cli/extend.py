"""``vbsign extend``: bring signed documents up to B-T / B-LT / B-LTA, or renew their archive
timestamp (``--renew``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vbsign._core.i18n import Msg
from vbsign.cli._common import EXIT_OK, console, esc, fail, t

EXIT_SOME_FAILED = 1


@click.command("extend")
@click.argument("input_file", metavar="IN", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Tệp đầu ra (thư mục khi --batch); không bao giờ là tệp đầu vào / output file (directory with --batch).")
@click.option("--level", type=click.Choice(["b-t", "b-lt", "b-lta"], case_sensitive=False), default="b-lta",
              show_default=True, help="Mức cần đạt / level to reach.")
@click.option("--renew", is_flag=True,
              help="Thêm dấu thời gian lưu trữ mới phủ toàn bộ (kể cả dữ liệu kiểm tra của dấu trước) / "
                   "add a new archive timestamp over everything.")
@click.option("--tsa", metavar="URL", required=True, help="Máy chủ dấu thời gian / timestamp server URL.")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True),
              help="Chứng thư gốc tin cậy (PEM/DER) / trust anchors.")
@click.option("--batch", is_flag=True, help="IN là thư mục: gia hạn mọi tệp đã ký vào thư mục -o / IN is a directory.")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Giới hạn thời gian mỗi yêu cầu mạng (giây) / per-request network timeout (s).")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON / JSON output.")
def extend_cmd(
    input_file: Path, output: Path, level: str, renew: bool, tsa: str, trust_files: tuple[str, ...], batch: bool,
    timeout: float, as_json: bool,
) -> None:
    """Gia hạn chữ ký: thêm dấu thời gian, dữ liệu kiểm tra (OCSP/CRL) và dấu thời gian lưu trữ.

    Extend signatures: add a timestamp, validation data (OCSP/CRL) and an archive timestamp.
    A signature that does not verify now is never extended (the reason is shown).
    Needs the network: the TSA, and OCSP/CRL for what the document does not carry.
    """
    from vbsign import api
    from vbsign.api.archive import signed_files
    from vbsign.pki.validation import Services

    options: dict[str, Any] = dict(
        level=level, renew=renew, tsa=tsa, trust=list(trust_files) if trust_files else None,
        services=Services(timeout=timeout),
    )  # fmt: skip
    if not batch:
        if input_file.is_dir():
            fail(Msg("IN là thư mục: dùng --batch.", "IN is a directory: use --batch."))
        result = api.extend(input_file, output, **options)
        _print([(input_file, result, None)], as_json)
        raise SystemExit(EXIT_OK)
    if not input_file.is_dir():
        fail(Msg("--batch cần IN là thư mục.", "--batch needs IN to be a directory."))
    output.mkdir(parents=True, exist_ok=True)
    if output.resolve() == input_file.resolve():
        fail(Msg("Thư mục đầu ra phải khác thư mục đầu vào.", "The output directory must differ from the input."))
    items = api.extend_many(list(signed_files(input_file)), output, **options)
    _print([(i.source, i.result, i.error) for i in items], as_json)
    raise SystemExit(EXIT_SOME_FAILED if any(i.error for i in items) else EXIT_OK)


def _print(rows: list[tuple[Path, Any, Any]], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([_row_dict(p, r, e) for p, r, e in rows], ensure_ascii=False, indent=2))
        return
    out = console()
    for path, result, error in rows:
        if error is not None:
            out.print(f"[red]✗[/] {esc(path.name)}: {esc(error.message())}", markup=True)
        elif not result.changed:
            out.print(f"= {esc(path.name)}: {t('đã ở mức', 'already at')} {result.level_after}", markup=False)
        else:
            out.print(f"[green]✓[/] {esc(path.name)}: {result.level_before} → {result.level_after} "
                      f"({esc(', '.join(result.steps))})", markup=True)  # fmt: skip


def _row_dict(path: Path, result: Any, error: Any) -> dict[str, Any]:
    if error is not None:
        return {"input": str(path), "ok": False, "error": error.to_dict()}
    return {
        "input": str(path), "ok": True, "output": str(result.output) if result.output else None,
        "level_before": result.level_before, "level_after": result.level_after, "steps": result.steps,
        "timestamp_time": result.timestamp_time.isoformat() if result.timestamp_time else None,
    }  # fmt: skip
