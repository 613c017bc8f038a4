#!/usr/bin/env python3
"""Render the demo's signed page to PNG for the docs and the README.

Runs ``vbsign demo`` in a temporary directory (embedded test PKI, no network), then
rasterises page 1 of ``signed.pdf`` with poppler's ``pdftoppm`` — the image shows what
a reader's PDF viewer shows, nothing is drawn by hand:

* ``docs/_static/demo-signed.png``        the whole page;
* ``docs/_static/demo-signature-block.png`` the signature block, at a higher resolution.

Usage: .venv/bin/python scripts/render_demo_png.py [--out-dir docs/_static] [--dpi 100]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdftoppm(pdf: Path, out_png: Path, dpi: int, crop_mm: tuple[float, float, float, float] | None = None) -> None:
    """Render page 1; ``crop_mm`` = (x, y from the top-left, width, height) in mm."""
    args = ["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1", "-r", str(dpi)]
    if crop_mm is not None:
        px = [round(v / 25.4 * dpi) for v in crop_mm]
        args += ["-x", str(px[0]), "-y", str(px[1]), "-W", str(px[2]), "-H", str(px[3])]
    subprocess.run([*args, str(pdf), str(out_png.with_suffix(""))], check=True, timeout=60)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", type=Path, default=ROOT / "docs" / "_static")
    ap.add_argument("--dpi", type=int, default=100)
    args = ap.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: apt-get install poppler-utils", file=sys.stderr)
        return 2
    from vbsign.testpki.demo import run_demo

    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vbsign-demo-") as tmp:
        result = run_demo(Path(tmp))
        if not result.report.valid:
            print(f"demo signatures are not valid: {result.report.indication}", file=sys.stderr)
            return 1
        page = args.out_dir / "demo-signed.png"
        block = args.out_dir / "demo-signature-block.png"
        pdftoppm(result.signed_pdf, page, args.dpi)
        # the right half of the page's lower part: title, seal, signature, name
        pdftoppm(result.signed_pdf, block, args.dpi * 2, crop_mm=(95, 176, 110, 66))
    for p in (page, block):
        print(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p} ({p.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
