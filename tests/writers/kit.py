"""What other PDF writers do to a signed document, reproduced with real tools at test time.

qpdf (a Debian package CI installs) rewrites documents the way many writers save them —
cross-reference and object streams, linearisation, encryption; pyHanko (a dependency)
signs, certifies and writes incremental updates; the helpers below write the few updates
neither tool offers (filling a form field, a free-list entry, an exact copy of a
dictionary) exactly as the named writers do. See ``docs/validation.rst`` ("Documents from
other writers") for which writer each class comes from.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asn1crypto import cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

#: a line of the sample decision's text (the document number), and a blank area
TEXT_LINE = (118.0, 720.0, 238.0, 737.0)
BLANK_AREA = (60.0, 40.0, 200.0, 90.0)
FIELD_AREA = (330.0, 60.0, 540.0, 84.0)


def name(n: str) -> generic.NameObject:
    return generic.NameObject(n)


def arr(*values: float) -> generic.ArrayObject:
    return generic.ArrayObject([generic.FloatObject(v) for v in values])


def qpdf(data: bytes, *args: str) -> bytes:
    """``qpdf ARGS in.pdf out.pdf`` on ``data``."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d, "in.pdf"), Path(d, "out.pdf")
        src.write_bytes(data)
        subprocess.run(["qpdf", *args, str(src), str(dst)], check=True, capture_output=True, timeout=60)
        return dst.read_bytes()


