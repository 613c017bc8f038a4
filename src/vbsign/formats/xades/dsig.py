"""XML-DSig core: canonicalisation, reference processing and signature values.

This is the part of W3C XML Signature that both signing and verification need. It works
on lxml trees produced by :mod:`vbsign.formats.xades.safe` and never fetches anything: external
references are resolved only from content the caller supplies.

Every reference is processed on a *copy* of the document; the result records, in terms of
the *original* tree, which element the reference designates and which sub-trees its
transforms exclude, so that callers can tell exactly what was signed (signature-wrapping
defence) and compute the document's coverage.

Supported transforms: enveloped-signature, the C14N family (1.0, 1.1, exclusive, with or
without comments), base64, XPath Filter 2.0 (``subtract`` and ``intersect``) and the XPath
1.0 filter at element granularity (enough for the ``not(ancestor-or-self::ds:Signature)``
idiom); XSLT and anything else is reported as unsupported (never guessed).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

import vbsign.formats.xades.constants as C
from vbsign.formats.xades.safe import XmlLimits, parse

XML_NS = "http://www.w3.org/XML/1998/namespace"
ID_ATTRIBUTES = ("Id", "ID", "id", f"{{{XML_NS}}}id")


class ReferenceError_(Exception):
    """A reference cannot be processed; ``code`` says why (stable, machine-readable)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# ---- canonicalisation ------------------------------------------------------------------------


def c14n_params(uri: str | None) -> tuple[bool, bool]:
    """(exclusive, with_comments) of a canonicalisation method URI (KeyError if unknown)."""
    return C.C14N_METHODS[uri or C.C14N_10]


def inclusive_prefixes(method_el: etree._Element | None) -> list[str] | None:
    if method_el is None:
        return None
    inc = method_el.find(f"{{{C.EC_NS}}}InclusiveNamespaces")
    if inc is None:
        return None
    return [p if p != "#default" else "" for p in (inc.get("PrefixList") or "").split()] or None


def _inherited_xml_attrs(el: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for anc in el.iterancestors():
        for name in ("lang", "space"):
            key = f"{{{XML_NS}}}{name}"
            if key not in out and anc.get(key) is not None:
                out[key] = anc.get(key)  # type: ignore[assignment]
    return {k: v for k, v in out.items() if el.get(k) is None}


def c14n_element(
    el: etree._Element, *, exclusive: bool, with_comments: bool, prefixes: list[str] | None = None
) -> bytes:
    """Canonical form of the sub-tree rooted at ``el``.

    A non-root element is first serialised on its own (lxml then declares every in-scope
    namespace on it) and re-parsed: libxml2's sub-tree canonicalisation otherwise emits
    spurious ``xmlns=""`` undeclarations when an ancestor outside the sub-tree has no
    default namespace. Inclusive C14N also inherits the ancestors' xml:lang/xml:space.
    """
    if el.getparent() is not None:
        inherited = {} if exclusive else _inherited_xml_attrs(el)
        standalone = etree.fromstring(etree.tostring(el, with_tail=False), parser=_REPARSER)
        for k, v in inherited.items():
            standalone.set(k, v)
        el = standalone
    out: bytes = etree.tostring(
        el, method="c14n", exclusive=exclusive, with_comments=with_comments, inclusive_ns_prefixes=prefixes
    )
    return out


_REPARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


def digest(data: bytes, algorithm: str) -> bytes:
    return hashlib.new(algorithm.replace("_", "-") if algorithm.startswith("sha3") else algorithm, data).digest()


def digest_available(algorithm: str) -> bool:
    """Can this Python compute ``algorithm`` (RIPEMD-160 depends on the OpenSSL build)?"""
    try:
        digest(b"", algorithm)
    except ValueError:
        return False
    return True


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_text(text: str | None) -> bytes:
    """Strict-ish base64 decoding of element text (whitespace allowed, garbage refused)."""
    cleaned = "".join((text or "").split())
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"invalid base64: {e}") from None


# ---- ids --------------------------------------------------------------------------------------


def element_id(el: etree._Element) -> str | None:
    for a in ID_ATTRIBUTES:
        v = el.get(a)
        if v is not None:
            return str(v)
    # namespaced Id attributes (wsu:Id and the like)
    for k, v in el.attrib.items():
        if k.startswith("{") and k.split("}", 1)[1] in ("Id", "ID", "id"):
            return str(v)
    return None


