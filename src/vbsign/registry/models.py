"""The registry's tables (SQLAlchemy 2 declarative models).

The schema itself is created and upgraded only by the alembic migrations shipped in
``vbsign/registry/migrations``; these models must match them (a test compares both).

Conventions:

* every time stamp is stored as naive UTC and returned as an aware UTC datetime
  (:class:`UTCDateTime`), so SQLite and PostgreSQL behave the same;
* calendar dates that have a legal meaning (a request submitted on, a token handed over
  on, a holiday) are :class:`datetime.date` values in Vietnamese local time;
* enumerations are short strings checked by the code (see :mod:`.workflow`), so adding a
  value never needs a schema change;
* the audit log (``audit_events``) deliberately has no foreign keys: it must stay readable
  and verifiable whatever happens to the other tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: an integer primary key that is a 64-bit BIGINT on PostgreSQL and the rowid on SQLite
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC everywhere."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def table_of(model: type[Base]) -> Table:
    """The Core table of a model (for one-statement executemany inserts)."""
    return cast(Table, model.__table__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Setting(Base):
    """Key/value settings of this registry (agency name for documents, locality...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Wave(Base):
    """A rollout wave (đợt triển khai), e.g. wave 1: the IT centre, Q1–Q2."""

    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)


class Unit(Base):
    """An organisational unit (cơ quan, đơn vị); units form a tree through ``parent_id``."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"), index=True)
    locality: Mapped[str | None] = mapped_column(String(100))
    #: whether the unit has its own seal and so needs an organisation (seal) certificate
    requires_seal: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    wave: Mapped[Wave | None] = relationship()


class Subscriber(Base):
    """A certificate holder (thuê bao): a person, or an organisation (the unit's seal)."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "person" or "organisation"
    kind: Mapped[str] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    #: identifier as written in certificates' UID attribute, e.g. "CCCD:001190012345", "MST:…"
    uid: Mapped[str | None] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()


class Token(Base):
    """A key storage device (thiết bị lưu khóa bí mật): USB token, smart card, HSM slot."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(100), unique=True)
    model: Mapped[str | None] = mapped_column(String(200))
    #: whose key it holds (a person, or an organisation for the agency seal)
    owner_subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    #: who physically holds it now (e.g. the clerk for the agency token)
    holder_name: Mapped[str | None] = mapped_column(String(300))
    holder_subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"))
    #: see :data:`vbsign.registry.workflow.TOKEN_STATUSES`
    status: Mapped[str] = mapped_column(String(20), default="at_it_centre")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[Subscriber | None] = relationship(foreign_keys=[owner_subscriber_id])
    holder: Mapped[Subscriber | None] = relationship(foreign_keys=[holder_subscriber_id])


class Certificate(Base):
    """An X.509 certificate known to the registry (subscriber or CA certificate)."""

    __tablename__ = "certificates"
    __table_args__ = (
        Index("ix_certificates_expiry", "status", "is_ca", "not_after"),
        # covers the report queries (who holds which certificate when) without reading the
        # wide rows (the DER is stored inline)
        Index("ix_certificates_holder", "is_ca", "subscriber_id", "not_before", "not_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: SHA-256 of the DER encoding, hex upper case
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    serial_hex: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(1000))
    issuer_cn: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(1000))
    subject_cn: Mapped[str | None] = mapped_column(String(300), index=True)
    subject_o: Mapped[str | None] = mapped_column(String(300))
    subject_ou: Mapped[str | None] = mapped_column(String(300))
    subject_uid: Mapped[str | None] = mapped_column(String(100), index=True)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    key_type: Mapped[str] = mapped_column(String(40))
    signature_algorithm: Mapped[str] = mapped_column(String(60))
    is_ca: Mapped[bool] = mapped_column(Boolean, default=False)
    self_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    #: the previous certificate of the same subscriber this one renews (set on import)
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    token_serial: Mapped[str | None] = mapped_column(String(100), index=True)
    #: "active" or "revoked" (expiry is computed from ``not_after``, never stored)
    status: Mapped[str] = mapped_column(String(16), default="active")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(60))
    #: "crl", "ocsp" or "request" (a completed revocation request)
    revocation_source: Mapped[str | None] = mapped_column(String(16))
    #: the day the managing body was notified of the revocation (token-recovery clock)
    revocation_notified_on: Mapped[date | None] = mapped_column(Date)
    revocation_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: result of the last online check: "good", "revoked" or "unknown"
    revocation_check_result: Mapped[str | None] = mapped_column(String(16))
    revocation_check_note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(1000))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriber: Mapped[Subscriber | None] = relationship()


class CertRequest(Base):
    """A certification request (yêu cầu chứng thực) following the forms of Decree 68/2024."""

    __tablename__ = "cert_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: see :data:`vbsign.registry.workflow.REQUEST_KINDS`
    kind: Mapped[str] = mapped_column(String(24), index=True)
    #: see :data:`vbsign.registry.workflow.STATUSES`
    status: Mapped[str] = mapped_column(String(16), index=True)
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    #: number of the official letter that carried the request (số công văn)
    reference: Mapped[str | None] = mapped_column(String(100))
    created_on: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    rejected_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriber: Mapped[Subscriber | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    certificate: Mapped[Certificate | None] = relationship()


class RequestHistory(Base):
    """Every status change of a request (who asked for what, when)."""

    __tablename__ = "cert_request_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("cert_requests.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    on_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Handover(Base):
    """A token hand-over record (biên bản bàn giao)."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id"), index=True)
    handed_on: Mapped[date] = mapped_column(Date)
    #: see :data:`vbsign.registry.workflow.HANDOVER_REASONS`
    reason: Mapped[str] = mapped_column(String(24))
    from_party: Mapped[str] = mapped_column(String(300))
    to_party: Mapped[str] = mapped_column(String(300))
    from_subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"))
    to_subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    #: the written permission for handing over an agency token (NĐ 30/2020 Đ32)
    permission_ref: Mapped[str | None] = mapped_column(String(200))
    record_no: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    token: Mapped[Token] = relationship()


