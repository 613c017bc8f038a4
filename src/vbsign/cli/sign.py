"""``vbsign sign``: sign a document."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from vbsign._core.files import printable
from vbsign._core.i18n import Msg
from vbsign.cli._common import EXIT_OK, console, esc, fail, parse_box, secret_from_env, t


@click.command("sign")
@click.argument("input_file", metavar="IN", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Tệp đầu ra (thư mục khi --batch) / output file (directory with --batch).")
@click.option("--key", "key_ref", required=True, help="Khóa ký: tệp .p12/.pfx, PEM hoặc URI pkcs11:… / key reference.")
@click.option("--cert", "cert_file", type=click.Path(exists=True, dir_okay=False), help="Chứng thư (khi --key là PEM) / certificate for a PEM key.")
@click.option("--chain", "chain_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Chứng thư trung gian / intermediates.")
@click.option("--passphrase-env", metavar="VAR", help="Lấy mật khẩu tệp khóa từ biến môi trường / passphrase from env var.")
@click.option("--pin-env", metavar="VAR", help="Lấy PIN của token (pkcs11:) hoặc khóa ký từ xa (csc:) từ biến môi trường / token or remote-key PIN from env var.")
@click.option("--csc-url", metavar="URL", envvar="VBSIGN_CSC_URL", help="Dịch vụ ký từ xa CSC API v2 (khóa csc:ID; token trong VBSIGN_CSC_TOKEN) / CSC API v2 remote signing service for csc:ID keys (token in VBSIGN_CSC_TOKEN; env VBSIGN_CSC_URL).")
@click.option("--pkcs11-module", metavar="PATH", envvar="VBSIGN_PKCS11_MODULE", help="Mô-đun PKCS#11 (trình điều khiển token) / PKCS#11 module (env VBSIGN_PKCS11_MODULE).")
@click.option("--batch", is_flag=True, help="IN là thư mục: ký mọi tệp PDF, ghi vào thư mục -o, một lần đăng nhập / sign every PDF in directory IN into directory -o.")
@click.option("--overwrite", is_flag=True, help="(--batch) ghi đè tệp đầu ra đã có / replace existing outputs.")
@click.option("--follow-links", is_flag=True, help="(--batch) ký cả tệp mà liên kết trỏ ra ngoài thư mục IN (mặc định: bỏ qua) / also sign files that links point to outside IN (default: skipped).")
@click.option("--jobs", type=click.IntRange(0, 64), default=0, show_default=True, help="(--batch) số tiến trình ký song song, 0 = mỗi lõi CPU một tiến trình (thiết bị ký: số tệp chuẩn bị song song) / worker processes, 0 = one per CPU core (token keys: documents prepared in parallel).")
@click.option(
    "--level",
    type=click.Choice(["b-b", "b-t", "b-lt", "b-lta"], case_sensitive=False),
    default="b-lt",
    show_default=True,
    help="Mức chữ ký (PAdES; XAdES/CAdES: b-b, b-t, b-lt) / signature level.",
)
@click.option(
    "--format",
    "sig_format",
    type=click.Choice(["auto", "pdf", "xml", "edxml", "cades"], case_sensitive=False),
    default="auto",
    show_default=True,
    help="Định dạng chữ ký: PDF→PAdES, XML→XAdES, phong bì edXML, tệp khác→CAdES / signature format.",
)
@click.option(
    "--packaging",
    type=click.Choice(["enveloped", "enveloping", "detached"], case_sensitive=False),
    help="XAdES: enveloped (mặc định), enveloping, detached; CAdES: detached .p7s (mặc định), enveloping .p7m.",
)
@click.option(
    "--xades-transform",
    type=click.Choice(["enveloped", "filter2"], case_sensitive=False),
    help="XAdES enveloped: enveloped (mặc định, mọi bộ kiểm tra đọc được) hoặc filter2 (XPath Filter 2.0: "
    "người ký sau không làm hỏng chữ ký này) / enveloped-signature transform (default) or XPath Filter 2.0.",
)
@click.option("--claimed-role", help="Chức danh người ký ghi trong chữ ký XAdES (SignerRole) / XAdES claimed role.")
@click.option("--tsa", metavar="URL", help="Máy chủ dấu thời gian / timestamp server URL.")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True), help="Chứng thư gốc tin cậy (PEM/DER) / trust anchors.")
@click.option("--field", help="Tên trường chữ ký (có sẵn hoặc mới) / signature field name.")
@click.option("--page", type=int, default=1, show_default=True, help="Trang (1 = đầu, -1 = cuối) / page.")
@click.option("--box", help="Vùng hiển thị x1,y1,x2,y2 (điểm PDF) / visible box.")
@click.option(
    "--role",
    type=click.Choice(["person", "agency", "attachment", "copy"], case_sensitive=False),
    help="Hình thức chữ ký theo NĐ 30/2020: person (người có thẩm quyền), agency (dấu cơ quan), "
    "attachment (văn bản kèm theo), copy (bản sao) / visible signature role.",
)
@click.option("--image", "image_file", type=click.Path(exists=True, dir_okay=False), help="Ảnh chữ ký (xanh) hoặc con dấu (đỏ), PNG nền trong suốt / signature or seal PNG.")
@click.option("--anchor", help="Đặt chữ ký theo chuỗi ký tự trên trang (vd. tên người ký) / place by text anchor.")
@click.option("--doc-number", help="Số và ký hiệu văn bản (--role attachment), vd. \"123/QĐ-BKHCN\" / document number.")
@click.option("--copy-form", help="Hình thức sao (--role copy): SAO Y, SAO LỤC, TRÍCH SAO / copy form.")
@click.option("--appearance-config", "appearance_config", type=click.Path(exists=True, dir_okay=False), help="Tệp cấu hình hình thức chữ ký của cơ quan (TOML) / per-agency appearance defaults.")
@click.option("--no-signer-text", is_flag=True, help="Không hiện khối chữ dưới ảnh chữ ký (--role person) / no text block.")
@click.option("--reason", help="Lý do ký / reason.")
@click.option("--location", help="Địa điểm ký / location.")
@click.option("--certify", type=click.IntRange(1, 3), help="Chữ ký chứng nhận DocMDP mức 1–3 / certification level.")
@click.option("--pss", is_flag=True, help="RSASSA-PSS thay cho PKCS#1 v1.5 / use RSASSA-PSS.")
@click.option(
    "--hash",
    "hash_name",
    default="sha256",
    show_default=True,
    metavar="NAME",
    help="Hàm băm: sha256, sha384, sha512, sha3-256… (SHA-1, MD5 bị từ chối; TT 15/2025) / hash function (SHA-1, MD5 refused).",
)
@click.option("--offline", is_flag=True, help="Không truy cập mạng / no network access.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn thời gian mỗi yêu cầu mạng (giây) / per-request network timeout (s).")
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
    pin_env: str | None,
    csc_url: str | None,
    pkcs11_module: str | None,
    batch: bool,
    overwrite: bool,
    follow_links: bool,
    jobs: int,
    level: str,
    sig_format: str,
    packaging: str | None,
    xades_transform: str | None,
    claimed_role: str | None,
    tsa: str | None,
    trust_files: tuple[str, ...],
    field: str | None,
    page: int,
    box: str | None,
    role: str | None,
    image_file: str | None,
    anchor: str | None,
    doc_number: str | None,
    copy_form: str | None,
    appearance_config: str | None,
    no_signer_text: bool,
    reason: str | None,
    location: str | None,
    certify: int | None,
    pss: bool,
    hash_name: str,
    offline: bool,
    timeout: float,
    no_revocation_check: bool,
) -> None:
    """Ký số tệp IN, ghi kết quả ra -o OUT. / Sign IN and write the result to -o OUT."""
    import vbsign.api as api
    import vbsign.formats.dispatch as dispatch
    from vbsign.pki.validation import Services

    if batch and output is None:
        fail(Msg("--batch cần thư mục đầu ra -o THƯ_MỤC.", "--batch needs an output directory: -o DIR."))
    fmt: Any = "pdf" if batch else _detect(input_file, sig_format)
    _refuse_inapplicable(fmt, xades_transform, role, image_file, anchor, certify, box, field)
    if output is None:
        output = dispatch.default_output(input_file, fmt, packaging=packaging)
    passphrase = _passphrase(passphrase_env, key_ref, no_revocation_check)
    if page == 0:
        fail(Msg("--page bắt đầu từ 1 (hoặc -1 cho trang cuối).", "--page starts at 1 (or -1 for the last page)."))
    page_index = page - 1 if page > 0 else page
    page_given = click.get_current_context().get_parameter_source("page") is not click.core.ParameterSource.DEFAULT
    appearance = None if fmt != "pdf" else _appearance(
        input_file, role, image_file, anchor, doc_number, copy_form, appearance_config, no_signer_text,
        page=page_index, page_given=page_given, box=parse_box(box), field=field,
    )  # fmt: skip
    signer = api.Signer(
        key_ref, passphrase=passphrase or None, trust=list(trust_files) if trust_files else None, tsa=tsa,
        level=level, services=Services(online=not offline, timeout=timeout), check_revocation=not no_revocation_check,
        md_algorithm=hash_name, prefer_pss=pss,
        key_options=_key_options(key_ref, cert_file, chain_files, pin_env, pkcs11_module, csc_url, timeout),
    )  # fmt: skip
    per_document: dict[str, Any] = dict(
        field=field, page=page_index, box=parse_box(box), reason=reason, location=location, certify=certify,
        appearance=appearance,
    )  # fmt: skip
    if batch:
        _run_batch(signer, input_file, output, overwrite=overwrite, jobs=jobs, follow_links=follow_links,
                   sign_options=per_document)  # fmt: skip
    if fmt != "pdf":
        per_document.update(format=fmt, packaging=packaging, signer_role=claimed_role,
                            xades_transform=xades_transform.lower() if xades_transform else None)  # fmt: skip
    with signer:
        result = signer.sign(input_file, output, **per_document)
    _print_result(result, output)


def _run_batch(signer: Any, input_dir: Path, output: Path, **options: Any) -> None:
    """``--batch``: every PDF of the directory (:func:`vbsign.cli.sign_batch.run_batch` exits)."""
    from vbsign.cli.sign_batch import run_batch

    with signer:
        run_batch(signer, input_dir, output, **options)


def _refuse_inapplicable(fmt: str, xades_transform: str | None, *pdf_only: object) -> None:
    """Options that do not fit the format end the command with a clear message."""
    if fmt != "pdf" and any(pdf_only):
        fail(Msg(
            "--role, --image, --anchor, --box, --field, --certify chỉ dùng cho PDF.",
            "--role, --image, --anchor, --box, --field, --certify apply to PDFs only.",
        ))
    if xades_transform and fmt != "xml":
        fail(Msg("--xades-transform chỉ dùng cho XAdES (XML).", "--xades-transform applies to XAdES (XML) only."))


def _passphrase(passphrase_env: str | None, key_ref: str, no_revocation_check: bool) -> Any:
    """The key file's passphrase: from the environment variable, else asked for a
    PKCS#12 file on a terminal; then the warning of a skipped revocation check."""
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
    return passphrase


