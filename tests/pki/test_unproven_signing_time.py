"""Review: a claimed (unproven) signing time must not let old revocation data stand in for
the certificate's current status.

The attack: a signer whose key was compromised (certificate revoked later) signs *after*
the revocation, claims an earlier signing time and embeds revocation data from before the
revocation — or, equivalently, strips the signature timestamp from a B-LT signature. The
claim is only the signer's word (ETSI EN 319 102-1: without proof of existence the
validation happens at the current time), so the signature must not pass.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from asn1crypto import cms
from lxml import etree

from vbsign.model.report import Indication, SubIndication

#: revoked-later is revoked on 2027-03-01
AFTER_REVOCATION = datetime(2027, 6, 1, tzinfo=timezone.utc)
SIGNER_INFO_FIELDS = ("version", "sid", "digest_algorithm", "signed_attrs", "signature_algorithm", "signature")


def _without_unsigned_attrs(si: cms.SignerInfo) -> cms.SignerInfo:
    return cms.SignerInfo({k: si[k] for k in SIGNER_INFO_FIELDS})


def _strip_pdf_signature_timestamp(pdf: bytes) -> bytes:
    """Remove the unsigned attributes (the signature timestamp) from the CMS in /Contents:
    the /Contents hole is not covered by the signature, so nothing signed changes."""
    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf))[-1]
    a, b, c, _ = map(int, m.groups())
    start, end = a + b, c
    ci = cms.ContentInfo.load(cms.ContentInfo.load(bytes.fromhex(pdf[start + 1 : end - 1].decode())).dump())
    sd = ci["content"]
    sd["signer_infos"] = cms.SignerInfos([_without_unsigned_attrs(sd["signer_infos"][0])])
    hx = ci.dump(force=True).hex().encode()
    width = end - start - 2
    assert len(hx) <= width
    return pdf[: start + 1] + hx + b"0" * (width - len(hx)) + pdf[end - 1 :]


def _strip_cades_signature_timestamp(p7m: bytes) -> bytes:
    ci = cms.ContentInfo.load(p7m)
    sd = ci["content"]
    sd["signer_infos"] = cms.SignerInfos([_without_unsigned_attrs(sd["signer_infos"][0])])
    return bytes(ci.dump(force=True))


def _strip_xades_signature_timestamp(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    found = [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "SignatureTimeStamp"]
    assert found
    for el in found:
        el.getparent().remove(el)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _docs(sign_as: Any, sample_pdf: bytes, subject: str) -> dict[str, tuple[bytes, bytes]]:
    pdf = sign_as(subject, sample_pdf, level="B-LT")
    p7m = sign_as(subject, b"official content", level="B-LT", format="cades", packaging="enveloping")
    xml = sign_as(subject, b"<?xml version='1.0'?><QD><ND>x</ND></QD>", level="B-LT")
    return {
        "pades": (pdf, _strip_pdf_signature_timestamp(pdf)),
        "cades": (p7m, _strip_cades_signature_timestamp(p7m)),
        "xades": (xml, _strip_xades_signature_timestamp(xml)),
    }


def test_review_claimed_time_cannot_rescue_a_certificate_revoked_since(sign_as: Any, verify_at: Any, sample_pdf: bytes) -> None:
    for fmt, (signed, stripped) in _docs(sign_as, sample_pdf, "revoked-later").items():
        # baseline: with its timestamp, the signature was made before the revocation
        assert verify_at(signed, when=AFTER_REVOCATION, fetch=True).indication is Indication.TOTAL_PASSED, fmt
        # without it, the embedded (pre-revocation) OCSP must not hide the current status
        online = verify_at(stripped, when=AFTER_REVOCATION, fetch=True)
        assert online.indication is Indication.INDETERMINATE, (fmt, online.to_json())
        assert online.sub_indication is SubIndication.REVOKED_NO_POE, fmt
        offline = verify_at(stripped, when=AFTER_REVOCATION)
        assert offline.indication is Indication.INDETERMINATE, (fmt, offline.to_json())
        assert offline.sub_indication is SubIndication.TRY_LATER, fmt


def test_review_claimed_time_needs_current_revocation_data(sign_as: Any, verify_at: Any, sample_pdf: bytes, t0: datetime) -> None:
    later = t0 + timedelta(days=60)
    for fmt, (signed, stripped) in _docs(sign_as, sample_pdf, "person").items():
        assert verify_at(signed, when=later).indication is Indication.TOTAL_PASSED, fmt  # B-LT, proven time
        assert verify_at(stripped, when=t0).indication is Indication.TOTAL_PASSED, fmt  # data current at t0
        stale = verify_at(stripped, when=later)  # offline: only the two-month-old OCSP response
        assert stale.indication is Indication.INDETERMINATE, (fmt, stale.to_json())
        assert stale.signatures[0].has_finding("SIGNING_TIME_UNPROVEN")
        fresh = verify_at(stripped, when=later, fetch=True)  # current data: unproven but valid
        assert fresh.indication is Indication.TOTAL_PASSED, (fmt, fresh.to_json())
