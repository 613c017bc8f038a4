"""Sign and verify PAdES B-LT with token keys: imported and generated on the token, RSA and ECDSA."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from pkcs11 import Attribute, ObjectClass

from vbsign import api
from vbsign.backends import open_key
from vbsign.backends.pkcs11 import Pkcs11Key
from vbsign.model.report import Indication


def _sign(softhsm: Any, pki: Any, services: Any, tsa: Any, t0: Any, data: bytes, name: str, **kw: Any) -> tuple[bytes, Pkcs11Key]:
    key_options = {"pin": softhsm.pin, **kw.pop("key_options", {})}
    with api.Signer(
        softhsm.uri_of(name, by=kw.pop("by", "label")),
        key_options=key_options,
        trust=pki.roots,
        tsa=tsa,
        level="B-LT",
        services=services,
        clock=lambda: t0,
        **kw,
    ) as signer:
        key = signer.key
        assert isinstance(key, Pkcs11Key)
        result = signer.sign(data)
        assert key.login_count == 1
    return result.data, key


@pytest.mark.parametrize(
    ("name", "pss", "expected_key"),
    [
        ("person", False, "RSA-2048"),  # imported; Viettel-style label; key label differs
        ("person", True, "RSA-2048"),
        ("person-ec", False, "ECDSA P-256"),
        ("rsa3072", False, "RSA-3072"),
        ("rsa4096", True, "RSA-4096"),
        ("ec384", False, "ECDSA P-384"),
    ],
)
def test_imported_keys_sign_pades_b_lt(
    softhsm: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes, verify_at: Any,
    name: str, pss: bool, expected_key: str,
) -> None:
    signed, key = _sign(softhsm, pki, services, tsa, t0, sample_pdf, name, prefer_pss=pss)
    report = verify_at(signed)
    assert report.indication == Indication.TOTAL_PASSED, report.summary("en")
    assert report.signatures[0].signer.common_name == softhsm.ids[name].cert.subject.native["common_name"]
    assert key.token_info.label == softhsm.ids[name].token
    from vbsign.backends.pkcs11_objects import key_description

    assert key_description(key.certificate) == expected_key
    algo = _signature_algorithm(signed)
    assert algo == ("rsassa_pss" if pss else ("ecdsa" if "ECDSA" in expected_key else "rsassa_pkcs1v15"))


def _signature_algorithm(signed: bytes) -> str:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    emb = PdfFileReader(io.BytesIO(signed)).embedded_signatures[-1]
    return str(emb.signer_info["signature_algorithm"].signature_algo)


@pytest.mark.parametrize("name", ["gen-rsa", "gen-ec"])
def test_keys_generated_on_the_token_sign_pades_b_lt(
    softhsm: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes, verify_at: Any,
    pki_dir: Any, name: str,
) -> None:
    # this token holds no CA certificate: the chain comes from the configured CA file
    signed, key = _sign(
        softhsm, pki, services, tsa, t0, sample_pdf, name, key_options={"ca_files": [pki_dir / "chain.pem"]}
    )
    assert [c.subject.native["common_name"] for c in key.chain][0].startswith("CA phục vụ")
    report = verify_at(signed)
    assert report.indication == Indication.TOTAL_PASSED, report.summary("en")


def test_a_token_with_only_the_signer_s_certificate_gets_its_chain_from_aia(
    softhsm: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes, verify_at: Any,
) -> None:
    """What VGCA tokens hold: the key and its certificate only. The issuing CA's certificate
    comes from the certificate's caIssuers URL (here answered in-process) and travels with the
    signature; the token's storage is reported for rule TT15-10."""
    with open_key(softhsm.uri_of("gen-ec"), pin=softhsm.pin) as probe:
        assert probe.chain == []
    signed, key = _sign(softhsm, pki, services, tsa, t0, sample_pdf, "gen-ec")
    assert [c.subject.native["common_name"] for c in key.chain] == ["CA phục vụ các cơ quan Nhà nước G2 (TEST)"]
    assert verify_at(signed).indication == Indication.TOTAL_PASSED
    storage = key.storage
    assert storage.kind == "token" and "SoftHSM" in storage.description
    assert storage.validations == () and storage.fips_level is None  # SoftHSM reports no FIPS validation


def test_generated_key_never_left_the_token(softhsm: Any) -> None:
    entry = softhsm.ids["gen-rsa"]
    with softhsm.session(entry.token) as s:
        (priv,) = list(s.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: entry.id}))
        assert priv[Attribute.NEVER_EXTRACTABLE] is True
        assert priv[Attribute.EXTRACTABLE] is False
        assert priv[Attribute.LOCAL] is True  # generated inside the token


def test_chain_is_read_from_the_token_when_present(softhsm: Any, pki: Any) -> None:
    with open_key(softhsm.uri_of("person"), pin=softhsm.pin) as key:
        assert [c.dump() for c in key.chain] == [pki.cert("gov-ca").dump(), pki.cert("gov-root").dump()]
        assert not key.logged_in  # opening reads public objects only: no PIN used yet


def test_chain_is_empty_without_token_certificates_or_ca_files(softhsm: Any) -> None:
    with open_key(softhsm.uri_of("gen-ec"), pin=softhsm.pin) as key:
        assert key.chain == []


@pytest.mark.parametrize(("name", "pss"), [("person", False), ("person", True), ("ec384", False)])
def test_async_sign_raw_for_xades_hashes_on_the_host(softhsm: Any, name: str, pss: bool) -> None:
    """The raw interface XAdES uses: a signature over ``data`` that verifies with the certificate."""
    from vbsign._core.aio import run_sync

    data = b"<ds:SignedInfo>...</ds:SignedInfo>" * 50
    with open_key(softhsm.uri_of(name), pin=softhsm.pin) as key:
        sig = run_sync(key.async_sign_raw(data, "sha256", prefer_pss=pss))
        mech = key.pyhanko_signer(prefer_pss=pss).get_signature_mechanism_for_digest("sha256")
        from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

        DefaultSignatureValidator().validate_signature(sig, data, key.certificate.public_key, mech)
        with pytest.raises(Exception):  # noqa: B017 - any InvalidSignature flavour
            DefaultSignatureValidator().validate_signature(sig, data + b"x", key.certificate.public_key, mech)
        assert key.signature_count == 1
    assert hashlib.sha256(data).digest()  # the host hashed: the token saw only the digest


def test_one_key_is_thread_safe_with_one_login(softhsm: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = [f"document {i}".encode() for i in range(24)]
    with open_key(softhsm.uri_of("person-ec"), pin=softhsm.pin) as key:
        mech = key.pyhanko_signer().get_signature_mechanism_for_digest("sha256")
        with ThreadPoolExecutor(max_workers=6) as pool:
            sigs = list(pool.map(lambda d: key.sign_blocking(d, "sha256", mech), data))
        assert key.login_count == 1 and key.signature_count == len(data)
    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    for d, s in zip(data, sigs, strict=True):
        DefaultSignatureValidator().validate_signature(s, d, key.certificate.public_key, mech)


def test_closed_key_refuses_to_sign_and_close_is_idempotent(softhsm: Any) -> None:
    from vbsign._core.errors import KeyAccessError

    key = open_key(softhsm.uri_of("person-ec"), pin=softhsm.pin, login=True)
    assert key.logged_in
    key.close()
    key.close()
    mech = key.pyhanko_signer().get_signature_mechanism_for_digest("sha256")
    with pytest.raises(KeyAccessError):
        key.sign_blocking(b"x", "sha256", mech)
