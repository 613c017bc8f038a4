"""The interface between appearances and PAdES signing: what a visible signature looks like.

An :data:`AppearanceProvider` (such as :class:`vbsign.appearance.Appearance`) gets the
document, the signer's certificate and the signing time and returns an
:class:`AppearanceSpec` — where the signature goes and the pyHanko stamp style that draws
it. :mod:`vbsign.formats.pades.sign` calls it; it knows nothing of roles or layouts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import BaseStampStyle


@dataclass(frozen=True)
class AppearanceSpec:
    """A resolved visible appearance: where, and which pyHanko stamp style."""

    page: int
    box: tuple[float, float, float, float]
    stamp_style: BaseStampStyle
    text_params: dict[str, Any] = field(default_factory=dict)


#: An appearance provider gets the document, the signer's certificate and the signing
#: time and returns the resolved appearance (see :mod:`vbsign.appearance`).
AppearanceProvider = Callable[[PdfFileReader, x509.Certificate, datetime], AppearanceSpec]


__all__ = ["AppearanceProvider", "AppearanceSpec"]
