"""The structured access log: one JSON object per request on the logger
``vbsign.service.access`` — never a document's content, name or a key.

Fields: ``time`` (UTC), ``request_id`` (also returned as ``X-Request-Id``), ``method``,
``path``, ``status``, ``duration_ms``, ``bytes_in``, ``bytes_out``, ``client``, and when a
route set them: ``document_sha256``, ``size``, ``verdict`` (ETSI indication), ``job``
(verify / validate / report), ``cached``, ``api_key`` (the key's *name*). File names are
left out on purpose: in a state agency they often name a person or a case.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import uuid
from datetime import datetime, timezone
from typing import Any

logger = logging.getLogger("vbsign.service.access")

#: environment variable carrying ``vbsign serve --access-log`` to uvicorn's worker processes
#: (``--workers N`` starts them fresh: they inherit no logging configuration)
ACCESS_LOG_ENV = "VBSIGN_SERVICE_ACCESS_LOG"

#: keys a route may add to the access log entry (``request.state.log``)
LOGGED = ("document_sha256", "size", "verdict", "job", "cached", "api_key", "error")


class JsonFormatter(logging.Formatter):
    """Writes the record's ``entry`` (a dict) as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, "entry", None)
        if isinstance(entry, dict):
            return json.dumps(entry, ensure_ascii=False, sort_keys=False)
        return json.dumps({"time": _now(), "message": record.getMessage()}, ensure_ascii=False)


def configure(target: str | None) -> None:
    """Send the access log to ``target``: a file (appended to, one line per request, also
    from several processes), ``-`` or None for standard error, ``off`` for nowhere. For a
    process the service owns (``vbsign serve`` and its workers), never for a host's."""
    if target == "off":
        logger.disabled = True
        return
    handler: logging.Handler
    if target in (None, "", "-"):
        handler = logging.StreamHandler(sys.stderr)
    else:
        handler = logging.FileHandler(str(target), encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def configure_from_env() -> None:
    """:func:`configure` with the target ``vbsign serve`` left in :data:`ACCESS_LOG_ENV`."""
    configure(os.environ.get(ACCESS_LOG_ENV))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AccessLogMiddleware:
    """ASGI middleware: request id, timing, byte counts, one log entry per HTTP request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["log"] = {}
        start = time.perf_counter()
        counts = {"in": 0, "out": 0, "status": 500}

        async def counting_receive() -> Any:
            message = await receive()
            if message.get("type") == "http.request":
                counts["in"] += len(message.get("body", b""))
            return message

        async def tagging_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                counts["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                counts["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, tagging_send)
        finally:
            if logger.isEnabledFor(logging.INFO):
                client = scope.get("client")
                entry = {
                    "time": _now(),
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": counts["status"],
                    "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                    "bytes_in": counts["in"],
                    "bytes_out": counts["out"],
                    "client": client[0] if client else None,
                }
                extra = state.get("log") or {}
                entry.update({k: extra[k] for k in LOGGED if k in extra})
                logger.info("access", extra={"entry": entry})


__all__ = ["ACCESS_LOG_ENV", "LOGGED", "AccessLogMiddleware", "JsonFormatter", "configure", "configure_from_env", "logger"]
