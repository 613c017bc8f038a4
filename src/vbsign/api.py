"""The public API: :func:`sign`, :func:`verify` and the reusable :class:`Signer`.

Everything here is async at the core with thin sync wrappers (which also work inside a
running event loop, see :mod:`vbsign._core.aio`).

>>> import vbsign
>>> result = vbsign.sign("in.pdf", "out.pdf", key="person.p12", passphrase="...",
...                      trust=["roots.pem"], tsa="http://tsa.example/tsa", level="B-LT")
>>> report = vbsign.verify("out.pdf", trust=["roots.pem"])
>>> report.indication
<Indication.TOTAL_PASSED: 'TOTAL-PASSED'>
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from asn1crypto import x509
from pyhanko.sign.timestamps.api import TimeStamper

from vbsign import dispatch as _dispatch
from vbsign._core import files as _io
from vbsign._core.aio import run_sync
from vbsign._core.algorithms import require_signing_hash
from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign._core.secrets import SecretLike, resolve_secret
from vbsign._core.timefmt import utcnow
from vbsign.backends import SigningKey, open_key
from vbsign.model.report import CertificateInfo, Report
from vbsign.model.sign import SignRequest, SignResult
from vbsign.pdf.limits import Limits, verify_within
from vbsign.pdf.sign import (
    AppearanceProvider,
    Level,
    PdfSignOptions,
    Placement,
    normalise_level,
    sign_pdf,
)
from vbsign.pdf.verify import VerifyOptions, is_pdf, verify_pdf
from vbsign.pdf.visual import VisualOptions
from vbsign.plugins import lifecycle as _plugins
from vbsign.plugins.manager import has_implementations
from vbsign.trust import TrustStore
from vbsign.validation import (
    DEFAULT_SERVICES,
    Services,
    SignerCheck,
    build_context,
    check_signer_certificate,
)

if TYPE_CHECKING:
    from vbsign.batch import BatchResult, FileResult, JobsLike

logger = logging.getLogger(__name__)

TrustLike = TrustStore | Iterable[str | os.PathLike[str] | x509.Certificate] | None


def _default_trust(trust: TrustLike) -> TrustLike:
    """``trust`` itself, or (when ``None``) the default store plus plugins' anchors."""
    if trust is not None:
        return trust
    store = TrustStore.coerce(None)
    extra = _plugins.trust_anchors()
    return TrustStore.coerce([*store.anchors, *extra]).with_intermediates(store.intermediates) if extra else store


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


def _timestamper(tsa: str | TimeStamper | None, services: Services) -> TimeStamper | None:
    if tsa is None or isinstance(tsa, TimeStamper):
        return tsa
    plugged = _plugins.timestamper(tsa, services.timeout)
    if plugged is not None:
        return plugged
    if not services.online:
        raise InputError(
            Msg(
                "Chế độ ngoại tuyến không dùng được máy chủ dấu thời gian {u}.",
                "Offline mode cannot use the timestamp server {u}.",
            ).format(u=tsa)
        )
    from vbsign.net import http_timestamper

    return http_timestamper(tsa, services.timeout)  # TLS ≥ 1.2 (TT 15/2025, rule TT15-11)


