"""Document facts: what the host system knows about a document that the file cannot say.

Verification reads the file; some rules also need to know *what the document is meant to
be* — outgoing or incoming, a main document or an attachment/copy, which signature is the
competent person's and which the agency's, what the host keeps next to the file. The
host system (DMS) passes that as :class:`DocumentFacts`; a policy file can give defaults
(``[expectations]``). Nothing here is guessed from the file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from vbsign._core.i18n import Msg
from vbsign.model.report import KeyStorage
from vbsign.model.signers import ROLE_ALIASES, ROLE_TEXT, ROLES, Role, SignerRecord

if TYPE_CHECKING:
    from vbsign.model.sign import SignResult

#: outgoing (văn bản đi) or incoming (văn bản đến) — TT 41/2017 Đ9 k1 a/b
Direction = Literal["outgoing", "incoming"]
DIRECTIONS: tuple[Direction, ...] = ("outgoing", "incoming")
#: NĐ 30/2020 Phụ lục I: the main document (person + agency signatures), an attachment in a
#: separate file or an electronic copy (agency signature only)
DocumentKind = Literal["main", "attachment", "copy"]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = ("main", "attachment", "copy")
LEVELS_ORDER: tuple[str, ...] = ("B-B", "B-T", "B-LT", "B-LTA")



def parse_role(value: str) -> Role:
    role = ROLE_ALIASES.get(value.strip().lower())
    if role is None:
        raise ValueError(f"unknown role {value!r} (person or agency/organisation)")
    return role


@dataclass(frozen=True)
class SigningFacts:
    """What the signing software knows about one signature it made (signing-side rules).

    Build it from a :class:`vbsign.model.sign.SignResult` with :meth:`from_result`, or — for a
    signature made by other software — from what that software reports. Matched to a
    signature of the report by the signer certificate's fingerprint.
    """

    certificate_sha256: str
    #: the signer's certificate was checked (validity, key usage, path) before signing
    certificate_checked: bool = True
    #: the certification path to a trust anchor was validated before signing
    chain_validated: bool = True
    #: the revocation status of the path was checked (OCSP/CRL) before signing
    revocation_checked: bool = True
    #: warnings shown to the signer (bilingual)
    warnings: tuple[Msg, ...] = ()
    signing_time: datetime | None = None
    level: str | None = None
    #: the signed file was handed back to the signer (TT 15/2025 Đ5 k6 c)
    output_available: bool = True
    #: where the private key was kept (rule TT15-10); ``None``: not reported
    key_storage: KeyStorage | None = None

    @classmethod
    def from_result(cls, result: SignResult) -> SigningFacts:
        """Facts of a signature made by :class:`vbsign.api.Signer` (which always checks the
        certificate and its path before signing and refuses on failure)."""
        return cls(
            certificate_sha256=result.signer.sha256_fingerprint.upper(),
            certificate_checked=True,
            chain_validated=True,
            revocation_checked=bool(getattr(result, "revocation_checked", True)),
            warnings=tuple(result.warnings),
            signing_time=result.signing_time,
            level=result.level,
            output_available=bool(result.data),
            key_storage=getattr(result, "key_storage", None),
        )


@dataclass(frozen=True)
class EvidenceBundle:
    """What the host keeps *next to* the file (TT 41/2017 Đ9; TT 15/2025 Đ5 k4, Đ6 k2).

    The rules TT41-03, TT41-04 and TT15-09 accept an item when it is either in the file
    (e.g. PAdES B-LT validation data) or declared here.
    """

    #: URLs of certification practice statements of which a copy is stored
    cps_copies: tuple[str, ...] = ()
    #: the validation report (e.g. vbsign's JSON) is stored with the document
    validation_report_stored: bool = False
    #: the OCSP responses / CRLs used are stored with the document
    revocation_data_stored: bool = False
    #: the signer certificates are stored with the document
    certificates_stored: bool = False
    #: time of receipt proven by the host (e.g. the DMS's timestamp label, Đồng Tháp QĐ 144/2025 Đ13 k6)
    receipt_timestamp: datetime | None = None
    #: the accompanying information is kept per document and deleted with it, by software,
    #: without touching other documents' (TT 41/2017 Đ10); ``None``: not known
    deletable_per_document: bool | None = None


@dataclass(frozen=True)
class DocumentFacts:
    """Facts about the document supplied by the caller; ``None`` fields use the policy's defaults."""

    direction: Direction | None = None
    kind: DocumentKind | None = None
    #: expected role of each signature, in signing order (e.g. ``("person", "organisation")``)
    roles: tuple[Role, ...] | None = None
    #: minimum PAdES baseline level each signature must reach (``"B-LT"``…)
    min_level: str | None = None
    received_at: datetime | None = None
    signing: tuple[SigningFacts, ...] = ()
    bundle: EvidenceBundle | None = None
    #: an official document of a state agency (văn bản công vụ) — the ``auto`` profile then
    #: applies the official-use rules; ``False``: another document (public rules);
    #: ``None``: the policy's default (``[expectations] official``, else official)
    official: bool | None = None
    #: when the host sent the document (QĐ 28/2018 Đ6: on the signing day)
    sent_at: datetime | None = None
    #: what the registry / plugins recorded about the signers, by certificate SHA-256
    #: (filled by :func:`vbsign.validate` and the host workflows from ``vbsign_signer_class``)
    signer_records: Mapping[str, SignerRecord] = field(default_factory=dict)

    def with_defaults(self, defaults: Expectations) -> DocumentFacts:
        """These facts, with every unset field taken from the policy's expectations."""
        return dataclasses.replace(
            self,
            direction=self.direction or defaults.direction,
            kind=self.kind or defaults.kind,
            roles=self.roles if self.roles is not None else defaults.roles,
            min_level=self.min_level or defaults.min_level,
            official=self.official if self.official is not None else defaults.official,
        )

    def record_for(self, fingerprint: str) -> SignerRecord | None:
        return self.signer_records.get(fingerprint.upper())

    def signing_for(self, fingerprint: str) -> SigningFacts | None:
        fp = fingerprint.upper()
        for sf in self.signing:
            if sf.certificate_sha256.upper() == fp:
                return sf
        return None

    @property
    def effective_kind(self) -> DocumentKind:
        return self.kind or "main"

    @classmethod
    def for_signed(cls, results: Iterable[SignResult], **kwargs: object) -> DocumentFacts:
        """Facts for a document just signed by vbsign (one entry per :class:`SignResult`)."""
        return cls(signing=tuple(SigningFacts.from_result(r) for r in results), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Expectations:
    """What an agency expects of its documents (``[expectations]`` of a policy file)."""

    direction: Direction | None = None
    kind: DocumentKind | None = None
    roles: tuple[Role, ...] | None = None
    min_level: str | None = None
    #: the agency's documents are official documents of a state agency (``auto``: official rules)
    official: bool | None = None

    def describe(self) -> list[Msg]:
        out: list[Msg] = []
        if self.official is not None:
            out.append(
                Msg("Văn bản công vụ của cơ quan nhà nước", "Official documents of a state agency")
                if self.official
                else Msg("Không phải văn bản công vụ (quy định chữ ký số công cộng)", "Not official documents (public signature rules)")
            )
        if self.roles:
            vi = " → ".join(ROLE_TEXT[r].vi for r in self.roles)
            en = " → ".join(ROLE_TEXT[r].en for r in self.roles)
            out.append(Msg(f"Chữ ký theo thứ tự: {vi}", f"Signatures in order: {en}"))
        if self.min_level:
            out.append(Msg(f"Mức chữ ký tối thiểu: {self.min_level}", f"Minimum signature level: {self.min_level}"))
        if self.direction:
            out.append(
                Msg(
                    "Văn bản " + ("đi" if self.direction == "outgoing" else "đến"),
                    ("Outgoing" if self.direction == "outgoing" else "Incoming") + " documents",
                )
            )
        if self.kind:
            out.append(Msg(f"Loại văn bản: {self.kind}", f"Document kind: {self.kind}"))
        return out


def normalise_level_name(value: str) -> str:
    v = value.strip().upper().replace("_", "-")
    if not v.startswith("B-"):
        v = "B-" + v.removeprefix("B")
    if v not in LEVELS_ORDER:
        raise ValueError(f"unknown signature level {value!r} (B-B, B-T, B-LT or B-LTA)")
    return v


def roles_from(values: Sequence[str]) -> tuple[Role, ...]:
    return tuple(parse_role(v) for v in values)


__all__ = [
    "DOCUMENT_KINDS",
    "DIRECTIONS",
    "ROLES",
    "Direction",
    "DocumentFacts",
    "DocumentKind",
    "EvidenceBundle",
    "Expectations",
    "Role",
    "SignerRecord",
    "SigningFacts",
]
