"""Every PDF of the shared corpus gets a verdict or a typed error — never a crash.

(Agreement with the expected verdicts is measured by scripts/corpus_check.py; attack and
invalid files must never pass, which is asserted here too.)
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vbsign._core.errors import VbsignError
from vbsign.model.report import Indication

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _rows() -> list[dict[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["kind"] == "pdf"]


@pytest.mark.slow
@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["path"])
def test_corpus_pdf_never_crashes(row):
    from vbsign import api
    from vbsign.pki.validation import Services

    try:
        report = api.verify(CORPUS / row["path"], trust=[], services=Services(online=False))
    except VbsignError:
        return  # a typed, explained refusal is an acceptable outcome
    assert report.indication in set(Indication)
    if row["expected_verdict"].startswith(("attack-", "invalid-")):
        assert report.indication is not Indication.TOTAL_PASSED


def test_corpus_present_when_expected():
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip("shared corpus not available")
    assert len(_rows()) == 142
