"""Software keys: PKCS#12 (``.p12``/``.pfx``) and PEM files.

The private key is parsed once when the key is opened (pyHanko's ``SimpleSigner``
re-parses and re-validates it for every signature, which costs ~40 ms each time).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asn1crypto import keys, x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from vbsign._core.bounds import KEY_FILE, read_bounded
from vbsign._core.errors import KeyAccessError
from vbsign._core.i18n import Msg
from vbsign._core.secrets import Secret, SecretLike, resolve_secret
from vbsign._core.x509 import read_certificates
from vbsign.backends.base import KeyTransport, SigningKey
from vbsign.backends.cms_parts import CachedCmsParts, CmsParts
from vbsign.model.report import KeyStorage


class _CachedKeySigner(CachedCmsParts, SimpleSigner):
    """A SimpleSigner with the private key parsed once (pyHanko re-parses it for every
    signature, ~40 ms) and the constant CMS parts built once (:mod:`.cms_parts`)."""

    def __init__(self, pyca_key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pyca_key = pyca_key
        cert = self.signing_cert
        assert cert is not None
        self._cms_parts = CmsParts(cert)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mech.signature_algo
        key = self._pyca_key
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algo == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            pss, hash_algo = process_pss_params(mech["parameters"])
            return key.sign(data, pss, hash_algo)
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)


class SoftwareKey(SigningKey):
    """A private key held in memory, with its certificate and chain."""

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage("software", "tệp khóa / key file")

    def __init__(
        self,
        pyca_key: Any,
        certificate: x509.Certificate,
        chain: list[x509.Certificate],
        label: str = "software key",
    ) -> None:
        self._key = pyca_key
        self._cert = certificate
        self._chain = chain
        self.label = label
        self._signers: dict[bool, SimpleSigner] = {}
        self._key_info = keys.PrivateKeyInfo.load(
            pyca_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        _check_key_matches(pyca_key, certificate)

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    def extend_chain(self, certs: list[x509.Certificate]) -> bool:
        have = {c.dump() for c in self._chain}
        self._chain = [*self._chain, *(c for c in certs if c.dump() not in have)]
        self._signers.clear()  # rebuilt with the longer chain
        return True

    def pyhanko_signer(self, *, prefer_pss: bool = False) -> SimpleSigner:
        signer = self._signers.get(prefer_pss)
        if signer is None:
            signer = _CachedKeySigner(
                self._key,
                signing_cert=self._cert,
                signing_key=self._key_info,
                cert_registry=SimpleCertificateStore.from_certs(self._chain),
                prefer_pss=prefer_pss,
                embed_roots=False,
            )
            self._signers[prefer_pss] = signer
        return signer

    async def async_decrypt(self, ciphertext: bytes, transport: KeyTransport) -> bytes:
        key = self._key
        if not isinstance(key, rsa.RSAPrivateKey):
            raise KeyAccessError(
                Msg(
                    "Chỉ khóa RSA giải mã được khóa nội dung (RSA-OAEP/PKCS#1); khóa này là {a}.",
                    "Only RSA keys can decrypt a content key (RSA-OAEP/PKCS#1); this key is {a}.",
                ).format(a=self.key_algorithm)
            )
        pad: Any = padding.PKCS1v15()
        if transport.scheme == "oaep":
            pad = padding.OAEP(
                mgf=padding.MGF1(get_pyca_cryptography_hash(transport.mgf_hash)),
                algorithm=get_pyca_cryptography_hash(transport.hash_algorithm),
                label=transport.label,
            )
        try:
            return key.decrypt(ciphertext, pad)  # type: ignore[no-any-return]
        except ValueError:
            raise KeyAccessError(
                Msg(
                    "Không giải mã được khóa nội dung bằng khóa này (thư không gửi cho chứng thư này, hoặc dữ liệu hỏng).",
                    "The content key cannot be decrypted with this key (not addressed to this certificate, or damaged).",
                )
            ) from None

    def close(self) -> None:
        self._signers.clear()


def _check_key_matches(pyca_key: Any, cert: x509.Certificate) -> None:
    pub = pyca_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if pub != cert.public_key.dump():
        raise KeyAccessError(
            Msg(
                "Khóa bí mật không khớp với chứng thư số.",
                "The private key does not match the certificate.",
            )
        )


def _to_asn1(c: Any) -> x509.Certificate:
    return x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))


def load_pkcs12(path: str | os.PathLike[str], passphrase: SecretLike = None) -> SoftwareKey:
    """Open a PKCS#12 file (key, certificate and chain)."""
    data = _read(path)
    secret = resolve_secret(passphrase)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            data, secret.reveal_bytes() if secret else None
        )
    except ValueError:
        # cryptography says "Invalid password or PKCS12 data" for both cases
        raise KeyAccessError(
            Msg(
                "Không mở được tệp PKCS#12 {p}: sai mật khẩu hoặc tệp hỏng.",
                "Cannot open PKCS#12 file {p}: wrong passphrase or damaged file.",
            ).format(p=Path(path).name)
        ) from None
    if key is None or cert is None:
        raise KeyAccessError(
            Msg(
                "Tệp PKCS#12 {p} không chứa cả khóa bí mật và chứng thư số.",
                "PKCS#12 file {p} does not contain both a private key and a certificate.",
            ).format(p=Path(path).name)
        )
    return SoftwareKey(key, _to_asn1(cert), [_to_asn1(c) for c in extra or []], label=Path(path).name)


def load_pem(
    key_path: str | os.PathLike[str],
    cert_path: str | os.PathLike[str] | None = None,
    chain_paths: list[str | os.PathLike[str]] | None = None,
    passphrase: SecretLike = None,
) -> SoftwareKey:
    """Open a PEM private key; certificates may be in the same file or in ``cert_path``."""
    key_data = _read(key_path)
    secret = resolve_secret(passphrase)
    try:
        key = serialization.load_pem_private_key(key_data, secret.reveal_bytes() if secret else None)
    except (ValueError, TypeError):
        raise KeyAccessError(
            Msg(
                "Không đọc được khóa bí mật PEM {p}: sai mật khẩu hoặc tệp hỏng.",
                "Cannot read PEM private key {p}: wrong passphrase or damaged file.",
            ).format(p=Path(key_path).name)
        ) from None
    certs = read_certificates(key_data, allow_empty=True)
    if cert_path is not None:
        certs = read_certificates(_read(cert_path)) + certs
    for extra in chain_paths or []:
        certs += read_certificates(_read(extra))
    pub = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    own = [c for c in certs if c.public_key.dump() == pub]
    if not own:
        raise KeyAccessError(
            Msg(
                "Không tìm thấy chứng thư số tương ứng với khóa bí mật {p}.",
                "No certificate matching the private key {p} was given.",
            ).format(p=Path(key_path).name)
        )
    cert = own[0]
    chain = [c for c in certs if c.dump() != cert.dump()]
    return SoftwareKey(key, cert, chain, label=Path(key_path).name)


def _read(path: str | os.PathLike[str]) -> bytes:
    """A key or certificate file (bounded: :data:`vbsign._core.bounds.KEY_FILE`)."""

    return read_bounded(path, KEY_FILE)


__all__ = ["Secret", "SoftwareKey", "hashes", "load_pem", "load_pkcs12"]
