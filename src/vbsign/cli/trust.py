"""``vbsign trust add|list|remove``: the trust-store directory (``vbsign.pki.trust.default_trust_dir()``).

Roots (self-signed CA certificates) are trust anchors; other CA certificates go to
``intermediates/`` where they only help build paths. ``add`` says whether a certificate
is an official Vietnamese CA certificate (by SHA-256 fingerprint,
:mod:`vbsign.policy.roots`) and refuses end-entity (non-CA) certificates.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
from asn1crypto import x509

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg, current_lang
from vbsign.cli._common import BilingualGroup, console, t

_DIR = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Thư mục kho tin cậy (mặc định: VBSIGN_TRUST_DIR hoặc thư mục cấu hình) / trust-store directory.",
)


def _store_dir(directory: Path | None) -> Path:
    from vbsign.pki.trust import default_trust_dir

    return directory or default_trust_dir()


def _is_ca(cert: x509.Certificate) -> tuple[bool, Msg | None]:
    bc = cert.basic_constraints_value
    if bc is not None:
        return bool(bc["ca"].native), None
    ku = cert.key_usage_value
    if cert.self_signed in ("yes", "maybe") and (ku is None or "key_cert_sign" in ku.native):
        return True, Msg(
            "chứng thư gốc không có Basic Constraints (kiểu cũ); được coi là CA",
            "root certificate without Basic Constraints (old style); treated as a CA",
        )
    return False, None


def _describe(cert: x509.Certificate) -> tuple[str, Msg, bool]:
    """(fingerprint, classification message, official?)."""
    from vbsign._core.x509 import fingerprint
    from vbsign.policy.roots import classify_certificate

    fp = fingerprint(cert)
    try:
        hash_algo: str | None = cert["signature_algorithm"].hash_algo
    except Exception:
        hash_algo = None
    cls = classify_certificate(
        fp,
        is_ca=_is_ca(cert)[0],
        self_signed=cert.self_signed in ("yes", "maybe"),
        not_after=cert.not_valid_after,
        signature_hash=hash_algo,
        at=datetime.now(timezone.utc),
        subject=str(cert.subject.native.get("common_name") or cert.subject.human_friendly),
    )
    return fp, cls.message, cls.known is not None


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:40] or "cert"


def _entries(directory: Path) -> list[tuple[Path, x509.Certificate, bool]]:
    """Every certificate of the store: (file, certificate, is_anchor)."""
    from vbsign._core.bounds import CERTIFICATE_FILE, read_bounded
    from vbsign._core.x509 import CERT_SUFFIXES, read_certificates

    out: list[tuple[Path, x509.Certificate, bool]] = []
    for sub, anchor in ((directory, True), (directory / "intermediates", False)):
        if not sub.is_dir():
            continue
        for f in sorted(sub.iterdir()):
            if f.is_file() and f.suffix.lower() in CERT_SUFFIXES:
                try:
                    certs = read_certificates(read_bounded(f, CERTIFICATE_FILE))
                except InputError:
                    continue  # not a certificate (or far too large to be one): not part of the store
                out += [(f, c, anchor) for c in certs]
    return out


@click.group("trust", cls=BilingualGroup)
def trust_group() -> None:
    """Quản lý chứng thư gốc tin cậy / manage trust anchors."""


@trust_group.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as-anchor", is_flag=True, help="Tin cậy cả chứng thư CA trung gian như gốc / trust an intermediate CA as an anchor.")
@_DIR
def add_cmd(files: tuple[Path, ...], as_anchor: bool, directory: Path | None) -> None:
    """Thêm chứng thư CA vào kho tin cậy / add CA certificates to the trust store."""
    from vbsign._core.files import atomic_write
    from vbsign._core.timefmt import format_vn_time
    from vbsign._core.x509 import load_certificates

    store = _store_dir(directory)
    certs = load_certificates(files)
    # refuse the whole command before writing anything if one certificate is not a CA
    for c in certs:
        ok, _ = _is_ca(c)
        if not ok:
            cn = c.subject.native.get("common_name") or c.subject.human_friendly
            raise InputError(
                Msg(
                    f"'{cn}' không phải chứng thư CA (Basic Constraints: CA=false); không thêm vào kho tin cậy.",
                    f"'{cn}' is not a CA certificate (Basic Constraints: CA=false); not added to the trust store.",
                ),
                details={"subject": str(cn)},
            )
    existing = {e[1].dump() for e in _entries(store)}
    out = console()
    for c in certs:
        fp, msg, official = _describe(c)
        note = _is_ca(c)[1]
        cn = str(c.subject.native.get("common_name") or "cert")
        self_signed = c.self_signed in ("yes", "maybe")
        anchor = self_signed or as_anchor
        target_dir = store if anchor else store / "intermediates"
        mark = "✓" if official else "!"
        out.print(f"{mark} {msg.get()}", markup=False)
        out.print(f"    SHA-256 {fp}", markup=False)
        if note is not None:
            out.print(f"    {note.get()}", markup=False)
        if c.dump() in existing:
            out.print("    " + t("đã có trong kho tin cậy", "already in the trust store"), markup=False)
            continue
        if not official:
            out.print(
                "    "
                + t(
                    "KHÔNG phải chứng thư CA chính thức: chỉ tin cậy nếu bạn đã xác minh nguồn gốc.",
                    "NOT an official CA certificate: trust it only if you verified where it comes from.",
                ),
                markup=False,
            )
        if datetime.now(timezone.utc) > c.not_valid_after:
            out.print("    " + t(f"đã hết hạn ({format_vn_time(c.not_valid_after)})", f"expired ({format_vn_time(c.not_valid_after)})"), markup=False)
        target_dir.mkdir(parents=True, exist_ok=True)
        from asn1crypto import pem

        path = atomic_write(target_dir / f"{_slug(cn)}-{fp[:16].lower()}.pem", pem.armor("CERTIFICATE", c.dump()))
        where = t("gốc tin cậy", "trust anchor") if anchor else t("CA trung gian (giúp xây dựng đường dẫn)", "intermediate CA (helps build paths)")
        out.print(f"    → {where}: {path}", markup=False)


@trust_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON / print JSON.")
@_DIR
def list_cmd(as_json: bool, directory: Path | None) -> None:
    """Liệt kê kho tin cậy / list the trust store."""
    from vbsign._core.timefmt import format_vn_time

    store = _store_dir(directory)
    rows: list[dict[str, Any]] = []
    for f, c, anchor in _entries(store):
        fp, msg, official = _describe(c)
        rows.append(
            {
                "file": str(f),
                "anchor": anchor,
                "subject": c.subject.human_friendly,
                "sha256": fp,
                "not_before": c.not_valid_before.isoformat(),
                "not_after": c.not_valid_after.isoformat(),
                "official": official,
                "classification_vi": msg.vi,
                "classification_en": msg.en,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    out = console()
    if not rows:
        out.print(t(f"Kho tin cậy {store} trống.", f"The trust store {store} is empty."), markup=False)
        return
    out.print(t(f"Kho tin cậy: {store}", f"Trust store: {store}"), markup=False)
    for r in rows:
        kind = t("gốc", "anchor") if r["anchor"] else t("trung gian", "intermediate")
        out.print(f"{'✓' if r['official'] else '!'} [{kind}] {r['classification_en'] if current_lang() == 'en' else r['classification_vi']}", markup=False)
        out.print(f"    SHA-256 {r['sha256']}", markup=False)
        nb = datetime.fromisoformat(r["not_before"])
        na = datetime.fromisoformat(r["not_after"])
        out.print(f"    {format_vn_time(nb)} → {format_vn_time(na)}    {r['file']}", markup=False)


@trust_group.command("remove")
@click.argument("selector")
@_DIR
def remove_cmd(selector: str, directory: Path | None) -> None:
    """Xóa chứng thư theo dấu vân tay SHA-256 (≥ 8 ký tự đầu) hoặc tên tệp / remove by fingerprint prefix or file name."""
    from asn1crypto import pem

    from vbsign._core.files import atomic_write
    from vbsign._core.x509 import fingerprint

    store = _store_dir(directory)
    sel = selector.replace(":", "").strip().upper()
    entries = _entries(store)
    by_name = [e for e in entries if e[0].name == selector]
    if by_name:
        matches = by_name
    elif len(sel) >= 8 and all(ch in "0123456789ABCDEF" for ch in sel):
        matches = [e for e in entries if fingerprint(e[1]).startswith(sel)]
    else:
        raise InputError(
            Msg(
                "Chỉ định chứng thư bằng tên tệp hoặc ít nhất 8 ký tự đầu của dấu vân tay SHA-256.",
                "Select the certificate by file name or at least the first 8 characters of its SHA-256 fingerprint.",
            )
        )
    if not matches:
        raise InputError(Msg(f"Không có chứng thư '{selector}' trong {store}.", f"No certificate '{selector}' in {store}."))
    fps = {fingerprint(e[1]) for e in matches}
    if len(fps) > 1:
        raise InputError(
            Msg(
                f"'{selector}' khớp {len(fps)} chứng thư; hãy ghi dài hơn.",
                f"'{selector}' matches {len(fps)} certificates; be more specific.",
            )
        )
    out = console()
    for f, c, _ in matches:
        rest = [x for (g, x, _a) in entries if g == f and x.dump() != c.dump()]
        if rest:
            atomic_write(f, b"".join(pem.armor("CERTIFICATE", x.dump()) for x in rest))
        else:
            os.unlink(f)
        out.print(t(f"Đã xóa {c.subject.human_friendly} ({f})", f"Removed {c.subject.human_friendly} ({f})"), markup=False)
