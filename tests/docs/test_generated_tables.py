"""The generated tables of the guides list every code, and every error says why and what to do."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))

import vbsign_docgen


def test_every_error_class_has_its_own_cause_and_remedy_in_both_languages() -> None:
    classes = vbsign_docgen.error_classes()
    assert len(classes) >= 30
    for cls in classes:
        for attr in ("cause", "remedy"):
            assert attr in vars(cls), f"{cls.__qualname__} ({cls.code}) inherits its {attr}"
            msg = vars(cls)[attr]
            assert msg.vi.strip() and msg.en.strip() and msg.vi != msg.en


def test_the_error_table_lists_every_code(tmp_path: Path) -> None:
    vbsign_docgen.generate(tmp_path)
    table = (tmp_path / "error-codes.inc").read_text(encoding="utf-8")
    for cls in vbsign_docgen.error_classes():
        assert f"``{cls.code}``" in table
    for err in vbsign_docgen.http_errors():
        assert f"``{err.code}``" in table
    findings = (tmp_path / "finding-codes.inc").read_text(encoding="utf-8")
    assert "``BYTERANGE_COVERAGE``" in findings and "``MAIL_NOT_SIGNED``" in findings
    from vbsign.formats.pades.findings import CATALOGUE

    assert all(f"``{code}``" in findings for code in CATALOGUE)
    hooks = (tmp_path / "hooks.inc").read_text(encoding="utf-8")
    assert "``vbsign_before_sign``" in hooks and "``vbsign_on_receive``" in hooks
    rest = (tmp_path / "rest-api.inc").read_text(encoding="utf-8")
    assert "``POST /api/v1/verify``" in rest and "``VerifyForm``" in rest


def test_a_reference_to_a_name_that_exists_nowhere_is_not_excused() -> None:
    """The nitpicky build's fallback shows real-but-undocumented objects as code; a renamed,
    removed or mistyped name must stay an error."""
    assert vbsign_docgen._real_target("vbsign.api.verify", None, None) == "vbsign.api.verify"
    assert vbsign_docgen._real_target("vbsign.api.no_such_function", None, None) is None
    assert vbsign_docgen._real_target("precheck", "vbsign.formats.pades.limits", None) == "vbsign.formats.pades.limits.precheck"
    assert vbsign_docgen._real_target("no_such_helper", "vbsign.formats.pades.limits", None) is None
    assert vbsign_docgen._real_target(".audit", "vbsign.registry.checkpoint", None) == "vbsign.registry.audit"
