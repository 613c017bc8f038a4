"""Anchoring the audit chain outside the database: signed checkpoints.

The hash chain (:mod:`.audit`) detects edited, rewritten and deleted records — but only
against the chain head stored in the same database. Whoever can rewrite the database can
also reset the head, wipe the log and start it again at the genesis hash, or rewrite every
record and recompute every hash. A *checkpoint* closes that gap:

* ``(log id, sequence number, head hash)`` of a verified chain, as canonical JSON,
  **signed** by the agency's key (software key or token, through the usual backends) as a
  CAdES enveloping signature (``.p7m``), **timestamped** (B-LT) when a TSA is configured;
* written to a file or the evidence store (a directory, one file per checkpoint, 0600),
  outside the database — ideally on other storage or sent to an auditor;
* made by ``vbsign registry audit checkpoint`` (on a schedule: cron, a systemd timer) and/or
  automatically every N events or after an interval (:class:`CheckpointConfig`, used by the
  registry's audit sink);
* checked by ``vbsign registry audit verify --checkpoint FILE|DIR``: the checkpoint's
  signature must verify, it must belong to this log, and record number ``seq`` must still
  be there with the same hash. Since every record's hash covers the one before it, that
  proves that nothing up to the checkpoint was changed, deleted or rewritten — whatever the
  attacker did to the database afterwards.

The log id is a random identifier stored in the registry's settings when the first
checkpoint is made, so that a checkpoint of another registry is not mistaken for this one.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import vbsign._core.files as _io
from vbsign._core.bounds import CHECKPOINT_FILE, loads_json, read_bounded
from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign.api.signer import Signer
from vbsign.api.verification import verify
from vbsign.model.report import Indication
from vbsign.pki.validation import Services
from vbsign.registry.errors import RegistryError

if TYPE_CHECKING:
    from vbsign.api.signer import Signer
    from vbsign.model.report import Report

CHECKPOINT_SCHEMA = "https://vbsign.vn/schemas/audit-checkpoint/v1"
#: settings keys (internal, not user settings)
LOG_ID_KEY = "audit_log_id"
LAST_KEY = "audit_checkpoint_last"
SUFFIX = ".p7m"
PREFIX = "audit-checkpoint-"


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint asserts: record ``seq`` of log ``log_id`` has hash ``hash``."""

    log_id: str
    seq: int
    hash: str
    created_at: datetime
    #: where the log lives (password hidden), for the people reading the checkpoint
    database: str = ""

    def payload(self) -> bytes:
        """The signed content: canonical JSON (sorted keys, UTF-8)."""
        return json.dumps(
            {
                "schema": CHECKPOINT_SCHEMA,
                "log_id": self.log_id,
                "seq": self.seq,
                "hash": self.hash,
                "created_at": self.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "database": self.database,
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode("utf-8")

    @classmethod
    def from_payload(cls, data: bytes, source: str) -> Checkpoint:
        d = loads_json(data, source, CHECKPOINT_FILE)
        try:
            if d["schema"] != CHECKPOINT_SCHEMA:
                raise ValueError(d["schema"])
            return cls(
                log_id=str(d["log_id"]),
                seq=int(d["seq"]),
                hash=str(d["hash"]),
                created_at=datetime.fromisoformat(str(d["created_at"]).replace("Z", "+00:00")),
                database=str(d.get("database", "")),
            )
        except (KeyError, TypeError, ValueError):
            raise InputError(
                Msg("{p} không phải điểm mốc nhật ký của vbsign.", "{p} is not a vbsign audit checkpoint.").format(
                    p=source
                )
            ) from None

    def file_name(self) -> str:
        return f"{PREFIX}{self.log_id[:8]}-{self.seq:012d}{SUFFIX}"

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self.payload())  # type: ignore[no-any-return]


@dataclass
class CheckpointConfig:
    """How checkpoints are made: the key, where they go, and (automatic ones) how often.

    ``secret_env`` names the environment variable holding the key's passphrase or PIN (the
    secret itself never appears in configuration). ``every`` events and ``interval``
    seconds (0: off) trigger automatic checkpoints; a schedule independent of traffic is
    the CLI command run by cron or a systemd timer.
    """

    directory: Path
    key: str
    secret_env: str | None = None
    tsa: str | None = None
    trust: tuple[str, ...] = ()
    every: int = 1000
    interval: float = 0.0
    check_revocation: bool = True
    timeout: float = 10.0
    _signer: Signer | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    ENV_PREFIX = "VBSIGN_AUDIT_CHECKPOINT_"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> CheckpointConfig | None:
        """The configuration in ``VBSIGN_AUDIT_CHECKPOINT_*`` (``None`` when ``_DIR`` or
        ``_KEY`` is unset): ``DIR``, ``KEY``, ``SECRET_ENV``, ``TSA``, ``TRUST`` (paths
        separated by ``os.pathsep``), ``EVERY`` (events, default 1000), ``INTERVAL``
        (seconds, default 0 = off)."""
        e = os.environ if env is None else env
        p = cls.ENV_PREFIX
        directory, key = e.get(p + "DIR"), e.get(p + "KEY")
        if not directory or not key:
            return None
        try:
            every = int(e.get(p + "EVERY", "1000"))
            interval = float(e.get(p + "INTERVAL", "0"))
        except ValueError:
            raise RegistryError(
                Msg(
                    "{p}EVERY / {p}INTERVAL phải là số.", "{p}EVERY / {p}INTERVAL must be numbers."
                ).format(p=p)
            ) from None
        trust = tuple(x for x in e.get(p + "TRUST", "").split(os.pathsep) if x)
        return cls(Path(directory), key, e.get(p + "SECRET_ENV") or None, e.get(p + "TSA") or None, trust,
                   max(1, every), max(0.0, interval))

    def signer(self) -> Signer:
        """The signer (opened once and reused: its certificate check is cached)."""
        with self._lock:
            if self._signer is None:
                secret = os.environ.get(self.secret_env) if self.secret_env else None
                if self.secret_env and secret is None:
                    raise RegistryError(
                        Msg("Biến môi trường {v} chưa được đặt.", "Environment variable {v} is not set.").format(
                            v=self.secret_env
                        )
                    )
                options: dict[str, Any] = {"pin": secret} if self.key.lower().startswith("pkcs11:") else {}
                self._signer = Signer(
                    self.key,
                    passphrase=None if options else secret,
                    trust=list(self.trust) or None,
                    tsa=self.tsa,
                    level="B-LT" if self.tsa else "B-B",
                    services=Services(timeout=self.timeout),
                    check_revocation=self.check_revocation,
                    key_options=options,
                )
            return self._signer

    def due(self, head_seq: int, last: dict[str, Any] | None, now: float) -> bool:
        """Whether an automatic checkpoint is due at chain head ``head_seq``."""
        if head_seq <= 0:
            return False
        if last is None:
            return head_seq >= self.every
        if head_seq <= int(last.get("seq", 0)):
            return False
        if head_seq - int(last.get("seq", 0)) >= self.every:
            return True
        return bool(self.interval) and now - float(last.get("at", 0)) >= self.interval


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> bytes:
    """The checkpoint as a CAdES enveloping signature (``.p7m``, DER)."""
    named = _named(checkpoint.payload(), checkpoint.file_name().removesuffix(SUFFIX) + ".json")
    return signer.sign(named, format="cades", packaging="enveloping").data


def _named(data: bytes, name: str) -> Any:
    import io

    stream = io.BytesIO(data)
    stream.name = name
    return stream


def write_checkpoint(data: bytes, checkpoint: Checkpoint, *, out: Path | None = None, directory: Path | None = None) -> Path:
    """Write a signed checkpoint to ``out`` or into ``directory`` (created 0700), file 0600."""
    if (out is None) == (directory is None):
        raise InputError(Msg("Cần đúng một trong --out hoặc --dir.", "Give exactly one of --out or --dir."))
    if directory is not None:
        _io.make_private_dirs(directory)
        out = directory / checkpoint.file_name()
    assert out is not None
    return _io.atomic_write(out, data, private=True)


@dataclass
class CheckedCheckpoint:
    """A checkpoint read back and its signature verified."""

    checkpoint: Checkpoint
    path: Path
    report: Report

    @property
    def signature_ok(self) -> bool:
        return self.report.indication is Indication.TOTAL_PASSED

    def signer_name(self) -> str:
        sigs = [s for s in self.report.signatures if s.signer is not None]
        return (sigs[0].signer.common_name or sigs[0].signer.subject) if sigs and sigs[0].signer else "—"


def read_checkpoint(path: Path, *, trust: Any = None, services: Any = None, now: datetime | None = None) -> CheckedCheckpoint:
    """Read a checkpoint file (or the newest one in a directory) and verify its signature."""
    from asn1crypto import cms


    target = latest_in(path) if path.is_dir() else path
    data = read_bounded(target, CHECKPOINT_FILE)
    try:
        info = cms.ContentInfo.load(data)
        payload = info["content"]["encap_content_info"]["content"].native
    except (ValueError, TypeError, KeyError):
        payload = None
    if not isinstance(payload, bytes):
        raise InputError(
            Msg("{p} không phải điểm mốc nhật ký đã ký (.p7m).", "{p} is not a signed audit checkpoint (.p7m).").format(
                p=_io.printable(target)
            )
        )
    checkpoint = Checkpoint.from_payload(payload, str(target))
    options: dict[str, Any] = {}
    if services is not None:
        options["services"] = services
    if now is not None:
        options["now"] = now
    report = verify(data, trust=trust, **options)
    return CheckedCheckpoint(checkpoint, target, report)


def latest_in(directory: Path) -> Path:
    """The checkpoint with the highest sequence number in ``directory``."""
    found: list[tuple[int, str, Path]] = []
    for p in directory.glob(f"{PREFIX}*{SUFFIX}"):
        try:
            seq = int(p.stem.rsplit("-", 1)[1])
        except (IndexError, ValueError):
            continue
        found.append((seq, p.name, p))
    if not found:
        raise InputError(
            Msg("Không có điểm mốc nhật ký nào trong {d}.", "No audit checkpoint in {d}.").format(
                d=_io.printable(directory)
            )
        )
    return max(found)[2]


def now_seconds() -> float:
    return time.time()


def new_log_id() -> str:
    return secrets.token_hex(16)
