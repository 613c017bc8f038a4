"""Profiles: which rules apply, at which level, and which roots a path must end at.

Profiles compose: ``base`` holds the verification rules and the technical signing rules
shared by every profile; ``tt41``, ``cdcv`` and ``public`` extend it and set their own
levels. A rule a profile (and its parents) does not mention is not evaluated (IGNORE).

Why the levels are what they are (an auditor's question):

* FAIL — an explicit legal requirement on the *document* ("must" in legal-rules.md §9);
* WARN — a requirement on the *software* (messages in Vietnamese, warnings shown, data
  stored): a failure points at the tool or the host system, not at the document; and
  "should" rules (order of signatures);
* INFORM — conflicts in the law itself (TT15-06, RSASSA-PSS vs PKCS#1 v1.5) and rules of
  a neighbouring regime (NĐ 30/2020 person/agency rules under the ``public`` profile).

Effective dates are data. TT 41/2017's repeal from 15/11/2026 by TT 59/2026/TT-BKHCN is
*reported* by a single third-party source and not confirmed from an official copy
(legal-rules.md §0, §8): it is recorded as ``until_status="reported"`` and used by the
``auto`` profile only as long as the caller (or a policy file's ``[auto] tt41_until``)
does not say otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from vbsign._core.i18n import Msg
from vbsign.policy.model import Level
from vbsign.policy.roots import Hierarchy

F, W, I, X = Level.FAIL, Level.WARN, Level.INFORM, Level.IGNORE  # noqa: E741

UntilStatus = Literal["in-force", "reported", "confirmed"]

#: TT 41/2017's reported end of force (TT 59/2026/TT-BKHCN, unconfirmed)
TT41_REPORTED_REPEAL = date(2026, 11, 15)


@dataclass(frozen=True)
class Profile:
    """A named set of rule levels, with its legal basis and dates."""

    name: str
    title: Msg
    description: Msg
    extends: tuple[str, ...] = ()
    levels: Mapping[str, Level] = field(default_factory=dict)
    #: hierarchies a certification path may end at (None: inherit)
    anchor_hierarchies: frozenset[Hierarchy] | None = None
    effective_from: date | None = None
    effective_until: date | None = None
    until_status: UntilStatus = "in-force"
    status_note: Msg | None = None
    #: the ``auto`` selector (picks a concrete profile per document)
    auto: bool = False

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"invalid profile name {self.name!r}")


BASE = Profile(
    name="base",
    title=Msg("Quy tắc kiểm tra chung", "Common verification rules"),
    description=Msg(
        "Các quy tắc kiểm tra và kỹ thuật dùng chung cho mọi hồ sơ (TT 15/2025, NĐ 68/2024, LGDĐT 2023).",
        "Verification and technical rules shared by every profile (Circular 15/2025, Decree 68/2024, E-Transactions Law 2023).",
    ),
    levels={
        "VER-01": F, "VER-02": F, "VER-03": F, "VER-04": F, "VER-05": F, "VER-06": F,
        "VER-07": F, "VER-08": W, "VER-09": F, "VER-10": F,
        "ND68-01": F, "ND68-02": F,
        "TT15-01": F, "TT15-02": F, "TT15-03": F, "TT15-04": F, "TT15-05": F,
        "TT15-06": I, "TT15-07": W, "TT15-08": W, "TT15-09": W,
        # Decree 30/2020 Appendix I (appearance): "should", known through provincial texts
        "ND30-02": W, "ND30-03": W, "ND30-04": W, "ND30-05": W, "ND30-06": W, "ND30-07": W, "ND30-08": W,
        # storage, devices, the software's own duties, certificates
        "TT41-05": W, "TT15-10": W, "TT15-11": F, "TT15-12": F, "ND68-04": W, "ND23-02": I, "ND23-03": I,
        "ALL-01": W,
        # exchange (QĐ 28/2018, edXML, provincial format rule), printed copies
        "QD28-01": W, "QD28-02": W, "QD28-03": F, "EDX-01": W, "QLVB-01": I, "VER-13": I,
        "EXP-01": F, "EXP-02": F,
        # e-mail (S/MIME, RFC 8550): not applicable to other documents
        "MAIL-01": F, "MAIL-02": W,
    },
    anchor_hierarchies=frozenset({"cdcv", "national"}),
)  # fmt: skip

TT41 = Profile(
    name="tt41",
    title=Msg(
        "Thông tư 41/2017/TT-BTTTT — chữ ký số cho văn bản điện tử trong cơ quan nhà nước",
        "Circular 41/2017/TT-BTTTT — digital signatures on e-documents of state agencies",
    ),
    description=Msg(
        "Hồ sơ mặc định: TT 41/2017 (ký, kiểm tra, lưu trữ) cùng NĐ 30/2020 (chữ ký người có thẩm quyền và cơ quan) "
        "và các yêu cầu kỹ thuật hiện hành (TT 15/2025). Chấp nhận chứng thư CDCV và công cộng.",
        "The default profile: Circular 41/2017 (signing, verification, storage) with Decree 30/2020 (competent person and agency "
        "signatures) and the technical requirements in force (Circular 15/2025). Accepts CDCV and public certificates.",
    ),
    extends=("base",),
    levels={
        "TT41-01": F, "TT41-02": F, "TT41-03": F, "TT41-04": F,
        "ND23-01": W, "ND30-01": W, "VER-11": W, "VER-12": F, "ND68-03": W,
        # TT41's own annex (standards list) was not retrieved: TT15's format rules at WARN
        "TT15-04": W, "TT15-05": W,
    },
    effective_from=date(2018, 2, 5),
    effective_until=TT41_REPORTED_REPEAL,
    until_status="reported",
    status_note=Msg(
        "Theo một nguồn thứ ba chưa được xác nhận, TT 41/2017 bị bãi bỏ từ 15/11/2026 bởi TT 59/2026/TT-BKHCN. "
        "Hồ sơ vẫn được giữ; hồ sơ 'auto' dùng ngày này trừ khi cấu hình khác ([auto] tt41_until).",
        "A single, unconfirmed third-party source reports TT 41/2017 repealed from 15/11/2026 by TT 59/2026/TT-BKHCN. "
        "The profile is kept; the 'auto' profile uses that date unless configured otherwise ([auto] tt41_until).",
    ),
)  # fmt: skip

CDCV = Profile(
    name="cdcv",
    title=Msg(
        "Chữ ký số chuyên dùng công vụ — NĐ 68/2024/NĐ-CP, NĐ 30/2020/NĐ-CP",
        "Official-duty (CDCV) signatures — Decree 68/2024/ND-CP, Decree 30/2020/ND-CP",
    ),
    description=Msg(
        "Văn bản công vụ ký bằng chứng thư của Ban Cơ yếu Chính phủ: đường dẫn phải tới RootCA chuyên dùng Chính phủ (G2 hoặc G1).",
        "Official documents signed with VGCA certificates: paths must end at the government specialised root (G2 or G1).",
    ),
    extends=("base",),
    levels={
        "VER-11": F, "VER-12": F, "TT41-02": F, "ND30-01": W,
        # NĐ68 Đ29 k4: a timestamp "where the law requires one" — conditional, hence WARN
        "ND68-03": W,
    },
    anchor_hierarchies=frozenset({"cdcv"}),
    effective_from=date(2024, 8, 15),
)  # fmt: skip

PUBLIC = Profile(
    name="public",
    title=Msg(
        "Chữ ký số công cộng — NĐ 23/2025/NĐ-CP, TT 15/2025/TT-BKHCN",
        "Public digital signatures — Decree 23/2025/ND-CP, Circular 15/2025/TT-BKHCN",
    ),
    description=Msg(
        "Chữ ký bằng chứng thư của CA công cộng (VNPT, Viettel, …): đường dẫn phải tới Vietnam National Root CA (NEAC). "
        "Quy tắc cá nhân/cơ quan của NĐ 30/2020 chỉ để thông tin.",
        "Signatures with public-CA certificates (VNPT, Viettel, …): paths must end at the Vietnam National Root CA (NEAC). "
        "Decree 30/2020's person/agency rules are informational only.",
    ),
    extends=("base",),
    levels={
        "ND23-01": F, "VER-12": I, "TT41-02": I, "ND30-01": I, "ND23-02": W, "ND23-03": W,
        "ND30-02": I, "ND30-03": I, "ND30-04": I, "ND30-05": I, "ND30-06": I, "ND30-07": I, "ND30-08": I,
    },
    anchor_hierarchies=frozenset({"national"}),
    effective_from=date(2025, 4, 10),
)  # fmt: skip

AUTO = Profile(
    name="auto",
    title=Msg("Tự chọn hồ sơ theo loại văn bản và thời điểm ký", "Pick the profile by the kind of document and the signing time"),
    description=Msg(
        "Chọn theo văn bản: văn bản công vụ của cơ quan nhà nước (mặc định) → tt41 khi được ký lúc TT 41/2017 còn hiệu lực, "
        "sau đó cdcv; văn bản khác (--document-kind other, [expectations] official = false) → public. "
        "Chữ ký CA công cộng trên văn bản công vụ bị nêu ở VER-11.",
        "Follows the document: an official document of a state agency (the default) → tt41 when signed while Circular 41/2017 "
        "was in force, cdcv after it; any other document (--document-kind other, [expectations] official = false) → public. "
        "A public-CA signature on an official document is reported by VER-11.",
    ),
    extends=("base",),
    auto=True,
)

BUILTIN_PROFILES: tuple[Profile, ...] = (BASE, TT41, CDCV, PUBLIC, AUTO)
#: the concrete profiles ``auto`` chooses from
AUTO_CANDIDATES: tuple[str, ...] = ("tt41", "cdcv", "public")
DEFAULT_PROFILE = "tt41"
