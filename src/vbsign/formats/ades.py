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
from vbsign.model.report import (
    CertificateInfo,
    Indication,
    Severity,
    SignatureReport,
    SubIndication,
    TimestampInfo,
)
from vbsign.pki.revinfo import chain_revocation, fetched_revinfo, issuer_candidates, revocation_info
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import (
    OFFLINE,
    Services,
    build_context,
    not_yet_valid_msg,
    path_error_reason,
    status_now_without_poe,
    unproven_status_verdict,
)

logger = logging.getLogger(__name__)

F, I = Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741
WEAK_HASHES = frozenset({"md5", "sha1", "ripemd160", "md2"})
SIGNING_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})


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
    """Fill the time, chain, revocation and verdict parts of ``rep`` from ``ev``."""
    now = options.now or utcnow()
    rep.validation_time = now
    out = Outcome()
    cert = ev.signer_cert
    if cert is not None:
        rep.signer = CertificateInfo.from_asn1(cert)
    integ = rep.integrity

    # integrity first: nothing else matters if the bytes or the signature value are wrong
    if ev.integrity_known and integ is not None and not integ.intact:
        _set(rep, F, SubIndication.HASH_FAILURE, "HASH_MISMATCH", Msg(
            "Nội dung đã ký bị thay đổi: giá trị băm không khớp.",
            "The signed content was altered: the digest does not match.",
        ))
        return out
    if ev.signature_checked and ev.integrity_known and integ is not None and not integ.signature_valid:
        _set(rep, F, SubIndication.SIG_CRYPTO_FAILURE, "SIGNATURE_VALUE_INVALID", Msg(
            "Giá trị chữ ký không hợp lệ.", "The signature value does not verify."
        ))
        return out
    if ev.blocking is not None:
        ind, sub, code, msg = ev.blocking
        _set(rep, ind, sub, code, msg)
        return out
    if cert is None:
        _set(rep, I, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, "NO_SIGNING_CERTIFICATE", Msg(
            "Không tìm thấy chứng thư số của người ký.", "The signer's certificate was not found."
        ))
        return out

    other = unique_der([*ev.other_certs, *options.extra_certs])
    ev.ocsps, ev.crls = usable_revinfo(ev.ocsps, ev.crls)

    # signature timestamp(s) -------------------------------------------------------------------
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
            out.timestamp_ok = True
            break
    if rep.timestamp is not None and not out.timestamp_ok:
        t = rep.timestamp
        rep.add(
            "TIMESTAMP_INVALID" if not (t.intact and t.valid) else "TIMESTAMP_UNTRUSTED",
            Severity.WARNING,
            Msg(
                "Dấu thời gian của chữ ký không hợp lệ hoặc không được tin cậy; thời điểm ký không được chứng minh.",
                "The signature timestamp is invalid or untrusted; the signing time is not proven.",
            ),
        )

    # signing time -----------------------------------------------------------------------------
    rep.claimed_signing_time = ev.claimed_time
    proven = out.timestamp_ok
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
    moment = now if options.at == "now" else signing_time
    rep.validation_time = moment

    # path and revocation at the validation time ------------------------------------------
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
    _decide(rep, ev, cert, signing_time, proven, options, now, path_error, now_error)
    return out


