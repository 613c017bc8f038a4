"""The catalogue rules added on real-shaped certificates: Decree 30 appearances (ND30-02…08),
storage and devices (TT41-05, TT15-10…12, ND68-04, ND23-02/03, ALL-01), exchange (QD28-01…03,
EDX-01, QLVB-01), VER-13 — each with a positive and a negative case."""

from __future__ import annotations

import dataclasses
import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from vbsign.appearance import At
from vbsign.model.report import KeyStorage, Report
from vbsign.policy import (
    DocumentFacts,
    EvidenceBundle,
    PolicyRegistry,
    RuleStatus,
    SigningFacts,
    evaluate,
)

P, F, I, NA = RuleStatus.PASSED, RuleStatus.FAILED, RuleStatus.INDETERMINATE, RuleStatus.NOT_APPLICABLE  # noqa: E741


def res(rep: Any, rule: str, sig: str | None = None) -> Any:
    return rep.result(rule, sig)


def copy_report(report: Report, **changes: Any) -> Report:
    return Report.from_dict({**report.to_dict(), **changes})


# ---- ND30-02 / ND30-03: the competent person's signature and the agency's seal ---------------
def test_nd30_02_person_appearance(docs):
    good = res(docs.judge(docs.visible_report), "ND30-02", "S1")
    assert good.status is P and good.evidence["images"][0]["colour"] == "blue" and good.evidence["images"][0]["alpha"]
    bad = res(docs.judge(docs.person_agency_report), "ND30-02", "S1")
    assert bad.status is F and "invisible" in bad.message_en and bad.level.value == "WARN"
    # not the person's signature: not judged by this rule
    assert res(docs.judge(docs.visible_report), "ND30-02", "S2").status is NA


def test_nd30_03_seal_over_the_left_third(docs):
    good = res(docs.judge(docs.visible_report), "ND30-03", "S2")
    assert good.status is P and 0.15 <= good.evidence["overlap"] <= 0.55 and good.evidence["seal_on_left"]
    assert 30 <= good.evidence["seal_width_mm"] <= 40
    assert res(docs.judge(docs.person_agency_report), "ND30-03", "S2").status is F  # invisible seal
    far = docs.sign("agency", docs.visible_person, "B-LT", field="ConDau", appearance=docs.seal_look(placement=At(0, (60, 60, 162, 162))))
    r = res(docs.judge(docs.verify(far.data)), "ND30-03", "S2")
    assert r.status is F and "1/3" in r.message_vi and r.evidence["overlap"] == 0


def test_nd30_04_the_agency_signs_a_file_once(docs):
    assert res(docs.judge(docs.person_agency_report), "ND30-04").status is P
    twice = docs.sign("agency", docs.sign("agency", docs.sample, "B-LT").data, "B-LT").data
    r = res(docs.judge(docs.verify(twice)), "ND30-04")
    assert r.status is F and "several times" in r.message_en


def test_nd30_05_attachment_text_top_right(docs):
    good = res(docs.judge(docs.attachment_report, kind="attachment"), "ND30-05", "S1")
    assert good.status is P, good.message_en
    assert "414/QĐ-CĐSQG" in good.evidence["text"] and "+07:00" in good.evidence["text"]
    assert all(9.5 <= s <= 10.5 for s in good.evidence["font_sizes"]) and set(good.evidence["text_colours"]) == {"black"}
    invisible = res(docs.judge(docs.agency_only_report, kind="attachment"), "ND30-05", "S1")
    assert invisible.status is F
    # the copy's text is not an attachment's (no number and symbol)
    r = res(docs.judge(docs.copy_report, kind="attachment"), "ND30-05", "S1")
    assert r.status is F and "number" in r.message_en
    assert res(docs.judge(docs.attachment_report), "ND30-05", "S1").status is NA  # a main document


def test_nd30_06_copy_text_top_right(docs):
    good = res(docs.judge(docs.copy_report, kind="copy"), "ND30-06", "S1")
    assert good.status is P and "SAO Y" in good.evidence["text"]
    r = res(docs.judge(docs.attachment_report, kind="copy"), "ND30-06", "S1")
    assert r.status is F and "copy form" in r.message_en


