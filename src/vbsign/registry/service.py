"""The registry API: one :class:`Registry` object per database.

::

    from vbsign.registry import Registry

    with Registry.open() as reg:               # VBSIGN_REGISTRY_URL or the default SQLite file
        reg.add_unit("TTCNTT", "Trung tâm Công nghệ thông tin", parent="BO")
        sub = reg.add_subscriber("Nguyễn Văn A", "TTCNTT", title="Giám đốc", uid="CCCD:001…")
        reg.import_paths(["certs/"])            # matched to subscribers by UID / name + unit
        for c in reg.expiring(within_days=30):
            print(c.subject_cn, c.not_after)

Every write is one transaction (all or nothing). On SQLite, writers take the write lock at
``BEGIN`` so that concurrent processes (several DMS workers recording audit events) queue
instead of failing. Methods return detached views (:mod:`.views`), never live ORM objects.

The methods are grouped by subject in :mod:`.ops_directory`, :mod:`.ops_certificates`,
:mod:`.ops_custody`, :mod:`.ops_requests` and :mod:`.ops_audit`, over the engine, sessions
and settings of :mod:`.base`.
"""

from __future__ import annotations

from vbsign.registry.base import SETTING_KEYS, Clock, RegistryBase
from vbsign.registry.ops_archive import ArchiveOps
from vbsign.registry.ops_audit import AuditOps
from vbsign.registry.ops_certificates import CertificateOps
from vbsign.registry.ops_custody import CustodyOps
from vbsign.registry.ops_directory import DirectoryOps
from vbsign.registry.ops_requests import RequestOps

__all__ = ["SETTING_KEYS", "Clock", "Registry", "RegistryBase"]


class Registry(DirectoryOps, CertificateOps, CustodyOps, RequestOps, AuditOps, ArchiveOps):
    """A certificate registry stored in SQLite or PostgreSQL (see the module docstring)."""
