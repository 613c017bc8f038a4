"""Fixtures for the Decree 30/2020 appearance tests: sample images, signing, rendering.

Rendering uses poppler (``pdftoppm`` / ``pdftotext``) on the real signed bytes, so the
tests check what a reader's viewer shows, not what vbsign thinks it drew.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
PASSPHRASE = "vbsign-test"


@pytest.fixture(scope="session")
def signature_png_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vbsign.testpki.sample_images import signature_png

    p = tmp_path_factory.mktemp("img") / "chu-ky.png"
    p.write_bytes(signature_png())
    return p


@pytest.fixture(scope="session")
def seal_png_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vbsign.testpki.sample_images import seal_png

    p = tmp_path_factory.mktemp("img") / "con-dau.png"
    p.write_bytes(seal_png())
    return p


@pytest.fixture(scope="session")
def sign_visible(pki_dir: Path, pki: Any) -> Callable[..., bytes]:
    """``sign_visible(subject, data, appearance, level="B-B", **opts) -> bytes`` at T0."""
    from vbsign import api
    from vbsign.pki.validation import Services

    def _sign(subject: str, data: bytes, appearance: Any, level: str = "B-B", **opts: Any) -> bytes:
        services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
        result = api.sign(
            data,
            key=pki_dir / f"{subject}.p12",
            passphrase=PASSPHRASE,
            trust=pki.roots,
            tsa=pki.timestamper(T0) if level != "B-B" else None,
            level=level,
            services=services,
            clock=lambda: T0,
            appearance=appearance,
            **opts,
        )
        return result.data

    return _sign


@pytest.fixture(scope="session")
def leader_and_seal(sample_pdf: bytes, sign_visible: Callable[..., bytes], signature_png_path: Path, seal_png_path: Path) -> tuple[bytes, bytes]:
    """The sample decision signed by the leader (person), then sealed by the agency."""
    from vbsign.appearance import Appearance

    # real certificates carry no title: the position comes from the host (here: the sample's)
    first = sign_visible(
        "person", sample_pdf, Appearance.person(signature_png_path, title="Phó Cục trưởng"), field="ChuKyLanhDao"
    )
    second = sign_visible("agency", first, Appearance.agency(seal_png_path, diameter_mm=36), field="ConDau")
    return first, second


@pytest.fixture(scope="session")
def render(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """``render(pdf_bytes, dpi=72) -> PIL.Image`` of page 1 (at 72 dpi, 1 px = 1 pt)."""
    from PIL import Image

    d = tmp_path_factory.mktemp("render")
    counter = iter(range(10**6))

    def _render(data: bytes, dpi: int = 72) -> Any:
        n = next(counter)
        pdf = d / f"r{n}.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1", "-r", str(dpi), str(pdf), str(d / f"r{n}")],
            check=True, timeout=60,
        )
        return Image.open(d / f"r{n}.png").convert("RGB")

    return _render


@pytest.fixture(scope="session")
def pdftext(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., str]:
    """``pdftext(pdf_bytes, *extra_args) -> str`` from poppler's pdftotext (page 1)."""
    d = tmp_path_factory.mktemp("text")
    counter = iter(range(10**6))

    def _text(data: bytes, *args: str) -> str:
        pdf = d / f"t{next(counter)}.pdf"
        pdf.write_bytes(data)
        out = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", *args, str(pdf), "-"],
            check=True, capture_output=True, timeout=60,
        )
        return out.stdout.decode("utf-8")

    return _text


@pytest.fixture(scope="session")
def colour_bbox() -> Callable[..., tuple[int, int, int, int] | None]:
    """``colour_bbox(img, "blue"|"red"|"dark") -> (x1, y1, x2, y2)`` in pixels (top-left origin)."""

    def _bbox(img: Any, colour: str) -> tuple[int, int, int, int] | None:
        def pick(px: tuple[int, int, int]) -> int:
            r, g, b = px
            if colour == "blue":
                ok = b > 110 and b > r + 50 and b > g + 30
            elif colour == "red":
                ok = r > 150 and r > g + 70 and r > b + 70
            else:
                ok = r < 110 and g < 110 and b < 110
            return 255 if ok else 0

        raw = img.convert("RGB").tobytes()
        data = [pick((raw[i], raw[i + 1], raw[i + 2])) for i in range(0, len(raw), 3)]
        from PIL import Image

        m = Image.new("L", img.size)
        m.putdata(data)
        box = m.getbbox()
        return None if box is None else (box[0], box[1], box[2], box[3])

    return _bbox