class Signer:
    """A signing key with its settings, reusable across many documents.

    The key is opened once; the pre-signing certificate check (validity, chain, revocation)
    is cached for at most five minutes and never beyond the revocation data's
    ``nextUpdate``; the timestamp server's token size is learned once.
    """

    def __init__(
        self,
        key: str | os.PathLike[str] | SigningKey,
        *,
        passphrase: SecretLike = None,
        trust: TrustLike = None,
        tsa: str | TimeStamper | None = None,
        level: str = "B-LT",
        services: Services | None = None,
        check_revocation: bool = True,
        md_algorithm: str = "sha256",
        prefer_pss: bool = False,
        clock: Callable[[], datetime] | None = None,
        key_options: dict[str, Any] | None = None,
    ) -> None:
        # SHA-1/MD5 are refused before the key is even opened (TT 15/2025 Annex I item 1.3)
        self.md_algorithm = require_signing_hash(md_algorithm)
        self.services = services or DEFAULT_SERVICES
        self.key = open_key(key, passphrase=passphrase, **(key_options or {}))
        self.trust = TrustStore.coerce(_default_trust(trust)).with_intermediates(self.key.chain)
        self.level: Level = normalise_level(level)
        self.timestamper = _timestamper(tsa, self.services)
        self.check_revocation = check_revocation
        self.prefer_pss = prefer_pss
        self._clock = clock
        self._check: SignerCheck | None = None
        self._chain_completed = False
        #: how the chain was completed (:class:`vbsign.chain.CompletedChain`), after the first check
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

    # ---- checks ------------------------------------------------------------------------
    async def async_check_certificate(self, now: datetime | None = None) -> SignerCheck:
        """Run (or reuse) the pre-signing certificate check; raises CertificateRejected."""
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
            services=self.services,
            check_revocation=self.check_revocation,
        )
        self._check = chk  # its warnings reach the caller through SignResult.warnings
        return chk

    async def _complete_chain(self) -> None:
        """Find the issuer certificates a token does not hold (trust store, AIA caIssuers)
        once per key, so that the check can build the path and signatures carry the chain."""
        from vbsign.chain import complete_chain

        found = await complete_chain(self.key.certificate, self.key.chain, self.trust, self.services)
        self._chain_completed = True
        self.chain_completion = found
        if found.certificates:
            logger.info("chain completed from %s", ", ".join(found.sources))
            self.key.extend_chain(found.certificates)
            self.trust = self.trust.with_intermediates(found.certificates)

    # ---- signing ----------------------------------------------------------------------
    async def async_sign(
        self,
        source: _io.Source,
        output: str | os.PathLike[str] | None = None,
        *,
        field: str | None = None,
        level: str | None = None,
        reason: str | None = None,
        location: str | None = None,
        contact_info: str | None = None,
        metadata: Mapping[str, str] | None = None,
        **options: Any,
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
            field = getattr(options.get("appearance"), "field_name", None)
        request = SignRequest(
            document=data,
            document_name=Path(name).name,
            document_sha256=hashlib.sha256(data).hexdigest(),
            format=_dispatch.RESULT_FORMATS[_dispatch.detect_format(data, options.get("format"))],
            level=normalise_level(level) if level else self.level,
            signer=self.signer_info,
            field_name=field,
            reason=reason,
            location=location,
            contact_info=contact_info,
            metadata={str(k): str(v) for k, v in (metadata or {}).items()},
        )
        added = _plugins.before_sign(request)
        result = await self._async_sign_document(
            _named_stream(data, name),
            None,
            field=field,
            level=level,
            reason=reason or added.get("reason"),
            location=location or added.get("location"),
            contact_info=contact_info or added.get("contact_info"),
            **options,
        )
        result.metadata = {**request.metadata, **added}
        _plugins.after_sign(request, result)
        if has_implementations("vbsign_audit_event"):
            _plugins.emit_audit_event(_plugins.sign_event(request, result))
        if output is not None:
            result.output = _io.atomic_write(output, result.data)
        return result

    async def _async_sign_document(
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
        level: str | None = None,
        format: str | None = None,
        packaging: str | None = None,
        signer_role: str | None = None,
        xades_transform: Literal["enveloped", "filter2"] | None = None,
    ) -> SignResult:
        """Sign one document; write ``output`` atomically if given (never the input)."""
        data, name = _io.read_input(source)
        is_path = not isinstance(source, (bytes, bytearray, memoryview)) and not hasattr(source, "read")
        if output is not None and is_path and _io.same_file(os.fspath(source), output):  # type: ignore[arg-type]
            raise InputError(
                Msg(
                    "Tệp đầu ra trùng tệp đầu vào; vbsign không bao giờ ghi đè tệp gốc.",
                    "The output is the input file; vbsign never overwrites its input.",
                )
            )
        fmt = _dispatch.detect_format(data, format)
        if format is None and fmt != "pdf" and name.lower().endswith(".pdf"):
            # an empty or damaged "x.pdf" must not silently get a CAdES signature (batches too)
            raise InputError(
                Msg(
                    "{f} có đuôi .pdf nhưng nội dung không phải PDF (tệp rỗng hoặc hỏng?); "
                    "muốn ký như tệp bất kỳ thì chọn format='cades' (--format cades).",
                    "{f} is named .pdf but is not a PDF (empty or damaged?); to sign it as any file, "
                    "choose format='cades' (--format cades).",
                ).format(f=Path(name).name)
            )
        lvl = normalise_level(level) if level else self.level
        now = self.now()
        check = await self.async_check_certificate(now)
        if fmt != "pdf":  # XAdES, edXML, CAdES (vbsign.dispatch): same check, same TSA
            other = await _dispatch.sign_other(
                self, data, name, fmt, level=lvl, now=now, check=check, reason=reason,
                location=location, packaging=packaging, signer_role=signer_role,
                xades_transform=xades_transform,
            )
            return SignResult(
                data=other.data,
                output=_io.atomic_write(output, other.data) if output is not None else None,
                format=other.format,
                field_name=None,
                level=lvl,
                signer=self.signer_info,
                signing_time=other.signing_time,
                timestamp_time=other.timestamp_time,
                warnings=list(check.warnings),
                revocation_checked=check.revocation_checked,
                key_storage=self.key.storage,
            )
        vc = None
        if lvl in ("B-LT", "B-LTA"):
            vc = build_context(
                self.trust,
                moment=now if self._clock else None,
                other_certs=self.key.chain,
                ocsps=check.ocsps,
                crls=check.crls,
                services=self.services,
                require_revocation=self.check_revocation,
            )
        options = PdfSignOptions(
            level=lvl,
            md_algorithm=self.md_algorithm,
            prefer_pss=self.prefer_pss,
            placement=Placement(field=field, page=page, box=box),
            reason=reason,
            location=location,
            contact_info=contact_info,
            certify=certify,
            appearance=appearance,
        )
        try:
            outcome = await sign_pdf(
                data,
                self.key,
                options,
                now=now,
                timestamper=self.timestamper,
                validation_context=vc,
            )
        finally:
            if vc is not None:
                await vc.aclose()
        written = _io.atomic_write(output, outcome.data) if output is not None else None
        return SignResult(
            data=outcome.data,
            output=written,
            format="pdf",
            field_name=outcome.field_name,
            level=lvl,
            signer=self.signer_info,
            signing_time=outcome.signing_time,
            timestamp_time=outcome.timestamp_time,
            warnings=[*check.warnings, *outcome.warnings],
            revocation_checked=check.revocation_checked,
            key_storage=self.key.storage,
        )

    def sign(self, source: _io.Source, output: str | os.PathLike[str] | None = None, **kwargs: Any) -> SignResult:
        return run_sync(self.async_sign(source, output, **kwargs))

    # ---- batches (vbsign.batch) ---------------------------------------------------------
    async def async_sign_many(
        self,
        sources: JobsLike,
        output_dir: str | os.PathLike[str] | None = None,
        *,
        on_result: Callable[[FileResult], None] | None = None,
        stop_on_error: bool = False,
        overwrite: bool = False,
        concurrency: int = 1,
        follow_links: bool = False,
        **sign_options: Any,
    ) -> BatchResult:
        """Sign many documents with this key — one certificate check, one token login.

        ``sources`` is a directory (its ``*.pdf``; links leading out of it are refused
        unless ``follow_links``), a list of files (written to ``output_dir`` under their
        own names) or ``(input, output)`` pairs. Per-file failures are in the returned
        :class:`~vbsign.batch.BatchResult`; see :mod:`vbsign.batch` for when a batch stops
        early.
        """
        from vbsign.batch import async_sign_many, plan_jobs

        return await async_sign_many(
            self,
            plan_jobs(sources, output_dir, follow_links=follow_links),
            on_result=on_result,
            stop_on_error=stop_on_error,
            overwrite=overwrite,
            concurrency=concurrency,
            **sign_options,
        )

    def sign_many(
        self, sources: JobsLike, output_dir: str | os.PathLike[str] | None = None, **kwargs: Any
    ) -> BatchResult:
        """Synchronous :meth:`async_sign_many`."""
        return run_sync(self.async_sign_many(sources, output_dir, **kwargs))


def sign(
    source: _io.Source,
    output: str | os.PathLike[str] | None = None,
    *,
    key: str | os.PathLike[str] | SigningKey,
    passphrase: SecretLike = None,
    trust: TrustLike = None,
    tsa: str | TimeStamper | None = None,
    level: str = "B-LT",
    services: Services | None = None,
    check_revocation: bool = True,
    prefer_pss: bool = False,
    md_algorithm: str = "sha256",
    clock: Callable[[], datetime] | None = None,
    **sign_options: Any,
) -> SignResult:
    """Sign one document. For many documents, create one :class:`Signer` and reuse it."""
    with Signer(
        key,
        passphrase=passphrase,
        trust=trust,
        tsa=tsa,
        level=level,
        services=services,
        check_revocation=check_revocation,
        md_algorithm=md_algorithm,
        prefer_pss=prefer_pss,
        clock=clock,
    ) as signer:
        return signer.sign(source, output, **sign_options)


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
    level: str = "B-LT",
    services: Services | None = None,
    check_revocation: bool = True,
    prefer_pss: bool = False,
    clock: Callable[[], datetime] | None = None,
    **batch_options: Any,
) -> BatchResult:
    """Sign many documents with one key and (for tokens) one login; see :mod:`vbsign.batch`.

    ``pin`` is the token PIN (``key_options={"pin_callback": …}`` for a prompt); options
    such as ``on_result``, ``overwrite``, ``stop_on_error``, ``concurrency`` and the
    per-document signing options (``reason``, ``appearance`` …) go through.
    """
    options = dict(key_options or {})
    if pin is not None:
        options["pin"] = pin
    with Signer(
        key,
        passphrase=passphrase,
        trust=trust,
        tsa=tsa,
        level=level,
        services=services,
        check_revocation=check_revocation,
        prefer_pss=prefer_pss,
        clock=clock,
        key_options=options,
    ) as signer:
        return signer.sign_many(sources, output_dir, **batch_options)


