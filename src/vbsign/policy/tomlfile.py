"""Policy files (TOML): an agency's adjustments to a profile, with errors naming key and line.

Example (every table is optional except ``[policy]``)::

    [policy]
    extends = "tt41"                  # tt41, cdcv, public, auto, or a registered profile
    name = "bkhcn-van-ban-di"
    title_vi = "Văn bản đi của Bộ KH&CN"
    title_en = "Outgoing documents of MOST"

    [levels]                          # FAIL | WARN | INFORM | IGNORE per rule id
    "TT15-06" = "IGNORE"
    "ND30-01" = "FAIL"

    [anchors]                         # extra roots, by SHA-256 fingerprint (never official)
    cdcv = ["5D:B4:89:…"]
    national = []

    [classification]                  # what the agency knows about its certificates
    person = ["<fingerprint>", …]
    organisation = ["<fingerprint>", …]
    person_policies = ["<policy OID>", …]
    organisation_policies = ["<policy OID>", …]
    person_issuers = ["<issuing CA fingerprint>", …]      # every subscriber of that CA
    organisation_issuers = ["<issuing CA fingerprint>", …]

    [expectations]
    signatures = ["person", "agency"] # roles in signing order
    min_level = "B-LT"
    direction = "outgoing"            # outgoing | incoming
    document_kind = "main"            # main | attachment | copy
    official = true                   # official documents of a state agency ('auto': official rules)

    [auto]
    tt41_until = 2026-11-15           # or false: TT 41/2017 never ends for 'auto'

    [key_devices]                     # validations of key devices (rule TT15-10)
    "SafeNet eToken 5110" = "FIPS 140-2 level 3 (#3882)"
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vbsign._core.bounds import POLICY_FILE, loads_toml, read_bounded
from vbsign._core.errors import PolicyError
from vbsign._core.i18n import Msg
from vbsign.model.signers import Role
from vbsign.policy.classify import ClassificationConfig
from vbsign.policy.facts import (
    DIRECTIONS,
    DOCUMENT_KINDS,
    Expectations,
    normalise_level_name,
    parse_role,
)
from vbsign.policy.model import Level
from vbsign.policy.policy import PolicySettings
from vbsign.policy.registry import PolicyRegistry
from vbsign.policy.roots import AnchorBook, Hierarchy, normalise_fingerprint

_SCHEMA: dict[str, set[str] | None] = {
    "policy": {"extends", "name", "title_vi", "title_en", "description"},
    "levels": None,  # any rule id
    "anchors": {"cdcv", "national", "names"},
    "classification": {
        "person", "organisation", "person_policies", "organisation_policies", "person_issuers", "organisation_issuers",
    },
    "expectations": {"signatures", "min_level", "direction", "document_kind", "official"},
    "auto": {"tt41_until"},
    "key_devices": None,  # any device text → its validation
}
_OID = re.compile(r"^[0-2](\.\d+)+$")


@dataclass(frozen=True)
class PolicySpec:
    """A parsed policy file: the profile it extends and the settings it adds."""

    extends: str
    settings: PolicySettings


class _Locator:
    """Finds the line of ``table.key`` in TOML source (good enough for error messages)."""

    _part = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)"""
    _header = re.compile(r"^\s*\[\s*(" + _part + r"(?:\s*\.\s*" + _part + r")*)\s*\]\s*(#.*)?$")
    _key = re.compile(r"^\s*(" + _part + r"(?:\s*\.\s*" + _part + r")*)\s*=")
    _split = re.compile(_part)

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    @classmethod
    def _parts(cls, dotted: str) -> tuple[str, ...]:
        out = []
        for m in cls._split.finditer(dotted):
            k = m.group(0)
            out.append(k[1:-1] if k[0] in "\"'" else k)
        return tuple(out)

    def line(self, table: str | None, key: str | None = None) -> int | None:
        target = (*(table.split(".") if table else ()), *((key,) if key is not None else ()))
        current: tuple[str, ...] = ()
        for i, raw in enumerate(self.lines, start=1):
            m = self._header.match(raw)
            if m:
                current = self._parts(m.group(1))
                if key is None and current == target:
                    return i
                continue
            mk = self._key.match(raw)
            if mk and key is not None:
                full = (*current, *self._parts(mk.group(1)))
                if full[: len(target)] == target:  # the key itself, or a dotted key below it
                    return i
        return None


