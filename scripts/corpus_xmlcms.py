#!/usr/bin/env python3
"""Verify the shared corpus' XML (XAdES/XML-DSig) and CMS (CAdES) rows with vbsign.

Usage::

    .venv/bin/python scripts/corpus_xmlcms.py [--corpus ../shared/corpus] [--kind xml|cms]
                                              [--only SUBSTRING] [--verbose] [--json OUT]

For every row of kind ``xml`` / ``cms`` in ``MANIFEST.tsv`` it runs :func:`vbsign.verify`
(offline, no trust anchors: the corpus' PKIs are foreign and mostly expired) and checks:

* no crash: only vbsign's typed errors may escape (e.g. ``UnsafeXmlError`` for XXE);
* rows labelled ``attack-*`` / ``invalid-*`` are never TOTAL-PASSED;
* rows labelled ``valid`` agree when vbsign finds every signature *crypto-intact*
  (digests and signature values verify; trust aside) — the "count agreement" metric.

Detached content named in the manifest's evidence (``detached content: …``) and files in
the signature's own folder are supplied as detached content, as the source projects' tests
do. ``check_row`` is importable (tests and ``scripts/corpus_check.py`` can reuse it).
Exit status: 1 if anything crashed, an attack/invalid row passed, or fewer than
``--min-valid`` (default 95 %) of the ``valid`` rows are not TOTAL-FAILED (trust aside:
INDETERMINATE, e.g. for detached content the corpus lacks, counts as not failed); else 0.
The summary also gives that share per source repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
#: sibling files larger than this are not offered as detached content
MAX_SIBLING = 8 * 1024 * 1024


@dataclass
class RowOutcome:
    path: str
    kind: str
    expected: str
    source: str = ""
    indication: str | None = None
    sub_indication: str | None = None
    #: every signature digest-intact and with a valid signature value
    integrity_ok: bool | None = None
    signatures: int = 0
    error: str | None = None
    crashed: bool = False
    seconds: float = 0.0
    codes: list[str] = field(default_factory=list)

    @property
    def verdict_group(self) -> str:
        e = self.expected
        if e.startswith(("attack-", "invalid-")):
            return "bad"
        if e == "valid":
            return "valid"
        return "other"

    @property
    def passed_wrongly(self) -> bool:
        return self.verdict_group == "bad" and self.indication == "TOTAL-PASSED"

    @property
    def agrees(self) -> bool | None:
        """valid rows: crypto-intact; bad rows: not TOTAL-PASSED; others: None."""
        if self.verdict_group == "valid":
            return bool(self.integrity_ok)
        if self.verdict_group == "bad":
            return not self.passed_wrongly and not self.crashed
        return None


def rows(corpus: Path, kinds: tuple[str, ...] = ("xml", "cms")) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh, delimiter="\t") if r["kind"] in kinds]


def _content_paths(corpus: Path, row: dict[str, str]) -> list[Path]:
    m = re.search(r"detached content: ([^)|;]*)", row.get("evidence", ""))
    if not m:
        return []
    module = "/".join(row["path"].split("/")[:2])  # e.g. dss/dss-cades
    out = []
    for name in (n.strip() for n in m.group(1).split(",")):
        if not name:
            continue
        for cand in (corpus / module / name, corpus / module / "validation" / name, corpus / "dss" / "dss-xades" / name):
            if cand.is_file():
                out.append(cand)
                break
    return out


class _Files(Mapping[str, bytes]):
    """name -> file content, read only when a reference asks for it."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self._paths = paths

    def __getitem__(self, key: str) -> bytes:
        return self._paths[key].read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def detached_contents(corpus: Path, row: dict[str, str]) -> Mapping[str, bytes]:
    """Content for detached references: evidence-named files, then the folder's files."""
    out: dict[str, Path] = {}
    sig = corpus / row["path"]
    for p in _content_paths(corpus, row):
        out[p.name] = p
        out.setdefault("", p)  # also the data of a reference without URI
    if row["kind"] == "xml":
        for p in sorted(sig.parent.iterdir()):
            if p.is_file() and p != sig and p.name not in out and p.stat().st_size <= MAX_SIBLING:
                out[p.name] = p
    return _Files(out)


def _certs(paths: list[Path]) -> list[Any]:
    from vbsign._core.x509 import read_certificates

    out: list[Any] = []
    for p in paths:
        try:
            out += read_certificates(p.read_bytes())
        except Exception:  # CRLs, keys… in the same folder
            continue
    return out


def integrity_ok(report: Any) -> bool:
    sigs = [s for s in report.signatures if s.kind == "signature"]
    return bool(sigs) and all(
        s.integrity is not None and s.integrity.intact and s.integrity.signature_valid for s in sigs
    )


