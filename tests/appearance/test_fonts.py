"""Fonts: Vietnamese coverage, discovery, and the pyHanko 0.38 unitsPerEm workaround."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from vbsign._core.errors import ConfigurationError, InputError
from vbsign.appearance import Appearance, fonts

MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
LIBERATION = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


def test_134_letters() -> None:
    assert len(set(fonts.VIETNAMESE_LETTERS)) == 134
    assert "ễ" in fonts.VIETNAMESE_LETTERS and "Ự" in fonts.VIETNAMESE_LETTERS


@pytest.mark.skipif(not MONO.exists(), reason="DejaVu Sans Mono not installed")
def test_font_lacking_letters_is_refused_naming_them() -> None:
    with pytest.raises(ConfigurationError) as ei:
        fonts.check_font(MONO)
    missing = ei.value.details["missing"]
    assert missing and all(c in fonts.VIETNAMESE_LETTERS for c in missing)
    assert " ".join(missing) in ei.value.message_vi and " ".join(missing) in ei.value.message_en
    # and an appearance configured with it is refused before anything is signed
    with pytest.raises(ConfigurationError):
        Appearance.attachment("1/QĐ-X", font=MONO)


def test_discovery_prefers_times_metric_liberation() -> None:
    found = fonts.find_font()
    if LIBERATION.exists():
        assert found == LIBERATION
    assert not fonts.missing_letters(str(found))


def test_pdf_font_is_normalised_once_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VBSIGN_CACHE_DIR", str(tmp_path))
    fonts._pdf_font_cached.cache_clear()
    src = fonts.find_font()
    assert fonts.units_per_em(src) != 1000  # Liberation / DejaVu: 2048
    first = fonts.pdf_font(src)
    assert first.parent == tmp_path / "fonts" and fonts.units_per_em(first) == 1000
    assert not fonts.missing_letters(str(first))
    mtime = first.stat().st_mtime_ns
    fonts._pdf_font_cached.cache_clear()  # a new process: the disk cache is reused
    t = time.perf_counter()
    again = fonts.pdf_font(src)
    assert again == first and first.stat().st_mtime_ns == mtime
    assert time.perf_counter() - t < 0.2
    # advance widths scale exactly: each letter is as wide in points as in the original
    for ch in "NgyễnVăAƯỢđ0/+":
        assert fonts.text_width(first, ch, 10) == pytest.approx(fonts.text_width(src, ch, 10), rel=0.005)
    # the copy is reduced to the characters documents need, and refuses the others clearly
    fonts.check_text(first, "Số: 414/QĐ-BKHCN – “SAO Y” № 5")
    with pytest.raises(InputError) as ei:
        fonts.check_text(first, "中文")
    assert "U+4E2D" in ei.value.message_en
    fonts._pdf_font_cached.cache_clear()


def _line_width(pdftext, signed: bytes) -> float:  # type: ignore[no-untyped-def]
    html = pdftext(signed, "-bbox")
    xs = [
        (float(m[1]), float(m[3]))
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">', html)
        if float(m[2]) < 40  # the top band: the attachment text only
    ]
    return max(x2 for _, x2 in xs) - min(x1 for x1, _ in xs)


def test_upem_regression_text_width_matches_font_metrics(sample_pdf, sign_visible, pdftext) -> None:  # type: ignore[no-untyped-def]
    """Would fail if the unitsPerEm workaround were removed: letters spread about 2×."""
    number = "414/QĐ-BKHCN"
    signed = sign_visible("agency", sample_pdf, Appearance.attachment(number))
    text = pdftext(signed)
    assert number in text  # not "4 1 4 / Q Đ ..." (spread letters become separate words)
    time_line = "01/12/2026 10:00:00 +07:00"
    expected = max(fonts.text_width(fonts.find_font(), s, 10) for s in (number, time_line))
    assert _line_width(pdftext, signed) == pytest.approx(expected, rel=0.05)


def test_pyhanko_upem_bug_still_present(sample_pdf, sign_visible, pdftext, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Documents why the workaround exists: an un-normalised 2048-unit font is drawn ~2×
    too wide by pyHanko 0.38. When this starts failing, pyHanko has fixed the bug and
    :func:`vbsign.appearance.fonts.pdf_font` may hand out fonts unchanged."""
    monkeypatch.setattr(fonts, "pdf_font", lambda p: fonts.check_font(p))
    ap = Appearance.attachment("414/QĐ-BKHCN")
    assert ap.font is not None and fonts.units_per_em(ap.font) == 2048
    signed = sign_visible("agency", sample_pdf, ap)
    expected = max(fonts.text_width(ap.font, s, 10) for s in ("414/QĐ-BKHCN", "01/12/2026 10:00:00 +07:00"))
    assert _line_width(pdftext, signed) / expected > 1.6
