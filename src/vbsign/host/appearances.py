"""The Decree 30/2020 appearances ``on_send`` applies by default.

An official document carries *visible* signatures (Decree 30/2020 Appendix I): the competent
person's blue signature image between the title and the name, and the agency's red seal over
the left third of it. ``on_send`` therefore builds them from the host's configuration
(:attr:`SendContext.appearance <vbsign.host.SendContext.appearance>`, an
:class:`~vbsign.appearance.AgencyConfig`: signature image, seal image and size, font) unless
the host passes its own appearances or asks for invisible signatures (``visible=False``):

* person: the signature image (text only, with a warning, when none is configured) placed
  by text anchor — in the blank above the signer's name as printed on the document; the
  text block names the signer, the position (``person_title``: real certificates carry no
  title), the unit and the +07:00 signing time;
* agency: the seal at its real size over the left third of the person's signature image;
  without a seal image the agency signature stays invisible and the outgoing policy says
  so (ND30-03).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vbsign.appearance.config import AgencyConfig
from vbsign.appearance.roles import Appearance

if TYPE_CHECKING:
    from vbsign.appearance.spec import AppearanceProvider
    from vbsign.host.types import SendContext


def default_appearances(context: SendContext) -> tuple[AppearanceProvider | None, AppearanceProvider | None]:
    """(person, seal) appearance providers for ``context``; the host's own ones win."""
    person, seal = context.person_appearance, context.seal_appearance
    if not context.visible:
        return person, seal

    config = context.appearance or AgencyConfig()
    if person is None and context.person is not None:
        person = Appearance.person(
            config.signature_image,
            show_text=config.person_text or config.signature_image is None,
            title=context.person_title,
            font=config.font,
        )
    if seal is None and config.seal_image is not None:
        seal = Appearance.agency(config.seal_image, diameter_mm=config.seal_diameter_mm)
    return person, seal
