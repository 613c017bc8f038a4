"""Proofs of existence and how long they hold (ETSI EN 319 102-1 §5.6.2.4, past signature
validation) — one rule for every format.

A timestamp proves that what it covers existed at its time, *as long as the timestamp itself
can still be trusted*: until the earliest expiry in its TSA's certification path, or the
sunset of its hash algorithm (:data:`vbsign._core.algorithms.HASH_SUNSET`), whichever comes
first. After that, only a later timestamp over it (an archive timestamp, made while it still
held) keeps the proof alive. A signature is therefore proven at its signing time when its
chain of timestamps — the signature timestamp, then every archive / document timestamp over
it, oldest first — has each link made before the previous one stopped holding, and the
newest still holds at the validation time.

A chain broken anywhere means the signing time is no longer proven: the signature is
INDETERMINATE / NO_POE with a finding naming the timestamp, the date its proof ended and
the date of the renewal that came too late (or that none came).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from vbsign._core.algorithms import HASH_SUNSET, normalise_hash_name
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import format_vn_time
from vbsign.model.report import (
    CertificateInfo,
    Indication,
    Severity,
    SignatureReport,
    SubIndication,
    TimestampInfo,
)


@dataclass(frozen=True)
class Proof:
    """One timestamp seen as a proof of existence."""

    time: datetime
    holds_until: datetime
    #: why it stops holding then: the certificate's subject, or the hash algorithm
    limit: str
    kind: str = "timestamp"


def proof_of(ts: TimestampInfo) -> Proof | None:
    """The proof a *good* timestamp gives (``None`` for an invalid or untrusted one)."""
    if not (ts.intact and ts.valid and ts.trusted):
        return None
    until, limit = holds_until(ts.chain or ([ts.tsa] if ts.tsa else []), ts.hash_algorithm)
    return Proof(ts.time, until, limit, ts.kind)


def holds_until(chain: Sequence[CertificateInfo], hash_algorithm: str | None) -> tuple[datetime, str]:
    """The earliest expiry of ``chain`` (TSA first) or the hash algorithm's sunset."""
    candidates: list[tuple[datetime, str]] = [(c.not_after, c.subject) for c in chain]
    sunset = HASH_SUNSET.get(normalise_hash_name(hash_algorithm)) if hash_algorithm else None
    if sunset is not None:
        candidates.append((sunset, hash_algorithm or ""))
    if not candidates:
        return datetime.min.replace(tzinfo=timezone.utc), "?"
    return min(candidates, key=lambda c: c[0])


@dataclass(frozen=True)
class ProofGap:
    """Where a chain of proofs broke: ``proof`` stopped holding before ``next_time``."""

    proof: Proof
    #: the next proof's time, or the validation time when ``proof`` is the newest
    next_time: datetime
    newest: bool


def find_gap(proofs: Iterable[Proof], now: datetime) -> ProofGap | None:
    """The first link of the chain (oldest first) that expired before the next one was made."""
    ordered = sorted(proofs, key=lambda p: p.time)
    for k, proof in enumerate(ordered):
        newest = k == len(ordered) - 1
        nxt = now if newest else ordered[k + 1].time
        if proof.holds_until <= nxt:
            return ProofGap(proof, nxt, newest)
    return None


def judge_proof_chain(rep: SignatureReport, proofs: Sequence[Proof], now: datetime) -> None:
    """Past signature validation: a passed signature (or timestamp) whose chain of proofs is
    broken becomes INDETERMINATE / NO_POE, with the reason."""
    if rep.indication is not Indication.TOTAL_PASSED or not proofs:
        return
    gap = find_gap(proofs, now)
    if gap is None:
        return
    rep.indication, rep.sub_indication = Indication.INDETERMINATE, SubIndication.NO_POE
    p = gap.proof
    details = {
        "timestamp_time": p.time.isoformat(),
        "proof_holds_until": p.holds_until.isoformat(),
        "limit": p.limit,
        "next_proof_time": None if gap.newest else gap.next_time.isoformat(),
    }
    if gap.newest:
        rep.add(
            "ARCHIVE_TIMESTAMP_EXPIRED",
            Severity.ERROR,
            Msg(
                "Bằng chứng tồn tại mới nhất (dấu thời gian {t}) chỉ còn giá trị đến {u} ({l}) và chưa được "
                "gia hạn bằng dấu thời gian lưu trữ mới: không còn chứng minh được thời điểm ký.",
                "The newest proof of existence (timestamp of {t}) held only until {u} ({l}) and was not "
                "renewed by a new archive timestamp: the signing time can no longer be proven.",
            ).format(t=format_vn_time(p.time), u=format_vn_time(p.holds_until), l=p.limit),
            **details,
        )
        return
    rep.add(
        "ARCHIVE_RENEWAL_TOO_LATE",
        Severity.ERROR,
        Msg(
            "Dấu thời gian {t} chỉ còn giá trị đến {u} ({l}) nhưng dấu thời gian lưu trữ tiếp theo được tạo "
            "muộn hơn, lúc {n}: chuỗi bằng chứng tồn tại bị đứt, không còn chứng minh được thời điểm ký.",
            "The timestamp of {t} held only until {u} ({l}) but the next archive timestamp came later, "
            "at {n}: the chain of proofs of existence is broken and the signing time can no longer be proven.",
        ).format(t=format_vn_time(p.time), u=format_vn_time(p.holds_until), l=p.limit, n=format_vn_time(gap.next_time)),
        **details,
    )


__all__ = ["Proof", "ProofGap", "find_gap", "holds_until", "judge_proof_chain", "proof_of"]
