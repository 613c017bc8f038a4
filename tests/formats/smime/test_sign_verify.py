"""S/MIME signing and verification: round trips, Vietnamese text, tampering, policy levels."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms

from tests._fixtures.smime import (
    ATTACHMENT,
    ATTACHMENT_NAME,
    BODY,
    SUBJECT,
    codes,
    vietnamese_message,
)
from vbsign._core.errors import CertificateRejected, InputError
from vbsign.formats.smime.raw import parse_entity
from vbsign.mail import parse_message
from vbsign.model.report import Indication, SubIndication


def _content_of(signed: bytes) -> EmailMessage:
    """The message a mail client shows: parsed from the signed bytes."""
    return parse_message(signed)


def _vietnamese_intact(msg: EmailMessage) -> None:
    assert str(msg["Subject"]) == SUBJECT
    texts = [p for p in msg.walk() if p.get_content_type() == "text/plain"]
    assert texts and texts[0].get_content().replace("\r\n", "\n") == BODY  # CRLF is the canonical form
    atts = [p for p in msg.walk() if p.get_filename() and "pkcs7" not in p.get_content_type()]
    assert [a.get_filename() for a in atts] == [ATTACHMENT_NAME]
    assert atts[0].get_payload(decode=True) == ATTACHMENT


@pytest.mark.parametrize("opaque", [False, True])
def test_round_trip_keeps_vietnamese_and_verifies(sign_mail: Any, verify_mail: Any, message: EmailMessage, opaque: bool) -> None:
    signed = sign_mail(message, opaque=opaque)
    assert signed.level == "B-B" and signed.opaque is opaque
    top = parse_message(signed.data)
    expected = "application/pkcs7-mime" if opaque else "multipart/signed"
    assert top.get_content_type() == expected
    if not opaque:
        assert top.get_param("micalg") == "sha-256" and top.get_param("protocol") == "application/pkcs7-signature"
    assert b"\r\n" in signed.data and b"\n" not in signed.data.replace(b"\r\n", b"")  # canonical CRLF
    assert max(len(line) for line in signed.data.split(b"\r\n")) <= 78  # nothing for a gateway to re-wrap
    checked = verify_mail(signed.data)
    rep = checked.report
    assert rep.indication is Indication.TOTAL_PASSED, codes(rep)
    assert rep.document.format == "mail" and rep.mail is not None
    assert rep.mail.layers == ["signed-data" if opaque else "multipart/signed"]
    assert rep.mail.subject == SUBJECT and rep.mail.from_addresses == ["thu.nt@bkhcn.vbsign.test"]
    sig = rep.signatures[0]
    assert sig.signer is not None and sig.signer.common_name == "Nguyễn Thị Thư"
    assert {"signing_time", "smime_capabilities", "signing_certificate_v2", "encrypt_key_pref"} <= set(sig.signed_attributes)
    assert "MAIL_SENDER_MATCHES" in codes(rep)
    # every MIME part is listed, covered by the signature, with the Vietnamese file name
    assert [a.name for a in rep.attachments] == ["[1] text/plain", f"[2] {ATTACHMENT_NAME}"]
    assert all(a.covered_by_envelope and a.indication is Indication.TOTAL_PASSED for a in rep.attachments)
    # what the recipient sees, parsed from the verified content and from the signed bytes
    assert checked.content is not None
    _vietnamese_intact(parse_message(checked.content))
    _vietnamese_intact(_content_of(signed.data) if not opaque else parse_message(checked.content))


def test_all_recipients_survive_folding(sign_mail: Any, verify_mail: Any) -> None:
    """CPython 3.11 drops the address after a Vietnamese display name when it folds a long
    list; vbsign writes address lists itself."""
    to = ", ".join(f"Chuyên viên Phòng số {i} <cv{i}@bkhcn.vbsign.test>" for i in range(9))
    msg = vietnamese_message(to=to, cc="Lãnh đạo Văn phòng <ldvp@bkhcn.vbsign.test>, vt@bkhcn.vbsign.test")
    signed = sign_mail(msg)
    out = parse_message(signed.data)
    assert [a.addr_spec for a in out["To"].addresses] == [f"cv{i}@bkhcn.vbsign.test" for i in range(9)]
    assert [a.display_name for a in out["To"].addresses][3] == "Chuyên viên Phòng số 3"
    assert [a.addr_spec for a in out["Cc"].addresses] == ["ldvp@bkhcn.vbsign.test", "vt@bkhcn.vbsign.test"]
    rep = verify_mail(signed.data).report
    assert rep.indication is Indication.TOTAL_PASSED
    assert len(rep.mail.to) == 9 and rep.mail.protected_headers["Subject"] == SUBJECT


@pytest.mark.parametrize(("label", "pss", "algo"), [
    ("mail-person", False, "sha256_rsa"),
    ("mail-person", True, "rsassa_pss"),
    ("mail-ec", False, "sha256_ecdsa"),
])  # fmt: skip
def test_signature_algorithms(sign_mail: Any, verify_mail: Any, label: str, pss: bool, algo: str) -> None:
    sender = "Hoàng Thị Điệp <diep.ht@bkhcn.vbsign.test>" if label == "mail-ec" else "Nguyễn Thị Thư <thu.nt@bkhcn.vbsign.test>"
    signed = sign_mail(vietnamese_message(sender=sender), label, prefer_pss=pss)
    rep = verify_mail(signed.data).report
    assert rep.indication is Indication.TOTAL_PASSED, codes(rep)
    assert rep.signatures[0].integrity.signature_algorithm == algo
    # an ECDSA certificate cannot receive encrypted mail: no encryption key preference
    assert ("encrypt_key_pref" in rep.signatures[0].signed_attributes) is (label != "mail-ec")


def test_timestamp_gives_b_t(pki: Any, services: Any, mail_key: Any, verify_mail: Any, message: EmailMessage, tsa: Any) -> None:
    from tests._fixtures.smime import T0
    from vbsign.mail import sign_message

    signed = sign_message(message, **mail_key(), trust=pki.roots, services=services, clock=lambda: T0, tsa=tsa)
    assert signed.level == "B-T" and signed.timestamp_time is not None
    sig = verify_mail(signed.data).report.signatures[0]
    assert sig.indication is Indication.TOTAL_PASSED and sig.signing_time_source == "timestamp" and sig.level == "B-T"


def test_capabilities_announce_gcm_first(sign_mail: Any, message: EmailMessage) -> None:
    signed = sign_mail(message)
    sig_part = parse_entity(signed.data).children[1]
    der = parse_message(sig_part.data).get_payload(decode=True)
    si = cms.ContentInfo.load(der)["content"]["signer_infos"][0]
    caps = next(a for a in si["signed_attrs"] if a["type"].native == "smime_capabilities")["values"][0]
    assert [c["capability_id"].native for c in caps][:3] == ["aes256_gcm", "aes128_gcm", "aes256_cbc"]


def test_eight_bit_parts_are_reencoded_before_signing(sign_mail: Any, verify_mail: Any) -> None:
    msg = vietnamese_message()
    assert msg.get_body(("plain",))["Content-Transfer-Encoding"] == "8bit"  # what email writes by default
    signed = sign_mail(msg)
    assert signed.reencoded_parts and all(b < 0x80 for b in signed.data)
    assert verify_mail(signed.data).report.indication is Indication.TOTAL_PASSED
    assert msg.get_body(("plain",))["Content-Transfer-Encoding"] == "8bit"  # the caller's message is untouched


def test_input_message_and_file_are_not_modified(sign_mail: Any, message: EmailMessage, tmp_path: Path) -> None:
    src = tmp_path / "thư gửi đi.eml"
    src.write_bytes(message.as_bytes())
    before = src.read_bytes()
    out = tmp_path / "thư đã ký.eml"
    res = sign_mail(src, output=out)
    assert res.output == out and out.read_bytes() == res.data and src.read_bytes() == before
    with pytest.raises(InputError):
        sign_mail(src, output=src)


# ---- tampering ------------------------------------------------------------------------------------


def _qp_body(data: bytes) -> bytes:
    return re.search(rb"quoted-printable\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n--", data, re.S).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("what", ["body", "attachment", "protected-subject"])
def test_changed_content_is_total_failed(sign_mail: Any, verify_mail: Any, message: EmailMessage, what: str) -> None:
    data = sign_mail(message).data
    if what == "body":
        body = _qp_body(data)
        tampered = data.replace(body, body.replace(b"Tr=C3=A2n", b"Th=C3=A2n", 1))
    elif what == "attachment":
        b64 = re.search(rb"base64\r\nContent-Disposition:.*?\r\n\r\n(\S+)", data, re.S).group(1)  # type: ignore[union-attr]
        tampered = data.replace(b64, b64[:-8] + (b"A" if b64[-8:-7] != b"A" else b"B") + b64[-7:])
    else:  # the Subject copy inside the signed part
        first = parse_entity(data).children[0].data
        tampered = data.replace(first, first.replace(b"Subject: =?utf-8?b?UXV5", b"Subject: =?utf-8?b?UXV6", 1))
    assert tampered != data
    rep = verify_mail(tampered).report
    assert rep.indication is Indication.TOTAL_FAILED and rep.sub_indication is SubIndication.HASH_FAILURE
    assert "MAIL_CONTENT_CHANGED" in codes(rep)
    assert all(a.indication is Indication.TOTAL_FAILED and not a.covered_by_envelope for a in rep.attachments)


def test_changed_opaque_signature_is_total_failed(sign_mail: Any, verify_mail: Any, message: EmailMessage) -> None:
    data = sign_mail(message, opaque=True).data
    der = parse_message(data).get_payload(decode=True)
    idx = der.find("Kính".encode()) if "Kính".encode() in der else der.find(b"K=C3=ADnh")
    assert idx > 0
    bad = der[:idx] + b"X" + der[idx + 1 :]
    from vbsign.formats.smime.mime import build_pkcs7_mime, serialise, split_message

    headers, _ = split_message(parse_message(data))
    rep = verify_mail(serialise(build_pkcs7_mime(headers, bad, "signed-data"))).report
    assert rep.indication is Indication.TOTAL_FAILED


def test_outer_subject_change_is_reported(sign_mail: Any, verify_mail: Any, message: EmailMessage) -> None:
    data = sign_mail(message).data
    top_end = data.index(b"\r\n\r\n")
    header = data[:top_end]
    new_header = re.sub(rb"Subject: .*?\r\n(?=\S)", b"Subject: [EXTERNAL] changed\r\n", header, flags=re.S)
    rep = verify_mail(new_header + data[top_end:]).report
    assert rep.indication is Indication.TOTAL_PASSED  # the signed part is intact…
    changed = [f for f in rep.findings if f.code == "MAIL_HEADER_CHANGED"]
    assert changed and "Subject" in changed[0].message_en and SUBJECT in changed[0].message_vi  # …the signed copy is shown


def test_gateway_footer_outside_the_signature(sign_mail: Any, verify_mail: Any, message: EmailMessage) -> None:
    """A gateway wraps the signed message in multipart/mixed to add a disclaimer part."""
    from email.message import MIMEPart

    from vbsign.formats.smime.mime import POLICY, serialise

    data = sign_mail(message).data
    signed = parse_entity(data)
    wrapper = EmailMessage(policy=POLICY)
    for name, value in parse_message(data).raw_items():
        if not name.lower().startswith("content-") and name.lower() != "mime-version":
            wrapper.set_raw(name, value)
    footer = MIMEPart(policy=POLICY)
    footer.set_content("Thư này đã được quét virus.\n")
    wrapper.set_content("placeholder\n")
    wrapper.make_mixed()
    wrapper.set_boundary("GW-boundary")
    raw = serialise(wrapper)
    # replace the placeholder part by the signed entity, byte for byte, and add the footer
    parts = parse_entity(raw)
    signed_entity = signed.header[signed.header.index(b"Content-Type: multipart/signed") :] + b"\r\n" + signed.body
    wrapped = raw[: parts.children[0].start] + signed_entity + raw[parts.children[0].end :]
    wrapped = wrapped.replace(b"\r\n--GW-boundary--", b"\r\n--GW-boundary\r\n" + serialise(footer) + b"\r\n--GW-boundary--")
    rep = verify_mail(wrapped).report
    assert rep.signatures[0].indication is Indication.TOTAL_PASSED
    assert rep.indication is Indication.INDETERMINATE and rep.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE
    unsigned = [a for a in rep.attachments if not a.covered_by_envelope]
    assert len(unsigned) == 1 and unsigned[0].indication is Indication.NO_SIGNATURE_FOUND
    assert "MAIL_UNSIGNED_PARTS" in codes(rep)
    lenient = verify_mail(wrapped, require_full_coverage=False).report
    assert lenient.indication is Indication.TOTAL_PASSED and "MAIL_UNSIGNED_PARTS" in codes(lenient)


def test_unsigned_message(verify_mail: Any, message: EmailMessage) -> None:
    rep = verify_mail(message.as_bytes()).report
    assert rep.indication is Indication.NO_SIGNATURE_FOUND and "MAIL_NOT_SIGNED" in codes(rep)
    assert rep.mail.subject == SUBJECT and rep.attachments and not rep.attachments[0].covered_by_envelope


# ---- the e-mail rules and the policy -------------------------------------------------------------


def test_certificate_without_email_purpose_is_refused_by_default(sign_mail: Any) -> None:
    msg = vietnamese_message(sender="Lâm Văn Ký <ky.lv@bkhcn.vbsign.test>")
    with pytest.raises(CertificateRejected) as e:
        sign_mail(msg, "mail-noeku")
    assert e.value.details["codes"] == ["MAIL-01"]
    assert "emailProtection" in e.value.reasons[0].en


def _policy(tmp_path: Path, **levels: str) -> Path:
    p = tmp_path / "mail-policy.toml"
    lines = ['[policy]', 'name = "thu-dien-tu"', 'extends = "tt41"', "", "[levels]"]
    lines += [f'"{k.replace("_", "-")}" = "{v}"' for k, v in levels.items()]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_policy_decides_the_level_of_the_email_rules(sign_mail: Any, verify_mail: Any, tmp_path: Path) -> None:
    msg = vietnamese_message(sender="Lâm Văn Ký <ky.lv@bkhcn.vbsign.test>")
    warn = _policy(tmp_path, MAIL_01="WARN")
    signed = sign_mail(msg, "mail-noeku", policy=warn)
    assert any("MAIL-01" in w.en for w in signed.warnings)
    # verification: the same rule, at the level each policy gives it
    strict = verify_mail(signed.data).report  # default profile: MAIL-01 FAIL
    f = next(f for f in strict.signatures[0].findings if f.code == "MAIL_CERT_NOT_FOR_EMAIL")
    assert f.severity.value == "error" and f.details["level"] == "FAIL"
    assert strict.indication is Indication.INDETERMINATE and strict.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    lenient = verify_mail(signed.data, policy=warn).report
    assert lenient.indication is Indication.TOTAL_PASSED
    assert next(f for f in lenient.signatures[0].findings if f.code == "MAIL_CERT_NOT_FOR_EMAIL").severity.value == "warning"
    ignored = verify_mail(signed.data, policy=_policy(tmp_path, MAIL_01="IGNORE")).report
    assert "MAIL_CERT_NOT_FOR_EMAIL" not in codes(ignored)


def test_sender_mismatch_is_a_finding_at_the_policy_level(sign_mail: Any, verify_mail: Any, tmp_path: Path) -> None:
    msg = vietnamese_message(sender="Giả Mạo <lanhdao@bkhcn.vbsign.test>")
    signed = sign_mail(msg)  # default: MAIL-02 WARN → signs, with a warning
    assert any("MAIL-02" in w.en and "lanhdao@bkhcn.vbsign.test" in w.en for w in signed.warnings)
    rep = verify_mail(signed.data).report
    mismatch = next(f for f in rep.signatures[0].findings if f.code == "MAIL_SENDER_MISMATCH")
    assert mismatch.severity.value == "warning" and "thu.nt@bkhcn.vbsign.test" in mismatch.message_vi
    assert rep.indication is Indication.TOTAL_PASSED
    strict = _policy(tmp_path, MAIL_02="FAIL")
    with pytest.raises(CertificateRejected):
        sign_mail(msg, policy=strict)
    rep2 = verify_mail(signed.data, policy=strict).report
    assert rep2.indication is Indication.INDETERMINATE and rep2.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE


def test_sender_matches_the_e_attribute_only_certificate(sign_mail: Any, verify_mail: Any) -> None:
    msg = vietnamese_message(sender="Hoàng Thị Điệp <DIEP.HT@bkhcn.vbsign.test>")  # case differs
    rep = verify_mail(sign_mail(msg, "mail-ec").data).report
    assert rep.indication is Indication.TOTAL_PASSED and "MAIL_SENDER_MISMATCH" not in codes(rep)
    assert rep.signatures[0].signer.email_addresses == ["diep.ht@bkhcn.vbsign.test"]


def test_presign_check_still_applies(sign_mail: Any, message: EmailMessage) -> None:
    with pytest.raises(CertificateRejected) as e:
        sign_mail(message, "revoked")
    assert "REVOKED" in e.value.details["codes"]


def test_policy_engine_evaluates_mail_rules(sign_mail: Any, verify_mail: Any, sample_pdf: bytes, sign_as: Callable[..., bytes],
                                            verify_at: Any) -> None:  # fmt: skip
    from vbsign.policy import evaluate

    msg = vietnamese_message(sender="Người khác <khac@bkhcn.vbsign.test>")
    rep = verify_mail(sign_mail(msg).data).report
    results = {r.rule_id: r for r in evaluate(rep, "tt41").results}
    assert results["MAIL-01"].status.value == "passed" and results["MAIL-02"].status.value == "failed"
    assert results["MAIL-02"].level.value == "WARN"
    pdf_rep = verify_at(sign_as("person", sample_pdf, level="B-B"), fetch=True)
    pdf_results = {r.rule_id: r for r in evaluate(pdf_rep, "tt41").results}
    assert pdf_results["MAIL-01"].status.value == "not-applicable"


def test_mail_report_matches_the_json_schema(sign_mail: Any, verify_mail: Any, message: EmailMessage) -> None:
    import json

    import jsonschema

    from vbsign.model.report import Report, json_schema

    rep = verify_mail(sign_mail(message).data).report
    data = json.loads(rep.to_json())
    jsonschema.validate(data, json_schema())
    back = Report.from_dict(data)
    assert back.mail == rep.mail and back.attachments[1].name.endswith(ATTACHMENT_NAME)
    assert back.signatures[0].signer.email_addresses == ["thu.nt@bkhcn.vbsign.test"]
