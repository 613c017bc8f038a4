"""``vbsign plugins``: list the installed plugins and the hooks they implement."""

from __future__ import annotations

import json

import click

from vbsign.cli._common import BilingualGroup, console, t


@click.group("plugins", cls=BilingualGroup)
def plugins_group() -> None:
    """Trình cắm (plugin) của vbsign. / vbsign plugins."""


@plugins_group.command("list")
@click.option(
    "--strict",
    is_flag=True,
    help="Lỗi nếu có trình cắm không nạp được / fail if any plugin failed to load.",
)
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON.")
def list_cmd(strict: bool, as_json: bool) -> None:
    """Liệt kê trình cắm: tên, gói, phiên bản, hook. / List plugins: name, package, version, hooks."""
    import vbsign.plugins.manager as manager
    from vbsign._core.i18n import current_lang

    pm = manager.load_plugins(strict=False)
    infos = pm.infos()
    if as_json:
        click.echo(json.dumps([i.to_dict() for i in infos], ensure_ascii=False, indent=2))
    else:
        status_text = {
            "loaded": ("green", t("đã nạp", "loaded")),
            "failed": ("bold red", t("LỖI", "FAILED")),
            "blocked": ("yellow", t("bị tắt", "disabled")),
            "unavailable": ("dim", t("chưa cài", "not installed")),
        }
        out = console()
        for info in infos:
            colour, label = status_text.get(info.status, ("", info.status))
            dist = f"{info.distribution or '—'} {info.version or ''}".strip()
            builtin = t(", có sẵn", ", built-in") if info.builtin else ""
            out.print(f"[bold]{info.name}[/] ({dist}{builtin}): [{colour}]{label}[/]")
            if info.hooks:
                out.print(f"    {t('hook', 'hooks')}: {', '.join(info.hooks)}", markup=False)
            if info.error is not None:
                out.print(f"    {info.error.get(current_lang())}", markup=False, style="red")
    if strict:
        manager.raise_problems(pm)


@plugins_group.command("hooks")
def hooks_cmd() -> None:
    """Liệt kê các hook của vbsign. / List vbsign's hooks."""
    import vbsign.plugins.hookspecs as hookspecs

    out = console()
    for cls in hookspecs.SPEC_CLASSES:
        for name in (n for n in vars(cls) if n.startswith(hookspecs.HOOK_PREFIX)):
            doc = (vars(cls)[name].__doc__ or "").strip().splitlines()[0]
            first = " (firstresult)" if hookspecs.is_firstresult(name) else ""
            out.print(f"[bold]{name}[/]{first}: {doc}")
