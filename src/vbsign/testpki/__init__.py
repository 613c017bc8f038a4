"""A test PKI shaped like the Vietnamese one, for tests and for host-system developers.

Two branches, both **TEST ONLY** (the private keys ship with vbsign and are public):

* government ("chuyên dùng"): ``RootCA chuyên dùng Chính phủ G2 (TEST)`` →
  ``CA phục vụ các cơ quan Nhà nước G2 (TEST)`` → persons (``person``, ``person-b``,
  ``person-ec``), agency seals (``agency``, ``agency-b``), a TSA and an OCSP responder;
* public: ``Vietnam National Root CA (TEST)`` → ``Public CA SHA2 (TEST)`` →
  ``subscriber`` (``UID=CCCD:…``);
* deliberately bad certificates: ``revoked``, ``revoked-later`` (revoked 2027-03-01),
  ``expired``, ``not-yet-valid``, ``wrong-ku``, ``sha1``, ``rsa1024``;
* S/MIME (e-mail) certificates with the emailProtection purpose and an e-mail address:
  ``mail-person`` (RSA, SAN + E), ``mail-person-b`` (RSA, SAN), ``mail-ec`` (ECDSA, E only),
  and ``mail-noeku`` (EKU clientAuth only: not for e-mail).

Services (OCSP, CRL, TSA) come in three flavours:

* real HTTP on ``127.0.0.1`` (:func:`vbsign.testpki.server.serve`, ``vbsign testpki serve``);
* in-process, no HTTP at all (:meth:`TestPKI.timestamper`, :meth:`TestPKI.fetcher_backend`),
  deterministic when given a fixed time — what unit tests and ``vbsign demo`` use.

The certificates carry the real VGCA policy OID (2.16.704.1.1.1.1.1) so that signer
classification behaves as in production; their names all end in "(TEST)" or are fictitious.
"""

from __future__ import annotations

import functools
import hashlib
import socket
import threading
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asn1crypto import crl, keys, ocsp, pem, tsp, x509

from vbsign._core.errors import ConfigurationError
from vbsign._core.i18n import Msg

if TYPE_CHECKING:
    from certomancer.registry import PKIArchitecture
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko_certvalidator.fetchers.api import FetcherBackend

ARCH = "vn"
#: the archive PKI (long-term validation tests): CA, signer and first TSA expire, a second
#: CA and TSA outlive them (see certomancer.yml)
ARCHIVE_ARCH = "vn-archive"
DEFAULT_PORT = 8750
#: the test PKI's services listen on loopback only
HOST = "127.0.0.1"
DEFAULT_PASSPHRASE = "vbsign-test"
TSA_LABEL = "tsa"

#: certificates exported as PKCS#12 by ``vbsign testpki init`` (key + cert + chain)
SUBJECTS: tuple[str, ...] = (
    "person",
    "person-b",
    "person-ec",
    "agency",
    "agency-b",
    "subscriber",
    "revoked",
    "revoked-later",
    "expired",
    "not-yet-valid",
    "wrong-ku",
    "sha1",
    "rsa1024",
    "agency-unit",
    "pub-org",
    "service-system",
    # S/MIME: e-mail address (SAN / E) and the emailProtection purpose
    "mail-person",
    "mail-person-b",
    "mail-ec",
    "mail-noeku",
)
ROOTS: tuple[str, ...] = ("gov-root", "pub-root")
INTERMEDIATES: tuple[str, ...] = ("gov-ca", "pub-ca")
SERVICE_CERTS: tuple[str, ...] = ("gov-ocsp", "gov-tsa", "pub-ocsp")

