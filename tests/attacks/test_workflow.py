"""No false alarm on the normal Vietnamese workflow: the leader signs, the clerk adds the
agency seal over the left third of the signature (Decree 30/2020 Appendix I), then the
document is verified with the visual check on."""

from __future__ import annotations

import pytest

from vbsign.formats.pades import visual
from vbsign.model.report import Indication


@pytest.mark.skipif(not visual.available(), reason="poppler (pdftoppm) not installed")
def test_leader_then_seal_is_valid_with_visual_check(sign_as, judge, sample_pdf):  # type: ignore[no-untyped-def]
    from vbsign.appearance import Appearance
    from vbsign.testpki.sample_images import seal_png, signature_png

    leader = bytes(sign_as("person", sample_pdf, level="B-LT", appearance=Appearance.person(signature_png())))
    both = bytes(sign_as("agency", leader, level="B-LT", appearance=Appearance.agency(seal_png())))
    v = judge(both)
    assert v.indication is Indication.TOTAL_PASSED, sorted(v.codes())
    assert "SIGNATURE_FIELD_ADDED" in v.codes()  # the seal is reported as a new, visible signature
    assert not {"VISUAL_DIFFERENCE", "SIGNATURE_WIDGET_COVERS_CONTENT"} & v.codes()
