"""Entry point of the ``vbsign`` command.

Subcommands live in their own modules and are imported only when used, so that
``vbsign --help`` starts fast. Exit codes: 0 all valid / success, 1 any invalid,
2 indeterminate (none invalid), 3 bad input or usage.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from vbsign._core.i18n import set_lang
from vbsign._version import __version__

#: name -> (module:attribute, short help vi, short help en)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "sign": ("vbsign.cli.sign:sign_cmd", "Ký số văn bản (PDF, XML, mọi tệp)", "Sign documents (PDF, XML, any file)"),
    "prepare": ("vbsign.cli.two_step:prepare_cmd", "Ký hai bước: chuẩn bị dữ liệu cần ký", "Two-step signing: prepare the bytes to sign"),
    "complete": ("vbsign.cli.two_step:complete_cmd", "Ký hai bước: hoàn tất với giá trị chữ ký", "Two-step signing: complete with the signature value"),
    "verify": ("vbsign.cli.verify:verify_cmd", "Kiểm tra chữ ký số", "Verify signatures"),
    "extend": ("vbsign.cli.extend:extend_cmd", "Gia hạn chữ ký (B-T, B-LT, B-LTA, dấu lưu trữ)", "Extend signatures (B-T, B-LT, B-LTA, renewal)"),
    "archive": ("vbsign.cli.archive:archive_group", "Lưu trữ dài hạn: quét, gia hạn", "Long-term archive: scan, renew"),
    "demo": ("vbsign.testpki.cli:demo_cmd", "Chạy thử toàn bộ quy trình", "Run the whole story on test data"),
    "testpki": ("vbsign.testpki.cli:testpki_group", "PKI thử nghiệm", "Test PKI"),
    "token": ("vbsign.cli.token:token_group", "Thiết bị ký (USB token, PKCS#11)", "Tokens (PKCS#11)"),
    "validate": ("vbsign.cli.validate:validate_cmd", "Thẩm định theo quy định (chính sách)", "Validate against a policy"),
    "policy": ("vbsign.cli.policy:policy_group", "Xem các chính sách, quy tắc", "Show policies and rules"),
    "trust": ("vbsign.cli.trust:trust_group", "Quản lý chứng thư gốc tin cậy", "Manage trust anchors"),
    "plugins": ("vbsign.cli.plugins:plugins_group", "Trình cắm (plugin)", "Plugins"),
    "registry": ("vbsign.registry.cli:registry_group", "Quản lý chứng thư số, báo cáo", "Certificate registry, reports"),
    "mail": ("vbsign.cli.mail:mail_group", "Thư điện tử ký số, mã hóa (S/MIME)", "Signed and encrypted e-mail (S/MIME)"),
    "serve": ("vbsign.cli.serve:serve_cmd", "Dịch vụ kiểm tra (REST API, cổng thông tin)", "Verification service (REST API, portal)"),
    "worker": ("vbsign.cli.serve:worker_cmd", "Worker Celery cho dịch vụ", "Celery worker for the service"),
}


#: commands that read no PDF and match no certificate names in bulk: no speed-ups to load
_NO_PDF_WORK = frozenset({"policy", "plugins", "token", "trust", "testpki"})


def _lang_from_argv(argv: list[str] | None = None) -> str | None:
    """The value of ``--lang`` wherever it is on the command line (before or after the
    subcommand), so that even help texts and usage errors use it."""
    argv = sys.argv[1:] if argv is None else argv
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return None


def _set_lang_option(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        set_lang(value)


def accept_lang_everywhere(cmd: click.Command) -> click.Command:
    """Let ``--lang`` follow any (sub)command too: ``vbsign verify --lang en f.pdf``.

    Commands that have their own ``--lang`` option keep it.
    """
    if not any("--lang" in p.opts for p in cmd.params):
        cmd.params.append(
            click.Option(
                ["--lang"],
                type=click.Choice(["vi", "en"]),
                default=None,
                expose_value=False,
                is_eager=True,
                callback=_set_lang_option,
                help="Ngôn ngữ thông báo / message language (vi mặc định).",
            )
        )
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            accept_lang_everywhere(sub)
    return cmd


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(SUBCOMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        spec = SUBCOMMANDS.get(cmd_name)
        if spec is None:
            return None
        module, attr = spec[0].split(":")
        try:
            cmd = getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith("vbsign"):
                raise click.ClickException(
                    f"Lệnh '{cmd_name}' chưa có trong bản cài đặt này. / Command '{cmd_name}' is not available in this build."
                ) from e
            raise click.ClickException(
                f"Lệnh '{cmd_name}' cần thêm gói phụ thuộc ({e.name}). "
                f"/ Command '{cmd_name}' needs an optional dependency ({e.name}): pip install 'vbsign[all]'"
            ) from e
        except ImportError as e:
            raise click.ClickException(
                f"Lệnh '{cmd_name}' cần thêm gói phụ thuộc ({e.name}). "
                f"/ Command '{cmd_name}' needs an optional dependency ({e.name}): pip install 'vbsign[all]'"
            ) from e
        assert isinstance(cmd, click.Command)
        return accept_lang_everywhere(cmd)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        en = (_lang_from_argv() or os.environ.get("VBSIGN_LANG") or "").startswith("en")
        rows = [(n, SUBCOMMANDS[n][2 if en else 1]) for n in sorted(SUBCOMMANDS)]
        with formatter.section("Commands" if en else "Lệnh"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vbsign")
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default=None,
    envvar="VBSIGN_LANG",
    help="Ngôn ngữ thông báo / message language (vi mặc định).",
)
@click.option("-v", "--verbose", count=True, help="Ghi log chi tiết / more logging (-vv: debug).")
def cli(lang: str | None, verbose: int) -> None:
    """vbsign — ký số, kiểm tra và thẩm định văn bản điện tử.

    vbsign — sign, verify and validate Vietnamese official e-documents.

    Mã thoát / exit codes: 0 hợp lệ/valid, 1 không hợp lệ/invalid,
    2 chưa xác định/indeterminate, 3 lỗi đầu vào/bad input.
    """
    if lang is not None:
        set_lang(lang)
    from vbsign.cli._common import configure_logging

    configure_logging(verbose)
    if click.get_current_context().invoked_subcommand not in _NO_PDF_WORK:
        # the command owns its process: pyHanko's own readers and X.509 name matching get
        # vbsign's faster (equivalent) code too — something a library must not do by itself
        from vbsign.formats.pades.speedups import enable_speedups  # start-up: pyHanko

        enable_speedups()


def main(argv: list[str] | None = None) -> Any:
    from vbsign.cli._common import quiet_third_party_warnings, run_cli

    quiet_third_party_warnings()
    # the language is known before click parses anything (help, usage errors); the
    # options themselves are validated by click, before or after the subcommand
    set_lang(_lang_from_argv(argv))
    return run_cli(cli, argv)


if __name__ == "__main__":  # pragma: no cover
    main()
