"""PKCS#11 tokens (USB tokens, smart cards, HSMs) as vbsign signing keys.

``open_key("pkcs11:token=VGCA%20Token;object=…?module-path=/usr/lib/libbit4xpki.so", pin=…)``
returns a :class:`Pkcs11Key`, usable wherever a software key is (PAdES through
:meth:`Pkcs11Key.pyhanko_signer`, XAdES through :meth:`Pkcs11Key.async_sign_raw`).

How it behaves, and why:

* **The key never leaves the token; hashing happens on the host.** vbsign hashes and asks
  the token for a raw ``CKM_RSA_PKCS`` (DigestInfo), ``CKM_RSA_PKCS_PSS`` or ``CKM_ECDSA``
  operation — what every token supports, and one short message over a slow USB link. Only
  a token lacking the raw mechanism gets the hash-and-sign one. Every signature the token
  returns is verified against the certificate before it is used, so a wrong key or a
  faulty token can never produce a document.
* **Lazy, single login.** Opening a key reads only public objects (no PIN). The PIN is
  asked at the first signature or at :meth:`Pkcs11Key.login` — the batch engine logs in
  once, after the certificate check, so a revoked certificate never costs a PIN try. All
  signatures then share one logged-in session, guarded by a lock (thread-safe).
* **PINs.** A static PIN (``pin=`` / ``--pin-env``), a callback receiving a
  :class:`PinPrompt` (interactive prompts), ``pin-source=file:`` in the URI, or the PIN pad
  (protected authentication path) when the token has one and no PIN was given. A wrong PIN
  raises :class:`~vbsign.backends.pkcs11_errors.PinIncorrect` with the token's
  remaining-tries state and vbsign never retries by itself; a *non-interactive* PIN is not
  even tried when the token reports its final try. PINs are held as
  :class:`~vbsign._core.secrets.Secret` and dropped after login unless the key needs them again.
* **CKA_ALWAYS_AUTHENTICATE** keys get a context-specific login before each signature; the
  PIN callback is asked each time (a static PIN is reused).
* **Token removed** (or module finalised) mid-way: :class:`TokenUnavailable`, which the
  batch engine treats as fatal for the rest of the batch.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pkcs11
from asn1crypto import algos, core, x509
from pkcs11 import MGF, Mechanism, ObjectClass
from pkcs11 import exceptions as p11e
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator, SignatureValidationContext

from vbsign._core.bounds import PIN_FILE, read_bounded
from vbsign._core.errors import InputError, KeyAccessError
from vbsign._core.i18n import Msg
from vbsign._core.secrets import Secret, SecretLike, resolve_secret
from vbsign._core.x509 import load_certificates
from vbsign.backends.base import KeyTransport, SigningKey
from vbsign.backends.oaep import oaep_decode
from vbsign.backends.pkcs11_errors import (
    CKF_LOGIN_REQUIRED,
    AmbiguousSelection,
    ObjectNotFound,
    PinFinalTry,
    PinIncorrect,
    PinLocked,
    PinRequired,
    PinState,
    Pkcs11Error,
    TokenOperationFailed,
    TokenUnavailable,
)
from vbsign.backends.pkcs11_modules import resolve_module_path
from vbsign.backends.pkcs11_objects import (
    CertEntry,
    FoundToken,
    KeyEntry,
    TokenInfo,
    TolerantMapper,
    build_chain,
    certificate_uri,
    find_tokens,
    gone_error,
    is_gone,
    key_matches_cert,
    labels_equal,
    load_library,
    read_certificates,
    read_keys,
    read_validations,
    select_certificate,
    select_token,
    token_uri,
)
from vbsign.backends.pkcs11_uri import Pkcs11Uri, format_uri, parse_uri
from vbsign.model.report import KeyStorage

logger = logging.getLogger(__name__)

_DIGEST_MECH = {
    "sha1": Mechanism.SHA_1,
    "sha224": Mechanism.SHA224,
    "sha256": Mechanism.SHA256,
    "sha384": Mechanism.SHA384,
    "sha512": Mechanism.SHA512,
}
_MGF = {"sha1": MGF.SHA1, "sha224": MGF.SHA224, "sha256": MGF.SHA256, "sha384": MGF.SHA384, "sha512": MGF.SHA512}
_RSA_HASHED = {
    "sha1": Mechanism.SHA1_RSA_PKCS,
    "sha224": Mechanism.SHA224_RSA_PKCS,
    "sha256": Mechanism.SHA256_RSA_PKCS,
    "sha384": Mechanism.SHA384_RSA_PKCS,
    "sha512": Mechanism.SHA512_RSA_PKCS,
}
_PSS_HASHED = {
    "sha1": Mechanism.SHA1_RSA_PKCS_PSS,
    "sha224": Mechanism.SHA224_RSA_PKCS_PSS,
    "sha256": Mechanism.SHA256_RSA_PKCS_PSS,
    "sha384": Mechanism.SHA384_RSA_PKCS_PSS,
    "sha512": Mechanism.SHA512_RSA_PKCS_PSS,
}
_ECDSA_HASHED = {
    "sha1": Mechanism.ECDSA_SHA1,
    "sha224": Mechanism.ECDSA_SHA224,
    "sha256": Mechanism.ECDSA_SHA256,
    "sha384": Mechanism.ECDSA_SHA384,
    "sha512": Mechanism.ECDSA_SHA512,
}

#: keys still open, closed at interpreter exit (before python-pkcs11 unloads modules)
_OPEN_KEYS: weakref.WeakSet[Pkcs11Key] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:  # pragma: no cover - runs at interpreter exit
    for key in list(_OPEN_KEYS):
        key.close()


# ---- PINs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinPrompt:
    """What a PIN callback is told when vbsign needs the PIN."""

    token_label: str
    key_label: str
    #: True for the per-signature login of a CKA_ALWAYS_AUTHENTICATE key
    context_specific: bool
    pin_state: PinState
    #: the token has a PIN pad: tell the user to type the PIN *on the device* and return
    #: ``None`` (returning a PIN instead sends it the usual way)
    protected: bool = False

    def question(self) -> Msg:
        """The question to ask, without the PIN-state warning."""
        if self.protected:
            return Msg(
                f"Nhập PIN trên bàn phím của thiết bị ký '{self.token_label}' ({self.key_label})",
                f"Enter the PIN on the keypad of token '{self.token_label}' ({self.key_label})",
            )
        what = Msg(
            f"Nhập PIN của thiết bị ký '{self.token_label}' ({self.key_label})",
            f"Enter the PIN of token '{self.token_label}' ({self.key_label})",
        )
        if self.context_specific:
            return Msg(what.vi + " để ký", what.en + " to sign")
        return what

    def message(self) -> Msg:
        """The question plus the token's PIN-state warning (few tries left, ...)."""
        what, warn = self.question(), self.pin_state.describe()
        if warn.vi:
            return Msg(f"{what.vi}. {warn.vi}", f"{what.en}. {warn.en}")
        return what


