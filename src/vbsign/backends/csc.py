"""Remote signing through a CSC API v2 service (ETSI TS 119 432): key reference ``csc:CREDENTIAL``.

The protocol work is pyHanko's (:mod:`pyhanko.sign.signers.csc_signer`):
:func:`~pyhanko.sign.signers.csc_signer.fetch_certs_in_csc_credential` reads the
certificate chain from ``credentials/info`` and
:class:`~pyhanko.sign.signers.csc_signer.CSCSigner` calls ``signatures/signHash``. vbsign adds:

* the service URL (``csc_url=`` or ``VBSIGN_CSC_URL``) and the OAuth2 bearer token
  (``token=`` or the environment variable ``token_env``, default ``VBSIGN_CSC_TOKEN``) —
  the token is sent only in the ``Authorization`` header and never logged or shown;
* explicit credential authorisation (:class:`CscAuthorization`): the PIN (``pin=``, a
  :class:`~vbsign._core.secrets.Secret`, or ``pin_callback(credential_id)`` asked once) and,
  when the credential needs one, a fresh OTP (``otp_callback(credential_id)``, asked at each
  authorisation) are sent to ``credentials/authorize``; the SAD it returns covers as many signatures as the
  batch announced (:meth:`CscKey.expect_signatures`, at most the credential's
  ``multisign``) and is reused until used up or expired; a wrong PIN is never retried;
* every request has a bounded timeout (``timeout`` seconds, connect at most 5 s) and a
  fresh HTTP session, so a key opened by synchronous code works in any event loop;
* the service's errors become bilingual :class:`~vbsign.errors.KeyAccessError` (token,
  PIN, SAD) or :class:`~vbsign.errors.ServiceError` (unreachable, 5xx) — never a token,
  PIN or SAD in a message.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from asn1crypto import x509
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from vbsign._core.aio import run_sync
from vbsign._core.errors import InputError, KeyAccessError, ServiceError
from vbsign._core.i18n import Msg
from vbsign._core.secrets import Secret, SecretLike, resolve_secret
from vbsign.backends.base import SigningKey
from vbsign.backends.cms_parts import CachedCmsParts, cms_parts
from vbsign.model.report import KeyStorage

__all__ = ["CscAuthorization", "CscKey", "open_csc_key"]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0


def _where(url: str) -> str:
    """The service's host for messages (never credentials that a URL might carry)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}{parts.path}"


class _Response:
    def __init__(self, body: bytes) -> None:
        self._body = body

    async def json(self) -> Any:
        try:
            return json.loads(self._body)
        except ValueError:
            raise ServiceError(Msg("Dịch vụ ký từ xa trả lời không phải JSON.", "The remote signing service did not answer JSON.")) from None


class _Call:
    """``async with http.post(...) as response``: one request, its own session, bounded time."""

    def __init__(self, http: _Http, url: str, headers: dict[str, str] | None, body: Any) -> None:
        self._http, self._url, self._headers, self._body = http, url, headers or {}, body

    async def __aenter__(self) -> _Response:
        t = self._http.timeout
        timeout = aiohttp.ClientTimeout(total=t, connect=min(5.0, t))
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(self._url, headers=self._headers, json=self._body) as resp:
                    status, body = resp.status, await resp.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            raise ServiceError(
                Msg(
                    "Không kết nối được dịch vụ ký từ xa {u} ({e}).",
                    "Cannot reach the remote signing service {u} ({e}).",
                ).format(u=_where(self._url), e=type(e).__name__)
            ) from None
        if status >= 400:
            raise service_error(status, body, self._url)
        return _Response(body)

    async def __aexit__(self, *exc: Any) -> None:
        return None