def find_by_id(root: etree._Element, ident: str) -> list[etree._Element]:
    """All elements whose Id-like attribute equals ``ident`` (more than one = ambiguous)."""
    return [
        el
        for el in root.iter(etree.Element)
        if element_id(el) == ident
    ]


def duplicate_ids(root: etree._Element) -> set[str]:
    seen: set[str] = set()
    dups: set[str] = set()
    for el in root.iter(etree.Element):
        i = element_id(el)
        if i is None:
            continue
        if i in seen:
            dups.add(i)
        seen.add(i)
    return dups


# ---- reference processing --------------------------------------------------------------------


@dataclass
class ReferenceOutcome:
    """What one ``ds:Reference`` designates, and whether its digest matches."""

    uri: str
    ref_type: str | None
    ref_id: str | None
    digest_algorithm: str | None
    transforms: list[str] = field(default_factory=list)
    #: True/False once computed; None when the digest could not be computed
    digest_ok: bool | None = None
    #: stable code of the problem when digest_ok is None (or False for bad base64...)
    problem: str | None = None
    problem_detail: str = ""
    #: designated element of the original tree (None: whole document or external data)
    target: etree._Element | None = None
    whole_document: bool = False
    #: sub-trees (of the original tree) that the transforms exclude
    excluded: list[etree._Element] = field(default_factory=list)
    external: bool = False
    #: the octets that were digested (what was signed, after transforms)
    signed_octets: bytes | None = None


ContentResolver = Callable[[str], bytes | None]


@dataclass
class _NodeSet:
    tree: etree._ElementTree  # a private copy of the document
    apexes: list[etree._Element] | None  # None = whole document
    excluded: list[etree._Element]
    comments: bool


def process_reference(
    ref: etree._Element,
    doc: etree._ElementTree,
    signature: etree._Element,
    *,
    resolver: ContentResolver | None = None,
    limits: XmlLimits | None = None,
) -> ReferenceOutcome:
    """Dereference, transform and digest one reference; never raises for bad input."""
    uri = ref.get("URI")
    dm = ref.find(C.ds("DigestMethod"))
    dm_uri = dm.get("Algorithm") if dm is not None else None
    out = ReferenceOutcome(
        uri=uri if uri is not None else "",
        ref_type=ref.get("Type"),
        ref_id=ref.get("Id"),
        digest_algorithm=C.DIGESTS.get(dm_uri or "") or C.REFUSED_DIGESTS.get(dm_uri or ""),
    )
    transforms = ref.findall(f"{C.ds('Transforms')}/{C.ds('Transform')}")
    out.transforms = [t.get("Algorithm") or "" for t in transforms]
    try:
        # a refused digest (MD5, RIPEMD-160) is still computed: a mismatch is an alteration
        # whatever the algorithm; the algorithm is refused afterwards, by the verdict
        if dm_uri not in C.DIGESTS and dm_uri not in C.REFUSED_DIGESTS:
            raise ReferenceError_("UNSUPPORTED_DIGEST", dm_uri or "")
        if not digest_available(out.digest_algorithm or ""):
            raise ReferenceError_("REFUSED_DIGEST", dm_uri or "")
        data: _NodeSet | bytes
        if uri is None:  # application-defined data: only a single supplied content fits
            single = resolver("") if resolver is not None else None
            if single is None:
                raise ReferenceError_("NO_URI", "a reference without URI needs the signed content (--content)")
            out.external = True
            data = single
        else:
            data = _dereference(uri, doc, signature, out, resolver, limits)
        for t in transforms:
            data = _apply_transform(t, data, doc, signature, out, limits)
        octets = _to_octets(data, doc, out)
        out.signed_octets = octets
        dv = ref.find(C.ds("DigestValue"))
        try:
            expected = b64decode_text(dv.text if dv is not None else None)
        except ValueError:
            out.digest_ok = False
            out.problem = "BAD_DIGEST_VALUE"
            return out
        assert out.digest_algorithm is not None
        out.digest_ok = digest(octets, out.digest_algorithm) == expected
    except ReferenceError_ as e:
        out.problem, out.problem_detail = e.code, e.detail
    except etree.XPathError as e:
        out.problem, out.problem_detail = "UNSUPPORTED_TRANSFORM", f"XPath: {e}"
    return out


