"""Typed errors. Every error carries its message in Vietnamese and English.

The hierarchy is deliberately small; callers catch :class:`VbsignError` for "anything
vbsign refused", or a subclass for a specific decision. ``str(err)`` gives both languages
(Vietnamese first) so that logs are readable by everyone; :meth:`VbsignError.message`
gives one language.

Secrets (PINs, passphrases) are never part of a message: code building these errors must
not interpolate them (they are held as :class:`vbsign._core.secrets.Secret`, whose ``repr``/``str``
hide the value), and tests capture every log record and CLI output to search for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from vbsign._core.i18n import Lang, Msg, current_lang


class VbsignError(Exception):
    """Base class of every error vbsign raises on purpose."""

    code: ClassVar[str] = "VBSIGN_ERROR"
    #: CLI exit code (3 = bad input or usage, see ``vbsign --help``)
    exit_code: ClassVar[int] = 3

    def __init__(self, msg: Msg, *, details: Mapping[str, Any] | None = None) -> None:
        self.msg = msg
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(f"{msg.vi} / {msg.en}")

    @property
    def message_vi(self) -> str:
        return self.msg.vi

    @property
    def message_en(self) -> str:
        return self.msg.en

    def message(self, lang: Lang | None = None) -> str:
        return self.msg.get(lang or current_lang())

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable (a host may move errors between processes, e.g. a process pool)."""
        return (_restore, (type(self), dict(self.__dict__)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message_vi": self.msg.vi,
            "message_en": self.msg.en,
            "details": self.details,
        }


def _restore(cls: type[VbsignError], state: dict[str, Any]) -> VbsignError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, f"{err.msg.vi} / {err.msg.en}")
    return err


class InputError(VbsignError):
    """The input (file, argument, option) cannot be used."""

    code = "INPUT_ERROR"


class StorageFullError(InputError):
    """An output could not be written because the disk (or the quota, or the file-size
    limit) is full; nothing partial was left. A batch stops here: every next file would
    fail the same way."""

    code = "STORAGE_FULL"


class UnsupportedFormatError(InputError):
    code = "UNSUPPORTED_FORMAT"


class PasswordRequired(InputError):
    """An encrypted PDF whose user password is needed (none given, or a wrong one).

    Never a verdict: nothing about the signatures is known until the file is opened."""

    code = "PDF_PASSWORD_REQUIRED"


class ConfigurationError(VbsignError):
    """A configuration file or setting is invalid."""

    code = "CONFIGURATION_ERROR"


class KeyAccessError(VbsignError):
    """The signing key cannot be opened (wrong passphrase, missing key, token absent...)."""

    code = "KEY_ACCESS_ERROR"


class CertificateRejected(VbsignError):
    """The signer's certificate failed the pre-signing check; nothing was signed."""

    code = "CERTIFICATE_REJECTED"

    def __init__(
        self, msg: Msg, *, reasons: list[Msg] | None = None, details: Mapping[str, Any] | None = None
    ) -> None:
        self.reasons = list(reasons or [])
        super().__init__(msg, details=details)


class SigningError(VbsignError):
    """Signing failed after the inputs were accepted; no output was written."""

    code = "SIGNING_ERROR"


class SessionRejected(SigningError):
    """Two-step signing: ``complete`` refused a session or a signature value (a signature by
    another key or over other bytes, a session past its time limit, a tampered session,
    another prepared document). ``details["reason"]`` names the problem; nothing was written."""

    code = "SESSION_REJECTED"


class ServiceError(VbsignError):
    """A network service (TSA, OCSP, CRL) failed or timed out."""

    code = "SERVICE_ERROR"


class VerificationError(VbsignError):
    """Verification could not run at all (as opposed to a verdict of failure)."""

    code = "VERIFICATION_ERROR"


class ResourceLimitExceeded(VerificationError):
    """Processing the input exceeded its time or memory budget."""

    code = "RESOURCE_LIMIT"


class DecryptionError(VbsignError):
    """An encrypted message (S/MIME) cannot be decrypted with the given key."""

    code = "DECRYPTION_ERROR"


class PolicyError(VbsignError):
    """A validation policy cannot be loaded or applied."""

    code = "POLICY_ERROR"


class PluginError(VbsignError):
    """A plugin failed to load or raised inside a hook."""

    code = "PLUGIN_ERROR"


def short_reason(e: object, limit: int = 200) -> str:
    """An exception (or any object) as a one-line reason for a message, at most ``limit`` chars."""
    text = str(e) or type(e).__name__
    return text if len(text) <= limit else text[:limit] + "…"


__all__ = [
    "CertificateRejected",
    "ConfigurationError",
    "DecryptionError",
    "InputError",
    "KeyAccessError",
    "PasswordRequired",
    "PluginError",
    "PolicyError",
    "ResourceLimitExceeded",
    "ServiceError",
    "SessionRejected",
    "SigningError",
    "StorageFullError",
    "UnsupportedFormatError",
    "VbsignError",
    "VerificationError",
    "short_reason",
]

# Users catch these as ``vbsign.errors.X`` (the public module): tracebacks, reprs and
# pickles name that path, not this private one.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = "vbsign.errors"
del _name, _obj
