"""Benchmark: the certificate registry at ministry scale, on SQLite.

Builds (or reuses, with ``--db``) a registry holding

* 100,000 real X.509 certificates (ECDSA P-256, generated here, imported through the
  normal importer and matched to 100,000 subscribers in 120 units / 3 waves), and
* 1,000,000 audit events over one year (sign / verify / send), appended through the
  hash-chained audit log,

then measures:

* ``expiring``: :meth:`Registry.expiring` (30 days) — target < 50 ms;
* ``year-end``: the year-end report computed *and* rendered to PDF with its charts —
  target < 5 s;
* baselines measured in the same run on the same file: a naive "expiring" (read every
  certificate, filter in Python), and the year's figures computed from the raw audit log
  (a period one day short of the year is not whole months, so the monthly summaries are
  not used).

The last line is ``expiring_ms=<x> year_end_s=<y> expiring_ratio=<naive/indexed>
figures_raw_vs_summaries=<raw/summaries>``.

Usage: python benchmarks/bench_registry.py [--certs N] [--events N] [--db PATH]
(about 4–6 minutes to build the full data set on one core; seconds to re-measure with --db).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

YEAR = 2026
UNITS = 120
WAVES = 3


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _certificates(n: int) -> list[bytes]:
    """``n`` DER certificates: 3-year validity starting 2022–2027, UID=CCCD:…"""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    rng = random.Random(7)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    subject_keys = [ec.generate_private_key(ec.SECP256R1()).public_key() for _ in range(64)]
    issuer = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ban Cơ yếu Chính phủ"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CA phục vụ các cơ quan Nhà nước (BENCH)"),
        ]
    )
    ku = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        nb = start + timedelta(minutes=rng.randrange(0, 6 * 365 * 24 * 60))
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bộ Khoa học và Công nghệ"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"Đơn vị số {i % UNITS:03d}"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"Nguyễn Văn Thử {i:06d}"),
                x509.NameAttribute(NameOID.USER_ID, f"CCCD:{i:012d}"),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(subject_keys[i % len(subject_keys)])
            .serial_number(i + 1)
            .not_valid_before(nb)
            .not_valid_after(nb + timedelta(days=3 * 365))
            .add_extension(ku, critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        out.append(cert.public_bytes(serialization.Encoding.DER))
    return out


def build(path: Path, n_certs: int, n_events: int) -> dict[str, float]:
    from asn1crypto import x509 as asn1_x509

    from vbsign.model.events import AuditEvent
    from vbsign.registry import Registry

    timings: dict[str, float] = {}
    reg = Registry.open(f"sqlite:///{path}", create=True)
    reg.set_settings({"agency": "BỘ KHOA HỌC VÀ CÔNG NGHỆ", "office": "TRUNG TÂM CÔNG NGHỆ THÔNG TIN"})
    for w in range(1, WAVES + 1):
        reg.add_wave(w, f"Đợt {w}", starts_on=date(YEAR, 4 * w - 3, 1), ends_on=date(YEAR, 4 * w, 28))
    reg.add_unit("BO", "Bộ Khoa học và Công nghệ", wave=1)
    for u in range(UNITS):
        reg.add_unit(f"U{u:03d}", f"Đơn vị số {u:03d}", parent="BO", wave=1 + u % WAVES)

    t = time.perf_counter()
    ders = _certificates(n_certs)
    timings["generate_certs_s"] = time.perf_counter() - t
    print(f"  generated {n_certs} certificates in {timings['generate_certs_s']:.1f} s", file=sys.stderr)

    # subscribers: one per certificate, so every certificate is matched by UID; the first
    # UNITS are the units' seals (organisation subscribers)
    t = time.perf_counter()
    with reg.writing() as s:
        from sqlalchemy import insert, select

        from vbsign.registry.models import Subscriber, Unit

        unit_ids = {code: uid for uid, code in s.execute(select(Unit.id, Unit.code)).all()}
        s.execute(
            insert(Subscriber),
            [
                {"kind": "organisation" if i < UNITS else "person", "full_name": f"Nguyễn Văn Thử {i:06d}",
                 "unit_id": unit_ids[f"U{i % UNITS:03d}"],
                 "uid": f"CCCD:{i:012d}", "active": True, "created_at": datetime.now(UTC)}
                for i in range(n_certs)
            ],
        )
    timings["subscribers_s"] = time.perf_counter() - t

    t = time.perf_counter()
    batch = 10_000
    for i in range(0, n_certs, batch):
        certs = [asn1_x509.Certificate.load(d) for d in ders[i : i + batch]]
        reg.import_certificates(certs, source="bench")
    timings["import_certs_s"] = time.perf_counter() - t
    print(f"  imported in {timings['import_certs_s']:.1f} s", file=sys.stderr)

    valid = reg.list_certificates(valid_at=datetime(YEAR, 7, 1, tzinfo=UTC))
    seals = {c.unit_code: c.fingerprint for c in valid if c.subscriber_id is not None and c.subscriber_id <= UNITS}
    people = [(c.fingerprint, c.unit_code) for c in valid if c.unit_code in seals][:5000]
    rng = random.Random(11)
    year_start = datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(hours=7)
    seconds = 365 * 24 * 3600
    t = time.perf_counter()
    n_docs = written = 0
    while written < n_events:
        events: list[AuditEvent] = []
        while len(events) < 20_000:
            n_docs += 1
            when = year_start + timedelta(seconds=rng.randrange(seconds))
            fp, unit = people[rng.randrange(len(people))]
            doc = f"VB-{n_docs:08d}"
            signed = f"{n_docs:063x}1"
            events.append(AuditEvent("sign", signed, document_id=doc, verdict="SIGNED", certificate_fingerprints=(fp,),
                                     time=when))
            if rng.random() < 0.6:  # the clerk applies the unit's seal
                signed = f"{n_docs:063x}2"
                events.append(AuditEvent("sign", signed, document_id=doc, verdict="SIGNED",
                                         certificate_fingerprints=(seals[unit],), time=when + timedelta(minutes=2)))
            verdict = rng.choice(("TOTAL-PASSED",) * 18 + ("TOTAL-FAILED", "INDETERMINATE"))
            events.append(AuditEvent("verify", signed, document_id=doc, verdict=verdict, certificate_fingerprints=(fp,),
                                     unit=f"U{rng.randrange(UNITS):03d}", time=when + timedelta(hours=3)))
        events = events[: n_events - written]
        reg.record_events(events)
        written += len(events)
    timings["append_events_s"] = time.perf_counter() - t
    print(f"  appended {n_events} audit events in {timings['append_events_s']:.1f} s", file=sys.stderr)
    with reg.writing() as s:
        s.execute(__import__("sqlalchemy").text("ANALYZE"))
    reg.close()
    return timings


def _best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(path: Path) -> dict[str, float]:
    from sqlalchemy import select

    from vbsign.registry import Registry
    from vbsign.registry.models import Certificate
    from vbsign.registry.periods import parse_period
    from vbsign.registry.reports import render_report

    reg = Registry.open(f"sqlite:///{path}")
    at = datetime(YEAR, 6, 15, 3, 0, tzinfo=UTC)
    out: dict[str, float] = {}
    reg.expiring(30, at=at)  # warm the page cache
    out["expiring_s"] = _best(lambda: reg.expiring(30, at=at), 7)
    out["expiring_rows"] = len(reg.expiring(30, at=at))

    def naive() -> int:
        with reg.reading() as s:
            rows = s.execute(select(Certificate.not_after, Certificate.status, Certificate.is_ca)).all()
        return sum(1 for na, st, ca in rows if st == "active" and not ca and at < na <= at + timedelta(days=30))

    out["naive_expiring_s"] = _best(naive, 3)

    def raw() -> None:
        # the same figures for a period one day short of the year: not whole months, so they
        # are computed from the audit log itself instead of the monthly summaries
        reg.usage_report(parse_period(f"{YEAR}-01-01..{YEAR}-12-30"), kind="year-end")

    out["raw_s"] = _best(raw, 1)
    tmp = Path(tempfile.mkdtemp(prefix="vbsign-bench-"))

    samples = []
    for _ in range(3):
        t = time.perf_counter()
        report = reg.year_end_report(YEAR)
        t_compute = time.perf_counter() - t
        render_report(report, "pdf", tmp / "year-end.pdf")
        samples.append((time.perf_counter() - t, t_compute))
    best = min(samples)
    out["year_end_s"], out["year_end_compute_s"] = best
    # the first run also pays for importing matplotlib/reportlab and loading the fonts
    out["year_end_cold_s"] = samples[0][0]
    out["year_end_pdf_bytes"] = (tmp / "year-end.pdf").stat().st_size
    reg.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--certs", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=None, help="reuse (or create) this SQLite file")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    path = args.db or Path(tempfile.mkdtemp(prefix="vbsign-bench-")) / "registry.sqlite3"
    print(f"CPU: {_cpu()}; Python {platform.python_version()}; SQLite file {path}", file=sys.stderr)
    if not path.exists():
        build_t = build(path, args.certs, args.events)
        for k, v in build_t.items():
            print(f"{k}: {v:.1f}")
        print(f"import_rate_certs_per_s: {args.certs / build_t['import_certs_s']:.0f}")
        print(f"append_rate_events_per_s: {args.events / build_t['append_events_s']:.0f}")
    print(f"db_size_mb: {os.path.getsize(path) / 1e6:.0f}")
    m = measure(path)
    print(f"expiring (30 days, {int(m['expiring_rows'])} rows): {m['expiring_s'] * 1000:.1f} ms "
          f"(naive full read: {m['naive_expiring_s'] * 1000:.0f} ms)")
    print(f"year-end report: {m['year_end_s']:.2f} s (figures {m['year_end_compute_s']:.2f} s + PDF with charts; "
          f"{int(m['year_end_pdf_bytes'])} bytes; first run in the process {m['year_end_cold_s']:.2f} s); "
          f"the same figures from the raw log: {m['raw_s']:.2f} s")
    print(
        f"expiring_ms={m['expiring_s'] * 1000:.1f} year_end_s={m['year_end_s']:.2f} "
        f"expiring_ratio={m['naive_expiring_s'] / m['expiring_s']:.0f} "
        f"figures_raw_vs_summaries={m['raw_s'] / m['year_end_compute_s']:.1f}"
    )


if __name__ == "__main__":
    main()
