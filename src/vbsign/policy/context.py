"""What a rule's check function sees: the evidence, read-only.

:class:`Evidence` bundles the verification :class:`~vbsign.report.Report`, the
:class:`~vbsign.policy.facts.DocumentFacts` (merged with the policy's expectations), the
resolved :class:`~vbsign.policy.policy.Policy` and — for signature-scope rules — the
signature being checked. Derived facts (signer classification, which anchor a chain ends
at, the expected role of a signature) are computed here once per document so that every
rule uses the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from vbsign._core.i18n import Msg
from vbsign.model.report import CertificateInfo, Report, SignatureReport
from vbsign.model.signers import ROLE_TEXT, Role
from vbsign.policy.classify import Classification, classify_signer
from vbsign.policy.facts import DocumentFacts, SigningFacts
from vbsign.policy.roots import AnchorEntry

if TYPE_CHECKING:
    from vbsign.policy.policy import Policy



def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def cert_name(ci: CertificateInfo | None) -> str:
    if ci is None:
        return "—"
    return ci.common_name or ci.subject


@dataclass
class DocumentContext:
    """Per-document derived evidence shared by all rules (computed lazily, once)."""

    report: Report
    facts: DocumentFacts
    policy: Policy
    _classes: dict[str, Classification] = field(default_factory=dict)

    @property
    def signatures(self) -> list[SignatureReport]:
        return [s for s in self.report.signatures if s.kind == "signature"]

    @property
    def document_timestamps(self) -> list[SignatureReport]:
        return [s for s in self.report.signatures if s.kind == "document-timestamp"]

    def index(self, sig: SignatureReport) -> int:
        for i, s in enumerate(self.signatures):
            if s is sig:
                return i
        raise ValueError(f"signature {sig.id} is not part of this report")

    def classification(self, sig: SignatureReport) -> Classification:
        cached = self._classes.get(sig.id)
        if cached is not None:
            return cached
        if sig.signer is None:
            cls = Classification(
                "unknown", (Msg("không có chứng thư của người ký", "no signer certificate"),), "none"
            )
        else:
            issuer = sig.chain[1].sha256_fingerprint if len(sig.chain) > 1 else None
            cls = classify_signer(
                sig.signer,
                self.policy.classification,
                issuer_sha256=issuer,
                record=self.facts.record_for(sig.signer.sha256_fingerprint),
            )
        self._classes[sig.id] = cls
        return cls

    def anchor(self, sig: SignatureReport) -> AnchorEntry | None:
        """The policy's entry for the certificate the signer's validated path ends at."""
        if not sig.chain:
            return None
        return self.policy.anchors.lookup(sig.chain[-1].sha256_fingerprint)

    def tsa_anchor(self, sig: SignatureReport) -> AnchorEntry | None:
        ts = sig.timestamp
        if ts is None or not ts.chain:
            return None
        return self.policy.anchors.lookup(ts.chain[-1].sha256_fingerprint)

    def signing_facts(self, sig: SignatureReport) -> SigningFacts | None:
        if sig.signer is None:
            return None
        return self.facts.signing_for(sig.signer.sha256_fingerprint)

    def expected_role(self, sig: SignatureReport) -> tuple[Role | None, Msg]:
        """The role this signature is expected to have, and where that expectation comes from."""
        idx = self.index(sig)
        n = len(self.signatures)
        roles = self.facts.roles
        if roles is not None:
            if idx < len(roles):
                r = roles[idx]
                return r, Msg(
                    f"theo dữ kiện văn bản / tệp chính sách: chữ ký thứ {idx + 1} là của {ROLE_TEXT[r].vi}",
                    f"from the document facts / policy file: signature #{idx + 1} is the {ROLE_TEXT[r].en}'s",
                )
            return None, Msg(
                f"dữ kiện chỉ nêu {len(roles)} chữ ký; không có kỳ vọng cho chữ ký thứ {idx + 1}",
                f"the facts name {len(roles)} signature(s); no expectation for signature #{idx + 1}",
            )
        kind = self.facts.effective_kind
        if kind in ("attachment", "copy"):
            return "organisation", Msg(
                "văn bản kèm theo / bản sao chỉ mang chữ ký số của cơ quan (NĐ 30/2020 Phụ lục I)",
                "attachments and copies carry only the agency's signature (Decree 30/2020 Annex I)",
            )
        if idx == 0:
            return "person", Msg(
                "mặc định: chữ ký đầu tiên của văn bản chính là của người có thẩm quyền (NĐ 30/2020 Đ5, Đ13)",
                "default: the first signature of a main document is the competent person's (Decree 30/2020 Art. 5, 13)",
            )
        if idx == n - 1:
            return "organisation", Msg(
                "mặc định: chữ ký cuối cùng của văn bản chính là của cơ quan (NĐ 30/2020 Đ5 k1)",
                "default: the last signature of a main document is the agency's (Decree 30/2020 Art. 5(1))",
            )
        return None, Msg(
            "không có kỳ vọng mặc định cho chữ ký ở giữa; khai báo vai trò (roles) để kiểm tra",
            "no default expectation for a middle signature; declare the roles to check it",
        )


@dataclass(frozen=True)
class Evidence:
    """The read-only input of one rule check."""

    doc: DocumentContext
    signature: SignatureReport | None = None

    @property
    def report(self) -> Report:
        return self.doc.report

    @property
    def facts(self) -> DocumentFacts:
        return self.doc.facts

    @property
    def policy(self) -> Policy:
        return self.doc.policy

    @property
    def sig(self) -> SignatureReport:
        """The signature under check (signature-scope rules only)."""
        if self.signature is None:
            raise ValueError("this rule is checked per signature")
        return self.signature