async def async_verify(
    source: _io.Source,
    *,
    trust: TrustLike = None,
    metadata: Mapping[str, str] | None = None,
    **options: Any,
) -> Report:
    """Verify a signed document and return its :class:`~vbsign.model.report.Report`.

    Options: ``at`` ("signing" or "now"), ``now``, ``services``, ``allow_comments``,
    ``content`` (the signed file of a detached ``.p7s`` / XAdES signature).
    ``vbsign_after_verify`` plugins may add findings (never change the verdict); audit
    sinks receive a "verify" event labelled with ``metadata``.
    """
    report = await _async_verify_document(source, trust=_default_trust(trust), **options)
    _plugins.after_verify(report)
    if has_implementations("vbsign_audit_event"):
        _plugins.emit_audit_event(_plugins.report_event(report, "verify", metadata))
    return report


async def _async_verify_document(
    source: _io.Source,
    *,
    trust: TrustLike = None,
    at: str = "signing",
    now: datetime | None = None,
    services: Services | None = None,
    allow_comments: bool = False,
    content: _io.Source | Mapping[str, bytes] | None = None,
    limits: Limits | None = None,
    visual: VisualOptions | None = None,
    password: SecretLike = None,
) -> Report:
    """Verify a signed document and return its :class:`~vbsign.model.report.Report`.

    ``content`` is the signed file of a detached signature (CAdES ``.p7s``, detached
    XAdES); for ``x.p7s`` it defaults to the file ``x`` next to it. For PDFs, ``limits``
    bounds time and memory (:class:`~vbsign.pdf.limits.Limits`: 10 s, 1 GiB, an isolated
    worker only for risky files by default) and ``visual`` configures the optional
    poppler comparison (:class:`~vbsign.pdf.visual.VisualOptions`). ``password`` opens a
    PDF encrypted with a user password (a file with only an owner password needs none);
    without it such a file raises :class:`~vbsign._core.errors.PasswordRequired`.
    """
    data, name = _io.read_input(source)
    if at not in ("signing", "now"):
        raise InputError(
            Msg("--at phải là 'signing' hoặc 'now'.", "--at must be 'signing' or 'now'.")
        )
    options = VerifyOptions(
        trust=TrustStore.coerce(trust),
        at=at,
        now=now,
        services=services or DEFAULT_SERVICES,
        allow_comments=allow_comments,
        limits=limits,
        visual=visual or VisualOptions(),
        password=_password_bytes(password),
    )
    if is_pdf(data) and not _dispatch.is_cms(data):  # a .p7m may envelope a PDF
        return await verify_within(verify_pdf, data, Path(name).name, options, limits)
    content_name: str | None = None
    content_data: bytes | Mapping[str, bytes] | None = None
    if isinstance(content, Mapping):  # several detached contents, by reference name
        content_data = content
    elif content is not None:
        content_data, content_name = _io.read_input(content)
    return await _dispatch.verify_other(
        data,
        name,
        trust=options.trust,
        at=at,
        now=now,
        services=options.services,
        content=content_data,
        content_name=Path(content_name).name if content_name else None,
        allow_comments=allow_comments,
    )


def _password_bytes(password: SecretLike) -> bytes | None:
    secret = resolve_secret(password)
    return secret.reveal_bytes() if secret is not None else None


def verify(source: _io.Source, **kwargs: Any) -> Report:
    """Synchronous :func:`async_verify`."""
    return run_sync(async_verify(source, **kwargs))
