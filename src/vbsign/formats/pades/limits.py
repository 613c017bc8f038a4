"""Time and memory budgets for verifying untrusted PDFs.

Every file gets a verdict within its budget (default 10 s and 1 GiB): a decompression
bomb, a reference cycle, a huge cross-reference table or thousands of revisions end as
``TOTAL-FAILED/FORMAT_FAILURE`` with the finding ``RESOURCE_LIMIT``, never as a hang, a
crash or an unhandled exception.

Three layers, cheapest first:

1. :func:`precheck` — a look at the raw bytes (size, number of ``%%EOF`` markers, object
   streams) before anything is parsed; it refuses what is plainly over budget and tells
   whether the file is *risky* enough to deserve a separate process;
2. a cooperative :class:`Deadline` checked between signatures, between the revisions of
   pyHanko's difference analysis (:func:`budgeted_diff_policy`) and in the visual check —
   pyHanko's own decoding limits (0.38) already bound decompression;
3. an isolated worker (``RLIMIT_AS`` + ``RLIMIT_CPU`` + a wall-clock kill) for what cannot
   be interrupted from inside: a pure-Python loop deep in a parser, or memory growth. The
   worker is a child of one of vbsign's own helper processes (:mod:`.isolation`) — the
   host process itself never forks, so a multi-threaded host cannot deadlock a worker. It
   costs a few milliseconds per file once a helper runs (a fresh interpreter, about half a
   second, on the first risky file), which matters for a 50 ms verification, so the library
   uses it only for risky files unless asked (``Limits(isolate=True)``); the CLI always does.

Isolation needs ``fork`` in the helper (Linux and other Unix systems, not Windows or
macOS) and a picklable task; otherwise the cooperative layers still apply and the report
says ``LIMITS_NOT_ENFORCED``.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import logging
import os
import re
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pyhanko.sign.diff_analysis import DiffPolicy
from pyhanko.sign.diff_analysis.policies import StandardDiffPolicy

import vbsign._core.errors as errors
from vbsign._core.i18n import Msg
from vbsign.formats.pades.findings import issue
from vbsign.formats.pades.isolation import IsolationUnavailable, isolation_available, run_isolated
from vbsign.model.report import DocumentInfo, Indication, Report, SubIndication

logger = logging.getLogger(__name__)

GiB = 1 << 30
MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The budget for verifying one document."""

    #: wall-clock seconds for the whole verification of one file
    max_seconds: float = 10.0
    #: bytes of memory the verification may use on top of what the process already uses
    max_memory: int = GiB
    #: run in an isolated worker process: ``True`` always, ``False`` never, ``None`` only
    #: when :func:`precheck` finds the file risky (the library default; the CLI uses True)
    isolate: bool | None = None
    #: more revisions than this (counted as ``%%EOF`` markers) is refused outright
    max_revisions: int = 2000
    #: files larger than this are refused outright (``None``: no limit)
    max_file_size: int | None = None
    #: cross-reference streams declaring more entries than this are refused outright
    #: (pyHanko's lenient reader materialises every declared entry, even without data:
    #: an 800-byte file declaring 2^31 entries exhausts any machine's memory)
    max_xref_entries: int = 5_000_000


DEFAULT_LIMITS = Limits()
#: files above these sizes / counts are verified in an isolated worker in "auto" mode
RISKY_SIZE = 16 * MiB
RISKY_REVISIONS = 64
RISKY_OBJECT_STREAMS = 256
RISKY_XREF_ENTRIES = 200_000
_XREF_STREAM = re.compile(rb"/Type\s*/XRef\b")
_SIZE = re.compile(rb"/Size\s+(\d{1,12})")
_INDEX = re.compile(rb"/Index\s*\[([\d\s]{0,2000})\]")


class BudgetExceeded(BaseException):
    """Raised when the budget runs out.

    A ``BaseException`` on purpose: it must cross pyHanko's and vbsign's own
    ``except Exception`` handlers (which turn parse errors into findings) and end the
    whole verification.
    """

    def __init__(self, what: str, limit: float) -> None:
        super().__init__(f"{what} limit {limit} exceeded")
        self.what = what
        self.limit = limit


