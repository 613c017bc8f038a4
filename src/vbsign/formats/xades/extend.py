"""XAdES augmentation (ETSI EN 319 132-1): B-B → B-T → B-LT → B-LTA and archive renewal.

Only ``xades:UnsignedSignatureProperties`` grows; nothing signed changes:

* **B-T** — a ``xades:SignatureTimeStamp`` over the canonical ``ds:SignatureValue``;
* **B-LT** — ``xades:CertificateValues`` and ``xades:RevocationValues`` for the signer's and
  the signature timestamps' TSA paths;
* **B-LTA** / **renewal** — a ``xadesv141:ArchiveTimeStamp`` (:mod:`.archive`); before a new
  one, the previous archive timestamp's validation data goes into a
  ``xadesv141:TimeStampValidationData`` so that the new one covers it; after it, its own.

Every XAdES signature of the document is extended; a detached signature needs its content.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import cms, x509
from lxml import etree
from pyhanko.sign.timestamps.api import TimeStamper

import vbsign.formats.xades.constants as C
import vbsign.formats.xades.dsig as dsig
from vbsign._core.errors import InputError, SigningError
from vbsign._core.i18n import Msg
from vbsign.formats.ades import ValidationData, embedded_certificates
from vbsign.formats.xades.archive import archive_input, is_archive_timestamp
from vbsign.formats.xades.safe import DEFAULT_LIMITS, XmlLimits, parse
from vbsign.formats.xades.sign import _add_signature_timestamp, _unsigned_signature_properties

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
ValidationDataSource = Callable[[x509.Certificate, list[x509.Certificate]], Awaitable[ValidationData]]


@dataclass
class XmlExtendOutcome:
    data: bytes
    level_before: str
    level_after: str
    steps: list[str] = field(default_factory=list)
    timestamp_time: datetime | None = None


def _local(el: etree._Element) -> str:
    return etree.QName(el.tag).localname if isinstance(el.tag, str) else ""


def _qualifying_properties(sig: etree._Element) -> etree._Element | None:
    for obj in sig.findall(C.ds("Object")):
        for el in obj:
            if _local(el) == "QualifyingProperties":
                return el
    return None


def _usp_children(qp: etree._Element) -> list[etree._Element]:
    for up in qp:
        if _local(up) == "UnsignedProperties":
            for usp in up:
                if _local(usp) == "UnsignedSignatureProperties":
                    return [c for c in usp if isinstance(c.tag, str)]
    return []


def signature_level(qp: etree._Element) -> str:
    names = [_local(c) for c in _usp_children(qp)]
    if "ArchiveTimeStamp" in names:
        return "B-LTA"
    if "SignatureTimeStamp" not in names:
        return "B-B"
    return "B-LT" if "CertificateValues" in names or "RevocationValues" in names else "B-T"


def _signatures(doc: etree._ElementTree) -> list[tuple[etree._Element, etree._Element]]:
    out = []
    for sig in doc.getroot().iter(C.ds("Signature")):
        qp = _qualifying_properties(sig)
        if qp is not None:
            out.append((sig, qp))
    if not out:
        raise InputError(Msg("Tệp XML không có chữ ký XAdES nào để gia hạn.", "The XML has no XAdES signature to extend."))
    return out


async def extend_xml(
    data: bytes,
    level: str,
    *,
    timestamper: TimeStamper,
    validation_data: ValidationDataSource,
    renew: bool = False,
    contents: Mapping[str, bytes] | None = None,
    limits: XmlLimits = DEFAULT_LIMITS,
) -> XmlExtendOutcome:
    """Extend every XAdES signature of ``data`` to ``level``, or renew its archive timestamp."""
    doc = parse(data, limits=limits)
    sigs = _signatures(doc)
    before = min((signature_level(qp) for _s, qp in sigs), key=LEVELS.index)
    out = XmlExtendOutcome(data, before, before)
    target = "B-LTA" if renew else level
    if not renew and LEVELS.index(target) <= LEVELS.index(before):
        return out
    resolver = dsig.content_resolver(contents) if contents else None
    for sig, qp in sigs:
        await _extend_one(sig, qp, doc, target, renew, timestamper, validation_data, resolver, limits, out)
    out.data = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    out.level_after = min((signature_level(qp) for _s, qp in sigs), key=LEVELS.index)
    return out


async def _extend_one(
    sig: etree._Element, qp: etree._Element, doc: etree._ElementTree, target: str, renew: bool,
    timestamper: TimeStamper, source: ValidationDataSource, resolver: dsig.ContentResolver | None,
    limits: XmlLimits, out: XmlExtendOutcome,
) -> None:  # fmt: skip
    level = signature_level(qp)
    sv = sig.find(C.ds("SignatureValue"))
    if sv is None:
        raise InputError(Msg("Chữ ký XML thiếu SignatureValue.", "The XML signature has no SignatureValue."))
    if LEVELS.index(level) < LEVELS.index("B-T"):
        await _add_signature_timestamp(qp, sv, sig.get("Id") or "xades", timestamper)
        _note(out, "signature-timestamp")
    if LEVELS.index(target) >= LEVELS.index("B-LT") > LEVELS.index(level):
        await _add_values(qp, sig, source, signer=True, container=None)
        _note(out, "validation-data")
    if target == "B-LTA" and (renew or level != "B-LTA"):
        await _add_values(qp, sig, source, signer=False, container="TimeStampValidationData")
        out.timestamp_time = await _add_archive_timestamp(sig, qp, doc, timestamper, resolver, limits)
        _note(out, "archive-timestamp-renewed" if renew and level == "B-LTA" else "archive-timestamp")
        await _add_values(qp, sig, source, signer=False, container="TimeStampValidationData")


def _note(out: XmlExtendOutcome, step: str) -> None:
    if step not in out.steps:
        out.steps.append(step)


def _tokens(qp: etree._Element, local: str) -> list[cms.ContentInfo]:
    out = []
    for el in _usp_children(qp):
        if _local(el) == local:
            enc = next((c for c in el if _local(c) == "EncapsulatedTimeStamp"), None)
            if enc is not None:
                out.append(cms.ContentInfo.load(dsig.b64decode_text(enc.text)))
    return out


def _keyinfo_certs(sig: etree._Element) -> list[x509.Certificate]:
    return [
        x509.Certificate.load(dsig.b64decode_text(el.text))
        for el in sig.iter(C.ds("X509Certificate"))
        if el.text
    ]


async def _add_values(
    qp: etree._Element, sig: etree._Element, source: ValidationDataSource, *, signer: bool, container: str | None
) -> None:
    """With ``signer``: the signer's and the signature timestamps' validation data (B-LT);
    else the newest archive timestamp's (in ``xadesv141:<container>``)."""
    certs = _keyinfo_certs(sig)
    vd = ValidationData()
    try:
        if signer and certs:
            vd.extend(await source(certs[0], certs[1:]))
        for tok in _tokens(qp, "SignatureTimeStamp") if signer else _tokens(qp, "ArchiveTimeStamp")[-1:]:
            tsa_certs = embedded_certificates(tok["content"])
            tsa = _tst_signer(tok["content"], tsa_certs)
            if tsa is not None:
                vd.extend(await source(tsa, tsa_certs))
    except Exception as e:
        raise _failed(e) from e
    if not (vd.certs or vd.ocsps or vd.crls):
        return
    usp = _unsigned_signature_properties(qp)
    parent = usp if container is None else etree.SubElement(usp, f"{{{C.XADES141}}}{container}", nsmap={"xades141": C.XADES141})
    _append_values(parent, vd, skip={c.dump() for c in certs})


