"""``vbsign demo``: the whole story on the embedded test PKI, with no network.

1. make (or reuse) a test PKI in ``OUT/pki`` (as ``vbsign testpki init``);
2. create a sample Vietnamese official document, ``OUT/input.pdf``;
3. sign it as the leader (person certificate, PAdES B-LT) with a visible Decree 30/2020
   appearance: a blue signature image between the title and the name, and a text block
   with the signer, title, agency and the ``+07:00`` signing time;
4. sign it as the agency (seal certificate, PAdES B-LT) with the red seal at its real size
   over the left third of the leader's signature image, ``OUT/signed.pdf``;
5. verify it and write ``OUT/report.json``; print a readable summary.

Timestamps, OCSP responses and CRLs come from the test PKI in-process, so the demo works
offline; afterwards ``vbsign verify OUT/signed.pdf --trust OUT/pki/roots.pem`` exits 0
offline, from the validation data embedded in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vbsign._core.files as _io
import vbsign.testpki as testpki
from vbsign._core.i18n import Msg
from vbsign.api.signer import Signer
from vbsign.api.verification import verify
from vbsign.appearance.roles import Appearance
from vbsign.model.report import Report
from vbsign.pki.validation import Services
from vbsign.testpki.export import write_pki
from vbsign.testpki.sample_images import seal_png, signature_png
from vbsign.testpki.samples import official_document_pdf


@dataclass
class DemoResult:
    out_dir: Path
    input_pdf: Path
    signed_pdf: Path
    report_json: Path
    report: Report


STEPS = {
    "pki": Msg("Tạo PKI thử nghiệm", "Creating the test PKI"),
    "doc": Msg("Tạo văn bản mẫu (Quyết định)", "Creating a sample document (decision)"),
    "person": Msg("Lãnh đạo ký (chữ ký cá nhân, PAdES B-LT)", "Leader signs (personal signature, PAdES B-LT)"),
    "agency": Msg("Văn thư đóng dấu số (chữ ký cơ quan, PAdES B-LT)", "Clerk applies the agency seal (PAdES B-LT)"),
    "verify": Msg("Kiểm tra chữ ký số", "Verifying the signatures"),
}


def run_demo(out_dir: Path, *, progress: Any = None) -> DemoResult:
    def step(key: str) -> None:
        if progress is not None:
            progress(STEPS[key])

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pki_dir = out_dir / "pki"
    step("pki")
    write_pki(pki_dir, port=testpki.DEFAULT_PORT, passphrase=testpki.DEFAULT_PASSPHRASE)
    pki = testpki.load(testpki.DEFAULT_PORT)
    # in-process services (no network): the test PKI answers OCSP/CRL/TSA requests itself
    services = Services(online=False, fetcher_backend=pki.fetcher_backend())
    tsa = pki.timestamper()
    trust = [pki_dir / "roots.pem"]

    step("doc")
    input_pdf = _io.atomic_write(out_dir / "input.pdf", official_document_pdf())
    # Decree 30/2020 appearances: a blue signature and a red transparent seal, drawn in code

    signature_image = _io.atomic_write(out_dir / "chu-ky-mau.png", signature_png())
    seal_image = _io.atomic_write(out_dir / "con-dau-mau.png", seal_png())

    step("person")
    with Signer(
        pki_dir / "person.p12", passphrase=testpki.DEFAULT_PASSPHRASE, trust=trust, tsa=tsa,
        level="B-LT", services=services,
    ) as leader:
        # the signature image goes into the blank between "PHÓ CỤC TRƯỞNG" and the signer's
        # name (found on the page), with the signer's text block and the +07:00 time; the
        # position is not in the certificate (real ones carry no title), so it is given here
        first = leader.sign(
            input_pdf, field="ChuKyLanhDao", reason="Phê duyệt văn bản", location="Hà Nội",
            appearance=Appearance.person(signature_image, title="Phó Cục trưởng"),
        )

    step("agency")
    signed_pdf = out_dir / "signed.pdf"
    with Signer(
        pki_dir / "agency.p12", passphrase=testpki.DEFAULT_PASSPHRASE, trust=trust, tsa=tsa,
        level="B-LT", services=services,
    ) as clerk:
        # the seal, at its real size, covers the left third of the leader's signature image
        clerk.sign(
            first.data, signed_pdf, field="ConDauCoQuan", reason="Ban hành văn bản", location="Hà Nội",
            appearance=Appearance.agency(seal_image, diameter_mm=36),
        )

    step("verify")
    report = verify(signed_pdf, trust=trust, services=Services(online=False))
    report_json = _io.atomic_write(out_dir / "report.json", report.to_json().encode("utf-8"))
    return DemoResult(out_dir, input_pdf, signed_pdf, report_json, report)
