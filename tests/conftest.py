"""Shared fixtures: the test PKI, a fixed clock, in-process services, sample documents.

Unit tests run against the test PKI *in-process* (no HTTP) at a fixed time ``T0`` so that
they are deterministic whatever the wall clock says; integration tests (marked
``integration``) start the real HTTP services on loopback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from vbsign import testpki
from vbsign.pki.validation import Services

#: the fixed "now" of unit tests (all test certificates except the bad ones are valid)
T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)
PASSPHRASE = "vbsign-test"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


#: fixtures shared across test packages (tests/_fixtures/): plugin managers and signers
#: (plugins, host), the S/MIME messages and keys (formats/smime, host, cli), signature and seal
#: images and rendering (appearance, host), the documents the policy rules judge (policy, cli)
pytest_plugins = ["tests._fixtures.plugins", "tests._fixtures.mail", "tests._fixtures.appearance", "tests._fixtures.policy"]


@pytest.fixture(autouse=True)
def _quiet_pyhanko() -> None:
    # pyHanko logs tracebacks at WARNING for expected validation failures
    for name in ("pyhanko", "pyhanko_certvalidator", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


@pytest.fixture(scope="session")
def pki() -> testpki.TestPKI:
    return testpki.load()


@pytest.fixture(scope="session")
def t0() -> datetime:
    return T0


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


class Clock:
    """A settable clock (``clock()`` returns the current fake time)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory, pki: testpki.TestPKI) -> Path:
    """A directory written by ``vbsign testpki init`` (roots.pem, chain.pem, *.p12 …)."""
    from vbsign.testpki.export import write_pki

    d = tmp_path_factory.mktemp("pki")
    write_pki(d, port=pki.port, passphrase=PASSPHRASE)
    return d


@pytest.fixture
def served_pki() -> Iterator[object]:
    """The test PKI's OCSP/CRL/TSA over real HTTP on a free loopback port (never a fixed
    one: the port is bound before the certificates naming it are made). ``.pki`` is the
    PKI whose certificates point at it, ``.port`` the port."""
    from vbsign.testpki.server import ServerThread

    with ServerThread.on_free_port() as server:
        yield server


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A loopback port that refuses connections for the whole test: bound by the test
    itself but not listening, so no other program can serve anything on it meanwhile
    (unlike "a port nothing happens to listen on", e.g. the default 8750)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


@pytest.fixture
def services(pki: testpki.TestPKI) -> Services:
    """In-process revocation source answering as of ``T0`` (no network)."""
    return Services(online=False, fetcher_backend=pki.fetcher_backend(T0))


def services_at(pki: testpki.TestPKI, when: datetime) -> Services:
    return Services(online=False, fetcher_backend=pki.fetcher_backend(when))


@pytest.fixture
def tsa(pki: testpki.TestPKI):  # type: ignore[no-untyped-def]
    """In-process RFC 3161 timestamper answering as of ``T0``."""
    return pki.timestamper(T0)


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    from vbsign.testpki.samples import official_document_pdf

    return official_document_pdf()


@pytest.fixture
def sample_pdf_path(tmp_path: Path, sample_pdf: bytes) -> Path:
    p = tmp_path / "input.pdf"
    p.write_bytes(sample_pdf)
    return p


@pytest.fixture
def sign_as(pki_dir: Path, pki: testpki.TestPKI, services: Services, tsa):  # type: ignore[no-untyped-def]
    """``sign_as("person", data, level="B-LT", **opts) -> bytes`` at the fixed time T0."""
    from vbsign import api

    def _sign(subject: str, data: bytes, level: str = "B-LT", **opts) -> bytes:  # type: ignore[no-untyped-def]
        result = api.sign(
            data,
            key=pki_dir / f"{subject}.p12",
            passphrase=PASSPHRASE,
            trust=pki.roots,
            tsa=tsa,
            level=level,
            services=services,
            clock=lambda: T0,
            **opts,
        )
        return result.data

    return _sign


@pytest.fixture
def verify_at(pki: testpki.TestPKI):  # type: ignore[no-untyped-def]
    """``verify_at(data, when=T0, online=False, **opts) -> Report`` (offline unless asked)."""
    from vbsign import api

    def _verify(data: bytes, when: datetime = T0, fetch: bool = False, **opts):  # type: ignore[no-untyped-def]
        svc = services_at(pki, when) if fetch else Services(online=False)
        return api.verify(data, trust=opts.pop("trust", pki.roots), now=when, services=svc, **opts)

    return _verify


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip("shared corpus not available")
    return CORPUS


