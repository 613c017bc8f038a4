"""``vbsign verify``: verify signed documents (exit 0 valid, 1 invalid, 2 indeterminate, 3 bad input)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import VbsignError
from ..i18n import current_lang
from ._common import EXIT_INDETERMINATE, EXIT_INVALID, EXIT_OK, EXIT_USAGE, console


def aggregate_exit(codes: list[int]) -> int:
    """1 if any invalid; else 3 if any file could not be read; else 2 if any indeterminate; else 0."""
    if EXIT_INVALID in codes:
        return EXIT_INVALID
    if EXIT_USAGE in codes:
        return EXIT_USAGE
    if EXIT_INDETERMINATE in codes:
        return EXIT_INDETERMINATE
    return EXIT_OK


@click.command("verify")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True), help="Chứng thư gốc tin cậy / trust anchors.")
@click.option(
    "--at",
    type=click.Choice(["signing", "now"]),
    default="signing",
    show_default=True,
    help="Kiểm tra hiệu lực chứng thư tại thời điểm ký hay hiện tại / validation time.",
)
@click.option("--json", "as_json", is_flag=True, help="In báo cáo JSON (mảng) / print JSON reports (array).")
@click.option("--offline", is_flag=True, help="Không truy cập mạng; chỉ dùng dữ liệu nhúng / no network.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn mỗi yêu cầu mạng (giây).")
def verify_cmd(files: tuple[Path, ...], trust_files: tuple[str, ...], at: str, as_json: bool, offline: bool, timeout: float) -> None:
    """Kiểm tra chữ ký số của các tệp FILES. / Verify the signatures of FILES."""
    from .. import api
    from ..render import render_text
    from ..trust import TrustStore
    from ..validation import Services

    trust = TrustStore.from_paths(trust_files) if trust_files else TrustStore.coerce(None)
    services = Services(online=not offline, timeout=timeout)
    codes: list[int] = []
    reports = []
    out = console()
    err = console(stderr=True)
    for f in files:
        try:
            rep = api.verify(f, trust=trust, at=at, services=services)
        except VbsignError as e:
            codes.append(e.exit_code)
            if as_json:
                reports.append({"document": {"name": str(f)}, "error": e.to_dict()})
            else:
                err.print(f"[bold red]✗[/] {f}: {e.message(current_lang())}")
            continue
        codes.append(rep.exit_code)
        if as_json:
            reports.append(rep.to_dict())
        else:
            colour = {0: "green", 1: "red", 2: "yellow"}[rep.exit_code]
            text = render_text(rep)
            first, _, rest = text.partition("\n")
            out.print(first)
            second, _, rest = rest.partition("\n")
            out.print(f"[bold {colour}]{second}[/]")
            out.print(rest, markup=False)
            out.print()
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
    raise SystemExit(aggregate_exit(codes))
