"""Bounded fuzzing of S/MIME verification (longer runs: scripts/fuzz_mail.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vbsign._core.errors import VbsignError
from vbsign.model.report import Indication


@pytest.fixture(scope="module")
def seeds(pki_dir: Any, pki: Any) -> list[tuple[bytes, bytes]]:
    from tests._fixtures.smime import PASSPHRASE, T0, services_at, vietnamese_message
    from vbsign.mail import sign_message, verify_message

    out = []
    for opaque in (False, True):
        res = sign_message(vietnamese_message(), key=pki_dir / "mail-person.p12", passphrase=PASSPHRASE, trust=pki.roots,
                           services=services_at(pki, T0), clock=lambda: T0, opaque=opaque)  # fmt: skip
        content = verify_message(res.data, trust=pki.roots, now=T0, services=services_at(pki, T0)).content or b""
        out.append((res.data, content[content.index(b"MIME-Version: 1.0\r\n") + 19 :]))
    return out


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 1), edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255), st.integers(0, 3)), min_size=1, max_size=4))
def test_mutated_messages_never_pass_with_other_content(seeds: list[tuple[bytes, bytes]], verify_mail: Any, which: int,
                                                        edits: list[tuple[float, int, int]]) -> None:  # fmt: skip
    data, entity = seeds[which]
    buf = bytearray(data)
    for where, value, op in edits:
        pos = int(where * (len(buf) - 1))
        if op == 0:
            buf[pos] = value
        elif op == 1:
            del buf[pos : pos + value + 1]
        elif op == 2:
            buf[pos:pos] = bytes([value]) * (op + 1)
        else:
            buf = bytearray(bytes(buf).replace(b"\r\n", b"\n", value % 7 + 1))
    try:
        checked = verify_mail(bytes(buf))
    except VbsignError:
        return
    if checked.report.indication is Indication.TOTAL_PASSED:
        assert (checked.content or b"").endswith(entity)
