"""Certificate validation shared by signing and verification.

* :class:`Services` — where revocation data and timestamps come from (network with bounded
  timeouts by default; an in-process source such as the test PKI in tests and the demo).
* :func:`check_signer_certificate` — the pre-signing check required by NĐ 68/2024 Đ29
  k1–2 and TT 15/2025 Đ5 k1 a: validity now, key usage, algorithm strength, a path to a
  configured trust anchor and revocation status (OCSP/CRL, fail closed).
* :func:`build_context` — a pyhanko-certvalidator :class:`ValidationContext` for a given
  validation time and set of revocation data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.fetchers.api import (
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
    OwnedFetcherBackend,
)
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from vbsign._core.errors import CertificateRejected, ConfigurationError
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import format_vn_time, utcnow
from vbsign.model.report import Indication, SubIndication
from vbsign.pki.net import lazy_session
from vbsign.pki.revinfo import fetched_revinfo
from vbsign.pki.trust import TrustStore

logger = logging.getLogger(__name__)

#: how long a successful pre-signing check (incl. revocation) may be reused
PRESIGN_CACHE_MAX_AGE = timedelta(minutes=5)
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
SIGNING_KEY_USAGES = frozenset({"digital_signature", "non_repudiation"})


class RevocationCache:
    """Fetched OCSP responses and CRLs, reused until their ``nextUpdate`` (at most ``max_age``).

    Only data *fetched* from a revocation source is cached (never data embedded in a
    document). A response is dropped as soon as its ``nextUpdate`` passes, so a cached
    answer is never staler than what the CA itself declares current.
    """

    def __init__(self, max_age: timedelta = timedelta(minutes=5), max_entries: int = 4096) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._store: dict[Any, tuple[float, datetime | None, Any]] = {}

    def get(self, key: Any) -> Any | None:
        with self._lock:
            hit = self._store.get(key)
            if hit is None:
                return None
            stored, next_update, value = hit
            if time.monotonic() - stored > self.max_age.total_seconds() or (
                next_update is not None and next_update <= utcnow()
            ):
                del self._store[key]
                return None
            return value

    def put(self, key: Any, value: Any, next_update: datetime | None) -> None:
        if next_update is not None and next_update <= utcnow():
            return
        with self._lock:
            if len(self._store) >= self.max_entries:
                self._store.pop(next(iter(self._store)))
            self._store[key] = (time.monotonic(), next_update, value)

    def clear(self) -> None:
        with self._lock:
            self._store.clear()

    def __reduce__(self) -> tuple[type[RevocationCache], tuple[timedelta, int]]:
        """A copy sent to another process (an isolated worker) is a new, empty cache: no
        lock or cached answer is shared between processes."""
        return (RevocationCache, (self.max_age, self.max_entries))


@dataclass(frozen=True)
class Services:
    """Sources of revocation data and timestamps, with bounded network timeouts.

    ``online=False`` forbids every network access: revocation data must then be embedded
    in the document or provided by ``fetcher_backend`` (e.g. the in-process test PKI, or a
    plugin's local CRL mirror: :mod:`vbsign.api` fills ``fetcher_backend`` from the
    ``vbsign_revocation_source`` hook when the caller left it empty — this class never looks
    for plugins itself).
    Fetched revocation data is cached in ``cache`` (see :class:`RevocationCache`); reuse one
    ``Services`` object to share it across operations.
    """

    online: bool = True
    #: per-request timeout in seconds for OCSP, CRL, certificate and TSA requests
    timeout: float = 10.0
    #: custom revocation source (e.g. :meth:`vbsign.testpki.TestPKI.fetcher_backend`)
    fetcher_backend: FetcherBackend | None = None
    cache: RevocationCache = field(default_factory=RevocationCache, compare=False, repr=False)

    @property
    def can_fetch(self) -> bool:
        return self.online or self.fetcher_backend is not None

    def make_fetcher_backend(self) -> FetcherBackend | None:
        """A fresh backend for one operation (close it afterwards), sharing this cache."""
        injected = self.fetcher_backend
        if injected is not None:
            return CachingFetcherBackend(lambda: injected, self.cache, close_inner=False)
        if not self.online:
            return None
        from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend


        timeout = self.timeout
        # TLS ≥ 1.2 for every HTTPS OCSP/CRL/certificate fetch (TT 15/2025, rule TT15-11)
        return CachingFetcherBackend(
            lambda: AIOHttpFetcherBackend(session=lazy_session(), per_request_timeout=timeout),
            self.cache,
            close_inner=True,
        )


class _CachingOCSPFetcher(OCSPFetcher):
    def __init__(self, inner: OCSPFetcher, cache: RevocationCache) -> None:
        self._inner, self._cache = inner, cache
        self._results: dict[Any, asn1_ocsp.OCSPResponse] = {}

    async def fetch(self, cert: Any, authority: Any) -> asn1_ocsp.OCSPResponse:
        from pyhanko_certvalidator.util import issuer_serial

        key = ("ocsp", issuer_serial(cert), authority.hashable)
        resp = self._cache.get(key)
        if resp is None:
            try:
                resp = await self._inner.fetch(cert, authority)
            except TimeoutError as e:  # aiohttp's total timeout escapes certvalidator's handling
                raise cv_errors.OCSPFetchError(f"OCSP request timed out: {e}") from e
            self._cache.put(key, resp, min(_next_updates([resp], []), default=None))
        self._results[key] = resp
        return resp  # type: ignore[no-any-return]

    def fetched_responses(self) -> Iterable[asn1_ocsp.OCSPResponse]:
        return list(self._results.values())

    def fetched_responses_for_cert(self, cert: Any) -> Iterable[asn1_ocsp.OCSPResponse]:
        from pyhanko_certvalidator.util import issuer_serial

        target = issuer_serial(cert)
        return [r for (_, subj, _a), r in self._results.items() if subj == target]


class _CachingCRLFetcher(CRLFetcher):
    def __init__(self, inner: CRLFetcher, cache: RevocationCache) -> None:
        self._inner, self._cache = inner, cache
        self._by_cert: dict[Any, list[asn1_crl.CertificateList]] = {}

    async def fetch(self, cert: Any, *, use_deltas: Any = None) -> Iterable[asn1_crl.CertificateList]:
        from pyhanko_certvalidator.util import issuer_serial

        urls = tuple(sorted(dp.url or "" for dp in (cert.crl_distribution_points or [])))
        key = ("crl", urls, bool(use_deltas))
        crls = self._cache.get(key)
        if crls is None:
            try:
                crls = list(await self._inner.fetch(cert, use_deltas=use_deltas))
            except TimeoutError as e:  # aiohttp's total timeout escapes certvalidator's handling
                raise cv_errors.CRLFetchError(f"CRL request timed out: {e}") from e
            self._cache.put(key, crls, min(_next_updates([], crls), default=None))
        self._by_cert[issuer_serial(cert)] = crls
        return crls  # type: ignore[no-any-return]

    def fetched_crls(self) -> Iterable[asn1_crl.CertificateList]:
        out: list[asn1_crl.CertificateList] = []
        for lst in self._by_cert.values():
            out += [c for c in lst if c not in out]
        return out

    def fetched_crls_for_cert(self, cert: Any) -> Iterable[asn1_crl.CertificateList]:
        from pyhanko_certvalidator.util import issuer_serial

        return self._by_cert[issuer_serial(cert)]


class CachingFetcherBackend(FetcherBackend):
    """Wraps a fetcher backend (made per operation) with a shared :class:`RevocationCache`."""

    def __init__(
        self, inner_factory: Callable[[], FetcherBackend], cache: RevocationCache, *, close_inner: bool
    ) -> None:
        self._factory, self._cache, self._close_inner = inner_factory, cache, close_inner
        self._inners: list[FetcherBackend] = []

    def get_fetchers(self) -> Fetchers:
        inner = self._factory()
        self._inners.append(inner)
        f = inner.get_fetchers()
        return Fetchers(
            ocsp_fetcher=_CachingOCSPFetcher(f.ocsp_fetcher, self._cache),
            crl_fetcher=_CachingCRLFetcher(f.crl_fetcher, self._cache),
            cert_fetcher=f.cert_fetcher,
        )

    async def close(self) -> None:
        inners, self._inners = self._inners, []
        if self._close_inner:
            for inner in inners:
                await inner.close()


OFFLINE = Services(online=False)
#: shared default (online, bounded timeouts): its revocation cache serves every call
DEFAULT_SERVICES = Services()


def build_context(
    trust: TrustStore,
    *,
    moment: datetime | None = None,
    other_certs: Iterable[x509.Certificate] = (),
    crls: Iterable[asn1_crl.CertificateList] = (),
    ocsps: Iterable[asn1_ocsp.OCSPResponse] = (),
    services: Services = OFFLINE,
    require_revocation: bool = True,
    retroactive_revinfo: bool = False,
) -> ValidationContext:
    """A validation context that fails closed on missing revocation data (hard-fail)."""
    backend = services.make_fetcher_backend()
    if require_revocation:
        # fail closed: the signer's (end-entity) certificate must have OCSP or CRL data;
        # CA certificates must be checked wherever they declare a source
        policy = RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
        )
    else:
        policy = RevocationCheckingPolicy.from_legacy("soft-fail")
    return ValidationContext(
        trust_roots=list(trust.anchors),
        other_certs=[*trust.intermediates, *other_certs],
        moment=moment,
        allow_fetching=backend is not None,
        # owned: ``await vc.aclose()`` closes the per-operation backend (network sessions)
        fetcher_backend=OwnedFetcherBackend(backend) if backend is not None else None,
        crls=list(crls),
        ocsps=list(ocsps),
        revinfo_policy=CertRevTrustPolicy(policy, retroactive_revinfo=retroactive_revinfo),
    )


async def status_now_without_poe(
    cert: x509.Certificate,
    trust: TrustStore,
    *,
    now: datetime,
    other_certs: Sequence[x509.Certificate],
    ocsps: Sequence[Any],
    crls: Sequence[Any],
    services: Services,
) -> tuple[BaseException | None, list[Any], list[Any]]:
    """Path and revocation status of ``cert`` at ``now`` (not retroactive), for a signature
    whose signing time is only *claimed*: such a claim cannot make old revocation data
    (embedded, or chosen by whoever backdated the signature) stand in for the current
    status (ETSI EN 319 102-1: without proof of existence, validation happens at the
    current time). Embedded data first, then ``services`` if that is not enough.

    Returns (the certvalidator error or ``None``, fetched OCSP responses, fetched CRLs).
    """
    error: BaseException | None = None
    f_ocsps: list[Any] = []
    f_crls: list[Any] = []
    for svc in [OFFLINE, services] if services.can_fetch else [OFFLINE]:
        vc = build_context(trust, moment=now, other_certs=other_certs, ocsps=ocsps, crls=crls, services=svc)
        try:
            await CertificateValidator(
                cert, intermediate_certs=list(other_certs), validation_context=vc
            ).async_validate_usage(set())
            error = None
        except (cv_errors.PathBuildingError, cv_errors.ValidationError, ValueError) as e:
            error = e
        finally:
            o, c = fetched_revinfo(vc)
            f_ocsps += o
            f_crls += c
            await vc.aclose()
        if error is None or isinstance(error, cv_errors.RevokedError):
            break
    return error, f_ocsps, f_crls


def unproven_status_verdict(error: BaseException) -> tuple[Indication, SubIndication, str, Msg]:
    """The verdict of a signature with a claimed signing time whose certificate cannot be
    shown valid and unrevoked *now* (:func:`status_now_without_poe`): never a pass."""
    code, msg = path_error_reason(error)
    if code == "REVOKED":
        return Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE, "CERT_REVOKED_NO_POE", Msg(
            "Chứng thư số hiện đã bị thu hồi; không có dấu thời gian chứng minh chữ ký được tạo trước đó.",
            "The certificate is now revoked; no timestamp proves the signature was made before.",
        )
    if code == "REVOCATION_UNAVAILABLE":
        return Indication.INDETERMINATE, SubIndication.TRY_LATER, "REVOCATION_UNAVAILABLE", Msg(
            "Không có dấu thời gian chứng minh thời điểm ký và không có dữ liệu thu hồi (OCSP/CRL) "
            "hiện hành: chưa thể kết luận.",
            "No timestamp proves the signing time and no current revocation data (OCSP/CRL) is "
            "available: no conclusion possible.",
        )
    sub = {
        "CHAIN_EXPIRED": SubIndication.OUT_OF_BOUNDS_NO_POE,
        "NO_CHAIN": SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
        "WEAK_ALGORITHM": SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    }.get(code, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE)
    return Indication.INDETERMINATE, sub, code, msg


# ---- pre-signing check ---------------------------------------------------------------------


@dataclass
class SignerCheck:
    """Outcome of a successful pre-signing certificate check."""

    certificate: x509.Certificate
    path: ValidationPath
    checked_at: datetime
    revocation_checked: bool
    valid_until: datetime
    ocsps: list[asn1_ocsp.OCSPResponse] = field(default_factory=list)
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    warnings: list[Msg] = field(default_factory=list)


def static_certificate_problems(cert: x509.Certificate, at: datetime) -> list[tuple[str, Msg]]:
    """Problems visible from the certificate alone: validity period, key usage, key size."""
    problems: list[tuple[str, Msg]] = []
    if at < cert.not_valid_before:
        problems.append(
            (
                "NOT_YET_VALID",
                Msg(
                    "Chứng thư số chưa có hiệu lực (hiệu lực từ {d}).",
                    "The certificate is not yet valid (valid from {d}).",
                ).format(d=format_vn_time(cert.not_valid_before)),
            )
        )
    if at > cert.not_valid_after:
        problems.append(
            (
                "EXPIRED",
                Msg(
                    "Chứng thư số đã hết hạn ngày {d}.",
                    "The certificate expired on {d}.",
                ).format(d=format_vn_time(cert.not_valid_after)),
            )
        )
    ku = cert.key_usage_value
    present = set(ku.native) if ku is not None else set()
    if ku is not None and not (present & SIGNING_KEY_USAGES):
        problems.append(
            (
                "WRONG_KEY_USAGE",
                Msg(
                    "Chứng thư số không dùng để ký (Key Usage: {ku}; cần digitalSignature hoặc nonRepudiation).",
                    "The certificate is not for signing (Key Usage: {ku}; needs digitalSignature or nonRepudiation).",
                ).format(ku=", ".join(sorted(present)) or "—"),
            )
        )
    bc = cert.basic_constraints_value
    if bc is not None and bc["ca"].native:
        problems.append(
            (
                "CA_CERTIFICATE",
                Msg(
                    "Đây là chứng thư của tổ chức chứng thực (CA), không dùng để ký văn bản.",
                    "This is a CA certificate; it cannot sign documents.",
                ),
            )
        )
    weak = weak_key_problem(cert)
    if weak is not None:
        problems.append(("WEAK_KEY", weak))
    return problems


def weak_key_problem(cert: x509.Certificate) -> Msg | None:
    pub = cert.public_key
    algo = pub.algorithm
    bits = pub.bit_size
    if algo == "rsa" and bits < MIN_RSA_BITS:
        return Msg(
            "Khóa RSA {b} bit quá ngắn (tối thiểu {m} bit, TT 15/2025 Phụ lục I).",
            "RSA key of {b} bits is too short (minimum {m}, Circular 15/2025 Annex I).",
        ).format(b=bits, m=MIN_RSA_BITS)
    if algo == "ec" and bits < MIN_EC_BITS:
        return Msg(
            "Khóa ECDSA {b} bit quá ngắn (tối thiểu {m} bit).",
            "ECDSA key of {b} bits is too short (minimum {m}).",
        ).format(b=bits, m=MIN_EC_BITS)
    return None


def path_error_reason(e: BaseException) -> tuple[str, Msg]:
    """Map a certvalidator exception to a stable code and a bilingual explanation."""
    if isinstance(e, cv_errors.RevokedError):
        when = format_vn_time(e.revocation_dt) if getattr(e, "revocation_dt", None) else "?"
        who = (
            Msg("Chứng thư số", "The certificate")
            if getattr(e, "is_ee_cert", True)
            else Msg("Chứng thư của CA trong chuỗi", "A CA certificate in the chain")
        )
        return ("REVOKED", Msg(f"{who.vi} đã bị thu hồi từ {when}.", f"{who.en} was revoked on {when}."))
    if isinstance(e, cv_errors.InsufficientRevinfoError):
        return (
            "REVOCATION_UNAVAILABLE",
            Msg(
                "Không lấy được thông tin thu hồi (OCSP/CRL) để kiểm tra trạng thái chứng thư số.",
                "Revocation information (OCSP/CRL) could not be obtained to check the certificate status.",
            ),
        )
    if isinstance(e, cv_errors.DisallowedAlgorithmError):
        return (
            "WEAK_ALGORITHM",
            Msg(
                "Chuỗi chứng thư dùng thuật toán không còn an toàn (ví dụ SHA-1).",
                "The certificate chain uses a disallowed algorithm (e.g. SHA-1).",
            ),
        )
    if isinstance(e, cv_errors.ExpiredError):
        return (
            "CHAIN_EXPIRED",
            Msg("Một chứng thư trong chuỗi đã hết hạn.", "A certificate in the chain has expired."),
        )
    if isinstance(e, cv_errors.NotYetValidError):
        return (
            "CHAIN_NOT_YET_VALID",
            Msg("Một chứng thư trong chuỗi chưa có hiệu lực.", "A certificate in the chain is not yet valid."),
        )
    if isinstance(e, cv_errors.PathBuildingError):
        return (
            "NO_CHAIN",
            Msg(
                "Không xây dựng được đường dẫn tin cậy tới chứng thư gốc đã cấu hình.",
                "No certification path to a configured trust anchor could be built.",
            ),
        )
    if isinstance(e, cv_errors.InvalidCertificateError):
        return (
            "CHAIN_CONSTRAINTS",
            Msg(
                "Chứng thư số vi phạm ràng buộc của chuỗi chứng thư: {m}",
                "The certificate violates a chain constraint: {m}",
            ).format(m=getattr(e, "failure_msg", str(e))),
        )
    return (
        "CHAIN_INVALID",
        Msg(
            "Chuỗi chứng thư số không hợp lệ: {m}",
            "The certificate chain is invalid: {m}",
        ).format(m=getattr(e, "failure_msg", str(e))),
    )


#: what to do when the issuing CA's certificate cannot be found (a token holding only the leaf)
NO_CHAIN_HINT = Msg(
    "Không tìm thấy chứng thư của CA cấp trên token, trong kho tin cậy hay qua địa chỉ AIA (caIssuers) của chứng thư: "
    "cung cấp chứng thư trung gian bằng --chain TỆP (API: key_options={'chain': [...]}) "
    "hoặc thêm vào kho tin cậy (vbsign trust add).",
    "The issuing CA's certificate is neither on the token, in the trust store, nor reachable through the "
    "certificate's AIA (caIssuers) URL: give the intermediate certificates with --chain FILE "
    "(API: key_options={'chain': [...]}) or add them to the trust store (vbsign trust add).",
)


async def check_signer_certificate(
    cert: x509.Certificate,
    extra_certs: Sequence[x509.Certificate],
    trust: TrustStore,
    *,
    at: datetime | None = None,
    services: Services = Services(),
    check_revocation: bool = True,
) -> SignerCheck:
    """Refuse (raise :class:`CertificateRejected`) unless ``cert`` may sign now.

    Checks, in this order, and reports *all* problems found: validity period at ``at``
    (default: now), key usage, key size, a path to an anchor of ``trust``, and — unless
    ``check_revocation`` is false — the revocation status of every certificate of the path
    (OCSP or CRL; unavailable revocation data is a refusal, not a pass).
    """
    if not trust:
        raise ConfigurationError(
            Msg(
                "Chưa cấu hình chứng thư gốc tin cậy: dùng --trust TỆP.pem hoặc 'vbsign trust add'.",
                "No trust anchors configured: use --trust FILE.pem or 'vbsign trust add'.",
            )
        )
    now = at or utcnow()
    problems = static_certificate_problems(cert, now)
    if check_revocation and not services.can_fetch:
        problems.append(
            (
                "REVOCATION_UNAVAILABLE",
                Msg(
                    "Chế độ ngoại tuyến: không thể kiểm tra thu hồi chứng thư trước khi ký.",
                    "Offline mode: certificate revocation cannot be checked before signing.",
                ),
            )
        )
    path: ValidationPath | None = None
    vc: ValidationContext | None = None
    if not problems:
        vc = build_context(
            trust,
            moment=at,
            other_certs=extra_certs,
            services=services if check_revocation else OFFLINE,
            require_revocation=check_revocation,
        )
        path = await _validate_signer_path(cert, extra_certs, vc, problems)
    if any(code == "NO_CHAIN" for code, _ in problems):
        problems.append(("NO_CHAIN", NO_CHAIN_HINT))
    if problems:
        raise CertificateRejected(
            Msg(
                "Không ký: chứng thư số của người ký không đạt kiểm tra trước khi ký ({codes}).",
                "Not signed: the signer's certificate failed the pre-signing check ({codes}).",
            ).format(codes=", ".join(dict.fromkeys(c for c, _ in problems))),
            reasons=[m for _, m in problems],
            details={"codes": list(dict.fromkeys(c for c, _ in problems)), "subject": cert.subject.human_friendly},
        )
    assert path is not None and vc is not None
    return _passed_check(cert, path, vc, now, check_revocation)


async def _validate_signer_path(
    cert: x509.Certificate,
    extra_certs: Sequence[x509.Certificate],
    vc: ValidationContext,
    problems: list[tuple[str, Msg]],
) -> ValidationPath | None:
    """The path of the signer's certificate to a trust anchor, revocation included (per
    ``vc``); a failure is added to ``problems`` (``None`` returned)."""
    validator = CertificateValidator(cert, intermediate_certs=list(extra_certs), validation_context=vc)
    try:
        path: ValidationPath = await validator.async_validate_usage(set())
        return path
    except (cv_errors.PathBuildingError, cv_errors.ValidationError) as e:
        problems.append(path_error_reason(e))
    except ValueError as e:  # malformed revocation data and the like
        problems.append(path_error_reason(e))
    finally:
        await vc.aclose()
    return None


def _passed_check(
    cert: x509.Certificate, path: ValidationPath, vc: ValidationContext, now: datetime, check_revocation: bool
) -> SignerCheck:
    """A passed check, cached until the earliest ``nextUpdate`` of the revocation data
    it used (at most :data:`PRESIGN_CACHE_MAX_AGE`); a skipped revocation check warns."""
    ocsps: list[asn1_ocsp.OCSPResponse] = []
    crls: list[asn1_crl.CertificateList] = []
    warnings: list[Msg] = []
    valid_until = now + PRESIGN_CACHE_MAX_AGE
    if check_revocation:
        ocsps, crls = fetched_revinfo(vc)
        for nu in _next_updates(ocsps, crls):
            valid_until = min(valid_until, nu)
    else:
        warnings.append(
            Msg(
                "CẢNH BÁO: bỏ qua kiểm tra thu hồi chứng thư số trước khi ký (--no-revocation-check).",
                "WARNING: certificate revocation check before signing was skipped (--no-revocation-check).",
            )
        )
    return SignerCheck(cert, path, now, check_revocation, valid_until, ocsps, crls, warnings)


def _next_updates(ocsps: Iterable[Any], crls: Iterable[Any]) -> Iterable[datetime]:
    for resp in ocsps:
        try:
            for single in resp.basic_ocsp_response["tbs_response_data"]["responses"]:
                nu = single["next_update"].native
                if nu is not None:
                    yield nu
        except Exception:  # pragma: no cover - defensive
            continue
    for c in crls:
        try:
            nu = c["tbs_cert_list"]["next_update"].native
            if nu is not None:
                yield nu
        except Exception:  # pragma: no cover
            continue


def not_yet_valid_msg(signing_time: datetime, proven: bool) -> Msg:
    """The finding for a certificate that was not yet valid at the (proven or claimed) time."""
    if proven:
        return Msg(
            "Chứng thư số chưa có hiệu lực tại thời điểm ký ({t}).",
            "The certificate was not yet valid at the signing time ({t}).",
        ).format(t=format_vn_time(signing_time))
    return Msg(
        "Thời điểm ký do người ký khai báo ({t}) sớm hơn ngày chứng thư số có hiệu lực, và không có dấu thời gian "
        "tin cậy chứng minh thời điểm ký: chưa thể kết luận.",
        "The signing time claimed by the signer ({t}) is before the certificate became valid, and no trusted "
        "timestamp proves when it was signed: no conclusion possible.",
    ).format(t=format_vn_time(signing_time))
