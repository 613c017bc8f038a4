"""``vbsign registry``: the certificate registry on the command line.

Every listing prints a rich table, or with ``--json`` a JSON array on stdout (for scripts).
The database is ``--db URL``, else ``VBSIGN_REGISTRY_URL``, else the default SQLite file.
Exit codes: 0 success; 1 audit log not intact / a certificate revoked; 2 revocation status
unknown; 3 bad input (as for every vbsign command).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from vbsign._core.i18n import Msg, current_lang
from vbsign.cli._common import (
    EXIT_INDETERMINATE,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    BilingualGroup,
    console,
    esc,
    fail,
    t,
)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

if TYPE_CHECKING:  # without importing SQLAlchemy when the CLI starts
    from vbsign.registry.service import Registry


# ---- plumbing ------------------------------------------------------------------------------


def _parse_date(value: str | None, what: str = "date") -> date | None:
    if value is None:
        return None
    v = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    fail(
        Msg("Ngày không hợp lệ ({w}): {v}. Dùng YYYY-MM-DD hoặc DD/MM/YYYY.",
            "Invalid date ({w}): {v}. Use YYYY-MM-DD or DD/MM/YYYY.").format(w=what, v=value)
    )


def _moment(today: str | None) -> datetime | None:
    """``--today DATE``: 00:00 (Vietnam time) of that day; ``None``: now."""
    d = _parse_date(today, "--today")
    return datetime.combine(d, time(0, 0), VN_TZ) if d else None


@contextmanager
def _registry(ctx: click.Context, *, create: bool = False) -> Iterator[Registry]:
    from vbsign.registry.service import Registry

    url = ctx.find_root().meta.get("vbsign.registry.url")
    today = ctx.find_root().meta.get("vbsign.registry.today")
    clock = (lambda: today) if today is not None else None
    reg = Registry.open(url, create=create, clock=clock)
    try:
        yield reg
    finally:
        reg.close()


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], *, empty: Msg | None = None) -> None:
    from rich.table import Table

    out = console()
    if not rows:
        out.print(
            (empty or Msg("(không có dữ liệu)", "(nothing to show)")).get(), markup=False
        )
        return
    from rich.text import Text

    table = Table(title=Text(title), show_lines=False, header_style="bold")
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:  # cells are plain text: names may contain "[...]"
        table.add_row(*(Text("" if v is None else str(v)) for v in r))
    out.print(table)


def _d(v: date | datetime | None) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        v = v.astimezone(VN_TZ).date()
    return v.strftime("%d/%m/%Y")


def _write_or_print(data: bytes, out: Path | None, fmt: str) -> None:
    from vbsign._core.files import atomic_write

    if out is not None:
        atomic_write(out, data, private=True)  # registry output names people: owner only
        console(stderr=True).print(t(f"Đã ghi {out}", f"Wrote {out}"), markup=False)
        return
    if fmt == "pdf" and sys.stdout.isatty():
        fail(Msg("Cần --out TỆP.pdf để ghi PDF.", "--out FILE.pdf is needed to write a PDF."))
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


json_option = click.option("--json", "as_json", is_flag=True, help="In mảng JSON / print a JSON array.")


# ---- group ---------------------------------------------------------------------------------


@click.group("registry", cls=BilingualGroup)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="VBSIGN_REGISTRY_URL",
    help="Cơ sở dữ liệu (sqlite:///tệp hoặc postgresql+psycopg://…); mặc định: VBSIGN_REGISTRY_URL hoặc tệp "
    "SQLite trong thư mục dữ liệu người dùng. / Database URL.",
)
@click.option(
    "--today",
    metavar="DATE",
    help="Coi ngày này là hôm nay (cảnh báo, hạn xử lý, ngày ghi trên văn bản). / Treat DATE as today.",
)
@click.pass_context
def registry_group(ctx: click.Context, db_url: str | None, today: str | None) -> None:
    """Quản lý chứng thư số, thiết bị ký, yêu cầu chứng thực và báo cáo sử dụng.

    Certificate registry: units, subscribers, certificates, tokens, requests, reports.
    """
    root = ctx.find_root()
    root.meta["vbsign.registry.url"] = db_url
    root.meta["vbsign.registry.today"] = _moment(today)


@registry_group.command("init")
@click.option("--agency", help="Cơ quan chủ quản (dòng trên tiêu đề văn bản) / parent agency.")
@click.option("--office", help="Đơn vị quản lý thuê bao / subscriber-managing unit.")
@click.option("--locality", help="Địa danh ghi trên văn bản (ví dụ: Hà Nội) / place name.")
@click.option("--signer-title", help="Chức danh người ký văn bản / signer's title.")
@click.option("--signer-name", help="Họ tên người ký văn bản / signer's name.")
@click.pass_context
def init_cmd(ctx: click.Context, agency: str | None, office: str | None, locality: str | None,
             signer_title: str | None, signer_name: str | None) -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu (chạy lại được). / Create or upgrade the database."""
    settings = {k: v for k, v in {"agency": agency, "office": office, "locality": locality,
                                  "signer_title": signer_title, "signer_name": signer_name}.items() if v}
    with _registry(ctx, create=True) as reg:
        if settings:
            reg.set_settings(settings)
        console().print(t(f"Sổ quản lý chứng thư số sẵn sàng: {reg.url} (phiên bản lược đồ {reg.init()})",
                          f"Certificate registry ready: {reg.url} (schema revision {reg.init()})"), markup=False)


@registry_group.command("info")
@json_option
@click.pass_context
def info_cmd(ctx: click.Context, as_json: bool) -> None:
    """Thông tin cơ sở dữ liệu và thiết lập. / Database and settings."""
    import vbsign.registry.db as db

    with _registry(ctx) as reg:
        data = {
            "url": reg.url,
            "revision": db.current_revision(reg.engine),
            "settings": reg.settings(),
            "units": len(reg.list_units()),
            "subscribers": len(reg.list_subscribers()),
            "certificates": len(reg.list_certificates(include_ca=True)),
            "audit_events": reg.audit_count(),
        }
    if as_json:
        _echo_json([data])  # an array, like every other --json output
        return
    _table(t("Sổ quản lý chứng thư số", "Certificate registry"), [t("Mục", "Item"), t("Giá trị", "Value")],
           [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v) for k, v in data.items()])


