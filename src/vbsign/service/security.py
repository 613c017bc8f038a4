"""API keys: who may call the signing endpoints (and, with ``--require-key``, all of them).

The key file holds no secret: one ``name:sha256-hex`` per line (``#`` comments), the
SHA-256 of each key. ``vbsign serve --new-key NAME`` prints a fresh random key and its line.
A client sends its key as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``; the
service compares digests in constant time and records only the key's *name* (in the access
log, and for the signing endpoints of two-step signing, which will use
``require_api_key("sign")``). With no key file, the signing endpoints are closed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import Request

from vbsign._core.errors import ConfigurationError
from vbsign._core.i18n import Msg
from vbsign.service.uploads import RequestError

#: scopes: "verify" (verify, validate, report) and "sign" (two-step signing, issue 15)
Scope = str
_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_.@-]{1,64}):(?P<digest>[0-9a-fA-F]{64})$")


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key(name: str) -> tuple[str, str]:
    """A fresh key and the line for the key file."""
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,64}", name):
        raise ConfigurationError(
            Msg("Tên khóa chỉ gồm chữ, số, _ . @ - (tối đa 64): {n}", "A key name has letters, digits, _ . @ - (64 at most): {n}").format(n=name)
        )
    key = "vbs_" + secrets.token_urlsafe(32)
    return key, f"{name}:{digest(key)}"


def load_keys(path: str | Path) -> dict[str, str]:
    """``{digest: name}`` from a key file (errors name the line)."""
    keys: dict[str, str] = {}
    try:
        text = Path(path).read_text("utf-8")
    except OSError as e:
        raise ConfigurationError(Msg("Không đọc được tệp khóa API {p}: {e}", "Cannot read the API key file {p}: {e}").format(p=path, e=e)) from None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ConfigurationError(
                Msg(
                    "Tệp khóa API {p}, dòng {n}: cần dạng tên:sha256-hex (vbsign serve --new-key TÊN).",
                    "API key file {p}, line {n}: expected name:sha256-hex (vbsign serve --new-key NAME).",
                ).format(p=path, n=number)
            )
        keys[m["digest"].lower()] = m["name"]
    return keys


def presented_key(headers: Mapping[str, str]) -> str | None:
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


class KeyRing:
    """The configured keys and which scopes need one."""

    def __init__(self, keys: Mapping[str, str], *, require_for_verify: bool = False) -> None:
        self._keys = dict(keys)
        self.require_for_verify = require_for_verify

    def __bool__(self) -> bool:
        return bool(self._keys)

    def identify(self, key: str) -> str | None:
        """The name of ``key``, or None (every digest compared, in constant time)."""
        found = None
        presented = digest(key)
        for known, name in self._keys.items():
            if hmac.compare_digest(known, presented):
                found = name
        return found

    def check(self, scope: Scope, headers: Mapping[str, str]) -> str | None:
        """The caller's key name (None when the scope needs no key); raises 401/403."""
        if scope != "sign" and not self.require_for_verify:
            return None
        if scope == "sign" and not self._keys:
            raise RequestError(
                403,
                "SIGNING_DISABLED",
                Msg("Chức năng ký qua dịch vụ chưa được bật (không có khóa API).", "Signing through the service is off (no API keys)."),
            )
        key = presented_key(headers)
        name = self.identify(key) if key else None
        if name is None:
            raise RequestError(
                401,
                "API_KEY_REQUIRED",
                Msg("Cần khóa API hợp lệ (tiêu đề X-API-Key).", "A valid API key is required (X-API-Key header)."),
            )
        return name


def require_api_key(scope: Scope) -> Callable[..., Any]:
    """A FastAPI dependency: the caller's key name for ``scope`` (``"verify"`` or ``"sign"``).

    Two-step signing (``/api/v1/sign/prepare``, ``/complete``) declares
    ``Depends(require_api_key("sign"))``; the verification routes use ``"verify"``.
    """
    def dependency(request: Request) -> str | None:
        ring: KeyRing = request.app.state.keyring
        name = ring.check(scope, request.headers)
        if name is not None:
            request.state.log["api_key"] = name  # the access log names the key, never shows it
        return name

    return dependency


__all__ = ["KeyRing", "digest", "load_keys", "new_key", "presented_key", "require_api_key"]
