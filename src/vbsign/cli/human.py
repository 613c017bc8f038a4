"""``--format html|pdf -o REPORT`` of ``vbsign verify`` and ``vbsign validate``: the human
report (:func:`vbsign.api.human_report`), written atomically.

One input file: ``-o`` names the report file (``-o -`` or no ``-o``: standard output; a PDF
is never written to a terminal). Several input files: ``-o`` names a directory, which gets
one ``<file>.report.html`` / ``.report.pdf`` per input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from vbsign._core.files import atomic_write
from vbsign._core.i18n import Msg, current_lang
from vbsign.cli._common import fail

#: report formats the command renders itself (others come from plugin renderers)
HUMAN_FORMATS = ("html", "pdf")


def check_output(fmt: str | None, output: Path | None, n_files: int) -> None:
    """Refuse an impossible output before any verification work."""
    if output is not None and fmt not in HUMAN_FORMATS:
        fail(Msg("-o/--output chỉ dùng với --format html hoặc pdf.", "-o/--output needs --format html or pdf."))
    if fmt not in HUMAN_FORMATS:
        return
    to_stdout = output is None or str(output) == "-"
    if n_files > 1 and to_stdout:
        fail(
            Msg(
                "Nhiều tệp: -o phải là một thư mục để ghi từng báo cáo.",
                "Several files: -o must name a directory for the reports.",
            )
        )
    if fmt == "pdf" and to_stdout and sys.stdout.isatty():
        fail(Msg("Báo cáo PDF: dùng -o TỆP.pdf (không in ra màn hình).", "PDF report: use -o FILE.pdf (not printed to a terminal)."))


def target_for(source: Path, fmt: str, output: Path | None, n_files: int) -> Path | None:
    """Where the report of ``source`` goes (``None``: standard output)."""
    if output is None or str(output) == "-":
        return None
    if n_files > 1 or output.is_dir():
        output.mkdir(parents=True, exist_ok=True)
        return output / f"{source.name}.report.{fmt}"
    return output


def emit(report: Any, fmt: str, source: Path, output: Path | None, n_files: int, password: Any = None) -> Path | None:
    """Render and write the human report of ``report`` (verified from ``source``)."""
    import vbsign.api as api

    rendered = api.human_report(report, format=fmt, document=source, lang=current_lang(), password=password)  # type: ignore[arg-type]
    data = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
    target = target_for(source, fmt, output, n_files)
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    atomic_write(target, data)
    return target


output_option = click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    help="Tệp báo cáo (--format html|pdf); nhiều tệp: một thư mục / report file (--format html|pdf); several files: a directory.",
)

__all__ = ["HUMAN_FORMATS", "check_output", "emit", "output_option", "target_for"]
