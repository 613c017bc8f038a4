"""Extension points: key backends by scheme, trust anchors, TSA and revocation sources, renderers."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from pyhanko.sign.signers import Signer as PyHankoSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vbsign import api
from vbsign._core.errors import CertificateRejected, InputError, PluginError
from vbsign.backends import SigningKey
from vbsign.model.report import Indication
from vbsign.pki.validation import Services
from vbsign.plugins import manager, render_report

T0 = datetime(2026, 12, 1, 3, 0, 0, tzinfo=timezone.utc)


# ---- a remote-signing backend (``smartca:``) -----------------------------------------------------
# The private key stays inside a "service" object that only ever receives a digest, as with
# a remote signing service (CSC-style hash signing). The cryptography is real.


class RemoteSigningService:
    def __init__(self, pki: Any) -> None:
        self._pki = pki
        self.requests: list[tuple[str, str]] = []

    def certificate(self, user: str) -> tuple[x509.Certificate, list[x509.Certificate]]:
        return self._pki.cert(user), self._pki.chain(user)

    def sign_digest(self, user: str, digest: bytes, algorithm: str) -> bytes:
        self.requests.append((user, algorithm))
        key = serialization.load_der_private_key(self._pki.private_key(user).dump(), None)
        algo = getattr(hashes, algorithm.upper())()
        return key.sign(digest, padding.PKCS1v15(), Prehashed(algo))  # type: ignore[union-attr, call-arg, arg-type]


class _RemoteSigner(PyHankoSigner):
    def __init__(self, service: RemoteSigningService, user: str, cert: x509.Certificate, chain: list[x509.Certificate]):
        super().__init__(signing_cert=cert, cert_registry=SimpleCertificateStore.from_certs(chain))
        self._service, self._user = service, user

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        digest = hashlib.new(digest_algorithm, data).digest()
        return self._service.sign_digest(self._user, digest, digest_algorithm)


class RemoteKey(SigningKey):
    def __init__(self, service: RemoteSigningService, user: str) -> None:
        self._service, self._user = service, user
        self._cert, self._chain = service.certificate(user)
        self.label = f"smartca:{user}"

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def chain(self) -> list[x509.Certificate]:
        return self._chain

    def pyhanko_signer(self, *, prefer_pss: bool = False) -> PyHankoSigner:
        return _RemoteSigner(self._service, self._user, self._cert, self._chain)


class SmartCAPlugin:
    def __init__(self, service: RemoteSigningService) -> None:
        self.service = service

    def vbsign_key_backends(self) -> Mapping[str, Any]:
        return {"smartca": self.open}

    def open(self, ref: str, **options: Any) -> SigningKey:
        user = ref.split(":", 1)[1].removeprefix("user=")
        return RemoteKey(self.service, user)


def test_remote_signing_scheme_from_a_plugin(pm: manager.PluginManager, pki: Any, sample_pdf: bytes, verify_at: Any) -> None:
    service = RemoteSigningService(pki)
    svc = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    with pytest.raises(InputError, match="smartca"):
        api.sign(sample_pdf, key="smartca:user=person", trust=pki.roots, level="B-B", services=svc, clock=lambda: T0)
    pm.add_plugin(SmartCAPlugin(service), "smartca")
    result = api.sign(
        sample_pdf, key="smartca:user=person", trust=pki.roots, tsa=pki.timestamper(T0),
        level="B-LT", services=svc, clock=lambda: T0,
    )
    assert service.requests == [("person", "sha256")]
    report = verify_at(result.data)
    assert report.indication is Indication.TOTAL_PASSED
    assert report.signatures[0].signer.common_name == "Nguyễn Văn A"


def test_two_plugins_claiming_a_scheme_is_an_error(pm: manager.PluginManager, pki: Any) -> None:
    from vbsign import plugins

    pm.add_plugin(SmartCAPlugin(RemoteSigningService(pki)), "smartca-a")
    pm.add_plugin(SmartCAPlugin(RemoteSigningService(pki)), "smartca-b")
    with pytest.raises(PluginError) as ei:
        plugins.key_backend_factory("smartca")
    assert "smartca-a" in str(ei.value) and "smartca-b" in str(ei.value)


# ---- trust anchors -------------------------------------------------------------------------


def test_trust_anchors_extend_only_the_default_store(
    pm: manager.PluginManager, pki: Any, sign_as: Any, sample_pdf: bytes,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VBSIGN_TRUST_DIR", str(tmp_path / "empty-store"))
    signed = sign_as("person", sample_pdf)
    offline = Services(online=False)
    assert api.verify(signed, now=T0, services=offline).indication is Indication.INDETERMINATE

    class MinistryRoots:
        def vbsign_trust_anchors(self) -> list[x509.Certificate]:
            return [pki.cert("gov-root")]

    pm.add_plugin(MinistryRoots(), "ministry-roots")
    assert api.verify(signed, now=T0, services=offline).indication is Indication.TOTAL_PASSED
    # an explicit list is the complete set of anchors: plugins do not add to it
    explicit = api.verify(signed, trust=[pki.cert("pub-root")], now=T0, services=offline)
    assert explicit.indication is Indication.INDETERMINATE


# ---- timestamp and revocation sources ------------------------------------------------------


def test_timestamper_from_a_plugin(pm: manager.PluginManager, pki: Any, pki_dir: Path, sample_pdf: bytes, verify_at: Any) -> None:
    url = "https://tsa.bo-khcn.invalid/tsa"
    svc = Services(online=False, fetcher_backend=pki.fetcher_backend(T0))
    key = pki_dir / "person.p12"
    with pytest.raises(InputError):  # offline: vbsign's own HTTP client may not be used
        api.sign(sample_pdf, key=key, passphrase="vbsign-test", trust=pki.roots, tsa=url, level="B-T",
                 services=svc, clock=lambda: T0)
    asked: list[tuple[str, float]] = []

    class AuthenticatedTSA:
        def vbsign_timestamper(self, url: str, timeout: float) -> Any:
            asked.append((url, timeout))
            return pki.timestamper(T0) if url.startswith("https://tsa.bo-khcn.invalid") else None

    pm.add_plugin(AuthenticatedTSA(), "tsa-auth")
    result = api.sign(sample_pdf, key=key, passphrase="vbsign-test", trust=pki.roots, tsa=url, level="B-T",
                      services=svc, clock=lambda: T0)
    assert asked == [(url, svc.timeout)]
    sig = verify_at(result.data, fetch=True).signatures[0]
    assert sig.timestamp is not None and sig.timestamp.time == T0 and sig.level == "B-T"


def test_revocation_source_from_a_plugin(pm: manager.PluginManager, pki: Any, pki_dir: Path, sample_pdf: bytes) -> None:
    offline = Services(online=False)
    key = pki_dir / "person.p12"
    with pytest.raises(CertificateRejected):  # no revocation source at all: fail closed
        api.sign(sample_pdf, key=key, passphrase="vbsign-test", trust=pki.roots, level="B-B",
                 services=offline, clock=lambda: T0)
    asked: list[tuple[bool, float]] = []

    class LocalCRLMirror:
        def vbsign_revocation_source(self, online: bool, timeout: float) -> Any:
            asked.append((online, timeout))
            return pki.fetcher_backend(T0)

    pm.add_plugin(LocalCRLMirror(), "crl-mirror")
    signed = api.sign(sample_pdf, key=key, passphrase="vbsign-test", trust=pki.roots, level="B-B",
                      services=Services(online=False), clock=lambda: T0).data
    assert asked and asked[0] == (False, offline.timeout)
    report = api.verify(signed, trust=pki.roots, now=T0, services=Services(online=False))
    assert report.indication is Indication.TOTAL_PASSED
    assert report.signatures[0].revocation is not None and report.signatures[0].revocation.status == "good"


# ---- report renderers -----------------------------------------------------------------------


class CsvRenderer:
    def vbsign_report_renderers(self) -> Mapping[str, Any]:
        def csv(report: Any, lang: str) -> str:
            rows = ["id;signer;indication"]
            rows += [f"{s.id};{s.signer.common_name if s.signer else ''};{s.indication.value}" for s in report.signatures]
            return "\n".join(rows)

        return {"csv": csv}


def test_report_renderer_from_a_plugin(pm: manager.PluginManager, sign_as: Any, verify_at: Any, sample_pdf: bytes) -> None:
    report = verify_at(sign_as("person", sample_pdf))
    with pytest.raises(InputError, match="csv"):
        render_report(report, "csv")
    pm.add_plugin(CsvRenderer(), "csv-export")
    assert render_report(report, "csv") == "id;signer;indication\nS1;Nguyễn Văn A;TOTAL-PASSED"
    assert "Nguyễn Văn A" in str(render_report(report, "text", "vi"))

    class Clash:
        def vbsign_report_renderers(self) -> Mapping[str, Any]:
            return {"text": lambda r, lang: ""}

    pm.add_plugin(Clash(), "clash")
    with pytest.raises(PluginError) as ei:
        render_report(report, "text")
    assert "vbsign-builtins" in str(ei.value) and "clash" in str(ei.value)


def test_cli_verify_format_uses_plugin_renderers(
    pm: manager.PluginManager, tmp_path: Path, sign_as: Any, sample_pdf: bytes, pki_dir: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vbsign.cli.main import main

    monkeypatch.setenv("VBSIGN_LANG", "en")
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(sign_as("person", sample_pdf))
    pm.add_plugin(CsvRenderer(), "csv-export")
    args = ["verify", str(signed), "--trust", str(pki_dir / "roots.pem"), "--offline"]
    with pytest.raises(SystemExit):
        main([*args, "--format", "csv"])
    out = capsys.readouterr().out
    assert out.startswith("id;signer;indication\nS1;Nguyễn Văn A;"), out
    with pytest.raises(SystemExit) as ei:
        main([*args, "--format", "docx"])
    err = capsys.readouterr().err
    assert ei.value.code == 3 and "csv" in err and "docx" in err
