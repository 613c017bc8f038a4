"""Optional visual comparison of the signed revision with the current file (poppler).

Structural rules name *what* changed; pixels tell *whether the reader sees it*. For a
signature followed by updates that draw something (a new signature widget, a comment, a
filled-in field, an added annotation), vbsign renders the affected pages of the signed
revision and of the current file with ``pdftoppm`` and compares them:

* without annotations (``-hide-annotations``): the page content itself must be
  pixel-identical, otherwise ``VISUAL_DIFFERENCE``;
* with annotations: whatever the updates drew may only land where the signed page was
  blank. Ink over signed content inside a new signature widget is a *sneaky signature*
  (``SIGNATURE_WIDGET_COVERS_CONTENT``); inside a comment or annotation it is an *evil
  annotation* (``ANNOTATION_COVERS_CONTENT``). A highlight (multiply blend) leaves dark
  text dark and therefore passes; an opaque box over a line of text does not.
* one exception, for Decree 30/2020's layout: the agency seal is drawn over the left third
  of the competent person's signature and, being a 30–40 mm disc, usually over part of the
  title line above it. A later *signature* widget drawing over signed content inside the
  **signature block** — the widgets of signatures that already existed, enlarged by
  :data:`SIGNATURE_BLOCK_MARGIN` — is reported as ``SIGNATURE_OVER_SIGNATURE_BLOCK`` (a
  warning naming the pixels), not as a forgery. vbsign's own seals are composited as ink
  and leave the text readable; seals of other tools may paint over it. Anywhere else on the
  page the strict rule applies.

The check is bounded: at most ``max_pages`` pages, one overall ``timeout`` (shared with the
verification deadline), low resolution, no anti-aliasing. Without poppler it is skipped
and the report says so (``VISUAL_CHECK_SKIPPED``).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vbsign.formats.pades.findings import Issue, issue
from vbsign.formats.pades.limits import remaining_seconds
from vbsign.formats.pades.shadow import Overlay

logger = logging.getLogger(__name__)

PDFTOPPM = "pdftoppm"
#: grey level below which a pixel of the signed page counts as content (ink)
INK = 160
#: grey-level difference that counts as a changed pixel (no anti-aliasing: crisp edges)
DELTA = 64
#: how far (PDF points) around an earlier signature's widget its "signature block" extends
#: (title lines above, name below): a 36 mm seal centred on the image's left third reaches
#: about 20–40 pt beyond the image
SIGNATURE_BLOCK_MARGIN = 48.0


@dataclass(frozen=True)
class VisualOptions:
    """How the visual comparison runs."""

    #: ``True`` always when something changed, ``False`` never, ``None`` (default) only
    #: when updates after a signature draw something that rules alone cannot judge
    enabled: bool | None = None
    max_pages: int = 5
    #: seconds for all renderings of one document
    timeout: float = 5.0
    dpi: int = 50
    #: changed content pixels tolerated per page (rendering noise)
    tolerance: int = 6


@dataclass
class Gray:
    """An 8-bit greyscale raster (PGM)."""

    width: int
    height: int
    pixels: bytes

    @classmethod
    def parse(cls, blob: bytes) -> Gray:
        parts: list[bytes] = []
        pos = 0
        while len(parts) < 4:
            while blob[pos : pos + 1].isspace():
                pos += 1
            if blob[pos : pos + 1] == b"#":
                pos = blob.index(b"\n", pos) + 1
                continue
            end = pos
            while not blob[end : end + 1].isspace():
                end += 1
            parts.append(blob[pos:end])
            pos = end
        if parts[0] != b"P5" or int(parts[3]) != 255:
            raise ValueError("not an 8-bit PGM")
        w, h = int(parts[1]), int(parts[2])
        data = blob[pos + 1 : pos + 1 + w * h]
        if len(data) != w * h:
            raise ValueError("truncated PGM")
        return cls(w, h, data)


@dataclass
class PageCheck:
    page: int
    content_changed: int = 0
    covered: dict[str, int] = field(default_factory=dict)
    covered_outside: int = 0
    #: signed ink pixels of the glyphs/strokes a new signature hides for the most part
    hidden: dict[str, int] = field(default_factory=dict)
    #: a small PNG (data URI) of what a new signature looks like over the signed content
    pictures: dict[str, str] = field(default_factory=dict)


#: a stroke (connected ink) counts as hidden when at least this share of it is covered
HIDDEN_SHARE = 0.5
#: ink pixels labelled per overlay at most (beyond: every covered pixel counts as hidden)
MAX_LABEL_PIXELS = 40_000


def hidden_ink(ink: Any, covered: Any) -> int:
    """Pixels of the ink strokes (8-connected components of ``ink``) that ``covered``
    hides for at least :data:`HIDDEN_SHARE` of their pixels.

    A stamp placed a little over a text line clips the glyphs' edges: each glyph stays
    mostly visible and readable. An opaque box over the line, or new text painted over
    it, hides whole glyphs. Only the first case is tolerated (a warning)."""
    import numpy as np

    ys, xs = np.nonzero(ink)
    if len(ys) > MAX_LABEL_PIXELS:
        return int(covered.sum())
    todo = set(zip(ys.tolist(), xs.tolist(), strict=True))
    total = 0
    while todo:
        start = todo.pop()
        comp = [start]
        stack = [start]
        while stack:
            y, x = stack.pop()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    n = (y + dy, x + dx)
                    if n in todo:
                        todo.remove(n)
                        comp.append(n)
                        stack.append(n)
        hit = sum(1 for (y, x) in comp if covered[y, x])
        if hit and hit >= HIDDEN_SHARE * len(comp):
            total += len(comp)
    return total


def png_data_uri(img: Any) -> str:
    """A greyscale numpy image as a ``data:image/png;base64`` URI (no dependency)."""
    import base64
    import struct
    import zlib

    import numpy as np

    arr = np.clip(img, 0, 255).astype(np.uint8)
    h, w = arr.shape
    raw = b"".join(b"\x00" + arr[y].tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def available() -> bool:
    """poppler's pdftoppm is installed and numpy can be imported."""
    if shutil.which(PDFTOPPM) is None:
        return False
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - numpy comes with the registry extra
        return False
    return True


