#!/usr/bin/env python3
"""Verify every PDF of the shared corpus and print a confusion table (expected vs vbsign).

    .venv/bin/python scripts/corpus_check.py              # table + disagreements
    .venv/bin/python scripts/corpus_check.py --strict     # CI: exit 1 on a forged file that passes
    .venv/bin/python scripts/corpus_check.py --json out.json

The corpus (``../shared/corpus`` next to the repository, see its ``MANIFEST.tsv``) is read
in place, never copied. There are no trust anchors for its files, so the question is not
"is it trusted" but "is it forged": a ``valid`` file must not fail for an *integrity or
structure* reason (``TOTAL-FAILED`` with ``FORMAT_FAILURE``, ``HASH_FAILURE`` or
``SIG_CRYPTO_FAILURE``), an ``attack-*`` or ``invalid-*`` file must never be
``TOTAL-PASSED`` and its report must name the reason (an error finding).

``--strict`` (CI) exits 1 if an attack/invalid PDF comes out ``TOTAL-PASSED``, if
verification raised anything but a vbsign error (a crash), if fewer than ``--min-valid``
(default 95 %) of the ``valid`` rows are *not* ``TOTAL-FAILED`` (trust aside: INDETERMINATE
counts as agreement), or if a ``valid`` row fails without an entry in ``KNOWN`` saying
which change after signing ISO 32000 or vbsign's attack defence refuses. Each remaining
failure is listed with the findings that name the change.

Each file runs in a worker process with the default budget (10 s, 1 GiB); two workers by
default (``-j``).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
INTEGRITY_SUBS = {"FORMAT_FAILURE", "HASH_FAILURE", "SIG_CRYPTO_FAILURE"}
COLUMNS = ["PASSED", "FAILED-integrity", "FAILED-other", "INDETERMINATE", "NO_SIGNATURE", "ERROR", "CRASH"]

#: why vbsign disagrees with the corpus label on these files (checked by hand, see
#: docs/security.rst "Corpus"); keys are corpus paths
KNOWN: dict[str, str] = {
    "dss/dss-pades/validation/lt-short.pdf": "25 visible signatures stacked on one page: several later signature widgets paint opaque boxes that hide whole glyphs of values signed earlier (e.g. the '26' after 'Eye of rend'): SIGNATURE_WIDGET_COVERS_CONTENT (a sneaky signature by its effect; a stamp that only clips glyph edges would be the warning SIGNATURE_OVERLAPS_CONTENT). DSS only warns (PdfAnnotationOverlap). It costs about 5.5 s of CPU plus 1.7 s of rendering (25 signatures, 47 revisions, 622 revision comparisons; 6.5 + 1.7 s before issue 12's caches): on a loaded machine the default 10 s budget may end it as RESOURCE_LIMIT instead.",
    "dss/dss-pades/validation/pades-signed-annot-added.pdf": "after an approval signature, a FreeText comment and its icon appearances (catalog /Names /AP, as Acrobat stores them) are added. Comments after an approval signature are refused by default (product decision; the attack tests require it): ANNOTATION_ADDED. With --allow-comments the file passes (the /AP name-tree entries are new form XObjects, explained by AppearanceNamesRule; the comment covers no content). DSS only warns.",
    "dss/dss-pades/validation/test-with-vri.pdf": "the signature locks every field (FieldMDP /All, ISO 32000-1 §12.8.2.4) and a later update changes the value of TestField2 (TEST2 → TEST20) and rewrites TestField1's appearance: a change ISO 32000 does not permit. DSS only warns.",
    "dss/dss-pades/validation/pdf-with-empty-sig.pdf": "the signature field is filled with an all-zero /Contents (a reserved, never-made signature); vbsign reports it as a failed signature (CONTENTS_EMPTY, the USF pattern) rather than as no signature.",
    "dss/dss-pades/validation/pdf-with-two-empty-sigs.pdf": "two filled signature fields with all-zero /Contents: reported as failed signatures (CONTENTS_EMPTY).",
    "dss/dss-pades/validation/pades-lta-copied-doctst.pdf": "the signed revision references object 45, undefined at signing time; a later update defines it (as the DSS). Giving meaning to a dangling reference of the signed revision is how prepared content is activated, so pyHanko and vbsign reject it (MODIFIED_AFTER_SIGNING); DSS ignores it.",
    "dss/dss-pades/validation/pades-t-duplicated-doctst.pdf": "the signature is intact (INDETERMINATE only for trust) but the duplicated document timestamp T3 does not match (HASH_FAILURE); vbsign's document verdict is the worst of all signatures and timestamps.",
    "dss/dss-pades/protected/protected_two_empty_fields.pdf": "encrypted with a user password that only DSS's test code knows: exit 3, PDF_PASSWORD_REQUIRED (never a verdict).",
}


def group_of(label: str) -> str:
    if label.startswith("attack-"):
        return "attack"
    if label.startswith("invalid-"):
        return "invalid"
    if label.startswith("indeterminate"):
        return "indeterminate"
    if label.startswith("mixed"):
        return "mixed"
    if label.startswith("valid-sig+"):
        return "valid+bad-tst"
    return label  # valid, ambiguous, no-signature, unknown


def column_of(result: dict[str, Any]) -> str:
    if result.get("crash"):
        return "CRASH"
    if result.get("error"):
        return "ERROR"
    ind, sub = result["indication"], result.get("sub_indication")
    if ind == "TOTAL-PASSED":
        return "PASSED"
    if ind == "TOTAL-FAILED":
        return "FAILED-integrity" if sub in INTEGRITY_SUBS else "FAILED-other"
    if ind == "INDETERMINATE":
        return "INDETERMINATE"
    return "NO_SIGNATURE"


def verify_one(path: str, max_seconds: float) -> dict[str, Any]:
    """Worker: verify one file (offline, no trust anchors) and summarise the report."""
    logging.disable(logging.CRITICAL)
    from vbsign import api
    from vbsign._core.errors import VbsignError
    from vbsign.formats.pades.limits import Limits
    from vbsign.pki.validation import Services

    t = time.perf_counter()
    out: dict[str, Any] = {"path": path}
    try:
        rep = api.verify(path, services=Services(online=False), limits=Limits(max_seconds=max_seconds, isolate=True))
        out["indication"] = rep.indication.value
        out["sub_indication"] = rep.sub_indication.value if rep.sub_indication else None
        errors: list[str] = []
        attacks: list[str] = []
        for f in [*rep.findings, *(f for s in rep.signatures for f in s.findings)]:
            if f.severity.value == "error" and f.code not in errors:
                errors.append(f.code)
            a = f.details.get("attack") if f.severity.value == "error" else None
            if isinstance(a, str) and a not in attacks:
                attacks.append(a)
        out["errors"] = errors
        out["attacks"] = attacks
    except VbsignError as e:
        out["error"] = f"{e.code}: {e.message_en}"
    except Exception as e:  # a crash: exactly what --strict must catch
        out["crash"] = f"{type(e).__name__}: {e}"[:300]
    out["seconds"] = round(time.perf_counter() - t, 3)
    return out


def load_manifest(corpus: Path) -> list[dict[str, str]]:
    with open(corpus / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh, delimiter="\t") if r["kind"] == "pdf"]


def print_table(title: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for label, res in rows:
        table[group_of(label)][column_of(res)] += 1
    groups = sorted(table)
    width = max([len(g) for g in groups] + [14])
    print(f"\n## {title}  ({len(rows)} PDF)")
    print(f"{'expected':<{width}} | " + " | ".join(f"{c:>16}" for c in COLUMNS))
    print("-" * (width + 3 + 19 * len(COLUMNS)))
    for g in groups:
        print(f"{g:<{width}} | " + " | ".join(f"{table[g][c] or '':>16}" for c in COLUMNS))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--strict", action="store_true", help="exit 1 if a forged/invalid PDF passes, a file crashes, or valid rows fall below --min-valid")
    ap.add_argument("--min-valid", type=float, default=0.95, help="share of valid rows that must not be TOTAL-FAILED (default 0.95)")
    ap.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--max-seconds", type=float, default=10.0)
    ap.add_argument("--json", type=Path, help="write the per-file results here")
    ap.add_argument("--only", help="substring filter on corpus paths")
    args = ap.parse_args(argv)

    if not (args.corpus / "MANIFEST.tsv").exists():
        print(f"corpus not found at {args.corpus}; nothing to check", file=sys.stderr)
        return 0
    rows = load_manifest(args.corpus)
    if args.only:
        rows = [r for r in rows if args.only in r["path"]]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(verify_one, str(args.corpus / r["path"]), args.max_seconds) for r in rows]
        results = [f.result() for f in futures]
    wall = time.perf_counter() - t0
    for r, res in zip(rows, results, strict=True):
        res["path"] = r["path"]

    by_source: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for r, res in zip(rows, results, strict=True):
        by_source[r["source_repo"]].append((r["expected_verdict"], res))
    for source in sorted(by_source):
        print_table(source, by_source[source])
    print_table("all sources / tất cả", [(r["expected_verdict"], res) for r, res in zip(rows, results, strict=True)])

    failures: list[str] = []
    notes: list[str] = []
    for r, res in zip(rows, results, strict=True):
        label, group, col = r["expected_verdict"], group_of(r["expected_verdict"]), column_of(res)
        why = ", ".join(res.get("errors", [])[:6]) or res.get("error") or res.get("crash") or ""
        line = f"  [{label}] {r['path']}: {res.get('indication', col)}/{res.get('sub_indication') or '-'} {why}"
        if col == "CRASH":
            failures.append(line + "  <- crash")
        elif group in ("attack", "invalid") and col == "PASSED":
            failures.append(line + "  <- forged/invalid file passed")
        elif group in ("attack", "invalid") and col not in ("ERROR",) and not res.get("errors"):
            notes.append(line + "  (not passed, but no error finding names the reason)")
        elif group in ("valid", "valid+bad-tst") and res.get("indication") == "TOTAL-FAILED" or group == "no-signature" and col != "NO_SIGNATURE":
            notes.append(line + f"\n      change / thay đổi: {KNOWN.get(r['path'], 'UNEXPLAINED')}")
            if group == "valid" and r["path"] not in KNOWN:
                failures.append(line + "  <- valid file failed without a known, ISO-refused change")

    attacks = [(r, res) for r, res in zip(rows, results, strict=True) if group_of(r["expected_verdict"]) == "attack"]
    print("\n## attack files: named attack classes / lớp tấn công được nêu tên")
    for r, res in attacks:
        print(f"  {r['expected_verdict']:<32} {', '.join(res.get('attacks', [])) or '-':<60} {Path(r['path']).name}")

    if notes:
        print("\n## disagreements with the corpus label / khác nhãn của bộ mẫu")
        print("\n".join(notes))
    valid_rows = [(r, res) for r, res in zip(rows, results, strict=True) if r["expected_verdict"] == "valid"]
    ok_rows = [r for r, res in valid_rows if res.get("indication") != "TOTAL-FAILED" and not res.get("crash")]
    share = len(ok_rows) / len(valid_rows) if valid_rows else 1.0
    print(
        f"\nvalid rows not TOTAL-FAILED / hàng hợp lệ không bị TOTAL-FAILED: {len(ok_rows)}/{len(valid_rows)}"
        f" = {100 * share:.1f} % (threshold {100 * args.min_valid:.0f} %)"
    )
    for source in sorted(by_source):
        vr = [(r, res) for r, res in valid_rows if r["source_repo"] == source]
        if vr:
            ok = sum(1 for _r, res in vr if res.get("indication") != "TOTAL-FAILED")
            print(f"  {source}: {ok}/{len(vr)}")
    if share < args.min_valid:
        failures.append(f"  valid rows not TOTAL-FAILED {100 * share:.1f} % < {100 * args.min_valid:.0f} %")
    unexplained = [n for n in notes if "UNEXPLAINED" in n]
    slow = sorted(results, key=lambda x: -x["seconds"])[:5]
    print(
        f"\n{len(results)} PDF in {wall:.1f} s wall ({args.jobs} workers); slowest: "
        + ", ".join(f"{Path(x['path']).name} {x['seconds']:.1f}s" for x in slow)
    )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if failures:
        print("\n## FAILURES / LỖI")
        print("\n".join(failures))
    if unexplained:
        print(f"\n{len(unexplained)} unexplained disagreement(s)")
    if args.strict and failures:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
