"""``vbsign demo``: sign and verify a sample document on the embedded test PKI (offline)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from vbsign._core.i18n import Msg
from vbsign.cli._common import console, t


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-out"), show_default=True,
              help="Thư mục kết quả / output directory.")
def demo_cmd(out_dir: Path) -> None:
    """Chạy thử: tạo PKI, văn bản mẫu, ký (lãnh đạo + cơ quan), kiểm tra. / Run the demo."""
    from vbsign.demo import run_demo
    from vbsign.model.render import render_text

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
