"""SoftHSM2 tokens for the PKCS#11 tests, in a private SOFTHSM2_CONF directory.

Each pytest worker provisions its own token directory once (never the system one):

* ``Token Bộ KH&CN`` — the Deputy Minister's imported RSA-2048 key whose certificate label
  is the real-world Viettel-CA style ``TRẦN NGỌC TÚ's Viettel-CA SHA2 Certificate`` and
  whose key label differs (``Private Key``; same CKA_ID) — plus the ministry seal and the
  CA chain;
* ``Token sinh khóa`` — RSA-2048 and ECDSA P-256 keys *generated on the token*
  (non-extractable) with certificates issued by the test CA for them; no CA certificates
  on this token (the chain must come from CA files);
* ``Token nhiều thuật toán`` — imported RSA-3072, RSA-4096, ECDSA P-384 and P-256 keys;
* ``Token ký từng lần`` — a key with CKA_ALWAYS_AUTHENTICATE;
* ``Token chứng thư ẩn`` — even the certificate is private (visible only after login);
* two empty tokens both labelled ``Token trùng nhãn``.

Everything goes through the real module ``/usr/lib/softhsm/libsofthsm2.so``; the PKCS#11
spy (``pkcs11-spy.so``) wraps it in the tests that count ``C_Login`` calls.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

pkcs11 = pytest.importorskip("pkcs11")

from asn1crypto import x509 as asn1_x509  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from pkcs11 import Attribute, KeyType  # noqa: E402
from pkcs11.util.ec import (  # noqa: E402
    decode_ec_private_key,
    decode_ec_public_key,
    encode_named_curve_parameters,
)
from pkcs11.util.rsa import decode_rsa_private_key, decode_rsa_public_key  # noqa: E402
from pkcs11.util.x509 import decode_x509_certificate  # noqa: E402

from vbsign.backends.pkcs11_uri import Pkcs11Uri, format_uri  # noqa: E402

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SPY = "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so"
#: distinctive, so that a search for it in captured output cannot hit by accident
PIN = "Pin#7391-xyz"
SO_PIN = "so-pin-5555"

T_MAIN = "Token Bộ KH&CN"
T_GEN = "Token sinh khóa"
T_ALGOS = "Token nhiều thuật toán"
T_ALWAYS = "Token ký từng lần"
T_DUP = "Token trùng nhãn"
T_HIDDEN = "Token chứng thư ẩn"
VIETTEL_LABEL = "TRẦN NGỌC TÚ's Viettel-CA SHA2 Certificate"

if not (shutil.which("softhsm2-util") and Path(MODULE).exists()):  # pragma: no cover
    pytest.skip("SoftHSM2 is not installed", allow_module_level=True)


def finalize_loaded(*paths: str) -> None:
    """Finalise python-pkcs11's cached module objects (they re-initialise on next use)."""
    wanted = {os.path.realpath(p) for p in paths or (MODULE, SPY)}
    for so, lib in list(pkcs11._loaded.items()):
        if os.path.realpath(so) in wanted and lib.initialized:
            try:
                lib.finalize()
            except pkcs11.PKCS11Error:
                pass


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@dataclass
class Provisioned:
    """Where each test identity lives: token label, object label, CKA_ID, certificate."""

    token: str
    label: str
    id: bytes
    cert: asn1_x509.Certificate
    key_label: str | None = None


