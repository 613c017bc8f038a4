"""``vbsign testpki init``: write the test PKI's files to a directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import vbsign._core.files as _io
from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign.testpki import (
    ARCH,
    DESCRIPTIONS,
    INTERMEDIATES,
    ROOTS,
    SUBJECTS,
    TestPKI,
    fingerprint,
    free_port,
    load,
    pem_bundle,
)
from vbsign.testpki.csc import csc_token

MANIFEST = "testpki.json"



def write_pki(directory: Path, *, port: int, passphrase: str, force: bool = False) -> list[Path]:
    """Write roots.pem, chain.pem, one .p12 (+ .cert.pem) per subject, README.txt, testpki.json
    and policy-test.toml.

    ``port=0`` picks a free loopback port and writes it into the certificates (their
    OCSP/CRL/TSA URLs), the README and ``testpki.json`` (which ``serve`` reads).
    """
    directory = Path(directory)
    if (directory / MANIFEST).exists() and not force:
        manifest = read_manifest(directory)
        same_port = port == 0 or manifest.get("port") == port  # 0: any port will do
        if same_port and manifest.get("passphrase") == passphrase:
            return sorted(p for p in directory.iterdir() if p.is_file())
        raise InputError(
            Msg(
                "Thư mục {d} đã có PKI thử nghiệm khác (dùng --force để ghi đè).",
                "Directory {d} already holds a different test PKI (use --force to overwrite).",
            ).format(d=directory)
        )
    if port == 0:
        port = free_port()
    _io.make_private_dirs(directory)  # it holds private keys: 0700 when created here
    pki = load(port)
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        # key material (.p12) is the owner's only; certificates and the README are public
        written.append(_io.atomic_write(directory / name, data, private=name.endswith(".p12")))

    put("roots.pem", pem_bundle(pki.roots))
    put("chain.pem", pem_bundle(pki.intermediates))
    for label in SUBJECTS:
        put(f"{label}.p12", pki.pkcs12(label, passphrase))
        put(f"{label}.cert.pem", pem_bundle([pki.cert(label)]))
    for label in ("gov-tsa", "gov-ocsp", "pub-ocsp"):
        put(f"{label}.cert.pem", pem_bundle([pki.cert(label)]))
    urls = pki.service_urls()
    put("README.txt", _readme(pki, directory, passphrase, urls).encode("utf-8"))
    put("policy-test.toml", _test_policy(pki).encode("utf-8"))
    put(
        MANIFEST,
        json.dumps(
            {"arch": ARCH, "port": port, "passphrase": passphrase, "tsa_url": pki.tsa_url, "services": urls},
            ensure_ascii=False,
            indent=2,
        ).encode("utf-8"),
    )
    return written


def _readme(pki: Any, directory: Path, passphrase: str, urls: dict[str, list[str]]) -> str:
    """README.txt: what each file is, the anchors' fingerprints, the service URLs."""
    lines = [
        "vbsign — PKI THỬ NGHIỆM / TEST PKI",
        "CHỈ DÙNG ĐỂ THỬ: khóa bí mật được công bố công khai. / TEST ONLY: the private keys are public.",
        "",
        f"Mật khẩu các tệp .p12 / passphrase of the .p12 files: {passphrase}",
        f"Máy chủ dấu thời gian / TSA URL: {pki.tsa_url}",
        f"Chạy dịch vụ / start the services: vbsign testpki serve {directory}",
        "",
        "Tệp / files:",
        "  roots.pem       chứng thư gốc tin cậy / trust anchors:",
    ]
    for lbl in ROOTS:
        c = pki.cert(lbl)
        lines.append(f"                  - {c.subject.native.get('common_name')}  SHA-256 {fingerprint(c)}")
    lines.append("  chain.pem       chứng thư trung gian / intermediates:")
    for lbl in INTERMEDIATES:
        lines.append(f"                  - {pki.cert(lbl).subject.native.get('common_name')}")
    for label in SUBJECTS:
        c = pki.cert(label)
        cn = c.subject.native.get("common_name")
        d = DESCRIPTIONS.get(label)
        lines.append(f"  {label + '.p12':<22}{cn} — {d.vi if d else ''} / {d.en if d else ''}")
        lines.append(f"  {label + '.cert.pem':<22}(chứng thư / certificate)")
    for lbl in ("gov-tsa", "gov-ocsp", "pub-ocsp"):
        lines.append(f"  {lbl + '.cert.pem':<22}{pki.cert(lbl).subject.native.get('common_name')}")
    lines += ["", "Dịch vụ / services:"]
    for kind, lst in urls.items():
        for u in lst:
            lines.append(f"  {kind.upper():5} {u}")
    lines += [
        f"  CSC   http://localhost:{pki.port}/csc/v2  (ký từ xa / remote signing, CSC API v2: "
        "--key csc:person --csc-url …)",
        f"CSC token: {csc_token(passphrase, pki.port)}",
        "  (VBSIGN_CSC_TOKEN; PIN của mỗi credential = mật khẩu .p12 / each credential's PIN = the .p12 passphrase)",
    ]
    lines += [
        "",
        "  README.txt            tệp này / this file",
        f"  {MANIFEST:<22}cấu hình cho 'serve' / settings for 'serve'",
        "  policy-test.toml      chính sách thẩm định nhận gốc THỬ NGHIỆM / a validation policy trusting",
        "                        these TEST roots (give them as --trust too):",
        f"                        vbsign validate FILE --policy {directory}/policy-test.toml --trust {directory}/roots.pem",
    ]
    return "\n".join(lines) + "\n"