def position(el: etree._Element) -> list[int]:
    """Child indices from the root down to ``el`` (stable across copies of a tree)."""
    out: list[int] = []
    parent = el.getparent()
    while parent is not None:
        out.append(parent.index(el))
        el, parent = parent, parent.getparent()
    return out[::-1]


def follow(tree: etree._ElementTree, pos: list[int]) -> etree._Element:
    """The element at ``pos`` (see :func:`position`) in ``tree``."""
    el = tree.getroot()
    for i in pos:
        el = el[i]
    return el


def _dereference(
    uri: str,
    doc: etree._ElementTree,
    signature: etree._Element,
    out: ReferenceOutcome,
    resolver: ContentResolver | None,
    limits: XmlLimits | None,
) -> _NodeSet | bytes:
    if uri == "" or uri in ("#xpointer(/)",):
        out.whole_document = True
        return _NodeSet(copy.deepcopy(doc), None, [], comments=uri != "")
    if uri.startswith("#xpointer(id(") and uri.endswith("))"):
        ident = uri[len("#xpointer(id(") : -2].strip("'\"")
        return _same_document(ident, doc, out, comments=True)
    if uri.startswith("#xpointer("):
        raise ReferenceError_("UNSUPPORTED_URI", uri)
    if uri.startswith("#"):
        return _same_document(uri[1:], doc, out, comments=False)
    # external (detached) content: only from what the caller supplied
    out.external = True
    data = resolver(uri) if resolver is not None else None
    if data is None:
        raise ReferenceError_("DETACHED_CONTENT_MISSING", urllib.parse.unquote(uri))
    return data


def _same_document(ident: str, doc: etree._ElementTree, out: ReferenceOutcome, *, comments: bool) -> _NodeSet:
    found = find_by_id(doc.getroot(), ident)
    if not found:
        raise ReferenceError_("UNRESOLVED", f"#{ident}")
    if len(found) > 1:
        raise ReferenceError_("AMBIGUOUS_ID", f"#{ident} ({len(found)})")
    out.target = found[0]
    dup = copy.deepcopy(doc)
    target = follow(dup, position(found[0]))
    if target is dup.getroot():
        out.whole_document = True
    return _NodeSet(dup, [target], [], comments=comments)


def _orig(doc: etree._ElementTree, ns: _NodeSet, el: etree._Element) -> etree._Element:
    """The element of the original tree corresponding to ``el`` of the copy."""
    try:
        return follow(doc, position(el))
    except IndexError:  # pragma: no cover - the copy diverged (never after _render)
        return el


def _apply_transform(
    t: etree._Element,
    data: _NodeSet | bytes,
    doc: etree._ElementTree,
    signature: etree._Element,
    out: ReferenceOutcome,
    limits: XmlLimits | None,
) -> _NodeSet | bytes:
    algo = t.get("Algorithm") or ""
    if algo == C.ENVELOPED:
        if not isinstance(data, _NodeSet):
            raise ReferenceError_("UNSUPPORTED_TRANSFORM", "enveloped-signature on octets")
        if signature.getroottree().getroot() is doc.getroot():
            _exclude(data, follow(data.tree, position(signature)), doc, out)
        return data
    if algo in C.C14N_METHODS:
        exclusive, comments = C.C14N_METHODS[algo]
        ns = data if isinstance(data, _NodeSet) else _octets_to_nodeset(data, limits)
        return _render(ns, exclusive=exclusive, with_comments=comments and ns.comments, prefixes=inclusive_prefixes(t))
    if algo == C.BASE64:
        if isinstance(data, _NodeSet):
            nodes = data.apexes if data.apexes is not None else [data.tree.getroot()]
            text = "".join("".join(n.itertext()) for n in nodes)
        else:
            text = data.decode("utf-8", errors="replace")
        try:
            return b64decode_text(text)
        except ValueError as e:
            raise ReferenceError_("BAD_BASE64", str(e)) from None
    if algo == C.DSIG_FILTER2:
        if not isinstance(data, _NodeSet):
            raise ReferenceError_("UNSUPPORTED_TRANSFORM", "XPath Filter 2.0 on octets")
        for xp in t.findall(f"{{{C.DSIG_FILTER2}}}XPath"):
            _filter2(xp, data, doc, out)
        return data
    if algo == C.XPATH:
        if not isinstance(data, _NodeSet):
            raise ReferenceError_("UNSUPPORTED_TRANSFORM", "XPath filter on octets")
        xp = t.find(C.ds("XPath"))
        if xp is None or not (xp.text or "").strip():
            raise ReferenceError_("UNSUPPORTED_TRANSFORM", "empty XPath")
        _xpath_filter(xp, data, doc, out)
        return data
    if algo == C.XSLT:
        raise ReferenceError_("UNSUPPORTED_TRANSFORM", "XSLT (refused: executable transforms are not processed)")
    raise ReferenceError_("UNSUPPORTED_TRANSFORM", algo)


