"""``vbsign testpki init|serve`` and ``vbsign demo``: the test PKI for host-system developers and
tests, and the whole story on it (offline).

An add-on command group: the ``vbsign`` command loads it by name (``vbsign.cli.main``),
the core never imports it.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from vbsign._core.i18n import Msg
from vbsign.cli._common import BilingualGroup, console, t


@click.group("testpki", cls=BilingualGroup)
def testpki_group() -> None:
    """PKI thử nghiệm (CHỈ ĐỂ THỬ) / test PKI (TEST ONLY)."""


@testpki_group.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Cổng dịch vụ OCSP/CRL/TSA (mặc định 8750; 0 = chọn một cổng đang trống) / service port (default 8750; 0 = pick a free one).")
@click.option("--passphrase", default=None, help="Mật khẩu các tệp .p12 (mặc định: vbsign-test) / passphrase of the .p12 files.")
@click.option("--force", is_flag=True, help="Ghi đè thư mục đã có / overwrite.")
def init_cmd(directory: Path, port: int | None, passphrase: str | None, force: bool) -> None:
    """Tạo chứng thư và khóa thử nghiệm trong DIRECTORY. / Write test certificates and keys."""
    from vbsign.testpki import DEFAULT_PASSPHRASE, DEFAULT_PORT
    from vbsign.testpki.export import read_manifest, write_pki

    files = write_pki(
        directory, port=DEFAULT_PORT if port is None else port, passphrase=passphrase or DEFAULT_PASSPHRASE, force=force
    )
    used = read_manifest(directory)["port"]
    out = console()
    out.print(t(f"Đã tạo PKI thử nghiệm trong {directory} (cổng {used}):",
                f"Test PKI written to {directory} (port {used}):"), markup=False)
    for f in files:
        out.print(f"  {f.name}", markup=False)


@testpki_group.command("serve")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Cổng (mặc định: cổng đã ghi khi init) / port (default: the one given to init).")
def serve_cmd(directory: Path, port: int | None) -> None:
    """Phục vụ OCSP, CRL, TSA trên 127.0.0.1 (Ctrl-C để dừng). / Serve OCSP, CRL, TSA on 127.0.0.1."""
    from vbsign.testpki.server import serve_directory

    serve_directory(directory, port=port)


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-out"), show_default=True,
              help="Thư mục kết quả / output directory.")
def demo_cmd(out_dir: Path) -> None:
    """Chạy thử: tạo PKI, văn bản mẫu, ký (lãnh đạo + cơ quan), kiểm tra. / Run the demo."""
    from vbsign.model.render import render_text
    from vbsign.testpki.demo import run_demo

    out = console()
    started = time.monotonic()

    def progress(msg: Msg) -> None:
        out.print(f"[cyan]→[/] {msg.get()} …")

    result = run_demo(out_dir, progress=progress)
    out.print()
    out.print(render_text(result.report), markup=False)
    out.print()
    out.print(t("Các tệp đã tạo:", "Files written:"))
    extras = [out_dir / "chu-ky-mau.png", out_dir / "con-dau-mau.png"]
    for p in (out_dir / "pki", result.input_pdf, *[e for e in extras if e.exists()], result.signed_pdf, result.report_json):
        out.print(f"  {p}", markup=False)
    out.print(
        t(
            f"Kiểm tra lại (ngoại tuyến): vbsign verify {result.signed_pdf} --trust {out_dir / 'pki' / 'roots.pem'}",
            f"Verify again (offline): vbsign verify {result.signed_pdf} --trust {out_dir / 'pki' / 'roots.pem'}",
        ),
        markup=False,
    )
    out.print(t(f"Thời gian: {time.monotonic() - started:.1f} giây", f"Time: {time.monotonic() - started:.1f} s"))
    raise SystemExit(result.report.exit_code)
