"""``vbsign sign``: sign a document."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..i18n import Msg
from ._common import EXIT_OK, console, fail, parse_box, secret_from_env, t


@click.command("sign")
@click.argument("input_file", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Tệp đầu ra / output file.")
@click.option("--key", "key_ref", required=True, help="Khóa ký: tệp .p12/.pfx, PEM hoặc URI pkcs11:… / key reference.")
@click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False), help="Chứng thư (khi --key là PEM) / certificate for a PEM key.")
@click.option("--chain", "chain_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Chứng thư trung gian / intermediates.")
@click.option("--passphrase-env", metavar="VAR", help="Lấy mật khẩu tệp khóa từ biến môi trường / passphrase from env var.")
@click.option(
    "--level",
    type=click.Choice(["b-b", "b-t", "b-lt", "b-lta"], case_sensitive=False),
    default="b-lt",
    show_default=True,
    help="Mức PAdES / PAdES level.",
)
@click.option("--tsa", metavar="URL", help="Máy chủ dấu thời gian / timestamp server URL.")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True), help="Chứng thư gốc tin cậy (PEM/DER) / trust anchors.")
@click.option("--field", help="Tên trường chữ ký (có sẵn hoặc mới) / signature field name.")
@click.option("--page", type=int, default=1, show_default=True, help="Trang (1 = đầu, -1 = cuối) / page.")
@click.option("--box", help="Vùng hiển thị x1,y1,x2,y2 (điểm PDF) / visible box.")
@click.option("--reason", help="Lý do ký / reason.")
@click.option("--location", help="Địa điểm ký / location.")
@click.option("--certify", type=click.IntRange(1, 3), help="Chữ ký chứng nhận DocMDP mức 1–3 / certification level.")
@click.option("--pss", is_flag=True, help="RSASSA-PSS thay cho PKCS#1 v1.5 / use RSASSA-PSS.")
@click.option("--offline", is_flag=True, help="Không truy cập mạng / no network access.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn thời gian mỗi yêu cầu mạng (giây).")
@click.option(
    "--no-revocation-check",
    is_flag=True,
    help="KHÔNG kiểm tra thu hồi trước khi ký (nguy hiểm) / skip the revocation check (dangerous).",
)
def sign_cmd(
    input_file: Path,
    output: Path | None,
    key_ref: str,
    cert_file: str | None,
    chain_files: tuple[str, ...],
    passphrase_env: str | None,
    level: str,
    tsa: str | None,
    trust_files: tuple[str, ...],
    field: str | None,
    page: int,
    box: str | None,
    reason: str | None,
    location: str | None,
    certify: int | None,
    pss: bool,
    offline: bool,
    timeout: float,
    no_revocation_check: bool,
) -> None:
    """Ký số tệp IN, ghi kết quả ra -o OUT. / Sign IN and write the result to -o OUT."""
    from .. import api
    from ..validation import Services

    if output is None:
        output = input_file.with_name(input_file.stem + ".signed" + input_file.suffix)
    passphrase = secret_from_env(passphrase_env, Msg("mật khẩu khóa", "key passphrase"))
    if passphrase is None and key_ref.lower().endswith((".p12", ".pfx")) and sys.stdin.isatty():
        passphrase = click.prompt(t("Mật khẩu tệp khóa", "Key file passphrase"), hide_input=True, default="", show_default=False)
    if no_revocation_check:
        console(stderr=True).print(
            "[bold yellow]"
            + t(
                "CẢNH BÁO: bỏ qua kiểm tra thu hồi chứng thư số trước khi ký!",
                "WARNING: the certificate revocation check before signing is disabled!",
            )
            + "[/]"
        )
    if page == 0:
        fail(Msg("--page bắt đầu từ 1 (hoặc -1 cho trang cuối).", "--page starts at 1 (or -1 for the last page)."))
    key_options: dict[str, object] = {}
    if cert_file:
        key_options["cert"] = cert_file
    if chain_files:
        key_options["chain"] = list(chain_files)
    signer = api.Signer(
        key_ref,
        passphrase=passphrase or None,
        trust=list(trust_files) if trust_files else None,
        tsa=tsa,
        level=level,
        services=Services(online=not offline, timeout=timeout),
        check_revocation=not no_revocation_check,
        prefer_pss=pss,
        key_options=key_options,
    )
    with signer:
        result = signer.sign(
            input_file,
            output,
            field=field,
            page=page - 1 if page > 0 else page,
            box=parse_box(box),
            reason=reason,
            location=location,
            certify=certify,
        )
    out = console()
    for w in result.warnings:
        out.print(f"[yellow]! {w.get()}[/]")
    from ..validation import format_vn_time

    out.print(
        "[green]✓[/] "
        + t("Ký số thành công", "Signed successfully")
        + f": {os.fspath(result.output)} (PAdES {result.level})"
    )
    out.print(f"  {t('Người ký', 'Signer')}: {result.signer.common_name or result.signer.subject}")
    out.print(f"  {t('Thời điểm ký', 'Signing time')}: {format_vn_time(result.timestamp_time or result.signing_time)}")
    raise SystemExit(EXIT_OK)
