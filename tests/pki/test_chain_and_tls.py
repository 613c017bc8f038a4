"""Chains from the field (a token holding only the signer's certificate) and TLS ≥ 1.2 for
every HTTPS request vbsign makes (TT 15/2025 Annex I item 2.3)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import pem

from tests._fixtures.cli import invoke
from vbsign import api, testpki
from vbsign._core.errors import CertificateRejected
from vbsign.model.report import Indication
from vbsign.pki.chain import clear_cache
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import Services

T0 = dt.datetime(2026, 12, 1, 3, 0, 0, tzinfo=dt.timezone.utc)


def leaf_only(pki: testpki.TestPKI, label: str, d: Path) -> tuple[Path, Path]:
    """A key and ONLY its certificate (what a VGCA token holds), as PEM files."""
    key, cert = d / f"{label}.key.pem", d / f"{label}.cert.pem"
    key.write_bytes(pem.armor("PRIVATE KEY", pki.private_key(label).dump()))
    cert.write_bytes(pem.armor("CERTIFICATE", pki.cert(label).dump()))
    return key, cert


def embedded_certs(pdf: bytes) -> set[str]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1]
    return {c.chosen.subject.native["common_name"] for c in sig.signed_data["certificates"]}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def test_chain_completed_from_the_trust_store(pki, tmp_path, sample_pdf):
    key, cert = leaf_only(pki, "person", tmp_path)
    trust = TrustStore.coerce(pki.roots).with_intermediates([pki.cert("gov-ca")])
    with api.Signer(key, key_options={"cert": cert}, trust=trust, level="B-B", services=Services(online=False),
                    check_revocation=False, clock=lambda: T0) as signer:  # fmt: skip
        out = signer.sign(sample_pdf).data
        assert signer.chain_completion.sources == ["trust-store"] and signer.chain_completion.complete
    assert "CA phục vụ các cơ quan Nhà nước G2 (TEST)" in embedded_certs(out)


def test_chain_completed_from_aia_then_cached(pki, tmp_path, sample_pdf):
    """The in-process revocation source answers the caIssuers request (no network)."""
    key, cert = leaf_only(pki, "person", tmp_path)
    services = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    with api.Signer(key, key_options={"cert": cert}, trust=pki.roots, tsa=pki.timestamper(T0), level="B-LT",
                    services=services, clock=lambda: T0) as signer:  # fmt: skip
        out = signer.sign(sample_pdf).data
        assert signer.chain_completion.sources[0].startswith("aia:http://localhost:")
    assert "CA phục vụ các cơ quan Nhà nước G2 (TEST)" in embedded_certs(out)
    # verified offline from the file alone: the chain travels with the signature
    report = api.verify(out, trust=pki.roots, services=Services(online=False), now=T0)
    assert report.indication is Indication.TOTAL_PASSED
    # a second key of the same CA: the issuer is remembered, no fetcher is needed
    key2, cert2 = leaf_only(pki, "person-b", tmp_path)
    with api.Signer(key2, key_options={"cert": cert2}, trust=pki.roots, level="B-B", services=Services(online=False),
                    check_revocation=False, clock=lambda: T0) as again:  # fmt: skip
        again.sign(sample_pdf)
        assert again.chain_completion.sources[0].startswith("aia:")


def test_chain_completed_from_aia_over_real_http(tmp_path, sample_pdf):
    from vbsign.testpki.server import ServerThread

    port = _free_port()
    pki = testpki.load(port)
    key, cert = leaf_only(pki, "agency", tmp_path)
    with ServerThread(pki, port):
        with api.Signer(key, key_options={"cert": cert}, trust=pki.roots, level="B-B",
                        services=Services(online=True, timeout=5)) as signer:  # fmt: skip
            out = signer.sign(sample_pdf).data
            assert signer.chain_completion.sources == [f"aia:http://localhost:{port}/vn/certs/gov-ca/ca.crt"]
    assert "CA phục vụ các cơ quan Nhà nước G2 (TEST)" in embedded_certs(out)


def test_when_nothing_completes_the_chain_the_error_names_chain(pki, tmp_path, sample_pdf):
    key, cert = leaf_only(pki, "person", tmp_path)
    with pytest.raises(CertificateRejected) as ei, api.Signer(
        key, key_options={"cert": cert}, trust=pki.roots, level="B-B", services=Services(online=False),
        check_revocation=False, clock=lambda: T0,
    ) as signer:
        signer.sign(sample_pdf)
    text = " ".join(r.en for r in ei.value.reasons)
    assert "--chain FILE" in text and "AIA" in text and "vbsign trust add" in text
    assert "--chain TỆP" in " ".join(r.vi for r in ei.value.reasons)
    # the CLI says the same, without a traceback; --chain makes it sign
    out = tmp_path / "out.pdf"
    src = tmp_path / "in.pdf"
    src.write_bytes(sample_pdf)
    roots = tmp_path / "roots.pem"
    roots.write_bytes(testpki.pem_bundle(pki.roots))
    base = ["--lang", "en", "sign", str(src), "-o", str(out), "--key", str(key),
            "--cert", str(cert), "--trust", str(roots), "--level", "b-b", "--offline", "--no-revocation-check"]
    proc = invoke(base)
    assert proc.returncode != 0 and "--chain" in proc.stderr and "Traceback" not in proc.stderr
    chain = tmp_path / "chain.pem"
    chain.write_bytes(testpki.pem_bundle([pki.cert("gov-ca")]))
    assert invoke([*base, "--chain", str(chain)]).returncode == 0


# ---- TLS ≥ 1.2 -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    d = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return d / "cert.pem", d / "key.pem"


class _HttpsPki:
    """The test PKI's services over HTTPS on a free loopback port (werkzeug)."""

    def __init__(self, pki: testpki.TestPKI, cert: Path, key: Path, *, max_tls: ssl.TLSVersion | None = None) -> None:
        from werkzeug.serving import make_server

        from vbsign.testpki.server import make_app

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        if max_tls is not None:  # a server stuck on an old protocol
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = max_tls
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        self.server = make_server("127.0.0.1", 0, make_app(pki, T0), ssl_context=ctx, threaded=True)
        self.port = int(self.server.server_port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _HttpsPki:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(5)


def test_every_client_context_refuses_tls_below_1_2(monkeypatch):
    from vbsign.pki import net

    assert net.tls_context().minimum_version is ssl.TLSVersion.TLSv1_2
    assert net.minimum_tls_version() is ssl.TLSVersion.TLSv1_2

    async def sessions() -> list[Any]:
        # the OCSP/CRL/AIA fetcher backend vbsign builds, and its RFC 3161 client
        backend = Services(online=True).make_fetcher_backend()
        assert backend is not None
        backend.get_fetchers()
        inner = backend._inners[0]  # type: ignore[attr-defined]
        out = [inner.session.get_session().connector._ssl.minimum_version]
        await backend.close()
        return out

    assert asyncio.run(sessions()) == [ssl.TLSVersion.TLSv1_2]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_https_timestamps_with_tls_1_2_and_refused_below(pki, server_cert, monkeypatch):
    from vbsign.pki.net import http_timestamper

    cert, key = server_cert
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    digest = hashlib.sha256(b"van ban").digest()
    with _HttpsPki(pki, cert, key) as good:
        token = asyncio.run(http_timestamper(f"https://localhost:{good.port}/vn/tsa/tsa", 5).async_timestamp(digest, "sha256"))
        assert token["content"]["encap_content_info"]["content"].parsed["message_imprint"]["hashed_message"].native == digest
    with _HttpsPki(pki, cert, key, max_tls=ssl.TLSVersion.TLSv1_1) as old:
        url = f"https://localhost:{old.port}/vn/tsa/tsa"
        # the server really speaks TLS 1.1: a permissive client gets through …
        permissive = ssl.create_default_context(cafile=str(cert))
        permissive.minimum_version = ssl.TLSVersion.TLSv1
        permissive.set_ciphers("DEFAULT:@SECLEVEL=0")
        with socket.create_connection(("localhost", old.port), timeout=5) as raw:
            with permissive.wrap_socket(raw, server_hostname="localhost") as tls:
                assert tls.version() == "TLSv1.1"
        # … vbsign's client does not
        with pytest.raises(Exception) as ei:
            asyncio.run(http_timestamper(url, 5).async_timestamp(digest, "sha256"))
        causes = []
        e: BaseException | None = ei.value
        while e is not None:
            causes.append(repr(e))
            e = e.__cause__ or e.__context__
        assert any("SSL" in c or "ssl" in c for c in causes), causes
