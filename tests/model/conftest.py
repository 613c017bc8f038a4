"""Documents for the human report tests: the demo's two-signature PDF (Decree 30/2020
appearances, B-LT) and a copy with one byte of its page content changed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vbsign.testpki.demo import run_demo

    out = tmp_path_factory.mktemp("demo-report")
    run_demo(out)
    return out


def tamper(data: bytes) -> bytes:
    """One byte of the first signature's signed range flipped (the page content)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    emb = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    b = int(emb.byte_range[1])
    changed = bytearray(data)
    changed[b // 2] ^= 0x01
    return bytes(changed)


@pytest.fixture(scope="session")
def tampered(demo: Path) -> Path:
    path = demo / "tampered.pdf"
    path.write_bytes(tamper((demo / "signed.pdf").read_bytes()))
    return path


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Reports default to the language in force; another test in this process may have
    set English (the CLI's ``--lang``), so these tests say which one they mean."""
    from vbsign._core.i18n import use_lang

    with use_lang("vi"):
        yield
