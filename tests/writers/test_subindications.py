"""One input per ETSI EN 319 102-1 sub-indication vbsign emits, built here, and its verdict.

Issue 12 ("honest sub-indications"): HASH_FAILURE only for a digest mismatch,
SIG_CRYPTO_FAILURE only for a signature value that does not verify with the key the
signature names, FORMAT_FAILURE only for structure, the specific ETSI sub-indication for the
rest — and cryptographic verification before algorithm acceptance: a broken MD5 signature is
TOTAL-FAILED, an intact one INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE. Each case asserts the
exact (indication, sub-indication); none may come out FORMAT_FAILURE unless it is about
structure. The human text says "altered" only when a digest did not match.

Not built here (no input the test PKI can make): REVOKED_CA_NO_POE (needs a revoked CA),
CRYPTO_CONSTRAINTS_FAILURE_NO_POE, POLICY_PROCESSING_ERROR (policy engine, tests/policy).
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.writers.kit import _replace_contents, as_adbe_pkcs7_sha1
from vbsign.formats.xades import constants as C
from vbsign.formats.xades import dsig
from vbsign.model.render import render_text
from vbsign.model.report import Indication, SubIndication

F, I, P = Indication.TOTAL_FAILED, Indication.INDETERMINATE, Indication.TOTAL_PASSED  # noqa: E741
QD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<QuyetDinh xmlns="urn:vn:gov:qd" Id="qd-12">'
    "<So>12/QĐ-BKHCN</So><TrichYeu>Về việc phê duyệt kế hoạch năm 2027</TrichYeu></QuyetDinh>"
).encode()
FILE = "Báo cáo tổng hợp năm 2026 — tệp bất kỳ (CAdES)".encode()
MD5_URI = "http://www.w3.org/2001/04/xmldsig-more#md5"


# ---- builders ------------------------------------------------------------------------------


def _pdf(pki: Any, sample: bytes, label: str, *, tsa: Any = None, md: str = "sha256") -> bytes:
    """A PDF signed by ``label`` with plain pyHanko (no pre-signing check: bad certificates too)."""
    signer = signers.SimpleSigner(
        signing_cert=pki.cert(label),
        signing_key=pki.private_key(label),
        cert_registry=SimpleCertificateStore.from_certs(pki.chain(label)),
    )
    w = IncrementalPdfFileWriter(io.BytesIO(sample), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="Sig1", md_algorithm=md)
    return bytes(signers.sign_pdf(w, meta, signer=signer, timestamper=tsa).getvalue())


def _cms_of_last(data: bytes) -> tuple[cms.ContentInfo, Any]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    emb = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures[-1]
    return cms.ContentInfo.load(emb.pkcs7_content), emb.byte_range


def _pdf_bad_value(data: bytes) -> bytes:
    """Flip one bit of the CMS signature value (the signed bytes stay as they were)."""
    ci, br = _cms_of_last(data)
    si = ci["content"]["signer_infos"][0]
    value = bytearray(si["signature"].native)
    value[10] ^= 0x01
    si["signature"] = bytes(value)
    return _replace_contents(data, br, ci.dump(force=True))


def _pdf_changed_byte(data: bytes) -> bytes:
    """Change one character of signed page content (a digit of the document number)."""
    at = data.index(b"/Info")  # a byte inside the first signed range, outside any stream length
    return data[:at] + b"/INFO" + data[at + 5 :]


def _cades(pki: Any, label: str) -> bytes:
    """A detached CMS signature over FILE by ``label`` (plain pyHanko: no pre-signing check)."""
    import asyncio

    signer = signers.SimpleSigner(
        signing_cert=pki.cert(label),
        signing_key=pki.private_key(label),
        cert_registry=SimpleCertificateStore.from_certs(pki.chain(label)),
    )
    ci = asyncio.run(signer.async_sign_general_data(FILE, "sha256", detached=True, use_cades=True))
    der: bytes = ci.dump()
    return der


def _pdf_subfilter(data: bytes, new: bytes) -> bytes:
    old = b"/adbe.pkcs7.detached"  # pyHanko's default SubFilter
    assert len(new) <= len(old) and data.count(old) == 1
    return data.replace(old, new + b" " * (len(old) - len(new)))


def _xml(sign_as: Any, **opts: Any) -> bytes:
    signed: bytes = sign_as("person", QD, level="B-B", format="xml", **opts)
    return signed


def _xml_edit(data: bytes, edit: Callable[[etree._Element, etree._ElementTree], None], resign: Any = None) -> bytes:
    """Apply ``edit`` to the signature, then (if a key is given) sign SignedInfo again."""
    doc = etree.ElementTree(etree.fromstring(data))
    sig = next(doc.getroot().iter(C.ds("Signature")))
    edit(sig, doc)
    if resign is not None:
        si = sig.find(C.ds("SignedInfo"))
        assert si is not None
        value = resign.sign(dsig.c14n_element(si, exclusive=True, with_comments=False), padding.PKCS1v15(), hashes.SHA256())
        sig.find(C.ds("SignatureValue")).text = base64.b64encode(value).decode()  # type: ignore[union-attr]
    out: bytes = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    return out


def _md5_reference(sig: etree._Element, doc: etree._ElementTree) -> None:
    """Give the data reference an MD5 digest (correctly computed)."""
    ref = next(r for r in sig.find(C.ds("SignedInfo")).findall(C.ds("Reference")) if r.get("Type") is None)  # type: ignore[union-attr]
    ref.find(C.ds("DigestMethod")).set("Algorithm", MD5_URI)  # type: ignore[union-attr]
    octets = dsig.process_reference(ref, doc, sig).signed_octets
    assert octets is not None
    ref.find(C.ds("DigestValue")).text = base64.b64encode(hashlib.md5(octets).digest()).decode()  # type: ignore[union-attr]


def _person_key(pki: Any) -> Any:
    return serialization.load_der_private_key(pki.private_key("person").dump(), None)


# ---- the cases -------------------------------------------------------------------------------


def _cases(pki: Any, sample: bytes, sign_as: Any, tsa: Any) -> dict[str, tuple[Callable[[], bytes], dict[str, Any], Indication, SubIndication]]:
    """name -> (build input, verify options, indication, sub-indication)."""
    key = _person_key(pki)
    online = {"fetch": True}
    return {
        # integrity ------------------------------------------------------------------------
        "pdf-hash": (lambda: _pdf_changed_byte(_pdf(pki, sample, "person")), {}, F, SubIndication.HASH_FAILURE),
        "xml-hash": (lambda: _xml(sign_as).replace("năm 2027".encode(), "năm 2028".encode()), {}, F, SubIndication.HASH_FAILURE),
        "cades-hash": (lambda: sign_as("person", FILE, level="B-B", format="cades"), {"content": FILE + b"!"}, F, SubIndication.HASH_FAILURE),
        "pdf-sig-crypto": (lambda: _pdf_bad_value(_pdf(pki, sample, "person")), {}, F, SubIndication.SIG_CRYPTO_FAILURE),
        "xml-sig-crypto": (lambda: _xml_edit(_xml(sign_as), lambda s, d: s.find(C.ds("SignedInfo")).set("Id", "x")), {}, F, SubIndication.SIG_CRYPTO_FAILURE),  # type: ignore[union-attr]
        # crypto before algorithm acceptance: a wrong MD5 signature fails, a right one is refused
        "xml-md5-bad-value": (lambda: _xml_edit(_xml(sign_as), _md5_reference), {}, F, SubIndication.SIG_CRYPTO_FAILURE),
        "xml-md5-valid": (lambda: _xml_edit(_xml(sign_as), _md5_reference, resign=key), online, I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE),
        "pdf-sha1-valid": (lambda: _pdf(pki, sample, "person", md="sha1"), online, I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE),
        "pdf-adbe-pkcs7-sha1": (lambda: as_adbe_pkcs7_sha1(pki, "person", _pdf(pki, sample, "person")), online, I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE),
        # structure ------------------------------------------------------------------------
        "xml-format": (lambda: _xml_edit(_xml(sign_as), lambda s, d: s.remove(s.find(C.ds("SignatureValue")))), {}, F, SubIndication.FORMAT_FAILURE),  # type: ignore[arg-type]
        # signer, data, chain --------------------------------------------------------------
        "xml-no-signing-cert": (lambda: _xml_edit(_xml(sign_as), lambda s, d: s.remove(s.find(C.ds("KeyInfo")))), {}, I, SubIndication.NO_SIGNING_CERTIFICATE_FOUND),  # type: ignore[arg-type]
        "xml-signed-data-not-found": (lambda: _xml(sign_as, packaging="detached"), {}, I, SubIndication.SIGNED_DATA_NOT_FOUND),
        "cades-signed-data-not-found": (lambda: sign_as("person", FILE, level="B-B", format="cades"), {}, I, SubIndication.SIGNED_DATA_NOT_FOUND),
        "pdf-no-chain": (lambda: _pdf(pki, sample, "person"), {"trust": [], "fetch": True}, I, SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
        "pdf-try-later": (lambda: _pdf(pki, sample, "person"), {}, I, SubIndication.TRY_LATER),
        "pdf-unsupported-subfilter": (lambda: _pdf_subfilter(_pdf(pki, sample, "person"), b"/adbe.x509.rsa_sha1"), {}, I, SubIndication.SIG_CONSTRAINTS_FAILURE),
        "cades-wrong-key-usage": (lambda: _cades(pki, "wrong-ku"), {"content": FILE, "fetch": True}, I, SubIndication.CHAIN_CONSTRAINTS_FAILURE),
        # time -------------------------------------------------------------------------------
        "pdf-revoked": (lambda: _pdf(pki, sample, "revoked", tsa=tsa), online, F, SubIndication.REVOKED),
        "pdf-revoked-no-poe": (lambda: _pdf(pki, sample, "revoked"), online, I, SubIndication.REVOKED_NO_POE),
        "pdf-expired": (lambda: _pdf(pki, sample, "expired", tsa=tsa), online, F, SubIndication.EXPIRED),
        "pdf-expired-no-poe": (lambda: _pdf(pki, sample, "expired"), online, I, SubIndication.OUT_OF_BOUNDS_NO_POE),
        "pdf-not-yet-valid": (lambda: _pdf(pki, sample, "not-yet-valid", tsa=tsa), online, F, SubIndication.NOT_YET_VALID),
        # a claimed time before the certificate existed proves nothing (the XAdES corpus class)
        "pdf-not-yet-valid-no-poe": (lambda: _pdf(pki, sample, "not-yet-valid"), online, I, SubIndication.OUT_OF_BOUNDS_NO_POE),
    }


CASE_NAMES = [
    "pdf-hash", "xml-hash", "cades-hash", "pdf-sig-crypto", "xml-sig-crypto", "xml-md5-bad-value", "xml-md5-valid",
    "pdf-sha1-valid", "pdf-adbe-pkcs7-sha1", "xml-format", "xml-no-signing-cert", "xml-signed-data-not-found",
    "cades-signed-data-not-found", "pdf-no-chain", "pdf-try-later", "pdf-unsupported-subfilter",
    "cades-wrong-key-usage", "pdf-revoked", "pdf-revoked-no-poe", "pdf-expired", "pdf-expired-no-poe",
    "pdf-not-yet-valid", "pdf-not-yet-valid-no-poe",
]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_each_sub_indication(case: str, pki: Any, sample_pdf: bytes, sign_as: Any, verify_at: Any, tsa: Any) -> None:
    build, opts, indication, sub = _cases(pki, sample_pdf, sign_as, tsa)[case]
    report = verify_at(build(), **opts)
    sig = report.signatures[0]
    got = (report.indication, report.sub_indication)
    assert got == (indication, sub), (case, got, [(f.code, f.message_en) for f in sig.findings])
    text = render_text(report, "en")
    if sub is SubIndication.HASH_FAILURE:
        assert "ALTERED" in text
    else:  # "altered" only when a digest did not match
        assert "ALTERED" not in text, text


def test_partial_coverage_is_sig_constraints_failure(pki: Any, pki_dir: Any, t0: Any) -> None:
    """A valid signature over part of an XML document: the document is SIG_CONSTRAINTS_FAILURE."""
    import asyncio

    from vbsign.backends import open_key
    from vbsign.formats.ades import AdesVerifyOptions
    from vbsign.formats.xades.sign import XadesOptions, sign_xades
    from vbsign.formats.xades.verify import verify_xml
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services

    doc = b'<Envelope><Order Id="order"><Amount>100</Amount></Order><Note>hello</Note></Envelope>'
    with open_key(pki_dir / "person.p12", passphrase="vbsign-test") as key:
        signed = asyncio.run(sign_xades(doc, key, XadesOptions(level="B-B", sign_ids=("order",)), now=t0)).data
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(t0))
    options = AdesVerifyOptions(trust=TrustStore(tuple(pki.roots)), now=t0, services=services)
    report = asyncio.run(verify_xml(signed, "doc.xml", options)).report
    assert report.signatures[0].indication is P
    assert (report.indication, report.sub_indication) == (I, SubIndication.SIG_CONSTRAINTS_FAILURE)


def test_unreadable_signature_value_is_sig_crypto_failure(sign_as: Any, verify_at: Any) -> None:
    def garble(sig: etree._Element, doc: etree._ElementTree) -> None:
        sig.find(C.ds("SignatureValue")).text = "not base64 !!"  # type: ignore[union-attr]

    report = verify_at(_xml_edit(_xml(sign_as), garble))
    assert (report.indication, report.sub_indication) == (F, SubIndication.SIG_CRYPTO_FAILURE)