# ---- waves, units, subscribers -------------------------------------------------------------


@registry_group.group("wave")
def wave_group() -> None:
    """Đợt triển khai. / Rollout waves."""


@wave_group.command("add")
@click.argument("number", type=int)
@click.argument("name")
@click.option("--from", "starts", metavar="DATE")
@click.option("--to", "ends", metavar="DATE")
@click.option("--description")
@click.pass_context
def wave_add(ctx: click.Context, number: int, name: str, starts: str | None, ends: str | None,
             description: str | None) -> None:
    """Thêm đợt triển khai. / Add a rollout wave."""
    with _registry(ctx) as reg:
        w = reg.add_wave(number, name, starts_on=_parse_date(starts, "--from"), ends_on=_parse_date(ends, "--to"),
                         description=description)
    console().print(t(f"Đã thêm đợt {w.number}: {w.name}", f"Added wave {w.number}: {w.name}"), markup=False)


@wave_group.command("list")
@json_option
@click.pass_context
def wave_list(ctx: click.Context, as_json: bool) -> None:
    """Liệt kê các đợt. / List waves."""
    with _registry(ctx) as reg:
        waves = reg.list_waves()
    if as_json:
        _echo_json([w.to_dict() for w in waves])
        return
    _table(t("Đợt triển khai", "Rollout waves"), [t("Đợt", "Wave"), t("Tên", "Name"), t("Từ", "From"), t("Đến", "To")],
           [(w.number, w.name, _d(w.starts_on), _d(w.ends_on)) for w in waves])


@registry_group.group("unit")
def unit_group() -> None:
    """Đơn vị (cây tổ chức). / Units (organisation tree)."""


@unit_group.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--parent", metavar="CODE", help="Mã đơn vị cấp trên / parent unit code.")
@click.option("--wave", type=int, help="Đợt triển khai / rollout wave.")
@click.option("--locality")
@click.option("--no-seal", is_flag=True, help="Đơn vị không có con dấu riêng / the unit has no seal of its own.")
@click.pass_context
def unit_add(ctx: click.Context, code: str, name: str, parent: str | None, wave: int | None, locality: str | None,
             no_seal: bool) -> None:
    """Thêm đơn vị. / Add a unit."""
    with _registry(ctx) as reg:
        u = reg.add_unit(code, name, parent=parent, wave=wave, locality=locality, requires_seal=not no_seal)
    console().print(t(f"Đã thêm đơn vị {u.code}: {u.name}", f"Added unit {u.code}: {u.name}"), markup=False)


@unit_group.command("set")
@click.argument("code")
@click.option("--name")
@click.option("--parent", metavar="CODE")
@click.option("--wave", type=int)
@click.option("--seal/--no-seal", "seal", default=None)
@click.option("--active/--inactive", "active", default=None)
@click.pass_context
def unit_set(ctx: click.Context, code: str, name: str | None, parent: str | None, wave: int | None,
             seal: bool | None, active: bool | None) -> None:
    """Sửa thông tin đơn vị. / Change a unit."""
    with _registry(ctx) as reg:
        u = reg.update_unit(code, name=name, parent=parent, wave=wave, requires_seal=seal, active=active)
    console().print(t(f"Đã cập nhật đơn vị {u.code}", f"Updated unit {u.code}"), markup=False)


@unit_group.command("list")
@json_option
@click.pass_context
def unit_list(ctx: click.Context, as_json: bool) -> None:
    """Liệt kê đơn vị theo cây. / List units as a tree."""
    with _registry(ctx) as reg:
        units = reg.list_units()
    if as_json:
        _echo_json([u.to_dict() for u in units])
        return
    yes, no = t("có", "yes"), t("không", "no")
    _table(
        t("Đơn vị", "Units"),
        [t("Mã", "Code"), t("Tên đơn vị", "Name"), t("Cấp trên", "Parent"), t("Đợt", "Wave"), t("Có con dấu", "Seal")],
        [(u.code, "  " * u.depth + u.name, u.parent_code, u.wave, yes if u.requires_seal else no) for u in units],
    )


@registry_group.group("subscriber")
def subscriber_group() -> None:
    """Thuê bao (cá nhân, cơ quan). / Subscribers (persons, organisations)."""


@subscriber_group.command("add")
@click.argument("name")
@click.option("--unit", required=True, metavar="CODE")
@click.option("--kind", type=click.Choice(["person", "organisation", "device"]), default="person", show_default=True)
@click.option("--title", help="Chức vụ / title.")
@click.option("--uid", help="Số định danh như trong chứng thư (CCCD:…, MST:…) / identifier as in certificates.")
@click.option("--email")
@click.option("--phone")
@click.pass_context
def subscriber_add(ctx: click.Context, name: str, unit: str, kind: str, title: str | None, uid: str | None,
                   email: str | None, phone: str | None) -> None:
    """Thêm thuê bao. / Add a subscriber."""
    with _registry(ctx) as reg:
        s = reg.add_subscriber(name, unit, kind=kind, title=title, uid=uid, email=email, phone=phone)
    console().print(t(f"Đã thêm thuê bao #{s.id}: {s.full_name}", f"Added subscriber #{s.id}: {s.full_name}"), markup=False)


@subscriber_group.command("leave")
@click.argument("subscriber_id", type=int)
@click.pass_context
def subscriber_leave(ctx: click.Context, subscriber_id: int) -> None:
    """Đánh dấu thuê bao đã nghỉ / chuyển công tác. / Mark a subscriber as gone."""
    with _registry(ctx) as reg:
        s = reg.deactivate_subscriber(subscriber_id)
    console().print(t(f"Thuê bao #{s.id} ({s.full_name}) không còn hoạt động.",
                      f"Subscriber #{s.id} ({s.full_name}) is now inactive."), markup=False)


@subscriber_group.command("list")
@click.option("--unit", metavar="CODE")
@click.option("--kind", type=click.Choice(["person", "organisation", "device"]))
@click.option("--all", "include_inactive", is_flag=True, help="Cả thuê bao đã nghỉ / include inactive.")
@json_option
@click.pass_context
def subscriber_list(ctx: click.Context, unit: str | None, kind: str | None, include_inactive: bool,
                    as_json: bool) -> None:
    """Liệt kê thuê bao. / List subscribers."""
    with _registry(ctx) as reg:
        subs = reg.list_subscribers(unit=unit, kind=kind, include_inactive=include_inactive)
    if as_json:
        _echo_json([s.to_dict() for s in subs])
        return
    _table(
        t("Thuê bao", "Subscribers"),
        ["#", t("Họ tên", "Name"), t("Chức vụ", "Title"), t("Đơn vị", "Unit"), t("Loại", "Kind"), "UID"],
        [(s.id, s.full_name, s.title, s.unit_code, s.kind, s.uid) for s in subs],
    )


