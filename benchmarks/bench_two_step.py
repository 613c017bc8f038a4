"""Benchmark: the cost of two-step and of remote signing, measured against one-step signing.

Three pipelines sign the same 1-page PDF (PAdES B-B, RSA-2048 key of the test PKI subject
``person``, pre-signing certificate check against the in-process test PKI at a fixed time),
taking turns in several rounds (min and median of the per-round mean are printed):

* ``one-step``: a reused :class:`vbsign.Signer` with the software key (the reference);
* ``two-step``: a reused :class:`vbsign.api.two_step.TwoStepSigner`: ``prepare`` → the same
  private key signs the ``tbs`` bytes in process (what ``openssl dgst -sign`` does) →
  ``complete`` (from the session JSON, as a stateless web server would);
* ``one-shot``: the module functions :func:`~vbsign.api.two_step.prepare` /
  :func:`~vbsign.api.two_step.complete`, nothing reused (certificate check twice per
  document) — printed for information;
* ``remote``: a reused :class:`vbsign.Signer` with ``csc:person`` against the test PKI's CSC
  API v2 service on loopback; the service's own time (measured inside it) is subtracted.

The last line is ``two_step_overhead_ms=<x> remote_overhead_ms=<y>`` (per document, beyond
one-step; the issue's target is ≤ 5 ms each).

Usage: python benchmarks/bench_two_step.py [N] [ROUNDS]   (default N=20, ROUNDS=5)
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    logging.disable(logging.WARNING)
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    import vbsign.api as api
    from vbsign import testpki
    from vbsign.api import two_step
    from vbsign.backends.software import load_pem
    from vbsign.pki.validation import Services
    from vbsign.testpki.samples import official_document_pdf
    from vbsign.testpki.server import ServerThread

    pdf = official_document_pdf()
    with ServerThread.on_free_port() as server:
        pki = server.pki
        keys = Path(testpki.__file__).parent / "keys"
        tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"vbsign-bench-2step-{os.getpid()}"
        tmp.mkdir(exist_ok=True)
        (tmp / "person.cert.pem").write_bytes(testpki.pem_bundle([pki.cert("person")]))
        key_pem = (keys / "person.key.pem").read_bytes()
        private = serialization.load_pem_private_key(key_pem, password=None)
        services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
        common: dict[str, Any] = dict(trust=pki.roots, level="B-B", services=services, clock=lambda: T0)
        local = api.Signer(load_pem(str(keys / "person.key.pem"), str(tmp / "person.cert.pem"), None, None), **common)
        os.environ["VBSIGN_CSC_TOKEN"] = server.csc.token
        remote = api.Signer("csc:person", key_options={"csc_url": f"http://localhost:{server.port}/csc/v2",
                                                       "pin": "vbsign-test"}, **common)  # fmt: skip

        def one_step() -> None:
            local.sign(pdf)

        reused = two_step.TwoStepSigner(pki.cert("person"), pki.chain("person"), **common)

        def two_steps() -> None:
            prep = reused.prepare(pdf)
            sig = private.sign(prep.tbs, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr, call-arg]
            reused.complete(prep.session_json(), sig, document=prep.document)

        def one_shot() -> None:
            prep = two_step.prepare(pdf, certificate=pki.cert("person"), chain=pki.chain("person"), **common)
            sig = private.sign(prep.tbs, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr, call-arg]
            two_step.complete(prep.session_json(), sig, document=prep.document, trust=pki.roots,
                              services=services, clock=lambda: T0)  # fmt: skip

        def remote_sign() -> None:
            remote.sign(pdf)

        results: dict[str, list[float]] = {"one-step": [], "two-step": [], "remote": [], "one-shot": []}
        cpu: dict[str, list[float]] = {name: [] for name in results}
        service_ms: list[float] = []
        pipelines = (("one-step", one_step), ("two-step", two_steps), ("remote", remote_sign), ("one-shot", one_shot))
        for _, fn in pipelines:  # warm-up: imports, caches, first connection
            fn()
        for _ in range(rounds):
            for name, fn in pipelines:
                busy = server.csc.busy_seconds
                t, c = time.perf_counter(), time.process_time()
                for _ in range(n):
                    fn()
                results[name].append((time.perf_counter() - t) / n * 1000)
                cpu[name].append((time.process_time() - c) / n * 1000)
                if name == "remote":
                    service_ms.append((server.csc.busy_seconds - busy) / n * 1000)
        remote.close()
        local.close()
        reused.close()
    for name, values in results.items():
        print(f"{name:9} ms/doc: min {min(values):7.2f}  median {statistics.median(values):7.2f}   "
              f"CPU (this process, incl. the in-process service) min {min(cpu[name]):7.2f}  "
              f"median {statistics.median(cpu[name]):7.2f}")
    print(f"CSC signatures: {server.csc.calls.get('signatures/signHash')}, authorisations: "
          f"{server.csc.calls.get('credentials/authorize')}")
    print(f"CSC service's own time ms/doc: min {min(service_ms):.2f}  median {statistics.median(service_ms):.2f}")
    base = statistics.median(results["one-step"])
    two = statistics.median(results["two-step"]) - base
    rem = statistics.median([r - s for r, s in zip(results["remote"], service_ms, strict=True)]) - base
    two_cpu = statistics.median(cpu["two-step"]) - statistics.median(cpu["one-step"])
    print(f"two-step CPU overhead ms/doc (median): {two_cpu:.2f}")
    print(f"two_step_overhead_ms={two:.2f} remote_overhead_ms={rem:.2f}")


if __name__ == "__main__":
    main()
