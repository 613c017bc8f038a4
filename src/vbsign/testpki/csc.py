"""A test remote-signing service speaking the CSC API v2 (ETSI TS 119 432), for the test PKI.

Served by ``vbsign testpki serve`` (and :class:`vbsign.testpki.server.ServerThread`) at
``http://localhost:PORT/csc/v2``. The fixed test contract:

* one credential per test subject, named like its ``.p12`` file (``person``, ``agency``…),
  holding the test PKI's key for that subject, with its certificate chain;
* the credential PIN is the test PKI passphrase; explicit authorisation
  (``credentials/authorize`` with the PIN) gives a SAD valid for ``numSignatures``
  signatures and ``CscService.sad_seconds`` seconds; three wrong PINs lock the credential;
* every call but ``info`` needs ``Authorization: Bearer <token>``: the token printed on the
  ``CSC token:`` line of README.txt (:func:`csc_token`), or one issued by ``oauth2/token``
  (client credentials: ``client_id`` ``vbsign-test``, ``client_secret`` the passphrase);
* ``signatures/signHash`` signs pre-computed hashes (``hashes``, or v1's ``hash``) with
  RSA PKCS#1 v1.5, RSASSA-PSS or ECDSA, as ``signAlgo`` says.

Errors answer like the specification: HTTP 400/401 with ``{"error", "error_description"}``.
This is a test double of a *service*, not of cryptography: keys sign for real. It keeps no
logs of PINs, SADs or tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from asn1crypto import algos, keys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

__all__ = ["CLIENT_ID", "CscService", "csc_token"]

CLIENT_ID = "vbsign-test"
MAX_PIN_FAILURES = 3
_RSA_ALGOS = ["1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", "1.2.840.113549.1.1.10",
              "1.2.840.113549.1.1.1"]  # fmt: skip
_EC_ALGOS = ["1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"]
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256, "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}  # fmt: skip


def csc_token(passphrase: str, port: int) -> str:
    """The long-lived bearer token of a test PKI (README.txt's ``CSC token:`` line)."""
    return hmac.new(passphrase.encode("utf-8"), f"vbsign-testpki-csc:{port}".encode(), hashlib.sha256).hexdigest()[:40]


class CscError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


@dataclass
class _Sad:
    credential: str
    remaining: int
    expires: float
    hashes: frozenset[str] | None


@dataclass
class _Credential:
    key: Any
    certs: list[bytes]
    failures: int = 0


class CscService:
    """The CSC API v2 service of one test PKI (a WSGI application: :meth:`__call__`)."""

    def __init__(self, pki: Any, passphrase: str, port: int, labels: Iterable[str]) -> None:
        self.passphrase = passphrase
        self.token = csc_token(passphrase, port)
        self._pki = pki
        self._labels = frozenset(labels)
        self._creds: dict[str, _Credential] = {}  # loaded on first use (server start-up stays fast)
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Back to a fresh service: settings, counters, PIN failures, SADs, issued tokens."""
        self._tokens = {self.token: float("inf")}
        self._sads: dict[str, _Sad] = {}
        for cred in self._creds.values():
            cred.failures = 0
        #: seconds a SAD stays valid; the multisign limit (signatures per authorisation)
        self.sad_seconds = 300.0
        self.multisign = 100
        #: fault injection for tests: after this many signHash calls the service is "down" (503)
        self.down_after: int | None = None
        #: requests per method (tests count authorisations); seconds spent answering
        #: (benchmarks subtract the service's own time)
        self.calls: dict[str, int] = {}
        self.busy_seconds = 0.0

    @staticmethod
    def _credential(pki: Any, label: str) -> _Credential:
        info: keys.PrivateKeyInfo = pki.private_key(label)
        key = serialization.load_der_private_key(info.dump(), password=None)
        return _Credential(key, [c.dump() for c in [pki.cert(label), *pki.chain(label)]])

    # ---- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path = environ.get("PATH_INFO", "").split("/csc/v2/", 1)[-1].strip("/")
        try:
            if environ.get("REQUEST_METHOD") != "POST":
                raise CscError(405, "invalid_request", "POST only")
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(min(length, 1 << 20)) if length else b""
            with self._lock:
                started = time.perf_counter()
                self.calls[path] = self.calls.get(path, 0) + 1
                try:
                    answer = self._dispatch(path, environ, body)
                finally:
                    self.busy_seconds += time.perf_counter() - started
            return _respond(start_response, 200, answer)
        except CscError as e:
            return _respond(start_response, e.status, {"error": e.error, "error_description": e.description})

    def _dispatch(self, path: str, environ: dict[str, Any], body: bytes) -> dict[str, Any]:
        if path == "info":
            return {"specs": "2.0.0.2", "name": "vbsign test CSC", "region": "VN", "lang": "vi",
                    "authType": ["oauth2client"], "methods": ["oauth2/token", "credentials/list", "credentials/info",
                    "credentials/authorize", "signatures/signHash"]}  # fmt: skip
        if path == "oauth2/token":
            return self._oauth_token(environ, body)
        self._check_token(environ)
        req = _json(body)
        handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "credentials/list": lambda r: {"credentialIDs": sorted(self._labels)},
            "credentials/info": self._info,
            "credentials/authorize": self._authorize,
            "signatures/signHash": self._sign_hash,
        }
        handler = handlers.get(path)
        if handler is None:
            raise CscError(404, "invalid_request", f"unknown method {path}")
        return handler(req)

    # ---- OAuth2 ---------------------------------------------------------------------------
    def issue_token(self, seconds: float = 3600) -> str:
        """A new bearer token valid for ``seconds`` (tests: an already expired one with 0)."""
        token = secrets.token_urlsafe(24)
        self._tokens[token] = time.time() + seconds
        return token

    def _oauth_token(self, environ: dict[str, Any], body: bytes) -> dict[str, Any]:
        from urllib.parse import parse_qs

        ctype = environ.get("CONTENT_TYPE", "")
        form = _json(body) if "json" in ctype else {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            raise CscError(400, "unsupported_grant_type", "only client_credentials")
        if form.get("client_id") != CLIENT_ID or not hmac.compare_digest(
            str(form.get("client_secret", "")), self.passphrase
        ):
            raise CscError(401, "invalid_client", "unknown client or wrong secret")
        return {"access_token": self.issue_token(3600), "token_type": "Bearer", "expires_in": 3600}

    def _check_token(self, environ: dict[str, Any]) -> None:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        expires = self._tokens.get(token)
        if expires is None:
            raise CscError(401, "invalid_token", "missing or unknown access token")
        if time.time() >= expires:
            raise CscError(401, "invalid_token", "the access token has expired")

    # ---- credentials ----------------------------------------------------------------------
    def _cred(self, req: dict[str, Any]) -> tuple[str, _Credential]:
        cid = str(req.get("credentialID", ""))
        if cid not in self._labels:
            raise CscError(400, "invalid_request", "Invalid parameter credentialID")
        if cid not in self._creds:
            self._creds[cid] = self._credential(self._pki, cid)
        return cid, self._creds[cid]

    def _info(self, req: dict[str, Any]) -> dict[str, Any]:
        _cid, cred = self._cred(req)
        is_ec = isinstance(cred.key, ec.EllipticCurvePrivateKey)
        certs = cred.certs if req.get("certificates", "single") == "chain" else cred.certs[:1]
        return {
            "key": {"status": "disabled" if cred.failures >= MAX_PIN_FAILURES else "enabled",
                    "algo": _EC_ALGOS if is_ec else _RSA_ALGOS, "len": cred.key.key_size},
            "cert": {"status": "valid", "certificates": [base64.b64encode(c).decode() for c in certs]},
            "authMode": "explicit", "PIN": {"presence": "true", "format": "A", "label": "PIN"},
            "OTP": {"presence": "false"}, "multisign": self.multisign, "SCAL": "1", "lang": "vi",
        }  # fmt: skip

    def _authorize(self, req: dict[str, Any]) -> dict[str, Any]:
        cid, cred = self._cred(req)
        if cred.failures >= MAX_PIN_FAILURES:
            raise CscError(400, "invalid_request", "The credential is locked (too many wrong PINs)")
        if not hmac.compare_digest(str(req.get("PIN", "")), self.passphrase):
            cred.failures += 1
            raise CscError(400, "invalid_pin", f"The PIN is invalid ({MAX_PIN_FAILURES - cred.failures} attempts left)")
        cred.failures = 0
        n = int(req.get("numSignatures", 1))
        if not 1 <= n <= self.multisign:
            raise CscError(400, "invalid_request", "Invalid parameter numSignatures")
        pinned = req.get("hashes", req.get("hash"))
        sad = secrets.token_urlsafe(24)
        self._sads[sad] = _Sad(cid, n, time.time() + self.sad_seconds, frozenset(pinned) if pinned else None)
        return {"SAD": sad, "expiresIn": int(self.sad_seconds)}

    def _sign_hash(self, req: dict[str, Any]) -> dict[str, Any]:
        cid, cred = self._cred(req)
        if self.down_after is not None and self.calls.get("signatures/signHash", 0) > self.down_after:
            raise CscError(503, "temporarily_unavailable", "The signing service is down")
        hashes_b64 = list(req.get("hashes", req.get("hash")) or [])
        sad = self._sads.get(str(req.get("SAD", "")))
        if sad is None or sad.credential != cid or time.time() >= sad.expires or sad.remaining < len(hashes_b64):
            raise CscError(400, "invalid_request", "Invalid SAD (expired, used up or for another credential)")
        if sad.hashes is not None and not set(hashes_b64) <= sad.hashes:
            raise CscError(400, "invalid_request", "Hash not authorised by the SAD")
        if not hashes_b64:
            raise CscError(400, "invalid_request", "Missing parameter hashes")
        sad.remaining -= len(hashes_b64)
        if sad.remaining == 0:
            del self._sads[str(req["SAD"])]
        md = _HASHES.get(str(req.get("hashAlgo", "")))
        if md is None:
            raise CscError(400, "invalid_request", "Invalid parameter hashAlgo")
        sigs = [_sign(cred.key, base64.b64decode(h), md(), req) for h in hashes_b64]
        return {"signatures": [base64.b64encode(s).decode() for s in sigs]}


def _sign(key: Any, digest: bytes, md: hashes.HashAlgorithm, req: dict[str, Any]) -> bytes:
    algo = str(req.get("signAlgo", ""))
    pre = utils.Prehashed(md)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if algo not in _EC_ALGOS:
            raise CscError(400, "invalid_request", "Invalid parameter signAlgo")
        return bytes(key.sign(digest, ec.ECDSA(pre)))
    assert isinstance(key, rsa.RSAPrivateKey)
    if algo == "1.2.840.113549.1.1.10":
        params = algos.RSASSAPSSParams.load(base64.b64decode(str(req.get("signAlgoParams", ""))))
        pss = padding.PSS(mgf=padding.MGF1(md), salt_length=int(params["salt_length"].native))
        return bytes(key.sign(digest, pss, pre))
    if algo not in _RSA_ALGOS:
        raise CscError(400, "invalid_request", "Invalid parameter signAlgo")
    return bytes(key.sign(digest, padding.PKCS1v15(), pre))


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise CscError(400, "invalid_request", "the body is not JSON") from None
    if not isinstance(value, dict):
        raise CscError(400, "invalid_request", "the body is not a JSON object")
    return value


def _respond(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode("utf-8")
    reasons = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
               503: "Service Unavailable"}  # fmt: skip
    start_response(f"{status} {reasons.get(status, 'Error')}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])  # fmt: skip
    return [data]
