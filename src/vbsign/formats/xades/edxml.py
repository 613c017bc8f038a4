"""edXML envelopes (QCVN 102:2016, inter-agency document exchange — QĐ 28/2018).

The text of the edXML standard was not available to the team; the structure below is the
one produced by the SDK that agencies use (``http://www.mic.gov.vn/TBT/QCVN_102_2016``)::

    <edXML xmlns="…QCVN_102_2016">
      <edXML:edXMLEnvelope xmlns:edXML="…QCVN_102_2016">
        <edXML:edXMLHeader>
          <edXML:MessageHeader> From, To, Code(CodeNumber, CodeNotation), PromulgationInfo,
              DocumentType, Subject, SignerInfo, DueDate, OtherInfo, SteeringType, DocumentId …
          <edXML:TraceHeaderList> … (appended by each hop of the exchange network)
          <edXML:DigitalSignature/>  ← vbsign places its ds:Signature here (or in the header)
        <edXML:edXMLBody><edXML:edXMLManifest><edXML:Reference xlink:href="cid:…"> …
      <AttachmentEncoded><Attachment> ContentType, ContentId, Description,
          ContentTransferEncoded (base64), AttachmentName

**Signing** (:func:`sign_edxml`) adds an enveloped XAdES signature (B-B/B-T/B-LT) in the
header that covers the *whole* envelope — header fields, manifest and the attachments'
bytes — except the trace headers (which legitimately change in transit) and signatures.

**Verification** (:func:`verify_edxml`) verifies the header signature, checks that it
covers the message header, the manifest and every attachment, then verifies every
attachment's own signature by format (PDF, XML, CMS; a ``x.p7s`` attachment is matched
with the attachment ``x``) and reports each in ``Report.attachments`` (:class:`vbsign.report.Report`). Changing a
header field (sender, document number …) breaks the header signature; changing an
attachment breaks the header signature and, if signed, the attachment's own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from vbsign._core.errors import InputError, UnsupportedFormatError
from vbsign._core.i18n import Msg
from vbsign.formats.ades import AdesVerifyOptions
from vbsign.formats.xades.safe import DEFAULT_LIMITS, XmlLimits, parse
from vbsign.formats.xades.sign import (
    ValidationDataSource,
    XadesOptions,
    XadesSignOutcome,
    sign_xades,
)
from vbsign.formats.xades.verify import describe, uncovered_content, verify_xml
from vbsign.model.report import (
    AttachmentReport,
    Indication,
    Report,
    Severity,
    SignatureReport,
    SubIndication,
    worst_indication,
)

EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XLINK_NS = "http://www.w3.org/1999/xlink"
#: attachments larger than this (decoded) are not verified
MAX_ATTACHMENT_BYTES = 256 * 1024 * 1024

#: ``await verify_attachment(data, name, detached_content) -> Report``
AttachmentVerifier = Callable[[bytes, str, bytes | None], Awaitable[Report]]


def _local(el: etree._Element) -> str:
    return etree.QName(el.tag).localname if isinstance(el.tag, str) else ""


def is_edxml(data: bytes) -> bool:
    """Cheap check: does the XML's root (or its first child) look like an edXML envelope?"""
    head = data[:4096]
    return b"edXMLEnvelope" in head or (b"QCVN_102_2016" in head and b"edXML" in head)


def _envelope(root: etree._Element) -> etree._Element | None:
    if _local(root) == "edXMLEnvelope":
        return root
    for el in root:
        if _local(el) == "edXMLEnvelope":
            return el
    return None


def _find(parent: etree._Element | None, *path: str) -> etree._Element | None:
    cur = parent
    for name in path:
        if cur is None:
            return None
        cur = next((c for c in cur if _local(c) == name), None)
    return cur


def _text(parent: etree._Element | None, *path: str) -> str | None:
    el = _find(parent, *path)
    return (el.text or "").strip() or None if el is not None else None


# ---- building envelopes ---------------------------------------------------------------------


@dataclass
class Attachment:
    """A file carried by an edXML envelope."""

    name: str
    data: bytes
    content_type: str = "application/octet-stream"
    description: str = ""
    content_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class EdxmlHeader:
    """The message-header fields a DMS fills in (QCVN 102:2016, simplified)."""

    from_organ_id: str
    from_organ_name: str
    to_organ_id: str
    to_organ_name: str
    code_number: str
    code_notation: str
    subject: str
    promulgation_date: str
    document_type: str = "1"
    document_type_name: str = "Công văn"
    place: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_full_name: str = ""
    document_id: str | None = None


