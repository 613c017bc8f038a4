"""Policy files: what they change, and errors that name the key and the line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vbsign._core.errors import PolicyError
from vbsign.policy import Level, PolicyRegistry, load_policy
from vbsign.policy.tomlfile import parse_policy_text


@pytest.fixture
def reg() -> PolicyRegistry:
    return PolicyRegistry.builtin()


def parse(text: str, reg: PolicyRegistry):  # type: ignore[no-untyped-def]
    spec = parse_policy_text(text, "agency.toml", reg)
    return reg.resolve(spec.extends, spec.settings)


def error(text: str, reg: PolicyRegistry) -> PolicyError:
    with pytest.raises(PolicyError) as e:
        parse(text, reg)
    return e.value


def test_full_policy_file(reg, pki):
    from vbsign._core.x509 import fingerprint

    gov = fingerprint(pki.cert("gov-root"))
    text = f"""
[policy]
extends = "tt41"
name = "bkhcn-di"
title_vi = "Văn bản đi của Bộ KH&CN"
title_en = "Outgoing documents of MOST"

[levels]
"TT15-06" = "IGNORE"
"ND30-01" = "fail"

[anchors]
cdcv = ["{gov.lower()}"]

[classification]
organisation = ["{fingerprint(pki.cert('person'))}"]
person_policies = ["1.2.3.4"]

[expectations]
signatures = ["person", "agency"]
min_level = "b-lt"
direction = "outgoing"
document_kind = "main"

[auto]
tt41_until = false
"""
    pol = parse(text, reg)
    assert pol.name == "bkhcn-di" and pol.title.vi == "Văn bản đi của Bộ KH&CN"
    assert pol.level("TT15-06") is Level.IGNORE and pol.level("ND30-01") is Level.FAIL
    assert pol.level("TT41-01") is Level.FAIL  # inherited
    entry = pol.anchors.lookup(gov)
    assert entry is not None and entry.hierarchy == "cdcv" and not entry.official
    assert pol.expectations.roles == ("person", "organisation") and pol.expectations.min_level == "B-LT"
    assert pol.classification.by_policy_oid == {"1.2.3.4": "person"}
    assert pol.settings.tt41_until is None and pol.settings.tt41_until_source == "configured"
    assert pol.source == "agency.toml"


@pytest.mark.parametrize(
    ("text", "key", "line", "fragment"),
    [
        ('[policy]\nextends = "tt41"\n\n[levels]\n"TT41-99" = "FAIL"\n', "levels.TT41-99", 5, "no such rule"),
        ('[policy]\nextends = "tt41"\n[levels]\n"TT41-01" = "FATAL"\n', "levels.TT41-01", 4, "invalid level"),
        ('[policy]\nextends = "tt42"\n', "policy.extends", 2, "no profile 'tt42'"),
        ('[policy]\nextends = "tt41"\n[expectation]\nmin_level = "B-LT"\n', "expectation", 3, "did you mean [expectations]"),
        ('[policy]\nextends = "tt41"\n[expectations]\nmin_levle = "B-LT"\n', "expectations.min_levle", 4, "did you mean 'min_level'"),
        ('[policy]\nextends = "tt41"\n[expectations]\nmin_level = "B-X"\n', "expectations.min_level", 4, "invalid level"),
        ('[policy]\nextends = "tt41"\n[expectations]\nsignatures = ["person", "clerk"]\n', "expectations.signatures", 4, "invalid role"),
        ('[policy]\nextends = "tt41"\n[expectations]\ndirection = "sideways"\n', "expectations.direction", 4, "invalid value"),
        ('[policy]\nextends = "tt41"\n\n[anchors]\ncdcv = ["F04B"]\n', "anchors.cdcv", 5, "fingerprint"),
        ('[policy]\nextends = "tt41"\n[anchors]\ncdcv = "x"\n', "anchors.cdcv", 4, "list of strings"),
        ('[policy]\nextends = "tt41"\n[classification]\nperson_policies = ["abc"]\n', "classification.person_policies", 4, "invalid OID"),
        ('[policy]\nextends = "tt41"\n[auto]\ntt41_until = "2026-11-15"\n', "auto.tt41_until", 4, "must be a date"),
        ('[policy]\nname = "x"\n', "policy.extends", 1, "required"),
    ],
)
def test_errors_name_key_and_line(reg, text, key, line, fragment):
    e = error(text, reg)
    assert e.details["key"] == key
    assert e.details["line"] == line
    assert fragment in e.message_en
    assert f"line {line}" in e.message_en and f"dòng {line}" in e.message_vi


def test_syntax_error_and_missing_policy_table(reg):
    e = error('[policy]\nextends = "tt41\n', reg)
    assert "invalid TOML" in e.message_en and "line 2" in e.message_en
    e = error('[levels]\n"TT41-01" = "WARN"\n', reg)
    assert "[policy]" in e.message_en


def test_dotted_keys_are_located(reg):
    e = error('levels."TT41-77" = "WARN"\n[policy]\nextends = "tt41"\n', reg)
    assert e.details["line"] == 1 and e.details["key"] == "levels.TT41-77"
    e = error('[policy]\nextends = "tt41"\nlevels."TT41-77" = "WARN"\n', reg)  # policy.levels: not a key of [policy]
    assert e.details["line"] == 3 and e.details["key"] == "policy.levels"


def test_auto_date_is_configurable(reg):
    pol = parse('[policy]\nextends = "auto"\n[auto]\ntt41_until = 2027-01-01\n', reg)
    assert pol.settings.tt41_until == date(2027, 1, 1)
    assert pol.candidates["tt41"].settings.tt41_until == date(2027, 1, 1)


def test_load_policy_by_name_path_and_object(tmp_path: Path):
    assert load_policy().name == "tt41"
    assert load_policy("cdcv").anchor_hierarchies == frozenset({"cdcv"})
    f = tmp_path / "p.toml"
    f.write_text('[policy]\nextends = "public"\n', "utf-8")
    pol = load_policy(f)
    assert pol.name == "p" and pol.profile.name == "public" and load_policy(pol) is pol
    with pytest.raises(PolicyError) as e:
        load_policy(tmp_path / "missing.toml")
    assert "not found" in e.value.message_en
    (tmp_path / "latin1.toml").write_bytes('[policy]\nextends = "tt41"\nname = "Bộ"\n'.encode("utf-16"))
    with pytest.raises(PolicyError):
        load_policy(tmp_path / "latin1.toml")
    with pytest.raises(PolicyError) as e:
        load_policy("nope")
    assert "tt41" in e.value.message_en
