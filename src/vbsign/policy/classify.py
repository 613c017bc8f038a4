"""Is a signer certificate a natural person's or an organisation's ("seal")?

TT 41/2017 Đ6 k2 and NĐ 30/2020 Đ5, Đ32–33 distinguish the competent person's *personal*
key from the agency's *seal* key. A certificate does not say so in one standard field, so
vbsign looks at several signals and reports which ones it used:

1. configuration (a policy file's ``[classification]``: certificate fingerprints or
   certificate-policy OIDs the agency knows to be personal or organisational);
2. the subject's ``UID`` (0.9.2342.19200300.100.1.1) prefix: ``CCCD:``, ``CMND:``, ``HC:``
   (passport), ``PID:``, ``PPID:``, ``BHXH:`` → person; ``MST:`` (tax code) → organisation
   — the public CAs' convention (legal-rules.md §6.2);
3. a ``title`` (2.5.4.12) attribute → person (a position is held by a person);
4. ``CN`` equal to ``O`` (after Unicode/case/space normalisation) → organisation (the
   agency signs in its own name).

Signals that disagree, or no signal at all, give ``unknown`` — reported at INFORM level,
never a guess presented as fact. Real VGCA G2 agency certificates name a unit under the
ministry (``O=BỘ TÀI CHÍNH, CN=TỔNG CỤC THUẾ``) and carry no UID, so an agency that
wants definite answers lists its certificates in the policy file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..i18n import Msg
from ..report import CertificateInfo
from .facts import Role

SignerClass = Literal["person", "organisation", "unknown"]

PERSON_UID_PREFIXES = ("CCCD:", "CMND:", "HC:", "PID:", "PPID:", "BHXH:")
ORGANISATION_UID_PREFIXES = ("MST:",)


@dataclass(frozen=True)
class ClassificationConfig:
    """Explicit knowledge from configuration: fingerprint → role, policy OID → role."""

    by_fingerprint: Mapping[str, Role] = field(default_factory=dict)
    by_policy_oid: Mapping[str, Role] = field(default_factory=dict)


@dataclass(frozen=True)
class Classification:
    """The class of a signer certificate and the signals behind it."""

    kind: SignerClass
    reasons: tuple[Msg, ...]
    #: "configuration", "subject" or "none"
    source: str

    @property
    def known(self) -> bool:
        return self.kind != "unknown"

    def explain(self, lang: str | None = None) -> str:
        return "; ".join(r.get(lang) for r in self.reasons)  # type: ignore[arg-type]


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def classify_signer(cert: CertificateInfo, config: ClassificationConfig | None = None) -> Classification:
    """Classify a signer certificate (pure function of the certificate and the config)."""
    config = config or ClassificationConfig()
    fp = cert.sha256_fingerprint.upper()
    if fp in config.by_fingerprint:
        role = config.by_fingerprint[fp]
        return Classification(
            role,
            (Msg("được cấu hình theo dấu vân tay chứng thư", "configured by certificate fingerprint"),),
            "configuration",
        )
    for oid in cert.policies:
        if oid in config.by_policy_oid:
            role = config.by_policy_oid[oid]
            return Classification(
                role,
                (Msg(f"được cấu hình theo chính sách chứng thư {oid}", f"configured by certificate policy {oid}"),),
                "configuration",
            )

    votes: list[tuple[Role, Msg]] = []
    subject = cert.subject_fields
    uid = (subject.get("user_id") or "").strip()
    for part in (p.strip() for p in uid.split(";") if p.strip()):
        upper = part.upper()
        if upper.startswith(PERSON_UID_PREFIXES):
            votes.append(("person", Msg(f"UID mang mã định danh cá nhân ({part})", f"UID carries a personal identifier ({part})")))
        elif upper.startswith(ORGANISATION_UID_PREFIXES):
            votes.append(("organisation", Msg(f"UID mang mã số thuế tổ chức ({part})", f"UID carries an organisation tax code ({part})")))
    title = (subject.get("title") or "").strip()
    if title:
        votes.append(("person", Msg(f"có chức danh (T={title})", f"has a title (T={title})")))
    cn = subject.get("common_name")
    org = subject.get("organization_name")
    if cn and org and _norm(cn) == _norm(org):
        votes.append(("organisation", Msg("tên chủ thể (CN) trùng tên cơ quan (O)", "subject name (CN) equals the organisation (O)")))

    kinds = {k for k, _ in votes}
    reasons = tuple(m for _, m in votes)
    if len(kinds) == 1:
        return Classification(kinds.pop(), reasons, "subject")
    if len(kinds) > 1:
        return Classification(
            "unknown",
            (Msg("các dấu hiệu mâu thuẫn nhau", "the signals contradict each other"), *reasons),
            "subject",
        )
    return Classification(
        "unknown",
        (
            Msg(
                "chứng thư không có dấu hiệu phân biệt cá nhân/cơ quan (UID, chức danh, CN=O); "
                "khai báo trong mục [classification] của tệp chính sách",
                "the certificate has no person/organisation signal (UID, title, CN=O); "
                "declare it in the policy file's [classification]",
            ),
        ),
        "none",
    )
