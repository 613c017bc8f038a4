"""The import paths users and the docs use keep working after the layering of issue 19."""

from __future__ import annotations

import importlib.metadata
import pickle
import subprocess
import sys

import pytest


def test_top_level_names():
    import vbsign.api.compliance
    import vbsign.api.extensions
    import vbsign.api.signer
    import vbsign.api.verification
    import vbsign.model.sign
    import vbsign.report

    assert vbsign.sign is vbsign.api.signer.sign and vbsign.Signer is vbsign.api.signer.Signer
    assert vbsign.verify is vbsign.api.verification.verify
    assert vbsign.validate is vbsign.api.compliance.validate
    assert vbsign.SignResult is vbsign.model.sign.SignResult
    assert vbsign.Report is vbsign.report.Report
    assert vbsign.open_key is vbsign.api.extensions.open_key  # plugins' schemes included
    assert callable(vbsign.enable_speedups) and callable(vbsign.verify_xml)
    for name in vbsign.__all__:
        assert getattr(vbsign, name) is not None, name
    # the package facade and the top level agree
    assert vbsign.api.Signer is vbsign.Signer and vbsign.api.verify is vbsign.verify
    assert vbsign.api.SignResult is vbsign.SignResult


def test_errors_are_public_under_vbsign_errors():
    import vbsign._core.errors as core
    import vbsign.errors as errors

    for name in errors.__all__:
        assert getattr(errors, name) is getattr(core, name)
    from vbsign.i18n import Msg

    err = errors.CertificateRejected(Msg("vi", "en"), details={"codes": ["EXPIRED"]})
    assert type(err).__module__ == "vbsign.errors"  # tracebacks name the public path
    assert "vbsign.errors.CertificateRejected" in repr(type(err))
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is errors.CertificateRejected and copy.msg == err.msg and copy.details == err.details


def test_report_i18n_and_mail_aliases():
    import vbsign.api.mail
    import vbsign.i18n
    import vbsign.mail
    import vbsign.model.report
    import vbsign.report

    for name in vbsign.report.__all__:
        assert getattr(vbsign.report, name) is getattr(vbsign.model.report, name)
    assert vbsign.report.json_schema()["$id"]
    assert vbsign.i18n.Msg("a", "b").get("en") == "b"
    for name in ("sign_message", "verify_message", "encrypt_message", "decrypt_message", "mail_levels"):
        assert getattr(vbsign.mail, name) is getattr(vbsign.api.mail, name)
    assert vbsign.mail.MailVerification and vbsign.mail.parse_message and vbsign.mail.DEFAULT_CIPHER


def test_host_policy_backends_packages():
    import vbsign.backends
    import vbsign.host
    import vbsign.policy

    for name in ("on_send", "on_receive", "async_on_send", "SendContext", "ReceiveContext", "OutgoingDocument",
                 "IncomingDocument", "EvidenceBundle", "SendDecision", "on_mail_send", "MailSendContext"):
        assert hasattr(vbsign.host, name), name
    for name in ("load_policy", "default_registry", "evaluate", "Rule", "Profile", "DocumentFacts",
                 "ComplianceReport", "PolicyRegistry", "Citation", "passed", "failed"):
        assert hasattr(vbsign.policy, name), name
    assert vbsign.policy.load_policy("tt41").name == "tt41"
    for name in ("open_key", "register_backend", "registered_schemes", "SigningKey", "KeyTransport"):
        assert hasattr(vbsign.backends, name), name


def test_plugin_contract_is_unchanged():
    from vbsign.plugins import ENTRY_POINT_GROUP, SignDecision, SignRequest, hook_names, hookimpl
    from vbsign.plugins.lifecycle import SignatureVetoed

    assert ENTRY_POINT_GROUP == "vbsign" and hookimpl is not None
    assert SignDecision.refuse("không", "no").veto is not None and SignRequest and SignatureVetoed
    assert hook_names() == [
        "vbsign_key_backends", "vbsign_policy_rules", "vbsign_policy_profiles", "vbsign_signer_class",
        "vbsign_trust_anchors", "vbsign_timestamper", "vbsign_revocation_source", "vbsign_audit_event",
        "vbsign_certificate_alert", "vbsign_report_renderers", "vbsign_before_sign", "vbsign_after_sign",
        "vbsign_after_verify", "vbsign_on_send", "vbsign_on_receive", "vbsign_mail_recipient_certificates",
        "vbsign_on_mail_send", "vbsign_on_mail_receive",
    ]
    eps = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="vbsign")}
    assert eps.get("vbsign-builtins") == "vbsign.plugins.builtin"
    assert eps.get("vbsign-registry") == "vbsign.registry.plugin"


@pytest.mark.parametrize("module", ["vbsign", "vbsign.api", "vbsign.plugins", "vbsign.policy"])
def test_importing_a_public_package_loads_no_add_on(module: str):
    """The core never imports the registry or the test PKI (import-linter checks the code; this
    checks what actually gets loaded)."""
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith(('vbsign.registry', 'vbsign.testpki'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
