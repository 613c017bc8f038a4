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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeAlias

from asn1crypto import algos, x509

import vbsign._core.files as _io
import vbsign.formats.dispatch as _dispatch
from vbsign._core.aio import run_sync
from vbsign._core.errors import InputError, UnsupportedFormatError
from vbsign._core.i18n import Msg
from vbsign._core.x509 import read_certificates
from vbsign.api.signer import Signer
from vbsign.appearance.spec import AppearanceProvider
from vbsign.backends.external import ExternalKey, check_signature_value, mechanism_for
from vbsign.formats.pades.sign import PdfSignOptions, Placement, normalise_level
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
    "TwoStepSigner",
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


class TwoStepSigner:
    """Two-step signing for one signer certificate, reusable across many documents.

    Like :class:`vbsign.Signer`, it runs the pre-signing certificate check once and caches
    it (at most five minutes), learns the TSA's token size once and keeps the trust store;
    :meth:`prepare` and :meth:`complete` can be called any number of times, in any order,
    for any documents (a web server keeps one per signer). :func:`prepare` and
    :func:`complete` are one-shot shortcuts.
    """

    def __init__(
        self,
        certificate: CertLike,
        chain: CertLike | list[CertLike] | None = None,
        *,
        trust: TrustLike = None,
        tsa: str | Any = None,
        level: Level | str = Level.B_LT,
        services: Services | None = None,
        check_revocation: bool = True,
        md_algorithm: str = "sha256",
        prefer_pss: bool = False,
        clock: Any = None,
    ) -> None:
        certs = _certs(certificate)
        if not certs:
            raise InputError(Msg("Không có chứng thư người ký.", "No signer certificate given."))
        self.key = ExternalKey(certs[0], [*certs[1:], *_certs(chain)])
        #: remembered in sessions, so that a one-shot complete() finds the same TSA
        self.tsa_url = tsa if isinstance(tsa, str) else None
        self.signer = Signer(self.key, trust=trust, tsa=tsa, level=level, services=services,
                             check_revocation=check_revocation, md_algorithm=md_algorithm, prefer_pss=prefer_pss,
                             clock=clock)  # fmt: skip

    def close(self) -> None:
        self.signer.close()

    def __enter__(self) -> TwoStepSigner:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _capture_key(self) -> ExternalKey:
        return self.key.with_value()

    def _mechanism(self, md: str, pss: bool) -> algos.SignedDigestAlgorithm:
        cache: dict[tuple[str, bool], algos.SignedDigestAlgorithm] = self.__dict__.setdefault("_mechanisms", {})
        if (md, pss) not in cache:
            cache[md, pss] = mechanism_for(self.key.certificate, md, pss)
        return cache[md, pss]

    async def async_prepare(
        self,
        source: _io.Source,
        *,
        level: Level | str | None = None,
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
    ) -> PreparedSignature:
        """Step one (see the module docs); nothing is written."""
        if not timedelta(0) < valid_for <= MAX_VALID_FOR:
            raise InputError(
                Msg("Thời hạn phiên ký phải trong (0, 24 giờ].", "The session time limit must be within (0, 24 h].")
            )
        data, name = _io.read_input(source)
        signer, key = self.signer, self._capture_key()
        lvl = normalise_level(level) if level else signer.level
        fmt = _two_step_format(data, format)
        now = signer.now()
        check = await signer.async_check_certificate(now)
        warnings = list(check.warnings)
        if fmt == "pdf":
            opts = replace(_pdf_options(signer, field=field, page=page, box=box, appearance=appearance, reason=reason,
                                        location=location, contact_info=contact_info, certify=certify), level=lvl)  # fmt: skip
            pdf = await prepare_pdf(data, key, opts, now=now, timestamper=signer.timestamper)
            document, tbs = pdf.document, pdf.tbs
            details: dict[str, Any] = {"field": pdf.field_name, "digest": pdf.document_digest.hex(),
                                       "region": list(pdf.reserved_region), "base_length": pdf.base_length,
                                       "tsa": self.tsa_url}  # fmt: skip
            warnings += pdf.warnings
        else:
            details = {
                "signature_id": f"xades-{os.urandom(8).hex()}", "packaging": optional_choice(Packaging, packaging),
                "reason": reason, "location": location, "signer_role": signer_role,
                "xades_transform": optional_choice(XadesTransform, xades_transform), "tsa": self.tsa_url,
            }  # fmt: skip
            await _sign_other(signer, key, data, name, fmt, "B-B", now, details)
            document, tbs = data, key.captured[-1]
        mech = self._mechanism(signer.md_algorithm, signer.prefer_pss)
        parts = key.cms_parts()
        session = SigningSession(
            format=fmt, level=lvl, md_algorithm=signer.md_algorithm, mechanism=mech.dump(),
            algorithm_name=str(mech["algorithm"].native), certificate=parts.cert_der,
            chain=parts.chain_der, tbs=tbs, document_sha256=hashlib.sha256(document).hexdigest(),
            document_name=Path(name).name, created=now, expires=now + valid_for, details=details,
        )  # fmt: skip
        return PreparedSignature(session, document, warnings)

    def prepare(self, source: _io.Source, **options: Any) -> PreparedSignature:
        """Synchronous :meth:`async_prepare`."""
        return run_sync(self.async_prepare(source, **options))

    async def async_complete(
        self,
        session: SigningSession | str | bytes | os.PathLike[str],
        signature: bytes,
        *,
        document: _io.Source,
        output: str | os.PathLike[str] | None = None,
        secret: bytes | str | None = None,
    ) -> SignResult:
        """Step two (see the module docs): verify ``signature``, embed it, reach the
        session's level, re-verify; write ``output`` atomically if given."""
        sess = load_session(session, _secret(secret))
        now = self.signer.now()
        sess.check_time(now)
        if normalise_level(sess.level) != "B-B" and self.signer.timestamper is None:
            raise InputError(
                Msg(
                    "Mức {l} cần máy chủ dấu thời gian để hoàn tất: dùng --tsa URL (tsa=).",
                    "Level {l} needs a timestamp server to complete: use --tsa URL (tsa=).",
                ).format(l=sess.level)
            )
        data, _ = _io.read_input(document)
        _check_inputs(sess, data, self.key.cms_parts().cert_der)
        mech = algos.SignedDigestAlgorithm.load(sess.mechanism)
        check_signature_value(self.key.certificate, sess.tbs, bytes(signature), mech, sess.md_algorithm)
        key = self.key.with_value(bytes(signature), sess.tbs)
        result = await _complete_document(self.signer, key, sess, data, now)
        if output is not None:
            result.output = _io.atomic_write(output, result.data)
        return result

    def complete(
        self, session: SigningSession | str | bytes | os.PathLike[str], signature: bytes, **options: Any
    ) -> SignResult:
        """Synchronous :meth:`async_complete`."""
        return run_sync(self.async_complete(session, signature, **options))


