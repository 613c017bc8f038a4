"""Format-independent AdES evaluation, shared by XAdES (:mod:`vbsign.formats.xades`) and CAdES
(:mod:`vbsign.formats.cades`).

A format module extracts *evidence* for one signature — integrity results, the signer's
certificate, embedded certificates and revocation data, the claimed signing time and the
signature timestamp tokens — and :func:`evaluate` turns it into an ETSI EN 319 102-1
verdict with the same semantics as PAdES verification (:mod:`vbsign.formats.pades.verify`):

1. integrity (digest, signature value) — TOTAL-FAILED if broken;
2. format-specific blocking problems found by the caller (e.g. signed data not found);
3. the signing certificate (present, usable for signing, strong algorithms);
4. the signature timestamp, validated at its own time, proves the signing time; without it
   the signer's claimed time is used and flagged as unproven;
5. certificate validity, revocation status and a path to a configured anchor at the
   validation time ("signing" by default, or "now");
6. missing revocation data is INDETERMINATE/TRY_LATER with a warning, never a pass.

It also gathers validation data for signing at level B-LT (:func:`collect_validation_data`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import cms, x509
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator import errors as cv_errors

from vbsign._core.errors import short_reason as _short
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import format_vn_time, utcnow
from vbsign._core.x509 import unique_der
from vbsign.formats.proofs import judge_proof_chain, proof_of
from vbsign.formats.verdict import Blocking, VerdictFacts, decide, prechecks, trust_problem
from vbsign.model.report import (
    CertificateInfo,
    Finding,
    Indication,
    Severity,
    SignatureReport,
    SubIndication,
    TimestampInfo,
)
from vbsign.pki.revinfo import chain_revocation, fetched_revinfo, issuer_candidates, revocation_info
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import OFFLINE, Services, build_context, status_now_without_poe

logger = logging.getLogger(__name__)

F, I = Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741
WEAK_HASHES = frozenset({"md5", "sha1", "ripemd160", "md2"})


@dataclass(frozen=True)
class AdesVerifyOptions:
    """How to verify a XAdES or CAdES signature (see :class:`vbsign.formats.pades.verify.VerifyOptions`)."""

    trust: TrustStore
    #: "signing": certificates are judged at the (proven) signing time; "now": at ``now``
    at: str = "signing"
    now: datetime | None = None
    services: Services = OFFLINE
    #: certificates supplied by the caller (e.g. a signer certificate not embedded)
    extra_certs: tuple[x509.Certificate, ...] = ()


@dataclass
class TimestampToken:
    """A timestamp token and how to compute the message imprint it must carry."""

    signed_data: cms.SignedData
    expected_imprint: Callable[[str], bytes]
    kind: str = "signature"


@dataclass
class SignerEvidence:
    """What a format module found about one signature."""

    signer_cert: x509.Certificate | None
    other_certs: list[x509.Certificate] = field(default_factory=list)
    ocsps: list[asn1_ocsp.OCSPResponse] = field(default_factory=list)
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    claimed_time: datetime | None = None
    timestamps: list[TimestampToken] = field(default_factory=list)
    #: archive timestamps (``kind="archive"``), oldest first: proofs of existence of the
    #: signature and its validation data (past signature validation, :mod:`.proofs`)
    archive_timestamps: list[TimestampToken] = field(default_factory=list)
    #: digest algorithms used by the signature (signature method, references, cert refs)
    hash_algorithms: list[str] = field(default_factory=list)
    #: integrity could be computed (False when e.g. the signed data was not found)
    integrity_known: bool = True
    #: the signature value was checked with the key the signature names (False: no such
    #: key at hand — the value is then neither right nor wrong)
    signature_checked: bool = True
    #: a blocking format-specific verdict decided by the caller (applied after integrity)
    blocking: tuple[Indication, SubIndication, str, Msg] | None = None


@dataclass
class Outcome:
    """Facts :func:`evaluate` established that format modules use to name the level."""

    timestamp_ok: bool = False
    embedded_revocation: bool = False


async def evaluate(rep: SignatureReport, ev: SignerEvidence, options: AdesVerifyOptions) -> Outcome:
    """Fill the time, chain, revocation and verdict parts of ``rep`` from ``ev``: the
    signature timestamps, the signing time (proven or claimed), the certificate path and
    revocation at the validation time, then the shared verdict
    (:func:`vbsign.formats.verdict.decide`)."""
    now = options.now or utcnow()
    rep.validation_time = now
    out = Outcome()
    cert = ev.signer_cert
    if cert is not None:
        rep.signer = CertificateInfo.from_asn1(cert)
    blocking = None
    if ev.blocking is not None:
        ind, sub, code, msg = ev.blocking
        blocking = Blocking(ind, sub, [Finding.of(code, Severity.ERROR, msg)])
    facts = VerdictFacts(
        certificate=cert,
        integrity_known=ev.integrity_known,
        signature_checked=ev.signature_checked,
        blocking=blocking,
        check_key_usage=True,
        weak_algorithms=sorted({h for h in ev.hash_algorithms if h in WEAK_HASHES}),
    )
    # a broken or unidentified signature needs no timestamp or path validation
    if prechecks(rep, facts) or cert is None:
        return out

    other = unique_der([*ev.other_certs, *options.extra_certs])
    ev.ocsps, ev.crls = usable_revinfo(ev.ocsps, ev.crls)
    out.timestamp_ok = await _check_timestamps(rep, ev, options, now, other)
    signing_time, proven = _signing_time(rep, ev, out.timestamp_ok, options, now)
    moment = now if options.at == "now" else signing_time
    rep.validation_time = moment
    path, path_error, fetched_ocsps, fetched_crls = await _validate_path(rep, cert, other, ev, options, moment)
    rep.trusted = path_error is None

    # an unproven (claimed) signing time cannot make old revocation data stand in for the
    # current status: the certificate must also be unrevoked now, with fresh data
    now_error: BaseException | None = None
    if path_error is None and not proven and options.at != "now":
        now_error, now_ocsps, now_crls = await status_now_without_poe(
            cert, options.trust, now=now, other_certs=other, ocsps=ev.ocsps, crls=ev.crls,
            services=options.services,
        )
        fetched_ocsps, fetched_crls = [*fetched_ocsps, *now_ocsps], [*fetched_crls, *now_crls]

    # only revocation data the certificate's issuer vouches for counts (it is unsigned)
    issuers = issuer_candidates(options.trust, other, path)
    embedded, fetched = (ev.ocsps, ev.crls), (fetched_ocsps, fetched_crls)
    rep.revocation = revocation_info(cert, embedded, fetched, issuers=issuers)
    out.embedded_revocation = rep.revocation.source in ("embedded", "embedded+online")
    if path is not None:
        rep.chain_revocation.extend(chain_revocation(path, embedded, fetched, issuers=issuers))
    facts.signing_time, facts.proven, facts.at_now, facts.now = signing_time, proven, options.at == "now", now
    facts.trust_problem = trust_problem(path_error) if path_error is not None else None
    facts.now_error = now_error
    await decide(rep, facts)
    await _check_archive_timestamps(rep, ev, options, now, other)
    if options.at != "now":
        own = proof_of(rep.timestamp) if out.timestamp_ok and rep.timestamp is not None else None
        archived = [p for a in rep.archive_timestamps if (p := proof_of(a)) is not None]
        judge_proof_chain(rep, ([own] if own else []) + archived, now)
    return out


async def _check_archive_timestamps(
    rep: SignatureReport, ev: SignerEvidence, options: AdesVerifyOptions, now: datetime, other: list[x509.Certificate]
) -> None:
    """Validate each archive timestamp at its own time (its imprint covers the signature and
    the validation data before it); a bad one is reported and proves nothing."""
    for tok in ev.archive_timestamps:
        try:
            info = await _validate_timestamp(tok, options, now, other, ev.ocsps, ev.crls)
        except Exception as e:  # a broken token must not crash verification
            logger.debug("archive timestamp unprocessable", exc_info=True)
            rep.add("ARCHIVE_TIMESTAMP_INVALID", Severity.WARNING, Msg(
                "Không xử lý được dấu thời gian lưu trữ: {e}", "The archive timestamp cannot be processed: {e}"
            ).format(e=_short(e)))
            continue
        rep.archive_timestamps.append(info)
        if not (info.intact and info.valid and info.trusted):
            rep.add("ARCHIVE_TIMESTAMP_INVALID", Severity.WARNING, Msg(
                "Dấu thời gian lưu trữ lúc {t} không hợp lệ hoặc không được tin cậy: nó không chứng minh gì.",
                "The archive timestamp of {t} is invalid or untrusted: it proves nothing.",
            ).format(t=format_vn_time(info.time)), intact=info.intact, trusted=info.trusted)


async def _check_timestamps(
    rep: SignatureReport,
    ev: SignerEvidence,
    options: AdesVerifyOptions,
    now: datetime,
    other: list[x509.Certificate],
) -> bool:
    """Validate the signature timestamps (the first good one wins) and record the last one
    examined; True when one is intact, valid and trusted."""
    ok = False
    for tok in ev.timestamps:
        try:
            info = await _validate_timestamp(tok, options, now, other, ev.ocsps, ev.crls)
        except Exception as e:  # a broken token must not crash verification
            logger.debug("timestamp unprocessable", exc_info=True)
            rep.add("TIMESTAMP_UNPROCESSABLE", Severity.WARNING, Msg(
                "Không xử lý được dấu thời gian: {e}", "The timestamp cannot be processed: {e}"
            ).format(e=_short(e)))
            continue
        rep.timestamp = info
        if info.intact and info.valid and info.trusted:
            ok = True
            break
    if rep.timestamp is not None and not ok:
        t = rep.timestamp
        rep.add(
            "TIMESTAMP_INVALID" if not (t.intact and t.valid) else "TIMESTAMP_UNTRUSTED",
            Severity.WARNING,
            Msg(
                "Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy; thời điểm ký không được chứng minh.",
                "The signature timestamp is invalid or untrusted; the signing time is not proven.",
            ),
        )
    return ok


def _signing_time(
    rep: SignatureReport, ev: SignerEvidence, timestamp_ok: bool, options: AdesVerifyOptions, now: datetime
) -> tuple[datetime, bool]:
    """The signing time and whether a timestamp proves it (else the signer's claim, or
    ``now`` without one)."""
    rep.claimed_signing_time = ev.claimed_time
    proven = timestamp_ok
    if proven and rep.timestamp is not None:
        signing_time, rep.signing_time_source = rep.timestamp.time, "timestamp"
    elif ev.claimed_time is not None:
        signing_time, rep.signing_time_source = ev.claimed_time, "claimed"
    else:
        signing_time, rep.signing_time_source = now, "none"
    rep.signing_time = signing_time
    if not proven and options.at != "now":
        rep.add("SIGNING_TIME_UNPROVEN", Severity.WARNING, Msg(
            "Không có dấu thời gian hợp lệ: thời điểm ký chỉ do người ký khai báo.",
            "No valid timestamp: the signing time is only claimed by the signer.",
        ))
    return signing_time, proven


async def _validate_path(
    rep: SignatureReport,
    cert: x509.Certificate,
    other: list[x509.Certificate],
    ev: SignerEvidence,
    options: AdesVerifyOptions,
    moment: datetime,
) -> tuple[Any, BaseException | None, list[Any], list[Any]]:
    """The certificate path and revocation at ``moment`` (the chain recorded in ``rep``):
    returns the path (``None`` when it fails), the failure, and the OCSP responses and
    CRLs fetched on the way."""
    vc = build_context(
        options.trust,
        moment=moment,
        other_certs=other,
        ocsps=ev.ocsps,
        crls=ev.crls,
        services=options.services,
        retroactive_revinfo=options.at != "now",
    )
    path_error: BaseException | None = None
    path: Any = None
    try:
        try:
            path = await CertificateValidator(
                cert, intermediate_certs=other, validation_context=vc
            ).async_validate_usage(set())
            rep.chain = [CertificateInfo.from_asn1(c) for c in path.iter_certs(include_root=True)][::-1]
        except (cv_errors.PathBuildingError, cv_errors.ValidationError) as e:
            path_error = e
        except ValueError as e:  # malformed revocation data and the like
            path_error = e
        fetched_ocsps, fetched_crls = fetched_revinfo(vc)
    finally:
        await vc.aclose()
    return path, path_error, fetched_ocsps, fetched_crls


async def _validate_timestamp(
    tok: TimestampToken,
    options: AdesVerifyOptions,
    now: datetime,
    other: list[x509.Certificate],
    ocsps: list[Any],
    crls: list[Any],
) -> TimestampInfo:
    from pyhanko.sign.validation import generic_cms
    from pyhanko.sign.validation.status import TimestampSignatureStatus

    sd = tok.signed_data
    gen: datetime = sd["encap_content_info"]["content"].parsed["gen_time"].native
    tst_certs = embedded_certificates(sd)
    vc = build_context(
        options.trust,
        moment=now if options.at == "now" else gen,
        other_certs=[*other, *tst_certs],
        ocsps=ocsps,
        crls=crls,
        services=options.services,
        retroactive_revinfo=options.at != "now",
    )
    try:
        kwargs = await generic_cms.validate_tst_signed_data(sd, vc, tok.expected_imprint)
    finally:
        await vc.aclose()
    st = TimestampSignatureStatus(**kwargs)
    tsa = None
    try:
        tsa = CertificateInfo.from_asn1(st.signing_cert)
    except Exception:
        pass
    return TimestampInfo(
        kind=tok.kind,  # type: ignore[arg-type]
        time=gen,
        intact=bool(st.intact),
        valid=bool(st.valid),
        trusted=bool(st.trusted),
        tsa=tsa,
        hash_algorithm=st.md_algorithm,
        chain=_path_infos(getattr(st, "validation_path", None)),
    )


def _path_infos(path: Any) -> list[CertificateInfo]:
    if path is None:
        return []
    try:
        return [CertificateInfo.from_asn1(c) for c in path.iter_certs(include_root=True)][::-1]
    except Exception:
        return []


# ---- revocation data helpers ----------------------------------------------------------------


def embedded_certificates(sd: cms.SignedData) -> list[x509.Certificate]:
    """The certificates of a CMS SignedData (malformed entries skipped)."""
    out: list[x509.Certificate] = []
    try:
        items = list(sd["certificates"]) if sd["certificates"].contents else []
    except Exception:
        return out
    for c in items:
        try:
            if c.name == "certificate":
                out.append(c.chosen)
        except Exception:
            continue
    return out


def usable_revinfo(ocsps: Iterable[Any], crls: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    """Drop embedded OCSP responses / CRLs that do not even parse (they would crash the
    path validator); what remains is judged by the validator itself."""
    good_o: list[Any] = []
    good_c: list[Any] = []
    for resp in ocsps:
        try:
            if resp["response_status"].native != "successful":
                continue
            resp.native  # noqa: B018 - small: a full parse catches what would crash later
            good_o.append(resp)
        except Exception:
            continue
    for c in crls:
        try:
            c.issuer.native  # noqa: B018
            c["tbs_cert_list"]["this_update"].native  # noqa: B018
            good_c.append(c)
        except Exception:
            continue
    return good_o, good_c


@dataclass
class ValidationData:
    """Certificates and revocation data to embed for long-term (B-LT) validation."""

    certs: list[x509.Certificate] = field(default_factory=list)
    ocsps: list[asn1_ocsp.OCSPResponse] = field(default_factory=list)
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)

    def extend(self, other: ValidationData) -> None:
        self.certs = unique_der([*self.certs, *other.certs])
        self.ocsps = unique_der([*self.ocsps, *other.ocsps])
        self.crls = unique_der([*self.crls, *other.crls])


async def collect_validation_data(
    cert: x509.Certificate,
    other_certs: Iterable[x509.Certificate],
    trust: TrustStore,
    *,
    services: Services,
    moment: datetime | None,
    ocsps: Iterable[Any] = (),
    crls: Iterable[Any] = (),
) -> ValidationData:
    """Validate ``cert`` now (fetching revocation data) and return what was used.

    Raises the certvalidator error when the path cannot be validated: B-LT signing must not
    embed validation data that does not validate.
    """
    vc = build_context(
        trust, moment=moment, other_certs=other_certs, ocsps=ocsps, crls=crls, services=services
    )
    try:
        path = await CertificateValidator(
            cert, intermediate_certs=list(other_certs), validation_context=vc
        ).async_validate_usage(set())
        f_ocsps, f_crls = fetched_revinfo(vc)
    finally:
        await vc.aclose()
    chain = [c for c in path.iter_certs(include_root=True)]
    # the OCSP responders' certificates travel inside the responses
    return ValidationData(
        certs=unique_der(chain),
        ocsps=unique_der([*ocsps, *f_ocsps]),
        crls=unique_der([*crls, *f_crls]),
    )


__all__ = [
    "AdesVerifyOptions",
    "Outcome",
    "SignerEvidence",
    "TimestampToken",
    "ValidationData",
    "collect_validation_data",
    "evaluate",
]
