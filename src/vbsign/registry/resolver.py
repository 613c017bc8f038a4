"""Who an audit event is about: certificate fingerprints, certificate ids and unit names
resolved to registry ids (used when events are appended and when summaries are rebuilt).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select

from vbsign.registry.certinfo import normalise_name
from vbsign.registry.models import Certificate, Subscriber, Unit

_SIGNERS_BY = {
    col: select(Certificate.fingerprint, Certificate.id, Certificate.subscriber_id, Subscriber.unit_id, Subscriber.kind)
    .outerjoin(Subscriber, Subscriber.id == Certificate.subscriber_id)
    .where(getattr(Certificate, col).in_(bindparam("keys", expanding=True)))
    for col in ("fingerprint", "id")
}
_UNITS = select(Unit.id, Unit.code, Unit.name, Unit.parent_id)


@dataclass
class Signer:
    certificate_id: int
    subscriber_id: int | None
    unit_id: int | None
    kind: str | None


class Resolver:
    """Maps fingerprints, certificate ids and unit names to registry ids (cached per
    transaction; a batch of events costs one query per 500 new fingerprints)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._by_fp: dict[str, Signer | None] = {}
        self._by_id: dict[int, Signer | None] = {}
        self._units: dict[str, int] | None = None
        self._parents: dict[int, int | None] = {}

    def _load(self, column: str, keys: Sequence[Any]) -> None:
        for i in range(0, len(keys), 500):
            for fp, cid, sid, uid, kind in self.conn.execute(
                _SIGNERS_BY[column], {"keys": list(keys[i : i + 500])}
            ).all():
                self._by_fp[fp] = self._by_id[cid] = Signer(cid, sid, uid, kind)

    def prefetch(self, fingerprints: Iterable[str]) -> None:
        missing = list({fp for fp in fingerprints if fp not in self._by_fp})
        if missing:
            self._load("fingerprint", missing)
            for fp in missing:
                self._by_fp.setdefault(fp, None)

    def signers(self, fingerprints: Iterable[str]) -> list[Signer]:
        fps = [norm_fp(fp) for fp in fingerprints]
        self.prefetch(fps)
        return [s for fp in fps if (s := self._by_fp[fp]) is not None]

    def certificate(self, certificate_id: int | None) -> Signer | None:
        if certificate_id is None:
            return None
        if certificate_id not in self._by_id:
            self._load("id", [certificate_id])
            self._by_id.setdefault(certificate_id, None)
        return self._by_id[certificate_id]

    def _unit_maps(self) -> dict[str, int]:
        if self._units is None:
            self._units = {}
            for uid, code, uname, parent in self.conn.execute(_UNITS).all():
                self._units[normalise_name(code)] = uid
                self._units.setdefault(normalise_name(uname), uid)
                self._parents[uid] = parent
        return self._units

    def unit(self, name: str | None) -> int | None:
        if not name:
            return None
        return self._unit_maps().get(normalise_name(name))

    def within(self, unit_id: int, ancestor: int) -> bool:
        """Whether ``unit_id`` is ``ancestor`` or one of its sub-units."""
        self._unit_maps()
        seen: set[int] = set()
        cur: int | None = unit_id
        while cur is not None and cur not in seen:
            if cur == ancestor:
                return True
            seen.add(cur)
            cur = self._parents.get(cur)
        return False


def norm_fp(fp: str) -> str:
    return fp.upper().replace(":", "")



__all__ = ["Resolver", "Signer", "norm_fp"]