def _err(path: str, loc: _Locator, table: str | None, key: str | None, vi: str, en: str) -> PolicyError:
    line = loc.line(table, key) or (loc.line(table) if table else None)
    where_key = ".".join(p for p in (table, key) if p)
    where = f"{path}" + (f", dòng {line}" if line else "")
    where_en = f"{path}" + (f", line {line}" if line else "")
    return PolicyError(
        Msg(f"{where}: khóa '{where_key}': {vi}", f"{where_en}: key '{where_key}': {en}"),
        details={"file": path, "key": where_key, "line": line},
    )


def parse_policy_text(text: str, source: str, registry: PolicyRegistry) -> PolicySpec:
    """Parse and check a policy file's text; every error names the key and the line.

    The tables are checked in file-format order (schema, [policy], [levels], [anchors],
    [classification], [expectations], [key_devices], [auto]); the first error is raised."""
    # bounded first (size, entries, nesting): a policy file can come from anywhere
    data = loads_toml(text, source, POLICY_FILE, PolicyError)
    loc = _Locator(text)
    _check_schema(data, source, loc)
    extends, name, title = _policy_table(data, source, loc, registry)
    settings = PolicySettings(
        name=name,
        title=title,
        levels=_levels_table(data, source, loc, registry),
        anchors=_anchors_table(data, source, loc),
        classification=_classification_table(data, source, loc),
        expectations=_expectations_table(data, source, loc),
        key_devices=_key_devices_table(data, source, loc),
        source=source,
    )
    return PolicySpec(extends=extends, settings=_auto_table(data, source, loc, settings))


def _check_schema(data: Mapping[str, Any], source: str, loc: _Locator) -> None:
    """Only the known tables and keys (a misspelling gets a "did you mean")."""
    for table, value in data.items():
        if table not in _SCHEMA:
            hint = difflib.get_close_matches(table, _SCHEMA, n=1)
            raise _err(
                source, loc, table, None,
                f"bảng không được hỗ trợ [{table}]" + (f" (ý bạn là [{hint[0]}]?)" if hint else ""),
                f"unsupported table [{table}]" + (f" (did you mean [{hint[0]}]?)" if hint else ""),
            )  # fmt: skip
        if not isinstance(value, dict):
            raise _err(source, loc, None, table, "phải là một bảng [..]", "must be a table [..]")
        allowed = _SCHEMA[table]
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    hint = difflib.get_close_matches(key, allowed, n=1)
                    raise _err(
                        source, loc, table, key,
                        "khóa không được hỗ trợ" + (f" (ý bạn là '{hint[0]}'?)" if hint else ""),
                        "unsupported key" + (f" (did you mean '{hint[0]}'?)" if hint else ""),
                    )  # fmt: skip


def _policy_table(
    data: Mapping[str, Any], source: str, loc: _Locator, registry: PolicyRegistry
) -> tuple[str, str, Msg | None]:
    """[policy]: the profile it extends (must exist), its name and title."""
    pol = data.get("policy")
    if pol is None:
        raise PolicyError(
            Msg(f"{source}: thiếu bảng [policy] (với khóa extends).", f"{source}: missing the [policy] table (with an 'extends' key)."),
            details={"file": source, "key": "policy"},
        )
    extends = _str(pol, "extends", source, loc, "policy", required=True)
    assert extends is not None
    if extends not in {p.name for p in registry.profiles()}:
        known = sorted(p.name for p in registry.profiles())
        raise _err(source, loc, "policy", "extends", f"không có hồ sơ '{extends}' (có: {', '.join(known)})", f"no profile '{extends}' (available: {', '.join(known)})")
    name = _str(pol, "name", source, loc, "policy") or Path(source).stem
    tvi = _str(pol, "title_vi", source, loc, "policy")
    ten = _str(pol, "title_en", source, loc, "policy")
    title = Msg(tvi or ten or name, ten or tvi or name) if (tvi or ten) else None
    return extends, name, title