# ---- certificates ----------------------------------------------------------------------------


@registry_group.group("cert")
def cert_group() -> None:
    """Chứng thư số. / Certificates."""


@cert_group.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--subscriber", "subscriber_id", type=int, help="Gán mọi chứng thư cho thuê bao này / assign to.")
@click.option("--token-serial", help="Số seri thiết bị chứa các chứng thư / token serial number.")
@click.option("--create-subscribers", is_flag=True,
              help="Tạo thuê bao cho chứng thư chưa khớp nếu O/OU chỉ ra đơn vị đã có / create missing subscribers.")
@click.option("--token-module", metavar="PATH",
              help="Đọc chứng thư từ thiết bị ký qua mô-đun PKCS#11 này (không cần PIN) / read from a token.")
@click.option("--token", "token_ref", metavar="SERIAL|LABEL", help="Thiết bị cần đọc / which token.")
@json_option
@click.pass_context
def cert_import(ctx: click.Context, paths: tuple[Path, ...], subscriber_id: int | None, token_serial: str | None,
                create_subscribers: bool, token_module: str | None, token_ref: str | None, as_json: bool) -> None:
    """Nhập chứng thư số từ tệp, thư mục (PEM, DER, PKCS#7) hoặc thiết bị ký.

    Import certificates from files, folders (PEM, DER, PKCS#7) or a token.
    """
    if not paths and not token_module:
        fail(Msg("Cần ít nhất một tệp/thư mục hoặc --token-module.", "Give files/folders or --token-module."))
    with _registry(ctx) as reg:
        if token_module:
            result = reg.import_from_token(token_module, token=token_ref)
        else:
            result = reg.import_paths(paths, subscriber=subscriber_id, token_serial=token_serial,
                                      create_missing=create_subscribers)
    if as_json:
        _echo_json([i.to_dict() for i in result.items] + [{"error": p.to_dict()} for p in result.problems])
    else:
        outcome = {"added": t("mới", "added"), "duplicate": t("trùng", "duplicate")}
        _table(
            t("Kết quả nhập chứng thư số", "Certificate import"),
            [t("Chủ thể", "Subject"), t("Kết quả", "Outcome"), t("Thuê bao", "Subscriber"), t("Ghép theo", "Matched by"),
             t("Ghi chú", "Note")],
            [(i.subject_cn, outcome.get(i.outcome, i.outcome), i.subscriber_name or ("CA" if i.is_ca else "—"),
              i.matched_by, i.note.get() if i.note else ("↻ " + i.renewal_of[:16] if i.renewal_of else ""))
             for i in result.items],
        )
        console().print(
            t(f"Mới: {len(result.added)}, trùng: {len(result.duplicates)}, đã ghép thuê bao: {len(result.matched)}, "
              f"chưa ghép: {len(result.unmatched)}, lỗi: {len(result.problems)}",
              f"Added: {len(result.added)}, duplicates: {len(result.duplicates)}, matched: {len(result.matched)}, "
              f"unmatched: {len(result.unmatched)}, errors: {len(result.problems)}")
        )
        err = console(stderr=True)
        for p in result.problems:
            err.print(f"[bold red]{t('Lỗi', 'Error')}:[/] {esc(p.source)}: {esc(p.message.get())}", markup=True)
    raise SystemExit(EXIT_USAGE if result.problems else EXIT_OK)


def _cert_rows(certs: Sequence[Any], now: datetime | None = None) -> list[tuple[object, ...]]:
    status = {"active": t("hiệu lực", "active"), "revoked": t("thu hồi", "revoked")}
    now = now or datetime.now(VN_TZ)

    def shown(c: Any) -> str:
        # an unrevoked certificate past its end date is not "in effect" (nor yet valid before its start)
        if c.status == "active" and c.not_after is not None and c.not_after < now:
            return t("hết hạn", "expired")
        if c.status == "active" and c.not_before is not None and c.not_before > now:
            return t("chưa có hiệu lực", "not yet valid")
        return str(status.get(c.status, c.status))

    return [
        (c.fingerprint[:16], c.subject_cn, c.subscriber_name or ("CA" if c.is_ca else "—"), c.unit_code, c.key_type,
         _d(c.not_before), _d(c.not_after), shown(c), c.token_serial)
        for c in certs
    ]


_CERT_COLUMNS = [
    ("SHA-256", "SHA-256"), ("Chủ thể", "Subject"), ("Thuê bao", "Subscriber"), ("Đơn vị", "Unit"), ("Khóa", "Key"),
    ("Từ", "From"), ("Đến", "To"), ("Trạng thái", "Status"), ("Thiết bị", "Token"),
]


@cert_group.command("list")
@click.option("--unit", metavar="CODE")
@click.option("--subscriber", "subscriber_id", type=int)
@click.option("--status", type=click.Choice(["active", "revoked"]))
@click.option("--ca", "include_ca", is_flag=True, help="Cả chứng thư CA / include CA certificates.")
@json_option
@click.pass_context
def cert_list(ctx: click.Context, unit: str | None, subscriber_id: int | None, status: str | None, include_ca: bool,
              as_json: bool) -> None:
    """Liệt kê chứng thư số. / List certificates."""
    with _registry(ctx) as reg:
        certs = reg.list_certificates(unit=unit, subscriber=subscriber_id, status=status, include_ca=include_ca)
    if as_json:
        _echo_json([c.to_dict() for c in certs])
        return
    _table(t("Chứng thư số", "Certificates"), [t(vi, en) for vi, en in _CERT_COLUMNS],
           _cert_rows(certs, ctx.find_root().meta.get("vbsign.registry.today")))


