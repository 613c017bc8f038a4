"""A verification job: what a request asks (:class:`Job`), what the service decides for every
job (:class:`Settings`), and running it (:func:`execute`) — the same code in the service's
own threads and in a Celery worker on another machine.

A job carries everything its verdict depends on: the document (and detached content), the
request's options, and the service's trust anchors (DER) and configured policy file (text).
A worker therefore needs no configuration of its own and cannot judge differently from
the service that queued the job. Its key (:meth:`Job.key`) is the document's SHA-256 with
a digest of the content, options and settings: the same document asked the same way gets
the same key, which names the Celery task and the stored result (results are keyed by
document hash, and a job handed to a second worker after the first was lost writes the
same result under the same key).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import vbsign.api as api  # the public API (the top-level vbsign names are the same functions)
from vbsign._core.errors import VbsignError
from vbsign.formats.pades.limits import Limits
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import Services
from vbsign.policy import DocumentFacts
from vbsign.policy.facts import roles_from
from vbsign.policy.tomlfile import parse_policy_text

JobKind = Literal["verify", "validate"]


@dataclass(frozen=True)
class JobOptions:
    """The request's options (the CLI's ``verify`` / ``validate`` options)."""

    at: Literal["signing", "now"] = "signing"
    allow_comments: bool = False
    #: ``True``: no network access for this request even if the service may fetch
    offline: bool = False
    #: a time budget lower than the service's (never higher)
    max_seconds: float | None = None
    # ---- validate only ------------------------------------------------------------------
    policy: str | None = None
    direction: Literal["outgoing", "incoming"] | None = None
    kind: Literal["main", "attachment", "copy"] | None = None
    document_kind: Literal["official", "other"] | None = None
    #: expected role of each signature, in order (``person,agency``)
    roles: str | None = None
    #: validation time, ISO 8601 (default: now)
    now: str | None = None


@dataclass(frozen=True)
class Settings:
    """What the service decides for every job (from :class:`~vbsign.service.config.ServiceConfig`)."""

    trust_der: tuple[bytes, ...] = ()
    intermediates_der: tuple[bytes, ...] = ()
    policy: str = "tt41"
    #: the configured policy file's text, when :attr:`policy` is a file
    policy_text: str | None = None
    offline: bool = False
    network_timeout: float = 10.0
    max_seconds: float = 10.0
    max_memory: int = 1 << 30
    isolate: bool | None = None

    def digest(self) -> str:
        h = hashlib.sha256()
        for item in (*self.trust_der, b"|", *self.intermediates_der):
            h.update(hashlib.sha256(item).digest())
        rest = (
            self.policy,
            self.policy_text,
            self.offline,
            self.network_timeout,
            self.max_seconds,
            self.max_memory,
            self.isolate,
        )
        h.update(json.dumps(rest).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class Job:
    kind: JobKind
    document: bytes
    name: str
    options: JobOptions = field(default_factory=JobOptions)
    content: bytes | None = None
    content_name: str | None = None

    @functools.cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.document).hexdigest()

    def key(self, settings: Settings) -> str:
        """``verify-<document sha256>-<digest of everything else>``: the stored result's key."""
        rest = hashlib.sha256()
        rest.update(hashlib.sha256(self.content).digest() if self.content is not None else b"-")
        rest.update(json.dumps(dataclasses.asdict(self.options), sort_keys=True).encode())
        rest.update(settings.digest().encode())
        # the name is shown in the report, so it is part of what the result is
        rest.update(self.name.encode("utf-8", "replace"))
        return f"{self.kind}-{self.sha256}-{rest.hexdigest()[:32]}"


# ---- the JSON payload of a queued job (Celery's json serializer) ------------------------


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


def to_payload(job: Job, settings: Settings) -> dict[str, Any]:
    s = dataclasses.asdict(settings)
    s["trust_der"] = [_b64(d) for d in settings.trust_der]
    s["intermediates_der"] = [_b64(d) for d in settings.intermediates_der]
    return {
        "kind": job.kind,
        "name": job.name,
        "document": _b64(job.document),
        "content": _b64(job.content),
        "content_name": job.content_name,
        "options": dataclasses.asdict(job.options),
        "settings": s,
    }


def from_payload(payload: Mapping[str, Any]) -> tuple[Job, Settings]:
    s = dict(payload["settings"])
    s["trust_der"] = tuple(base64.b64decode(d) for d in s["trust_der"])
    s["intermediates_der"] = tuple(base64.b64decode(d) for d in s["intermediates_der"])
    document = _unb64(payload["document"])
    assert document is not None
    job = Job(
        kind=payload["kind"],
        document=document,
        name=payload["name"],
        options=JobOptions(**payload["options"]),
        content=_unb64(payload.get("content")),
        content_name=payload.get("content_name"),
    )
    return job, Settings(**s)


