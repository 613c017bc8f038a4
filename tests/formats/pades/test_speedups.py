"""vbsign's speed-ups produce exactly what pyHanko/asn1crypto would — and importing vbsign
changes nothing in pyHanko or asn1crypto (a library must not change its host)."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic

from vbsign.formats.pades import reader as fast_reader

#: pyHanko's own leaf readers, as this (unpatched) test process has them
PYHANKO_HEX = generic.read_hex_string_from_stream
PYHANKO_ARRAY = generic.ArrayObject.read_from_stream


@settings(max_examples=200, deadline=None)
@given(
    body=st.lists(st.sampled_from(list(b"0123456789abcdefABCDEF \n\r\t\x0c\x00%zG(") ), max_size=200).map(bytes),
    tail=st.binary(max_size=20),
)
def test_hex_string_reader_matches_pyhanko(body, tail):
    fast = fast_reader.read_hex_string
    slow = PYHANKO_HEX

    def run(fn):  # type: ignore[no-untyped-def]
        stream = io.BytesIO(b"<" + body + b">" + tail)
        try:
            return ("ok", fn(stream), stream.tell())
        except Exception as e:
            return ("err", type(e).__name__, None)

    assert run(fast) == run(slow)


def test_truncated_hex_string_raises_like_pyhanko():
    from pyhanko.pdf_utils.misc import PdfStreamError

    for fn in (fast_reader.read_hex_string, PYHANKO_HEX):
        try:
            fn(io.BytesIO(b"<0123"))
        except PdfStreamError:
            continue
        raise AssertionError("no error for a truncated string")


def test_name_stringprep_cache_keeps_equality_semantics():
    """With the opt-in memo installed (in a child: this process stays unpatched)."""
    code = """
import vbsign
vbsign.enable_speedups()
from asn1crypto import x509
a = x509.Name.build({"common_name": "  Nguyễn   Văn A ", "country_name": "VN"})
b = x509.Name.build({"common_name": "nguyễn văn a", "country_name": "VN"})
c = x509.Name.build({"common_name": "Nguyễn Văn B", "country_name": "VN"})
assert x509.NameTypeAndValue._ldap_string_prep.__wrapped__ is not None
assert a == b and a != c  # RFC 5280 comparison: case-insensitive, whitespace folded
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
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
    from pyhanko.pdf_utils.misc import PdfReadError

    fast = fast_reader.make_array_reader(PYHANKO_ARRAY)
    slow = PYHANKO_ARRAY
    data = b"[" + sep.join(items) + b"]>>"

    def run(fn):  # type: ignore[no-untyped-def]
        stream = io.BytesIO(data)
        try:
            arr = fn(stream, None)
            return ("ok", [(type(x).__name__, repr(x)) for x in arr], stream.tell())
        except (PdfReadError, ValueError, ArithmeticError, KeyError, TypeError, AttributeError) as e:
            return ("err", type(e).__name__, None)

    assert run(fast) == run(slow)


# ---- no process-wide patching ------------------------------------------------------------------

_UNTOUCHED = """
import pyhanko.pdf_utils.generic as g
from asn1crypto import x509
f, a, n = g.read_hex_string_from_stream, g.ArrayObject.read_from_stream, x509.NameTypeAndValue._ldap_string_prep
import vbsign, vbsign.api
{more}
assert g.read_hex_string_from_stream is f
assert g.ArrayObject.read_from_stream is a
assert x509.NameTypeAndValue._ldap_string_prep is n
print("untouched")
"""


def _child(code: str, *args: str) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_importing_vbsign_patches_nothing():
    """The acceptance line of issue 19, verbatim, in a fresh interpreter."""
    code = (
        "import pyhanko.pdf_utils.generic as g; f=g.read_hex_string_from_stream; "
        "import vbsign, vbsign.api; assert g.read_hex_string_from_stream is f; print('ok')"
    )
    assert _child(code) == "ok"


def test_signing_and_verifying_patch_nothing(pki_dir, sample_pdf, tmp_path):
    """Not on import, not while vbsign signs and verifies a PDF (its own readers are fast)."""
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(sample_pdf)
    more = (
        "import sys\n"
        "from vbsign.pki.validation import Services\n"
        "import vbsign.formats.pades.verify, vbsign.formats.pades.reader, vbsign.cli.main\n"
        "d = sys.argv[1]\n"
        "r = vbsign.sign(open(sys.argv[2], 'rb').read(), key=d + '/person.p12', passphrase='vbsign-test',"
        " trust=[d + '/roots.pem'], level='B-B', check_revocation=False, services=Services(online=False))\n"
        "rep = vbsign.verify(r.data, trust=[d + '/roots.pem'], services=Services(online=False))\n"
        "assert rep.signatures and rep.signatures[0].integrity.intact\n"
    )
    assert _child(_UNTOUCHED.format(more=more), str(pki_dir), str(doc)) == "untouched"


