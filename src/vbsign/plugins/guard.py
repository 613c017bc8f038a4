"""What a plugin may change in what it is given: nothing, except by answering.

A hook receives Python objects, and Python cannot stop a plugin from changing an object
it holds. A plugin that "cleans up" an outcome, a report or a signed result must not be
able to bend a decision or the record of it, so every hook that receives something
mutable goes through this module:

* ``vbsign_before_sign`` (a ``SignRequest``: its ``metadata`` and ``signer``) and
  ``vbsign_after_sign`` (the request and the ``SignResult``): each plugin gets its own
  copy; a plugin that changes it fails the operation with a
  :class:`~vbsign.errors.PluginError` naming it (nothing is signed, no file is written);
* ``vbsign_after_verify`` (the ``Report``): compared before and after each plugin; a
  change is undone and raised, naming the plugin; findings are added only by returning
  them;
* ``vbsign_on_send`` / ``vbsign_on_receive`` (document, context, outcome): each plugin gets
  copies (mappings read-only); the decision is merged *monotonically* — a plugin may only
  make it stricter (ACCEPT → QUARANTINE → RETURN_TO_SENDER; READY → BLOCKED) — and any
  other change, or an attempt to loosen the decision, is ignored and recorded in the
  reasons (and so in the evidence manifest), naming the plugin;
* ``vbsign_audit_event`` and ``vbsign_certificate_alert`` (an event with a ``details``
  dict): each sink gets its own deep copy, so one sink cannot change what the next records;
* report renderers (from ``vbsign_report_renderers``) get a copy of the report.

The other hooks receive nothing mutable (``vbsign_key_backends``, ``vbsign_policy_rules``,
``vbsign_policy_profiles``, ``vbsign_trust_anchors``, ``vbsign_report_renderers``: no
arguments; ``vbsign_timestamper`` and ``vbsign_revocation_source``: strings, numbers and
booleans; key-backend factories get a fresh ``**options`` dict per call). Policy rules
contributed by plugins (or an agency's own code) are run by the policy engine on a private
copy of the report: a rule that changes it gets an INDETERMINATE result naming it
(``REPORT_CHANGED``), and the engine never lets a rule lift the verification verdict.

This protects decisions and records from plugins that change what they were given (by
mistake or on purpose); it is not a sandbox: a plugin is code running in the host's
process, and objects the context only *refers to* (signers, the revocation cache) are
shared with it.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import vbsign.plugins.manager as manager
from vbsign._core.errors import PluginError
from vbsign._core.i18n import Msg
from vbsign.model.report import Finding, Report, Severity

if TYPE_CHECKING:
    from vbsign.model.report import Finding

logger = logging.getLogger(__name__)

D = TypeVar("D", bound=enum.Enum)


def bad_return(plugin: str, hook: str, expected: str, got: Any) -> PluginError:
    """The error for a plugin that answered with a value of the wrong type."""
    return PluginError(
        Msg(
            "Trình cắm '{p}' trả về giá trị sai kiểu trong {h} (cần {x}, nhận {g}).",
            "Plugin '{p}' returned a wrong type from {h} (expected {x}, got {g}).",
        ).format(p=plugin, h=hook, x=expected, g=type(got).__name__),
        details={"plugin": plugin, "hook": hook},
    )


def as_list(value: Any) -> list[Any]:
    """A hook may return one object or an iterable of them."""
    if hasattr(value, "__iter__") and not isinstance(value, (str, bytes, Mapping)):
        return list(value)
    return [value]


# ---- copies ---------------------------------------------------------------------------------


def read_only(value: Any) -> Any:
    """``value`` with its mappings made read-only and its lists made tuples (one level)."""
    if isinstance(value, Mapping):
        return MappingProxyType(dict(value))
    if isinstance(value, list):
        return tuple(value)
    return value


def frozen_view(obj: Any) -> Any:
    """A shallow copy of the dataclass ``obj`` whose mapping and list fields are read-only
    copies and whose dataclass-valued fields (e.g. :class:`~vbsign.pki.validation.Services`)
    are copies too, so that a plugin reassigning or mutating them changes nothing."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return obj
    view = copy.copy(obj)
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            new = copy.copy(value)
        else:
            new = read_only(value)
        if new is not value:
            object.__setattr__(view, f.name, new)  # works for frozen dataclasses too
    return view


