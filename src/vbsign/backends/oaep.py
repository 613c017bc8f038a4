"""RSAES-OAEP decoding (RFC 8017 §7.1.2) of a raw RSA decryption result.

Used by the PKCS#11 backend when a token performs raw RSA (``CKM_RSA_X_509``) but refuses
the OAEP parameters S/MIME uses (SHA-256 with MGF1-SHA-256; SoftHSM 2.6 and several
smart cards accept SHA-1 only): the private-key operation stays on the token, only the
padding is removed here. pyca/cryptography decodes OAEP only together with its own private
key operation, hence this small, separately tested function.
"""

from __future__ import annotations

import hashlib
import hmac


def mgf1(seed: bytes, length: int, hash_name: str) -> bytes:
    """MGF1 (RFC 8017 §B.2.1)."""
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.new(hash_name, seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def oaep_decode(em: bytes, key_bytes: int, hash_name: str, mgf_hash: str, label: bytes | None = None) -> bytes:
    """The message inside the OAEP-encoded block ``em`` (``key_bytes`` = modulus length).

    Raises :class:`ValueError` — one error for every kind of malformed block, decided after
    all checks, so that the failure says nothing about where decoding went wrong.
    """
    h_len = hashlib.new(hash_name).digest_size
    em = em.rjust(key_bytes, b"\x00")
    if len(em) != key_bytes or key_bytes < 2 * h_len + 2:
        raise ValueError("decryption error")
    masked_seed, masked_db = em[1 : 1 + h_len], em[1 + h_len :]
    seed = bytes(a ^ b for a, b in zip(masked_seed, mgf1(masked_db, h_len, mgf_hash), strict=True))
    db = bytes(a ^ b for a, b in zip(masked_db, mgf1(seed, key_bytes - h_len - 1, mgf_hash), strict=True))
    good = hmac.compare_digest(db[:h_len], hashlib.new(hash_name, label or b"").digest()) & (em[0] == 0)
    rest = db[h_len:]
    sep = -1
    for i, b in enumerate(rest):  # the first non-zero byte must be the 0x01 separator
        if sep < 0 and b != 0:
            sep = i if b == 1 else -2
    if not good or sep < 0:
        raise ValueError("decryption error")
    return rest[sep + 1 :]


__all__ = ["mgf1", "oaep_decode"]
