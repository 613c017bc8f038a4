"""The public API's options are named, typed, documented keywords (issue 19)."""

from __future__ import annotations

import inspect
from datetime import datetime, timezone
from pathlib import Path

import pytest

import vbsign
import vbsign.mail
from vbsign.errors import InputError
from vbsign.pki.validation import Services

#: every public function whose options are keywords, with its docs in its docstring
DOCUMENTED = [
    vbsign.sign,
    vbsign.async_sign,
    vbsign.sign_many,
    vbsign.verify,
    vbsign.async_verify,
    vbsign.validate,
    vbsign.async_validate,
    vbsign.Signer.sign,
    vbsign.Signer.async_sign,
    vbsign.Signer.sign_many,
    vbsign.Signer.async_sign_many,
]
#: every public function that must take no ``**kwargs``
TYPED = [
    *DOCUMENTED,
    vbsign.Signer.__init__,
    vbsign.verify_xml,
    vbsign.async_verify_xml,
    vbsign.mail.sign_message,
    vbsign.mail.async_sign_message,
    vbsign.mail.verify_message,
    vbsign.mail.async_verify_message,
    vbsign.mail.encrypt_message,
    vbsign.mail.async_encrypt_message,
    vbsign.mail.decrypt_message,
    vbsign.mail.async_decrypt_message,
]


@pytest.mark.parametrize("fn", TYPED, ids=lambda f: f.__qualname__)
def test_no_catch_all_keywords_and_every_option_typed(fn: object) -> None:
    params = inspect.signature(fn).parameters.values()  # type: ignore[arg-type]
    assert not [p for p in params if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    untyped = [p.name for p in params if p.name != "self" and p.annotation is inspect.Parameter.empty]
    assert untyped == []


@pytest.mark.parametrize("fn", DOCUMENTED, ids=lambda f: f.__qualname__)
def test_help_shows_every_option(fn: object) -> None:
    doc = inspect.getdoc(fn) or ""
    for name in inspect.signature(fn).parameters:  # type: ignore[arg-type]
        if name != "self":
            assert f":param {name}:" in doc, name


def test_sync_and_async_twins_take_the_same_options() -> None:
    pairs = [
        (vbsign.sign, vbsign.async_sign),
        (vbsign.verify, vbsign.async_verify),
        (vbsign.validate, vbsign.async_validate),
        (vbsign.Signer.sign, vbsign.Signer.async_sign),
        (vbsign.Signer.sign_many, vbsign.Signer.async_sign_many),
        (vbsign.verify_xml, vbsign.async_verify_xml),
        (vbsign.mail.sign_message, vbsign.mail.async_sign_message),
        (vbsign.mail.verify_message, vbsign.mail.async_verify_message),
        (vbsign.mail.encrypt_message, vbsign.mail.async_encrypt_message),
        (vbsign.mail.decrypt_message, vbsign.mail.async_decrypt_message),
    ]
    for sync, asyn in pairs:
        s, a = inspect.signature(sync), inspect.signature(asyn)
        assert list(s.parameters) == list(a.parameters), sync.__qualname__
        assert [p.default for p in s.parameters.values()] == [p.default for p in a.parameters.values()]


def test_a_misspelt_keyword_names_the_public_function(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"^sign\(\) got an unexpected keyword argument 'levle'"):
        vbsign.sign(b"%PDF-1.7", key=tmp_path / "k.p12", levle="B-B")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"^verify\(\) got an unexpected keyword argument 'trusted'"):
        vbsign.verify(b"%PDF-1.7", trusted=[])  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"^validate\(\) got an unexpected keyword argument 'polcy'"):
        vbsign.validate(b"%PDF-1.7", polcy="tt41")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"Signer\.sign\(\) got an unexpected keyword argument 'reson'"):
        vbsign.Signer.sign(object(), b"", reson="x")  # type: ignore[arg-type, call-arg]


def test_enums_accept_their_strings_in_any_case() -> None:
    assert vbsign.Level.parse("b-lt") is vbsign.Level.B_LT
    assert vbsign.Level.parse("LTA") is vbsign.Level.B_LTA
    assert vbsign.Level.parse("b_t") is vbsign.Level.B_T
    assert vbsign.Level.B_LT == "B-LT"
    assert vbsign.ValidationTime.parse("NOW") is vbsign.ValidationTime.NOW
    assert vbsign.Packaging.parse("Detached") is vbsign.Packaging.DETACHED
    assert vbsign.XadesTransform.parse("FILTER2") is vbsign.XadesTransform.FILTER2
    assert vbsign.SignatureFormat.parse("PAdES") is vbsign.SignatureFormat.PDF
    assert vbsign.Role.parse("Agency") is vbsign.Role.AGENCY
    assert {r.value for r in vbsign.Role} == {"person", "agency", "attachment", "copy"}


@pytest.mark.parametrize(
    ("cls", "bad", "allowed"),
    [
        (vbsign.Level, "B-XL", "B-B, B-T, B-LT, B-LTA"),
        (vbsign.ValidationTime, "yesterday", "signing, now"),
        (vbsign.Packaging, "wrapped", "enveloped, enveloping, detached"),
    ],
)
def test_a_wrong_choice_is_a_bilingual_error_naming_the_allowed_values(cls: type, bad: str, allowed: str) -> None:
    with pytest.raises(InputError) as exc:
        cls.parse(bad)  # type: ignore[attr-defined]
    assert allowed in exc.value.message_vi and allowed in exc.value.message_en
    assert "không hợp lệ" in exc.value.message_vi and "Invalid" in exc.value.message_en


def test_validation_time_takes_an_enum_a_string_or_a_datetime(sample_pdf: bytes) -> None:
    offline = Services(online=False)
    moment = datetime(2030, 1, 2, 3, 4, tzinfo=timezone.utc)
    rep = vbsign.verify(sample_pdf, at=moment, services=offline)
    assert rep.validation_time_mode == "now" and rep.validation_time == moment
    assert vbsign.verify(sample_pdf, at="NOW", services=offline).validation_time_mode == "now"
    assert vbsign.verify(sample_pdf, at=vbsign.ValidationTime.SIGNING, services=offline).validation_time_mode == "signing"
    with pytest.raises(InputError):
        vbsign.verify(sample_pdf, at="later", services=offline)


def test_async_sign_and_async_validate_are_top_level() -> None:
    assert inspect.iscoroutinefunction(vbsign.async_sign)
    assert inspect.iscoroutinefunction(vbsign.async_validate)
    assert {"async_sign", "async_validate", "Level", "ValidationTime", "Role"} <= set(vbsign.__all__)