DESCRIPTIONS: dict[str, Msg] = {
    "person": Msg(
        "Người có thẩm quyền — Cục Chuyển đổi số quốc gia, Bộ KH&CN", "Competent person — National Digital Transformation Agency, MOST"
    ),
    "person-b": Msg("Người có thẩm quyền — Sở KH&CN Hà Nội", "Competent person — Hanoi DOST"),
    "person-ec": Msg("Chuyên viên, khóa ECDSA P-256", "Officer, ECDSA P-256 key"),
    "agency": Msg(
        "Chứng thư cơ quan (con dấu) — Cục Chuyển đổi số quốc gia", "Agency (seal) certificate — National Digital Transformation Agency"
    ),
    "agency-b": Msg("Chứng thư cơ quan (con dấu) — Sở KH&CN Hà Nội", "Agency (seal) certificate — Hanoi DOST"),
    "subscriber": Msg("Thuê bao CA công cộng, UID=CCCD", "Public-CA subscriber, UID=CCCD"),
    "revoked": Msg("Bị thu hồi từ 01/06/2026", "Revoked since 2026-06-01"),
    "revoked-later": Msg("Bị thu hồi từ 01/03/2027", "Revoked since 2027-03-01"),
    "expired": Msg("Hết hạn ngày 01/01/2025", "Expired on 2025-01-01"),
    "not-yet-valid": Msg("Có hiệu lực từ 01/01/2031", "Valid from 2031-01-01"),
    "wrong-ku": Msg("Sai mục đích sử dụng khóa (chỉ keyEncipherment)", "Wrong key usage (keyEncipherment only)"),
    "sha1": Msg("Chứng thư ký bằng SHA-1", "Certificate signed with SHA-1"),
    "rsa1024": Msg("Khóa RSA-1024 (quá ngắn)", "RSA-1024 key (too short)"),
    "agency-unit": Msg(
        "Chứng thư cơ quan có hai OU (đơn vị cấp dưới), RSA-3072", "Agency certificate with two OUs (a sub-unit), RSA-3072"
    ),
    "pub-org": Msg("Tổ chức, CA công cộng, UID=MST", "Organisation, public CA, UID=MST"),
    "service-system": Msg(
        "Chứng thư hệ thống/dịch vụ (NĐ 68 Mẫu 03): không phân loại được theo tên",
        "System/service certificate (Decree 68 form 03): not classifiable by its name",
    ),
    "mail-person": Msg(
        "Thư điện tử S/MIME: RSA, emailProtection, SAN + E thu.nt@bkhcn.vbsign.test",
        "S/MIME e-mail: RSA, emailProtection, SAN + E thu.nt@bkhcn.vbsign.test",
    ),
    "mail-person-b": Msg(
        "Thư điện tử S/MIME (người nhận): RSA, SAN nhan.pv@sokhcn.hanoi.vbsign.test",
        "S/MIME e-mail (recipient): RSA, SAN nhan.pv@sokhcn.hanoi.vbsign.test",
    ),
    "mail-ec": Msg(
        "Thư điện tử S/MIME: ECDSA P-256, chỉ thuộc tính E diep.ht@bkhcn.vbsign.test",
        "S/MIME e-mail: ECDSA P-256, E attribute only diep.ht@bkhcn.vbsign.test",
    ),
    "mail-noeku": Msg(
        "Không có mục đích emailProtection (EKU chỉ clientAuth)", "No emailProtection purpose (EKU clientAuth only)"
    ),
}


def free_port() -> int:
    """A loopback port nothing listens on right now (``testpki init --port 0``).

    Another program may take it before the services start; tests that start the services
    themselves use :meth:`ServerThread.on_free_port`, which keeps the port bound.
    """
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _install_fast_crypto_backend() -> None:
    """Certomancer re-parses (and re-validates) a private key for every signature it makes.

    Our test keys are known-good, so we parse each once without the expensive RSA
    consistency check. This turns PKI loading from ~3 s into ~0.3 s and every in-process
    OCSP/CRL/TSA response from ~60 ms into ~1 ms.
    """
    from certomancer import crypto_utils
    from cryptography.hazmat.primitives import serialization

    if isinstance(crypto_utils.CRYPTO_BACKEND, _FastBackendMarker):
        return

    cache: dict[bytes, Any] = {}
    lock = threading.Lock()

    def load(der: bytes) -> Any:
        with lock:
            key = cache.get(der)
            if key is None:
                key = serialization.load_der_private_key(
                    der, password=None, unsafe_skip_rsa_key_validation=True
                )
                cache[der] = key
            return key

    base = crypto_utils.PycaCryptographyBackend

    class FastBackend(base, _FastBackendMarker):  # type: ignore[misc,valid-type]
        def load_private_key(self, key_bytes: bytes, password: bytes | None) -> Any:
            if password is None:
                der = pem.unarmor(key_bytes)[2] if pem.detect(key_bytes) else key_bytes
                priv = load(der)
                pkcs8 = priv.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                pub = priv.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                return keys.PrivateKeyInfo.load(pkcs8), keys.PublicKeyInfo.load(pub)
            return super().load_private_key(key_bytes, password)

        def generic_sign(self, private_key: Any, tbs_bytes: bytes, sd_algo: Any) -> bytes:
            from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

            priv = load(private_key.dump())
            algo = sd_algo.signature_algo
            if algo == "rsassa_pkcs1v15" and isinstance(priv, rsa.RSAPrivateKey):
                return priv.sign(tbs_bytes, padding.PKCS1v15(), _hash(sd_algo.hash_algo))
            if algo == "ecdsa" and isinstance(priv, ec.EllipticCurvePrivateKey):
                return priv.sign(tbs_bytes, ec.ECDSA(_hash(sd_algo.hash_algo)))
            signature: bytes = super().generic_sign(private_key, tbs_bytes, sd_algo)
            return signature

    crypto_utils.CRYPTO_BACKEND = FastBackend()


