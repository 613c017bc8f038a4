"""Charts of the usage and year-end reports (matplotlib, PNG, no display needed).

Uses matplotlib's object API with the Agg canvas (no ``pyplot`` global state, so it is
safe in a server thread) and the same Vietnamese-capable font as the PDF.
"""

from __future__ import annotations

import io
import threading
from typing import Any

from vbsign._core.i18n import Msg
from vbsign.appearance.fonts import find_font
from vbsign.registry.stats import UsageReport, WaveProgress

DPI = 150
_lock = threading.Lock()
_family: str | None = None

COLOURS = {"signed": "#1f5fa8", "verified": "#3a9d5d", "failed": "#c0392b", "stage": "#1f5fa8"}


def _font_family() -> str:
    global _family
    with _lock:
        if _family is None:
            from matplotlib import font_manager

            path = str(find_font())
            font_manager.fontManager.addfont(path)
            _family = font_manager.FontProperties(fname=path).get_name()
        return _family


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    return fig


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": "vbsign"})
    return buf.getvalue()


def _rc() -> Any:
    from matplotlib import rc_context

    return rc_context({"font.family": _font_family(), "font.size": 9, "axes.spines.top": False,
                       "axes.spines.right": False})


#: units drawn in the per-unit chart (the most active ones; the table lists them all)
MAX_CHART_UNITS = 25


def units_chart(report: UsageReport) -> bytes:
    """Horizontal bars per unit: documents signed, signatures verified, failed."""
    units = [u for u in report.units if u.signed or u.verified] or report.units
    title = Msg("Sử dụng chữ ký số theo đơn vị", "Digital-signature use by unit")
    if len(units) > MAX_CHART_UNITS:
        top = sorted(units, key=lambda u: u.signed + u.verified, reverse=True)[:MAX_CHART_UNITS]
        units = [u for u in units if u in top]  # keep the tree order
        title = Msg(
            "Sử dụng chữ ký số: {n} đơn vị có nhiều lượt nhất", "Digital-signature use: the {n} most active units"
        ).format(n=MAX_CHART_UNITS)
    labels = [u.code for u in units]
    with _rc():
        fig = _figure(7.5, max(2.2, 0.32 * len(units) + 1.2))
        ax = fig.add_subplot()
        y = list(range(len(units)))
        h = 0.27
        ax.barh([i - h for i in y], [u.signed for u in units], h, label=Msg("Ký số", "Signed").get(),
                color=COLOURS["signed"])
        ax.barh(y, [u.verified for u in units], h, label=Msg("Kiểm tra", "Verified").get(), color=COLOURS["verified"])
        ax.barh([i + h for i in y], [u.failed for u in units], h, label=Msg("Không hợp lệ", "Invalid").get(),
                color=COLOURS["failed"])
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_title(title.get())
        ax.legend(loc="lower right", frameon=False)
        ax.grid(axis="x", alpha=0.3)
        return _png(fig)


def trend_chart(report: UsageReport) -> bytes:
    """Signatures made and verified per month (or day for short periods)."""
    pts = report.trend
    with _rc():
        fig = _figure(7.5, 2.8)
        ax = fig.add_subplot()
        x = list(range(len(pts)))
        ax.bar([i - 0.2 for i in x], [p.signed for p in pts], 0.4, label=Msg("Ký số", "Signed").get(),
               color=COLOURS["signed"])
        ax.bar([i + 0.2 for i in x], [p.verified for p in pts], 0.4, label=Msg("Kiểm tra", "Verified").get(),
               color=COLOURS["verified"])
        ax.plot(x, [p.failed for p in pts], color=COLOURS["failed"], marker="o", markersize=3,
                label=Msg("Không hợp lệ", "Invalid").get())
        step = max(1, len(pts) // 12)
        ax.set_xticks(x[::step], [p.label for p in pts][::step], rotation=0 if len(pts) <= 12 else 45)
        ax.set_title(Msg("Diễn biến trong kỳ", "Over the period").get())
        ax.legend(loc="upper left", frameon=False, ncols=3)
        ax.grid(axis="y", alpha=0.3)
        return _png(fig)


STAGE_LABELS = {
    "registered": Msg("Đăng ký", "Registered"),
    "issued": Msg("Được cấp", "Issued"),
    "handed_over": Msg("Bàn giao", "Handed over"),
    "trained": Msg("Tập huấn", "Trained"),
    "active": Msg("Đang ký số", "Signing"),
}


def waves_chart(waves: list[WaveProgress]) -> bytes:
    """Per wave, subscribers at each stage: registered → issued → handed over → trained → signing."""
    stages = list(WaveProgress.STAGES)
    with _rc():
        fig = _figure(7.5, 2.8)
        ax = fig.add_subplot()
        n = max(1, len(waves))
        width = 0.8 / n
        palette = ["#1f5fa8", "#3a9d5d", "#d68910", "#7d3c98", "#2e4053"]
        for i, w in enumerate(waves):
            xs = [j + (i - (n - 1) / 2) * width for j in range(len(stages))]
            ax.bar(xs, [getattr(w, s) for s in stages], width, label=Msg("Đợt {n}", "Wave {n}").format(n=w.number).get(),
                   color=palette[i % len(palette)])
        ax.set_xticks(range(len(stages)), [STAGE_LABELS[s].get() for s in stages])
        ax.set_title(Msg("Tiến độ triển khai theo đợt (số thuê bao)", "Rollout progress by wave (subscribers)").get())
        if waves:  # no labelled bars: matplotlib would warn on stderr
            ax.legend(loc="upper right", frameon=False)
        ax.grid(axis="y", alpha=0.3)
        return _png(fig)
