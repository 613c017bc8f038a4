"""Changes after signing: byte flips, added page content, comments; and hypothesis flips."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vbsign.model.report import Indication, SubIndication


@pytest.fixture(scope="module")
def signed_lt(pki, sample_pdf, tmp_path_factory):  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    from vbsign import api
    from vbsign.pki.validation import Services
    from vbsign.testpki.export import write_pki

    d = tmp_path_factory.mktemp("pki-tamper")
    write_pki(d, port=pki.port, passphrase="vbsign-test")
    t0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # the suite's fixed time T0
    return api.sign(
        sample_pdf, key=d / "person.p12", passphrase="vbsign-test", trust=pki.roots, tsa=pki.timestamper(t0),
        level="B-LT", services=Services(online=False, fetcher_backend=pki.fetcher_backend(t0)), clock=lambda: t0,
    ).data


def _signed_range(data: bytes) -> tuple[int, int, int, int]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    emb = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    a, b, c, d = (int(x) for x in emb.byte_range)
    return a, b, c, d


def test_byte_flip_is_hash_failure(signed_lt, verify_at):
    a, b, c, d = _signed_range(signed_lt)
    data = bytearray(signed_lt)
    pos = b // 2  # inside the first signed range (the page content)
    data[pos] ^= 0x01
    report = verify_at(bytes(data))
    assert report.indication is Indication.TOTAL_FAILED
    assert report.sub_indication is SubIndication.HASH_FAILURE
    assert report.exit_code == 1


def test_page_content_added_after_signing_fails(signed_lt, verify_at):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(signed_lt))
    stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 50 50 200 40 re f BT /F1 24 Tf 60 60 Td (FAKE) Tj ET Q")
    w.add_stream_to_page(0, w.add_object(stream))
    out = io.BytesIO()
    w.write(out)
    report = verify_at(out.getvalue())
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures[0].has_finding("MODIFIED_AFTER_SIGNING")


def test_untouched_document_passes(signed_lt, verify_at):
    assert verify_at(signed_lt).indication is Indication.TOTAL_PASSED


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_flips_in_signed_range_never_pass(signed_lt, verify_at, data):
    a, b, c, d = _signed_range(signed_lt)
    n = len(signed_lt)
    positions = data.draw(
        st.lists(st.one_of(st.integers(0, b - 1), st.integers(c, min(c + d, n) - 1)), min_size=1, max_size=3, unique=True)
    )
    buf = bytearray(signed_lt)
    for p in positions:
        buf[p] ^= data.draw(st.integers(1, 255))
    try:
        report = verify_at(bytes(buf))
    except Exception as e:  # a typed error is acceptable, a pass is not
        from vbsign._core.errors import VbsignError

        assert isinstance(e, VbsignError)
        return
    assert report.indication is not Indication.TOTAL_PASSED
