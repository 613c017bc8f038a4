"""CAdES augmentation (ETSI EN 319 122-1): B-B → B-T → B-LT → B-LTA and archive renewal.

Only unsigned parts change; the signature value and the signed attributes keep their bytes:

* **B-T** — a ``signature-time-stamp`` over the signature value;
* **B-LT** — the certificates and OCSP/CRL data of the signer's path and of every timestamp's
  TSA path go into ``SignedData.certificates`` / ``SignedData.crls`` (what is there stays);
* **B-LTA** / **renewal** — an ``archive-time-stamp-v3`` with its ``ats-hash-index-v3``
  (:mod:`vbsign.formats.cades_ats`); renewal first adds the validation data of the previous
  archive timestamps, so that the new one covers them.

A detached ``.p7s`` needs its content: the archive timestamp covers the content's hash.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import cms, pem, x509
from pyhanko.sign.timestamps.api import TimeStamper

from vbsign._core.errors import InputError, SigningError
from vbsign._core.i18n import Msg
from vbsign._core.x509 import unique_der
from vbsign.formats.ades import ValidationData, embedded_certificates
from vbsign.formats.cades import load_content_info
from vbsign.formats.cades_ats import (
    OID_ARCHIVE_TIMESTAMP_V3,
    archive_attribute,
    build_index,
    digest,
    imprint_input,
    with_index,
)

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
ValidationDataSource = Callable[[x509.Certificate, list[x509.Certificate]], Awaitable[ValidationData]]


@dataclass
class CmsExtendOutcome:
    data: bytes
    level_before: str
    level_after: str
    steps: list[str] = field(default_factory=list)
    timestamp_time: datetime | None = None


def _items(value: object) -> list[object]:
    try:
        return list(value) if value.contents else []  # type: ignore[attr-defined,call-overload]
    except (TypeError, ValueError):
        return []


def _tokens(si: cms.SignerInfo, kind: str) -> list[cms.ContentInfo]:
    """The signature (``kind="signature"``) or archive timestamp tokens of ``si``."""
    out = []
    for attr in _items(si["unsigned_attrs"]):
        name, oid = attr["type"].native, attr["type"].dotted  # type: ignore[index]
        if (kind == "signature" and name == "signature_time_stamp_token") or (
            kind == "archive" and oid == OID_ARCHIVE_TIMESTAMP_V3
        ):
            out += [cms.ContentInfo.load(v.dump()) for v in attr["values"]]  # type: ignore[index]
    return out


def signer_level(sd: cms.SignedData, si: cms.SignerInfo) -> str:
    """The baseline level the structure of one SignerInfo reaches (not a verdict)."""
    if _tokens(si, "archive"):
        return "B-LTA"
    if not _tokens(si, "signature"):
        return "B-B"
    return "B-LT" if _items(sd["crls"]) else "B-T"


async def extend_cms(
    data: bytes,
    level: str,
    *,
    content: bytes | None,
    timestamper: TimeStamper,
    validation_data: ValidationDataSource,
    renew: bool = False,
    md_algorithm: str = "sha256",
) -> CmsExtendOutcome:
    """Extend every SignerInfo of ``data`` (DER or PEM CMS) to ``level``, or renew."""
    ci = load_content_info(data)
    sd: cms.SignedData = ci["content"]
    signed = _signed_content(sd, content)
    infos = list(sd["signer_infos"])
    before = min((signer_level(sd, si) for si in infos), key=LEVELS.index)
    out = CmsExtendOutcome(data, before, before)
    target = "B-LTA" if renew else level
    if not renew and LEVELS.index(target) <= LEVELS.index(before):
        return out
    for si in infos:
        if LEVELS.index(signer_level(sd, si)) < LEVELS.index("B-T"):
            await _add_signature_timestamp(si, timestamper, md_algorithm)
            _note(out, "signature-timestamp")
    needs_lt = LEVELS.index(target) >= LEVELS.index("B-LT") > LEVELS.index(before)
    if needs_lt and await _add_validation_data(sd, infos, validation_data, signers=True):
        _note(out, "validation-data")
    if target == "B-LTA" and (renew or before != "B-LTA"):
        # the previous archive timestamp's validation data first: the new one covers it
        await _add_validation_data(sd, infos, validation_data, signers=False)
        for si in infos:
            out.timestamp_time = await _add_archive_timestamp(sd, si, signed, timestamper, md_algorithm)
        _note(out, "archive-timestamp-renewed" if renew and before == "B-LTA" else "archive-timestamp")
        # the new archive timestamp's own validation data, for offline checks until the next
        # renewal (not covered by it; the next archive timestamp will be)
        await _add_validation_data(sd, infos, validation_data, signers=False)
    der = ci.dump()
    out.data = pem.armor("CMS", der) if pem.detect(data) else der
    out.level_after = min((signer_level(sd, si) for si in infos), key=LEVELS.index)
    return out


def _note(out: CmsExtendOutcome, step: str) -> None:
    if step not in out.steps:
        out.steps.append(step)


def _signed_content(sd: cms.SignedData, content: bytes | None) -> bytes:
    econtent = sd["encap_content_info"]["content"]
    if econtent.native is not None:
        return bytes(econtent.native) if isinstance(econtent.native, bytes) else econtent.parsed.dump()
    if content is None:
        raise InputError(
            Msg(
                "Chữ ký tách rời (.p7s): cần tệp nội dung đã ký để gia hạn.",
                "Detached signature (.p7s): extending it needs the signed content file.",
            )
        )
    return content


def _add_attribute(si: cms.SignerInfo, attr: cms.CMSAttribute) -> None:
    attrs = [cms.CMSAttribute.load(a.dump()) for a in _items(si["unsigned_attrs"])]  # type: ignore[attr-defined]
    si["unsigned_attrs"] = cms.CMSAttributes([*attrs, attr])


async def _add_signature_timestamp(si: cms.SignerInfo, timestamper: TimeStamper, md: str) -> None:
    try:
        token = await timestamper.async_timestamp(digest(md, si["signature"].native), md)
    except Exception as e:
        raise _failed(e) from e
    _add_attribute(si, cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]}))


async def _add_validation_data(
    sd: cms.SignedData, infos: list[cms.SignerInfo], source: ValidationDataSource, *, signers: bool
) -> bool:
    """With ``signers``: the validation data of every signer and signature timestamp (B-LT);
    else that of each signer's newest archive timestamp (the only one that must still
    validate now: older ones are covered by it). False if nothing was new."""
    certs = embedded_certificates(sd)
    vd = ValidationData()
    try:
        for si in infos:
            signer = _signer_cert(si, certs) if signers else None
            if signer is not None:
                vd.extend(await source(signer, certs))
            tokens = _tokens(si, "signature") if signers else _tokens(si, "archive")[-1:]
            for tok in tokens:
                tsa_certs = embedded_certificates(tok["content"])
                tsa = _signer_cert(tok["content"]["signer_infos"][0], tsa_certs)
                if tsa is not None:
                    vd.extend(await source(tsa, [*tsa_certs, *certs]))
    except Exception as e:
        raise _failed(e) from e
    return _merge(sd, vd)


def _signer_cert(si: cms.SignerInfo, certs: list[x509.Certificate]) -> x509.Certificate | None:
    sid = si["sid"]
    for c in certs:
        if sid.name == "issuer_and_serial_number":
            if c.issuer == sid.chosen["issuer"] and c.serial_number == sid.chosen["serial_number"].native:
                return c
        elif c.key_identifier == sid.chosen.native:
            return c
    return None


def _merge(sd: cms.SignedData, vd: ValidationData) -> bool:
    """Add what ``vd`` has that ``sd`` lacks (existing entries keep their bytes and order)."""
    certs = [cms.CertificateChoices.load(c.dump()) for c in _items(sd["certificates"])]  # type: ignore[attr-defined]
    revs = [cms.RevocationInfoChoice.load(r.dump()) for r in _items(sd["crls"])]  # type: ignore[attr-defined]
    have = {c.chosen.dump() for c in certs} | {r.chosen.dump() for r in revs}
    new_certs = [c for c in unique_der(vd.certs) if c.dump() not in have]
    new_crls = [c for c in unique_der(vd.crls) if c.dump() not in have]
    new_ocsps = [o for o in unique_der(vd.ocsps) if not _has_ocsp(revs, o)]
    if not (new_certs or new_crls or new_ocsps):
        return False
    certs += [cms.CertificateChoices(name="certificate", value=c) for c in new_certs]
    revs += [cms.RevocationInfoChoice(name="crl", value=c) for c in new_crls]
    revs += [
        cms.RevocationInfoChoice(
            name="other",
            value=cms.OtherRevocationInfoFormat({"other_rev_info_format": "ocsp_response", "other_rev_info": o}),
        )
        for o in new_ocsps
    ]
    sd["certificates"] = cms.CertificateSet(certs)
    if revs:
        sd["crls"] = cms.RevocationInfoChoices(revs)
    if any(r.name == "other" for r in revs):
        sd["version"] = "v5"  # RFC 5652 §5.1: "other" revocation formats need v5
    return True


def _has_ocsp(revs: list[cms.RevocationInfoChoice], resp: object) -> bool:
    der = resp.dump()  # type: ignore[attr-defined]
    return any(r.name == "other" and r.chosen["other_rev_info"].dump() == der for r in revs)


async def _add_archive_timestamp(
    sd: cms.SignedData, si: cms.SignerInfo, signed: bytes, timestamper: TimeStamper, md: str
) -> datetime:
    index = build_index(sd, si, md)
    imprint = digest(md, imprint_input(sd, si, digest(md, signed), index))
    try:
        token = await timestamper.async_timestamp(imprint, md)
    except Exception as e:
        raise _failed(e) from e
    token = with_index(token, index)
    _add_attribute(si, archive_attribute(token))
    gen: datetime = token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    return gen


def _failed(e: Exception) -> SigningError:
    detail = (str(e) or type(e).__name__)[:300]
    return SigningError(Msg("Không gia hạn được chữ ký: {e}", "Cannot extend the signature: {e}").format(e=detail))


__all__ = ["CmsExtendOutcome", "extend_cms", "signer_level"]
