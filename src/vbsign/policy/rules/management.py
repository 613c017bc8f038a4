"""Certificates, key devices and the software's own duties (legal-rules.md §9 C–D).

* TT15-10 key storage: from what the signing software reports (a key file, a token and the
  validations its PKCS#11 module reports, devices the agency lists in its policy file);
* TT15-11 network connections: the TLS floor of vbsign's own HTTP clients (:mod:`vbsign.pki.net`);
* TT15-12 CA certificates installed for the check;
* ND68-04 / ND23-03 certificate validity periods; ND23-02 title and agency of an authorised
  person (public CAs);
* ALL-01 long-term preservation: validation data and an archive timestamp before the
  evidence expires.
"""

from __future__ import annotations

import re
import ssl
from datetime import date, timedelta
from typing import Any

from vbsign._core.algorithms import minimum_tls_version
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import vn_time
from vbsign.model.report import CertificateInfo
from vbsign.policy.context import Evidence, cert_name, iso
from vbsign.policy.model import (
    Citation,
    Outcome,
    Rule,
    failed,
    indeterminate,
    not_applicable,
    passed,
)

#: NĐ 68/2024 took effect on 15/08/2024; older CDCV certificates (G1: 10 years) predate Đ9
ND68_IN_FORCE = date(2024, 8, 15)
#: preserve before the evidence expires: re-timestamp when less than this is left
ARCHIVE_MARGIN = timedelta(days=180)
_LEVEL = re.compile(r"level\s*(\d)", re.I)


def _years(ci: CertificateInfo) -> float:
    return (ci.not_after - ci.not_before).days / 365.2425


# ---- TT15-10 --------------------------------------------------------------------------------
def _configured_level(ev: Evidence, description: str) -> tuple[int | None, str | None]:
    """The FIPS level the agency's policy file records for this device (``[key_devices]``)."""
    for needle, statement in ev.policy.settings.key_devices.items():
        if needle.casefold() in description.casefold():
            m = _LEVEL.search(statement)
            return (int(m.group(1)) if m else None), statement
    return None, None


def check_tt15_10(ev: Evidence) -> Outcome:
    sig = ev.sig
    sf = ev.doc.signing_facts(sig)
    if sf is None or sf.key_storage is None:
        return not_applicable(
            Msg(
                "Không kiểm chứng được từ tệp nơi lưu khóa bí mật; truyền SigningFacts (từ SignResult).",
                "Where the private key was kept is not provable from the file; pass SigningFacts (from a SignResult).",
            )
        )
    ks = sf.key_storage
    level, source = ks.fips_level, ("module" if ks.fips_level is not None else None)
    if level is None:
        level, stated = _configured_level(ev, ks.description)
        source = f"policy: {stated}" if stated else None
    facts: dict[str, Any] = {"kind": ks.kind, "device": ks.description, "validations": list(ks.validations), "fips_level": level, "level_source": source}
    if ks.kind == "software":
        return failed(
            Msg(
                "Khóa bí mật nằm trong tệp (PKCS#12/PEM), không trong token/thẻ thông minh đạt FIPS 140-2/3 mức 2 trở lên.",
                "The private key is in a file (PKCS#12/PEM), not in a token / smart card validated FIPS 140-2/3 level 2 or higher.",
            ),
            **facts,
        )
    need = 3 if ks.kind == "hsm" else 2
    if level is None:
        return indeterminate(
            Msg(
                f"Thiết bị {ks.description or ks.kind} không báo chứng nhận FIPS 140 (đối tượng CKO_VALIDATION); "
                f"ghi mức chứng nhận của thiết bị trong mục [key_devices] của tệp chính sách (cần mức ≥ {need}).",
                f"The device {ks.description or ks.kind} reports no FIPS 140 validation (CKO_VALIDATION objects); "
                f"record its validation in the policy file's [key_devices] (level ≥ {need} required).",
            ),
            **facts,
        )
    if level < need:
        return failed(Msg(f"Thiết bị lưu khóa đạt FIPS 140 mức {level}, cần mức ≥ {need}.", f"The key device is validated FIPS 140 level {level}; level ≥ {need} is required."), **facts)
    return passed(Msg(f"Khóa bí mật trong thiết bị đạt FIPS 140 mức {level} ({ks.description}).", f"The private key is in a device validated FIPS 140 level {level} ({ks.description})."), **facts)


