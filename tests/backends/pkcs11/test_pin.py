"""PINs: typed errors with the token's remaining-tries state, no retries, never leaked."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from vbsign import api
from vbsign._core.secrets import Secret
from vbsign.backends import open_key
from vbsign.backends.pkcs11 import PinPrompt
from vbsign.backends.pkcs11_errors import (
    CKF_USER_PIN_COUNT_LOW,
    CKF_USER_PIN_FINAL_TRY,
    CKF_USER_PIN_LOCKED,
    PinIncorrect,
    PinRequired,
    PinState,
)
from vbsign.backends.pkcs11_uri import Pkcs11Uri, format_uri


def _spy_uri(spy: Any, softhsm: Any, name: str) -> str:
    p = softhsm.ids[name]
    return format_uri(Pkcs11Uri(token=p.token, object=p.label, module_path=spy.module))


def test_wrong_pin_is_a_typed_error_with_the_token_state_and_one_login(softhsm: Any, spy: Any) -> None:
    key = open_key(_spy_uri(spy, softhsm, "person-ec"), pin="0000-wrong")
    with pytest.raises(PinIncorrect) as ei:
        key.login()
    err = ei.value
    # SoftHSM raises CKF_USER_PIN_COUNT_LOW after a failure; vbsign reads and reports it
    assert err.pin_state.count_low and not err.pin_state.locked
    assert err.details["pin_state"]["count_low"] is True
    assert "không tự thử lại" in err.message_vi and "does not retry" in err.message_en
    assert "few tries remain" in err.message_en
    assert spy.logins() == ["CKU_USER"]  # exactly one C_Login: vbsign never retried
    # a later login attempt is a new, explicit decision by the caller: still one call each
    with pytest.raises(PinIncorrect):
        key.login()
    assert spy.logins() == ["CKU_USER", "CKU_USER"]
    key.close()
    with open_key(_spy_uri(spy, softhsm, "person-ec"), pin=softhsm.pin, login=True) as good:
        assert good.logged_in
    assert spy.logins() == ["CKU_USER"] * 3


def test_missing_pin_is_a_typed_error_before_any_login(softhsm: Any, spy: Any) -> None:
    with open_key(_spy_uri(spy, softhsm, "person-ec")) as key, pytest.raises(PinRequired) as ei:
        key.login()
    assert "--pin-env" in ei.value.message_en
    assert spy.logins() == []


def test_pin_callback_is_told_the_token_state(softhsm: Any) -> None:
    prompts: list[PinPrompt] = []

    def ask(prompt: PinPrompt) -> Secret:
        prompts.append(prompt)
        return Secret(softhsm.pin)

    with open_key(softhsm.uri_of("person-ec"), pin_callback=ask, login=True):
        pass
    (p,) = prompts
    assert p.token_label == softhsm.ids["person-ec"].token and not p.context_specific
    assert p.question().vi.startswith("Nhập PIN của thiết bị ký")


def test_pin_source_file_from_the_uri(softhsm: Any, tmp_path: Any) -> None:
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(softhsm.pin + "\n")
    uri = softhsm.uri_of("person-ec") + f"&pin-source=file:{pin_file}"
    with open_key(uri, login=True) as key:
        assert key.logged_in


@pytest.mark.parametrize(
    ("flags", "expected", "vi_word"),
    [
        (0, PinState(), ""),
        (CKF_USER_PIN_COUNT_LOW, PinState(count_low=True), "lần thử còn lại ít"),
        (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY, PinState(count_low=True, final_try=True), "MỘT LẦN THỬ"),
        (CKF_USER_PIN_LOCKED, PinState(locked=True), "bị khóa"),
    ],
)
def test_pin_state_from_token_flags(flags: int, expected: PinState, vi_word: str) -> None:
    state = PinState.from_flags(flags | 0x40D)  # with the usual RNG/LOGIN_REQUIRED/... bits
    assert state == expected
    assert vi_word in state.describe().vi
    assert bool(state.describe().en) == bool(vi_word)


def _capture_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("", "vbsign", "pyhanko", "pyhanko_certvalidator", "pkcs11", "asyncio"):
        logging.getLogger(name).setLevel(logging.DEBUG)


def test_pin_never_appears_in_logs_errors_reprs_or_reports(
    softhsm: Any, pki: Any, services: Any, tsa: Any, t0: Any, sample_pdf: bytes, verify_at: Any,
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], tmp_path: Any,
) -> None:
    _capture_everything(caplog)
    seen: list[str] = []
    # 1. a successful batch (always-authenticate key: the PIN is used for every signature)
    for i in range(2):
        (tmp_path / f"in{i}.pdf").write_bytes(sample_pdf)
    pin_secret = Secret(softhsm.pin)
    result = api.sign_many(
        [tmp_path / "in0.pdf", tmp_path / "in1.pdf"], tmp_path / "out",
        key=softhsm.uri_of("always"), pin=pin_secret, trust=pki.roots, tsa=tsa,
        services=services, clock=lambda: t0,
    )
    assert result.ok, result.summary().en
    seen += [repr(result), str(result.to_dict()), repr(pin_secret), str(pin_secret)]
    report = verify_at((tmp_path / "out" / "in0.pdf").read_bytes())
    seen += [report.to_json(), repr(report)]
    # 2. a wrong PIN (the wrong value is a secret too)
    wrong = "Wrong#5152-abc"
    with open_key(softhsm.uri_of("person"), pin=wrong) as key:
        seen.append(repr(key))
        with pytest.raises(PinIncorrect) as ei:
            key.login()
        seen += [str(ei.value), repr(ei.value), str(ei.value.to_dict()), repr(ei.value.__cause__)]
    # 3. the key object and its signer after a successful login
    with open_key(softhsm.uri_of("person"), pin=softhsm.pin, login=True) as key:
        seen += [repr(key), repr(key.__dict__), repr(key._pins.__dict__)]
    out = capsys.readouterr()
    seen += [caplog.text, out.out, out.err]
    blob = "\n".join(seen)
    assert "DEBUG" in caplog.text  # the capture really ran at debug level
    assert softhsm.pin not in blob
    assert wrong not in blob
