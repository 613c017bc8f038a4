"""Issue 14 item 4: batch mode on a folder someone else can write into, and a full disk.

* a ``*.pdf`` link whose target is outside the input folder is not followed (the file is
  neither read nor signed into the output folder) unless ``--follow-links``;
* file names are printed escaped: a name holding a line break cannot forge a line;
* a full disk stops the batch: the files after it are listed as not attempted (tested for
  real: on a small tmpfs mounted in a private mount namespace when this machine allows
  it, and always under an ``RLIMIT_FSIZE`` file-size limit, where writes fail with EFBIG).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vbsign.api.batch import plan_jobs

PW = "vbsign-test"


def _batch_args(pki_dir: Path, src: Path, out: Path, *extra: str) -> list[str]:
    return ["sign", "--batch", str(src), "-o", str(out), "--key", str(pki_dir / "person.p12"), "--passphrase-env",
            "PW", "--trust", str(pki_dir / "roots.pem"), "--level", "b-b", "--no-revocation-check", "--offline", *extra]


def _run_inprocess(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    from vbsign.cli.main import main

    monkeypatch.setenv("PW", PW)
    monkeypatch.setenv("COLUMNS", "300")
    try:
        code = main(["--lang", "en", *args])
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return int(code or 0), out.out, out.err


@pytest.fixture
def folders(tmp_path: Path, sample_pdf: bytes) -> tuple[Path, Path, Path]:
    """``(input folder, output folder, a folder outside holding a confidential PDF)``."""
    src, out, elsewhere = tmp_path / "in", tmp_path / "out", tmp_path / "elsewhere"
    src.mkdir()
    elsewhere.mkdir()
    (src / "a.pdf").write_bytes(sample_pdf)
    (elsewhere / "mat.pdf").write_bytes(sample_pdf.replace(b"ReportLab", b"ReportLaX"))
    os.symlink(elsewhere / "mat.pdf", src / "b-link.pdf")
    os.symlink(src / "a.pdf", src / "c-inside.pdf")  # a link that stays inside: fine
    return src, out, elsewhere


def test_links_out_of_the_input_folder_are_not_followed(
    folders: tuple[Path, Path, Path], pki_dir: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    src, out, elsewhere = folders
    code, stdout, stderr = _run_inprocess(_batch_args(pki_dir, src, out), capsys, monkeypatch)
    assert sorted(p.name for p in out.iterdir()) == ["a.pdf", "c-inside.pdf"]  # the confidential file stays out
    assert code == 3, stdout + stderr
    (line,) = [x for x in stdout.splitlines() if "b-link.pdf" in x]
    assert "not signed" in line and "outside the input folder" in line and str(elsewhere / "mat.pdf") in line
    assert "--follow-links" in line
    # asked for explicitly, the link is followed
    code, stdout, stderr = _run_inprocess(_batch_args(pki_dir, src, out, "--follow-links"), capsys, monkeypatch)
    assert code == 0, stdout + stderr
    assert (out / "b-link.pdf").read_bytes().startswith(b"%PDF") and b"ReportLaX" in (out / "b-link.pdf").read_bytes()
    jobs = {j.source.name: j for j in plan_jobs(src, tmp_path / "o2")}
    assert jobs["b-link.pdf"].refused is not None and jobs["a.pdf"].refused is None
    assert jobs["c-inside.pdf"].refused is None
    assert all(j.refused is None for j in plan_jobs(src, tmp_path / "o2", follow_links=True))


def test_a_link_swapped_in_after_planning_is_refused_too(
    folders: tuple[Path, Path, Path], pki_dir: Path, tmp_path: Path
) -> None:
    import asyncio

    from vbsign import api
    from vbsign.api.batch import async_sign_many

    src, out, elsewhere = folders
    jobs = [j for j in plan_jobs(src, out) if j.source.name == "a.pdf"]
    (src / "a.pdf").unlink()
    os.symlink(elsewhere / "mat.pdf", src / "a.pdf")  # the folder changes between plan and signing
    with api.Signer(pki_dir / "person.p12", passphrase=PW, trust=[pki_dir / "roots.pem"], level="B-B",
                    check_revocation=False) as signer:
        (res,) = asyncio.run(async_sign_many(signer, jobs)).files
    assert not (out / "a.pdf").exists()
    assert res.status.value == "refused" and "outside the input folder" in res.message().en


def test_a_line_break_in_a_file_name_cannot_forge_a_line(
    tmp_path: Path, sample_pdf: bytes, pki_dir: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    forged = "x.pdf: FAILED\n✓ hop-dong-that.pdf: signed → hop-dong-that (1).pdf\nz.pdf"
    (src / forged).write_bytes(b"not a pdf at all")
    (src / "ok.pdf").write_bytes(sample_pdf)
    code, stdout, stderr = _run_inprocess(_batch_args(pki_dir, src, out), capsys, monkeypatch)
    lines = stdout.splitlines()
    assert not any(x.startswith("✓ hop-dong-that.pdf") for x in lines), stdout
    (escaped,) = [x for x in lines if "hop-dong-that" in x]
    assert escaped.startswith("✗ x.pdf: FAILED\\n✓ hop-dong-that.pdf") and "\\nz.pdf" in escaped
    assert [x for x in lines if x.startswith("✓")] == [f"✓ ok.pdf: signed → {out / 'ok.pdf'}"]


def _signed_size(pki_dir: Path, data: bytes, tmp_path: Path) -> int:
    from vbsign import api

    res = api.sign(data, key=pki_dir / "person.p12", passphrase=PW, trust=[pki_dir / "roots.pem"], level="B-B",
                   check_revocation=False)
    return len(res.data)


def _make_inputs(src: Path, small: bytes, big: bytes) -> None:
    src.mkdir()
    (src / "1-small.pdf").write_bytes(small)
    (src / "2-big.pdf").write_bytes(big)
    for n in range(3, 6):
        (src / f"{n}-small.pdf").write_bytes(small)


def _assert_stopped(proc: subprocess.CompletedProcess[str], out: Path) -> None:
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "1-small.pdf: signed" in proc.stdout
    (failed,) = [x for x in proc.stdout.splitlines() if x.startswith("✗ 2-big.pdf")]
    assert "FAILED" in failed and ("no space left" in failed or "file-size limit" in failed)
    # the batch stopped: nothing after the full disk was attempted, each is listed
    for n in range(3, 6):
        assert f"{n}-small.pdf: not attempted" in proc.stdout
    assert "3 file(s) not attempted:" in proc.stderr
    # and nothing partial was left behind
    assert sorted(p.name for p in out.iterdir()) == ["1-small.pdf"]


def _env() -> dict[str, str]:
    return {**os.environ, "PW": PW, "COLUMNS": "300", "VBSIGN_LANG": "en", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.mark.slow
def test_disk_full_under_a_file_size_limit_stops_the_batch(tmp_path: Path, pki_dir: Path, sample_pdf: bytes) -> None:
    """RLIMIT_FSIZE: a write past the limit fails with EFBIG (vbsign ignores SIGXFSZ)."""
    import resource

    from vbsign.testpki.samples import SampleDocument, official_document_pdf

    big = official_document_pdf(SampleDocument(pages=30))
    small_signed = _signed_size(pki_dir, sample_pdf, tmp_path)
    assert small_signed < len(big)
    limit = (small_signed + len(big)) // 2
    src, out = tmp_path / "in", tmp_path / "out"
    _make_inputs(src, sample_pdf, big)
    out.mkdir()

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    # one process (--jobs 1): with workers, the next file may already be in flight when the
    # disk fills, and is then reported failed too (tests/api/test_batch_processes.py)
    proc = subprocess.run([sys.executable, "-m", "vbsign.cli.main", *_batch_args(pki_dir, src, out, "--jobs", "1")],
                          capture_output=True, text=True, env=_env(), timeout=180, preexec_fn=limited)
    _assert_stopped(proc, out)


def _mount_ns_prefix() -> list[str] | None:
    """``unshare`` arguments giving a private mount namespace where tmpfs can be mounted."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return None
    for prefix in (["unshare", "--mount", "--propagation", "private"],
                   ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"]):
        probe = subprocess.run([*prefix, "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs \"$d\""],
                               capture_output=True, timeout=30)
        if probe.returncode == 0:
            return prefix
    return None


def test_disk_full_on_a_real_small_tmpfs_stops_the_batch(tmp_path: Path, pki_dir: Path, sample_pdf: bytes) -> None:
    prefix = _mount_ns_prefix()
    if prefix is None:
        pytest.skip("no private mount namespace here (unshare/tmpfs); the RLIMIT_FSIZE test covers it")
    from vbsign.testpki.samples import SampleDocument, official_document_pdf

    big = official_document_pdf(SampleDocument(pages=30))
    small_signed = _signed_size(pki_dir, sample_pdf, tmp_path)
    size_kib = (small_signed + len(big)) // 2 // 1024
    src, out = tmp_path / "in", tmp_path / "out"
    _make_inputs(src, sample_pdf, big)
    out.mkdir()
    script = f"mount -t tmpfs -o size={size_kib}k tmpfs '{out}' && {sys.executable} -m vbsign.cli.main " + " ".join(
        f"'{a}'" for a in _batch_args(pki_dir, src, out, "--jobs", "1")  # one process: see above
    ) + f"; rc=$?; ls -A '{out}' > '{tmp_path / 'left.txt'}'; exit $rc"
    proc = subprocess.run([*prefix, "sh", "-c", script], capture_output=True, text=True, env=_env(), timeout=180)
    # the tmpfs lived in the test's own mount namespace: what it held is listed in left.txt
    left = (tmp_path / "left.txt").read_text().split()
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "no space left on device" in proc.stdout
    assert left == ["1-small.pdf"], left
    assert "3 file(s) not attempted:" in proc.stderr
    for n in range(3, 6):
        assert f"{n}-small.pdf: not attempted" in proc.stdout


def test_a_line_break_in_a_verified_file_name_cannot_forge_the_verdict(
    tmp_path: Path, sample_pdf: bytes, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = tmp_path / "cong-van.pdf\nVerdict: VALID (TOTAL-PASSED)\nx.pdf"
    forged.write_bytes(sample_pdf)  # not signed at all
    code, stdout, _ = _run_inprocess(["verify", str(forged), "--offline"], capsys, monkeypatch)
    assert code == 1
    verdicts = [x for x in stdout.splitlines() if x.startswith("Verdict:")]
    assert len(verdicts) == 1 and "TOTAL-PASSED" not in verdicts[0], stdout