def test_nd30_07_digitised_copy(docs):
    good = res(docs.judge(docs.scanned_copy(200, "RGB"), kind="copy"), "ND30-07")
    assert good.status is P and good.evidence["page_images"][0]["dpi"] >= 200
    bad = res(docs.judge(docs.scanned_copy(100, "L"), kind="copy"), "ND30-07")
    assert bad.status is F and "dpi" in bad.message_en and "grey" in bad.message_en
    assert res(docs.judge(docs.copy_report, kind="copy"), "ND30-07").status is NA  # born digital


def test_nd30_08_the_seal_of_the_signer_s_own_agency(docs):
    good = res(docs.judge(docs.person_agency_report), "ND30-08", "S2")
    assert good.status is P and good.evidence["agency"] == "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"
    # a director of the Hanoi DOST signs, the seal of a ministry's Cục is applied
    other = docs.sign("person-b", docs.sample, "B-LT").data
    r = res(docs.judge(docs.verify(docs.sign("agency", other, "B-LT").data)), "ND30-08", "S2")
    assert r.status is F and "Sở Khoa học và Công nghệ" in r.message_vi


# ---- storage, devices, the software's duties ------------------------------------------------
def test_tt41_05_accompanying_information_is_deleted_with_the_document(docs):
    ok = docs.judge(docs.person_agency_report, bundle=EvidenceBundle(deletable_per_document=True))
    assert res(ok, "TT41-05").status is P
    shared = docs.judge(docs.person_agency_report, bundle=EvidenceBundle(deletable_per_document=False))
    assert res(shared, "TT41-05").status is F
    assert res(docs.judge(docs.person_agency_report), "TT41-05").status is NA  # not provable from a file


def _facts(docs, storage: KeyStorage) -> DocumentFacts:  # type: ignore[no-untyped-def]
    fp = docs.person_agency_report.signatures[0].signer.sha256_fingerprint
    return DocumentFacts(signing=(SigningFacts(fp, key_storage=storage),))


def test_tt15_10_key_storage(docs):
    rep = docs.person_agency_report
    pol = docs.policy(extra='[key_devices]\n"SoftHSM" = "FIPS 140-2 level 2 (khai báo thử nghiệm)"\n')
    software = evaluate(rep, docs.policy(), _facts(docs, KeyStorage("software", "key file")))
    assert res(software, "TT15-10", "S1").status is F
    token = KeyStorage("token", "SoftHSM project / SoftHSM v2 / vbsign")
    assert res(evaluate(rep, docs.policy(), _facts(docs, token)), "TT15-10", "S1").status is I  # nothing reported
    declared = res(evaluate(rep, pol, _facts(docs, token)), "TT15-10", "S1")
    assert declared.status is P and declared.evidence["fips_level"] == 2
    reported = KeyStorage("token", "X", ("FIPS 140 level 3 (#4567)",), 3)
    assert res(evaluate(rep, docs.policy(), _facts(docs, reported)), "TT15-10", "S1").status is P
    hsm = KeyStorage("hsm", "HSM", ("FIPS 140 level 2",), 2)
    assert res(evaluate(rep, docs.policy(), _facts(docs, hsm)), "TT15-10", "S1").status is F  # HSMs need 3
    assert res(docs.judge(rep), "TT15-10", "S1").status is NA  # not provable from the file


def test_tt15_10_from_a_real_sign_result(docs):
    result = docs.person_blt
    assert result.key_storage is not None and result.key_storage.kind == "software"
    rep = evaluate(docs.person_only_report, docs.policy(), DocumentFacts.for_signed([result]))
    assert res(rep, "TT15-10", "S1").status is F


def test_tt15_11_tls_floor(docs, monkeypatch):
    r = res(docs.judge(docs.person_agency_report), "TT15-11")
    assert r.status is P and r.evidence["minimum_tls"] == "TLSv1_2"
    import vbsign._core.algorithms

    monkeypatch.setattr(vbsign._core.algorithms, "MIN_TLS_VERSION", ssl.TLSVersion.TLSv1)
    r = res(docs.judge(docs.person_agency_report), "TT15-11")
    assert r.status is F and "TLSv1" in r.message_en


def test_tt15_12_ca_certificates_installed(docs):
    assert res(docs.judge(docs.person_agency_report), "TT15-12").status is P
    bare = docs.verify(docs.person_agency, trust=[])
    r = res(docs.judge(bare), "TT15-12")
    assert r.status is F and "vbsign trust add" in r.message_en