def incremental(data: bytes, mutate: Callable[[IncrementalPdfFileWriter], Any], password: bytes | None = None) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    if password is not None:
        w.encrypt(password)
    mutate(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def pyhanko_sign(pki: Any, label: str, data: bytes, field: str, *, password: bytes | None = None, **meta: Any) -> bytes:
    """A plain pyHanko signature (no timestamp, no revocation data) by ``label``."""
    signer = signers.SimpleSigner(
        signing_cert=pki.cert(label),
        signing_key=pki.private_key(label),
        cert_registry=SimpleCertificateStore.from_certs(pki.chain(label)),
    )
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    if password is not None:
        w.encrypt(password)
    out = signers.sign_pdf(w, signers.PdfSignatureMetadata(field_name=field, **meta), signer=signer)
    return bytes(out.getvalue())


def _form_xobject(w: IncrementalPdfFileWriter, content: bytes, width: float, height: float) -> generic.IndirectObject:
    helv = generic.DictionaryObject(
        {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1"), name("/BaseFont"): name("/Helvetica")}
    )
    stream = generic.StreamObject(
        {
            name("/Type"): name("/XObject"),
            name("/Subtype"): name("/Form"),
            name("/BBox"): arr(0, 0, width, height),
            name("/Resources"): generic.DictionaryObject({name("/Font"): generic.DictionaryObject({name("/Helv"): w.add_object(helv)})}),
        },
        stream_data=content,
    )
    return w.add_object(stream)


def text_appearance(text: str, width: float, height: float) -> bytes:
    return f"BT 0 0 0 rg /Helv 11 Tf 3 {height / 3:.1f} Td ({text}) Tj ET".encode()


def _acroform(w: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    root = w.root
    acro = root.get("/AcroForm")
    if acro is None:
        acro = generic.DictionaryObject({name("/Fields"): generic.ArrayObject()})
        root[name("/AcroForm")] = w.add_object(acro)
        w.update_root()
    return acro.get_object() if isinstance(acro, generic.IndirectObject) else acro


def add_text_field(
    w: IncrementalPdfFileWriter, field: str, rect: tuple[float, float, float, float], value: str, *, separate_widget: bool = False
) -> None:
    """A text field on page 1 (merged field/widget as pyHanko writes it, or a field with a
    separate widget kid as Acrobat, iText and LibreOffice write it)."""
    x1, y1, x2, y2 = rect
    ap = generic.DictionaryObject({name("/N"): _form_xobject(w, text_appearance(value, x2 - x1, y2 - y1), x2 - x1, y2 - y1)})
    widget = generic.DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/Widget"),
            name("/Rect"): arr(*rect),
            name("/F"): generic.NumberObject(4),
            name("/AP"): ap,
        }
    )
    field_dict = generic.DictionaryObject(
        {name("/FT"): name("/Tx"), name("/T"): generic.TextStringObject(field), name("/V"): generic.TextStringObject(value)}
    )
    page = w.root["/Pages"]["/Kids"].raw_get(0)
    widget[name("/P")] = page
    if separate_widget:
        field_ref = w.add_object(field_dict)
        widget[name("/Parent")] = field_ref
        widget_ref = w.add_object(widget)
        field_dict[name("/Kids")] = generic.ArrayObject([widget_ref])
        w.update_container(field_dict)
    else:
        field_dict.update(widget)
        field_ref = widget_ref = w.add_object(field_dict)
    page_obj = page.get_object()
    annots = page_obj.get("/Annots")
    if annots is None:
        page_obj[name("/Annots")] = generic.ArrayObject([widget_ref])
    else:
        annots.get_object().append(widget_ref)
    w.update_container(page_obj)
    acro = _acroform(w)
    acro["/Fields"].append(field_ref)
    w.update_container(acro)


def fill_text_field(w: IncrementalPdfFileWriter, field: str, value: str) -> None:
    """Give a text field a new value and a new appearance (as a form-filling viewer does)."""
    for f in w.root["/AcroForm"]["/Fields"]:
        fld = f.get_object()
        if str(fld.get("/T")) != field:
            continue
        fld[name("/V")] = generic.TextStringObject(value)
        w.update_container(fld)
        widgets = [k.get_object() for k in fld["/Kids"]] if "/Kids" in fld else [fld]
        for wd in widgets:
            x1, y1, x2, y2 = (float(v) for v in wd["/Rect"])
            wd[name("/AP")] = generic.DictionaryObject(
                {name("/N"): _form_xobject(w, text_appearance(value, x2 - x1, y2 - y1), x2 - x1, y2 - y1)}
            )
            w.update_container(wd)
        return
    raise AssertionError(f"no field {field}")


def add_empty_signature_field(data: bytes, field: str, box: tuple[int, int, int, int]) -> bytes:
    def mutate(w: IncrementalPdfFileWriter) -> None:
        fields.append_signature_field(w, fields.SigFieldSpec(field, on_page=0, box=box))

    return incremental(data, mutate)


def startxref(data: bytes) -> int:
    i = data.rindex(b"startxref")
    return int(data[i + 9 :].split()[0])


def trailer_of(data: bytes) -> tuple[int, bytes]:
    """(/Size, the raw /Root reference) of the latest revision."""
    r = PdfFileReader(io.BytesIO(data), strict=False)
    size = r.xrefs.get_xref_container_info(r.xrefs.total_revisions - 1).size
    root = r.trailer_view.raw_get("/Root")
    return size, f"{root.idnum} {root.generation} R".encode()


def free_entry_update(data: bytes, idnum: int, generation: int = 1) -> bytes:
    """A classic incremental update whose only entries free object ``idnum`` (with a new
    object so the update is not empty), as iText and Acrobat write free-list entries."""
    size, root = trailer_of(data)
    new_id = max(size, idnum + 1)
    body_at = len(data) + 1
    body = b"\n%d 0 obj\n<< /Producer (free-list) >>\nendobj\n" % new_id
    xref_at = body_at + len(body) - 1
    xref = b"xref\n0 1\n0000000000 65535 f \n%d 1\n0000000000 %05d f \n%d 1\n%010d 00000 n \n" % (
        idnum,
        generation,
        new_id,
        body_at,
    )
    trailer = b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (new_id + 1, root, startxref(data), xref_at)
    return data + body + xref + trailer


def ber_contents(data: bytes) -> bytes:
    """Re-encode the last signature's CMS with an indefinite outer length (BER, as some
    Java and Vietnamese signing tools write it); the signed bytes are untouched."""
    r = PdfFileReader(io.BytesIO(data), strict=False)
    emb = r.embedded_signatures[-1]
    der = emb.pkcs7_content  # the exact DER bytes
    if der[1] != 0x82:
        raise AssertionError("expected a two-byte length")
    ber = b"\x30\x80" + der[4:] + b"\x00\x00"
    return _replace_contents(data, emb.byte_range, ber)


def empty_econtent(data: bytes) -> bytes:
    """Put an empty encapsulated content (eContent = "") into the last signature's
    detached SignedData (seen in documents of a Vietnamese document-management vendor)."""
    r = PdfFileReader(io.BytesIO(data), strict=False)
    emb = r.embedded_signatures[-1]
    ci = cms.ContentInfo.load(emb.pkcs7_content)
    sd = ci["content"]
    sd["encap_content_info"] = {"content_type": "data", "content": b""}
    return _replace_contents(data, emb.byte_range, cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump(force=True))


def _replace_contents(data: bytes, byte_range: Any, blob: bytes) -> bytes:
    start, end = int(byte_range[1]), int(byte_range[2])
    room = (end - start - 2) // 2
    if len(blob) > room:
        raise AssertionError("no room for the re-encoded CMS")
    hexed = blob.hex().encode() + b"0" * (2 * room - 2 * len(blob))
    return data[: start + 1] + hexed + data[end - 1 :]


def xref_stream_first_update(data: bytes) -> bytes:
    """An incremental update whose cross-reference stream comes *before* the object it
    lists (as Acrobat and iText with full compression may write it)."""
    size, root = trailer_of(data)
    prev = startxref(data)
    new_id, xs_id = size, size + 1
    base = len(data) + 1
    obj = b"%d 0 obj\n<< /Producer (xref-first) >>\nendobj\n" % new_id

    def xref_stream(obj_offset: int) -> bytes:
        rows = b"\x01" + obj_offset.to_bytes(4, "big") + b"\x00"
        head = b"%d 0 obj\n<< /Type /XRef /Size %d /Root %s /Prev %d /Index [%d 1] /W [1 4 1] /Length %d >>\nstream\n" % (
            xs_id,
            xs_id + 1,
            root,
            prev,
            new_id,
            len(rows),
        )
        return head + rows + b"\nendstream\nendobj\n"

    xs = xref_stream(base + len(xref_stream(0)))
    return data + b"\n" + xs + obj + b"startxref\n%d\n%%%%EOF\n" % base


def as_adbe_pkcs7_sha1(pki: Any, label: str, data: bytes) -> bytes:
    """Turn the last signature into an ``adbe.pkcs7.sha1`` one, as older Java (iText 2,
    early PDFBox examples) and Vietnamese signing tools write it: the SubFilter names
    the legacy type, the SignedData *encapsulates* the SHA-1 digest of the byte range,
    and the SignerInfo signs that digest (SHA-1 throughout)."""
    import asyncio
    import hashlib

    r = PdfFileReader(io.BytesIO(data), strict=False)
    emb = r.embedded_signatures[-1]
    old = str(emb.sig_object["/SubFilter"]).encode()
    new = b"/adbe.pkcs7.sha1"
    if len(new) > len(old) or data.count(old) != 1:
        raise AssertionError("cannot rewrite the SubFilter in place")
    data = data.replace(old, new + b" " * (len(old) - len(new)))  # same length: offsets kept
    a, b, c, d = (int(x) for x in emb.byte_range)
    doc_digest = hashlib.sha1(data[a : a + b] + data[c : c + d]).digest()
    signer = signers.SimpleSigner(
        signing_cert=pki.cert(label),
        signing_key=pki.private_key(label),
        cert_registry=SimpleCertificateStore.from_certs(pki.chain(label)),
    )
    ci = asyncio.run(signer.async_sign_general_data(doc_digest, "sha1", detached=False))
    return _replace_contents(data, emb.byte_range, ci.dump())


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 128:
        return bytes([tag, n]) + body
    length = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def mistagged_certificate(pki: Any, label: str) -> Any:
    """``label``'s certificate re-issued by its CA with one more subject attribute,
    x500UniqueIdentifier (2.5.4.45, a BIT STRING by X.520) encoded as a UTF8String — as
    ``openssl req -subj /x500UniqueIdentifier=…`` and several CAs write it. pyHanko's
    parser and poppler's pdfsig accept such certificates; asn1crypto fails on the value."""
    from asn1crypto import core, x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    cert = pki.cert(label)
    tbs = cert["tbs_certificate"]
    subject = tbs["subject"].dump()
    atv = _tlv(0x30, core.ObjectIdentifier("2.5.4.45").dump() + core.UTF8String("CCCD:001099012345").dump())
    new_subject = _tlv(0x30, tbs["subject"].chosen.contents + _tlv(0x31, atv))
    tbs_der = tbs.dump()
    if tbs_der.count(subject) != 1:
        raise AssertionError("subject not unique in the TBS")
    new_tbs = _tlv(0x30, core.Sequence.load(tbs_der).contents.replace(subject, new_subject))
    issuer_label = {"person": "gov-ca"}.get(label, "gov-ca")
    ca_key = serialization.load_der_private_key(pki.private_key(issuer_label).dump(), None)
    value = ca_key.sign(new_tbs, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr, call-arg]
    der = _tlv(0x30, new_tbs + cert["signature_algorithm"].dump() + core.OctetBitString(value).dump())
    return x509.Certificate.load(der)


def sign_with_certificate(pki: Any, label: str, cert: Any, data: bytes, field: str) -> bytes:
    """A pyHanko signature by ``label``'s key presented with ``cert``."""
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=pki.private_key(label),
        cert_registry=SimpleCertificateStore.from_certs(pki.chain(label)[1:] if len(pki.chain(label)) > 1 else []),
    )
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    # the signer's name is given: pyHanko would otherwise read it from the subject
    meta = signers.PdfSignatureMetadata(field_name=field, name="Signer")
    return bytes(signers.sign_pdf(w, meta, signer=signer).getvalue())


