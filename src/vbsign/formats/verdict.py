"""The verdict of one signature, for every format: ETSI EN 319 102-1 indication + sub-indication.

Each format (PAdES, XAdES, CAdES, S/MIME) gathers the evidence of a signature its own way —
integrity, its own structural checks, the signing time and whether a timestamp proves it,
the certificate path, the revocation status — and hands the facts to :func:`decide`, the one
place where they become a verdict. The checks run in this order; the first that fails
decides:

1. integrity: the signed bytes' digest (HASH_FAILURE) and the signature value
   (SIG_CRYPTO_FAILURE) — TOTAL-FAILED;
2. the format's own blocking verdict (e.g. a PDF byte range that does not cover the revision,
   or changes after signing no rule explains);
3. the signer's certificate found at all, then meant for signing (key usage, where the
   format does not leave that to the path validation);
4. algorithms the signature itself uses (SHA-1, MD5 …): INDETERMINATE
   CRYPTO_CONSTRAINTS_FAILURE;
5. the certificate's validity at the signing time (the law: valid at the signing moment);
   only a *proven* time fails a signature, a claimed one is OUT_OF_BOUNDS_NO_POE;
6. revocation known to the evidence: revoked before the signing time fails (proven time) or
   is REVOKED_NO_POE; revoked after a claimed time is REVOKED_NO_POE (backdating risk);
7. the path to a trust anchor at the validation time (missing revocation data is
   INDETERMINATE/TRY_LATER, never a pass), and — for a claimed signing time — the status now.

Fail closed: a signature passes only when every step found nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509

from vbsign._core.i18n import Msg
from vbsign._core.timefmt import format_vn_time
from vbsign.model.report import Finding, Indication, Severity, SignatureReport, SubIndication
from vbsign.pki.validation import (
    SIGNING_KEY_USAGES,
    not_yet_valid_msg,
    path_error_reason,
    unproven_status_verdict,
)

F, I = Indication.TOTAL_FAILED, Indication.INDETERMINATE  # noqa: E741

#: why a signature has no path to a trust anchor: (sub-indication, finding code, message)
TrustProblem = tuple[SubIndication, str, Msg]
#: a trust diagnosis run only when every earlier step passed (it may re-run path validation)
Diagnosis = Callable[[], Awaitable[TrustProblem | None]]

NO_TRUSTED_CHAIN: TrustProblem = (
    SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    "NO_TRUSTED_CHAIN",
    Msg(
        "Không có đường dẫn tin cậy tới chứng thư gốc đã cấu hình (thiếu --trust?).",
        "No certification path to a configured trust anchor (missing --trust?).",
    ),
)
REVOCATION_UNAVAILABLE: TrustProblem = (
    SubIndication.TRY_LATER,
    "REVOCATION_UNAVAILABLE",
    Msg(
        "Không có dữ liệu thu hồi (OCSP/CRL) cho thời điểm kiểm tra; chưa thể kết luận.",
        "No revocation data (OCSP/CRL) for the validation time; no conclusion possible.",
    ),
)
CERT_USAGE: TrustProblem = (
    SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    "CERT_USAGE",
    Msg(
        "Chứng thư số không dùng để ký (Key Usage không có digitalSignature/nonRepudiation).",
        "The certificate is not for signing (Key Usage lacks digitalSignature/nonRepudiation).",
    ),
)


@dataclass(frozen=True)
class Blocking:
    """A format's own verdict that stops the evaluation (after integrity)."""

    indication: Indication
    sub_indication: SubIndication
    findings: Sequence[Finding]


@dataclass
class VerdictFacts:
    """What a format established about one signature (see the module docs for the order)."""

    #: the signer's certificate (``None``: not found)
    certificate: x509.Certificate | None
    #: the time the signature counts as made: the timestamp's, the claimed one, or now
    #: (``None`` only for :func:`prechecks`, which needs no time)
    signing_time: datetime | None = None
    #: a trusted timestamp proves ``signing_time``
    proven: bool = False
    #: validate as of ``now`` (``at="now"``) rather than at the signing time
    at_now: bool = False
    #: the current time of this verification
    now: datetime | None = None
    #: the digest could be computed (False e.g. when the signed data was not found)
    integrity_known: bool = True
    #: the signature value was checked (False: the key it names is not at hand)
    signature_checked: bool = True
    blocking: Blocking | None = None
    #: check the certificate's key usage here (AdES); PAdES learns it from the path validation
    check_key_usage: bool = False
    #: broken algorithms the signature itself uses, and the sub-indication that says so
    weak_algorithms: Sequence[str] = ()
    weak_sub_indication: SubIndication = SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    #: why there is no trusted path at the validation time (``None``: the path is valid), or
    #: a coroutine function that finds out (PAdES: pyHanko keeps only a generic code, the
    #: reason needs a second path validation — run only if no earlier step decided)
    trust_problem: TrustProblem | Diagnosis | None = None
    #: claimed signing time only: why the certificate cannot be shown valid *now*
    now_error: BaseException | None = None