TT15_10 = Rule(
    id="TT15-10",
    requirement=Msg(
        "Khóa bí mật lưu trong token/thẻ thông minh đạt FIPS 140-2/140-3 mức 2 trở lên, hoặc HSM mức 3 trở lên (hoặc EN 419221-5).",
        "The private key is kept in a token / smart card validated FIPS 140-2/3 level ≥ 2, or an HSM level ≥ 3 (or EN 419221-5).",
    ),
    citations=(Citation("TT15", extra=Msg("Phụ lục I mục 1.8, 1.9", "Annex I items 1.8, 1.9")),),
    check=check_tt15_10,
    how=Msg(
        "Nơi lưu khóa do phần mềm ký báo (tệp / token); mức FIPS do mô-đun PKCS#11 báo (CKO_VALIDATION) hoặc do tệp chính sách ghi ([key_devices]).",
        "Key storage reported by the signing software (file / token); the FIPS level reported by the PKCS#11 module (CKO_VALIDATION) or recorded in the policy file ([key_devices]).",
    ),
    phase="signing",
    strength="should",
    direction="outgoing",
)


# ---- TT15-11 --------------------------------------------------------------------------------
#: TT 15/2025 Annex I item 2.3 (RFC 5246): the law's floor, against vbsign's setting
REQUIRED_TLS = ssl.TLSVersion.TLSv1_2


def check_tt15_11(ev: Evidence) -> Outcome:
    floor = minimum_tls_version()
    urls = sorted({u for s in ev.doc.signatures if s.signer for u in (*s.signer.ocsp_urls, *s.signer.crl_urls)})
    facts: dict[str, Any] = {"minimum_tls": floor.name, "required": REQUIRED_TLS.name, "online": ev.report.online, "service_urls": urls}
    if floor < REQUIRED_TLS:
        return failed(Msg(f"Phần mềm chấp nhận kết nối {floor.name} (cần TLS ≥ 1.2).", f"The software accepts {floor.name} connections (TLS ≥ 1.2 required)."), **facts)
    return passed(
        Msg(
            "Mọi yêu cầu HTTPS của vbsign (OCSP, CRL, tải chứng thư, dấu thời gian) dùng TLS ≥ 1.2 qua HTTP/1.1; văn bản tiếng Việt mã hóa UTF-8.",
            "Every HTTPS request vbsign makes (OCSP, CRL, certificate fetches, timestamps) uses TLS ≥ 1.2 over HTTP/1.1; Vietnamese text is UTF-8.",
        ),
        **facts,
    )


TT15_11 = Rule(
    id="TT15-11",
    requirement=Msg(
        "Kết nối mạng (OCSP, CRL, dấu thời gian, cổng kết nối) qua HTTP/1.1 và TLS từ 1.2; văn bản tiếng Việt theo TCVN 6909:2001 (UTF-8).",
        "Network connections (OCSP, CRL, timestamps, gateway) over HTTP/1.1 and TLS ≥ 1.2; Vietnamese text per TCVN 6909:2001 (UTF-8).",
    ),
    citations=(Citation("TT15", extra=Msg("Phụ lục I mục 2.1–2.3", "Annex I items 2.1–2.3")),),
    check=check_tt15_11,
    how=Msg("Phiên bản TLS tối thiểu của các kết nối HTTPS mà vbsign tạo (vbsign.pki.net).", "The minimum TLS version of the HTTPS connections vbsign makes (vbsign.pki.net)."),
    phase="verification",
    scope="document",
)