def check_row(corpus: Path, row: dict[str, str]) -> RowOutcome:
    """Verify one manifest row (never raises)."""
    from vbsign import api
    from vbsign._core.errors import VbsignError
    from vbsign.pki.trust import TrustStore
    from vbsign.pki.validation import Services

    out = RowOutcome(row["path"], row["kind"], row["expected_verdict"], row.get("source_repo", ""))
    path = corpus / row["path"]
    t0 = time.perf_counter()
    try:
        contents = detached_contents(corpus, row)
        content: Any = None
        # signer certificates the source tests supply out of band
        extra = [p for p in (path.parent / "signCert.cer",) if p.is_file()]
        if row["path"].startswith("signxml/"):  # signxml's tests resolve certs from the folder
            extra += [path.parent / "cacert.pem", *sorted((path.parent / "certs").glob("*"))]
        trust = TrustStore((), tuple(_certs(extra)))
        if row["kind"] == "cms":
            named = _content_paths(corpus, row)
            content = named[0] if named else None
            report = api.verify(path, trust=trust, services=Services(online=False), content=content)
            if content is None and any(f.code == "DETACHED_CONTENT_MISSING" for s in report.signatures for f in s.findings):
                # as the source tests do: the content is one of the files next to the signature
                for sib in sorted(path.parent.iterdir()):
                    if sib.is_file() and sib != path and sib.stat().st_size <= MAX_SIBLING:
                        cand = api.verify(path, trust=trust, services=Services(online=False), content=sib)
                        if integrity_ok(cand):
                            report = cand
                            break
        else:
            report = api.verify(path, trust=trust, services=Services(online=False), content=contents or None)
        out.indication = report.indication.value
        out.sub_indication = report.sub_indication.value if report.sub_indication else None
        out.integrity_ok = integrity_ok(report)
        out.signatures = len([s for s in report.signatures if s.kind == "signature"])
        out.codes = sorted({f.code for s in report.signatures for f in s.findings} | {f.code for f in report.findings})
    except VbsignError as e:
        out.error = f"{e.code}: {e.message_en}"
    except Exception as e:  # a crash: vbsign must never let an untyped error escape
        out.crashed = True
        out.error = f"{type(e).__name__}: {e}"
    out.seconds = time.perf_counter() - t0
    return out


def summarise(outcomes: list[RowOutcome]) -> dict[str, Any]:
    valid = [o for o in outcomes if o.verdict_group == "valid"]
    bad = [o for o in outcomes if o.verdict_group == "bad"]
    return {
        "rows": len(outcomes),
        "crashes": [o.path for o in outcomes if o.crashed],
        "bad_rows": len(bad),
        "bad_passed": [o.path for o in bad if o.passed_wrongly],
        "valid_rows": len(valid),
        "valid_agree": sum(1 for o in valid if o.agrees),
        "valid_misses": [(o.path, o.indication, o.sub_indication, o.error, o.codes[:4]) for o in valid if not o.agrees],
        "valid_not_failed": sum(1 for o in valid if o.indication != "TOTAL-FAILED" and not o.crashed),
        "valid_failed": [(o.path, o.sub_indication, o.codes[:4]) for o in valid if o.indication == "TOTAL-FAILED"],
        "valid_not_failed_by_source": {
            src: f"{sum(1 for o in valid if o.source == src and o.indication != 'TOTAL-FAILED')}/{sum(1 for o in valid if o.source == src)}"
            for src in sorted({o.source for o in valid})
        },
        "slowest": sorted(((round(o.seconds, 2), o.path) for o in outcomes), reverse=True)[:5],
        "total_seconds": round(sum(o.seconds for o in outcomes), 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--kind", choices=["xml", "cms"], action="append")
    ap.add_argument("--only", help="only rows whose path contains this")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--json", type=Path, help="write every row's outcome here")
    ap.add_argument("--min-valid", type=float, default=0.95, help="share of valid rows that must not be TOTAL-FAILED")
    args = ap.parse_args(argv)
    import logging

    logging.disable(logging.CRITICAL)
    selected = [r for r in rows(args.corpus, tuple(args.kind or ("xml", "cms"))) if not args.only or args.only in r["path"]]
    outcomes = []
    for r in selected:
        o = check_row(args.corpus, r)
        outcomes.append(o)
        if args.verbose:
            flag = {True: "ok ", False: "MISS", None: "   "}[o.agrees]
            print(f"{flag} {o.expected:38} {str(o.indication):16} {str(o.sub_indication):34} {o.path}"
                  + (f"  [{o.error}]" if o.error else "") + (f" {o.codes[:3]}" if o.agrees is False else ""))
    s = summarise(outcomes)
    print(json.dumps(s, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1, ensure_ascii=False), encoding="utf-8")
    share = s["valid_not_failed"] / s["valid_rows"] if s["valid_rows"] else 1.0
    return 1 if s["crashes"] or s["bad_passed"] or share < args.min_valid else 0


if __name__ == "__main__":
    sys.exit(main())
