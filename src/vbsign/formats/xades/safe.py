"""Hardened XML parsing: no DTD, no entities, no network, bounded size and depth.

Every XML document vbsign reads (to sign it or to verify it) goes through :func:`parse`.
It rejects, *before* building a tree where possible:

* documents larger than :attr:`XmlLimits.max_bytes`;
* any ``<!DOCTYPE`` (internal or external DTD): this is what XXE, "billion laughs",
  quadratic blow-up and external-DTD attacks need, and no signature format needs it;
* entity references and documents nested deeper than :attr:`XmlLimits.max_depth`;
* more than :attr:`XmlLimits.max_elements` elements.

libxml2 is told not to load DTDs, not to substitute entities and not to touch the
network, so even a DOCTYPE that slipped past the pre-scan could not do harm; the pre-scan
exists to fail fast with a clear message.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

from vbsign._core.errors import InputError, ResourceLimitExceeded
from vbsign._core.i18n import Msg


class UnsafeXmlError(InputError):
    """The XML uses a construct vbsign refuses to process (DTD, entities...)."""

    code = "UNSAFE_XML"
    #: why it happens / vì sao
    cause = Msg('XML dùng cấu trúc bị từ chối vì an toàn (DOCTYPE, thực thể, XXE).', 'The XML uses a construct refused for safety (DOCTYPE, entities, XXE).')
    #: what to do / cách xử lý
    remedy = Msg('Yêu cầu bên gửi xuất lại tệp XML không có DOCTYPE/thực thể.', 'Ask the sender to export the XML without DOCTYPE/entities.')


class MalformedXmlError(InputError):
    """The input is not well-formed XML."""

    code = "MALFORMED_XML"
    #: why it happens / vì sao
    cause = Msg('Tệp không phải XML đúng cú pháp.', 'The input is not well-formed XML.')
    #: what to do / cách xử lý
    remedy = Msg('Tệp bị hỏng hoặc không phải XML: xin bên gửi gửi lại.', 'The file is damaged or not XML: ask the sender for it again.')


@dataclass(frozen=True)
class XmlLimits:
    """Resource limits for one XML document."""

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 200
    max_elements: int = 2_000_000


DEFAULT_LIMITS = XmlLimits()


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


def _prolog_text(data: bytes) -> str:
    """The start of the document decoded well enough to look for a DOCTYPE."""
    head = data[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:2] in (b"<\x00", b"\x00<"):
        enc = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) or head[:2] == b"<\x00" else "utf-16-be"
        return head.decode(enc, errors="replace")
    return head.decode("latin-1")


def looks_like_xml(data: bytes) -> bool:
    """Cheap format sniffing: does ``data`` start (after BOM/whitespace/comments) with ``<``?"""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    text = _prolog_text(data[:4096]).lstrip("\ufeff\ufffe \t\r\n")
    return text.startswith("<") and not text.startswith("<<")


_ELEMENT_START = re.compile(r"<[^?!/\s]")


def has_doctype(data: bytes) -> bool:
    """Is there a ``<!DOCTYPE`` before the root element (looked for in the first 64 KiB)?"""
    text = _prolog_text(data)
    dt = text.find("<!DOCTYPE")
    if dt < 0:
        return False
    root = _ELEMENT_START.search(text)
    return root is None or dt < root.start()


def parse(data: bytes, *, limits: XmlLimits = DEFAULT_LIMITS, name: str = "<xml>") -> etree._ElementTree:
    """Parse ``data`` safely and return the document (raises a typed error otherwise)."""
    if len(data) > limits.max_bytes:
        raise ResourceLimitExceeded(
            Msg(
                "Tệp XML {n} quá lớn ({s} byte; giới hạn {m} byte).",
                "XML file {n} is too large ({s} bytes; limit {m} bytes).",
            ).format(n=name, s=len(data), m=limits.max_bytes)
        )
    if has_doctype(data):
        raise UnsafeXmlError(
            Msg(
                "Tệp XML {n} có khai báo DOCTYPE/DTD: vbsign từ chối xử lý (nguy cơ XXE, bom thực thể).",
                "XML file {n} declares a DOCTYPE/DTD: vbsign refuses it (XXE / entity-expansion risk).",
            ).format(n=name),
            details={"reason": "doctype"},
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as e:
        if "depth" in str(e).lower() or "huge" in str(e).lower():
            raise ResourceLimitExceeded(
                Msg(
                    "Tệp XML {n} lồng quá sâu (giới hạn {d}).",
                    "XML file {n} is nested too deeply (limit {d}).",
                ).format(n=name, d=limits.max_depth)
            ) from None
        raise MalformedXmlError(
            Msg("Tệp {n} không phải XML hợp lệ: {e}", "File {n} is not well-formed XML: {e}").format(
                n=name, e=_short(str(e))
            )
        ) from None
    tree = root.getroottree()
    info = tree.docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.doctype:
        raise UnsafeXmlError(
            Msg(
                "Tệp XML {n} có khai báo DTD: vbsign từ chối xử lý.",
                "XML file {n} declares a DTD: vbsign refuses it.",
            ).format(n=name),
            details={"reason": "doctype"},
        )
    check_tree(root, limits, name)
    return tree


def check_tree(root: etree._Element, limits: XmlLimits = DEFAULT_LIMITS, name: str = "<xml>") -> None:
    """Depth, size and entity checks on an already-built tree (evaluated in libxml2, not Python)."""
    too_deep = bool(root.xpath("boolean(/" + "*/" * limits.max_depth + "*)")) if limits.max_depth < 256 else False
    if too_deep or root.xpath("count(//*)") > limits.max_elements:
        raise ResourceLimitExceeded(
            Msg(
                "Tệp XML {n} lồng quá sâu hoặc có quá nhiều phần tử (giới hạn độ sâu {d}, {m} phần tử).",
                "XML file {n} is nested too deeply or has too many elements (limits: depth {d}, {m} elements).",
            ).format(n=name, d=limits.max_depth, m=limits.max_elements)
        )
    for _ in root.iter(etree.Entity):
        raise UnsafeXmlError(
            Msg(
                "Tệp XML {n} chứa tham chiếu thực thể: vbsign từ chối xử lý.",
                "XML file {n} contains entity references: vbsign refuses it.",
            ).format(n=name),
            details={"reason": "entity"},
        )


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "…"


__all__ = ["DEFAULT_LIMITS", "MalformedXmlError", "UnsafeXmlError", "XmlLimits", "looks_like_xml", "parse"]
