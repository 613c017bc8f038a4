"""An example vbsign plugin: one audit sink and one policy rule.

Harmless by default: installed into an environment, it changes no verdict and writes no
file. The audit sink writes only when ``VBSIGN_EXAMPLE_AUDIT_LOG`` names a file; the rule
is used only when a policy selects it (the ``vidu`` profile below, or a policy file).

The functions are found by name: every ``vbsign_*`` function of this module is a hook
implementation (``@hookimpl`` is optional, and a misspelt name is reported by vbsign).
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from vbsign.plugins import hookimpl

__version__ = "0.1.0"

#: the file the audit sink appends to (one JSON object per line); unset: memory only
ENV_LOG = "VBSIGN_EXAMPLE_AUDIT_LOG"
#: the last events seen, newest last (bounded: the plugin never grows without limit)
EVENTS: deque[Any] = deque(maxlen=100)
_lock = threading.Lock()

RULE_ID = "VIDU-01"
PROFILE = "vidu"


# ---- audit sink ---------------------------------------------------------------------------


@hookimpl
def vbsign_audit_event(event: Any) -> None:
    """Remember the event; append it to ``$VBSIGN_EXAMPLE_AUDIT_LOG`` when set."""
    EVENTS.append(event)
    path = os.environ.get(ENV_LOG)
    if not path:
        return
    record = asdict(event)
    line = json.dumps(record, ensure_ascii=False, default=str, sort_keys=True)
    with _lock, open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


# ---- policy rule --------------------------------------------------------------------------


def _check_seal_states_number(ev: Any) -> Any:
    """The agency's seal signature names the document number in its reason ("số …")."""
    from vbsign.i18n import Msg
    from vbsign.policy.model import failed, not_applicable, passed

    sig = ev.sig
    if ev.doc.classification(sig).kind != "organisation":
        return not_applicable(
            Msg("Không phải chữ ký của cơ quan.", "Not the agency's signature."), signature=sig.id
        )
    reason = (sig.reason or "").strip()
    if " số " in f" {reason.casefold()} ":
        return passed(
            Msg("Chữ ký của cơ quan ghi số văn bản: {r}", "The agency signature states the number: {r}").format(r=reason),
            reason=reason,
        )
    return failed(
        Msg(
            "Chữ ký của cơ quan không ghi số văn bản trong lý do ký ({r}).",
            "The agency signature does not state the document number in its reason ({r}).",
        ).format(r=reason or "—"),
        reason=reason or None,
    )


def make_rule() -> Any:
    from vbsign.i18n import Msg
    from vbsign.policy.model import Citation, Rule

    return Rule(
        id=RULE_ID,
        requirement=Msg(
            "Chữ ký số của cơ quan ghi số và ký hiệu văn bản trong lý do ký.",
            "The agency's digital signature states the document number in its reason.",
        ),
        citations=(
            Citation(
                "AGENCY",
                extra=Msg("Quy chế ví dụ của cơ quan (trình cắm mẫu)", "Example agency rule (sample plugin)"),
            ),
        ),
        check=_check_seal_states_number,
        how=Msg(
            "Đọc /Reason của chữ ký có chứng thư cơ quan, tìm chữ 'số'.",
            "Reads the /Reason of signatures made with an organisation certificate, looks for 'số'.",
        ),
        scope="signature",
        strength="should",
    )


@hookimpl
def vbsign_policy_rules() -> Iterable[Any]:
    """The rule ``VIDU-01`` (used only by policies that select it)."""
    return [make_rule()]


@hookimpl
def vbsign_policy_profiles() -> Iterable[Any]:
    """The profile ``vidu``: ``tt41`` plus ``VIDU-01`` as a mandatory rule."""
    from vbsign.i18n import Msg
    from vbsign.policy import Level, Profile

    return [
        Profile(
            name=PROFILE,
            title=Msg("TT 41/2017 và quy chế ví dụ của cơ quan", "Circular 41/2017 and the example agency rule"),
            description=Msg(
                "Hồ sơ tt41, thêm quy tắc VIDU-01 (chữ ký cơ quan ghi số văn bản) ở mức bắt buộc.",
                "The tt41 profile with rule VIDU-01 (the agency signature states the number) as mandatory.",
            ),
            extends=("tt41",),
            levels={RULE_ID: Level.FAIL},
        )
    ]
