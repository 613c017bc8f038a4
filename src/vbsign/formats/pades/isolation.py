"""Isolated verification of risky PDFs: a small pool of vbsign's own fork servers.

What cannot be interrupted from inside — a pure-Python loop deep in a parser, or memory
growth — is bounded by running the work in a separate process with ``RLIMIT_AS`` (memory),
``RLIMIT_CPU`` and a wall-clock kill. That process must never be forked from the host's own
threads: a child forked from a multi-threaded process can deadlock on a lock another thread
held at the time (the logging module's, the allocator's…), and a valid document would then
read RESOURCE_LIMIT.

So the host process never forks. On the first risky file a *helper* is started with
:mod:`subprocess` (``fork`` + ``exec`` of a fresh interpreter: nothing of the host is
inherited, its ``__main__`` is not re-imported, its :mod:`multiprocessing` settings are not
touched). The helper imports vbsign once and stays single-threaded; for each file it forks a
child — safe, there is no other thread — which sets the limits, verifies and reports back as
JSON, then exits. The helper kills a child that outlives its budget. Helpers are reused
(up to :data:`MAX_HELPERS`, one file at a time each), so after the first file isolation
costs a fork of a warm process plus moving the file and the report through a pipe.

A task must be picklable (the verify function by reference, the document, its options);
when it is not — or the platform has no ``fork`` — the caller verifies in process with the
cooperative limits only and says so (``LIMITS_NOT_ENFORCED``).
"""

from __future__ import annotations

import atexit
import importlib
import json
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from vbsign.formats.pades.speedups import enable_speedups

logger = logging.getLogger(__name__)

#: helpers kept at most (each verifies one file at a time)
MAX_HELPERS = max(2, min(4, os.cpu_count() or 1))
_HEADER = struct.Struct(">Q")
#: how long a helper may take to start (a fresh interpreter importing vbsign)
START_TIMEOUT = 60.0


class IsolationUnavailable(Exception):
    """The task cannot run in a helper (no ``fork``, not picklable, no interpreter)."""


def isolation_available() -> bool:
    """Whether this platform can fork helper children (Linux and other Unix, not macOS or Windows)."""
    return hasattr(os, "fork") and sys.platform not in ("darwin", "win32")


# ---- framing: length-prefixed pickles over pipes ----------------------------------------------


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    parts: list[bytes] = []
    while n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("isolated helper did not answer in time")
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("isolated helper closed its pipe")
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def send(fd: int, obj: Any) -> None:
    send_pickled(fd, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def send_pickled(fd: int, blob: bytes) -> None:
    _write_all(fd, _HEADER.pack(len(blob)))
    _write_all(fd, blob)


def recv(fd: int, deadline: float | None = None) -> Any:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exact(fd, size, deadline))


# ---- the helper process ------------------------------------------------------------------------

#: ``child(task, write_fd)``: runs in the forked child, writes JSON to ``write_fd``, never returns
ChildBody = Callable[[tuple[Any, ...], int], None]


def helper_main(read_fd: int, write_fd: int) -> None:  # pragma: no cover - runs in the helper
    """The helper's loop: one task at a time, each in a freshly forked child."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host's Ctrl-C is the host's business
    while True:
        try:
            body, task, seconds = recv(read_fd)
        except BaseException:  # the host closed the pipe (or sent garbage): done
            os._exit(0)
        try:
            answer = run_forked(body, task, seconds)
        except Exception as e:
            answer = {"crash": f"helper: {type(e).__name__}: {e}"[:300]}
        send(write_fd, answer)


def _close_fds_except(*keep: int) -> None:  # pragma: no cover - runs in a forked helper
    top = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024
    start = 3
    for fd in sorted(keep):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, min(top, 1 << 16))


def run_forked(body: ChildBody, task: tuple[Any, ...], seconds: float) -> dict[str, Any]:  # pragma: no cover
    """Fork a child for ``task`` (called only in the single-threaded helper); its JSON
    answer, or what happened to it (killed ``seconds`` + 2 s after it started, crashed)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            body(task, w)
        finally:
            os._exit(0)
    os.close(w)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds + 2.0
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            if not select.select([r], [], [], left)[0]:
                continue
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    try:
        payload = json.loads(b"".join(chunks).decode("utf-8")) if chunks else {}
    except ValueError:
        payload = {}
    if timed_out:
        return {"limit": "time"}
    if os.WIFSIGNALED(status):
        payload.setdefault("signal", os.WTERMSIG(status))
    elif not payload:
        payload["crash"] = f"exit {os.WEXITSTATUS(status)}"
    return payload  # type: ignore[no-any-return]


# ---- the host side -----------------------------------------------------------------------------


