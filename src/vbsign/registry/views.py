"""Plain, detached snapshots of registry records, returned by :class:`~.service.Registry`.

They carry what a listing, a document or a JSON consumer needs (names resolved, dates as
dates) and never hold a database session, so they can be used after it is closed.
``to_dict()`` gives JSON-ready values (ISO dates, no bytes).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


class _View:
    def to_dict(self) -> dict[str, Any]:
        assert dataclasses.is_dataclass(self)
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class WaveView(_View):
    id: int
    number: int
    name: str
    starts_on: date | None
    ends_on: date | None
    description: str | None


@dataclass(frozen=True)
class UnitView(_View):
    id: int
    code: str
    name: str
    parent_code: str | None
    wave: int | None
    locality: str | None
    requires_seal: bool
    active: bool
    #: depth in the unit tree (0 = top level)
    depth: int = 0


@dataclass(frozen=True)
class SubscriberView(_View):
    id: int
    kind: str
    full_name: str
    title: str | None
    unit_code: str
    unit_name: str
    uid: str | None
    email: str | None
    phone: str | None
    active: bool


@dataclass(frozen=True)
class CertificateView(_View):
    id: int
    fingerprint: str
    serial_hex: str
    subject: str
    subject_cn: str | None
    issuer: str
    issuer_cn: str | None
    subject_uid: str | None
    not_before: datetime
    not_after: datetime
    key_type: str
    is_ca: bool
    status: str
    subscriber_id: int | None
    subscriber_name: str | None
    unit_code: str | None
    unit_name: str | None
    token_serial: str | None
    revoked_at: datetime | None
    revocation_check_result: str | None
    renewal_of_id: int | None


@dataclass(frozen=True)
class RequestView(_View):
    id: int
    kind: str
    form: str
    status: str
    subscriber_id: int | None
    subscriber_name: str | None
    subscriber_title: str | None
    subscriber_uid: str | None
    subscriber_email: str | None
    subscriber_phone: str | None
    unit_code: str | None
    unit_name: str | None
    certificate_fingerprint: str | None
    certificate_serial: str | None
    certificate_not_after: datetime | None
    token_serial: str | None
    reason: str | None
    reference: str | None
    created_on: date
    submitted_on: date | None
    approved_on: date | None
    completed_on: date | None
    note: str | None


@dataclass(frozen=True)
class TokenView(_View):
    id: int
    serial: str
    model: str | None
    owner_name: str | None
    holder_name: str | None
    status: str


@dataclass(frozen=True)
class HandoverView(_View):
    id: int
    token_serial: str
    token_model: str | None
    handed_on: date
    reason: str
    from_party: str
    to_party: str
    permission_ref: str | None
    record_no: str | None
    note: str | None
    #: certificates stored on the token (subject CN, serial, validity) for the record
    certificates: tuple[tuple[str, str, date, date], ...] = ()


@dataclass(frozen=True)
class TrainingView(_View):
    id: int
    title: str
    held_on: date
    location: str | None
    wave: int | None
    audience: str | None
    attendees: int


@dataclass(frozen=True)
class HolidayView(_View):
    day: date
    name: str
    kind: str
