"""Review: ``vbsign verify contract.pdf.p7s`` uses ``contract.pdf`` next to it as the signed
content. When the .p7s is really an *enveloping* signature of something else, the verdict
must not read "valid" for the pair (a forged contract.pdf shipped with a genuine signature
of a harmless memo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vbsign.model.report import Indication, Severity, SubIndication


def test_review_enveloping_signature_next_to_a_different_file_is_not_valid(
    sign_as: Any, verify_at: Any, tmp_path: Path
) -> None:
    memo = b"Harmless memo signed by the director"
    p7m = sign_as("person", memo, level="B-LT", format="cades", packaging="enveloping")
    (tmp_path / "hop-dong.pdf").write_bytes(b"FORGED CONTRACT: pay 10 billion VND")
    (tmp_path / "hop-dong.pdf.p7s").write_bytes(p7m)
    report = verify_at(tmp_path / "hop-dong.pdf.p7s")
    assert report.indication is not Indication.TOTAL_PASSED, report.to_json()
    assert report.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE
    assert any(f.code == "CONTENT_IGNORED" and f.severity is Severity.ERROR for f in report.findings)
    # explicit --content too
    assert verify_at(p7m, content=b"something else").indication is Indication.INDETERMINATE
    # the same bytes as enveloped, or no content at all: valid
    assert verify_at(p7m, content=memo).indication is Indication.TOTAL_PASSED
    (tmp_path / "hop-dong.pdf").write_bytes(memo)
    assert verify_at(tmp_path / "hop-dong.pdf.p7s").indication is Indication.TOTAL_PASSED
    assert verify_at(p7m).indication is Indication.TOTAL_PASSED
