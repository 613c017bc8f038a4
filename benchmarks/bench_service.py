"""Benchmark: verification through the REST service against the library call, same run.

Starts ``vbsign serve --port 0 --trust roots.pem --offline --result-ttl 0`` (a real
uvicorn process on loopback; no stored results, so every request is verified) and
verifies the demo's two-signature PDF (``vbsign demo``):

* **overhead** — alternating rounds of ``R`` verifications one after another: through the
  service (``POST /api/v1/verify``, multipart, one keep-alive connection) and by
  ``vbsign.verify`` in this process (speed-ups on, as ``vbsign serve`` has them: the best
  use of the library). Seconds per verification, min and median over the rounds, and
  the service's overhead over the library call. The service and this process are pinned
  to one and the same CPU meanwhile, so the client's work counts and the service cannot
  borrow a second core the library call does not have;
* **load** — ``C`` concurrent clients (threads, one connection each) for ``T`` seconds:
  requests per second, p50 / p99 latency, errors (anything but 200 TOTAL-PASSED), and
  the service's resident memory before and after (bounded: no growth with the load).

Loopback only; bounded (every request has a timeout, the load phase a fixed duration).
The overhead is reported in wall-clock time and in CPU time (the service's process plus this
client against this process alone), which other load on a shared machine barely moves.
The last line is exactly ``overhead=<x> cpu_overhead=<c> rps=<r> p50_ms=<a> p99_ms=<b> errors=<n> rss_growth_mb=<m>``.

Usage: python benchmarks/bench_service.py [ROUNDS=7] [PER_ROUND=10] [CLIENTS=16] [SECONDS=10] [WORKERS=1]
(``WORKERS``: ``vbsign serve --workers``, service processes for the load phase)
"""

from __future__ import annotations

import logging
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (MiB)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _pin(pids: list[int], cpus: set[int]) -> None:
    for pid in pids:
        try:
            os.sched_setaffinity(pid, cpus)
        except OSError:
            pass


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its live children (seconds)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _serve(demo: Path, workers: int = 1) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vbsign.cli.main", "serve", "--port", "0", "--trust", str(demo / "pki" / "roots.pem"),
         "--offline", "--result-ttl", "0", "--access-log", "off", "--max-waiting", "256", "--workers", str(workers)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        m = re.search(r"vbsign serve: (http://127\.0\.0\.1:\d+)/", proc.stderr.readline())
        if m:
            url = m.group(1)
            for _ in range(400):
                try:
                    httpx.get(url + "/api/v1/health", timeout=2)
                    return proc, url
                except httpx.TransportError:
                    time.sleep(0.05)
        if proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("vbsign serve did not start")


def _post(client: httpx.Client, url: str, data: bytes, i: int) -> httpx.Response:
    # a different name each time: a new job (identical requests in flight share one)
    return client.post(url + "/api/v1/verify", files={"file": (f"signed-{i}.pdf", data, "application/pdf")}, timeout=60)


