"""Review: revocation data sits in unsigned parts of a signed document (a PDF's DSS can be
extended by anyone after signing, a CMS's ``crls`` field is not signed). Data that the
certificate's issuer did not sign must not be read as the certificate's status — else
anyone can make a valid signature read "TOTAL-FAILED / REVOKED".
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta
from typing import Any

from asn1crypto import cms, ocsp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from vbsign.model.report import Indication
from vbsign.pki.revinfo import revocation_status


def forged_ocsp(pki: Any, subject: str, revoked_at: datetime, produced_at: datetime) -> ocsp.OCSPResponse:
    """A "revoked" OCSP response for ``subject``'s certificate, signed by a stranger's key
    (it names the real issuer's key hash: only the signature gives it away)."""
    cert = pki.cert(subject)
    issuer = pki.cert("gov-ca")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tbs = ocsp.ResponseData(
        {
            "responder_id": ocsp.ResponderId(name="by_key", value=issuer.public_key.sha1),
            "produced_at": produced_at,
            "responses": [
                {
                    "cert_id": {
                        "hash_algorithm": {"algorithm": "sha1"},
                        "issuer_name_hash": hashlib.sha1(issuer.subject.dump()).digest(),
                        "issuer_key_hash": issuer.public_key.sha1,
                        "serial_number": cert.serial_number,
                    },
                    "cert_status": ocsp.CertStatus(
                        name="revoked", value={"revocation_time": revoked_at, "revocation_reason": "key_compromise"}
                    ),
                    "this_update": produced_at,
                    "next_update": produced_at + timedelta(days=7),
                }
            ],
        }
    )
    signature = key.sign(tbs.dump(), padding.PKCS1v15(), hashes.SHA256())
    basic = ocsp.BasicOCSPResponse(
        {"tbs_response_data": tbs, "signature_algorithm": {"algorithm": "sha256_rsa"}, "signature": signature}
    )
    return ocsp.OCSPResponse(
        {"response_status": "successful", "response_bytes": {"response_type": "basic_ocsp_response", "response": basic}}
    )


def test_review_forged_ocsp_in_dss_does_not_revoke_a_valid_pdf_signature(
    sign_as: Any, verify_at: Any, sample_pdf: bytes, pki: Any, t0: datetime
) -> None:
    signed = sign_as("person", sample_pdf, level="B-LT")
    assert verify_at(signed).indication is Indication.TOTAL_PASSED
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    contents = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0].pkcs7_content
    DocumentSecurityStore.supply_dss_in_writer(
        w, contents, ocsps=[forged_ocsp(pki, "person", t0 - timedelta(days=1), t0)]
    )
    out = io.BytesIO()
    w.write(out)
    report = verify_at(out.getvalue(), when=t0 + timedelta(days=2))
    sig = report.signatures[0]
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert sig.revocation is not None and sig.revocation.status == "good"
    assert not sig.has_finding("CERT_REVOKED")


def test_review_forged_ocsp_in_cms_crls_does_not_revoke_a_valid_cades_signature(
    sign_as: Any, verify_at: Any, pki: Any, t0: datetime
) -> None:
    p7m = sign_as("person", b"official content", level="B-LT", format="cades", packaging="enveloping")
    assert verify_at(p7m).indication is Indication.TOTAL_PASSED
    ci = cms.ContentInfo.load(p7m)
    sd = ci["content"]
    forged = cms.RevocationInfoChoice(
        name="other",
        value=cms.OtherRevocationInfoFormat(
            {"other_rev_info_format": "ocsp_response", "other_rev_info": forged_ocsp(pki, "person", t0 - timedelta(days=1), t0)}
        ),
    )
    sd["crls"] = cms.RevocationInfoChoices([forged, *sd["crls"]])
    report = verify_at(ci.dump(force=True), when=t0 + timedelta(days=2))
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert report.signatures[0].revocation.status == "good"


def test_review_revocation_status_counts_only_what_the_issuer_signed(pki: Any, t0: datetime) -> None:
    forged = forged_ocsp(pki, "person", t0 - timedelta(days=1), t0)
    cert = pki.cert("person")
    assert revocation_status(cert, [forged], [])[0] == "revoked"  # unauthenticated reading
    status, _, _, n_ocsp, _ = revocation_status(cert, [forged], [], issuers=[pki.cert("gov-ca"), *pki.roots])
    assert (status, n_ocsp) == ("unknown", 0)