def hybrid_update(data: bytes) -> bytes:
    """A hybrid-reference incremental update (ISO 32000-1 §7.5.8.4), as Acrobat and
    Word-to-PDF converters write it for compatibility with old readers: a classic xref
    table whose trailer points (``/XRefStm``) to a cross-reference stream listing an object
    kept in an object stream; readers without xref-stream support see only the table."""
    size, root = trailer_of(data)
    prev = startxref(data)
    objstm_id, new_id, xs_id = size, size + 1, size + 2
    inner = b"<< /Producer (hybrid-reference update) >>"
    head = b"%d 0 " % new_id
    objstm = (
        b"%d 0 obj\n<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n" % (objstm_id, len(head), len(head + inner))
        + head + inner + b"\nendstream\nendobj\n"
    )
    rows = b"\x02" + objstm_id.to_bytes(4, "big") + b"\x00"
    xs = (
        b"%d 0 obj\n<< /Type /XRef /Size %d /Index [%d 1] /W [1 4 1] /Length %d >>\nstream\n" % (xs_id, xs_id + 1, new_id, len(rows))
        + rows + b"\nendstream\nendobj\n"
    )
    objstm_at = len(data) + 1
    xs_at = objstm_at + len(objstm)
    table_at = xs_at + len(xs)
    table = b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n" % (objstm_id, objstm_at, xs_id, xs_at)
    trailer = b"trailer\n<< /Size %d /Root %s /Prev %d /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        xs_id + 1, root, prev, xs_at, table_at,
    )
    return data + b"\n" + objstm + xs + table + trailer


