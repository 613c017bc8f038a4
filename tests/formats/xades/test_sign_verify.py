"""XAdES signing and verification: levels, packagings, keys, tampering, signature wrapping."""

from __future__ import annotations

import asyncio
import base64
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from vbsign import api
from vbsign._core.errors import CertificateRejected
from vbsign.formats.ades import AdesVerifyOptions
from vbsign.formats.xades.verify import verify_xml
from vbsign.model.report import Indication, SubIndication
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import Services

DS = "http://www.w3.org/2000/09/xmldsig#"
QD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<QuyetDinh xmlns="urn:vn:gov:qd" Id="qd-12">'
    "<So>12/QĐ-BKHCN</So><TrichYeu>Về việc phê duyệt kế hoạch năm 2027</TrichYeu>"
    "<NoiDung>Điều 1. Phê duyệt kế hoạch…</NoiDung></QuyetDinh>"
).encode()


def _sig(report: Any, i: int = 0) -> Any:
    return report.signatures[i]


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT"])
@pytest.mark.parametrize("packaging", ["enveloped", "enveloping", "detached"])
def test_round_trip_levels_and_packagings(sign_as: Any, verify_at: Any, level: str, packaging: str) -> None:
    signed = sign_as("person", QD, level=level, packaging=packaging, signer_role="Thứ trưởng")
    content = QD if packaging == "detached" else None
    # B-LT carries its own validation data: verified offline; B-B/B-T fetch revocation
    report = verify_at(signed, fetch=level != "B-LT", content=content)
    sig = _sig(report)
    assert report.indication is Indication.TOTAL_PASSED, [f.code for f in sig.findings]
    assert report.document.format == "xml"
    assert sig.level == level
    assert sig.signer.common_name == "Nguyễn Văn A"
    assert sig.signing_time_source == ("claimed" if level == "B-B" else "timestamp")
    assert sig.has_finding("CLAIMED_ROLE")
    assert "signing_certificate_v2" in sig.signed_attributes and "signing_time" in sig.signed_attributes
    assert sig.integrity.signature_algorithm_oid == "1.2.840.113549.1.1.11"
    if level == "B-LT":
        assert sig.revocation.source == "embedded" and sig.revocation.status == "good"
        assert {"certificate_values", "revocation_values"} <= set(sig.unsigned_attributes)
    expected = {"enveloped": "document:", "enveloping": "object:", "detached": "detached:"}[packaging]
    assert sig.signed_scope and sig.signed_scope[0].startswith(expected)


def test_ecdsa_and_pss_keys(sign_as: Any, verify_at: Any) -> None:
    for subject, opts, oid in (("person-ec", {}, "1.2.840.10045.4.3.2"), ("person", {"prefer_pss": True}, "1.2.840.113549.1.1.10")):
        signed = sign_as(subject, QD, level="B-T", **opts)
        report = verify_at(signed, fetch=True)
        assert report.indication is Indication.TOTAL_PASSED, report.signatures[0].findings
        assert report.signatures[0].integrity.signature_algorithm_oid == oid


def test_signxml_independently_verifies_our_b_b(sign_as: Any, pki: Any, t0: Any, tmp_path: Path) -> None:
    """signxml (a separate implementation) checks value, references and the chain to our roots."""
    signxml = pytest.importorskip("signxml.xades")
    from vbsign.testpki import pem_bundle

    roots = tmp_path / "roots.pem"
    roots.write_bytes(pem_bundle(pki.roots))
    config = signxml.XAdESSignatureConfiguration(expect_references=2, verification_time=t0)
    signed = sign_as("person", QD, level="B-B", packaging="enveloping")
    results = signxml.XAdESVerifier().verify(signed, ca_pem_file=str(roots), expect_config=config)
    objects = [r.signed_xml for r in results if r.signed_xml is not None and r.signed_xml.tag == f"{{{DS}}}Object"]
    assert objects and objects[0][0].tag == "{urn:vn:gov:qd}QuyetDinh"
    from signxml.exceptions import InvalidDigest

    with pytest.raises(InvalidDigest):
        signxml.XAdESVerifier().verify(signed.replace(b"2027", b"2028"), ca_pem_file=str(roots), expect_config=config)