async def render(pdf: bytes, page: int, *, dpi: int, hide_annotations: bool, timeout: float) -> Gray:
    """Render one page (1-based) with pdftoppm; raises on failure or timeout."""
    args = [PDFTOPPM, "-q", "-gray", "-r", str(dpi), "-aa", "no", "-aaVector", "no", "-f", str(page), "-l", str(page)]
    if hide_annotations:
        args.append("-hide-annotations")
    args += ["-singlefile", "-"]
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        preexec_fn=_renderer_limits if sys.platform.startswith("linux") else None,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(pdf), timeout=max(0.1, timeout))
    except BaseException:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    if proc.returncode != 0 or not out:
        raise RuntimeError(f"pdftoppm exited with {proc.returncode}")
    return Gray.parse(out)


#: memory a pdftoppm process may use (a decompression bomb in an appearance stream must not
#: take the host down; poppler then fails and the check is reported as skipped)
RENDER_MEMORY = 1 << 30


def _renderer_limits() -> None:  # pragma: no cover - runs in the child between fork and exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (RENDER_MEMORY, RENDER_MEMORY))


def _array(img: Gray) -> Any:
    import numpy as np

    return np.frombuffer(img.pixels, dtype=np.uint8).astype(np.int16).reshape(img.height, img.width)


def _to_pixels(
    rect: tuple[float, float, float, float], box: tuple[float, float, float, float], img: Gray
) -> tuple[int, int, int, int]:
    """PDF user-space rectangle → (x0, y0, x1, y1) pixel slice bounds, clamped."""
    x0, y0, x1, y1 = box
    sx, sy = img.width / max(1e-6, x1 - x0), img.height / max(1e-6, y1 - y0)
    a, b, c, d = rect
    px0 = max(0, int((a - x0) * sx) - 1)
    py0 = max(0, int((y1 - d) * sy) - 1)
    px1 = min(img.width, int((c - x0) * sx) + 2)
    py1 = min(img.height, int((y1 - b) * sy) + 2)
    return px0, py0, px1, py1