def add_freetext(w: IncrementalPdfFileWriter, rect: tuple[float, float, float, float], text: str, *, opaque: bool) -> None:
    """A FreeText comment on page 1, as a reader's "add text comment" tool writes it."""
    x1, y1, x2, y2 = rect
    bg = f"1 1 1 rg 0 0 {x2 - x1:.1f} {y2 - y1:.1f} re f " if opaque else ""
    content = f"{bg}BT 0 0 1 rg /Helv 11 Tf 3 {(y2 - y1) / 3:.1f} Td ({text}) Tj ET".encode()
    annot = generic.DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name("/FreeText"),
            name("/Rect"): arr(*rect),
            name("/Contents"): generic.TextStringObject(text),
            name("/DA"): generic.TextStringObject("0 0 1 rg /Helv 11 Tf"),
            name("/F"): generic.NumberObject(4),
            name("/AP"): generic.DictionaryObject({name("/N"): _form_xobject(w, content, x2 - x1, y2 - y1)}),
        }
    )
    page = w.root["/Pages"]["/Kids"].raw_get(0)
    annot[name("/P")] = page
    ref = w.add_object(annot)
    page_obj = page.get_object()
    existing = page_obj.get("/Annots")
    annots = generic.ArrayObject(list(existing)) if existing is not None else generic.ArrayObject()
    annots.append(ref)
    page_obj[name("/Annots")] = annots
    w.update_container(page_obj)


def add_catalog_name(w: IncrementalPdfFileWriter, tree: str, key: str, value: generic.PdfObject) -> None:
    """Add ``key -> value`` to the catalog's ``/Names`` ``tree`` (a new flat name tree),
    as Acrobat stores a comment's icon appearances (``/AP``, ``~icon+Comment+…``)."""
    names = w.root.get("/Names")
    names = names.get_object() if isinstance(names, generic.IndirectObject) else names
    if names is None:
        names = generic.DictionaryObject()
        w.root[name("/Names")] = w.add_object(names)
        w.update_root()
    names[name(tree)] = w.add_object(generic.DictionaryObject({name("/Names"): generic.ArrayObject([generic.TextStringObject(key), value])}))
    w.update_container(names)