def test_signxml_verifies_classic_enveloped_transform(pki: Any, pki_dir: Path, services: Services, tsa: Any, t0: Any) -> None:
    """With ``enveloped_transform="enveloped"`` the output is plain XML-DSig that signxml reads."""
    signxml = pytest.importorskip("signxml.xades")
    from cryptography import x509

    from vbsign.backends import open_key
    from vbsign.formats.xades.sign import XadesOptions, sign_xades

    with open_key(pki_dir / "person.p12", passphrase="vbsign-test") as key:
        out = asyncio.run(sign_xades(QD, key, XadesOptions(level="B-B", enveloped_transform="enveloped"), now=t0))
    cert = x509.load_der_x509_certificate(pki.cert("person").dump())
    res = signxml.XAdESVerifier().verify(
        out.data, x509_cert=cert, expect_config=signxml.XAdESSignatureConfiguration(expect_references=2, verification_time=t0)
    )
    assert res[0].signed_xml.tag == "{urn:vn:gov:qd}QuyetDinh"


# ---- tampering ---------------------------------------------------------------------------------


def test_tampered_content_signed_properties_and_value_are_detected(sign_as: Any, verify_at: Any) -> None:
    signed = sign_as("person", QD, level="B-B")
    text = signed.decode()
    cases = {
        "content": (text.replace("năm 2027", "năm 2028"), SubIndication.HASH_FAILURE),
        "signing time": (re.sub(r"<xades:SigningTime>[^<]+", "<xades:SigningTime>2020-01-01T00:00:00Z", text), SubIndication.HASH_FAILURE),
    }
    sv = re.search(r'(<ds:SignatureValue[^>]*>)([^<]+)', text)
    assert sv is not None
    raw = bytearray(base64.b64decode(sv.group(2)))
    raw[10] ^= 1
    cases["value"] = (text.replace(sv.group(2), base64.b64encode(bytes(raw)).decode()), SubIndication.SIG_CRYPTO_FAILURE)
    for name, (data, sub) in cases.items():
        report = verify_at(data.encode(), fetch=True)
        assert report.indication is Indication.TOTAL_FAILED, name
        assert report.sub_indication is sub, (name, report.sub_indication)


def test_detached_needs_the_right_content(sign_as: Any, verify_at: Any, tmp_path: Path) -> None:
    signed = sign_as("person", QD, level="B-B", packaging="detached")
    report = verify_at(signed, fetch=True)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND
    other = tmp_path / "document"
    other.write_bytes(QD.replace(b"2027", b"2028"))
    report = verify_at(signed, fetch=True, content=other)
    assert report.sub_indication is SubIndication.HASH_FAILURE


def test_revoked_signer_is_refused_before_signing(sign_as: Any) -> None:
    with pytest.raises(CertificateRejected):
        sign_as("revoked", QD, level="B-B")


def test_b_lt_still_validates_offline_a_year_later(sign_as: Any, verify_at: Any, t0: Any) -> None:
    signed = sign_as("person", QD, level="B-LT")
    report = verify_at(signed, when=t0 + timedelta(days=365))
    assert report.indication is Indication.TOTAL_PASSED
    b_t = sign_as("person", QD, level="B-T")
    assert verify_at(b_t, when=t0 + timedelta(days=365)).sub_indication is SubIndication.TRY_LATER