def test_enable_speedups_is_explicit_and_idempotent():
    code = """
import pyhanko.pdf_utils.generic as g
f = g.read_hex_string_from_stream
import vbsign
vbsign.enable_speedups(); vbsign.enable_speedups()
assert g.read_hex_string_from_stream is not f and g.read_hex_string_from_stream.__wrapped__ is f
assert g.ArrayObject.read_from_stream.__wrapped__ is not None
from vbsign.formats.pades.speedups import speedups_enabled
assert speedups_enabled()
print("enabled")
"""
    assert _child(code) == "enabled"


def test_the_command_line_opts_in(tmp_path):
    """``vbsign`` owns its process: it enables the speed-ups for commands that read PDFs."""
    code = """
import sys
import pyhanko.pdf_utils.generic as g
f = g.read_hex_string_from_stream
from vbsign.cli.main import main
try:
    main(["verify", sys.argv[1]])
except SystemExit:
    pass
print("enabled" if g.read_hex_string_from_stream is not f else "plain")
"""
    missing = tmp_path / "none.pdf"
    missing.write_bytes(b"%PDF-1.7\n")
    assert _child(code, str(missing)) == "enabled"


def test_vbsign_reader_reads_what_pyhanko_reads(sign_as, sample_pdf):
    """Every object of every revision, read by vbsign's reader and by pyHanko's, is equal
    (two signatures at B-LT: hex /Contents, DSS streams, object streams, font arrays)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    signed_pdf_bytes = sign_as("agency", sign_as("person", sample_pdf))
    ours = fast_reader.open_reader(io.BytesIO(signed_pdf_bytes))
    theirs = PdfFileReader(io.BytesIO(signed_pdf_bytes), strict=False)
    assert type(ours) is fast_reader.PdfReader and type(theirs) is PdfFileReader
    seen = 0
    for rev in range(theirs.xrefs.total_revisions):
        for ref in theirs.xrefs.explicit_refs_in_revision(rev):
            a = ours.get_object(ref, revision=rev)
            b = theirs.get_object(ref, revision=rev)
            assert type(a) is type(b) and a == b, ref
            seen += 1
    assert seen > 10
    for sig_ours, sig_theirs in zip(ours.embedded_signatures, theirs.embedded_signatures, strict=True):
        assert sig_ours.pkcs7_content == sig_theirs.pkcs7_content
        assert sig_ours.compute_digest() == sig_theirs.compute_digest()


def test_prepared_names_equal_asn1cryptos_own(pki):
    """vbsign fills the RFC 4518 form of its certificates' names from a memo: the values are
    asn1crypto's own, and the class is untouched."""
    from asn1crypto import x509

    from vbsign._core.x509 import prepare_names

    method = x509.NameTypeAndValue._ldap_string_prep
    for label in ("person", "agency", "gov-root"):
        der = pki.cert(label).dump()
        ours, plain = x509.Certificate.load(der), x509.Certificate.load(der)
        prepare_names([ours])
        for a, b in zip(ours.subject.chosen, plain.subject.chosen, strict=True):
            for x, y in zip(a, b, strict=True):
                assert x._prepped is not None and x._prepped == y.prepped_value
        assert ours.subject == plain.subject and ours.issuer == plain.issuer
    assert x509.NameTypeAndValue._ldap_string_prep is method


def test_trust_store_crosses_process_boundaries(pki):
    """An isolated worker receives the trust store by pickling; certificates whose names
    vbsign prepared (partly parsed asn1crypto objects) travel as DER."""
    import pickle

    from vbsign.pki.trust import TrustStore

    store = TrustStore(tuple(pki.roots), tuple(pki.intermediates))
    copy = pickle.loads(pickle.dumps(store))
    assert copy.fingerprints() == store.fingerprints()
    assert [c.dump() for c in copy.intermediates] == [c.dump() for c in store.intermediates]
    assert copy.anchors[0].subject == store.anchors[0].subject