@cert_group.command("expiring")
@click.option("--days", type=click.IntRange(min=0), default=30, show_default=True)
@json_option
@click.pass_context
def cert_expiring(ctx: click.Context, days: int, as_json: bool) -> None:
    """Chứng thư số sắp hết hạn trong N ngày. / Certificates expiring within N days."""
    with _registry(ctx) as reg:
        certs = reg.expiring(days)
    if as_json:
        _echo_json([c.to_dict() for c in certs])
        return
    now = datetime.now(VN_TZ).date() if ctx.find_root().meta.get("vbsign.registry.today") is None else \
        ctx.find_root().meta["vbsign.registry.today"].date()
    _table(t(f"Chứng thư số hết hạn trong {days} ngày", f"Certificates expiring within {days} days"),
           [t("Chủ thể", "Subject"), t("Thuê bao", "Subscriber"), t("Đơn vị", "Unit"), t("Hết hạn", "Expires"),
            t("Còn (ngày)", "Days left"), t("Thiết bị", "Token"), "SHA-256"],
           [(c.subject_cn, c.subscriber_name or "—", c.unit_code, _d(c.not_after),
             (c.not_after.astimezone(VN_TZ).date() - now).days, c.token_serial, c.fingerprint[:12]) for c in certs],
           empty=Msg(f"Không có chứng thư số nào hết hạn trong {days} ngày.", f"No certificate expires within {days} days."))


@cert_group.command("check-revocation")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True),
              help="Chứng thư gốc tin cậy; mặc định: các CA gốc đã nhập vào sổ / trust anchors.")
@click.option("--unit", metavar="CODE")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn mỗi yêu cầu mạng (giây) / per-request network timeout (s).")
@json_option
@click.pass_context
def cert_check_revocation(ctx: click.Context, trust_files: tuple[str, ...], unit: str | None, timeout: float,
                          as_json: bool) -> None:
    """Kiểm tra thu hồi (CRL/OCSP) các chứng thư số còn hiệu lực; ghi kết quả vào sổ.

    Check active certificates against CRL/OCSP and record the outcome.
    Exit 1 if any is revoked, 2 if any status is unknown.
    """
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services

    trust = TrustStore.from_paths(trust_files) if trust_files else None
    with _registry(ctx) as reg:
        results = reg.check_revocation(trust=trust, services=Services(online=True, timeout=timeout), unit=unit)
    if as_json:
        _echo_json([{**c.to_dict(), "result": r} for c, r in results])
    else:
        label = {"good": t("tốt", "good"), "revoked": t("BỊ THU HỒI", "REVOKED"), "unknown": t("chưa xác định", "unknown")}
        _table(t("Kiểm tra thu hồi", "Revocation check"),
               [t("Chủ thể", "Subject"), t("Thuê bao", "Subscriber"), t("Đơn vị", "Unit"), t("Kết quả", "Result")],
               [(c.subject_cn, c.subscriber_name, c.unit_code, label[r]) for c, r in results])
    outcomes = {r for _, r in results}
    raise SystemExit(EXIT_INVALID if "revoked" in outcomes else EXIT_INDETERMINATE if "unknown" in outcomes else EXIT_OK)


@cert_group.command("revoked")
@click.argument("certificate")
@click.option("--notice", metavar="DATE", help="Ngày nhận thông báo thu hồi (mặc định hôm nay) / notice date.")
@click.option("--reason")
@click.pass_context
def cert_revoked(ctx: click.Context, certificate: str, notice: str | None, reason: str | None) -> None:
    """Ghi nhận thông báo thu hồi chứng thư số (bắt đầu tính hạn 5 ngày làm việc thu hồi thiết bị).

    Record a revocation notice (starts the 5-working-day token-recovery deadline).
    """
    with _registry(ctx) as reg:
        c = reg.mark_revoked(certificate, notified_on=_parse_date(notice, "--notice"), reason=reason)
    console().print(t(f"Đã ghi nhận thu hồi chứng thư số của {c.subject_cn}.", f"Recorded the revocation of {c.subject_cn}."), markup=False)


# ---- alerts ------------------------------------------------------------------------------------


@registry_group.command("alerts")
@click.option("--days", type=click.IntRange(min=0), default=30, show_default=True,
              help="Cảnh báo chứng thư hết hạn trong N ngày / expiry horizon.")
@click.option("--notify", is_flag=True,
              help="Gửi cảnh báo mới qua trình cắm (vbsign_certificate_alert) / send new alerts to plugins.")
@click.option("--all", "resend", is_flag=True, help="Với --notify: gửi cả cảnh báo đã gửi / resend all.")
@json_option
@click.pass_context
def alerts_cmd(ctx: click.Context, days: int, notify: bool, resend: bool, as_json: bool) -> None:
    """Cảnh báo: sắp hết hạn, bị thu hồi, hạn thu hồi thiết bị, thời hạn bất thường, thiếu chứng thư con dấu.

    Lifecycle alerts: expiring, revoked, token-recovery deadline, validity anomaly, missing seal.
    """
    with _registry(ctx) as reg:
        found = reg.alerts(within_days=days, notify=notify, only_new=not resend)
    if as_json:
        _echo_json([a.to_dict() for a in found])
        return
    colour = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
    out = console()
    if not found:
        out.print(t("Không có cảnh báo.", "No alerts."))
    for a in found:
        out.print(f"[{colour.get(a.severity, 'white')}]{a.code}[/] {esc(a.message.get())}", markup=True, highlight=False)


# ---- archived documents ------------------------------------------------------------------------


@registry_group.group("archive")
def archive_group() -> None:
    """Văn bản lưu trữ theo dõi gia hạn dấu thời gian lưu trữ. / Archived documents watched for renewal."""


@archive_group.command("hold")
@click.argument("directory", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True),
              help="Chứng thư gốc tin cậy (PEM/DER) / trust anchors.")
@click.pass_context
def archive_hold(ctx: click.Context, directory: Path, trust_files: tuple[str, ...]) -> None:
    """Quét thư mục và ghi các văn bản đã ký vào sổ đăng ký (cảnh báo: registry alerts).

    Scan DIR and hold its signed documents in the registry (renewal alerts: registry alerts).
    """
    from vbsign.api.archive import scan_archive

    entries = scan_archive(directory, trust=list(trust_files) if trust_files else None)
    with _registry(ctx) as reg:
        held = reg.hold_archive(entries)
    console().print(t(f"Đã ghi {held} văn bản đã ký.", f"Held {held} signed documents."), markup=False)


# ---- requests ----------------------------------------------------------------------------------


