"""Documents written and signed by other tools at test time (issue 12: "whichever writer made them").

* Ghostscript (``gs -sDEVICE=pdfwrite``, Debian ``ghostscript``): the writer behind
  print-to-PDF and scanner software; its output signed by two people with vbsign.
* endesive (PyPI, a pure-Python signer used by Vietnamese and Polish e-invoice tools): its
  signatures, its multi-signature mode (each signer appends an update) and its
  certification mode, mixed with vbsign signatures.

Every document is signed with the test PKI, so it must come out TOTAL-PASSED.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.writers import kit as wk
from vbsign.model.report import Indication

needs_gs = pytest.mark.skipif(shutil.which("gs") is None, reason="ghostscript not installed (scripts/setup.sh)")
pytest.importorskip("endesive")

SECOND_BOX = (60.0, 40.0, 200.0, 90.0)


def _passed(rep: Any) -> None:
    assert rep.indication is Indication.TOTAL_PASSED, [
        (s.id, s.indication.value, [(f.code, f.message_en[:200]) for f in s.findings if f.severity.value != "info"])
        for s in rep.signatures
    ]


@needs_gs
def test_ghostscript_document_signed_twice(sample_pdf: bytes, sign_as: Any, verify_at: Any) -> None:
    doc = wk.ghostscript(sample_pdf)
    assert b"Ghostscript" in doc or b"GPL" in doc
    rep = verify_at(sign_as("agency", sign_as("person", doc)))
    _passed(rep)
    assert len(rep.signatures) == 2


def test_endesive_two_signers(pki: Any, sample_pdf: bytes, verify_at: Any) -> None:
    once = wk.endesive_sign(pki, "person", sample_pdf, "Signature1", wk.FIELD_AREA)
    twice = wk.endesive_sign(pki, "agency", once, "Signature2", SECOND_BOX)
    rep = verify_at(twice, fetch=True)
    _passed(rep)
    assert [s.signer.common_name for s in rep.signatures] == [
        pki.cert(label).subject.native["common_name"] for label in ("person", "agency")
    ]


def test_endesive_then_vbsign_then_endesive(pki: Any, sample_pdf: bytes, sign_as: Any, verify_at: Any) -> None:
    """Signers using different tools on one document, in turn."""
    doc = wk.endesive_sign(pki, "person", sample_pdf, "Signature1", wk.FIELD_AREA)
    doc = sign_as("agency", doc)
    doc = wk.endesive_sign(pki, "person-b", doc, "Signature3", SECOND_BOX)
    rep = verify_at(doc, fetch=True)
    _passed(rep)
    assert len(rep.signatures) == 3


def test_endesive_certification_then_approval(pki: Any, sample_pdf: bytes, sign_as: Any, verify_at: Any) -> None:
    certified = wk.endesive_sign(pki, "agency", sample_pdf, "Signature1", wk.FIELD_AREA, certify=True)
    rep = verify_at(sign_as("person", certified), fetch=True)
    _passed(rep)
    assert rep.signatures[0].modification.certified


def test_endesive_signature_tampered_fails(pki: Any, sample_pdf: bytes, verify_at: Any) -> None:
    signed = wk.endesive_sign(pki, "person", sample_pdf, "Signature1", wk.FIELD_AREA)
    at = signed.index(b"/Info")
    rep = verify_at(signed[:at] + b"/INFO" + signed[at + 5 :])
    assert rep.indication is Indication.TOTAL_FAILED
