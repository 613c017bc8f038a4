"""Certification requests, token custody and their vocabularies (pure data, no I/O).

Request kinds follow the forms of Decree 68/2024/NĐ-CP as applied by the provinces
(QĐ 165/2025/QĐ-UBND Ninh Bình, QĐ 144/2025/QĐ-CTUBND Đồng Tháp): Mẫu 01 new personal
certificate, 02 new agency certificate, 03 new device/service/software certificate,
04 renewal or change of information, 05 revocation, 06 key-device restoration,
08 key-device hand-over after expiry or revocation, 09 lost key device.

Status workflow (every change is dated and kept in ``cert_request_history``)::

    draft ──► submitted ──► approved ──► completed
      │           │  ▲          │
      │           ▼  │          └──► rejected
      │        returned ──► (submitted again)
      │           │
      └──► cancelled ◄──┘      submitted ──► rejected / cancelled

``completed``, ``rejected`` and ``cancelled`` are final. Any other move is refused with a
:class:`~vbsign.registry.errors.WorkflowError` that says, in Vietnamese and English, which
moves are possible from the current status.
"""

from __future__ import annotations

from dataclasses import dataclass

from vbsign._core.i18n import Msg
from vbsign.registry.errors import WorkflowError


@dataclass(frozen=True)
class RequestKind:
    code: str
    form: str
    label: Msg
    #: "person", "organisation", "device" or None (any subscriber)
    subscriber_kind: str | None
    #: the request is about an existing certificate (renewal, revocation...)
    needs_certificate: bool
    #: the request belongs on the registration/renewal list (vs. the revocation list)
    registration: bool


REQUEST_KINDS: dict[str, RequestKind] = {
    k.code: k
    for k in (
        RequestKind(
            "new_person", "01",
            Msg("Cấp mới chứng thư số cá nhân", "New personal certificate"),
            "person", False, True,
        ),
        RequestKind(
            "new_agency", "02",
            Msg("Cấp mới chứng thư số cơ quan, tổ chức", "New agency (seal) certificate"),
            "organisation", False, True,
        ),
        RequestKind(
            "new_device", "03",
            Msg("Cấp mới chứng thư số cho thiết bị, dịch vụ, phần mềm", "New device/service/software certificate"),
            None, False, True,
        ),
        RequestKind(
            "renewal", "04",
            Msg("Gia hạn chứng thư số", "Certificate renewal"),
            None, True, True,
        ),
        RequestKind(
            "change_info", "04",
            Msg("Thay đổi nội dung thông tin chứng thư số", "Change of certificate information"),
            None, True, True,
        ),
        RequestKind(
            "revocation", "05",
            Msg("Thu hồi chứng thư số", "Certificate revocation"),
            None, True, False,
        ),
        RequestKind(
            "token_restore", "06",
            Msg("Khôi phục thiết bị lưu khóa bí mật", "Key-device restoration"),
            None, False, False,
        ),
        RequestKind(
            "token_handover", "08",
            Msg(
                "Bàn giao thiết bị lưu khóa bí mật (hết hạn, bị thu hồi)",
                "Key-device hand-over (expired or revoked certificate)",
            ),
            None, False, False,
        ),
        RequestKind(
            "lost_token", "09",
            Msg("Báo mất thiết bị lưu khóa bí mật", "Lost key device"),
            None, False, False,
        ),
    )
}

STATUSES: dict[str, Msg] = {
    "draft": Msg("Đang lập hồ sơ", "Draft"),
    "submitted": Msg("Đã gửi", "Submitted"),
    "returned": Msg("Yêu cầu bổ sung", "Returned for completion"),
    "approved": Msg("Đã chấp thuận, đang xử lý", "Approved, in progress"),
    "completed": Msg("Hoàn thành", "Completed"),
    "rejected": Msg("Bị từ chối", "Rejected"),
    "cancelled": Msg("Đã hủy", "Cancelled"),
}

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "cancelled"}),
    "submitted": frozenset({"returned", "approved", "rejected", "cancelled"}),
    "returned": frozenset({"submitted", "cancelled"}),
    "approved": frozenset({"completed", "rejected"}),
    "completed": frozenset(),
    "rejected": frozenset(),
    "cancelled": frozenset(),
}

