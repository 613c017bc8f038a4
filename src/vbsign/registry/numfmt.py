"""Numbers in Vietnamese (``1.234``, ``85,3%``) and English (``1,234``, ``85.3%``) text."""

from __future__ import annotations

from dataclasses import dataclass

from vbsign._core.i18n import Lang, Msg


def num(n: int, lang: Lang) -> str:
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "vi" else text


def pct(x: float | None, lang: Lang) -> str:
    if x is None:
        return "—"
    text = f"{x * 100:.1f}%"
    return text.replace(".", ",") if lang == "vi" else text


@dataclass(frozen=True)
class Pct:
    """A share (0..1) to be written as a percentage."""

    value: float | None


def msg(vi: str, en: str, **values: object) -> Msg:
    """``Msg(vi, en).format(**values)`` writing ints and :class:`Pct` per language."""

    def render(lang: Lang) -> dict[str, str]:
        out = {}
        for k, v in values.items():
            if isinstance(v, Pct):
                out[k] = pct(v.value, lang)
            elif isinstance(v, int) and not isinstance(v, bool):
                out[k] = num(v, lang)
            elif isinstance(v, Msg):
                out[k] = v.get(lang)
            else:
                out[k] = str(v)
        return out

    return Msg(vi.format(**render("vi")), en.format(**render("en")))