#: A PIN callback gets a :class:`PinPrompt` and returns the PIN (``None`` to cancel).
PinCallback = Callable[[PinPrompt], "str | bytes | Secret | None"]


class _PinSource:
    """Where PINs come from; never stores one longer than needed."""

    def __init__(self, pin: SecretLike, callback: PinCallback | None, pin_file: str | None) -> None:
        self._static = pin if isinstance(pin, (str, bytes, Secret)) else None
        self._getter = pin if callable(pin) and not isinstance(pin, Secret) else None
        self._callback = callback
        self._file = pin_file
        if self._static is not None:
            self._static = resolve_secret(self._static)

    @property
    def informed(self) -> bool:
        """The source sees the token's PIN state (an interactive callback)."""
        return self._callback is not None and self._static is None and self._getter is None

    def get(self, prompt: PinPrompt) -> Secret | None:
        if self._static is not None:
            return self._static  # type: ignore[return-value]
        if self._getter is not None:
            return resolve_secret(self._getter)
        if self._callback is not None:
            return resolve_secret(self._callback(prompt))
        if self._file:
            path = self._file.removeprefix("file:")
            if path.startswith("//"):
                path = path[2:]

            data = read_bounded(path, PIN_FILE)  # unreadable or too large: InputError naming the file
            try:
                return Secret(data.decode("utf-8").rstrip("\r\n"))
            except UnicodeDecodeError:
                # "from None": the decode error would carry the PIN's bytes
                raise InputError(
                    Msg(f"Tệp PIN {path} không phải văn bản UTF-8.", f"The PIN file {path} is not UTF-8 text.")
                ) from None
        return None

    def forget(self) -> None:
        """Drop a static PIN once it is no longer needed."""
        self._static = None


# ---- the pyHanko signer ------------------------------------------------------------------------


