"""Signer classification: natural person vs organisation, on certificates shaped like the real
ones (no title, no UID, CN ≠ O), never a guess presented as fact."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pytest
from asn1crypto import pem, x509

from vbsign._core.i18n import Msg
from vbsign.model.report import CertificateInfo
from vbsign.model.signers import SignerRecord
from vbsign.policy import ClassificationConfig, classify_signer
from vbsign.policy.classify import is_personal_name, names_a_body


def info(pki, label: str) -> CertificateInfo:  # type: ignore[no-untyped-def]
    return CertificateInfo.from_asn1(pki.cert(label))


def load(path: Path) -> CertificateInfo:
    data = path.read_bytes()
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    return CertificateInfo.from_asn1(x509.Certificate.load(data))


@pytest.mark.parametrize(
    ("label", "kind", "signal"),
    [
        ("person", "person", "a person's"),
        ("person-b", "person", "a person's"),
        ("person-ec", "person", "a person's"),
        ("revoked", "person", "a person's"),  # "(TEST bị thu hồi)" is ignored
        ("agency", "organisation", "a body's"),
        ("agency-b", "organisation", "a body's"),
        ("agency-unit", "organisation", "a body's"),
        ("subscriber", "person", "CCCD"),
        ("pub-org", "organisation", "MST"),
    ],
)
def test_real_shaped_test_pki_signers(pki, label, kind, signal):
    ci = info(pki, label)
    # the shapes of the real government certificates: no title, no UID, CN ≠ O
    if label in ("person", "person-b", "agency", "agency-b", "agency-unit"):
        assert "title" not in ci.subject_fields and "user_id" not in ci.subject_fields
        assert ci.common_name != ci.subject_fields["organization_name"]
    cls = classify_signer(ci)
    assert cls.kind == kind and cls.source == "subject"
    assert signal in cls.explain("en")


def test_the_real_g2_agency_certificate_is_an_organisation(corpus: Path):
    ci = load(corpus / "vn-ee-certs" / "cuc-thue-bo-tai-chinh-g2.cer")
    assert ci.subject_fields["common_name"] == "CỤC THUẾ" and ci.subject_fields["organization_name"] == "BỘ TÀI CHÍNH"
    cls = classify_signer(ci)
    assert cls.kind == "organisation" and "CỤC THUẾ" in cls.explain("vi")


def test_real_ca_certificates_are_nobody_s_signing_certificate(corpus: Path):
    for path in (
        corpus / "vn-ca-certs" / "nguyentvtk-eSign.Files" / "vgca" / "cpcag2.crt",
        corpus / "vn-ca-certs" / "nguyentvtk-eSign.Files" / "vgca" / "rootcag2.crt",
    ):
        cls = classify_signer(load(path))
        assert cls.kind == "unknown" and "CA certificate" in cls.explain("en"), path


def test_a_certificate_without_any_signal_is_unknown_with_advice(pki, corpus: Path):
    cls = classify_signer(info(pki, "service-system"))
    assert cls.kind == "unknown" and cls.source == "none"
    cls = classify_signer(load(corpus / "vn-ca-certs" / "tttk6102tt-vgca" / "VGCALicenseKeyGenerator.cer"))
    assert cls.kind == "unknown"


def test_uid_prefixes(pki):
    base = info(pki, "subscriber")
    for uid, kind in (("MST:0301519977-029", "unknown"), ("CMND:012345678", "person"), ("HC:B1234567", "person")):
        # a tax code on a personal name contradicts the name → unknown, never a guess
        ci = dataclasses.replace(base, subject_fields={**base.subject_fields, "user_id": uid})
        assert classify_signer(ci).kind == kind, uid
    org = info(pki, "pub-org")
    ci = dataclasses.replace(org, subject_fields={**org.subject_fields, "user_id": "MST:0301519977-029"})
    assert classify_signer(ci).kind == "organisation"


def test_contradicting_subject_signals_are_unknown(pki):
    agency = info(pki, "agency")
    both = dataclasses.replace(agency, subject_fields={**agency.subject_fields, "title": "Văn thư"})
    cls = classify_signer(both)
    assert cls.kind == "unknown" and "contradict" in cls.explain("en")


def test_configuration_outranks_everything_and_says_what_it_overrode(pki):
    agency, person = info(pki, "agency"), info(pki, "person")
    cfg = ClassificationConfig(by_fingerprint={agency.sha256_fingerprint: "person"})
    cls = classify_signer(agency, cfg)
    assert cls.kind == "person" and cls.source == "configuration"
    assert "not used" in cls.explain("en") and "a body's" in cls.explain("en")
    cfg = ClassificationConfig(by_policy_oid={"2.16.704.1.1.1.1.1": "organisation"})
    assert classify_signer(person, cfg).kind == "organisation"
    # by issuing CA: every subscriber of this CA is an organisation
    gov_ca = info(pki, "gov-ca").sha256_fingerprint
    cfg = ClassificationConfig(by_issuer={gov_ca: "organisation"})
    service = info(pki, "service-system")
    assert classify_signer(service, cfg, issuer_sha256=gov_ca).kind == "organisation"
    assert classify_signer(service, cfg, issuer_sha256="00" * 32).kind == "unknown"


def test_a_registry_record_classifies_what_the_name_cannot(pki):
    service = info(pki, "service-system")
    rec = SignerRecord("organisation", "sổ đăng ký / registry", Msg("thuê bao #3", "subscriber #3"))
    cls = classify_signer(service, record=rec)
    assert cls.kind == "organisation" and cls.source == "record" and "subscriber #3" in cls.explain("en")
    # a record outranks what the name suggests, the policy file outranks the record
    person = info(pki, "person")
    assert classify_signer(person, record=rec).kind == "organisation"
    cfg = ClassificationConfig(by_fingerprint={person.sha256_fingerprint: "person"})
    assert classify_signer(person, cfg, record=rec).kind == "person"
    # disagreeing records (two plugins) → unknown
    assert classify_signer(service, record=SignerRecord("unknown", "a, b")).kind == "unknown"


def test_unicode_normalisation_of_cn_and_o(pki):
    org = info(pki, "pub-org")
    nfd = unicodedata.normalize("NFD", "CÔNG TY CỔ PHẦN  DỊCH VỤ SỐ THỬ NGHIỆM")
    ci = dataclasses.replace(org, subject_fields={**org.subject_fields, "common_name": nfd, "user_id": ""})
    assert classify_signer(ci).kind == "organisation"


@pytest.mark.parametrize(
    ("name", "body", "person"),
    [
        ("CỤC THUẾ", True, False),
        ("TỔNG CỤC THUẾ", True, False),
        ("CHI CỤC THUẾ THÀNH PHỐ THỦ ĐỨC", True, False),
        ("Ủy ban nhân dân xã Tân Lập", True, False),
        ("UBND HUYỆN ĐÔNG ANH", True, False),
        ("Nguyễn Văn A", False, True),
        ("NGUYỄN THỊ MINH KHAI", False, True),
        ("Truong Thi Hoa", False, True),  # a name written without diacritics (legacy G1 style)
        ("Đoàn Văn Bình (TEST)", False, True),
        ("Hệ thống quản lý văn bản và điều hành", False, False),
        ("VGCA License Key Generator", False, False),
        ("Nguyễn Văn 2", False, False),
    ],
)
def test_name_signals(name, body, person):
    assert names_a_body(name) is body
    assert is_personal_name(name) is person
