"""The raw-signature interface XAdES builds on works with token keys (RSA, PSS, ECDSA)."""

from __future__ import annotations

from typing import Any

import pytest

from vbsign import api
from vbsign._core.aio import run_sync
from vbsign.backends import open_key
from vbsign.model.report import Indication

xades = pytest.importorskip("vbsign.formats.xades.sign")

XML = "<?xml version='1.0' encoding='UTF-8'?><VanBan><SoHieu>12/QĐ-BKHCN</SoHieu></VanBan>".encode()


@pytest.mark.parametrize(("name", "pss"), [("person", False), ("person", True), ("person-ec", False)])
def test_xades_b_b_with_a_token_key(softhsm: Any, services: Any, pki: Any, t0: Any, name: str, pss: bool) -> None:
    with open_key(softhsm.uri_of(name), pin=softhsm.pin) as key:
        out = run_sync(xades.sign_xades(XML, key, xades.XadesOptions(level="B-B", prefer_pss=pss), now=t0))
        assert key.signature_count == 1  # type: ignore[attr-defined]
    report = api.verify(out.data, trust=pki.roots, now=t0, services=services)
    assert report.indication == Indication.TOTAL_PASSED, report.summary("en")
    assert report.signatures[0].integrity.signature_valid
