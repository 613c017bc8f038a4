"""Committed documents from writers too heavy for every CI run (issue 12).

``tests/writers/fixtures/`` holds small files made by ``bash scripts/writers/make_fixtures.sh``
(versions in ``fixtures/VERSIONS.txt``): LibreOffice Writer's PDF export, and signatures
made by Apache PDFBox 2 + BouncyCastle, by iText 5 (two signers; certification DocMDP P2
then approval; CAdES) and by node-signpdf (whose node-forge garbles the SignerInfo's issuer
name) with the test PKI. Each must verify as its writer intended.

The signer certificates inside the Java-signed files are the test PKI's of the day they were
made: if the test PKI is re-issued (new subjects), those files still verify intact and are
not TOTAL-FAILED, and the test asks for TOTAL-PASSED only while the certificates match —
regenerate the fixtures to restore the full check.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.writers import kit as wk
from vbsign.model.report import Indication

FIXTURES = Path(__file__).parent / "fixtures"
JAVA_SIGNED = {
    "pdfbox-two-signers.pdf": (["person", "agency"], None),
    "pdfbox-certified-p2.pdf": (["agency", "person"], 2),
    "itext5-two-signers.pdf": (["person", "agency"], None),
    "itext5-cades-certified.pdf": (["agency", "person"], 2),
    # node-forge writes the SignerInfo's issuer name UTF-8-encoded twice (SIGNER_ID_MISMATCH)
    "node-signpdf-two-signers.pdf": (["person", "agency"], None),
}


def _signer_certs(data: bytes) -> list[bytes]:
    out = []
    for emb in PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures:
        certs = [c.chosen for c in emb.signed_data["certificates"] if c.name == "certificate"]
        out.append(certs[0].dump() if certs else b"")
    return out


def _when(rep_or_t0: Any, claimed: list[Any]) -> Any:
    """An hour after the last claimed signing time (node-signpdf signs at the wall clock)."""
    return max([rep_or_t0, *claimed]) + timedelta(hours=1)


@pytest.mark.parametrize("name", sorted(JAVA_SIGNED))
def test_java_signed_documents(name: str, pki: Any, verify_at: Any, t0: Any) -> None:
    data = (FIXTURES / name).read_bytes()
    labels, docmdp = JAVA_SIGNED[name]
    claimed = [s.claimed_signing_time for s in verify_at(data).signatures if s.claimed_signing_time is not None]
    rep = verify_at(data, when=_when(t0, claimed), fetch=True)
    sigs = [s for s in rep.signatures if s.kind == "signature"]
    assert len(sigs) == len(labels)
    assert all(s.integrity.state == "intact" for s in sigs), [(s.id, s.integrity) for s in sigs]
    assert rep.indication is not Indication.TOTAL_FAILED, [(s.id, [f.code for f in s.findings]) for s in sigs]
    if docmdp is not None:
        assert sigs[0].modification.certified and sigs[0].modification.docmdp_permission == docmdp
    if name.startswith("node-signpdf"):
        assert all("SIGNER_ID_MISMATCH" in {f.code for f in s.findings} for s in sigs)
    if _signer_certs(data) == [pki.cert(label).dump() for label in labels]:
        assert rep.indication is Indication.TOTAL_PASSED, [(s.id, [f.code for f in s.findings]) for s in sigs]


def test_java_signed_document_tampered(verify_at: Any, t0: Any) -> None:
    data = (FIXTURES / "pdfbox-two-signers.pdf").read_bytes()
    at = data.index(b"/Info")
    rep = verify_at(data[:at] + b"/INFO" + data[at + 5 :], when=t0 + timedelta(hours=1))
    assert rep.indication is Indication.TOTAL_FAILED


def test_libreoffice_document_certified_filled_and_signed(sign_as: Any, verify_at: Any) -> None:
    """LibreOffice's export given a form field (as a form author does), certified (P2) by
    the agency, filled as a form-filling viewer does, then signed by the person: everything
    P2 allows."""
    doc = (FIXTURES / "libreoffice.pdf").read_bytes()
    assert str(PdfFileReader(io.BytesIO(doc), strict=False).trailer["/Info"]["/Producer"]).startswith("LibreOffice")
    form = wk.incremental(doc, lambda w: wk.add_text_field(w, "BenNhan", wk.BLANK_AREA, "", separate_widget=True))
    certified = sign_as("agency", form, certify=2)
    filled = wk.incremental(certified, lambda w: wk.fill_text_field(w, "BenNhan", "Van phong Bo"))
    rep = verify_at(sign_as("person", filled))
    assert rep.indication is Indication.TOTAL_PASSED, [(s.id, [f.code for f in s.findings]) for s in rep.signatures]


def test_libreoffice_document_signed_twice(sign_as: Any, verify_at: Any) -> None:
    doc = (FIXTURES / "libreoffice.pdf").read_bytes()
    rep = verify_at(sign_as("agency", sign_as("person", doc)))
    assert rep.indication is Indication.TOTAL_PASSED
