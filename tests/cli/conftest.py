"""The demo's output (``vbsign demo``), for the report commands."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with ``demo-out/`` in it (the README's layout)."""
    from vbsign.testpki.demo import run_demo

    root = tmp_path_factory.mktemp("demo-cli")
    run_demo(root / "demo-out")
    return root
