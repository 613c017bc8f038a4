"""The service's configuration: where it listens, what it trusts, and its limits.

Defaults are the safe ones: loopback only, uploads kept in memory (never written to disk
unless :attr:`ServiceConfig.keep_uploads` names a directory), 50 MiB per upload, the
verification limits of the CLI per file (10 s, 1 GiB), a bounded number of concurrent
jobs and of requests waiting for one, and a timeout on every request.

A configuration travels to uvicorn's worker processes as JSON in the environment variable
:data:`CONFIG_ENV` (:meth:`ServiceConfig.to_json` / :meth:`ServiceConfig.from_json`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal

MiB = 1 << 20
GiB = 1 << 30
#: environment variable carrying a :class:`ServiceConfig` to uvicorn's worker processes
CONFIG_ENV = "VBSIGN_SERVICE_CONFIG"
#: environment variable naming a Celery broker (``redis://host:port/0``)
BROKER_ENV = "VBSIGN_BROKER"

IsolateMode = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class ServiceLimits:
    """What one request and one document may cost."""

    #: bytes of one uploaded document (and of its detached content); larger → 413
    max_upload_bytes: int = 50 * MiB
    #: verifications running at once in this process (in-process mode) or queued from it
    #: and not yet answered (broker mode); more wait for a slot
    max_jobs: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    #: requests waiting for a slot at most; more → 503 at once (with Retry-After)
    max_waiting: int = 64
    #: seconds a request waits for a slot before 503
    queue_timeout: float = 30.0
    #: seconds for a whole request (upload, queue, verification, rendering) before 504
    request_timeout: float = 120.0
    #: the verification limits per file (vbsign.formats.pades.limits.Limits)
    max_seconds: float = 10.0
    max_memory: int = GiB
    #: verify PDFs in an isolated worker process: only risky files (auto), always, never
    isolate: IsolateMode = "auto"


@dataclass(frozen=True)
class ServiceConfig:
    """Everything ``vbsign serve`` is told (see ``docs/service.rst``)."""

    host: str = "127.0.0.1"
    port: int = 8080
    #: trust anchors (PEM/DER files or directories); empty: vbsign's default store
    trust: tuple[str, ...] = ()
    #: the policy of ``/api/v1/validate`` when a request names none (profile or .toml file)
    policy: str = "tt41"
    #: policies a request may name (``policy`` form field); the configured one always
    allowed_policies: tuple[str, ...] = ("tt41", "cdcv", "public", "auto")
    #: no network access for revocation data (embedded data only)
    offline: bool = False
    #: per-request network timeout (OCSP, CRL, AIA) in seconds
    network_timeout: float = 10.0
    limits: ServiceLimits = field(default_factory=ServiceLimits)
    #: a directory where uploaded documents are kept (``<sha256>.<ext>``); None: never written
    keep_uploads: str | None = None
    #: a file of API keys (``name:sha256-hex`` per line, see vbsign.service.security)
    api_keys_file: str | None = None
    #: verification endpoints need an API key too (signing endpoints always do)
    require_key: bool = False
    #: Celery broker URL (``--broker`` / ``VBSIGN_BROKER``); None: jobs run in-process
    broker: str | None = None
    #: Celery result backend; None: the broker's URL (Redis)
    result_backend: str | None = None
    #: seconds a verdict is kept by document hash (reused for the same document and options)
    result_ttl: float = 300.0
    #: seconds before a job a lost worker took is handed to another worker (broker mode)
    visibility_timeout: float = 60.0
    #: the portal's and the human reports' default language
    lang: str = "vi"

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServiceConfig:
        data: dict[str, Any] = json.loads(text)
        limits = ServiceLimits(**data.pop("limits", {}))
        for key in ("trust", "allowed_policies"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(limits=limits, **data)

    @classmethod
    def from_env(cls) -> ServiceConfig:
        """The configuration in :data:`CONFIG_ENV`, else the defaults (broker from
        :data:`BROKER_ENV`)."""
        text = os.environ.get(CONFIG_ENV)
        if text:
            return cls.from_json(text)
        return cls(broker=os.environ.get(BROKER_ENV) or None)


__all__ = ["BROKER_ENV", "CONFIG_ENV", "GiB", "IsolateMode", "MiB", "ServiceConfig", "ServiceLimits"]
