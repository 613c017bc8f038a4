"""Bilingual text (public path): :class:`Msg` — Vietnamese first, English second.

Plugin and rule authors build messages with ``from vbsign.i18n import Msg``; the
implementation lives in :mod:`vbsign.i18n` (the base layer, ``docs/architecture.rst``).
"""

from vbsign._core.i18n import LANGS, Lang, Msg, current_lang, normalise_lang, set_lang, use_lang

__all__ = ["LANGS", "Lang", "Msg", "current_lang", "normalise_lang", "set_lang", "use_lang"]
