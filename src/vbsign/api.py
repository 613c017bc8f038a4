"""The public API: :func:`sign`, :func:`verify` and the reusable :class:`Signer`.

Everything here is async at the core with thin sync wrappers (which also work inside a
running event loop, see :mod:`vbsign._aio`).

>>> import vbsign
>>> result = vbsign.sign("in.pdf", "out.pdf", key="person.p12", passphrase="...",
...                      trust=["roots.pem"], tsa="http://tsa.example/tsa", level="B-LT")
>>> report = vbsign.verify("out.pdf", trust=["roots.pem"])
>>> report.indication
<Indication.TOTAL_PASSED: 'TOTAL-PASSED'>
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509
from pyhanko.sign.timestamps.api import TimeStamper

from . import _io
from ._aio import run_sync
from .backends import SigningKey, open_key
from .errors import InputError, UnsupportedFormatError
from .i18n import Msg
from .pdf.sign import AppearanceProvider, Level, PdfSignOptions, Placement, normalise_level, sign_pdf
from .pdf.verify import VerifyOptions, is_pdf, verify_pdf
from .report import CertificateInfo, Report
from .secrets import SecretLike
from .trust import TrustStore
from .validation import DEFAULT_SERVICES, Services, SignerCheck, build_context, check_signer_certificate, utcnow

logger = logging.getLogger(__name__)

TrustLike = TrustStore | Iterable[str | os.PathLike[str] | x509.Certificate] | None


@dataclass
class SignResult:
    """What a successful signature produced."""

    data: bytes
    output: Path | None
    format: str
    field_name: str | None
    level: str
    signer: CertificateInfo
    signing_time: datetime
    timestamp_time: datetime | None = None
    warnings: list[Msg] = field(default_factory=list)


def _timestamper(tsa: str | TimeStamper | None, services: Services) -> TimeStamper | None:
    if tsa is None or isinstance(tsa, TimeStamper):
        return tsa
    if not services.online:
        raise InputError(
            Msg(
                "Chế độ ngoại tuyến không dùng được máy chủ dấu thời gian {u}.",
                "Offline mode cannot use the timestamp server {u}.",
            ).format(u=tsa)
        )
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(tsa, timeout=max(1, int(services.timeout)))


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
        self.services = services or DEFAULT_SERVICES
        self.key = open_key(key, passphrase=passphrase, **(key_options or {}))
        self.trust = TrustStore.coerce(trust).with_intermediates(self.key.chain)
        self.level: Level = normalise_level(level)
        self.timestamper = _timestamper(tsa, self.services)
        self.check_revocation = check_revocation
        self.md_algorithm = md_algorithm
        self.prefer_pss = prefer_pss
        self._clock = clock
        self._check: SignerCheck | None = None

    # ---- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        self.key.close()

    def __enter__(self) -> Signer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def now(self) -> datetime:
        return self._clock() if self._clock else utcnow()

    # ---- checks ------------------------------------------------------------------------
    async def async_check_certificate(self, now: datetime | None = None) -> SignerCheck:
        """Run (or reuse) the pre-signing certificate check; raises CertificateRejected."""
        now = now or self.now()
        cert = self.key.certificate
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
        for w in chk.warnings:
            logger.warning("%s", w.get())
        self._check = chk
        return chk

    # ---- signing ----------------------------------------------------------------------
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
        level: str | None = None,
    ) -> SignResult:
        """Sign one document; write ``output`` atomically if given (never the input)."""
        data, name = _io.read_input(source)
        if output is not None and not isinstance(source, (bytes, bytearray, memoryview)) and not hasattr(
            source, "read"
        ):
            if _io.same_file(os.fspath(source), output):  # type: ignore[arg-type]
                raise InputError(
                    Msg(
                        "Tệp đầu ra trùng tệp đầu vào; vbsign không bao giờ ghi đè tệp gốc.",
                        "The output is the input file; vbsign never overwrites its input.",
                    )
                )
        if not is_pdf(data):
            raise UnsupportedFormatError(
                Msg(
                    "Chưa hỗ trợ ký định dạng của tệp {n} (hiện hỗ trợ PDF).",
                    "Signing the format of {n} is not supported (PDF is).",
                ).format(n=name)
            )
        lvl = normalise_level(level) if level else self.level
        now = self.now()
        check = await self.async_check_certificate(now)
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
            signer=CertificateInfo.from_asn1(self.key.certificate),
            signing_time=outcome.signing_time,
            timestamp_time=outcome.timestamp_time,
            warnings=list(check.warnings),
        )

    def sign(self, source: _io.Source, output: str | os.PathLike[str] | None = None, **kwargs: Any) -> SignResult:
        return run_sync(self.async_sign(source, output, **kwargs))


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
        prefer_pss=prefer_pss,
        clock=clock,
    ) as signer:
        return signer.sign(source, output, **sign_options)


async def async_verify(
    source: _io.Source,
    *,
    trust: TrustLike = None,
    at: str = "signing",
    now: datetime | None = None,
    services: Services | None = None,
    allow_comments: bool = False,
) -> Report:
    """Verify a signed document and return its :class:`~vbsign.report.Report`."""
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
    )
    if is_pdf(data):
        return await verify_pdf(data, Path(name).name, options)
    raise UnsupportedFormatError(
        Msg(
            "Chưa hỗ trợ kiểm tra định dạng của tệp {n}.",
            "Verifying the format of {n} is not supported.",
        ).format(n=name)
    )


def verify(source: _io.Source, **kwargs: Any) -> Report:
    """Synchronous :func:`async_verify`."""
    return run_sync(async_verify(source, **kwargs))
