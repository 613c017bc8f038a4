"""Augmentation: :func:`extend` / :func:`async_extend` bring a signed document up to a
longer-lived level (B-T, B-LT, B-LTA) or renew its archive timestamp; :func:`extend_many`
does a directory's worth in one batch.

The order is the same for every format: verify the document **now** (a signature that does
not verify is never extended: its reason is the error), build the extended bytes in the
format's module, verify *those*, then write them atomically (never over the input).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import x509
from pyhanko.sign.timestamps.api import TimeStamper

import vbsign._core.files as _io
import vbsign.api.extensions as extensions
import vbsign.formats.dispatch as _dispatch
from vbsign._core.aio import run_sync
from vbsign._core.errors import InputError, SigningError, UnsupportedFormatError, VbsignError
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import utcnow
from vbsign.api.verification import async_verify
from vbsign.formats.ades import ValidationData, collect_validation_data
from vbsign.formats.cades_extend import extend_cms
from vbsign.formats.pades.extend import extend_pdf
from vbsign.formats.pades.verify import is_pdf
from vbsign.formats.xades.extend import extend_xml
from vbsign.formats.xades.safe import looks_like_xml
from vbsign.model.extend import ExtendResult
from vbsign.model.options import Level
from vbsign.model.report import Indication, Report, SignatureReport
from vbsign.pki.trust import TrustLike, TrustStore
from vbsign.pki.validation import Services, build_context


@dataclass(frozen=True)
class _Setup:
    """What one extension run uses: trust, the revocation source, the TSA and the clock."""

    trust: TrustLike
    services: Services
    timestamper: TimeStamper
    now: datetime


async def async_extend(
    source: _io.Source,
    output: str | os.PathLike[str] | None = None,
    *,
    level: Level | str = Level.B_LTA,
    renew: bool = False,
    tsa: str | TimeStamper | None = None,
    trust: TrustLike = None,
    services: Services | None = None,
    clock: Callable[[], datetime] | None = None,
    md_algorithm: str = "sha256",
    content: _io.Source | None = None,
) -> ExtendResult:
    """Extend every signature of ``source`` to ``level`` (``b-t``, ``b-lt``, ``b-lta``);
    with ``renew``, add a new archive timestamp over everything (the previous archive
    timestamp's validation data included).

    Refuses (:class:`~vbsign.errors.SigningError`, the reason in Vietnamese and English)
    to extend a document whose signatures do not verify now. ``output`` is written
    atomically and must not be the input; ``clock`` fixes "now" (tests, simulated time).
    ``content`` is the signed file of a detached CAdES signature (default: ``x`` next to
    ``x.p7s``): the archive timestamp covers its hash.

    Args:
        source: the signed document: a path, bytes or a binary stream (never modified).
        output: where to write the result (atomically); ``None``: not written.
        level: the level to reach: ``"B-T"``, ``"B-LT"`` or ``"B-LTA"`` (default; an enum
            :class:`~vbsign.api.params.Level` or a case-insensitive string).
        renew: add a new archive timestamp over everything, even at the requested level.
        tsa: the timestamp server's URL (or a pyHanko ``TimeStamper``).
        trust: trust anchors; ``None``: the default store and the plugins' anchors.
        services: the revocation and network settings (bounded timeouts).
        clock: a function returning "now" (tests, simulated time); default: the system clock.
        md_algorithm: the hash of the new timestamps (``"sha256"`` default; SHA-1/MD5 refused).
        content: the signed content of a detached signature.
    """
    setup = _setup(tsa, trust, services, clock)
    lvl = Level.parse(level).value
    if lvl == "B-B":
        raise InputError(Msg("Chỉ gia hạn lên B-T, B-LT hoặc B-LTA.", "Extend to B-T, B-LT or B-LTA only."))
    _refuse_overwrite(source, output)
    data, name = _io.read_input(source)
    detached = _detached_content(content, name)
    await _require_valid_now(data, name, setup, content=detached)
    result = await _extend_bytes(data, name, lvl, renew, setup, md_algorithm, detached)
    if result.changed:
        await _require_valid_now(result.data, name, setup, after=True, content=detached)
    if output is not None:
        result.output = _io.atomic_write(output, result.data)
    return result


def _setup(
    tsa: str | TimeStamper | None, trust: TrustLike, services: Services | None, clock: Callable[[], datetime] | None
) -> _Setup:
    svc = extensions.resolve_services(services)
    stamper = extensions.timestamper(tsa, svc)
    if stamper is None:
        raise InputError(
            Msg(
                "Gia hạn chữ ký cần máy chủ dấu thời gian: dùng --tsa URL.",
                "Extending a signature needs a timestamp server: use --tsa URL.",
            )
        )
    return _Setup(extensions.trust_or_default(trust), svc, stamper, clock() if clock else utcnow())


def _refuse_overwrite(source: _io.Source, output: str | os.PathLike[str] | None) -> None:
    if output is None or not isinstance(source, (str, os.PathLike)):
        return
    try:
        same = Path(os.fspath(output)).resolve() == Path(os.fspath(source)).resolve()
    except OSError:  # pragma: no cover - unresolvable path
        same = False
    if same:
        raise InputError(
            Msg(
                "Tệp đầu ra trùng tệp đầu vào: vbsign không bao giờ ghi đè văn bản gốc.",
                "The output is the input file: vbsign never overwrites the original document.",
            )
        )


def _detached_content(content: _io.Source | None, name: str) -> bytes | None:
    if content is not None:
        return _io.read_input(content)[0]
    found = _dispatch.find_detached_content(name)
    return found[0] if found else None


def _xml_contents(content: bytes | None, name: str) -> dict[str, bytes] | None:
    """Detached XAdES: the one content file, under the names a reference may use."""
    if content is None:
        return None
    return {"": content}


async def _extend_bytes(
    data: bytes, name: str, level: str, renew: bool, setup: _Setup, md_algorithm: str, content: bytes | None
) -> ExtendResult:
    """The format's extension: PAdES, CAdES (:mod:`vbsign.formats.cades_extend`)."""
    if is_pdf(data) and not _dispatch.is_cms(data):
        vc = build_context(TrustStore.coerce(setup.trust), moment=setup.now, services=setup.services)
        try:
            out = await extend_pdf(
                data, level, timestamper=setup.timestamper, validation_context=vc,  # type: ignore[arg-type]
                renew=renew, md_algorithm=md_algorithm,
            )  # fmt: skip
        finally:
            await vc.aclose()
        return ExtendResult(out.data, None, "pdf", out.level_before, out.level_after, out.steps, out.timestamp_time)
    if _dispatch.is_cms(data):
        cms_out = await extend_cms(
            data, level, content=content, timestamper=setup.timestamper, validation_data=_vd_source(setup),
            renew=renew, md_algorithm=md_algorithm,
        )  # fmt: skip
        return ExtendResult(cms_out.data, None, "cms", cms_out.level_before, cms_out.level_after, cms_out.steps,
                            cms_out.timestamp_time)  # fmt: skip
    if looks_like_xml(data):
        xml_out = await extend_xml(
            data, level, timestamper=setup.timestamper, validation_data=_vd_source(setup), renew=renew,
            contents=_xml_contents(content, name),
        )  # fmt: skip
        return ExtendResult(xml_out.data, None, "xml", xml_out.level_before, xml_out.level_after, xml_out.steps,
                            xml_out.timestamp_time)  # fmt: skip
    raise UnsupportedFormatError(
        Msg(
            "Chưa gia hạn được chữ ký của tệp {n} (định dạng này).",
            "Cannot extend the signatures of {n} (this format).",
        ).format(n=Path(name).name)
    )


def _vd_source(setup: _Setup) -> Callable[[x509.Certificate, list[x509.Certificate]], Awaitable[ValidationData]]:
    """Validation data of a certificate at the extension time (fetched where missing)."""
    trust = TrustStore.coerce(setup.trust)

    async def source(cert: x509.Certificate, others: list[x509.Certificate]) -> ValidationData:
        return await collect_validation_data(cert, others, trust, services=setup.services, moment=setup.now)

    return source


async def _require_valid_now(
    data: bytes, name: str, setup: _Setup, *, after: bool = False, content: bytes | None = None
) -> Report:
    """Verify at ``setup.now`` (fetching what is missing); every signature and timestamp must
    pass. Before: refuse with the reason; after: the new bytes are never handed back broken."""
    report = await async_verify(data, trust=setup.trust, now=setup.now, services=setup.services, content=content)
    bad = [s for s in report.signatures if s.indication is not Indication.TOTAL_PASSED]
    if not report.signatures:
        raise InputError(
            Msg("Tệp {n} không có chữ ký nào để gia hạn.", "{n} has no signature to extend.").format(n=Path(name).name)
        )
    if bad:
        r_vi, r_en = _reason(bad[0])
        if after:
            raise SigningError(
                Msg(f"Kiểm tra sau khi gia hạn thất bại ({r_vi}); không ghi tệp.",
                    f"Post-extension check failed ({r_en}); nothing written.")
            )  # fmt: skip
        who, ind = bad[0].field_name or bad[0].id, _indication(bad[0])
        raise SigningError(
            Msg(f"Không gia hạn: chữ ký {who} hiện không hợp lệ ({ind}): {r_vi}",
                f"Not extended: signature {who} does not verify now ({ind}): {r_en}"),
            details={"indication": bad[0].indication.value, "sub_indication": _sub(bad[0])},
        )  # fmt: skip
    return report


def _indication(rep: SignatureReport) -> str:
    sub = _sub(rep)
    return rep.indication.value + (f"/{sub}" if sub else "")


def _sub(rep: SignatureReport) -> str | None:
    return rep.sub_indication.value if rep.sub_indication is not None else None


def _reason(rep: SignatureReport) -> tuple[str, str]:
    """The first error (else warning) finding's message, Vietnamese and English."""
    for f in sorted(rep.findings, key=lambda f: 0 if f.severity.value == "error" else 1):
        if f.severity.value in ("error", "warning"):
            return f.message_vi, f.message_en
    return _indication(rep), _indication(rep)


def extend(
    source: _io.Source,
    output: str | os.PathLike[str] | None = None,
    *,
    level: Level | str = Level.B_LTA,
    renew: bool = False,
    tsa: str | TimeStamper | None = None,
    trust: TrustLike = None,
    services: Services | None = None,
    clock: Callable[[], datetime] | None = None,
    md_algorithm: str = "sha256",
    content: _io.Source | None = None,
) -> ExtendResult:
    """Synchronous :func:`async_extend` (also inside a running event loop).

    Args:
        source: the signed document: a path, bytes or a binary stream (never modified).
        output: where to write the result (atomically); ``None``: not written.
        level: the level to reach: ``"B-T"``, ``"B-LT"`` or ``"B-LTA"`` (default; an enum
            :class:`~vbsign.api.params.Level` or a case-insensitive string).
        renew: add a new archive timestamp over everything, even at the requested level.
        tsa: the timestamp server's URL (or a pyHanko ``TimeStamper``).
        trust: trust anchors; ``None``: the default store and the plugins' anchors.
        services: the revocation and network settings (bounded timeouts).
        clock: a function returning "now" (tests, simulated time); default: the system clock.
        md_algorithm: the hash of the new timestamps (``"sha256"`` default; SHA-1/MD5 refused).
        content: the signed content of a detached signature.
    """
    return run_sync(async_extend(
        source, output, level=level, renew=renew, tsa=tsa, trust=trust, services=services, clock=clock,
        md_algorithm=md_algorithm, content=content,
    ))  # fmt: skip


@dataclass
class BatchItem:
    """One document of :func:`extend_many`: its result, or the error that stopped it."""

    source: Path
    result: ExtendResult | None = None
    error: VbsignError | None = None


def extend_many(
    sources: Iterable[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    level: Level | str = Level.B_LTA,
    renew: bool = False,
    tsa: str | TimeStamper | None = None,
    trust: TrustLike = None,
    services: Services | None = None,
    clock: Callable[[], datetime] | None = None,
    md_algorithm: str = "sha256",
) -> list[BatchItem]:
    """Extend each file into ``output_dir`` (same name); one failure never stops the batch.

    Args:
        sources: the signed files.
        output_dir: the directory the extended files are written to (same names).
        level: the level to reach: ``"B-T"``, ``"B-LT"`` or ``"B-LTA"`` (default; an enum
            :class:`~vbsign.api.params.Level` or a case-insensitive string).
        renew: add a new archive timestamp over everything, even at the requested level.
        tsa: the timestamp server's URL (or a pyHanko ``TimeStamper``).
        trust: trust anchors; ``None``: the default store and the plugins' anchors.
        services: the revocation and network settings (bounded timeouts).
        clock: a function returning "now" (tests, simulated time); default: the system clock.
        md_algorithm: the hash of the new timestamps (``"sha256"`` default; SHA-1/MD5 refused).
    """
    out_dir = Path(os.fspath(output_dir))
    items: list[BatchItem] = []
    for src in sources:
        item = BatchItem(Path(os.fspath(src)))
        try:
            item.result = extend(
                item.source, out_dir / item.source.name, level=level, renew=renew, tsa=tsa, trust=trust,
                services=services, clock=clock, md_algorithm=md_algorithm,
            )  # fmt: skip
        except VbsignError as e:
            item.error = e
        items.append(item)
    return items


__all__ = ["BatchItem", "async_extend", "extend", "extend_many"]