def private_copy(value: Any) -> Any:
    """A deep copy of ``value`` that shares nothing mutable with it.

    A :class:`~vbsign.report.Report` is copied through its JSON form (five times faster
    than :func:`copy.deepcopy` on a real report); bytes are immutable and kept.
    """

    if isinstance(value, (bytes, str, int, float, bool, type(None), enum.Enum)):
        return value
    if isinstance(value, Report):
        return Report.from_dict(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        view = copy.copy(value)
        for f in dataclasses.fields(value):
            object.__setattr__(view, f.name, private_copy(getattr(value, f.name)))
        return view
    if isinstance(value, list):
        return [private_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(private_copy(v) for v in value)
    return copy.deepcopy(value)


def picture(value: Any) -> Any:
    """A comparable picture of ``value`` (equal pictures: nothing observable changed)."""

    if isinstance(value, Report):
        return value.to_dict()
    if isinstance(value, (bytes, str, int, float, bool, type(None), enum.Enum)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, {f.name: picture(getattr(value, f.name)) for f in dataclasses.fields(value)})
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return (type(value).__name__, to_dict())
    if isinstance(value, Mapping):
        return {k: picture(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [picture(v) for v in value]
    return copy.deepcopy(value)


def changed_fields(before: Any, after: Any) -> list[str]:
    """Names of the dataclass fields whose pictures differ."""
    return [
        f.name
        for f in dataclasses.fields(before)
        if picture(getattr(before, f.name)) != picture(getattr(after, f.name))
    ]


def changed_by(plugin: str, hook: str, what: str) -> PluginError:
    """The error for a plugin that changed an object it may only read."""
    return PluginError(
        Msg(
            "Trình cắm '{p}' đã sửa {w} trong {h}; trình cắm chỉ được đọc, không được sửa.",
            "Plugin '{p}' changed {w} in {h}; plugins may read it, not change it.",
        ).format(p=plugin, w=what, h=hook),
        details={"plugin": plugin, "hook": hook, "changed": what},
    )


# ---- host decisions: stricter only -----------------------------------------------------------


@dataclass
class DecisionReview:
    """What the plugins of ``vbsign_on_send`` / ``vbsign_on_receive`` concluded."""

    #: the decision after the plugins: never less strict than vbsign's own
    decision: Any
    #: objections, stricter decisions and refused changes, each naming its plugin
    findings: list[Finding] = field(default_factory=list)


def review_decision(
    hook: str,
    *,
    outcome: Any,
    strictness: Sequence[D],
    objection: D,
    **given: Any,
) -> DecisionReview:
    """Let every plugin of ``hook`` review ``outcome`` without being able to bend it.

    ``strictness`` orders the decisions from the most lenient to the strictest (ACCEPT →
    QUARANTINE → RETURN_TO_SENDER; READY → BLOCKED); an objection returned by a plugin
    means ``objection``. Each plugin gets read-only views of the other arguments (``document``
    and ``context`` for documents, ``message`` for mail) and its own copy of ``outcome`` (showing the decision as it stands after the plugins before it). A plugin
    that sets a stricter decision is followed and named; one that tries to loosen the
    decision, or changes anything else, is ignored and named in a warning. ``outcome``
    itself is never touched: the caller applies the result.
    """
    rank = {d: i for i, d in enumerate(strictness)}
    current: D = outcome.decision
    findings: list[Finding] = []
    views = {name: frozen_view(value) for name, value in given.items()}
    shown: list[Any] = []

    def make_kwargs() -> dict[str, Any]:
        view = private_copy(outcome)
        view.decision = current
        shown[:] = [private_copy(view)]  # what this plugin was shown, to compare with
        return {**{name: frozen_view(v) for name, v in views.items()}, "outcome": view}

    for plugin, kwargs, result in manager.call_each(hook, make_kwargs):
        view, before = kwargs["outcome"], shown[0]
        objections = objection_findings(plugin, hook, result)
        findings += objections
        if objections and rank[objection] > rank[current]:
            current = objection
        tried = view.decision
        if tried not in rank:
            findings.append(_refused(plugin, hook, f"decision={tried!r}"))
        elif rank[tried] > rank[current]:
            current = tried
            findings.append(_stricter(plugin, tried))
        elif rank[tried] < rank[before.decision]:
            findings.append(_refused(plugin, hook, f"decision {before.decision.value} → {tried.value}"))
        view.decision = before.decision
        others = changed_fields(before, view)
        if others:
            findings.append(_refused(plugin, hook, ", ".join(others)))
    return DecisionReview(current, findings)


def objection_findings(plugin: str, hook: str, result: Any) -> list[Finding]:
    """A host hook's answer (bilingual messages) as ERROR findings naming the plugin."""

    out: list[Finding] = []
    if result is None:
        return out
    for m in as_list(result):
        if not isinstance(m, Msg):
            raise bad_return(plugin, hook, "vbsign._core.i18n.Msg", m)
        out.append(
            Finding.of(
                "PLUGIN_OBJECTION",
                Severity.ERROR,
                Msg(f"{m.vi} (trình cắm '{plugin}')", f"{m.en} (plugin '{plugin}')"),
                {"plugin": plugin},
            )
        )
    return out


def _stricter(plugin: str, decision: enum.Enum) -> Finding:
    return Finding.of(
        "PLUGIN_DECISION",
        Severity.ERROR,
        Msg(
            "Trình cắm '{p}' đặt quyết định nghiêm ngặt hơn: {d}.",
            "Plugin '{p}' made the decision stricter: {d}.",
        ).format(p=plugin, d=decision.value),
        {"plugin": plugin, "decision": decision.value},
    )


def _refused(plugin: str, hook: str, what: str) -> Finding:
    logger.error("plugin %s tried to change %s in %s: ignored", plugin, what, hook)
    return Finding.of(
        "PLUGIN_CHANGE_REFUSED",
        Severity.WARNING,
        Msg(
            "Trình cắm '{p}' đã cố sửa kết quả trong {h} ({w}); bị bỏ qua: trình cắm chỉ được làm "
            "quyết định nghiêm ngặt hơn.",
            "Plugin '{p}' tried to change the outcome in {h} ({w}); ignored: plugins may only make "
            "the decision stricter.",
        ).format(p=plugin, h=hook, w=what),
        {"plugin": plugin, "hook": hook, "changed": what},
    )


# ---- read-only calls ---------------------------------------------------------------------------


def call_read_only(hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call ``hook`` giving each plugin private copies of ``kwargs``; raise a
    :class:`~vbsign.errors.PluginError` naming the first plugin that changed its copy."""
    originals = {k: picture(v) for k, v in kwargs.items()}
    out: list[tuple[str, Any]] = []
    for plugin, given, result in manager.call_each(hook, lambda: {k: private_copy(v) for k, v in kwargs.items()}):
        for name, value in given.items():
            if picture(value) != originals[name]:
                raise changed_by(plugin, hook, name)
        if result is not None:
            out.append((plugin, result))
    return out


def call_with_copies(hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call ``hook`` giving each plugin its own deep copy of ``kwargs`` (audit sinks: what
    one sink does to an event cannot change what the next one records)."""
    out: list[tuple[str, Any]] = []
    for plugin, _, result in manager.call_each(hook, lambda: {k: private_copy(v) for k, v in kwargs.items()}):
        if result is not None:
            out.append((plugin, result))
    return out
