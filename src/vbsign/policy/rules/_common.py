"""Small pure helpers shared by the built-in rules."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from vbsign._core.algorithms import ALLOWED_HASHES  # one list for new signatures and the rules
from vbsign._core.i18n import Msg
from vbsign._core.timefmt import vn_time
from vbsign.model.report import CertificateInfo, RevocationInfo, SignatureReport
from vbsign.policy.classify import advice
from vbsign.policy.context import cert_name, iso

__all__ = ["ALLOWED_HASHES"]

#: TT 15/2025 Phụ lục I mục 1.2
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256

OID_RSASSA_PSS = "1.2.840.113549.1.1.10"
#: rsaEncryption and the sha*WithRSAEncryption OIDs: PKCS#1 v1.5 signatures
OIDS_RSA_PKCS1V15 = frozenset(
    {
        "1.2.840.113549.1.1.1",
        "1.2.840.113549.1.1.4",
        "1.2.840.113549.1.1.5",
        "1.2.840.113549.1.1.11",
        "1.2.840.113549.1.1.12",
        "1.2.840.113549.1.1.13",
        "1.2.840.113549.1.1.14",
        "1.2.840.113549.1.1.15",
        "1.2.840.113549.1.1.16",
    }
)
LEVEL_RANK = {"B-B": 0, "B-T": 1, "B-LT": 2, "B-LTA": 3}

_SIG_HASH = re.compile(r"^(sha\d+(?:_\d+)?|sha3_\d+|md5|md2)_")


def signature_hash(sig_algorithm: str | None) -> str | None:
    """The hash named in an asn1crypto signature mechanism (``sha256_rsa`` → ``sha256``)."""
    if not sig_algorithm:
        return None
    m = _SIG_HASH.match(sig_algorithm)
    return m.group(1) if m else None


def key_problem(ci: CertificateInfo) -> Msg | None:
    algo = ci.key_algorithm.upper()
    if algo == "RSA" and ci.key_size < MIN_RSA_BITS:
        return Msg(
            f"khóa RSA {ci.key_size} bit < {MIN_RSA_BITS} bit",
            f"RSA key of {ci.key_size} bits < {MIN_RSA_BITS} bits",
        )
    if algo == "EC" and ci.key_size < MIN_EC_BITS:
        return Msg(
            f"khóa ECDSA {ci.key_size} bit < {MIN_EC_BITS} bit",
            f"ECDSA key of {ci.key_size} bits < {MIN_EC_BITS} bits",
        )
    if algo not in ("RSA", "EC"):
        return Msg(
            f"thuật toán khóa {ci.key_algorithm} không có trong TT 15/2025 Phụ lục I",
            f"key algorithm {ci.key_algorithm} is not in Circular 15/2025 Annex I",
        )
    return None


def cert_evidence(ci: CertificateInfo) -> dict[str, Any]:
    return {
        "name": cert_name(ci),
        "sha256": ci.sha256_fingerprint,
        "key": f"{ci.key_algorithm}-{ci.key_size}",
        "signature_hash": ci.signature_hash_algorithm,
        "not_before": iso(ci.not_before),
        "not_after": iso(ci.not_after),
    }


def signing_time(sig: SignatureReport) -> tuple[datetime | None, bool]:
    """The signing time used by verification and whether a timestamp proves it."""
    return sig.signing_time, sig.signing_time_source == "timestamp"


def time_evidence(sig: SignatureReport) -> dict[str, Any]:
    t, proven = signing_time(sig)
    return {"signing_time": iso(t), "signing_time_vn": vn_time(t), "time_proven_by_timestamp": proven}


def revocation_evidence(r: RevocationInfo | None) -> dict[str, Any]:
    if r is None:
        return {"revocation": None}
    return {
        "revocation_status": r.status,
        "revocation_source": r.source,
        "revocation_time": iso(r.revocation_time),
        "ocsp_responses": r.ocsp_responses,
        "crls": r.crls,
    }


def embedded(r: RevocationInfo | None) -> bool:
    return r is not None and r.source in ("embedded", "embedded+online")


def valid_timestamp(sig: SignatureReport) -> bool:
    t = sig.timestamp
    return t is not None and t.kind == "signature" and t.intact and t.valid and t.trusted


def join(msgs: list[Msg], sep: str = "; ") -> Msg:
    return Msg(sep.join(m.vi for m in msgs), sep.join(m.en for m in msgs))


def unknown_advice(ev: Any, signature_ids: list[str]) -> Msg:
    """How to classify the signers of ``signature_ids`` (policy file or registry)."""

    sigs = {s.id: s for s in ev.doc.signatures}
    tips = [advice(sigs[i].signer) for i in signature_ids if i in sigs]
    if not tips:
        return advice(None)
    return Msg(" ".join(dict.fromkeys(t.vi for t in tips)), " ".join(dict.fromkeys(t.en for t in tips)))