class _Http:
    """What :class:`CSCSigner` and pyHanko's helpers use of an aiohttp session (``post``)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def post(self, url: str, *, headers: dict[str, str] | None = None, json: Any = None, **_: Any) -> _Call:
        return _Call(self, url, headers, json)


def service_error(status: int, body: bytes, url: str) -> Exception:
    """The service's error answer as a bilingual vbsign error (no secrets in it)."""
    try:
        err = json.loads(body)
        code, text = str(err.get("error", "")), str(err.get("error_description", ""))[:200]
    except (ValueError, AttributeError):
        code, text = "", ""
    where = _where(url)
    if status == 401 or code in ("invalid_token", "invalid_client"):
        return KeyAccessError(
            Msg(
                "Dịch vụ ký từ xa {u} từ chối mã truy cập (token hết hạn hoặc sai): lấy token mới (VBSIGN_CSC_TOKEN). {t}",
                "The remote signing service {u} refused the access token (expired or wrong): get a new token (VBSIGN_CSC_TOKEN). {t}",
            ).format(u=where, t=text), details={"http_status": status, "error": code},
        )  # fmt: skip
    if code == "invalid_pin" or "PIN" in text:
        return KeyAccessError(
            Msg("PIN của khóa ký từ xa không đúng (không thử lại). {t}", "Wrong PIN for the remote key (not retried). {t}")
            .format(t=text), details={"http_status": status, "error": code or "invalid_pin"},
        )  # fmt: skip
    if "SAD" in text:
        return KeyAccessError(
            Msg("Ủy quyền ký (SAD) hết hạn hoặc đã dùng hết: {t}", "The signing authorisation (SAD) expired or is used up: {t}")
            .format(t=text), details={"http_status": status, "error": code},
        )  # fmt: skip
    return ServiceError(
        Msg("Dịch vụ ký từ xa {u} báo lỗi {s}: {t}", "The remote signing service {u} answered {s}: {t}").format(
            u=where, s=status, t=text or code
        ),
        details={"http_status": status, "error": code},
    )


PinCallback = Callable[[str], "str | Secret"]


class CscAuthorization(CSCAuthorizationManager):
    """Explicit authorisation: one ``credentials/authorize`` (PIN) per batch of signatures."""

    def __init__(
        self,
        session_info: CSCServiceSessionInfo,
        credential: CSCCredentialInfo,
        http: _Http,
        *,
        pin: SecretLike = None,
        pin_callback: PinCallback | None = None,
        otp_callback: PinCallback | None = None,
    ) -> None:
        super().__init__(session_info, credential)
        self._otp_callback = otp_callback
        self._http = http
        self._pin = resolve_secret(pin)
        self._pin_callback = pin_callback
        self._sad: str | None = None
        self._remaining = 0
        self._expires = 0.0
        self._refused: KeyAccessError | None = None
        self.expected = 1
        #: how many times ``credentials/authorize`` was called
        self.authorizations = 0

    def _pin_value(self) -> str | None:
        if self._pin is None and self._pin_callback is not None:
            self._pin = resolve_secret(self._pin_callback(self.csc_session_info.credential_id))
        return self._pin.reveal() if self._pin is not None else None

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        n = len(hash_b64s)
        pinned = self.credential_info.hash_pinning_required
        if self._sad is not None and not pinned and self._remaining >= n and time.time() < self._expires - 5:
            self._remaining -= n
            return CSCAuthorizationInfo(sad=self._sad)
        if self._refused is not None:  # a wrong PIN is never sent twice
            raise self._refused
        count = n if pinned else max(n, min(self.expected, self.credential_info.max_batch_size))
        otp = resolve_secret(self._otp_callback(self.csc_session_info.credential_id)) if self._otp_callback else None
        req = self.format_csc_auth_request(num_signatures=count, pin=self._pin_value(),
                                           otp=otp.reveal() if otp is not None else None,
                                           hash_b64s=hash_b64s if pinned else None)  # fmt: skip
        self.authorizations += 1
        try:
            async with self._http.post(self.csc_session_info.endpoint_url("credentials/authorize"),
                                       headers=self.auth_headers, json=req) as resp:  # fmt: skip
                info = self.parse_csc_auth_response(await resp.json())
        except KeyAccessError as e:
            if e.details.get("error") == "invalid_pin":
                self._refused = e
            raise
        self._sad, self._remaining = info.sad, count - n
        self._expires = info.expires_at.timestamp() if info.expires_at is not None else time.time() + 60
        return info


