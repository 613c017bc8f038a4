"""What the host bridge collects as evidence while it verifies: the revocation data fetched
(:class:`RecordingServices`) and the validation material embedded in a signed PDF.

The bundle these go into is :class:`vbsign.model.evidence.EvidenceBundle`.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.fetchers.api import FetcherBackend, Fetchers

from vbsign.formats.pades.limits import DEFAULT_LIMITS, precheck
from vbsign.formats.pades.reader import open_reader
from vbsign.model.evidence import ValidationMaterial
from vbsign.model.report import Report
from vbsign.pki.validation import Services

# ---- recording what verification fetched ---------------------------------------------------


class RevocationRecorder:
    """Remembers the fetchers of every validation context built during one operation."""

    def __init__(self) -> None:
        self._fetchers: list[Fetchers] = []

    def attach(self, fetchers: Fetchers) -> Fetchers:
        self._fetchers.append(fetchers)
        return fetchers

    def collected(self) -> tuple[list[asn1_ocsp.OCSPResponse], list[asn1_crl.CertificateList]]:
        ocsps: list[asn1_ocsp.OCSPResponse] = []
        crls: list[asn1_crl.CertificateList] = []
        for f in self._fetchers:
            try:
                ocsps += list(f.ocsp_fetcher.fetched_responses())
                crls += list(f.crl_fetcher.fetched_crls())
            except Exception:  # pragma: no cover - a fetcher without history
                continue
        return ocsps, crls


class _RecordingBackend(FetcherBackend):
    def __init__(self, inner: FetcherBackend, recorder: RevocationRecorder) -> None:
        self._inner, self._recorder = inner, recorder

    def get_fetchers(self) -> Fetchers:
        return self._recorder.attach(self._inner.get_fetchers())

    async def close(self) -> None:
        await self._inner.close()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class RecordingServices(Services):
    """:class:`~vbsign.pki.validation.Services` that also record the revocation data fetched."""

    recorder: RevocationRecorder = field(default_factory=RevocationRecorder, compare=False, repr=False)

    @classmethod
    def wrap(cls, services: Services) -> RecordingServices:
        values = {f.name: getattr(services, f.name) for f in dataclasses.fields(services) if f.init}
        values.pop("recorder", None)
        return cls(**values)

    def make_fetcher_backend(self) -> FetcherBackend | None:
        inner = super().make_fetcher_backend()
        return None if inner is None else _RecordingBackend(inner, self.recorder)


def pdf_validation_material(data: bytes) -> ValidationMaterial:
    """Certificates, OCSP responses and CRLs embedded in a PDF (DSS and CMS attributes).

    Best effort on hostile input: whatever cannot be parsed is skipped (the verification
    report already says what is wrong with the document).
    """
    out = ValidationMaterial()
    try:
        reader = open_reader(io.BytesIO(data))
    except Exception:
        return out
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        out.add(
            ocsps=[asn1_ocsp.OCSPResponse.load(r.get_object().data) for r in dss.ocsps],
            crls=[asn1_crl.CertificateList.load(r.get_object().data) for r in dss.crls],
            certificates=dss.load_certs(),
        )
    except Exception:
        pass  # no (or a damaged) DSS
    try:
        signatures = list(reader.embedded_signatures)
    except Exception:
        signatures = []
    for emb in signatures:
        try:
            out.add(certificates=[emb.signer_cert, *emb.other_embedded_certs])
            for attr in emb.signer_info["signed_attrs"]:
                if attr["type"].native == "adobe_revocation_info_archival":
                    for val in attr["values"]:
                        out.add(ocsps=list(val["ocsp"] or []), crls=list(val["crl"] or []))
        except Exception:
            continue
    return out


def document_material(data: bytes, report: Report | None) -> ValidationMaterial | None:
    """The material embedded in a verified document, or ``None`` when it is not re-read.

    The file is parsed again only when the verifier could read it and its raw bytes do
    not look risky (see :mod:`vbsign.formats.pades.limits`): a hostile file must not get around the
    verifier's time and memory budget through the evidence collection.
    """
    if report is None or report.document.format != "pdf":
        return None
    if any(f.code in ("RESOURCE_LIMIT", "PDF_UNREADABLE") for f in report.findings):
        return None
    pre = precheck(data, DEFAULT_LIMITS)
    if pre.refused is not None or pre.risky:
        return None
    return pdf_validation_material(data)


