"""``vbsign validate``: verification + policy (exit 0 compliant, 1 not, 2 undetermined, 3 bad input)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from vbsign._core.errors import VbsignError
from vbsign._core.files import printable
from vbsign._core.i18n import current_lang
from vbsign.cli._common import EXIT_USAGE, console, esc, t
from vbsign.cli.human import HUMAN_FORMATS, check_output, emit, output_option


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--policy",
    "policy_ref",
    default="tt41",
    show_default=True,
    metavar="NAME|FILE",
    help="Hồ sơ (tt41, cdcv, public, auto) hoặc tệp chính sách .toml / profile name or policy file.",
)
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True), help="Chứng thư gốc tin cậy / trust anchors.")
@click.option(
    "--at",
    type=click.Choice(["signing", "now"]),
    default="signing",
    show_default=True,
    help="Kiểm tra hiệu lực chứng thư tại thời điểm ký hay hiện tại / validation time.",
)
@click.option(
    "--direction",
    type=click.Choice(["outgoing", "incoming"]),
    help="Văn bản đi / đến (TT 41/2017 Đ9): với 'incoming' chỉ áp dụng nghĩa vụ của bên nhận, nghĩa vụ của bên gửi chỉ để thông tin "
    "/ outgoing or incoming document: 'incoming' applies the receiver's duties, the sender's are for information.",
)
@click.option(
    "--kind",
    type=click.Choice(["main", "attachment", "copy"]),
    help="Văn bản chính, văn bản kèm theo, bản sao (NĐ 30/2020 PL I) / document kind.",
)
@click.option(
    "--document-kind",
    "document_kind",
    type=click.Choice(["official", "other"]),
    help="Văn bản công vụ của cơ quan nhà nước (quy định chữ ký chuyên dùng công vụ) hay văn bản khác (chữ ký công cộng); "
    "hồ sơ auto chọn theo đó / an official document of a state agency or another document ('auto' follows it).",
)
@click.option(
    "--roles",
    metavar="ROLE,ROLE",
    help="Vai trò từng chữ ký theo thứ tự, vd. person,agency / expected role of each signature, in order.",
)
@click.option("--json", "as_json", is_flag=True, help="In báo cáo JSON (mảng) / print JSON reports (array).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(HUMAN_FORMATS)),
    help="Báo cáo cho người đọc (HTML hoặc PDF, kèm -o) / human report (HTML or PDF, with -o).",
)
@output_option
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path), help="Ghi kết quả JUnit XML cho CI / write JUnit XML.")
@click.option("--all", "show_all", is_flag=True, help="Liệt kê cả các quy tắc đạt / also list passed rules.")
@click.option(
    "--now",
    "now_text",
    metavar="ISO8601",
    help="Thời điểm kiểm tra (mặc định: hiện tại), vd. thẩm định lại hồ sơ lưu trữ / validation time (default: now).",
)
@click.option("--offline", is_flag=True, help="Không truy cập mạng; chỉ dùng dữ liệu nhúng / no network.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn mỗi yêu cầu mạng (giây) / per-request network timeout (s).")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Mật khẩu mở PDF được mã hoá, lấy từ biến môi trường VAR / user password of an encrypted PDF, from env var VAR.",
)
def validate_cmd(
    files: tuple[Path, ...],
    policy_ref: str,
    trust_files: tuple[str, ...],
    at: str,
    direction: str | None,
    kind: str | None,
    document_kind: str | None,
    roles: str | None,
    as_json: bool,
    junit_file: Path | None,
    show_all: bool,
    now_text: str | None,
    offline: bool,
    timeout: float,
    password_env: str | None = None,
    fmt: str | None = None,
    output: Path | None = None,
) -> None:
    """Thẩm định FILES theo chính sách (kiểm tra chữ ký + quy định). / Validate FILES against a policy."""
    check_output(fmt, output, len(files))
    import vbsign.api.compliance as compliance
    from vbsign._core.files import atomic_write
    from vbsign.api.policies import load_policy
    from vbsign.cli.verify import aggregate_exit, password_from_env
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services
    from vbsign.policy import DocumentFacts
    from vbsign.policy.facts import roles_from
    from vbsign.policy.junit import FileError, to_junit_xml

    policy = load_policy(policy_ref)  # a bad policy file is refused before any work (exit 3)
    now = _parse_now(now_text)
    try:
        role_tuple = roles_from([r for r in roles.split(",") if r.strip()]) if roles else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--roles") from None
    official = None if document_kind is None else document_kind == "official"
    facts = DocumentFacts(direction=direction, kind=kind, roles=role_tuple, official=official)  # type: ignore[arg-type]
    trust = TrustStore.from_paths(trust_files) if trust_files else None
    services = Services(online=not offline, timeout=timeout)
    password = password_from_env(password_env)
    out = console()
    err = console(stderr=True)
    codes: list[int] = []
    json_items: list[dict[str, Any]] = []
    junit_items: list[Any] = []
    for f in files:
        try:
            rep = compliance.validate(
                f, policy=policy, facts=facts, trust=trust, at=at, now=now, services=services, password=password
            )
        except VbsignError as e:
            codes.append(e.exit_code)
            junit_items.append(FileError(str(f), e.code, e.message(current_lang())))
            if as_json:
                json_items.append({"document": {"name": str(f)}, "error": e.to_dict()})
            else:
                err.print(f"[bold red]✗[/] {esc(printable(f))}: {esc(e.message(current_lang()))}")
            continue
        codes.append(rep.exit_code)
        junit_items.append(rep)
        if as_json:
            json_items.append(rep.to_dict())
        elif fmt is not None:
            written = emit(rep, fmt, f, output, len(files), password)
            if written is not None:
                err.print(f"{esc(rep.summary())} → {esc(printable(written))}", markup=True)
        else:
            _print_text(out, rep, show_all)
    if junit_file is not None:
        atomic_write(junit_file, to_junit_xml(junit_items))
        if not as_json:
            err.print(t(f"Đã ghi JUnit XML: {junit_file}", f"JUnit XML written: {junit_file}"), markup=False)
    if as_json:
        click.echo(json.dumps(json_items, ensure_ascii=False, indent=2))
    raise SystemExit(aggregate_exit(codes) if codes else EXIT_USAGE)


def _print_text(out: Any, rep: Any, show_all: bool) -> None:
    """A compliance report as text, its verdict line coloured by the exit code."""
    from vbsign.policy.render import render_compliance

    colour = {0: "green", 1: "red", 2: "yellow"}[rep.exit_code]
    text = render_compliance(rep, show_all=show_all)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i == 2:
            out.print(f"[bold {colour}]{esc(line)}[/]", markup=True, highlight=False)
        else:
            out.print(line, markup=False, highlight=False)
    out.print()


def _parse_now(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            t(f"không phải thời điểm ISO 8601: {text}", f"not an ISO 8601 time: {text}"), param_hint="--now"
        ) from None
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a bare time is Vietnam time
    return value
