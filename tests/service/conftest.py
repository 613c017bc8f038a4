"""The service under test: the demo's documents, the app in-process (httpx's ASGI
transport, no socket) and on a real uvicorn socket (port 0)."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from vbsign.service.app import create_app
from vbsign.service.config import ServiceConfig, ServiceLimits


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``vbsign demo``'s output: ``signed.pdf`` (two signatures, B-LT) and its test PKI."""
    from vbsign.testpki.demo import run_demo

    out = tmp_path_factory.mktemp("demo-service")
    run_demo(out)
    return out


def tamper(data: bytes) -> bytes:
    """One byte of the first signature's signed range flipped (the page content)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    emb = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    changed = bytearray(data)
    changed[int(emb.byte_range[1]) // 2] ^= 0x01
    return bytes(changed)


@pytest.fixture(scope="session")
def signed(demo: Path) -> bytes:
    return (demo / "signed.pdf").read_bytes()


@pytest.fixture(scope="session")
def tampered(demo: Path, signed: bytes) -> Path:
    path = demo / "tampered.pdf"
    path.write_bytes(tamper(signed))
    return path


def config_for(demo: Path, **overrides: Any) -> ServiceConfig:
    """The demo's trust anchors, no network; ``limits`` given as a dict of overrides."""
    limits = ServiceLimits(**overrides.pop("limits", {}))
    return ServiceConfig(trust=(str(demo / "pki" / "roots.pem"),), offline=True, limits=limits, **overrides)


class Client:
    """An httpx client on the app's ASGI interface, driven from synchronous tests (one
    event loop for the client's life, as a server has)."""

    def __init__(self, config: ServiceConfig) -> None:
        self.app = create_app(config)
        self.loop = asyncio.new_event_loop()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://service.test", timeout=60)

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        response: httpx.Response = self.run(self.http.request(method, url, **kw))
        return response

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def close(self) -> None:
        self.run(self.http.aclose())
        self.run(self.app.state.service.executor.close())
        self.loop.close()


@pytest.fixture
def make_client(demo: Path) -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(**overrides: Any) -> Client:
        client = Client(config_for(demo, **overrides))
        made.append(client)
        return client

    yield make
    for c in made:
        c.close()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


class LiveServer:
    """The app on uvicorn in a thread, on a free loopback port."""

    def __init__(self, config: ServiceConfig) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(config)
        self.server = uvicorn.Server(uvicorn.Config(app, access_log=False, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="module")
def live(demo: Path) -> Iterator[LiveServer]:
    server = LiveServer(config_for(demo))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cades_pair(demo: Path) -> tuple[Path, Path]:
    """A detached CAdES signature (``.p7s``, B-B, person.p12) and its content file."""
    import vbsign

    pki = demo / "pki"
    content = demo / "quyết-định.txt"
    content.write_text("QUYẾT ĐỊNH số 12/QĐ-UBND\nVề việc phê duyệt kế hoạch chuyển đổi số\n", "utf-8")
    signer = vbsign.Signer(key=pki / "person.p12", passphrase="vbsign-test", trust=[pki / "roots.pem"], level="B-B", check_revocation=False)
    signature = demo / "quyết-định.txt.p7s"
    signature.write_bytes(signer.sign(content, format="cades").data)
    return signature, content