@registry_group.group("request")
def request_group() -> None:
    """Yêu cầu chứng thực (NĐ 68/2024: cấp mới, gia hạn, thu hồi…). / Certification requests."""


@request_group.command("new")
@click.argument("kind")
@click.option("--subscriber", "subscriber_id", type=int)
@click.option("--cert", "certificate", metavar="SHA256|ID", help="Chứng thư liên quan / the certificate concerned.")
@click.option("--token", "token_serial", metavar="SERIAL")
@click.option("--reason")
@click.option("--reference", help="Số văn bản đề nghị / letter number.")
@click.option("--date", "on", metavar="DATE")
@click.option("--note")
@click.pass_context
def request_new(ctx: click.Context, kind: str, subscriber_id: int | None, certificate: str | None,
                token_serial: str | None, reason: str | None, reference: str | None, on: str | None,
                note: str | None) -> None:
    """Lập yêu cầu mới (trạng thái "đang lập hồ sơ"). KIND: new_person, new_agency, new_device, renewal,
    change_info, revocation, token_restore, token_handover, lost_token.

    Create a request (status draft).
    """
    with _registry(ctx) as reg:
        r = reg.create_request(kind, subscriber=subscriber_id, certificate=certificate, token_serial=token_serial,
                               reason=reason, reference=reference, created_on=_parse_date(on, "--date"), note=note)
    console().print(t(f"Đã lập yêu cầu #{r.id} (Mẫu {r.form}) cho {r.subscriber_name}.",
                      f"Created request #{r.id} (form {r.form}) for {r.subscriber_name}."), markup=False)


@request_group.command("set")
@click.argument("request_id", type=int)
@click.argument("status")
@click.option("--date", "on", metavar="DATE")
@click.option("--note")
@click.option("--reference")
@click.pass_context
def request_set(ctx: click.Context, request_id: int, status: str, on: str | None, note: str | None,
                reference: str | None) -> None:
    """Chuyển trạng thái yêu cầu: submitted, returned, approved, completed, rejected, cancelled.

    Move a request to STATUS (illegal moves are refused with an explanation).
    """
    from vbsign.registry.workflow import STATUSES

    with _registry(ctx) as reg:
        r = reg.transition_request(request_id, status, on=_parse_date(on, "--date"), note=note, reference=reference)
    console().print(t(f"Yêu cầu #{r.id}: {STATUSES[r.status].vi}", f"Request #{r.id}: {STATUSES[r.status].en}"), markup=False)


@request_group.command("list")
@click.option("--status", multiple=True)
@click.option("--kind", multiple=True)
@click.option("--unit", metavar="CODE")
@click.option("--reference")
@json_option
@click.pass_context
def request_list(ctx: click.Context, status: tuple[str, ...], kind: tuple[str, ...], unit: str | None,
                 reference: str | None, as_json: bool) -> None:
    """Liệt kê yêu cầu. / List requests."""
    from vbsign.registry.workflow import REQUEST_KINDS, STATUSES

    with _registry(ctx) as reg:
        reqs = reg.list_requests(status=status or None, kind=kind or None, unit=unit, reference=reference)
    if as_json:
        _echo_json([r.to_dict() for r in reqs])
        return
    _table(
        t("Yêu cầu chứng thực", "Certification requests"),
        ["#", t("Loại", "Kind"), t("Mẫu", "Form"), t("Thuê bao", "Subscriber"), t("Đơn vị", "Unit"),
         t("Trạng thái", "Status"), t("Lập ngày", "Created"), t("Số văn bản", "Reference")],
        [(r.id, REQUEST_KINDS[r.kind].label.get() if r.kind in REQUEST_KINDS else r.kind, r.form, r.subscriber_name,
          r.unit_code, STATUSES[r.status].get() if r.status in STATUSES else r.status, _d(r.created_on), r.reference)
         for r in reqs],
    )


@request_group.command("show")
@click.argument("request_id", type=int)
@json_option
@click.pass_context
def request_show(ctx: click.Context, request_id: int, as_json: bool) -> None:
    """Chi tiết và lịch sử một yêu cầu. / A request and its history."""
    with _registry(ctx) as reg:
        r = reg.request(request_id)
        history = reg.request_history(request_id)
    if as_json:
        _echo_json([{**r.to_dict(), "history": history}])
        return
    _table(t(f"Yêu cầu #{r.id}", f"Request #{r.id}"), [t("Mục", "Field"), t("Giá trị", "Value")],
           [(k, v) for k, v in r.to_dict().items() if v is not None])
    _table(t("Lịch sử", "History"), [t("Từ", "From"), t("Sang", "To"), t("Ngày", "On"), t("Ghi chú", "Note")],
           [(h["from"], h["to"], h["on"], h["note"]) for h in history])


