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


class ModuleNotConfigured(ConfigurationError):
    """No PKCS#11 module was chosen (vbsign never loads one by guessing)."""

    code = "PKCS11_MODULE_NOT_CONFIGURED"


class ModuleLoadError(Pkcs11Error):
    code = "PKCS11_MODULE_LOAD_ERROR"


class TokenNotFound(Pkcs11Error):
    code = "PKCS11_TOKEN_NOT_FOUND"


class ObjectNotFound(Pkcs11Error):
    """No certificate or private key on the token matches the reference."""

    code = "PKCS11_OBJECT_NOT_FOUND"


class AmbiguousSelection(InputError):
    """Several tokens or certificates match; ``candidates`` holds the URI to use for each."""

    code = "PKCS11_AMBIGUOUS"

    def __init__(
        self, msg: Msg, *, candidates: list[str], details: Mapping[str, Any] | None = None
    ) -> None:
        self.candidates = list(candidates)
        super().__init__(msg, details={**(details or {}), "candidates": self.candidates})


class PinRequired(Pkcs11Error):
    code = "PKCS11_PIN_REQUIRED"


class PinIncorrect(Pkcs11Error):
    """The token refused the PIN. vbsign never retries: ask the user again, knowingly."""

    code = "PKCS11_PIN_INCORRECT"

    def __init__(self, msg: Msg, *, pin_state: PinState) -> None:
        self.pin_state = pin_state
        super().__init__(msg, details={"pin_state": pin_state.to_dict()})


class PinLocked(PinIncorrect):
    code = "PKCS11_PIN_LOCKED"


class PinFinalTry(Pkcs11Error):
    """A non-interactive PIN was refused because the token has only one try left."""

    code = "PKCS11_PIN_FINAL_TRY"


class TokenUnavailable(Pkcs11Error):
    """The token was removed, the module finalised, or the device stopped answering."""

    code = "PKCS11_TOKEN_UNAVAILABLE"


class TokenOperationFailed(SigningError):
    """The token refused or failed the signing operation itself."""

    code = "PKCS11_OPERATION_FAILED"


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
