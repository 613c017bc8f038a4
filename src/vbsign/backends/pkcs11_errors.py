"""Typed errors of the PKCS#11 backend and the token's PIN state.

Importable without python-pkcs11, so that host applications can catch these errors (and
read :class:`PinState`) whether or not the ``pkcs11`` extra is installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vbsign._core.errors import ConfigurationError, InputError, KeyAccessError, SigningError
from vbsign._core.i18n import Msg

# PKCS#11 token flags (CK_TOKEN_INFO.flags) that describe the user PIN
CKF_LOGIN_REQUIRED = 0x00000004
CKF_PROTECTED_AUTHENTICATION_PATH = 0x00000100
CKF_TOKEN_INITIALIZED = 0x00000400
CKF_USER_PIN_COUNT_LOW = 0x00010000
CKF_USER_PIN_FINAL_TRY = 0x00020000
CKF_USER_PIN_LOCKED = 0x00040000
CKF_USER_PIN_TO_BE_CHANGED = 0x00080000


@dataclass(frozen=True)
class PinState:
    """What the token says about its user PIN (CK_TOKEN_INFO flags)."""

    count_low: bool = False
    final_try: bool = False
    locked: bool = False
    to_be_changed: bool = False

    @classmethod
    def from_flags(cls, flags: int) -> PinState:
        return cls(
            count_low=bool(flags & CKF_USER_PIN_COUNT_LOW),
            final_try=bool(flags & CKF_USER_PIN_FINAL_TRY),
            locked=bool(flags & CKF_USER_PIN_LOCKED),
            to_be_changed=bool(flags & CKF_USER_PIN_TO_BE_CHANGED),
        )

    def describe(self) -> Msg:
        """One sentence for the user; empty strings when there is nothing to say."""
        if self.locked:
            return Msg(
                "PIN đã bị khóa; hãy liên hệ tổ chức cung cấp chứng thư số để mở khóa.",
                "The PIN is locked; contact the certificate provider to unlock it.",
            )
        if self.final_try:
            return Msg(
                "CHỈ CÒN MỘT LẦN THỬ: nhập sai lần nữa thiết bị sẽ bị khóa.",
                "ONE TRY LEFT: one more wrong PIN locks the token.",
            )
        if self.count_low:
            return Msg(
                "Thiết bị báo đã có lần nhập sai PIN; số lần thử còn lại ít.",
                "The token reports an earlier wrong PIN; few tries remain.",
            )
        return Msg("", "")

    def to_dict(self) -> dict[str, bool]:
        return {
            "count_low": self.count_low,
            "final_try": self.final_try,
            "locked": self.locked,
            "to_be_changed": self.to_be_changed,
        }


class Pkcs11Error(KeyAccessError):
    """Base class of token errors (catch :class:`vbsign.errors.KeyAccessError` for all keys)."""

    code = "PKCS11_ERROR"
    #: why it happens / vì sao
    cause = Msg('Lỗi token PKCS#11.', 'A PKCS#11 token error.')
    #: what to do / cách xử lý
    remedy = Msg('Xem mã PKCS11_* cụ thể hơn.', 'See the more specific PKCS11_* code.')


class ModuleNotConfigured(ConfigurationError):
    """No PKCS#11 module was chosen (vbsign never loads one by guessing)."""

    code = "PKCS11_MODULE_NOT_CONFIGURED"
    #: why it happens / vì sao
    cause = Msg('Chưa chọn mô-đun PKCS#11 (trình điều khiển token); vbsign không tự đoán.', 'No PKCS#11 module chosen; vbsign never guesses one.')
    #: what to do / cách xử lý
    remedy = Msg('Dùng --pkcs11-module/--module, module-path= trong URI, hoặc biến VBSIGN_PKCS11_MODULE.', 'Use --pkcs11-module/--module, module-path= in the URI, or VBSIGN_PKCS11_MODULE.')


class ModuleLoadError(Pkcs11Error):
    """The PKCS#11 module (the token's driver) cannot be loaded."""

    code = "PKCS11_MODULE_LOAD_ERROR"
    #: why it happens / vì sao
    cause = Msg('Không nạp được mô-đun PKCS#11 (sai đường dẫn, sai kiến trúc 32/64 bit, thiếu thư viện).', 'The PKCS#11 module cannot be loaded (wrong path, 32/64-bit mismatch, missing library).')
    #: what to do / cách xử lý
    remedy = Msg('Kiểm tra đường dẫn .so/.dll của trình điều khiển token; cài lại trình điều khiển của nhà cung cấp.', "Check the driver's .so/.dll path; reinstall the vendor's driver.")


class TokenNotFound(Pkcs11Error):
    """No token matches the reference (not plugged in, wrong label or serial)."""

    code = "PKCS11_TOKEN_NOT_FOUND"
    #: why it happens / vì sao
    cause = Msg('Không thấy token nào khớp (chưa cắm, sai nhãn/số sê-ri).', 'No matching token (not plugged in, wrong label/serial).')
    #: what to do / cách xử lý
    remedy = Msg('Cắm token; chạy vbsign token list để lấy đúng URI.', 'Plug the token in; run vbsign token list for the right URI.')


