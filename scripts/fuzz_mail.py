#!/usr/bin/env python3
"""Long fuzzing runs against S/MIME verification (CI runs a bounded hypothesis suite:
``tests/formats/smime/test_fuzz.py``).

    .venv/bin/python scripts/fuzz_mail.py --minutes 10
    .venv/bin/python scripts/fuzz_mail.py --examples 5000 --seed 7

Each example mutates a freshly signed message (test PKI; clear-signed or opaque; byte
flips, deletions, insertions, line-ending changes) and checks:

1. verification raises nothing but a vbsign error (``VbsignError``);
2. a TOTAL-PASSED result shows exactly the entity that was signed (whatever was mutated
   elsewhere — outer header fields, the preamble — is not presented as signed);
3. every verification ends within ``--budget`` seconds.

Failing inputs are written to ``--out`` (default ``fuzz-mail-failures/``); the run prints
statistics and exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests._fixtures.smime
T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)


def mutate(data: bytes, rnd: random.Random) -> tuple[bytes, str]:
    buf = bytearray(data)
    kinds = []
    for _ in range(rnd.randint(1, 4)):
        pos = rnd.randrange(len(buf))
        op = rnd.random()
        if op < 0.35:
            buf[pos] = rnd.randrange(256)
            kinds.append("flip")
        elif op < 0.6:
            del buf[pos : pos + rnd.randint(1, 300)]
            kinds.append("delete")
        elif op < 0.85:
            buf[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 40)))
            kinds.append("insert")
        else:
            buf = bytearray(bytes(buf).replace(b"\r\n", b"\n", rnd.randint(1, 50)))
            kinds.append("line-endings")
    return bytes(buf), "+".join(kinds)


def check(data: bytes, entity: bytes, verify: Any, budget: float) -> str | None:
    """``None`` if the invariants hold, else what broke."""
    from vbsign._core.errors import VbsignError
    from vbsign.model.report import Indication

    started = time.perf_counter()
    try:
        checked = verify(data)
    except VbsignError:
        return None
    except Exception:
        return "crash: " + traceback.format_exc(limit=-3)
    if time.perf_counter() - started > budget:
        return f"slow: {time.perf_counter() - started:.1f} s"
    if checked.report.indication is Indication.TOTAL_PASSED and not (checked.content or b"").endswith(entity):
        return "TOTAL-PASSED but the verified content is not the signed entity"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--minutes", type=float, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=5.0)
    ap.add_argument("--out", type=Path, default=Path("fuzz-mail-failures"))
    args = ap.parse_args(argv)
    from tests._fixtures.smime import vietnamese_message
    from vbsign import testpki
    from vbsign.mail import sign_message, verify_message
    from vbsign.pki.validation import Services
    from vbsign.testpki.export import write_pki

    pki = testpki.load()
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-mail-"))
    write_pki(tmp, port=testpki.DEFAULT_PORT, passphrase="fuzz")
    seeds = []
    for opaque in (False, True):
        res = sign_message(vietnamese_message(), key=tmp / "mail-person.p12", passphrase="fuzz", trust=pki.roots,
                           services=services, clock=lambda: T0, opaque=opaque)  # fmt: skip
        entity = verify_message(res.data, trust=pki.roots, now=T0, services=services).content or b""
        seeds.append((res.data, entity[entity.index(b"MIME-Version: 1.0\r\n") + 19 :]))

    def verify(data: bytes) -> Any:
        return verify_message(data, trust=pki.roots, now=T0, services=services)

    rnd = random.Random(args.seed)
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    stats: collections.Counter[str] = collections.Counter()
    failures = 0
    n = 0
    while (deadline is None and n < args.examples) or (deadline is not None and time.monotonic() < deadline):
        data, entity = seeds[n % 2]
        mutated, kind = mutate(data, rnd)
        problem = check(mutated, entity, verify, args.budget)
        stats[kind.split("+")[0]] += 1
        if problem:
            failures += 1
            args.out.mkdir(exist_ok=True)
            (args.out / f"case-{n}.eml").write_bytes(mutated)
            (args.out / f"case-{n}.txt").write_text(f"{kind}\n{problem}\n", encoding="utf-8")
            print(f"FAIL #{n} ({kind}): {problem.splitlines()[0]}")
        n += 1
    print(f"{n} examples, {failures} failures; mutations: {dict(stats)}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