# ---- TT15-12 --------------------------------------------------------------------------------
def check_tt15_12(ev: Evidence) -> Outcome:
    anchors = ev.report.trust_anchors
    known = [e for e in (ev.policy.anchors.lookup(fp) for fp in anchors) if e is not None]
    facts: dict[str, Any] = {"installed": len(anchors), "recognised": [e.name for e in known]}
    if not anchors:
        return failed(
            Msg(
                "Chưa cài đặt chứng thư gốc nào để kiểm tra (vbsign trust add …): không kiểm tra được đường dẫn tin cậy.",
                "No CA certificate is installed for the check (vbsign trust add …): trust paths cannot be checked.",
            ),
            **facts,
        )
    return passed(
        Msg(f"Đã cài đặt {len(anchors)} chứng thư gốc ({len(known)} được chính sách công nhận); cập nhật bằng vbsign trust add/remove.", f"{len(anchors)} CA certificates installed ({len(known)} recognised by the policy); updated with vbsign trust add/remove."),
        **facts,
    )


TT15_12 = Rule(
    id="TT15-12",
    requirement=Msg(
        "Hỗ trợ cài đặt, cập nhật chứng thư của tổ chức cung cấp dịch vụ (NEAC, CA công cộng, danh sách tin cậy nước ngoài; CDCV: gốc của Ban Cơ yếu).",
        "Support installing and updating CA certificates (NEAC, public CAs, foreign trusted list; CDCV: the VGCA root).",
    ),
    citations=(Citation("TT15", "5", "1", "đ"), Citation("TT15", "6", "1", "e"), Citation("TT41", "12", "5", secondary=True)),
    check=check_tt15_12,
    how=Msg("Báo cáo liệt kê các chứng thư gốc đã cài đặt; chính sách nhận biết gốc chính thức.", "The report lists the installed anchors; the policy recognises the official roots."),
    phase="verification",
    scope="document",
)


# ---- ND68-04 / ND23-03: validity periods ------------------------------------------------------
def _hierarchy(ev: Evidence, sig: Any) -> str | None:
    entry = ev.doc.anchor(sig)
    return entry.hierarchy if entry else None


def check_nd68_04(ev: Evidence) -> Outcome:
    sig = ev.sig
    s = sig.signer
    if s is None or _hierarchy(ev, sig) != "cdcv":
        return not_applicable(Msg("Không phải chứng thư chuyên dùng công vụ.", "Not an official-duty (CDCV) certificate."))
    years = _years(s)
    facts: dict[str, Any] = {"not_before": iso(s.not_before), "not_after": iso(s.not_after), "years": round(years, 2)}
    if s.not_before.date() < ND68_IN_FORCE:
        return passed(Msg(f"Chứng thư cấp trước NĐ 68/2024 ({years:.1f} năm; quy định cũ).", f"Issued before Decree 68/2024 ({years:.1f} years; earlier rules)."), legacy=True, **facts)
    if years > 5 + 1 / 365:
        return failed(Msg(f"Chứng thư của thuê bao có hiệu lực {years:.1f} năm, quá 05 năm.", f"The subscriber certificate is valid for {years:.1f} years, more than 5."), **facts)
    return passed(Msg(f"Thời hạn chứng thư {years:.1f} năm (≤ 05 năm).", f"Certificate validity {years:.1f} years (≤ 5)."), **facts)


ND68_04 = Rule(
    id="ND68-04",
    requirement=Msg(
        "Chứng thư chuyên dùng công vụ của thuê bao cấp mới có hiệu lực tối đa 05 năm (gia hạn tối đa 03 năm).",
        "A new official-duty (CDCV) subscriber certificate is valid for at most 5 years (a renewal adds at most 3).",
    ),
    citations=(Citation("ND68", "9", "2"), Citation("ND68", "9", "3")),
    check=check_nd68_04,
    how=Msg("notAfter − notBefore của chứng thư người ký (CDCV, cấp từ 15/08/2024).", "notAfter − notBefore of the signer certificate (CDCV, issued from 2024-08-15)."),
    strength="should",
)


