"""CAdES archive-time-stamp-v3 (ETSI EN 319 122-1 §5.5.3) and its ats-hash-index-v3.

The archive timestamp's message imprint is the hash of the concatenation, in this order, of

1. ``SignedData.encapContentInfo.eContentType`` (DER, tag and length included);
2. the hash of the signed content (raw octets, the archive timestamp's hash algorithm);
3. the fields ``version``, ``sid``, ``digestAlgorithm``, ``signedAttrs``,
   ``signatureAlgorithm`` and ``signature`` of the SignerInfo (DER, in that order);
4. the ``ATSHashIndexV3`` value carried as the ``ats-hash-index-v3`` unsigned attribute of the
   timestamp token itself: the hashes of every ``CertificateChoices`` of
   ``SignedData.certificates``, every ``RevocationInfoChoice`` of ``SignedData.crls`` and, for
   every unsigned attribute of the SignerInfo, of each ``attrType || attrValue`` pair — as
   they were when the archive timestamp was made.

A verifier recomputes 1-3, takes 4 from the token, and checks that every hash the index lists
is still present in the signature (so nothing covered was removed or altered); items added
later (validation data, newer archive timestamps) are not listed and do not matter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import algos, cms, core

OID_ARCHIVE_TIMESTAMP_V3 = "0.4.0.1733.2.4"
OID_ATS_HASH_INDEX_V3 = "0.4.0.19122.1.5"


class _OctetStrings(core.SequenceOf):  # type: ignore[misc]
    _child_spec = core.OctetString


class ATSHashIndexV3(core.Sequence):  # type: ignore[misc]
    _fields = [
        ("hash_ind_algorithm", algos.DigestAlgorithm, {"default": {"algorithm": "sha256"}}),
        ("certificates_hash_index", _OctetStrings),
        ("crls_hash_index", _OctetStrings),
        ("unsigned_attr_values_hash_index", _OctetStrings),
    ]


def digest(md: str, data: bytes) -> bytes:
    """``md`` (asn1crypto name: sha256, sha3_256 …) of ``data``."""
    return hashlib.new(md.replace("_", "-") if md.startswith("sha3") else md, data).digest()


def _items(value: core.Asn1Value) -> list[core.Asn1Value]:
    try:
        return list(value) if value.contents else []
    except (TypeError, ValueError):
        return []


def unsigned_value_hashes(si: cms.SignerInfo, md: str) -> list[bytes]:
    """``H(attrType || attrValue)`` for every value of every unsigned attribute."""
    out = []
    for attr in _items(si["unsigned_attrs"]):
        t = attr["type"].dump()
        out += [digest(md, t + v.dump()) for v in attr["values"]]
    return out


def current_hashes(sd: cms.SignedData, si: cms.SignerInfo, md: str) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """The three hash lists of an index built from the signature as it is now."""
    certs = [digest(md, c.dump()) for c in _items(sd["certificates"])]
    crls = [digest(md, c.dump()) for c in _items(sd["crls"])]
    return certs, crls, unsigned_value_hashes(si, md)


def build_index(sd: cms.SignedData, si: cms.SignerInfo, md: str) -> ATSHashIndexV3:
    certs, crls, attrs = current_hashes(sd, si, md)
    index = ATSHashIndexV3(
        {
            "certificates_hash_index": certs,
            "crls_hash_index": crls,
            "unsigned_attr_values_hash_index": attrs,
        }
    )
    if md != "sha256":
        index["hash_ind_algorithm"] = {"algorithm": md}
    return index


class _AnySequence(core.SequenceOf):  # type: ignore[misc]
    _child_spec = core.Any


@dataclass(frozen=True)
class ParsedIndex:
    """An ats-hash-index-v3 as carried (``der``: its exact encoding, for the imprint).

    Parsed by position: the optional ``hashIndAlgorithm`` and the first hash list are both
    SEQUENCEs, so a tag-driven decoder cannot tell them apart; four elements mean the
    algorithm is present."""

    der: bytes
    algorithm: str
    certificates: tuple[bytes, ...]
    crls: tuple[bytes, ...]
    attr_values: tuple[bytes, ...]

    def dump(self) -> bytes:
        return self.der

    @classmethod
    def load(cls, der: bytes) -> ParsedIndex:
        items = list(_AnySequence.load(der))
        algorithm = "sha256"
        if len(items) == 4:
            algorithm = str(algos.DigestAlgorithm.load(items[0].dump())["algorithm"].native)
            items = items[1:]
        if len(items) != 3:
            raise ValueError("ats-hash-index-v3: expected 3 or 4 elements")
        lists = [tuple(bytes(h) for h in _OctetStrings.load(i.dump()).native) for i in items]
        return cls(der, algorithm, lists[0], lists[1], lists[2])


def index_algorithm(index: ATSHashIndexV3 | ParsedIndex) -> str:
    if isinstance(index, ParsedIndex):
        return index.algorithm
    return str(index["hash_ind_algorithm"]["algorithm"].native)


def imprint_input(
    sd: cms.SignedData, si: cms.SignerInfo, content_digest: bytes, index: ATSHashIndexV3 | ParsedIndex
) -> bytes:
    """The octets whose hash the archive timestamp carries (items 1-4 of the module doc)."""
    fields = b"".join(
        si[name].dump() for name in ("version", "sid", "digest_algorithm", "signed_attrs", "signature_algorithm", "signature")
    )
    ctype: bytes = sd["encap_content_info"]["content_type"].dump()
    return ctype + content_digest + fields + bytes(index.dump())


def index_of(token: cms.ContentInfo) -> ParsedIndex | None:
    """The ats-hash-index-v3 carried by an archive timestamp token (``None``: absent or
    malformed — the token then proves nothing)."""
    tsi = token["content"]["signer_infos"][0]
    for attr in _items(tsi["unsigned_attrs"]):
        if attr["type"].dotted == OID_ATS_HASH_INDEX_V3:
            try:
                return ParsedIndex.load(attr["values"][0].dump())
            except (ValueError, TypeError, IndexError):
                return None
    return None


def index_still_holds(index: ParsedIndex, sd: cms.SignedData, si: cms.SignerInfo) -> bool:
    """Whether every hash the index lists is still found in the signature."""
    certs, crls, attrs = (set(x) for x in current_hashes(sd, si, index.algorithm))
    listed: Iterable[tuple[tuple[bytes, ...], set[bytes]]] = (
        (index.certificates, certs),
        (index.crls, crls),
        (index.attr_values, attrs),
    )
    return all(h in present for hashes, present in listed for h in hashes)


def with_index(token: cms.ContentInfo, index: ATSHashIndexV3) -> cms.ContentInfo:
    """``token`` with ``index`` as its ats-hash-index-v3 unsigned attribute (the TSA's
    signature covers only the signed attributes: adding one keeps it valid)."""
    tok = cms.ContentInfo.load(token.dump())
    tsi = tok["content"]["signer_infos"][0]
    attrs = [cms.CMSAttribute.load(a.dump()) for a in _items(tsi["unsigned_attrs"])]
    attrs.append(_attribute(OID_ATS_HASH_INDEX_V3, index.dump()))
    tsi["unsigned_attrs"] = cms.CMSAttributes(attrs)
    return cms.ContentInfo.load(tok.dump())


def _attribute(oid: str, value_der: bytes) -> cms.CMSAttribute:
    seq = core.Sequence.load(
        core.Sequence(
            contents=core.ObjectIdentifier(oid).dump() + core.SetOf(contents=value_der).dump()
        ).dump()
    )
    return cms.CMSAttribute.load(seq.dump())


def archive_attribute(token: cms.ContentInfo) -> cms.CMSAttribute:
    """The archive-time-stamp-v3 unsigned attribute holding ``token``."""
    return _attribute(OID_ARCHIVE_TIMESTAMP_V3, token.dump())


__all__ = [
    "ATSHashIndexV3",
    "ParsedIndex",
    "OID_ARCHIVE_TIMESTAMP_V3",
    "OID_ATS_HASH_INDEX_V3",
    "archive_attribute",
    "build_index",
    "current_hashes",
    "digest",
    "imprint_input",
    "index_algorithm",
    "index_of",
    "index_still_holds",
    "with_index",
]
