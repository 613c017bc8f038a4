"""Certification requests (Decree 68/2024 forms) and their workflow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vbsign._core.i18n import Msg
from vbsign.registry.alerts import utc
from vbsign.registry.base import RegistryBase
from vbsign.registry.errors import NotFound, RegistryError
from vbsign.registry.lookups import (
    apply_revocation,
    certificate_row,
    request_view,
    subscriber_row,
    unit_row,
)
from vbsign.registry.models import (
    Certificate,
    CertRequest,
    RequestHistory,
    Subscriber,
    Token,
    utcnow,
)
from vbsign.registry.views import RequestView
from vbsign.registry.workflow import (
    STATUS_DATE_FIELD,
    SUBSCRIBER_KINDS,
    check_transition,
    request_kind,
)


class RequestOps(RegistryBase):
    """Certification requests and their status workflow."""

    def create_request(
        self,
        kind: str,
        *,
        subscriber: int | None = None,
        certificate: str | int | None = None,
        token_serial: str | None = None,
        reason: str | None = None,
        reference: str | None = None,
        created_on: date | None = None,
        note: str | None = None,
    ) -> RequestView:
        """A new request in status ``draft`` (checked against the kind's requirements)."""
        k = request_kind(kind)
        with self.writing() as s:
            cert = certificate_row(s, certificate) if certificate is not None else None
            sub = subscriber_row(s, subscriber) if subscriber is not None else None
            if cert is not None and sub is None and cert.subscriber_id is not None:
                sub = s.get(Subscriber, cert.subscriber_id)
            if cert is not None and sub is not None and cert.subscriber_id not in (None, sub.id):
                raise RegistryError(
                    Msg("Chứng thư số này không thuộc thuê bao #{s}.", "This certificate does not belong to subscriber #{s}.").format(
                        s=sub.id
                    )
                )
            if k.needs_certificate and cert is None:
                raise RegistryError(
                    Msg("Yêu cầu \"{k}\" phải chỉ rõ chứng thư số (--cert).", "A \"{k_en}\" request must name the certificate (--cert).").format(
                        k=k.label.vi, k_en=k.label.en
                    )
                )
            if sub is None:
                raise RegistryError(
                    Msg("Yêu cầu phải chỉ rõ thuê bao (--subscriber).", "The request must name a subscriber (--subscriber).")
                )
            if k.subscriber_kind is not None and sub.kind != k.subscriber_kind:
                raise RegistryError(
                    Msg(
                        "Yêu cầu \"{k}\" dành cho thuê bao loại \"{need}\", thuê bao #{s} là \"{got}\".",
                        "A \"{k_en}\" request is for a \"{need_en}\" subscriber; #{s} is \"{got_en}\".",
                    ).format(
                        k=k.label.vi, k_en=k.label.en, s=sub.id,
                        need=SUBSCRIBER_KINDS[k.subscriber_kind].vi, need_en=SUBSCRIBER_KINDS[k.subscriber_kind].en,
                        got=SUBSCRIBER_KINDS[sub.kind].vi, got_en=SUBSCRIBER_KINDS[sub.kind].en,
                    )
                )
            token = None
            serial = token_serial or (cert.token_serial if cert is not None else None)
            if serial:
                token = s.execute(select(Token).where(Token.serial == serial)).scalar_one_or_none()
                if token is None and token_serial:
                    raise NotFound(Msg("Không có thiết bị {t}.", "No token {t}.").format(t=token_serial))
            on = created_on or self.today()
            req = CertRequest(
                kind=k.code, status="draft", subscriber_id=sub.id, unit_id=sub.unit_id,
                certificate_id=cert.id if cert is not None else None, token_id=token.id if token else None,
                reason=reason, reference=reference, created_on=on, note=note, updated_at=utcnow(),
            )
            s.add(req)
            s.flush()
            s.add(RequestHistory(request_id=req.id, from_status=None, to_status="draft", on_date=on, note=note))
            s.flush()
            return request_view(s, req)

    def transition_request(
        self,
        request_id: int,
        status: str,
        *,
        on: date | None = None,
        note: str | None = None,
        reference: str | None = None,
    ) -> RequestView:
        """Move a request to ``status`` (refused with a bilingual message if not allowed).

        Completing a revocation request marks the certificate revoked and starts the
        5-working-day token-recovery clock; completing a lost-token or token hand-over
        request updates the token's status.
        """
        with self.writing() as s:
            req = s.get(CertRequest, request_id)
            if req is None:
                raise NotFound(Msg("Không có yêu cầu #{i}.", "No request #{i}.").format(i=request_id))
            check_transition(req.status, status, request_id=request_id)
            day = on or self.today()
            if day < req.created_on:
                raise RegistryError(
                    Msg("Ngày {d} trước ngày lập yêu cầu ({c}).", "Date {d} is before the request was created ({c}).").format(
                        d=day.strftime("%d/%m/%Y"), c=req.created_on.strftime("%d/%m/%Y")
                    )
                )
            s.add(RequestHistory(request_id=req.id, from_status=req.status, to_status=status, on_date=day, note=note))
            req.status = status
            setattr(req, STATUS_DATE_FIELD[status], day)
            if reference:
                req.reference = reference
            if note:
                req.note = note
            req.updated_at = utcnow()
            if status == "completed":
                self._complete(s, req, day)
            s.flush()
            return request_view(s, req)

    def _complete(self, s: Session, req: CertRequest, day: date) -> None:
        if req.kind == "revocation" and req.certificate_id is not None:
            cert = s.get(Certificate, req.certificate_id)
            assert cert is not None
            apply_revocation(s, cert, utc(day), req.reason, "request", day)
        token = s.get(Token, req.token_id) if req.token_id else None
        if token is not None and req.kind == "lost_token":
            token.status, token.holder_name, token.holder_subscriber_id = "lost", None, None
        if token is not None and req.kind == "token_handover":
            token.status, token.holder_name, token.holder_subscriber_id = "returned_to_ca", None, None

    def list_requests(
        self,
        *,
        status: str | Sequence[str] | None = None,
        kind: str | Sequence[str] | None = None,
        unit: str | None = None,
        reference: str | None = None,
        ids: Sequence[int] | None = None,
    ) -> list[RequestView]:
        with self.reading() as s:
            q = select(CertRequest)
            if status:
                q = q.where(CertRequest.status.in_([status] if isinstance(status, str) else list(status)))
            if kind:
                q = q.where(CertRequest.kind.in_([kind] if isinstance(kind, str) else list(kind)))
            if unit:
                q = q.where(CertRequest.unit_id == unit_row(s, unit).id)
            if reference:
                q = q.where(CertRequest.reference == reference)
            if ids:
                q = q.where(CertRequest.id.in_(list(ids)))
            return [request_view(s, r) for r in s.execute(q.order_by(CertRequest.id)).scalars()]

    def request(self, request_id: int) -> RequestView:
        with self.reading() as s:
            req = s.get(CertRequest, request_id)
            if req is None:
                raise NotFound(Msg("Không có yêu cầu #{i}.", "No request #{i}.").format(i=request_id))
            return request_view(s, req)

    def request_history(self, request_id: int) -> list[dict[str, Any]]:
        with self.reading() as s:
            return [
                {"from": h.from_status, "to": h.to_status, "on": h.on_date.isoformat(), "note": h.note}
                for h in s.execute(
                    select(RequestHistory).where(RequestHistory.request_id == request_id).order_by(RequestHistory.id)
                ).scalars()
            ]

