#!/usr/bin/env python3
"""The pictures of the guides, made from the test PKI — never drawn or edited by hand.

* ``page-signed.png``: page 1 of the demo's signed decision (leader's signature + agency seal,
  Decree 30/2020 layout), rendered with PDFium (pypdfium2) as a reader's viewer shows it;
* ``portal-result.png``: the verification portal of ``vbsign serve`` in a real headless Chromium
  (Debian ``chromium`` + ``chromium-driver``) after a clerk dropped that document on it.

``scripts/lint.sh`` runs it before the Sphinx build (the images go to ``docs/_generated/``, which git
ignores), so every CI run regenerates them from the current code. About 10 s.

Usage: .venv/bin/python scripts/make_screenshots.py [--out-dir docs/_generated]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def render_page(pdf: Path, out: Path, scale: float = 1.5) -> None:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        doc[0].render(scale=scale).to_pil().save(out)
    finally:
        doc.close()


def start_service(pki: Path) -> tuple[subprocess.Popen[str], str]:
    """``vbsign serve`` on a free loopback port, offline, trusting the demo's test roots."""
    vbsign = Path(sys.executable).parent / "vbsign"
    proc = subprocess.Popen(
        [str(vbsign), "serve", "--port", "0", "--trust", str(pki / "roots.pem"), "--offline", "--access-log", "off"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        if found:
            return proc, found.group(1)
        if not line and proc.poll() is not None:
            break
    proc.terminate()
    raise SystemExit("vbsign serve did not start")


def browser() -> Any:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        raise SystemExit("Chromium not installed: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1100,1000", "--lang=vi"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def portal_screenshot(url: str, document: Path, out: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser()
    try:
        driver.set_page_load_timeout(30)
        driver.get(url + "/")
        driver.find_element(By.ID, "files").send_keys(str(document))

        def verdict(d: Any) -> Any:
            found = d.find_elements(By.CSS_SELECTOR, "#results > li.result .verdict")
            return found[0] if found else None

        shown = WebDriverWait(driver, 60, poll_frequency=0.1).until(verdict)
        if shown.text != "HỢP LỆ":  # the picture must show what the guide says it shows
            raise SystemExit(f"the portal said {shown.text!r} for the demo's signed document")
        driver.save_screenshot(str(out))
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out-dir", type=Path, default=ROOT / "docs" / "_generated")
    ap.add_argument("--no-portal", action="store_true", help="only the page image (no browser)")
    args = ap.parse_args(argv)
    from vbsign.testpki.demo import run_demo

    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vbsign-shots-") as tmp:
        result = run_demo(Path(tmp))
        if not result.report.valid:
            print(f"demo signatures are not valid: {result.report.indication}", file=sys.stderr)
            return 1
        signed = Path(tmp) / "signed.pdf"
        render_page(signed, args.out_dir / "page-signed.png")
        if not args.no_portal:
            proc, url = start_service(Path(tmp) / "pki")
            try:
                portal_screenshot(url, signed, args.out_dir / "portal-result.png")
            finally:
                proc.terminate()
                proc.wait(timeout=10)
    for name in ("page-signed.png", "portal-result.png"):
        if (args.out_dir / name).exists():
            print(args.out_dir / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
