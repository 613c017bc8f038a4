"""PAdES signing (B-B, B-T, B-LT, B-LTA) on top of pyHanko's signing pipeline.

What vbsign adds to pyHanko here:

* the caller has already run the pre-signing certificate check
  (:func:`vbsign.pki.validation.check_signer_certificate`) — pyHanko itself would sign with a
  revoked or expired certificate at B-B/B-T;
* ``/Contents`` is sized arithmetically (certificates + signature + timestamp token +
  headroom) instead of with a full dry-run signature; if a TSA ever returns a token larger
  than the headroom, signing is retried once with a doubled reservation, so the user never
  sees "payload larger than expected";
* the signing clock is explicit (``now``), so that the appearance, ``/M`` and tests agree;
* the result is re-opened and its new signature(s) verified cryptographically before the
  bytes are handed back.
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from asn1crypto import x509
from pyhanko.pdf_utils import misc as pdf_misc
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator import ValidationContext

from vbsign._core.algorithms import require_signing_hash
from vbsign._core.errors import InputError, SigningError
from vbsign._core.i18n import Msg
from vbsign.appearance.spec import AppearanceProvider
from vbsign.backends.base import SigningKey
from vbsign.formats.pades.limits import DEFAULT_LIMITS, limit_issue, precheck
from vbsign.formats.pades.preflight import input_error, preflight
from vbsign.formats.pades.reader import open_reader, open_writer
from vbsign.formats.pades.shadow import signing_risks

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
LEVELS: tuple[Level, ...] = ("B-B", "B-T", "B-LT", "B-LTA")


def normalise_level(value: str) -> Level:
    v = value.strip().upper().replace("_", "-")
    if not v.startswith("B-"):
        v = "B-" + v.removeprefix("B")
    for lvl in LEVELS:
        if v == lvl:
            return lvl
    raise InputError(
        Msg(
            "Mức chữ ký không hợp lệ: {v} (chọn B-B, B-T, B-LT hoặc B-LTA).",
            "Invalid signature level: {v} (choose B-B, B-T, B-LT or B-LTA).",
        ).format(v=value)
    )


@dataclass(frozen=True)
class Placement:
    """Where the signature goes.

    ``field`` names an existing (empty) signature field, or the new field to create.
    ``box`` is ``(x1, y1, x2, y2)`` in PDF points on ``page`` (0-based; negative counts
    from the end). Without a box the new field is invisible.
    """

    field: str | None = None
    page: int = 0
    box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class PdfSignOptions:
    level: Level = "B-LT"
    md_algorithm: str = "sha256"
    prefer_pss: bool = False
    placement: Placement = Placement()
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None
    #: certification (DocMDP) signature with this permission level (1, 2 or 3)
    certify: int | None = None
    appearance: AppearanceProvider | None = None


@dataclass
class PdfSignOutcome:
    data: bytes
    field_name: str
    signing_time: datetime
    timestamp_time: datetime | None
    bytes_reserved: int
    #: what in the input could be used against the signer (shadow content, see
    #: :func:`vbsign.formats.pades.shadow.signing_risks`); signing went ahead
    warnings: list[Msg] = field(default_factory=list)


_SIZE_ERR = re.compile(r"larger than expected|too small|exceeds", re.I)


def _open_writer(data: bytes) -> IncrementalPdfFileWriter:
    refused = precheck(data, DEFAULT_LIMITS).refused  # e.g. a tiny file declaring 2^31 xref entries
    if refused is not None:
        msg = limit_issue(*refused).msg
        raise InputError(Msg(f"Không ký: {msg.vi}", f"Not signed: {msg.en}"), details={"limit": refused[0]})
    try:
        return open_writer(io.BytesIO(data))
    except (pdf_misc.PdfError, ValueError, KeyError, IndexError, TypeError, zlib.error) as e:
        raise input_error(e) from e


def _existing_field_names(reader: PdfFileReader) -> dict[str, bool]:
    """Signature field names mapped to "already signed"."""
    out: dict[str, bool] = {}
    try:
        for name, value, _ref in fields.enumerate_sig_fields(reader, filled_status=None):
            out[name] = value is not None
    except Exception:  # pragma: no cover - malformed AcroForm
        pass
    return out


def choose_field_name(reader: PdfFileReader, requested: str | None) -> tuple[str, bool]:
    """Return ``(name, exists)``; refuse an already-signed field."""
    existing = _existing_field_names(reader)
    if requested:
        if existing.get(requested):
            raise InputError(
                Msg(
                    "Trường chữ ký '{f}' đã được ký.",
                    "Signature field '{f}' is already signed.",
                ).format(f=requested)
            )
        return requested, requested in existing
    n = 1
    while f"ChuKy{n}" in existing:
        n += 1
    return f"ChuKy{n}", False


def estimate_reservation(
    key: SigningKey, tst_len: int, *, headroom: int = 4096
) -> int:
    """Bytes to reserve for ``/Contents`` (hex digits, i.e. twice the DER size)."""
    certs = [key.certificate, *key.chain]
    cert_bytes = sum(len(c.dump()) for c in certs if c.self_signed != "yes")
    pub = key.certificate.public_key
    sig_len = (pub.bit_size + 7) // 8 if pub.algorithm == "rsa" else 2 * ((pub.bit_size + 7) // 8) + 16
    attrs = 1024  # content type, digest, signing-certificate-v2, algorithm protection, ...
    der = cert_bytes + sig_len + attrs + tst_len + headroom
    der = (der + 1023) // 1024 * 1024
    return int(2 * der)


async def sign_pdf(
    data: bytes,
    key: SigningKey,
    options: PdfSignOptions,
    *,
    now: datetime,
    timestamper: TimeStamper | None,
    validation_context: ValidationContext | None,
) -> PdfSignOutcome:
    """Sign ``data`` (a PDF) and return the signed bytes; nothing is written to disk here."""
    options = replace(options, md_algorithm=require_signing_hash(options.md_algorithm))  # no SHA-1/MD5
    if options.level != "B-B" and timestamper is None:
        raise InputError(
            Msg(
                "Mức {l} cần máy chủ dấu thời gian: dùng --tsa URL (hoặc chọn --level b-b).",
                "Level {l} needs a timestamp server: use --tsa URL (or choose --level b-b).",
            ).format(l=options.level)
        )
    if options.level in ("B-LT", "B-LTA") and validation_context is None:
        raise SigningError(
            Msg(
                "Mức {l} cần ngữ cảnh kiểm tra để nhúng dữ liệu thu hồi.",
                "Level {l} needs a validation context to embed revocation data.",
            ).format(l=options.level)
        )
    # hostile input gets the verification's limits and error types before anything else;
    # the reader opened for the check (in this process) is the one the first attempt signs with
    opened: list[IncrementalPdfFileWriter] = []

    def open_reader() -> PdfFileReader:
        opened.append(_open_writer(data))
        return opened[-1].prev

    bombs = await preflight(data, open_reader=open_reader)
    tst_len = 0
    if timestamper is not None:
        dummy = await timestamper.async_dummy_response(options.md_algorithm)
        tst_len = len(dummy.dump())
    reserved = estimate_reservation(key, tst_len)
    try:
        try:
            outcome = await _sign_once(
                data, key, options, now, timestamper, validation_context, reserved, opened.pop() if opened else None
            )
        except PyHankoSigningError as e:
            if not _SIZE_ERR.search(str(e)):
                raise
            logger.info("signature container larger than reserved (%d); retrying", reserved)
            outcome = await _sign_once(data, key, options, now, timestamper, validation_context, 2 * reserved)
        outcome.warnings[:0] = bombs
        return outcome
    except RecursionError as e:  # nesting the preflight did not meet (it walks what signing reads)
        raise input_error(e) from None
    except PyHankoSigningError as e:
        if "forbids all changes" in str(e):
            raise SigningError(
                Msg(
                    "Không ký được: văn bản đã được chứng nhận (DocMDP mức 1) và không cho phép thay đổi nào.",
                    "Cannot sign: the document is certified (DocMDP level 1) and allows no changes.",
                )
            ) from e
        raise SigningError(
            Msg("Không ký được: {e}", "Signing failed: {e}").format(e=str(e) or type(e).__name__)
        ) from e


async def _sign_once(
    data: bytes,
    key: SigningKey,
    options: PdfSignOptions,
    now: datetime,
    timestamper: TimeStamper | None,
    vc: ValidationContext | None,
    reserved: int,
    writer: IncrementalPdfFileWriter | None = None,
) -> PdfSignOutcome:
    writer = writer if writer is not None else _open_writer(data)
    reader = writer.prev
    risks = _signing_risks(reader)
    try:
        return await _sign_prepared(writer, key, options, now, timestamper, vc, reserved, risks)
    except (pdf_misc.PdfError, KeyError, IndexError, TypeError, AttributeError, zlib.error) as e:
        # the document's structure (the preflight read it, but pyHanko's writer reads more);
        # not ValueError: pyHanko's own signing errors and malformed service answers are that
        if isinstance(e, PyHankoSigningError):
            raise
        raise input_error(e) from e


async def _sign_prepared(
    writer: IncrementalPdfFileWriter,
    key: SigningKey,
    options: PdfSignOptions,
    now: datetime,
    timestamper: TimeStamper | None,
    vc: ValidationContext | None,
    reserved: int,
    risks: list[Msg],
) -> PdfSignOutcome:
    session, field_name, text_params = open_signing_session(writer, key, options, now, timestamper, vc)
    validation_info = await session.perform_presign_validation(writer)
    tbs = session.prepare_tbs_document(
        validation_info=validation_info,
        bytes_reserved=reserved,
        appearance_text_params=text_params,
    )
    out = io.BytesIO()
    prepared, res_output = tbs.digest_tbs_document(output=out)
    known = _digested(prepared, out)
    post = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(
            signing_time=now,
            adobe_revinfo_attr=None if validation_info is None else validation_info.adobe_revinfo_attr,
        ),
    )
    await post.post_signature_processing(res_output)
    signed = out.getvalue()
    tst_time = check_own_signature(signed, field_name, key.certificate, known)
    return PdfSignOutcome(signed, field_name, now, tst_time, reserved, risks)


def open_signing_session(
    writer: IncrementalPdfFileWriter,
    key: SigningKey,
    options: PdfSignOptions,
    now: datetime,
    timestamper: TimeStamper | None,
    vc: ValidationContext | None,
) -> tuple[PdfSigningSession, str, dict[str, Any] | None]:
    """pyHanko's signing session for ``writer``: the field (new or existing), the
    appearance and the signature metadata; returns it with the field name and the
    appearance's text parameters (shared by one-step and two-step signing)."""
    reader = writer.prev
    field_name, exists = choose_field_name(reader, options.placement.field)
    new_field_spec = None
    text_params: dict[str, Any] | None = None
    stamp_style = None
    if options.appearance is not None and not exists:
        spec = options.appearance(reader, key.certificate, now)
        page = spec.page
        box = spec.box
        stamp_style = spec.stamp_style
        text_params = spec.text_params
        new_field_spec = fields.SigFieldSpec(field_name, on_page=page, box=_int_box(box))
    elif not exists:
        new_field_spec = fields.SigFieldSpec(
            field_name, on_page=options.placement.page, box=_int_box(options.placement.box)
        )
    elif options.appearance is not None:
        spec = options.appearance(reader, key.certificate, now)
        stamp_style, text_params = spec.stamp_style, spec.text_params
    if stamp_style is None and (exists or options.placement.box is not None):
        # never pyHanko's default stamp (Courier, which garbles Vietnamese): a visible
        # signature without an appearance shows vbsign's signer text block (fonts are
        # loaded here only, never for invisible signatures)
        from vbsign.appearance.roles import default_stamp_style  # start-up: fonts, images

        stamp_style = default_stamp_style(key.certificate, now)

    pdf_signer = signers.PdfSigner(
        signature_metadata(options, field_name, vc),
        signer=key.pyhanko_signer(prefer_pss=options.prefer_pss),
        timestamper=timestamper if options.level != "B-B" else None,
        stamp_style=stamp_style,
        new_field_spec=new_field_spec,
    )
    session = pdf_signer.init_signing_session(writer, existing_fields_only=exists)
    session.system_time = now
    return session, field_name, text_params


