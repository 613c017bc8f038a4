"""Per-agency appearance defaults, read from a small TOML file.

A ministry IT centre writes one file per agency (or per unit) and clerks point
``vbsign sign --appearance-config FILE`` at it::

    # vbsign-appearance.toml
    agency_name = "Bộ Khoa học và Công nghệ"
    seal_image = "con-dau-bkhcn.png"      # relative to this file
    seal_diameter_mm = 36                 # the real seal's diameter
    copy_form = "SAO Y"
    # font = "/usr/share/fonts/truetype/msttcorefonts/times.ttf"
    # signature_image = "chu-ky.png"      # usually per person, given with --image
    # person_text = true                  # text block under the person's signature

Unknown keys are refused (a typo would otherwise be silently ignored), and so are
wrong types and impossible sizes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from vbsign._core.bounds import APPEARANCE_FILE, loads_toml, read_bounded
from vbsign._core.errors import ConfigurationError
from vbsign._core.i18n import Msg

#: a realistic default when the configuration does not say (Vietnamese seals: 30–45 mm)
DEFAULT_SEAL_DIAMETER_MM = 36.0


@dataclass(frozen=True)
class AgencyConfig:
    """Appearance defaults of one agency (every field optional)."""

    agency_name: str | None = None
    seal_image: Path | None = None
    seal_diameter_mm: float = DEFAULT_SEAL_DIAMETER_MM
    signature_image: Path | None = None
    copy_form: str | None = None
    font: Path | None = None
    person_text: bool = True

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AgencyConfig:
        p = Path(path)
        data = read_bounded(p, APPEARANCE_FILE, ConfigurationError)  # size checked before reading
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ConfigurationError(
                Msg("Tệp cấu hình {p} không hợp lệ: {e}", "Invalid configuration file {p}: {e}").format(p=p, e=e)
            ) from e
        raw = loads_toml(text, str(p), APPEARANCE_FILE, ConfigurationError)
        return cls.from_dict(raw, base=p.parent, source=str(p))

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, base: Path | None = None, source: str = "<config>") -> AgencyConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigurationError(
                Msg(
                    "Tệp cấu hình {s}: khóa không hợp lệ {k} (hợp lệ: {ok}).",
                    "Configuration {s}: unknown key(s) {k} (valid: {ok}).",
                ).format(s=source, k=", ".join(unknown), ok=", ".join(sorted(known)))
            )
        values: dict[str, Any] = {}
        for key in ("agency_name", "copy_form"):
            if key in raw:
                values[key] = _str(raw[key], key, source)
        for key in ("seal_image", "signature_image", "font"):
            if key in raw:
                p = Path(_str(raw[key], key, source)).expanduser()
                values[key] = p if p.is_absolute() or base is None else base / p
        if "seal_diameter_mm" in raw:
            d = raw["seal_diameter_mm"]
            if isinstance(d, bool) or not isinstance(d, (int, float)) or not 10 <= float(d) <= 80:
                raise ConfigurationError(
                    Msg(
                        "Tệp cấu hình {s}: seal_diameter_mm phải là số từ 10 đến 80 (mm), không phải {d!r}.",
                        "Configuration {s}: seal_diameter_mm must be a number from 10 to 80 (mm), not {d!r}.",
                    ).format(s=source, d=d)
                )
            values["seal_diameter_mm"] = float(d)
        if "person_text" in raw:
            if not isinstance(raw["person_text"], bool):
                raise ConfigurationError(
                    Msg(
                        "Tệp cấu hình {s}: person_text phải là true hoặc false.",
                        "Configuration {s}: person_text must be true or false.",
                    ).format(s=source)
                )
            values["person_text"] = raw["person_text"]
        return cls(**values)


def _str(value: Any, key: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            Msg(
                "Tệp cấu hình {s}: {k} phải là một chuỗi không rỗng.",
                "Configuration {s}: {k} must be a non-empty string.",
            ).format(s=source, k=key)
        )
    return value.strip()