class Pkcs11PyHankoSigner(Signer):
    """A pyHanko :class:`~pyhanko.sign.signers.Signer` whose key operation runs on the token."""

    def __init__(self, key: Pkcs11Key, *, prefer_pss: bool) -> None:
        super().__init__(
            prefer_pss=prefer_pss,
            embed_roots=False,
            signing_cert=key.certificate,
            cert_registry=SimpleCertificateStore.from_certs(key.chain),  # type: ignore[no-untyped-call]
        )
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(self._key.max_signature_size)
        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        return await self._key._async_sign(data, digest_algorithm.lower(), mech)


# ---- the key ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Op:
    mechanism: Mechanism
    param: Any
    pre: Callable[[bytes], bytes] | None
    post: Callable[[bytes], bytes] | None


class Pkcs11Key(SigningKey):
    """A certificate and its private key on a PKCS#11 token. Thread-safe; close when done."""

    def __init__(
        self,
        *,
        module_path: str,
        found: FoundToken,
        session: Any,
        entry: CertEntry,
        chain: list[x509.Certificate],
        uri: Pkcs11Uri,
        suggested_uri: str,
        pins: _PinSource,
        allow_final_try: bool = False,
        logged_in: bool = False,
    ) -> None:
        self.module_path = module_path
        self._found = found
        self._public_session: Any | None = session
        self._session: Any | None = None
        self._entry = entry
        self._chain = chain
        self._uri = uri
        self.uri = suggested_uri
        self._pins = pins
        self._allow_final_try = allow_final_try
        self._lock = threading.RLock()
        self._key: KeyEntry | None = None
        self._mechanisms: set[Any] | None = None
        self._signers: dict[bool, Pkcs11PyHankoSigner] = {}
        self._closed = False
        self.label = f"{found.info.label} / {entry.label or entry.common_name}"
        #: user logins (not context-specific), signatures made, seconds spent inside the token
        self.login_count = 0
        self.signature_count = 0
        self.token_seconds = 0.0
        _OPEN_KEYS.add(self)
        if logged_in:  # the session is already logged in (certificates hidden until login)
            self._adopt(session)

    # ---- SigningKey ------------------------------------------------------------------------
    @property
    def certificate(self) -> x509.Certificate:
        return self._entry.certificate

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    @property
    def token_info(self) -> TokenInfo:
        return self._found.info

    @property
    def storage(self) -> KeyStorage:
        """The token as it describes itself, with the validations its module reports."""
        info = self._found.info
        with self._lock:
            session = self._session or self._public_session
            validations, level = read_validations(session) if session is not None else ((), None)
        desc = " / ".join(p for p in (info.manufacturer, info.model, info.label) if p)
        return KeyStorage("token", desc, validations, level)

    @property
    def logged_in(self) -> bool:
        return self._session is not None

    @property
    def always_authenticate(self) -> bool | None:
        """Whether the key needs a PIN per signature (``None`` until logged in)."""
        return None if self._key is None else self._key.always_authenticate

    @property
    def max_signature_size(self) -> int:
        pub = self.certificate.public_key
        bits: int = pub.bit_size
        if pub.algorithm == "rsa":
            return (bits + 7) // 8
        return 2 * ((bits + 7) // 8) + 9

    def extend_chain(self, certs: list[x509.Certificate]) -> bool:
        with self._lock:
            have = {c.dump() for c in self._chain}
            self._chain = [*self._chain, *(c for c in certs if c.dump() not in have)]
            self._signers.clear()
        return True

    def pyhanko_signer(self, *, prefer_pss: bool = False) -> Pkcs11PyHankoSigner:
        signer = self._signers.get(prefer_pss)
        if signer is None:
            signer = self._signers[prefer_pss] = Pkcs11PyHankoSigner(self, prefer_pss=prefer_pss)
        return signer

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, *, prefer_pss: bool = False) -> bytes:
        mech = self.pyhanko_signer(prefer_pss=prefer_pss).get_signature_mechanism_for_digest(
            digest_algorithm
        )
        return await self._async_sign(data, digest_algorithm.lower(), mech)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._pins.forget()
            for attr in ("_session", "_public_session"):
                sess = getattr(self, attr)
                setattr(self, attr, None)
                if sess is not None:
                    try:
                        sess.close()
                    except Exception:  # the token may already be gone; nothing to release
                        logger.debug("closing a PKCS#11 session failed", exc_info=True)
            self._key = None
        _OPEN_KEYS.discard(self)

    # ---- login -----------------------------------------------------------------------------
    def _fresh_info(self) -> TokenInfo:
        return fresh_info(self._found)

    def _prompt(self, *, context_specific: bool, state: PinState, protected: bool = False) -> PinPrompt:
        return PinPrompt(
            token_label=self._found.info.label,
            key_label=self._entry.label or self._entry.common_name,
            context_specific=context_specific,
            pin_state=state,
            protected=protected,
        )

    def login(self) -> None:
        """Log in (once) and find the private key. Idempotent and thread-safe."""
        with self._lock:
            self._check_open()
            if self._session is not None:
                return
            session = login_session(
                self._found,
                self._pins,
                lambda state, protected: self._prompt(context_specific=False, state=state, protected=protected),
                allow_final_try=self._allow_final_try,
            )
            self._adopt(session)

    def _adopt(self, session: Any) -> None:
        """Take a logged-in session: find the key and the mechanisms, drop what is not needed."""
        self.login_count += 1
        try:
            self._key = self._find_private_key(session)
            try:
                self._mechanisms = set(self._found.slot.get_mechanisms())
            except p11e.PKCS11Error:
                self._mechanisms = None  # unknown: try the raw mechanisms
        except BaseException:
            session.close()
            raise
        self._session = session
        if not self._key.always_authenticate:
            self._pins.forget()
        if self._public_session is not None and self._public_session is not session:
            with contextlib.suppress(p11e.PKCS11Error):
                self._public_session.close()
        self._public_session = None

    def _find_private_key(self, session: Any) -> KeyEntry:
        keys = [k for k in read_keys(session, ObjectClass.PRIVATE_KEY) if k.can_sign]
        cert = self.certificate
        cands: list[KeyEntry] = []
        if self._uri.type == "private" and (self._uri.object is not None or self._uri.id is not None):
            cands = [
                k
                for k in keys
                if (self._uri.object is None or labels_equal(k.label, self._uri.object))
                and (self._uri.id is None or k.id == self._uri.id)
            ]
        if not cands and self._entry.id:
            cands = [k for k in keys if k.id == self._entry.id]
        if len(cands) != 1:
            by_pub = [k for k in (cands or keys) if key_matches_cert(k, cert) is True]
            if by_pub:
                cands = by_pub
            elif not cands and len(keys) == 1 and key_matches_cert(keys[0], cert) is not False:
                cands = keys  # verified cryptographically at the first signature
        cands = [k for k in cands if key_matches_cert(k, cert) is not False]
        if not cands:
            raise ObjectNotFound(
                Msg(
                    f"Không tìm thấy khóa bí mật tương ứng với chứng thư '{self._entry.common_name}' "
                    f"trên thiết bị '{self._found.info.label}'.",
                    f"No private key matching certificate '{self._entry.common_name}' was found "
                    f"on token '{self._found.info.label}'.",
                )
            )
        if len(cands) > 1:
            names = [k.label or k.id.hex() for k in cands]
            raise AmbiguousSelection(
                Msg(
                    f"Có {len(cands)} khóa bí mật có thể ứng với chứng thư này: {', '.join(names)}; "
                    "hãy thêm 'type=private;object=…' vào URI.",
                    f"{len(cands)} private keys may belong to this certificate: {', '.join(names)}; "
                    "add 'type=private;object=…' to the URI.",
                ),
                candidates=[
                    format_uri(self._uri.with_(type="private", object=k.label, id=k.id or None))
                    for k in cands
                ],
            )
        return cands[0]

    # ---- signing ------------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise KeyAccessError(Msg("Khóa đã được đóng.", "The key has been closed."))

    async def _async_sign(self, data: bytes, digest: str, mech: algos.SignedDigestAlgorithm) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.sign_blocking, data, digest, mech)

    def sign_blocking(self, data: bytes, digest: str, mech: algos.SignedDigestAlgorithm) -> bytes:
        """Sign ``data`` on the token (hashing here) and verify the result; blocks."""
        self.login()
        op = self._operation(mech, digest)
        payload = op.pre(data) if op.pre else data
        raw = self._token_call(
            Msg("ký", "signing"), op.mechanism,
            lambda key, pin: key.obj.sign(payload, mechanism=op.mechanism, mechanism_param=op.param, pin=pin),
        )  # fmt: skip
        with self._lock:
            self.signature_count += 1
        signature = op.post(raw) if op.post else raw
        self._verify(signature, data, digest, mech)
        return signature

    async def async_decrypt(self, ciphertext: bytes, transport: KeyTransport) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.decrypt_blocking, ciphertext, transport)

    def decrypt_blocking(self, ciphertext: bytes, transport: KeyTransport) -> bytes:
        """Decrypt an RSA key-transport ciphertext on the token (RSA-OAEP or PKCS#1 v1.5); blocks."""
        if self.certificate.public_key.algorithm != "rsa":
            raise TokenOperationFailed(
                Msg("Chỉ khóa RSA trên token giải mã được khóa nội dung.", "Only RSA token keys can decrypt a content key.")
            )
        self.login()
        mech, param = Mechanism.RSA_PKCS, None
        if transport.scheme == "oaep":
            if transport.hash_algorithm not in _DIGEST_MECH or transport.mgf_hash not in _MGF:
                raise InputError(
                    Msg("Tham số RSA-OAEP không hỗ trợ: {h}", "Unsupported RSA-OAEP parameters: {h}").format(
                        h=f"{transport.hash_algorithm}/{transport.mgf_hash}"
                    )
                )
            mech = Mechanism.RSA_PKCS_OAEP
            param = (_DIGEST_MECH[transport.hash_algorithm], _MGF[transport.mgf_hash], transport.label)
        what = Msg("giải mã", "decryption")
        try:
            return self._token_call(  # type: ignore[no-any-return]
                what, mech, lambda key, pin: key.obj.decrypt(ciphertext, mechanism=mech, mechanism_param=param, pin=pin)
            )
        except TokenOperationFailed as e:
            refused = (p11e.ArgumentsBad, p11e.MechanismParamInvalid, p11e.MechanismInvalid)
            if transport.scheme != "oaep" or not isinstance(e.__cause__, refused):
                raise
        # the token refuses these OAEP parameters: raw RSA on the token, OAEP decoding here
        raw = self._token_call(
            what, Mechanism.RSA_X_509, lambda key, pin: key.obj.decrypt(ciphertext, mechanism=Mechanism.RSA_X_509, pin=pin)
        )
        try:
            return oaep_decode(raw, self.max_signature_size, transport.hash_algorithm, transport.mgf_hash, transport.label)
        except ValueError:
            raise TokenOperationFailed(
                Msg(
                    "Không giải mã được khóa nội dung bằng khóa trên token (thư không gửi cho chứng thư này, hoặc dữ liệu hỏng).",
                    "The content key cannot be decrypted with the token key (not addressed to this certificate, or damaged).",
                )
            ) from None

    def _token_call(self, what: Msg, mechanism: Mechanism, call: Callable[[KeyEntry, str | None], Any]) -> Any:
        """Run one private-key operation (with the per-operation PIN when the key demands
        it) and turn the token's errors into vbsign's."""
        with self._lock:
            self._check_open()
            key = self._key
            if key is None or self._session is None:  # closed concurrently
                raise KeyAccessError(Msg("Khóa đã được đóng.", "The key has been closed."))
            pin: str | None = None
            if key.always_authenticate:
                info = self._fresh_info()
                secret = self._pins.get(self._prompt(context_specific=True, state=info.pin_state))
                if secret is None:
                    raise PinRequired(
                        Msg(
                            "Khóa này yêu cầu nhập PIN cho mỗi lần dùng (CKA_ALWAYS_AUTHENTICATE) "
                            "nhưng không có PIN.",
                            "This key needs the PIN for every use (CKA_ALWAYS_AUTHENTICATE) "
                            "but no PIN was given.",
                        )
                    )
                pin = secret.reveal()
            try:
                started = time.perf_counter()
                result = call(key, pin)
                self.token_seconds += time.perf_counter() - started
                return result
            except p11e.PinIncorrect:
                after = self._fresh_info().pin_state
                raise PinIncorrect(_wrong_pin_msg(self._found.info.label, after), pin_state=after) from None
            except p11e.PinLocked:
                after = self._fresh_info().pin_state
                raise PinLocked(_wrong_pin_msg(self._found.info.label, after), pin_state=after) from None
            except p11e.UserNotLoggedIn as e:
                raise TokenUnavailable(
                    Msg(
                        "Thiết bị ký đã mất trạng thái đăng nhập (token bị rút ra cắm lại?).",
                        "The token lost its login state (was it unplugged and re-plugged?).",
                    )
                ) from e
            except p11e.PKCS11Error as e:
                if is_gone(e):
                    raise gone_error(what, e) from e
                raise TokenOperationFailed(
                    Msg(
                        f"Thiết bị ký từ chối thao tác {what.vi} ({mechanism.name}): {type(e).__name__}",
                        f"The token refused the {what.en} operation ({mechanism.name}): {type(e).__name__}",
                    )
                ) from e
            finally:
                pin = None

    def _has(self, mech: Mechanism) -> bool:
        return self._mechanisms is None or mech in self._mechanisms

    def _operation(self, mech: algos.SignedDigestAlgorithm, digest: str) -> _Op:
        algo = mech.signature_algo
        if digest not in _DIGEST_MECH:
            raise InputError(
                Msg(f"Thuật toán băm không hỗ trợ: {digest}", f"Unsupported digest algorithm: {digest}")
            )
        if algo == "rsassa_pkcs1v15":
            if self._has(Mechanism.RSA_PKCS):
                return _Op(Mechanism.RSA_PKCS, None, _digest_info(digest), None)
            return _Op(_RSA_HASHED[digest], None, None, None)
        if algo == "rsassa_pss":
            params = mech["parameters"]
            mgf_hash = params["mask_gen_algorithm"]["parameters"]["algorithm"].native
            pss = (_DIGEST_MECH[digest], _MGF[mgf_hash], params["salt_length"].native)
            if self._has(Mechanism.RSA_PKCS_PSS):
                return _Op(Mechanism.RSA_PKCS_PSS, pss, _hash(digest), None)
            return _Op(_PSS_HASHED[digest], pss, None, None)
        if algo == "ecdsa":
            from pkcs11.util.ec import encode_ecdsa_signature

            if self._has(Mechanism.ECDSA):
                return _Op(Mechanism.ECDSA, None, _hash(digest), encode_ecdsa_signature)
            return _Op(_ECDSA_HASHED[digest], None, None, encode_ecdsa_signature)
        raise TokenOperationFailed(
            Msg(f"Thuật toán ký không hỗ trợ trên token: {algo}", f"Unsupported token signature algorithm: {algo}")
        )

    def _verify(self, signature: bytes, data: bytes, digest: str, mech: algos.SignedDigestAlgorithm) -> None:
        try:
            DefaultSignatureValidator().validate_signature(
                signature,
                data,
                self.certificate.public_key,
                mech,
                SignatureValidationContext(contextual_md_algorithm=digest),
            )
        except Exception as e:
            raise TokenOperationFailed(
                Msg(
                    "Chữ ký do thiết bị tạo ra không khớp với chứng thư số (sai khóa hoặc thiết bị "
                    "lỗi); không dùng chữ ký này.",
                    "The signature made by the token does not verify with the certificate (wrong "
                    "key or faulty token); it was not used.",
                )
            ) from e


