"""Is a signer certificate a natural person's or an organisation's ("seal")?

TT 41/2017 Đ6 k2 and NĐ 30/2020 Đ5, Đ32–33 distinguish the competent person's *personal*
key from the agency's *seal* key. No standard field says which a certificate is, and the
real government certificates carry neither a title nor a UID (legal-rules.md §6.1: the G2
agency certificate ``C=VN, L=Hà Nội, O=BỘ TÀI CHÍNH, CN=CỤC THUẾ``). vbsign therefore
weighs every signal it has, in four tiers, and reports which it used:

1. **configuration** — the agency's policy file (``[classification]``): certificate
   fingerprints, certificate-policy OIDs or issuing-CA fingerprints it knows to be
   personal or organisational;
2. **record** — a subscriber recorded as a person or an organisation in the certificate
   registry, or another plugin's answer (hook ``vbsign_signer_class``; the caller looks it
   up and passes it in :attr:`DocumentFacts.signer_records
   <vbsign.policy.facts.DocumentFacts.signer_records>`, so this module stays pure);
3. **certificate attributes** — the public CAs' ``UID`` convention (``CCCD:``, ``CMND:``,
   ``HC:``, ``PID:``, ``PPID:``, ``BHXH:`` → person; ``MST:`` → organisation,
   legal-rules.md §6.2), a ``title`` (2.5.4.12) → person; key usage and basic constraints
   only *rule out* certificates that are no signer's at all (CA, OCSP, TSA) — persons and
   agencies carry the same key usage in the certificates examined;
4. **names** — the common name of a state body (``CỤC …``, ``SỞ …``, ``BỘ …``,
   ``ỦY BAN NHÂN DÂN …``, ``CHI CỤC …``, ``CÔNG TY …`` — the real G2 agency certificates
   name the unit that owns the seal) or ``CN = O`` → organisation; a Vietnamese personal
   name (a family name such as Nguyễn, Trần, Lê… followed by given names) → person.

The highest tier that has a signal decides; signals that disagree *within* that tier give
``unknown`` (never a guess presented as fact); disagreement with a lower tier is reported
next to the answer. With no signal at all the answer is ``unknown`` and the rules that need
it (VER-12, TT41-02, ND30-01, EXP-01) are INDETERMINATE with advice on how to record it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from vbsign._core.i18n import Msg
from vbsign.model.report import CertificateInfo
from vbsign.model.signers import Role, SignerRecord

SignerClass = Literal["person", "organisation", "unknown"]
#: where a classification came from (highest tier first)
Source = Literal["configuration", "record", "subject", "none"]

PERSON_UID_PREFIXES = ("CCCD:", "CMND:", "HC:", "PID:", "PPID:", "BHXH:")
ORGANISATION_UID_PREFIXES = ("MST:",)

#: first words of the names of Vietnamese bodies (state bodies, party and mass organisations,
#: public service units, enterprises) — compared case- and accent-insensitively
BODY_NAME_PREFIXES: tuple[str, ...] = (
    "bộ", "bo", "sở", "so", "cục", "cuc", "tổng cục", "tong cuc", "chi cục", "chi cuc", "vụ",
    "ủy ban", "uỷ ban", "uy ban", "ubnd", "hđnd", "hội đồng", "văn phòng", "van phong",
    "trung tâm", "trung tam", "ban", "viện", "vien", "học viện", "trường",
    "đại học", "dai hoc", "bệnh viện", "benh vien", "phòng", "phong", "kho bạc", "kho bac",
    "công an", "cong an", "tòa án", "toà án", "toa an", "thanh tra", "tỉnh ủy", "tỉnh uỷ",
    "thành ủy", "thành uỷ", "huyện ủy", "huyện uỷ", "quận ủy", "quận uỷ", "đảng ủy", "đảng uỷ",
    "mặt trận", "liên đoàn", "liên minh", "hội", "quỹ", "đài", "báo", "nhà xuất bản",
    "công ty", "cong ty", "tập đoàn", "tap doan", "tổng công ty", "ngân hàng", "ngan hang",
    "chi nhánh", "chi nhanh", "doanh nghiệp", "hợp tác xã", "hop tac xa", "bảo hiểm xã hội",
    "bảo hiểm", "cảng vụ", "cơ quan", "co quan", "tổ chức", "chính phủ", "quốc hội",
    "ủy ban nhân dân", "xã", "phường", "thị trấn", "huyện", "quận", "tỉnh", "thành phố",
    "ministry", "department", "agency", "office", "company", "bank", "university",
)  # fmt: skip
#: the commonest Vietnamese family names (with and without diacritics)
FAMILY_NAMES: frozenset[str] = frozenset(
    ["nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "hồ", "ngô", "dương", "lý", "đinh", "đoàn", "trương", "lâm", "mai", "trịnh", "đào", "cao", "hà", "lương", "tạ", "tô", "châu", "quách", "thái", "kiều", "lưu", "tăng", "vương", "la", "phùng", "khổng", "hứa", "âu", "triệu", "doãn", "từ", "chu", "chử", "đồng", "giang", "hàn", "hầu", "kim", "lạc", "lò", "mạc", "nông", "ông", "quan", "tôn", "thân", "thạch", "tống", "trà", "viên", "vi", "yên", "bạch", "biện", "cù", "diệp", "khúc", "khương", "nghiêm", "nhâm", "ninh", "phí", "phương", "tiêu", "ứng", "lục", "mẫn", "mã", "lã", "lại"]
)
_PAREN = re.compile(r"\([^)]*\)")
_LETTERS = re.compile(r"^[^\W\d_]+$")
#: extended key usages that make a certificate a service's, not a signer's
SERVICE_EKUS = frozenset({"time_stamping", "ocsp_signing", "code_signing"})


@dataclass(frozen=True)
class ClassificationConfig:
    """Explicit knowledge from configuration: fingerprint, policy OID or issuing CA → role."""

    by_fingerprint: Mapping[str, Role] = field(default_factory=dict)
    by_policy_oid: Mapping[str, Role] = field(default_factory=dict)
    #: SHA-256 fingerprint of an issuing CA certificate → the role of every subscriber it issues
    by_issuer: Mapping[str, Role] = field(default_factory=dict)


@dataclass(frozen=True)
class Classification:
    """The class of a signer certificate and the signals behind it."""

    kind: SignerClass
    reasons: tuple[Msg, ...]
    source: Source

    @property
    def known(self) -> bool:
        return self.kind != "unknown"

    def explain(self, lang: str | None = None) -> str:
        return "; ".join(r.get(lang) for r in self.reasons)  # type: ignore[arg-type]


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def names_a_body(name: str) -> bool:
    """Whether ``name`` starts like the name of a body (``CỤC THUẾ``, ``Sở …``, ``UBND …``)."""
    text = _norm(_PAREN.sub(" ", name))
    return any(text == p or text.startswith(p + " ") for p in BODY_NAME_PREFIXES)


def is_personal_name(name: str) -> bool:
    """Whether ``name`` reads as a Vietnamese personal name: 2–6 words of letters only, the
    first a common family name, and not the name of a body. A parenthesised remark such as
    ``(TEST)`` is ignored."""
    text = _norm(_PAREN.sub(" ", name))
    words = text.split()
    if not 2 <= len(words) <= 6 or names_a_body(text):
        return False
    if not all(_LETTERS.match(w) for w in words):
        return False
    return words[0] in FAMILY_NAMES or _unaccented(words[0]) in _FAMILY_UNACCENTED


#: family names as written without diacritics (legacy G1 certificates: "Nguyen Van A")
_FAMILY_UNACCENTED = frozenset(_unaccented(f) for f in FAMILY_NAMES)
_Vote = tuple[Role, Msg]


def _configured(cert: CertificateInfo, config: ClassificationConfig, issuer_sha256: str | None) -> list[_Vote]:
    votes: list[_Vote] = []
    role = config.by_fingerprint.get(cert.sha256_fingerprint.upper())
    if role is not None:
        votes.append((role, Msg("tệp chính sách khai báo theo dấu vân tay chứng thư", "declared in the policy file by certificate fingerprint")))
    for oid in cert.policies:
        if oid in config.by_policy_oid:
            votes.append((config.by_policy_oid[oid], Msg(f"tệp chính sách khai báo theo chính sách chứng thư {oid}", f"declared in the policy file by certificate policy {oid}")))
    if issuer_sha256 is not None and issuer_sha256.upper() in config.by_issuer:
        votes.append((config.by_issuer[issuer_sha256.upper()], Msg("tệp chính sách khai báo theo CA cấp chứng thư", "declared in the policy file by the issuing CA")))
    return votes


def _recorded(record: SignerRecord | None) -> list[tuple[SignerClass, Msg]]:
    if record is None:
        return []
    detail = f" — {record.detail.vi}" if record.detail else ""
    detail_en = f" — {record.detail.en}" if record.detail else ""
    return [(record.kind, Msg(f"ghi nhận trong {record.source}{detail}", f"recorded in {record.source}{detail_en}"))]


def _attributes(cert: CertificateInfo) -> list[_Vote]:
    votes: list[_Vote] = []
    uid = (cert.subject_fields.get("user_id") or "").strip()
    for part in (p.strip() for p in uid.split(";") if p.strip()):
        upper = part.upper()
        if upper.startswith(PERSON_UID_PREFIXES):
            votes.append(("person", Msg(f"UID mang mã định danh cá nhân ({part})", f"UID carries a personal identifier ({part})")))
        elif upper.startswith(ORGANISATION_UID_PREFIXES):
            votes.append(("organisation", Msg(f"UID mang mã số thuế tổ chức ({part})", f"UID carries an organisation tax code ({part})")))
    title = (cert.subject_fields.get("title") or "").strip()
    if title:
        votes.append(("person", Msg(f"có chức danh (T={title})", f"has a title (T={title})")))
    return votes


def _names(cert: CertificateInfo) -> list[_Vote]:
    votes: list[_Vote] = []
    cn = (cert.subject_fields.get("common_name") or "").strip()
    org = (cert.subject_fields.get("organization_name") or "").strip()
    if not cn:
        return votes
    if org and _norm(cn) == _norm(org):
        votes.append(("organisation", Msg("tên chủ thể (CN) trùng tên cơ quan (O)", "subject name (CN) equals the organisation (O)")))
    elif names_a_body(cn):
        votes.append(("organisation", Msg(f"tên chủ thể là tên một cơ quan, tổ chức (CN={cn})", f"the subject name is a body's (CN={cn})")))
    if is_personal_name(cn):
        votes.append(("person", Msg(f"tên chủ thể là họ tên một người (CN={cn})", f"the subject name is a person's (CN={cn})")))
    return votes


def _not_a_signer(cert: CertificateInfo) -> Msg | None:
    """Key usage / basic constraints of a CA or a service, which no person or agency signs with."""
    if cert.is_ca or {"key_cert_sign", "crl_sign"} & set(cert.key_usage):
        return Msg("là chứng thư của CA, không phải của cá nhân hay cơ quan", "is a CA certificate, neither a person's nor an agency's")
    service = SERVICE_EKUS & set(cert.extended_key_usage)
    if service:
        return Msg(
            f"mục đích sử dụng mở rộng ({', '.join(sorted(service))}) là của một dịch vụ, không phải cá nhân hay cơ quan",
            f"its extended key usage ({', '.join(sorted(service))}) is a service's, neither a person's nor an agency's",
        )
    return None


def advice(cert: CertificateInfo | None) -> Msg:
    """How to tell vbsign what a certificate is (shown with every ``unknown``)."""
    fp = cert.sha256_fingerprint if cert is not None else "…"
    return Msg(
        f"Khai báo chứng thư trong mục [classification] của tệp chính sách (person hoặc organisation = [\"{fp}\"]) "
        "hoặc ghi thuê bao (cá nhân / cơ quan) và chứng thư vào sổ đăng ký chứng thư (vbsign registry).",
        f"Declare the certificate in the policy file's [classification] (person or organisation = [\"{fp}\"]) "
        "or record the subscriber (person / organisation) and the certificate in the certificate registry (vbsign registry).",
    )


def classify_signer(
    cert: CertificateInfo,
    config: ClassificationConfig | None = None,
    *,
    issuer_sha256: str | None = None,
    record: SignerRecord | None = None,
) -> Classification:
    """Classify a signer certificate (a pure function of its arguments).

    ``issuer_sha256`` is the fingerprint of the issuing CA certificate (from the validated
    path), ``record`` what the registry or a plugin recorded about the certificate.
    """
    config = config or ClassificationConfig()
    excluded = _not_a_signer(cert)
    if excluded is not None:
        return Classification("unknown", (excluded,), "subject")
    tiers: list[tuple[Source, list[tuple[SignerClass, Msg]]]] = [
        ("configuration", list(_configured(cert, config, issuer_sha256))),
        ("record", _recorded(record)),
        # the subject's attributes and names: any disagreement among them is "unknown"
        ("subject", [*_attributes(cert), *_names(cert)]),
    ]
    for i, (source, votes) in enumerate(tiers):
        if not votes:
            continue
        kinds = {k for k, _ in votes}
        reasons = tuple(m for _, m in votes)
        if len(kinds) > 1 or "unknown" in kinds:
            return Classification(
                "unknown", (Msg("các dấu hiệu mâu thuẫn nhau", "the signals contradict each other"), *reasons), source
            )
        kind = kinds.pop()
        others = [m for j, (_, v) in enumerate(tiers) if j != i for k, m in v if k not in (kind, "unknown")]
        if others:
            reasons += (
                Msg(
                    "dấu hiệu khác, không được dùng: " + "; ".join(m.vi for m in others),
                    "other signals, not used: " + "; ".join(m.en for m in others),
                ),
            )
        return Classification(kind, reasons, source)
    return Classification(
        "unknown",
        (
            Msg(
                "chứng thư không có dấu hiệu phân biệt cá nhân/cơ quan (UID, chức danh, tên cơ quan hay họ tên người)",
                "the certificate has no person/organisation signal (UID, title, a body's or a person's name)",
            ),
        ),
        "none",
    )
