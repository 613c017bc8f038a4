"""Review: a PIN typed into a PKCS#11 URI (``pin-value=``, refused by vbsign) must not be
echoed back by the error about *another* problem of the same URI (messages go to the
terminal, logs, JSON error output)."""

from __future__ import annotations

import json

import pytest

from vbsign._core.errors import InputError
from vbsign.backends.pkcs11_uri import parse_uri

PIN = "483920"


@pytest.mark.parametrize(
    "uri",
    [
        f"pkcs11:token=T?pin-value={PIN}&unknown=1",  # unknown attribute
        f"pkcs11:token=T;pin-value={PIN}",  # pin-value in the path section
        f"pkcs11:token=T?pin-value={PIN}&pin-value={PIN}",  # duplicate
        f"pkcs11:token=T?pin-value={PIN}#frag",  # fragment
        f"pkcs11:token=%zz?pin-value={PIN}",  # bad escape
        f"pkcs11:token=T?PIN-VALUE={PIN}&x-other=1",  # case
        f"pkcs11:token=T?pin%2Dvalue={PIN}",  # encoded name
        f"pkcs11:token=T?pin-value={PIN}",  # the plain refusal
    ],
)
def test_review_uri_errors_never_echo_a_pin(uri: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_uri(uri)
    e = exc.value
    for text in (str(e), e.message("vi"), e.message("en"), json.dumps(e.to_dict(), ensure_ascii=False), repr(e)):
        assert PIN not in text, text