def _append_values(parent: etree._Element, vd: ValidationData, *, skip: set[bytes]) -> None:
    cv = etree.SubElement(parent, C.xades("CertificateValues"))
    for c in vd.certs:
        if c.dump() not in skip:
            etree.SubElement(cv, C.xades("EncapsulatedX509Certificate")).text = dsig.b64(c.dump())
    rv = etree.SubElement(parent, C.xades("RevocationValues"))
    if vd.crls:
        crlv = etree.SubElement(rv, C.xades("CRLValues"))
        for crl in vd.crls:
            etree.SubElement(crlv, C.xades("EncapsulatedCRLValue")).text = dsig.b64(crl.dump())
    if vd.ocsps:
        ov = etree.SubElement(rv, C.xades("OCSPValues"))
        for resp in vd.ocsps:
            etree.SubElement(ov, C.xades("EncapsulatedOCSPValue")).text = dsig.b64(resp.dump())


def _tst_signer(sd: cms.SignedData, certs: list[x509.Certificate]) -> x509.Certificate | None:
    sid = sd["signer_infos"][0]["sid"]
    for c in certs:
        if sid.name == "issuer_and_serial_number":
            if c.issuer == sid.chosen["issuer"] and c.serial_number == sid.chosen["serial_number"].native:
                return c
        elif c.key_identifier == sid.chosen.native:
            return c
    return None


async def _add_archive_timestamp(
    sig: etree._Element, qp: etree._Element, doc: etree._ElementTree, timestamper: TimeStamper,
    resolver: dsig.ContentResolver | None, limits: XmlLimits,
) -> datetime:  # fmt: skip
    signed_info = sig.find(C.ds("SignedInfo"))
    assert signed_info is not None
    octets = []
    for ref in signed_info.findall(C.ds("Reference")):
        outcome = dsig.process_reference(ref, doc, sig, resolver=resolver, limits=limits)
        if outcome.signed_octets is None or not outcome.digest_ok:
            raise InputError(
                Msg(
                    "Không lấy được dữ liệu của tham chiếu {u} (chữ ký tách rời cần tệp nội dung).",
                    "The data of reference {u} is not at hand (a detached signature needs its content).",
                ).format(u=outcome.uri or "?")
            )
        octets.append(outcome.signed_octets)
    usp = _unsigned_signature_properties(qp)
    imprint = dsig.digest(archive_input(sig, None, usp, octets), "sha256")
    try:
        token: cms.ContentInfo = await timestamper.async_timestamp(imprint, "sha256")
    except Exception as e:
        raise _failed(e) from e
    ats = etree.SubElement(usp, f"{{{C.XADES141}}}ArchiveTimeStamp", nsmap={"xades141": C.XADES141})
    etree.SubElement(ats, C.ds("CanonicalizationMethod"), Algorithm=C.EXC_C14N)
    etree.SubElement(ats, C.xades("EncapsulatedTimeStamp")).text = dsig.b64(token.dump())
    assert is_archive_timestamp(ats)
    gen: datetime = token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    return gen


def _failed(e: Exception) -> SigningError:
    detail = (str(e) or type(e).__name__)[:300]
    return SigningError(Msg("Không gia hạn được chữ ký: {e}", "Cannot extend the signature: {e}").format(e=detail))


__all__ = ["XmlExtendOutcome", "extend_xml", "signature_level"]