#: the date column each status sets on the request
STATUS_DATE_FIELD: dict[str, str] = {
    "submitted": "submitted_on",
    "returned": "returned_on",
    "approved": "approved_on",
    "completed": "completed_on",
    "rejected": "rejected_on",
    "cancelled": "cancelled_on",
}

FINAL_STATUSES = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
OPEN_STATUSES = frozenset(STATUSES) - FINAL_STATUSES

TOKEN_STATUSES: dict[str, Msg] = {
    "at_it_centre": Msg("Đang lưu tại đơn vị quản lý thuê bao", "Kept by the subscriber-managing unit"),
    "in_use": Msg("Đã bàn giao, đang sử dụng", "Handed over, in use"),
    "returned_to_ca": Msg("Đã nộp lại tổ chức cung cấp dịch vụ", "Returned to the CA"),
    "lost": Msg("Bị mất", "Lost"),
}

#: hand-over reason -> (label, token status after the hand-over)
HANDOVER_REASONS: dict[str, tuple[Msg, str]] = {
    "issue": (Msg("Bàn giao cho thuê bao sử dụng", "Issued to the subscriber"), "in_use"),
    "custody": (
        Msg("Chuyển người giữ thiết bị (có văn bản cho phép)", "Change of custodian (with written permission)"),
        "in_use",
    ),
    "return": (Msg("Thu hồi về đơn vị quản lý thuê bao", "Recovered by the managing unit"), "at_it_centre"),
    "return_to_ca": (
        Msg("Nộp lại tổ chức cung cấp dịch vụ (Mẫu 08)", "Returned to the CA (form 08)"),
        "returned_to_ca",
    ),
    "lost": (Msg("Báo mất thiết bị (Mẫu 09)", "Reported lost (form 09)"), "lost"),
}

SUBSCRIBER_KINDS: dict[str, Msg] = {
    "person": Msg("Cá nhân", "Person"),
    "organisation": Msg("Cơ quan, tổ chức (con dấu)", "Organisation (seal)"),
    "device": Msg("Thiết bị, dịch vụ, phần mềm", "Device, service, software"),
}


def request_kind(code: str) -> RequestKind:
    try:
        return REQUEST_KINDS[code]
    except KeyError:
        raise WorkflowError(
            Msg(
                "Loại yêu cầu không hợp lệ: {k}. Các loại: {all}",
                "Unknown request kind: {k}. Known kinds: {all}",
            ).format(k=code, all=", ".join(REQUEST_KINDS))
        ) from None


def check_transition(current: str, target: str, *, request_id: int | None = None) -> None:
    """Raise :class:`WorkflowError` unless a request may go from ``current`` to ``target``."""
    if target not in STATUSES:
        raise WorkflowError(
            Msg(
                "Trạng thái không hợp lệ: {t}. Các trạng thái: {all}",
                "Unknown status: {t}. Known statuses: {all}",
            ).format(t=target, all=", ".join(STATUSES))
        )
    allowed = TRANSITIONS[current]
    if target in allowed:
        return
    which = f" #{request_id}" if request_id is not None else ""
    if not allowed:
        raise WorkflowError(
            Msg(
                "Không thể chuyển yêu cầu{r} từ \"{c}\" sang \"{t}\": yêu cầu đã kết thúc.",
                "Request{r} cannot go from \"{c_en}\" to \"{t_en}\": it is closed.",
            ).format(
                r=which, c=STATUSES[current].vi, t=STATUSES[target].vi,
                c_en=STATUSES[current].en, t_en=STATUSES[target].en,
            ),
            details={"from": current, "to": target, "allowed": []},
        )
    order = [s for s in STATUSES if s in allowed]
    raise WorkflowError(
        Msg(
            "Không thể chuyển yêu cầu{r} từ \"{c}\" sang \"{t}\". Chỉ có thể chuyển sang: {ok}.",
            "Request{r} cannot go from \"{c_en}\" to \"{t_en}\". Possible next statuses: {ok_en}.",
        ).format(
            r=which, c=STATUSES[current].vi, t=STATUSES[target].vi,
            c_en=STATUSES[current].en, t_en=STATUSES[target].en,
            ok=", ".join(f"{STATUSES[s].vi} ({s})" for s in order),
            ok_en=", ".join(f"{STATUSES[s].en} ({s})" for s in order),
        ),
        details={"from": current, "to": target, "allowed": order},
    )