def _key_options(
    key_ref: str, cert_file: str | None, chain_files: tuple[str, ...], pin_env: str | None, pkcs11_module: str | None,
    csc_url: str | None = None, timeout: float = 10.0,
) -> dict[str, object]:
    key_options: dict[str, object] = {}
    if cert_file:
        key_options["cert"] = cert_file
    if chain_files:
        key_options["chain"] = list(chain_files)
    if key_ref.lower().startswith("pkcs11:"):
        from vbsign.cli.sign_batch import token_key_options

        key_options.update(token_key_options(pin_env, pkcs11_module))
    if key_ref.lower().startswith("csc:"):
        # the PIN is read once and sent only to credentials/authorize; the bearer token is
        # read by the backend from VBSIGN_CSC_TOKEN (never a command-line argument)
        key_options.update(csc_url=csc_url, timeout=timeout, pin=secret_from_env(pin_env, Msg("PIN", "PIN")))
    return key_options


def _print_result(result: Any, output: Path) -> None:
    import vbsign.formats.dispatch as dispatch
    from vbsign._core.timefmt import format_vn_time

    out = console()
    for w in result.warnings:
        out.print(f"[yellow]! {esc(w.get())}[/]")
    out.print(
        "[green]✓[/] "
        + t("Ký số thành công", "Signed successfully")
        + esc(f": {printable(os.fspath(result.output or output))} ({dispatch.LABELS.get(result.format, result.format)} {result.level})")
    )
    out.print(f"  {t('Người ký', 'Signer')}: {result.signer.common_name or result.signer.subject}", markup=False)
    out.print(f"  {t('Thời điểm ký', 'Signing time')}: {format_vn_time(result.timestamp_time or result.signing_time)}")
    raise SystemExit(EXIT_OK)