# ---- running a job -------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _trust(anchors: tuple[bytes, ...], intermediates: tuple[bytes, ...]) -> Any:
    from asn1crypto import x509

    return TrustStore(
        tuple(x509.Certificate.load(d) for d in anchors),
        tuple(x509.Certificate.load(d) for d in intermediates),
    )


@functools.lru_cache(maxsize=8)
def _policy(name: str, text: str | None) -> Any:

    if text is None:
        return api.load_policy(name)

    registry = api.policy_registry()
    spec = parse_policy_text(text, name, registry)
    return registry.resolve(spec.extends, spec.settings)


@functools.lru_cache(maxsize=4)
def _services(offline: bool, timeout: float) -> Any:
    """One revocation source (and its cache of fetched OCSP/CRL) per setting, shared by the
    jobs of a process — its cache is thread-safe."""

    return Services(online=not offline, timeout=timeout)


def _limits(job: Job, settings: Settings) -> Any:

    seconds = settings.max_seconds
    if job.options.max_seconds is not None:
        seconds = max(0.1, min(seconds, job.options.max_seconds))
    return Limits(max_seconds=seconds, max_memory=settings.max_memory, isolate=settings.isolate)


def _facts(options: JobOptions) -> Any:

    roles = (
        roles_from([r for r in options.roles.split(",") if r.strip()]) if options.roles else None
    )
    official = None if options.document_kind is None else options.document_kind == "official"
    return DocumentFacts(
        direction=options.direction, kind=options.kind, roles=roles, official=official
    )


def _now(options: JobOptions) -> datetime | None:
    if not options.now:
        return None
    value = datetime.fromisoformat(options.now.replace("Z", "+00:00"))
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # a bare time is Vietnam time
    return value


def run(job: Job, settings: Settings) -> Any:
    """Verify or validate: the :class:`~vbsign.report.Report` or
    :class:`~vbsign.policy.ComplianceReport` (raises :class:`~vbsign.errors.VbsignError`)."""

    opts = job.options
    common: dict[str, Any] = {
        "trust": _trust(settings.trust_der, settings.intermediates_der),
        "at": opts.at,
        "services": _services(settings.offline or opts.offline, settings.network_timeout),
        "allow_comments": opts.allow_comments,
        "limits": _limits(job, settings),
    }
    # the detached content is what the request uploaded, never a file of the service's own
    # disk named like the signature (the library's default for ``x.p7s`` next to ``x``):
    # an empty mapping means "no content but these"
    if job.content is not None:
        common["content"] = _named(job.content_name or "content", job.content)
    else:
        common["content"] = {}
    document = _named(job.name, job.document)
    if job.kind == "verify":
        return api.verify(document, **common)
    own = opts.policy in (None, settings.policy)
    policy = _policy(opts.policy or settings.policy, settings.policy_text if own else None)
    return api.validate(document, policy=policy, facts=_facts(opts), now=_now(opts), **common)


def _named(name: str, data: bytes) -> Any:
    """The document as a stream that carries its file name (shown in the report)."""
    import io

    stream = io.BytesIO(data)
    stream.name = name  # type: ignore[attr-defined]
    return stream


def execute(job: Job, settings: Settings) -> dict[str, Any]:
    """:func:`run`, as the JSON the API answers: ``{"ok": true, "report": {...}}`` or
    ``{"ok": false, "error": {code, message_vi, message_en, details}, "exit_code": 3}``."""

    try:
        report = run(job, settings)
    except VbsignError as e:
        return {"ok": False, "kind": job.kind, "error": e.to_dict(), "exit_code": e.exit_code}
    except ValueError as e:  # a malformed option (roles, time) the request parser let through
        return {
            "ok": False,
            "kind": job.kind,
            "error": {
                "code": "BAD_OPTION",
                "message_vi": f"Tùy chọn không hợp lệ: {e}",
                "message_en": f"Invalid option: {e}",
                "details": {},
            },
            "exit_code": 3,
        }
    return {"ok": True, "kind": job.kind, "report": report.to_dict(), "exit_code": report.exit_code}


__all__ = [
    "Job",
    "JobKind",
    "JobOptions",
    "Settings",
    "execute",
    "from_payload",
    "run",
    "to_payload",
]
