"""Sample signature and seal images, drawn in code (for the demo, tests and docs).

They are obviously synthetic — a blue flourish and a red ring seal marked "MẪU"
(specimen) — so that nobody mistakes them for a real agency's seal.
"""

from __future__ import annotations

import io
import math

BLUE = (20, 50, 170, 255)
RED = (215, 25, 32, 255)


def signature_png(width: int = 900, height: int = 300) -> bytes:
    """A blue handwritten-looking flourish on a transparent background (PNG bytes)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    pts = []
    steps = 400
    for i in range(steps + 1):
        t = i / steps
        x = 0.03 * width + t * 0.94 * width
        y = height * (0.55 - 0.28 * math.sin(t * math.pi * 5.2) * (1 - 0.5 * t) - 0.12 * math.sin(t * math.pi * 1.3))
        pts.append((x, y))
    draw.line(pts, fill=BLUE, width=max(3, height // 40), joint="curve")
    # a loop and an underline stroke, as in a real signature
    draw.ellipse((0.18 * width, 0.18 * height, 0.34 * width, 0.62 * height), outline=BLUE, width=max(3, height // 45))
    draw.line([(0.08 * width, 0.86 * height), (0.62 * width, 0.78 * height), (0.95 * width, 0.82 * height)],
              fill=BLUE, width=max(3, height // 50), joint="curve")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def seal_png(agency: str = "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA", size: int = 600) -> bytes:
    """A red round seal with the agency's name around a star, transparent outside the ink."""
    from PIL import Image, ImageDraw, ImageFont

    from vbsign.appearance.fonts import find_font

    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size / 2
    w = max(4, size // 60)
    draw.ellipse((w, w, size - w, size - w), outline=RED, width=w * 2)
    inner = size * 0.31
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=RED, width=w)
    # five-pointed star in the centre
    r_out, r_in = size * 0.12, size * 0.048
    star = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + r * math.cos(a), c - size * 0.06 + r * math.sin(a)))
    draw.polygon(star, fill=RED)
    font_path = str(find_font(bold=True))
    small = ImageFont.truetype(font_path, int(size * 0.075))
    label = "MẪU"
    lw = draw.textlength(label, font=small)
    draw.text((c - lw / 2, c + size * 0.08), label, font=small, fill=RED)
    # the agency's name along the ring, letter by letter
    font = ImageFont.truetype(font_path, int(size * 0.075))
    text = agency
    radius = size * 0.375
    widths = [draw.textlength(ch, font=font) for ch in text]
    total = sum(widths)
    sweep = min(2 * math.pi * 0.92, total / radius)
    angle = -math.pi / 2 - sweep / 2
    scale = sweep / total
    for ch, cw in zip(text, widths, strict=True):
        a = angle + cw * scale / 2
        glyph = Image.new("RGBA", (int(size * 0.14), int(size * 0.14)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=RED, anchor="mm")
        rotated = glyph.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        x = c + radius * math.cos(a) - rotated.width / 2
        y = c + radius * math.sin(a) - rotated.height / 2
        img.alpha_composite(rotated, (int(x), int(y)))
        angle += cw * scale
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
