"""vbsign as a service: a REST API for any document system (Java, .NET, PHP…), the
verification portal for clerks, and scale-out on Celery workers.

* :func:`create_app` — the ASGI application (FastAPI): ``POST /api/v1/verify``,
  ``/api/v1/validate``, ``/api/v1/report``, ``GET /api/v1/health``, ``/openapi.json`` and
  the portal at ``/``; ``vbsign serve`` runs it on uvicorn.
* :class:`ServiceConfig` — limits (upload size, concurrent jobs, per-file time and memory,
  request timeout), trust anchors, policy, API keys, the broker.
* ``vbsign worker`` — a Celery worker (:mod:`vbsign.service.tasks`) that verifies what the
  service queues when it is given a broker (``--broker`` / ``VBSIGN_BROKER``).

The service sits above :mod:`vbsign.api` and :mod:`vbsign.host` and below the CLI
(``docs/architecture.rst``); it calls the public API only. Needs ``pip install
'vbsign[service]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from vbsign.service.app import create_app
    from vbsign.service.config import ServiceConfig, ServiceLimits

_EXPORTS = {
    "create_app": "vbsign.service.app",
    "ServiceConfig": "vbsign.service.config",
    "ServiceLimits": "vbsign.service.config",
}

__all__ = ["ServiceConfig", "ServiceLimits", "create_app"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vbsign.service' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