async def async_prepare(
    source: _io.Source,
    *,
    certificate: CertLike,
    chain: CertLike | list[CertLike] | None = None,
    trust: TrustLike = None,
    tsa: str | Any = None,
    level: Level | str = Level.B_LT,
    services: Services | None = None,
    check_revocation: bool = True,
    md_algorithm: str = "sha256",
    prefer_pss: bool = False,
    clock: Any = None,
    **options: Any,
) -> PreparedSignature:
    """One-shot :meth:`TwoStepSigner.async_prepare` (``options``: its per-document options)."""
    with TwoStepSigner(certificate, chain, trust=trust, tsa=tsa, level=level, services=services,
                       check_revocation=check_revocation, md_algorithm=md_algorithm, prefer_pss=prefer_pss,
                       clock=clock) as two:  # fmt: skip
        return await two.async_prepare(source, **options)


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
    details: dict[str, Any], *, md: str | None = None, pss: bool | None = None,
) -> _dispatch.FormatSignOutcome:  # fmt: skip
    """XAdES / CAdES through the one-step code with the external key (deterministic for a
    fixed signing time and signature id): capture the bytes to sign, or embed the value."""
    check = await signer.async_check_certificate(signer.now())
    setup = replace(signer._setup(now), key=key, md_algorithm=md or signer.md_algorithm,
                    prefer_pss=signer.prefer_pss if pss is None else pss)  # fmt: skip
    return await _dispatch.sign_other(
        setup, data, name, fmt, level=level, now=now, check=check,  # type: ignore[arg-type]
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
    tsa: str | Any = None,
    services: Services | None = None,
    check_revocation: bool = True,
    secret: bytes | str | None = None,
    clock: Any = None,
) -> SignResult:
    """One-shot :meth:`TwoStepSigner.async_complete` for the session's certificate
    (``certificate``, if given, must be that certificate)."""
    sess = load_session(session, _secret(secret))
    given = _certs(certificate)
    if given and given[0].dump() != sess.certificate:
        raise _wrong_certificate()
    pss = algos.SignedDigestAlgorithm.load(sess.mechanism)["algorithm"].native == "rsassa_pss"
    tsa = tsa if tsa is not None else sess.details.get("tsa")  # the TSA prepare used
    with TwoStepSigner(x509.Certificate.load(sess.certificate), [x509.Certificate.load(c) for c in sess.chain],
                       trust=trust, tsa=tsa, level=sess.level, services=services, check_revocation=check_revocation,
                       md_algorithm=sess.md_algorithm, prefer_pss=pss, clock=clock) as two:  # fmt: skip
        return await two.async_complete(sess, signature, document=document, output=output)