class TrainingSession(Base):
    """A training class (lớp tập huấn)."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(300))
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("waves.id"))
    audience: Mapped[str | None] = mapped_column(String(300))


class TrainingAttendance(Base):
    __tablename__ = "training_attendance"

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), primary_key=True)


class Holiday(Base):
    """A public holiday (``kind="holiday"``) or a Saturday/Sunday worked in exchange
    (``kind="workday"``, ngày làm bù) as announced by the Government each year."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="holiday")


class ArchivedDocument(Base):
    """A long-term signed document the registry watches (``vbsign registry archive scan``):
    where it is, what it was when last scanned, and until when its newest proof of
    existence holds (issue 18). Renewal alerts come from this table."""

    __tablename__ = "archived_documents"

    path: Mapped[str] = mapped_column(String(1000), primary_key=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    format: Mapped[str | None] = mapped_column(String(16), nullable=True)
    level: Mapped[str | None] = mapped_column(String(8), nullable=True)
    indication: Mapped[str | None] = mapped_column(String(24), nullable=True)
    proof_holds_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    proof_limit: Mapped[str | None] = mapped_column(String(500), nullable=True)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AlertNotification(Base):
    """Which alerts were already sent through the plugin hook (to send each one once)."""

    __tablename__ = "alert_notifications"
    __table_args__ = (UniqueConstraint("code", "key", name="uq_alert_notifications_code_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    first_notified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEventRow(Base):
    """One record of the append-only, hash-chained audit log.

    ``hash`` = SHA-256 over the canonical JSON of every other column plus ``prev_hash``
    (see :mod:`vbsign.registry.audit`). ``unit_id``, ``subscriber_id``, ``certificate_id``
    and ``signer_mask`` are resolved from the registry when the event is recorded and are
    covered by the hash too.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_kind_time_unit", "kind", "time", "unit_id"),
        Index("ix_audit_events_unit_time", "unit_id", "time"),
    )

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=False)
    time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    document_sha256: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str | None] = mapped_column(String(200))
    document_name: Mapped[str | None] = mapped_column(String(500))
    #: ``document_id`` when the host gave one, else ``document_sha256``
    document_key: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[str | None] = mapped_column(String(40))
    #: JSON array of SHA-256 fingerprints
    certificate_fingerprints: Mapped[str] = mapped_column(Text)
    #: JSON array of subject common names
    signer_names: Mapped[str] = mapped_column(Text)
    unit_name: Mapped[str | None] = mapped_column(String(300))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    subscriber_id: Mapped[int | None] = mapped_column(Integer)
    certificate_id: Mapped[int | None] = mapped_column(Integer)
    #: 1 = a personal certificate took part, 2 = an organisation (seal) certificate
    signer_mask: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditMonthly(Base):
    """Summary: events per month, unit, kind and verdict (kept up to date on every append).

    Summaries are derived data (not hash-chained); ``vbsign registry audit rebuild``
    recomputes them from the log. ``unit_id`` 0 means "unknown unit", ``verdict`` "" none.
    """

    __tablename__ = "audit_monthly"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class AuditSigner(Base):
    """Summary: signatures per month and certificate (which certificates are in use)."""

    __tablename__ = "audit_signers"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    certificate_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the unit of the certificate's subscriber (0: unknown)
    unit_id: Mapped[int] = mapped_column(Integer)
    subscriber_id: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(BigInteger)


class AuditDocument(Base):
    """Summary: one row per document seen in ``sign`` or ``send`` events.

    ``mask`` ORs the signer kinds (1 personal, 2 organisation); ``unit_id`` is the unit the
    document is counted for (the organisation signer's unit, else the first event's unit);
    ``latest_sha256`` follows the document through successive signatures (each signature
    event's input hash is the previous event's output hash).
    """

    __tablename__ = "audit_documents"
    __table_args__ = (Index("ix_audit_documents_kind_day", "kind", "first_day"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    document_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date)
    unit_id: Mapped[int] = mapped_column(Integer)
    mask: Mapped[int] = mapped_column(Integer)
    latest_sha256: Mapped[str] = mapped_column(String(64), index=True)


class AuditDocMonthly(Base):
    """Summary: documents (and those with both signatures) per month of their first event."""

    __tablename__ = "audit_doc_monthly"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    docs: Mapped[int] = mapped_column(BigInteger)
    both: Mapped[int] = mapped_column(BigInteger)


class AuditInbox(Base):
    """Events recorded but not chained yet (a queue emptied in order by the next writer).

    Concurrent audit sinks only insert here — no global lock — and then chain every
    waiting event in one batch under the head lock; see :func:`vbsign.registry.audit.seal`.
    """

    __tablename__ = "audit_inbox"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    #: the event as JSON (see :func:`vbsign.registry.audit.event_to_json`)
    payload: Mapped[str] = mapped_column(Text)


class AuditHead(Base):
    """The chain head (one row): last sequence number and hash; lets the verifier detect
    records deleted from the end of the log, and serialises writers (row lock)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


GENESIS_HASH = "0" * 64
