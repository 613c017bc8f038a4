"""Importing certificates: the real Vietnamese CA certificates, test-PKI subscribers,
PEM/DER/PKCS#7, folders, duplicates, matching to subscribers, renewals."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms, pem

from vbsign import testpki
from vbsign.registry.certinfo import _read_asn1, _read_pyca, read_fields

# SHA-256 fingerprints read with openssl from the corpus copies (docs/legal-rules.md §6.3)
VGCA_ROOT_G2 = "F04BA4B459A7C9A1B971AD9B1CB833E695A80C79AEA63B174B66A70EDFE2FDB8"
VGCA_CA_G2 = "D8CAB7A4AEF92E6BB2509D7C61CEE7B44F3731B2D210749635302 77B366FAE4B".replace(" ", "")
NEAC_ROOT = "BAC8BF609AB420A8EE1780D74F4DE5C7F7184959D2A7375B0A75E4C29F0908E7"


def cn(pki: Any, label: str) -> str:
    """The common name of a test-PKI certificate (tests never hard-code the shapes)."""
    return str(pki.cert(label).subject.native["common_name"])


def test_real_vietnamese_ca_certificates(reg: Any, corpus: Path) -> None:
    folder = corpus / "vn-ca-certs"
    result = reg.import_paths([folder])
    assert result.problems == []
    assert len(result.added) == 20 and result.duplicates == []
    certs = {c.fingerprint: c for c in reg.list_certificates(include_ca=True)}
    root = certs[VGCA_ROOT_G2]
    assert root.subject_cn == "RootCA chuyên dùng Chính phủ G2" and root.is_ca
    assert root.not_after.year == 2048 and root.key_type == "RSA-4096"
    assert certs[VGCA_CA_G2].issuer_cn == "RootCA chuyên dùng Chính phủ G2"
    assert certs[NEAC_ROOT].subject_cn == "Vietnam National Root CA"
    # the only end-entity certificate of the folder is not a CA, and nobody holds it
    ee = [c for c in certs.values() if not c.is_ca]
    assert [c.subject_cn for c in ee] == ["VGCA License Key Generator"] and ee[0].subscriber_id is None
    # importing again: every certificate is recognised by its fingerprint
    again = reg.import_paths([folder / "nguyentvtk-eSign.Files", folder])
    assert again.added == [] and len(again.duplicates) == 24
    assert len(reg.list_certificates(include_ca=True)) == 20


def test_test_pki_subscribers_are_matched(seeded: tuple[Any, dict[str, int]], pki: Any) -> None:
    reg, ids = seeded
    by_cn = {c.subject_cn: c for c in reg.list_certificates()}
    # UID=CCCD:… matched the subscriber registered with "cccd: 001190012345"
    assert by_cn["Phạm Thị Dung"].subscriber_id == ids["subscriber"]
    # name + O/OU naming the subscriber's unit (or a parent unit)
    assert by_cn["Nguyễn Văn A"].subscriber_id == ids["person"]
    assert by_cn["Lê Văn Cường"].subscriber_id == ids["person-ec"]
    # seals: the CN names the unit (in capitals), the O its parent body — as on the real ones
    assert by_cn[cn(pki, "agency")].subscriber_id == ids["agency"]
    assert by_cn[cn(pki, "agency-b")].subscriber_id == ids["agency-b"]
    assert by_cn["Nguyễn Văn A"].unit_code == "CDS" and by_cn["Lê Văn Cường"].key_type == "EC-P-256"


def test_formats_pem_bundle_der_pkcs7_and_bad_files(sreg: Any, pki: Any, tmp_path: Path) -> None:
    sreg.add_unit("BO", "Bộ Khoa học và Công nghệ")
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "bundle.pem").write_bytes(testpki.pem_bundle([pki.cert("person"), pki.cert("agency")]))
    (tmp_path / "nested" / "person-b.der").write_bytes(pki.cert("person-b").dump())
    sd = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [],
            "encap_content_info": {"content_type": "data"},
            "certificates": [pki.cert("subscriber"), pki.cert("pub-ca")],
            "signer_infos": [],
        }
    )
    p7 = cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()
    (tmp_path / "nested" / "deeper" / "chain.p7b").write_bytes(p7)
    (tmp_path / "nested" / "chain-pem.p7c").write_bytes(pem.armor("PKCS7", p7))
    (tmp_path / "nested" / "broken.crt").write_bytes(b"not a certificate")
    (tmp_path / "notes.txt").write_text("ignored: not a certificate suffix")
    result = sreg.import_paths([tmp_path, tmp_path / "missing.pem"])
    cns = sorted(i.subject_cn for i in result.added)
    assert cns == sorted(["Nguyễn Văn A", cn(pki, "agency"), "Trần Thị Bình", "Phạm Thị Dung",
                          "Public CA SHA2 (TEST)"])
    # the PEM copy of the PKCS#7 bundle repeats two certificates: duplicates, not errors
    assert len(result.duplicates) == 2
    sources = {Path(p.source).name for p in result.problems}
    assert sources == {"broken.crt", "missing.pem"}
    assert all(p.message.vi and p.message.en for p in result.problems)


def test_ambiguous_names_are_not_guessed(sreg: Any, pki: Any) -> None:
    sreg.add_unit("BO", "Bộ Khoa học và Công nghệ")
    sreg.add_unit("LDB", "Lãnh đạo Bộ", parent="BO")
    sreg.add_unit("X", "Một đơn vị khác")
    a1 = sreg.add_subscriber("Nguyễn Văn A", "LDB")
    sreg.add_subscriber("Nguyễn Văn A", "X")
    result = sreg.import_certificates([pki.cert("person")])
    (item,) = result.items
    assert item.subscriber_id == a1.id and item.matched_by == "subject"  # the unit decides
    sreg.add_subscriber("NGUYỄN VĂN A", "BO")  # a second one in a unit the certificate names
    result = sreg.import_certificates([pki.cert("person-b"), pki.cert("person")])
    person = [i for i in result.items if i.subject_cn == "Nguyễn Văn A"][0]
    assert person.outcome == "duplicate"


def test_two_candidates_in_the_named_units_stay_unmatched(sreg: Any, pki: Any) -> None:
    sreg.add_unit("BO", "Bộ Khoa học và Công nghệ")
    sreg.add_unit("LDB", "Lãnh đạo Bộ", parent="BO")
    sreg.add_subscriber("Nguyễn Văn A", "LDB")
    sreg.add_subscriber("nguyễn văn a", "BO")
    (item,) = sreg.import_certificates([pki.cert("person")]).items
    assert item.subscriber_id is None and item.note is not None
    assert "2 thuê bao trùng tên" in item.note.vi and "assign one explicitly" in item.note.en


def test_create_missing_subscribers(sreg: Any, pki: Any) -> None:
    sreg.add_unit("BO", "Bộ Khoa học và Công nghệ")
    sreg.add_unit("TTCNTT", "Trung tâm Công nghệ thông tin", parent="BO")
    result = sreg.import_certificates([pki.cert("person-ec"), pki.cert("agency"), pki.cert("subscriber")],
                                      create_missing=True)
    made = {i.subject_cn: i for i in result.items}
    assert made["Lê Văn Cường"].matched_by == "created"
    assert made[cn(pki, "agency")].matched_by == "created"
    assert made["Phạm Thị Dung"].subscriber_id is None  # its subject names no registered unit
    subs = {s.full_name: s for s in sreg.list_subscribers()}
    # the person's OU (the Cục) is not registered: the ministry (O) is the unit
    assert subs["Lê Văn Cường"].unit_code == "BO" and subs["Lê Văn Cường"].kind == "person"
    # a seal certificate names the unit, not the ministry (CN ≠ O): still an organisation
    assert subs[cn(pki, "agency")].kind == "organisation"
    # a name that is neither a body's nor a person's: not created, the operator decides
    (odd,) = sreg.import_certificates([pki.cert("service-system")], create_missing=True).items
    assert odd.subscriber_id is None


def _renewed(pki: Any, label: str, *, start: datetime, years: int, same_key: bool = True) -> Any:
    """A certificate for the same subject as ``label``, issued by the same (test) CA."""
    from asn1crypto import x509
    from cryptography import x509 as pyca
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    old = pyca.load_der_x509_certificate(pki.cert(label).dump())
    ca_key = serialization.load_der_private_key(pki.private_key("gov-ca").dump(), None)
    pub = old.public_key() if same_key else rsa.generate_private_key(65537, 2048).public_key()
    cert = (
        pyca.CertificateBuilder()
        .subject_name(old.subject)
        .issuer_name(old.issuer)
        .public_key(pub)
        .serial_number(pyca.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start.replace(year=start.year + years))
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def test_renewal_is_linked(seeded: tuple[Any, dict[str, int]], pki: Any) -> None:
    reg, ids = seeded
    old_fp = reg.list_certificates(subscriber=ids["person"])[0].fingerprint
    renewal = _renewed(pki, "person", start=datetime(2029, 12, 1, tzinfo=UTC), years=3)
    (item,) = reg.import_certificates([renewal]).items
    assert item.subscriber_id == ids["person"] and item.renewal_of == old_fp
    # a certificate for another subscriber, new key, after a gap: a new issuance
    fresh = _renewed(pki, "person-ec", start=datetime(2031, 6, 1, tzinfo=UTC), years=2, same_key=False)
    (item2,) = reg.import_certificates([fresh]).items
    assert item2.subscriber_id == ids["person-ec"] and item2.renewal_of is None


def test_both_parsers_agree_on_every_certificate(pki: Any, corpus: Path) -> None:
    from vbsign._core.x509 import read_certificates

    labels = (*testpki.SUBJECTS, *testpki.ROOTS, *testpki.INTERMEDIATES, *testpki.SERVICE_CERTS)
    certs = [pki.cert(lbl) for lbl in labels]
    for f in sorted((corpus / "vn-ca-certs").rglob("*.c*")):
        certs += read_certificates(f.read_bytes())
    assert len(certs) == len(labels) + 20  # the test PKI and the 20 real VN CA certificates
    for c in certs:
        assert dataclasses.asdict(_read_pyca(c.dump())) == dataclasses.asdict(_read_asn1(c))
    f = read_fields(pki.cert("subscriber"))
    assert f.subject_uid == "CCCD:001190012345" and f.subject == (
        "C=VN, ST=Hà Nội, L=Cầu Giấy, CN=Phạm Thị Dung, UID=CCCD:001190012345"
    )


def test_expiring_list(seeded: tuple[Any, dict[str, int]], pki: Any) -> None:
    reg, _ = seeded
    at = datetime(2029, 12, 10, tzinfo=UTC)
    soon = reg.expiring(30, at=at)
    assert {c.subject_cn for c in soon} >= {"Nguyễn Văn A", cn(pki, "agency"), "Lê Văn Cường"}
    assert "Phạm Thị Dung" not in {c.subject_cn for c in soon}  # expires in 2028
    assert all(at < c.not_after <= at + timedelta(days=30) and not c.is_ca for c in soon)
    assert reg.expiring(30, at=datetime(2029, 11, 1, tzinfo=UTC)) == []
    assert reg.expiring(0, at=at) == []


@pytest.mark.parametrize("ref", ["prefix", "full", "colons"])
def test_certificate_lookup(seeded: tuple[Any, dict[str, int]], ref: str) -> None:
    reg, ids = seeded
    fp = reg.list_certificates(subscriber=ids["person"])[0].fingerprint
    key = {"prefix": fp[:10].lower(), "full": fp, "colons": ":".join(fp[i : i + 2] for i in range(0, 64, 2))}[ref]
    assert reg.certificate(key).fingerprint == fp
