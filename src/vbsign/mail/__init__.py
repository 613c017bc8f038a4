"""Signed and encrypted e-mail (S/MIME 4.0, RFC 8551) for the ministry's mail systems.

* :func:`sign_message` — ``multipart/signed`` (default) or opaque ``signed-data``, with any
  key backend, after the same pre-signing certificate check as documents;
* :func:`verify_message` — into the same :class:`~vbsign.report.Report` (every MIME part,
  the sender against the certificate, canonicalisation problems diagnosed);
* :func:`encrypt_message` / :func:`decrypt_message` — ``authEnveloped-data`` (AES-256-GCM,
  default) or ``enveloped-data`` (AES-256-CBC), RSA-OAEP key transport, decryption with a
  software or token key.

This package is the documented public name of the e-mail API: the functions live in
:mod:`vbsign.api.mail` (the API layer: plugins, audit events) and the S/MIME format itself in
:mod:`vbsign.formats.smime` (``docs/architecture.rst``).
Host systems use :func:`vbsign.host.on_mail_send` / :func:`vbsign.host.on_mail_receive`.
"""

from __future__ import annotations

from vbsign.api.mail import (
    MailDecryptResult,
    MailEncryptResult,
    MailSignResult,
    SignerLike,
    async_decrypt_message,
    async_encrypt_message,
    async_sign_message,
    async_verify_message,
    decrypt_message,
    encrypt_message,
    mail_levels,
    sign_message,
    verify_message,
)
from vbsign.formats.smime.envelope import CIPHERS, DEFAULT_CIPHER
from vbsign.formats.smime.mime import parse_message
from vbsign.formats.smime.verify import MailVerification

__all__ = [
    "CIPHERS",
    "DEFAULT_CIPHER",
    "MailDecryptResult",
    "MailEncryptResult",
    "MailSignResult",
    "MailVerification",
    "SignerLike",
    "async_decrypt_message",
    "async_encrypt_message",
    "async_sign_message",
    "async_verify_message",
    "decrypt_message",
    "encrypt_message",
    "mail_levels",
    "parse_message",
    "sign_message",
    "verify_message",
]