# ---- login ----------------------------------------------------------------------------------


def fresh_info(found: FoundToken) -> TokenInfo:
    """The token's current info (its PIN flags change after every login attempt)."""
    try:
        return TokenInfo.of(found.slot, found.slot.get_token())
    except p11e.PKCS11Error as e:
        raise gone_error(Msg("đọc trạng thái thiết bị", "reading the token state"), e) from e


def login_session(
    found: FoundToken,
    pins: _PinSource,
    prompt: Callable[[PinState, bool], PinPrompt],
    *,
    allow_final_try: bool = False,
) -> Any:
    """Open a logged-in session: at most one C_Login, typed errors, never a retry."""
    info = fresh_info(found)
    state = info.pin_state
    if state.locked:
        raise PinLocked(
            Msg(
                f"PIN của thiết bị '{info.label}' đã bị khóa; vbsign không thử đăng nhập. "
                "Hãy liên hệ tổ chức cung cấp chứng thư số để mở khóa.",
                f"The PIN of token '{info.label}' is locked; vbsign did not try to log "
                "in. Contact the certificate provider to unlock it.",
            ),
            pin_state=state,
        )
    secret = pins.get(prompt(state, info.protected_auth))
    if secret is None and not info.protected_auth:
        raise PinRequired(
            Msg(
                f"Cần PIN của thiết bị '{info.label}': dùng --pin-env BIẾN, nhập khi được hỏi, "
                "hoặc tham số pin= / pin_callback= trong API.",
                f"The PIN of token '{info.label}' is needed: use --pin-env VAR, the "
                "interactive prompt, or pin= / pin_callback= in the API.",
            )
        )
    if secret is not None and state.final_try and not (pins.informed or allow_final_try):
        raise PinFinalTry(
            Msg(
                f"Thiết bị '{info.label}' chỉ còn MỘT lần thử PIN; vbsign không dùng PIN "
                "không tương tác (biến môi trường, tệp, tham số) trong trường hợp này. Hãy "
                "nhập PIN trực tiếp khi được hỏi.",
                f"Token '{info.label}' has ONE PIN try left; vbsign will not spend it on a "
                "non-interactive PIN (environment, file, parameter). Enter the PIN at the "
                "interactive prompt instead.",
            ),
            details={"pin_state": state.to_dict()},
        )
    if secret is None:
        logger.info("logging in to token %r through its PIN pad", info.label)
    pin: Any = pkcs11.PROTECTED_AUTH if secret is None else secret.reveal()
    return _open_logged_in(found, info, pin)


