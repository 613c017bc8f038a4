"""What signing produces and what the sign lifecycle hooks see: plain values.

:class:`SignResult` is what :meth:`vbsign.Signer.sign` returns; :class:`SignRequest` and
:class:`SignDecision` are exchanged with the ``vbsign_before_sign`` / ``vbsign_after_sign``
plugin hooks (:mod:`vbsign.plugins.hookspecs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from vbsign._core.i18n import Msg
from vbsign.model.report import CertificateInfo, KeyStorage


@dataclass
class SignResult:
    """What a successful signature produced.

    Attributes:
        data: the signed document (or the detached signature) as bytes.
        output: the file written, if any.
        format: "pdf", "xml", "edxml" or "cades".
        field_name: the PDF signature field used.
        level: the level reached ("B-B", "B-T", "B-LT", "B-LTA").
        signer: the signer's certificate.
        signing_time: the time written in the signature.
        timestamp_time: the time of the signature timestamp (B-T and up).
        warnings: what the caller should know (bilingual messages).
        metadata: labels from the caller and from ``vbsign_before_sign`` plugins.
        revocation_checked: whether the pre-signing check included revocation.
        key_storage: where the private key was kept (file, token).
    """

    data: bytes
    output: Path | None
    format: str
    field_name: str | None
    level: str
    signer: CertificateInfo
    signing_time: datetime
    timestamp_time: datetime | None = None
    warnings: list[Msg] = field(default_factory=list)
    #: labels from the caller and from ``vbsign_before_sign`` plugins (document id, number…)
    metadata: dict[str, str] = field(default_factory=dict)
    #: whether the pre-signing check included the revocation status of the signer's path
    #: (``False`` only with ``check_revocation=False``); read by policy rules ND68-01, TT15-08
    revocation_checked: bool = True
    #: where the private key was kept (file, token + the validations it reports; rule TT15-10)
    key_storage: KeyStorage | None = None


@dataclass(frozen=True)
class SignRequest:
    """What is about to be signed (read-only view given to the sign lifecycle hooks)."""

    #: the bytes to be signed (never modified by vbsign)
    document: bytes = field(repr=False)
    document_name: str
    #: SHA-256 (hex) of ``document`` (computed only when a plugin implements a hook that
    #: receives the request; ``""`` otherwise)
    document_sha256: str
    #: "pdf" (more formats as they are added)
    format: str
    #: PAdES level: B-B, B-T, B-LT or B-LTA
    level: str
    #: the signer's certificate
    signer: CertificateInfo
    #: signature field name requested by the caller (``None``: vbsign picks one)
    field_name: str | None = None
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None
    #: labels from the caller (the host system): ``document_id``, ``document_number``,
    #: ``unit``, ``role`` ("person", "seal", "attachment"), …
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SignDecision:
    """A plugin's answer to :meth:`~vbsign.plugins.hookspecs.LifecycleSpec.vbsign_before_sign`.

    ``veto`` refuses the signature (nothing is signed; the caller gets a
    :class:`~vbsign.plugins.SignatureVetoed` — a :class:`~vbsign.errors.PluginError` — with
    this reason and the plugin's name).
    ``metadata`` is added to the signature's metadata: the keys ``reason``, ``location``
    and ``contact_info`` fill the PDF signature dictionary's fields the caller left empty;
    every key is reported in :attr:`vbsign.model.sign.SignResult.metadata` and in the audit event.
    """

    veto: Msg | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def refuse(cls, vi: str, en: str) -> SignDecision:
        """Veto the signature with a reason in Vietnamese and English."""
        return cls(veto=Msg(vi, en))

    @classmethod
    def add(cls, **metadata: str) -> SignDecision:
        """Allow the signature and add metadata."""
        return cls(metadata=dict(metadata))




__all__ = ["SignDecision", "SignRequest", "SignResult"]
