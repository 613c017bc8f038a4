"""Batch signing: many documents, one key, one login (``vbsign.sign_many``, ``sign --batch``).

The contract, file by file:

* every output is written atomically (a temporary file renamed into place): a file that
  fails — even because the token was pulled out in the middle of its signature — leaves
  **no** output, and outputs already written stay complete and valid;
* inputs are never modified, and an output never replaces its input;
* an existing output is left alone (reported as ``exists``) unless ``overwrite=True``, so
  re-running a batch after an interruption signs only what is missing;
* failures are reported per file with the file name and the reason (a typed
  :class:`~vbsign.errors.VbsignError`), and the batch goes on — except for failures that
  would repeat for every remaining file (the key or token became unusable, the
  certificate was rejected, the disk is full, the timestamp/revocation service failed
  three times in a row): then the remaining files are reported as ``skipped`` (not
  attempted) and nothing more is tried. In particular a wrong PIN is never tried again;
* when the source is a folder, a symbolic link whose target is outside that folder is not
  followed (``refused``, with the reason) unless ``follow_links=True``: a ``*.pdf`` link
  planted in a shared folder must not make the clerk sign — and copy into the output
  folder — a file from elsewhere. The check is repeated right before the file is read;
* file names are reported escaped (:func:`vbsign._core.files.printable`): a name containing a line
  break cannot forge a line of the batch's output or log.

Before the first document the signer's certificate is checked and (for token keys) the
login happens — once, so that a revoked certificate never costs a PIN try and the PIN
prompt never interrupts a progress display.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import enum
import errno
import io
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import vbsign._core.files as _io
from vbsign._core.errors import (
    CertificateRejected,
    ConfigurationError,
    InputError,
    KeyAccessError,
    ServiceError,
    SigningError,
    StorageFullError,
    VbsignError,
)
from vbsign._core.files import printable
from vbsign._core.i18n import Msg
from vbsign.formats.dispatch import default_output, detect_format

if TYPE_CHECKING:
    from vbsign.backends.base import SigningKey
    from vbsign.model.sign import SignResult

logger = logging.getLogger(__name__)

#: errors after which signing the next file cannot succeed either
FATAL_ERRORS: tuple[type[VbsignError], ...] = (
    KeyAccessError,
    CertificateRejected,
    ConfigurationError,
    StorageFullError,
)
#: consecutive service failures (TSA, OCSP, CRL) after which the batch stops
MAX_SERVICE_FAILURES = 3
#: file name patterns signed when the source is a directory
DEFAULT_PATTERNS = ("*.pdf",)


class FileStatus(str, enum.Enum):
    SIGNED = "signed"
    FAILED = "failed"
    #: not attempted: the batch stopped before this file
    SKIPPED = "skipped"
    EXISTS = "exists"
    #: not signed on purpose, before any work (a link leaving the input folder)
    REFUSED = "refused"


@dataclass(frozen=True)
class BatchJob:
    """One document to sign and where its signed copy goes."""

    source: Path
    output: Path
    #: the input folder the source must stay inside (links are resolved), when the job
    #: comes from a folder scan without ``follow_links``
    within: Path | None = None
    #: why this job is refused without being attempted (set by :func:`plan_jobs`)
    refused: InputError | None = None


@dataclass
class FileResult:
    """The outcome for one document."""

    job: BatchJob
    status: FileStatus
    result: SignResult | None = None
    error: VbsignError | None = None
    seconds: float = 0.0

    @property
    def source(self) -> Path:
        return self.job.source

    @property
    def output(self) -> Path:
        return self.job.output

    @property
    def ok(self) -> bool:
        return self.status in (FileStatus.SIGNED, FileStatus.EXISTS)

    def message(self) -> Msg:
        """One line for the user: the file, what happened and (on failure) why.

        Names and reasons are escaped: whatever a file is called, this is one line.
        """
        name, out = printable(self.job.source.name), printable(self.job.output)
        if self.status is FileStatus.SIGNED:
            return Msg(f"{name}: đã ký → {out}", f"{name}: signed → {out}")
        if self.status is FileStatus.EXISTS:
            return Msg(
                f"{name}: bỏ qua, tệp đầu ra đã có ({out})",
                f"{name}: skipped, the output already exists ({out})",
            )
        why = self.error.msg if self.error is not None else Msg("", "")
        why = Msg(printable(why.vi), printable(why.en))
        if self.status is FileStatus.SKIPPED:  # the reason is said once, for the whole batch
            return Msg(f"{name}: chưa thử ký (lô đã dừng).", f"{name}: not attempted (the batch stopped).")
        if self.status is FileStatus.REFUSED:
            return Msg(f"{name}: không ký. {why.vi}", f"{name}: not signed. {why.en}")
        return Msg(
            f"{name}: LỖI, không tạo tệp đầu ra. {why.vi}", f"{name}: FAILED, no output written. {why.en}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.job.source),
            "output": str(self.job.output),
            "status": self.status.value,
            "seconds": round(self.seconds, 4),
            "error": self.error.to_dict() if self.error is not None else None,
        }


@dataclass
class BatchResult:
    """The outcome of a batch, in input order."""

    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    #: the error that stopped the batch early, if any
    stopped_by: VbsignError | None = None

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def with_status(self, status: FileStatus) -> list[FileResult]:
        return [f for f in self.files if f.status is status]

    @property
    def signed(self) -> list[FileResult]:
        return self.with_status(FileStatus.SIGNED)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if not f.ok]

    @property
    def exit_code(self) -> int:
        """0 when every file is signed (or already was); else the first failure's code."""
        for f in self.files:
            if not f.ok:
                return f.error.exit_code if f.error is not None else 3
        return 0

    def summary(self) -> Msg:
        n = {s: len(self.with_status(s)) for s in FileStatus}
        return Msg(
            f"Đã ký {n[FileStatus.SIGNED]}, lỗi {n[FileStatus.FAILED]}, bỏ qua "
            f"{n[FileStatus.SKIPPED] + n[FileStatus.EXISTS] + n[FileStatus.REFUSED]} / {len(self.files)} tệp "
            f"({self.seconds:.1f} s).",
            f"Signed {n[FileStatus.SIGNED]}, failed {n[FileStatus.FAILED]}, skipped "
            f"{n[FileStatus.SKIPPED] + n[FileStatus.EXISTS] + n[FileStatus.REFUSED]} of {len(self.files)} files "
            f"({self.seconds:.1f} s).",
        )

    @property
    def not_attempted(self) -> list[FileResult]:
        """Files the batch did not try because it stopped early."""
        return self.with_status(FileStatus.SKIPPED)

    def raise_for_failures(self) -> None:
        """Raise a :class:`SigningError` naming every file that was not signed."""
        bad = self.failed
        if bad:
            raise SigningError(
                Msg(
                    f"Không ký được {len(bad)} tệp:\n" + "\n".join(f"  {f.message().vi}" for f in bad),
                    f"{len(bad)} file(s) were not signed:\n" + "\n".join(f"  {f.message().en}" for f in bad),
                ),
                details={"files": [f.to_dict() for f in bad]},
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "files": [f.to_dict() for f in self.files],
            "stopped_by": self.stopped_by.to_dict() if self.stopped_by is not None else None,
        }