# ---- test tiers ----------------------------------------------------------------------------
# The markers of pyproject.toml ([tool.pytest.ini_options]): ``slow`` is written on the test
# (measured, > ~5 s on the 2-core CI machine); ``postgres``, ``network`` and ``browser`` are
# also derived here from what a test uses, so a new test gets them without remembering to.
TIERS = ("slow", "postgres", "network", "browser")
#: fixtures that mean a real PostgreSQL server / real HTTP services on loopback / Chromium
_POSTGRES_FIXTURES = frozenset({"fresh_pg_url"})
_NETWORK_FIXTURES = frozenset({"served_pki"})
_BROWSER_FIXTURES = frozenset({"chromium", "browser_page", "headless_chromium"})


def _tiers_of(item: pytest.Item) -> set[str]:
    names = set(getattr(item, "fixturenames", ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    tiers = {m.name for m in item.iter_markers() if m.name in TIERS}
    if names & _POSTGRES_FIXTURES or params.get("db_url") == "postgresql":
        tiers.add("postgres")
    # ``integration`` (the older name): real services on loopback
    if names & _NETWORK_FIXTURES or item.get_closest_marker("integration") is not None:
        tiers.add("network")
    if names & _BROWSER_FIXTURES:
        tiers.add("browser")
    return tiers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for tier in sorted(_tiers_of(item) - {m.name for m in item.iter_markers()}):
            item.add_marker(tier)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """One line per tier: how many of its tests passed, failed, were skipped, and their time
    (``.ci/run`` shows it; a PostgreSQL tier that was skipped is visible at a glance)."""
    counts: dict[str, dict[str, int]] = {t: {} for t in TIERS}
    seconds = dict.fromkeys(TIERS, 0.0)
    for outcome in ("passed", "failed", "skipped", "error"):
        for rep in terminalreporter.stats.get(outcome, []):
            keywords = getattr(rep, "keywords", {}) or {}
            for tier in TIERS:
                if tier in keywords:
                    if rep.when == "call" or outcome in ("skipped", "error"):
                        counts[tier][outcome] = counts[tier].get(outcome, 0) + 1
                    seconds[tier] += getattr(rep, "duration", 0.0)
    if not any(counts.values()):
        return
    terminalreporter.write_sep("-", "test tiers (markers)")
    for tier in TIERS:
        done = ", ".join(f"{n} {o}" for o, n in sorted(counts[tier].items())) or "none"
        terminalreporter.write_line(f"{tier:9s} {done}; {seconds[tier]:.0f} s of test time")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if anything opens a socket to a non-loopback address."""
    import socket

    real = socket.socket.connect

    def guarded(self, address):  # type: ignore[no-untyped-def]
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access attempted: {address}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


# ---- long-term validation (issue 18) ---------------------------------------------------------
@pytest.fixture(scope="session")
def archive_pki() -> testpki.TestPKI:
    """The archive PKI (``vn-archive`` in certomancer.yml): ``ar-signer`` and ``ar-tsa1``
    under ``ar-ca1`` (expires 2034; signer 2028, TSA 1 on 2031-01-01), ``ar-tsa2`` under
    ``ar-ca2`` (until 2050/2055), CRLs only; time-stamping services ``tsa1`` and ``tsa2``."""
    return testpki.load(arch_label=testpki.ARCHIVE_ARCH)


@pytest.fixture(scope="session")
def archive_key(tmp_path_factory: pytest.TempPathFactory, archive_pki: testpki.TestPKI) -> Path:
    p = tmp_path_factory.mktemp("archive") / "ar-signer.p12"
    p.write_bytes(archive_pki.pkcs12("ar-signer", PASSPHRASE))
    return p


@pytest.fixture(scope="session")
def archive_lta(archive_pki: testpki.TestPKI, archive_key: Path, sample_pdf: bytes) -> bytes:
    """``sample_pdf`` signed by ``ar-signer`` at B-LTA on T0 with the archive PKI's TSA 1."""
    from vbsign import api

    return api.sign(
        sample_pdf, key=archive_key, passphrase=PASSPHRASE, trust=[archive_pki.cert("ar-root")],
        tsa=archive_pki.timestamper(T0, "tsa1"), level="B-LTA", clock=lambda: T0,
        services=Services(online=False, fetcher_backend=archive_pki.fetcher_backend(T0)),
    ).data  # fmt: skip
