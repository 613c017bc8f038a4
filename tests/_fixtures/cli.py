"""Running ``vbsign`` in-process through click's test runner.

:func:`invoke` calls :func:`vbsign.cli.main.main` (vbsign's error mapping and exit codes
included) inside :meth:`click.testing.CliRunner.isolation`, so standard output and error
are captured separately and environment changes stay inside the call. End-to-end tests that
need a separate process (start-up time, ``TZ``, a fresh interpreter) use ``subprocess``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from click.testing import CliRunner

from vbsign.cli.main import main


@dataclass(frozen=True)
class Invocation:
    """What one ``vbsign`` run printed and its exit code."""

    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def invoke(argv: Sequence[str], *, env: Mapping[str, str | None] | None = None, input: str | bytes | None = None) -> Invocation:
    """``vbsign ARGV`` in this process; ``env`` entries set (or, when ``None``, unset) variables."""
    runner = CliRunner()
    code = 0
    with runner.isolation(input=input, env=env) as streams:
        try:
            main(list(argv))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = streams[0].getvalue(), streams[1].getvalue()
    return Invocation(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