def _exclude(ns: _NodeSet, el: etree._Element, doc: etree._ElementTree, out: ReferenceOutcome) -> None:
    if any(el is e or el in e.iterancestors() for e in ns.excluded):
        return
    ns.excluded.append(el)
    out.excluded.append(_orig(doc, ns, el))


def _namespaces(el: etree._Element) -> dict[str, str]:
    return {k: v for k, v in el.nsmap.items() if k}


#: XPath forms refused in transforms: they make the cost grow with the document's size
#: (the XPath 1.0 filter runs once per element) or reach outside the document
_COSTLY_XPATH = re.compile(r"//|descendant|following|preceding|document\s*\(|key\s*\(")


def _check_xpath(expr: str, *, per_node: bool) -> None:
    if len(expr) > 1000:
        raise ReferenceError_("UNSUPPORTED_TRANSFORM", "XPath expression too long")
    costly = _COSTLY_XPATH.findall(expr)
    # a filter evaluated once may search the document once; per node it may not search at all
    if (per_node and costly) or len(costly) > 1:
        raise ReferenceError_(
            "UNSUPPORTED_TRANSFORM", f"XPath expression refused (cost grows with the document): {expr[:80]}"
        )


def _here(xp: etree._Element, ns: _NodeSet, doc: etree._ElementTree) -> dict[tuple[str | None, str], Any]:
    """The XML-DSig ``here()`` XPath function: the ds:XPath element (in the working copy)."""
    if xp.getroottree().getroot() is not doc.getroot():
        return {}
    target = follow(ns.tree, position(xp))
    return {(None, "here"): lambda _ctx: [target]}


def _filter2(xp: etree._Element, ns: _NodeSet, doc: etree._ElementTree, out: ReferenceOutcome) -> None:
    op = xp.get("Filter")
    expr = (xp.text or "").strip()
    _check_xpath(expr, per_node=False)
    evaluator = etree.XPathEvaluator(ns.tree, namespaces=_namespaces(xp), extensions=_here(xp, ns, doc))
    selected = [n for n in evaluator(expr) if isinstance(n, etree._Element)]
    if op == "subtract":
        for el in selected:
            _exclude(ns, el, doc, out)
    elif op == "intersect":
        if ns.apexes is None:
            ns.apexes = selected
            out.whole_document = False
            out.target = _orig(doc, ns, selected[0]) if len(selected) == 1 else None
        else:
            keep = [s for s in selected if any(s is a or a in s.iterancestors() for a in ns.apexes)]
            ns.apexes = keep
    else:
        raise ReferenceError_("UNSUPPORTED_TRANSFORM", f"XPath Filter 2.0 '{op}'")


def _xpath_filter(xp: etree._Element, ns: _NodeSet, doc: etree._ElementTree, out: ReferenceOutcome) -> None:
    expr = (xp.text or "").strip()
    _check_xpath(expr, per_node=True)
    compiled = etree.XPath(f"boolean({expr})", namespaces=_namespaces(xp), extensions=_here(xp, ns, doc))
    root = ns.tree.getroot()
    scope = ns.apexes if ns.apexes is not None else [root]
    new_apexes: list[etree._Element] = []
    for apex in scope:
        stack: list[tuple[etree._Element, bool]] = [(apex, False)]
        while stack:
            el, parent_in = stack.pop()
            if not isinstance(el.tag, str):
                continue
            inside = bool(compiled(el))
            if inside and not parent_in:
                new_apexes.append(el)
            elif not inside and parent_in:
                _exclude(ns, el, doc, out)
            for child in reversed(el):
                stack.append((child, inside))
    if ns.apexes is None and new_apexes == [root]:
        return  # whole document minus the excluded sub-trees
    ns.apexes = new_apexes
    out.whole_document = False
    if len(new_apexes) == 1:
        out.target = _orig(doc, ns, new_apexes[0])


