"""Verification: :func:`verify` / :func:`async_verify` (any format) and :func:`verify_xml`
(XML, saying exactly what was signed).

The formats gather the evidence and judge each signature; this module picks the format,
hands it the trust and revocation sources (plugins' included, :mod:`vbsign.api.extensions`),
bounds PDFs in time and memory (:mod:`vbsign.formats.pades.limits`), then runs the
``vbsign_after_verify`` hooks (which may add findings, never change a verdict) and the
audit sinks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import vbsign._core.files as _io
import vbsign.api.extensions as extensions
import vbsign.formats.dispatch as _dispatch
import vbsign.plugins.lifecycle as _plugins
from vbsign._core.aio import run_sync
from vbsign._core.secrets import SecretLike, resolve_secret
from vbsign._core.timefmt import utcnow
from vbsign.api.params import documented
from vbsign.formats.ades import AdesVerifyOptions
from vbsign.formats.pades.limits import Limits, verify_within
from vbsign.formats.pades.verify import VerifyOptions, is_pdf, verify_pdf
from vbsign.formats.pades.visual import VisualOptions
from vbsign.formats.xades.safe import DEFAULT_LIMITS as XML_LIMITS
from vbsign.formats.xades.safe import XmlLimits
from vbsign.formats.xades.verify import XmlVerification
from vbsign.formats.xades.verify import verify_xml as _verify_xml
from vbsign.model.options import ValidationTime, validation_moment
from vbsign.model.report import Report
from vbsign.pki.trust import TrustLike, TrustStore
from vbsign.pki.validation import Services
from vbsign.plugins.manager import has_implementations


@documented
async def async_verify(
    source: _io.Source,
    *,
    trust: TrustLike = None,
    at: ValidationTime | str | datetime = ValidationTime.SIGNING,
    now: datetime | None = None,
    services: Services | None = None,
    allow_comments: bool = False,
    content: _io.Source | Mapping[str, bytes] | None = None,
    limits: Limits | None = None,
    visual: VisualOptions | None = None,
    password: SecretLike = None,
    metadata: Mapping[str, str] | None = None,
) -> Report:
    """Verify a signed document (PDF, XML/edXML, CMS) and return its :class:`~vbsign.report.Report`.

    ``content`` is the signed file of a detached signature; for ``x.p7s`` it defaults to
    the file ``x`` next to it. PDFs are bounded in time and memory (``limits``: 10 s,
    1 GiB, an isolated worker only for risky files by default); an encrypted PDF without
    its ``password`` raises :class:`~vbsign.errors.PasswordRequired`.
    ``vbsign_after_verify`` plugins may add findings (never change the verdict); audit
    sinks receive a "verify" event labelled with ``metadata``.

    Args:
        source: the signed document: a path, bytes or a binary stream (PDF, XML, edXML,
            CMS ``.p7s``/``.p7m``, S/MIME).
        trust: trust anchors (files, certificates or a :class:`~vbsign.pki.trust.TrustStore`);
            ``None``: the default store and the plugins' anchors.
        metadata: labels of the audit event (document id, unit…).
        **options: ``at`` ("signing" — the default, as Vietnamese law asks — or "now");
            ``now`` (the current time); ``services`` (:class:`~vbsign.pki.validation.Services`);
            ``allow_comments`` (accept annotations added after signing that cover no
            content); ``content`` (the signed file of a detached signature); ``limits``
            (:class:`~vbsign.formats.pades.limits.Limits`: time and memory per PDF);
            ``visual`` (the page comparison); ``password`` (of an encrypted PDF).
    """
    mode, now = validation_moment(at, now)
    report = await _async_verify_document(
        source, trust=extensions.trust_or_default(trust), at=mode, now=now, services=services,
        allow_comments=allow_comments, content=content, limits=limits, visual=visual, password=password,
    )  # fmt: skip
    _plugins.after_verify(report)
    if has_implementations("vbsign_audit_event"):
        _plugins.emit_audit_event(_plugins.report_event(report, "verify", metadata))
    return report


async def _async_verify_document(
    source: _io.Source,
    *,
    trust: TrustLike,
    at: str,
    now: datetime | None,
    services: Services | None,
    allow_comments: bool,
    content: _io.Source | Mapping[str, bytes] | None,
    limits: Limits | None,
    visual: VisualOptions | None,
    password: SecretLike,
) -> Report:
    """Pick the format and verify (``at`` already "signing" or "now")."""
    data, name = _io.read_input(source)
    options = VerifyOptions(
        trust=TrustStore.coerce(trust),
        at=at,
        now=now,
        services=extensions.resolve_services(services),
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


@documented
def verify(
    source: _io.Source,
    *,
    trust: TrustLike = None,
    at: ValidationTime | str | datetime = ValidationTime.SIGNING,
    now: datetime | None = None,
    services: Services | None = None,
    allow_comments: bool = False,
    content: _io.Source | Mapping[str, bytes] | None = None,
    limits: Limits | None = None,
    visual: VisualOptions | None = None,
    password: SecretLike = None,
    metadata: Mapping[str, str] | None = None,
) -> Report:
    """Verify a signed document: synchronous :func:`async_verify` (also inside a running
    event loop)."""
    return run_sync(async_verify(
        source, trust=trust, at=at, now=now, services=services, allow_comments=allow_comments, content=content,
        limits=limits, visual=visual, password=password, metadata=metadata,
    ))  # fmt: skip


async def async_verify_xml(
    source: _io.Source,
    *,
    trust: TrustLike = None,
    at: ValidationTime | str | datetime = ValidationTime.SIGNING,
    now: datetime | None = None,
    services: Services | None = None,
    contents: Mapping[str, bytes] | None = None,
    extra_certs: Iterable[Any] = (),
    limits: XmlLimits = XML_LIMITS,
    require_full_coverage: bool = True,
) -> XmlVerification:
    """Verify the XML signatures of ``source`` (path, bytes or stream).

    Returns the :class:`~vbsign.report.Report` *and* the signed parts:
    ``result.signed_elements()`` are the elements the valid references designate — the only
    parts of the document a caller should act upon.

    Args:
        source: the XML document: a path, bytes or a binary stream.
        trust: trust anchors; ``None``: an empty store (no chain is trusted).
        at: "signing" (default) or "now": when the certificates must be valid.
        now: the current time (default: now).
        services: the revocation and network settings.
        contents: the documents detached references point to, by URI.
        extra_certs: certificates that may help build the chain.
        limits: bounds on the XML (size, depth, references…).
        require_full_coverage: an enveloped signature must cover the whole document
            (default), else the report says what it leaves out.
    """
    data, name = _io.read_input(source)
    at, now = validation_moment(at, now)
    options = AdesVerifyOptions(
        trust=TrustStore.coerce(trust),
        at=at,
        now=now or utcnow(),
        services=extensions.resolve_services(services),
        extra_certs=tuple(extra_certs),
    )
    return await _verify_xml(
        data, os.path.basename(name), options, contents=contents, limits=limits,
        require_full_coverage=require_full_coverage,
    )


def verify_xml(
    source: _io.Source,
    *,
    trust: TrustLike = None,
    at: ValidationTime | str | datetime = ValidationTime.SIGNING,
    now: datetime | None = None,
    services: Services | None = None,
    contents: Mapping[str, bytes] | None = None,
    extra_certs: Iterable[Any] = (),
    limits: XmlLimits = XML_LIMITS,
    require_full_coverage: bool = True,
) -> XmlVerification:
    """Synchronous :func:`async_verify_xml` (also works inside a running event loop).

    Args:
        source: the XML document: a path, bytes or a binary stream.
        trust: trust anchors; ``None``: an empty store (no chain is trusted).
        at: "signing" (default) or "now": when the certificates must be valid.
        now: the current time (default: now).
        services: the revocation and network settings.
        contents: the documents detached references point to, by URI.
        extra_certs: certificates that may help build the chain.
        limits: bounds on the XML (size, depth, references…).
        require_full_coverage: an enveloped signature must cover the whole document
            (default), else the report says what it leaves out.
    """
    return run_sync(async_verify_xml(
        source, trust=trust, at=at, now=now, services=services, contents=contents, extra_certs=extra_certs,
        limits=limits, require_full_coverage=require_full_coverage,
    ))  # fmt: skip


__all__ = ["async_verify", "async_verify_xml", "verify", "verify_xml"]