def single_threaded() -> bool:
    """Whether this process has exactly one thread, counted by the kernel where it can be
    (``/proc/self/task`` on Linux): threads started outside :mod:`threading` (an embedding
    host, pytest-xdist's execnet channel) are invisible to :func:`threading.active_count`,
    and forking while one of them holds a lock can leave the child hanging."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


class _Helper:
    """One helper process and the pipes to it.

    Started with :mod:`subprocess` (a fresh interpreter), or — only when the caller owns a
    process that has a single thread, as the ``vbsign`` command does — forked directly,
    which shares the modules already imported (no other thread can hold a lock then).
    """

    def __init__(self, *, fork: bool = False) -> None:
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        self.pid = 0
        self.proc: subprocess.Popen[bytes] | None = None
        if fork and single_threaded():
            self.pid = os.fork()
            if self.pid == 0:  # pragma: no cover - the helper
                try:
                    os.setsid()  # the terminal's Ctrl-C goes to the host only
                    _close_fds_except(to_r, from_w)  # nothing of the host's files stays open
                    _preload()
                    helper_main(to_r, from_w)
                finally:
                    os._exit(0)
        else:
            self.proc = self._spawn(to_r, from_w)
            self.pid = self.proc.pid
        os.close(to_r)
        os.close(from_w)
        self.to_helper, self.from_helper = to_w, from_r

    @staticmethod
    def _spawn(to_r: int, from_w: int) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        # the same vbsign (and test modules) as this process
        env["VBSIGN_ISOLATION_PATH"] = json.dumps(sys.path)
        code = (
            "import json, os, sys, warnings; "
            "sys.path[:0] = json.loads(os.environ.pop('VBSIGN_ISOLATION_PATH')); "
            "warnings.simplefilter('ignore'); "
            "from vbsign.formats.pades.isolation import helper_main, _preload; "
            f"_preload(); helper_main({to_r}, {from_w})"
        )
        try:
            return subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(to_r, from_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # the terminal's Ctrl-C goes to the host only
            )
        except OSError as e:
            raise IsolationUnavailable(f"cannot start {sys.executable}: {e}") from e

    def run(self, job: bytes, deadline: float) -> dict[str, Any]:
        send_pickled(self.to_helper, job)
        answer: dict[str, Any] = recv(self.from_helper, deadline)
        return answer

    def close(self) -> None:
        for fd in (self.to_helper, self.from_helper):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass
            return
        try:  # a forked helper: it exits on EOF; make sure, and reap it
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:  # pragma: no cover
            pass


class _Pool:
    """Idle helpers, shared by every thread of the host."""

    def __init__(self) -> None:
        self._idle: list[_Helper] = []
        self._count = 0
        self._cond = threading.Condition()

    def acquire(self) -> _Helper:
        with self._cond:
            while not self._idle and self._count >= MAX_HELPERS:
                self._cond.wait()
            if self._idle:
                return self._idle.pop()
            self._count += 1
        try:
            return _Helper()
        except BaseException:
            self._drop()
            raise

    def release(self, helper: _Helper) -> None:
        with self._cond:
            self._idle.append(helper)
            self._cond.notify()

    def discard(self, helper: _Helper) -> None:
        helper.close()
        self._drop()

    def _drop(self) -> None:
        with self._cond:
            self._count -= 1
            self._cond.notify()

    def shutdown(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for h in idle:
            h.close()

    def prestart(self, *, fork: bool = False) -> None:
        """Start one helper now (it imports vbsign while the caller does other work)."""
        with self._cond:
            if self._idle or self._count >= MAX_HELPERS:
                return
            self._count += 1
        try:
            helper = _Helper(fork=fork)
        except IsolationUnavailable:
            self._drop()
            return
        self.release(helper)

    def helpers(self) -> list[int]:
        """Process ids of the idle helpers (for tests and diagnostics)."""
        with self._cond:
            return [h.pid for h in self._idle]


_POOL = _Pool()
atexit.register(_POOL.shutdown)


def run_isolated(body: ChildBody, task: tuple[Any, ...], seconds: float) -> dict[str, Any]:
    """Run ``body(task, write_fd)`` in a child of a helper, killed ``seconds`` + 2 s after it
    starts; the JSON object it wrote (or ``{"limit": "time"}``, ``{"crash": …}``, ``{"signal": n}``).

    ``body`` must be a module-level function (it is sent by reference) and ``task``
    picklable; otherwise — or without ``fork`` — :class:`IsolationUnavailable` is raised
    and nothing ran. A helper that dies or stops answering is discarded.
    """
    if not isolation_available():
        raise IsolationUnavailable(f"no fork on {sys.platform}")
    try:
        job = pickle.dumps((body, task, seconds), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:
        raise IsolationUnavailable(f"the task cannot be sent to a worker: {e}") from e
    helper = _POOL.acquire()
    deadline = time.monotonic() + seconds + START_TIMEOUT
    try:
        answer = helper.run(job, deadline)
    except (EOFError, OSError, TimeoutError, pickle.UnpicklingError) as e:
        logger.warning("isolated verification helper failed: %s", e)
        _POOL.discard(helper)
        return {"crash": f"helper: {type(e).__name__}"}
    except BaseException:
        _POOL.discard(helper)
        raise
    _POOL.release(helper)
    return answer


def prestart(*, fork: bool = False) -> None:
    """Start a helper ahead of the first risky file (the ``vbsign verify`` command, which
    isolates every file, does so before loading the rest of vbsign).

    ``fork=True`` is for a caller that owns its process (the command line): while the
    process has a single thread, the helper is forked from it instead of started as a new
    interpreter (cheaper; a library never does this to its host).
    """
    if isolation_available():
        _POOL.prestart(fork=fork)


#: what a PDF verification imports on first use, imported once in each helper so that its
#: children (one per file) share it instead of importing it again
PRELOAD = (
    "vbsign.formats.pades.verify",
    "vbsign.formats.pades.preflight",
    "vbsign.appearance.widgets",
    "pyhanko.pdf_utils.filters",
    "pyhanko.pdf_utils.content_stream_parser",
    "PIL.Image",
    "numpy",
    "lxml.etree",
)


def _preload() -> None:  # pragma: no cover - runs in a helper
    """Ready a helper (vbsign's own process, not the host's): the faster tokenizer leaves and
    X.509 name preparation process-wide, and :data:`PRELOAD`."""
    enable_speedups()
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional dependency: its children import it if they can
            continue


def helper_pids() -> list[int]:
    """Process ids of the idle helpers of this process."""
    return _POOL.helpers()


__all__ = [
    "MAX_HELPERS",
    "IsolationUnavailable",
    "helper_pids",
    "isolation_available",
    "prestart",
    "run_isolated",
    "single_threaded",
]
