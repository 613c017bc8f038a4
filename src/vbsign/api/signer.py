"""Signing: the reusable :class:`Signer`, :func:`sign` and :func:`sign_many`.

A :class:`Signer` opens the key once, checks the signer's certificate before signing
(validity, chain, revocation — cached for at most five minutes), runs the sign lifecycle
hooks around each signature and hands every format the same checked key
(:class:`vbsign.formats.dispatch.SigningSetup`). What plugins contribute — key schemes,
trust anchors, a TSA client, a revocation source — comes through :mod:`vbsign.api.extensions`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pyhanko.sign.timestamps.api import TimeStamper

import vbsign._core.files as _io
import vbsign.api.extensions as extensions
import vbsign.formats.dispatch as _dispatch
import vbsign.plugins.lifecycle as _plugins
from vbsign._core.aio import run_sync
from vbsign._core.algorithms import require_signing_hash
from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign._core.secrets import SecretLike
from vbsign._core.timefmt import utcnow
from vbsign.api.batch import BatchResult, FileResult, JobsLike, async_sign_many, plan_jobs
from vbsign.api.params import documented
from vbsign.appearance.spec import AppearanceProvider
from vbsign.backends.base import SigningKey
from vbsign.formats.pades.sign import Level as LevelName
from vbsign.formats.pades.sign import PdfSignOptions, Placement, normalise_level, sign_pdf
from vbsign.model.options import Level, Packaging, SignatureFormat, XadesTransform, optional_choice
from vbsign.model.report import CertificateInfo
from vbsign.model.sign import SignRequest, SignResult
from vbsign.pki.chain import complete_chain
from vbsign.pki.trust import TrustLike, TrustStore
from vbsign.pki.validation import (
    DEFAULT_SERVICES,
    Services,
    SignerCheck,
    build_context,
    check_signer_certificate,
)
from vbsign.plugins.manager import has_implementations

logger = logging.getLogger(__name__)


def _refuse_overwrite(source: _io.Source, output: str | os.PathLike[str] | None) -> None:
    if output is None or isinstance(source, (bytes, bytearray, memoryview)) or hasattr(source, "read"):
        return
    if _io.same_file(os.fspath(source), output):
        raise InputError(
            Msg(
                "Tệp đầu ra trùng tệp đầu vào; vbsign không bao giờ ghi đè tệp gốc.",
                "The output is the input file; vbsign never overwrites its input.",
            )
        )


def _named_stream(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name  # read_input() reports this name
    return stream


class Signer:
    """A signing key with its settings, reusable across many documents.

    The key is opened once; the pre-signing certificate check (validity, chain, revocation)
    is cached for at most five minutes and never beyond the revocation data's
    ``nextUpdate``; the timestamp server's token size is learned once.

    Args:
        key: the signing key — a ``.p12``/``.pfx`` file, a PEM private key (with its
            certificate), a ``pkcs11:`` URI (a token), a scheme a plugin registers, or an
            opened :class:`~vbsign.backends.base.SigningKey`.
        passphrase: the key file's passphrase or the token's PIN (a ``str``/``bytes`` or a
            secret object whose ``repr`` hides it); never logged.
        trust: trust anchors (PEM/DER files, certificates or a
            :class:`~vbsign.pki.trust.TrustStore`); ``None``: the default store
            (``vbsign trust list``) and the plugins' anchors.
        tsa: the timestamp server's URL (or a pyHanko ``TimeStamper``); required from
            level B-T up.
        level: ``"B-B"``, ``"B-T"``, ``"B-LT"`` (default) or ``"B-LTA"``.
        services: the revocation and network settings (:class:`~vbsign.pki.validation.Services`:
            online or not, timeouts, revocation cache); default: online, 10 s per request.
        check_revocation: check the signer's revocation status before signing (default
            ``True``; ``False`` is reported in the result and to the policy rules).
        md_algorithm: the hash of new signatures: ``"sha256"`` (default), ``"sha384"``,
            ``"sha512"`` or a SHA-3; SHA-1 and MD5 are refused.
        prefer_pss: sign with RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys).
        clock: a function returning the current time (tests, replays); default: the system clock.
        key_options: options of the key backend, e.g. ``{"pin_callback": f}`` (a PIN prompt)
            or ``{"module": "/usr/lib/…so"}`` (the PKCS#11 module).
        pin: the token's PIN (the same as ``key_options={"pin": …}``); never logged.
    """

    def __init__(
        self,
        key: str | os.PathLike[str] | SigningKey,
        *,
        passphrase: SecretLike = None,
        trust: TrustLike = None,
        tsa: str | TimeStamper | None = None,
        level: Level | str = Level.B_LT,
        services: Services | None = None,
        check_revocation: bool = True,
        md_algorithm: str = "sha256",
        prefer_pss: bool = False,
        clock: Callable[[], datetime] | None = None,
        key_options: dict[str, Any] | None = None,
        pin: SecretLike = None,
    ) -> None:
        key_options = dict(key_options or {})
        if pin is not None:
            key_options["pin"] = pin
        # SHA-1/MD5 are refused before the key is even opened (TT 15/2025 Annex I item 1.3)
        self.md_algorithm = require_signing_hash(md_algorithm)
        self.services = services or DEFAULT_SERVICES
        self.key = extensions.open_key(key, passphrase=passphrase, **(key_options or {}))
        self.trust = TrustStore.coerce(extensions.trust_or_default(trust)).with_intermediates(self.key.chain)
        self.level: LevelName = normalise_level(level)
        self.timestamper = extensions.timestamper(tsa, self.services)
        self.check_revocation = check_revocation
        self.prefer_pss = prefer_pss
        self._clock = clock
        self._check: SignerCheck | None = None
        self._chain_completed = False
        #: how the chain was completed (:class:`vbsign.pki.chain.CompletedChain`), after the first check
        self.chain_completion: Any = None

    # ---- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        self.key.close()

    def __enter__(self) -> Signer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def now(self) -> datetime:
        return self._clock() if self._clock else utcnow()

    @property
    def signer_info(self) -> CertificateInfo:
        """The signer's certificate, summarised (computed once per key)."""
        info = self.__dict__.get("_signer_info")
        if info is None:
            info = self.__dict__["_signer_info"] = CertificateInfo.from_asn1(self.key.certificate)
        return info  # type: ignore[no-any-return]

    def _setup(self, now: datetime) -> _dispatch.SigningSetup:
        """This signer's key and settings as every format receives them (``now``: the
        signing time, which is also the validation time when a clock was given)."""
        return _dispatch.SigningSetup(
            key=self.key,
            trust=self.trust,
            services=extensions.resolve_services(self.services),
            md_algorithm=self.md_algorithm,
            prefer_pss=self.prefer_pss,
            timestamper=self.timestamper,
            moment=now if self._clock else None,
        )

    # ---- checks ------------------------------------------------------------------------
    async def async_check_certificate(self, now: datetime | None = None) -> SignerCheck:
        """Run (or reuse) the pre-signing certificate check; raises CertificateRejected.

        Args:
            now: the time to check at (default: the signer's clock).
        """
        now = now or self.now()
        cert = self.key.certificate
        if not self._chain_completed:
            await self._complete_chain()
        chk = self._check
        if (
            chk is not None
            and chk.checked_at <= now < chk.valid_until
            and cert.not_valid_before <= now <= cert.not_valid_after
        ):
            return chk
        chk = await check_signer_certificate(
            cert,
            self.key.chain,
            self.trust,
            at=now if self._clock else None,
            services=extensions.resolve_services(self.services),
            check_revocation=self.check_revocation,
        )
        self._check = chk  # its warnings reach the caller through SignResult.warnings
        return chk

    async def _complete_chain(self) -> None:
        """Find the issuer certificates a token does not hold (trust store, AIA caIssuers)
        once per key, so that the check can build the path and signatures carry the chain."""
        services = extensions.resolve_services(self.services)
        found = await complete_chain(self.key.certificate, self.key.chain, self.trust, services)
        self._chain_completed = True
        self.chain_completion = found
        if found.certificates:
            logger.info("chain completed from %s", ", ".join(found.sources))
            self.key.extend_chain(found.certificates)
            self.trust = self.trust.with_intermediates(found.certificates)

    # ---- signing ----------------------------------------------------------------------
    @documented
    async def async_sign(
        self,
        source: _io.Source,
        output: str | os.PathLike[str] | None = None,
        *,
        field: str | None = None,
        page: int = 0,
        box: tuple[float, float, float, float] | None = None,
        appearance: AppearanceProvider | None = None,
        reason: str | None = None,
        location: str | None = None,
        contact_info: str | None = None,
        certify: int | None = None,
        level: Level | str | None = None,
        format: SignatureFormat | str | None = None,
        packaging: Packaging | str | None = None,
        signer_role: str | None = None,
        xades_transform: XadesTransform | str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> SignResult:
        """Sign one document; write ``output`` atomically if given (never the input).

        ``metadata`` labels the operation for plugins and audit sinks (``document_id``,
        ``document_number``, ``unit``, ``role``…). Plugins run around the signature:
        ``vbsign_before_sign`` may refuse it (:class:`~vbsign.plugins.SignatureVetoed`) or
        add metadata; ``vbsign_after_sign`` and the audit sinks run before ``output`` is
        written, so a failing plugin leaves no file behind.
        """
        data, name = _io.read_input(source)
        _refuse_overwrite(source, output)
        if field is None:  # an appearance placed in an existing field names that field
            field = getattr(appearance, "field_name", None)
        request = SignRequest(
            document=data,
            document_name=Path(name).name,
            # SHA-256 of the input only for the plugins that read it (a full pass over a large file)
            document_sha256=hashlib.sha256(data).hexdigest() if _plugins.wants_sign_request() else "",
            format=_dispatch.RESULT_FORMATS[_dispatch.detect_format(data, format)],
            level=normalise_level(level) if level else self.level,
            signer=self.signer_info,
            field_name=field,
            reason=reason,
            location=location,
            contact_info=contact_info,
            metadata={str(k): str(v) for k, v in (metadata or {}).items()},
        )
        added = _plugins.before_sign(request)
        document = _Document(
            data, name, field=field, page=page, box=box, appearance=appearance,
            reason=reason or added.get("reason"), location=location or added.get("location"),
            contact_info=contact_info or added.get("contact_info"), certify=certify, level=level, format=format,
            packaging=optional_choice(Packaging, packaging), signer_role=signer_role,
            xades_transform=optional_choice(XadesTransform, xades_transform),
        )  # fmt: skip
        result = await self._async_sign_document(document)
        result.metadata = {**request.metadata, **added}
        _plugins.after_sign(request, result)
        if has_implementations("vbsign_audit_event"):
            _plugins.emit_audit_event(_plugins.sign_event(request, result))
        if output is not None:
            result.output = _io.atomic_write(output, result.data)
        return result

    async def _async_sign_document(self, doc: _Document) -> SignResult:
        """Sign one document's bytes after the certificate check (PAdES, or another
        format through :mod:`vbsign.formats.dispatch`); nothing is written."""
        fmt = _dispatch.detect_format(doc.data, doc.format)
        if doc.format is None and fmt != "pdf" and doc.name.lower().endswith(".pdf"):
            # an empty or damaged "x.pdf" must not silently get a CAdES signature (batches too)
            raise InputError(
                Msg(
                    "{f} có đuôi .pdf nhưng nội dung không phải PDF (tệp rỗng hoặc hỏng?); "
                    "muốn ký như tệp bất kỳ thì chọn format='cades' (--format cades).",
                    "{f} is named .pdf but is not a PDF (empty or damaged?); to sign it as any file, "
                    "choose format='cades' (--format cades).",
                ).format(f=Path(doc.name).name)
            )
        lvl = normalise_level(doc.level) if doc.level else self.level
        now = self.now()
        check = await self.async_check_certificate(now)
        if fmt != "pdf":  # XAdES, edXML, CAdES (vbsign.formats.dispatch): same check, same TSA
            other = await _dispatch.sign_other(
                self._setup(now), doc.data, doc.name, fmt, level=lvl, now=now, check=check, reason=doc.reason,
                location=doc.location, packaging=doc.packaging, signer_role=doc.signer_role,
                xades_transform=doc.xades_transform,  # type: ignore[arg-type]
            )
            return self._result(other.data, other.format, None, lvl, other.signing_time, other.timestamp_time,
                                list(check.warnings), check)  # fmt: skip
        outcome = await self._sign_pdf(doc, lvl, now, check)
        return self._result(outcome.data, "pdf", outcome.field_name, lvl, outcome.signing_time,
                            outcome.timestamp_time, [*check.warnings, *outcome.warnings], check)  # fmt: skip

    async def _sign_pdf(self, doc: _Document, lvl: LevelName, now: datetime, check: SignerCheck) -> Any:
        """PAdES: B-LT and B-LTA embed the revocation data of the certificate check."""
        vc = None
        if lvl in ("B-LT", "B-LTA"):
            vc = build_context(
                self.trust,
                moment=now if self._clock else None,
                other_certs=self.key.chain,
                ocsps=check.ocsps,
                crls=check.crls,
                services=extensions.resolve_services(self.services),
                require_revocation=self.check_revocation,
            )
        options = PdfSignOptions(
            level=lvl,
            md_algorithm=self.md_algorithm,
            prefer_pss=self.prefer_pss,
            placement=Placement(field=doc.field, page=doc.page, box=doc.box),
            reason=doc.reason,
            location=doc.location,
            contact_info=doc.contact_info,
            certify=doc.certify,
            appearance=doc.appearance,
        )
        try:
            return await sign_pdf(
                doc.data, self.key, options, now=now, timestamper=self.timestamper, validation_context=vc
            )
        finally:
            if vc is not None:
                await vc.aclose()

    def _result(
        self,
        data: bytes,
        fmt: str,
        field_name: str | None,
        lvl: LevelName,
        signing_time: datetime,
        timestamp_time: datetime | None,
        warnings: list[Msg],
        check: SignerCheck,
    ) -> SignResult:
        return SignResult(
            data=data,
            output=None,
            format=fmt,
            field_name=field_name,
            level=lvl,
            signer=self.signer_info,
            signing_time=signing_time,
            timestamp_time=timestamp_time,
            warnings=warnings,
            revocation_checked=check.revocation_checked,
            key_storage=self.key.storage,
        )

    @documented
    def sign(
        self,
        source: _io.Source,
        output: str | os.PathLike[str] | None = None,
        *,
        field: str | None = None,
        page: int = 0,
        box: tuple[float, float, float, float] | None = None,
        appearance: AppearanceProvider | None = None,
        reason: str | None = None,
        location: str | None = None,
        contact_info: str | None = None,
        certify: int | None = None,
        level: Level | str | None = None,
        format: SignatureFormat | str | None = None,
        packaging: Packaging | str | None = None,
        signer_role: str | None = None,
        xades_transform: XadesTransform | str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> SignResult:
        """Synchronous :meth:`async_sign` (also works inside a running event loop)."""
        return run_sync(self.async_sign(
            source, output, field=field, page=page, box=box, appearance=appearance, reason=reason,
            location=location, contact_info=contact_info, certify=certify, level=level, format=format,
            packaging=packaging, signer_role=signer_role, xades_transform=xades_transform, metadata=metadata,
        ))  # fmt: skip

    # ---- batches (vbsign.api.batch) ---------------------------------------------------------
    @documented
    async def async_sign_many(
        self,
        sources: JobsLike,
        output_dir: str | os.PathLike[str] | None = None,
        *,
        on_result: Callable[[FileResult], None] | None = None,
        stop_on_error: bool = False,
        overwrite: bool = False,
        concurrency: int = 1,
        processes: int = 1,
        follow_links: bool = False,
        field: str | None = None,
        appearance: AppearanceProvider | None = None,
        reason: str | None = None,
        location: str | None = None,
        contact_info: str | None = None,
        level: Level | str | None = None,
        format: SignatureFormat | str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> BatchResult:
        """Sign many documents with this key — one certificate check, one token login.

        ``sources`` is a directory (its ``*.pdf``; links leading out of it are refused
        unless ``follow_links``), a list of files (written to ``output_dir`` under their
        own names) or ``(input, output)`` pairs. Per-file failures are in the returned
        :class:`~vbsign.api.batch.BatchResult`; see :mod:`vbsign.api.batch` for when a batch stops
        early. The per-document options apply to every file. ``processes`` > 1 signs in
        that many worker processes (every core: ``os.cpu_count()``) for a software key; a
        token key signs in this process, ``concurrency`` documents prepared in parallel.
        """
        per_document: dict[str, Any] = {
            k: v for k, v in {
                "field": field, "appearance": appearance, "reason": reason, "location": location,
                "contact_info": contact_info, "level": level, "format": format, "metadata": metadata,
            }.items() if v is not None
        }  # fmt: skip
        return await async_sign_many(
            self,
            plan_jobs(sources, output_dir, follow_links=follow_links),
            on_result=on_result,
            stop_on_error=stop_on_error,
            overwrite=overwrite,
            concurrency=concurrency,
            processes=processes,
            **per_document,
        )

    @documented
    def sign_many(
        self,
        sources: JobsLike,
        output_dir: str | os.PathLike[str] | None = None,
        *,
        on_result: Callable[[FileResult], None] | None = None,
        stop_on_error: bool = False,
        overwrite: bool = False,
        concurrency: int = 1,
        processes: int = 1,
        follow_links: bool = False,
        field: str | None = None,
        appearance: AppearanceProvider | None = None,
        reason: str | None = None,
        location: str | None = None,
        contact_info: str | None = None,
        level: Level | str | None = None,
        format: SignatureFormat | str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> BatchResult:
        """Synchronous :meth:`async_sign_many`."""
        return run_sync(self.async_sign_many(
            sources, output_dir, on_result=on_result, stop_on_error=stop_on_error, overwrite=overwrite,
            concurrency=concurrency, processes=processes, follow_links=follow_links, field=field, appearance=appearance, reason=reason,
            location=location, contact_info=contact_info, level=level, format=format, metadata=metadata,
        ))  # fmt: skip


@dataclass(frozen=True)
class _Document:
    """One document to sign, with its per-document options (plugins' additions applied)."""

    data: bytes
    name: str
    field: str | None = None
    page: int = 0
    box: tuple[float, float, float, float] | None = None
    appearance: AppearanceProvider | None = None
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None
    certify: int | None = None
    level: str | None = None
    format: str | None = None
    packaging: str | None = None
    signer_role: str | None = None
    xades_transform: str | None = None


@documented
async def async_sign(
    source: _io.Source,
    output: str | os.PathLike[str] | None = None,
    *,
    key: str | os.PathLike[str] | SigningKey,
    passphrase: SecretLike = None,
    pin: SecretLike = None,
    key_options: dict[str, Any] | None = None,
    trust: TrustLike = None,
    tsa: str | TimeStamper | None = None,
    level: Level | str = Level.B_LT,
    services: Services | None = None,
    check_revocation: bool = True,
    prefer_pss: bool = False,
    md_algorithm: str = "sha256",
    clock: Callable[[], datetime] | None = None,
    field: str | None = None,
    page: int = 0,
    box: tuple[float, float, float, float] | None = None,
    appearance: AppearanceProvider | None = None,
    reason: str | None = None,
    location: str | None = None,
    contact_info: str | None = None,
    certify: int | None = None,
    format: SignatureFormat | str | None = None,
    packaging: Packaging | str | None = None,
    signer_role: str | None = None,
    xades_transform: XadesTransform | str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> SignResult:
    """Sign one document. For many documents, create one :class:`Signer` and reuse it."""
    with Signer(
        key, passphrase=passphrase, pin=pin, key_options=key_options, trust=trust, tsa=tsa, level=level,
        services=services, check_revocation=check_revocation, md_algorithm=md_algorithm, prefer_pss=prefer_pss,
        clock=clock,
    ) as signer:  # fmt: skip
        return await signer.async_sign(
            source, output, field=field, page=page, box=box, appearance=appearance, reason=reason,
            location=location, contact_info=contact_info, certify=certify, format=format, packaging=packaging,
            signer_role=signer_role, xades_transform=xades_transform, metadata=metadata,
        )  # fmt: skip


@documented
def sign(
    source: _io.Source,
    output: str | os.PathLike[str] | None = None,
    *,
    key: str | os.PathLike[str] | SigningKey,
    passphrase: SecretLike = None,
    pin: SecretLike = None,
    key_options: dict[str, Any] | None = None,
    trust: TrustLike = None,
    tsa: str | TimeStamper | None = None,
    level: Level | str = Level.B_LT,
    services: Services | None = None,
    check_revocation: bool = True,
    prefer_pss: bool = False,
    md_algorithm: str = "sha256",
    clock: Callable[[], datetime] | None = None,
    field: str | None = None,
    page: int = 0,
    box: tuple[float, float, float, float] | None = None,
    appearance: AppearanceProvider | None = None,
    reason: str | None = None,
    location: str | None = None,
    contact_info: str | None = None,
    certify: int | None = None,
    format: SignatureFormat | str | None = None,
    packaging: Packaging | str | None = None,
    signer_role: str | None = None,
    xades_transform: XadesTransform | str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> SignResult:
    """Sign one document (synchronous :func:`async_sign`). For many documents, create one
    :class:`Signer` and reuse it."""
    return run_sync(async_sign(
        source, output, key=key, passphrase=passphrase, pin=pin, key_options=key_options, trust=trust, tsa=tsa,
        level=level, services=services, check_revocation=check_revocation, prefer_pss=prefer_pss,
        md_algorithm=md_algorithm, clock=clock, field=field, page=page, box=box, appearance=appearance,
        reason=reason, location=location, contact_info=contact_info, certify=certify, format=format,
        packaging=packaging, signer_role=signer_role, xades_transform=xades_transform, metadata=metadata,
    ))  # fmt: skip


@documented
def sign_many(
    sources: JobsLike,
    output_dir: str | os.PathLike[str] | None = None,
    *,
    key: str | os.PathLike[str] | SigningKey,
    pin: SecretLike = None,
    passphrase: SecretLike = None,
    key_options: dict[str, Any] | None = None,
    trust: TrustLike = None,
    tsa: str | TimeStamper | None = None,
    level: Level | str = Level.B_LT,
    services: Services | None = None,
    check_revocation: bool = True,
    prefer_pss: bool = False,
    clock: Callable[[], datetime] | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    stop_on_error: bool = False,
    overwrite: bool = False,
    concurrency: int = 1,
    processes: int = 1,
    follow_links: bool = False,
    field: str | None = None,
    appearance: AppearanceProvider | None = None,
    reason: str | None = None,
    location: str | None = None,
    contact_info: str | None = None,
    metadata: Mapping[str, str] | None = None,
) -> BatchResult:
    """Sign many documents with one key and (for tokens) one login; see :mod:`vbsign.api.batch`."""
    with Signer(
        key, passphrase=passphrase, pin=pin, key_options=key_options, trust=trust, tsa=tsa, level=level,
        services=services, check_revocation=check_revocation, prefer_pss=prefer_pss, clock=clock,
    ) as signer:  # fmt: skip
        return signer.sign_many(
            sources, output_dir, on_result=on_result, stop_on_error=stop_on_error, overwrite=overwrite,
            concurrency=concurrency, processes=processes, follow_links=follow_links, field=field, appearance=appearance, reason=reason,
            location=location, contact_info=contact_info, metadata=metadata,
        )  # fmt: skip


__all__ = ["Signer", "async_sign", "sign", "sign_many"]
