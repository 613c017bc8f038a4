"""``vbsign prepare`` / ``vbsign complete``: two-step signing with any external signer.

``prepare IN --cert CERT.pem -o SESSION.json`` writes the session, ``SESSION.json.tbs``
(the bytes to sign) and ``SESSION.json.doc`` (the document to complete: the prepared PDF,
or a copy of the XML / file). Sign the ``.tbs`` like any message, e.g.
``openssl dgst -sha256 -sign key.pem -out SIG.bin SESSION.json.tbs``; then
``complete SESSION.json --signature SIG.bin -o OUT``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from vbsign._core.files import printable
from vbsign._core.i18n import Msg
from vbsign.cli._common import EXIT_OK, console, esc, fail, parse_box, secret_from_env, t

_SECRET_ENV = "VBSIGN_SESSION_SECRET"


def _session_secret() -> str | None:
    return secret_from_env(_SECRET_ENV, Msg("khóa niêm phong phiên ký", "session secret")) if os.environ.get(
        _SECRET_ENV
    ) else None


def _services(offline: bool, timeout: float) -> Any:
    from vbsign.pki.validation import Services

    return Services(online=not offline, timeout=timeout)


@click.command("prepare")
@click.argument("input_file", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Tệp phiên ký SESSION.json (kèm .tbs và .doc) / session file (with .tbs and .doc next to it).")
@click.option("--cert", "cert_file", required=True, type=click.Path(exists=True, dir_okay=False), help="Chứng thư người ký (PEM/DER) / signer certificate.")
@click.option("--chain", "chain_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Chứng thư trung gian / intermediates.")
@click.option("--level", type=click.Choice(["b-b", "b-t", "b-lt", "b-lta"], case_sensitive=False), default="b-lt", show_default=True, help="Mức chữ ký / signature level.")
@click.option("--format", "sig_format", type=click.Choice(["auto", "pdf", "xml", "cades"], case_sensitive=False), default="auto", show_default=True, help="Định dạng chữ ký / signature format.")
@click.option("--packaging", type=click.Choice(["enveloped", "enveloping", "detached"], case_sensitive=False), help="XAdES / CAdES packaging.")
@click.option("--xades-transform", type=click.Choice(["enveloped", "filter2"], case_sensitive=False), help="XAdES enveloped transform.")
@click.option("--claimed-role", help="Chức danh người ký (XAdES) / XAdES claimed role.")
@click.option("--tsa", metavar="URL", help="Máy chủ dấu thời gian (dùng khi hoàn tất) / timestamp server URL (used by complete).")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True), help="Chứng thư gốc tin cậy / trust anchors.")
@click.option("--field", help="Tên trường chữ ký / signature field name.")
@click.option("--page", type=int, default=1, show_default=True, help="Trang (1 = đầu, -1 = cuối) / page.")
@click.option("--box", help="Vùng hiển thị x1,y1,x2,y2 / visible box.")
@click.option("--role", type=click.Choice(["person", "agency", "attachment", "copy"], case_sensitive=False), help="Hình thức chữ ký theo NĐ 30/2020 / Decree 30 signature role.")
@click.option("--image", "image_file", type=click.Path(exists=True, dir_okay=False), help="Ảnh chữ ký hoặc con dấu (PNG) / signature or seal image.")
@click.option("--anchor", help="Đặt chữ ký theo chuỗi ký tự trên trang / place by text anchor.")
@click.option("--doc-number", help="Số, ký hiệu văn bản (--role attachment) / document number.")
@click.option("--copy-form", help="Hình thức sao (--role copy) / copy form.")
@click.option("--appearance-config", type=click.Path(exists=True, dir_okay=False), help="Cấu hình hình thức chữ ký (TOML) / appearance defaults.")
@click.option("--no-signer-text", is_flag=True, help="Không hiện khối chữ dưới ảnh / no text block.")
@click.option("--reason", help="Lý do ký / reason.")
@click.option("--location", help="Địa điểm ký / location.")
@click.option("--certify", type=click.IntRange(1, 3), help="Chữ ký chứng nhận DocMDP / certification level.")
@click.option("--pss", is_flag=True, help="Người ký dùng RSASSA-PSS (salt dài tối đa) / the signer uses RSASSA-PSS (maximum salt length).")
@click.option("--hash", "hash_name", default="sha256", show_default=True, metavar="NAME", help="Hàm băm / hash function.")
@click.option("--valid-for", type=click.IntRange(1, 1440), default=30, show_default=True, help="Thời hạn hoàn tất (phút) / minutes to complete within.")
@click.option("--offline", is_flag=True, help="Không truy cập mạng / no network access.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn mỗi yêu cầu mạng (giây) / per-request timeout (s).")
@click.option("--no-revocation-check", is_flag=True, help="KHÔNG kiểm tra thu hồi (nguy hiểm) / skip the revocation check (dangerous).")
def prepare_cmd(input_file: Path, output: Path, cert_file: str, chain_files: tuple[str, ...], **opts: Any) -> None:
    """Bước 1 của ký hai bước: tạo phiên ký và dữ liệu cần ký. / Step 1 of two-step signing:
    write the session and the bytes to sign."""
    from vbsign._core.files import atomic_write
    from vbsign.api.two_step import prepare
    from vbsign.cli.sign import _appearance, _detect, _refuse_inapplicable

    fmt = _detect(input_file, opts["sig_format"])
    _refuse_inapplicable(fmt, opts["xades_transform"], opts["role"], opts["image_file"], opts["anchor"],
                         opts["certify"], opts["box"], opts["field"])  # fmt: skip
    page = opts["page"]
    if page == 0:
        fail(Msg("--page bắt đầu từ 1 (hoặc -1 cho trang cuối).", "--page starts at 1 (or -1 for the last page)."))
    page_index = page - 1 if page > 0 else page
    page_given = click.get_current_context().get_parameter_source("page") is not click.core.ParameterSource.DEFAULT
    box = parse_box(opts["box"])
    appearance = None if fmt != "pdf" else _appearance(
        input_file, opts["role"], opts["image_file"], opts["anchor"], opts["doc_number"], opts["copy_form"],
        opts["appearance_config"], opts["no_signer_text"], page=page_index, page_given=page_given, box=box,
        field=opts["field"],
    )  # fmt: skip
    prepared = prepare(
        input_file, certificate=cert_file, chain=list(chain_files), trust=list(opts["trust_files"]) or None,
        tsa=opts["tsa"], level=opts["level"], services=_services(opts["offline"], opts["timeout"]),
        check_revocation=not opts["no_revocation_check"], md_algorithm=opts["hash_name"], prefer_pss=opts["pss"],
        format=fmt, field=opts["field"], page=page_index, box=box, appearance=appearance, reason=opts["reason"],
        location=opts["location"], certify=opts["certify"], packaging=opts["packaging"],
        signer_role=opts["claimed_role"], xades_transform=opts["xades_transform"],
        valid_for=timedelta(minutes=opts["valid_for"]),
    )  # fmt: skip
    atomic_write(f"{output}.doc", prepared.document)
    atomic_write(f"{output}.tbs", prepared.tbs)
    atomic_write(output, prepared.session_json(_session_secret()).encode("utf-8"))
    out = console()
    for w in prepared.warnings:
        out.print(f"[yellow]! {esc(w.get())}[/]")
    s = prepared.session
    out.print("[green]✓[/] " + t("Đã chuẩn bị phiên ký", "Signing session prepared") + esc(f": {printable(os.fspath(output))}"))
    out.print(f"  {t('Dữ liệu cần ký', 'Bytes to sign')}: {printable(f'{output}.tbs')} (SHA-256 {s.tbs_sha256})", markup=False)
    out.print(f"  {t('Thuật toán', 'Algorithm')}: {s.algorithm_name} ({s.md_algorithm})", markup=False)
    out.print(f"  {t('Hạn hoàn tất', 'Complete before')}: {s.expires.isoformat(timespec='seconds')}", markup=False)
    raise SystemExit(EXIT_OK)


@click.command("complete")
@click.argument("session_file", metavar="SESSION.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signature", "signature_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Giá trị chữ ký (nhị phân) / raw signature value (binary).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Tệp đã ký / signed output.")
@click.option("--document", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Tài liệu đã chuẩn bị (mặc định SESSION.json.doc) / prepared document.")
@click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False), help="Chứng thư người ký (đối chiếu) / signer certificate (cross-check).")
@click.option("--tsa", metavar="URL", help="Máy chủ dấu thời gian (mặc định: như khi chuẩn bị) / timestamp server URL (default: the one given to prepare).")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True), help="Chứng thư gốc tin cậy / trust anchors.")
@click.option("--offline", is_flag=True, help="Không truy cập mạng / no network access.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn mỗi yêu cầu mạng (giây) / per-request timeout (s).")
@click.option("--no-revocation-check", is_flag=True, help="KHÔNG kiểm tra thu hồi (nguy hiểm) / skip the revocation check (dangerous).")
def complete_cmd(session_file: Path, signature_file: Path, output: Path | None, document: Path | None, **opts: Any) -> None:
    """Bước 2: kiểm tra chữ ký, nhúng vào tài liệu. / Step 2: verify the signature value and embed it."""
    import vbsign.formats.dispatch as dispatch
    from vbsign.api.two_step import complete, load_session
    from vbsign.cli.sign import _print_result

    secret = _session_secret()
    session = load_session(session_file, secret.encode("utf-8") if secret else None)
    doc = document or Path(f"{session_file}.doc")
    if not doc.is_file():
        fail(Msg("Không thấy tài liệu đã chuẩn bị {d} (dùng --document).", "Prepared document {d} not found (use --document).").format(d=doc))
    if output is None:
        fmt = session.format
        output = dispatch.default_output(session_file.with_name(session.document_name), fmt,  # type: ignore[arg-type]
                                         packaging=session.details.get("packaging"))  # fmt: skip
    result = complete(
        session, signature_file.read_bytes(), document=doc, output=output, certificate=opts["cert_file"],
        trust=list(opts["trust_files"]) or None, tsa=opts["tsa"], services=_services(opts["offline"], opts["timeout"]),
        check_revocation=not opts["no_revocation_check"],
    )  # fmt: skip
    _print_result(result, output)
