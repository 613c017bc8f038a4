"""Serve the test PKI's OCSP, CRL and TSA over HTTP on 127.0.0.1 (certomancer's Animator),
and its CSC API v2 remote-signing service at ``/csc/v2`` (:mod:`vbsign.testpki.csc`).

The server binds to the loopback interface only. :func:`serve` runs until Ctrl-C or
SIGTERM; :class:`ServerThread` runs it in the background (integration tests).
"""

from __future__ import annotations

import signal
import socket
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign.testpki import ARCH, DEFAULT_PASSPHRASE, HOST, SUBJECTS, TestPKI, load
from vbsign.testpki.csc import CscService
from vbsign.testpki.export import read_manifest


def make_app(pki: TestPKI, at_time: datetime | None = None, csc: CscService | None = None) -> Any:
    """The WSGI application: ``/csc/v2/…`` goes to ``csc``, everything else to certomancer."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import ArchLabel

    animator = Animator(AnimatorArchStore({ArchLabel(ARCH): pki.arch}), at_time=at_time, with_web_ui=False)
    if csc is None:
        return animator

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith("/csc/v2/"):
            return csc(environ, start_response)
        return animator(environ, start_response)

    return app


def csc_service(pki: TestPKI, passphrase: str = DEFAULT_PASSPHRASE) -> CscService:
    """The test CSC service: one credential per test subject (PIN: ``passphrase``)."""
    return CscService(pki, passphrase, pki.port, SUBJECTS)


def make_server(
    pki: TestPKI, port: int | None = None, at_time: datetime | None = None, *, sock: socket.socket | None = None,
    csc: CscService | None = None,
) -> Any:
    """A threaded WSGI server for ``pki`` on ``port`` (or on the already bound ``sock``)."""
    import contextlib
    import io

    from werkzeug.serving import make_server as wz_make_server

    wanted = port if port is not None else pki.port
    said = io.StringIO()
    try:
        # werkzeug prints an English hint and calls sys.exit(1) when the port is taken
        with contextlib.redirect_stderr(said):
            if sock is not None:
                return wz_make_server(HOST, wanted, make_app(pki, at_time, csc), threaded=True, fd=sock.fileno())
            return wz_make_server(HOST, wanted, make_app(pki, at_time, csc), threaded=True)
    except (OSError, SystemExit) as e:
        if isinstance(e, OSError):
            reason = e.strerror or str(e)
        else:
            reason = (said.getvalue().strip().splitlines() or ["?"])[0]
        raise InputError(
            Msg(
                "Không mở được cổng {p} trên {h} (cổng đang được chương trình khác dùng? thử --port): {e}",
                "Cannot listen on {h}:{p} (port in use by another program? try --port): {e}",
            ).format(p=wanted, h=HOST, e=reason)
        ) from None


class ServerThread:
    """Run the test PKI services in a background thread (``with ServerThread(pki): ...``)."""

    def __init__(
        self, pki: TestPKI, port: int | None = None, at_time: datetime | None = None,
        *, sock: socket.socket | None = None,
    ) -> None:
        self.pki = pki
        #: the CSC API v2 service at ``/csc/v2`` (tests adjust its limits and faults)
        self.csc = csc_service(pki)
        self.server = make_server(pki, port, at_time, sock=sock, csc=self.csc)
        self.port = int(self.server.port)
        self._thread = threading.Thread(target=self.server.serve_forever, name="vbsign-testpki", daemon=True)

    @classmethod
    def on_free_port(cls, at_time: datetime | None = None) -> ServerThread:
        """A test PKI whose URLs name a free loopback port, served on that port.

        The port is bound *before* the certificates are made and stays bound, so no other
        program (or a second developer's tests on the same machine) can take it meanwhile.
        ``server.pki`` is the PKI to sign and verify with.
        """
        sock = socket.socket()
        try:
            sock.bind((HOST, 0))
            sock.listen(128)
            port = int(sock.getsockname()[1])
            return cls(load(port), port, at_time, sock=sock)
        finally:
            sock.close()  # the server holds its own duplicate of the socket

    def __enter__(self) -> ServerThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def serve(pki: TestPKI, port: int | None = None, passphrase: str = DEFAULT_PASSPHRASE) -> None:
    """Serve until SIGINT/SIGTERM, then shut down cleanly."""
    server = make_server(pki, port, csc=csc_service(pki, passphrase))
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    old = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"vbsign testpki: http://localhost:{server.server_port}/{ARCH}/ (OCSP, CRL, TSA), "
          f"http://localhost:{server.server_port}/csc/v2 (CSC) — Ctrl-C để dừng / to stop", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        for s, h in old.items():
            signal.signal(s, h)
        print("vbsign testpki: đã dừng / stopped", flush=True)


def serve_directory(directory: Path, port: int | None = None) -> None:
    manifest = read_manifest(directory)
    baked = int(manifest["port"])  # type: ignore[call-overload]
    serve(load(baked), port if port is not None else baked, str(manifest.get("passphrase", DEFAULT_PASSPHRASE)))
