"""Rendering usage and year-end reports: PDF (with charts), HTML (self-contained), JSON, CSV.

* **PDF** — A4 landscape, administrative header, the evaluation, the per-unit table, the
  wave progress table and three charts (units, trend, waves); text is real text, so the
  figures can be searched and extracted;
* **HTML** — one file, no external resources (styles inline, charts as ``data:`` PNGs);
* **JSON** — :meth:`UsageReport.to_dict` with a ``schema`` marker, for other systems;
* **CSV** — the per-unit table plus a total row, UTF-8 with a byte-order mark so that
  Excel opens Vietnamese text correctly.

Vietnamese by default, English with ``lang="en"``; numbers are written the Vietnamese way
(``1.234``, ``85,3%``) in Vietnamese.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vbsign._core.files import atomic_write
from vbsign._core.i18n import Lang, Msg, current_lang, use_lang
from vbsign.registry.errors import RegistryError
from vbsign.registry.numfmt import num, pct
from vbsign.registry.stats import UnitUsage, UsageReport, WaveProgress

FORMATS = ("pdf", "html", "json", "csv")
JSON_SCHEMA = "vbsign.registry.usage-report/1"

TITLES = {
    "usage": Msg("BÁO CÁO TÌNH HÌNH SỬ DỤNG CHỮ KÝ SỐ", "DIGITAL SIGNATURE USAGE REPORT"),
    "year-end": Msg(
        "BÁO CÁO ĐÁNH GIÁ TÌNH HÌNH TRIỂN KHAI, SỬ DỤNG CHỮ KÝ SỐ CHUYÊN DÙNG",
        "YEAR-END EVALUATION OF THE DEPLOYMENT AND USE OF DIGITAL SIGNATURES",
    ),
}

UNIT_COLUMNS: list[tuple[str, Msg]] = [
    ("unit", Msg("Đơn vị", "Unit")),
    ("signed", Msg("Lượt ký số", "Signatures made")),
    ("verified", Msg("Lượt kiểm tra", "Verifications")),
    ("failed", Msg("Không hợp lệ", "Invalid")),
    ("indeterminate", Msg("Chưa xác định", "Indeterminate")),
    ("outgoing", Msg("Văn bản đi", "Outgoing documents")),
    ("outgoing_both", Msg("Đủ chữ ký cá nhân và cơ quan", "With personal and agency signature")),
    ("share_both", Msg("Tỷ lệ đủ chữ ký", "Share with both")),
    ("certificates_issued", Msg("Chứng thư số còn hiệu lực", "Valid certificates")),
    ("certificates_active", Msg("Chứng thư số đã dùng", "Certificates used")),
]

WAVE_COLUMNS: list[tuple[str, Msg]] = [
    ("number", Msg("Đợt", "Wave")),
    ("name", Msg("Nội dung", "Name")),
    ("when", Msg("Thời gian", "When")),
    ("registered", Msg("Đăng ký", "Registered")),
    ("issued", Msg("Được cấp", "Issued")),
    ("handed_over", Msg("Đã bàn giao", "Handed over")),
    ("trained", Msg("Đã tập huấn", "Trained")),
    ("active", Msg("Đang ký số", "Signing")),
]


def _unit_cells(u: UnitUsage, lang: Lang, *, indent: bool = True) -> list[str]:
    name = ("  " * u.depth if indent else "") + (f"{u.name} ({u.code})" if u.code not in ("TOTAL", "?") else u.name)
    return [
        name,
        num(u.signed, lang),
        num(u.verified, lang),
        num(u.failed, lang),
        num(u.indeterminate, lang),
        num(u.outgoing, lang),
        num(u.outgoing_both, lang),
        pct(u.share_both, lang),
        num(u.certificates_issued, lang),
        num(u.certificates_active, lang),
    ]


def _wave_cells(w: WaveProgress, lang: Lang) -> list[str]:
    when = ""
    if w.starts_on and w.ends_on:
        when = f"{w.starts_on:%d/%m/%Y} – {w.ends_on:%d/%m/%Y}"
    return [
        str(w.number), w.name, when, num(w.registered, lang), num(w.issued, lang),
        num(w.handed_over, lang), num(w.trained, lang), num(w.active, lang),
    ]


def _summary(report: UsageReport) -> list[Msg]:
    if report.evaluation:
        return report.evaluation
    from vbsign.registry.stats import evaluate

    return evaluate(report)


def _basis_note(report: UsageReport) -> Msg:
    if report.outgoing_basis == "send":
        return Msg("Văn bản đi được đếm theo sự kiện gửi văn bản của hệ thống QLVB.",
                   "Outgoing documents are counted from the DMS's send events.")
    return Msg("Văn bản đi được đếm theo các văn bản đã ký số (hệ thống chưa ghi sự kiện gửi).",
               "Outgoing documents are counted from signed documents (no send events recorded).")


def _chain_note(report: UsageReport) -> Msg:
    return Msg(
        "Nhật ký kiểm toán tại thời điểm lập báo cáo: bản ghi cuối #{s}, mã băm SHA-256 {h}.",
        "Audit log when this report was made: last record #{s}, SHA-256 hash {h}.",
    ).format(s=report.audit_head_seq, h=report.audit_head_hash)


# ---- JSON / CSV ----------------------------------------------------------------------------


def render_json(report: UsageReport) -> bytes:
    data = {"schema": JSON_SCHEMA, **report.to_dict()}
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def render_csv(report: UsageReport, lang: Lang) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([Msg("Mã đơn vị", "Unit code").get(lang)] + [label.get(lang) for _, label in UNIT_COLUMNS])
    for u in [*report.units, report.totals]:
        share = "" if u.share_both is None else f"{u.share_both * 100:.1f}"
        w.writerow(
            [u.code, u.name, u.signed, u.verified, u.failed, u.indeterminate, u.outgoing, u.outgoing_both, share,
             u.certificates_issued, u.certificates_active]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# ---- HTML ----------------------------------------------------------------------------------


_CSS = """
body{font-family:'Times New Roman','Liberation Serif',serif;margin:2em auto;max-width:1100px;color:#111}
h1{text-align:center;font-size:1.35em;margin:.8em 0 .2em}
.sub{text-align:center;margin:0 0 1.2em}
.hdr{display:flex;justify-content:space-between;text-align:center}
.hdr div{width:48%}
table{border-collapse:collapse;width:100%;margin:.6em 0 1.2em;font-size:.92em}
th,td{border:1px solid #444;padding:3px 6px}
th{background:#eee}
td.n{text-align:right}
tr.total td{font-weight:bold;background:#f6f6f6}
img{max-width:100%;display:block;margin:.5em auto}
.note{font-size:.85em;color:#444}
"""


def render_html(report: UsageReport, lang: Lang, charts: dict[str, bytes]) -> bytes:
    e = html.escape
    s = report.settings
    title = TITLES.get(report.kind, TITLES["usage"]).get(lang)
    out: list[str] = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{e(title)} — {e(report.period.label.get(lang))}</title><style>{_CSS}</style></head><body>",
        '<div class="hdr"><div>',
        f"{e(s.get('agency', '')).upper()}<br><b>{e(s.get('office', '')).upper()}</b></div><div>",
        "<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b>Độc lập - Tự do - Hạnh phúc</b>" if lang == "vi"
        else "<b>SOCIALIST REPUBLIC OF VIETNAM</b><br><b>Independence - Freedom - Happiness</b>",
        "</div></div>",
        f"<h1>{e(title)}</h1><p class=\"sub\">{e(report.period.label.get(lang))}</p>",
        f"<h2>{e(Msg('I. Kết quả chung', 'I. Summary').get(lang))}</h2><ul>",
    ]
    out += [f"<li>{e(m.get(lang))}</li>" for m in _summary(report)]
    out.append("</ul>")
    out.append(f"<h2>{e(Msg('II. Số liệu theo đơn vị', 'II. Figures by unit').get(lang))}</h2>")
    out.append(_html_table([label.get(lang) for _, label in UNIT_COLUMNS],
                           [_unit_cells(u, lang) for u in report.units], total=_unit_cells(report.totals, lang)))
    out.append(f"<p class=\"note\">{e(_basis_note(report).get(lang))}</p>")
    out.append(_img(charts.get("units"), Msg("Biểu đồ theo đơn vị", "Chart by unit").get(lang)))
    out.append(f"<h2>{e(Msg('III. Tiến độ triển khai theo đợt', 'III. Rollout progress by wave').get(lang))}</h2>")
    out.append(_html_table([label.get(lang) for _, label in WAVE_COLUMNS], [_wave_cells(w, lang) for w in report.waves]))
    out.append(_img(charts.get("waves"), Msg("Biểu đồ tiến độ", "Progress chart").get(lang)))
    out.append(f"<h2>{e(Msg('IV. Diễn biến trong kỳ', 'IV. Over the period').get(lang))}</h2>")
    out.append(_img(charts.get("trend"), Msg("Biểu đồ diễn biến", "Trend chart").get(lang)))
    out.append(f"<p class=\"note\">{e(_chain_note(report).get(lang))}</p>")
    out.append("</body></html>")
    return "\n".join(out).encode("utf-8")


def _html_table(head: Sequence[str], rows: Sequence[Sequence[str]], total: Sequence[str] | None = None) -> str:
    e = html.escape
    parts = ["<table><thead><tr>", *(f"<th>{e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in [*rows, *([total] if total else [])]:
        cls = ' class="total"' if total is not None and row is total else ""
        cells = "".join(
            f'<td class="n">{e(v)}</td>' if i else f"<td>{e(v).replace('  ', '&nbsp;&nbsp;&nbsp;')}</td>"
            for i, v in enumerate(row)
        )
        parts.append(f"<tr{cls}>{cells}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _img(png: bytes | None, alt: str) -> str:
    if not png:
        return ""
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


# ---- PDF -----------------------------------------------------------------------------------


def render_pdf(report: UsageReport, lang: Lang, charts: dict[str, bytes]) -> bytes:
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    import vbsign.registry.pdfkit as pdfkit  # start-up: reportlab
    from vbsign.registry.alerts import local_date

    st = pdfkit.styles()
    width = pdfkit.frame_width(landscape=True)
    s = report.settings
    title = TITLES.get(report.kind, TITLES["usage"]).get(lang)
    story: list[Any] = []
    if lang == "vi":
        story += pdfkit.header(s, local_date(report.generated_at), width=width)
    story.append(Paragraph(pdfkit.esc(title), st["title"]))
    story.append(Paragraph(pdfkit.esc(report.period.label.get(lang)), st["subtitle"]))
    story.append(Paragraph(pdfkit.esc(Msg("I. Kết quả chung", "I. Summary").get(lang)), st["h2"]))
    for m in _summary(report):
        story.append(Paragraph("– " + pdfkit.esc(m.get(lang)), st["base"]))
    story.append(Paragraph(pdfkit.esc(Msg("II. Số liệu theo đơn vị", "II. Figures by unit").get(lang)), st["h2"]))
    first = width * 0.25
    rest = (width - first) / (len(UNIT_COLUMNS) - 1)
    rows = [_unit_cells(u, lang) for u in report.units] + [_unit_cells(report.totals, lang)]
    rows = [[r[0].replace("  ", "\u00a0\u00a0\u00a0"), *r[1:]] for r in rows]
    story.append(
        pdfkit.data_table([label.get(lang) for _, label in UNIT_COLUMNS], rows,
                          [first] + [rest] * (len(UNIT_COLUMNS) - 1), numeric=range(1, len(UNIT_COLUMNS)))
    )
    story.append(Paragraph("<i>" + pdfkit.esc(_basis_note(report).get(lang)) + "</i>", st["small"]))
    story += _pdf_chart(charts.get("units"), width)
    story.append(Paragraph(pdfkit.esc(Msg("III. Tiến độ triển khai theo đợt", "III. Rollout progress by wave").get(lang)),
                           st["h2"]))
    widths = [1.2 * cm, width * 0.28, 4.6 * cm]
    rem = (width - sum(widths)) / 5
    story.append(
        pdfkit.data_table([label.get(lang) for _, label in WAVE_COLUMNS], [_wave_cells(w, lang) for w in report.waves],
                          widths + [rem] * 5, numeric=range(3, 8))
    )
    story += _pdf_chart(charts.get("waves"), width)
    story.append(Paragraph(pdfkit.esc(Msg("IV. Diễn biến trong kỳ", "IV. Over the period").get(lang)), st["h2"]))
    story += _pdf_chart(charts.get("trend"), width)
    story.append(Paragraph("<i>" + pdfkit.esc(_chain_note(report).get(lang)) + "</i>", st["small"]))
    if lang == "vi":
        story.append(Spacer(1, 12))
        story.append(
            KeepTogether(
                pdfkit.signature_blocks(
                    [("Người lập báo cáo", None), (s.get("signer_title") or "Thủ trưởng đơn vị", s.get("signer_name"))],
                    width=width,
                )
            )
        )
    return pdfkit.build(story, landscape=True, title=f"{title} — {report.period.label.get(lang)}")


def _pdf_chart(png: bytes | None, width: float) -> list[Any]:
    if not png:
        return []
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image, KeepTogether

    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    scale = min(width * 0.85 / w, 11 * 28.35 / h)
    return [KeepTogether([Image(io.BytesIO(png), width=w * scale, height=h * scale)])]


# ---- entry point -----------------------------------------------------------------------------


def make_charts(report: UsageReport) -> dict[str, bytes]:
    from vbsign.registry.charts import trend_chart, units_chart, waves_chart  # start-up: matplotlib

    return {"units": units_chart(report), "trend": trend_chart(report), "waves": waves_chart(report.waves)}


def render_report(
    report: UsageReport, fmt: str, out: str | os.PathLike[str] | None = None, *, lang: str | None = None
) -> bytes:
    """Render ``report`` as ``pdf``, ``html``, ``json`` or ``csv``; write it atomically to
    ``out`` when given. Returns the bytes."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise RegistryError(
            Msg("Định dạng không hỗ trợ: {f} (pdf, html, json, csv).", "Unsupported format: {f} (pdf, html, json, csv).").format(
                f=fmt
            )
        )
    with use_lang(lang or current_lang()) as chosen:
        renderers: dict[str, Callable[[], bytes]] = {
            "json": lambda: render_json(report),
            "csv": lambda: render_csv(report, chosen),
            "html": lambda: render_html(report, chosen, make_charts(report)),
            "pdf": lambda: render_pdf(report, chosen, make_charts(report)),
        }
        data = renderers[fmt]()
    if out is not None:
        atomic_write(Path(out), data, private=True)  # names people and units: owner only
    return data