def trust_problem(error: BaseException) -> TrustProblem:
    """The reason a path validation failed (a pyhanko-certvalidator error), as a verdict."""
    code, msg = path_error_reason(error)
    if code == "REVOCATION_UNAVAILABLE":
        return REVOCATION_UNAVAILABLE
    if code == "NO_CHAIN":
        return NO_TRUSTED_CHAIN
    sub = {
        "REVOKED": SubIndication.REVOKED_CA_NO_POE,
        "WEAK_ALGORITHM": SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
        "CHAIN_CONSTRAINTS": SubIndication.CHAIN_CONSTRAINTS_FAILURE,
        "CHAIN_EXPIRED": SubIndication.OUT_OF_BOUNDS_NO_POE,
    }.get(code, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE)
    return sub, code, msg


async def decide(rep: SignatureReport, facts: VerdictFacts) -> None:
    """Set ``rep.indication`` / ``rep.sub_indication`` and add the finding that says why."""
    if prechecks(rep, facts):
        return
    for step in (_key_usage, _algorithms, _validity, _revocation):
        if step(rep, facts):
            return
    problem = facts.trust_problem
    _trust(rep, facts, await problem() if callable(problem) else problem)


def prechecks(rep: SignatureReport, facts: VerdictFacts) -> bool:
    """Steps 1–3 of :func:`decide` (integrity, the format's own verdict, a certificate found),
    which need no time and no path: a format calls it first to skip timestamp and path
    validation for a signature already decided. Returns whether it decided."""
    return _integrity(rep, facts) or _format(rep, facts) or _certificate(rep, facts)


def _set(
    rep: SignatureReport,
    ind: Indication,
    sub: SubIndication | None,
    code: str,
    msg: Msg,
    severity: Severity | None = None,
) -> bool:
    rep.indication, rep.sub_indication = ind, sub
    rep.add(code, severity or (Severity.ERROR if ind is not Indication.TOTAL_PASSED else Severity.INFO), msg)
    return True


def _integrity(rep: SignatureReport, facts: VerdictFacts) -> bool:
    """Nothing else matters if the bytes or the signature value are wrong."""
    integ = rep.integrity
    if not facts.integrity_known or integ is None:
        return False
    if not integ.intact:
        return _set(rep, F, SubIndication.HASH_FAILURE, "HASH_MISMATCH", Msg(
            "Nội dung đã ký bị thay đổi: giá trị băm không khớp.",
            "The signed content was altered: the digest does not match.",
        ))
    if facts.signature_checked and not integ.signature_valid:
        return _set(rep, F, SubIndication.SIG_CRYPTO_FAILURE, "SIGNATURE_VALUE_INVALID", Msg(
            "Giá trị chữ ký không hợp lệ.", "The signature value does not verify."
        ))
    return False


def _format(rep: SignatureReport, facts: VerdictFacts) -> bool:
    if facts.blocking is None:
        return False
    rep.indication, rep.sub_indication = facts.blocking.indication, facts.blocking.sub_indication
    rep.findings.extend(facts.blocking.findings)
    return True


def _certificate(rep: SignatureReport, facts: VerdictFacts) -> bool:
    if facts.certificate is None:
        return _set(rep, I, SubIndication.NO_SIGNING_CERTIFICATE_FOUND, "NO_SIGNING_CERTIFICATE", Msg(
            "Không tìm thấy chứng thư số của người ký.", "The signer's certificate was not found."
        ))
    return False


def _key_usage(rep: SignatureReport, facts: VerdictFacts) -> bool:
    """The certificate must be meant for signing."""
    ku = facts.certificate.key_usage_value if facts.certificate is not None else None
    if facts.check_key_usage and ku is not None and not (set(ku.native) & SIGNING_KEY_USAGES):
        sub, code, msg = CERT_USAGE
        return _set(rep, I, sub, code, msg)
    return False