def test_parallel_signatures_by_person_and_agency(sign_as: Any, verify_at: Any, pki: Any) -> None:
    """The first of several signers chooses XPath Filter 2.0; the next one signs with the default."""
    once = sign_as("person", QD, level="B-LT", xades_transform="filter2")
    assert b"xmldsig-filter2" in once
    twice = sign_as("agency", once, level="B-LT", format="xml")
    report = verify_at(twice)
    assert report.indication is Indication.TOTAL_PASSED
    expected = [pki.cert(label).subject.native["common_name"] for label in ("person", "agency")]
    assert [s.signer.common_name for s in report.signatures] == expected


def test_default_enveloped_transform_and_a_second_signer(sign_as: Any, verify_at: Any) -> None:
    """Default: the plain enveloped-signature transform; a second enveloped signature would
    break the first, so it is refused with the way out (issue 12)."""
    from vbsign._core.errors import InputError

    once = sign_as("person", QD, level="B-B")
    assert b"xmldsig#enveloped-signature" in once and b"xmldsig-filter2" not in once
    assert verify_at(once).signatures[0].integrity.intact
    with pytest.raises(InputError) as e:
        sign_as("agency", once, level="B-B", format="xml")
    assert "--xades-transform filter2" in e.value.message_en
    # detached and enveloping stay possible
    assert sign_as("agency", once, level="B-B", format="xml", packaging="detached")


# ---- what was signed: signature wrapping ---------------------------------------------------------


def _sign_element(pki_dir: Path, t0: Any, data: bytes) -> bytes:
    from vbsign.backends import open_key
    from vbsign.formats.xades.sign import XadesOptions, sign_xades

    with open_key(pki_dir / "person.p12", passphrase="vbsign-test") as key:
        return asyncio.run(sign_xades(data, key, XadesOptions(level="B-B", sign_ids=("order",)), now=t0)).data


def _verify(data: bytes, pki: Any, t0: Any) -> Any:
    options = AdesVerifyOptions(
        trust=TrustStore(tuple(pki.roots)), now=t0, services=Services(online=False, fetcher_backend=pki.fetcher_backend(t0))
    )
    return asyncio.run(verify_xml(data, "doc.xml", options))


def test_signed_elements_are_exposed_and_wrapping_is_caught(pki: Any, pki_dir: Path, t0: Any) -> None:
    doc = b'<Envelope><Order Id="order"><Amount>100</Amount></Order><Note>hello</Note></Envelope>'
    signed = _sign_element(pki_dir, t0, doc)
    result = _verify(signed, pki, t0)
    sig = result.report.signatures[0]
    assert sig.indication is Indication.TOTAL_PASSED
    assert [e.findtext("Amount") for e in result.signed_elements()] == ["100"]
    assert sig.signed_scope == ["element: /Envelope/Order #order"]
    # the unsigned <Note> is not covered: the document as a whole is not "valid"
    assert result.report.indication is Indication.INDETERMINATE
    assert result.report.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE
    partial = [f for f in result.report.findings if f.code == "PARTIAL_COVERAGE"]
    assert partial and "/Envelope/Note" in partial[0].details["unsigned"]

    # classic wrapping: move the signed element away, put a forged one where readers look
    root = etree.fromstring(signed)
    order = root.find("Order")
    wrapper = etree.SubElement(root.find(f"{{{DS}}}Signature"), f"{{{DS}}}Object")
    wrapper.append(order)
    forged = etree.SubElement(root, "Order")
    etree.SubElement(forged, "Amount").text = "999999"
    root.insert(0, forged)
    result = _verify(etree.tostring(root), pki, t0)
    assert result.report.indication is not Indication.TOTAL_PASSED
    assert [e.findtext("Amount") for e in result.signed_elements()] == ["100"]  # never the forgery

    # duplicate Id: ambiguous reference -> FORMAT_FAILURE
    root = etree.fromstring(signed)
    fake = etree.SubElement(root, "Order", Id="order")
    etree.SubElement(fake, "Amount").text = "5"
    report = _verify(etree.tostring(root), pki, t0).report
    assert report.indication is Indication.TOTAL_FAILED
    assert report.sub_indication is SubIndication.FORMAT_FAILURE
    assert report.signatures[0].has_finding("DUPLICATE_ID")