@request_group.command("document")
@click.argument("list_kind", type=click.Choice(["registration", "revocation"]))
@click.option("--out", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv"]), default="pdf", show_default=True)
@click.option("--status", multiple=True, default=("draft", "submitted"), show_default=True)
@click.option("--reference", help="Chỉ các yêu cầu của văn bản này / only requests of this letter.")
@click.option("--id", "ids", type=int, multiple=True, help="Chỉ các yêu cầu này / only these requests.")
@click.option("--unit", metavar="CODE")
@click.pass_context
def request_document(ctx: click.Context, list_kind: str, out: Path | None, fmt: str, status: tuple[str, ...],
                     reference: str | None, ids: tuple[int, ...], unit: str | None) -> None:
    """Lập danh sách đề nghị cấp mới/gia hạn (registration) hoặc thu hồi (revocation), PDF hoặc CSV.

    Make the registration/renewal list or the revocation request list (PDF or CSV).
    """
    from vbsign.registry.documents import request_list

    with _registry(ctx) as reg:
        reqs = reg.list_requests(status=None if ids else list(status), reference=reference, ids=list(ids) or None,
                                 unit=unit)
        data = request_list(reqs, list_kind, fmt, settings=reg.settings(), on=reg.today(), reference=reference)
    _write_or_print(data, out, fmt)


# ---- tokens and hand-over ----------------------------------------------------------------------


@registry_group.group("token")
def token_group() -> None:
    """Thiết bị lưu khóa bí mật. / Key devices (tokens)."""


@token_group.command("add")
@click.argument("serial")
@click.option("--model")
@click.option("--owner", "owner_id", type=int, help="Thuê bao sở hữu khóa / subscriber whose key it holds.")
@click.pass_context
def token_add(ctx: click.Context, serial: str, model: str | None, owner_id: int | None) -> None:
    """Đăng ký thiết bị. / Register a token."""
    with _registry(ctx) as reg:
        tok = reg.add_token(serial, model=model, owner=owner_id)
    console().print(t(f"Đã đăng ký thiết bị {tok.serial}", f"Registered token {tok.serial}"), markup=False)


@token_group.command("list")
@json_option
@click.pass_context
def token_list(ctx: click.Context, as_json: bool) -> None:
    """Liệt kê thiết bị và người đang giữ. / List tokens and their holders."""
    from vbsign.registry.workflow import TOKEN_STATUSES

    with _registry(ctx) as reg:
        tokens = reg.list_tokens()
    if as_json:
        _echo_json([x.to_dict() for x in tokens])
        return
    _table(t("Thiết bị lưu khóa bí mật", "Key devices"),
           [t("Số seri", "Serial"), t("Loại", "Model"), t("Chủ sở hữu khóa", "Key owner"), t("Người giữ", "Holder"),
            t("Trạng thái", "Status")],
           [(x.serial, x.model, x.owner_name, x.holder_name,
             TOKEN_STATUSES[x.status].get() if x.status in TOKEN_STATUSES else x.status) for x in tokens])


@registry_group.group("handover")
def handover_group() -> None:
    """Biên bản bàn giao thiết bị. / Token hand-over records."""


@handover_group.command("add")
@click.argument("token_serial")
@click.option("--reason", required=True, type=click.Choice(["issue", "custody", "return", "return_to_ca", "lost"]))
@click.option("--to", "to_party", help="Bên nhận / receiving party.")
@click.option("--to-subscriber", type=int)
@click.option("--from", "from_party", help="Bên giao / handing party.")
@click.option("--from-subscriber", type=int)
@click.option("--date", "on", metavar="DATE")
@click.option("--permission", "permission_ref", help="Văn bản cho phép (bắt buộc với thiết bị của cơ quan).")
@click.option("--record-no", help="Số biên bản / record number.")
@click.option("--model", help="Loại thiết bị (khi đăng ký mới) / token model.")
@click.option("--note")
@click.option("--out", type=click.Path(path_type=Path), help="Ghi luôn biên bản PDF / also write the PDF record.")
@click.pass_context
def handover_add(ctx: click.Context, token_serial: str, reason: str, to_party: str | None, to_subscriber: int | None,
                 from_party: str | None, from_subscriber: int | None, on: str | None, permission_ref: str | None,
                 record_no: str | None, model: str | None, note: str | None, out: Path | None) -> None:
    """Ghi nhận bàn giao thiết bị. / Record a token hand-over."""
    from vbsign.registry.documents import handover_record

    with _registry(ctx) as reg:
        h = reg.record_handover(
            token_serial, reason=reason, to_party=to_party, to_subscriber=to_subscriber, from_party=from_party,
            from_subscriber=from_subscriber, handed_on=_parse_date(on, "--date"), permission_ref=permission_ref,
            record_no=record_no, note=note, model=model,
        )
        if out is not None:
            _write_or_print(handover_record(h, "pdf", settings=reg.settings()), out, "pdf")
    console().print(t(f"Đã ghi biên bản bàn giao #{h.id}: {h.from_party} → {h.to_party}",
                      f"Recorded hand-over #{h.id}: {h.from_party} → {h.to_party}"), markup=False)


@handover_group.command("list")
@click.option("--token", "token_serial")
@json_option
@click.pass_context
def handover_list(ctx: click.Context, token_serial: str | None, as_json: bool) -> None:
    """Liệt kê biên bản bàn giao. / List hand-over records."""
    with _registry(ctx) as reg:
        items = reg.list_handovers(token_serial=token_serial)
    if as_json:
        _echo_json([h.to_dict() for h in items])
        return
    _table(t("Biên bản bàn giao", "Hand-over records"),
           ["#", t("Ngày", "Date"), t("Thiết bị", "Token"), t("Lý do", "Reason"), t("Bên giao", "From"),
            t("Bên nhận", "To"), t("Văn bản cho phép", "Permission")],
           [(h.id, _d(h.handed_on), h.token_serial, h.reason, h.from_party, h.to_party, h.permission_ref)
            for h in items])


@handover_group.command("document")
@click.argument("handover_id", type=int)
@click.option("--out", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv"]), default="pdf", show_default=True)
@click.pass_context
def handover_document(ctx: click.Context, handover_id: int, out: Path | None, fmt: str) -> None:
    """In biên bản bàn giao (PDF có chỗ ký của hai bên, hoặc CSV). / Print the hand-over record."""
    from vbsign.registry.documents import handover_record

    with _registry(ctx) as reg:
        data = handover_record(reg.handover(handover_id), fmt, settings=reg.settings())
    _write_or_print(data, out, fmt)


# ---- training, holidays --------------------------------------------------------------------------


@registry_group.group("training")
def training_group() -> None:
    """Tập huấn. / Training sessions."""


@training_group.command("add")
@click.argument("title")
@click.option("--date", "on", required=True, metavar="DATE")
@click.option("--location")
@click.option("--wave", type=int)
@click.option("--audience")
@click.option("--attendee", "attendees", type=int, multiple=True, help="Thuê bao tham dự (lặp lại) / attendee.")
@click.pass_context
def training_add(ctx: click.Context, title: str, on: str, location: str | None, wave: int | None,
                 audience: str | None, attendees: tuple[int, ...]) -> None:
    """Ghi nhận lớp tập huấn. / Record a training session."""
    d = _parse_date(on, "--date")
    assert d is not None
    with _registry(ctx) as reg:
        s = reg.add_training(title, d, location=location, wave=wave, audience=audience, attendees=attendees)
    console().print(t(f"Đã ghi lớp tập huấn #{s.id} ({s.attendees} người).",
                      f"Recorded training session #{s.id} ({s.attendees} attendees)."), markup=False)


@training_group.command("attend")
@click.argument("session_id", type=int)
@click.argument("subscriber_ids", type=int, nargs=-1, required=True)
@click.pass_context
def training_attend(ctx: click.Context, session_id: int, subscriber_ids: tuple[int, ...]) -> None:
    """Thêm người tham dự. / Add attendees."""
    with _registry(ctx) as reg:
        s = reg.add_attendees(session_id, subscriber_ids)
    console().print(t(f"Lớp #{s.id}: {s.attendees} người tham dự.", f"Session #{s.id}: {s.attendees} attendees."), markup=False)


@training_group.command("list")
@json_option
@click.pass_context
def training_list(ctx: click.Context, as_json: bool) -> None:
    """Liệt kê lớp tập huấn. / List training sessions."""
    with _registry(ctx) as reg:
        items = reg.list_training()
    if as_json:
        _echo_json([x.to_dict() for x in items])
        return
    _table(t("Tập huấn", "Training"), ["#", t("Ngày", "Date"), t("Nội dung", "Title"), t("Địa điểm", "Location"),
                                       t("Đợt", "Wave"), t("Số người", "Attendees")],
           [(x.id, _d(x.held_on), x.title, x.location, x.wave, x.attendees) for x in items])


@registry_group.group("holiday")
def holiday_group() -> None:
    """Lịch nghỉ lễ, ngày làm bù (tính hạn theo ngày làm việc). / Holiday calendar."""


@holiday_group.command("add")
@click.argument("day")
@click.argument("name")
@click.option("--workday", is_flag=True, help="Ngày cuối tuần phải đi làm (làm bù) / a weekend day worked.")
@click.pass_context
def holiday_add(ctx: click.Context, day: str, name: str, workday: bool) -> None:
    """Thêm ngày nghỉ lễ (hoặc ngày làm bù). / Add a holiday (or a make-up working day)."""
    d = _parse_date(day, "DAY")
    assert d is not None
    with _registry(ctx) as reg:
        reg.add_holiday(d, name, kind="workday" if workday else "holiday")
    console().print(t(f"Đã thêm {_d(d)}: {name}", f"Added {_d(d)}: {name}"), markup=False)


@holiday_group.command("remove")
@click.argument("day")
@click.pass_context
def holiday_remove(ctx: click.Context, day: str) -> None:
    """Xóa một ngày khỏi lịch. / Remove a day."""
    d = _parse_date(day, "DAY")
    assert d is not None
    with _registry(ctx) as reg:
        reg.remove_holiday(d)


@holiday_group.command("list")
@click.option("--year", type=int)
@json_option
@click.pass_context
def holiday_list(ctx: click.Context, year: int | None, as_json: bool) -> None:
    """Liệt kê lịch nghỉ (ngoài các ngày lễ dương lịch cố định). / List the calendar."""
    with _registry(ctx) as reg:
        items = reg.list_holidays(year)
    if as_json:
        _echo_json([x.to_dict() for x in items])
        return
    kind = {"holiday": t("nghỉ", "day off"), "workday": t("làm bù", "worked")}
    _table(t("Lịch nghỉ", "Holidays"), [t("Ngày", "Day"), t("Tên", "Name"), t("Loại", "Kind")],
           [(_d(x.day), x.name, kind.get(x.kind, x.kind)) for x in items])


# ---- audit log -------------------------------------------------------------------------------------


@registry_group.group("audit")
def audit_group() -> None:
    """Nhật ký kiểm toán (chuỗi băm). / The hash-chained audit log."""


def _verify_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--timeout", type=float, default=10.0, show_default=True,
                      help="Giới hạn mỗi yêu cầu mạng (giây) / per-request network timeout (s).")(fn)
    fn = click.option("--offline", is_flag=True, help="Không truy cập mạng / no network access.")(fn)
    return click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True),
                        help="Chứng thư gốc tin cậy (PEM/DER) / trust anchors.")(fn)