def _detect(input_file: Path, requested: str) -> Any:
    """The signature format for IN (``--format``, else sniffed from the first bytes)."""
    import vbsign.formats.dispatch as dispatch

    if requested != "auto":
        return dispatch.normalise_format(requested)
    try:
        with open(input_file, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return "pdf"  # let the signing call report the unreadable input
    fmt = dispatch.detect_format(head)
    if fmt != "pdf" and input_file.suffix.lower() == ".pdf":
        # a damaged or empty "x.pdf" would otherwise silently get a CAdES .p7s signature
        fail(
            Msg(
                "{f} có đuôi .pdf nhưng nội dung không phải PDF (tệp rỗng hoặc hỏng?). "
                "Nếu muốn ký như một tệp bất kỳ (CAdES), dùng --format cades.",
                "{f} is named .pdf but is not a PDF (empty or damaged?). "
                "To sign it as an arbitrary file (CAdES), use --format cades.",
            ).format(f=input_file)
        )
    return fmt


def _appearance(
    input_file: Path,
    role: str | None,
    image_file: str | None,
    anchor: str | None,
    doc_number: str | None,
    copy_form: str | None,
    appearance_config: str | None,
    no_signer_text: bool,
    *,
    page: int,
    page_given: bool,
    box: tuple[float, float, float, float] | None,
    field: str | None,
) -> Any:
    """The Decree 30/2020 appearance the options ask for (None: invisible or plain box);
    its warnings (a missing signature image…) are shown on stderr."""
    if role is None:
        if image_file or anchor or doc_number or copy_form or no_signer_text:
            fail(
                Msg(
                    "--image, --anchor, --doc-number, --copy-form cần --role (person, agency, attachment, copy).",
                    "--image, --anchor, --doc-number, --copy-form need --role (person, agency, attachment, copy).",
                )
            )
        return None
    from vbsign.appearance import AgencyConfig, build_appearance
    from vbsign.appearance.widgets import empty_field_exists

    config = AgencyConfig.load(appearance_config) if appearance_config else None
    # --field naming an existing empty field places the appearance in it; otherwise it
    # only names the new field and placement follows --box / --anchor / the role default
    in_field = field if field and box is None and anchor is None and empty_field_exists(input_file, field) else None
    appearance = build_appearance(
        role,
        image=image_file,
        anchor=anchor,
        page=page if (page_given or box is not None) else None,
        box=box,
        field=in_field,
        doc_number=doc_number,
        copy_form=copy_form,
        show_text=False if no_signer_text else None,
        config=config,
    )
    for w in appearance.warnings:
        console(stderr=True).print(f"[yellow]! {esc(w.get())}[/]")
    return appearance
