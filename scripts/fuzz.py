#!/usr/bin/env python3
"""Long fuzzing runs against PDF and XML verification (CI runs a bounded hypothesis suite:
``tests/attacks/test_fuzz.py``).

    .venv/bin/python scripts/fuzz.py --minutes 30                # random mutations, seeded
    .venv/bin/python scripts/fuzz.py --examples 5000 --seed 7
    .venv/bin/python scripts/fuzz.py --engine atheris -- -max_total_time=600   # if installed

Each example mutates a freshly signed document (test PKI, B-LT) — PDF or XML — and checks:

1. verification raises nothing but a vbsign error (``VbsignError``);
2. the result is never TOTAL-PASSED when a byte inside the signed ranges changed, when an
   update changing page content, fonts, annotations or the page box was appended, when
   ``/ByteRange`` was edited, or when an object of the page was redefined (PDF), or when a
   byte of the signed content changed (XML);
3. every verification ends within its time budget (``Limits`` default, 10 s).

Failing inputs are written to ``--out`` (default ``fuzz-failures/``) with a note; the run
prints statistics (examples, mutations by kind, verdicts, time) and exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import collections
import io
import logging
import random
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<QuyetDinh xmlns="urn:vn:gov:qd" Id="qd-12">'
    "<So>12/QĐ-BKHCN</So><TrichYeu>Về việc phê duyệt kế hoạch năm 2027</TrichYeu>"
    "<NoiDung>Điều 1. Phê duyệt kế hoạch năm 2027 của Bộ.</NoiDung></QuyetDinh>"
).encode()


@dataclass
class Case:
    kind: str
    data: bytes
    #: True when the mutation must not verify as TOTAL-PASSED
    must_fail: bool


class Harness:
    """Signs the seeds once and verifies mutated copies."""

    def __init__(self) -> None:
        logging.disable(logging.CRITICAL)
        from vbsign import api, testpki
        from vbsign.pki.validation import Services
        from vbsign.testpki.export import write_pki
        from vbsign.testpki.samples import official_document_pdf

        self.api = api
        self.pki = testpki.load()
        d = Path(tempfile.mkdtemp(prefix="vbsign-fuzz-"))
        write_pki(d, port=self.pki.port, passphrase="fuzz")
        svc = Services(online=False, fetcher_backend=self.pki.fetcher_backend(T0))
        self.offline = Services(online=False)

        def sign(data: bytes) -> bytes:
            return api.sign(
                data, key=d / "person.p12", passphrase="fuzz", trust=self.pki.roots,
                tsa=self.pki.timestamper(T0), level="B-LT", services=svc, clock=lambda: T0,
            ).data

        self.pdf = sign(official_document_pdf())
        self.xml = sign(XML)
        m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", self.pdf)
        assert m is not None
        b0, l1, s2, l2 = (int(x) for x in m.groups())
        self.ranges = [(b0, b0 + l1), (s2, s2 + l2)]
        self.xml_signed = (self.xml.index(b"<So>"), self.xml.index(b"</NoiDung>") + len(b"</NoiDung>"))
        for seed in (self.pdf, self.xml):
            assert self.verify(seed) == "TOTAL-PASSED", "the untouched seed must pass"

    def verify(self, data: bytes) -> str:
        from vbsign._core.errors import VbsignError

        try:
            return self.api.verify(data, trust=self.pki.roots, now=T0, services=self.offline).indication.value
        except VbsignError as e:
            return f"refused:{e.code}"


# ---- mutations (rng: random.Random or an atheris FuzzedDataProvider adapter) -----------------


def _incremental(data: bytes, mutate: Callable[[Any], None]) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    mutate(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _page(w: Any) -> Any:
    return w.root["/Pages"]["/Kids"].raw_get(0).get_object()


def pdf_case(h: Harness, rng: random.Random) -> Case:
    from pyhanko.pdf_utils import generic

    doc = h.pdf
    kind = rng.choice(["flip-signed", "flip-any", "insert", "truncate", "content", "annotation", "font", "mediabox", "byterange", "redefine"])
    if kind in ("flip-signed", "flip-any"):
        if kind == "flip-signed":
            lo, hi = rng.choice(h.ranges)
            pos = rng.randrange(lo, hi)
        else:
            pos = rng.randrange(len(doc))
        new = (doc[pos] + rng.randrange(1, 256)) % 256
        in_signed = any(lo <= pos < hi for lo, hi in h.ranges)
        return Case(kind, doc[:pos] + bytes([new]) + doc[pos + 1 :], in_signed)
    if kind == "insert":
        pos = rng.randrange(len(doc))
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 32)))
        return Case(kind, doc[:pos] + blob + doc[pos:], pos < h.ranges[1][1])
    if kind == "truncate":
        return Case(kind, doc[: rng.randrange(len(doc))], False)
    if kind == "byterange":
        m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", doc)
        assert m is not None
        g = rng.randrange(1, 5)
        old = m.group(g)
        new_digits = old
        while new_digits == old:
            new_digits = "".join(rng.choice("0123456789") for _ in old).encode()
        return Case(kind, doc[: m.start(g)] + new_digits + doc[m.end(g) :], True)
    name = generic.NameObject

    def content(w: Any) -> None:
        s = w.add_object(generic.StreamObject(stream_data=f"0 0 1 rg {rng.randrange(500)} {rng.randrange(800)} 50 20 re f".encode()))
        w.add_stream_to_page(0, s)

    def annotation(w: Any) -> None:
        x, y = rng.uniform(0, 500), rng.uniform(0, 780)
        ap = w.add_object(generic.StreamObject(
            {name("/Type"): name("/XObject"), name("/Subtype"): name("/Form"),
             name("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 80, 20)])},
            stream_data=b"1 1 1 rg 0 0 80 20 re f",
        ))
        page = _page(w)
        annot = w.add_object(generic.DictionaryObject({
            name("/Type"): name("/Annot"), name("/Subtype"): name(rng.choice(["/FreeText", "/Square", "/Stamp", "/Link"])),
            name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (x, y, x + 80, y + 20)]),
            name("/AP"): generic.DictionaryObject({name("/N"): ap}),
        }))
        page[name("/Annots")] = generic.ArrayObject([*list(page.get("/Annots", [])), annot])
        w.update_container(page)

    def font(w: Any) -> None:
        fonts = _page(w)["/Resources"]["/Font"]
        f = next(iter(fonts.values())).get_object()
        f[name("/BaseFont")] = name(rng.choice(["/Courier", "/Symbol", "/Times-Bold"]))
        w.update_container(f)

    def mediabox(w: Any) -> None:
        page = _page(w)
        size = rng.uniform(10, 2000)
        page[name("/MediaBox")] = generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, size, size)])
        w.update_container(page)

    def redefine(w: Any) -> None:
        page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
        ref = rng.choice([page_ref, w.root.raw_get("/Pages"), page_ref.get_object().raw_get("/Contents")])
        w.mark_update(ref)
        w.objects[(ref.generation, ref.idnum)] = generic.DictionaryObject({name("/Junk"): generic.NumberObject(rng.randrange(9))})

    ops = {"content": content, "annotation": annotation, "font": font, "mediabox": mediabox, "redefine": redefine}
    return Case(kind, _incremental(doc, ops[kind]), True)


def xml_case(h: Harness, rng: random.Random) -> Case:
    doc = h.xml
    kind = rng.choice(["xml-flip-signed", "xml-flip-any", "xml-insert", "xml-truncate"])
    if kind in ("xml-flip-signed", "xml-flip-any"):
        lo, hi = h.xml_signed if kind == "xml-flip-signed" else (0, len(doc))
        pos = rng.randrange(lo, hi)
        new = (doc[pos] + rng.randrange(1, 256)) % 256
        return Case(kind, doc[:pos] + bytes([new]) + doc[pos + 1 :], kind == "xml-flip-signed")
    if kind == "xml-insert":
        pos = rng.randrange(len(doc))
        return Case(kind, doc[:pos] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 32))) + doc[pos:], False)
    return Case(kind, doc[: rng.randrange(len(doc))], False)


# ---- driver -------------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.examples = 0
        self.kinds: collections.Counter[str] = collections.Counter()
        self.verdicts: collections.Counter[str] = collections.Counter()
        self.failures = 0
        self.slowest = 0.0
        self.start = time.monotonic()


def check(h: Harness, case: Case, stats: Stats, out: Path, budget: float) -> bool:
    stats.examples += 1
    stats.kinds[case.kind] += 1
    t = time.monotonic()
    problem = None
    try:
        verdict = h.verify(case.data)
    except Exception:
        verdict = "CRASH"
        problem = traceback.format_exc()
    dt = time.monotonic() - t
    stats.slowest = max(stats.slowest, dt)
    stats.verdicts[verdict.split(":")[0]] += 1
    if problem is None and case.must_fail and verdict == "TOTAL-PASSED":
        problem = f"{case.kind}: a forged document passed"
    if problem is None and dt > budget + 2:
        problem = f"{case.kind}: {dt:.1f} s, over the {budget:.0f} s budget"
    if problem is None:
        return True
    stats.failures += 1
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"failure-{stats.failures:03d}-{case.kind}"
    stem.with_suffix(".bin").write_bytes(case.data)
    stem.with_suffix(".txt").write_text(problem, encoding="utf-8")
    print(f"FAILURE {stats.failures}: {problem.splitlines()[-1]} -> {stem}.bin", file=sys.stderr)
    return False


def report(stats: Stats) -> None:
    elapsed = time.monotonic() - stats.start
    print(f"examples: {stats.examples} in {elapsed:.1f} s ({stats.examples / max(elapsed, 1e-9):.1f}/s); failures: {stats.failures}")
    print("mutations: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.kinds.items())))
    print("verdicts:  " + ", ".join(f"{k}={v}" for k, v in sorted(stats.verdicts.items())))
    print(f"slowest verification: {stats.slowest:.2f} s")


def run_random(args: argparse.Namespace) -> int:
    h = Harness()
    rng = random.Random(args.seed)
    stats = Stats()
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    while True:
        if args.examples and stats.examples >= args.examples:
            break
        if deadline and time.monotonic() > deadline:
            break
        make = pdf_case if rng.random() < args.pdf_share else xml_case
        check(h, make(h, rng), stats, args.out, 10.0)
        if stats.examples % 100 == 0:
            report(stats)
    report(stats)
    return 1 if stats.failures else 0


def run_atheris(args: argparse.Namespace, rest: list[str]) -> int:  # pragma: no cover - optional tool
    try:
        import atheris
    except ImportError:
        print("atheris is not installed (pip install atheris); use --engine random", file=sys.stderr)
        return 2
    h = Harness()
    stats = Stats()

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        rng = random.Random(fdp.ConsumeInt(8))
        make = pdf_case if fdp.ConsumeBool() else xml_case
        if not check(h, make(h, rng), stats, args.out, 10.0):
            raise RuntimeError("property violated")

    atheris.Setup([sys.argv[0], *rest], one)
    try:
        atheris.Fuzz()
    finally:
        report(stats)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rest: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, rest = argv[:i], argv[i + 1 :]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", choices=["random", "atheris"], default="random")
    ap.add_argument("--examples", type=int, default=0, help="stop after N examples (0: no limit)")
    ap.add_argument("--minutes", type=float, default=0, help="stop after M minutes (0: no limit)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pdf-share", type=float, default=0.75, help="share of PDF (vs XML) examples")
    ap.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = ap.parse_args(argv)
    if args.engine == "random" and not args.examples and not args.minutes:
        args.examples = 1000
    return run_atheris(args, rest) if args.engine == "atheris" else run_random(args)


if __name__ == "__main__":
    sys.exit(main())
