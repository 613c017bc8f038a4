"""``on_send`` applies the Decree 30/2020 appearances by default: two visible widgets, the blue
signature image above the signer's name and the red seal over its left third (rendered)."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from vbsign import api
from vbsign.appearance import AgencyConfig
from vbsign.host import OutgoingDocument, SendContext, SendDecision, on_send
from vbsign.pki.validation import Services

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
PASSPHRASE = "vbsign-test"


@pytest.fixture(scope="module")
def sent(pki_dir: Path, pki: Any, sample_pdf: bytes, signature_png_path: Path, seal_png_path: Path) -> Any:
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))

    def signer(label: str) -> api.Signer:
        return api.Signer(pki_dir / f"{label}.p12", passphrase=PASSPHRASE, trust=pki.roots,
                          tsa=pki.timestamper(T0), services=services, clock=lambda: T0)

    look = AgencyConfig(signature_image=signature_png_path, seal_image=seal_png_path, seal_diameter_mm=36)
    with signer("person") as person, signer("agency") as seal:
        ctx = SendContext(person=person, seal=seal, appearance=look, person_title="Phó Cục trưởng",
                          policy=str(pki_dir / "policy-test.toml"))
        return on_send(OutgoingDocument(sample_pdf, name="qd.pdf", number="414/QĐ-CĐSQG"), ctx)


def test_on_send_output_has_two_visible_decree_30_signatures(sent, render, colour_bbox, pdftext):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from vbsign.appearance.widgets import signature_widgets

    errors = [r.code for r in sent.reasons if r.severity.value == "error"]
    assert sent.decision is SendDecision.READY and errors == [], sent.summary("en")
    widgets = signature_widgets(PdfFileReader(io.BytesIO(sent.signed)))
    assert len(widgets) == 2 and all(w.visible and w.signed for w in widgets)
    img = render(sent.signed)
    blue, red = colour_bbox(img, "blue"), colour_bbox(img, "red")
    assert blue is not None and red is not None
    # the seal covers about a third of the signature image, on its left (Decree 30 App. I)
    overlap = (min(blue[2], red[2]) - max(blue[0], red[0])) / (blue[2] - blue[0])
    assert 0.25 <= overlap <= 0.40 and red[0] < blue[0]
    text = pdftext(sent.signed)
    assert "Chức vụ: Phó Cục trưởng" in text and "Thời gian ký: 01/12/2026 10:00:00 +07:00" in text
    # and the outgoing policy's own reading of the file agrees (ND30-02, ND30-03)
    for rule, sig in (("ND30-02", "S1"), ("ND30-03", "S2")):
        assert sent.validation.result(rule, sig).status.value == "passed"


def test_without_images_the_policy_says_what_is_missing(pki_dir: Path, pki: Any, sample_pdf: bytes) -> None:
    """No appearance configuration: the person's text block is shown, the seal cannot be —
    the outcome says so (ND30-02/03 warnings), never a silent invisible ĐẠT."""
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    with api.Signer(pki_dir / "person.p12", passphrase=PASSPHRASE, trust=pki.roots, tsa=pki.timestamper(T0),
                    services=services, clock=lambda: T0) as person, \
         api.Signer(pki_dir / "agency.p12", passphrase=PASSPHRASE, trust=pki.roots, tsa=pki.timestamper(T0),
                    services=services, clock=lambda: T0) as seal:  # fmt: skip
        out = on_send(OutgoingDocument(sample_pdf, name="qd.pdf", number="1/QĐ"), SendContext(person=person, seal=seal))
        invisible = on_send(OutgoingDocument(sample_pdf, name="qd.pdf", number="1/QĐ"),
                            SendContext(person=person, seal=seal, visible=False))  # fmt: skip
    codes = {r.code for r in out.reasons}
    assert {"POLICY_ND30-02", "POLICY_ND30-03"} <= codes
    assert out.validation.result("ND30-02", "S1").evidence["visible"] is True  # text only, no image
    assert out.validation.result("ND30-03", "S2").evidence["visible"] is False
    assert invisible.validation.result("ND30-02", "S1").evidence["visible"] is False
