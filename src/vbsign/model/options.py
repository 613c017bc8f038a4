"""The named choices of the public API: signature levels, validation times, formats,
XAdES packagings and transforms.

Each is a ``str`` enum, so ``Level.B_LT == "B-LT"`` and a member goes wherever a string
went before. Plain strings stay accepted, case-insensitively (``"b-lt"``, ``"LT"``,
``"Detached"``); anything else is an :class:`~vbsign.errors.InputError` naming the
allowed values, in Vietnamese and English. The roles of a visible signature (person,
agency, attachment, copy) are :class:`vbsign.appearance.Role`.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TypeVar

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg

_E = TypeVar("_E", bound="Choice")


class Choice(str, Enum):
    """A named choice that also accepts its plain string (case-insensitive)."""

    @classmethod
    def _aliases(cls) -> dict[str, str]:
        return {}

    @classmethod
    def _what(cls) -> Msg:
        return Msg("giá trị", "value")

    @classmethod
    def parse(cls: type[_E], value: _E | str) -> _E:
        """``value`` as a member: a member, its value or an accepted alias, any case."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            key = cls._aliases().get(key, key)
            for member in cls:
                if member.value.lower() == key:
                    return member
        allowed = ", ".join(m.value for m in cls)
        what = cls._what()
        raise InputError(
            Msg(
                f"{what.vi[:1].upper()}{what.vi[1:]} không hợp lệ: {{v}} (chọn một trong: {{ok}}).",
                f"Invalid {what.en}: {{v}} (choose one of: {{ok}}).",
            ).format(v=value, ok=allowed),
            details={"value": str(value), "allowed": [m.value for m in cls]},
        )

    def __str__(self) -> str:
        return str(self.value)


class Level(Choice):
    """The baseline level of a new signature (ETSI EN 319 142-1 / 319 132-1 / 319 122-1)."""

    #: basic signature
    B_B = "B-B"
    #: with a signature timestamp (a proven signing time)
    B_T = "B-T"
    #: with the validation data (certificates, OCSP/CRL) for long-term validation
    B_LT = "B-LT"
    #: B-LT plus a document timestamp (PDF only)
    B_LTA = "B-LTA"

    @classmethod
    def _aliases(cls) -> dict[str, str]:
        # "LT", "b_lt", "blt" …: what the CLI has always accepted
        return {alias: m.value.lower() for m in cls for alias in _level_spellings(m.value)}

    @classmethod
    def _what(cls) -> Msg:
        return Msg("mức chữ ký", "signature level")


def _level_spellings(value: str) -> list[str]:
    tail = value[2:].lower()  # "lt" of "B-LT"
    return [tail, f"b_{tail}", f"b{tail}"]


class ValidationTime(Choice):
    """When certificates are judged: at the (proven) signing time — Vietnamese law asks
    whether the certificate was valid when the document was signed — or now. A
    :class:`~datetime.datetime` may be given instead: "now" at that moment."""

    SIGNING = "signing"
    NOW = "now"

    @classmethod
    def _what(cls) -> Msg:
        return Msg("thời điểm kiểm tra", "validation time")


class SignatureFormat(Choice):
    """The signature format of a new signature (``None``/auto: chosen from the content)."""

    #: PAdES, inside the PDF
    PDF = "pdf"
    #: XAdES, in or next to the XML
    XML = "xml"
    #: XAdES over an edXML envelope (QCVN 102:2016)
    EDXML = "edxml"
    #: CAdES, a ``.p7s`` for any file
    CADES = "cades"

    @classmethod
    def _aliases(cls) -> dict[str, str]:
        return {"pades": "pdf", "xades": "xml", "cms": "cades", "p7s": "cades", "p7m": "cades"}

    @classmethod
    def _what(cls) -> Msg:
        return Msg("định dạng chữ ký", "signature format")


class Packaging(Choice):
    """Where a XAdES signature sits relative to what it signs."""

    #: inside the signed XML document
    ENVELOPED = "enveloped"
    #: the content inside the signature
    ENVELOPING = "enveloping"
    #: a separate signature file
    DETACHED = "detached"

    @classmethod
    def _what(cls) -> Msg:
        return Msg("kiểu đóng gói XAdES", "XAdES packaging")


class XadesTransform(Choice):
    """How an enveloped XAdES signature excludes itself from what it signs."""

    #: the enveloped-signature transform (XML-DSig)
    ENVELOPED = "enveloped"
    #: XPath Filter 2.0 (subtract every signature; what edXML exchanges expect)
    FILTER2 = "filter2"

    @classmethod
    def _what(cls) -> Msg:
        return Msg("phép biến đổi XAdES", "XAdES transform")


def validation_moment(
    at: ValidationTime | str | datetime, now: datetime | None
) -> tuple[str, datetime | None]:
    """``at`` as the (mode, now) pair the formats take: a datetime means "now" at that moment."""
    if isinstance(at, datetime):
        return ValidationTime.NOW.value, at
    return ValidationTime.parse(at).value, now


def optional_choice(cls: type[_E], value: _E | str | None) -> str | None:
    """The plain value of an optional choice (``None`` stays ``None``)."""
    return None if value is None else cls.parse(value).value


__all__ = [
    "Choice",
    "Level",
    "Packaging",
    "SignatureFormat",
    "ValidationTime",
    "XadesTransform",
    "optional_choice",
    "validation_moment",
]
