"""``vbsign verify``: verify signed documents (exit 0 valid, 1 invalid, 2 indeterminate, 3 bad input)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vbsign._core.errors import VbsignError
from vbsign._core.files import printable
from vbsign._core.i18n import Msg, current_lang
from vbsign.cli._common import (
    EXIT_INDETERMINATE,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    console,
    esc,
    secret_from_env,
)
from vbsign.cli.human import HUMAN_FORMATS, check_output, emit, output_option


def parse_size(text: str) -> int:
    """``1G``, ``512M``, ``64k`` or a plain number of bytes."""
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    try:
        if t and t[-1] in units:
            return int(float(t[:-1]) * units[t[-1]])
        return int(t)
    except ValueError:
        raise click.BadParameter(f"{text!r}: dùng dạng 512M, 1G / use 512M, 1G") from None


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
@click.option(
    "--format",
    "fmt",
    metavar="NAME",
    help="Báo cáo cho người đọc: html, pdf (kèm -o); hoặc định dạng do trình cắm cung cấp (vbsign plugins list) "
    "/ human report: html, pdf (with -o); or a report format from a plugin renderer.",
)
@output_option
@click.option("--offline", is_flag=True, help="Không truy cập mạng; chỉ dùng dữ liệu nhúng / no network.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn mỗi yêu cầu mạng (giây) / per-request network timeout (s).")
@click.option(
    "--content",
    "content_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tệp nội dung của chữ ký tách rời (.p7s, XAdES detached); mặc định: tệp cùng tên bỏ đuôi .p7s / signed content of a detached signature.",
)
@click.option(
    "--allow-comments",
    is_flag=True,
    help="Chấp nhận ghi chú thêm sau khi ký nếu không che nội dung (mặc định: từ chối) / accept comments added after signing that cover no content (default: reject).",
)
@click.option("--max-seconds", type=float, default=10.0, show_default=True, help="Thời gian tối đa cho mỗi tệp / time budget per file (s).")
@click.option("--max-memory", default="1G", show_default=True, help="Bộ nhớ tối đa cho mỗi tệp / memory budget per file (e.g. 512M, 2G).")
@click.option(
    "--isolate/--no-isolate",
    default=True,
    show_default=True,
    help="Kiểm tra PDF trong tiến trình riêng có giới hạn / verify PDFs in a bounded worker process.",
)
@click.option(
    "--visual",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="So sánh hình ảnh bản đã ký và bản hiện tại (poppler) / visual comparison of signed and current pages.",
)
@click.option(
    "--password-env",
    metavar="VAR",
    help="Mật khẩu mở PDF được mã hoá, lấy từ biến môi trường VAR / user password of an encrypted PDF, from env var VAR.",
)
@click.option(
    "--jobs",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Số tiến trình kiểm tra song song khi có nhiều tệp, 0 = mỗi lõi CPU một tiến trình / worker processes for several files, 0 = one per CPU core.",
)
def verify_cmd(
    files: tuple[Path, ...],
    trust_files: tuple[str, ...],
    at: str,
    as_json: bool,
    fmt: str | None,
    offline: bool,
    timeout: float,
    content_file: Path | None,
    allow_comments: bool = False,
    max_seconds: float = 10.0,
    max_memory: str = "1G",
    isolate: bool = True,
    visual: str = "auto",
    password_env: str | None = None,
    output: Path | None = None,
    jobs: int = 0,
) -> None:
    """Kiểm tra chữ ký số của các tệp FILES. / Verify the signatures of FILES."""
    check_output(fmt, output, len(files))
    workers = _workers(jobs, len(files))
    if isolate and workers == 1:  # every file is verified in an isolated worker: start its helper meanwhile
        from vbsign.formats.pades.isolation import prestart

        prestart(fork=True)  # the command owns its (still single-threaded) process
    import vbsign.api as api
    from vbsign.formats.pades.limits import Limits
    from vbsign.formats.pades.visual import VisualOptions

    limits = Limits(max_seconds=max_seconds, max_memory=parse_size(max_memory), isolate=isolate)
    visual_options = VisualOptions(enabled={"auto": None, "always": True, "never": False}[visual])
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services

    # None: the default store plus anchors contributed by plugins (vbsign_trust_anchors)
    trust = TrustStore.from_paths(trust_files) if trust_files else None
    if fmt is not None and fmt not in HUMAN_FORMATS:
        from vbsign.plugins.lifecycle import render_report, renderer_for

        renderer_for(fmt)  # an unknown format is refused before any work
    services = Services(online=not offline, timeout=timeout)
    password = password_from_env(password_env)
    codes: list[int] = []
    reports = []
    out = console()
    err = console(stderr=True)
    options = {
        "trust": trust, "at": at, "services": services, "content": content_file, "allow_comments": allow_comments,
        "limits": limits, "visual": visual_options, "password": password,
    }  # fmt: skip
    for f, (rep, e) in zip(files, _verify_all(api.verify, files, options, workers, isolate), strict=True):
        if e is not None:
            codes.append(e.exit_code)
            if as_json:
                reports.append({"document": {"name": str(f)}, "error": e.to_dict()})
            else:
                err.print(f"[bold red]✗[/] {esc(printable(f))}: {esc(e.message(current_lang()))}")
            continue
        assert rep is not None
        codes.append(rep.exit_code)
        if as_json:
            reports.append(rep.to_dict())
        elif fmt in HUMAN_FORMATS:
            written = emit(rep, fmt, f, output, len(files), password)
            if written is not None:
                err.print(f"{esc(rep.summary())} → {esc(printable(written))}", markup=True)
        elif fmt is not None:
            rendered = render_report(rep, fmt)
            if isinstance(rendered, bytes):
                sys.stdout.buffer.write(rendered)
                sys.stdout.buffer.flush()
            else:
                click.echo(rendered)
        else:
            print_text_report(out, rep)
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
    raise SystemExit(aggregate_exit(codes))


def _workers(jobs: int, files: int) -> int:
    """How many processes verify ``files`` files: ``--jobs`` (0: one per CPU core), never
    more than the files, and one where worker processes cannot be forked."""
    import multiprocessing
    import os

    from vbsign.formats.pades.isolation import single_threaded

    # workers are forked: only from a process with one thread (the command line's own; not
    # a host calling the command in-process with threads of its own)
    if files < 2 or "fork" not in multiprocessing.get_all_start_methods() or not single_threaded():
        return 1
    return max(1, min(jobs or os.cpu_count() or 1, files))


Outcome = tuple[Any, VbsignError | None]
#: what a forked verification worker runs (set just before the workers are forked)
_TASK: tuple[Any, dict[str, Any], bool] | None = None


def _verify_file(f: Path) -> Outcome:
    """One file's report, or the typed error that stopped its verification."""
    assert _TASK is not None
    verify, options, _ = _TASK
    try:
        return verify(f, **options), None
    except VbsignError as e:
        return None, e


