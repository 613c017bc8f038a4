"""Lookups and view builders used inside a registry session (no transactions of their own)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from vbsign._core.i18n import Msg
from vbsign.registry.alerts import local_date
from vbsign.registry.errors import NotFound, RegistryError
from vbsign.registry.models import (
    Certificate,
    CertRequest,
    Handover,
    Subscriber,
    Token,
    TrainingAttendance,
    TrainingSession,
    Unit,
    Wave,
)
from vbsign.registry.views import (
    CertificateView,
    HandoverView,
    RequestView,
    SubscriberView,
    TokenView,
    TrainingView,
    UnitView,
)
from vbsign.registry.workflow import REQUEST_KINDS


def apply_revocation(
    s: Session, cert: Certificate, revoked_at: datetime, reason: str | None, source: str, notified_on: date
) -> None:
    if cert.status != "revoked":
        cert.status = "revoked"
        cert.revoked_at = revoked_at
        cert.revocation_reason = reason
        cert.revocation_source = source
    if cert.revocation_notified_on is None:
        cert.revocation_notified_on = notified_on


def unit_row(s: Session, code: str | None) -> Unit:
    unit = s.execute(select(Unit).where(Unit.code == code)).scalar_one_or_none() if code else None
    if unit is None:
        raise NotFound(Msg("Không có đơn vị mã {c}.", "No unit with code {c}.").format(c=code))
    return unit


def wave_row(s: Session, number: int) -> Wave:
    w = s.execute(select(Wave).where(Wave.number == number)).scalar_one_or_none()
    if w is None:
        raise NotFound(Msg("Không có đợt triển khai {n}.", "No rollout wave {n}.").format(n=number))
    return w


def subscriber_row(s: Session, subscriber_id: int | None) -> Subscriber:
    sub = s.get(Subscriber, subscriber_id) if subscriber_id is not None else None
    if sub is None:
        raise NotFound(Msg("Không có thuê bao #{i}.", "No subscriber #{i}.").format(i=subscriber_id))
    return sub


def certificate_row(s: Session, ref: str | int | None) -> Certificate:
    cert: Certificate | None = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit() and len(ref) < 8):
        cert = s.get(Certificate, int(ref))
    elif isinstance(ref, str):
        fp = ref.replace(":", "").replace(" ", "").upper()
        if len(fp) == 64:
            cert = s.execute(select(Certificate).where(Certificate.fingerprint == fp)).scalar_one_or_none()
        elif len(fp) >= 8:
            found = s.execute(
                select(Certificate).where(Certificate.fingerprint.like(f"{fp}%")).limit(2).options(defer(Certificate.der))
            ).scalars().all()
            if len(found) > 1:
                raise RegistryError(
                    Msg("Tiền tố {p} khớp nhiều chứng thư; ghi dài hơn.", "Prefix {p} matches several certificates; give more digits.").format(p=fp)
                )
            cert = found[0] if found else None
    if cert is None:
        raise NotFound(Msg("Không có chứng thư số {r} trong sổ.", "No certificate {r} in the registry.").format(r=ref))
    return cert


def unit_view(s: Session, u: Unit) -> UnitView:
    parent = s.get(Unit, u.parent_id) if u.parent_id else None
    wave = s.get(Wave, u.wave_id) if u.wave_id else None
    return UnitView(u.id, u.code, u.name, parent.code if parent else None, wave.number if wave else None,
                    u.locality, u.requires_seal, u.active)


def subscriber_view(sub: Subscriber, u: Unit | None) -> SubscriberView:
    return SubscriberView(
        sub.id, sub.kind, sub.full_name, sub.title, u.code if u else "?", u.name if u else "?",
        sub.uid, sub.email, sub.phone, sub.active,
    )


def cert_query() -> Any:
    """The columns of :class:`CertificateView`, in its field order."""
    c = Certificate
    return (
        select(
            c.id, c.fingerprint, c.serial_hex, c.subject, c.subject_cn, c.issuer, c.issuer_cn, c.subject_uid,
            c.not_before, c.not_after, c.key_type, c.is_ca, c.status, Subscriber.id, Subscriber.full_name,
            Unit.code, Unit.name, c.token_serial, c.revoked_at, c.revocation_check_result, c.renewal_of_id,
        )
        .outerjoin(Subscriber, Subscriber.id == c.subscriber_id)
        .outerjoin(Unit, Unit.id == Subscriber.unit_id)
    )


def cert_view(c: Certificate, sub: Subscriber | None, u: Unit | None) -> CertificateView:
    return CertificateView(
        c.id, c.fingerprint, c.serial_hex, c.subject, c.subject_cn, c.issuer, c.issuer_cn, c.subject_uid,
        c.not_before, c.not_after, c.key_type, c.is_ca, c.status,
        sub.id if sub else None, sub.full_name if sub else None, u.code if u else None, u.name if u else None,
        c.token_serial, c.revoked_at, c.revocation_check_result, c.renewal_of_id,
    )


def token_view(s: Session, t: Token) -> TokenView:
    owner = s.get(Subscriber, t.owner_subscriber_id) if t.owner_subscriber_id else None
    return TokenView(t.id, t.serial, t.model, owner.full_name if owner else None, t.holder_name, t.status)


def handover_view(s: Session, h: Handover) -> HandoverView:
    token = s.get(Token, h.token_id)
    assert token is not None
    certs = tuple(
        (c.subject_cn or c.subject, c.serial_hex, local_date(c.not_before), local_date(c.not_after))
        for c in s.execute(
            select(Certificate).where(Certificate.token_serial == token.serial).options(defer(Certificate.der))
            .order_by(Certificate.not_before)
        ).scalars()
    )
    return HandoverView(
        h.id, token.serial, token.model, h.handed_on, h.reason, h.from_party, h.to_party, h.permission_ref,
        h.record_no, h.note, certs,
    )


def request_view(s: Session, r: CertRequest) -> RequestView:
    sub = s.get(Subscriber, r.subscriber_id) if r.subscriber_id else None
    unit = s.get(Unit, r.unit_id) if r.unit_id else None
    cert = s.get(Certificate, r.certificate_id, options=[defer(Certificate.der)]) if r.certificate_id else None
    token = s.get(Token, r.token_id) if r.token_id else None
    return RequestView(
        r.id, r.kind, REQUEST_KINDS[r.kind].form if r.kind in REQUEST_KINDS else "?", r.status,
        sub.id if sub else None, sub.full_name if sub else None, sub.title if sub else None,
        sub.uid if sub else None, sub.email if sub else None, sub.phone if sub else None,
        unit.code if unit else None, unit.name if unit else None,
        cert.fingerprint if cert else None, cert.serial_hex if cert else None, cert.not_after if cert else None,
        token.serial if token else (cert.token_serial if cert else None),
        r.reason, r.reference, r.created_on, r.submitted_on, r.approved_on, r.completed_on, r.note,
    )


def training_view(s: Session, t: TrainingSession) -> TrainingView:
    wave = s.get(Wave, t.wave_id) if t.wave_id else None
    n = s.execute(
        select(func.count()).select_from(TrainingAttendance).where(TrainingAttendance.session_id == t.id)
    ).scalar_one()
    return TrainingView(t.id, t.title, t.held_on, t.location, wave.number if wave else None, t.audience, int(n))