def icon_appearance(w: IncrementalPdfFileWriter) -> generic.IndirectObject:
    """A small comment-icon appearance stream (a form XObject)."""
    return _form_xobject(w, b"1 1 0 rg 0 0 20 20 re f", 20, 20)


# ---- other writers: Ghostscript, endesive (run at test time) ----------------------------------


def ghostscript(data: bytes) -> bytes:
    """``gs -sDEVICE=pdfwrite``: the document re-written by Ghostscript (a Debian package CI
    installs), as print-to-PDF workflows and many scanners' software produce it."""
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d, "in.pdf"), Path(d, "out.pdf")
        src.write_bytes(data)
        subprocess.run(
            ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", f"-sOutputFile={dst}", str(src)],
            check=True, capture_output=True, timeout=60,
        )
        return dst.read_bytes()


def _endesive_pdf_cms() -> Any:
    """endesive's PDF signer (PyPI ``endesive``), loaded without ``endesive.pdf``'s
    verifier: that imports ``certvalidator`` → ``oscrypto``, whose OpenSSL version probe
    fails on OpenSSL 3.0.1x. The signer itself needs neither."""
    import importlib
    import sys
    import types

    import endesive

    if "endesive.pdf" not in sys.modules:
        pkg = types.ModuleType("endesive.pdf")
        pkg.__path__ = [str(Path(endesive.__path__[0], "pdf"))]
        sys.modules["endesive.pdf"] = pkg
    return importlib.import_module("endesive.pdf.cms")


def endesive_sign(
    pki: Any, label: str, data: bytes, field: str, box: tuple[float, float, float, float], *, certify: bool = False
) -> bytes:
    """A visible signature by ``label`` written by endesive (an incremental update appended
    to ``data``; ``certify``: endesive's certification mode, DocMDP P2)."""
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import serialization

    cms_mod = _endesive_pdf_cms()
    key = serialization.load_der_private_key(pki.private_key(label).dump(), None)
    cert = cx509.load_der_x509_certificate(pki.cert(label).dump())
    others = [cx509.load_der_x509_certificate(c.dump()) for c in pki.chain(label)[1:]]
    dct = {
        "aligned": 0, "sigflags": 3, "sigflagsft": 132, "sigpage": 0, "sigbutton": True,
        "sigfield": field, "auto_sigfield": True, "sigandcertify": certify, "signaturebox": box,
        "signature": "Da ky", "contact": "", "location": "Ha Noi", "reason": "Phe duyet",
        "signingdate": "D:20261201030000+00'00'",
    }
    update: bytes = cms_mod.sign(data, dct, key, cert, others, "sha256")
    return data + update


def garble_signer_issuer(data: bytes, serial: int | None = None) -> bytes:
    """Rewrite the last signature's SignerInfo issuer as node-forge does: each UTF-8 name
    read as Latin-1 and encoded in UTF-8 again (the signed bytes are untouched; the
    SignerInfo's identifier is not signed). ``serial`` also replaces the serial number."""
    from asn1crypto import x509

    r = PdfFileReader(io.BytesIO(data), strict=False)
    emb = r.embedded_signatures[-1]
    ci = cms.ContentInfo.load(emb.pkcs7_content)
    si = ci["content"]["signer_infos"][0]
    ias = si["sid"].chosen
    rdns = []
    for rdn in ias["issuer"].chosen:
        atvs = []
        for atv in rdn:
            value = atv["value"].native
            if isinstance(value, str) and not value.isascii():
                garbled = x509.DirectoryString(name="utf8_string", value=value.encode("utf-8").decode("latin-1"))
                atvs.append(x509.NameTypeAndValue({"type": atv["type"].dotted, "value": garbled}))
            else:
                atvs.append(x509.NameTypeAndValue.load(atv.dump()))
        rdns.append(x509.RelativeDistinguishedName(atvs))
    issuer = x509.Name(name="", value=x509.RDNSequence(rdns))
    si["sid"] = cms.SignerIdentifier(
        name="issuer_and_serial_number",
        value=cms.IssuerAndSerialNumber({"issuer": issuer, "serial_number": serial if serial is not None else ias["serial_number"].native}),
    )
    return _replace_contents(data, emb.byte_range, ci.dump(force=True))
