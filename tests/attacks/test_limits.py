"""Resource limits: bombs, cycles, deep nesting, huge xref tables, many revisions.

Every file gets a verdict (or FORMAT_FAILURE) within its budget — never a hang, a crash
or an unhandled exception. Time limits are asserted with a generous margin over the
budget (CI machines are slow); what matters is that the verdict arrives at all.
"""

from __future__ import annotations

import re
import time

import pytest
from pyhanko.pdf_utils import generic

from vbsign.formats.pades.limits import Limits, isolation_available, precheck
from vbsign.formats.pades.visual import VisualOptions
from vbsign.model.report import Indication, SubIndication

needs_fork = pytest.mark.skipif(not isolation_available(), reason="no os.fork on this platform")


def _timed(judge, data, **opts):  # type: ignore[no-untyped-def]
    t = time.monotonic()
    v = judge(data, **opts)
    return v, time.monotonic() - t


def _objstm_bomb(kit, decoded: int) -> bytes:  # type: ignore[no-untyped-def]
    """The catalog lives in an object stream that inflates (twice) to ``decoded`` bytes."""
    stream = kit.flate_bomb(decoded)
    objs = [
        b"<< /Type /Catalog /Pages 4 0 R >>",  # 1: placeholder, overridden below
        b"<< /Type /ObjStm /N 1 /First 4 /Filter [/FlateDecode /FlateDecode] /Length %d >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    return kit.raw_pdf(objs)


def test_decompression_bomb_in_object_stream(judge, kit):  # type: ignore[no-untyped-def]
    data = _objstm_bomb(kit, 256 << 20)
    assert len(data) < 64 << 10  # a few KB on disk
    v, dt = _timed(judge, data)
    assert v.indication in (Indication.TOTAL_FAILED, Indication.NO_SIGNATURE_FOUND)
    assert dt < 10


def _with_big_appearance(kit, data: bytes, decoded: int) -> bytes:  # type: ignore[no-untyped-def]
    """A comment added after signing whose appearance inflates to ``decoded`` bytes
    (one Flate layer: within pyHanko's ratio limit, so it really is decoded)."""
    import zlib

    c = zlib.compressobj(9)
    encoded = b"".join(c.compress(bytes(1 << 20)) for _ in range(decoded >> 20)) + c.flush()

    def add(w):  # type: ignore[no-untyped-def]
        ap = generic.StreamObject(
            {
                kit.name("/Type"): kit.name("/XObject"),
                kit.name("/Subtype"): kit.name("/Form"),
                kit.name("/BBox"): kit.arr(0, 0, 10, 10),
                kit.name("/Filter"): kit.name("/FlateDecode"),
            },
            encoded_data=encoded,
        )
        annot = kit.sticky_note(w, kit.BLANK_AREA, "x")
        annot[kit.name("/AP")] = generic.DictionaryObject({kit.name("/N"): w.add_object(ap)})
        kit.add_annotation(w, annot)

    return kit.incremental(data, add)


def test_decompression_bomb_in_an_appearance_after_signing(signed, judge, kit):  # type: ignore[no-untyped-def]
    """200 MiB of appearance stream in a few hundred KB: a verdict within the budget."""
    attacked = _with_big_appearance(kit, signed(), 200 << 20)
    v, dt = _timed(judge, attacked)
    kit.assert_rejected(v, codes={"ANNOTATION_ADDED"})  # strict default
    assert dt < 15
    v, dt = _timed(judge, attacked, allow_comments=True, visual=VisualOptions(timeout=2))
    assert v.indication is not Indication.TOTAL_PASSED or "COMMENTS_ALLOWED" in v.codes()
    assert dt < 15


async def hungry(data, name, options):  # type: ignore[no-untyped-def]
    """What a parser blowing up would do (module level: it is sent to the isolated worker)."""
    hog = bytearray(256 << 20)
    raise AssertionError(f"allocated {len(hog)} bytes despite the budget")


async def stuck(data, name, options):  # type: ignore[no-untyped-def]
    """A parser stuck in a pure-Python loop, with no cooperative checks."""
    while True:
        pass


@needs_fork
def test_memory_budget_enforced_in_isolated_worker(signed):  # type: ignore[no-untyped-def]
    """The watchdog itself: work that needs 256 MiB gets a 32 MiB budget."""
    import asyncio

    from vbsign.formats.pades.limits import verify_within

    t = time.monotonic()
    report = asyncio.run(verify_within(hungry, signed(), "x.pdf", None, Limits(max_memory=32 << 20, isolate=True)))
    assert report.indication is Indication.TOTAL_FAILED
    assert report.sub_indication is SubIndication.FORMAT_FAILURE
    assert [f.code for f in report.findings] == ["RESOURCE_LIMIT"]
    assert report.findings[0].details["limit"] == "memory"
    assert time.monotonic() - t < 10


@needs_fork
def test_pure_python_loop_is_killed_at_the_deadline():  # type: ignore[no-untyped-def]
    """A parser stuck in a pure-Python loop (no cooperative checks) is killed in time."""
    import asyncio

    from vbsign.formats.pades.limits import verify_within

    t = time.monotonic()
    report = asyncio.run(verify_within(stuck, b"%PDF-1.7", "x.pdf", None, Limits(max_seconds=0.5, isolate=True)))
    assert report.findings[0].code == "RESOURCE_LIMIT" and report.findings[0].details["limit"] == "time"
    assert time.monotonic() - t < 6


def test_page_tree_cycle(judge, kit):  # type: ignore[no-untyped-def]
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", kit.MINIMAL_PAGE[2]]
    v, dt = _timed(judge, kit.raw_pdf(objs))
    assert v.indication is Indication.NO_SIGNATURE_FOUND
    assert dt < 5


def test_page_tree_cycle_added_after_signing(signed, judge, kit):  # type: ignore[no-untyped-def]
    data = signed()

    def loop(w):  # type: ignore[no-untyped-def]
        pages = w.root["/Pages"]
        kids = list(pages["/Kids"])
        pages[kit.name("/Kids")] = generic.ArrayObject([*kids, w.root.raw_get("/Pages")])
        w.update_container(pages)

    v, dt = _timed(judge, kit.incremental(data, loop))
    kit.assert_rejected(v, codes={"MODIFIED_AFTER_SIGNING"})
    assert dt < 10


def test_form_field_cycle(judge, kit):  # type: ignore[no-untyped-def]
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
        kit.MINIMAL_PAGE[1],
        kit.MINIMAL_PAGE[2],
        b"<< /T (a) /Kids [4 0 R] /FT /Sig /V 5 0 R >>",
        b"<< /Type /Sig /Contents <00> /ByteRange [0 1 2 3] >>",
    ]
    v, dt = _timed(judge, kit.raw_pdf(objs))
    assert v.indication is not Indication.TOTAL_PASSED
    assert dt < 5


