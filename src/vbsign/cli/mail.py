"""``vbsign mail``: sign, verify, encrypt and decrypt e-mail messages (S/MIME, ``.eml``)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vbsign._core.errors import VbsignError
from vbsign._core.i18n import Msg, current_lang
from vbsign.cli._common import EXIT_OK, BilingualGroup, console, esc, fail, secret_from_env, t
from vbsign.cli.verify import aggregate_exit


@click.group("mail", cls=BilingualGroup)
def mail_group() -> None:
    """Thư điện tử ký số và mã hóa (S/MIME). / Signed and encrypted e-mail (S/MIME)."""


def _key_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The key options shared by ``sign``, ``decrypt`` and ``verify`` (decryption key)."""
    for opt in reversed([
        click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False), help="Chứng thư (khi --key là PEM) / certificate for a PEM key."),
        click.option("--chain", "chain_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Chứng thư trung gian / intermediates."),
        click.option("--passphrase-env", metavar="VAR", help="Mật khẩu tệp khóa từ biến môi trường / key passphrase from env var."),
        click.option("--pin-env", metavar="VAR", help="PIN của token (pkcs11:) từ biến môi trường / token PIN from env var."),
        click.option("--pkcs11-module", metavar="PATH", envvar="VBSIGN_PKCS11_MODULE", help="Mô-đun PKCS#11 / PKCS#11 module."),
    ]):  # fmt: skip
        fn = opt(fn)
    return fn


def _network_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed([
        click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True), help="Chứng thư gốc tin cậy (PEM/DER) / trust anchors."),
        click.option("--policy", help="Chính sách (tt41, cdcv, public, tệp .toml) quyết định mức của quy tắc MAIL-01/02 / policy for rules MAIL-01/02."),
        click.option("--offline", is_flag=True, help="Không truy cập mạng / no network access."),
        click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn mỗi yêu cầu mạng (giây) / per-request network timeout (s)."),
    ]):  # fmt: skip
        fn = opt(fn)
    return fn


def _key_settings(key_ref: str, cert_file: str | None, chain_files: tuple[str, ...], passphrase_env: str | None,
                  pin_env: str | None, pkcs11_module: str | None) -> tuple[Any, dict[str, Any]]:  # fmt: skip
    """``(passphrase, key_options)`` for ``key_ref``; prompts only on a terminal."""
    options: dict[str, Any] = {}
    if cert_file:
        options["cert"] = cert_file
    if chain_files:
        options["chain"] = list(chain_files)
    if key_ref.lower().startswith("pkcs11:"):
        from vbsign.cli.sign_batch import token_key_options

        options.update(token_key_options(pin_env, pkcs11_module))
    passphrase = secret_from_env(passphrase_env, Msg("mật khẩu khóa", "key passphrase"))
    if passphrase is None and key_ref.lower().endswith((".p12", ".pfx")) and sys.stdin.isatty():
        passphrase = click.prompt(t("Mật khẩu tệp khóa", "Key file passphrase"), hide_input=True, default="", show_default=False)
    return passphrase or None, options


def _services(offline: bool, timeout: float) -> Any:
    from vbsign.pki.validation import Services

    return Services(online=not offline, timeout=timeout)


def _trust(trust_files: tuple[str, ...]) -> Any:
    from vbsign.pki.trust import TrustStore

    return TrustStore.from_paths(trust_files) if trust_files else None


def _default_output(source: Path, suffix: str) -> Path:
    return source.with_name(f"{source.stem}.{suffix}{source.suffix or '.eml'}")


def _warnings(warnings: list[Msg]) -> None:
    out = console()
    for w in warnings:
        out.print(f"[yellow]! {esc(w.get())}[/]")