# ---- planning ------------------------------------------------------------------------------

JobsLike = (
    str
    | os.PathLike[str]
    | Iterable[str | os.PathLike[str] | tuple[str | os.PathLike[str], str | os.PathLike[str]] | BatchJob]
)


def _output_name(src: Path) -> str:
    """PDF and XML keep their name (the signature is inside); other files get ``name.p7s``."""

    try:
        with src.open("rb") as fh:
            head = fh.read(4096)
        fmt = detect_format(head)
    except (OSError, VbsignError):
        return src.name
    return src.name if fmt in ("pdf", "xml", "edxml") else default_output(src, fmt).name


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class LinkRefused(InputError):
    """A link in the input folder points outside it; it is not followed (``follow_links``)."""

    code = "LINK_REFUSED"
    #: why it happens / vì sao
    cause = Msg('(Ký theo lô) một liên kết trong thư mục trỏ ra ngoài thư mục đó; không đi theo.', '(Batch) a link in the input folder points outside it; not followed.')
    #: what to do / cách xử lý
    remedy = Msg('Chép tệp vào thư mục, hoặc dùng --follow-links nếu chắc chắn.', 'Copy the file into the folder, or use --follow-links if you are sure.')


def link_refused(link: Path, target: Path) -> LinkRefused:
    """The reason a link out of the input folder is not followed."""
    return LinkRefused(
        Msg(
            "{n} là liên kết tới tệp ngoài thư mục đầu vào ({t}); không theo liên kết "
            "(dùng --follow-links nếu đúng là muốn ký tệp đó).",
            "{n} is a link to a file outside the input folder ({t}); links are not followed "
            "(use --follow-links if that file really is to be signed).",
        ).format(n=printable(link.name), t=printable(target)),
        details={"path": str(link), "target": str(target)},
    )