@dataclass
class SoftHSM:
    """A private SoftHSM2 token directory plus helpers to provision it."""

    root: Path
    pki: Any
    module: str = MODULE
    pin: str = PIN
    ids: dict[str, Provisioned] = field(default_factory=dict)

    @property
    def conf(self) -> Path:
        return self.root / "softhsm2.conf"

    def lib(self) -> Any:
        from vbsign.backends.pkcs11_objects import load_library

        return load_library(self.module)

    def init_token(self, label: str) -> None:
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", self.pin, "--so-pin", SO_PIN],
            check=True,
            capture_output=True,
            env={**os.environ, "SOFTHSM2_CONF": str(self.conf)},
        )
        finalize_loaded(self.module)  # SoftHSM reads its token directory at C_Initialize

    def session(self, token_label: str) -> Any:
        tokens = [t for t in self.lib().get_tokens() if t.label == token_label]
        assert len(tokens) == 1, (token_label, tokens)
        return tokens[0].open(rw=True, user_pin=self.pin)

    # ---- material -----------------------------------------------------------------------
    def ca(self) -> tuple[x509.Certificate, Any]:
        ca_cert = x509.load_der_x509_certificate(self.pki.cert("gov-ca").dump())
        ca_key = serialization.load_der_private_key(self.pki.private_key("gov-ca").dump(), None)
        return ca_cert, ca_key

    def issue(self, public_key: Any, cn: str) -> asn1_x509.Certificate:
        """A certificate from the test CA for ``public_key``, shaped like the real personal ones
        (C, L, O, OU, CN; no title; the CA's caIssuers URL but no OCSP: CRL-checked)."""
        ca_cert, ca_key = self.ca()
        person = x509.load_der_x509_certificate(self.pki.cert("person").dump())
        crl_dp = person.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        policies = person.extensions.get_extension_for_class(x509.CertificatePolicies).value
        aia = person.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        ca_issuers = x509.AuthorityInformationAccess(
            [d for d in aia if d.access_method == x509.oid.AuthorityInformationAccessOID.CA_ISSUERS]
        )
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.LOCALITY_NAME, "Hà Nội"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Khoa học và Công nghệ"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Cục Chuyển đổi số quốc gia"),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2026, 1, 1, tzinfo=timezone.utc))
            .not_valid_after(datetime(2028, 12, 31, tzinfo=timezone.utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=True, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
            )
            .add_extension(crl_dp, critical=False)
            .add_extension(policies, critical=False)
            .add_extension(ca_issuers, critical=False)
        )
        return to_asn1(builder.sign(ca_key, hashes.SHA256()))

    # ---- provisioning -------------------------------------------------------------------
    def import_key(
        self,
        token: str,
        name: str,
        private_key: Any,
        cert: asn1_x509.Certificate,
        *,
        label: str,
        ident: bytes,
        key_label: str | None = None,
        always_authenticate: bool = False,
        hidden: bool = False,
    ) -> Provisioned:
        der = private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        pub_der = private_key.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.PKCS1 if isinstance(private_key, rsa.RSAPrivateKey) else serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        if isinstance(private_key, rsa.RSAPrivateKey):
            priv_t = decode_rsa_private_key(der)
            pub_t = decode_rsa_public_key(pub_der)
        else:
            priv_t = decode_ec_private_key(der)
            pub_t = decode_ec_public_key(pub_der)
        common = {Attribute.TOKEN: True, Attribute.ID: ident, Attribute.LABEL: key_label or label}
        with self.session(token) as s:
            s.create_object(
                {
                    **priv_t,
                    **common,
                    Attribute.PRIVATE: True,
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.SIGN: True,
                    Attribute.ALWAYS_AUTHENTICATE: always_authenticate,
                }
            )
            s.create_object({**pub_t, **common, Attribute.VERIFY: True, Attribute.PRIVATE: hidden})
            self._write_cert(s, cert, label, ident, private=hidden)
        entry = Provisioned(token, label, ident, cert, key_label or label)
        self.ids[name] = entry
        return entry

    def generate_key(self, token: str, name: str, kind: str, *, label: str, ident: bytes, cn: str) -> Provisioned:
        """Generate a non-extractable key on the token, certify it, store the certificate."""
        with self.session(token) as s:
            priv_t = {
                Attribute.TOKEN: True, Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False, Attribute.SIGN: True, Attribute.ID: ident, Attribute.LABEL: label,
            }
            pub_t = {Attribute.TOKEN: True, Attribute.VERIFY: True, Attribute.ID: ident, Attribute.LABEL: label}
            if kind == "rsa":
                pub, _priv = s.generate_keypair(
                    KeyType.RSA, 2048, store=True, public_template=pub_t, private_template=priv_t
                )
                n = int.from_bytes(pub[Attribute.MODULUS], "big")
                e = int.from_bytes(pub[Attribute.PUBLIC_EXPONENT], "big")
                public_key: Any = rsa.RSAPublicNumbers(e, n).public_key()
            else:
                params = s.create_domain_parameters(
                    KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True
                )
                pub, _priv = params.generate_keypair(store=True, public_template=pub_t, private_template=priv_t)
                from asn1crypto.core import OctetString

                point = OctetString.load(pub[Attribute.EC_POINT]).native
                public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
            cert = self.issue(public_key, cn)
            self._write_cert(s, cert, label, ident)
        entry = Provisioned(token, label, ident, cert, label)
        self.ids[name] = entry
        return entry

    def write_ca(self, token: str, labels: list[str], pki: Any = None) -> None:
        with self.session(token) as s:
            for lbl in labels:
                self._write_cert(s, (pki or self.pki).cert(lbl), lbl, lbl.encode())

    @staticmethod
    def _write_cert(s: Any, cert: asn1_x509.Certificate, label: str, ident: bytes, *, private: bool = False) -> None:
        s.create_object({**decode_x509_certificate(cert.dump()), Attribute.TOKEN: True, Attribute.LABEL: label,
                         Attribute.ID: ident, Attribute.PRIVATE: private})

    def uri(self, token: str | None = None, **kw: Any) -> str:
        return format_uri(Pkcs11Uri(token=token, module_path=self.module, **kw))

    def uri_of(self, name: str, *, by: str = "label") -> str:
        p = self.ids[name]
        if by == "label":
            return self.uri(p.token, object=p.label)
        if by == "id":
            return self.uri(p.token, id=p.id)
        return self.uri(p.token, subject=p.cert.subject.native["common_name"])


