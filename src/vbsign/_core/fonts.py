"""Fonts that write Vietnamese: the 134 precomposed letters, a glyph-coverage check and the
discovery of an installed serif font that passes it.

Renderers draw empty boxes ("tofu") silently for missing glyphs, so vbsign refuses such
fonts up front and names the missing letters. Every layer that draws text uses this check:
visible signatures (:mod:`vbsign.appearance.fonts`), the human verification report
(:mod:`vbsign.model.report_html`), the registry's office documents.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from vbsign._core.bounds import FONT_FILE, too_large
from vbsign._core.errors import ConfigurationError
from vbsign._core.i18n import Msg

_BASE = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
#: the 67 lower-case precomposed letters (ASCII a e i o u y excluded)
VIETNAMESE_LOWER = "".join(c for c in _BASE if not c.isascii())
VIETNAMESE_UPPER = VIETNAMESE_LOWER.upper()
#: all 134 precomposed Vietnamese letters
VIETNAMESE_LETTERS = VIETNAMESE_LOWER + VIETNAMESE_UPPER

assert len(VIETNAMESE_LETTERS) == 134

#: candidates, in order of preference: Times New Roman metrics first (Decree 30/2020)
SERIF_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/times.ttf",
    "C:/Windows/Fonts/times.ttf",
    "/Library/Fonts/Times New Roman.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
)
SERIF_BOLD_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/timesbd.ttf",
    "C:/Windows/Fonts/timesbd.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf",
)


@functools.lru_cache(maxsize=32)
def missing_letters(font_path: str) -> str:
    """The Vietnamese letters the font has no glyph for ('' when it covers them all)."""
    from fontTools.ttLib import TTFont

    with TTFont(font_path, lazy=True, fontNumber=0) as font:
        cmap = font.getBestCmap() or {}
    return "".join(c for c in VIETNAMESE_LETTERS if ord(c) not in cmap)


def check_font(font_path: str | os.PathLike[str]) -> Path:
    """Return the path if the font covers Vietnamese, else raise ConfigurationError."""
    path = Path(font_path)
    if not path.is_file():
        raise ConfigurationError(
            Msg("Không tìm thấy phông chữ: {p}", "Font not found: {p}").format(p=path)
        )
    if path.stat().st_size > FONT_FILE.max_bytes:
        raise too_large(path, FONT_FILE, ConfigurationError)
    try:
        missing = missing_letters(str(path))
    except Exception as e:
        raise ConfigurationError(
            Msg("Không đọc được phông chữ {p}: {e}", "Cannot read font {p}: {e}").format(p=path, e=e)
        ) from e
    if missing:
        raise ConfigurationError(
            Msg(
                "Phông chữ {p} thiếu {n} chữ cái tiếng Việt: {m}",
                "Font {p} lacks {n} Vietnamese letters: {m}",
            ).format(p=path.name, n=len(missing), m=" ".join(missing)),
            details={"missing": missing},
        )
    return path


def find_font(bold: bool = False, configured: str | os.PathLike[str] | None = None) -> Path:
    """A Vietnamese-capable serif font: the configured one, else the first installed candidate."""
    if configured:
        return check_font(configured)
    env = os.environ.get("VBSIGN_FONT_BOLD" if bold else "VBSIGN_FONT")
    if env:
        return check_font(env)
    for cand in SERIF_BOLD_CANDIDATES if bold else SERIF_CANDIDATES:
        if Path(cand).is_file() and not missing_letters(cand):
            return Path(cand)
    raise ConfigurationError(
        Msg(
            "Không tìm thấy phông chữ có đủ chữ tiếng Việt. Cài gói fonts-liberation2 "
            "(apt-get install fonts-liberation2) hoặc đặt VBSIGN_FONT=đường_dẫn.ttf.",
            "No font with full Vietnamese coverage found. Install fonts-liberation2 "
            "(apt-get install fonts-liberation2) or set VBSIGN_FONT=path.ttf.",
        )
    )


__all__ = [
    "SERIF_BOLD_CANDIDATES",
    "SERIF_CANDIDATES",
    "VIETNAMESE_LETTERS",
    "VIETNAMESE_LOWER",
    "VIETNAMESE_UPPER",
    "check_font",
    "find_font",
    "missing_letters",
]
