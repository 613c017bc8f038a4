"""Errors specific to the certificate registry (all are :class:`vbsign.errors.VbsignError`)."""

from __future__ import annotations

from vbsign._core.errors import ConfigurationError, InputError
from vbsign._core.i18n import Msg


class RegistryError(InputError):
    """A registry operation was refused (the data is left unchanged)."""

    code = "REGISTRY_ERROR"
    #: why it happens / vì sao
    cause = Msg('Sổ chứng thư từ chối thao tác; dữ liệu không đổi.', 'The registry refused an operation; nothing changed.')
    #: what to do / cách xử lý
    remedy = Msg('Đọc thông báo, sửa tham số rồi chạy lại.', 'Read the message, fix the arguments and run again.')


class NotFound(RegistryError):
    """A unit, subscriber, certificate, request... that the caller named does not exist."""

    code = "REGISTRY_NOT_FOUND"
    #: why it happens / vì sao
    cause = Msg('Đơn vị, thuê bao, chứng thư, yêu cầu… được nêu tên không tồn tại.', 'A named unit, subscriber, certificate, request… does not exist.')
    #: what to do / cách xử lý
    remedy = Msg('Xem danh sách (vbsign registry unit list, subscriber list, cert list…) và dùng đúng mã.', 'List them (vbsign registry unit list, subscriber list, cert list…) and use the right id.')


class Duplicate(RegistryError):
    """The record already exists (same code, UID, fingerprint...)."""

    code = "REGISTRY_DUPLICATE"
    #: why it happens / vì sao
    cause = Msg('Bản ghi đã có (trùng mã, UID, dấu vân tay…).', 'The record exists already (same code, UID, fingerprint…).')
    #: what to do / cách xử lý
    remedy = Msg('Không cần thêm lại; sửa bản ghi đã có nếu cần.', 'No need to add it again; edit the existing record if needed.')


class WorkflowError(RegistryError):
    """A certification request cannot move to the requested status."""

    code = "REGISTRY_ILLEGAL_TRANSITION"
    #: why it happens / vì sao
    cause = Msg('Yêu cầu chứng thực không chuyển được sang trạng thái đó.', 'A certification request cannot move to that status.')
    #: what to do / cách xử lý
    remedy = Msg('Chọn một trong các trạng thái kế tiếp mà thông báo liệt kê.', 'Choose one of the next statuses the message lists.')


class SchemaError(ConfigurationError):
    """The database is missing, unreachable, or its schema is not at the expected revision."""

    code = "REGISTRY_SCHEMA"
    #: why it happens / vì sao
    cause = Msg('Cơ sở dữ liệu sổ chứng thư không có, không kết nối được hoặc chưa nâng cấp.', 'The registry database is missing, unreachable or not upgraded.')
    #: what to do / cách xử lý
    remedy = Msg('Chạy vbsign registry init (chạy lại được, cũng để nâng cấp); kiểm tra --db/VBSIGN_REGISTRY_URL.', 'Run vbsign registry init (idempotent, also upgrades); check --db/VBSIGN_REGISTRY_URL.')