def read_manifest(directory: Path) -> dict[str, object]:
    from vbsign._core.bounds import MANIFEST_FILE, loads_json, read_bounded

    path = Path(directory) / MANIFEST
    try:
        if not path.is_file():
            raise FileNotFoundError(path)
        data = loads_json(read_bounded(path, MANIFEST_FILE), str(path), MANIFEST_FILE)
        if not isinstance(data, dict):
            raise InputError(Msg("{p} hỏng.", "{p} is damaged.").format(p=path))
        return data
    except FileNotFoundError:
        raise InputError(
            Msg(
                "{d} không phải thư mục PKI thử nghiệm (thiếu {m}); chạy 'vbsign testpki init' trước.",
                "{d} is not a test PKI directory (no {m}); run 'vbsign testpki init' first.",
            ).format(d=directory, m=MANIFEST)
        ) from None


def _test_policy(pki: TestPKI) -> str:
    """A policy file (``vbsign validate --policy``) that accepts this PKI's TEST roots.

    Official Vietnamese roots are recognised by fingerprint; test roots never are, so a
    host developer needs this file to see ĐẠT (compliant) on documents signed with the test PKI.
    """
    gov, pub = pki.cert("gov-root"), pki.cert("pub-root")

    def lst(values: list[str]) -> str:
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"

    return "\n".join(
        [
            "# vbsign — chính sách thẩm định cho PKI THỬ NGHIỆM / validation policy for the TEST PKI",
            "# KHÔNG dùng cho văn bản thật / never use for real documents.",
            "[policy]",
            'extends = "cdcv"',
            'name = "vbsign-test-pki"',
            'title_vi = "Chữ ký chuyên dùng công vụ trên PKI thử nghiệm của vbsign"',
            'title_en = "Official-use signatures on the vbsign test PKI"',
            "",
            "[anchors]",
            f"cdcv = {lst([fingerprint(gov)])}",
            f"national = {lst([fingerprint(pub)])}",
            "",
            "[anchors.names]",
            f'"{fingerprint(gov)}" = "{gov.subject.native["common_name"]}"',
            f'"{fingerprint(pub)}" = "{pub.subject.native["common_name"]}"',
            "",
            "# Người ký / cơ quan được nhận biết từ chứng thư (tên người, tên cơ quan) như trên chứng thư thật;",
            "# chứng thư không nhận biết được thì khai báo ở đây (hoặc trong sổ đăng ký chứng thư).",
            "# Signers are classified from the certificates (a person's name, a body's name) as on real ones;",
            "# declare here (or in the certificate registry) what cannot be told from a certificate.",
            "[classification]",
            f"# person = {lst([fingerprint(pki.cert('service-system'))])}  # service-system",
            "# organisation = []",
            "",
        ]
    )
