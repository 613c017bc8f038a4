"""Selecting tokens and certificates: by label, ID or subject; clear errors when ambiguous."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from vbsign.backends import open_key
from vbsign.backends.pkcs11_errors import (
    AmbiguousSelection,
    ObjectNotFound,
    PinRequired,
    TokenNotFound,
)
from vbsign.backends.pkcs11_uri import Pkcs11Uri, format_uri

VIETTEL = "TRẦN NGỌC TÚ's Viettel-CA SHA2 Certificate"


def _cn(key: Any) -> str:
    return str(key.certificate.subject.native["common_name"])


@pytest.mark.parametrize("by", ["label", "id", "subject"])
def test_select_by_label_id_or_subject(softhsm: Any, by: str) -> None:
    with open_key(softhsm.uri_of("person", by=by), pin=softhsm.pin) as key:
        assert _cn(key) == "Nguyễn Văn A"
        assert key.certificate.dump() == softhsm.ids["person"].cert.dump()


@pytest.mark.parametrize(
    "typed",
    [
        f"pkcs11:token=Token Bộ KH&CN;object={VIETTEL}",  # raw, as pasted from a token manager
        "pkcs11:token=Token%20B%E1%BB%99%20KH%26CN;object=" + VIETTEL.replace(" ", "%20").replace("'", "%27"),
        f"pkcs11:token=Token Bộ KH&CN;object={unicodedata.normalize('NFD', VIETTEL)}",  # decomposed input
        f"pkcs11:token=token bộ kh&cn;object={VIETTEL.lower()}",  # case differs: accepted when unique
    ],
)
def test_viettel_style_label_with_diacritics_apostrophe_and_spaces(softhsm: Any, typed: str) -> None:
    with open_key(typed, module=softhsm.module, pin=softhsm.pin) as key:
        assert _cn(key) == "Nguyễn Văn A"
        key.login()  # the private key is found by CKA_ID although its label is "Private Key"
        assert key.always_authenticate is False


def test_key_label_different_from_certificate_label_selects_through_the_public_key(softhsm: Any) -> None:
    # pyHanko #456: selecting by the *key's* label must still find the certificate
    with open_key(softhsm.uri(softhsm.ids["person"].token, object="Private Key"), pin=softhsm.pin) as key:
        assert _cn(key) == "Nguyễn Văn A"


def test_type_private_selects_the_private_key_by_its_label(softhsm: Any) -> None:
    uri = softhsm.uri(softhsm.ids["agency"].token, object="Con dấu Bộ KH&CN", type="private")
    with open_key(uri, pin=softhsm.pin) as key:
        assert key.logged_in  # type=private needs the login to see the key
        assert _cn(key) == softhsm.ids["agency"].cert.subject.native["common_name"]


def test_several_certificates_without_object_is_an_ambiguity_listing_usable_uris(softhsm: Any) -> None:
    with pytest.raises(AmbiguousSelection) as ei:
        open_key(softhsm.uri(softhsm.ids["person"].token), pin=softhsm.pin)
    err = ei.value
    assert len(err.candidates) == 2
    assert "Nguyễn Văn A" in err.message_vi and "2" in err.message_en
    # every URI offered in the message opens exactly one of the certificates
    names = set()
    for uri in err.candidates:
        assert uri in err.message_vi
        with open_key(uri, pin=softhsm.pin) as key:
            names.add(_cn(key))
    assert len(names) == 2 and "Nguyễn Văn A" in names


def test_a_token_with_one_user_certificate_needs_no_object(softhsm: Any) -> None:
    # the always-authenticate token holds one certificate: "pkcs11:token=…" is enough
    with open_key(softhsm.uri(softhsm.ids["always"].token), pin=softhsm.pin) as key:
        assert _cn(key) == softhsm.ids["always"].cert.subject.native["common_name"]


def test_two_tokens_with_the_same_label_are_told_apart_by_serial(softhsm: Any) -> None:
    with pytest.raises(AmbiguousSelection) as ei:
        open_key(softhsm.uri("Token trùng nhãn"), pin=softhsm.pin)
    cands = ei.value.candidates
    assert len(cands) == 2 and all(";serial=" in c for c in cands)
    with pytest.raises(ObjectNotFound):  # the serial selects one token (it has no certificate)
        open_key(cands[0], pin=softhsm.pin)


def test_unknown_token_lists_the_tokens_present(softhsm: Any) -> None:
    with pytest.raises(TokenNotFound) as ei:
        open_key(softhsm.uri("Token không có"), pin=softhsm.pin)
    assert "Token%20B%E1%BB%99%20KH%26CN" in ei.value.message_en
    assert "Token không có" in ei.value.message_vi


def test_unknown_object_lists_the_certificates_with_their_uris(softhsm: Any) -> None:
    with pytest.raises(ObjectNotFound) as ei:
        open_key(softhsm.uri(softhsm.ids["person"].token, object="Không có"), pin=softhsm.pin)
    msg = ei.value.message_en
    assert "Nguyễn Văn A" in msg and format_uri(Pkcs11Uri(token=softhsm.ids["person"].token)).split("?")[0] in msg


def test_unknown_option_is_refused(softhsm: Any) -> None:
    from vbsign._core.errors import InputError

    with pytest.raises(InputError):
        open_key(softhsm.uri_of("person"), pin=softhsm.pin, modul="/typo")


def test_token_hiding_its_certificates_until_login(softhsm: Any, pki: Any) -> None:
    """Some tokens mark certificates CKA_PRIVATE: vbsign logs in (once) to find them."""
    entry = softhsm.ids["hidden"]
    with open_key(softhsm.uri(entry.token), pin=softhsm.pin) as key:
        assert key.logged_in and key.login_count == 1
        assert key.certificate.dump() == pki.cert("agency-b").dump()
        key.login()  # idempotent: no second login
        assert key.login_count == 1
    with pytest.raises(PinRequired):  # without a PIN it cannot even see the certificate
        open_key(softhsm.uri(entry.token))