def build_envelope(header: EdxmlHeader, attachments: list[Attachment]) -> bytes:
    """Build an (unsigned) edXML envelope with base64-encoded attachments."""

    def e(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{{{EDXML_NS}}}{name}", attrs)
        if text is not None:
            el.text = text
        return el

    root = etree.Element(f"{{{EDXML_NS}}}edXML", nsmap={None: EDXML_NS})
    env = etree.SubElement(root, f"{{{EDXML_NS}}}edXMLEnvelope", nsmap={"edXML": EDXML_NS})
    hdr = e(env, "edXMLHeader")
    mh = e(hdr, "MessageHeader")
    frm = e(mh, "From")
    e(frm, "OrganId", header.from_organ_id)
    e(frm, "OrganName", header.from_organ_name)
    to = e(mh, "To")
    e(to, "OrganId", header.to_organ_id)
    e(to, "OrganName", header.to_organ_name)
    code = e(mh, "Code")
    e(code, "CodeNumber", header.code_number)
    e(code, "CodeNotation", header.code_notation)
    pi = e(mh, "PromulgationInfo")
    e(pi, "Place", header.place)
    e(pi, "PromulgationDate", header.promulgation_date)
    dt = e(mh, "DocumentType")
    e(dt, "Type", header.document_type)
    e(dt, "TypeName", header.document_type_name)
    e(mh, "Subject", header.subject)
    si = e(mh, "SignerInfo")
    e(si, "Competence", header.signer_competence)
    e(si, "Position", header.signer_position)
    e(si, "FullName", header.signer_full_name)
    e(mh, "SteeringType", "0")
    e(
        mh,
        "DocumentId",
        header.document_id
        or f"{header.from_organ_id},{header.promulgation_date},{header.code_number}/{header.code_notation}",
    )
    thl = e(hdr, "TraceHeaderList")
    th = e(thl, "TraceHeader")
    e(th, "OrganId", header.from_organ_id)
    e(th, "Timestamp", header.promulgation_date)
    e(hdr, "DigitalSignature")
    body = e(env, "edXMLBody")
    man = e(body, "edXMLManifest", version="1.0")
    for a in attachments:
        ref = etree.SubElement(
            man,
            f"{{{EDXML_NS}}}Reference",
            {f"{{{XLINK_NS}}}href": f"cid:{a.content_id}", f"{{{XLINK_NS}}}type": "simple"},
            nsmap={"xlink": XLINK_NS},
        )
        e(ref, "ContentId", f"cid:{a.content_id}")
        e(ref, "ContentType", a.content_type)
        e(ref, "Description", a.description)
        e(ref, "AttachmentName", a.name)
    if attachments:
        enc = etree.SubElement(root, f"{{{EDXML_NS}}}AttachmentEncoded")
        for a in attachments:
            att = etree.SubElement(enc, f"{{{EDXML_NS}}}Attachment")
            for tag, value in (
                ("ContentType", a.content_type),
                ("ContentId", a.content_id),
                ("Description", a.description),
                ("ContentTransferEncoded", base64.b64encode(a.data).decode("ascii")),
                ("AttachmentName", a.name),
            ):
                etree.SubElement(att, f"{{{EDXML_NS}}}{tag}").text = value
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


# ---- signing ----------------------------------------------------------------------------------


async def sign_edxml(
    data: bytes,
    key: object,
    *,
    now: datetime,
    level: str = "B-LT",
    digest_algorithm: str = "sha256",
    prefer_pss: bool = False,
    signer_role: str | None = None,
    timestamper: object | None = None,
    validation_data: ValidationDataSource | None = None,
    limits: XmlLimits = DEFAULT_LIMITS,
    name: str = "envelope.edxml",
) -> XadesSignOutcome:
    """Add the header signature (enveloped XAdES) to an edXML envelope."""
    root = parse(data, limits=limits, name=name).getroot()
    env = _envelope(root)
    header = _find(env, "edXMLHeader") if env is not None else None
    if env is None or header is None or _find(header, "MessageHeader") is None:
        raise InputError(
            Msg(
                "Tệp {n} không phải phong bì edXML (thiếu edXMLEnvelope/edXMLHeader/MessageHeader).",
                "File {n} is not an edXML envelope (edXMLEnvelope/edXMLHeader/MessageHeader missing).",
            ).format(n=name)
        )
    ns = etree.QName(header.tag).namespace or ""
    placeholder = _find(header, "DigitalSignature")
    parent = (
        "//*[local-name()='edXMLHeader']/*[local-name()='DigitalSignature']"
        if placeholder is not None
        else "//*[local-name()='edXMLHeader']"
    )
    options = XadesOptions(
        packaging="enveloped",
        level=level,
        digest_algorithm=digest_algorithm,
        prefer_pss=prefer_pss,
        signer_role=signer_role,
        mime_type="application/xml",
        description="edXML",
        exclude_xpaths=("/descendant::edx:TraceHeaderList",),
        xpath_namespaces={"edx": ns},
        parent_xpath=parent,
        limits=limits,
    )
    return await sign_xades(
        data,
        key,  # type: ignore[arg-type]
        options,
        now=now,
        name=name,
        timestamper=timestamper,  # type: ignore[arg-type]
        validation_data=validation_data,
    )


# ---- verification -----------------------------------------------------------------------------


@dataclass
class _Att:
    name: str
    content_id: str | None
    content_type: str | None
    element: etree._Element
    data: bytes | None
    error: str | None = None


def _attachments(root: etree._Element) -> list[_Att]:
    out: list[_Att] = []
    for el in root.iter(etree.Element):
        if _local(el) != "Attachment":
            continue
        enc = _find(el, "ContentTransferEncoded")
        if enc is None:
            continue
        name = _text(el, "AttachmentName") or _text(el, "ContentId") or "attachment"
        att = _Att(name, _text(el, "ContentId"), _text(el, "ContentType"), el, None)
        text = "".join((enc.text or "").split())
        if len(text) * 3 // 4 > MAX_ATTACHMENT_BYTES:
            att.error = "too-large"
        else:
            try:
                att.data = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                att.error = "bad-base64"
        out.append(att)
    return out


def _header_summary(env: etree._Element) -> dict[str, str]:
    mh = _find(env, "edXMLHeader", "MessageHeader")
    fields = {
        "from": _text(mh, "From", "OrganName") or _text(mh, "From", "OrganId") or "",
        "from_id": _text(mh, "From", "OrganId") or "",
        "to": _text(mh, "To", "OrganName") or _text(mh, "To", "OrganId") or "",
        "code_number": _text(mh, "Code", "CodeNumber") or "",
        "code_notation": _text(mh, "Code", "CodeNotation") or "",
        "subject": _text(mh, "Subject") or "",
        "document_id": _text(mh, "DocumentId") or "",
        "promulgation_date": _text(mh, "PromulgationInfo", "PromulgationDate") or "",
    }
    return {k: v for k, v in fields.items() if v}


async def verify_edxml(
    data: bytes,
    name: str,
    options: AdesVerifyOptions,
    verify_attachment: AttachmentVerifier,
    *,
    limits: XmlLimits = DEFAULT_LIMITS,
) -> Report:
    """Verify the header signature and every attachment of an edXML envelope.

    Every problem adds a verdict to a list whose worst entry is the envelope's
    indication: an unsigned or partly signed envelope, unsigned content outside the trace
    headers, an attachment that fails or is protected by nothing, a manifest entry
    without its attachment."""
    result = await verify_xml(data, name, options, limits=limits, require_full_coverage=False)
    report = result.report
    doc = result.document
    if doc is None:
        return report
    root = doc.getroot()
    env = _envelope(root)
    if env is None:
        report.indication, report.sub_indication = Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE
        report.add("EDXML_STRUCTURE", Severity.ERROR, Msg(
            "Không tìm thấy edXMLEnvelope.", "No edXMLEnvelope found."
        ))
        return report
    _add_header_summary(report, env)
    # header signatures: those not inside an attachment's XML (attachments are base64 text)
    header_sigs = [s for s in report.signatures if s.kind == "signature"]
    covered = {id(e) for e in result.covered}  # result.covered keeps the proxies alive
    valid_header = [s for s in header_sigs if s.integrity is not None and s.integrity.intact and s.integrity.signature_valid]
    verdicts: list[Indication] = [s.indication for s in header_sigs]
    _judge_envelope_coverage(report, env, root, result.covered, covered, bool(header_sigs), bool(valid_header), verdicts)
    atts = _attachments(root)
    by_name = {a.name: a for a in atts if a.data is not None}
    paired = {a.name for a in atts if a.name.lower().endswith((".p7s", ".sig")) and a.name[:-4] in by_name}
    for att in atts:
        covered_by_envelope = bool(valid_header) and id(att.element) in covered
        verdict = await _verify_attachment(report, att, by_name, paired, covered_by_envelope, verify_attachment)
        if verdict is not None:
            verdicts.append(verdict)
    _check_manifest(report, env, atts, verdicts)
    _envelope_verdict(report, verdicts, header_sigs)
    return report


def _add_header_summary(report: Report, env: etree._Element) -> None:
    """The envelope's own facts, in the report for the clerk and the DMS."""
    summary = _header_summary(env)
    report.add(
        "EDXML_HEADER",
        Severity.INFO,
        Msg(
            "Văn bản số {c} của {f} gửi {t}: {s}",
            "Document {c} from {f} to {t}: {s}",
        ).format(
            c=f"{summary.get('code_number', '?')}/{summary.get('code_notation', '?')}",
            f=summary.get("from", "?"),
            t=summary.get("to", "?"),
            s=summary.get("subject", ""),
        ),
        **summary,
    )


def _judge_envelope_coverage(
    report: Report,
    env: etree._Element,
    root: etree._Element,
    covered_elements: list[etree._Element],
    covered: set[int],
    signed: bool,
    valid_header: bool,
    verdicts: list[Indication],
) -> None:
    """What the header signatures cover: the message header and body must be signed;
    trace headers are unsigned by design (each hop of the exchange appends one); any other
    unsigned content is suspicious."""
    report.findings = [f for f in report.findings if f.code != "PARTIAL_COVERAGE"]
    unsigned = uncovered_content(root, covered_elements)
    in_trace = [e for e in unsigned if any(_local(a) == "TraceHeaderList" for a in (e, *e.iterancestors()))]
    foreign = [e for e in unsigned if not any(e is t for t in in_trace)]
    if not signed:
        report.add("ENVELOPE_UNSIGNED", Severity.ERROR, Msg(
            "Phong bì edXML không có chữ ký số: thông tin người gửi, số văn bản… không được bảo vệ.",
            "The edXML envelope is not signed: sender, document number… are not protected.",
        ))
        return
    mh = _find(env, "edXMLHeader", "MessageHeader")
    body = _find(env, "edXMLBody")
    missing = [el for el in (mh, body) if el is not None and id(el) not in covered]
    if valid_header and missing:
        report.add("ENVELOPE_PARTIALLY_SIGNED", Severity.ERROR, Msg(
            "Chữ ký phong bì không bao phủ {p}.", "The envelope signature does not cover {p}."
        ).format(p=", ".join(_local(m) for m in missing)))
        verdicts.append(Indication.INDETERMINATE)
    if in_trace:
        report.add("TRACE_HEADERS_UNSIGNED", Severity.INFO, Msg(
            "Thông tin vết chuyển (TraceHeaderList) không thuộc phạm vi ký (được bổ sung khi chuyển tiếp).",
            "The trace headers (TraceHeaderList) are outside the signed scope (appended in transit).",
        ))
    if foreign:
        report.add("UNSIGNED_CONTENT", Severity.ERROR, Msg(
            "Phong bì chứa nội dung không được ký: {p}", "The envelope holds unsigned content: {p}"
        ).format(p=", ".join(describe(e) for e in foreign[:5])), unsigned=[describe(e) for e in foreign[:20]])
        verdicts.append(Indication.INDETERMINATE)


async def _verify_attachment(
    report: Report,
    att: _Att,
    by_name: dict[str, _Att],
    paired: set[str],
    covered_by_envelope: bool,
    verify_attachment: AttachmentVerifier,
) -> Indication | None:
    """Verify one attachment into ``report.attachments``: its own signature (a detached
    ``.p7s``/``.sig`` next to it included) or else the envelope signature's protection.
    Returns the verdict it adds to the envelope's, if any."""
    ar = AttachmentReport(
        name=att.name,
        content_id=att.content_id,
        content_type=att.content_type,
        sha256=hashlib.sha256(att.data).hexdigest() if att.data is not None else "",
        size=len(att.data) if att.data is not None else 0,
        covered_by_envelope=covered_by_envelope,
        indication=Indication.NO_SIGNATURE_FOUND,
    )
    report.attachments.append(ar)
    if att.data is None:
        ar.indication = Indication.TOTAL_FAILED
        ar.sub_indication = SubIndication.FORMAT_FAILURE
        ar.add("ATTACHMENT_UNREADABLE", Severity.ERROR, Msg(
            "Không giải mã được tệp đính kèm {n} ({e}).", "Attachment {n} cannot be decoded ({e})."
        ).format(n=att.name, e=att.error))
        return ar.indication
    detached_for = by_name[att.name[:-4]].data if att.name in paired else None
    content_of_pair = any(p[:-4] == att.name for p in paired)
    try:
        sub_report = await verify_attachment(att.data, att.name, detached_for)
    except UnsupportedFormatError:  # DOCX, images…: no signature of its own
        sub_report = None
    except Exception as e:  # e.g. an unsafe XML attachment: reported, not fatal
        sub_report = None
        ar.add("ATTACHMENT_NOT_VERIFIED", Severity.WARNING, Msg(
            "Tệp đính kèm {n} không có chữ ký số nhận biết được ({e}).",
            "Attachment {n} carries no recognisable signature ({e}).",
        ).format(n=att.name, e=getattr(e, "message_en", str(e))))
    if sub_report is not None and sub_report.indication is not Indication.NO_SIGNATURE_FOUND:
        ar.report = sub_report
        ar.indication, ar.sub_indication = sub_report.indication, sub_report.sub_indication
        return ar.indication
    if content_of_pair:
        ar.add("ATTACHMENT_SIGNED_DETACHED", Severity.INFO, Msg(
            "Tệp {n} được ký bằng chữ ký tách rời đi kèm ({n}.p7s).",
            "Attachment {n} is signed by the accompanying detached signature ({n}.p7s).",
        ).format(n=att.name))
        return None
    if ar.covered_by_envelope:
        ar.add("ATTACHMENT_UNSIGNED", Severity.WARNING, Msg(
            "Tệp đính kèm {n} không có chữ ký riêng; chỉ được chữ ký phong bì bảo vệ toàn vẹn.",
            "Attachment {n} has no signature of its own; only the envelope signature protects it.",
        ).format(n=att.name))
        return None
    ar.add("ATTACHMENT_UNPROTECTED", Severity.ERROR, Msg(
        "Tệp đính kèm {n} không có chữ ký và không được chữ ký phong bì hợp lệ nào bảo vệ.",
        "Attachment {n} is unsigned and not protected by any valid envelope signature.",
    ).format(n=att.name))
    return Indication.INDETERMINATE


def _check_manifest(report: Report, env: etree._Element, atts: list[_Att], verdicts: list[Indication]) -> None:
    """Every entry of the edXML manifest must have its attachment."""
    names = {a.content_id for a in atts if a.content_id}
    for ref in env.iter(etree.Element):
        if _local(ref) == "Reference" and _local(ref.getparent()) == "edXMLManifest":  # type: ignore[arg-type]
            cid = (_text(ref, "ContentId") or ref.get(f"{{{XLINK_NS}}}href") or "").removeprefix("cid:")
            if cid and cid not in names and f"cid:{cid}" not in names:
                report.add("ATTACHMENT_MISSING", Severity.ERROR, Msg(
                    "Danh mục (manifest) liệt kê tệp {c} nhưng phong bì không chứa tệp này.",
                    "The manifest lists attachment {c} but the envelope does not carry it.",
                ).format(c=cid))
                verdicts.append(Indication.TOTAL_FAILED)


def _envelope_verdict(report: Report, verdicts: list[Indication], header_sigs: list[SignatureReport]) -> None:
    """The worst of the collected verdicts (an unsigned envelope is at best INDETERMINATE);
    the sub-indication of a failing header signature, else of the first attachment with
    the envelope's indication."""
    if not verdicts:
        report.indication = Indication.NO_SIGNATURE_FOUND
        return
    if not header_sigs:
        verdicts.append(Indication.INDETERMINATE)
    report.indication = worst_indication(verdicts)
    if report.indication is Indication.TOTAL_PASSED:
        report.sub_indication = None
    elif report.sub_indication is None or all(s.indication is Indication.TOTAL_PASSED for s in header_sigs):
        bad = [a for a in report.attachments if a.indication is report.indication]
        report.sub_indication = bad[0].sub_indication if bad else SubIndication.SIG_CONSTRAINTS_FAILURE


__all__ = [
    "EDXML_NS",
    "Attachment",
    "EdxmlHeader",
    "build_envelope",
    "is_edxml",
    "sign_edxml",
    "verify_edxml",
]
