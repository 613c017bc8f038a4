"""Two-step signing: :func:`prepare` here, the signature value from anywhere, :func:`complete`.

For a key that vbsign cannot open itself — a USB token in another PC, a phone app, a
remote-signing service reached by the host — signing is split:

1. :func:`prepare` takes the document and the signer's certificate (and chain), runs the
   pre-signing certificate check, and returns a :class:`PreparedSignature`: the *session*
   (:class:`vbsign.model.session.SigningSession`, small JSON, no key material) and the
   document to keep (the prepared PDF for PAdES; the original XML or file for XAdES /
   CAdES). ``session.tbs`` are the exact bytes to sign — any signer signs them like any
   message (``openssl dgst -sha256 -sign key.pem``): SHA-256 with RSA PKCS#1 v1.5 (PSS
   with ``prefer_pss=True``, salt length = the maximum, ``-sigopt rsa_pss_saltlen:max``) or ECDSA.
2. :func:`complete` takes the session, the raw signature value and the kept document;
   verifies the value against the certificate *before* embedding it (another key, other
   bytes, a session past its time limit, a tampered session, another document: refused
   with :class:`vbsign.errors.SessionRejected`), re-runs the certificate check, embeds it,
   adds the timestamp and validation data of the level and re-verifies the output.

A stateless web server can keep the session JSON and the document anywhere between the
two calls; ``secret=`` seals the session with a host secret so that only this host's
sessions are completed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeAlias

from asn1crypto import algos, x509

import vbsign._core.files as _io
import vbsign.formats.dispatch as _dispatch
from vbsign._core.aio import run_sync
from vbsign._core.errors import InputError, UnsupportedFormatError
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import utcnow
from vbsign._core.x509 import read_certificates
from vbsign.api.signer import Signer
from vbsign.appearance.spec import AppearanceProvider
from vbsign.backends.external import ExternalKey, check_signature_value, mechanism_for
from vbsign.formats.pades.sign import PdfSignOptions, Placement
from vbsign.formats.pades.two_step import PdfPrepared, complete_pdf, prepare_pdf
from vbsign.model.options import Level, Packaging, SignatureFormat, XadesTransform, optional_choice
from vbsign.model.session import SigningSession, session_error
from vbsign.model.sign import SignResult
from vbsign.pki.trust import TrustLike
from vbsign.pki.validation import Services, build_context

__all__ = [
    "DEFAULT_VALID_FOR",
    "MAX_VALID_FOR",
    "PreparedSignature",
    "async_complete",
    "async_prepare",
    "complete",
    "prepare",
]

#: how long a session can be completed by default (a person approves on a token or phone)
DEFAULT_VALID_FOR = timedelta(minutes=30)
#: the longest time limit accepted: the signing time in the signed data must stay honest
MAX_VALID_FOR = timedelta(hours=24)

CertLike: TypeAlias = x509.Certificate | bytes | str | os.PathLike[str]


@dataclass
class PreparedSignature:
    """What :func:`prepare` returns: the session and the document to give back to :func:`complete`."""

    session: SigningSession
    #: keep these bytes: the prepared PDF (PAdES), or the original document (XAdES, CAdES)
    document: bytes = field(repr=False)
    warnings: list[Msg] = field(default_factory=list)

    @property
    def tbs(self) -> bytes:
        """The exact bytes to sign."""
        return self.session.tbs

    def session_json(self, secret: bytes | str | None = None) -> str:
        return self.session.to_json(_secret(secret))


def _secret(secret: bytes | str | None) -> bytes | None:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _certs(value: CertLike | list[CertLike] | None) -> list[x509.Certificate]:
    if value is None:
        return []
    if isinstance(value, list):
        return [c for v in value for c in _certs(v)]
    if isinstance(value, x509.Certificate):
        return [value]
    if isinstance(value, (str, os.PathLike)):
        data, _ = _io.read_input(value)
        return read_certificates(data)
    return read_certificates(bytes(value))


def _signer(key: ExternalKey, level: Level | str, **settings: Any) -> Signer:
    return Signer(key, level=level, **settings)


async def async_prepare(
    source: _io.Source,
    *,
    certificate: CertLike,
    chain: CertLike | list[CertLike] | None = None,
    trust: TrustLike = None,
    tsa: str | None = None,
    level: Level | str = Level.B_LT,
    services: Services | None = None,
    check_revocation: bool = True,
    md_algorithm: str = "sha256",
    prefer_pss: bool = False,
    format: SignatureFormat | str | None = None,
    field: str | None = None,
    page: int = 0,
    box: tuple[float, float, float, float] | None = None,
    appearance: AppearanceProvider | None = None,
    reason: str | None = None,
    location: str | None = None,
    contact_info: str | None = None,
    certify: int | None = None,
    packaging: Packaging | str | None = None,
    signer_role: str | None = None,
    xades_transform: XadesTransform | str | None = None,
    valid_for: timedelta = DEFAULT_VALID_FOR,
    clock: Any = None,
) -> PreparedSignature:
    """Step one of two-step signing (see the module docs); nothing is written."""
    if not timedelta(0) < valid_for <= MAX_VALID_FOR:
        raise InputError(
            Msg("Thời hạn phiên ký phải trong (0, 24 giờ].", "The session time limit must be within (0, 24 h].")
        )
    data, name = _io.read_input(source)
    certs = _certs(certificate)
    if not certs:
        raise InputError(Msg("Không có chứng thư người ký.", "No signer certificate given."))
    key = ExternalKey(certs[0], [*certs[1:], *_certs(chain)])
    with _signer(key, level, trust=trust, tsa=tsa, services=services, check_revocation=check_revocation,
                 md_algorithm=md_algorithm, prefer_pss=prefer_pss, clock=clock) as signer:  # fmt: skip
        fmt = _two_step_format(data, format)
        now = signer.now()
        check = await signer.async_check_certificate(now)
        details: dict[str, Any] = {}
        warnings = list(check.warnings)
        if fmt == "pdf":
            opts = _pdf_options(signer, field=field, page=page, box=box, appearance=appearance, reason=reason,
                                location=location, contact_info=contact_info, certify=certify)  # fmt: skip
            pdf = await prepare_pdf(data, key, opts, now=now, timestamper=signer.timestamper)
            document, tbs = pdf.document, pdf.tbs
            details = {"field": pdf.field_name, "digest": pdf.document_digest.hex(),
                       "region": list(pdf.reserved_region), "base_length": pdf.base_length}  # fmt: skip
            warnings += pdf.warnings
        else:
            details = {
                "signature_id": f"xades-{os.urandom(8).hex()}", "packaging": optional_choice(Packaging, packaging),
                "reason": reason, "location": location, "signer_role": signer_role,
                "xades_transform": optional_choice(XadesTransform, xades_transform),
            }  # fmt: skip
            await _sign_other(signer, key, data, name, fmt, "B-B", now, details)
            document, tbs = data, key.captured[-1]
        mech = mechanism_for(key.certificate, signer.md_algorithm, prefer_pss)
        session = SigningSession(
            format=fmt, level=signer.level, md_algorithm=signer.md_algorithm, mechanism=mech.dump(),
            algorithm_name=str(mech["algorithm"].native), certificate=key.certificate.dump(),
            chain=tuple(c.dump() for c in key.chain), tbs=tbs, document_sha256=hashlib.sha256(document).hexdigest(),
            document_name=Path(name).name, created=now, expires=now + valid_for, details=details,
        )  # fmt: skip
        return PreparedSignature(session, document, warnings)


def _two_step_format(data: bytes, format: SignatureFormat | str | None) -> str:
    fmt = _dispatch.detect_format(data, format)
    if fmt == "edxml":
        raise UnsupportedFormatError(
            Msg(
                "Ký hai bước chưa hỗ trợ gói tin edXML; hãy ký bằng khóa mở được (PKCS#11, csc:…).",
                "Two-step signing does not support edXML envelopes yet; sign with an openable key (PKCS#11, csc:…).",
            )
        )
    return fmt


def _pdf_options(signer: Signer, **kw: Any) -> PdfSignOptions:
    return PdfSignOptions(
        level=signer.level, md_algorithm=signer.md_algorithm, prefer_pss=signer.prefer_pss,
        placement=Placement(field=kw["field"], page=kw["page"], box=kw["box"]), reason=kw["reason"],
        location=kw["location"], contact_info=kw["contact_info"], certify=kw["certify"], appearance=kw["appearance"],
    )  # fmt: skip


async def _sign_other(
    signer: Signer, key: ExternalKey, data: bytes, name: str, fmt: str, level: str, now: datetime,
    details: dict[str, Any],
) -> _dispatch.FormatSignOutcome:  # fmt: skip
    """XAdES / CAdES through the one-step code with the external key (deterministic for a
    fixed signing time and signature id): capture the bytes to sign, or embed the value."""
    check = await signer.async_check_certificate(signer.now())
    return await _dispatch.sign_other(
        signer._setup(now), data, name, fmt, level=level, now=now, check=check,  # type: ignore[arg-type]
        reason=details.get("reason"), location=details.get("location"), packaging=details.get("packaging"),
        signer_role=details.get("signer_role"), xades_transform=details.get("xades_transform"),
        signature_id=details.get("signature_id"),
    )  # fmt: skip


def prepare(source: _io.Source, **options: Any) -> PreparedSignature:
    """Synchronous :func:`async_prepare` (same options)."""
    return run_sync(async_prepare(source, **options))


def load_session(session: SigningSession | str | bytes | os.PathLike[str], secret: bytes | None) -> SigningSession:
    if isinstance(session, SigningSession):
        return session
    if isinstance(session, os.PathLike) or (isinstance(session, str) and not session.lstrip().startswith("{")):
        session = Path(session).read_bytes()
    return SigningSession.from_json(session, secret)


async def async_complete(
    session: SigningSession | str | bytes | os.PathLike[str],
    signature: bytes,
    *,
    document: _io.Source,
    output: str | os.PathLike[str] | None = None,
    certificate: CertLike | None = None,
    trust: TrustLike = None,
    tsa: str | None = None,
    services: Services | None = None,
    check_revocation: bool = True,
    secret: bytes | str | None = None,
    clock: Any = None,
) -> SignResult:
    """Step two (see the module docs): verify ``signature``, embed it, reach the level,
    re-verify; write ``output`` atomically if given."""
    sess = load_session(session, _secret(secret))
    now = clock() if clock else utcnow()
    sess.check_time(now)
    data, _ = _io.read_input(document)
    cert = x509.Certificate.load(sess.certificate)
    _check_inputs(sess, data, cert, certificate)
    mech = algos.SignedDigestAlgorithm.load(sess.mechanism)
    check_signature_value(cert, sess.tbs, bytes(signature), mech, sess.md_algorithm)
    key = ExternalKey(cert, [x509.Certificate.load(c) for c in sess.chain], signature=bytes(signature), expected=sess.tbs)
    pss = mech["algorithm"].native == "rsassa_pss"
    with _signer(key, sess.level, trust=trust, tsa=tsa, services=services, check_revocation=check_revocation,
                 md_algorithm=sess.md_algorithm, prefer_pss=pss, clock=clock) as signer:  # fmt: skip
        result = await _complete_document(signer, key, sess, data, now)
    if output is not None:
        result.output = _io.atomic_write(output, result.data)
    return result


def _check_inputs(sess: SigningSession, data: bytes, cert: x509.Certificate, certificate: CertLike | None) -> None:
    if hashlib.sha256(data).hexdigest() != sess.document_sha256:
        raise session_error(
            "document_changed",
            "Tài liệu đưa vào không phải tài liệu đã chuẩn bị trong phiên ký (khác SHA-256).",
            "The document given is not the one prepared in this session (SHA-256 differs).",
        )
    given = _certs(certificate)
    if given and given[0].dump() != cert.dump():
        raise session_error(
            "wrong_certificate",
            "Chứng thư đưa vào khác chứng thư của phiên ký.",
            "The certificate given is not the session's certificate.",
        )


async def _complete_document(
    signer: Signer, key: ExternalKey, sess: SigningSession, data: bytes, now: datetime
) -> SignResult:
    check = await signer.async_check_certificate(now)  # revoked since prepare? refused here
    warnings = list(check.warnings)
    if sess.format == "pdf":
        d = sess.details
        prepared = PdfPrepared(data, sess.tbs, bytes.fromhex(d["digest"]), (int(d["region"][0]), int(d["region"][1])),
                               str(d["field"]), int(d.get("base_length", 0)))  # fmt: skip
        vc = None
        if signer.level in ("B-LT", "B-LTA"):
            vc = build_context(
                signer.trust, moment=now if signer._clock else None, other_certs=key.chain, ocsps=check.ocsps,
                crls=check.crls, services=signer._setup(now).services, require_revocation=signer.check_revocation,
            )  # fmt: skip
        opts = PdfSignOptions(level=signer.level, md_algorithm=sess.md_algorithm, prefer_pss=signer.prefer_pss)
        try:
            pdf = await complete_pdf(prepared, key, opts, now=now, timestamper=signer.timestamper, validation_context=vc)
        finally:
            if vc is not None:
                await vc.aclose()
        return signer._result(pdf.data, "pdf", pdf.field_name, signer.level, sess.created, pdf.timestamp_time,
                              warnings, check)  # fmt: skip
    other = await _sign_other(signer, key, data, sess.document_name, sess.format, signer.level, sess.created,
                              dict(sess.details))  # fmt: skip
    return signer._result(other.data, other.format, None, signer.level, other.signing_time, other.timestamp_time,
                          warnings, check)  # fmt: skip


def complete(
    session: SigningSession | str | bytes | os.PathLike[str], signature: bytes, **options: Any
) -> SignResult:
    """Synchronous :func:`async_complete` (same options)."""
    return run_sync(async_complete(session, signature, **options))
