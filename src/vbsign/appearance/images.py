"""Signature and seal images: loading, checks and trimming.

Decree 30/2020 Appendix I wants both images as PNG with a transparent background: the
handwritten signature in blue, the seal in red at its real size. vbsign keeps the alpha
channel (pyHanko embeds it as an ``/SMask``), refuses a seal without transparency (it
would paint a white square over the signature), and warns when the ink is not the
expected colour. Images are trimmed to their visible ink so that sizes and overlaps are
computed on what the reader actually sees, not on transparent padding.
"""

from __future__ import annotations

import colorsys
import io
import os
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from vbsign._core.bounds import IMAGE_FILE, read_bounded, too_large
from vbsign._core.errors import InputError, ResourceLimitExceeded
from vbsign._core.i18n import Msg

if TYPE_CHECKING:
    from PIL import Image

#: larger images are refused (decompression bombs, accidental photos)
MAX_PIXELS = 40_000_000
#: longer sides are downscaled before embedding (≈ 600 dpi for a 40 mm seal)
MAX_SIDE = 1200
#: share of ink pixels that must have the expected hue
PREDOMINANT = 0.6
#: alpha above which a pixel counts as ink
INK_ALPHA = 32

ImageSource = str | os.PathLike[str] | bytes


class ImageKind(str, Enum):
    SIGNATURE = "signature"
    SEAL = "seal"


@dataclass(frozen=True)
class InkImage:
    """A checked RGBA image trimmed to its visible ink."""

    image: Image.Image = field(repr=False, compare=False)
    kind: ImageKind
    source: str
    width_px: int
    height_px: int
    red_share: float
    blue_share: float
    warnings: tuple[Msg, ...] = ()

    @property
    def aspect(self) -> float:
        """Width divided by height."""
        return self.width_px / self.height_px


def _open(source: ImageSource | Any) -> tuple[Image.Image, str]:
    from PIL import Image

    if isinstance(source, Image.Image):
        return source, "<image>"
    name = "<bytes>" if isinstance(source, bytes) else os.fspath(source)
    if isinstance(source, bytes):
        if len(source) > IMAGE_FILE.max_bytes:
            raise too_large(name, IMAGE_FILE)
        data = source
    else:
        data = read_bounded(name, IMAGE_FILE)  # the pixel count is bounded below
    prev = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        img = Image.open(io.BytesIO(data))
        img.load()
    except Image.DecompressionBombError as e:
        raise ResourceLimitExceeded(
            Msg(
                "Ảnh {p} quá lớn (giới hạn {n} điểm ảnh).",
                "Image {p} is too large (limit {n} pixels).",
            ).format(p=name, n=MAX_PIXELS)
        ) from e
    except Exception as e:
        raise InputError(
            Msg(
                "Tệp {p} không phải ảnh đọc được (cần PNG nền trong suốt).",
                "{p} is not a readable image (a PNG with a transparent background is expected).",
            ).format(p=name)
        ) from e
    finally:
        Image.MAX_IMAGE_PIXELS = prev
    return img, name


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or (img.mode in ("P", "L", "RGB") and "transparency" in img.info)


def colour_shares(img: Image.Image) -> tuple[float, float, int]:
    """``(red share, blue share, ink pixels)`` among the visible, coloured pixels.

    Dark grey or black anti-aliasing and near-white pixels carry no hue and are ignored.
    """
    small = img.copy()
    small.thumbnail((160, 160))
    red = blue = ink = 0
    raw = small.tobytes()  # RGBA, 4 bytes a pixel
    for i in range(0, len(raw), 4):
        r, g, b, a = raw[i], raw[i + 1], raw[i + 2], raw[i + 3]
        if a < INK_ALPHA:
            continue
        h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        if s < 0.25 or v < 0.15:
            continue
        ink += 1
        deg = h * 360
        if deg <= 25 or deg >= 330:
            red += 1
        elif 190 <= deg <= 265:
            blue += 1
    if ink == 0:
        return 0.0, 0.0, 0
    return red / ink, blue / ink, ink


def load_image(source: ImageSource | Any, kind: ImageKind | str) -> InkImage:
    """Open, check and trim a signature or seal image.

    Raises :class:`~vbsign.errors.InputError` for unreadable images, a seal without
    transparency, or an image with no visible ink; colour problems are warnings.
    """
    kind = ImageKind(kind)
    img, name = _open(source)
    transparent = _has_alpha(img)
    rgba = img.convert("RGBA")
    alpha = rgba.getchannel("A")
    lo = alpha.getextrema()[0]
    really_transparent = transparent and isinstance(lo, (int, float)) and lo < 255
    warnings: list[Msg] = []
    if kind is ImageKind.SEAL and not really_transparent:
        raise InputError(
            Msg(
                "Ảnh con dấu {p} không có nền trong suốt: con dấu sẽ che mất chữ ký. "
                "Nghị định 30/2020 yêu cầu ảnh PNG nền trong suốt.",
                "The seal image {p} has no transparent background: it would hide the "
                "signature. Decree 30/2020 requires a PNG with a transparent background.",
            ).format(p=name),
            details={"image": name},
        )
    if kind is ImageKind.SIGNATURE and not really_transparent:
        warnings.append(
            Msg(
                "Ảnh chữ ký {p} không có nền trong suốt (Nghị định 30/2020 yêu cầu PNG nền trong suốt).",
                "The signature image {p} has no transparent background (Decree 30/2020 asks for a transparent PNG).",
            ).format(p=name)
        )
    bbox = alpha.point(lambda a: 255 if a >= INK_ALPHA else 0).getbbox() if really_transparent else rgba.getbbox()
    if bbox is None:
        raise InputError(
            Msg("Ảnh {p} trong suốt hoàn toàn, không có nét nào.", "Image {p} is fully transparent.").format(p=name)
        )
    rgba = rgba.crop(bbox)
    if max(rgba.size) > MAX_SIDE:
        from PIL import Image

        rgba.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    red, blue, ink = colour_shares(rgba)
    if kind is ImageKind.SEAL and red < PREDOMINANT:
        warnings.append(
            Msg(
                "Ảnh con dấu {p} không chủ yếu màu đỏ ({r:.0%} điểm màu là đỏ); Nghị định 30/2020 quy định dấu màu đỏ.",
                "The seal image {p} is not predominantly red ({r:.0%} of its coloured pixels are red); Decree 30/2020 prescribes a red seal.",
            ).format(p=name, r=red)
        )
    if kind is ImageKind.SIGNATURE and blue < PREDOMINANT:
        warnings.append(
            Msg(
                "Ảnh chữ ký {p} không chủ yếu màu xanh ({b:.0%} điểm màu là xanh); Nghị định 30/2020 quy định chữ ký màu xanh.",
                "The signature image {p} is not predominantly blue ({b:.0%} of its coloured pixels are blue); Decree 30/2020 prescribes a blue signature.",
            ).format(p=name, b=blue)
        )
    del ink
    return InkImage(
        image=rgba,
        kind=kind,
        source=name,
        width_px=rgba.width,
        height_px=rgba.height,
        red_share=red,
        blue_share=blue,
        warnings=tuple(warnings),
    )
