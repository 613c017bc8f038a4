"""RFC 7512 URIs: what users type (Vietnamese labels, apostrophes, spaces) and what we print."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbsign._core.errors import InputError
from vbsign.backends.pkcs11_uri import Pkcs11Uri, format_uri, parse_uri

VIETTEL = "TRẦN NGỌC TÚ's Viettel-CA SHA2 Certificate"


def test_issue_example_decodes_vietnamese_labels() -> None:
    uri = parse_uri(
        "pkcs11:token=VGCA%20Token;object=Nguy%E1%BB%85n%20V%C4%83n%20A"
        "?module-path=/usr/lib/softhsm/libsofthsm2.so"
    )
    assert uri.token == "VGCA Token"
    assert uri.object == "Nguyễn Văn A"
    assert uri.module_path == "/usr/lib/softhsm/libsofthsm2.so"
    assert uri.id is None and uri.type is None


def test_raw_spaces_apostrophes_and_diacritics_are_accepted() -> None:
    # what a clerk pastes from the token manager: not percent-encoded at all
    uri = parse_uri(f"pkcs11:token=Viettel-CA Token;object={VIETTEL}")
    assert uri.object == VIETTEL
    assert uri.token == "Viettel-CA Token"


def test_decomposed_input_is_normalised_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", VIETTEL)
    assert nfd != VIETTEL
    assert parse_uri(f"pkcs11:object={nfd}").object == VIETTEL


def test_format_is_shell_safe_and_round_trips() -> None:
    uri = Pkcs11Uri(token="Token Bộ KH&CN", object=VIETTEL, id=b"\x01\xff", module_path="/usr/lib/x.so")
    text = format_uri(uri)
    assert "'" not in text and " " not in text and "&CN" not in text  # & inside a value is encoded
    assert text.startswith("pkcs11:token=Token%20B%E1%BB%99%20KH%26CN;object=TR%E1%BA%A6N")
    assert ";id=%01%FF" in text and text.endswith("?module-path=/usr/lib/x.so")
    back = parse_uri(text)
    assert (back.token, back.object, back.id, back.module_path) == (uri.token, uri.object, uri.id, uri.module_path)


@given(
    label=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
    ident=st.binary(max_size=8),
)
def test_any_label_and_id_round_trip(label: str, ident: bytes) -> None:
    uri = Pkcs11Uri(token="t", object=label, id=ident or None)
    back = parse_uri(format_uri(uri))
    assert back.object == unicodedata.normalize("NFC", label)
    assert back.id == (ident or None)


def test_x_subject_vendor_attribute() -> None:
    assert parse_uri("pkcs11:token=a;x-subject=Nguy%E1%BB%85n%20V%C4%83n%20A").subject == "Nguyễn Văn A"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("pkcs11:token=a;label=b", "label"),  # typo for object=: never silently ignored
        ("pkcs11:token=a;token=b", "twice"),
        ("pkcs11:object=a%2", "hex"),
        ("pkcs11:object=a%zz", "hex"),
        ("pkcs11:type=secret-key", "type"),
        ("pkcs11:object", "=value"),
        ("pkcs11:id=%ff%fe;object=%ff", "UTF-8"),
        ("file:/tmp/x.p12", "pkcs11:"),
        ("pkcs11:token=a?pin-source=env:PIN", "pin-source"),
    ],
)
def test_malformed_uris_are_typed_errors(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as ei:
        parse_uri(text)
    assert fragment in ei.value.message_en
    assert ei.value.message_vi  # bilingual


def test_pin_value_is_refused_without_echoing_the_pin() -> None:
    with pytest.raises(InputError) as ei:
        parse_uri("pkcs11:token=a;object=b?pin-value=9876-secret")
    assert "pin-value" in ei.value.message_en
    assert "9876-secret" not in str(ei.value) and "9876-secret" not in repr(ei.value.to_dict())


def test_slot_id_is_refused_with_advice() -> None:
    with pytest.raises(InputError) as ei:
        parse_uri("pkcs11:slot-id=924396906;object=a")
    assert "token=" in ei.value.message_en and "serial=" in ei.value.message_en


def test_pin_source_file_is_kept_but_never_printed() -> None:
    uri = parse_uri("pkcs11:token=a?pin-source=file:/run/secrets/pin")
    assert uri.pin_source == "file:/run/secrets/pin"
    assert "pin" not in format_uri(uri).split("?")[-1]
