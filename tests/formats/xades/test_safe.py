"""Hardened XML parsing: DTDs, entities, XXE, deep nesting and size are refused fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vbsign import api
from vbsign._core.errors import InputError, ResourceLimitExceeded
from vbsign.formats.xades import safe
from vbsign.formats.xades.safe import MalformedXmlError, UnsafeXmlError, XmlLimits

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'
PARAMETER_ENTITY = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]><r/>'


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE, EXTERNAL_DTD, PARAMETER_ENTITY], ids=["laughs", "xxe", "dtd", "pe"])
def test_dangerous_constructs_are_refused_quickly(data: bytes, no_network: None) -> None:
    t = time.perf_counter()
    with pytest.raises(UnsafeXmlError) as ei:
        safe.parse(data, name="evil.xml")
    assert time.perf_counter() - t < 1.0
    assert "DOCTYPE" in ei.value.message_en and "DOCTYPE" in ei.value.message_vi
    assert ei.value.code == "UNSAFE_XML" and isinstance(ei.value, InputError)


def test_doctype_in_utf16_is_detected() -> None:
    with pytest.raises(UnsafeXmlError):
        safe.parse(XXE.decode().replace('<?xml version="1.0"?>', "").encode("utf-16"))


def test_corpus_parser_attacks_are_refused_within_a_second(corpus: Path) -> None:
    files = sorted((corpus / "pyhanko" / "xml" / "bad-xml").glob("*.xml"))
    assert len(files) == 6
    for f in files:
        t = time.perf_counter()
        with pytest.raises(UnsafeXmlError):
            api.verify(f, trust=[], now=None)
        assert time.perf_counter() - t < 1.0, f.name


def test_billion_laughs_uses_no_memory_because_nothing_is_expanded() -> None:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(50):
        with pytest.raises(UnsafeXmlError):
            safe.parse(BILLION_LAUGHS)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 20 * 1024  # expanding it would need ~3 GB


def test_depth_size_and_element_limits() -> None:
    deep = b"<a>" * 250 + b"</a>" * 250
    with pytest.raises(ResourceLimitExceeded):
        safe.parse(deep)
    with pytest.raises((ResourceLimitExceeded, MalformedXmlError)):
        safe.parse(b"<a>" * 20000 + b"</a>" * 20000)
    with pytest.raises(ResourceLimitExceeded):
        safe.parse(b"<r>" + b"x" * 2000 + b"</r>", limits=XmlLimits(max_bytes=1000))
    with pytest.raises(ResourceLimitExceeded):
        safe.parse(b"<r>" + b"<e/>" * 100 + b"</r>", limits=XmlLimits(max_elements=50))
    assert safe.parse(b"<a>" * 150 + b"</a>" * 150).getroot().tag == "a"


def test_malformed_xml_is_a_typed_error_and_a_format_failure_report() -> None:
    with pytest.raises(MalformedXmlError) as ei:
        safe.parse(b"<a><b></a>")
    assert ei.value.message_vi and ei.value.message_en
    report = api.verify(b"<?xml version='1.0'?><a><b></a>", trust=[])
    assert report.indication.value == "TOTAL-FAILED" and report.sub_indication.value == "FORMAT_FAILURE"


def test_signing_refuses_unsafe_xml(pki_dir: Path, pki) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnsafeXmlError):
        api.sign(XXE, key=pki_dir / "person.p12", passphrase="vbsign-test", trust=pki.roots, level="B-B",
                 check_revocation=False, format="xml")