def _decide(
    rep: SignatureReport,
    ev: SignerEvidence,
    cert: x509.Certificate,
    signing_time: datetime,
    proven: bool,
    options: AdesVerifyOptions,
    now: datetime,
    path_error: BaseException | None,
    now_error: BaseException | None = None,
) -> None:
    # the certificate must be meant for signing
    ku = cert.key_usage_value
    if ku is not None and not (set(ku.native) & SIGNING_KEY_USAGES):
        _set(rep, I, SubIndication.CHAIN_CONSTRAINTS_FAILURE, "CERT_USAGE", Msg(
            "Chứng thư số không dùng để ký (Key Usage không có digitalSignature/nonRepudiation).",
            "The certificate is not for signing (Key Usage lacks digitalSignature/nonRepudiation).",
        ))
        return
    weak = sorted({h for h in ev.hash_algorithms if h in WEAK_HASHES})
    if weak:
        _set(rep, I, SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "WEAK_ALGORITHM", Msg(
            "Chữ ký dùng thuật toán băm không còn an toàn ({a}); TT 15/2025 yêu cầu SHA-2 hoặc SHA-3.",
            "The signature uses a broken hash algorithm ({a}); Circular 15/2025 requires SHA-2 or SHA-3.",
        ).format(a=", ".join(weak)))
        return

    # validity period at the signing time (law: valid at the signing moment)
    if options.at != "now":
        if signing_time < cert.not_valid_before:
            # only a proven time fails the signature; a claimed one before the certificate
            # existed cannot place the signing moment (ETSI EN 319 102-1 OUT_OF_BOUNDS_NO_POE)
            _set(rep, F if proven else I, SubIndication.NOT_YET_VALID if proven else SubIndication.OUT_OF_BOUNDS_NO_POE,
                 "CERT_NOT_YET_VALID_AT_SIGNING", not_yet_valid_msg(signing_time, proven))
            return
        if signing_time > cert.not_valid_after:
            sub = SubIndication.EXPIRED if proven else SubIndication.OUT_OF_BOUNDS_NO_POE
            _set(rep, F if proven else I, sub, "CERT_EXPIRED_AT_SIGNING", Msg(
                "Chứng thư số đã hết hạn tại thời điểm ký ({t}).",
                "The certificate had expired at the signing time ({t}).",
            ).format(t=format_vn_time(signing_time)))
            return
        if not proven and now > cert.not_valid_after:
            _set(rep, I, SubIndication.OUT_OF_BOUNDS_NO_POE, "CERT_EXPIRED_NO_POE", Msg(
                "Chứng thư số đã hết hạn và không có dấu thời gian chứng minh chữ ký được tạo trước đó.",
                "The certificate has expired and no timestamp proves the signature was made before.",
            ), Severity.WARNING)
            return

    # revocation known to the evidence (same rules as PAdES verification)
    revo = rep.revocation
    if revo is not None and revo.status == "revoked" and revo.revocation_time is not None:
        if options.at == "now" or revo.revocation_time <= signing_time:
            definite = proven or options.at == "now"
            _set(rep, F if definite else I, SubIndication.REVOKED if definite else SubIndication.REVOKED_NO_POE,
                 "CERT_REVOKED", Msg("Chứng thư số đã bị thu hồi từ {t}.", "The certificate was revoked on {t}.").format(
                     t=format_vn_time(revo.revocation_time)))
            return
        if not proven:
            _set(rep, I, SubIndication.REVOKED_NO_POE, "CERT_REVOKED_NO_POE", Msg(
                "Chứng thư số bị thu hồi từ {t}; không có dấu thời gian chứng minh chữ ký được tạo trước đó.",
                "The certificate was revoked on {t}; no timestamp proves the signature was made before.",
            ).format(t=format_vn_time(revo.revocation_time)))
            return
        rep.add("CERT_REVOKED_AFTER_SIGNING", Severity.INFO, Msg(
            "Chứng thư số bị thu hồi từ {t}, sau thời điểm ký đã được chứng minh.",
            "The certificate was revoked on {t}, after the proven signing time.",
        ).format(t=format_vn_time(revo.revocation_time)))

    if path_error is None:
        if now_error is not None:  # claimed signing time only: the status now decides
            ind, sub_now, code_now, msg_now = unproven_status_verdict(now_error)
            _set(rep, ind, sub_now, code_now, msg_now,
                 Severity.WARNING if sub_now == SubIndication.TRY_LATER else None)
            return
        rep.indication, rep.sub_indication = Indication.TOTAL_PASSED, None
        return
    code, msg = path_error_reason(path_error)
    if code == "REVOCATION_UNAVAILABLE":
        _set(rep, I, SubIndication.TRY_LATER, "REVOCATION_UNAVAILABLE", Msg(
            "Không có dữ liệu thu hồi (OCSP/CRL) cho thời điểm kiểm tra; chưa thể kết luận.",
            "No revocation data (OCSP/CRL) for the validation time; no conclusion possible.",
        ), Severity.WARNING)
        return
    if code == "NO_CHAIN":
        _set(rep, I, SubIndication.NO_CERTIFICATE_CHAIN_FOUND, "NO_TRUSTED_CHAIN", Msg(
            "Không có đường dẫn tin cậy tới chứng thư gốc đã cấu hình (thiếu --trust?).",
            "No certification path to a configured trust anchor (missing --trust?).",
        ))
        return
    sub = {
        "REVOKED": SubIndication.REVOKED_CA_NO_POE,
        "WEAK_ALGORITHM": SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
        "CHAIN_CONSTRAINTS": SubIndication.CHAIN_CONSTRAINTS_FAILURE,
        "CHAIN_EXPIRED": SubIndication.OUT_OF_BOUNDS_NO_POE,
    }.get(code, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE)
    _set(rep, I, sub, code, msg)


def _set(
    rep: SignatureReport,
    ind: Indication,
    sub: SubIndication | None,
    code: str,
    msg: Msg,
    severity: Severity | None = None,
) -> None:
    rep.indication, rep.sub_indication = ind, sub
    rep.add(code, severity or (Severity.ERROR if ind is not Indication.TOTAL_PASSED else Severity.INFO), msg)


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
    )


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
