"""Legacy and quirky signatures from real tools (issue 12, classes 1, 5 and 8), built here.

* ``adbe.pkcs7.sha1``: the SignedData encapsulates the SHA-1 digest of the byte range
  (iText 2, early PDFBox examples, older Vietnamese tools): verified, with a warning that
  names the non-baseline SubFilter; SHA-1 is then refused by the default algorithm policy
  (INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE, never TOTAL-FAILED for intact bytes).
* a certificate whose subject carries a mis-tagged attribute (x500UniqueIdentifier as
  UTF8String instead of BIT STRING): pyHanko's parser and pdfsig accept it; vbsign verifies
  the signature and names the field, instead of "cannot be processed".
* hybrid-reference files (classic xref table + ``/XRefStm``), signed and updated.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.writers import kit as wk
from vbsign.model.report import Indication, SubIndication


def _codes(rep: Any) -> set[str]:
    return {f.code for s in rep.signatures for f in s.findings} | {f.code for f in rep.findings}


def test_adbe_pkcs7_sha1_is_verified_with_a_warning(pki: Any, sample_pdf: bytes, sign_as: Any, verify_at: Any) -> None:
    legacy = wk.as_adbe_pkcs7_sha1(pki, "person", wk.pyhanko_sign(pki, "person", sample_pdf, "Sig1"))
    rep = verify_at(legacy, fetch=True)
    sig = rep.signatures[0]
    assert sig.integrity.state == "intact" and sig.integrity.signature_valid
    assert sig.sub_filter == "/adbe.pkcs7.sha1"
    assert "LEGACY_SUBFILTER" in {f.code for f in sig.findings}
    # SHA-1 is refused by the default algorithm policy: a policy decision, not a failure
    assert (sig.indication, sig.sub_indication) == (Indication.INDETERMINATE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)
    # a later PAdES signature on top of it is judged on its own and passes
    twice = sign_as("agency", legacy)
    rep2 = verify_at(twice)
    assert rep2.signatures[1].indication is Indication.TOTAL_PASSED
    assert rep2.signatures[0].integrity.state == "intact"


def test_adbe_pkcs7_sha1_with_a_wrong_document_digest_fails(pki: Any, sample_pdf: bytes, verify_at: Any) -> None:
    legacy = wk.as_adbe_pkcs7_sha1(pki, "person", wk.pyhanko_sign(pki, "person", sample_pdf, "Sig1"))
    at = legacy.index(b"/Info")  # inside the signed byte range
    rep = verify_at(legacy[:at] + b"/INFO" + legacy[at + 5 :])
    assert (rep.indication, rep.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)


def test_mistagged_certificate_field_is_named_not_fatal(pki: Any, sample_pdf: bytes, verify_at: Any, tmp_path: Path) -> None:
    cert = wk.mistagged_certificate(pki, "person")
    signed = wk.sign_with_certificate(pki, "person", cert, sample_pdf, "Sig1")
    rep = verify_at(signed, fetch=True)
    sig = rep.signatures[0]
    assert rep.indication is not Indication.TOTAL_FAILED
    assert sig.integrity.state == "intact" and sig.integrity.signature_valid
    # the report shows the subject (value read leniently) and names the malformed field
    assert "CCCD:001099012345" in sig.signer.subject
    named = [f for f in sig.findings if f.code in ("CERT_FIELD_MALFORMED", "CERT_FIELD_BLOCKS_VALIDATION")]
    assert named and "subject 2.5.4.45" in named[0].message_en
    if shutil.which("pdfsig"):  # poppler accepts the same file
        (tmp_path / "s.pdf").write_bytes(signed)
        out = subprocess.run(["pdfsig", str(tmp_path / "s.pdf")], capture_output=True, text=True, timeout=60)
        assert "Signature is Valid" in out.stdout


def test_hybrid_reference_document_signed_twice(sample_pdf: bytes, sign_as: Any, verify_at: Any) -> None:
    hybrid = wk.hybrid_update(sample_pdf)
    twice = sign_as("agency", sign_as("person", hybrid))
    rep = verify_at(twice)
    assert rep.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))


def test_hybrid_reference_update_after_signing(sample_pdf: bytes, sign_as: Any, verify_at: Any) -> None:
    signed = sign_as("person", sample_pdf)
    rep = verify_at(wk.hybrid_update(signed))
    assert rep.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))
    assert not {"XREF_OUTSIDE_REVISION", "HIDDEN_OBJECT"} & _codes(rep)


@pytest.mark.parametrize("writer", ["qpdf-object-streams"])
def test_hybrid_update_on_an_xref_stream_document(writer: str, sample_pdf: bytes, sign_as: Any, verify_at: Any) -> None:
    signed = sign_as("person", wk.qpdf(sample_pdf, "--object-streams=generate"))
    rep = verify_at(wk.hybrid_update(signed))
    assert rep.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))


def test_signer_identifier_with_a_garbled_issuer(pki: Any, sample_pdf: bytes, verify_at: Any) -> None:
    """node-forge (node-signpdf) writes the SignerInfo's issuer UTF-8-encoded twice: the
    certificate with that serial whose key verifies the signature is the signer's."""
    signed = wk.garble_signer_issuer(wk.pyhanko_sign(pki, "person", sample_pdf, "Sig1"))
    # pyHanko's plain signer claims the wall-clock time: verify just after it
    rep = verify_at(signed, when=datetime.now(timezone.utc) + timedelta(minutes=5), fetch=True)
    assert rep.indication is Indication.TOTAL_PASSED, sorted(_codes(rep))
    assert "SIGNER_ID_MISMATCH" in _codes(rep)


def test_signer_identifier_naming_no_certificate_is_indeterminate(pki: Any, sample_pdf: bytes, verify_at: Any) -> None:
    """A SignerInfo that names no embedded certificate: the signer is not found — not a
    "cannot be processed" failure, and never a wrong-value verdict."""
    signed = wk.garble_signer_issuer(wk.pyhanko_sign(pki, "person", sample_pdf, "Sig1"), serial=987654321)
    rep = verify_at(signed, fetch=True)
    assert (rep.indication, rep.sub_indication) == (Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
