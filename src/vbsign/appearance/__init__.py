"""Visible signatures as Decree 30/2020/NĐ-CP Appendix I prescribes.

>>> from vbsign.appearance import Appearance
>>> leader = Appearance.person("chu-ky.png")                 # above the signer's name
>>> seal = Appearance.agency("con-dau.png", diameter_mm=36)   # over the left third of it
>>> signer.sign("in.pdf", "out.pdf", appearance=leader)

See :mod:`vbsign.appearance.roles` for the roles, :mod:`~vbsign.appearance.placement` for
placement rules and :mod:`~vbsign.appearance.config` for per-agency defaults.
"""

from __future__ import annotations

from vbsign.appearance.config import AgencyConfig
from vbsign.appearance.images import ImageKind, InkImage, load_image
from vbsign.appearance.placement import Anchor, At, InField, OverSignature, PlacementRule, TopRight
from vbsign.appearance.roles import Appearance, Role, build_appearance

__all__ = [
    "AgencyConfig",
    "Anchor",
    "Appearance",
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