def analyse_page(
    page: int,
    signed_plain: Gray,
    final_plain: Gray,
    signed_full: Gray,
    final_full: Gray,
    overlays: Sequence[Overlay],
    box: tuple[float, float, float, float] | None,
    signature_blocks: Sequence[Overlay] = (),
) -> PageCheck:
    """Compare the four renderings of one page (``page`` is 0-based).

    ``signature_blocks`` are the widgets of earlier signatures; ink that a later
    *signature* covers around them is counted separately (see module docs).
    """
    out = PageCheck(page)
    sizes = {(g.width, g.height) for g in (signed_plain, final_plain, signed_full, final_full)}
    if len(sizes) != 1:
        out.content_changed = signed_plain.width * signed_plain.height
        return out
    a, b, c, d = (_array(g) for g in (signed_plain, final_plain, signed_full, final_full))
    out.content_changed = int((abs(a - b) > DELTA).sum())
    covered = (a < INK) & (abs(c - d) > DELTA)
    remaining = covered.copy()
    block = covered & False
    if box is not None:
        m = SIGNATURE_BLOCK_MARGIN
        for sb in signature_blocks:
            if sb.page == page:
                r = sb.rect
                bx0, by0, bx1, by1 = _to_pixels((r[0] - m, r[1] - m, r[2] + m, r[3] + m), box, signed_plain)
                block[by0:by1, bx0:bx1] = True
    for ov in overlays:
        if ov.page != page or box is None:
            continue
        x0, y0, x1, y1 = _to_pixels(ov.rect, box, signed_plain)
        region = covered[y0:y1, x0:x1]
        if ov.kind == "signature":
            in_block = region & block[y0:y1, x0:x1]
            nb = int(in_block.sum())
            if nb:
                key = f"signature-block:{ov.ref}"
                out.covered[key] = out.covered.get(key, 0) + nb
            region = region & ~block[y0:y1, x0:x1]
        n = int(region.sum())
        if n:
            key = f"{ov.kind}:{ov.ref}"
            out.covered[key] = out.covered.get(key, 0) + n
            if ov.kind == "signature":
                # strokes are judged whole: look a little beyond the widget's edge
                m = 8
                ya, yb, xa, xb = max(0, y0 - m), min(a.shape[0], y1 + m), max(0, x0 - m), min(a.shape[1], x1 + m)
                cov = covered[ya:yb, xa:xb].copy()
                cov[: y0 - ya, :] = False
                cov[y1 - ya :, :] = False
                cov[:, : x0 - xa] = False
                cov[:, x1 - xa :] = False
                cov &= ~block[ya:yb, xa:xb]
                out.hidden[key] = out.hidden.get(key, 0) + hidden_ink(a[ya:yb, xa:xb] < INK, cov)
                out.pictures[key] = png_data_uri(d[ya:yb, xa:xb])
        remaining[y0:y1, x0:x1] = False
    out.covered_outside = int(remaining.sum())
    return out


def findings_for(check: PageCheck, tolerance: int) -> list[Issue]:
    """The findings of one page's visual comparison (differences above ``tolerance`` pixels)."""
    out: list[Issue] = []
    p = check.page + 1
    if check.content_changed > tolerance:
        out.append(
            issue(
                "VISUAL_DIFFERENCE",
                f"trang {p}: {check.content_changed} điểm ảnh của nội dung trang (không kể chú thích) khác bản đã ký",
                f"page {p}: {check.content_changed} pixels of the page content (annotations aside) differ from the signed version",
                page=p,
                pixels=check.content_changed,
            )
        )
    for key, n in sorted(check.covered.items()):
        if n <= tolerance:
            continue
        out.append(_covered_issue(check, key, n, tolerance))
    if check.covered_outside > tolerance:
        out.append(
            issue(
                "VISUAL_DIFFERENCE",
                f"trang {p}: {check.covered_outside} điểm ảnh nội dung đã ký bị thay đổi ngoài các đối tượng mới",
                f"page {p}: {check.covered_outside} pixels of signed content changed outside the new objects",
                page=p,
                pixels=check.covered_outside,
            )
        )
    return out