def _signer_dates(report: Report, not_before: datetime, years: float) -> Report:
    data = report.to_dict()
    for s in data["signatures"]:
        s["signer"]["not_before"] = not_before.isoformat()
        s["signer"]["not_after"] = (not_before + timedelta(days=365.25 * years)).isoformat()
    return Report.from_dict(data)


def test_nd68_04_cdcv_validity_at_most_five_years(docs):
    assert res(docs.judge(docs.person_agency_report), "ND68-04", "S1").status is P
    long = _signer_dates(docs.person_agency_report, datetime(2025, 1, 1, tzinfo=timezone.utc), 10)
    r = res(docs.judge(long), "ND68-04", "S1")
    assert r.status is F and r.evidence["years"] > 9
    legacy = _signer_dates(docs.person_agency_report, datetime(2017, 1, 1, tzinfo=timezone.utc), 10)
    assert res(docs.judge(legacy), "ND68-04", "S1").evidence.get("legacy") is True
    assert res(docs.judge(docs.subscriber_report), "ND68-04", "S1").status is NA


def test_nd23_03_public_validity_at_most_three_years(docs):
    assert res(docs.judge(docs.subscriber_report, "public"), "ND23-03", "S1").status is P
    long = _signer_dates(docs.subscriber_report, datetime(2025, 6, 1, tzinfo=timezone.utc), 5)
    assert res(docs.judge(long, "public"), "ND23-03", "S1").status is F


def test_nd23_02_title_and_agency_of_an_authorised_person(docs):
    r = res(docs.judge(docs.subscriber_report, "public"), "ND23-02", "S1")
    assert r.status is F and r.level.value == "WARN"
    data = docs.subscriber_report.to_dict()
    fields = data["signatures"][0]["signer"]["subject_fields"]
    fields.update(title="Giám đốc", organization_name="CÔNG TY CỔ PHẦN DỊCH VỤ SỐ THỬ NGHIỆM")
    assert res(docs.judge(Report.from_dict(data), "public"), "ND23-02", "S1").status is P


def test_all_01_long_term_preservation(docs):
    assert res(docs.judge(docs.person_agency_report), "ALL-01", "S1").status is P
    assert res(docs.judge(docs.person_agency_bb_report), "ALL-01", "S1").status is F  # no LT data
    late = copy_report(docs.person_agency_report)
    late.validation_time = datetime(2035, 12, 1, tzinfo=timezone.utc)  # the TSA certificate ends 2036-01-01
    r = res(docs.judge(late), "ALL-01", "S1")
    assert r.status is F and "archive timestamp" in r.message_en


# ---- exchange -------------------------------------------------------------------------------
def test_qd28_01_legal_value_of_exchanged_documents(docs):
    assert res(docs.judge(docs.person_agency_report), "QD28-01").evidence["legal_value"] is True
    r = res(docs.judge(docs.verify(docs.tampered)), "QD28-01")
    assert r.status is F and "reference only" in r.message_en


def test_qd28_02_sent_on_the_signing_day(docs, t0):
    assert res(docs.judge(docs.person_agency_report, sent_at=t0 + timedelta(hours=2)), "QD28-02").status is P
    r = res(docs.judge(docs.person_agency_report, sent_at=t0 + timedelta(days=3)), "QD28-02")
    assert r.status is F and r.level.value == "WARN"
    assert res(docs.judge(docs.person_agency_report), "QD28-02").status is NA


def test_qd28_03_receiver_checks_before_accepting(docs):
    assert res(docs.judge(docs.person_agency_report, direction="incoming"), "QD28-03").status is P
    r = res(docs.judge(docs.verify(docs.tampered), direction="incoming"), "QD28-03")
    assert r.status is F


def _envelope(docs, attachments: list[Any]) -> Report:  # type: ignore[no-untyped-def]
    from vbsign.formats.xades.edxml import EdxmlHeader, build_envelope

    header = EdxmlHeader(
        from_organ_id="000.00.00.G22", from_organ_name="Cục Chuyển đổi số quốc gia", to_organ_id="000.00.00.H26",
        to_organ_name="UBND thành phố Hà Nội", code_number="414", code_notation="QĐ-CĐSQG", subject="Kế hoạch",
        promulgation_date="2026/12/01", signer_full_name="Nguyễn Văn A", signer_position="Phó Cục trưởng",
    )
    return docs.verify(docs.sign("agency", build_envelope(header, attachments), "B-LT").data)