def _levels_table(data: Mapping[str, Any], source: str, loc: _Locator, registry: PolicyRegistry) -> dict[str, Level]:
    """[levels]: rule id = FAIL | WARN | INFORM | IGNORE, for rules that exist."""
    levels: dict[str, Level] = {}
    for rid, raw in (data.get("levels") or {}).items():
        if not registry.has_rule(rid):
            hint = difflib.get_close_matches(rid, [r.id for r in registry.rules()], n=1)
            raise _err(
                source, loc, "levels", rid,
                "không có quy tắc này" + (f" (ý bạn là '{hint[0]}'?)" if hint else ""),
                "no such rule" + (f" (did you mean '{hint[0]}'?)" if hint else ""),
            )  # fmt: skip
        if not isinstance(raw, str):
            raise _err(source, loc, "levels", rid, "mức phải là chuỗi FAIL, WARN, INFORM hoặc IGNORE", "the level must be the string FAIL, WARN, INFORM or IGNORE")
        try:
            levels[rid] = Level.parse(raw)
        except ValueError:
            raise _err(source, loc, "levels", rid, f"mức '{raw}' không hợp lệ (FAIL, WARN, INFORM, IGNORE)", f"invalid level '{raw}' (FAIL, WARN, INFORM, IGNORE)") from None
    return levels


def _anchors_table(data: Mapping[str, Any], source: str, loc: _Locator) -> AnchorBook:
    """[anchors]: the configured CDCV and national root fingerprints, with names."""
    anchors = AnchorBook()
    at = data.get("anchors") or {}
    names_raw = at.get("names") or {}
    if not isinstance(names_raw, dict):
        raise _err(source, loc, "anchors", "names", "phải là bảng {dấu vân tay = tên}", "must be a table {fingerprint = name}")
    names: dict[str, str] = {}
    for fp, nm in names_raw.items():
        try:
            names[normalise_fingerprint(fp)] = str(nm)
        except ValueError:
            raise _err(source, loc, "anchors", "names", f"dấu vân tay không hợp lệ: {fp}", f"invalid fingerprint: {fp}") from None
    hierarchy: Hierarchy
    for hierarchy in ("cdcv", "national"):
        fps = _str_list(at, hierarchy, source, loc, "anchors")
        try:
            anchors = anchors.with_configured(hierarchy, fps, source=source, names=names)
        except ValueError as e:
            raise _err(source, loc, "anchors", hierarchy, f"dấu vân tay SHA-256 không hợp lệ ({e})", f"invalid SHA-256 fingerprint ({e})") from None
    return anchors


def _classification_table(data: Mapping[str, Any], source: str, loc: _Locator) -> ClassificationConfig:
    """[classification]: person/organisation certificates by fingerprint, issuer or policy OID."""
    ct = data.get("classification") or {}
    by_fp: dict[str, Role] = {}
    by_oid: dict[str, Role] = {}
    by_issuer: dict[str, Role] = {}
    for key, role in (("person", "person"), ("organisation", "organisation")):
        for table_key, target in ((key, by_fp), (f"{key}_issuers", by_issuer)):
            for fp in _str_list(ct, table_key, source, loc, "classification"):
                try:
                    target[normalise_fingerprint(fp)] = role  # type: ignore[assignment]
                except ValueError:
                    raise _err(source, loc, "classification", table_key, f"dấu vân tay SHA-256 không hợp lệ: {fp}", f"invalid SHA-256 fingerprint: {fp}") from None
        for oid in _str_list(ct, f"{key}_policies", source, loc, "classification"):
            if not _OID.match(oid):
                raise _err(source, loc, "classification", f"{key}_policies", f"OID không hợp lệ: {oid}", f"invalid OID: {oid}")
            by_oid[oid] = role  # type: ignore[assignment]
    return ClassificationConfig(by_fp, by_oid, by_issuer)


