"""Visible signatures as Decree 30/2020/NĐ-CP Appendix I prescribes.

>>> from vbsign.appearance import Appearance
>>> leader = Appearance.person("chu-ky.png")                 # above the signer's name
>>> seal = Appearance.agency("con-dau.png", diameter_mm=36)   # over the left third of it
>>> signer.sign("in.pdf", "out.pdf", appearance=leader)

See :mod:`vbsign.appearance.roles` for the roles, :mod:`~vbsign.appearance.placement` for
placement rules, :mod:`~vbsign.appearance.config` for per-agency defaults and
:mod:`~vbsign.appearance.spec` for the interface PAdES signing calls. Names are imported on
first use: an invisible signature, which only needs :mod:`~vbsign.appearance.spec`, loads no
image, font or text machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    "AgencyConfig": "vbsign.appearance.config",
    "Anchor": "vbsign.appearance.placement",
    "Appearance": "vbsign.appearance.roles",
    "AppearanceProvider": "vbsign.appearance.spec",
    "AppearanceSpec": "vbsign.appearance.spec",
    "At": "vbsign.appearance.placement",
    "ImageKind": "vbsign.appearance.images",
    "InField": "vbsign.appearance.placement",
    "InkImage": "vbsign.appearance.images",
    "OverSignature": "vbsign.appearance.placement",
    "PlacementRule": "vbsign.appearance.placement",
    "Role": "vbsign.appearance.roles",
    "TopRight": "vbsign.appearance.placement",
    "build_appearance": "vbsign.appearance.roles",
    "load_image": "vbsign.appearance.images",
}

__all__ = [
    "AgencyConfig",
    "Anchor",
    "Appearance",
    "AppearanceProvider",
    "AppearanceSpec",
    "At",
    "ImageKind",
    "InField",
    "InkImage",
    "OverSignature",
    "PlacementRule",
    "Role",
    "TopRight",
    "build_appearance",
    "load_image",
]

if TYPE_CHECKING:  # pragma: no cover
    from vbsign.appearance.config import AgencyConfig
    from vbsign.appearance.images import ImageKind, InkImage, load_image
    from vbsign.appearance.placement import (
        Anchor,
        At,
        InField,
        OverSignature,
        PlacementRule,
        TopRight,
    )
    from vbsign.appearance.roles import Appearance, Role, build_appearance
    from vbsign.appearance.spec import AppearanceProvider, AppearanceSpec


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vbsign.appearance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
