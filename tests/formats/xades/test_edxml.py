"""edXML envelopes: header signature, per-attachment verification, tampering."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from lxml import etree

from vbsign.formats.xades.edxml import EDXML_NS, Attachment, EdxmlHeader, build_envelope
from vbsign.model.report import Indication, SubIndication

HEADER = EdxmlHeader(
    from_organ_id="000.00.00.G22",
    from_organ_name="Bộ Khoa học và Công nghệ",
    to_organ_id="000.00.00.H26",
    to_organ_name="UBND thành phố Hà Nội",
    code_number="12",
    code_notation="QĐ-BKHCN",
    subject="Về việc phê duyệt kế hoạch năm 2027",
    promulgation_date="2026/12/01",
    signer_full_name="Nguyễn Văn A",
    signer_position="Thứ trưởng",
)
DOCX = b"PK\x03\x04 phu luc " * 50


@pytest.fixture(scope="module")
def envelope(pki: Any, pki_dir: Any, sample_pdf: bytes) -> bytes:
    """A B-LT-signed envelope: a PAdES-signed PDF, a CAdES-signed DOCX (+ .p7s), an unsigned annex."""
    from datetime import datetime, timezone

    from vbsign import api
    from vbsign.pki.validation import Services

    t0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)

    def signer(subject: str) -> api.Signer:
        return api.Signer(
            pki_dir / f"{subject}.p12", passphrase="vbsign-test", trust=pki.roots, tsa=pki.timestamper(t0),
            services=Services(online=False, fetcher_backend=pki.fetcher_backend(t0)), clock=lambda: t0,
        )

    with signer("person") as person:
        pdf = person.sign(sample_pdf).data
        p7s = person.sign(DOCX).data
    env = build_envelope(
        HEADER,
        [
            Attachment("quyet-dinh.pdf", pdf, "application/pdf", "Quyết định"),
            Attachment("bao-cao.docx", DOCX, "application/octet-stream", "Báo cáo"),
            Attachment("bao-cao.docx.p7s", p7s, "application/pkcs7-signature", "Chữ ký báo cáo"),
            Attachment("phu-luc.txt", "Phụ lục không ký".encode(), "text/plain", "Phụ lục"),
        ],
    )
    with signer("agency") as agency:
        return agency.sign(env).data  # format detected: edXML


def _att(report: Any, name: str) -> Any:
    return next(a for a in report.attachments if a.name == name)


def test_envelope_and_attachments_verify(envelope: bytes, verify_at: Any) -> None:
    assert b"edXML:DigitalSignature" in envelope and b"ds:Signature" in envelope
    report = verify_at(envelope)
    assert report.indication is Indication.TOTAL_PASSED, [(f.code, f.message_en) for f in report.findings]
    assert [s.signer.common_name for s in report.signatures] == ["CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"]
    header = next(f for f in report.findings if f.code == "EDXML_HEADER")
    assert header.details["code_number"] == "12" and header.details["from"] == "Bộ Khoa học và Công nghệ"
    assert report.signatures[0].level == "B-LT"
    pdf = _att(report, "quyet-dinh.pdf")
    assert pdf.indication is Indication.TOTAL_PASSED and pdf.report.document.format == "pdf"
    assert pdf.covered_by_envelope
    p7s = _att(report, "bao-cao.docx.p7s")
    assert p7s.indication is Indication.TOTAL_PASSED and p7s.report.document.format == "cms"
    assert any(f.code == "ATTACHMENT_SIGNED_DETACHED" for f in _att(report, "bao-cao.docx").findings)
    annex = _att(report, "phu-luc.txt")
    assert annex.indication is Indication.NO_SIGNATURE_FOUND and annex.covered_by_envelope
    assert any(f.code == "ATTACHMENT_UNSIGNED" for f in annex.findings)
    assert any(f.code == "TRACE_HEADERS_UNSIGNED" for f in report.findings)
    text = __import__("vbsign.model.render", fromlist=["render_text"]).render_text(report, "vi")
    assert "Tệp đính kèm" in text and "quyet-dinh.pdf" in text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<edXML:OrganName>Bộ Khoa học và Công nghệ</edXML:OrganName>", "<edXML:OrganName>Bộ Tài chính</edXML:OrganName>"),
        ("<edXML:CodeNumber>12</edXML:CodeNumber>", "<edXML:CodeNumber>13</edXML:CodeNumber>"),
    ],
    ids=["sender", "document-number"],
)
def test_header_tampering_breaks_the_envelope(envelope: bytes, verify_at: Any, old: str, new: str) -> None:
    text = envelope.decode()
    assert old in text
    report = verify_at(text.replace(old, new, 1).encode())
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures[0].sub_indication is SubIndication.HASH_FAILURE


def _edit_attachment(envelope: bytes, name: str, change: Any) -> bytes:
    root = etree.fromstring(envelope)
    for att in root.iter(f"{{{EDXML_NS}}}Attachment"):
        if att.findtext(f"{{{EDXML_NS}}}AttachmentName") == name:
            enc = att.find(f"{{{EDXML_NS}}}ContentTransferEncoded")
            enc.text = base64.b64encode(change(base64.b64decode(enc.text))).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_attachment_tampering_is_detected_twice(envelope: bytes, verify_at: Any) -> None:
    def flip(pdf: bytes) -> bytes:
        i = pdf.index(b"/Producer")
        return pdf[:i] + b"/Producex" + pdf[i + 9 :]

    report = verify_at(_edit_attachment(envelope, "quyet-dinh.pdf", flip))
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures[0].sub_indication is SubIndication.HASH_FAILURE  # the envelope
    assert _att(report, "quyet-dinh.pdf").indication is Indication.TOTAL_FAILED  # and the PDF itself
    # a swapped DOCX breaks its detached CAdES signature too
    report = verify_at(_edit_attachment(envelope, "bao-cao.docx", lambda d: d + b"!"))
    assert _att(report, "bao-cao.docx.p7s").report.sub_indication is SubIndication.HASH_FAILURE


def test_trace_headers_may_grow_in_transit(envelope: bytes, verify_at: Any) -> None:
    root = etree.fromstring(envelope)
    thl = next(root.iter(f"{{{EDXML_NS}}}TraceHeaderList"))
    th = etree.SubElement(thl, f"{{{EDXML_NS}}}TraceHeader")
    etree.SubElement(th, f"{{{EDXML_NS}}}OrganId").text = "000.00.00.A00"
    report = verify_at(etree.tostring(root))
    assert report.indication is Indication.TOTAL_PASSED


def test_unsigned_envelope_and_missing_attachment(sign_as: Any, verify_at: Any, sample_pdf: bytes) -> None:
    pdf = sign_as("person", sample_pdf, level="B-LT")
    unsigned = build_envelope(HEADER, [Attachment("quyet-dinh.pdf", pdf, "application/pdf")])
    report = verify_at(unsigned)
    assert report.indication is Indication.INDETERMINATE  # the PDF is fine, the header is not protected
    assert any(f.code == "ENVELOPE_UNSIGNED" for f in report.findings)
    assert _att(report, "quyet-dinh.pdf").indication is Indication.TOTAL_PASSED

    signed = sign_as("agency", unsigned, level="B-LT")
    root = etree.fromstring(signed)
    enc = next(root.iter(f"{{{EDXML_NS}}}AttachmentEncoded"))
    enc.getparent().remove(enc)
    report = verify_at(etree.tostring(root))
    assert report.indication is Indication.TOTAL_FAILED


def test_not_an_envelope_is_refused(sign_as: Any) -> None:
    from vbsign._core.errors import InputError

    with pytest.raises(InputError):
        sign_as("agency", b"<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'/>", level="B-B")


def test_envelope_report_matches_the_json_schema(envelope: bytes, verify_at: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from vbsign.model.report import Report, json_schema

    report = verify_at(envelope)
    data = report.to_dict()
    jsonschema.validate(data, json_schema())
    again = Report.from_dict(data)
    assert [a.name for a in again.attachments] == [a.name for a in report.attachments]
    assert again.attachments[0].report is not None and again.attachments[0].report.document.format == "pdf"
