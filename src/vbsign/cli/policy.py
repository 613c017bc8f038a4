"""``vbsign policy list|show|init|schema``: the validation policies and their rules."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import click

from vbsign._core.i18n import Msg, use_lang
from vbsign.cli._common import BilingualGroup, console, fail, t

_LANG = click.option(
    "--lang",
    "lang",
    type=click.Choice(["vi", "en"]),
    default=None,
    help="Ngôn ngữ / language (mặc định theo --lang chung, tiếng Việt).",
)


@click.group("policy", cls=BilingualGroup)
def policy_group() -> None:
    """Chính sách thẩm định và các quy tắc / validation policies and rules."""


@policy_group.command("list")
@_LANG
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON / print JSON.")
def list_cmd(lang: str | None, as_json: bool) -> None:
    """Liệt kê các hồ sơ chính sách / list the policy profiles."""
    from vbsign.api.policies import policy_registry as default_registry

    with use_lang(lang) if lang else nullcontext():
        reg = default_registry()
        if as_json:
            rows = [
                {"name": p.name, "title_vi": p.title.vi, "title_en": p.title.en, "origin": reg.origin("profile", p.name)}
                for p in reg.profiles()
            ]
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for p in reg.profiles():
            origin = reg.origin("profile", p.name)
            extra = "" if origin == "vbsign" else f"  [{origin}]"
            click.echo(f"{p.name:<10} {p.title.get()}{extra}")


@policy_group.command("show")
@click.argument("profile", required=False, default="tt41", metavar="[PROFILE|FILE]")
@_LANG
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON / print JSON.")
def show_cmd(profile: str, lang: str | None, as_json: bool) -> None:
    """In các quy tắc của hồ sơ (mặc định tt41) hoặc tệp chính sách / print a profile's rules."""
    from vbsign.api.policies import policy_registry as default_registry
    from vbsign.policy import load_policy
    from vbsign.policy.render import render_policy

    with use_lang(lang) if lang else nullcontext():
        reg = default_registry()
        pol = load_policy(profile, registry=reg)
        if as_json:
            data = {
                "name": pol.name,
                "profile": pol.profile.name,
                "title_vi": pol.title.vi,
                "title_en": pol.title.en,
                "source": pol.source,
                "accepted_roots": sorted(pol.anchor_hierarchies),
                "rules": [
                    {
                        "id": r.id,
                        "level": lvl.value,
                        "phase": r.phase,
                        "scope": r.scope,
                        "strength": r.strength,
                        "direction": r.direction,
                        "requirement_vi": r.requirement.vi,
                        "requirement_en": r.requirement.en,
                        "citation_vi": r.citation_text("vi"),
                        "citation_en": r.citation_text("en"),
                    }
                    for r, lvl in pol.active()
                ],
            }
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        click.echo(render_policy(pol, reg))


@policy_group.command("schema")
def schema_cmd() -> None:
    """In JSON Schema của báo cáo thẩm định / print the compliance report's JSON Schema."""
    from vbsign.policy.result import json_schema

    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


@policy_group.command("init")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--extends", "extends", default="tt41", show_default=True, help="Hồ sơ gốc / base profile.")
@click.option("--name", help="Tên chính sách / policy name.")
@click.option(
    "--cdcv-anchor",
    "cdcv",
    multiple=True,
    metavar="CERT|SHA256",
    help="Chứng thư gốc (tệp hoặc dấu vân tay) chấp nhận như gốc CDCV / a root to accept as CDCV.",
)
@click.option(
    "--national-anchor",
    "national",
    multiple=True,
    metavar="CERT|SHA256",
    help="Chứng thư gốc chấp nhận như gốc quốc gia (NEAC) / a root to accept as national.",
)
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có / overwrite.")
def init_cmd(output: Path, extends: str, name: str | None, cdcv: tuple[str, ...], national: tuple[str, ...], force: bool) -> None:
    """Tạo tệp chính sách mẫu (TOML) / write a policy file skeleton."""
    from vbsign._core.files import atomic_write
    from vbsign.api.policies import policy_registry as default_registry
    from vbsign.policy.tomlfile import parse_policy_text

    if output.exists() and not force:
        fail(Msg(f"Tệp {output} đã tồn tại (dùng --force).", f"{output} already exists (use --force)."))
    reg = default_registry()
    reg.profile(extends)
    text = policy_template(extends, name or output.stem, _fingerprints(cdcv), _fingerprints(national))
    parse_policy_text(text, str(output), reg)  # never write a file vbsign would refuse
    atomic_write(output, text.encode("utf-8"))
    console().print(t(f"Đã ghi tệp chính sách {output}", f"Policy file written: {output}"), markup=False)


def _fingerprints(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """``[(fingerprint, name)]`` from certificate files or fingerprints."""
    from vbsign._core.x509 import fingerprint, load_certificates
    from vbsign.policy.roots import normalise_fingerprint

    out: list[tuple[str, str]] = []
    for v in values:
        if Path(v).exists():
            for c in load_certificates([v]):
                out.append((fingerprint(c), str(c.subject.native.get("common_name", ""))))
            continue
        try:
            out.append((normalise_fingerprint(v), ""))
        except ValueError:
            fail(Msg(f"'{v}' không phải tệp chứng thư hay dấu vân tay SHA-256.", f"'{v}' is neither a certificate file nor a SHA-256 fingerprint."))
    return out


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def policy_template(extends: str, name: str, cdcv: list[tuple[str, str]], national: list[tuple[str, str]]) -> str:
    """The text of a policy file (valid TOML, commented in both languages)."""

    def fp_list(items: list[tuple[str, str]]) -> str:
        if not items:
            return "[]"
        return "[\n" + "".join(f"    {_toml_str(fp)},{'  # ' + nm if nm else ''}\n" for fp, nm in items) + "]"

    names = {fp: nm for fp, nm in [*cdcv, *national] if nm}
    names_block = "".join(f"{_toml_str(fp)} = {_toml_str(nm)}\n" for fp, nm in names.items())
    names_block = "\n[anchors.names]\n" + names_block if names_block else ""
    return f"""# Tệp chính sách vbsign / vbsign policy file — xem `vbsign policy show {extends}`
[policy]
extends = {_toml_str(extends)}
name = {_toml_str(name)}
# title_vi = "…"
# title_en = "…"

[levels]
# Mức của từng quy tắc: FAIL | WARN | INFORM | IGNORE / level per rule id
# "TT15-06" = "IGNORE"

[anchors]
# Chứng thư gốc bổ sung (KHÔNG phải gốc chính thức) theo dấu vân tay SHA-256
# Extra roots (NOT official ones), by SHA-256 fingerprint
cdcv = {fp_list(cdcv)}
national = {fp_list(national)}
{names_block}
[classification]
# Chứng thư đã biết là của cá nhân / cơ quan (dấu vân tay SHA-256 hoặc OID chính sách)
# person = []
# organisation = []
# person_policies = []
# organisation_policies = []

[expectations]
# signatures = ["person", "agency"]   # thứ tự ký / signing order
# min_level = "B-LT"
# direction = "outgoing"              # outgoing | incoming
# document_kind = "main"              # main | attachment | copy

[auto]
# tt41_until = 2026-11-15             # hoặc false / or false
"""

