"""Shared CLI plumbing: error handling, logging, language, output consoles."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from vbsign._core.errors import VbsignError
from vbsign._core.files import os_reason
from vbsign._core.i18n import Msg, current_lang

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


def quiet_third_party_warnings() -> None:
    """Keep library deprecation notices meant for developers off the user's terminal.

    pyHanko imports cryptography's DSA key classes, and cryptography ≥ 43 announces on
    every import that DSA is deprecated: every command would print a
    ``CryptographyDeprecationWarning`` although vbsign never signs with DSA (it refuses
    DSA signatures as a weak algorithm). Only that message is silenced, only in the CLI
    process (a library must not change its host's warning filters).
    """
    import warnings

    warnings.filterwarnings("ignore", message=r"DSA is deprecated", category=Warning)


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def esc(text: object) -> str:
    """``text`` made safe for rich markup: file names and messages may contain ``[...]``."""
    from rich.markup import escape

    return escape(str(text))


def fail(msg: Msg, code: int = EXIT_USAGE) -> NoReturn:
    console(stderr=True).print(f"[bold red]{t('Lỗi', 'Error')}:[/] {esc(msg.get())}", markup=True)
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
    except click.UsageError as e:
        _show_usage_error(e)
        raise SystemExit(EXIT_USAGE) from None
    except click.ClickException as e:
        if current_lang() == "vi":
            console(stderr=True).print(f"[bold red]Lỗi:[/] {esc(translate_click_message(e.format_message()))}")
        else:
            e.show()
        raise SystemExit(EXIT_USAGE) from None
    except VbsignError as e:
        err = console(stderr=True)
        err.print(f"[bold red]{t('Lỗi', 'Error')}:[/] {esc(e.message(current_lang()))}", markup=True)
        for reason in getattr(e, "reasons", []) or []:
            err.print(f"  - {reason.get()}", markup=False)
        raise SystemExit(e.exit_code) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except OSError as e:
        # last guard: an OS error (file system, network) no command anticipated is still bad input, not a crash

        where = f" {e.filename}" if e.filename else ""
        reason = os_reason(e)
        console(stderr=True).print(
            f"[bold red]{t('Lỗi', 'Error')}:[/] "
            + esc(t(f"Lỗi vào/ra{where}: {reason.vi}", f"I/O error{where}: {reason.en}")),
            markup=True,
        )
        raise SystemExit(EXIT_USAGE) from None


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


def short_help(cmd: click.Command, lang: str, limit: int = 45) -> str:
    """The one-line help of ``cmd`` in ``lang``, from a "Tiếng Việt. / English." docstring.

    Also understood: a Vietnamese first paragraph followed by an English one.
    """
    text = (cmd.short_help or cmd.help or "").strip()
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    first = " ".join(paragraphs[0].split()) if paragraphs else ""
    if " / " in first:
        vi, _, en = first.partition(" / ")
    else:
        vi, en = first, (" ".join(paragraphs[1].split()) if len(paragraphs) > 1 else first)
    line = (en if lang == "en" else vi).strip()
    line = line[:1].upper() + line[1:]
    end = line.find(". ")
    if end >= 0:
        line = line[: end + 1]
    return line if len(line) <= limit else line[: max(limit - 3, 1)].rstrip() + "..."


class BilingualGroup(click.Group):
    """A command group whose command list follows ``--lang`` / ``VBSIGN_LANG``."""

    group_class = type  # subgroups are bilingual too

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = current_lang()
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, short_help(cmd, lang, formatter.width - 6 - max(len(n) for n in self.list_commands(ctx)))))
        if rows:
            with formatter.section("Commands" if lang == "en" else "Lệnh"):
                formatter.write_dl(rows)


def lazy_option_callback(fn: Callable[..., Any]) -> Callable[..., Any]:
    return fn


# ---- click's own usage errors, in Vietnamese too ---------------------------------------------
# click formats these messages itself (in English); vbsign is Vietnamese first, so the common
# ones are translated. Unknown messages are shown as they are, after a Vietnamese label.
_CLICK_VI: list[tuple[str, str]] = [
    (r"Missing option '(?P<a>[^']+)'\.", "Thiếu tùy chọn bắt buộc '{a}'."),
    (r"Missing argument '(?P<a>[^']+)'\.", "Thiếu tham số bắt buộc '{a}'."),
    (r"No such option:? '?(?P<a>-{1,2}[\w-]+)'?\.?", "Không có tùy chọn '{a}'."),
    (r"No such command '(?P<a>[^']+)'\.", "Không có lệnh '{a}'."),
    (r"Did you mean one of: (?P<a>.+)\?", "Có phải ý bạn là một trong: {a}?"),
    (r"Did you mean (?P<a>.+)\?", "Có phải ý bạn là {a}?"),
    (r"\(Possible options: (?P<a>.+)\)", "(các tùy chọn gần giống: {a})"),
    (r"Got unexpected extra arguments? \((?P<a>.*)\)", "Thừa tham số không dùng đến ({a})"),
    (r"Option '(?P<a>[^']+)' requires an argument\.", "Tùy chọn '{a}' cần một giá trị."),
    (r"Option '(?P<a>[^']+)' requires (?P<b>\d+) arguments\.", "Tùy chọn '{a}' cần {b} giá trị."),
    (r"Invalid value for (?P<a>[^:]+): ", "Giá trị không hợp lệ cho {a}: "),
    (r"'(?P<a>[^']*)' is not one of (?P<b>.+)\.", "'{a}' không phải là một trong {b}."),
    (r"(?P<a>'[^']*') is not a valid integer( range)?\.", "{a} không phải là số nguyên hợp lệ."),
    (r"(?P<a>'[^']*') is not a valid float( range)?\.", "{a} không phải là số thực hợp lệ."),
    (r"(?P<a>\S+) is not in the range (?P<b>.+)\.", "{a} nằm ngoài khoảng cho phép {b}."),
    (r"(?P<a>File|Path|Directory) '(?P<b>[^']*)' does not exist\.", "Đường dẫn '{b}' không tồn tại."),
    (r"(?P<a>File|Path) '(?P<b>[^']*)' is a directory\.", "'{b}' là thư mục, không phải tệp."),
    (r"Directory '(?P<b>[^']*)' is a file\.", "'{b}' là tệp, không phải thư mục."),
]


def translate_click_message(message: str) -> str:
    """Best-effort Vietnamese for click's English messages (unknown parts are kept)."""
    import re

    out = message
    for pattern, template in _CLICK_VI:
        def fill(m: re.Match[str], template: str = template) -> str:
            return template.format(**m.groupdict())

        out = re.sub(pattern, fill, out)
    return out


def _show_usage_error(e: click.UsageError) -> None:
    err = console(stderr=True)
    ctx = e.ctx
    if current_lang() != "vi":
        e.show()
        return
    if ctx is not None:
        err.print(esc(ctx.get_usage().replace("Usage:", "Cách dùng:", 1)))
        cmd = ctx.command_path
        err.print(esc(f"Xem hướng dẫn: '{cmd} --help'  /  help: '{cmd} --help'"))
        err.print()
    err.print(f"[bold red]Lỗi:[/] {esc(translate_click_message(e.format_message()))}")