class _FastBackendMarker:
    pass


def _hash(name: str) -> Any:
    from cryptography.hazmat.primitives import hashes

    return getattr(hashes, name.upper())()


def _resource_dir() -> Path:
    return Path(str(resources.files(__package__)))


@functools.lru_cache(maxsize=8)
def load(port: int = DEFAULT_PORT, host: str = "localhost", arch_label: str = ARCH) -> TestPKI:
    """Load the test PKI with URLs ``http://{host}:{port}/vn/...`` baked into the certificates.

    Certificates are deterministic for a given URL prefix. ``host`` must be a host name,
    not an IP address (aiohttp bypasses in-process resolvers for literal IPs).
    """
    import yaml
    from certomancer.registry import ArchLabel, CertomancerConfig

    _install_fast_crypto_backend()
    base = _resource_dir()
    prefix = f"http://{host}:{port}"
    try:
        raw = yaml.safe_load((base / "certomancer.yml").read_text("utf-8"))
        cfg = CertomancerConfig(raw, key_search_dir=str(base), external_url_prefix=prefix)
        arch = cfg.get_pki_arch(ArchLabel(arch_label))
        if arch_label == ARCH:
            _apply_exact_subjects(arch, raw.get(RDNS_KEY) or {})
    except Exception as e:  # pragma: no cover - packaging error
        raise ConfigurationError(
            Msg("Không nạp được cấu hình PKI thử nghiệm: {e}", "Cannot load the test PKI config: {e}").format(e=e)
        ) from e
    return TestPKI(arch=arch, port=port, url_prefix=prefix)


#: top-level key of certomancer.yml with subjects a YAML mapping cannot express
RDNS_KEY = "vbsign-subject-rdns"


def exact_name(rdns: Iterable[tuple[str, str]]) -> x509.Name:
    """An X.501 name with the attributes in exactly this order, one per RDN, encoded as the
    real Vietnamese certificates encode them: ``C`` as PrintableString, the rest UTF8String."""
    seq = []
    for attr, value in rdns:
        kind = "printable_string" if attr == "country_name" else "utf8_string"
        seq.append(
            x509.RelativeDistinguishedName(
                [x509.NameTypeAndValue({"type": attr, "value": x509.DirectoryString(name=kind, value=value)})]
            )
        )
    return x509.Name(name="", value=x509.RDNSequence(seq))


def _apply_exact_subjects(arch: PKIArchitecture, spec: dict[str, list[list[str]]]) -> None:
    """Replace certomancer's entity names (built from a mapping, one value per attribute) by
    the exact RDN sequences of ``vbsign-subject-rdns``. Certificates are built lazily, so
    this happens before any of them exists."""
    from certomancer.registry import EntityLabel

    names = arch.entities._dict  # certomancer keeps no public setter for entity names
    for label, rdns in spec.items():
        if EntityLabel(label) not in names:
            raise ValueError(f"{RDNS_KEY}: unknown entity {label!r}")
        names[EntityLabel(label)] = exact_name((str(a), str(v)) for a, v in rdns)


