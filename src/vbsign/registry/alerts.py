"""Certificate lifecycle alerts, computed from the registry at a given moment.

=====================  ========  =====================================================
code                   severity  when
=====================  ========  =====================================================
CERT_EXPIRING          warning   an active certificate expires within N days
CERT_EXPIRED           warning   it expired and its holder has no other valid one
CERT_REVOKED           critical  revoked (CRL/OCSP check, or a completed request)
REVOCATION_UNKNOWN     warning   the last online check could not tell (fail closed)
TOKEN_RECOVERY_DUE     warning   a revoked certificate's key device must be recovered
                                 within 5 working days of the notice; not yet done
TOKEN_RECOVERY_OVERDUE critical  … and that deadline has passed
VALIDITY_ANOMALY       warning   a subscriber's certificate is valid longer than the legal
                                 maximum: 5 years new, 3 years renewal (NĐ 68/2024 Đ9);
                                 ``info`` for certificates issued before that decree
SEAL_MISSING           warning   a unit with its own seal has no valid seal certificate
ARCHIVE_RENEWAL_DUE    warning   an archived signed document's newest proof of existence
                                 (archive timestamp) stops holding within N days, or it
                                 has none yet: renew (``vbsign archive renew``)
ARCHIVE_PROOF_EXPIRED  critical  … and that date has passed: the signing time can no
                                 longer be proven (renewal comes too late)
=====================  ========  =====================================================

Everything here reads the database and returns data; sending the alerts through the
``vbsign_certificate_alert`` plugin hook is done by :meth:`Registry.alerts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, defer

from vbsign._core.i18n import Msg
from vbsign.model.events import CertificateAlert
from vbsign.registry.models import ArchivedDocument, Certificate, Subscriber, Token, Unit
from vbsign.registry.workdays import HolidayCalendar, token_recovery_deadline

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: certificates issued before Decree 68/2024 took effect predate its validity limits
DECREE_68_EFFECTIVE = date(2024, 8, 15)
NEW_MAX_YEARS = 5
RENEWAL_MAX_YEARS = 3
#: validity up to this much longer than the maximum is tolerated (clock rounding by CAs)
VALIDITY_TOLERANCE = timedelta(days=1)
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Alert:
    code: str
    severity: str
    message: Msg
    #: what the alert is about, stable across runs (to send each alert once)
    key: str
    fingerprint: str | None = None
    subject: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None
    subscriber_name: str | None = None
    due: date | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_event(self) -> CertificateAlert:
        due = datetime.combine(self.due, time(23, 59, 59), VN_TZ) if self.due else None
        return CertificateAlert(
            code=self.code,
            message_vi=self.message.vi,
            message_en=self.message.en,
            certificate_fingerprint=self.fingerprint,
            subject=self.subject,
            due=due,
            details={
                "severity": self.severity,
                "unit_code": self.unit_code,
                "unit_name": self.unit_name,
                "subscriber": self.subscriber_name,
                **self.details,
            },
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message_vi": self.message.vi,
            "message_en": self.message.en,
            "fingerprint": self.fingerprint,
            "subject": self.subject,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "subscriber": self.subscriber_name,
            "due": self.due.isoformat() if self.due else None,
            "details": self.details,
        }


def local_date(moment: datetime) -> date:
    return moment.astimezone(VN_TZ).date()


def fmt_date(d: date | datetime) -> str:
    if isinstance(d, datetime):
        d = local_date(d)
    return d.strftime("%d/%m/%Y")


def add_years(d: datetime, years: int) -> datetime:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def compute_alerts(
    session: Session,
    *,
    at: datetime,
    within_days: int,
    calendar: HolidayCalendar,
) -> list[Alert]:
    """All alerts as of ``at`` (aware datetime), most severe first."""
    today = local_date(at)
    alerts: list[Alert] = []
    rows = session.execute(
        select(Certificate, Subscriber, Unit)
        .outerjoin(Subscriber, Subscriber.id == Certificate.subscriber_id)
        .outerjoin(Unit, Unit.id == Subscriber.unit_id)
        .where(Certificate.is_ca.is_(False))
        .options(defer(Certificate.der))
    ).all()
    # holders with a certificate valid now (an expired one is then not worth an alert)
    holders_valid = {
        s.id
        for c, s, _ in rows
        if s is not None and c.status == "active" and c.not_before <= at < c.not_after
    }
    latest: dict[int, Certificate] = {}
    for c, s, _ in rows:
        if s is not None and (s.id not in latest or c.not_after > latest[s.id].not_after):
            latest[s.id] = c
    returned_tokens = {
        serial
        for (serial,) in session.execute(
            select(Token.serial).where(Token.status.in_(("returned_to_ca", "lost")))
        ).all()
    }
    horizon = at + timedelta(days=within_days)
    for cert, sub, unit in rows:
        ctx = _Ctx(cert, sub, unit)
        if cert.status == "revoked":
            alerts += _revoked_alerts(ctx, today, calendar, returned_tokens)
        elif cert.status == "active":
            alerts += _active_alerts(ctx, at, today, horizon, holders_valid, latest)
        # the legal maximum applies to subscribers' certificates (not to OCSP/TSA service
        # certificates or to certificates nobody in the registry holds)
        anomaly = _validity_anomaly(ctx) if sub is not None else None
        if anomaly is not None:
            alerts.append(anomaly)
    alerts += _missing_seals(session, at)
    alerts += _archive_alerts(session, at, horizon)
    alerts.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity, 9), a.due or date.max, a.code, a.key))
    return alerts


def _active_alerts(
    ctx: _Ctx,
    at: datetime,
    today: date,
    horizon: datetime,
    holders_valid: set[int],
    latest: dict[int, Certificate],
) -> list[Alert]:
    """An active certificate: expiring within the horizon, expired and not renewed (its
    holder's latest, with no other valid one), or of unknown revocation status."""
    cert, sub = ctx.cert, ctx.sub
    alerts: list[Alert] = []
    if at < cert.not_after <= horizon:
        days = (local_date(cert.not_after) - today).days
        alerts.append(
            ctx.alert(
                "CERT_EXPIRING",
                "warning",
                Msg(
                    "Chứng thư số của {who} hết hạn ngày {d} (còn {n} ngày).",
                    "The certificate of {who} expires on {d} ({n} days left).",
                ).format(who=ctx.who, d=fmt_date(cert.not_after), n=days),
                due=local_date(cert.not_after),
                details={"days_left": days},
            )
        )
    elif (
        cert.not_after <= at
        and sub is not None
        and sub.active
        and sub.id not in holders_valid
        and latest[sub.id] is cert
    ):
        alerts.append(
            ctx.alert(
                "CERT_EXPIRED",
                "warning",
                Msg(
                    "Chứng thư số của {who} đã hết hạn ngày {d} và chưa được gia hạn.",
                    "The certificate of {who} expired on {d} and has not been renewed.",
                ).format(who=ctx.who, d=fmt_date(cert.not_after)),
                due=local_date(cert.not_after),
            )
        )
    if cert.revocation_check_result == "unknown" and cert.not_after > at:
        alerts.append(
            ctx.alert(
                "REVOCATION_UNKNOWN",
                "warning",
                Msg(
                    "Chưa xác định được trạng thái thu hồi chứng thư số của {who} (lần kiểm tra {d}): {why}",
                    "The revocation status of {who}'s certificate is unknown (checked {d}): {why}",
                ).format(
                    who=ctx.who,
                    d=fmt_date(cert.revocation_checked_at) if cert.revocation_checked_at else "?",
                    why=cert.revocation_check_note or "",
                ),
            )
        )
    return alerts


@dataclass
class _Ctx:
    cert: Certificate
    sub: Subscriber | None
    unit: Unit | None

    @property
    def who(self) -> str:
        name = self.sub.full_name if self.sub is not None else (self.cert.subject_cn or self.cert.subject)
        return f"{name} ({self.unit.name})" if self.unit is not None else name

    def alert(
        self, code: str, severity: str, message: Msg, *, due: date | None = None, details: dict[str, Any] | None = None
    ) -> Alert:
        return Alert(
            code=code,
            severity=severity,
            message=message,
            key=self.cert.fingerprint,
            fingerprint=self.cert.fingerprint,
            subject=self.cert.subject,
            unit_code=self.unit.code if self.unit is not None else None,
            unit_name=self.unit.name if self.unit is not None else None,
            subscriber_name=self.sub.full_name if self.sub is not None else None,
            due=due,
            details={"serial": self.cert.serial_hex, "not_after": self.cert.not_after.isoformat(), **(details or {})},
        )


def _revoked_alerts(ctx: _Ctx, today: date, calendar: HolidayCalendar, returned: set[str]) -> list[Alert]:
    cert = ctx.cert
    when = fmt_date(cert.revoked_at) if cert.revoked_at else "?"
    out = [
        ctx.alert(
            "CERT_REVOKED",
            "critical",
            Msg(
                "Chứng thư số của {who} đã bị thu hồi ({d}).",
                "The certificate of {who} has been revoked ({d}).",
            ).format(who=ctx.who, d=when),
            details={"revoked_at": cert.revoked_at.isoformat() if cert.revoked_at else None, "source": cert.revocation_source},
        )
    ]
    notice = cert.revocation_notified_on
    token_done = cert.token_serial is not None and cert.token_serial in returned
    if notice is not None and not token_done:
        due = token_recovery_deadline(notice, calendar)
        left = calendar.working_days_between(today, due)
        token = f" {cert.token_serial}" if cert.token_serial else ""
        if today <= due:
            out.append(
                ctx.alert(
                    "TOKEN_RECOVERY_DUE",
                    "warning",
                    Msg(
                        "Phải thu hồi thiết bị lưu khóa bí mật{t} của {who} và bàn giao cho tổ chức cung cấp dịch vụ "
                        "(Mẫu 08) chậm nhất ngày {d} (5 ngày làm việc từ ngày thông báo thu hồi {n}; còn {l} ngày làm việc).",
                        "The key device{t} of {who} must be recovered and handed to the CA (form 08) by {d} "
                        "(5 working days after the revocation notice of {n}; {l} working days left).",
                    ).format(t=token, who=ctx.who, d=fmt_date(due), n=fmt_date(notice), l=left),
                    due=due,
                    details={"notice": notice.isoformat(), "working_days_left": left},
                )
            )
        else:
            out.append(
                ctx.alert(
                    "TOKEN_RECOVERY_OVERDUE",
                    "critical",
                    Msg(
                        "QUÁ HẠN: thiết bị lưu khóa bí mật{t} của {who} phải được thu hồi trước ngày {d} "
                        "(thông báo thu hồi ngày {n}), chưa có biên bản nộp lại.",
                        "OVERDUE: the key device{t} of {who} had to be recovered by {d} "
                        "(revocation notice of {n}); no return record yet.",
                    ).format(t=token, who=ctx.who, d=fmt_date(due), n=fmt_date(notice)),
                    due=due,
                    details={"notice": notice.isoformat(), "working_days_late": -left},
                )
            )
    return out


def _validity_anomaly(ctx: _Ctx) -> Alert | None:
    cert = ctx.cert
    renewal = cert.renewal_of_id is not None
    years = RENEWAL_MAX_YEARS if renewal else NEW_MAX_YEARS
    limit = add_years(cert.not_before, years) + VALIDITY_TOLERANCE
    if cert.not_after <= limit:
        return None
    span_days = (cert.not_after - cert.not_before).days
    legacy = local_date(cert.not_before) < DECREE_68_EFFECTIVE
    what = Msg("gia hạn", "renewal") if renewal else Msg("cấp mới", "new")
    note = (
        Msg(" Chứng thư cấp trước ngày NĐ 68/2024 có hiệu lực (15/08/2024).",
            " Issued before Decree 68/2024 took effect (15/08/2024).")
        if legacy
        else Msg("", "")
    )
    return ctx.alert(
        "VALIDITY_ANOMALY",
        "info" if legacy else "warning",
        Msg(
            "Thời hạn chứng thư số ({k}) của {who} là {y:.1f} năm ({a} – {b}), vượt mức tối đa {m} năm (NĐ 68/2024 Đ9).{x}",
            "The validity of {who}'s {k_en} certificate is {y:.1f} years ({a} – {b}), above the {m}-year maximum "
            "(Decree 68/2024 Art. 9).{x_en}",
        ).format(
            k=what.vi, k_en=what.en, who=ctx.who, y=span_days / 365.25,
            a=fmt_date(cert.not_before), b=fmt_date(cert.not_after), m=years, x=note.vi, x_en=note.en,
        ),
        details={"renewal": renewal, "validity_days": span_days, "max_years": years, "predates_decree_68": legacy},
    )


def _missing_seals(session: Session, at: datetime) -> list[Alert]:
    org = aliased(Subscriber)
    valid_units = {
        uid
        for (uid,) in session.execute(
            select(org.unit_id)
            .join(Certificate, Certificate.subscriber_id == org.id)
            .where(
                org.kind == "organisation",
                org.active.is_(True),
                Certificate.status == "active",
                Certificate.not_before <= at,
                Certificate.not_after > at,
            )
        ).all()
    }
    out = []
    for unit in session.execute(
        select(Unit).where(Unit.requires_seal.is_(True), Unit.active.is_(True)).order_by(Unit.code)
    ).scalars():
        if unit.id in valid_units:
            continue
        out.append(
            Alert(
                code="SEAL_MISSING",
                severity="warning",
                message=Msg(
                    "Đơn vị {u} ({c}) chưa có chứng thư số cơ quan (con dấu) còn hiệu lực.",
                    "Unit {u} ({c}) has no valid agency (seal) certificate.",
                ).format(u=unit.name, c=unit.code),
                key=f"unit:{unit.code}",
                unit_code=unit.code,
                unit_name=unit.name,
            )
        )
    return out


def _archive_alerts(session: Session, at: datetime, horizon: datetime) -> list[Alert]:
    """Renewal alerts for the documents held by archive scans (:mod:`.ops_archive`)."""
    out: list[Alert] = []
    for doc in session.execute(select(ArchivedDocument)).scalars():
        until = doc.proof_holds_until
        if doc.indication != "TOTAL-PASSED" and (until is None or until > at):
            continue  # not valid for another reason: the scan report says why
        if until is not None and until > horizon:
            continue
        expired = until is not None and until <= at
        key = f"archive:{doc.path}:{doc.sha256 or ''}:{until.date().isoformat() if until else 'none'}"
        details = {"path": doc.path, "level": doc.level, "proof_limit": doc.proof_limit,
                   "proof_holds_until": until.isoformat() if until else None}  # fmt: skip
        when = fmt_date(local_date(until)) if until else "—"
        if expired:
            msg = Msg("Văn bản lưu trữ {p}: bằng chứng tồn tại đã hết giá trị từ {d}; không còn chứng minh được thời điểm ký.",
                      "Archived document {p}: its proof of existence ended on {d}; the signing time can no longer be proven.")  # fmt: skip
        elif until is None:
            msg = Msg("Văn bản lưu trữ {p} chưa có dấu thời gian lưu trữ: cần gia hạn lên B-LTA.",
                      "Archived document {p} has no archive timestamp yet: extend it to B-LTA.")  # fmt: skip
        else:
            msg = Msg("Văn bản lưu trữ {p}: cần gia hạn dấu thời gian lưu trữ trước {d}.",
                      "Archived document {p}: renew its archive timestamp before {d}.")  # fmt: skip
        out.append(Alert(
            code="ARCHIVE_PROOF_EXPIRED" if expired else "ARCHIVE_RENEWAL_DUE",
            severity="critical" if expired else "warning",
            message=msg.format(p=doc.path, d=when), key=key,
            due=local_date(until) if until else local_date(at), details=details,
        ))  # fmt: skip
    return out


def utc(d: date) -> datetime:
    """Local midnight of ``d`` (Asia/Ho_Chi_Minh) as an aware UTC datetime."""
    return datetime.combine(d, time(0, 0), VN_TZ).astimezone(UTC)