def _scan_folder(folder: Path, patterns: Iterable[str], follow_links: bool) -> list[tuple[Path, InputError | None]]:
    """The folder's files matching ``patterns`` by name (links out of it refused)."""
    root = folder.resolve()
    pats = [p.lower().lstrip("*") for p in patterns]
    out: list[tuple[Path, InputError | None]] = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if not any(p.name.lower().endswith(x) for x in pats):
            continue
        if p.is_symlink() and not follow_links:
            target = p.resolve()
            if not _inside(target, root):
                out.append((p, link_refused(p, target)))
                continue
        if p.is_file():
            out.append((p, None))
    return out


def plan_jobs(
    sources: JobsLike,
    output_dir: str | os.PathLike[str] | None = None,
    *,
    patterns: Iterable[str] = DEFAULT_PATTERNS,
    follow_links: bool = False,
) -> list[BatchJob]:
    """Turn a directory, a list of files or ``(source, output)`` pairs into jobs.

    A directory means its files matching ``patterns`` (case-insensitive, not recursive),
    sorted by name; a link among them whose target lies outside the directory becomes a
    refused job unless ``follow_links``. Plain files go to ``output_dir`` under their own
    name. Refuses an output directory equal to a source's directory and two jobs with one
    output.
    """
    out_dir = Path(os.fspath(output_dir)) if output_dir is not None else None
    items: list[Any]
    within: Path | None = None
    refused: dict[Path, InputError] = {}
    if isinstance(sources, (str, os.PathLike)):
        src = Path(os.fspath(sources))
        if src.is_dir():
            scanned = _scan_folder(src, patterns, follow_links)
            items = [p for p, _ in scanned]
            refused = {p: why for p, why in scanned if why is not None}
            within = None if follow_links else src.resolve()
        else:
            items = [src]
    else:
        items = list(sources)
    jobs: list[BatchJob] = []
    for item in items:
        if isinstance(item, BatchJob):
            jobs.append(item)
            continue
        if isinstance(item, tuple):
            jobs.append(BatchJob(Path(os.fspath(item[0])), Path(os.fspath(item[1]))))
            continue
        src = Path(os.fspath(item))
        if out_dir is None:
            raise InputError(
                Msg(
                    "Ký theo lô cần thư mục đầu ra (hoặc các cặp (tệp vào, tệp ra)).",
                    "Batch signing needs an output directory (or (input, output) pairs).",
                )
            )
        why = refused.get(src)
        name = src.name if why is not None else _output_name(src)  # a refused link is never opened
        jobs.append(BatchJob(src, out_dir / name, within=within, refused=why))
    seen: dict[str, Path] = {}
    for job in jobs:
        if _io.same_file(job.source, job.output) or (
            out_dir is not None and job.source.parent.resolve() == out_dir.resolve()
        ):
            raise InputError(
                Msg(
                    f"Thư mục đầu ra trùng thư mục chứa tệp gốc ({job.source.parent}); vbsign không "
                    "bao giờ ghi đè tệp gốc — hãy chọn thư mục đầu ra khác.",
                    f"The output directory is the input's directory ({job.source.parent}); vbsign "
                    "never overwrites its inputs — choose another output directory.",
                )
            )
        key = os.path.normcase(os.path.abspath(job.output))
        if key in seen:
            raise InputError(
                Msg(
                    f"Hai tệp đầu vào cùng cho ra {job.output} ({seen[key]} và {job.source}).",
                    f"Two inputs would both be written to {job.output} ({seen[key]} and {job.source}).",
                )
            )
        seen[key] = job.source
    return jobs


# ---- running -------------------------------------------------------------------------------


