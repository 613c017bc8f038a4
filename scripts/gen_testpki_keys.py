"""Regenerate the test PKI's private keys (run once; the keys are committed).

The keys are *test material only*: they are public, never use them for anything real.
Changing them changes every certificate of :mod:`vbsign.testpki`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

KEYS: dict[str, tuple[str, int]] = {
    # government (specialised, "chuyên dùng") branch
    "gov-root": ("rsa", 4096),
    "gov-ca": ("rsa", 2048),
    "gov-ocsp": ("rsa", 2048),
    "gov-tsa": ("rsa", 2048),
    "person": ("rsa", 2048),
    "person-b": ("rsa", 2048),
    "person-ec": ("ec", 256),
    "agency": ("rsa", 2048),
    "agency-b": ("rsa", 2048),
    # public branch
    "pub-root": ("rsa", 4096),
    "pub-ca": ("rsa", 2048),
    "pub-ocsp": ("rsa", 2048),
    "subscriber": ("rsa", 2048),
    # deliberately bad subjects
    "revoked": ("rsa", 2048),
    "revoked-later": ("rsa", 2048),
    "expired": ("rsa", 2048),
    "not-yet-valid": ("rsa", 2048),
    "wrong-ku": ("rsa", 2048),
    "sha1": ("rsa", 2048),
    "rsa1024": ("rsa", 1024),
    # S/MIME (issue 22): e-mail protection certificates
    "mail-person": ("rsa", 2048),
    "mail-person-b": ("rsa", 2048),
    "mail-ec": ("ec", 256),
    "mail-noeku": ("rsa", 2048),
}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for label, (kind, size) in KEYS.items():
        path = out / f"{label}.key.pem"
        if path.exists():
            continue
        key = (
            rsa.generate_private_key(65537, size)
            if kind == "rsa"
            else ec.generate_private_key(ec.SECP256R1() if size == 256 else ec.SECP384R1())
        )
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        print("wrote", path)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("src/vbsign/testpki/keys"))