def _open_logged_in(found: FoundToken, info: TokenInfo, pin: Any) -> Any:
    """The one C_Login; each PKCS#11 failure becomes a typed error with the PIN state
    read afterwards (never a retry)."""
    try:
        return found.token.open(user_pin=pin, attribute_mapper=TolerantMapper())
    except p11e.UserAlreadyLoggedIn:
        # another session of this process is logged in already; login state is shared
        return found.token.open(attribute_mapper=TolerantMapper())
    except p11e.PinIncorrect:
        after = fresh_info(found).pin_state
        raise PinIncorrect(_wrong_pin_msg(info.label, after), pin_state=after) from None
    except p11e.PinLocked:
        after = fresh_info(found).pin_state
        raise PinLocked(_wrong_pin_msg(info.label, after), pin_state=after) from None
    except (p11e.PinLenRange, p11e.PinInvalid):
        after = fresh_info(found).pin_state
        raise PinIncorrect(
            Msg(
                f"PIN không đúng định dạng (độ dài hoặc ký tự) cho thiết bị '{info.label}'.",
                f"The PIN has an invalid length or characters for token '{info.label}'.",
            ),
            pin_state=after,
        ) from None
    except p11e.PinExpired:
        raise Pkcs11Error(
            Msg(
                f"PIN của thiết bị '{info.label}' đã hết hạn; hãy đổi PIN bằng công cụ của nhà cung cấp.",
                f"The PIN of token '{info.label}' has expired; change it with the vendor's tool.",
            )
        ) from None
    except p11e.PKCS11Error as e:
        if is_gone(e):
            raise gone_error(Msg("đăng nhập", "logging in"), e) from e
        raise Pkcs11Error(
            Msg(
                f"Không đăng nhập được vào thiết bị '{info.label}': {type(e).__name__}",
                f"Cannot log in to token '{info.label}': {type(e).__name__}",
            )
        ) from e