@runtime_checkable
class _Loginable(Protocol):
    def login(self) -> None: ...


ResultCallback = Callable[[FileResult], None]


class BatchSigner(Protocol):
    """What a batch needs from its signer (a :class:`vbsign.Signer`)."""

    key: SigningKey

    async def async_check_certificate(self) -> Any: ...

    @property
    def async_sign(self) -> Callable[..., Awaitable[SignResult]]:
        """:meth:`vbsign.Signer.async_sign`: (source, output, per-document keyword options)."""


async def async_sign_many(
    signer: BatchSigner,
    jobs: Iterable[BatchJob],
    *,
    on_result: ResultCallback | None = None,
    on_start: Callable[[BatchJob], None] | None = None,
    stop_on_error: bool = False,
    overwrite: bool = False,
    concurrency: int = 1,
    processes: int = 1,
    **sign_options: Any,
) -> BatchResult:
    """Sign every job with ``signer`` (see module docs). Raises only if nothing can start.

    :param on_result: called once per file, as soon as its outcome is known.
    :param on_start: called when a file's signing starts.
    :param stop_on_error: stop at the first failure of any kind.
    :param overwrite: replace existing outputs (atomically) instead of skipping them.
    :param concurrency: documents prepared in parallel; the token still signs one at a
        time, but PDF work and network round trips overlap with it.
    :param processes: worker processes signing in parallel (every core; see
        :func:`pool_available`). Each is forked after the certificate check, so it signs
        with the same key and settings; ``on_result``, stopping and the outputs behave as
        with one process. A token key (PKCS#11) signs in this process (``concurrency``
        still applies): its session cannot be shared with a forked child.
    :param sign_options: passed to :meth:`vbsign.api.Signer.async_sign` for every file.
    """
    jobs = list(jobs)
    started = time.perf_counter()
    # once, before any document: certificate check first (no PIN spent on a bad certificate)
    await signer.async_check_certificate()
    key = signer.key
    if isinstance(key, _Loginable):
        await asyncio.get_running_loop().run_in_executor(None, key.login)
    key.expect_signatures(sum(1 for job in jobs if job.refused is None))  # one remote authorisation
    for job in jobs:
        if job.output.parent and not job.output.parent.exists():
            job.output.parent.mkdir(parents=True, exist_ok=True)

    results: list[FileResult | None] = [None] * len(jobs)
    state = _RunState()
    pool = _start_pool(signer, jobs, sign_options, processes)
    sem = asyncio.Semaphore(max(1, concurrency) if pool is None else processes)

    async def run(i: int, job: BatchJob) -> None:
        async with sem:
            if job.refused is not None:
                res = FileResult(job, FileStatus.REFUSED, error=job.refused)
            elif state.stop is not None:
                res = FileResult(job, FileStatus.SKIPPED, error=state.stop)
            elif not overwrite and job.output.exists():
                res = FileResult(job, FileStatus.EXISTS)
            else:
                if on_start is not None:
                    on_start(job)
                if pool is None:
                    res = await _sign_one(signer, job, sign_options)
                else:
                    res = await asyncio.get_running_loop().run_in_executor(pool, _pooled_sign, i)
                state.note(res, stop_on_error)
            results[i] = res
            if on_result is not None:
                on_result(res)

    try:
        await asyncio.gather(*(run(i, j) for i, j in enumerate(jobs)))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    done = [r for r in results if r is not None]
    return BatchResult(files=done, seconds=time.perf_counter() - started, stopped_by=state.stop)


# ---- worker processes ---------------------------------------------------------------------

#: what a forked worker signs with: set in the parent just before the pool forks
_FORKED: tuple[BatchSigner, list[BatchJob], dict[str, Any]] | None = None


def pool_available() -> bool:
    """Whether batches can use worker processes here: ``fork`` exists (Linux, the BSDs) and
    this process has one thread (a host's threads could hold a lock the forked worker then
    waits for forever; such a host gets the batch signed in its own process)."""
    import multiprocessing

    from vbsign.formats.pades.isolation import single_threaded

    return "fork" in multiprocessing.get_all_start_methods() and single_threaded()