class ObjectNotFound(Pkcs11Error):
    """No certificate or private key on the token matches the reference."""

    code = "PKCS11_OBJECT_NOT_FOUND"
    #: why it happens / vì sao
    cause = Msg('Trên token không có chứng thư hoặc khóa bí mật khớp tham chiếu.', 'No certificate or private key on the token matches the reference.')
    #: what to do / cách xử lý
    remedy = Msg('Chạy vbsign token list và dùng URI in ra cho chứng thư cần ký.', 'Run vbsign token list and use the URI it prints.')


class AmbiguousSelection(InputError):
    """Several tokens or certificates match; ``candidates`` holds the URI to use for each."""

    code = "PKCS11_AMBIGUOUS"
    #: why it happens / vì sao
    cause = Msg('Nhiều token hoặc chứng thư khớp với tham chiếu khóa.', 'Several tokens or certificates match the key reference.')
    #: what to do / cách xử lý
    remedy = Msg('Dùng một URI pkcs11: cụ thể trong danh sách thông báo in ra (vbsign token list).', 'Use one of the pkcs11: URIs the message lists (vbsign token list).')

    def __init__(
        self, msg: Msg, *, candidates: list[str], details: Mapping[str, Any] | None = None
    ) -> None:
        self.candidates = list(candidates)
        super().__init__(msg, details={**(details or {}), "candidates": self.candidates})


class PinRequired(Pkcs11Error):
    """The token needs a PIN and none was given."""

    code = "PKCS11_PIN_REQUIRED"
    #: why it happens / vì sao
    cause = Msg('Token cần PIN nhưng không có PIN.', 'The token needs a PIN and none was given.')
    #: what to do / cách xử lý
    remedy = Msg('Nhập PIN khi được hỏi hoặc dùng --pin-env TEN_BIEN.', 'Enter the PIN when asked or use --pin-env VAR.')


class PinIncorrect(Pkcs11Error):
    """The token refused the PIN. vbsign never retries: ask the user again, knowingly."""

    code = "PKCS11_PIN_INCORRECT"
    #: why it happens / vì sao
    cause = Msg('Token từ chối PIN; vbsign không tự thử lại.', 'The token refused the PIN; vbsign never retries.')
    #: what to do / cách xử lý
    remedy = Msg('Nhập lại PIN cẩn thận; thông báo cho biết số lần thử còn lại nếu token báo.', 'Enter the PIN again carefully; the message says how many tries remain if the token tells.')

    def __init__(self, msg: Msg, *, pin_state: PinState) -> None:
        self.pin_state = pin_state
        super().__init__(msg, details={"pin_state": pin_state.to_dict()})


class PinLocked(PinIncorrect):
    """The token's user PIN is locked (too many wrong tries)."""

    code = "PKCS11_PIN_LOCKED"
    #: why it happens / vì sao
    cause = Msg('PIN bị khóa (nhập sai quá số lần).', 'The PIN is locked (too many wrong tries).')
    #: what to do / cách xử lý
    remedy = Msg('Liên hệ cán bộ CNTT để mở khóa bằng mã PUK/SO-PIN hoặc làm yêu cầu khôi phục thiết bị (Mẫu 06).', 'Ask IT staff to unlock it with the SO PIN or file a device-restoration request (form 06).')


class PinFinalTry(Pkcs11Error):
    """A non-interactive PIN was refused because the token has only one try left."""

    code = "PKCS11_PIN_FINAL_TRY"
    #: why it happens / vì sao
    cause = Msg('Token chỉ còn một lần thử; PIN không tương tác bị từ chối để không tự tiêu lần cuối.', 'Only one try left; a non-interactive PIN is refused so the last try is never spent automatically.')
    #: what to do / cách xử lý
    remedy = Msg('Nhập PIN trực tiếp (tương tác) khi chắc chắn, hoặc nhờ cán bộ CNTT.', 'Enter the PIN interactively when sure, or ask IT staff.')


class TokenUnavailable(Pkcs11Error):
    """The token was removed, the module finalised, or the device stopped answering."""

    code = "PKCS11_TOKEN_UNAVAILABLE"
    #: why it happens / vì sao
    cause = Msg('Token bị rút ra hoặc ngừng trả lời giữa chừng; không có tệp dở.', 'The token was removed or stopped answering; no partial file.')
    #: what to do / cách xử lý
    remedy = Msg('Cắm lại token rồi chạy lại lệnh.', 'Plug the token back in and run again.')


class TokenOperationFailed(SigningError):
    """The token refused or failed the signing operation itself."""

    code = "PKCS11_OPERATION_FAILED"
    #: why it happens / vì sao
    cause = Msg('Token từ chối hoặc lỗi khi ký.', 'The token refused or failed the signing operation.')
    #: what to do / cách xử lý
    remedy = Msg('Rút và cắm lại token; kiểm tra trình điều khiển; thử lại.', 'Re-plug the token; check its driver; try again.')


__all__ = [
    "AmbiguousSelection",
    "ModuleLoadError",
    "ModuleNotConfigured",
    "ObjectNotFound",
    "PinFinalTry",
    "PinIncorrect",
    "PinLocked",
    "PinRequired",
    "PinState",
    "Pkcs11Error",
    "TokenNotFound",
    "TokenOperationFailed",
    "TokenUnavailable",
]
