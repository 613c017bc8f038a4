"""Certificate registry (sổ quản lý chứng thư số) and usage reports.

The subscriber manager's software of Decision 414/QĐ-BKHCN: units and their subscribers,
certificates and tokens, certification requests (Decree 68/2024 forms) and hand-over
records, rollout waves and training, lifecycle alerts, office documents, usage and
year-end reports, and a hash-chained audit log fed by the ``vbsign_audit_event`` hook.

Storage is SQLite by default (``registry.sqlite3`` under the user data directory, WAL
mode) or PostgreSQL (``VBSIGN_REGISTRY_URL=postgresql+psycopg://…``); the schema is
created and upgraded by the alembic migrations shipped in this package. Needs the
``registry`` extra (``pip install 'vbsign[registry]'``).

Names are imported lazily so that loading the audit-sink plugin stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "Registry": "vbsign.registry.service:Registry",
    "Alert": "vbsign.registry.alerts:Alert",
    "HolidayCalendar": "vbsign.registry.workdays:HolidayCalendar",
    "Period": "vbsign.registry.periods:Period",
    "parse_period": "vbsign.registry.periods:parse_period",
    "UsageReport": "vbsign.registry.stats:UsageReport",
    "ChainReport": "vbsign.registry.audit:ChainReport",
    "ImportResult": "vbsign.registry.importer:ImportResult",
    "RegistryAuditSink": "vbsign.registry.plugin:RegistryAuditSink",
}

__all__ = [
    "Alert",
    "ChainReport",
    "HolidayCalendar",
    "ImportResult",
    "Period",
    "Registry",
    "RegistryAuditSink",
    "UsageReport",
    "parse_period",
]

if TYPE_CHECKING:  # pragma: no cover
    from vbsign.registry.alerts import Alert
    from vbsign.registry.audit import ChainReport
    from vbsign.registry.importer import ImportResult
    from vbsign.registry.periods import Period, parse_period
    from vbsign.registry.plugin import RegistryAuditSink
    from vbsign.registry.service import Registry
    from vbsign.registry.stats import UsageReport
    from vbsign.registry.workdays import HolidayCalendar


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'vbsign.registry' has no attribute {name!r}")
    module, attr = target.split(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