def _wrong_pin_msg(label: str, state: PinState) -> Msg:
    extra = state.describe()
    return Msg(
        f"Sai PIN của thiết bị '{label}'. vbsign không tự thử lại. {extra.vi}".rstrip(),
        f"Wrong PIN for token '{label}'. vbsign does not retry by itself. {extra.en}".rstrip(),
    )


def _hash(digest: str) -> Callable[[bytes], bytes]:
    def h(data: bytes) -> bytes:
        return hashlib.new(digest, data).digest()


    return h


def _digest_info(digest: str) -> Callable[[bytes], bytes]:
    def wrap(data: bytes) -> bytes:
        info: bytes = algos.DigestInfo(
            {
                "digest_algorithm": {"algorithm": digest, "parameters": core.Null()},
                "digest": hashlib.new(digest, data).digest(),
            }
        ).dump()
        return info

    return wrap


# ---- opening --------------------------------------------------------------------------------

_OPTIONS = frozenset(
    {"pin", "passphrase", "pin_callback", "module", "ca_files", "chain", "cert", "allow_final_try", "login"}
)


def open_key(
    ref: str | Pkcs11Uri,
    *,
    pin: SecretLike = None,
    passphrase: SecretLike = None,
    pin_callback: PinCallback | None = None,
    module: str | os.PathLike[str] | None = None,
    ca_files: Iterable[str | os.PathLike[str]] | None = None,
    chain: Iterable[str | os.PathLike[str]] | None = None,
    cert: str | os.PathLike[str] | None = None,
    allow_final_try: bool = False,
    login: bool = False,
    **unknown: Any,
) -> Pkcs11Key:
    """Open the certificate (and later its key) named by the PKCS#11 URI ``ref``.

    :param pin: the user PIN (``str``/``bytes``/:class:`~vbsign._core.secrets.Secret`, or a
        zero-argument callable returning it). ``passphrase`` is accepted as an alias.
    :param pin_callback: called with a :class:`PinPrompt` whenever a PIN is needed
        (interactive prompts; asked again for every signature of an always-authenticate key).
    :param module: the PKCS#11 module; else the URI's ``module-path``/``module-name``,
        else ``VBSIGN_PKCS11_MODULE``.
    :param ca_files: CA certificate files completing the chain when the token lacks them
        (``chain`` is an alias, as for PEM keys).
    :param cert: the signer certificate from a file, for tokens that hold only the key.
    :param allow_final_try: let a non-interactive PIN be tried when the token has one try left.
    :param login: log in now instead of at the first signature.
    """
    if unknown:
        raise InputError(
            Msg(
                f"Tùy chọn không hợp lệ cho khóa PKCS#11: {', '.join(sorted(unknown))}",
                f"Invalid option(s) for a PKCS#11 key: {', '.join(sorted(unknown))}",
            )
        )
    uri = ref if isinstance(ref, Pkcs11Uri) else parse_uri(ref)
    module_path = resolve_module_path(module, uri_path=uri.module_path, uri_name=uri.module_name)
    lib = load_library(module_path)
    _check_library(lib, uri, module_path)
    tokens = find_tokens(lib)
    found = select_token(tokens, uri, module_path)
    tok_uri = token_uri(found.info, [t.info for t in tokens], module_path)
    try:
        session = found.token.open(attribute_mapper=TolerantMapper())
    except p11e.PKCS11Error as e:
        if is_gone(e):
            raise gone_error(Msg("mở phiên làm việc", "opening a session"), e) from e
        raise Pkcs11Error(
            Msg(
                f"Không mở được phiên làm việc với thiết bị '{found.info.label}': {type(e).__name__}",
                f"Cannot open a session with token '{found.info.label}': {type(e).__name__}",
            )
        ) from e
    try:
        key = _make_key(
            uri, module_path, found, session, tok_uri,
            pins=_PinSource(pin if pin is not None else passphrase, pin_callback, uri.pin_source),
            ca_paths=[*(ca_files or []), *(chain or [])],
            cert_path=cert,
            allow_final_try=allow_final_try,
        )
    except BaseException:
        with contextlib.suppress(p11e.PKCS11Error):
            session.close()
        raise
    if login or uri.type == "private":
        try:
            key.login()
        except BaseException:
            key.close()
            raise
    return key


