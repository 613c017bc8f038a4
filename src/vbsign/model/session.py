"""The two-step signing session: what ``prepare`` hands out and ``complete`` takes back.

A session is a small JSON object. It holds no key material and no document: it names the
signer's certificate (and chain), the exact bytes to be signed (``tbs``: the DER signed
attributes for PAdES/CAdES, the canonical ``ds:SignedInfo`` for XAdES) with their hash, the
signature algorithm the signer must use, the SHA-256 of the document ``complete`` needs
back (the prepared PDF, or the original XML / file), the level, the signing time and a time
limit. A *seal* (HMAC-SHA-256 over the canonical JSON) detects any change to the file; with a
host secret (``secret=``, ``VBSIGN_SESSION_SECRET``) the seal also proves that this host made
it — without one it only detects accidents and careless edits, because anyone can recompute
an unkeyed seal. Either way ``complete`` re-checks everything that matters against the
signature value itself (the certificate's key, the bytes, the document digest), so a forged
session cannot produce a valid signature over anything but the prepared document.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from vbsign._core.errors import SessionRejected
from vbsign._core.i18n import Msg

__all__ = ["SESSION_VERSION", "SigningSession", "session_error"]

SESSION_VERSION = 1
_UNKEYED = b"vbsign-two-step-session-v1"  # integrity only (see the module docs)


def session_error(reason: str, vi: str, en: str, **fmt: object) -> SessionRejected:
    """A :class:`SessionRejected` whose ``details["reason"]`` is ``reason``."""
    return SessionRejected(Msg(vi, en).format(**fmt) if fmt else Msg(vi, en), details={"reason": reason})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError:
        raise session_error(
            "malformed", "Phiên ký hỏng: trường {w} không phải base64.", "Malformed session: {w} is not base64.", w=what
        ) from None


def _time(text: object) -> datetime:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        raise session_error("malformed", "Phiên ký hỏng: thời điểm sai.", "Malformed session: bad time.") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class SigningSession:
    """Everything ``complete`` needs besides the document and the signature value."""

    #: "pdf" (PAdES), "xml" (XAdES) or "cades"
    format: str
    level: str
    #: the digest algorithm of the signature (``sha256``…)
    md_algorithm: str
    #: the signature mechanism the signer must use (DER ``SignedDigestAlgorithm``; its
    #: name, e.g. ``sha256_rsa``, ``rsassa_pss``, ``sha256_ecdsa``, is in :attr:`algorithm_name`)
    mechanism: bytes
    algorithm_name: str
    certificate: bytes
    chain: tuple[bytes, ...]
    #: the exact bytes to sign
    tbs: bytes
    #: SHA-256 (hex) of the document ``complete`` must be given back
    document_sha256: str
    document_name: str
    #: the signing time (claimed in the signed data) — also when the session began
    created: datetime
    expires: datetime
    #: format-specific values (PDF: document digest, reserved range, field name; XML: signature id…)
    details: Mapping[str, Any] = field(default_factory=dict)
    #: whether the seal is keyed with a host secret
    keyed: bool = False

    @property
    def tbs_sha256(self) -> str:
        return hashlib.sha256(self.tbs).hexdigest()

    def body(self) -> dict[str, Any]:
        """The sealed JSON object (without the seal)."""
        return {
            "vbsign_session": SESSION_VERSION,
            "format": self.format,
            "level": self.level,
            "md_algorithm": self.md_algorithm,
            "signature_algorithm": self.algorithm_name,
            "signature_mechanism": _b64(self.mechanism),
            "certificate": _b64(self.certificate),
            "chain": [_b64(c) for c in self.chain],
            "tbs": _b64(self.tbs),
            "tbs_sha256": self.tbs_sha256,
            "document_sha256": self.document_sha256,
            "document_name": self.document_name,
            "created": self.created.isoformat(),
            "expires": self.expires.isoformat(),
            "details": dict(self.details),
            "keyed": self.keyed,
        }

    def to_json(self, secret: bytes | None = None) -> str:
        """The session as JSON text, sealed (with ``secret`` when given)."""
        sealed = replace(self, keyed=secret is not None)
        body = sealed.body()
        body["seal"] = _seal(body, secret)
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes, secret: bytes | None = None) -> SigningSession:
        """Parse and check the seal; a changed or malformed session is refused."""
        try:
            obj = json.loads(text)
        except (ValueError, UnicodeDecodeError):
            raise session_error("malformed", "Tệp phiên ký không phải JSON.", "The session file is not JSON.") from None
        if not isinstance(obj, dict) or obj.get("vbsign_session") != SESSION_VERSION:
            raise session_error(
                "malformed", "Không phải phiên ký vbsign (phiên bản {v}).", "Not a vbsign signing session (version {v}).",
                v=obj.get("vbsign_session") if isinstance(obj, dict) else "?",
            )  # fmt: skip
        _check_seal(obj, secret)
        return cls._from_body(obj)

    @classmethod
    def _from_body(cls, obj: dict[str, Any]) -> SigningSession:
        try:
            session = cls(
                format=str(obj["format"]), level=str(obj["level"]), md_algorithm=str(obj["md_algorithm"]),
                mechanism=_unb64(obj["signature_mechanism"], "signature_mechanism"),
                algorithm_name=str(obj["signature_algorithm"]),
                certificate=_unb64(obj["certificate"], "certificate"),
                chain=tuple(_unb64(c, "chain") for c in obj["chain"]), tbs=_unb64(obj["tbs"], "tbs"),
                document_sha256=str(obj["document_sha256"]), document_name=str(obj["document_name"]),
                created=_time(obj["created"]), expires=_time(obj["expires"]), details=dict(obj["details"]),
                keyed=bool(obj["keyed"]),
            )  # fmt: skip
        except (KeyError, TypeError):
            raise session_error(
                "malformed", "Phiên ký thiếu trường bắt buộc.", "The session lacks a required field."
            ) from None
        if session.tbs_sha256 != obj.get("tbs_sha256"):
            raise session_error("tampered", "Phiên ký đã bị sửa (tbs).", "The session was altered (tbs).")
        return session

    def check_time(self, now: datetime) -> None:
        """Refuse a session past its time limit (or dated in the future)."""
        if now > self.expires:
            raise session_error(
                "expired",
                "Phiên ký đã hết hạn lúc {t} (giới hạn thời gian); hãy chuẩn bị lại.",
                "The signing session expired at {t} (time limit); prepare it again.",
                t=self.expires.isoformat(timespec="seconds"),
            )
        if now < self.created.replace(microsecond=0) and (self.created - now).total_seconds() > 300:
            raise session_error(
                "time", "Phiên ký ghi thời điểm trong tương lai.", "The session is dated in the future."
            )


def _canonical(body: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {k: v for k, v in body.items() if k != "seal"}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def _seal(body: Mapping[str, Any], secret: bytes | None) -> str:
    return hmac.new(secret if secret is not None else _UNKEYED, _canonical(body), hashlib.sha256).hexdigest()


def _check_seal(obj: Mapping[str, Any], secret: bytes | None) -> None:
    keyed = bool(obj.get("keyed"))
    if keyed and secret is None:
        raise session_error(
            "secret",
            "Phiên ký được niêm phong bằng khóa bí mật của máy chủ: cần VBSIGN_SESSION_SECRET (secret=).",
            "The session is sealed with the host's secret: give VBSIGN_SESSION_SECRET (secret=).",
        )
    expected = _seal(obj, secret if keyed else None)
    if not keyed and secret is not None:
        raise session_error(
            "secret",
            "Phiên ký không được niêm phong bằng khóa bí mật nhưng máy chủ yêu cầu có.",
            "The session is not sealed with a secret, but this host requires one.",
        )
    if not hmac.compare_digest(expected, str(obj.get("seal", ""))):
        raise session_error(
            "tampered",
            "Tệp phiên ký đã bị sửa đổi (niêm phong không khớp); không hoàn tất.",
            "The session file was tampered with (seal mismatch); not completed.",
        )
