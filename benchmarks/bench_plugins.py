"""Benchmark: the cost of the plugin layer and of the host bridge, measured in the same run.

Signs (PAdES B-B, software RSA-2048 key, one reused ``vbsign.Signer``, check cached) and
verifies (offline, embedded data) the sample 1-page decision N times:

* baseline: only vbsign's built-in plugins, no audit sink or lifecycle hook registered;
* ``hooks``: five plugins, each with ``vbsign_before_sign`` (adds metadata),
  ``vbsign_after_sign``, ``vbsign_after_verify`` and ``vbsign_audit_event`` (in memory) —
  every hook call, audit event construction and result check on the path;

and, for the host bridge (in-process test PKI, PAdES B-LT, tt41 policy with the test roots):

* ``send``: :func:`vbsign.host.on_send` (person + seal + outgoing verification + policy +
  evidence) against the same two signatures and one verification done with the plain API;
* ``receive``: :func:`vbsign.host.on_receive` (receipt timestamp + verification + policy +
  evidence) against a plain ``vbsign.verify``.

Also the one-off cost of discovering and loading the plugins (entry points) in this
environment. Prints per-operation times and ratios; the last line is exactly
``hooks_sign_ratio=<a> hooks_verify_ratio=<b> send_ratio=<c> receive_ratio=<d>``.

Usage: python benchmarks/bench_plugins.py [N]   (default N=30)
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def main(n: int = 30) -> None:
    logging.disable(logging.WARNING)
    from vbsign import api, testpki
    from vbsign.host import OutgoingDocument, ReceiveContext, SendContext, on_receive, on_send
    from vbsign.pki.validation import Services
    from vbsign.plugins import SignDecision, manager
    from vbsign.testpki.samples import official_document_pdf

    t0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-pl-"))
    pki = testpki.load()
    pdf = official_document_pdf()
    for label in ("person", "agency"):
        (tmp / f"{label}.p12").write_bytes(pki.pkcs12(label, "bench"))
    gov, pub = testpki.fingerprint(pki.cert("gov-root")), testpki.fingerprint(pki.cert("pub-root"))
    policy = tmp / "policy.toml"
    policy.write_text(f'[policy]\nextends = "tt41"\nname = "bench"\n\n[anchors]\ncdcv = ["{gov}"]\nnational = ["{pub}"]\n')

    t = time.perf_counter()
    discovered = manager.PluginManager()
    discovered.load_entry_points()
    discovery = time.perf_counter() - t

    def services() -> Services:
        return Services(online=False, fetcher_backend=pki.fetcher_backend(t0))

    def signer(label: str, level: str = "B-B") -> api.Signer:
        return api.Signer(tmp / f"{label}.p12", passphrase="bench", trust=pki.roots, tsa=pki.timestamper(t0),
                          level=level, services=services(), clock=lambda: t0)

    offline = Services(online=False)

    def per_op(fn: Any, count: int) -> float:
        fn()  # warm-up
        start = time.perf_counter()
        for _ in range(count):
            fn()
        return (time.perf_counter() - start) / count

    class Busy:
        def __init__(self) -> None:
            self.events: list[Any] = []

        def vbsign_before_sign(self, request: Any) -> Any:
            return SignDecision.add(dms_ticket="T-1")

        def vbsign_after_sign(self, request: Any, result: Any) -> None:
            assert result.data

        def vbsign_after_verify(self, report: Any) -> None:
            return None

        def vbsign_audit_event(self, event: Any) -> None:
            self.events.append(event.kind)

    baseline = manager.PluginManager()
    baseline.load_entry_points(autoload=False)
    for p in [name for name, _ in baseline.list_name_plugin() if name != "vbsign-builtins"]:
        baseline.remove_plugin(p)  # no audit sink at all: the cheapest path
    busy = manager.PluginManager()
    busy.load_entry_points(autoload=False)
    for i in range(5):
        busy.add_plugin(Busy(), f"busy-{i}")

    s = signer("person")
    signed = s.sign(pdf).data
    results: dict[str, float] = {}
    for label, pm in (("base", baseline), ("hooks", busy)):
        with manager.use_plugin_manager(pm):
            results[f"{label}_sign"] = per_op(lambda: s.sign(pdf), n)
            results[f"{label}_verify"] = per_op(
                lambda: api.verify(signed, trust=pki.roots, now=t0, services=offline), n)

    # host bridge against the same work done with the plain API (B-LT, policy tt41)
    person, seal = signer("person", "B-LT"), signer("agency", "B-LT")
    ctx = SendContext(person=person, seal=seal, policy=str(policy))
    rctx = ReceiveContext(trust=pki.roots, services=offline, tsa=pki.timestamper(t0), policy=str(policy),
                          clock=lambda: t0)
    m = max(3, n // 5)
    with manager.use_plugin_manager(baseline):

        def plain_send() -> bytes:
            data = seal.sign(person.sign(pdf).data).data
            api.verify(data, trust=pki.roots, now=t0, services=services())
            return data

        sent = plain_send()
        results["plain_send"] = per_op(plain_send, m)
        results["send"] = per_op(lambda: on_send(OutgoingDocument(pdf, number="1/QĐ"), ctx), m)
        results["plain_receive"] = per_op(lambda: api.verify(sent, trust=pki.roots, now=t0, services=offline), m)
        results["receive"] = per_op(lambda: on_receive(sent, rctx), m)

    ms = {k: v * 1000 for k, v in results.items()}
    print(f"plugin discovery (entry points, once per process): {discovery * 1000:.1f} ms "
          f"({len(discovered.list_name_plugin())} plugins)")
    print(f"sign   : {ms['base_sign']:.1f} ms baseline, {ms['hooks_sign']:.1f} ms with 5 plugins x 3 hooks")
    print(f"verify : {ms['base_verify']:.1f} ms baseline, {ms['hooks_verify']:.1f} ms with 5 plugins x 2 hooks")
    print(f"send   : {ms['send']:.1f} ms on_send vs {ms['plain_send']:.1f} ms sign+sign+verify")
    print(f"receive: {ms['receive']:.1f} ms on_receive vs {ms['plain_receive']:.1f} ms verify")
    print(
        f"hooks_sign_ratio={results['hooks_sign'] / results['base_sign']:.3f} "
        f"hooks_verify_ratio={results['hooks_verify'] / results['base_verify']:.3f} "
        f"send_ratio={results['send'] / results['plain_send']:.3f} "
        f"receive_ratio={results['receive'] / results['plain_receive']:.3f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