def test_xref_prev_cycle(judge, kit):  # type: ignore[no-untyped-def]
    base = kit.raw_pdf(kit.MINIMAL_PAGE)
    first = kit.last_startxref(base)
    # a second section whose /Prev points at itself
    at = len(base)
    tail = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 4 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (at, at)
    v, dt = _timed(judge, base + tail)
    assert v.indication is Indication.TOTAL_FAILED
    assert "PDF_UNREADABLE" in v.codes()
    assert dt < 5
    assert first < at


def test_deep_nesting(judge, kit):  # type: ignore[no-untyped-def]
    nested = b"[" * 100_000 + b"]" * 100_000
    objs = [b"<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R >>", kit.MINIMAL_PAGE[1], kit.MINIMAL_PAGE[2], nested]
    v, dt = _timed(judge, kit.raw_pdf(objs))
    assert v.indication in (Indication.NO_SIGNATURE_FOUND, Indication.TOTAL_FAILED)
    assert dt < 5


def test_huge_xref_declaration(judge, kit):  # type: ignore[no-untyped-def]
    data = kit.raw_pdf(kit.MINIMAL_PAGE)
    forged = re.sub(rb"xref\n0 4\n", b"xref\n0 2000000000\n", data)
    v, dt = _timed(judge, forged)
    assert v.indication in (Indication.NO_SIGNATURE_FOUND, Indication.TOTAL_FAILED)
    assert dt < 5


def test_huge_xref_stream_size(judge, kit):  # type: ignore[no-untyped-def]
    objs = [*kit.MINIMAL_PAGE, b"<< /Type /XRef /Size 2147483647 /W [1 4 2] /Index [0 2147483647] /Root 1 0 R /Length 0 >>\nstream\n\nendstream"]
    data = kit.raw_pdf(objs)
    xref_obj = data.index(b"4 0 obj")
    forged = re.sub(rb"startxref\n\d+", b"startxref\n%d" % xref_obj, data)
    v, dt = _timed(judge, forged)
    assert v.indication in (Indication.NO_SIGNATURE_FOUND, Indication.TOTAL_FAILED)
    assert dt < 5


def test_too_many_revisions_refused_before_parsing(judge, kit):  # type: ignore[no-untyped-def]
    data = kit.raw_pdf(kit.MINIMAL_PAGE)
    data += b"%%EOF\n" * 2100
    assert precheck(data, Limits()).refused == ("revisions", 2000.0)
    v, dt = _timed(judge, data)
    assert v.indication is Indication.TOTAL_FAILED
    assert "RESOURCE_LIMIT" in v.codes()
    assert dt < 2


def test_many_revisions_within_budget(signed, judge, kit):  # type: ignore[no-untyped-def]
    """200 real (empty) updates after a signature: a verdict, not a hang."""
    data = signed()
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    root = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", data)[-1]
    for _ in range(200):
        prev = kit.last_startxref(data)
        at = len(data)
        data += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, prev, at)
    v, dt = _timed(judge, data)
    # empty updates change nothing: the signature stays valid, each update is reported
    assert v.indication is Indication.TOTAL_PASSED
    assert "TRAILER_ONLY_UPDATE" in v.codes()
    assert len(v.report.document.revision_details) == 203
    assert dt < 20