def _make_key(
    uri: Pkcs11Uri,
    module_path: str,
    found: FoundToken,
    session: Any,
    tok_uri: Pkcs11Uri,
    *,
    pins: _PinSource,
    ca_paths: list[str | os.PathLike[str]],
    cert_path: str | os.PathLike[str] | None,
    allow_final_try: bool,
) -> Pkcs11Key:
    ca_certs = load_certificates(ca_paths) if ca_paths else []
    own = load_certificates([cert_path])[0] if cert_path is not None else None
    entries, warnings = read_certificates(session)
    logged_in = None
    if not entries and own is None and found.info.flags & CKF_LOGIN_REQUIRED:
        # some tokens keep even certificates private (CKA_PRIVATE): log in to see them
        logged_in = login_session(
            found,
            pins,
            lambda state, protected: PinPrompt(
                found.info.label, found.info.label, False, state, protected
            ),
            allow_final_try=allow_final_try,
        )
        session = logged_in
        entries, warnings = read_certificates(session)
    for w in warnings:
        logger.warning("%s", w.get())

    def uri_for(e: CertEntry) -> str:
        return format_uri(certificate_uri(e, entries, tok_uri))

    if own is not None:
        entry = next((e for e in entries if e.certificate.dump() == own.dump()), None)
        entry = entry or CertEntry(label=uri.object, id=uri.id or b"", certificate=own)
    else:
        pubkeys = read_keys(session, ObjectClass.PUBLIC_KEY) if uri.selects_object else []
        entry = select_certificate(entries, uri, keys=pubkeys, uri_for=uri_for, token_label=found.info.label)
    pool = [e.certificate for e in entries] + ca_certs
    chain = build_chain(entry.certificate, pool)
    suggested = uri_for(entry) if entry in entries else format_uri(tok_uri)
    return Pkcs11Key(
        module_path=module_path,
        found=found,
        session=session,
        entry=entry,
        chain=chain,
        uri=uri,
        suggested_uri=suggested,
        pins=pins,
        allow_final_try=allow_final_try,
        logged_in=logged_in is not None,
    )


def _check_library(lib: Any, uri: Pkcs11Uri, module_path: str) -> None:
    checks = (
        (uri.library_manufacturer, getattr(lib, "manufacturer_id", "")),
        (uri.library_description, getattr(lib, "library_description", "")),
        (uri.library_version, ".".join(str(x) for x in getattr(lib, "library_version", ()))),
    )
    for want, have in checks:
        if want is not None and want.strip() != str(have).strip():
            raise Pkcs11Error(
                Msg(
                    f"Mô-đun {module_path} ({have}) không khớp với URI ({want}).",
                    f"Module {module_path} ({have}) does not match the URI ({want}).",
                )
            )


__all__ = ["PinCallback", "PinPrompt", "Pkcs11Key", "Pkcs11PyHankoSigner", "open_key"]