def check_nd23_03(ev: Evidence) -> Outcome:
    sig = ev.sig
    s = sig.signer
    if s is None or _hierarchy(ev, sig) != "national":
        return not_applicable(Msg("Không phải chứng thư của CA công cộng.", "Not a public-CA certificate."))
    years = _years(s)
    facts: dict[str, Any] = {"not_before": iso(s.not_before), "not_after": iso(s.not_after), "years": round(years, 2)}
    if years > 3 + 1 / 365:
        return failed(Msg(f"Chứng thư công cộng có hiệu lực {years:.1f} năm, quá 03 năm.", f"The public certificate is valid for {years:.1f} years, more than 3."), **facts)
    return passed(Msg(f"Thời hạn chứng thư {years:.1f} năm (≤ 03 năm).", f"Certificate validity {years:.1f} years (≤ 3)."), **facts)


ND23_03 = Rule(
    id="ND23-03",
    requirement=Msg("Chứng thư chữ ký số công cộng của thuê bao có hiệu lực tối đa 03 năm.", "A public subscriber certificate is valid for at most 3 years."),
    citations=(Citation("ND23", secondary=True),),
    check=check_nd23_03,
    how=Msg("notAfter − notBefore của chứng thư người ký (hệ thống NEAC).", "notAfter − notBefore of the signer certificate (NEAC hierarchy)."),
    strength="should",
)


def check_nd23_02(ev: Evidence) -> Outcome:
    sig = ev.sig
    s = sig.signer
    if s is None or _hierarchy(ev, sig) != "national" or ev.doc.classification(sig).kind != "person":
        return not_applicable(Msg("Không phải chứng thư công cộng của một cá nhân.", "Not a public certificate of a natural person."))
    f = s.subject_fields
    title, org = f.get("title"), f.get("organization_name") or f.get("organizational_unit_name")
    facts: dict[str, Any] = {"title": title, "organisation": org}
    if title and org:
        return passed(Msg(f"Chứng thư ghi chức danh ({title}) và cơ quan ({org}).", f"The certificate states the title ({title}) and the body ({org})."), **facts)
    return failed(
        Msg(
            f"Chứng thư của {cert_name(s)} không ghi chức danh và tên cơ quan: chỉ dùng được với tư cách cá nhân, không thay mặt cơ quan.",
            f"{cert_name(s)}'s certificate states no title and body: usable as a private person only, not on behalf of a body.",
        ),
        **facts,
    )


ND23_02 = Rule(
    id="ND23-02",
    requirement=Msg(
        "Chứng thư cấp cho người được ủy quyền của cơ quan, tổ chức phải ghi rõ chức danh và tên cơ quan, tổ chức; chỉ dùng trong phạm vi chức danh đó.",
        "A certificate issued to an authorised person of a body states their title and the body's name; it is used within that title only.",
    ),
    citations=(Citation("ND23", "13", secondary=True), Citation("ND23", "14", secondary=True)),
    check=check_nd23_02,
    how=Msg("Chứng thư công cộng của cá nhân: thuộc tính T (2.5.4.12) và O/OU.", "A public certificate of a person: the T (2.5.4.12) and O/OU attributes."),
    strength="should",
)


# ---- ALL-01 ---------------------------------------------------------------------------------
def _evidence_expiry(sig: Any) -> tuple[Any, str] | None:
    """When the evidence of a signature stops being checkable, and why (earliest expiry)."""
    candidates: list[tuple[Any, str]] = []
    if sig.timestamp is not None and sig.timestamp.tsa is not None:
        candidates.append((sig.timestamp.tsa.not_after, f"TSA {cert_name(sig.timestamp.tsa)}"))
    for c in sig.chain[1:]:
        candidates.append((c.not_after, f"CA {cert_name(c)}"))
    return min(candidates, key=lambda c: c[0]) if candidates else None


