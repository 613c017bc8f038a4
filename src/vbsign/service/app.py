"""The ASGI application: :func:`create_app` (FastAPI, served by uvicorn in ``vbsign serve``).

:class:`Service` holds what the routes share: the configuration, the job settings (trust
anchors as DER, the configured policy — checked before the first request), the executor
(in-process threads, or Celery when a broker is configured), the API keys. Errors are
answered as JSON ``{"error": {code, message_vi, message_en, details}}``; no traceback
reaches a client.

``create_app`` changes nothing in the process it runs in: a host may mount it in its own
ASGI application. ``vbsign serve`` (and :func:`app_from_env`, the factory its uvicorn worker
processes use) owns its process and also turns on :func:`vbsign.enable_speedups`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

import vbsign.api as api
from vbsign._core.errors import VbsignError
from vbsign._core.i18n import Msg
from vbsign._version import __version__
from vbsign.model.report import Report
from vbsign.pki.trust import TrustStore
from vbsign.policy import ComplianceReport
from vbsign.service.accesslog import AccessLogMiddleware
from vbsign.service.config import ServiceConfig
from vbsign.service.executors import Busy, CeleryExecutor, Executor, LocalExecutor, Slots
from vbsign.service.jobs import Settings
from vbsign.service.security import KeyRing, load_keys
from vbsign.service.uploads import RequestError

logger = logging.getLogger(__name__)


def job_settings(config: ServiceConfig) -> Settings:
    """What every job is judged with; a bad trust file or policy fails here, at start-up."""

    trust = TrustStore.from_paths(config.trust) if config.trust else TrustStore.coerce(None)
    policy_text = None
    api.load_policy(config.policy)  # refused now, not on the first request
    if config.policy.lower().endswith(".toml") or Path(config.policy).is_file():
        policy_text = Path(config.policy).read_text("utf-8")
    limits = config.limits
    return Settings(
        trust_der=tuple(c.dump() for c in trust.anchors),
        intermediates_der=tuple(c.dump() for c in trust.intermediates),
        policy=config.policy,
        policy_text=policy_text,
        offline=config.offline,
        network_timeout=config.network_timeout,
        max_seconds=limits.max_seconds,
        max_memory=limits.max_memory,
        isolate={"auto": None, "always": True, "never": False}[limits.isolate],
    )


class Service:
    """What the routes share (``app.state.service``)."""

    def __init__(self, config: ServiceConfig, executor: Executor, keyring: KeyRing) -> None:
        self.config, self.executor, self.keyring = config, executor, keyring
        self.allowed_policies = frozenset({*config.allowed_policies, config.policy})

    @staticmethod
    def render(
        report: dict[str, Any], kind: str, fmt: str, document: bytes, lang: str
    ) -> str | bytes:
        """The human report of a stored result (no second verification)."""

        rep: Report | ComplianceReport = (
            ComplianceReport.from_dict(report) if kind == "validate" else Report.from_dict(report)
        )
        return api.human_report(rep, format=fmt, document=document, lang=lang)  # type: ignore[arg-type]


def _executor(config: ServiceConfig, settings: Settings) -> Executor:
    limits = config.limits
    if config.broker:
        from vbsign.service.tasks import make_celery

        app = make_celery(
            config.broker,
            config.result_backend,
            result_ttl=config.result_ttl,
            visibility_timeout=config.visibility_timeout,
        )
        # jobs in flight from this node: the workers' pool is the real limit
        slots = Slots(max(limits.max_jobs, 64), limits.max_waiting, limits.queue_timeout)
        return CeleryExecutor(settings, slots, app, limits.request_timeout)
    return LocalExecutor(
        settings,
        Slots(limits.max_jobs, limits.max_waiting, limits.queue_timeout),
        config.result_ttl,
    )


def _error(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestError)
    async def request_error(request: Request, exc: RequestError) -> JSONResponse:
        request.state.log.setdefault("error", exc.code)
        return _error(exc.status, exc.to_dict())

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> JSONResponse:
        request.state.log["error"] = "BUSY"
        msg = Msg(
            "Dịch vụ đang bận, vui lòng thử lại sau.", "The service is busy; please retry later."
        )
        return _error(
            503,
            {"code": "BUSY", "message_vi": msg.vi, "message_en": msg.en, "details": {}},
            {"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(VbsignError)
    async def vbsign_error(request: Request, exc: VbsignError) -> JSONResponse:
        request.state.log["error"] = exc.code
        return _error(422, exc.to_dict())

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("request %s failed", request.state.request_id)
        msg = Msg(
            "Lỗi nội bộ của dịch vụ (mã yêu cầu {r}).", "Internal service error (request id {r})."
        ).format(r=request.state.request_id)
        return _error(
            500, {"code": "INTERNAL", "message_vi": msg.vi, "message_en": msg.en, "details": {}}
        )


class RequestTimeout:
    """ASGI middleware: a request still running after ``seconds`` is answered 504 (its
    verification, already bounded by the per-file limits, finishes in the background)."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api/"):
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        import asyncio

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, watch)
        except TimeoutError:
            if started:
                raise
            scope.setdefault("state", {}).setdefault("log", {})["error"] = "TIMEOUT"
            msg = Msg(
                "Hết thời gian xử lý yêu cầu ({s} giây).", "The request timed out ({s} s)."
            ).format(s=self.seconds)
            await _error(
                504, {"code": "TIMEOUT", "message_vi": msg.vi, "message_en": msg.en, "details": {}}
            )(scope, receive, send)


def create_app(config: ServiceConfig | None = None) -> FastAPI:
    """The service's ASGI application for ``config`` (defaults: :class:`ServiceConfig`)."""
    from vbsign.service import api_v1, openapi, portal

    config = config or ServiceConfig()
    settings = job_settings(config)
    keys = load_keys(config.api_keys_file) if config.api_keys_file else {}
    service = Service(
        config, _executor(config, settings), KeyRing(keys, require_for_verify=config.require_key)
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await service.executor.close()

    app = FastAPI(
        title="vbsign",
        version=__version__,
        summary="Kiểm tra, thẩm định chữ ký số văn bản điện tử / verify and validate signed e-documents",
        description=openapi.DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN; the portal and /openapi.json need none
        redoc_url=None,
    )
    app.state.service = service
    app.state.keyring = service.keyring
    _install_handlers(app)
    app.include_router(api_v1.router)
    portal.install(app, config)
    openapi.install(app)
    app.add_middleware(RequestTimeout, seconds=config.limits.request_timeout)
    app.add_middleware(AccessLogMiddleware)
    return app


def app_from_env() -> FastAPI:
    """The factory of ``vbsign serve --workers N`` (uvicorn worker processes): the
    configuration from :data:`~vbsign.service.config.CONFIG_ENV` and the access log's target
    from :data:`~vbsign.service.accesslog.ACCESS_LOG_ENV`; the process is the service's own,
    so vbsign's speed-ups are turned on."""
    from vbsign.formats.pades.speedups import enable_speedups  # vbsign.enable_speedups
    from vbsign.service.accesslog import configure_from_env

    enable_speedups()
    configure_from_env()
    return create_app(ServiceConfig.from_env())


__all__ = ["Service", "app_from_env", "create_app", "job_settings"]