def test_edx_01_and_qlvb_01_edxml_envelopes(docs):
    from vbsign.formats.xades.edxml import Attachment

    signed = _envelope(docs, [Attachment("quyet-dinh.pdf", docs.person_blt.data, "application/pdf", "Quyết định")])
    assert res(docs.judge(signed), "EDX-01").status is P
    assert res(docs.judge(signed), "QLVB-01").status is P  # the signed document inside is a PDF
    unsigned = _envelope(docs, [Attachment("phu-luc.txt", "Phụ lục".encode(), "text/plain", "Phụ lục")])
    r = res(docs.judge(unsigned), "EDX-01")
    assert r.status is F and "phu-luc.txt" in r.message_en
    assert res(docs.judge(unsigned), "QLVB-01").status is F
    assert res(docs.judge(docs.person_agency_report), "EDX-01").status is NA


def test_qlvb_01_pdf_for_signed_documents(docs):
    assert res(docs.judge(docs.person_agency_report), "QLVB-01").status is P
    xml = "<?xml version='1.0' encoding='UTF-8'?><VanBan><So>414/QĐ-CĐSQG</So></VanBan>".encode()
    r = res(docs.judge(docs.verify(docs.sign("agency", xml, "B-LT").data)), "QLVB-01")
    assert r.status is F and r.level.value == "INFORM"


def test_ver13_printed_copies(docs):
    r = res(docs.judge(docs.person_agency_report), "VER-13")
    assert r.status is P and "no legal value" in r.message_en
    unsigned = docs.verify(docs.sample)
    assert res(docs.judge(unsigned), "VER-13").status is NA


# ---- the catalogue ---------------------------------------------------------------------------
TESTS = Path(__file__).parent


def test_every_builtin_rule_is_tested_here_or_in_the_rule_files():
    """Each catalogue rule is named by a test of tests/policy or of the S/MIME rules' tests
    (tests/formats/smime, and tests/host/test_mail.py for the mail host bridge) with positive
    and negative cases."""
    files = [*TESTS.glob("test_*.py"), *(TESTS.parent / "formats" / "smime").glob("test_*.py"), TESTS.parent / "host" / "test_mail.py"]
    text = "\n".join(p.read_text("utf-8") for p in files)
    missing = [r.id for r in PolicyRegistry.builtin().rules() if f'"{r.id}"' not in text]
    assert missing == []


def test_tt41_lists_at_least_45_catalogue_rules_with_citations():
    from vbsign.policy import load_policy

    pol = load_policy("tt41")
    catalogue = [(r, lvl) for r, lvl in pol.active() if not r.id.startswith("EXP-")]
    assert len(catalogue) >= 45
    assert all(r.citations and r.citation_text("vi") and r.citation_text("en") for r, _ in catalogue)


def test_evidence_bundle_defaults_claim_nothing():
    b = EvidenceBundle()
    assert (b.validation_report_stored, b.certificates_stored, b.revocation_data_stored, b.deletable_per_document) == (
        False, False, False, None,
    )
    assert dataclasses.fields(b)


def test_all_01_counts_archive_timestamps_inside_xades_and_cades_signatures(docs):
    # a CAdES/XAdES signature renewed by an archive timestamp of a later TSA: the evidence now
    # ends with that TSA, not with the signature timestamp's
    late = copy_report(docs.person_agency_report)
    late.validation_time = datetime(2035, 12, 1, tzinfo=timezone.utc)  # the first TSA ends 2036-01-01
    sig = late.signatures[0]
    assert sig.timestamp is not None and sig.timestamp.tsa is not None
    tsa = dataclasses.replace(sig.timestamp.tsa, not_after=datetime(2050, 1, 1, tzinfo=timezone.utc))
    sig.archive_timestamps = [dataclasses.replace(sig.timestamp, kind="archive", tsa=tsa, chain=[tsa],
                                                  time=datetime(2035, 11, 1, tzinfo=timezone.utc))]  # fmt: skip
    r = res(docs.judge(late), "ALL-01", "S1")
    assert r.status is P and r.evidence["evidence_expires"].startswith("2050") and r.evidence["archive_timestamps"] == 1
