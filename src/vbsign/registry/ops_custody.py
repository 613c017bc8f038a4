"""Tokens (key devices) and hand-over records."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from vbsign._core.i18n import Msg
from vbsign.registry.base import RegistryBase
from vbsign.registry.errors import Duplicate, NotFound, RegistryError
from vbsign.registry.lookups import handover_view, subscriber_row, token_view
from vbsign.registry.models import Certificate, Handover, Setting, Subscriber, Token
from vbsign.registry.views import HandoverView, TokenView
from vbsign.registry.workflow import HANDOVER_REASONS, TOKEN_STATUSES


class CustodyOps(RegistryBase):
    """Key devices and their hand-over records (biên bản bàn giao)."""

    def add_token(self, serial: str, *, model: str | None = None, owner: int | None = None) -> TokenView:
        with self.writing() as s:
            if s.execute(select(Token).where(Token.serial == serial)).scalar_one_or_none() is not None:
                raise Duplicate(Msg("Thiết bị {t} đã có.", "Token {t} already exists.").format(t=serial))
            token = Token(serial=serial, model=model, owner_subscriber_id=subscriber_row(s, owner).id if owner else None,
                          status="at_it_centre")
            s.add(token)
            s.flush()
            return token_view(s, token)

    def list_tokens(self) -> list[TokenView]:
        with self.reading() as s:
            return [token_view(s, t) for t in s.execute(select(Token).order_by(Token.serial)).scalars()]

    def record_handover(
        self,
        token_serial: str,
        *,
        reason: str,
        to_party: str | None = None,
        to_subscriber: int | None = None,
        from_party: str | None = None,
        from_subscriber: int | None = None,
        handed_on: date | None = None,
        permission_ref: str | None = None,
        record_no: str | None = None,
        note: str | None = None,
        model: str | None = None,
    ) -> HandoverView:
        """Record a token hand-over (biên bản bàn giao) and update the token's custody.

        An agency (seal) token may change hands only with a written permission
        (``permission_ref``, NĐ 30/2020 Đ32); a returned or lost token cannot be handed over.
        An unknown token serial is registered on the fly (owner: the holder of the
        certificates stored on it, else the receiving subscriber).
        """
        if reason not in HANDOVER_REASONS:
            raise RegistryError(
                Msg("Lý do bàn giao không hợp lệ: {r}. Hợp lệ: {ok}", "Unknown hand-over reason: {r}. Known: {ok}").format(
                    r=reason, ok=", ".join(HANDOVER_REASONS)
                )
            )
        with self.writing() as s:
            to_sub = subscriber_row(s, to_subscriber) if to_subscriber is not None else None
            from_sub = subscriber_row(s, from_subscriber) if from_subscriber is not None else None
            token = _token_for_handover(s, token_serial, reason, to_sub, model, permission_ref)
            to_name = to_party or (to_sub.full_name if to_sub else None)
            if not to_name:
                raise RegistryError(Msg("Cần ghi rõ bên nhận.", "The receiving party is required."))
            settings = {r.key: r.value for r in s.execute(select(Setting)).scalars()}
            default_from = settings.get("office") or Msg("Đơn vị quản lý thuê bao", "Subscriber-managing unit").get()
            from_name = from_party or (from_sub.full_name if from_sub else None) or (
                token.holder_name if reason in ("return", "return_to_ca", "custody") and token.holder_name else default_from
            )
            h = Handover(
                token_id=token.id,
                handed_on=handed_on or self.today(),
                reason=reason,
                from_party=from_name,
                to_party=to_name,
                from_subscriber_id=from_sub.id if from_sub else None,
                to_subscriber_id=to_sub.id if to_sub else None,
                permission_ref=permission_ref,
                record_no=record_no,
                note=note,
            )
            s.add(h)
            _update_custody(token, reason, to_name, to_sub)
            s.flush()
            return handover_view(s, h)

    def list_handovers(self, *, token_serial: str | None = None) -> list[HandoverView]:
        with self.reading() as s:
            q = select(Handover).join(Token, Token.id == Handover.token_id)
            if token_serial:
                q = q.where(Token.serial == token_serial)
            return [handover_view(s, h) for h in s.execute(q.order_by(Handover.handed_on, Handover.id)).scalars()]

    def handover(self, handover_id: int) -> HandoverView:
        with self.reading() as s:
            h = s.get(Handover, handover_id)
            if h is None:
                raise NotFound(Msg("Không có biên bản bàn giao #{i}.", "No hand-over record #{i}.").format(i=handover_id))
            return handover_view(s, h)


def _token_for_handover(
    s: Session, token_serial: str, reason: str, to_sub: Subscriber | None, model: str | None, permission_ref: str | None
) -> Token:
    """The token being handed over, registered on the fly if unknown (owner: the holder of
    the certificates stored on it, else the receiving subscriber when issued); a returned
    or lost token, or an agency token without a written permission, is refused."""
    token: Token | None = s.execute(select(Token).where(Token.serial == token_serial)).scalar_one_or_none()
    if token is None:
        owner_id = s.execute(
            select(Certificate.subscriber_id).where(
                Certificate.token_serial == token_serial, Certificate.subscriber_id.is_not(None)
            )
        ).scalars().first()
        if owner_id is None and to_sub is not None and reason == "issue":
            owner_id = to_sub.id
        token = Token(serial=token_serial, model=model, owner_subscriber_id=owner_id, status="at_it_centre")
        s.add(token)
        s.flush()
    if token.status in ("returned_to_ca", "lost"):
        raise RegistryError(
            Msg(
                "Thiết bị {t} đang ở trạng thái \"{st}\": không thể bàn giao tiếp.",
                "Token {t} is \"{st_en}\": it cannot be handed over any more.",
            ).format(t=token_serial, st=TOKEN_STATUSES[token.status].vi, st_en=TOKEN_STATUSES[token.status].en)
        )
    owner = s.get(Subscriber, token.owner_subscriber_id) if token.owner_subscriber_id else None
    if owner is not None and owner.kind == "organisation" and reason == "custody" and not permission_ref:
        raise RegistryError(
            Msg(
                "Bàn giao thiết bị chứa khóa bí mật của cơ quan ({o}) phải có văn bản cho phép (--permission).",
                "Handing over the agency's key device ({o}) requires a written permission (--permission).",
            ).format(o=owner.full_name)
        )
    return token


def _update_custody(token: Token, reason: str, to_name: str, to_sub: Subscriber | None) -> None:
    """The token's status and holder after the hand-over."""
    token.status = HANDOVER_REASONS[reason][1]
    if token.status == "in_use":
        token.holder_name = to_name
        token.holder_subscriber_id = to_sub.id if to_sub else None
    elif token.status == "at_it_centre":
        token.holder_name, token.holder_subscriber_id = to_name, None
    else:
        token.holder_name, token.holder_subscriber_id = None, None
