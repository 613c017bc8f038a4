"""``vbsign sign --batch`` and the token options of ``vbsign sign`` (PIN prompt, module).

Kept out of ``cli/sign.py`` so that the single-document command stays small.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vbsign._core.files import printable
from vbsign._core.i18n import Msg
from vbsign.cli._common import EXIT_OK, console, fail, secret_from_env, t

if TYPE_CHECKING:
    from vbsign.api import Signer
    from vbsign.api.batch import FileResult
    from vbsign.backends.pkcs11 import PinPrompt

#: the live progress display, paused while a PIN prompt is on screen
_live: list[Any] = []


@contextlib.contextmanager
def _paused() -> Iterator[None]:
    progress = _live[-1] if _live else None
    if progress is not None:
        progress.stop()
    try:
        yield
    finally:
        if progress is not None:
            progress.start()


def _prompt_pin(prompt: PinPrompt) -> str | None:
    """Ask for the PIN on the terminal without echo; the token's PIN state is shown first.

    For a token with a PIN pad only a message is shown: the PIN is typed on the device.
    """
    if prompt.protected:
        with _paused():
            console(stderr=True).print(f"[bold]{prompt.question().get()}[/]")
        return None
    with _paused():
        warn = prompt.pin_state.describe()
        if warn.vi:
            console(stderr=True).print(f"[bold yellow]! {warn.get()}[/]")
        value: str = click.prompt(prompt.question().get(), hide_input=True, default="", show_default=False, err=True)
    return value or None


def _no_core_dumps() -> None:
    """A PIN will be in this process's memory: make sure it never lands in a core file."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # pragma: no cover - Windows / restricted
        pass


def token_key_options(pin_env: str | None, module: str | None) -> dict[str, Any]:
    """``key_options`` for a ``pkcs11:`` key: module, PIN from the environment or a prompt."""
    from vbsign._core.secrets import Secret

    options: dict[str, Any] = {}
    if module:
        options["module"] = module
    _no_core_dumps()
    if pin_env:
        value = secret_from_env(pin_env, Msg("PIN của thiết bị ký", "token PIN"))
        options["pin"] = Secret(value or "")
    elif sys.stdin.isatty():
        options["pin_callback"] = _prompt_pin
    return options


def run_batch(
    signer: Signer,
    in_dir: Path,
    out_dir: Path,
    *,
    overwrite: bool,
    jobs: int,
    sign_options: dict[str, Any],
    follow_links: bool = False,
) -> None:
    """Sign every PDF in ``in_dir`` into ``out_dir``; one line per file; exits the process.

    Every line is one line whatever the file names (they are printed escaped); when the
    batch stops early, the files it did not attempt are listed at the end.
    """
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from vbsign._core.aio import run_sync
    from vbsign.api.batch import FileStatus, async_sign_many, plan_jobs

    shown = printable(in_dir)
    if not in_dir.is_dir():
        fail(Msg(f"--batch cần IN là một thư mục: {shown}", f"--batch needs IN to be a directory: {shown}"))
    planned = plan_jobs(in_dir, out_dir, follow_links=follow_links)
    out = console()
    if not planned:
        out.print(t(f"Không có tệp PDF nào trong {shown}.", f"No PDF file in {shown}."), markup=False)
        raise SystemExit(EXIT_OK)
    marks = {
        FileStatus.SIGNED: "[green]✓[/]",
        FileStatus.EXISTS: "[dim]=[/]",
        FileStatus.SKIPPED: "[yellow]–[/]",
        FileStatus.REFUSED: "[yellow]⊘[/]",
        FileStatus.FAILED: "[bold red]✗[/]",
    }
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        transient=True,
        disable=not out.is_terminal,
    )
    task = progress.add_task(t("Đang ký", "Signing"), total=len(planned))

    def on_result(res: FileResult) -> None:
        # printable(): the message is one line, even if something in it was not escaped yet
        progress.console.print(f"{marks[res.status]} {escape(printable(res.message().get()))}", highlight=False)
        progress.advance(task)

    _live.append(progress)
    try:
        with progress:
            result = run_sync(
                async_sign_many(
                    signer,
                    planned,
                    on_result=on_result,
                    overwrite=overwrite,
                    concurrency=max(1, jobs),  # a token key: documents prepared in parallel
                    processes=jobs or os.cpu_count() or 1,  # a software key: worker processes
                    **sign_options,
                )
            )
    finally:
        _live.remove(progress)
    _print_summary(result)
    raise SystemExit(result.exit_code)


def _print_summary(result: Any) -> None:
    """The batch's last lines: its summary and, when it stopped early, why and what was left."""
    from rich.markup import escape

    out = console()
    line = result.summary().get()
    if result.ok:
        out.print(f"[green]{escape(line)}[/]")
    else:
        err = console(stderr=True)
        err.print(f"[bold red]{escape(line)}[/]")
        if result.stopped_by is not None:
            err.print(f"[red]{escape(printable(result.stopped_by.message()))}[/]")
            left = result.not_attempted
            if left:
                err.print(escape(t(f"Chưa thử ký {len(left)} tệp:", f"{len(left)} file(s) not attempted:")))
                for f in left:
                    err.print(f"  – {escape(printable(f.job.source.name))}", highlight=False)