def _start_worker() -> None:
    """A worker verifies its files in isolated children of its own helper (forked from it
    while it is single-threaded), as the command does with one process."""
    assert _TASK is not None
    if _TASK[2]:
        from vbsign.formats.pades.isolation import prestart

        prestart(fork=True)


def _verify_all(verify: Any, files: tuple[Path, ...], options: dict[str, Any], workers: int, isolate: bool) -> Any:
    """The outcomes of ``files`` in their order; several files are shared among ``workers``
    processes forked before any helper or thread exists (each starts its own helper)."""
    global _TASK
    _TASK = (verify, options, isolate)
    if workers == 1:
        return map(_verify_file, files)
    import concurrent.futures
    import multiprocessing

    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker
    )
    with pool:
        return list(pool.map(_verify_file, files))


def password_from_env(password_env: str | None) -> Any:
    """``--password-env``: the PDF password from the environment (never on the command line)."""
    from vbsign._core.secrets import Secret

    pw_text = secret_from_env(password_env, Msg("mật khẩu PDF", "PDF password"))
    return Secret(pw_text) if pw_text is not None else None


def print_text_report(out: Any, rep: Any) -> None:
    """A report as text, its verdict line coloured by the exit code."""
    from vbsign.model.render import render_text

    colour = {0: "green", 1: "red", 2: "yellow"}[rep.exit_code]
    text = render_text(rep)
    first, _, rest = text.partition("\n")
    out.print(first, markup=False)
    second, _, rest = rest.partition("\n")
    out.print(f"[bold {colour}]{esc(second)}[/]")
    out.print(rest, markup=False)
    out.print()