def _octets_to_nodeset(data: bytes, limits: XmlLimits | None) -> _NodeSet:
    try:
        tree = parse(data, limits=limits) if limits is not None else parse(data)
    except Exception as e:
        raise ReferenceError_("NOT_XML", str(e)) from None
    return _NodeSet(tree, None, [], comments=True)


def _render(ns: _NodeSet, *, exclusive: bool, with_comments: bool, prefixes: list[str] | None) -> bytes:
    for el in ns.excluded:
        _remove_keep_tail(el)
    ns.excluded = []
    if ns.apexes is None:
        out: bytes = etree.tostring(
            ns.tree, method="c14n", exclusive=exclusive, with_comments=with_comments, inclusive_ns_prefixes=prefixes
        )
        return out
    return b"".join(
        c14n_element(a, exclusive=exclusive, with_comments=with_comments, prefixes=prefixes) for a in ns.apexes
    )


def _remove_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _to_octets(data: _NodeSet | bytes, doc: etree._ElementTree, out: ReferenceOutcome) -> bytes:
    if isinstance(data, bytes):
        return data
    return _render(data, exclusive=False, with_comments=data.comments, prefixes=None)


# ---- signature values -------------------------------------------------------------------------


def verify_signature_value(method_uri: str, signed_info_c14n: bytes, value: bytes, public_key: Any) -> bool:
    """Check ``value`` over ``signed_info_c14n`` with a cryptography public key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa, utils

    key_algo, pad, dig = C.SIGNATURE_METHODS[method_uri]
    h = _hash(dig)
    try:
        if key_algo == "rsa" and isinstance(public_key, rsa.RSAPublicKey):
            p: Any = (
                padding.PKCS1v15()
                if pad == "pkcs1v15"
                # any salt length: signers differ (hash length, or maximal as pyHanko)
                else padding.PSS(mgf=padding.MGF1(h), salt_length=padding.PSS.AUTO)
            )
            public_key.verify(value, signed_info_c14n, p, h)
            return True
        if key_algo in ("ec", "dsa") and isinstance(public_key, (ec.EllipticCurvePublicKey, dsa.DSAPublicKey)):
            if len(value) % 2:
                return False
            half = len(value) // 2
            der = utils.encode_dss_signature(
                int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big")
            )
            if isinstance(public_key, ec.EllipticCurvePublicKey):
                size = (public_key.curve.key_size + 7) // 8
                if half != size:
                    return False
                public_key.verify(der, signed_info_c14n, ec.ECDSA(h))
            else:
                public_key.verify(der, signed_info_c14n, h)
            return True
    except InvalidSignature:
        return False
    del hashes
    return False


def _hash(name: str) -> Any:
    from cryptography.hazmat.primitives import hashes

    algos: dict[str, Any] = {
        "md5": hashes.MD5,  # verified, then refused by the verdict (never signed with)
        "sha1": hashes.SHA1,
        "sha224": hashes.SHA224,
        "sha3_224": hashes.SHA3_224,
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
        "sha3_256": hashes.SHA3_256,
        "sha3_384": hashes.SHA3_384,
        "sha3_512": hashes.SHA3_512,
    }
    return algos[name]()


def der_to_raw_dss(der: bytes, key_size_bits: int) -> bytes:
    """DER ECDSA/DSA signature -> the fixed-length r||s form XML-DSig uses."""
    from cryptography.hazmat.primitives.asymmetric import utils

    r, s = utils.decode_dss_signature(der)
    n = (key_size_bits + 7) // 8
    return r.to_bytes(n, "big") + s.to_bytes(n, "big")


def content_resolver(contents: Mapping[str, bytes]) -> ContentResolver:
    """Resolve external reference URIs by exact URI, decoded URI or base name; the key
    ``"*"`` answers any reference no other key matches, ``""`` a reference without URI."""

    def resolve(uri: str) -> bytes | None:
        if uri in contents:
            return contents[uri]
        plain = urllib.parse.unquote(uri)
        if plain in contents:
            return contents[plain]
        base = plain.replace("\\", "/").rsplit("/", 1)[-1]
        for name in contents:  # keys only: values may be read lazily
            if name.replace("\\", "/").rsplit("/", 1)[-1] == base:
                return contents[name]
        if "*" in contents:  # the caller's single content answers any detached reference
            return contents["*"]
        if len(contents) == 1 and "" in contents:
            return contents[""]
        return None

    return resolve