def _covered_issue(check: PageCheck, key: str, n: int, tolerance: int) -> Issue:
    """The finding for ``n`` signed pixels painted over by the new object ``key``: over a
    signature block (a seal on a signature), a signature that only overlaps content or
    covers it, or another annotation or form field."""
    p = check.page + 1
    kind, ref = key.split(":", 1)
    if kind == "signature-block":
        return issue(
            "SIGNATURE_OVER_SIGNATURE_BLOCK",
            f"trang {p}: hình chữ ký mới (đối tượng {ref}) vẽ đè {n} điểm ảnh trong khối chữ ký đã có "
            "(như dấu trùm lên chữ ký theo NĐ 30/2020)",
            f"page {p}: the new signature's appearance (object {ref}) paints over {n} pixels of the existing "
            "signature block (as a seal over a signature, Decree 30/2020)",
            page=p,
            object=ref,
            pixels=n,
        )
    if kind == "signature" and check.hidden.get(key, n) <= tolerance:
        return issue(
            "SIGNATURE_OVERLAPS_CONTENT",
            f"trang {p}: hình chữ ký mới (đối tượng {ref}) chờm lên {n} điểm ảnh nội dung đã ký "
            "nhưng không che kín nét chữ nào (xem hình)",
            f"page {p}: the new signature's appearance (object {ref}) overlaps {n} pixels of signed content "
            "without hiding any stroke (see the picture)",
            page=p,
            object=ref,
            pixels=n,
            picture=check.pictures.get(key, ""),
        )
    if kind == "signature":
        return issue(
            "SIGNATURE_WIDGET_COVERS_CONTENT",
            f"trang {p}: hình chữ ký mới (đối tượng {ref}) vẽ đè lên {n} điểm ảnh nội dung đã ký "
            f"({check.hidden.get(key, n)} điểm ảnh thuộc nét chữ bị che gần hết)",
            f"page {p}: the new signature's appearance (object {ref}) paints over {n} pixels of signed content "
            f"({check.hidden.get(key, n)} pixels of strokes mostly hidden)",
            page=p,
            object=ref,
            pixels=n,
            hidden_pixels=check.hidden.get(key, n),
            picture=check.pictures.get(key, ""),
        )
    return issue(
        "ANNOTATION_COVERS_CONTENT",
        f"trang {p}: {'trường biểu mẫu' if kind == 'form-field' else 'chú thích'} (đối tượng {ref}) vẽ đè lên {n} điểm ảnh nội dung đã ký",
        f"page {p}: the {'form field' if kind == 'form-field' else 'annotation'} (object {ref}) paints over {n} pixels of signed content",
        page=p,
        object=ref,
        pixels=n,
        kind=kind,
        attack="shadow-hide" if kind == "form-field" else "evil-annotation",
    )


class Renderer:
    """Renders pages of one document's revisions, caching the current file's pages."""

    def __init__(self, data: bytes, options: VisualOptions) -> None:
        self.data = data
        self.options = options
        self._cache: dict[tuple[int, int, bool], Gray] = {}

    async def page(self, end: int, page: int, hide: bool) -> Gray:
        key = (end, page, hide)
        hit = self._cache.get(key)
        if hit is None:
            budget = remaining_seconds(self.options.timeout)
            if budget <= 0:
                raise TimeoutError("visual comparison out of time")
            hit = await render(
                self.data[:end], page + 1, dpi=self.options.dpi, hide_annotations=hide, timeout=budget
            )
            self._cache[key] = hit
        return hit

    async def compare(
        self,
        signed_end: int,
        pages: Sequence[int],
        overlays: Sequence[Overlay],
        boxes: dict[int, tuple[float, float, float, float]],
        signature_blocks: Sequence[Overlay] = (),
    ) -> list[Issue]:
        out: list[Issue] = []
        final_end = len(self.data)
        for page in list(pages)[: self.options.max_pages]:
            a, b, c, d = await asyncio.gather(
                self.page(signed_end, page, True),
                self.page(final_end, page, True),
                self.page(signed_end, page, False),
                self.page(final_end, page, False),
            )
            check = analyse_page(page, a, b, c, d, overlays, boxes.get(page), signature_blocks)
            out.extend(findings_for(check, self.options.tolerance))
        return out


__all__ = ["Gray", "PageCheck", "Renderer", "VisualOptions", "analyse_page", "available", "findings_for", "render"]