@dataclass(frozen=True)
class CscSettings:
    url: str
    credential_id: str
    token: str
    timeout: float = DEFAULT_TIMEOUT


class CscKey(SigningKey):
    """A key held by a CSC remote-signing service."""

    def __init__(
        self, settings: CscSettings, *, pin: SecretLike = None, pin_callback: PinCallback | None = None,
        otp_callback: PinCallback | None = None,
    ) -> None:  # fmt: skip
        self.label = f"csc:{settings.credential_id}"
        self._http = _Http(settings.timeout)
        self._timeout = settings.timeout
        base = settings.url.rstrip("/")
        suffix = "/csc/v2"
        if not base.endswith(suffix):
            raise InputError(
                Msg("URL dịch vụ CSC phải kết thúc bằng /csc/v2: {u}", "The CSC service URL must end in /csc/v2: {u}")
                .format(u=_where(settings.url))
            )  # fmt: skip
        self._session = CSCServiceSessionInfo(base[: -len(suffix)], settings.credential_id, settings.token, "v2")
        self._info = run_sync(fetch_certs_in_csc_credential(self._http, self._session, int(settings.timeout)))  # type: ignore[arg-type]
        self.auth = CscAuthorization(self._session, self._info, self._http, pin=pin, pin_callback=pin_callback,
                                     otp_callback=otp_callback)  # fmt: skip
        logger.info("remote key %s at %s", self.label, _where(settings.url))

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage(kind="remote", description=f"CSC API v2 {_where(self._session.service_url)}")

    @property
    def certificate(self) -> x509.Certificate:
        return self._info.signing_cert

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._info.chain)

    def expect_signatures(self, count: int) -> None:
        self.auth.expected = max(1, count)

    def pyhanko_signer(self, *, prefer_pss: bool = False) -> CSCSigner:
        signer = _CscSigner(self._http, self.auth, sign_timeout=int(self._timeout), prefer_pss=prefer_pss,  # type: ignore[arg-type]
                            embed_roots=False)  # fmt: skip
        signer._cms_parts = cms_parts(self.certificate, self.chain)
        return signer


class _CscSigner(CachedCmsParts, CSCSigner):
    """pyHanko's CSC signer with the constant CMS parts built once per credential."""


def open_csc_key(
    ref: str,
    *,
    csc_url: str | None = None,
    token: SecretLike = None,
    token_env: str = "VBSIGN_CSC_TOKEN",
    pin: SecretLike = None,
    pin_callback: PinCallback | None = None,
    otp_callback: PinCallback | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    **_ignored: Any,
) -> CscKey:
    """Open ``csc:CREDENTIAL_ID`` (see the module docs)."""
    credential = ref.split(":", 1)[1] if ":" in ref else ref
    url = csc_url or os.environ.get("VBSIGN_CSC_URL")
    if not credential or not url:
        raise InputError(
            Msg(
                "Khóa csc: cần mã credential và URL dịch vụ (--csc-url hoặc VBSIGN_CSC_URL).",
                "A csc: key needs a credential id and the service URL (--csc-url or VBSIGN_CSC_URL).",
            )
        )
    secret = resolve_secret(token)
    value = secret.reveal() if secret is not None else os.environ.get(token_env)
    if not value:
        raise InputError(
            Msg("Chưa có mã truy cập dịch vụ ký từ xa: đặt biến {v}.", "No access token for the remote signing service: set {v}.")
            .format(v=token_env)
        )  # fmt: skip
    if not 0 < timeout <= 300:
        raise InputError(Msg("Thời gian chờ phải trong (0, 300] giây.", "The timeout must be within (0, 300] s."))
    return CscKey(CscSettings(url, credential, value, timeout), pin=pin, pin_callback=pin_callback,
                  otp_callback=otp_callback)  # fmt: skip