@audit_group.command("verify")
@click.option("--checkpoint", "checkpoint", type=click.Path(exists=True, path_type=Path),
              help="Điểm mốc có chữ ký (tệp .p7m hoặc thư mục: dùng điểm mốc mới nhất) / signed checkpoint "
              "(a .p7m file, or a directory: the newest one).")
@_verify_options
@json_option
@click.pass_context
def audit_verify(ctx: click.Context, checkpoint: Path | None, trust_files: tuple[str, ...], offline: bool,
                 timeout: float, as_json: bool) -> None:
    """Kiểm tra toàn vẹn nhật ký; chỉ ra bản ghi bị sửa hoặc bị xóa (mã thoát 1).

    Verify the hash chain; name edited or deleted records (exit 1). With --checkpoint,
    also prove that nothing up to a signed checkpoint was changed, deleted or rewritten
    (exit 2 if the checkpoint's signer cannot be established).
    """
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services

    trust = TrustStore.from_paths(trust_files) if trust_files else None
    with _registry(ctx) as reg:
        report = reg.verify_audit(checkpoint, trust=trust, services=Services(online=not offline, timeout=timeout))
    if as_json:
        _echo_json([report.to_dict()])
    else:
        out = console()
        out.print(("[green]✓[/] " if report.ok else "[bold red]✗[/] ") + esc(report.summary().get()), markup=True)
        for p in report.problems:
            out.print(f"  - {p.message.get()}", highlight=False, markup=False)
        if report.more_problems:
            out.print(t(f"  … và {report.more_problems} vấn đề khác", f"  … and {report.more_problems} more"))
        _print_checkpoint(report)
    if not report.ok:
        raise SystemExit(EXIT_INVALID)
    raise SystemExit(EXIT_INDETERMINATE if report.checkpoint_indeterminate else EXIT_OK)


def _print_checkpoint(report: Any) -> None:
    cp = report.checkpoint
    if cp is None:
        return
    out = console()
    out.print(
        t(f"  Điểm mốc: bản ghi #{cp['seq']} ({cp['created_at']}), ký bởi {cp['signer']}: {cp['signature']}",
          f"  Checkpoint: record #{cp['seq']} ({cp['created_at']}), signed by {cp['signer']}: {cp['signature']}"),
        markup=False, highlight=False,
    )
    if report.checkpoint_indeterminate:
        console(stderr=True).print(
            "[yellow]! " + esc(t(
                "Chưa xác định được người ký điểm mốc (thiếu --trust hoặc dữ liệu thu hồi); so sánh vẫn được thực hiện.",
                "The checkpoint's signer could not be established (missing --trust or revocation data); "
                "the comparison was still made.",
            )) + "[/]"
        )