def test_time_budget_in_process(signed, judge):  # type: ignore[no-untyped-def]
    data = signed()
    v = judge(data, limits=Limits(max_seconds=0.0, isolate=False))
    assert v.indication is Indication.TOTAL_FAILED
    assert v.report.sub_indication is SubIndication.FORMAT_FAILURE
    assert "RESOURCE_LIMIT" in v.codes()


@needs_fork
def test_time_budget_isolated_worker_is_killed(signed, judge):  # type: ignore[no-untyped-def]
    data = signed()
    v, dt = _timed(judge, data, limits=Limits(max_seconds=0.0, isolate=True))
    assert "RESOURCE_LIMIT" in v.codes()
    assert dt < 5


@needs_fork
def test_isolated_worker_gives_the_same_verdict(signed, judge):  # type: ignore[no-untyped-def]
    data = signed()
    a = judge(data, limits=Limits(isolate=False)).report
    b = judge(data, limits=Limits(isolate=True)).report
    assert a.indication is b.indication is Indication.TOTAL_PASSED
    assert [s.id for s in a.signatures] == [s.id for s in b.signatures]
    assert b.signatures[0].signer is not None and b.signatures[0].signer.common_name == a.signatures[0].signer.common_name


async def report_pid(data, name, options):  # type: ignore[no-untyped-def]
    """Where the work ran: a report naming the process (sent to the isolated worker)."""
    import os

    from vbsign.model.report import DocumentInfo, Finding, Indication, Report, Severity

    rep = Report(document=DocumentInfo(name=name, sha256="", size=len(data), format="pdf"), indication=Indication.INDETERMINATE)
    rep.findings.append(Finding("PID", Severity.INFO, "", "", {"pid": os.getpid()}))
    return rep


@needs_fork
def test_risky_files_from_a_multithreaded_host(signed, judge, kit):  # type: ignore[no-untyped-def]
    """Issue 19: a host whose threads verify at the same time — a risky (isolated) file
    among ordinary ones — gets the right verdict for every file, and the host never forks
    (a child forked from a multi-threaded process can deadlock on another thread's lock)."""
    import os
    import threading
    from concurrent.futures import ThreadPoolExecutor

    good = signed()
    tampered = bytearray(good)
    i = tampered.rfind(b"Nguyen") if b"Nguyen" in tampered else len(tampered) // 3
    tampered[i] ^= 0x01  # inside the signed bytes: the digest no longer matches
    forks: list[int] = []
    real_fork = os.fork

    def watched_fork() -> int:  # only the host's own forks are watched (helpers are other processes)
        forks.append(threading.get_ident())
        return real_fork()

    os.fork = watched_fork  # type: ignore[assignment]
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            jobs = [
                pool.submit(judge, data, limits=Limits(isolate=iso))
                for data, iso in [(good, True), (bytes(tampered), True), (good, None), (good, True),
                                  (bytes(tampered), None), (good, True)]
            ]
            verdicts = [j.result(timeout=120) for j in jobs]
    finally:
        os.fork = real_fork  # type: ignore[assignment]
    assert [v.indication for v in verdicts] == [
        Indication.TOTAL_PASSED, Indication.TOTAL_FAILED, Indication.TOTAL_PASSED, Indication.TOTAL_PASSED,
        Indication.TOTAL_FAILED, Indication.TOTAL_PASSED,
    ]
    assert all("LIMITS_NOT_ENFORCED" not in v.codes() and "WORKER_CRASHED" not in v.codes() for v in verdicts)
    assert forks == []  # the host process never forked


@needs_fork
def test_isolated_work_runs_in_another_process_with_its_limits():  # type: ignore[no-untyped-def]
    import asyncio
    import os

    from vbsign.formats.pades.isolation import helper_pids
    from vbsign.formats.pades.limits import verify_within

    rep = asyncio.run(verify_within(report_pid, b"%PDF-1.7", "x.pdf", None, Limits(isolate=True)))
    worker = rep.findings[0].details["pid"]
    assert worker != os.getpid() and worker not in helper_pids()  # a child of a helper
    assert helper_pids()  # the helper stays for the next risky file


ISOLATION_SAMPLES = (  # third-party files whose later revisions only vbsign's difference rules explain
    "dss/dss-pades/validation/DSS-3577.pdf",
    "dss/dss-pades/validation/Signature-P-DE_SCI-4.pdf",
    "dss/dss-pades/validation/dss-1376/DSS1376-rev_n.pdf",
    "dss/dss-pades/validation/pdf-structtreeroot-changes.pdf",
)


@needs_fork
def test_isolation_never_changes_a_verdict(corpus):  # type: ignore[no-untyped-def]
    """The options travel to the worker by pickling: nothing may depend on object identity
    (the default difference policy once did, and isolated verdicts differed)."""
    from vbsign import api
    from vbsign.pki.validation import Services

    for rel in ISOLATION_SAMPLES:
        path = corpus / rel
        if not path.exists():
            continue
        here, there = (
            api.verify(path, services=Services(online=False), limits=Limits(isolate=iso)) for iso in (False, True)
        )
        assert (here.indication, here.sub_indication) == (there.indication, there.sub_indication), rel
        assert [f.code for s in here.signatures for f in s.findings] == [
            f.code for s in there.signatures for f in s.findings
        ], rel
