"""Signing-side rules: ND68-01/02/03, ND23-01, TT41-01/02, TT15-01…08, ND30-01."""

from __future__ import annotations

import dataclasses

from vbsign._core.i18n import Msg
from vbsign._core.x509 import fingerprint
from vbsign.model.report import Finding, Indication, Report, Severity, SubIndication
from vbsign.policy import DocumentFacts, RuleStatus, SigningFacts, evaluate
from vbsign.policy.result import ComplianceStatus


def test_nd68_01_certificate_checked_before_signing(docs):
    # from the file: B-LT carries the OCSP status obtained at signing
    r = docs.judge(docs.person_agency_report).result("ND68-01", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["source"] == "file"
    # from the signing software's facts: vbsign always checks; skipping the revocation check fails
    ok = docs.person_blt
    facts = DocumentFacts.for_signed([ok])
    r = evaluate(docs.person_only_report, docs.policy(), facts).result("ND68-01", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["source"] == "signing-facts"
    skipped = docs.sign("person", docs.sample, "B-T", check_revocation=False)
    assert skipped.revocation_checked is False
    rep = docs.verify(skipped.data, fetch=True)
    r = evaluate(rep, docs.policy(), DocumentFacts.for_signed([skipped])).result("ND68-01", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["revocation_checked"] is False
    # without facts and without embedded revocation data the file proves nothing either way
    r = docs.judge(rep).result("ND68-01", "S1")
    assert r.status is RuleStatus.NOT_APPLICABLE


def test_nd68_02_path_validated_before_signing(docs):
    r = docs.judge(docs.person_agency_report).result("ND68-02", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["anchor_hierarchy"] == "cdcv"
    # a public-CA path under the CDCV profile: not the profile's root
    r = docs.judge(docs.subscriber_report, "cdcv").result("ND68-02", "S1")
    assert r.status is RuleStatus.FAILED and r.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    # signing software reporting an unvalidated path
    sf = dataclasses.replace(SigningFacts.from_result(docs.person_blt), chain_validated=False)
    r = evaluate(docs.person_only_report, docs.policy(), DocumentFacts(signing=(sf,))).result("ND68-02", "S1")
    assert r.status is RuleStatus.FAILED


def test_nd23_01_signer_and_issuing_ca_status(docs):
    r = docs.judge(docs.subscriber_report, "public").result("ND23-01", "S1")
    assert r.status is RuleStatus.PASSED, r.message_en
    assert r.evidence["issuing_cas"][0]["status"] == "good"
    skipped = docs.sign("subscriber", docs.sample, "B-T", check_revocation=False)
    rep = docs.verify(skipped.data, fetch=True)
    r = evaluate(rep, docs.policy("public"), DocumentFacts.for_signed([skipped])).result("ND23-01", "S1")
    assert r.status is RuleStatus.FAILED
    # a CDCV signature: Decree 23/2025 does not apply
    assert docs.judge(docs.person_agency_report).result("ND23-01", "S1").status is RuleStatus.NOT_APPLICABLE


def test_tt41_01_timestamp_at_signing_time(docs):
    assert docs.judge(docs.person_agency_report).result("TT41-01", "S1").status is RuleStatus.PASSED
    rep = docs.judge(docs.person_agency_bb_report)  # B-B: no timestamp
    r = rep.result("TT41-01", "S1")
    assert r.status is RuleStatus.FAILED and "B-B" in r.message_en
    assert rep.status is ComplianceStatus.NON_COMPLIANT
    # ETSI: an unmet policy constraint is INDETERMINATE / SIG_CONSTRAINTS_FAILURE
    assert rep.indication is Indication.INDETERMINATE
    assert rep.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE
    assert rep.exit_code == 1


def test_tt41_01_a_later_document_timestamp_is_not_a_signing_timestamp(docs):
    lta = docs.verify(docs.sign("agency", docs.person_bb, "B-LTA").data, fetch=True)
    r = docs.judge(lta).result("TT41-01", "S1")
    assert r.status is RuleStatus.FAILED
    assert r.evidence["later_document_timestamps"] == 1


def test_nd68_03_timestamp_from_the_cdcv_tsa(docs):
    r = docs.judge(docs.person_agency_report, "cdcv").result("ND68-03", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["tsa_anchor_hierarchy"] == "cdcv"
    r = docs.judge(docs.person_agency_bb_report, "cdcv").result("ND68-03", "S1")
    assert r.status is RuleStatus.FAILED and r.level.value == "WARN"


def test_tt15_01_signature_certificate_and_time_embedded(docs):
    r = docs.judge(docs.person_agency_report).result("TT15-01", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["signer_certificate_embedded"] is True
    no_ess = docs.verify(docs.pyhanko_sign("person", docs.sample, drop_ess=True), fetch=True)
    r = docs.judge(no_ess).result("TT15-01", "S1")
    assert r.status is RuleStatus.FAILED and "signing-certificate" in r.message_en


def test_tt15_02_hash_functions(docs):
    r = docs.judge(docs.person_agency_report).result("TT15-02", "S1")
    assert r.status is RuleStatus.PASSED
    # the 'sha1' test certificate is signed by its CA with SHA-1
    sha1_cert = docs.verify(docs.raw_sign("sha1", docs.sample), fetch=True)
    r = docs.judge(sha1_cert).result("TT15-02", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["hashes"]["signer_certificate_signature"] == "sha1"
    assert r.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    # a SHA-1 message digest made with a good certificate — by other software (vbsign
    # refuses to make one): old signatures are still read and judged
    sha1_md = docs.verify(docs.pyhanko_sign("person", docs.sample, md_algorithm="sha1"), fetch=True)
    r = docs.judge(sha1_md).result("TT15-02", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["hashes"]["message_digest"] == "sha1"


def test_tt15_03_key_sizes(docs):
    r = docs.judge(docs.person_agency_report).result("TT15-03", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["keys"]["signer"] == "RSA-2048"
    ec = docs.verify(docs.sign("person-ec", docs.sample, "B-LT").data)
    r = docs.judge(ec).result("TT15-03", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["keys"]["signer"] == "EC-256"
    # RSA-1024: refused by the pre-signing check, so signed one layer below it
    short = docs.verify(docs.raw_sign("rsa1024", docs.sample), fetch=True)
    r = docs.judge(short).result("TT15-03", "S1")
    assert r.status is RuleStatus.FAILED and "1024" in r.message_en


def test_tt15_04_pades(docs):
    r = docs.judge(docs.person_agency_report, "public").result("TT15-04", "S1")
    assert r.status is RuleStatus.PASSED
    adbe = docs.verify(docs.pyhanko_sign("person", docs.sample, subfilter="adbe"), fetch=True)
    rep = docs.judge(adbe, "cdcv")
    r = rep.result("TT15-04", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["sub_filter"] == "/adbe.pkcs7.detached"
    assert r.level.value == "FAIL"
    # TT41's own standards annex was not retrieved: the same finding is a warning under tt41
    assert docs.judge(adbe).result("TT15-04", "S1").level.value == "WARN"


def test_tt15_05_applies_to_xml_and_cms_only(docs):
    r = docs.judge(docs.person_agency_report).result("TT15-05", "S1")
    assert r.status is RuleStatus.NOT_APPLICABLE


def test_tt15_05_xades_and_cades(docs):
    xml = "<?xml version='1.0' encoding='UTF-8'?><VanBan><TrichYeu>Quyết định số 1</TrichYeu></VanBan>".encode()
    signed = docs.sign("person", xml, "B-LT")
    rep = docs.verify(signed.data)
    assert rep.document.format == "xml"
    r = docs.judge(rep).result("TT15-05", "S1")
    assert r.status is RuleStatus.PASSED and "XAdES" in r.message_en
    content = "Nội dung văn bản".encode()
    p7s = docs.sign("person", content, "B-LT", format="cades")
    rep = docs.verify(p7s.data, content=content)
    assert rep.document.format == "cms"
    r = docs.judge(rep).result("TT15-05", "S1")
    assert r.status is RuleStatus.PASSED and "CAdES" in r.message_en
    # the same CMS evidence without signing-time is not CAdES-B
    data = rep.to_dict()
    data["signatures"][0]["signed_attributes"].remove("signing_time")
    r = docs.judge(Report.from_dict(data)).result("TT15-05", "S1")
    assert r.status is RuleStatus.FAILED and "signing-time" in r.message_en


def test_tt15_05_plain_xmldsig_is_not_xades(docs, corpus):
    plain = corpus / "signxml/interop/aleksey-xmldsig-01-enveloped/enveloped-sha256-rsa-sha256-test-2.xml"
    rep = docs.verify(plain.read_bytes(), trust=[])
    assert rep.document.format == "xml" and rep.signatures[0].integrity.intact
    r = docs.judge(rep).result("TT15-05", "S1")
    assert r.status is RuleStatus.FAILED and "XAdES" in r.message_en


def test_tt15_06_reports_the_rsa_scheme(docs):
    r = docs.judge(docs.person_agency_report).result("TT15-06", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["scheme"] == "RSASSA-PKCS1-v1_5"
    assert r.effective_level.value == "INFORM"  # never blocks: verification accepts both
    pss = docs.verify(docs.sign("person", docs.sample, "B-LT", prefer_pss=True).data)
    assert pss.indication is Indication.TOTAL_PASSED
    r = docs.judge(pss).result("TT15-06", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["oid"] == "1.2.840.113549.1.1.10"
    ec = docs.verify(docs.sign("person-ec", docs.sample, "B-LT").data)
    assert docs.judge(ec).result("TT15-06", "S1").status is RuleStatus.NOT_APPLICABLE


def test_tt15_07_messages_in_vietnamese(docs):
    rep = docs.judge(docs.person_agency_report)
    assert rep.result("TT15-07").status is RuleStatus.PASSED
    # a finding added without Vietnamese text (e.g. by a careless plugin)
    report = Report.from_dict(docs.person_agency_report.to_dict())
    report.findings.append(Finding("PLUGIN_NOTE", Severity.INFO, "", "English only"))
    r = docs.judge(report).result("TT15-07")
    assert r.status is RuleStatus.FAILED and r.level.value == "WARN"
    assert docs.judge(report).status is ComplianceStatus.COMPLIANT  # a software defect, not the document's


def test_tt15_08_warning_when_revocation_status_is_missing(docs):
    # B-T verified offline: no revocation data; the report warns and does not conclude valid
    offline = docs.verify(docs.sign("person", docs.sample, "B-T").data)
    r = docs.judge(offline).result("TT15-08", "S1")
    assert r.status is RuleStatus.PASSED and "REVOCATION_UNAVAILABLE" in r.evidence["warnings"]
    # a (third-party) report that concludes VALID without any revocation status
    data = offline.to_dict()
    data["signatures"][0]["indication"] = "TOTAL-PASSED"
    data["signatures"][0]["findings"] = []
    r = docs.judge(Report.from_dict(data)).result("TT15-08", "S1")
    assert r.status is RuleStatus.FAILED
    # signing software that skipped the check must have warned the signer
    skipped = docs.sign("person", docs.sample, "B-T", check_revocation=False)
    facts = DocumentFacts.for_signed([skipped])
    r = evaluate(docs.verify(skipped.data, fetch=True), docs.policy(), facts).result("TT15-08", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["warnings"]
    silent = dataclasses.replace(facts.signing[0], warnings=())
    r = evaluate(docs.verify(skipped.data, fetch=True), docs.policy(), DocumentFacts(signing=(silent,))).result("TT15-08", "S1")
    assert r.status is RuleStatus.FAILED


def test_tt41_02_personal_key_versus_seal_key(docs):
    rep = docs.judge(docs.person_agency_report)
    assert rep.result("TT41-02", "S1").status is RuleStatus.PASSED
    assert rep.result("TT41-02", "S2").status is RuleStatus.PASSED
    bad = docs.judge(docs.agency_agency_report)
    r = bad.result("TT41-02", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["expected_role"] == "person"
    assert r.evidence["signer_class"] == "organisation"
    assert "seal key" in r.message_en
    assert bad.status is ComplianceStatus.NON_COMPLIANT
    # a personal key for the agency signature
    r = docs.judge(docs.person_agency_report, roles=("organisation", "organisation")).result("TT41-02", "S1")
    assert r.status is RuleStatus.FAILED and "personal key" in r.message_en


def test_tt41_02_unknown_signer_is_indeterminate_with_advice(docs):
    """A signer vbsign cannot classify (a system certificate, no person's or body's name):
    the two-signature rules are INDETERMINATE — blocking under tt41 — with advice, never a
    silent INFORM and never a guessed failure."""
    first = docs.sign("service-system", docs.sample, "B-LT").data
    rep = docs.judge(docs.verify(docs.sign("agency", first, "B-LT").data))
    r = rep.result("TT41-02", "S1")
    assert r.status is RuleStatus.INDETERMINATE and r.effective_level.value == "FAIL"
    assert "[classification]" in r.message_en and "vbsign registry" in r.message_en
    fp = docs.pki.cert("service-system")
    assert fingerprint(fp) in r.message_en
    v12 = rep.result("VER-12")
    assert v12.status is RuleStatus.INDETERMINATE and v12 in rep.failures()
    assert rep.result("ND30-01").status is RuleStatus.INDETERMINATE
    assert rep.status.value == "undetermined" and rep.exit_code == 2
    assert any(n.code == "SIGNER_CLASS_UNKNOWN" for n in rep.notes)
    # declared in the policy file → decided
    known = docs.judge(docs.verify(docs.sign("agency", first, "B-LT").data), extra=f'[classification]\nperson = ["{fingerprint(fp)}"]\n')
    assert known.result("TT41-02", "S1").status is RuleStatus.PASSED and known.result("VER-12").status is RuleStatus.PASSED


def test_nd30_01_person_signs_before_the_agency(docs):
    assert docs.judge(docs.person_agency_report).result("ND30-01").status is RuleStatus.PASSED
    r = docs.judge(docs.agency_person_report).result("ND30-01")
    assert r.status is RuleStatus.FAILED and r.level.value == "WARN"
    # an agency whose rules make the order mandatory
    strict = docs.judge(docs.agency_person_report, extra='[levels]\n"ND30-01" = "FAIL"\n')
    assert any(x.rule_id == "ND30-01" for x in strict.failures())


def test_signing_facts_come_from_sign_result(docs):
    sf = SigningFacts.from_result(docs.person_blt)
    assert sf.certificate_sha256 == docs.person_blt.signer.sha256_fingerprint
    assert sf.revocation_checked and sf.chain_validated and sf.level == "B-LT"
    assert all(isinstance(w, Msg) for w in sf.warnings)