def _pyca_key(pki: Any, label: str) -> Any:
    return serialization.load_der_private_key(pki.private_key(label).dump(), None)


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Iterator[SoftHSM]:
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    (root / "softhsm2.conf").write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
        "slots.removable = false\n"
    )
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(root / "softhsm2.conf")
    finalize_loaded()
    env = SoftHSM(root, pki)
    for label in (T_MAIN, T_GEN, T_ALGOS, T_ALWAYS, T_DUP, T_DUP, T_HIDDEN):
        env.init_token(label)

    env.import_key(T_MAIN, "person", _pyca_key(pki, "person"), pki.cert("person"),
                   label=VIETTEL_LABEL, ident=b"\x01\x02", key_label="Private Key")
    env.import_key(T_MAIN, "agency", _pyca_key(pki, "agency"), pki.cert("agency"),
                   label="Con dấu Bộ KH&CN", ident=b"SEAL")
    env.write_ca(T_MAIN, ["gov-ca", "gov-root"])

    env.generate_key(T_GEN, "gen-rsa", "rsa", label="Khóa RSA sinh trên token", ident=b"\x10", cn="Lê Thị Hồng")
    env.generate_key(T_GEN, "gen-ec", "ec", label="Khóa EC sinh trên token", ident=b"\x11", cn="Phạm Văn Đức")

    for bits in (3072, 4096):
        k = rsa.generate_private_key(65537, bits)
        env.import_key(T_ALGOS, f"rsa{bits}", k, env.issue(k.public_key(), f"Khóa RSA {bits}"),
                       label=f"RSA {bits}", ident=bytes([bits // 1024]))
    k384 = ec.generate_private_key(ec.SECP384R1())
    env.import_key(T_ALGOS, "ec384", k384, env.issue(k384.public_key(), "Khóa EC P-384"),
                   label="EC P-384", ident=b"\x38")
    env.import_key(T_ALGOS, "person-ec", _pyca_key(pki, "person-ec"), pki.cert("person-ec"),
                   label="ECDSA P-256 của chuyên viên", ident=b"\x25")
    env.write_ca(T_ALGOS, ["gov-ca"])

    env.import_key(T_ALWAYS, "always", _pyca_key(pki, "person-b"), pki.cert("person-b"),
                   label="Trần Thị Bình", ident=b"\x0b", always_authenticate=True)
    env.import_key(T_HIDDEN, "hidden", _pyca_key(pki, "agency-b"), pki.cert("agency-b"),
                   label="Con dấu Sở KH&CN", ident=b"\x0c", hidden=True)
    finalize_loaded()
    yield env
    finalize_loaded()
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


@pytest.fixture(autouse=True)
def _our_softhsm_conf(request: pytest.FixtureRequest) -> None:
    """If another test directory switched SOFTHSM2_CONF in this worker, switch back."""
    if "softhsm" not in request.fixturenames:
        return
    env: SoftHSM = request.getfixturevalue("softhsm")
    if os.environ.get("SOFTHSM2_CONF") != str(env.conf):
        os.environ["SOFTHSM2_CONF"] = str(env.conf)
        finalize_loaded()


@pytest.fixture
def spy(softhsm: SoftHSM, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Spy]:
    """The OpenSC PKCS#11 spy wrapping SoftHSM; ``spy.calls("C_Login")`` counts since start.

    The spy logs every call *including PIN bytes* — test use only, log in a temp dir.
    """
    if not Path(SPY).exists():  # pragma: no cover
        pytest.skip("OpenSC pkcs11-spy not installed")
    log = Path(os.environ.get("PKCS11SPY_OUTPUT") or tmp_path_factory.mktemp("spy") / "spy.log")
    os.environ["PKCS11SPY"] = MODULE
    os.environ["PKCS11SPY_OUTPUT"] = str(log)
    finalize_loaded(MODULE)  # the spy initialises SoftHSM itself
    s = Spy(log, log.stat().st_size if log.exists() else 0)
    yield s
    finalize_loaded(SPY)


@dataclass
class Spy:
    log: Path
    start: int
    module: str = SPY

    def text(self) -> str:
        data = self.log.read_bytes() if self.log.exists() else b""
        return data[self.start :].decode("utf-8", "replace")

    def logins(self) -> list[str]:
        """User types of the C_Login calls made since the fixture started."""
        out = []
        lines = self.text().splitlines()
        for i, line in enumerate(lines):
            if line.endswith(": C_Login"):
                for follow in lines[i + 1 : i + 5]:
                    if "userType" in follow:
                        out.append(follow.split("=", 1)[1].strip())
                        break
        return out
