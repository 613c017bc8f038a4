"""PAdES in two steps: prepare the document and the bytes to sign, complete with a value.

``prepare_pdf`` runs pyHanko's signing pipeline up to the document digest (field,
appearance, ``/Contents`` reserved — :meth:`PdfTBSDocument.digest_tbs_document`) and then
asks the signer for the CMS signed attributes over that digest
(:meth:`pyhanko.sign.signers.pdf_cms.Signer.signed_attrs`): those DER bytes are what an
external signer signs. The prepared PDF (with its placeholder) is kept by the caller.

``complete_pdf`` checks that the prepared PDF is the one the signed attributes cover,
packages the (already verified) signature value with pyHanko's
:meth:`~pyhanko.sign.signers.pdf_cms.Signer.async_sign_prescribed_attributes` (adding the
signature timestamp for B-T and above), embeds it with
:meth:`PdfTBSDocument.async_finish_signing` (DSS for B-LT, document timestamp for B-LTA)
and re-verifies the result like one-step signing does.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field, replace
from datetime import datetime

from asn1crypto import cms
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfSigningSession, PdfTBSDocument, PostSignInstructions
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator import ValidationContext

from vbsign._core.algorithms import require_signing_hash
from vbsign._core.errors import InputError, SessionRejected, SigningError
from vbsign._core.i18n import Msg
from vbsign.backends.base import SigningKey
from vbsign.formats.pades.preflight import preflight
from vbsign.formats.pades.sign import (
    PdfSignOptions,
    _open_writer,
    _signing_risks,
    check_own_signature,
    estimate_reservation,
    open_signing_session,
    signature_metadata,
)

__all__ = ["PdfCompleted", "PdfPrepared", "check_prepared", "complete_pdf", "prepare_pdf"]


@dataclass
class PdfPrepared:
    """The prepared PDF and what the session must remember about it."""

    document: bytes
    #: the DER signed attributes: the bytes to sign
    tbs: bytes
    document_digest: bytes
    reserved_region: tuple[int, int]
    field_name: str
    #: length of the input: the prepared PDF is the input plus one incremental update
    base_length: int = 0
    warnings: list[Msg] = field(default_factory=list)


@dataclass
class PdfCompleted:
    data: bytes
    field_name: str
    timestamp_time: datetime | None


async def prepare_pdf(
    data: bytes,
    key: SigningKey,
    options: PdfSignOptions,
    *,
    now: datetime,
    timestamper: TimeStamper | None,
) -> PdfPrepared:
    """Step one: the prepared PDF and the DER signed attributes to be signed."""
    options = replace(options, md_algorithm=require_signing_hash(options.md_algorithm))
    if options.level != "B-B" and timestamper is None:
        raise InputError(
            Msg(
                "Mức {l} cần máy chủ dấu thời gian: dùng --tsa URL (hoặc chọn --level b-b).",
                "Level {l} needs a timestamp server: use --tsa URL (or choose --level b-b).",
            ).format(l=options.level)
        )
    opened = []

    def open_reader():  # type: ignore[no-untyped-def]
        opened.append(_open_writer(data))
        return opened[-1].prev

    bombs = await preflight(data, open_reader=open_reader)
    tst_len = len((await timestamper.async_dummy_response(options.md_algorithm)).dump()) if timestamper else 0
    writer = opened.pop() if opened else _open_writer(data)
    risks = _signing_risks(writer.prev)
    # the signature's own level is reached in complete(); here only the field and digest
    session, field_name, text_params = open_signing_session(writer, key, replace(options, level="B-B"), now, None, None)
    try:
        tbs_doc = session.prepare_tbs_document(
            validation_info=None,
            bytes_reserved=estimate_reservation(key, tst_len),
            appearance_text_params=text_params,
        )
        out = io.BytesIO()
        prepared, _ = tbs_doc.digest_tbs_document(output=out)
    except PyHankoSigningError as e:
        raise SigningError(Msg("Không chuẩn bị được: {e}", "Cannot prepare: {e}").format(e=str(e))) from e
    attrs = await key.pyhanko_signer(prefer_pss=options.prefer_pss).signed_attrs(
        prepared.document_digest,
        options.md_algorithm,
        attr_settings=PdfCMSSignedAttributes(signing_time=now),
        use_pades=True,
    )
    return PdfPrepared(
        out.getvalue(), attrs.dump(), prepared.document_digest,
        (prepared.reserved_region_start, prepared.reserved_region_end), field_name, len(data), [*bombs, *risks],
    )  # fmt: skip


def check_prepared(document: bytes, tbs: bytes, digest: bytes, region: tuple[int, int], md: str) -> None:
    """The prepared PDF still hashes (over its byte range) to the digest the signed
    attributes carry; anything else means the document is not the prepared one."""
    start, end = region
    if not (0 < start < end <= len(document)):
        raise _changed()
    actual = hashlib.new(md, document[:start] + document[end:]).digest()
    attrs = cms.CMSAttributes.load(tbs)
    signed_digest = next((a["values"][0].native for a in attrs if a["type"].native == "message_digest"), None)
    if actual != digest or signed_digest != digest:
        raise _changed()


def _changed() -> SessionRejected:
    return SessionRejected(
        Msg(
            "Tệp PDF đã chuẩn bị không khớp phiên ký (bị sửa hoặc là tệp khác).",
            "The prepared PDF does not match the session (altered, or another file).",
        ),
        details={"reason": "document_changed"},
    )


async def complete_pdf(
    prepared: PdfPrepared,
    key: SigningKey,
    options: PdfSignOptions,
    *,
    now: datetime,
    timestamper: TimeStamper | None,
    validation_context: ValidationContext | None,
) -> PdfCompleted:
    """Step two: embed the signature value (``key`` answers with it), add the level's
    timestamp and validation data, and re-verify the output."""
    md = options.md_algorithm
    check_prepared(prepared.document, prepared.tbs, prepared.document_digest, prepared.reserved_region, md)
    ts = timestamper if options.level != "B-B" else None
    signer = key.pyhanko_signer(prefer_pss=options.prefer_pss)
    try:
        ci = await signer.async_sign_prescribed_attributes(md, cms.CMSAttributes.load(prepared.tbs), timestamper=ts)
        instructions = await _post_sign_instructions(prepared, key, options, now, ts, validation_context)
        out = io.BytesIO(prepared.document)
        start, end = prepared.reserved_region
        await PdfTBSDocument.async_finish_signing(
            out, PreparedByteRangeDigest(prepared.document_digest, start, end), ci,
            post_sign_instr=instructions, validation_context=validation_context,
        )  # fmt: skip
    except PyHankoSigningError as e:
        if "larger than" in str(e) or "too small" in str(e):
            raise SigningError(
                Msg(
                    "Chữ ký (kèm dấu thời gian) lớn hơn chỗ đã dành khi chuẩn bị; hãy chuẩn bị lại.",
                    "The signature (with its timestamp) is larger than the space reserved; prepare again.",
                )
            ) from e
        raise SigningError(Msg("Không hoàn tất được: {e}", "Cannot complete: {e}").format(e=str(e))) from e
    signed = out.getvalue()
    tst_time = check_own_signature(signed, prepared.field_name, key.certificate)
    return PdfCompleted(signed, prepared.field_name, tst_time)


async def _post_sign_instructions(
    prepared: PdfPrepared,
    key: SigningKey,
    options: PdfSignOptions,
    now: datetime,
    timestamper: TimeStamper | None,
    vc: ValidationContext | None,
) -> PostSignInstructions | None:
    """B-LT / B-LTA: the validation data to put in the DSS (and the document timestamper),
    gathered as pyHanko's one-step pre-signing validation gathers it."""
    if options.level not in ("B-LT", "B-LTA"):
        return None
    if vc is None:
        raise SigningError(
            Msg(
                "Mức {l} cần ngữ cảnh kiểm tra để nhúng dữ liệu thu hồi.",
                "Level {l} needs a validation context to embed revocation data.",
            ).format(l=options.level)
        )
    pdf_signer = signers.PdfSigner(
        signature_metadata(options, prepared.field_name, vc), signer=key.pyhanko_signer(), timestamper=timestamper
    )
    # the input's revision (B-LTA continues its document-timestamp chain); not the prepared
    # revision, whose /Contents is still the placeholder
    writer = _open_writer(prepared.document[: prepared.base_length or len(prepared.document)])
    session = PdfSigningSession(
        pdf_signer, writer, None, None, options.md_algorithm, timestamper, SigSeedSubFilter.PADES, system_time=now
    )
    info = await session.perform_presign_validation(writer)
    assert info is not None  # a validation context was given
    return PostSignInstructions(
        validation_info=info,
        timestamper=timestamper if options.level == "B-LTA" else None,
        timestamp_md_algorithm=options.md_algorithm,
        embed_roots=False,
    )