def _start_pool(
    signer: BatchSigner, jobs: list[BatchJob], options: dict[str, Any], processes: int
) -> concurrent.futures.ProcessPoolExecutor | None:
    """A pool of ``processes`` forked workers, or ``None`` to sign in this process (one
    process asked, a token key, fewer than two files to sign, or no ``fork``)."""
    global _FORKED
    todo = sum(1 for j in jobs if j.refused is None)
    from vbsign.backends.software import SoftwareKey  # tokens and plugin keys: one process

    if processes <= 1 or todo < 2 or not isinstance(signer.key, SoftwareKey) or not pool_available():
        return None
    import multiprocessing

    _FORKED = (signer, jobs, options)
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=min(processes, todo), mp_context=multiprocessing.get_context("fork")
    )


def _pooled_sign(i: int) -> FileResult:
    """In a worker: sign job ``i`` as :func:`_sign_one` does in one process."""
    from vbsign._core.aio import run_sync  # the parent's loop is not this process's

    assert _FORKED is not None, "worker started without a batch"
    signer, jobs, options = _FORKED
    return run_sync(_sign_one(signer, jobs[i], options))


class _RunState:
    def __init__(self) -> None:
        self.stop: VbsignError | None = None
        self.service_failures = 0

    def note(self, res: FileResult, stop_on_error: bool) -> None:
        err = res.error
        if err is None:
            self.service_failures = 0
            return
        self.service_failures = self.service_failures + 1 if isinstance(err, ServiceError) else 0
        if (
            stop_on_error
            or isinstance(err, FATAL_ERRORS)
            or self.service_failures >= MAX_SERVICE_FAILURES
        ) and self.stop is None:
            self.stop = _stopped_because(res, err)


def _stopped_because(res: FileResult, err: VbsignError) -> VbsignError:
    name = printable(res.job.source.name)
    stop = SigningError(
        Msg(
            f"Lô dừng sau lỗi ở tệp {name}: {err.msg.vi}",
            f"The batch stopped after the failure on {name}: {err.msg.en}",
        ),
        details={"file": str(res.job.source), "cause": err.to_dict()},
    )
    stop.__cause__ = err
    return stop


def _source(job: BatchJob) -> _io.Source:
    """What to sign: the path itself, or — for a job that must stay inside its folder — the
    bytes of its real file, checked again now and opened without following a link (the
    folder may have changed since the plan)."""
    if job.within is None:
        return job.source
    real = Path(os.path.realpath(job.source))
    if not _inside(real, job.within):
        raise link_refused(job.source, real)
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as e:
        if e.errno == errno.ELOOP:  # replaced by a link after realpath()
            raise link_refused(job.source, real) from None
        raise InputError(
            Msg("Không đọc được tệp {p}: {r}", "Cannot read {p}: {re}").format(
                p=printable(job.source), r=_io.os_reason(e).vi, re=_io.os_reason(e).en
            )
        ) from None
    with os.fdopen(fd, "rb") as fh:
        stream = io.BytesIO(fh.read())
    stream.name = str(job.source)
    return stream


async def _sign_one(signer: BatchSigner, job: BatchJob, options: dict[str, Any]) -> FileResult:
    t = time.perf_counter()
    try:
        result = await signer.async_sign(_source(job), job.output, **options)
    except VbsignError as e:
        logger.info("batch: %s failed: %s", printable(job.source.name), printable(e.msg.en))
        status = FileStatus.REFUSED if isinstance(e, LinkRefused) else FileStatus.FAILED
        return FileResult(job, status, error=e, seconds=time.perf_counter() - t)
    except Exception as e:  # a bug or an unexpected library error: report it, keep going
        logger.debug("batch: unexpected error on %s", printable(job.source), exc_info=True)
        err = SigningError(
            Msg(
                f"Lỗi không mong đợi khi ký {printable(job.source.name)}: {type(e).__name__}",
                f"Unexpected error while signing {printable(job.source.name)}: {type(e).__name__}",
            )
        )
        err.__cause__ = e
        return FileResult(job, FileStatus.FAILED, error=err, seconds=time.perf_counter() - t)
    return FileResult(job, FileStatus.SIGNED, result=result, seconds=time.perf_counter() - t)


__all__ = [
    "LinkRefused",
    "pool_available",
    "BatchJob",
    "BatchResult",
    "FileResult",
    "FileStatus",
    "async_sign_many",
    "plan_jobs",
]