@dataclass(frozen=True, eq=False)
class TestPKI:
    """A loaded test PKI (certificates, keys and services for one URL prefix)."""

    __test__ = False  # not a pytest test class

    arch: PKIArchitecture
    port: int
    url_prefix: str

    # ---- material ------------------------------------------------------------------------
    def cert(self, label: str) -> x509.Certificate:
        from certomancer.registry import CertLabel

        return self.arch.get_cert(CertLabel(label))

    def private_key(self, label: str) -> keys.PrivateKeyInfo:
        key_label = self.arch.get_cert_spec(_cert_label(label)).subject_key
        return self.arch.key_set.get_private_key(key_label)

    @property
    def roots(self) -> list[x509.Certificate]:
        return [self.cert(lbl) for lbl in ROOTS]

    def ca_certs(self) -> list[x509.Certificate]:
        """The CA certificates of this architecture (what an AIA fetch may return)."""
        if self.arch.arch_label == ARCH:
            return self.roots + self.intermediates
        certs = [self.arch.get_cert(spec.label) for _iss, specs in self.arch.enumerate_certs_by_issuer() for spec in specs]
        return [c for c in certs if c.ca]

    @property
    def intermediates(self) -> list[x509.Certificate]:
        return [self.cert(lbl) for lbl in INTERMEDIATES]

    def chain(self, label: str) -> list[x509.Certificate]:
        """Issuer certificates of ``label`` up to and including the root."""
        from certomancer.registry import CertLabel

        return [self.arch.get_cert(lbl) for lbl in self.arch.get_chain(CertLabel(label))]

    @property
    def tsa_url(self) -> str:
        from certomancer.registry import ServiceLabel

        return str(self.arch.service_registry.get_tsa_info(ServiceLabel(TSA_LABEL)).url)

    def service_urls(self) -> dict[str, list[str]]:
        reg = self.arch.service_registry
        return {
            "ocsp": [str(i.url) for i in reg.list_ocsp_responders()],
            "crl": [str(i.latest_external_url) for i in reg.list_crl_repos()],
            "tsa": [str(i.url) for i in reg.list_time_stamping_services()],
        }

    # ---- in-process services (no HTTP) ------------------------------------------------
    def timestamper(self, at_time: datetime | None = None, label: str = TSA_LABEL) -> TimeStamper:
        """An RFC 3161 timestamper served in-process by the test TSA (``label``: another
        time-stamping service of the architecture, e.g. the archive PKI's ``tsa2``)."""
        return _InProcessTimeStamper(self, at_time, label)

    def fetcher_backend(self, at_time: datetime | None = None) -> FetcherBackend:
        """A revocation/certificate fetcher backend answering in-process (no network)."""
        return _InProcessFetcherBackend(self, at_time)

    def ocsp_response(self, label: str, at_time: datetime | None = None) -> ocsp.OCSPResponse:
        """An OCSP response for certificate ``label`` from its issuer's responder."""
        from pyhanko_certvalidator.authority import AuthorityWithCert
        from pyhanko_certvalidator.fetchers.common_utils import format_ocsp_request

        cert = self.cert(label)
        issuer = self.chain(label)[0]
        req = format_ocsp_request(
            cert, AuthorityWithCert(issuer), certid_hash_algo="sha1", request_nonces=False
        )
        resp = self._answer_ocsp(cert.ocsp_urls[0], req, at_time)
        assert resp is not None
        return resp

    def _answer_ocsp(
        self, url: str, req: ocsp.OCSPRequest, at_time: datetime | None
    ) -> ocsp.OCSPResponse | None:
        for info in self.arch.service_registry.list_ocsp_responders():
            if str(info.url) == url:
                responder = self.arch.service_registry.summon_responder(info.label, _at(at_time))
                return responder.build_ocsp_response(req)
        return None

    def _answer_crl(self, url: str, at_time: datetime | None) -> crl.CertificateList | None:
        for info in self.arch.service_registry.list_crl_repos():
            if str(info.latest_external_url) == url:
                return self.arch.service_registry.get_crl(info.label, _at(at_time))
        return None

    def _answer_tsa(
        self, req: tsp.TimeStampReq, at_time: datetime | None, label: str = TSA_LABEL
    ) -> tsp.TimeStampResp:
        from certomancer.registry import ServiceLabel

        tsa = self.arch.service_registry.summon_timestamper(ServiceLabel(label), _at(at_time))
        return tsa.request_tsa_response(req)

    # ---- export ------------------------------------------------------------------------
    def pkcs12(self, label: str, passphrase: str) -> bytes:
        """PKCS#12 (key + certificate + chain up to the root) for ``label``."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509 import load_der_x509_certificate

        key = serialization.load_der_private_key(
            self.private_key(label).dump(), None, unsafe_skip_rsa_key_validation=True
        )
        cert = load_der_x509_certificate(self.cert(label).dump())
        chain = [load_der_x509_certificate(c.dump()) for c in self.chain(label)]
        enc = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(_hash("sha256"))
            .build(passphrase.encode("utf-8"))
        )
        return pkcs12.serialize_key_and_certificates(
            label.encode(), key, cert, chain, enc  # type: ignore[arg-type]
        )


def _cert_label(label: str) -> Any:
    from certomancer.registry import CertLabel

    return CertLabel(label)


def _at(at_time: datetime | None) -> datetime:
    return at_time or datetime.now(timezone.utc)


def pem_bundle(certs: Iterable[x509.Certificate]) -> bytes:
    return b"".join(pem.armor("CERTIFICATE", c.dump()) for c in certs)


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest().upper()


# ---- in-process services -------------------------------------------------------------------

from pyhanko.sign.timestamps.api import TimeStamper as _PyHankoTimeStamper  # noqa: E402
from pyhanko_certvalidator import errors as _cv_errors  # noqa: E402
from pyhanko_certvalidator.fetchers.api import (  # noqa: E402
    CertificateFetcher,
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
)


class _InProcessTimeStamper(_PyHankoTimeStamper):
    def __init__(self, pki: TestPKI, at_time: datetime | None, label: str = TSA_LABEL) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._pki = pki
        self._at_time = at_time
        self._label = label
        self.url = pki.tsa_url if label == TSA_LABEL else pki.service_urls()["tsa"][0].rsplit("/", 1)[0] + "/" + label

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return self._pki._answer_tsa(req, self._at_time, self._label)


class _InProcessOCSPFetcher(OCSPFetcher):
    def __init__(self, pki: TestPKI, at_time: datetime | None) -> None:
        self._pki, self._at = pki, at_time
        self._results: dict[tuple[bytes, bytes], ocsp.OCSPResponse] = {}

    async def fetch(self, cert: Any, authority: Any) -> ocsp.OCSPResponse:
        from pyhanko_certvalidator.fetchers.common_utils import format_ocsp_request
        from pyhanko_certvalidator.util import issuer_serial

        key = (issuer_serial(cert), authority.hashable)
        if key in self._results:
            return self._results[key]
        req = format_ocsp_request(cert, authority, certid_hash_algo="sha1", request_nonces=False)
        for url in cert.ocsp_urls:
            resp = self._pki._answer_ocsp(url, req, self._at)
            if resp is not None:
                self._results[key] = resp
                return resp
        raise _cv_errors.OCSPFetchError("No in-process OCSP responder for this certificate")

    def fetched_responses(self) -> Iterable[ocsp.OCSPResponse]:
        return list(self._results.values())

    def fetched_responses_for_cert(self, cert: Any) -> Iterable[ocsp.OCSPResponse]:
        from pyhanko_certvalidator.util import issuer_serial

        target = issuer_serial(cert)
        return [r for (subj, _), r in self._results.items() if subj == target]


class _InProcessCRLFetcher(CRLFetcher):
    def __init__(self, pki: TestPKI, at_time: datetime | None) -> None:
        self._pki, self._at = pki, at_time
        self._by_url: dict[str, crl.CertificateList] = {}
        self._by_cert: dict[bytes, list[crl.CertificateList]] = {}

    async def fetch(self, cert: Any, *, use_deltas: Any = None) -> Iterable[crl.CertificateList]:
        from pyhanko_certvalidator.util import issuer_serial

        out = []
        for dp in cert.crl_distribution_points or []:
            url = dp.url
            if not url:
                continue
            c = self._by_url.get(url) or self._pki._answer_crl(url, self._at)
            if c is not None:
                self._by_url[url] = c
                out.append(c)
        if not out:
            raise _cv_errors.CRLFetchError("No in-process CRL for this certificate")
        self._by_cert[issuer_serial(cert)] = out
        return out

    def fetched_crls(self) -> Iterable[crl.CertificateList]:
        return list(self._by_url.values())

    def fetched_crls_for_cert(self, cert: Any) -> Iterable[crl.CertificateList]:
        from pyhanko_certvalidator.util import issuer_serial

        return self._by_cert[issuer_serial(cert)]


class _InProcessCertFetcher(CertificateFetcher):
    def __init__(self, pki: TestPKI) -> None:
        self._pki = pki

    async def fetch_cert_issuers(self, cert: Any) -> AsyncGenerator[x509.Certificate, None]:
        issuer = cert.issuer
        for c in self._pki.ca_certs():
            if c.subject == issuer:
                yield c

    async def fetch_crl_issuers(self, certificate_list: Any) -> AsyncGenerator[x509.Certificate, None]:
        issuer = certificate_list.issuer
        for c in self._pki.ca_certs():
            if c.subject == issuer:
                yield c

    def fetched_certs(self) -> Iterable[x509.Certificate]:
        return []


class _InProcessFetcherBackend(FetcherBackend):
    def __init__(self, pki: TestPKI, at_time: datetime | None) -> None:
        self._pki, self._at = pki, at_time

    def get_fetchers(self) -> Fetchers:
        return Fetchers(
            ocsp_fetcher=_InProcessOCSPFetcher(self._pki, self._at),
            crl_fetcher=_InProcessCRLFetcher(self._pki, self._at),
            cert_fetcher=_InProcessCertFetcher(self._pki),
        )

    async def close(self) -> None:
        return None


__all__ = [
    "ARCH",
    "DEFAULT_PASSPHRASE",
    "DEFAULT_PORT",
    "SUBJECTS",
    "TestPKI",
    "fingerprint",
    "load",
    "pem_bundle",
]
