"""Every command shown in the guides and the README runs, as written.

Each ``.. code-block:: sh`` block of ``docs/guides/*.rst`` and each ```` ```sh ```` block of
``README.md`` is run line by line (``\\`` continuations joined) in a fresh workspace that holds
what they name: the test PKI in ``pki/`` *served over HTTP on loopback* (``$TSA``; its CSC API v2
remote-signing service ``$CSC``, token in ``pki/README.txt``), sample documents (a PDF, a folder of
PDFs, an XML decision, an e-mail, a stand-in .docx), a signed incoming document and a tampered
one, signature images, and a SoftHSM2 token ``TOKEN THU`` holding the key of *Nguyễn Văn A*
(``$TOKEN_PIN``). A command's expected exit code is 0 unless the line says ``# mã thoát N``. A
block is exempt only when the text says so right before it (guides: ``.. docs-test: skip
(reason)``, README: ``<!-- docs-test: skip (reason) -->``); the exemptions are counted so that
they stay few.

The ``>>>`` examples of the guides run as doctests in the same kind of workspace.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDES = sorted((ROOT / "docs" / "guides").glob("*.rst"))
BIN = Path(sys.executable).parent
SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
PASSPHRASE = "vbsign-test"
TOKEN_PIN = "123456"
EXIT = re.compile(r"#\s*(?:mã thoát|exit)\s+(\d)")
MAX_SKIPPED_BLOCKS = 8

pytestmark = pytest.mark.skipif(not SOFTHSM.exists(), reason="SoftHSM2 is installed by scripts/setup.sh")


QUYET_DINH_XML = """<?xml version="1.0" encoding="UTF-8"?>
<QuyetDinh so="414/QĐ-BKHCN" ngay="2026-03-02">
  <TrichYeu>Về việc ban hành quy chế sử dụng chữ ký số</TrichYeu>
  <NoiDung>Điều 1. Ban hành kèm theo Quyết định này Quy chế sử dụng chữ ký số.</NoiDung>
</QuyetDinh>
"""
THU_EML = """From: Nguyễn Thị Thu <thu.nt@bkhcn.vbsign.test>
To: Phan Văn Nhận <nhan.pv@sokhcn.hanoi.vbsign.test>
Subject: =?utf-8?b?R+G7rWkgZOG7sSB0aOG6o28gcXV54bq/dCDEkeG7i25o?=
Date: Mon, 02 Mar 2026 09:00:00 +0700
Message-ID: <thu-0001@bkhcn.vbsign.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Kính gửi anh Nhận, xin gửi dự thảo quyết định để góp ý.
"""


@dataclass(frozen=True)
class Command:
    source: str
    line: int
    text: str
    expected: int


def _blocks(path: Path) -> Iterator[tuple[int, list[str], str | None]]:
    """(first line number, lines, skip reason) of each ``sh`` code block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    skip: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = re.match(r"\.\. docs-test: skip \((.+)\)\s*$", line)
        if marker:
            skip = marker.group(1)
        elif line.startswith(".. code-block::"):
            lang = line.split("::", 1)[1].strip()
            body: list[str] = []
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith("   ")):
                body.append(lines[j][3:])
                j += 1
            if lang == "sh":
                yield i + 2, body, skip
            skip = None
            i = j
            continue
        i += 1


def commands(path: Path) -> tuple[list[Command], list[str]]:
    """The commands of ``path`` to run and the reasons of its exempt blocks."""
    out: list[Command] = []
    skipped: list[str] = []
    for first, body, skip in _blocks(path):
        if skip is not None:
            skipped.append(skip)
            continue
        joined = "\n".join(body).replace("\\\n", " ")
        for n, text in enumerate(joined.splitlines()):
            if text.strip():
                m = EXIT.search(text)
                out.append(Command(path.name, first + n, text.strip(), int(m.group(1)) if m else 0))
    return out, skipped


# ---- the workspace ----------------------------------------------------------------------------


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    if cmd[0] == "vbsign":  # in this process: a second of interpreter start-up saved per call
        from vbsign.cli.main import main

        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(cwd)
            for key, value in env.items():
                mp.setenv(key, value)
            try:
                code = main(cmd[1:])
            except SystemExit as exit_:
                code = exit_.code
        assert not code, f"{cmd}: exit {code}"
        return
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, timeout=120)


