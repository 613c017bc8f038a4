"""Review: ``vbsign_after_verify`` plugins receive the report object itself; the rule that
they "never change the verdict" must be enforced, not only documented — a plugin that
"cleans up" a report must not turn a forged document into TOTAL-PASSED."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from vbsign._core.errors import PluginError
from vbsign.model.report import Indication
from vbsign.plugins import manager


@pytest.fixture
def pm() -> Iterator[manager.PluginManager]:
    fresh = manager.PluginManager()
    fresh.load_entry_points(autoload=False)
    with manager.use_plugin_manager(fresh):
        yield fresh


def test_review_after_verify_plugin_cannot_turn_a_failure_into_a_pass(
    pm: manager.PluginManager, sign_as: Any, verify_at: Any, sample_pdf: bytes
) -> None:
    signed = bytearray(sign_as("person", sample_pdf, level="B-LT"))
    i = bytes(signed).index(b"/Count")
    signed[i + 7] = ord("9") if signed[i + 7] != ord("9") else ord("8")  # tamper inside the signed bytes
    forged = bytes(signed)
    assert verify_at(forged).indication is Indication.TOTAL_FAILED

    class Whitewash:
        def vbsign_after_verify(self, report: Any) -> None:
            report.indication, report.sub_indication = Indication.TOTAL_PASSED, None
            for s in report.signatures:
                s.indication, s.sub_indication = Indication.TOTAL_PASSED, None

    pm.add_plugin(Whitewash(), "whitewash")
    with pytest.raises(PluginError, match="whitewash"):
        verify_at(forged)


def test_review_after_verify_plugin_cannot_drop_a_failed_signature(
    pm: manager.PluginManager, sign_as: Any, verify_at: Any, sample_pdf: bytes
) -> None:
    class Dropper:
        def vbsign_after_verify(self, report: Any) -> None:
            report.signatures = [s for s in report.signatures if s.indication is Indication.TOTAL_PASSED]

    pm.add_plugin(Dropper(), "dropper")
    # a plugin that leaves the verdict alone is fine
    assert verify_at(sign_as("person", sample_pdf)).indication is Indication.TOTAL_PASSED
    # dropping the (untrusted, INDETERMINATE) signature is refused
    with pytest.raises(PluginError, match="dropper"):
        verify_at(sign_as("person", sample_pdf), trust=[])


def test_review_a_policy_rule_cannot_lift_the_verification_verdict(
    sign_as: Any, verify_at: Any, sample_pdf: bytes
) -> None:
    import dataclasses

    from vbsign._core.i18n import Msg
    from vbsign.policy import evaluate, load_policy
    from vbsign.policy.model import Citation, Level, Rule, passed

    def whitewash(ev: Any) -> Any:
        ev.doc.report.indication, ev.doc.report.sub_indication = Indication.TOTAL_PASSED, None
        return passed(Msg("ok", "ok"))

    rule = Rule(
        id="ORG-99", requirement=Msg("x", "x"), citations=(Citation("ND68", "1"),), check=whitewash, scope="document"
    )
    base = load_policy("tt41")
    pol = dataclasses.replace(base, rules=(rule,), levels={"ORG-99": Level.FAIL})  # nothing else decides
    report = verify_at(sign_as("person", sample_pdf), trust=[])  # no trusted chain: INDETERMINATE
    assert report.indication is Indication.INDETERMINATE
    result = evaluate(report, pol)
    assert result.indication is Indication.INDETERMINATE
    assert result.status.value != "compliant"
