"""vbsign's speed-ups produce exactly what pyHanko/asn1crypto would."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

import vbsign.formats.pades  # noqa: F401  (installs the speed-ups)


@settings(max_examples=200, deadline=None)
@given(
    body=st.lists(st.sampled_from(list(b"0123456789abcdefABCDEF \n\r\t\x0c\x00%zG(") ), max_size=200).map(bytes),
    tail=st.binary(max_size=20),
)
def test_hex_string_reader_matches_pyhanko(body, tail):
    from pyhanko.pdf_utils import generic

    fast = generic.read_hex_string_from_stream
    slow = fast.__wrapped__

    def run(fn):  # type: ignore[no-untyped-def]
        stream = io.BytesIO(b"<" + body + b">" + tail)
        try:
            return ("ok", fn(stream), stream.tell())
        except Exception as e:
            return ("err", type(e).__name__, None)

    assert run(fast) == run(slow)


def test_truncated_hex_string_raises_like_pyhanko():
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.misc import PdfStreamError

    for fn in (generic.read_hex_string_from_stream, generic.read_hex_string_from_stream.__wrapped__):
        try:
            fn(io.BytesIO(b"<0123"))
        except PdfStreamError:
            continue
        raise AssertionError("no error for a truncated string")


def test_name_stringprep_cache_keeps_equality_semantics():
    from asn1crypto import x509

    a = x509.Name.build({"common_name": "  Nguyễn   Văn A ", "country_name": "VN"})
    b = x509.Name.build({"common_name": "nguyễn văn a", "country_name": "VN"})
    c = x509.Name.build({"common_name": "Nguyễn Văn B", "country_name": "VN"})
    assert a == b  # RFC 5280 comparison: case-insensitive, whitespace folded
    assert a != c


def test_cached_key_signer_cms_equals_pyhanko_simplesigner(pki):
    """Same signed attributes, signer identifier and certificates as pyHanko's own signer."""
    import tempfile
    from pathlib import Path

    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from vbsign.backends.software import load_pkcs12

    p = Path(tempfile.mkdtemp()) / "p.p12"
    p.write_bytes(pki.pkcs12("person", "x"))
    ours = load_pkcs12(p, "x").pyhanko_signer()
    key = load_pkcs12(p, "x")
    theirs = SimpleSigner(
        signing_cert=key.certificate, signing_key=ours.signing_key,
        cert_registry=SimpleCertificateStore.from_certs(key.chain), embed_roots=False,
    )
    when = datetime(2026, 12, 1, tzinfo=timezone.utc)
    digest = b"\x11" * 32

    async def both():  # type: ignore[no-untyped-def]
        attrs = PdfCMSSignedAttributes(signing_time=when)
        for _ in range(2):  # second round uses the cached parts
            a = await ours.async_sign(digest, "sha256", use_pades=True, signed_attr_settings=attrs)
        b = await theirs.async_sign(digest, "sha256", use_pades=True, signed_attr_settings=attrs)
        return a, b

    a, b = asyncio.run(both())
    # RSA PKCS#1 v1.5 is deterministic: the whole CMS must be identical
    assert a.dump() == b.dump()


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(
        st.one_of(
            st.integers(-10**6, 10**6).map(lambda i: str(i).encode()),
            st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: str(d).encode()),
            st.sampled_from([b"+5", b"-.5", b".25", b"7.", b"1 0 R", b"/Name", b"(s)", b"1.2.3", b"+-1", b"%c\n1", b"\x001"]),
        ),
        max_size=30,
    ),
    sep=st.sampled_from([b" ", b"\n", b"\r\n", b"  \t", b"\x0c"]),
)
def test_array_reader_matches_pyhanko(items, sep):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.misc import PdfReadError

    fast = generic.ArrayObject.read_from_stream
    slow = fast.__wrapped__
    data = b"[" + sep.join(items) + b"]>>"

    def run(fn):  # type: ignore[no-untyped-def]
        stream = io.BytesIO(data)
        try:
            arr = fn(stream, None)
            return ("ok", [(type(x).__name__, repr(x)) for x in arr], stream.tell())
        except (PdfReadError, ValueError, ArithmeticError, KeyError, TypeError, AttributeError) as e:
            return ("err", type(e).__name__, None)

    assert run(fast) == run(slow)
