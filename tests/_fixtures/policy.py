"""Fixtures of the policy tests: signed documents from the test PKI, and policies that know
the test PKI's roots (configured, never official).

Documents are signed exactly as the shared ``sign_as`` fixture does (``vbsign.sign`` with
the in-process OCSP/CRL/TSA of the test PKI at the fixed time T0) and verified as
``verify_at`` does; they are built once per session and cached, because the policy
evaluation under test is pure and many tests read the same evidence. Documents the
pre-signing check refuses on purpose (SHA-1 certificate, RSA-1024, wrong key usage) are
signed one layer lower, with :func:`vbsign.formats.pades.sign.sign_pdf` or pyHanko itself.
"""

from __future__ import annotations

import asyncio
import io
import math
import re
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from vbsign import api, testpki
from vbsign._core.x509 import fingerprint
from vbsign.model.report import Report
from vbsign.pki.validation import Services
from vbsign.policy import DocumentFacts, Policy, PolicyRegistry, evaluate
from vbsign.policy.result import ComplianceReport
from vbsign.policy.tomlfile import parse_policy_text

PASSPHRASE = "vbsign-test"


class Docs:
    """Signed test documents and their verification reports (lazily built, cached)."""

    def __init__(self, pki: testpki.TestPKI, pki_dir: Path, t0: datetime, sample: bytes) -> None:
        self.pki = pki
        self.dir = pki_dir
        self.t0 = t0
        self.sample = sample
        self.registry = PolicyRegistry.builtin()

    # ---- primitives ------------------------------------------------------------------------
    def services(self, when: datetime | None = None) -> Services:
        return Services(online=False, fetcher_backend=self.pki.fetcher_backend(when or self.t0))

    def sign(self, label: str, data: bytes, level: str = "B-LT", *, when: datetime | None = None, **opts: Any) -> api.SignResult:
        at = when or self.t0
        return api.sign(
            data,
            key=self.dir / f"{label}.p12",
            passphrase=PASSPHRASE,
            trust=self.pki.roots,
            tsa=self.pki.timestamper(at),
            level=level,
            services=self.services(at),
            clock=lambda: at,
            **opts,
        )

    def verify(self, data: bytes, *, fetch: bool = False, trust: Any = None, when: datetime | None = None, **opts: Any) -> Report:
        at = when or self.t0
        svc = self.services(at) if fetch else Services(online=False)
        return api.verify(data, trust=trust if trust is not None else self.pki.roots, now=at, services=svc, **opts)

    def raw_sign(self, label: str, data: bytes, level: str = "B-T", **opts: Any) -> bytes:
        """Sign without vbsign's pre-signing check (for certificates it refuses on purpose)."""
        from vbsign.backends import open_key
        from vbsign.formats.pades.sign import PdfSignOptions, sign_pdf

        with open_key(self.dir / f"{label}.p12", passphrase=PASSPHRASE) as key:
            out = asyncio.run(
                sign_pdf(
                    data,
                    key,
                    PdfSignOptions(level=level, **opts),  # type: ignore[arg-type]
                    now=self.t0,
                    timestamper=self.pki.timestamper(self.t0) if level != "B-B" else None,
                    validation_context=None,
                )
            )
        return out.data

    def pyhanko_sign(
        self, label: str, data: bytes, *, subfilter: str = "pades", drop_ess: bool = False, md_algorithm: str = "sha256"
    ) -> bytes:
        """Sign with pyHanko directly (non-PAdES SubFilter, or no signing-certificate attribute)."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        class NoEssSigner(signers.SimpleSigner):
            def _signed_attr_providers(self, *a: Any, **kw: Any) -> Any:
                return [
                    p
                    for p in super()._signed_attr_providers(*a, **kw)
                    if p.attribute_type not in ("signing_certificate_v2", "signing_certificate")
                ]

        cls = NoEssSigner if drop_ess else signers.SimpleSigner
        signer = cls(
            signing_cert=self.pki.cert(label),
            signing_key=self.pki.private_key(label),
            cert_registry=SimpleCertificateStore.from_certs(self.pki.chain(label)),
        )
        sf = SigSeedSubFilter.ADOBE_PKCS7_DETACHED if subfilter == "adbe" else SigSeedSubFilter.PADES
        meta = signers.PdfSignatureMetadata(field_name="ChuKyPyHanko", subfilter=sf, md_algorithm=md_algorithm)

        async def go() -> bytes:
            w = IncrementalPdfFileWriter(io.BytesIO(data))
            pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=self.pki.timestamper(self.t0))
            out = await pdf_signer.async_sign_pdf(w)
            return bytes(out.getvalue())

        return asyncio.run(go())

    # ---- policies ----------------------------------------------------------------------------
    def policy_text(self, extends: str = "tt41", extra: str = "") -> str:
        """A policy file that accepts the test PKI's roots (as *configured* anchors)."""
        gov = fingerprint(self.pki.cert("gov-root"))
        pub = fingerprint(self.pki.cert("pub-root"))
        return (
            f'[policy]\nextends = "{extends}"\nname = "test-{extends}"\n\n'
            f'[anchors]\ncdcv = ["{gov}"]\nnational = ["{pub}"]\n\n'
            f'[anchors.names]\n"{gov}" = "RootCA G2 (TEST)"\n"{pub}" = "National Root (TEST)"\n\n' + extra
        )

    def policy(self, extends: str = "tt41", extra: str = "") -> Policy:
        spec = parse_policy_text(self.policy_text(extends, extra), f"test-{extends}.toml", self.registry)
        return self.registry.resolve(spec.extends, spec.settings)

    def judge(self, report: Report, extends: str = "tt41", extra: str = "", **facts: Any) -> ComplianceReport:
        return evaluate(report, self.policy(extends, extra), DocumentFacts(**facts))

    # ---- cached documents --------------------------------------------------------------------
    @cached_property
    def person_blt(self) -> api.SignResult:
        return self.sign("person", self.sample, "B-LT", field="ChuKyLanhDao")

    @cached_property
    def person_agency(self) -> bytes:
        """The compliant official document: the competent person, then the agency (B-LT)."""
        return self.sign("agency", self.person_blt.data, "B-LT", field="ConDauCoQuan").data

    @cached_property
    def person_agency_report(self) -> Report:
        return self.verify(self.person_agency)

    @cached_property
    def person_only_report(self) -> Report:
        return self.verify(self.person_blt.data)

    @cached_property
    def person_bb(self) -> bytes:
        return self.sign("person", self.sample, "B-B").data

    @cached_property
    def person_agency_bb_report(self) -> Report:
        """Both signatures at B-B (no timestamp), verified with online (in-process) revocation."""
        data = self.sign("agency", self.person_bb, "B-B").data
        return self.verify(data, fetch=True)

    @cached_property
    def agency_person_report(self) -> Report:
        """Wrong order: the agency signs first, then the person."""
        first = self.sign("agency", self.sample, "B-LT").data
        return self.verify(self.sign("person", first, "B-LT").data)

    @cached_property
    def agency_agency_report(self) -> Report:
        """The agency's key used for the 'person' signature (then the agency again)."""
        first = self.sign("agency", self.sample, "B-LT").data
        return self.verify(self.sign("agency-b", first, "B-LT").data)

    @cached_property
    def subscriber(self) -> api.SignResult:
        return self.sign("subscriber", self.sample, "B-LT")

    @cached_property
    def subscriber_report(self) -> Report:
        return self.verify(self.subscriber.data)

    @cached_property
    def incoming_lta_report(self) -> Report:
        """Person + agency, the agency at B-LTA (a document timestamp after the signatures)."""
        return self.verify(self.sign("agency", self.person_blt.data, "B-LTA").data)

    def pki_fingerprint(self, label: str) -> str:
        return fingerprint(self.pki.cert(label))

    # ---- Decree 30 appearances (visible signatures) ----------------------------------------
    @cached_property
    def images(self) -> tuple[bytes, bytes]:
        from vbsign.testpki.sample_images import seal_png, signature_png

        return signature_png(), seal_png()

    def person_look(self) -> Any:
        from vbsign.appearance import Appearance

        return Appearance.person(self.images[0], title="Phó Cục trưởng")

    def seal_look(self, **kw: Any) -> Any:
        from vbsign.appearance import Appearance

        return Appearance.agency(self.images[1], diameter_mm=36, **kw)

    @cached_property
    def visible_person(self) -> bytes:
        return self.sign("person", self.sample, "B-LT", field="ChuKyLanhDao", appearance=self.person_look()).data

    @cached_property
    def visible_report(self) -> Report:
        """Decree 30 appearances: the leader's blue signature, the agency's red seal over it."""
        return self.verify(self.sign("agency", self.visible_person, "B-LT", field="ConDau", appearance=self.seal_look()).data)

    @cached_property
    def attachment_report(self) -> Report:
        from vbsign.appearance import Appearance

        return self.verify(self.sign("agency", self.sample, "B-LT", appearance=Appearance.attachment("414/QĐ-CĐSQG")).data)

    @cached_property
    def copy_report(self) -> Report:
        from vbsign.appearance import Appearance

        return self.verify(self.sign("agency", self.sample, "B-LT", appearance=Appearance.copy("SAO Y")).data)

    @cached_property
    def agency_only_report(self) -> Report:
        return self.verify(self.sign("agency", self.sample, "B-LT").data)

    def scanned_copy(self, dpi: int, mode: str) -> Report:
        """A digitised copy: one A4 page that is a scan (``dpi``, PIL ``mode``), sealed as a copy."""
        from PIL import Image
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.utils import ImageReader
        from reportlab.pdfgen import canvas

        from vbsign.appearance import Appearance

        w, h = A4
        px = (math.ceil(w / 72 * dpi), math.ceil(h / 72 * dpi))
        img = Image.new("RGB", px, (250, 250, 245)).convert(mode)
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=A4)
        c.drawImage(ImageReader(img), 0, 0, width=w, height=h)
        c.showPage()
        c.save()
        return self.verify(self.sign("agency", buf.getvalue(), "B-LT", appearance=Appearance.copy("SAO Y")).data)

    @cached_property
    def tampered(self) -> bytes:
        """The compliant document with one byte of the signed range changed (a comment byte)."""
        b = bytearray(self.person_agency)
        m = re.search(rb"%PDF-\d\.\d\r?\n%", b)
        assert m is not None
        i = m.end()
        b[i] = (b[i] + 1) % 256 or 0x80
        return bytes(b)

    def modified_after_signing(self) -> bytes:
        """An incremental update that adds page content after both signatures."""
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        w = IncrementalPdfFileWriter(io.BytesIO(self.person_agency))
        stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (DA SUA) Tj ET")
        w.add_stream_to_page(0, w.add_object(stream))
        out = io.BytesIO()
        w.write(out)
        return out.getvalue()


@pytest.fixture(scope="session")
def docs(pki: testpki.TestPKI, pki_dir: Path, t0: datetime, sample_pdf: bytes) -> Docs:
    return Docs(pki, pki_dir, t0, sample_pdf)
