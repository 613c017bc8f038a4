"""Verify an S/MIME message into a :class:`~vbsign.report.Report`.

The message is first brought to its canonical form (CRLF line endings — a stored copy
often has LF; a leading mbox ``From`` line is dropped), then unwrapped layer by layer,
outermost first (at most :data:`MAX_LAYERS`):

* ``multipart/signed`` — the first part's bytes *exactly as received* are checked against
  the detached CMS signature of the second part (:func:`vbsign.formats.cades.verify_cms`: the same
  chain, revocation, time and trust evaluation as CAdES). A digest mismatch is diagnosed
  (:mod:`vbsign.formats.smime.canon`): which transformation on the way explains it, if any;
* ``application/pkcs7-mime; smime-type=signed-data`` — the opaque signature carries the
  entity;
* ``enveloped-data`` / ``authEnveloped-data`` — decrypted with the caller's key, if given;
* a ``multipart/signed`` inside another multipart (a gateway that wraps the signed message
  to append a disclaimer) is found, and the parts around it are reported as *not signed*.

Every MIME part of the result is listed in ``Report.attachments`` (:class:`vbsign.report.Report`) with its digest and
whether a signature covers it. Header fields protected inside the signed part (RFC 9788)
are compared with the outer ones. The e-mail specific *policy* checks (certificate purpose,
sender address) are applied by :mod:`vbsign.api.mail`, which knows the policy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from typing import TYPE_CHECKING

from vbsign._core.errors import ResourceLimitExceeded, short_reason
from vbsign._core.i18n import Msg
from vbsign.formats.ades import AdesVerifyOptions
from vbsign.formats.cades import CmsVerification, verify_cms
from vbsign.formats.smime.canon import diagnose, has_eight_bit
from vbsign.formats.smime.cms import message_digests
from vbsign.formats.smime.envelope import SMIME_TYPES, content_type, decrypt_envelope
from vbsign.formats.smime.mime import PKCS7_MIME_TYPES, SIGNATURE_TYPES, parse_message
from vbsign.formats.smime.raw import (
    CRLF,
    RawEntity,
    header_fields,
    header_values,
    parse_entity,
    strip_mbox_line,
    to_crlf,
)
from vbsign.model.report import (
    AttachmentReport,
    DocumentInfo,
    Finding,
    Indication,
    MailInfo,
    Report,
    Severity,
    SignatureReport,
    SubIndication,
    worst_indication,
)

if TYPE_CHECKING:
    from vbsign.backends.base import SigningKey

MAX_MAIL_BYTES = 256 * 1024 * 1024
MAX_LAYERS = 6
I, F = Indication.INDETERMINATE, Indication.TOTAL_FAILED  # noqa: E741
#: header fields compared between the outer header and the signed copy (RFC 9788)
COMPARED_FIELDS = ("From", "Sender", "To", "Cc", "Reply-To", "Subject", "Date")


@dataclass(frozen=True)
class MailVerifyOptions:
    """How to verify a message."""

    ades: AdesVerifyOptions
    #: parts outside every signature make the verdict INDETERMINATE (False: a warning only)
    require_full_coverage: bool = True
    #: the recipient's key, to decrypt an encrypted message before verifying it
    decrypt_key: SigningKey | None = None


@dataclass
class MailVerification:
    """The report, and the message as verified."""

    report: Report
    #: the outer header fields followed by the innermost (signed, decrypted) entity —
    #: what a mail client should display; ``None`` if nothing could be unwrapped
    content: bytes | None = None
    #: whether an encrypted layer was decrypted
    decrypted: bool = False


def addresses_in(values: Iterable[str]) -> list[str]:
    """The bare addresses of header values (``"Tên <a@b>"`` → ``a@b``), in order."""
    return [addr for _, addr in getaddresses(list(values)) if addr]


def _decoded_body(entity: RawEntity) -> bytes:
    try:
        payload = parse_message(entity.data).get_payload(decode=True)
    except Exception:  # malformed fields: fall back to the body as base64 below
        payload = None
    if isinstance(payload, bytes) and payload:
        return payload
    try:  # not labelled base64 but base64 all the same (some agents omit the header)
        return base64.b64decode(entity.body, validate=False)
    except (binascii.Error, ValueError):
        return b""


def smime_kind(entity: RawEntity) -> tuple[str | None, bytes]:
    """``(layer kind, CMS DER)`` of an S/MIME entity, or ``(None, b"")``."""
    ctype = entity.content_type
    if ctype == "multipart/signed":
        return "multipart/signed", b""
    if ctype not in PKCS7_MIME_TYPES:
        return None, b""
    der = _decoded_body(entity)
    kind = content_type(der)
    if kind == "signed_data":
        return "signed-data", der
    if kind in SMIME_TYPES:
        return SMIME_TYPES[kind], der
    return "unknown-pkcs7", der


def _find_signed(entity: RawEntity) -> RawEntity | None:
    for child in entity.children:
        if child.content_type == "multipart/signed":
            return child
        found = _find_signed(child)
        if found is not None:
            return found
    return None


def mail_info(headers: EmailMessage) -> MailInfo:
    def one(name: str) -> str | None:
        values = header_values(headers, name)
        return values[0] if values else None

    def many(name: str) -> list[str]:
        return addresses_in(header_values(headers, name))

    sender = many("Sender")
    return MailInfo(
        from_addresses=many("From"), sender=sender[0] if sender else None, to=many("To"), cc=many("Cc"),
        subject=one("Subject"), date=one("Date"), message_id=one("Message-ID"),
    )  # fmt: skip


@dataclass
class _Walk:
    """State of one verification while layers are unwrapped."""

    report: Report
    options: MailVerifyOptions
    name: str
    #: the message as received with LF line endings (``None`` when it was already CRLF)
    lf_root: RawEntity | None = None
    signatures: list[SignatureReport] = field(default_factory=list)
    uncovered: list[RawEntity] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    decrypted: bool = False
    in_top: bool = True

    async def unwrap(self, top: RawEntity) -> RawEntity | None:
        current = top
        for _ in range(MAX_LAYERS):
            kind, der = smime_kind(current)
            if kind is None and current.is_multipart and not self.layers:
                inner = _find_signed(current)
                if inner is not None:
                    self.uncovered += [leaf for leaf in current.leaves() if not inner.start <= leaf.start < inner.end]
                    current = inner
                    continue
            if kind == "multipart/signed":
                current = await self._clear_signed(current)
            elif kind == "signed-data":
                current = await self._opaque(der)
            elif kind is not None and kind in SMIME_TYPES.values():
                nxt = await self._decrypt(der, kind)
                if nxt is None:
                    return None
                current = nxt
            else:
                return current
            self.in_top = False
        self.report.add("MAIL_TOO_MANY_LAYERS", Severity.ERROR, Msg(
            "Thư lồng quá nhiều lớp S/MIME (tối đa {n}); phần bên trong không được kiểm tra.",
            "The message nests too many S/MIME layers (at most {n}); the inner part was not verified.",
        ).format(n=MAX_LAYERS))  # fmt: skip
        return None

    def _as_received(self, entity: RawEntity) -> bytes | None:
        """The bytes of ``entity`` in the message as received (LF form), for diagnosis."""
        if self.lf_root is None or not self.in_top:
            return None
        for e in self.lf_root.walk():
            if e.path == entity.path:
                return e.data
        return None

    async def _clear_signed(self, entity: RawEntity) -> RawEntity:
        self.layers.append("multipart/signed")
        if len(entity.children) != 2 or entity.children[1].content_type not in SIGNATURE_TYPES:
            self._malformed(Msg(
                "Cấu trúc multipart/signed không hợp lệ: cần đúng 2 phần, phần thứ hai là chữ ký PKCS#7 ({n} phần).",
                "Malformed multipart/signed: it needs exactly 2 parts, the second a PKCS#7 signature ({n} parts).",
            ).format(n=len(entity.children)))  # fmt: skip
            return entity.children[0] if entity.children else entity
        content_part, sig_part = entity.children
        der = _decoded_body(sig_part)
        content = content_part.data
        checked = await self._cms(der, content)
        if checked is None:
            return parse_entity(content)
        sigs = checked.report.signatures
        if any(s.integrity is not None and not s.integrity.intact for s in sigs):
            sigs = await self._diagnose(der, content, self._as_received(content_part), sigs)
        if has_eight_bit(content):
            for s in sigs:
                s.add("MAIL_8BIT_SIGNED", Severity.WARNING, Msg(
                    "Phần thư đã ký chứa dữ liệu 8 bit: hệ thống thư trung gian có thể mã hóa lại và làm hỏng chữ ký "
                    "(RFC 8551 mục 3.1.2 yêu cầu mã hóa 7 bit trước khi ký).",
                    "The signed part carries 8-bit data: relays may re-encode it and break the signature "
                    "(RFC 8551 §3.1.2 requires 7-bit encoding before signing).",
                ))  # fmt: skip
        self._adopt(sigs, content_part.path or "1", content, checked.report.findings)
        return parse_entity(content)

    async def _diagnose(
        self, der: bytes, content: bytes, as_received: bytes | None, sigs: list[SignatureReport]
    ) -> list[SignatureReport]:
        found = diagnose(content, message_digests(der), as_received)
        if found is not None and found.accepted:
            again = await self._cms(der, found.data)
            if again is None:
                return sigs
            for s in again.report.signatures:
                s.add(found.code, Severity.WARNING, found.message)
            return again.report.signatures
        for s in sigs:
            if s.integrity is None or s.integrity.intact:
                continue
            if found is not None:
                s.add(found.code, Severity.ERROR, found.message)
            else:
                s.add("MAIL_CONTENT_CHANGED", Severity.ERROR, Msg(
                    "Nội dung phần thư đã ký bị thay đổi sau khi ký; không phép biến đổi thông thường nào của hệ thống "
                    "thư (xuống dòng, mã hóa lại 7/8 bit, gấp dòng tiêu đề) giải thích được sự khác biệt.",
                    "The signed part was changed after signing; no usual mail-system transformation (line endings, "
                    "7/8-bit re-encoding, header re-wrapping) explains the difference.",
                ))  # fmt: skip
        return sigs

    async def _opaque(self, der: bytes) -> RawEntity:
        self.layers.append("signed-data")
        checked = await self._cms(der, None)
        if checked is None:
            return parse_entity(b"\r\n")
        content = checked.content or b""
        self._adopt(checked.report.signatures, "signed-data", content, checked.report.findings)
        return parse_entity(to_crlf(content))

    async def _cms(self, der: bytes, content: bytes | None) -> CmsVerification | None:
        """:func:`verify_cms`, with a damaged structure it cannot read reported as malformed."""
        try:
            return await verify_cms(der, self.name, self.options.ades, content=content, content_name="MIME")
        except Exception as e:  # hostile or damaged CMS: a verdict, never a crash
            self._malformed(Msg("Chữ ký S/MIME bị hỏng, không đọc được: {e}", "The S/MIME signature is damaged: {e}").format(
                e=short_reason(e)
            ))  # fmt: skip
            return None

    async def _decrypt(self, der: bytes, kind: str) -> RawEntity | None:
        self.layers.append(kind)
        key = self.options.decrypt_key
        if key is None:
            self.report.add("MAIL_ENCRYPTED", Severity.WARNING, Msg(
                "Thư được mã hóa ({k}); cần khóa của người nhận để giải mã và kiểm tra chữ ký bên trong.",
                "The message is encrypted ({k}); the recipient's key is needed to decrypt it and verify what it holds.",
            ).format(k=kind))  # fmt: skip
            return None
        plain = await decrypt_envelope(der, key)
        self.decrypted = True
        for w in plain.warnings:
            self.report.add("MAIL_WEAK_ENCRYPTION", Severity.WARNING, w)
        self.report.add("MAIL_DECRYPTED", Severity.INFO, Msg(
            "Đã giải mã thư ({c}, {t}) bằng khóa của người nhận.", "The message was decrypted ({c}, {t}) with the recipient's key."
        ).format(c=plain.cipher, t=plain.key_transport))  # fmt: skip
        return parse_entity(to_crlf(plain.content))

    def _adopt(self, sigs: list[SignatureReport], where: str, content: bytes, findings: list[Finding]) -> None:
        self.report.findings += [f for f in findings if f.code not in ("NO_SIGNATURE",)]
        scope = f"MIME entity {where} ({len(content)} bytes, sha256 {hashlib.sha256(content).hexdigest()[:16]}…)"
        for s in sigs:
            s.id = f"S{len(self.signatures) + 1}"
            s.signed_scope = [scope]
            self.signatures.append(s)
        if not sigs:
            self._malformed(Msg("Chữ ký S/MIME không đọc được.", "The S/MIME signature cannot be read."))

    def _malformed(self, msg: Msg) -> None:
        rep = SignatureReport(id=f"S{len(self.signatures) + 1}", kind="signature", indication=F,
                              sub_indication=SubIndication.FORMAT_FAILURE)  # fmt: skip
        rep.add("MAIL_SMIME_MALFORMED", Severity.ERROR, msg)
        self.signatures.append(rep)


def _part_reports(entity: RawEntity | None, covered: bool, verdict: tuple[Indication, SubIndication | None]) -> list[AttachmentReport]:
    out: list[AttachmentReport] = []
    for leaf in entity.leaves() if entity is not None else []:
        body, filename, cid = _leaf_facts(leaf)
        where = leaf.path or "1" if covered else f"{leaf.path or '1'}, unsigned"
        att = AttachmentReport(
            name=f"[{where}] {filename or leaf.content_type}", content_id=cid,
            content_type=leaf.content_type, sha256=hashlib.sha256(body).hexdigest(), size=len(body),
            covered_by_envelope=covered and verdict[0] is not Indication.TOTAL_FAILED,
            indication=verdict[0] if covered else Indication.NO_SIGNATURE_FOUND, sub_indication=verdict[1] if covered else None,
        )  # fmt: skip
        if not covered:
            att.add("MAIL_PART_NOT_SIGNED", Severity.WARNING, Msg(
                "Phần này nằm ngoài chữ ký: không được bảo vệ.", "This part is outside the signature: it is not protected."
            ))  # fmt: skip
        out.append(att)
    return out


def _leaf_facts(leaf: RawEntity) -> tuple[bytes, str | None, str | None]:
    """``(decoded body, file name, Content-ID)`` of a leaf; what cannot be read stays raw."""
    body, filename, cid = leaf.body, None, None
    try:
        msg = parse_message(leaf.data)
        payload = msg.get_payload(decode=True)
        body = payload if isinstance(payload, bytes) else leaf.body
        filename = msg.get_filename()
        cid = header_values(msg, "Content-ID")[0] if header_values(msg, "Content-ID") else None
    except Exception:  # CPython's header parser fails on some malformed fields
        pass
    return body, filename, cid


def _protected(entity: RawEntity | None) -> dict[str, str]:
    if entity is None:
        return {}
    h = entity.headers
    if entity.param("hp") is None and entity.param("protected-headers") is None:
        return {}
    names = [k for k in h if not k.lower().startswith("content-") and k.lower() != "mime-version"]
    return {k: ", ".join(header_values(h, k)) for k in dict.fromkeys(names)}


def _compare_headers(report: Report, outer: EmailMessage, protected: dict[str, str]) -> None:
    changed: list[str] = []
    for name in COMPARED_FIELDS:
        signed = protected.get(name)
        if signed is None:
            continue
        values = header_values(outer, name)
        got = ", ".join(values) if values else None
        if name in ("From", "Sender", "To", "Cc", "Reply-To"):
            same = {a.casefold() for a in addresses_in([signed])} == {a.casefold() for a in addresses_in(values)}
        else:
            same = " ".join(signed.split()) == " ".join((got or "").split())
        if not same:
            changed.append(f"{name}: «{signed}» → «{got if got is not None else '—'}»")
    if changed:
        report.add("MAIL_HEADER_CHANGED", Severity.WARNING, Msg(
            "Trường tiêu đề bên ngoài khác bản đã ký bên trong (RFC 9788); tin bản đã ký: {c}",
            "Outer header fields differ from the signed copy inside (RFC 9788); trust the signed one: {c}",
        ).format(c="; ".join(changed)), fields=changed)  # fmt: skip


def _verdict(report: Report, walk: _Walk) -> None:
    report.signatures = walk.signatures
    if not walk.signatures:
        report.indication, report.sub_indication = Indication.NO_SIGNATURE_FOUND, None
        if not any(f.code == "MAIL_ENCRYPTED" for f in report.findings):
            report.add("MAIL_NOT_SIGNED", Severity.ERROR, Msg("Thư không có chữ ký số S/MIME.", "The message has no S/MIME signature."))
        return
    report.indication = worst_indication([s.indication for s in walk.signatures])
    report.sub_indication = next((s.sub_indication for s in walk.signatures if s.indication is report.indication), None)
    if walk.uncovered:
        strict = walk.options.require_full_coverage
        report.add("MAIL_UNSIGNED_PARTS", Severity.ERROR if strict else Severity.WARNING, Msg(
            "Thư có {n} phần nằm NGOÀI chữ ký (ví dụ lời chú thích do cổng thư thêm vào); chỉ tin phần đã ký.",
            "The message has {n} part(s) OUTSIDE the signature (e.g. a footer added by a gateway); trust only the signed part.",
        ).format(n=len(walk.uncovered)), parts=[p.path for p in walk.uncovered])  # fmt: skip
        if strict and report.indication is Indication.TOTAL_PASSED:
            report.indication, report.sub_indication = I, SubIndication.SIG_CONSTRAINTS_FAILURE


def assemble(outer_header: bytes, entity: bytes) -> bytes:
    """The outer header fields (minus ``Content-*``) followed by ``entity``, byte for byte —
    never re-generated, so that a signed entity inside stays verifiable."""
    kept = [f for f in header_fields(outer_header) if not (f.lower().startswith(b"content-") or f.lower().startswith(b"mime-version"))]
    return b"".join(kept) + b"MIME-Version: 1.0" + CRLF + entity


async def verify_mime(data: bytes, name: str, options: MailVerifyOptions) -> MailVerification:
    """Verify the S/MIME message ``data`` (see the module documentation)."""
    if len(data) > MAX_MAIL_BYTES:
        raise ResourceLimitExceeded(
            Msg("Thư quá lớn (giới hạn {m} byte).", "Message too large (limit {m} bytes).").format(m=MAX_MAIL_BYTES)
        )
    ades = options.ades
    doc = DocumentInfo(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), format="mail")
    report = Report(
        document=doc, indication=Indication.NO_SIGNATURE_FOUND, validation_time_mode="now" if ades.at == "now" else "signing",
        validation_time=ades.now, online=ades.services.online, trust_anchors=ades.trust.fingerprints(),
    )  # fmt: skip
    raw, mbox = strip_mbox_line(data)
    canon = to_crlf(raw)
    top = parse_entity(canon)
    report.mail = mail_info(top.headers)
    report.mail.canonical_form = "crlf" if canon == raw else "lf-to-crlf"
    if mbox:
        report.add("MAIL_MBOX_LINE", Severity.INFO, Msg(
            "Đã bỏ dòng phân cách mbox 'From ' ở đầu tệp.", "The leading mbox 'From ' separator line was removed."
        ))  # fmt: skip
    if canon != raw:
        report.add("MAIL_LINE_ENDINGS_CANONICALISED", Severity.INFO, Msg(
            "Tệp dùng dấu xuống dòng LF (bản lưu trên máy); thư được kiểm tra ở dạng chuẩn CRLF (RFC 8551 mục 3.1.1).",
            "The file uses LF line endings (a stored copy); the message was verified in its canonical CRLF form (RFC 8551 §3.1.1).",
        ))  # fmt: skip
    lf_root = parse_entity(raw, nl=b"\n") if canon != raw and b"\r" not in raw else None
    walk = _Walk(report, options, name, lf_root)
    inner = await walk.unwrap(top)
    report.mail.layers = walk.layers
    protected = _protected(inner) if walk.signatures else {}
    report.mail.protected_headers = protected
    _compare_headers(report, top.headers, protected)
    _verdict(report, walk)
    signed = worst_indication([s.indication for s in walk.signatures])
    verdict = (signed, next((s.sub_indication for s in walk.signatures if s.indication is signed), None))
    covered = bool(walk.signatures)
    report.attachments = _part_reports(inner, covered, verdict) + _part_reports_list(walk.uncovered)
    content = assemble(top.header, inner.data) if inner is not None and walk.layers else None
    return MailVerification(report, content, walk.decrypted)


def _part_reports_list(leaves: list[RawEntity]) -> list[AttachmentReport]:
    out: list[AttachmentReport] = []
    for leaf in leaves:
        out += _part_reports(leaf, False, (Indication.NO_SIGNATURE_FOUND, None))
    return out


__all__ = ["MailVerification", "MailVerifyOptions", "assemble", "mail_info", "smime_kind", "verify_mime"]