def _expectations_table(data: Mapping[str, Any], source: str, loc: _Locator) -> Expectations:
    """[expectations]: what the host expects of the document (roles, level, direction…)."""
    et = data.get("expectations") or {}
    roles: tuple[Role, ...] | None = None
    if "signatures" in et:
        try:
            roles = tuple(parse_role(r) for r in _str_list(et, "signatures", source, loc, "expectations"))
        except ValueError as e:
            raise _err(source, loc, "expectations", "signatures", f"vai trò không hợp lệ ({e}); dùng person hoặc agency", f"invalid role ({e}); use person or agency") from None
    min_level = _str(et, "min_level", source, loc, "expectations")
    if min_level is not None:
        try:
            min_level = normalise_level_name(min_level)
        except ValueError:
            raise _err(source, loc, "expectations", "min_level", f"mức '{min_level}' không hợp lệ (B-B, B-T, B-LT, B-LTA)", f"invalid level '{min_level}' (B-B, B-T, B-LT, B-LTA)") from None
    direction = _choice(et, "direction", DIRECTIONS, source, loc, "expectations")
    kind = _choice(et, "document_kind", DOCUMENT_KINDS, source, loc, "expectations")
    official = et.get("official")
    if official is not None and not isinstance(official, bool):
        raise _err(source, loc, "expectations", "official", "phải là true hoặc false", "must be true or false")
    return Expectations(direction=direction, kind=kind, roles=roles, min_level=min_level, official=official)  # type: ignore[arg-type]


def _key_devices_table(data: Mapping[str, Any], source: str, loc: _Locator) -> dict[str, str]:
    """[key_devices]: certificate-text needle = the key device's certification statement."""
    devices: dict[str, str] = {}
    for needle, statement in (data.get("key_devices") or {}).items():
        if not isinstance(statement, str) or not statement.strip():
            raise _err(source, loc, "key_devices", needle, "phải là chuỗi, vd. \"FIPS 140-2 level 3\"", "must be a string, e.g. \"FIPS 140-2 level 3\"")
        devices[str(needle)] = statement.strip()
    return devices


def _auto_table(data: Mapping[str, Any], source: str, loc: _Locator, settings: PolicySettings) -> PolicySettings:
    """[auto]: ``tt41_until`` (a date, or false) for the ``auto`` profile."""
    auto = data.get("auto") or {}
    if "tt41_until" in auto:
        v = auto["tt41_until"]
        if v is False:
            settings = _replace(settings, tt41_until=None, tt41_until_source="configured")
        elif isinstance(v, date) and not hasattr(v, "hour"):
            settings = _replace(settings, tt41_until=v, tt41_until_source="configured")
        else:
            raise _err(source, loc, "auto", "tt41_until", "phải là một ngày (YYYY-MM-DD, không đặt trong dấu nháy) hoặc false", "must be a date (YYYY-MM-DD, unquoted) or false")
    return settings


def _replace(s: PolicySettings, **kw: Any) -> PolicySettings:
    from dataclasses import replace

    return replace(s, **kw)


def _str(table: Mapping[str, Any], key: str, source: str, loc: _Locator, tname: str, *, required: bool = False) -> str | None:
    if key not in table:
        if required:
            raise _err(source, loc, tname, key, "bắt buộc nhưng không có", "is required but missing")
        return None
    v = table[key]
    if not isinstance(v, str) or not v.strip():
        raise _err(source, loc, tname, key, "phải là chuỗi không rỗng", "must be a non-empty string")
    return v.strip()


def _str_list(table: Mapping[str, Any], key: str, source: str, loc: _Locator, tname: str) -> list[str]:
    v = table.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _err(source, loc, tname, key, "phải là danh sách chuỗi [\"…\", …]", "must be a list of strings [\"…\", …]")
    return [x.strip() for x in v]


def _choice(table: Mapping[str, Any], key: str, allowed: Sequence[str], source: str, loc: _Locator, tname: str) -> str | None:
    v = _str(table, key, source, loc, tname)
    if v is not None and v not in allowed:
        raise _err(source, loc, tname, key, f"giá trị '{v}' không hợp lệ ({', '.join(allowed)})", f"invalid value '{v}' ({', '.join(allowed)})")
    return v


def load_policy_file(path: str | os.PathLike[str], registry: PolicyRegistry) -> PolicySpec:
    p = Path(path)
    raw = read_bounded(p, POLICY_FILE, PolicyError)  # refused before reading when too large
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PolicyError(Msg(f"{p}: tệp chính sách phải mã hóa UTF-8 ({e})", f"{p}: policy files must be UTF-8 ({e})"), details={"file": str(p)}) from None
    return parse_policy_text(text, str(p), registry)
