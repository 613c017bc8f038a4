"""Fixtures for the S/MIME tests: Vietnamese messages, mail signers, verification at T0 (loaded for
the whole suite through ``pytest_plugins`` in tests/conftest.py; used by tests/formats/smime, host, cli)."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests._fixtures.smime import PASSPHRASE, T0, services_at, vietnamese_message
from vbsign import testpki
from vbsign.pki.validation import Services


@pytest.fixture
def message() -> EmailMessage:
    return vietnamese_message()


@pytest.fixture
def mail_key(pki_dir: Path) -> Callable[[str], dict[str, Any]]:
    """``mail_key("mail-person")`` → keyword arguments of :func:`vbsign.mail.sign_message`."""

    def _kwargs(label: str = "mail-person") -> dict[str, Any]:
        return {"key": pki_dir / f"{label}.p12", "passphrase": PASSPHRASE}

    return _kwargs


@pytest.fixture
def sign_mail(pki: testpki.TestPKI, services: Services, mail_key: Callable[[str], dict[str, Any]]) -> Callable[..., Any]:
    """``sign_mail(message, label="mail-person", **options) -> MailSignResult`` at T0."""
    from vbsign.mail import sign_message

    def _sign(message: Any, label: str = "mail-person", **options: Any) -> Any:
        return sign_message(message, **mail_key(label), trust=pki.roots, services=services, clock=lambda: T0, **options)

    return _sign


@pytest.fixture
def verify_mail(pki: testpki.TestPKI) -> Callable[..., Any]:
    """``verify_mail(data, **options) -> MailVerification`` at T0 with the in-process PKI."""
    from vbsign.mail import verify_message

    def _verify(data: Any, when: Any = T0, **options: Any) -> Any:
        options.setdefault("trust", pki.roots)
        return verify_message(data, now=when, services=services_at(pki, when), **options)

    return _verify