def signature_metadata(
    options: PdfSignOptions, field_name: str, vc: ValidationContext | None
) -> signers.PdfSignatureMetadata:
    """pyHanko's signature metadata for ``options`` (PAdES subfilter, level, DocMDP)."""
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=options.md_algorithm,
        subfilter=SigSeedSubFilter.PADES,
        reason=options.reason,
        location=options.location,
        contact_info=options.contact_info,
        embed_validation_info=options.level in ("B-LT", "B-LTA"),
        use_pades_lta=options.level == "B-LTA",
        validation_context=vc if options.level in ("B-LT", "B-LTA") else None,
        signer_key_usage=set(),  # checked by vbsign's pre-signing check (digitalSignature or nonRepudiation)
        certify=options.certify is not None,
        docmdp_permissions=MDPPerm(options.certify) if options.certify else MDPPerm.FILL_FORMS,
    )


def _digested(prepared: Any, out: io.BytesIO) -> tuple[tuple[int, int, int], bytes]:
    """The ``/Contents`` gap, the revision's length and the digest pyHanko computed over
    ``out``'s byte ranges: filling ``/Contents`` and the later revisions of B-LT/B-LTA
    touch no byte inside them, so the self-check reuses the digest."""
    with out.getbuffer() as view:
        length = len(view)
    return (prepared.reserved_region_start, prepared.reserved_region_end, length), prepared.document_digest


