"""Fixtures of the writer-class tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def kit_stamp():  # type: ignore[no-untyped-def]
    """An opaque stamp appearance (white box with text) at a given box."""
    from pyhanko.pdf_utils.content import RawContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.stamp import TextStampStyle

    from vbsign.appearance.spec import AppearanceSpec

    def make(box):  # type: ignore[no-untyped-def]
        w, h = box[2] - box[0], box[3] - box[1]
        background = RawContent(f"1 1 1 rg 0 0 {w:.1f} {h:.1f} re f".encode(), box=BoxConstraints(w, h))
        style = TextStampStyle(stamp_text="DA DUYET", background=background, background_opacity=1, border_width=0)
        return lambda reader, cert, when: AppearanceSpec(page=0, box=box, stamp_style=style)

    return make
