"""Canonicalisation: stored copies verify; what relays change is named, and still fails."""

from __future__ import annotations

import quopri
import re
from email.message import EmailMessage
from typing import Any

from tests._fixtures.smime import codes, resign
from vbsign.formats.smime.raw import parse_entity, to_crlf
from vbsign.model.report import Indication, SubIndication


def test_stored_copy_with_lf_and_mbox_line_verifies(sign_mail: Any, verify_mail: Any, message: EmailMessage) -> None:
    data = sign_mail(message).data
    stored = b"From thu.nt@bkhcn.vbsign.test Tue Dec  1 10:00:00 2026\n" + data.replace(b"\r\n", b"\n")
    rep = verify_mail(stored).report
    assert rep.indication is Indication.TOTAL_PASSED, codes(rep)
    assert rep.mail.canonical_form == "lf-to-crlf"
    assert {"MAIL_LINE_ENDINGS_CANONICALISED", "MAIL_MBOX_LINE"} <= codes(rep)


def test_signer_signed_lf_and_the_file_has_lf_accepted_with_warning(sign_mail: Any, verify_mail: Any, pki: Any, message: EmailMessage) -> None:
    data = sign_mail(message).data
    first = parse_entity(data).children[0].data
    lf_signed = resign(data, first.replace(b"\r\n", b"\n"), pki).replace(b"\r\n", b"\n")
    rep = verify_mail(lf_signed).report
    assert rep.indication is Indication.TOTAL_PASSED, codes(rep)
    assert "MAIL_SIGNED_NON_CANONICAL" in codes(rep)
    # the same message after a relay converted it to CRLF: explained, and failed
    relayed = verify_mail(to_crlf(lf_signed)).report
    assert relayed.indication is Indication.TOTAL_FAILED and relayed.sub_indication is SubIndication.HASH_FAILURE
    assert "MAIL_LINE_ENDINGS_CHANGED" in codes(relayed) and "MAIL_CONTENT_CHANGED" not in codes(relayed)


def test_boundary_line_break_included_by_the_signer(sign_mail: Any, verify_mail: Any, pki: Any, message: EmailMessage) -> None:
    data = sign_mail(message).data
    first = parse_entity(data).children[0].data
    rep = verify_mail(resign(data, first + b"\r\n", pki)).report
    assert rep.indication is Indication.TOTAL_PASSED and "MAIL_BOUNDARY_CRLF_SIGNED" in codes(rep)


def test_quoted_printable_decoded_by_a_relay_is_named(sign_mail: Any, verify_mail: Any, message: EmailMessage) -> None:
    data = sign_mail(message).data
    m = re.search(rb"(Content-Transfer-Encoding: )quoted-printable(\r\n(?:[^\r\n]+\r\n)*\r\n)(.*?)(?=\r\n--)", data, re.S)
    assert m is not None
    eight_bit = data[: m.start()] + m.group(1) + b"8bit" + m.group(2) + quopri.decodestring(m.group(3)) + data[m.end() :]
    rep = verify_mail(eight_bit).report
    assert rep.indication is Indication.TOTAL_FAILED and "MAIL_TRANSFER_ENCODING_CHANGED" in codes(rep)
    finding = next(f for f in rep.signatures[0].findings if f.code == "MAIL_TRANSFER_ENCODING_CHANGED")
    assert "8BITMIME" in finding.message_en and "8BITMIME" in finding.message_vi


def test_unfolded_headers_are_named(sign_mail: Any, verify_mail: Any, message: EmailMessage) -> None:
    data = sign_mail(message).data
    first = parse_entity(data).children[0]
    header = first.header
    assert re.search(rb"\r\n[ \t]", header)  # the long Subject is folded
    unfolded = re.sub(rb"\r\n([ \t])", rb"\1", header)
    rep = verify_mail(data[: first.start] + unfolded + data[first.start + len(header) :]).report
    assert rep.indication is Indication.TOTAL_FAILED and "MAIL_HEADERS_REWRAPPED" in codes(rep)


def test_a_real_change_is_not_explained_away(sign_mail: Any, verify_mail: Any, message: EmailMessage) -> None:
    data = sign_mail(message).data.replace(b"12/Q", b"13/Q", 1)
    assert b"13/Q" in data
    rep = verify_mail(data).report
    assert rep.indication is Indication.TOTAL_FAILED and "MAIL_CONTENT_CHANGED" in codes(rep)