@audit_group.command("checkpoint")
@click.option("--key", "key_ref", required=True, help="Khóa ký (con dấu cơ quan): .p12, PEM hoặc pkcs11:… / signing key.")
@click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False), help="Chứng thư (khi --key là PEM) / certificate for a PEM key.")
@click.option("--passphrase-env", metavar="VAR", help="Mật khẩu tệp khóa từ biến môi trường / passphrase from env var.")
@click.option("--pin-env", metavar="VAR", help="PIN của token từ biến môi trường / token PIN from env var.")
@click.option("--pkcs11-module", metavar="PATH", envvar="VBSIGN_PKCS11_MODULE", help="Mô-đun PKCS#11 / PKCS#11 module.")
@click.option("--tsa", metavar="URL", help="Máy chủ dấu thời gian: điểm mốc được gắn dấu thời gian (B-LT) / timestamp server (B-LT).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Tệp điểm mốc (.p7m) / checkpoint file.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              envvar="VBSIGN_AUDIT_CHECKPOINT_DIR", help="Kho chứng cứ: một tệp mỗi điểm mốc / evidence store directory.")
@click.option("--no-revocation-check", is_flag=True, help="KHÔNG kiểm tra thu hồi trước khi ký (nguy hiểm) / skip the revocation check.")
@_verify_options
@click.pass_context
def audit_checkpoint(ctx: click.Context, key_ref: str, cert_file: str | None, passphrase_env: str | None,
                     pin_env: str | None, pkcs11_module: str | None, tsa: str | None, out: Path | None,
                     directory: Path | None, no_revocation_check: bool, trust_files: tuple[str, ...],
                     offline: bool, timeout: float) -> None:
    """Ký điểm mốc (số thứ tự + mã băm đầu chuỗi) và lưu ngoài cơ sở dữ liệu.

    Sign a checkpoint of the audit chain (sequence number + head hash) and store it
    outside the database (--out FILE or --dir DIR). Run it on a schedule (cron, a systemd
    timer); the chain is verified first and a tampered log is never anchored.
    """
    import vbsign.api as api
    from vbsign.cli._common import secret_from_env
    from vbsign.pki.validation import Services

    if (out is None) == (directory is None):
        fail(Msg("Cần đúng một trong --out TỆP hoặc --dir THƯ_MỤC.", "Give exactly one of --out FILE or --dir DIR."))
    options: dict[str, object] = {}
    if cert_file:
        options["cert"] = cert_file
    if key_ref.lower().startswith("pkcs11:"):
        from vbsign.cli.sign_batch import token_key_options

        options.update(token_key_options(pin_env, pkcs11_module))
    passphrase = secret_from_env(passphrase_env, Msg("mật khẩu khóa", "key passphrase"))
    signer = api.Signer(
        key_ref, passphrase=passphrase or None, trust=list(trust_files) or None, tsa=tsa,
        level="B-LT" if tsa else "B-B", services=Services(online=not offline, timeout=timeout),
        check_revocation=not no_revocation_check, key_options=options,
    )
    with signer, _registry(ctx) as reg:
        cp, path = reg.make_checkpoint(signer, out=out, directory=directory)
    console().print(
        "[green]✓[/] " + esc(t(f"Đã ký điểm mốc nhật ký: bản ghi #{cp.seq}, băm {cp.hash[:16]}… → {path}",
                                f"Audit checkpoint signed: record #{cp.seq}, hash {cp.hash[:16]}… → {path}")),
    )
    raise SystemExit(EXIT_OK)


@audit_group.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
@click.pass_context
def audit_list(ctx: click.Context, limit: int, as_json: bool) -> None:
    """Các sự kiện gần nhất. / The latest events."""
    with _registry(ctx) as reg:
        events = reg.audit_events(limit=limit)
    if as_json:
        _echo_json(events)
        return
    _table(t("Nhật ký", "Audit log"),
           ["#", t("Thời điểm", "Time"), t("Loại", "Kind"), t("Văn bản", "Document"), t("Kết quả", "Verdict"),
            t("Người ký", "Signers")],
           [(e["seq"], e["time"][:19], e["kind"], e["document_id"] or e["document_name"] or e["document_sha256"][:16],
             e["verdict"], ", ".join(e["signers"])) for e in events])


@audit_group.command("rebuild")
@click.pass_context
def audit_rebuild(ctx: click.Context) -> None:
    """Tính lại các bảng tổng hợp từ nhật ký. / Recompute the report summaries from the log."""
    with _registry(ctx) as reg:
        n = reg.rebuild_summaries()
    console().print(t(f"Đã tính lại từ {n} sự kiện.", f"Recomputed from {n} events."), markup=False)


# ---- reports ---------------------------------------------------------------------------------------


@registry_group.group("report")
def report_group() -> None:
    """Báo cáo sử dụng, báo cáo tổng kết năm. / Usage and year-end reports."""


def _report_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--out", type=click.Path(path_type=Path), help="Tệp kết quả / output file.")(fn)
    fn = click.option("--format", "fmt", type=click.Choice(["pdf", "html", "json", "csv"]), default="pdf",
                      show_default=True)(fn)
    return click.option("--period", required=True, metavar="PERIOD",
                        help="2026, 2026-H1, 2026-Q3, 2026-07 hoặc 2026-01-01..2026-06-30.")(fn)


@report_group.command("usage")
@_report_options
@click.pass_context
def report_usage(ctx: click.Context, period: str, fmt: str, out: Path | None) -> None:
    """Báo cáo tình hình sử dụng chữ ký số theo đơn vị trong kỳ. / Usage report for a period."""
    from vbsign.registry.periods import parse_period
    from vbsign.registry.reports import render_report

    with _registry(ctx) as reg:
        report = reg.usage_report(parse_period(period))
    _write_or_print(render_report(report, fmt, lang=current_lang()), out, fmt)


@report_group.command("year-end")
@_report_options
@click.pass_context
def report_year_end(ctx: click.Context, period: str, fmt: str, out: Path | None) -> None:
    """Báo cáo đánh giá tổng kết năm (có biểu đồ). / Year-end evaluation report (with charts)."""
    from vbsign.registry.periods import parse_period
    from vbsign.registry.reports import render_report

    p = parse_period(period)
    with _registry(ctx) as reg:
        report = reg.usage_report(p, kind="year-end")
    _write_or_print(render_report(report, fmt, lang=current_lang()), out, fmt)
