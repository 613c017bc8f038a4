"""Helper run in a subprocess by test_mail_softhsm.py (not a test module).

Provisions a SoftHSM2 token in a private SOFTHSM2_CONF directory (python-pkcs11 caches the
module per process, so a separate process keeps this token away from other tests' tokens)
with the test PKI's S/MIME keys — ``mail-person`` (RSA, may sign and decrypt) and
``mail-ec`` (ECDSA) — then signs messages through ``pkcs11:`` URIs and decrypts a message
with the token's RSA key (RSA-OAEP on the token). Usage: ``python softhsm_helper.py OUT WORK``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "vbsign-mail"
PIN = "mail-2468"
T0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)


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
        for n, label in enumerate(("mail-person", "mail-ec"), start=1):
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
                             Attribute.EXTRACTABLE: False, Attribute.SIGN: True, Attribute.DECRYPT: is_rsa})
            s.create_object({**pub_t, **common, Attribute.VERIFY: True})
            cert = pki.cert(label)  # type: ignore[attr-defined]
            s.create_object({**decode_x509_certificate(cert.dump()), **common, Attribute.PRIVATE: False})


def main() -> None:
    out, work = Path(sys.argv[1]), Path(sys.argv[2])
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: tests._fixtures
    from tests._fixtures.smime import vietnamese_message
    from vbsign import api, testpki
    from vbsign.mail import decrypt_message, encrypt_message, sign_message
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services

    pki = testpki.load()
    provision(work, pki)
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    info: dict[str, object] = {"logins": {}}
    for label, sender in (("mail-person", "Nguyễn Thị Thư <thu.nt@bkhcn.vbsign.test>"),
                          ("mail-ec", "Hoàng Thị Điệp <diep.ht@bkhcn.vbsign.test>")):
        with api.Signer(
            f"pkcs11:token={TOKEN};object={label}", key_options={"pin": PIN, "module": MODULE}, trust=pki.roots,
            services=services, clock=lambda: T0,
        ) as signer:
            info["key_type"] = type(signer.key).__name__
            variants = [("clear", {}), ("opaque", {"opaque": True})]
            if label == "mail-person":
                variants.append(("pss", {"prefer_pss": True}))
            for name, options in variants:
                pss = options.pop("prefer_pss", False)
                signer.prefer_pss = bool(pss)
                res = sign_message(vietnamese_message(sender=sender), signer=signer, **options)
                (out / f"{label}-{name}.eml").write_bytes(res.data)
            info["logins"][label] = signer.key.login_count  # type: ignore[index,attr-defined]
    # encrypt (public key only) for the token's certificate, decrypt on the token
    trust = TrustStore.coerce(pki.roots).with_intermediates(pki.intermediates)
    for cipher in ("aes256-gcm", "aes256-cbc"):
        enc = encrypt_message(vietnamese_message(), recipients=[pki.cert("mail-person")], trust=trust,
                              services=services, clock=lambda: T0, cipher=cipher)
        dec = decrypt_message(enc.data, key=f"pkcs11:token={TOKEN};object=mail-person",
                              key_options={"pin": PIN, "module": MODULE})
        (out / f"decrypted-{cipher}.eml").write_bytes(dec.data)
        info[f"cipher-{cipher}"] = [dec.cipher, dec.key_transport]
    print(json.dumps(info))


if __name__ == "__main__":
    main()