def _env(ws: Path, tsa: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VBSIGN_", "SOFTHSM2_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(ws / "home"),
        XDG_CONFIG_HOME=str(ws / "home" / ".config"),
        XDG_DATA_HOME=str(ws / "home" / ".local" / "share"),
        VBSIGN_TRUST_DIR=str(ws / "home" / "trust"),
        VBSIGN_LANG="vi",
        SOFTHSM2_CONF=str(ws / "softhsm2.conf"),
        TSA=tsa,
        CSC=tsa.split("/", 3)[0] + "//" + tsa.split("/", 3)[2] + "/csc/v2",  # the test PKI's CSC service
        KEY_PASS=PASSPHRASE,
        TOKEN_PIN=TOKEN_PIN,
    )
    return env


def _softhsm(ws: Path, env: dict[str, str]) -> None:
    (ws / "hsm").mkdir(exist_ok=True)
    (ws / "softhsm2.conf").write_text(f"directories.tokendir = {ws / 'hsm'}\nobjectstore.backend = file\n")
    _run(["softhsm2-util", "--init-token", "--free", "--label", "TOKEN THU", "--so-pin", "12345678", "--pin", TOKEN_PIN], ws, env)
    _run(["openssl", "pkcs12", "-in", "pki/person.p12", "-nocerts", "-nodes", "-passin", f"pass:{PASSPHRASE}", "-out", "t.key"], ws, env)
    _run(["softhsm2-util", "--import", "t.key", "--token", "TOKEN THU", "--label", "Nguyễn Văn A", "--id", "01", "--pin", TOKEN_PIN], ws, env)
    _run(["openssl", "x509", "-in", "pki/person.cert.pem", "-outform", "der", "-out", "t.der"], ws, env)
    _run(["pkcs11-tool", "--module", str(SOFTHSM), "--login", "--pin", TOKEN_PIN, "--token-label", "TOKEN THU",
          "--write-object", "t.der", "--type", "cert", "--id", "01", "--label", "Nguyễn Văn A"], ws, env)
    (ws / "t.key").unlink()
    (ws / "t.der").unlink()


def _sign(ws: Path, env: dict[str, str], src: str, out: str, key: str, role: str, image: str, field: str) -> None:
    _run(["vbsign", "sign", src, "-o", out, "--key", key, "--passphrase-env", "KEY_PASS", "--trust", "pki/roots.pem",
          "--tsa", env["TSA"], "--role", role, "--image", image, "--field", field], ws, env)


def build_workspace(ws: Path, port: int, tsa: str) -> None:
    """What the guides name, made with the product itself (no hand-made fixtures)."""
    from vbsign.testpki.export import write_pki

    ws.mkdir(parents=True, exist_ok=True)
    (ws / "home").mkdir()
    env = _env(ws, tsa)
    write_pki(ws / "pki", port=port, passphrase=PASSPHRASE)
    _run(["vbsign", "demo", "--out", "mau"], ws, env)  # a sample decision and signature/seal images
    shutil.copy(ws / "mau" / "chu-ky-mau.png", ws / "chu-ky.png")
    shutil.copy(ws / "mau" / "con-dau-mau.png", ws / "con-dau.png")
    for name in ("van-ban.pdf", "phu-luc.pdf", "ban-sao.pdf"):
        shutil.copy(ws / "mau" / "input.pdf", ws / name)
    shutil.rmtree(ws / "mau")
    (ws / "bao-cao.docx").write_bytes(b"PK\x03\x04 bao cao quy 3 (a stand-in for a .docx file)\n")
    (ws / "van-ban").mkdir()  # a folder to sign in one batch
    for name in ("cong-van-01.pdf", "cong-van-02.pdf"):
        shutil.copy(ws / "van-ban.pdf", ws / "van-ban" / name)
    (ws / "quyet-dinh.xml").write_text(QUYET_DINH_XML, encoding="utf-8")
    (ws / "thu.eml").write_text(THU_EML, encoding="utf-8", newline="\r\n")
    _sign(ws, env, "van-ban.pdf", "den-1.pdf", "pki/person.p12", "person", "chu-ky.png", "ChuKyLanhDao")
    _sign(ws, env, "den-1.pdf", "van-ban-den.pdf", "pki/agency.p12", "agency", "con-dau.png", "ConDau")
    (ws / "den-1.pdf").unlink()
    signed = (ws / "van-ban-den.pdf").read_bytes()
    at = signed.index(b"/MediaBox [ 0 0 595")  # a page of the first revision, inside every signed range
    (ws / "van-ban-bi-sua.pdf").write_bytes(signed[:at] + signed[at:].replace(b"595", b"596", 1))
    _softhsm(ws, env)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    from vbsign.testpki.server import ServerThread

    with ServerThread.on_free_port() as server:
        ws = tmp_path_factory.mktemp("docs") / "template"
        build_workspace(ws, server.port, server.pki.tsa_url)
        yield ws, server.pki.tsa_url


