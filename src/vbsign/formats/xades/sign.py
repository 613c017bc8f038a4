"""XAdES signing (ETSI EN 319 132-1 baseline B-B, B-T, B-LT).

vbsign builds the XML signature itself with lxml rather than through signxml: signing must
be asynchronous (PKCS#11 tokens, remote keys), the signing time must come from the caller's
clock, and signxml has no B-T/B-LT. The digests are computed by the very code that verifies
them (:func:`vbsign.formats.xades.dsig.process_reference`), so what is signed is exactly what the
verifier will check. signxml's XAdES verifier is used in the test-suite as an independent
cross-check of the B-B output.

Packaging:

* ``enveloped`` — the signature goes inside the document (as the root's last child, or
  under ``parent_xpath``). By default it signs the whole document minus itself with the
  plain enveloped-signature transform, which every XML-DSig verifier implements (signxml,
  xmlsec1/Apache Santuario, .NET ``SignedXml``, Java). ``enveloped_transform="filter2"``
  instead excludes *every* ``ds:Signature`` (XPath Filter 2.0 ``subtract``), so that more
  people can sign the same XML later, in parallel, without breaking each other — at the
  price of verifiers that lack Filter 2.0; ``sign_ids`` signs only chosen elements,
  ``exclude_xpaths`` excludes parts that legitimately change in transit (edXML trace
  headers; implies Filter 2.0).
* ``enveloping`` — the content goes inside the signature (``ds:Object``; XML as is, any
  other file base64-encoded).
* ``detached`` — the signature is a separate XML file referring to the content by name.
"""

from __future__ import annotations

import mimetypes
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Literal

from asn1crypto import cms, x509
from asn1crypto import x509 as asn1_x509
from lxml import etree

import vbsign.formats.xades.constants as C
import vbsign.formats.xades.dsig as dsig
from vbsign._core.algorithms import require_signing_hash
from vbsign._core.errors import InputError, SigningError
from vbsign._core.errors import short_reason as _short
from vbsign._core.i18n import Msg
from vbsign.formats.xades.safe import DEFAULT_LIMITS, XmlLimits, looks_like_xml, parse

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper

    from vbsign.backends.base import SigningKey
    from vbsign.formats.ades import ValidationData

Packaging = Literal["enveloped", "enveloping", "detached"]
PACKAGINGS: tuple[str, ...] = ("enveloped", "enveloping", "detached")
#: how an enveloped whole-document signature excludes itself (see XadesOptions)
XadesTransform = Literal["enveloped", "filter2"]
XADES_TRANSFORMS: tuple[str, ...] = ("enveloped", "filter2")
XADES_LEVELS: tuple[str, ...] = ("B-B", "B-T", "B-LT")
#: CommitmentType "proof of approval" (ETSI EN 319 122/132), used when a reason is given
PROOF_OF_APPROVAL = "http://uri.etsi.org/01903/v1.2.2#ProofOfApproval"

#: ``await collect(cert, extra_certs) -> ValidationData`` (supplied by the API layer)
ValidationDataSource = Callable[[x509.Certificate, list[x509.Certificate]], Awaitable["ValidationData"]]


@dataclass(frozen=True)
class XadesOptions:
    """How to build a XAdES signature."""

    packaging: Packaging = "enveloped"
    level: str = "B-LT"
    digest_algorithm: str = "sha256"
    prefer_pss: bool = False
    #: xades:SignerRoleV2/ClaimedRoles (e.g. "Thứ trưởng")
    signer_role: str | None = None
    #: xades:SignatureProductionPlaceV2/City
    location: str | None = None
    #: xades:CommitmentTypeIndication description (proof of approval)
    reason: str | None = None
    #: xades:DataObjectFormat (MIME type guessed from the name when not given)
    mime_type: str | None = None
    description: str | None = None
    #: detached: the URI naming the content (default: the input file name)
    detached_uri: str | None = None
    #: enveloped: sign only the elements with these Id values
    sign_ids: tuple[str, ...] = ()
    #: enveloped whole-document: "enveloped" (default) is the classic enveloped-signature
    #: transform (only this signature excluded; every verifier reads it, but a signature
    #: added later inside the document breaks it); "filter2" excludes every ds:Signature
    #: (XPath Filter 2.0: later parallel signatures stay valid; some verifiers — signxml,
    #: xmlsec1, .NET SignedXml — do not implement it)
    enveloped_transform: XadesTransform = "enveloped"
    #: enveloped whole-document: further sub-trees excluded (XPath Filter 2.0 subtract)
    exclude_xpaths: tuple[str, ...] = ()
    xpath_namespaces: Mapping[str, str] = field(default_factory=dict)
    #: enveloped: XPath of the element that receives the signature (default: the root)
    parent_xpath: str | None = None
    signature_id: str | None = None
    limits: XmlLimits = DEFAULT_LIMITS