class Deadline:
    """A wall-clock deadline checked at safe points."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise BudgetExceeded("time", self.seconds)


_deadline: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("vbsign_deadline", default=None)


def check_deadline() -> None:
    """Raise :class:`BudgetExceeded` if the current verification is out of time."""
    d = _deadline.get()
    if d is not None:
        d.check()


def remaining_seconds(default: float) -> float:
    d = _deadline.get()
    return default if d is None else max(0.0, min(default, d.remaining()))


@dataclass(frozen=True)
class Precheck:
    """What the raw bytes say before parsing."""

    size: int
    eof_markers: int
    object_streams: int
    #: the file is over a hard limit (the report says which)
    refused: tuple[str, float] | None
    #: large or intricate enough to verify in an isolated worker in "auto" mode
    risky: bool
    #: the largest number of entries a cross-reference stream declares
    xref_entries: int = 0


def declared_xref_entries(data: bytes) -> int:
    """The largest entry count any cross-reference stream declares (``/Index`` or ``/Size``).

    Read from the raw bytes around each ``/Type /XRef`` (a window, not a parse: an
    over-estimate only makes the file look riskier).
    """
    worst = 0
    for m in _XREF_STREAM.finditer(data):
        window = data[max(0, m.start() - 1024) : m.end() + 1024]
        counts: list[int] = []
        for idx in _INDEX.finditer(window):
            nums = [int(x) for x in idx.group(1).split()]
            counts.append(sum(nums[1::2]))
        if not counts:
            counts = [int(x.group(1)) for x in _SIZE.finditer(window)]
        if counts:
            worst = max(worst, max(counts))
    return worst


def precheck(data: bytes, limits: Limits) -> Precheck:
    """Cheap checks on the raw bytes (microseconds per MB: ``bytes.count`` is C code)."""
    size = len(data)
    eofs = data.count(b"%%EOF")
    objstms = data.count(b"/ObjStm")
    entries = declared_xref_entries(data) if b"/XRef" in data else 0
    refused: tuple[str, float] | None = None
    if limits.max_file_size is not None and size > limits.max_file_size:
        refused = ("size", float(limits.max_file_size))
    elif eofs > limits.max_revisions:
        refused = ("revisions", float(limits.max_revisions))
    elif entries > min(limits.max_xref_entries, 64 * size + 100_000):
        refused = ("xref-entries", float(min(limits.max_xref_entries, 64 * size + 100_000)))
    risky = (
        size > RISKY_SIZE
        or eofs > RISKY_REVISIONS
        or objstms > RISKY_OBJECT_STREAMS
        or entries > RISKY_XREF_ENTRIES
    )
    return Precheck(size, eofs, objstms, refused, risky, entries)


def budgeted_diff_policy(policy: DiffPolicy) -> DiffPolicy:
    """``policy`` with a deadline check before each revision it compares."""
    if not isinstance(policy, StandardDiffPolicy) or isinstance(policy, _BudgetedPolicy):
        return policy
    if getattr(policy, "checks_deadline", False):  # vbsign's own policy checks it itself
        return policy
    return _BudgetedPolicy(
        global_rules=policy.global_rules,
        form_rule=policy.form_rule,
        reject_object_freeing=policy.reject_object_freeing,
        ignore_orphaned_objects=policy.ignore_orphaned_objects,
        ignore_identical_objects=policy.ignore_identical_objects,
    )


class _BudgetedPolicy(StandardDiffPolicy):
    def apply(self, old: Any, new: Any, field_mdp_spec: Any = None, doc_mdp: Any = None) -> Any:
        check_deadline()
        return super().apply(old, new, field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)


def limit_report(data: bytes, name: str, what: str, limit: float, *, code: str = "RESOURCE_LIMIT") -> Report:
    """The verdict for a file that could not be verified within its budget."""
    doc = DocumentInfo(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), format="pdf")
    rep = Report(
        document=doc,
        indication=Indication.TOTAL_FAILED,
        sub_indication=SubIndication.FORMAT_FAILURE,
        validation_time=datetime.now(timezone.utc),
    )
    f = limit_issue(what, limit, code=code).to_finding()
    rep.findings.append(f)
    return rep


def limit_issue(what: str, limit: float, *, code: str = "RESOURCE_LIMIT") -> Any:
    if code == "WORKER_CRASHED":
        return issue(
            "WORKER_CRASHED",
            f"tiến trình kiểm tra kết thúc bất thường ({what}); tệp bị coi là không hợp lệ",
            f"the verification worker ended abnormally ({what}); the file is treated as invalid",
            reason=what,
        )
    vi, en = {
        "time": (
            f"quá {limit:g} giây (tăng bằng --max-seconds nếu tệp hợp lệ nhưng rất lớn)",
            f"more than {limit:g} seconds (raise it with --max-seconds for a genuine very large file)",
        ),
        "memory": (
            f"quá {limit / MiB:.0f} MiB bộ nhớ (tăng bằng --max-memory)",
            f"more than {limit / MiB:.0f} MiB of memory (raise it with --max-memory)",
        ),
        "size": (f"tệp lớn hơn {limit:.0f} byte", f"file larger than {limit:.0f} bytes"),
        "revisions": (
            f"hơn {limit:.0f} phiên bản (bản cập nhật gia tăng)",
            f"more than {limit:.0f} revisions (incremental updates)",
        ),
        "xref-entries": (
            f"bảng tham chiếu dạng luồng khai báo hơn {limit:.0f} mục so với kích thước tệp",
            f"a cross-reference stream declares more than {limit:.0f} entries for the file's size",
        ),
    }.get(what, (what, what))
    return issue("RESOURCE_LIMIT", vi, en, limit=what, value=limit)


VerifyFn = Callable[[bytes, str, Any], Awaitable[Report]]


async def verify_within(
    func: VerifyFn, data: bytes, name: str, options: Any, limits: Limits | None, *, pre: Precheck | None = None
) -> Report:
    """Run ``func(data, name, options)`` within ``limits`` (see the module docstring);
    ``pre``: the :func:`precheck` of ``data`` under the same limits, if the caller made it."""
    limits = limits or DEFAULT_LIMITS
    pre = pre if pre is not None else precheck(data, limits)
    if pre.refused is not None:
        return limit_report(data, name, *pre.refused)
    isolate = pre.risky if limits.isolate is None else limits.isolate
    if isolate:
        try:
            answer = await asyncio.to_thread(
                run_isolated, child_body, (func, data, name, options, limits), limits.max_seconds
            )
            return _decode(answer, data, name, limits)
        except IsolationUnavailable as e:  # no fork here, or the task cannot be sent
            logger.warning("verifying %s without process isolation: %s", name, e)
    report = await run_in_process(func, data, name, options, limits)
    if isolate:  # asked for isolation where it is not available
        report.findings.append(
            issue(
                "LIMITS_NOT_ENFORCED",
                "không tách được tiến trình kiểm tra; chỉ áp dụng giới hạn thời gian mềm",
                "the verification could not run in an isolated worker; only the cooperative time limit applies",
            ).to_finding()
        )
    return report


async def run_in_process(func: VerifyFn, data: bytes, name: str, options: Any, limits: Limits) -> Report:
    token = _deadline.set(Deadline(limits.max_seconds))
    try:
        return await func(data, name, options)
    except BudgetExceeded as e:
        return limit_report(data, name, e.what, e.limit)
    except MemoryError:
        return limit_report(data, name, "memory", float(limits.max_memory))
    except RecursionError:
        return limit_report(data, name, "nesting too deep / lồng quá sâu", 0, code="WORKER_CRASHED")
    finally:
        _deadline.reset(token)


def _vm_size() -> int:
    """Current virtual memory size of this process, in bytes (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def child_body(task: tuple[Any, ...], w: int) -> None:  # pragma: no cover - runs in the worker
    """The isolated worker (a child of a helper, :mod:`.isolation`): set the limits, verify,
    write the outcome to ``w`` as JSON."""
    func, data, name, options, limits = task
    import resource

    base = _vm_size()
    if base:
        cap = base + limits.max_memory
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = int(limits.max_seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    payload: dict[str, Any]
    try:
        rep = asyncio.run(run_in_process(func, data, name, options, limits))
        payload = {"report": rep.to_dict()}
    except errors.VbsignError as e:
        payload = {"error": {"class": type(e).__name__, "vi": e.msg.vi, "en": e.msg.en, "details": e.details}}
    except MemoryError:
        payload = {"limit": "memory"}
    except BaseException as e:  # the host turns this into WORKER_CRASHED
        payload = {"crash": f"{type(e).__name__}: {e}"[:300]}
    try:
        blob = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    except MemoryError:
        blob = b'{"limit": "memory"}'
    view = memoryview(blob)
    while view:
        n = os.write(w, view)
        view = view[n:]


def _decode(payload: dict[str, Any], data: bytes, name: str, limits: Limits) -> Report:
    if "report" in payload:
        return Report.from_dict(payload["report"])
    if "error" in payload:
        err = payload["error"]
        cls = getattr(errors, str(err.get("class")), errors.VerificationError)
        if not (isinstance(cls, type) and issubclass(cls, errors.VbsignError)):
            cls = errors.VerificationError
        raise cls(Msg(str(err.get("vi")), str(err.get("en"))), details=err.get("details") or {})
    if payload.get("limit") == "memory":
        return limit_report(data, name, "memory", float(limits.max_memory))
    if payload.get("limit") == "time" or payload.get("signal") in (signal.SIGXCPU, signal.SIGKILL):
        return limit_report(data, name, "time", limits.max_seconds)
    reason = payload.get("crash") or (f"signal {payload['signal']}" if "signal" in payload else "no answer")
    logger.warning("verification worker for %s failed: %s", name, reason)
    return limit_report(data, name, str(reason), 0, code="WORKER_CRASHED")


__all__ = [
    "DEFAULT_LIMITS",
    "BudgetExceeded",
    "Deadline",
    "Limits",
    "Precheck",
    "budgeted_diff_policy",
    "check_deadline",
    "child_body",
    "isolation_available",
    "limit_report",
    "precheck",
    "remaining_seconds",
    "verify_within",
]
