"""Shared CLI plumbing: error handling, logging, language, output consoles."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from ..errors import VbsignError
from ..i18n import Msg, current_lang

EXIT_OK, EXIT_INVALID, EXIT_INDETERMINATE, EXIT_USAGE = 0, 1, 2, 3


def t(vi: str, en: str) -> str:
    """Pick the string for the current language."""
    return Msg(vi, en).get()


def configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if verbose == 0:
        # pyHanko logs full tracebacks at WARNING for expected validation failures;
        # vbsign reports those itself, in the user's language.
        for name in ("pyhanko", "pyhanko_certvalidator", "fontTools", "certomancer"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def fail(msg: Msg, code: int = EXIT_USAGE) -> NoReturn:
    console(stderr=True).print(f"[bold red]{t('Lỗi', 'Error')}:[/] {msg.get()}", markup=True)
    raise SystemExit(code)


def run_cli(cli: click.Group, argv: list[str] | None) -> Any:
    """Run the click app mapping vbsign errors to messages and exit codes (never tracebacks)."""
    try:
        return cli.main(args=argv, prog_name="vbsign", standalone_mode=False)
    except click.exceptions.Exit as e:
        raise SystemExit(e.exit_code) from None
    except click.exceptions.Abort:
        console(stderr=True).print(t("Đã hủy.", "Aborted."))
        raise SystemExit(EXIT_USAGE) from None
    except click.ClickException as e:
        e.show()
        raise SystemExit(EXIT_USAGE) from None
    except VbsignError as e:
        err = console(stderr=True)
        err.print(f"[bold red]{t('Lỗi', 'Error')}:[/] {e.message(current_lang())}", markup=True)
        for reason in getattr(e, "reasons", []) or []:
            err.print(f"  - {reason.get()}")
        raise SystemExit(e.exit_code) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


def secret_from_env(var: str | None, what: Msg) -> str | None:
    if not var:
        return None
    value = os.environ.get(var)
    if value is None:
        fail(
            Msg(
                "Biến môi trường {v} ({w}) chưa được đặt.",
                "Environment variable {v} ({w}) is not set.",
            ).format(v=var, w=what.vi if current_lang() == "vi" else what.en)
        )
    return value


def parse_box(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        parts = [float(p) for p in text.replace(";", ",").split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or parts[0] >= parts[2] or parts[1] >= parts[3]:
        fail(
            Msg(
                "--box phải có dạng x1,y1,x2,y2 (điểm PDF, x1<x2, y1<y2): {b}",
                "--box must be x1,y1,x2,y2 (PDF points, x1<x2, y1<y2): {b}",
            ).format(b=text)
        )
    return (parts[0], parts[1], parts[2], parts[3])


def lazy_option_callback(fn: Callable[..., Any]) -> Callable[..., Any]:
    return fn