def overhead(
    url: str, data: bytes, demo: Path, rounds: int, per_round: int, server_pid: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Wall-clock and CPU seconds per verification, service and library, per round."""
    import vbsign
    from vbsign.pki.validation import Services

    vbsign.enable_speedups()
    trust = vbsign.TrustStore.from_paths([demo / "pki" / "roots.pem"]) if hasattr(vbsign, "TrustStore") else [demo / "pki" / "roots.pem"]
    services = Services(online=False)
    service_times: list[float] = []
    library_times: list[float] = []
    service_cpu: list[float] = []
    library_cpu: list[float] = []
    counter = 0
    with httpx.Client() as client:
        for _ in range(2):  # warm-up of both sides
            assert _post(client, url, data, counter).json()["indication"] == "TOTAL-PASSED"
            counter += 1
            assert vbsign.verify(data, trust=trust, services=services).indication.value == "TOTAL-PASSED"
        for r in range(rounds):
            for side in (("service", "library") if r % 2 == 0 else ("library", "service")):
                t0 = time.perf_counter()
                c0 = time.process_time() + (_cpu_seconds(server_pid) if side == "service" else 0.0)
                for _ in range(per_round):
                    if side == "service":
                        response = _post(client, url, data, counter)
                        counter += 1
                        assert response.status_code == 200, response.text
                    else:
                        vbsign.verify(data, trust=trust, services=services)
                per = (time.perf_counter() - t0) / per_round
                cpu = (time.process_time() + (_cpu_seconds(server_pid) if side == "service" else 0.0) - c0) / per_round
                (service_times if side == "service" else library_times).append(per)
                (service_cpu if side == "service" else library_cpu).append(cpu)
    return service_times, library_times, service_cpu, library_cpu


def load(url: str, data: bytes, clients: int, seconds: float) -> tuple[list[float], int, int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client_loop(n: int) -> None:
        nonlocal errors
        i = 0
        with httpx.Client() as client:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    response = _post(client, url, data, n * 1_000_000 + i)
                    ok = response.status_code == 200 and response.json()["indication"] == "TOTAL-PASSED"
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - t0
                i += 1
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return latencies, errors, int(round(len(latencies) / wall * 1000))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(rounds: int = 7, per_round: int = 10, clients: int = 16, seconds: float = 10.0, workers: int = 1) -> None:
    logging.disable(logging.WARNING)
    from vbsign.testpki.demo import run_demo

    demo = Path(tempfile.mkdtemp(prefix="vbsign-bench-service-"))
    run_demo(demo)
    data = (demo / "signed.pdf").read_bytes()
    proc, url = _serve(demo)
    all_cpus = os.sched_getaffinity(0)
    one = {min(all_cpus)}
    try:
        _pin([os.getpid(), proc.pid, *_children(proc.pid)], one)
        try:
            svc, lib, svc_cpu, lib_cpu = overhead(url, data, demo, rounds, per_round, proc.pid)
        finally:
            _pin([os.getpid(), proc.pid, *_children(proc.pid)], all_cpus)
        smin, smed, lmin, lmed = min(svc), statistics.median(svc), min(lib), statistics.median(lib)
        ratio = smed / lmed - 1
        print(f"one at a time, {rounds} alternating rounds of {per_round} verifications (s per verification):")
        print(f"  service  min {smin * 1000:7.1f} ms   median {smed * 1000:7.1f} ms")
        print(f"  library  min {lmin * 1000:7.1f} ms   median {lmed * 1000:7.1f} ms")
        print(f"  service overhead: {ratio * 100:+.1f} % (median), {(smin / lmin - 1) * 100:+.1f} % (min)")
        cs_min, cs_med, cl_min, cl_med = min(svc_cpu), statistics.median(svc_cpu), min(lib_cpu), statistics.median(lib_cpu)
        cpu_ratio = cs_med / cl_med - 1
        print("CPU time per verification (service: its process + this client; insensitive to other load):")
        print(f"  service  min {cs_min * 1000:7.1f} ms   median {cs_med * 1000:7.1f} ms")
        print(f"  library  min {cl_min * 1000:7.1f} ms   median {cl_med * 1000:7.1f} ms")
        print(f"  service CPU overhead: {cpu_ratio * 100:+.1f} % (median), {(cs_min / cl_min - 1) * 100:+.1f} % (min)")
        if workers > 1:
            proc.send_signal(signal.SIGTERM)
            proc.wait(15)
            proc, url = _serve(demo, workers)
            time.sleep(3)  # every worker process up
        rss_before = _rss_mb(proc.pid)
        latencies, errors, rps_milli = load(url, data, clients, seconds)
        rss_after = _rss_mb(proc.pid)
        rps = rps_milli / 1000
        p50, p99 = _pct(latencies, 0.50) * 1000, _pct(latencies, 0.99) * 1000
        print(f"{clients} concurrent clients for {seconds:.0f} s, {workers} service process(es): {len(latencies)} verified, {errors} errors")
        print(f"  throughput {rps:.2f} verifications/s (library one at a time: {1 / lmed:.2f}/s)")
        print(f"  latency p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        print(f"  service memory {rss_before:.0f} MiB before, {rss_after:.0f} MiB after the load")
        print(f"overhead={ratio:.3f} cpu_overhead={cpu_ratio:.3f} rps={rps:.2f} p50_ms={p50:.0f} p99_ms={p99:.0f} errors={errors} rss_growth_mb={rss_after - rss_before:.0f}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*(int(a) for a in args[:3]), *(float(a) for a in args[3:4]), *(int(a) for a in args[4:5]))
