"""``vbsign.validate``: verification + policy, JSON round trip and schema."""

from __future__ import annotations

import json

import pytest

import vbsign
from vbsign._core.errors import PolicyError
from vbsign.pki.validation import Services
from vbsign.policy import ComplianceReport, DocumentFacts, RuleStatus
from vbsign.policy.result import ComplianceStatus, json_schema


def test_validate_a_file(docs, tmp_path, t0):
    f = tmp_path / "signed.pdf"
    f.write_bytes(docs.person_agency)
    pol = tmp_path / "agency.toml"
    pol.write_text(docs.policy_text("tt41", '[expectations]\nsignatures = ["person", "agency"]\n'), "utf-8")
    rep = vbsign.validate(f, policy=pol, trust=docs.pki.roots, now=t0, services=Services(online=False))
    assert isinstance(rep, ComplianceReport)
    assert rep.status is ComplianceStatus.COMPLIANT and rep.exit_code == 0
    assert rep.policy == "test-tt41" and rep.policy_source == str(pol)
    assert rep.verification.document.name == "signed.pdf"
    assert [s.signer_class for s in rep.signers] == ["person", "organisation"]
    assert f.read_bytes() == docs.person_agency  # input never modified


def test_validate_a_sign_result_uses_the_signing_facts(docs, t0):
    res = docs.sign("person", docs.sample, "B-T", check_revocation=False)
    rep = vbsign.validate(res, policy=docs.policy(), trust=docs.pki.roots, now=t0, services=docs.services())
    r = rep.result("ND68-01", "S1")
    assert r.status is RuleStatus.FAILED and r.evidence["source"] == "signing-facts"


def test_validate_an_existing_report_does_not_verify_again(docs):
    rep = vbsign.validate(docs.person_agency_report, policy=docs.policy("cdcv"))
    assert rep.verification is docs.person_agency_report and rep.profile == "cdcv"


def test_a_bad_policy_is_refused_before_verification(docs, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[policy]\nextends = "tt41"\n[levels]\n"VER-99" = "FAIL"\n', "utf-8")
    with pytest.raises(PolicyError) as e:
        vbsign.validate(b"not even a pdf", policy=bad)
    assert e.value.details["line"] == 4


def test_json_round_trip_and_schema(docs):
    jsonschema = pytest.importorskip("jsonschema")
    rep = docs.judge(docs.person_agency_bb_report, direction="outgoing")
    data = json.loads(rep.to_json())
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert data["status"] == "non-compliant" and data["summary_vi"].endswith("quy tắc không đạt)")
    back = ComplianceReport.from_dict(data)
    assert back.status is rep.status and back.indication is rep.indication
    assert [(r.rule_id, r.signature_id, r.status) for r in back.results] == [
        (r.rule_id, r.signature_id, r.status) for r in rep.results
    ]
    assert back.verification.signatures[0].signer.common_name == "Nguyễn Văn A"  # type: ignore[union-attr]


def test_every_result_carries_both_languages_and_a_citation(docs):
    rep = docs.judge(docs.person_agency_bb_report)
    for r in rep.results:
        assert r.message_vi and r.message_en and r.citation_vi and r.citation_en, r.rule_id
        json.dumps(r.evidence)  # evidence is plain JSON


def test_document_facts_from_sign_results(docs):
    facts = DocumentFacts.for_signed([docs.person_blt], direction="outgoing")
    assert facts.direction == "outgoing" and len(facts.signing) == 1
