"""Benchmark: what the policy engine adds to verification.

On the test PKI (in-process services, fixed time), signs one official document (person +
agency, PAdES B-LT) and measures, in the same run:

* ``verify``: :func:`vbsign.verify` of that file (offline, embedded validation data) — the
  baseline;
* ``evaluate``: :func:`vbsign.policy.evaluate` of the resulting report with the ``tt41``
  profile (57 rule results) — the policy's own cost;
* ``validate``: :func:`vbsign.validate` (verification + policy) end to end;
* ``load``: parsing and resolving a policy file (TOML);
* ``junit``: rendering 100 compliance reports as JUnit XML.

The last line is ``verify_ms=<x> evaluate_ms=<y> validate_ms=<z> policy_overhead=<y/x>``.

Usage: python benchmarks/bench_policy.py [--n 50]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=UTC)


def measure(fn: Callable[[], object], n: int) -> float:
    """Median wall time of ``fn`` in milliseconds (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)

    from vbsign import api, testpki
    from vbsign._core.x509 import fingerprint
    from vbsign.pki.validation import Services
    from vbsign.policy import PolicyRegistry, evaluate, load_policy
    from vbsign.policy.junit import to_junit_xml
    from vbsign.testpki.export import write_pki
    from vbsign.testpki.samples import official_document_pdf

    pki = testpki.load()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        write_pki(d, port=pki.port, passphrase="vbsign-test")
        svc = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))

        def sign(label: str, data: bytes) -> bytes:
            return api.sign(
                data, key=d / f"{label}.p12", passphrase="vbsign-test", trust=pki.roots,
                tsa=pki.timestamper(T0), level="B-LT", services=svc, clock=lambda: T0,
            ).data  # fmt: skip

        doc = sign("agency", sign("person", official_document_pdf()))
        policy_file = d / "policy.toml"
        policy_file.write_text(
            f'[policy]\nextends = "tt41"\n[anchors]\ncdcv = ["{fingerprint(pki.cert("gov-root"))}"]\n'
            '[expectations]\nsignatures = ["person", "agency"]\nmin_level = "B-LT"\n',
            "utf-8",
        )
        policy = load_policy(policy_file, registry=PolicyRegistry.builtin())
        offline = Services(online=False)

        def verify() -> object:
            return api.verify(doc, trust=pki.roots, now=T0, services=offline)

        report = api.verify(doc, trust=pki.roots, now=T0, services=offline)
        assert report.valid, report.indication
        comp = evaluate(report, policy)
        assert comp.compliant, [r.rule_id for r in comp.failures()]

        verify_ms = measure(verify, args.n)
        evaluate_ms = measure(lambda: evaluate(report, policy), args.n)
        validate_ms = measure(
            lambda: api_validate(doc, policy, pki.roots, offline), args.n
        )
        load_ms = measure(lambda: load_policy(policy_file, registry=PolicyRegistry.builtin()), args.n)
        junit_ms = measure(lambda: to_junit_xml([comp] * 100), max(5, args.n // 10))

    print(f"python {sys.version.split()[0]}; n={args.n}; rule results per document: {len(comp.results)}")
    print(f"verify (baseline)        {verify_ms:8.2f} ms")
    print(f"evaluate (tt41 policy)   {evaluate_ms:8.2f} ms   ({evaluate_ms / verify_ms:.1%} of verify)")
    print(f"validate (both)          {validate_ms:8.2f} ms   ({validate_ms / verify_ms:.2f}× verify)")
    print(f"load policy file         {load_ms:8.2f} ms")
    print(f"JUnit XML, 100 reports   {junit_ms:8.2f} ms")
    print(
        f"verify_ms={verify_ms:.2f} evaluate_ms={evaluate_ms:.2f} validate_ms={validate_ms:.2f} "
        f"policy_overhead={evaluate_ms / verify_ms:.3f}"
    )
    return 0


def api_validate(doc: bytes, policy: object, roots: object, services: object) -> object:
    from vbsign.api.compliance import validate

    return validate(doc, policy=policy, trust=roots, now=T0, services=services)


if __name__ == "__main__":
    raise SystemExit(main())
