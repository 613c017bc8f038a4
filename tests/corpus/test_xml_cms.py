"""The shared corpus' XML and CMS rows (bounded subset; the full run is scripts/corpus_xmlcms.py).

* every ``attack-*`` / ``invalid-*`` row: no crash, never TOTAL-PASSED;
* a fixed sample of ``valid`` rows: crypto-intact (digests and signature values verify).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
#: valid rows checked in CI (small, fast, varied: XAdES B..LTA, counter-signatures, detached,
#: XML-DSig interop, CAdES attached/detached/LT/LTA)
VALID_SAMPLE = (
    "dss/dss-xades/validation/Signature-X-ES-100.xml",
    "dss/dss-xades/validation/dss1770/dss1770rootAndRefs.xml",
    "dss/dss-xades/validation/dss2011/xades-detached-with-transform.xml",
    "dss/dss-xades/validation/dss2329/xades-with-enveloped-manifest.xml",
    "dss/dss-xades/validation/xsw/original.xml",
    "dss/dss-xades/validation/sig-with-orphan-ocsp-ref.xml",
    "signxml/interop/aleksey-xmldsig-01-enveloped/enveloped-sha256-rsa-sha256-test-2.xml",
    "signxml/interop/merlin-xmldsig-twenty-three/signature-enveloping-dsa.xml",
    "signxml/interop/phaos-xmldsig-three/signature-rsa-xpath-transform-enveloped.xml",
    "signxml/interop/phaos-xmldsig-three/signature-rsa-manifest-x509-data-issuer-serial.xml",
    "signxml/xades/document.signed.c.xml",
    "dss/dss-cades/validation/Signature-C-B-B-8.p7m",
    "dss/dss-cades/validation/dss-916/test.txt.signed.qes.detached.p7s",
    "dss/dss-cades/validation/dss-667/DER_reordered_prova.txt.p7m",
    "dss/dss-cades/validation/dss-1419/CAdES-BpB-att-SHA3_256-SHA3_256withRSA.p7m",
    "dss/dss-cades/validation/cades-bes-signeddata-enveloping.p7m",
    "dss/dss-cades/validation/no-key-info-cert.pkcs7",
)


def _harness() -> Any:
    spec = importlib.util.spec_from_file_location("corpus_xmlcms", ROOT / "scripts" / "corpus_xmlcms.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_xmlcms", mod)
    spec.loader.exec_module(mod)
    return mod


def _rows() -> list[dict[str, str]]:
    if not (CORPUS / "MANIFEST.tsv").exists():
        return []
    return _harness().rows(CORPUS)


ROWS = _rows()
BAD = [r for r in ROWS if r["expected_verdict"].startswith(("attack-", "invalid-"))]
VALID = [r for r in ROWS if r["path"] in VALID_SAMPLE]


@pytest.mark.parametrize("row", BAD, ids=[r["path"].rsplit("/", 1)[-1] for r in BAD])
def test_attacks_and_invalid_rows_never_pass(corpus: Path, row: dict[str, str]) -> None:
    out = _harness().check_row(corpus, row)
    assert not out.crashed, out.error
    assert out.indication != "TOTAL-PASSED"
    assert out.seconds < 10
    if row["expected_verdict"] == "attack-xml-parser":
        assert out.error and out.error.startswith("UNSAFE_XML") and out.seconds < 1.0


@pytest.mark.parametrize("row", VALID, ids=[r["path"].rsplit("/", 1)[-1] for r in VALID])
def test_valid_rows_are_crypto_intact(corpus: Path, row: dict[str, str]) -> None:
    out = _harness().check_row(corpus, row)
    assert not out.crashed, out.error
    assert out.integrity_ok, (out.indication, out.sub_indication, out.codes, out.error)


def test_sample_is_present() -> None:
    if not ROWS:
        pytest.skip("shared corpus not available")
    assert len(VALID) == len(VALID_SAMPLE)
    assert len(BAD) >= 50
