"""VER-01 … VER-12: each rule passes on a good document and fails on a bad one (test PKI)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from vbsign.model.report import Indication, SubIndication
from vbsign.policy import RuleStatus
from vbsign.policy.result import ComplianceStatus


def status(rep, rule, sig=None):  # type: ignore[no-untyped-def]
    return rep.result(rule, sig).status


def test_compliant_document_passes_tt41(docs):
    rep = docs.judge(docs.person_agency_report)
    assert rep.status is ComplianceStatus.COMPLIANT, [(r.rule_id, r.message_en) for r in rep.failures()]
    assert rep.indication is Indication.TOTAL_PASSED
    assert rep.exit_code == 0


def test_ver01_signature_and_digest(docs):
    assert status(docs.judge(docs.person_agency_report), "VER-01", "S1") is RuleStatus.PASSED
    bad = docs.judge(docs.verify(docs.tampered))
    r = bad.result("VER-01", "S1")
    assert r.status is RuleStatus.FAILED and r.sub_indication is SubIndication.HASH_FAILURE
    assert bad.status is ComplianceStatus.NON_COMPLIANT
    assert bad.indication is Indication.TOTAL_FAILED


def test_ver02_validity_and_revocation_at_signing_time(docs, t0):
    assert status(docs.judge(docs.person_agency_report), "VER-02", "S1") is RuleStatus.PASSED
    # revoked since 2026-06-01, signed (revocation check skipped) and timestamped at T0
    revoked = docs.sign("revoked", docs.sample, "B-T", check_revocation=False).data
    r = docs.judge(docs.verify(revoked, fetch=True)).result("VER-02", "S1")
    assert r.status is RuleStatus.FAILED and r.sub_indication is SubIndication.REVOKED
    assert r.evidence["revocation_status"] == "revoked"


def test_ver02_revoked_after_a_proven_signing_time_passes(docs, t0):
    # revoked-later: revoked on 2027-03-01; signed with a timestamp at T0, verified in mid-2027
    data = docs.sign("revoked-later", docs.sample, "B-T").data
    later = datetime(2027, 6, 1, tzinfo=timezone.utc)
    r = docs.judge(docs.verify(data, fetch=True, when=later)).result("VER-02", "S1")
    assert r.status is RuleStatus.PASSED, r.message_en
    assert "revoked later" in r.message_en


def test_ver03_revocation_data(docs):
    r = docs.judge(docs.person_agency_report).result("VER-03", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["revocation_source"] == "embedded"
    # B-T without embedded revocation data, verified offline: fail closed
    offline = docs.verify(docs.sign("person", docs.sample, "B-T").data, fetch=False)
    r = docs.judge(offline).result("VER-03", "S1")
    assert r.status is RuleStatus.INDETERMINATE and r.sub_indication is SubIndication.TRY_LATER


def test_ver04_path_must_end_at_a_root_of_the_profile(docs):
    good = docs.judge(docs.person_agency_report).result("VER-04", "S1")
    assert good.status is RuleStatus.PASSED
    assert good.evidence["hierarchy"] == "cdcv" and good.evidence["official"] is False
    # the built-in tt41 profile does not know the test roots: never official
    from vbsign.policy import evaluate

    plain = evaluate(docs.person_agency_report, docs.registry.resolve("tt41"))
    r = plain.result("VER-04", "S1")
    assert r.status is RuleStatus.FAILED and r.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert plain.status is ComplianceStatus.NON_COMPLIANT
    # a CDCV-only profile refuses a national (public) chain
    pub = docs.judge(docs.subscriber_report, "cdcv").result("VER-04", "S1")
    assert pub.status is RuleStatus.FAILED and pub.evidence["hierarchy"] == "national"


def test_ver05_certificate_scope(docs):
    assert status(docs.judge(docs.person_agency_report), "VER-05", "S1") is RuleStatus.PASSED
    wrong_ku = docs.verify(docs.raw_sign("wrong-ku", docs.sample), fetch=True)
    r = docs.judge(wrong_ku).result("VER-05", "S1")
    assert r.status is RuleStatus.FAILED and "key_encipherment" in r.evidence["key_usage"]


def test_ver06_algorithms_on_the_path(docs):
    good = docs.judge(docs.person_agency_report).result("VER-06", "S1")
    assert good.status is RuleStatus.PASSED and len(good.evidence["certificates"]) == 3
    sha1 = docs.judge(docs.verify(docs.raw_sign("sha1", docs.sample), fetch=True)).result("VER-06", "S1")
    assert sha1.status is RuleStatus.FAILED and sha1.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert "SHA1" in sha1.message_en
    short = docs.judge(docs.verify(docs.raw_sign("rsa1024", docs.sample), fetch=True)).result("VER-06", "S1")
    assert short.status is RuleStatus.FAILED and "1024" in short.message_en


def test_ver07_timestamp_validity(docs, pki):
    assert status(docs.judge(docs.person_agency_report), "VER-07", "S1") is RuleStatus.PASSED
    # the public-CA signature carries a timestamp of the government TSA; trusting only the
    # national root leaves that TSA untrusted
    rep = docs.verify(docs.subscriber.data, trust=[pki.cert("pub-root")])
    r = docs.judge(rep, "public").result("VER-07", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["trusted"] is False
    bb = docs.judge(docs.person_agency_bb_report).result("VER-07", "S1")
    assert bb.status is RuleStatus.NOT_APPLICABLE


def test_ver08_report_shows_required_information(docs):
    r = docs.judge(docs.person_agency_report).result("VER-08", "S1")
    assert r.status is RuleStatus.PASSED
    subject = docs.person_agency_report.signatures[0].signer.subject_fields
    assert r.evidence["signer"] == subject["common_name"] and r.evidence["unit"] == subject["organizational_unit_name"]
    # a signature whose CMS cannot be read: signer, time, integrity cannot be displayed
    import re

    b = bytearray(docs.person_bb)
    m = re.search(rb"/Contents\s*<", b)
    assert m is not None
    b[m.end() : m.end() + 40] = b"0" * 40
    r = docs.judge(docs.verify(bytes(b))).result("VER-08", "S1")
    assert r.status is RuleStatus.FAILED and "signer" in r.evidence["missing"]


def test_ver09_changes_after_signing(docs):
    good = docs.judge(docs.person_agency_report).result("VER-09", "S1")
    assert good.status is RuleStatus.PASSED and good.evidence["modification_level"] == "FORM_FILLING"
    bad = docs.judge(docs.verify(docs.modified_after_signing()))
    r = bad.result("VER-09", "S2")
    assert r.status is RuleStatus.FAILED and r.sub_indication is SubIndication.FORMAT_FAILURE
    assert bad.status is ComplianceStatus.NON_COMPLIANT


def test_ver10_incoming_document_action(docs):
    ok = docs.judge(docs.person_agency_report, direction="incoming").result("VER-10")
    assert ok.status is RuleStatus.PASSED and ok.evidence["action"] == "accept"
    bad = docs.judge(docs.verify(docs.tampered), direction="incoming").result("VER-10")
    assert bad.status is RuleStatus.FAILED and bad.evidence["action"] == "return-to-sender"
    assert docs.judge(docs.person_agency_report).result("VER-10").status is RuleStatus.NOT_APPLICABLE


def test_ver11_cdcv_requires_government_certificates(docs):
    assert status(docs.judge(docs.person_agency_report, "cdcv"), "VER-11", "S1") is RuleStatus.PASSED
    rep = docs.judge(docs.subscriber_report, "cdcv")
    r = rep.result("VER-11", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["hierarchy"] == "national"
    assert rep.status is ComplianceStatus.NON_COMPLIANT
    assert rep.indication is Indication.INDETERMINATE
    assert rep.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    # under tt41 the same rule is a warning only
    tt41 = docs.judge(docs.subscriber_report).result("VER-11", "S1")
    assert tt41.status is RuleStatus.FAILED and tt41.level.value == "WARN"


def test_ver12_person_and_agency_signatures(docs):
    assert status(docs.judge(docs.person_agency_report), "VER-12") is RuleStatus.PASSED
    only = docs.judge(docs.person_only_report)
    r = only.result("VER-12")
    assert r.status is RuleStatus.FAILED and r.evidence["valid_signatures"]["person"] == ["S1"]
    assert "organisation" in r.message_en
    assert only.status is ComplianceStatus.NON_COMPLIANT
    # an attachment in its own file carries only the agency signature
    agency_only = docs.verify(docs.sign("agency", docs.sample, "B-LT").data)
    att = docs.judge(agency_only, kind="attachment").result("VER-12")
    assert att.status is RuleStatus.PASSED


def test_validation_time_is_fixed(docs, t0):
    # the documents were made at T0 and are judged at T0, whatever the wall clock says
    sig = docs.person_agency_report.signatures[0]
    assert abs(sig.signing_time - t0) < timedelta(seconds=1)
