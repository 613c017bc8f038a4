"""Signer classification: natural person vs organisation, never a guess presented as fact."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from asn1crypto import pem, x509

from vbsign.policy import ClassificationConfig, classify_signer
from vbsign.report import CertificateInfo


def info(pki, label: str) -> CertificateInfo:  # type: ignore[no-untyped-def]
    return CertificateInfo.from_asn1(pki.cert(label))


@pytest.mark.parametrize(
    ("label", "kind", "signal"),
    [
        ("person", "person", "title"),
        ("person-b", "person", "title"),
        ("person-ec", "person", "title"),
        ("agency", "organisation", "CN"),
        ("agency-b", "organisation", "CN"),
        ("subscriber", "person", "CCCD"),
    ],
)
def test_test_pki_signers(pki, label, kind, signal):
    cls = classify_signer(info(pki, label))
    assert cls.kind == kind and cls.source == "subject"
    assert signal in cls.explain("en")


def test_uid_prefixes(pki):
    base = info(pki, "subscriber")
    for uid, kind in (("MST:0301519977-029", "organisation"), ("CMND:012345678", "person"), ("HC:B1234567", "person")):
        ci = dataclasses.replace(base, subject_fields={**base.subject_fields, "user_id": uid})
        assert classify_signer(ci).kind == kind, uid


def test_contradicting_or_missing_signals_are_unknown(pki):
    agency = info(pki, "agency")
    both = dataclasses.replace(agency, subject_fields={**agency.subject_fields, "title": "Văn thư"})
    cls = classify_signer(both)
    assert cls.kind == "unknown" and "contradict" in cls.explain("en")
    # a real VGCA G2 agency subject: a unit under the ministry, no UID, no title
    real = dataclasses.replace(
        agency,
        subject_fields={"country_name": "VN", "locality_name": "Hà Nội", "organization_name": "BỘ TÀI CHÍNH", "common_name": "TỔNG CỤC THUẾ"},
    )
    cls = classify_signer(real)
    assert cls.kind == "unknown" and cls.source == "none"
    assert "[classification]" in cls.explain("en")


def test_configuration_wins(pki):
    agency = info(pki, "agency")
    cfg = ClassificationConfig(by_fingerprint={agency.sha256_fingerprint: "person"})
    cls = classify_signer(agency, cfg)
    assert cls.kind == "person" and cls.source == "configuration"
    cfg = ClassificationConfig(by_policy_oid={"2.16.704.1.1.1.1.1": "organisation"})
    assert classify_signer(info(pki, "person"), cfg).kind == "organisation"


def test_unicode_normalisation_of_cn_and_o(pki):
    agency = info(pki, "agency")
    import unicodedata

    nfd = unicodedata.normalize("NFD", "BỘ KHOA HỌC  VÀ CÔNG NGHỆ")
    ci = dataclasses.replace(agency, subject_fields={**agency.subject_fields, "common_name": nfd})
    assert classify_signer(ci).kind == "organisation"


def test_corpus_end_entity_is_unknown(corpus: Path):
    data = (corpus / "vn-ca-certs" / "tttk6102tt-vgca" / "VGCALicenseKeyGenerator.cer").read_bytes()
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    cls = classify_signer(CertificateInfo.from_asn1(x509.Certificate.load(data)))
    assert cls.kind == "unknown"
