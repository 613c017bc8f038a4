"""Running ``vbsign`` in-process through click's test runner.

:func:`invoke` calls :func:`vbsign.cli.main.main` (vbsign's error mapping and exit codes
included) inside :meth:`click.testing.CliRunner.isolation`, so standard output and error
are captured separately, environment changes stay inside the call, and the language the
command sets (``--lang``) does not leak into the next test (it runs in a copied context).
End-to-end tests that need a separate process (start-up time, ``TZ``, the warnings a fresh
interpreter prints) use ``subprocess`` instead.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from click.testing import CliRunner

from vbsign.cli.main import main
from vbsign.formats.pades.isolation import _POOL, helper_pids


@dataclass(frozen=True)
class Invocation:
    """What one ``vbsign`` run printed and its exit code (``returncode``/``stdout``/``stderr``
    too, so a test written for :func:`subprocess.run` reads it unchanged)."""

    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err

    @property
    def returncode(self) -> int:
        return self.code

    @property
    def stdout(self) -> str:
        return self.out

    @property
    def stderr(self) -> str:
        return self.err


def _exit_code(e: SystemExit) -> int:
    if e.code is None:
        return 0
    return e.code if isinstance(e.code, int) else 1


def invoke(argv: Sequence[str], *, env: Mapping[str, str | None] | None = None, input: str | bytes | None = None) -> Invocation:
    """``vbsign ARGV`` in this process; ``env`` entries set (or, when ``None``, unset) variables."""

    def call() -> int:
        try:
            main(list(argv))
        except SystemExit as e:
            return _exit_code(e)
        return 0

    runner = CliRunner()
    before = set(helper_pids())
    try:
        with runner.isolation(input=input, env=env) as streams:
            code = contextvars.copy_context().run(call)
            out, err = streams[0].getvalue(), streams[1].getvalue()
    finally:
        # ``vbsign verify`` owns its process and may fork an isolation helper from it; the test
        # process is a library host for every other test, so helpers the command started go
        if set(helper_pids()) - before:
            _POOL.shutdown()
    return Invocation(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