def _wrong_certificate() -> Exception:
    return session_error(
        "wrong_certificate",
        "Chứng thư đưa vào khác chứng thư của phiên ký.",
        "The certificate given is not the session's certificate.",
    )


def _check_inputs(sess: SigningSession, data: bytes, cert_der: bytes) -> None:
    if sess.certificate != cert_der:
        raise _wrong_certificate()
    if hashlib.sha256(data).hexdigest() != sess.document_sha256:
        raise session_error(
            "document_changed",
            "Tài liệu đưa vào không phải tài liệu đã chuẩn bị trong phiên ký (khác SHA-256).",
            "The document given is not the one prepared in this session (SHA-256 differs).",
        )


async def _complete_document(
    signer: Signer, key: ExternalKey, sess: SigningSession, data: bytes, now: datetime
) -> SignResult:
    check = await signer.async_check_certificate(now)  # revoked since prepare? refused here
    warnings = list(check.warnings)
    lvl = normalise_level(sess.level)
    pss = algos.SignedDigestAlgorithm.load(sess.mechanism)["algorithm"].native == "rsassa_pss"
    if sess.format == "pdf":
        d = sess.details
        prepared = PdfPrepared(data, sess.tbs, bytes.fromhex(d["digest"]), (int(d["region"][0]), int(d["region"][1])),
                               str(d["field"]), int(d.get("base_length", 0)))  # fmt: skip
        vc = None
        if lvl in ("B-LT", "B-LTA"):
            vc = build_context(
                signer.trust, moment=now if signer._clock else None, other_certs=key.chain, ocsps=check.ocsps,
                crls=check.crls, services=signer._setup(now).services, require_revocation=signer.check_revocation,
            )  # fmt: skip
        opts = PdfSignOptions(level=lvl, md_algorithm=sess.md_algorithm, prefer_pss=pss)
        try:
            pdf = await complete_pdf(prepared, key, opts, now=now, timestamper=signer.timestamper, validation_context=vc)
        finally:
            if vc is not None:
                await vc.aclose()
        return signer._result(pdf.data, "pdf", pdf.field_name, lvl, sess.created, pdf.timestamp_time,
                              warnings, check)  # fmt: skip
    other = await _sign_other(signer, key, data, sess.document_name, sess.format, lvl, sess.created,
                              dict(sess.details), md=sess.md_algorithm, pss=pss)  # fmt: skip
    return signer._result(other.data, other.format, None, lvl, other.signing_time, other.timestamp_time,
                          warnings, check)  # fmt: skip


def complete(
    session: SigningSession | str | bytes | os.PathLike[str], signature: bytes, **options: Any
) -> SignResult:
    """Synchronous :func:`async_complete` (same options)."""
    return run_sync(async_complete(session, signature, **options))