def workspace(template: tuple[Path, str], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    from vbsign.pki.chain import clear_cache

    # issuers fetched over AIA are cached per process by name and key id; another test PKI
    # (same keys, URLs on another, by now closed, port) must not lend its CA certificates here
    clear_cache()
    src, tsa = template
    ws = tmp_path / "ws"
    shutil.copytree(src, ws)
    env = _env(ws, tsa)
    (ws / "softhsm2.conf").write_text(f"directories.tokendir = {ws / 'hsm'}\nobjectstore.backend = file\n")
    return ws, env


# ---- the tests --------------------------------------------------------------------------------


def run_command(cmd: Command, ws: Path, env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run one command: ``vbsign …`` in this process (as ``vbsign`` would: ``main(argv)``,
    which saves a second of interpreter start-up per command), anything else with bash."""
    from vbsign.cli.main import main

    argv = shlex.split(os.path.expandvars(cmd.text), comments=True)
    # a PKCS#11 module is loaded once per process, with the token directory of the first
    # test that used it: commands on the guide's own token run as their own process; so do
    # lines that need the shell (globs, $(…), pipes, VAR=value prefixes)
    shell = re.search(r"[*?|;&<>`]|\$\(", cmd.text.split(" #", 1)[0])
    if argv and argv[0] == "vbsign" and not shell and "pkcs11:" not in cmd.text and argv[1:2] != ["token"]:
        capsys.readouterr()
        try:
            code = main(argv[1:])
        except SystemExit as exit_:  # click's --help/--version and some commands exit
            code = exit_.code
        out = capsys.readouterr()
        return int(code or 0), out.out[-3000:] + out.err[-3000:]
    env = {**env, "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", os.defpath)}
    proc = subprocess.run(["bash", "-c", cmd.text], cwd=ws, env=env, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.stem)
def test_every_command_of_the_guide_runs(
    guide: Path, template: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, env = workspace(template, tmp_path)
    monkeypatch.chdir(ws)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in [k for k in os.environ if k.startswith(("VBSIGN_", "SOFTHSM2_")) and k not in env]:
        monkeypatch.delenv(key)
    cmds, _ = commands(guide)
    assert cmds, f"{guide.name} shows no command"
    for cmd in cmds:
        code, output = run_command(cmd, ws, env, capsys)
        assert code == cmd.expected, f"{cmd.source}:{cmd.line}: exit {code}, expected {cmd.expected}\n$ {cmd.text}\n{output}"


def test_exemptions_are_few_and_give_a_reason() -> None:
    reasons = [r for g in GUIDES for r in commands(g)[1]]
    assert all(len(r) > 10 for r in reasons)
    assert len(reasons) <= MAX_SKIPPED_BLOCKS, reasons


def _check_names(text: str, where: str) -> None:
    """``text`` (one ``vbsign …`` command) names real subcommands and options."""
    import click

    from vbsign.cli.main import cli

    ctx = click.Context(cli)
    command: click.Command = cli
    words = shlex.split(text, comments=True)[1:]
    while words and not words[0].startswith("-") and isinstance(command, click.Group):
        sub = command.get_command(ctx, words[0])
        assert sub is not None, f"{where}: unknown command {words[0]!r} in {text!r}"
        command, words = sub, words[1:]
    known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)} | {"--lang", "--help", "-h"}
    for word in words:
        if word.startswith("--") and word not in ("--",):
            assert word.split("=", 1)[0] in known, f"{where}: {command.name} has no option {word!r} ({text!r})"


def test_every_guide_command_names_real_subcommands_and_options() -> None:
    """A typo in a command or option name fails here, even inside an exempt block."""
    for guide in GUIDES:
        for first, body, _ in _blocks(guide):
            for n, text in enumerate("\n".join(body).replace("\\\n", " ").splitlines()):
                if text.split()[:1] == ["vbsign"]:
                    _check_names(text, f"{guide.name}:{first + n}")


def readme_commands() -> list[str]:
    """The ``vbsign …`` commands the README shows (code blocks, inline code, the CLI table)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found: list[str] = []
    fenced = False
    for raw in text.replace("\\\n", " ").splitlines():
        if raw.startswith("```"):
            fenced = not fenced
            continue
        line = raw.strip().removeprefix(".venv/bin/")
        if (fenced or raw.startswith("    ")) and line.startswith("vbsign "):  # code, not prose
            found.append(line)
    for span in re.findall(r"`((?:\.venv/bin/)?vbsign [^`]+)`", re.sub(r"```.*?```", "", text, flags=re.S)):
        found.append(" ".join(span.split()).removeprefix(".venv/bin/"))
    return found


README_SKIP = re.compile(r"<!-- docs-test: skip \((.+)\) -->\s*$")
MAX_README_SKIPPED_BLOCKS = 2


def readme_blocks() -> tuple[list[Command], list[str]]:
    """The lines of the README's ``sh`` code blocks to run, and the reasons of its exempt blocks
    (``<!-- docs-test: skip (reason) -->`` right before a block; expected exit code as in the
    guides: 0 unless the line says ``# mã thoát N``)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    out: list[Command] = []
    skipped: list[str] = []
    skip: str | None = None
    i = 0
    while i < len(lines):
        marker = README_SKIP.match(lines[i])
        if marker:
            skip = marker.group(1)
        elif lines[i].startswith("```"):
            lang, j = lines[i][3:].strip(), i + 1
            while not lines[j].startswith("```"):
                j += 1
            if lang == "sh" and skip is not None:
                skipped.append(skip)
            elif lang == "sh":
                text, first = "", 0
                for n in range(i + 1, j):  # "\\" continuations joined; n + 1 is the line number
                    text, first = text + lines[n].rstrip("\\") + " ", first or n + 1
                    if not lines[n].endswith("\\"):
                        if text.strip():
                            m = EXIT.search(text)
                            out.append(Command("README.md", first, " ".join(text.split()), int(m.group(1)) if m else 0))
                        text, first = "", 0
            skip, i = None, j + 1
            continue
        elif lines[i].strip():
            skip = None
        i += 1
    return out, skipped


def test_every_readme_command_runs(
    template: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every line of the README's ``sh`` blocks runs as written in the guides' workspace."""
    ws, env = workspace(template, tmp_path)
    monkeypatch.chdir(ws)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in [k for k in os.environ if k.startswith(("VBSIGN_", "SOFTHSM2_")) and k not in env]:
        monkeypatch.delenv(key)
    cmds, skipped = readme_blocks()
    assert sum(c.text.startswith("vbsign ") for c in cmds) >= 25, cmds
    assert len(skipped) <= MAX_README_SKIPPED_BLOCKS and all(len(r) > 10 for r in skipped), skipped
    for cmd in cmds:
        code, output = run_command(cmd, ws, env, capsys)
        assert code == cmd.expected, f"README.md:{cmd.line}: exit {code}, expected {cmd.expected}\n$ {cmd.text}\n{output}"


def test_readme_commands_name_real_subcommands_and_options() -> None:
    """Every command and option the README names exists — also the *shapes* of its CLI table
    and inline code (``vbsign sign IN -o OUT --key KEY …``), which cannot run as such (its code
    blocks run in :func:`test_every_readme_command_runs`)."""
    commands_ = readme_commands()
    assert len(commands_) >= 20
    for text in commands_:
        text = text.replace("\\|", "|")  # pipes escaped in the Markdown table
        text = re.sub(r"\[[^]]*\]|…|\.\.\.", " ", text)  # [optional] parts and ellipses of the shapes
        text = re.sub(r"\b(\w+)\|[\w|]+", r"\1", text)  # alternatives "add|list|remove": the first
        _check_names(text, "README.md")


def test_readme_quick_start_runs(
    template: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The quick start's promise: after the demo, the inline ``vbsign verify demo-out/…``
    command exits 0 (``scripts/demo.sh`` itself installs packages: not run here)."""
    ws, env = workspace(template, tmp_path)
    text = re.sub(r"```.*?```", "", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    found = []
    for span in re.findall(r"`([^`|]+)`", text):  # inline commands, possibly wrapped over two lines
        span = " ".join(span.split())
        if re.match(r"(?:\.venv/bin/)?vbsign (?:demo|verify demo-out/)", span):
            found.append(span.replace(".venv/bin/vbsign", "vbsign"))
    assert any(c.startswith("vbsign verify demo-out/") for c in found), found
    monkeypatch.chdir(ws)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for text in ["vbsign demo --out demo-out", *(c for c in dict.fromkeys(found) if not c.startswith("vbsign demo"))]:
        code, output = run_command(Command("README.md", 0, text, 0), ws, env, capsys)
        assert code == 0, f"$ {text}\n{output}"


@pytest.mark.parametrize("guide", [g for g in GUIDES if ">>>" in g.read_text(encoding="utf-8")], ids=lambda p: p.stem)
def test_python_examples_run_as_doctests(guide: Path, template: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, env = workspace(template, tmp_path)
    monkeypatch.chdir(ws)
    for key in ("TSA", "VBSIGN_TRUST_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(key, env[key])
    failures, tried = doctest.testfile(
        str(guide), module_relative=False, encoding="utf-8", optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False, report=True,
    )
    assert tried > 0 and failures == 0, f"{guide.name}: {failures} of {tried} examples failed (see the output above)"
