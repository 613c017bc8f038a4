"""Storage rules TT41-03, TT41-04, TT15-09 and the agency expectations EXP-01, EXP-02."""

from __future__ import annotations

from datetime import timedelta

from vbsign.policy import EvidenceBundle, RuleStatus
from vbsign.policy.result import ComplianceStatus


def test_tt41_03_outgoing_document_keeps_what_must_be_kept(docs):
    r = docs.judge(docs.person_agency_report, direction="outgoing").result("TT41-03", "S1")
    assert r.status is RuleStatus.PASSED
    items = r.evidence["items"]
    assert items["signer_certificate"] and items["revocation_data"] and items["timestamp_at_signing"]
    # real certificates carry no title: the body and unit the signer answers for (O, OU)
    subject = docs.person_agency_report.signatures[0].signer.subject_fields
    assert items["signer_responsibility"] == f"organisation: {subject['organization_name']}, {subject['organizational_unit_name']}"
    assert items["cps"] == "unchecked" and "CPS" in r.message_en  # never claimed present
    # B-B: no revocation data, no timestamp
    r = docs.judge(docs.person_agency_bb_report).result("TT41-03", "S1")
    assert r.status is RuleStatus.FAILED
    assert "timestamp" in r.message_en and "revocation list" in r.message_en


def test_tt41_03_with_an_evidence_bundle_the_cps_copy_is_checked(docs):
    cps = docs.person_agency_report.signatures[0].signer.cps_urls[0]
    kept = EvidenceBundle(cps_copies=(cps,), validation_report_stored=True)
    r = docs.judge(docs.person_agency_report, bundle=kept).result("TT41-03", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["items"]["cps"] == "ok"
    r = docs.judge(docs.person_agency_report, bundle=EvidenceBundle()).result("TT41-03", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["items"]["cps"] == "missing"


def test_tt41_04_incoming_document_needs_a_receipt_timestamp(docs, t0):
    r = docs.judge(docs.incoming_lta_report, direction="incoming").result("TT41-04", "S1")
    assert r.status is RuleStatus.PASSED
    assert r.evidence["items"]["receipt_timestamp"]["source"] == "document-timestamp"
    r = docs.judge(docs.person_agency_report, direction="incoming").result("TT41-04", "S1")
    assert r.status is RuleStatus.FAILED and "receipt" in r.message_en
    # the DMS's own receipt time label, declared in the evidence bundle
    bundle = EvidenceBundle(receipt_timestamp=t0 + timedelta(hours=1))
    r = docs.judge(docs.person_agency_report, direction="incoming", bundle=bundle).result("TT41-04", "S1")
    assert r.evidence["items"]["receipt_timestamp"]["source"] == "bundle"
    assert r.evidence["items"]["cps"] == "missing" and r.status is RuleStatus.FAILED
    assert docs.judge(docs.person_agency_report).result("TT41-04", "S1").status is RuleStatus.NOT_APPLICABLE
    assert (
        docs.judge(docs.person_agency_report, direction="incoming").result("TT41-03", "S1").status
        is RuleStatus.NOT_APPLICABLE
    )


def test_tt15_09_certificate_and_status_are_available_for_storage(docs):
    r = docs.judge(docs.person_agency_report).result("TT15-09", "S1")
    assert r.status is RuleStatus.PASSED
    bb = docs.judge(docs.person_agency_bb_report)
    r = bb.result("TT15-09", "S1")
    assert r.status is RuleStatus.FAILED and r.level.value == "WARN"
    stored = EvidenceBundle(revocation_data_stored=True, validation_report_stored=True)
    r = docs.judge(docs.person_agency_bb_report, bundle=stored).result("TT15-09", "S1")
    assert r.status is RuleStatus.PASSED


EXPECT = '[expectations]\nsignatures = ["person", "agency"]\nmin_level = "B-LT"\n'


def test_exp01_agency_expected_signatures(docs):
    ok = docs.judge(docs.person_agency_report, extra=EXPECT)
    assert ok.result("EXP-01").status is RuleStatus.PASSED
    assert ok.status is ComplianceStatus.COMPLIANT
    r = docs.judge(docs.person_only_report, extra=EXPECT).result("EXP-01")
    assert r.status is RuleStatus.FAILED and r.evidence["expected"] == ["person", "organisation"]
    r = docs.judge(docs.agency_person_report, extra=EXPECT).result("EXP-01")
    assert r.status is RuleStatus.FAILED
    assert docs.judge(docs.person_agency_report).result("EXP-01").status is RuleStatus.NOT_APPLICABLE


def test_exp02_minimum_level(docs):
    assert docs.judge(docs.person_agency_report, extra=EXPECT).result("EXP-02", "S1").status is RuleStatus.PASSED
    rep = docs.judge(docs.person_agency_bb_report, extra=EXPECT)
    r = rep.result("EXP-02", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence == {"required": "B-LT", "level": "B-B"}
    assert rep.status is ComplianceStatus.NON_COMPLIANT
