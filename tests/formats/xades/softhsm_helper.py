"""Helper run in a subprocess by test_xmlcms_softhsm.py (not a test module).

Provisions a SoftHSM2 token in a private SOFTHSM2_CONF directory (python-pkcs11 caches the
module per process, so a separate process keeps this token away from other tests' tokens),
imports the test PKI's RSA and ECDSA person keys, and signs XAdES and CAdES at B-B, B-T and
B-LT through ``pkcs11:`` URIs. Usage: ``python softhsm_helper.py OUT_DIR WORK_DIR``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "vbsign-xmlcms"
PIN = "xmlcms-1234"
T0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
QD = '<?xml version="1.0" encoding="UTF-8"?><QuyetDinh xmlns="urn:vn:gov:qd"><So>12/QĐ-BKHCN</So></QuyetDinh>'.encode()
DOCX = b"PK\x03\x04" + "Báo cáo".encode() * 100


def provision(work: Path, pki: object) -> None:
    (work / "tokens").mkdir(parents=True, exist_ok=True)
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {work / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "so-" + PIN],
        check=True, capture_output=True,
    )
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pkcs11 import Attribute
    from pkcs11.util.ec import decode_ec_private_key, decode_ec_public_key
    from pkcs11.util.rsa import decode_rsa_private_key, decode_rsa_public_key
    from pkcs11.util.x509 import decode_x509_certificate

    token = pkcs11.lib(MODULE).get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as s:
        for n, label in enumerate(("person", "person-ec"), start=1):
            key = serialization.load_der_private_key(pki.private_key(label).dump(), None)  # type: ignore[attr-defined]
            der = key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
            )
            is_rsa = isinstance(key, rsa.RSAPrivateKey)
            pub = key.public_key().public_bytes(
                serialization.Encoding.DER,
                serialization.PublicFormat.PKCS1 if is_rsa else serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            common = {Attribute.TOKEN: True, Attribute.ID: bytes([n]), Attribute.LABEL: label}
            priv_t = decode_rsa_private_key(der) if is_rsa else decode_ec_private_key(der)
            pub_t = decode_rsa_public_key(pub) if is_rsa else decode_ec_public_key(pub)
            s.create_object({**priv_t, **common, Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
                             Attribute.EXTRACTABLE: False, Attribute.SIGN: True})
            s.create_object({**pub_t, **common, Attribute.VERIFY: True})
            cert = pki.cert(label)  # type: ignore[attr-defined]
            s.create_object({**decode_x509_certificate(cert.dump()), **common, Attribute.PRIVATE: False})


def main() -> None:
    out, work = Path(sys.argv[1]), Path(sys.argv[2])
    from vbsign import api, testpki
    from vbsign.pki.validation import Services

    pki = testpki.load()
    provision(work, pki)
    logins = {}
    for label in ("person", "person-ec"):
        with api.Signer(
            f"pkcs11:token={TOKEN};object={label}",
            key_options={"pin": PIN, "module": MODULE},
            trust=pki.roots,
            tsa=pki.timestamper(T0),
            services=Services(online=False, fetcher_backend=pki.fetcher_backend(T0)),
            clock=lambda: T0,
        ) as signer:
            for level in ("B-B", "B-T", "B-LT"):
                (out / f"{label}-xades-{level}.xml").write_bytes(signer.sign(QD, level=level).data)
                (out / f"{label}-cades-{level}.p7s").write_bytes(signer.sign(DOCX, level=level).data)
            logins[label] = getattr(signer.key, "login_count", None)
            key_type = type(signer.key).__name__
    (out / "DOCX").write_bytes(DOCX)
    print(json.dumps({"logins": logins, "key_type": key_type}))


if __name__ == "__main__":
    main()