def _timestamp_expiry(ts: Any) -> tuple[Any, str] | None:
    """When an archive timestamp stops holding: its TSA certificate or a CA of its path."""
    candidates: list[tuple[Any, str]] = [(c.not_after, f"CA {cert_name(c)}") for c in ts.chain[1:]]
    if ts.tsa is not None:
        candidates.append((ts.tsa.not_after, f"TSA {cert_name(ts.tsa)}"))
    return min(candidates, key=lambda c: c[0]) if candidates else None


def check_all_01(ev: Evidence) -> Outcome:
    sig = ev.sig
    now = ev.report.validation_time or ev.report.generated_at
    archive = [d for d in ev.doc.document_timestamps if d.revision is not None and sig.revision is not None and d.revision > sig.revision]
    facts: dict[str, Any] = {"level": sig.level, "archive_timestamps": len(archive)}
    if sig.level not in ("B-LT", "B-LTA"):
        return failed(
            Msg(
                f"Chữ ký ở mức {sig.level or 'B-B'}: không mang dữ liệu kiểm tra dài hạn (cần PAdES B-LT/B-LTA) để giữ tính xác thực khi lưu trữ.",
                f"The signature is at level {sig.level or 'B-B'}: it carries no long-term validation data (PAdES B-LT/B-LTA needed) to stay verifiable in the archive.",
            ),
            **facts,
        )
    latest = max(archive, key=lambda d: d.revision or 0) if archive else None
    expiry = _evidence_expiry(latest if latest is not None else sig)
    inner = [a for a in sig.archive_timestamps if a.intact and a.valid and a.trusted]
    if latest is None and inner:  # XAdES / CAdES: the newest archive timestamp inside the signature
        facts["archive_timestamps"] = len(inner)
        expiry = _timestamp_expiry(max(inner, key=lambda a: a.time))
    if expiry is None:
        return passed(Msg("Có dữ liệu kiểm tra dài hạn.", "Long-term validation data present."), **facts)
    when, what = expiry
    facts.update(evidence_expires=iso(when), expires_with=what)
    if when - now < ARCHIVE_MARGIN:
        return failed(
            Msg(
                f"Bằng chứng hết hạn ngày {vn_time(when)} ({what}): gắn dấu thời gian lưu trữ mới (PAdES B-LTA) trước ngày đó.",
                f"The evidence expires on {vn_time(when)} ({what}): add a new archive timestamp (PAdES B-LTA) before then.",
            ),
            **facts,
        )
    return passed(Msg(f"Dữ liệu kiểm tra dài hạn còn giá trị đến {vn_time(when)} ({what}).", f"The long-term validation data stays valid until {vn_time(when)} ({what})."), **facts)


ALL_01 = Rule(
    id="ALL-01",
    requirement=Msg(
        "Bảo đảm tính xác thực, toàn vẹn xuyên suốt quá trình trao đổi, xử lý và lưu trữ: gắn dấu thời gian lưu trữ mới trước khi chứng thư TSA/CA hết hạn.",
        "Keep authenticity and integrity through exchange, processing and archival: re-timestamp (LTA) before the TSA/CA certificates expire.",
    ),
    citations=(Citation("TT41", "4", "2"), Citation("LGDDT", "13", secondary=True), Citation("QD144DT", "3", "2")),
    check=check_all_01,
    how=Msg(
        "Mức B-LT/B-LTA; hạn của chứng thư TSA (dấu thời gian lưu trữ mới nhất) và các CA trên đường dẫn còn hơn 180 ngày.",
        "Level B-LT/B-LTA; the TSA certificate of the latest archive timestamp and the path's CAs stay valid for more than 180 days.",
    ),
    phase="storage",
    strength="should",
)


RULES: tuple[Rule, ...] = (TT15_10, TT15_11, TT15_12, ND68_04, ND23_02, ND23_03, ALL_01)
