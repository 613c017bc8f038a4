"""Profiles, composition, the auto profile, the registry (plugins) and the verdict logic."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from vbsign._core.errors import PolicyError
from vbsign._core.i18n import Msg
from vbsign.model.report import Indication, SubIndication
from vbsign.policy import (
    Citation,
    DocumentFacts,
    Level,
    PolicyRegistry,
    PolicySettings,
    Profile,
    Rule,
    RuleStatus,
    evaluate,
    failed,
    passed,
)
from vbsign.policy.result import ComplianceStatus

BEFORE_REPEAL = datetime(2026, 10, 1, 3, 0, tzinfo=timezone.utc)


def test_profiles_compose_from_base():
    reg = PolicyRegistry.builtin()
    base = reg.levels("base")
    for name in ("tt41", "cdcv", "public"):
        lv = reg.levels(name)
        assert all(lv[r] is base[r] or r in reg.profile(name).levels for r in base)
        assert lv["VER-01"] is Level.FAIL
    assert reg.levels("tt41")["TT41-01"] is Level.FAIL
    assert "TT41-01" not in reg.levels("cdcv")
    assert reg.levels("cdcv")["VER-11"] is Level.FAIL and reg.levels("tt41")["VER-11"] is Level.WARN
    assert reg.anchor_hierarchies("cdcv") == {"cdcv"}
    assert reg.anchor_hierarchies("public") == {"national"}
    assert reg.anchor_hierarchies("tt41") == {"cdcv", "national"}
    tt41 = reg.profile("tt41")
    assert tt41.effective_until == date(2026, 11, 15) and tt41.until_status == "reported"


def test_ignored_rules_are_listed(docs):
    rep = docs.judge(docs.person_agency_report, "cdcv")
    assert "TT41-01" in rep.ignored_rules and not any(r.rule_id == "TT41-01" for r in rep.results)


def test_auto_after_the_reported_repeal(docs):
    gov = docs.judge(docs.person_agency_report, "auto")
    assert gov.profile == "cdcv" and gov.policy == "test-auto"
    note = next(n for n in gov.notes if n.code == "POLICY_AUTO_SELECTION")
    assert "proven by a timestamp" in note.message_en and "2026-11-15" in note.message_en
    assert "not declared" in note.message_en  # official by default, and said so


def test_auto_follows_the_document_not_the_certificate(docs):
    """A public-CA signature on an official document is judged by the official-use rules
    (and VER-11 says what is wrong), never re-labelled 'public' because of its certificate."""
    official = docs.judge(docs.subscriber_report, "auto")
    assert official.profile == "cdcv"
    ver11 = official.result("VER-11", "S1")
    assert ver11.status is RuleStatus.FAILED and ver11 in official.failures()
    # the document says it is not an official document: the public rules apply
    other = docs.judge(docs.subscriber_report, "auto", official=False)
    assert other.profile == "public" and other.result("VER-04", "S1").status is RuleStatus.PASSED
    note = next(n for n in other.notes if n.code == "POLICY_AUTO_SELECTION")
    assert "not an official document" in note.message_en
    # … or the agency's policy file does
    by_file = docs.judge(docs.subscriber_report, "auto", extra="[expectations]\nofficial = false\n")
    assert by_file.profile == "public"
    # an official document before the repeal: tt41, where VER-11 is a warning (a finding)
    first = docs.sign("subscriber", docs.sample, "B-LT", when=BEFORE_REPEAL).data
    tt41 = docs.judge(docs.verify(first), "auto", official=True)
    assert tt41.profile == "tt41"
    assert tt41.result("VER-11", "S1").status is RuleStatus.FAILED and tt41.result("VER-11", "S1") in tt41.warnings()


def test_auto_before_the_repeal_and_when_repeal_is_not_applied(docs):
    first = docs.sign("person", docs.sample, "B-LT", when=BEFORE_REPEAL).data
    both = docs.sign("agency", first, "B-LT", when=BEFORE_REPEAL).data
    rep = docs.verify(both)
    assert docs.judge(rep, "auto").profile == "tt41"
    assert docs.judge(docs.person_agency_report, "auto", extra="[auto]\ntt41_until = false\n").profile == "tt41"
    # tt41 chosen explicitly for a signature after the reported repeal: said, not hidden
    notes = docs.judge(docs.person_agency_report).notes
    assert any(n.code == "PROFILE_NOT_IN_FORCE" and "reported" in n.message_en for n in notes)


def test_auto_with_an_unproven_signing_time_says_so(docs):
    rep = docs.judge(docs.person_agency_bb_report, "auto")
    note = next(n for n in rep.notes if n.code == "POLICY_AUTO_SELECTION")
    assert "NOT proven" in note.message_en


def _rule(rule_id: str, ok: bool = True) -> Rule:
    return Rule(
        id=rule_id,
        requirement=Msg("Quy tắc của Bộ", "The ministry's rule"),
        citations=(Citation("AGENCY"),),
        check=lambda ev: passed(Msg("đạt", "ok")) if ok else failed(Msg("không đạt", "not met"), signer=ev.sig.id),
    )


def test_registering_a_rule_is_one_call(docs):
    reg = PolicyRegistry.builtin()
    reg.register_rule(_rule("BKHCN-01", ok=False))
    # without levels the rule takes part in no profile
    assert not any(r.rule_id == "BKHCN-01" for r in evaluate(docs.person_agency_report, reg.resolve("tt41")).results)
    # a policy file can select it
    sel = reg.resolve("tt41", PolicySettings(levels={"BKHCN-01": Level.FAIL}))
    rep = evaluate(docs.person_agency_report, sel)
    assert rep.result("BKHCN-01", "S1").status is RuleStatus.FAILED and rep.status is ComplianceStatus.NON_COMPLIANT
    # or the registration can place it in profiles
    reg.register_rule(_rule("BKHCN-02", ok=False), levels={"base": "WARN"})
    assert reg.resolve("public").level("BKHCN-02") is Level.WARN
    with pytest.raises(PolicyError):
        reg.register_rule(_rule("BKHCN-01"))


def test_registering_a_profile(docs):
    reg = PolicyRegistry.builtin()
    reg.register_rule(_rule("BKHCN-03"))
    reg.register_profile(
        Profile(
            name="bkhcn",
            title=Msg("Bộ KH&CN", "MOST"),
            description=Msg("Văn bản đi", "Outgoing"),
            extends=("tt41",),
            levels={"BKHCN-03": Level.FAIL, "ND30-01": Level.FAIL},
        )
    )
    pol = reg.resolve("bkhcn")
    assert pol.level("BKHCN-03") is Level.FAIL and pol.level("TT41-01") is Level.FAIL
    assert pol.anchor_hierarchies == {"cdcv", "national"}
    with pytest.raises(PolicyError):
        reg.register_profile(Profile(name="x", title=Msg("x", "x"), description=Msg("x", "x"), extends=("nope",)))
    with pytest.raises(PolicyError):
        reg.register_profile(reg.profile("tt41"))


def test_a_faulty_rule_fails_closed(docs):
    def boom(ev):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug in a plugin rule")

    reg = PolicyRegistry.builtin()
    reg.register_rule(
        Rule(id="BUG-01", requirement=Msg("x", "x"), citations=(Citation("AGENCY"),), check=boom),
        levels={"tt41": "FAIL"},
    )
    rep = evaluate(docs.person_agency_report, reg.resolve("tt41", docs.policy().settings))
    r = rep.result("BUG-01", "S1")
    assert r.status is RuleStatus.INDETERMINATE and r.sub_indication is SubIndication.POLICY_PROCESSING_ERROR
    assert rep.status is ComplianceStatus.UNDETERMINED and rep.exit_code == 2


def test_a_policy_cannot_make_an_invalid_document_valid(docs):
    lenient = "[levels]\n" + "".join(f'"{r}" = "IGNORE"\n' for r in ("VER-01", "VER-02", "VER-09", "VER-12"))
    rep = docs.judge(docs.verify(docs.tampered), extra=lenient)
    assert rep.status is ComplianceStatus.NON_COMPLIANT
    assert rep.indication is Indication.TOTAL_FAILED and rep.sub_indication is SubIndication.HASH_FAILURE


def test_verification_indeterminate_is_undetermined(docs):
    offline = docs.verify(docs.sign("person", docs.sample, "B-T").data)  # no revocation data
    assert offline.indication is Indication.INDETERMINATE
    rep = docs.judge(offline, extra="[expectations]\ndocument_kind = \"attachment\"\n", roles=("person",))
    assert rep.status in (ComplianceStatus.UNDETERMINED, ComplianceStatus.NON_COMPLIANT)
    assert rep.indication is Indication.INDETERMINATE
    assert rep.result("VER-03", "S1").status is RuleStatus.INDETERMINATE


def test_no_signature(docs):
    rep = docs.judge(docs.verify(docs.sample))
    assert rep.status is ComplianceStatus.NON_COMPLIANT and rep.indication is Indication.NO_SIGNATURE_FOUND
    assert rep.exit_code == 1


def test_facts_override_policy_expectations(docs):
    pol = docs.policy(extra='[expectations]\ndirection = "incoming"\n')
    rep = evaluate(docs.person_agency_report, pol)
    assert rep.facts["direction"] == "incoming"
    rep = evaluate(docs.person_agency_report, pol, DocumentFacts(direction="outgoing"))
    assert rep.facts["direction"] == "outgoing"
    assert rep.result("VER-10").status is RuleStatus.NOT_APPLICABLE