@dataclass
class XadesSignOutcome:
    data: bytes
    signature_id: str
    signing_time: datetime
    timestamp_time: datetime | None = None


def _E(tag: str, parent: etree._Element | None = None, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(tag, attrs) if parent is None else etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _xml_time(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signature_method(key: SigningKey, digest: str, prefer_pss: bool) -> str:
    algo = key.key_algorithm
    table = (
        C.ECDSA_SIGNATURE_URIS
        if algo == "ec"
        else C.RSA_PSS_SIGNATURE_URIS
        if (algo == "rsa" and prefer_pss)
        else C.RSA_SIGNATURE_URIS
        if algo == "rsa"
        else {}
    )
    uri = table.get(digest)
    if uri is None:
        raise InputError(
            Msg(
                "Khóa {a} với hàm băm {d} không dùng được cho chữ ký XAdES.",
                "A {a} key with digest {d} cannot make a XAdES signature.",
            ).format(a=algo.upper(), d=digest)
        )
    return uri


async def sign_xades(
    data: bytes,
    key: SigningKey,
    options: XadesOptions,
    *,
    now: datetime,
    name: str = "document",
    timestamper: TimeStamper | None = None,
    validation_data: ValidationDataSource | None = None,
) -> XadesSignOutcome:
    """Sign ``data`` with ``key`` and return the signed XML (bytes, UTF-8).

    The steps: check the options; build ``ds:SignedInfo`` and place the signature as the
    packaging says (with the data references); ``ds:KeyInfo``; the XAdES signed
    properties; the reference digests; the signature value; then, by level, the signature
    timestamp (B-T) and the certificate and revocation values (B-LT)."""
    level = _checked_level(options, timestamper)
    sig_id = options.signature_id or f"xades-{uuid.uuid4().hex[:16]}"
    digest_uri = C.DIGEST_URIS[options.digest_algorithm]
    method_uri = _signature_method(key, options.digest_algorithm, options.prefer_pss)
    cert = key.certificate

    sig = etree.Element(C.ds("Signature"), {"Id": sig_id}, nsmap={"ds": C.DS})
    signed_info = _E(C.ds("SignedInfo"), sig)
    _E(C.ds("CanonicalizationMethod"), signed_info, Algorithm=C.EXC_C14N)
    sm = _E(C.ds("SignatureMethod"), signed_info, Algorithm=method_uri)
    if method_uri in C.RSA_PSS_SIGNATURE_URIS.values():
        _add_pss_params(sm, key, options.digest_algorithm)

    # the document tree the signature lives in, and the data references
    doc, data_refs, mime, content_obj = _place_signature(sig, signed_info, data, name, options, digest_uri, sig_id)

    sig_value = _E(C.ds("SignatureValue"), sig, Id=f"{sig_id}-value")
    key_info = _E(C.ds("KeyInfo"), sig)
    x509_data = _E(C.ds("X509Data"), key_info)
    for c in [cert, *[c for c in key.chain if not _self_signed(c)]]:
        _E(C.ds("X509Certificate"), x509_data, dsig.b64(c.dump()))
    if content_obj is not None:  # enveloping: the content travels in the signature
        sig.append(content_obj)

    qp, sp_id = _qualifying_properties(sig, sig_id, cert, options, now, data_refs, mime, digest_uri)
    _fill_reference_digests(signed_info, sp_id, doc, sig, data, options, digest_uri)

    # the signature value
    si_c14n = dsig.c14n_element(signed_info, exclusive=True, with_comments=False)
    raw = await key.async_sign_raw(si_c14n, options.digest_algorithm, prefer_pss=options.prefer_pss)
    if key.key_algorithm == "ec":
        raw = dsig.der_to_raw_dss(raw, int(cert.public_key.bit_size))
    sig_value.text = dsig.b64(raw)

    ts_time: datetime | None = None
    tokens: list[cms.ContentInfo] = []
    if level in ("B-T", "B-LT"):
        assert timestamper is not None
        token = await _add_signature_timestamp(qp, sig_value, sig_id, timestamper)
        tokens.append(token)
        ts_time = token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    if level == "B-LT":
        await _add_validation_values(qp, key, tokens, validation_data)

    out = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    return XadesSignOutcome(out, sig_id, now, ts_time)


def _checked_level(options: XadesOptions, timestamper: TimeStamper | None) -> str:
    """Refuse options XAdES signing cannot honour (level, packaging, digest, transform, a
    missing TSA); return the level, upper case."""
    level = options.level.upper()
    if level not in XADES_LEVELS:
        raise InputError(
            Msg(
                "XAdES chỉ hỗ trợ các mức {ok} (yêu cầu: {l}).",
                "XAdES supports levels {ok} only (requested: {l}).",
            ).format(ok=", ".join(XADES_LEVELS), l=options.level)
        )
    if options.packaging not in PACKAGINGS:
        raise InputError(
            Msg("Kiểu đóng gói XAdES không hợp lệ: {p}", "Invalid XAdES packaging: {p}").format(p=options.packaging)
        )
    require_signing_hash(options.digest_algorithm)  # SHA-1/MD5: a clear bilingual refusal
    if options.enveloped_transform not in XADES_TRANSFORMS:
        raise InputError(
            Msg(
                "Phép biến đổi XAdES không hợp lệ: {t} (chọn: {ok}).",
                "Invalid XAdES transform: {t} (choose: {ok}).",
            ).format(t=options.enveloped_transform, ok=", ".join(XADES_TRANSFORMS))
        )
    if options.digest_algorithm not in C.DIGEST_URIS:
        raise InputError(
            Msg("Hàm băm không được hỗ trợ: {d}", "Unsupported digest algorithm: {d}").format(
                d=options.digest_algorithm
            )
        )
    if level != "B-B" and timestamper is None:
        raise InputError(
            Msg(
                "Mức {l} cần máy chủ dấu thời gian (--tsa).",
                "Level {l} needs a timestamp server (--tsa).",
            ).format(l=level)
        )
    return level


def _qualifying_properties(
    sig: etree._Element,
    sig_id: str,
    cert: x509.Certificate,
    options: XadesOptions,
    now: datetime,
    data_refs: list[str],
    mime: str,
    digest_uri: str,
) -> tuple[etree._Element, str]:
    """The XAdES signed properties (signing time, signing certificate, place, role, data
    object formats, commitment); returns ``xades:QualifyingProperties`` and the Id of the
    signed properties."""
    obj = _E(C.ds("Object"), sig)
    qp = etree.SubElement(obj, C.xades("QualifyingProperties"), {"Target": f"#{sig_id}"}, nsmap={"xades": C.XADES})
    sp_id = f"{sig_id}-signedprops"
    sp = _E(C.xades("SignedProperties"), qp, Id=sp_id)
    ssp = _E(C.xades("SignedSignatureProperties"), sp)
    _E(C.xades("SigningTime"), ssp, _xml_time(now))
    scv2 = _E(C.xades("SigningCertificateV2"), ssp)
    xc = _E(C.xades("Cert"), scv2)
    cd = _E(C.xades("CertDigest"), xc)
    _E(C.ds("DigestMethod"), cd, Algorithm=digest_uri)
    _E(C.ds("DigestValue"), cd, dsig.b64(dsig.digest(cert.dump(), options.digest_algorithm)))
    _E(C.xades("IssuerSerialV2"), xc, dsig.b64(_issuer_serial(cert)))
    if options.location:
        place = _E(C.xades("SignatureProductionPlaceV2"), ssp)
        _E(C.xades("City"), place, options.location)
    if options.signer_role:
        role = _E(C.xades("SignerRoleV2"), ssp)
        roles = _E(C.xades("ClaimedRoles"), role)
        _E(C.xades("ClaimedRole"), roles, options.signer_role)
    sdop = _E(C.xades("SignedDataObjectProperties"), sp)
    for ref_id in data_refs:
        dof = _E(C.xades("DataObjectFormat"), sdop, ObjectReference=f"#{ref_id}")
        if options.description:
            _E(C.xades("Description"), dof, options.description)
        _E(C.xades("MimeType"), dof, options.mime_type or mime)
    if options.reason:
        cti = _E(C.xades("CommitmentTypeIndication"), sdop)
        ctid = _E(C.xades("CommitmentTypeId"), cti)
        _E(C.xades("Identifier"), ctid, PROOF_OF_APPROVAL)
        _E(C.xades("Description"), ctid, options.reason)
        _E(C.xades("AllSignedDataObjects"), cti)
    return qp, sp_id


def _fill_reference_digests(
    signed_info: etree._Element,
    sp_id: str,
    doc: etree._ElementTree,
    sig: etree._Element,
    data: bytes,
    options: XadesOptions,
    digest_uri: str,
) -> None:
    """Add the SignedProperties reference, then compute every reference's digest exactly
    as a verifier will (the same reference processing)."""
    sp_ref = _E(C.ds("Reference"), signed_info, Type=C.SIGNED_PROPERTIES_TYPE, URI=f"#{sp_id}")
    _E(C.ds("Transform"), _E(C.ds("Transforms"), sp_ref), Algorithm=C.EXC_C14N)
    _E(C.ds("DigestMethod"), sp_ref, Algorithm=digest_uri)
    _E(C.ds("DigestValue"), sp_ref)

    resolver = dsig.content_resolver({"": data}) if options.packaging == "detached" else None
    for ref in signed_info.findall(C.ds("Reference")):
        outcome = dsig.process_reference(ref, doc, sig, resolver=resolver, limits=options.limits)
        if outcome.signed_octets is None:
            raise SigningError(
                Msg(
                    "Không tính được giá trị băm cho tham chiếu {u}: {p}",
                    "Cannot compute the digest of reference {u}: {p}",
                ).format(u=outcome.uri, p=f"{outcome.problem} {outcome.problem_detail}".strip())
            )
        dv = ref.find(C.ds("DigestValue"))
        assert dv is not None
        dv.text = dsig.b64(dsig.digest(outcome.signed_octets, options.digest_algorithm))


async def _add_signature_timestamp(
    qp: etree._Element, sig_value: etree._Element, sig_id: str, timestamper: TimeStamper
) -> cms.ContentInfo:
    """B-T: a signature timestamp over the canonical SignatureValue; returns the token."""
    usp = _unsigned_signature_properties(qp)
    ts_el = _E(C.xades("SignatureTimeStamp"), usp, Id=f"{sig_id}-ts")
    _E(C.ds("CanonicalizationMethod"), ts_el, Algorithm=C.EXC_C14N)
    imprint = dsig.digest(dsig.c14n_element(sig_value, exclusive=True, with_comments=False), "sha256")
    try:
        token: cms.ContentInfo = await timestamper.async_timestamp(imprint, "sha256")
    except Exception as e:
        raise SigningError(
            Msg(
                "Không lấy được dấu thời gian từ máy chủ TSA: {e}",
                "Could not obtain a timestamp from the TSA: {e}",
            ).format(e=_short(e))
        ) from e
    _E(C.xades("EncapsulatedTimeStamp"), ts_el, dsig.b64(token.dump()))
    return token


async def _add_validation_values(
    qp: etree._Element,
    key: SigningKey,
    tokens: list[cms.ContentInfo],
    validation_data: ValidationDataSource | None,
) -> None:
    """B-LT: the certificate and revocation values of the signer's and the TSAs' chains
    (certificates already in KeyInfo are not repeated)."""
    cert = key.certificate
    if validation_data is None:
        raise InputError(
            Msg(
                "Mức B-LT cần dữ liệu kiểm tra chứng thư (OCSP/CRL).",
                "Level B-LT needs certificate validation data (OCSP/CRL).",
            )
        )
    vd = await validation_data(cert, list(key.chain))
    for tok in tokens:
        sd = tok["content"]
        tsa_certs = [c.chosen for c in sd["certificates"] if c.name == "certificate"]
        tsa_cert = _tst_signer(sd, tsa_certs)
        if tsa_cert is not None:
            vd.extend(await validation_data(tsa_cert, tsa_certs))
    usp = _unsigned_signature_properties(qp)
    in_keyinfo = {c.dump() for c in [cert, *key.chain]}
    cv = _E(C.xades("CertificateValues"), usp)
    for c in vd.certs:
        if c.dump() not in in_keyinfo:
            _E(C.xades("EncapsulatedX509Certificate"), cv, dsig.b64(c.dump()))
    rv = _E(C.xades("RevocationValues"), usp)
    if vd.crls:
        crlv = _E(C.xades("CRLValues"), rv)
        for crl in vd.crls:
            _E(C.xades("EncapsulatedCRLValue"), crlv, dsig.b64(crl.dump()))
    if vd.ocsps:
        ov = _E(C.xades("OCSPValues"), rv)
        for resp in vd.ocsps:
            _E(C.xades("EncapsulatedOCSPValue"), ov, dsig.b64(resp.dump()))


@dataclass
class _DataReferences:
    """Adds the data references of one signature to its ``ds:SignedInfo`` (digests are
    filled in later) and remembers their Ids for the DataObjectFormat properties."""

    signed_info: etree._Element
    sig_id: str
    digest_uri: str
    xpath_namespaces: Mapping[str, str]
    ids: list[str] = field(default_factory=list)

    def add(self, uri: str, transforms: list[tuple[str, list[str]]]) -> etree._Element:
        """Add a data reference; ``transforms`` are (algorithm, XPath Filter 2.0 subtract texts)."""
        ref_id = f"{self.sig_id}-ref{len(self.ids)}"
        self.ids.append(ref_id)
        ref = _E(C.ds("Reference"), self.signed_info, Id=ref_id, URI=uri)
        if transforms:
            tr = _E(C.ds("Transforms"), ref)
            for algo, xpaths in transforms:
                if not xpaths:
                    _E(C.ds("Transform"), tr, Algorithm=algo)
                    continue
                # the prefixes used by the XPath texts must be declared on the element tree
                # itself (lxml drops unused declarations of detached elements on insertion)
                nsmap = {"dsf2": C.DSIG_FILTER2, "ds": C.DS, **{k: v for k, v in self.xpath_namespaces.items() if k}}
                t = etree.SubElement(tr, C.ds("Transform"), {"Algorithm": algo}, nsmap=nsmap)
                for xp in xpaths:
                    _E(f"{{{C.DSIG_FILTER2}}}XPath", t, xp, Filter="subtract")
        _E(C.ds("DigestMethod"), ref, Algorithm=self.digest_uri)
        _E(C.ds("DigestValue"), ref)
        return ref


def _place_signature(
    sig: etree._Element,
    signed_info: etree._Element,
    data: bytes,
    name: str,
    options: XadesOptions,
    digest_uri: str,
    sig_id: str,
) -> tuple[etree._ElementTree, list[str], str, etree._Element | None]:
    """Put ``sig`` where the packaging says; add the data references (digests filled later).

    Returns the document tree, the data reference Ids, the content's MIME type and, for
    an enveloping signature, the ``ds:Object`` that carries the content."""
    refs = _DataReferences(signed_info, sig_id, digest_uri, options.xpath_namespaces)
    if options.packaging == "enveloped":
        doc = _place_enveloped(sig, data, name, options, refs)
        return doc, refs.ids, "text/xml", None

    mime = options.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if options.packaging == "enveloping":
        obj_id = f"{sig_id}-content"
        obj = etree.Element(C.ds("Object"), {"Id": obj_id})
        if looks_like_xml(data) and not name.lower().endswith((".svg",)):
            content = parse(data, limits=options.limits, name=name).getroot()
            obj.append(content)
            transforms: list[tuple[str, list[str]]] = [(C.EXC_C14N, [])]
            mime = options.mime_type or "text/xml"
        else:
            obj.set("Encoding", C.BASE64)
            obj.set("MimeType", mime)
            obj.text = dsig.b64(data)
            transforms = [(C.BASE64, [])]
        refs.add(f"#{obj_id}", transforms)
        return etree.ElementTree(sig), refs.ids, mime, obj

    # detached
    uri = options.detached_uri or _basename(name)
    refs.add(urllib.parse.quote(uri, safe="/:@!$&'()*+,;=-._~"), [])
    return etree.ElementTree(sig), refs.ids, mime, None


def _place_enveloped(
    sig: etree._Element, data: bytes, name: str, options: XadesOptions, refs: _DataReferences
) -> etree._ElementTree:
    """An enveloped signature: inside the document (under ``parent_xpath`` if given),
    referencing the elements named by ``sign_ids`` or the whole document minus the
    signatures (the enveloped transform, or XPath Filter 2.0 with ``exclude_xpaths``)."""
    doc = parse(data, limits=options.limits, name=name)
    root = doc.getroot()
    _refuse_breaking_existing(root)
    parent = root
    if options.parent_xpath:
        found = root.xpath(options.parent_xpath, namespaces=dict(options.xpath_namespaces))
        if not found or not isinstance(found[0], etree._Element):
            raise InputError(
                Msg(
                    "Không tìm thấy vị trí đặt chữ ký ({x}).",
                    "The signature location was not found ({x}).",
                ).format(x=options.parent_xpath)
            )
        parent = found[0]
    parent.append(sig)
    if options.sign_ids:
        for ident in options.sign_ids:
            hits = dsig.find_by_id(root, ident)
            if len(hits) != 1:
                raise InputError(
                    Msg(
                        "Phần tử Id='{i}' không tồn tại hoặc không duy nhất ({n}).",
                        "Element Id='{i}' is missing or not unique ({n}).",
                    ).format(i=ident, n=len(hits))
                )
            refs.add(f"#{ident}", [(C.ENVELOPED, []), (C.EXC_C14N, [])])
    elif options.enveloped_transform == "enveloped" and not options.exclude_xpaths:
        refs.add("", [(C.ENVELOPED, []), (C.EXC_C14N, [])])
    else:
        xpaths = ["/descendant::ds:Signature", *options.exclude_xpaths]
        refs.add("", [(C.DSIG_FILTER2, xpaths), (C.EXC_C14N, [])])
    return doc


def _refuse_breaking_existing(root: etree._Element) -> None:
    """Adding an enveloped signature must not invalidate the signatures already there.

    A whole-document reference that removes only *its own* signature (the classic
    enveloped-signature transform) would cover ours and break: refuse, and say what works.
    """
    root_id = dsig.element_id(root)
    for ref in root.iter(C.ds("Reference")):
        uri = ref.get("URI")
        if uri not in ("", "#xpointer(/)") and not (root_id and uri == f"#{root_id}"):
            continue
        algos = [t.get("Algorithm") for t in ref.iter(C.ds("Transform"))]
        if C.ENVELOPED in algos and not ({C.DSIG_FILTER2, C.XPATH} & set(algos)):
            raise InputError(
                Msg(
                    "Tài liệu đã có chữ ký bao phủ toàn bộ tài liệu; thêm chữ ký enveloped sẽ làm hỏng chữ ký đó. "
                    "Hãy ký kiểu detached hoặc enveloping (--packaging). Nếu nhiều người cần ký lần lượt vào "
                    "cùng tệp XML, người ký đầu tiên hãy dùng --xades-transform filter2.",
                    "The document already carries a whole-document signature that an added enveloped "
                    "signature would break. Sign detached or enveloping instead (--packaging). When several "
                    "people are to sign the same XML, the first signer should use --xades-transform filter2.",
                )
            )


def _basename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base if base and not base.startswith("<") else "document"


def _self_signed(c: x509.Certificate) -> bool:
    return c.self_signed in ("yes", "maybe")


def _issuer_serial(cert: x509.Certificate) -> bytes:
    der: bytes = cms.IssuerSerial(
        {
            "issuer": asn1_x509.GeneralNames([asn1_x509.GeneralName(name="directory_name", value=cert.issuer)]),
            "serial": cert.serial_number,
        }
    ).dump()
    return der


def _add_pss_params(sm: etree._Element, key: SigningKey, digest: str) -> None:
    """Declare pyHanko's PSS salt length (maximal) so verifiers need not guess it."""
    ns = "http://www.w3.org/2007/05/xmldsig-more#"
    bits = int(key.certificate.public_key.bit_size)
    hlen = {"sha256": 32, "sha384": 48, "sha512": 64}[digest]
    salt = (bits + 7) // 8 - hlen - 2
    params = etree.SubElement(sm, f"{{{ns}}}RSAPSSParams", nsmap={"pss": ns})
    _E(C.ds("DigestMethod"), params, Algorithm=C.DIGEST_URIS[digest])
    _E(f"{{{ns}}}SaltLength", params, str(salt))


def _unsigned_signature_properties(qp: etree._Element) -> etree._Element:
    up = qp.find(C.xades("UnsignedProperties"))
    if up is None:
        up = _E(C.xades("UnsignedProperties"), qp)
    usp = up.find(C.xades("UnsignedSignatureProperties"))
    if usp is None:
        usp = _E(C.xades("UnsignedSignatureProperties"), up)
    return usp


def _tst_signer(sd: cms.SignedData, certs: list[x509.Certificate]) -> x509.Certificate | None:
    try:
        sid = sd["signer_infos"][0]["sid"]
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            for c in certs:
                if c.issuer == ias["issuer"] and c.serial_number == ias["serial_number"].native:
                    return c
        else:
            ski = sid.chosen.native
            for c in certs:
                if c.key_identifier == ski:
                    return c
    except Exception:
        return None
    return certs[0] if certs else None


__all__ = [
    "PACKAGINGS",
    "XADES_LEVELS",
    "XADES_TRANSFORMS",
    "XadesOptions",
    "XadesSignOutcome",
    "XadesTransform",
    "sign_xades",
]
