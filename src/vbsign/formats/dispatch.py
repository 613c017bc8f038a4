"""Which signature format a file gets, and the XAdES / CAdES / edXML branches of the API.

:mod:`vbsign.api` handles PDFs itself and hands every other file to this module:

* signing: PDF magic → PAdES; an edXML envelope → header signature (XAdES); other XML →
  XAdES; anything else → CAdES (detached ``.p7s`` by default, enveloping ``.p7m`` on
  request). ``format=`` overrides the guess.
* verification: PDF → PAdES; XML (edXML envelopes included) → XAdES; DER/PEM CMS →
  CAdES, with ``content=`` for a detached signature (defaulting to the file next to a
  ``x.p7s`` named ``x``).

The pre-signing certificate check and the timestamper of :class:`vbsign.Signer` apply
to every format: this module receives the already-checked key and its settings
(:class:`SigningSetup`), never the API's objects.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from vbsign._core.errors import InputError, SigningError, UnsupportedFormatError
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import utcnow
from vbsign.formats.ades import AdesVerifyOptions, collect_validation_data
from vbsign.formats.cades import CadesOptions, looks_like_cms, sign_cades, verify_cms
from vbsign.formats.pades.limits import verify_within
from vbsign.formats.pades.verify import VerifyOptions, is_pdf, verify_pdf
from vbsign.formats.xades.edxml import is_edxml, sign_edxml, verify_edxml
from vbsign.formats.xades.safe import looks_like_xml
from vbsign.formats.xades.sign import XadesOptions, sign_xades
from vbsign.formats.xades.verify import verify_xml
from vbsign.model.report import Report
from vbsign.pki.validation import path_error_reason

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.sign.timestamps.api import TimeStamper

    from vbsign.backends.base import SigningKey
    from vbsign.formats.ades import AdesVerifyOptions, ValidationData
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services, SignerCheck

SignFormat = Literal["pdf", "xml", "edxml", "cades"]
FORMAT_NAMES: dict[str, SignFormat] = {
    "pdf": "pdf",
    "pades": "pdf",
    "xml": "xml",
    "xades": "xml",
    "edxml": "edxml",
    "cades": "cades",
    "cms": "cades",
    "p7s": "cades",
    "p7m": "cades",
}
#: what SignResult.format says for each branch
RESULT_FORMATS: dict[SignFormat, str] = {"pdf": "pdf", "xml": "xades", "edxml": "edxml", "cades": "cades"}
LABELS: dict[str, str] = {"pdf": "PAdES", "xades": "XAdES", "edxml": "edXML/XAdES", "cades": "CAdES"}


def normalise_format(value: str | None) -> SignFormat | None:
    if value is None or value.lower() in ("", "auto"):
        return None
    fmt = FORMAT_NAMES.get(value.lower())
    if fmt is None:
        raise InputError(
            Msg(
                "Định dạng không hợp lệ: {f} (pdf, xml, edxml, cades).",
                "Invalid format: {f} (pdf, xml, edxml, cades).",
            ).format(f=value)
        )
    return fmt


def detect_format(data: bytes, override: str | None = None) -> SignFormat:
    """The signature format for signing ``data`` (see module docs)."""
    fmt = normalise_format(override)
    if fmt is not None:
        return fmt

    if is_pdf(data) and not is_cms(data):
        return "pdf"
    if looks_like_xml(data):
        return "edxml" if is_edxml(data) else "xml"
    return "cades"


def is_cms(data: bytes) -> bool:
    """A DER/PEM CMS SignedData (checked before PDF: a ``.p7m`` may envelope a PDF)."""

    return looks_like_cms(data)


def default_output(source: str | os.PathLike[str], fmt: SignFormat, *, packaging: str | None = None) -> Path:
    """``x.signed.pdf``, ``x.signed.xml``, ``x.docx.p7s`` (detached) or ``x.docx.p7m``."""
    p = Path(source)
    if fmt == "cades":
        return p.with_name(p.name + (".p7m" if packaging == "enveloping" else ".p7s"))
    if fmt in ("xml", "edxml") and packaging == "detached":
        return p.with_name(p.name + ".xades.xml")
    return p.with_name(p.stem + ".signed" + p.suffix)


@dataclass(frozen=True)
class SigningSetup:
    """What every format needs to sign, prepared by the API (:class:`vbsign.Signer`)."""

    key: SigningKey
    trust: TrustStore
    services: Services
    md_algorithm: str
    prefer_pss: bool
    timestamper: TimeStamper | None
    #: validate at this fixed time (a caller's clock), else at the current time
    moment: datetime | None = None


@dataclass
class FormatSignOutcome:
    data: bytes
    format: str
    level: str
    signing_time: datetime
    timestamp_time: datetime | None


def _validation_data_source(signer: SigningSetup, check: SignerCheck) -> Any:
    """``await source(cert, extra)``: validation data for B-LT, reusing the pre-sign check."""
    from pyhanko_certvalidator import errors as cv_errors


    async def source(cert: x509.Certificate, extra: list[x509.Certificate]) -> ValidationData:
        own = cert.dump() == signer.key.certificate.dump()
        try:
            return await collect_validation_data(
                cert,
                [*extra, *signer.key.chain],
                signer.trust,
                services=signer.services,
                moment=signer.moment,
                ocsps=check.ocsps if own else (),
                crls=check.crls if own else (),
            )
        except (cv_errors.PathBuildingError, cv_errors.ValidationError, ValueError) as e:
            code, msg = path_error_reason(e)
            raise SigningError(
                Msg(
                    f"Không thu thập được dữ liệu kiểm tra cho mức B-LT ({code}): {msg.vi}",
                    f"Could not collect B-LT validation data ({code}): {msg.en}",
                )
            ) from e

    return source


async def sign_other(
    signer: SigningSetup,
    data: bytes,
    name: str,
    fmt: SignFormat,
    *,
    level: str,
    now: datetime,
    check: SignerCheck,
    reason: str | None = None,
    location: str | None = None,
    packaging: str | None = None,
    signer_role: str | None = None,
    xades_transform: Literal["enveloped", "filter2"] | None = None,
    signature_id: str | None = None,
) -> FormatSignOutcome:
    """Sign a non-PDF document with an already checked key (``check``: its pre-signing check).

    ``signature_id`` fixes the XAdES signature's Id (two-step signing re-runs the same
    signature with the same id and signing time, so the bytes to sign are the same)."""
    vsource = _validation_data_source(signer, check) if level == "B-LT" else None
    if fmt == "cades":
        if packaging not in (None, "detached", "enveloping"):
            raise InputError(
                Msg(
                    "CAdES chỉ có kiểu 'detached' (.p7s) hoặc 'enveloping' (.p7m), không có '{p}'.",
                    "CAdES is 'detached' (.p7s) or 'enveloping' (.p7m), not '{p}'.",
                ).format(p=packaging)
            )
        c_out = await sign_cades(
            data,
            signer.key,
            CadesOptions(
                detached=packaging != "enveloping",
                level=level,
                md_algorithm=signer.md_algorithm,
                prefer_pss=signer.prefer_pss,
            ),
            now=now,
            timestamper=signer.timestamper,
            validation_data=vsource,
        )
        return FormatSignOutcome(c_out.data, "cades", level, c_out.signing_time, c_out.timestamp_time)
    if fmt == "edxml":
        x_out = await sign_edxml(
            data,
            signer.key,
            now=now,
            level=level,
            digest_algorithm=signer.md_algorithm,
            prefer_pss=signer.prefer_pss,
            signer_role=signer_role,
            timestamper=signer.timestamper,
            validation_data=vsource,
            name=name,
        )
        return FormatSignOutcome(x_out.data, "edxml", level, x_out.signing_time, x_out.timestamp_time)

    x_out = await sign_xades(
        data,
        signer.key,
        XadesOptions(
            packaging=packaging or "enveloped",  # type: ignore[arg-type]
            enveloped_transform=xades_transform or "enveloped",
            level=level,
            digest_algorithm=signer.md_algorithm,
            prefer_pss=signer.prefer_pss,
            signer_role=signer_role,
            location=location,
            reason=reason,
            signature_id=signature_id,
        ),
        now=now,
        name=name,
        timestamper=signer.timestamper,
        validation_data=vsource,
    )
    return FormatSignOutcome(x_out.data, "xades", level, x_out.signing_time, x_out.timestamp_time)


# ---- verification ---------------------------------------------------------------------------


def _ades_options(trust: TrustStore, at: str, now: datetime | None, services: Services) -> AdesVerifyOptions:
    return AdesVerifyOptions(trust=trust, at=at, now=now, services=services)


def find_detached_content(name: str) -> tuple[bytes, str] | None:
    """For ``x.p7s`` / ``x.sig`` next to ``x``: the content file (read), else None."""
    p = Path(name)
    if p.suffix.lower() in (".p7s", ".sig") and p.with_suffix("").is_file():
        c = p.with_suffix("")
        return c.read_bytes(), c.name
    return None


async def verify_other(
    data: bytes,
    name: str,
    *,
    trust: TrustStore,
    at: str,
    now: datetime | None,
    services: Services,
    content: bytes | Mapping[str, bytes] | None = None,
    content_name: str | None = None,
    allow_comments: bool = False,
    envelopes: bool = True,
) -> Report:
    """Verify an XML (XAdES, edXML) or CMS (CAdES) signature; PDFs are the API's job.

    ``envelopes=False`` verifies an edXML envelope as plain XML (its attachments are not
    opened): used for envelopes nested in envelopes, so that nesting cannot multiply work.
    """

    options = _ades_options(trust, at, now or utcnow(), services)
    short = Path(name).name
    if looks_like_xml(data):
        contents: Mapping[str, bytes] | None
        if isinstance(content, Mapping):
            contents = content  # may read lazily: only what a reference asks for
        elif content is not None:
            # one content file: it is *the* signed content, whatever name the signature uses
            contents = {"*": content, "": content, **({content_name: content} if content_name else {})}
        else:
            contents = None
        if envelopes and is_edxml(data):
            async def verify_attachment(att: bytes, att_name: str, detached: bytes | None) -> Report:
                return await verify_bytes(
                    att, att_name, trust=trust, at=at, now=options.now, services=services,
                    content=detached, allow_comments=allow_comments,
                )

            return await verify_edxml(data, short, options, verify_attachment)
        return (await verify_xml(data, short, options, contents=contents)).report
    if looks_like_cms(data):
        if content is None:
            found = find_detached_content(name)
            if found is not None:
                content, content_name = found
        if isinstance(content, Mapping):
            content = next(iter(content.values()), None)
        return (await verify_cms(data, short, options, content=content, content_name=content_name)).report
    raise UnsupportedFormatError(
        Msg(
            "Không nhận ra định dạng chữ ký của tệp {n} (hỗ trợ PDF, XML/XAdES/edXML, CMS/CAdES .p7s/.p7m; "
            "thư điện tử .eml: vbsign mail verify).",
            "The signature format of {n} is not recognised (supported: PDF, XML/XAdES/edXML, CMS/CAdES .p7s/.p7m; "
            "e-mail .eml: vbsign mail verify).",
        ).format(n=short)
    )


async def verify_bytes(
    data: bytes,
    name: str,
    *,
    trust: TrustStore,
    at: str,
    now: datetime | None,
    services: Services,
    content: bytes | None = None,
    allow_comments: bool = False,
) -> Report:
    """Any supported format, PDF included (used for edXML attachments: no nested envelopes)."""

    if is_pdf(data) and not is_cms(data):  # same time/memory limits as a PDF given directly
        options = VerifyOptions(trust=trust, at=at, now=now, services=services, allow_comments=allow_comments)
        return await verify_within(verify_pdf, data, Path(name).name, options, None)
    return await verify_other(
        data, name, trust=trust, at=at, now=now, services=services, content=content,
        allow_comments=allow_comments, envelopes=False,
    )


__all__ = [
    "FORMAT_NAMES",
    "LABELS",
    "SignFormat",
    "default_output",
    "detect_format",
    "find_detached_content",
    "normalise_format",
    "sign_other",
    "verify_bytes",
    "verify_other",
]
