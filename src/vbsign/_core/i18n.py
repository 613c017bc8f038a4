"""Bilingual (Vietnamese first, English second) user-facing text.

Every user-facing string in vbsign exists in both languages. Vietnamese is the default;
``VBSIGN_LANG=en`` or the CLI's ``--lang en`` switch to English. Code never formats a
message in one language only: it builds a :class:`Msg` and lets the renderer choose.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

_current: ContextVar[Lang | None] = ContextVar("vbsign_lang", default=None)


@dataclass(frozen=True)
class Msg:
    """A message in Vietnamese and English."""

    vi: str
    en: str

    def get(self, lang: Lang | None = None) -> str:
        return self.en if (lang or current_lang()) == "en" else self.vi

    def format(self, **kwargs: object) -> Msg:
        return Msg(self.vi.format(**kwargs), self.en.format(**kwargs))

    def __str__(self) -> str:
        return self.get()


def normalise_lang(value: str | None) -> Lang:
    if value and value.lower().startswith("en"):
        return "en"
    return "vi"


def current_lang() -> Lang:
    """The language in force: the innermost :func:`use_lang`, else ``VBSIGN_LANG``, else vi."""
    lang = _current.get()
    if lang is not None:
        return lang
    return normalise_lang(os.environ.get("VBSIGN_LANG"))


@contextmanager
def use_lang(lang: str | None) -> Iterator[Lang]:
    token = _current.set(normalise_lang(lang))
    try:
        yield normalise_lang(lang)
    finally:
        _current.reset(token)


def set_lang(lang: str | None) -> None:
    """Set the language for the rest of this context (the CLI calls this once)."""
    _current.set(normalise_lang(lang))


__all__ = ["LANGS", "Lang", "Msg", "current_lang", "normalise_lang", "set_lang", "use_lang"]
