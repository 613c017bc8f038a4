"""PAdES augmentation: B-B → B-T → B-LT → B-LTA, and renewal of the archive timestamp.

Everything is an incremental update made with pyHanko (nothing already signed is rewritten):

* **B-T** — a PDF signature's CMS cannot gain an unsigned attribute without rewriting its
  ``/Contents``, so a signature without a signature timestamp is brought to B-T by a
  **document timestamp** (ETSI EN 319 142-1 §5.3 allows either);
* **B-LT** — the certificates, OCSP responses and CRLs of every signature *and* every
  timestamp in the DSS (with VRI entries), collected with pyHanko's
  :func:`~pyhanko.sign.validation.dss.collect_validation_info`;
* **B-LTA** — a document timestamp over all of it (``PdfTimeStamper.async_timestamp_pdf``);
  pyHanko then adds that timestamp's own validation data to the DSS in a later revision, so
  that the newest timestamp can be checked offline as well;
* **renewal** — ``PdfTimeStamper.async_update_archival_timestamp_chain``: the validation data
  of the newest document timestamp goes into the DSS and a new document timestamp covers
  everything, which keeps the chain of proofs of existence going after the previous TSA
  certificate expires or its hash algorithm weakens.

Whether the signatures verify before they are extended is the caller's check
(:func:`vbsign.api.extension.async_extend`); this module only builds the bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation import dss as pyhanko_dss
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from vbsign._core.errors import InputError, SigningError
from vbsign._core.i18n import Msg
from vbsign.formats.pades.reader import open_reader
from vbsign.formats.pades.sign import LEVELS, Level

#: what an extension step added, in the order it was added
Step = str


@dataclass
class PdfExtendOutcome:
    """The extended document and what was added to it."""

    data: bytes
    level_before: Level
    level_after: Level
    steps: list[Step] = field(default_factory=list)
    #: time of the newest document (archive) timestamp added, if any
    timestamp_time: datetime | None = None


def current_level(reader: PdfFileReader) -> Level:
    """The PAdES baseline level the document's *structure* reaches (not a verdict):
    B-LTA with a document timestamp after validation data, B-LT with a DSS, B-T with a
    signature or document timestamp, else B-B."""
    sigs = list(reader.embedded_regular_signatures)
    tss = list(reader.embedded_timestamp_signatures)
    has_dss = "/DSS" in reader.root
    if not sigs:
        raise InputError(Msg("Tệp PDF không có chữ ký nào để gia hạn.", "The PDF has no signature to extend."))
    last_sig_rev = max(s.signed_revision for s in sigs)
    later_ts = [t for t in tss if t.signed_revision > last_sig_rev]
    if has_dss and any(_dss_before(reader, t) for t in later_ts):
        return "B-LTA"
    if has_dss and (later_ts or all(_has_signature_timestamp(s) for s in sigs)):
        return "B-LT"
    if later_ts or all(_has_signature_timestamp(s) for s in sigs):
        return "B-T"
    return "B-B"


def _has_signature_timestamp(emb: EmbeddedPdfSignature) -> bool:
    return any(True for _ in extract_tst_data_iter(emb.signer_info, signed=False))


def _dss_before(reader: PdfFileReader, ts: EmbeddedPdfSignature) -> bool:
    """Whether the document timestamp covers a revision that already had a DSS."""
    try:
        covered = reader.get_historical_root(ts.signed_revision)
    except Exception:  # pragma: no cover - malformed history
        return False
    return "/DSS" in covered


async def extend_pdf(
    data: bytes,
    level: Level,
    *,
    timestamper: TimeStamper,
    validation_context: ValidationContext,
    renew: bool = False,
    md_algorithm: str = "sha256",
) -> PdfExtendOutcome:
    """Bring every signature of ``data`` up to ``level`` (and renew the archive timestamp
    when ``renew``); returns the new bytes, ``data`` itself is untouched."""
    reader = open_reader(io.BytesIO(data))
    before = current_level(reader)
    out = PdfExtendOutcome(data=data, level_before=before, level_after=before)
    if renew:
        if before != "B-LTA":
            level = "B-LTA"  # renewing a B-LT document: its first archive timestamp
        else:
            out.data, out.timestamp_time = await _renew(data, timestamper, validation_context, md_algorithm)
            out.steps.append("archive-timestamp-renewed")
            return out
    target = LEVELS.index(level)
    if target <= LEVELS.index(before):
        return out
    if LEVELS.index(before) < LEVELS.index("B-T"):
        out.data, _t = await _document_timestamp(out.data, timestamper, None, md_algorithm)
        out.steps.append("document-timestamp")
    if target >= LEVELS.index("B-LT") and LEVELS.index(before) < LEVELS.index("B-LT"):
        out.data = await _add_validation_data(out.data, validation_context)
        out.steps.append("validation-data")
    if target >= LEVELS.index("B-LTA"):
        out.data, out.timestamp_time = await _document_timestamp(
            out.data, timestamper, validation_context, md_algorithm
        )
        out.steps.append("archive-timestamp")
    out.level_after = current_level(open_reader(io.BytesIO(out.data)))
    return out


async def _document_timestamp(
    data: bytes, timestamper: TimeStamper, vc: ValidationContext | None, md_algorithm: str
) -> tuple[bytes, datetime]:
    """Append a document timestamp (with ``vc``: and its TSA's validation data after it)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    stamper = signers.PdfTimeStamper(timestamper, field_name=_free_timestamp_field(writer.prev))
    out = io.BytesIO()
    try:
        await stamper.async_timestamp_pdf(writer, md_algorithm, validation_context=vc, output=out)
    except Exception as e:
        raise _failed(e) from e
    return out.getvalue(), _newest_timestamp_time(out.getvalue())


async def _add_validation_data(data: bytes, vc: ValidationContext) -> bytes:
    """One incremental update putting the validation data of every signature and every
    timestamp (signature and document timestamps) into the DSS, with VRI entries."""
    reader = open_reader(io.BytesIO(data))
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    embedded = [*reader.embedded_regular_signatures, *reader.embedded_timestamp_signatures]
    try:
        for emb in embedded:
            paths = await pyhanko_dss.collect_validation_info(emb, vc)
            pyhanko_dss.DocumentSecurityStore.supply_dss_in_writer(
                writer, emb.pkcs7_content, paths=paths, validation_context=vc
            )
    except Exception as e:
        raise _failed(e) from e
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def _renew(
    data: bytes, timestamper: TimeStamper, vc: ValidationContext, md_algorithm: str
) -> tuple[bytes, datetime]:
    """A new archive timestamp over everything, after the newest one's validation data."""
    reader = open_reader(io.BytesIO(data))
    stamper = signers.PdfTimeStamper(timestamper, field_name=_free_timestamp_field(reader))
    out = io.BytesIO()
    try:
        await stamper.async_update_archival_timestamp_chain(
            reader, vc, in_place=False, output=out, default_md_algorithm=md_algorithm
        )
    except Exception as e:
        raise _failed(e) from e
    return out.getvalue(), _newest_timestamp_time(out.getvalue())


def _free_timestamp_field(reader: PdfFileReader) -> str:
    """``DauThoiGian1``, ``DauThoiGian2`` …: the first name no field uses."""
    from pyhanko.sign.fields import enumerate_sig_fields

    used = {name for name, _v, _r in enumerate_sig_fields(reader, filled_status=None)}
    n = 1
    while f"DauThoiGian{n}" in used:
        n += 1
    return f"DauThoiGian{n}"


def _newest_timestamp_time(data: bytes) -> datetime:
    reader = open_reader(io.BytesIO(data))
    newest = list(reader.embedded_timestamp_signatures)[-1]
    gen: datetime = newest.signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    return gen


def _failed(e: Exception) -> SigningError:
    detail = str(e) or type(e).__name__
    return SigningError(
        Msg("Không gia hạn được chữ ký: {e}", "Cannot extend the signature: {e}").format(e=detail[:300])
    )


__all__ = ["PdfExtendOutcome", "current_level", "extend_pdf"]


