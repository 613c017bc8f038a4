"""Official Vietnamese CA certificates, as data: SHA-256 fingerprints, not certificate files.

Two hierarchies matter (``legal-rules.md`` §0, §6):

* ``cdcv`` — chữ ký số chuyên dùng công vụ / government specialised: the VGCA roots of Ban
  Cơ yếu Chính phủ (G2 since 2018; the older G1 "RootCA" of 2010, SHA-1) and their CAs;
* ``national`` — Trung tâm Chứng thực điện tử quốc gia (NEAC): the "Vietnam National Root
  CA" (2014) and, before it, the "MIC National Root CA" (2008, SHA-1), with the public CAs
  (VNPT, Viettel, FPT, BKAV…) under them.

The fingerprints were computed from the copies in the shared corpus
(``../shared/corpus/vn-ca-certs/``, taken from public repositories at fixed commits) and
checked against ``legal-rules.md`` §6.3; ``tests/policy`` recomputes them from the files.
They are copies found in public repositories, not downloads from ca.gov.vn /
rootca.gov.vn: confirm them against the official publication points before production
use. vbsign ships no certificate files: an operator installs the roots with
``vbsign trust add`` and vbsign recognises them by fingerprint.

The test PKI's roots are **not** here: they are recognised only when a policy file (or
the caller) lists their fingerprints, and then as *configured*, never as official.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from vbsign._core.i18n import Msg

#: which legal hierarchy a CA belongs to
Hierarchy = Literal["cdcv", "national"]
HIERARCHIES: tuple[Hierarchy, ...] = ("cdcv", "national")
CaRole = Literal["root", "intermediate"]

HIERARCHY_TEXT: dict[str, Msg] = {
    "cdcv": Msg("chuyên dùng Chính phủ (CDCV, Ban Cơ yếu Chính phủ)", "government specialised (CDCV, VGCA)"),
    "national": Msg("quốc gia / công cộng (NEAC)", "national / public (NEAC)"),
}

#: certificate policy OIDs seen on official certificates (legal-rules.md §6.1, §6.3)
KNOWN_POLICY_OIDS: dict[str, Msg] = {
    "2.16.704.1.1.1.1.1": Msg(
        "Chính sách chứng thư của Ban Cơ yếu Chính phủ (VGCA)", "Certificate policy of the VGCA"
    ),
}


@dataclass(frozen=True)
class KnownCA:
    """One official CA certificate, identified by its SHA-256 fingerprint."""

    sha256: str
    name: str
    role: CaRole
    hierarchy: Hierarchy
    #: "G2", "G1" (VGCA generations) or "current", "legacy" (NEAC roots)
    generation: str
    not_before: date
    not_after: date
    #: hash of the certificate's own signature ("sha256", "sha1")
    signature_hash: str
    key: str
    #: fingerprint of the issuing CA (None for a root)
    issuer_sha256: str | None
    #: where the copy used to compute the fingerprint came from
    source: str

    def expired_at(self, when: date | datetime) -> bool:
        day = when.date() if isinstance(when, datetime) else when
        return day > self.not_after


_E = "nguyentvtk/eSign.Files@dd3c0b29847488d7fe4711122d9554c104b6919d:server/trust/"
_T = "tttk6102tt/vgca@a7aa8cd1903a7d9c92b804775aaa0a1835fabe48:Sign/Resources/cer/"

VGCA_G2_ROOT = "F04BA4B459A7C9A1B971AD9B1CB833E695A80C79AEA63B174B66A70EDFE2FDB8"
VGCA_G1_ROOT = "F7BC89054CEC7F12730D7B8CD3EB7955B163835087E5EB873EDFB584763B3F90"
NEAC_ROOT = "BAC8BF609AB420A8EE1780D74F4DE5C7F7184959D2A7375B0A75E4C29F0908E7"
MIC_ROOT = "CA918D635BB130BEC97639E6AABF7EDBC4EB1310F8058B9419F467AE0230AD8C"
VGCA_G1_GOV_CA = "75E969C07BA35C29C72BBC1BFB880F20F3891A619B00B77EB02CA6160736A1FE"


def _ca(
    sha256: str,
    name: str,
    role: CaRole,
    hierarchy: Hierarchy,
    generation: str,
    valid: tuple[str, str],
    signature_hash: str,
    key: str,
    issuer: str | None,
    source: str,
) -> KnownCA:
    return KnownCA(
        sha256,
        name,
        role,
        hierarchy,
        generation,
        date.fromisoformat(valid[0]),
        date.fromisoformat(valid[1]),
        signature_hash,
        key,
        issuer,
        source,
    )


#: every official CA certificate vbsign recognises (legal-rules.md §6.3)
KNOWN_CAS: tuple[KnownCA, ...] = (
    # ---- government specialised (CDCV), generation 2 -------------------------------------
    _ca(VGCA_G2_ROOT, "RootCA chuyên dùng Chính phủ G2", "root", "cdcv", "G2",
        ("2018-08-22", "2048-08-14"), "sha256", "RSA-4096", None, _E + "vgca/rootcag2.crt"),
    _ca("D8CAB7A4AEF92E6BB2509D7C61CEE7B44F3731B2D21074963530277B366FAE4B",
        "CA phục vụ các cơ quan Nhà nước G2", "intermediate", "cdcv", "G2",
        ("2018-08-22", "2048-08-14"), "sha256", "RSA-4096", VGCA_G2_ROOT, _E + "vgca/cpcag2.crt"),
    # ---- government specialised (CDCV), generation 1 (SHA-1) ----------------------------
    _ca(VGCA_G1_ROOT, "Co quan chung thuc so chuyen dung Chinh phu (RootCA)", "root", "cdcv", "G1",
        ("2010-03-10", "2030-03-05"), "sha1", "RSA-2048", None, _T + "VGCA_ROOTCA_BIN.cer"),
    _ca(VGCA_G1_GOV_CA, "Co quan chung thuc so Chinh phu", "intermediate", "cdcv", "G1",
        ("2010-03-25", "2030-03-04"), "sha1", "RSA-2048", VGCA_G1_ROOT, _T + "CP_BIN.cer"),
    _ca("A262CFA489DBBE666F8B89FAB832547809874D5A06FA9F7A38FC227EBDF40514",
        "Co quan chung thuc so Bo Tai chinh", "intermediate", "cdcv", "G1",
        ("2010-03-10", "2030-03-04"), "sha1", "RSA-2048", VGCA_G1_ROOT, _T + "BTC_BIN.cer"),
    _ca("ECBF8428266C549EB1BFDC2715270D5B9DFF3BBBE2D3F0C33E0FD91F70B2D943",
        "Co quan chung thuc so Bo Cong an", "intermediate", "cdcv", "G1",
        ("2010-04-15", "2030-03-04"), "sha1", "RSA-2048", VGCA_G1_ROOT, _T + "BCA_BIN.cer"),
    _ca("3C4281296F92D292CC952295FE41AD7D0B37438FF1D143B56C4642CC1B14BD93",
        "Cơ quan chứng thực số Bộ Ngoại giao", "intermediate", "cdcv", "G1",
        ("2016-04-07", "2029-12-15"), "sha1", "RSA-4096", VGCA_G1_ROOT, _T + "BNG_BIN.cer"),
    _ca("6E218B3EBC2F31B0D03205C64FD7E8920FB47187D37AFCDB4CB2BB4178BF4635",
        "Co quan chung thuc so Dang Cong san", "intermediate", "cdcv", "G1",
        ("2010-11-08", "2030-02-26"), "sha1", "RSA-2048", VGCA_G1_ROOT, _T + "DCS_BIN.cer"),
    # ---- national (NEAC) -------------------------------------------------------------------
    _ca(NEAC_ROOT, "Vietnam National Root CA", "root", "national", "current",
        ("2014-04-15", "2039-04-15"), "sha256", "RSA-4096", None, _E + "national/vnrca256.crt"),
    _ca("7D6BA5245317F9ED5D8BC765A4634D26AC6340D36B9F584DF3B52D9C4A81A306",
        "VNPT-CA SHA2", "intermediate", "national", "current",
        ("2024-08-30", "2029-08-30"), "sha256", "RSA-4096", NEAC_ROOT, _E + "vnpt/vnpt-ca-sha2.crt"),
    # ---- national, legacy root of the Ministry of Information and Communications (SHA-1) --
    _ca(MIC_ROOT, "MIC National Root CA", "root", "national", "legacy",
        ("2008-05-16", "2040-05-16"), "sha1", "RSA-2048", None, _T + "MIC_BIN.cer"),
    _ca("068927B4C1A38AE4DB1E8F59A71A8C643D9DFBB53A674862387BD5AA7386247B",
        "VNPT Certification Authority", "intermediate", "national", "legacy",
        ("2009-12-16", "2019-12-16"), "sha1", "RSA-4096", MIC_ROOT, _T + "VNPTCA_BIN.cer"),
    _ca("684CAF190176D13158808EF193B2D20575399A87FD9E8C5BEDC09065A184841A",
        "Viettel-CA", "intermediate", "national", "legacy",
        ("2015-10-02", "2020-10-02"), "sha1", "RSA-2048", MIC_ROOT, _T + "VIETTELCA_BIN.cer"),
    _ca("DDAB3AA11600215C08CA4CCBC18BE5204C171A48081A6CD73A95AA868E1258AF",
        "BkavCA", "intermediate", "national", "legacy",
        ("2015-05-15", "2020-05-15"), "sha1", "RSA-2048", MIC_ROOT, _T + "BKAVCA_BIN.cer"),
    _ca("406BA8BE66EAD6D01672F1E137CC35A778E2F289EDD3F9E7580964190B83C761",
        "FPT Certification Authority", "intermediate", "national", "legacy",
        ("2015-10-21", "2020-10-21"), "sha1", "RSA-2048", MIC_ROOT, _T + "FPTCA_BIN.cer"),
    _ca("22A088DEDD18B017409157CCDCE931236492DF259459E7FAC424574DD06380E2",
        "CA2", "intermediate", "national", "legacy",
        ("2015-09-24", "2020-09-24"), "sha1", "RSA-2048", MIC_ROOT, _T + "CA2_BIN.cer"),
    _ca("591E6796472780FCF98D2E6797C8249457726DEE54A264307D9B51193CDBD5FD",
        "SmartSign", "intermediate", "national", "legacy",
        ("2017-07-24", "2022-07-24"), "sha1", "RSA-2048", MIC_ROOT, _T + "SMARTSIGN_BIN.cer"),
    _ca("4E66E0073C9C217DBFA80697B0096FA61D71C1F32B29A12C2E2C37C0CAC35881",
        "SAFE-CA", "intermediate", "national", "legacy",
        ("2017-09-22", "2022-09-22"), "sha1", "RSA-2048", MIC_ROOT, _T + "SafeCA_BIN.cer"),
    _ca("27AB09408347EE182186D2A21E82FEDA0A4E0F84441525BA1DE74A7E87401EBA",
        "NEWTEL-CA", "intermediate", "national", "legacy",
        ("2013-11-22", "2018-11-22"), "sha1", "RSA-2048", MIC_ROOT, _T + "NEWTELCA_BIN.cer"),
)  # fmt: skip

_BY_FP: dict[str, KnownCA] = {c.sha256: c for c in KNOWN_CAS}


def normalise_fingerprint(value: str) -> str:
    """``"f0:4b:…"`` / ``"F04B…"`` → 64 upper-case hex digits; ValueError otherwise."""
    fp = value.replace(":", "").replace(" ", "").strip().upper()
    if len(fp) != 64 or any(ch not in "0123456789ABCDEF" for ch in fp):
        raise ValueError(f"not a SHA-256 fingerprint (64 hex digits): {value!r}")
    return fp


def known_ca(fingerprint: str) -> KnownCA | None:
    """The official CA with this SHA-256 fingerprint, if any."""
    try:
        return _BY_FP.get(normalise_fingerprint(fingerprint))
    except ValueError:
        return None


def official_roots(hierarchy: Hierarchy | None = None) -> list[KnownCA]:
    return [c for c in KNOWN_CAS if c.role == "root" and (hierarchy is None or c.hierarchy == hierarchy)]


@dataclass(frozen=True)
class AnchorEntry:
    """A certificate a policy accepts as the end of a certification path."""

    sha256: str
    name: str
    hierarchy: Hierarchy
    role: CaRole
    #: True for the official roots/CAs above; False for ones configured by a policy file
    official: bool
    #: "built-in" or where the configuration came from (policy file path)
    source: str = "built-in"
    generation: str | None = None


@dataclass(frozen=True)
class AnchorBook:
    """Official anchors plus those configured by a policy (e.g. the test PKI's roots)."""

    configured: Mapping[str, AnchorEntry] = field(default_factory=dict)

    def lookup(self, fingerprint: str) -> AnchorEntry | None:
        try:
            fp = normalise_fingerprint(fingerprint)
        except ValueError:
            return None
        ca = _BY_FP.get(fp)
        if ca is not None:
            return AnchorEntry(ca.sha256, ca.name, ca.hierarchy, ca.role, True, "built-in", ca.generation)
        return self.configured.get(fp)

    def with_configured(
        self, hierarchy: Hierarchy, fingerprints: Iterable[str], *, source: str, names: Mapping[str, str] | None = None
    ) -> AnchorBook:
        extra = dict(self.configured)
        for raw in fingerprints:
            fp = normalise_fingerprint(raw)
            if fp in _BY_FP:
                continue  # already official; configuration cannot re-classify it
            name = (names or {}).get(fp) or f"{hierarchy} anchor {fp[:16]}…"
            extra[fp] = AnchorEntry(fp, name, hierarchy, "root", False, source)
        return AnchorBook(extra)


@dataclass(frozen=True)
class CaClassification:
    """How vbsign classifies a CA (or other) certificate, for ``vbsign trust`` and reports."""

    fingerprint: str
    known: KnownCA | None
    is_ca: bool
    self_signed: bool
    expired: bool
    sha1_signed: bool
    message: Msg


def classify_certificate(
    fingerprint: str,
    *,
    is_ca: bool,
    self_signed: bool,
    not_after: datetime,
    signature_hash: str | None,
    at: datetime,
    subject: str = "",
) -> CaClassification:
    """Classify one certificate by fingerprint (pure: the caller parsed the certificate)."""
    fp = normalise_fingerprint(fingerprint)
    known = _BY_FP.get(fp)
    expired = at > not_after
    sha1 = (signature_hash or "").lower() in ("sha1", "md5")
    if known is not None:
        h = HIERARCHY_TEXT[known.hierarchy]
        kind = (
            Msg("chứng thư gốc", "root certificate")
            if known.role == "root"
            else Msg("CA trung gian", "intermediate CA")
        )
        msg = Msg(
            f"{known.name}: {kind.vi} chính thức, hệ thống {h.vi}, thế hệ {known.generation}",
            f"{known.name}: official {kind.en}, {h.en} hierarchy, generation {known.generation}",
        )
    else:
        msg = Msg(
            f"{subject or fp[:16]}: không phải chứng thư CA chính thức mà vbsign nhận biết (theo dấu vân tay SHA-256)",
            f"{subject or fp[:16]}: not an official CA certificate known to vbsign (by SHA-256 fingerprint)",
        )
    notes: list[Msg] = []
    if expired:
        notes.append(Msg(f"ĐÃ HẾT HẠN ngày {not_after:%d/%m/%Y}", f"EXPIRED on {not_after:%Y-%m-%d}"))
    if sha1 and not self_signed:
        notes.append(Msg("ký bằng SHA-1 (không còn an toàn)", "signed with SHA-1 (no longer secure)"))
    if notes:
        msg = Msg(msg.vi + "; " + "; ".join(n.vi for n in notes), msg.en + "; " + "; ".join(n.en for n in notes))
    return CaClassification(fp, known, is_ca, self_signed, expired, sha1, msg)
