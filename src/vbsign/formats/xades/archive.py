"""XAdES archive timestamps (``xadesv141:ArchiveTimeStamp``, ETSI EN 319 132-1 §5.5.2).

The timestamp's message imprint is the hash of the concatenation, in this order, of

1. for every ``ds:Reference`` of ``ds:SignedInfo`` (in order): the octets its digest was
   computed over (after its transforms);
2. the canonicalised ``ds:SignedInfo``, ``ds:SignatureValue`` and ``ds:KeyInfo`` (if any);
3. the canonicalised children of ``xades:UnsignedSignatureProperties`` that come before the
   archive timestamp (signature timestamps, validation values, earlier archive timestamps and
   their validation data);
4. the canonicalised ``ds:Object`` elements no reference designates, except the one holding
   the ``xades:QualifyingProperties``;

canonicalised with the archive timestamp's own ``ds:CanonicalizationMethod``. Whatever comes
after it (its own validation data, a later archive timestamp) is not covered.
"""

from __future__ import annotations

from lxml import etree

import vbsign.formats.xades.constants as C
import vbsign.formats.xades.dsig as dsig


def _local(el: etree._Element) -> str:
    return etree.QName(el.tag).localname if isinstance(el.tag, str) else ""


def archive_input(
    sig: etree._Element,
    ats: etree._Element | None,
    usp: etree._Element,
    reference_octets: list[bytes],
    *,
    exclusive: bool = True,
    with_comments: bool = False,
) -> bytes:
    """The octets an archive timestamp at position ``ats`` of ``usp`` covers (``ats=None``:
    a new one appended at the end)."""

    def c14n(el: etree._Element) -> bytes:
        return dsig.c14n_element(el, exclusive=exclusive, with_comments=with_comments)

    parts = list(reference_octets)
    for name in ("SignedInfo", "SignatureValue", "KeyInfo"):
        el = sig.find(C.ds(name))
        if el is not None:
            parts.append(c14n(el))
    for child in usp:
        if child is ats:
            break
        if isinstance(child.tag, str):
            parts.append(c14n(child))
    parts += [c14n(obj) for obj in _unreferenced_objects(sig)]
    return b"".join(parts)


def _unreferenced_objects(sig: etree._Element) -> list[etree._Element]:
    signed_info = sig.find(C.ds("SignedInfo"))
    uris = {r.get("URI") or "" for r in signed_info.findall(C.ds("Reference"))} if signed_info is not None else set()
    out = []
    for obj in sig.findall(C.ds("Object")):
        if any(_local(d) == "QualifyingProperties" for d in obj.iter()):
            continue
        ident = dsig.element_id(obj)
        if ident is not None and f"#{ident}" in uris:
            continue
        out.append(obj)
    return out


def is_archive_timestamp(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and _local(el) == "ArchiveTimeStamp"


__all__ = ["archive_input", "is_archive_timestamp"]