def _own_digest(emb: Any, size: int, known: tuple[tuple[int, int, int], bytes] | None) -> bytes:
    """The byte-range digest of our signature: the one made while signing if ``/ByteRange``
    is exactly ``[0 start end length-end]`` of the gap and revision length digested then
    (revisions appended later lie beyond it)."""
    if known is not None:
        (start, end, length), digest = known
        if list(emb.byte_range) == [0, start, end, length - end] and length <= size:
            return digest
    computed: bytes = emb.compute_digest()
    return computed


def _signing_risks(reader: PdfFileReader) -> list[Msg]:
    """Warnings about prepared shadow content in the input (never blocks signing)."""

    try:
        issues = signing_risks(reader)
    except Exception:  # a warning scan must never prevent a signature
        logger.debug("signing-risk scan failed", exc_info=True)
        return []
    for i in issues:
        logger.warning("%s", i.msg.get())
    return [i.msg for i in issues]


def _int_box(box: tuple[float, float, float, float] | None) -> tuple[int, int, int, int] | None:
    # pyHanko annotates boxes as ints but accepts floats; keep sub-point precision
    return box  # type: ignore[return-value]


def check_own_signature(
    signed: bytes, field_name: str, cert: x509.Certificate, known: tuple[tuple[int, int, int], bytes] | None = None
) -> datetime | None:
    """Re-open the output and verify the signature we just made (integrity + coverage).

    ``known``: the ``/Contents`` gap, the revision's length and the byte-range digest made
    while signing; when the output's ``/ByteRange`` is exactly that, the digest is not
    computed a second time (a full pass over a large file); any other ``/ByteRange`` is
    digested from the output."""
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    reader = open_reader(io.BytesIO(signed))
    # only our field is needed: building every embedded signature costs more than the check
    ours = list(fields.enumerate_sig_fields(reader, filled_status=True, with_name=field_name))
    if len(ours) != 1:
        raise SigningError(
            Msg(
                "Kiểm tra sau khi ký thất bại: không tìm thấy chữ ký vừa tạo.",
                "Post-signing check failed: the new signature was not found.",
            )
        )
    _name, _value, field_ref = ours[0]
    emb = EmbeddedPdfSignature(reader, field_ref, field_name)
    sid = emb.signer_info["sid"]
    same_signer = (
        sid.name == "issuer_and_serial_number"
        and sid.chosen["serial_number"].native == cert.serial_number
        and sid.chosen["issuer"] == cert.issuer
    )
    digest = _own_digest(emb, len(signed), known)
    intact, valid = validate_sig_integrity(
        emb.signer_info, cert, expected_content_type="data", actual_digest=digest
    )
    coverage = emb.evaluate_signature_coverage()
    if not (intact and valid and same_signer):
        raise SigningError(
            Msg(
                "Kiểm tra sau khi ký thất bại: chữ ký vừa tạo không hợp lệ; không ghi tệp.",
                "Post-signing check failed: the new signature does not verify; nothing written.",
            )
        )
    if coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        raise SigningError(
            Msg(
                "Kiểm tra sau khi ký thất bại: chữ ký không bao phủ toàn bộ phiên bản tài liệu.",
                "Post-signing check failed: the signature does not cover its whole revision.",
            )
        )
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    for tst in extract_tst_data_iter(emb.signer_info, signed=False):
        gen: datetime = tst["encap_content_info"]["content"].parsed["gen_time"].native
        return gen
    return None
