"""Unit tests of the structural layer on small hand-made files, the code catalogue, and
the corpus attack samples (read in place from ../shared/corpus)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from vbsign.formats.pades import findings, structure
from vbsign.formats.pades.limits import Limits, declared_xref_entries, precheck
from vbsign.model.report import Indication

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.rst"


def _layout(data: bytes, first_signed: int | None = 0) -> structure.Layout:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return structure.analyse_layout(data, reader, first_signed)


def test_layout_of_a_clean_file_has_no_issue(kit):  # type: ignore[no-untyped-def]
    data = kit.raw_pdf(kit.MINIMAL_PAGE)
    lay = _layout(data)
    assert lay.issues == []
    assert lay.revisions[0].end == len(data)
    assert lay.revisions[0].xref_kind == "table"


def test_trailing_garbage_and_hidden_update_are_told_apart(kit):  # type: ignore[no-untyped-def]
    data = kit.raw_pdf(kit.MINIMAL_PAGE)
    assert [i.code for i in _layout(data + b"\n\x00\r\n ").issues] == []  # whitespace/NUL padding is fine
    assert [i.code for i in _layout(data + b"garbage").issues] == ["UNPARSED_TRAILING_DATA"]
    assert [i.code for i in _layout(data + b"9 0 obj << >> endobj").issues] == ["HIDDEN_UPDATE"]


def test_trailer_only_update_and_root_swap(kit):  # type: ignore[no-untyped-def]
    objs = [*kit.MINIMAL_PAGE, b"<< /Type /Catalog /Pages 2 0 R /Shadow true >>"]
    data = kit.raw_pdf(objs)
    prev = kit.last_startxref(data)
    at = len(data)
    data += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 4 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (prev, at)
    codes = {i.code for i in _layout(data).issues}
    assert codes == {"TRAILER_ONLY_UPDATE", "TRAILER_ROOT_CHANGED"}


def test_startxref_pointing_next_to_the_xref(kit):  # type: ignore[no-untyped-def]
    data = kit.raw_pdf(kit.MINIMAL_PAGE)
    prev = kit.last_startxref(data)
    at = len(data)
    data += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 4 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (prev, at + 1)
    assert "STARTXREF_MISMATCH" in {i.code for i in _layout(data).issues}


def test_issue_affects_only_signatures_before_it() -> None:
    i = findings.issue("HIDDEN_UPDATE", "x", "x", revision=3)
    assert i.affects(2) and not i.affects(3) and i.affects(None)


def test_every_issue_is_bilingual_and_names_its_attack() -> None:
    f = findings.issue("BYTERANGE_GAP_NOT_CONTENTS", "chi tiết", "detail").to_finding()
    assert f.message_vi.startswith("Khoảng trống") and "dấu hiệu" in f.message_vi
    assert f.message_en.startswith("/ByteRange gap") and "signature wrapping" in f.message_en
    assert f.details["attack"] == "signature-wrapping"


def test_every_code_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [c for c in findings.CATALOGUE if f"``{c}``" not in text]
    assert not missing, f"codes missing from docs/security.rst: {missing}"


def test_catalogue_is_consistent() -> None:
    for code, kind in findings.CATALOGUE.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", code)
        assert kind.title.vi and kind.title.en
        assert kind.attack is None or kind.attack in findings.ATTACKS
        if kind.severity.value == "error":
            assert kind.sub_indication is not None, code


def test_precheck_counts_declared_xref_stream_entries() -> None:
    assert declared_xref_entries(b"<< /Type /XRef /Size 12 /W [1 2 1] >>") == 12
    assert declared_xref_entries(b"<< /Type/XRef /Index [0 5 10 7] /Size 99 >>") == 12
    bomb = b"%PDF-1.7\n<< /Type /XRef /Size 2147483647 >>"
    assert precheck(bomb, Limits()).refused is not None
    assert precheck(b"%PDF-1.7\n" + b"x" * 100, Limits(max_file_size=50)).refused == ("size", 50.0)


# ---- the corpus attack samples ---------------------------------------------------------------


def _attack_rows(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [r for r in rows if r["kind"] == "pdf" and r["expected_verdict"].startswith(("attack-", "invalid-byterange"))]


def test_corpus_attack_samples_are_rejected_with_a_reason(corpus, judge):  # type: ignore[no-untyped-def]
    rows = _attack_rows(corpus)
    assert len(rows) == 19
    for row in rows:
        v = judge((corpus / row["path"]).read_bytes(), trust=[])
        assert v.indication is Indication.TOTAL_FAILED, row["path"]
        assert v.error_codes(), row["path"]


@pytest.mark.parametrize(
    ("path", "attack"),
    [
        ("dss/dss-pades/validation/siwa.pdf", "signature-wrapping"),
        ("dss/dss-pades/validation/pades-spoofing-replaced-reason.pdf", "signature-spoofing"),
        ("rub-pdf-attacker/shadow-demo-exploits/hide-and-replace/variant-1_change_object_references/4_original-document-shadowed-signed-manipulated.pdf", "shadow-hide-and-replace"),
        ("rub-pdf-attacker/shadow-demo-exploits/replace/variant-2_replace-via-overwrite/4_original-document-shadowed-signed-manipulated.pdf", "shadow-replace"),
        ("rub-pdf-attacker/shadow-demo-exploits/hide/variant-2_hide-via-referenced-object/hide-text-via-form/4_original-document-shadowed-signed-manipulated.pdf", "shadow-hide"),
    ],
)
def test_corpus_attack_class_is_named(corpus, judge, path, attack):  # type: ignore[no-untyped-def]
    v = judge((corpus / path).read_bytes(), trust=[])
    assert attack in v.attacks()