def test_content_injected_into_a_whole_document_signature_is_flagged(sign_as: Any, verify_at: Any) -> None:
    signed = sign_as("person", QD, level="B-LT")
    root = etree.fromstring(signed)
    sig = root.find(f"{{{DS}}}Signature")
    etree.SubElement(sig, f"{{{DS}}}Object").append(etree.fromstring("<Forged>Điều 2. Hủy bỏ…</Forged>"))
    report = verify_at(etree.tostring(root))
    assert report.signatures[0].indication is Indication.TOTAL_PASSED  # the signature itself is fine
    assert report.indication is Indication.INDETERMINATE  # …but the document carries unsigned content
    assert any("Forged" in p for f in report.findings if f.code == "PARTIAL_COVERAGE" for p in f.details["unsigned"])


def test_report_json_round_trip(sign_as: Any, verify_at: Any) -> None:
    from vbsign.model.report import Report

    report = verify_at(sign_as("person", QD, level="B-B"), fetch=True)
    again = Report.from_dict(report.to_dict())
    assert again.signatures[0].signed_scope == report.signatures[0].signed_scope
    assert again.document.format == "xml"


def test_levels_not_supported_for_xades_are_refused(sign_as: Any) -> None:
    from vbsign._core.errors import InputError

    with pytest.raises(InputError):
        sign_as("person", QD, level="B-LTA")


def test_api_dispatch_by_content(sign_as: Any) -> None:
    assert api.Signer  # the dispatch is in the API
    assert b"<ds:Signature" in sign_as("person", QD, level="B-B")


def test_costly_xpath_transforms_are_refused_fast() -> None:
    import time

    from vbsign.formats.xades import dsig

    doc = etree.ElementTree(etree.fromstring(b"<r>" + b"<e><f/></e>" * 20000 + b"</r>"))
    sig = etree.SubElement(doc.getroot(), f"{{{DS}}}Signature")
    ref = etree.fromstring(
        f'<ds:Reference xmlns:ds="{DS}" URI=""><ds:Transforms>'
        '<ds:Transform Algorithm="http://www.w3.org/2002/06/xmldsig-filter2">'
        '<f:XPath xmlns:f="http://www.w3.org/2002/06/xmldsig-filter2" Filter="subtract">//*[count(//*) &gt; 1]</f:XPath>'
        '</ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
        "<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>".encode()
    )
    t = time.perf_counter()
    out = dsig.process_reference(ref, doc, sig)
    assert out.problem == "UNSUPPORTED_TRANSFORM" and out.digest_ok is None
    per_node = etree.fromstring(
        f'<ds:Transform xmlns:ds="{DS}" Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116">'
        f'<ds:XPath>count(//*) &gt; 0</ds:XPath></ds:Transform>'.encode()
    )
    ref.find(f"{{{DS}}}Transforms").replace(ref.find(f"{{{DS}}}Transforms")[0], per_node)
    assert dsig.process_reference(ref, doc, sig).problem == "UNSUPPORTED_TRANSFORM"
    assert time.perf_counter() - t < 2.0


def test_adding_a_signature_that_would_break_an_existing_one_is_refused(pki_dir: Path, t0: Any, sign_as: Any) -> None:
    from vbsign._core.errors import InputError
    from vbsign.backends import open_key
    from vbsign.formats.xades.sign import XadesOptions, sign_xades

    with open_key(pki_dir / "person.p12", passphrase="vbsign-test") as key:
        classic = asyncio.run(sign_xades(QD, key, XadesOptions(level="B-B", enveloped_transform="enveloped"), now=t0))
    with pytest.raises(InputError) as ei:
        sign_as("agency", classic.data, level="B-B")
    assert "detached" in ei.value.message_en and "detached" in ei.value.message_vi
    assert sign_as("agency", classic.data, level="B-B", packaging="detached")  # still possible
