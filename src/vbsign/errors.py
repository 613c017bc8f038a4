"""Typed errors (public path): every error carries its message in Vietnamese and English.

The classes live in :mod:`vbsign.errors` (the base layer, see ``docs/architecture.rst``);
this module is their documented public name: ``from vbsign.errors import CertificateRejected``.
"""

from vbsign._core.errors import (
    CertificateRejected,
    ConfigurationError,
    DecryptionError,
    InputError,
    KeyAccessError,
    PasswordRequired,
    PluginError,
    PolicyError,
    ResourceLimitExceeded,
    ServiceError,
    SessionRejected,
    SigningError,
    StorageFullError,
    UnsupportedFormatError,
    VbsignError,
    VerificationError,
    short_reason,
)

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
