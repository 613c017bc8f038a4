"""The rule table of docs/policy.rst is generated from the rule data, never hand-maintained."""

from __future__ import annotations

from pathlib import Path

from vbsign.policy import PolicyRegistry
from vbsign.policy.render import rules_rst

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_rule_table_matches_the_rule_data():
    committed = (DOCS / "policy_rules.inc").read_text("utf-8")
    assert committed == rules_rst(), (
        "docs/policy_rules.inc is out of date: run `python -m vbsign.policy.render docs/policy_rules.inc`"
    )
    assert ".. include:: policy_rules.inc" in (DOCS / "policy.rst").read_text("utf-8")


def test_every_builtin_rule_and_profile_is_in_the_table():
    table = rules_rst()
    reg = PolicyRegistry.builtin()
    for rule in reg.rules():
        assert f"``{rule.id}``" in table
        assert " ".join(rule.requirement.vi.split()) in table
    for profile in reg.profiles():
        assert f"``{profile.name}``" in table
