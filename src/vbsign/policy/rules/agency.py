"""The agency's own expectations (a policy file's ``[expectations]``), as rules.

Not from the legal catalogue: an agency decides, for instance, that its outgoing documents
carry the competent person's and the agency's signatures, in that order, at PAdES B-LT.
Both rules are ``not-applicable`` unless the policy file (or the caller's facts) sets the
expectation, so they never change a built-in profile's verdict by themselves.
"""

from __future__ import annotations

from typing import Any

from vbsign._core.i18n import Msg
from vbsign.model.signers import ROLE_TEXT
from vbsign.policy.context import Evidence
from vbsign.policy.model import (
    Citation,
    Outcome,
    Rule,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from vbsign.policy.rules._common import LEVEL_RANK, unknown_advice


def check_exp01(ev: Evidence) -> Outcome:
    roles = ev.facts.roles
    if roles is None:
        return not_applicable(Msg("Không khai báo chữ ký kỳ vọng.", "No expected signatures declared."))
    sigs = ev.doc.signatures
    classes = [ev.doc.classification(s).kind for s in sigs]
    facts: dict[str, Any] = {"expected": list(roles), "found": classes, "signatures": [s.id for s in sigs]}
    want_vi = " → ".join(ROLE_TEXT[r].vi for r in roles)
    want_en = " → ".join(ROLE_TEXT[r].en for r in roles)
    if len(sigs) != len(roles):
        return failed(
            Msg(f"Văn bản có {len(sigs)} chữ ký; quy chế yêu cầu {len(roles)}: {want_vi}.", f"The document has {len(sigs)} signature(s); the agency requires {len(roles)}: {want_en}."),
            **facts,
        )
    wrong = [(s.id, r, c) for s, r, c in zip(sigs, roles, classes, strict=True) if c != r]
    unknown = [w for w in wrong if w[2] == "unknown"]
    if wrong and len(unknown) == len(wrong):
        tip = unknown_advice(ev, [w[0] for w in unknown])
        return indeterminate(
            Msg(
                f"Không xác định được loại chủ thể của chữ ký {', '.join(w[0] for w in unknown)}. {tip.vi}",
                f"Cannot classify the signer of {', '.join(w[0] for w in unknown)}. {tip.en}",
            ),
            **facts,
        )
    if wrong:
        detail_vi = "; ".join(f"{sid}: cần {ROLE_TEXT[r].vi}" for sid, r, _ in wrong)
        detail_en = "; ".join(f"{sid}: needs the {ROLE_TEXT[r].en}" for sid, r, _ in wrong)
        return failed(Msg(f"Chữ ký không đúng quy chế ({want_vi}): {detail_vi}.", f"Signatures do not match the agency's rule ({want_en}): {detail_en}."), **facts)
    return passed(Msg(f"Đúng các chữ ký theo quy chế: {want_vi}.", f"Signatures as the agency requires: {want_en}."), **facts)


EXP_01 = Rule(
    id="EXP-01",
    requirement=Msg(
        "Văn bản có đúng các chữ ký, theo đúng thứ tự, mà quy chế của cơ quan yêu cầu (mục [expectations] signatures).",
        "The document carries exactly the signatures, in the order, the agency's rules require ([expectations] signatures).",
    ),
    citations=(Citation("AGENCY"), Citation("ND30", "5", "1")),
    check=check_exp01,
    how=Msg("Số chữ ký và loại chủ thể của từng chữ ký theo thứ tự ký.", "Number of signatures and each signer's type, in signing order."),
    phase="agency",
    scope="document",
)


def check_exp02(ev: Evidence) -> Outcome:
    want = ev.facts.min_level
    if not want:
        return not_applicable(Msg("Không khai báo mức chữ ký tối thiểu.", "No minimum signature level declared."))
    got = ev.sig.level
    facts: dict[str, Any] = {"required": want, "level": got}
    if got is None:
        return failed(Msg(f"Chữ ký không theo PAdES baseline; yêu cầu tối thiểu {want}.", f"Not a PAdES baseline signature; at least {want} is required."), **facts)
    if LEVEL_RANK.get(got, -1) < LEVEL_RANK[want]:
        return failed(Msg(f"Chữ ký đạt mức {got}; quy chế yêu cầu tối thiểu {want}.", f"The signature reaches {got}; the agency requires at least {want}."), **facts)
    return passed(Msg(f"Chữ ký đạt mức {got} (yêu cầu tối thiểu {want}).", f"The signature reaches {got} (at least {want} required)."), **facts)


EXP_02 = Rule(
    id="EXP-02",
    requirement=Msg(
        "Mỗi chữ ký đạt mức PAdES tối thiểu mà quy chế của cơ quan yêu cầu (mục [expectations] min_level).",
        "Each signature reaches the minimum PAdES level the agency requires ([expectations] min_level).",
    ),
    citations=(Citation("AGENCY"), Citation("TT41", "9", "1")),
    check=check_exp02,
    how=Msg("Mức baseline đạt được: B-B < B-T < B-LT < B-LTA.", "Baseline level reached: B-B < B-T < B-LT < B-LTA."),
    phase="agency",
)

RULES: tuple[Rule, ...] = (EXP_01, EXP_02)
