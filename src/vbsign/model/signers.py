"""Who a signer is: a natural person (the competent person's personal key) or an
organisation (the agency's seal key), and what a record outside the certificate says about it.

Plain values shared by the policy rules (:mod:`vbsign.policy.facts`) and the plugins that
know signers (``vbsign_signer_class``: the certificate registry).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vbsign._core.i18n import Msg

#: natural person (the competent person's personal key) or organisation (the agency's seal key)
Role = Literal["person", "organisation"]
ROLES: tuple[Role, ...] = ("person", "organisation")
#: accepted spellings of the roles (policy files, CLI)
ROLE_ALIASES: dict[str, Role] = {
    "person": "person",
    "ca-nhan": "person",
    "cá nhân": "person",
    "individual": "person",
    "organisation": "organisation",
    "organization": "organisation",
    "agency": "organisation",
    "seal": "organisation",
    "co-quan": "organisation",
    "cơ quan": "organisation",
}
ROLE_TEXT: dict[str, Msg] = {
    "person": Msg("cá nhân (người có thẩm quyền)", "natural person (competent person)"),
    "organisation": Msg("cơ quan, tổ chức (con dấu)", "organisation (agency seal)"),
    "unknown": Msg("chưa xác định", "unknown"),
}


@dataclass(frozen=True)
class SignerRecord:
    """What a record outside the certificate says a signer is (the certificate registry's
    subscriber, another plugin's answer to ``vbsign_signer_class``).

    ``kind`` is ``"unknown"`` when the records disagree (e.g. two plugins answer differently).
    """

    kind: Literal["person", "organisation", "unknown"]
    #: who recorded it, e.g. "sổ đăng ký chứng thư / certificate registry" or a plugin name
    source: str
    detail: Msg | None = None


__all__ = ["ROLES", "ROLE_ALIASES", "ROLE_TEXT", "Role", "SignerRecord"]
