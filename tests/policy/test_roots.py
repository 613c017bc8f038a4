"""The official Vietnamese CA fingerprints, checked against the real certificates in the corpus."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from asn1crypto import pem, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives.asymmetric import padding

from vbsign._core.x509 import fingerprint
from vbsign.policy.roots import (
    KNOWN_CAS,
    NEAC_ROOT,
    VGCA_G2_ROOT,
    AnchorBook,
    classify_certificate,
    known_ca,
    normalise_fingerprint,
    official_roots,
)

CERT_DIR = "vn-ca-certs"
#: the end-entity certificate of the corpus (not a CA: never an anchor)
END_ENTITY = "VGCALicenseKeyGenerator.cer"


def _load(path: Path) -> x509.Certificate:
    data = path.read_bytes()
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    return x509.Certificate.load(data)


@pytest.fixture
def corpus_certs(corpus: Path) -> dict[str, tuple[Path, x509.Certificate]]:
    out = {}
    for f in sorted((corpus / CERT_DIR).rglob("*")):
        if f.is_file():
            c = _load(f)
            out[fingerprint(c)] = (f, c)
    return out


def test_every_corpus_ca_is_known_with_its_real_data(corpus_certs):
    assert len(corpus_certs) == 20
    for fp, (f, c) in corpus_certs.items():
        if f.name == END_ENTITY:
            assert known_ca(fp) is None
            continue
        ca = known_ca(fp)
        assert ca is not None, f.name
        assert ca.source.endswith(f.name)
        assert ca.not_after == c.not_valid_after.date() and ca.not_before == c.not_valid_before.date()
        assert ca.signature_hash == c["signature_algorithm"].hash_algo
        assert ca.key == f"RSA-{c.public_key.bit_size}"
        assert (ca.role == "root") == (c.self_signed in ("yes", "maybe"))
    assert {c.sha256 for c in KNOWN_CAS} <= set(corpus_certs)


def test_fingerprints_match_the_legal_rules_table(corpus):
    doc = corpus.parent / "docs" / "legal-rules.md"
    if not doc.is_file():
        pytest.skip("legal-rules.md not available")
    table = {m.group(1).replace(":", "") for m in re.finditer(r"`((?:[0-9A-F]{2}:){31}[0-9A-F]{2})`", doc.read_text("utf-8"))}
    assert {c.sha256 for c in KNOWN_CAS} <= table


def test_hierarchies_are_proven_by_signatures(corpus_certs):
    """Each intermediate is really signed by the CA the data names as its issuer."""
    by_fp = {fp: c for fp, (_f, c) in corpus_certs.items()}
    for ca in KNOWN_CAS:
        if ca.issuer_sha256 is None:
            continue
        child = cx509.load_der_x509_certificate(by_fp[ca.sha256].dump())
        parent = cx509.load_der_x509_certificate(by_fp[ca.issuer_sha256].dump())
        assert child.issuer == parent.subject
        algo = child.signature_hash_algorithm
        assert algo is not None
        # raises InvalidSignature if the parent did not sign the child (SHA-1 included)
        parent.public_key().verify(child.signature, child.tbs_certificate_bytes, padding.PKCS1v15(), algo)  # type: ignore[union-attr, call-arg, arg-type]
        assert known_ca(ca.issuer_sha256).hierarchy == ca.hierarchy  # type: ignore[union-attr]


def test_government_versus_national_classification(corpus_certs):
    expected = {
        "rootcag2.crt": ("cdcv", "root", "G2"),
        "cpcag2.crt": ("cdcv", "intermediate", "G2"),
        "VGCA_ROOTCA_BIN.cer": ("cdcv", "root", "G1"),
        "CP_BIN.cer": ("cdcv", "intermediate", "G1"),
        "BTC_BIN.cer": ("cdcv", "intermediate", "G1"),
        "BCA_BIN.cer": ("cdcv", "intermediate", "G1"),
        "BNG_BIN.cer": ("cdcv", "intermediate", "G1"),
        "DCS_BIN.cer": ("cdcv", "intermediate", "G1"),
        "vnrca256.crt": ("national", "root", "current"),
        "vnpt-ca-sha2.crt": ("national", "intermediate", "current"),
        "MIC_BIN.cer": ("national", "root", "legacy"),
        "VNPTCA_BIN.cer": ("national", "intermediate", "legacy"),
        "VIETTELCA_BIN.cer": ("national", "intermediate", "legacy"),
        "BKAVCA_BIN.cer": ("national", "intermediate", "legacy"),
        "FPTCA_BIN.cer": ("national", "intermediate", "legacy"),
        "CA2_BIN.cer": ("national", "intermediate", "legacy"),
        "SMARTSIGN_BIN.cer": ("national", "intermediate", "legacy"),
        "SafeCA_BIN.cer": ("national", "intermediate", "legacy"),
        "NEWTELCA_BIN.cer": ("national", "intermediate", "legacy"),
    }
    seen = set()
    for fp, (f, _c) in corpus_certs.items():
        if f.name == END_ENTITY:
            continue
        ca = known_ca(fp)
        assert ca is not None
        assert (ca.hierarchy, ca.role, ca.generation) == expected[f.name], f.name
        seen.add(f.name)
    assert seen == set(expected)
    assert {c.sha256 for c in official_roots("cdcv")} == {VGCA_G2_ROOT, known_ca("F7:BC:89:05:4C:EC:7F:12:73:0D:7B:8C:D3:EB:79:55:B1:63:83:50:87:E5:EB:87:3E:DF:B5:84:76:3B:3F:90").sha256}  # type: ignore[union-attr]
    assert NEAC_ROOT in {c.sha256 for c in official_roots("national")}


def test_expired_intermediates_are_reported(corpus_certs, t0):
    expired = set()
    for fp, (f, c) in corpus_certs.items():
        bc = c.basic_constraints_value
        cls = classify_certificate(
            fp,
            is_ca=bool(bc and bc["ca"].native),
            self_signed=c.self_signed in ("yes", "maybe"),
            not_after=c.not_valid_after,
            signature_hash=c["signature_algorithm"].hash_algo,
            at=t0,
        )
        if cls.expired:
            expired.add(f.name)
            assert "EXPIRED" in cls.message.en and "HẾT HẠN" in cls.message.vi
    assert expired == {
        "VNPTCA_BIN.cer", "VIETTELCA_BIN.cer", "BKAVCA_BIN.cer", "FPTCA_BIN.cer",
        "CA2_BIN.cer", "SMARTSIGN_BIN.cer", "SafeCA_BIN.cer", "NEWTELCA_BIN.cer",
    }  # fmt: skip


def test_sha1_legacy_cas_are_flagged_but_roots_self_signature_is_not(corpus_certs, t0):
    for fp, (f, c) in corpus_certs.items():
        if f.name not in ("BTC_BIN.cer", "MIC_BIN.cer"):
            continue
        cls = classify_certificate(
            fp, is_ca=True, self_signed=c.self_signed in ("yes", "maybe"), not_after=c.not_valid_after,
            signature_hash="sha1", at=t0,
        )  # fmt: skip
        assert ("SHA-1" in cls.message.en) is (f.name == "BTC_BIN.cer")


def test_test_pki_roots_are_never_official(pki):
    for label in ("gov-root", "pub-root"):
        fp = fingerprint(pki.cert(label))
        assert known_ca(fp) is None
        assert AnchorBook().lookup(fp) is None
        entry = AnchorBook().with_configured("cdcv", [fp], source="test.toml").lookup(fp)
        assert entry is not None and entry.official is False and entry.source == "test.toml"


def test_configuration_cannot_reclassify_an_official_root():
    book = AnchorBook().with_configured("cdcv", [NEAC_ROOT], source="evil.toml")
    entry = book.lookup(NEAC_ROOT)
    assert entry is not None and entry.hierarchy == "national" and entry.official


def test_fingerprint_format():
    assert normalise_fingerprint("f0:4b:" + "00:" * 29 + "ff") == "F04B" + "00" * 29 + "FF"
    with pytest.raises(ValueError):
        normalise_fingerprint("F04B")
    assert classify_certificate(
        VGCA_G2_ROOT, is_ca=True, self_signed=True, not_after=datetime(2048, 8, 14, tzinfo=timezone.utc),
        signature_hash="sha256", at=datetime(2026, 12, 1, tzinfo=timezone.utc),
    ).known.name == "RootCA chuyên dùng Chính phủ G2"  # type: ignore[union-attr]  # fmt: skip