@mail_group.command("sign")
@click.argument("input_file", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Thư đã ký (mặc định IN.signed.eml) / signed message.")
@click.option("--key", "key_ref", required=True, help="Khóa ký: .p12/.pfx, PEM hoặc pkcs11:… / key reference.")
@_key_options
@_network_options
@click.option("--tsa", metavar="URL", help="Máy chủ dấu thời gian (CAdES B-T) / timestamp server.")
@click.option("--opaque", is_flag=True, help="Ký dạng đóng gói application/pkcs7-mime (mặc định multipart/signed) / opaque signed-data.")
@click.option("--no-header-protection", is_flag=True, help="Không chép From/To/Subject… vào phần được ký (RFC 9788) / do not protect header fields.")
@click.option("--pss", is_flag=True, help="RSASSA-PSS thay cho PKCS#1 v1.5 / use RSASSA-PSS.")
@click.option("--no-revocation-check", is_flag=True, help="KHÔNG kiểm tra thu hồi trước khi ký (nguy hiểm) / skip the revocation check (dangerous).")
def sign_cmd(input_file: Path, output: Path | None, key_ref: str, cert_file: str | None, chain_files: tuple[str, ...],
             passphrase_env: str | None, pin_env: str | None, pkcs11_module: str | None, trust_files: tuple[str, ...],
             policy: str | None, offline: bool, timeout: float, tsa: str | None, opaque: bool, no_header_protection: bool,
             pss: bool, no_revocation_check: bool) -> None:  # fmt: skip
    """Ký số thư IN (.eml) theo S/MIME, ghi ra -o OUT. / Sign the message IN (.eml) with S/MIME into -o OUT."""
    import vbsign.api as api
    from vbsign._core.timefmt import format_vn_time
    from vbsign.api.mail import sign_message

    passphrase, key_options = _key_settings(key_ref, cert_file, chain_files, passphrase_env, pin_env, pkcs11_module)
    if no_revocation_check:
        console(stderr=True).print("[bold yellow]" + t(
            "CẢNH BÁO: bỏ qua kiểm tra thu hồi chứng thư số trước khi ký!",
            "WARNING: the certificate revocation check before signing is disabled!",
        ) + "[/]")  # fmt: skip
    output = output or _default_output(input_file, "signed")
    with api.Signer(
        key_ref, passphrase=passphrase, trust=_trust(trust_files), tsa=tsa, level="B-T" if tsa else "B-B",
        services=_services(offline, timeout), check_revocation=not no_revocation_check, prefer_pss=pss,
        key_options=key_options,
    ) as signer:  # fmt: skip
        result = sign_message(input_file, output, signer=signer, opaque=opaque, protect_headers=not no_header_protection, policy=policy)
    _warnings(result.warnings)
    out = console()
    kind = "application/pkcs7-mime (signed-data)" if result.opaque else "multipart/signed"
    out.print("[green]✓[/] " + t("Đã ký thư", "Message signed") + esc(f": {os.fspath(result.output or output)} (S/MIME {kind}, {result.level})"))
    out.print(f"  {t('Người ký', 'Signer')}: {result.signer.common_name or result.signer.subject}", markup=False)
    out.print(f"  {t('Thời điểm ký', 'Signing time')}: {format_vn_time(result.timestamp_time or result.signing_time)}")
    if result.reencoded_parts:
        out.print("  " + t("Đã mã hóa lại 7 bit các phần", "Re-encoded to 7 bits, parts") + f": {', '.join(result.reencoded_parts)}")
    raise SystemExit(EXIT_OK)


@mail_group.command("verify")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_network_options
@click.option("--at", type=click.Choice(["signing", "now"]), default="signing", show_default=True, help="Thời điểm kiểm tra hiệu lực chứng thư / validation time.")
@click.option("--json", "as_json", is_flag=True, help="In báo cáo JSON (mảng) / print JSON reports (array).")
@click.option("--key", "key_ref", help="Khóa của người nhận để giải mã thư được mã hóa / recipient key to decrypt.")
@_key_options
@click.option("--allow-unsigned-parts", is_flag=True, help="Phần thư ngoài chữ ký chỉ là cảnh báo (mặc định: chưa xác định) / parts outside the signature only warn.")
@click.option("--extract", type=click.Path(dir_okay=False, path_type=Path), help="Ghi thư đã được kiểm tra (phần đã ký, đã giải mã) / write the verified message.")
def verify_cmd(files: tuple[Path, ...], trust_files: tuple[str, ...], policy: str | None, offline: bool, timeout: float,
               at: str, as_json: bool, key_ref: str | None, cert_file: str | None, chain_files: tuple[str, ...],
               passphrase_env: str | None, pin_env: str | None, pkcs11_module: str | None, allow_unsigned_parts: bool,
               extract: Path | None) -> None:  # fmt: skip
    """Kiểm tra chữ ký S/MIME của các thư FILES. / Verify the S/MIME signatures of FILES."""
    import vbsign._core.files as _io
    from vbsign.api import open_key
    from vbsign.api.mail import verify_message
    from vbsign.model.render import render_text

    if extract is not None and len(files) != 1:
        fail(Msg("--extract chỉ dùng với một thư.", "--extract takes a single message."))
    if extract is not None:
        from vbsign.api.mail import refuse_overwrite

        refuse_overwrite(files[0], extract)
    key = None
    if key_ref:
        passphrase, key_options = _key_settings(key_ref, cert_file, chain_files, passphrase_env, pin_env, pkcs11_module)
        key = open_key(key_ref, passphrase=passphrase, **key_options)
    codes: list[int] = []
    reports: list[Any] = []
    out, err = console(), console(stderr=True)
    try:
        for f in files:
            try:
                checked = verify_message(
                    f, trust=_trust(trust_files), at=at, services=_services(offline, timeout), policy=policy,
                    decrypt_key=key, require_full_coverage=not allow_unsigned_parts,
                )  # fmt: skip
            except VbsignError as e:
                codes.append(e.exit_code)
                if as_json:
                    reports.append({"document": {"name": str(f)}, "error": e.to_dict()})
                else:
                    err.print(f"[bold red]✗[/] {esc(f)}: {esc(e.message(current_lang()))}")
                continue
            rep = checked.report
            codes.append(rep.exit_code)
            if extract is not None and checked.content is not None:
                _io.atomic_write(extract, checked.content)
            if as_json:
                reports.append(rep.to_dict())
                continue
            colour = {0: "green", 1: "red", 2: "yellow"}[rep.exit_code]
            first, _, rest = render_text(rep).partition("\n")
            second, _, rest = rest.partition("\n")
            out.print(first, markup=False)
            out.print(f"[bold {colour}]{esc(second)}[/]")
            out.print(rest, markup=False)
            out.print()
    finally:
        if key is not None:
            key.close()
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
    raise SystemExit(aggregate_exit(codes))


@mail_group.command("encrypt")
@click.argument("input_file", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Thư đã mã hóa (mặc định IN.encrypted.eml) / encrypted message.")
@click.option("--to-cert", "to_certs", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Chứng thư người nhận (nhiều lần) / recipient certificate (repeatable).")
@click.option("--registry", "use_registry", is_flag=True, help="Tìm chứng thư người nhận trong sổ chứng thư đã cấu hình (VBSIGN_REGISTRY_URL; báo lỗi nếu chưa có) / look recipients up in the configured certificate registry (VBSIGN_REGISTRY_URL; an error without one).")
@click.option("--cipher", type=click.Choice(["aes256-gcm", "aes256-cbc", "aes128-gcm", "aes128-cbc"]), default="aes256-gcm", show_default=True, help="Thuật toán mã hóa nội dung / content cipher.")
@click.option("--chain", "chain_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Chứng thư trung gian để kiểm tra chứng thư người nhận / intermediates for checking recipients.")
@_network_options
@click.option("--no-revocation-check", is_flag=True, help="KHÔNG kiểm tra thu hồi chứng thư người nhận (nguy hiểm) / skip the recipients' revocation check.")
def encrypt_cmd(input_file: Path, output: Path | None, to_certs: tuple[str, ...], use_registry: bool, cipher: str,
                chain_files: tuple[str, ...], trust_files: tuple[str, ...], policy: str | None, offline: bool, timeout: float,
                no_revocation_check: bool) -> None:  # fmt: skip
    """Mã hóa thư IN cho người nhận (S/MIME). / Encrypt the message IN for its recipients (S/MIME)."""
    from vbsign.api.mail import encrypt_message

    output = output or _default_output(input_file, "encrypted")
    if use_registry:
        _require_recipient_directory()
    result = encrypt_message(
        input_file, output, recipients=list(to_certs), trust=_trust(trust_files),
        intermediates=list(chain_files), services=_services(offline, timeout), check_revocation=not no_revocation_check,
        cipher=cipher, policy=policy,
    )  # fmt: skip
    _warnings(result.warnings)
    out = console()
    out.print("[green]✓[/] " + t("Đã mã hóa thư", "Message encrypted") + esc(f": {os.fspath(result.output or output)} ({result.cipher})"))
    for r in result.recipients:
        out.print(f"  {t('Người nhận', 'Recipient')}: {r.common_name or r.subject} {', '.join(r.email_addresses)}", markup=False)
    raise SystemExit(EXIT_OK)


def _require_recipient_directory() -> None:
    """``--registry``: the certificate registry answers recipient look-ups as a plugin
    (``vbsign_mail_recipient_certificates``, the ``vbsign-registry`` entry point) once it is
    configured; without it the option cannot be honoured."""
    from vbsign.plugins.manager import has_implementations

    if not has_implementations("vbsign_mail_recipient_certificates"):
        fail(Msg(
            "--registry cần sổ chứng thư đã cấu hình: đặt VBSIGN_REGISTRY_URL (hoặc VBSIGN_REGISTRY_AUDIT=1 "
            "cho tệp SQLite mặc định) và cài phần bổ sung registry (pip install 'vbsign[registry]').",
            "--registry needs a configured certificate registry: set VBSIGN_REGISTRY_URL (or "
            "VBSIGN_REGISTRY_AUDIT=1 for the default SQLite file) and install the registry extra "
            "(pip install 'vbsign[registry]').",
        ))


@mail_group.command("decrypt")
@click.argument("input_file", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Thư đã giải mã (mặc định IN.decrypted.eml) / decrypted message.")
@click.option("--key", "key_ref", required=True, help="Khóa của người nhận: .p12/.pfx, PEM hoặc pkcs11:… / recipient key.")
@_key_options
def decrypt_cmd(input_file: Path, output: Path | None, key_ref: str, cert_file: str | None, chain_files: tuple[str, ...],
                passphrase_env: str | None, pin_env: str | None, pkcs11_module: str | None) -> None:  # fmt: skip
    """Giải mã thư IN bằng khóa của người nhận. / Decrypt the message IN with the recipient's key."""
    from vbsign.api.mail import decrypt_message

    output = output or _default_output(input_file, "decrypted")
    passphrase, key_options = _key_settings(key_ref, cert_file, chain_files, passphrase_env, pin_env, pkcs11_module)
    result = decrypt_message(input_file, output, key=key_ref, passphrase=passphrase, key_options=key_options)
    _warnings(result.warnings)
    out = console()
    out.print("[green]✓[/] " + t("Đã giải mã thư", "Message decrypted") + esc(f": {os.fspath(result.output or output)} ({result.cipher})"))
    if result.signed:
        out.print("  " + esc(t("Thư bên trong có chữ ký số: kiểm tra bằng 'vbsign mail verify'.",
                                "The decrypted message is signed: check it with 'vbsign mail verify'.")))  # fmt: skip
    raise SystemExit(EXIT_OK)
