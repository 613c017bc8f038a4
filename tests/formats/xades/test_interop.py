"""vbsign's XAdES output read by other verifiers: xmlsec1 (libxmlsec1, C) and signxml (Python).

Issue 12: what vbsign signs must verify elsewhere — a Vietnamese agency's counterpart may run
.NET ``SignedXml``, Apache Santuario or xmlsec. Both verifiers here are independent
implementations of XML-DSig; each checks the signature value, every reference (the data and
the XAdES SignedProperties) and the certificate path to the test PKI's roots at ``T0``.
xmlsec1 is a Debian package that ``scripts/setup.sh`` installs; signxml is a dependency.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from vbsign.testpki import pem_bundle

QD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<QuyetDinh xmlns="urn:vn:gov:qd" Id="qd-12">'
    "<So>12/QĐ-BKHCN</So><TrichYeu>Về việc phê duyệt kế hoạch năm 2027</TrichYeu>"
    "<NoiDung>Điều 1. Phê duyệt kế hoạch…</NoiDung></QuyetDinh>"
).encode()
XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"
#: (packaging, enveloped transform) — Filter 2.0 only where it applies
SHAPES = [("enveloped", "enveloped"), ("enveloped", "filter2"), ("enveloping", None), ("detached", None)]

needs_xmlsec1 = pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 not installed (scripts/setup.sh)")


def _sign(sign_as: Any, level: str, packaging: str, transform: str | None) -> bytes:
    opts: dict[str, Any] = {"format": "xml", "packaging": packaging}
    if transform is not None:
        opts["xades_transform"] = transform
    signed: bytes = sign_as("person", QD, level=level, **opts)
    return signed


def _xmlsec1(signed: bytes, tmp_path: Path, pki: Any, t0: Any) -> subprocess.CompletedProcess[str]:
    (tmp_path / "roots.pem").write_bytes(pem_bundle(pki.roots))
    (tmp_path / "signed.xml").write_bytes(signed)
    (tmp_path / "document").write_bytes(QD)  # the detached reference's URI (api.sign of bytes)
    cmd = [
        "xmlsec1", "--verify",
        "--trusted-pem", "roots.pem",
        "--verification-gmt-time", t0.strftime("%Y-%m-%d %H:%M:%S"),
        # XAdES SignedProperties and ds:Object are referenced by their Id attribute
        "--id-attr:Id", f"{XADES_NS}:SignedProperties",
        "--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:Object",
        # the detached reference names "document": map it to the local file, nothing fetched
        "--url-map:document", "document",
        "--enabled-reference-uris", "empty,same-doc,local,remote",
        "signed.xml",
    ]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60)


@needs_xmlsec1
@pytest.mark.parametrize("level", ["B-B", "B-T"])
@pytest.mark.parametrize(("packaging", "transform"), SHAPES)
def test_xmlsec1_verifies_our_xades(
    sign_as: Any, pki: Any, t0: Any, tmp_path: Path, level: str, packaging: str, transform: str | None
) -> None:
    signed = _sign(sign_as, level, packaging, transform)
    res = _xmlsec1(signed, tmp_path, pki, t0)
    assert res.returncode == 0 and "OK" in res.stderr, res.stderr[-2000:]


@needs_xmlsec1
def test_xmlsec1_rejects_a_changed_document(sign_as: Any, pki: Any, t0: Any, tmp_path: Path) -> None:
    """The check above can fail: one changed word makes xmlsec1 refuse our signature."""
    signed = _sign(sign_as, "B-B", "enveloped", None).replace("năm 2027".encode(), "năm 2028".encode())
    res = _xmlsec1(signed, tmp_path, pki, t0)
    assert res.returncode != 0 and "FAIL" in res.stderr


@pytest.mark.parametrize("level", ["B-B", "B-T"])
@pytest.mark.parametrize("packaging", ["enveloped", "enveloping", "detached"])
def test_signxml_verifies_our_xades(sign_as: Any, pki: Any, t0: Any, tmp_path: Path, level: str, packaging: str) -> None:
    """signxml (no XPath Filter 2.0) reads the default output of every packaging."""
    signxml = pytest.importorskip("signxml.xades")
    from signxml.exceptions import InvalidDigest

    roots = tmp_path / "roots.pem"
    roots.write_bytes(pem_bundle(pki.roots))
    signed = _sign(sign_as, level, packaging, None)
    config = signxml.XAdESSignatureConfiguration(expect_references=2, verification_time=t0)

    def resolver(uri: str) -> bytes | None:
        return QD if uri == "document" else None

    kwargs: dict[str, Any] = {"ca_pem_file": str(roots), "expect_config": config}
    if packaging == "detached":
        kwargs["uri_resolver"] = resolver
    results = signxml.XAdESVerifier().verify(signed, **kwargs)
    data = [r for r in results if r.signed_data and "12/QĐ-BKHCN" in r.signed_data.decode("utf-8", "replace")]
    assert data, [r.signed_data[:80] for r in results]
    if packaging != "detached":
        with pytest.raises(InvalidDigest):
            signxml.XAdESVerifier().verify(signed.replace(b"2027", b"2028"), **kwargs)
