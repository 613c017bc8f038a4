"""Vietnamese-capable fonts: discovery, glyph-coverage check and pyHanko normalisation.

A font is usable only if it has a glyph for every one of the 134 precomposed Vietnamese
letters (67 lower case + 67 upper case). Renderers draw empty boxes ("tofu") silently for
missing glyphs, so vbsign refuses such fonts up front and names the missing letters.

pyHanko 0.38 writes a TrueType font's ``/W`` widths and ``TJ`` adjustments in raw font
units although PDF expects thousandths of an em, so any font whose ``unitsPerEm`` is not
1000 (Liberation, DejaVu, Times New Roman, Arial: all 2048) is drawn with its letters
spread about twice too far apart. :func:`pdf_font` works around it by rescaling the font
to 1000 units per em once and caching the result on disk (see :func:`font_cache_dir`).
Nothing here runs at import time: fonts are only touched when a visible appearance is
actually drawn.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from vbsign._core.bounds import FONT_FILE, read_bounded
from vbsign._core.errors import ConfigurationError, InputError

# the Vietnamese coverage check and font discovery live in the base layer (the report
# renderer uses them too); re-exported here, where appearance code and plugins find them
from vbsign._core.fonts import (
    SERIF_BOLD_CANDIDATES,
    SERIF_CANDIDATES,
    VIETNAMESE_LETTERS,
    VIETNAMESE_LOWER,
    VIETNAMESE_UPPER,
    check_font,
    find_font,
    missing_letters,
)
from vbsign._core.i18n import Msg

logger = logging.getLogger(__name__)

#: pyHanko's glyph accumulator is only correct for fonts with this many units per em
PDF_UNITS_PER_EM = 1000
#: bump when the normalisation below changes, so stale cache entries are not reused
_NORMALISATION_VERSION = "upem1000-nohint-subset-nolayout-1"
#: characters kept in the normalised copy: ASCII, Latin-1, Latin Extended-A/B (ơ ư đ),
#: combining accents, Vietnamese (Latin Extended Additional), general punctuation and a
#: few symbols. A smaller font makes pyHanko's per-signature subsetting ~10× faster;
#: text outside this set is refused by :func:`check_text` rather than drawn as boxes.
PDF_FONT_RANGES: tuple[tuple[int, int], ...] = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x323),
    (0x1EA0, 0x1EF9),
    (0x2010, 0x203A),
    (0x20AB, 0x20AC),  # ₫ €
    (0x2116, 0x2116),  # №
    (0x2122, 0x2122),
)
_normalise_lock = threading.Lock()


def font_cache_dir() -> Path:
    """Where normalised fonts are cached: ``$VBSIGN_CACHE_DIR/fonts``, else the user cache.

    Falls back to a per-user directory under the system temporary directory when the
    user cache is not writable (service accounts without a home directory).
    """
    env = os.environ.get("VBSIGN_CACHE_DIR")
    if env:
        return Path(env) / "fonts"
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("vbsign", appauthor=False)) / "fonts"
    except Exception:  # pragma: no cover - platformdirs is a core dependency
        return _temp_cache_dir()


def _temp_cache_dir() -> Path:
    uid = getattr(os, "getuid", lambda: 0)()
    return Path(tempfile.gettempdir()) / f"vbsign-{uid}" / "fonts"


def units_per_em(font_path: str | os.PathLike[str]) -> int:
    from fontTools.ttLib import TTFont

    with TTFont(os.fspath(font_path), lazy=True, fontNumber=0) as font:
        return int(font["head"].unitsPerEm)


@functools.lru_cache(maxsize=16)
def _pdf_font_cached(font_path: str, size: int, mtime_ns: int) -> Path:
    del size, mtime_ns  # part of the cache key only: a changed file is normalised again
    if units_per_em(font_path) == PDF_UNITS_PER_EM:
        return Path(font_path)
    data = read_bounded(font_path, FONT_FILE)
    digest = hashlib.sha256(data + _NORMALISATION_VERSION.encode()).hexdigest()[:32]
    name = f"{Path(font_path).stem}-{digest}.ttf"
    for directory in (font_cache_dir(), _temp_cache_dir()):
        target = directory / name
        if target.is_file():
            return target
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with _normalise_lock:
                if not target.is_file():
                    _write_normalised(data, target)
            return target
        except OSError as e:
            logger.info("font cache %s not writable (%s); trying the next one", directory, e)
    raise ConfigurationError(
        Msg(
            "Không ghi được bộ nhớ đệm phông chữ; đặt VBSIGN_CACHE_DIR tới một thư mục ghi được.",
            "Cannot write the font cache; set VBSIGN_CACHE_DIR to a writable directory.",
        )
    )


def _write_normalised(data: bytes, target: Path) -> None:
    """Rescale to 1000 units per em, drop hinting (it is unit-dependent), write atomically."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    with TTFont(io.BytesIO(data), fontNumber=0) as font:
        options = subset.Options()
        # Vietnamese needs no OpenType layout once text is NFC (every letter is one glyph);
        # without GSUB/GPOS pyHanko's per-signature subsetting is several times faster.
        options.layout_features = []
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.hinting = False
        options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "kern"]
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=[u for lo, hi in PDF_FONT_RANGES for u in range(lo, hi + 1)])
        subsetter.subset(font)
        scale_upem(font, PDF_UNITS_PER_EM)
        # TrueType instructions are written for the original grid; after rescaling they
        # would distort glyphs in hinting rasterisers, so the normalised copy is unhinted.
        for tag in ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX", "FFTM"):
            if tag in font:
                del font[tag]
        if "glyf" in font:
            from fontTools.ttLib.tables import ttProgram

            glyf = font["glyf"]
            for glyph_name in glyf.glyphOrder:
                glyph = glyf[glyph_name]
                if hasattr(glyph, "program"):
                    empty = ttProgram.Program()
                    empty.fromBytecode(b"")
                    glyph.program = empty
        if "maxp" in font and hasattr(font["maxp"], "maxSizeOfInstructions"):
            font["maxp"].maxSizeOfInstructions = 0
        out = io.BytesIO()
        font.save(out)
    fd, tmp = tempfile.mkstemp(prefix=".vbsign-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(out.getvalue())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def pdf_font(font_path: str | os.PathLike[str]) -> Path:
    """The font file to hand to pyHanko: checked for Vietnamese, with 1000 units per em.

    The first call for a font rescales it (about half a second for Liberation Serif) and
    caches the result on disk; later calls, in this process or the next, reuse it.
    """
    path = check_font(font_path)
    st = path.stat()
    return _pdf_font_cached(str(path.resolve()), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _hb_font(font_path: str) -> tuple[Any, int]:
    import uharfbuzz as hb

    face = hb.Face(read_bounded(font_path, FONT_FILE))
    return hb.Font(face), int(face.upem)


def text_width(font_path: str | os.PathLike[str], text: str, size: float) -> float:
    """Advance width of ``text`` in points, shaped with HarfBuzz exactly as pyHanko draws it."""
    if not text:
        return 0.0
    import uharfbuzz as hb

    font, upem = _hb_font(os.fspath(font_path))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, None)
    return float(sum(p.x_advance for p in buf.glyph_positions)) / upem * size


@functools.lru_cache(maxsize=16)
def _cmap(font_path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(font_path, lazy=True, fontNumber=0) as font:
        return frozenset((font.getBestCmap() or {}).keys())


def check_text(font_path: str | os.PathLike[str], text: str) -> None:
    """Refuse text the font cannot draw (renderers would show empty boxes silently)."""
    import unicodedata


    cmap = _cmap(os.fspath(font_path))
    missing = sorted({c for c in unicodedata.normalize("NFC", text) if not c.isspace() and ord(c) not in cmap})
    if missing:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in missing)
        raise InputError(
            Msg(
                "Phông chữ {p} không có ký tự: {m}",
                "Font {p} has no glyph for: {m}",
            ).format(p=Path(font_path).name, m=shown),
            details={"missing": "".join(missing)},
        )


__all__ = [
    "PDF_FONT_RANGES",
    "PDF_UNITS_PER_EM",
    "SERIF_BOLD_CANDIDATES",
    "SERIF_CANDIDATES",
    "VIETNAMESE_LETTERS",
    "VIETNAMESE_LOWER",
    "VIETNAMESE_UPPER",
    "check_font",
    "check_text",
    "find_font",
    "font_cache_dir",
    "missing_letters",
    "pdf_font",
    "text_width",
    "units_per_em",
]