def _algorithms(rep: SignatureReport, facts: VerdictFacts) -> bool:
    """A disallowed algorithm in the signature itself (e.g. SHA-1, MD5) is about the
    signature, not the certificate: reported before time and trust issues."""
    if not facts.weak_algorithms:
        return False
    return _set(rep, I, facts.weak_sub_indication, "WEAK_ALGORITHM", Msg(
        "Chữ ký dùng thuật toán không được phép hoặc không còn an toàn ({a}); TT 15/2025 yêu cầu SHA-2 hoặc SHA-3.",
        "The signature uses a disallowed or broken algorithm ({a}); Circular 15/2025 requires SHA-2 or SHA-3.",
    ).format(a=", ".join(facts.weak_algorithms)))


def _validity(rep: SignatureReport, facts: VerdictFacts) -> bool:
    """Valid at the signing time (the law: the certificate is valid at the signing moment)."""
    cert, when, proven = facts.certificate, facts.signing_time, facts.proven
    if facts.at_now or cert is None or when is None:
        return False
    if when < cert.not_valid_before:
        # a claimed time before the certificate existed proves nothing (OUT_OF_BOUNDS_NO_POE)
        return _set(rep, F if proven else I, SubIndication.NOT_YET_VALID if proven else SubIndication.OUT_OF_BOUNDS_NO_POE,
                    "CERT_NOT_YET_VALID_AT_SIGNING", not_yet_valid_msg(when, proven))
    if when > cert.not_valid_after:
        return _set(rep, F if proven else I, SubIndication.EXPIRED if proven else SubIndication.OUT_OF_BOUNDS_NO_POE,
                    "CERT_EXPIRED_AT_SIGNING", Msg(
                        "Chứng thư số đã hết hạn tại thời điểm ký ({t}).",
                        "The certificate had expired at the signing time ({t}).",
                    ).format(t=format_vn_time(when)))
    if not proven and facts.now is not None and facts.now > cert.not_valid_after:
        return _set(rep, I, SubIndication.OUT_OF_BOUNDS_NO_POE, "CERT_EXPIRED_NO_POE", Msg(
            "Chứng thư số đã hết hạn và không có dấu thời gian chứng minh chữ ký được tạo trước đó.",
            "The certificate has expired and no timestamp proves the signature was made before.",
        ), Severity.WARNING)
    return False


def _revocation(rep: SignatureReport, facts: VerdictFacts) -> bool:
    """Revoked at (or before) the signing time fails; revoked later counts only if the
    signing time is proven (otherwise the signature may have been backdated)."""
    revo = rep.revocation
    if revo is None or revo.status != "revoked" or revo.revocation_time is None or facts.signing_time is None:
        return False
    when = format_vn_time(revo.revocation_time)
    if facts.at_now or revo.revocation_time <= facts.signing_time:
        definite = facts.proven or facts.at_now
        return _set(rep, F if definite else I, SubIndication.REVOKED if definite else SubIndication.REVOKED_NO_POE,
                    "CERT_REVOKED", Msg("Chứng thư số đã bị thu hồi từ {t}.", "The certificate was revoked on {t}.").format(t=when))
    if not facts.proven:
        return _set(rep, I, SubIndication.REVOKED_NO_POE, "CERT_REVOKED_NO_POE", Msg(
            "Chứng thư số bị thu hồi từ {t}; không có dấu thời gian chứng minh chữ ký được tạo trước đó.",
            "The certificate was revoked on {t}; no timestamp proves the signature was made before.",
        ).format(t=when))
    rep.add("CERT_REVOKED_AFTER_SIGNING", Severity.INFO, Msg(
        "Chứng thư số bị thu hồi từ {t}, sau thời điểm ký đã được chứng minh.",
        "The certificate was revoked on {t}, after the proven signing time.",
    ).format(t=when))
    return False


def _trust(rep: SignatureReport, facts: VerdictFacts, problem: TrustProblem | None) -> None:
    if problem is not None:
        sub, code, msg = problem
        _set(rep, I, sub, code, msg, Severity.WARNING if sub == SubIndication.TRY_LATER else None)
        return
    if facts.now_error is not None:  # claimed signing time only: the status now decides
        ind, sub, code, msg = unproven_status_verdict(facts.now_error)
        _set(rep, ind, sub, code, msg, Severity.WARNING if sub == SubIndication.TRY_LATER else None)
        return
    rep.indication, rep.sub_indication = Indication.TOTAL_PASSED, None


__all__ = [
    "CERT_USAGE",
    "NO_TRUSTED_CHAIN",
    "REVOCATION_UNAVAILABLE",
    "Blocking",
    "Diagnosis",
    "TrustProblem",
    "VerdictFacts",
    "decide",
    "prechecks",
    "trust_problem",
]
