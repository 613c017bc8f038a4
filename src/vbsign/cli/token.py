"""``vbsign token list``: which token drivers, tokens and certificates this machine has.

Reads public objects only: no login, no PIN. Without ``--module`` (and without
``VBSIGN_PKCS11_MODULE``) nothing is loaded — the known drivers found on disk are listed
so that the user can choose one.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from vbsign._core.i18n import Msg, current_lang
from vbsign.cli._common import EXIT_OK, EXIT_USAGE, BilingualGroup, console, t


@click.group("token", cls=BilingualGroup)
def token_group() -> None:
    """Thiết bị ký PKCS#11 (USB token, thẻ, HSM). / PKCS#11 tokens (USB tokens, cards, HSMs)."""


@token_group.command("list")
@click.option(
    "--module",
    "modules",
    multiple=True,
    metavar="PATH",
    help="Mô-đun PKCS#11 (trình điều khiển token); lặp lại được. Mặc định: VBSIGN_PKCS11_MODULE. "
    "/ PKCS#11 module (token driver); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Xuất JSON / JSON output.")
def list_cmd(modules: tuple[str, ...], as_json: bool) -> None:
    """Liệt kê mô-đun, thiết bị ký và chứng thư số (kèm URI để dùng với --key).

    List modules, tokens and certificates, with the URI to pass to --key.
    """
    from vbsign.backends.pkcs11_modules import ENV_MODULE, installed_modules

    chosen = list(modules) or ([os.environ[ENV_MODULE]] if os.environ.get(ENV_MODULE) else [])
    if not chosen:
        found = installed_modules()
        if as_json:
            click.echo(
                json.dumps(
                    {"modules": [], "installed": [{"name": s.module.name, "path": s.path, "vendor": s.module.vendor.get()} for s in found]},
                    ensure_ascii=False,
                    indent=2,
                )
            )
            raise SystemExit(EXIT_OK)
        out = console()
        out.print(
            t(
                "Chưa chọn mô-đun PKCS#11; vbsign không tự nạp trình điều khiển nào. Dùng:",
                "No PKCS#11 module chosen; vbsign never loads a driver by itself. Use:",
            )
        )
        out.print("  vbsign token list --module PATH   (" + t("hoặc đặt", "or set") + f" {ENV_MODULE})")
        if found:
            out.print(t("Trình điều khiển có trên máy này:", "Drivers found on this machine:"))
            for s in found:
                out.print(f"  {s.path}   [dim]({s.module.vendor.get()})[/]")
        else:
            out.print(t("Không tìm thấy trình điều khiển token quen thuộc nào.", "No familiar token driver found."))
        raise SystemExit(EXIT_OK)

    from vbsign._core.errors import VbsignError
    from vbsign.backends.pkcs11_errors import ModuleLoadError
    from vbsign.backends.pkcs11_modules import resolve_module_path
    from vbsign.backends.pkcs11_objects import ModuleListing, list_module

    listings: list[ModuleListing] = []
    errors: list[tuple[str, Msg]] = []
    for path in chosen:
        try:
            listings.append(list_module(resolve_module_path(path)))
        except (ModuleLoadError, VbsignError) as e:
            errors.append((path, e.msg))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "modules": [m.to_dict() for m in listings],
                    "errors": [{"module": p, "error": m.get()} for p, m in errors],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _print(listings)
        err = console(stderr=True)
        for path, msg in errors:
            err.print(f"[bold red]{t('Lỗi', 'Error')}:[/] {path}: {msg.get()}")
    raise SystemExit(EXIT_USAGE if errors else EXIT_OK)


def _pin_state_text(flags: list[str]) -> str:
    texts = {
        "PIN_LOCKED": Msg("[bold red]PIN ĐÃ BỊ KHÓA[/]", "[bold red]PIN LOCKED[/]"),
        "PIN_FINAL_TRY": Msg("[bold red]chỉ còn MỘT lần thử PIN[/]", "[bold red]ONE PIN try left[/]"),
        "PIN_COUNT_LOW": Msg("[yellow]đã có lần nhập sai PIN[/]", "[yellow]a wrong PIN was entered before[/]"),
        "PIN_TO_BE_CHANGED": Msg("cần đổi PIN", "PIN must be changed"),
        "PIN_PAD": Msg("nhập PIN trên thiết bị (PIN pad)", "PIN pad"),
    }
    shown = [texts[f].get() for f in flags if f in texts]
    return ", ".join(shown) if shown else t("bình thường", "normal")


def _print(listings: list[Any]) -> None:
    out = console()
    lang = current_lang()
    for mod in listings:
        out.print(
            f"[bold]{t('Mô-đun', 'Module')}:[/] {mod.path}  [dim]({mod.manufacturer}"
            + (f", {mod.description}" if mod.description else "")
            + (f" {mod.version}" if mod.version else "")
            + ")[/]"
        )
        if not mod.tokens:
            out.print("  " + t("Không có thiết bị ký nào được cắm.", "No token is plugged in."))
        for tok in mod.tokens:
            info = tok.info
            out.print(
                f"  [bold]{t('Thiết bị', 'Token')}:[/] {info.label}  "
                f"[dim]({t('số sê-ri', 'serial')} {info.serial}; {info.model}; {info.manufacturer})[/]"
            )
            out.print(f"    {t('Trạng thái PIN', 'PIN state')}: {_pin_state_text(info.flag_names())}")
            out.print(f"    URI: {tok.uri}", markup=False)
            if tok.error is not None:
                out.print(f"    [red]{tok.error.get(lang)}[/]")
            for w in tok.warnings:
                out.print(f"    [yellow]! {w.get(lang)}[/]")
            users = [(e, u) for e, u in tok.certificates if not e.certificate.ca]
            cas = [e for e, _ in tok.certificates if e.certificate.ca]
            if not users:
                out.print("    " + t("Không có chứng thư số người dùng.", "No user certificate."))
            for entry, uri in users:
                out.print(f"    • [bold]{entry.common_name}[/]  ({entry.key_description})")
                out.print(f"      {t('Nhãn', 'Label')}: {entry.label or '-'}   ID: {entry.id.hex() or '-'}", markup=False)
                out.print(f"      {t('Chủ thể', 'Subject')}: {entry.subject}", markup=False)
                out.print(f"      {t('Cấp bởi', 'Issuer')}: {entry.issuer}", markup=False)
                out.print(
                    f"      {t('Hiệu lực', 'Valid')}: {entry.not_before:%d/%m/%Y} → {entry.not_after:%d/%m/%Y}"
                )
                out.print(f"      URI: {uri}", markup=False)
            if cas:
                names = "; ".join(e.common_name for e in cas)
                out.print(f"    {t('Chứng thư CA trên thiết bị', 'CA certificates on the token')}: {names}", markup=False)
    sys.stdout.flush()
