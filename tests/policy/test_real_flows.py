"""The Vietnamese rules on certificates shaped like the real ones and in the real flows:
leader + seal ĐẠT, one of the two KHÔNG ĐẠT (tt41 and cdcv); directions; the regime of
``auto`` follows the document; the registry classifies what the certificate cannot say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vbsign.model.signers import SignerRecord
from vbsign.policy import DocumentFacts, RuleStatus, evaluate
from vbsign.policy.result import STATUS_TEXT, ComplianceStatus

T0_ISO = "2026-12-01T03:00:00+00:00"


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """The CLI in-process, in a copied context (its --lang must not leak into other tests)."""
    import contextvars

    from vbsign.cli.main import main

    ctx = contextvars.copy_context()
    code = 0
    try:
        ctx.run(main, list(argv))
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 3)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("profile", ["tt41", "cdcv"])
def test_leader_and_seal_is_dat_one_of_them_is_khong_dat(docs, profile):
    both = docs.judge(docs.person_agency_report, profile)
    assert both.status is ComplianceStatus.COMPLIANT, [(r.rule_id, r.message_en) for r in both.failures()]
    assert STATUS_TEXT[both.status].vi == "ĐẠT"
    assert {s.signer_class for s in both.signers} == {"person", "organisation"}
    leader_only = docs.judge(docs.person_only_report, profile)
    assert leader_only.status is ComplianceStatus.NON_COMPLIANT and STATUS_TEXT[leader_only.status].vi == "KHÔNG ĐẠT"
    assert leader_only.result("VER-12").status is RuleStatus.FAILED
    seal_only = docs.judge(docs.agency_only_report, profile)
    assert seal_only.status is ComplianceStatus.NON_COMPLIANT
    assert seal_only.result("VER-12").status is RuleStatus.FAILED
    assert seal_only.result("TT41-02", "S1").status is RuleStatus.FAILED  # the seal key in the person's place


def test_the_agency_with_two_ous_is_an_organisation_too(docs):
    first = docs.sign("person", docs.sample, "B-LT").data
    rep = docs.judge(docs.verify(docs.sign("agency-unit", first, "B-LT").data))
    assert rep.result("VER-12").status is RuleStatus.PASSED and rep.result("TT41-02", "S2").status is RuleStatus.PASSED


def test_incoming_documents_apply_only_incoming_duties(docs):
    incoming = docs.judge(docs.person_agency_bb_report, direction="incoming")
    r = incoming.result("TT41-01", "S1")
    assert r.status is RuleStatus.FAILED and r.other_party and r.effective_level.value == "INFORM"
    assert "the sender's duty" in r.message_en and r not in incoming.failures()
    assert not any(x.rule_id in ("TT41-01", "ND68-01", "TT15-04") for x in incoming.failures())
    outgoing = docs.judge(docs.person_agency_bb_report, direction="outgoing")
    assert outgoing.result("TT41-01", "S1") in outgoing.failures()
    # the receiver's duties stay: VER-10 decides, TT41-04 asks for a receipt timestamp
    assert incoming.result("VER-10").status is RuleStatus.PASSED
    assert outgoing.result("VER-10").status is RuleStatus.NOT_APPLICABLE


def test_cli_direction_incoming_and_document_kind(capsys, files):
    code, out, _ = run(
        capsys, "validate", str(files["bb"]), "--policy", str(files["policy"]), "--trust", str(files["roots"]),
        "--offline", "--now", T0_ISO, "--direction", "incoming", "--json",
    )  # fmt: skip
    data = json.loads(out)[0]
    tt41_01 = [r for r in data["results"] if r["rule_id"] == "TT41-01"]
    assert tt41_01 and all(r["other_party"] and r["effective_level"] == "INFORM" for r in tt41_01)
    assert all(r["direction"] == "outgoing" for r in tt41_01)
    # --document-kind other: 'auto' applies the public rules (the certificates are CDCV: VER-04 says so)
    auto = files["policy"].with_name("auto.toml")
    auto.write_text(files["policy"].read_text("utf-8").replace('extends = "tt41"', 'extends = "auto"'), "utf-8")
    code, out, _ = run(
        capsys, "validate", str(files["good"]), "--policy", str(auto), "--trust", str(files["roots"]),
        "--offline", "--now", T0_ISO, "--document-kind", "other", "--json",
    )  # fmt: skip
    data = json.loads(out)[0]
    assert data["profile"] == "public" and code == 1
    code, out, _ = run(
        capsys, "validate", str(files["good"]), "--policy", str(auto), "--trust", str(files["roots"]),
        "--offline", "--now", T0_ISO, "--document-kind", "official", "--json",
    )  # fmt: skip
    assert json.loads(out)[0]["profile"] == "cdcv" and code == 0


def test_the_registry_classifies_a_certificate_its_name_cannot(docs, tmp_path: Path):
    """A system certificate signs, the agency seals: unknown from the certificate, a person
    in the certificate registry (through the vbsign_signer_class hook)."""
    pytest.importorskip("sqlalchemy")
    from vbsign.api import compliance
    from vbsign.plugins import manager
    from vbsign.registry import Registry
    from vbsign.registry.plugin import RegistrySignerClassifier

    first = docs.sign("service-system", docs.sample, "B-LT").data
    report = docs.verify(docs.sign("agency", first, "B-LT").data)
    unknown = docs.judge(report)
    assert unknown.result("TT41-02", "S1").status is RuleStatus.INDETERMINATE
    with Registry.open(f"sqlite:///{tmp_path / 'reg.sqlite3'}", create=True) as reg:
        reg.add_unit("CDS", "Cục Chuyển đổi số quốc gia")
        sub = reg.add_subscriber("Hệ thống quản lý văn bản và điều hành (TEST)", "CDS", title="Hệ thống ký thay")
        reg.import_certificates([docs.pki.cert("service-system")], subscriber=sub.id)
        pm = manager.PluginManager()
        pm.add_plugin(RegistrySignerClassifier(reg), "registry-test")
        with manager.use_plugin_manager(pm):
            rep = compliance.validate(report, policy=docs.policy())
    r = rep.result("TT41-02", "S1")
    assert r.status is RuleStatus.PASSED and r.evidence["classified_by"] == "record"
    assert "subscriber #" in r.evidence["classification"][0]
    # the policy stays pure: the same record, passed by the caller, gives the same answer
    fp = docs.pki_fingerprint("service-system")
    facts = DocumentFacts(signer_records={fp: SignerRecord("person", "host")})
    assert evaluate(report, docs.policy(), facts).result("TT41-02", "S1").status is RuleStatus.PASSED


@pytest.fixture
def files(docs, tmp_path: Path, pki_dir: Path) -> dict[str, Path]:
    good = tmp_path / "van-ban-di.pdf"
    good.write_bytes(docs.person_agency)
    bb = tmp_path / "khong-dau-thoi-gian.pdf"
    bb.write_bytes(docs.sign("agency", docs.person_bb, "B-B").data)
    pol = tmp_path / "test.toml"
    pol.write_text(docs.policy_text("tt41"), "utf-8")
    return {"good": good, "bb": bb, "policy": pol, "roots": pki_dir / "roots.pem"}


def test_policy_show_tt41_lists_the_catalogue_with_citations(capsys):
    code, out, _ = run(capsys, "policy", "show", "tt41", "--json")
    assert code == 0
    rules = [r for r in json.loads(out)["rules"] if not r["id"].startswith("EXP-")]
    assert len(rules) >= 45 and all(r["citation_vi"] and r["citation_en"] for r in rules)
    assert {r["direction"] for r in rules} == {"outgoing", "incoming", "both"}
    code, text, _ = run(capsys, "--lang", "en", "policy", "show", "tt41")
    assert "TT41-01   MANDATORY (FAIL) — outgoing (the sender's duty)" in text
