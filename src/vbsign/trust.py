"""Trust anchors and intermediate certificates.

A :class:`TrustStore` is an explicit list of anchors (self-signed roots, or any certificate
the operator decides to trust) plus intermediates that help build paths. vbsign never falls
back to the operating system's TLS trust list: Vietnamese signatures chain to national roots
(VGCA "RootCA chuyên dùng Chính phủ", NEAC "Vietnam National Root CA") that are not in it.

The default store is a directory (``VBSIGN_TRUST_DIR`` or the user config directory's
``trust/``) managed with ``vbsign trust add|list|remove``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509

from vbsign._bounds import CERTIFICATE_FILE, read_bounded
from vbsign.backends.software import read_certificates
from vbsign.errors import InputError
from vbsign.i18n import Msg

CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der", ".p7b", ".p7c")


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest().upper()


def load_certificates(paths: Iterable[str | os.PathLike[str]]) -> list[x509.Certificate]:
    """Certificates from files (PEM/DER/PKCS#7) or directories of such files."""
    out: list[x509.Certificate] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files = sorted(f for f in path.iterdir() if f.suffix.lower() in CERT_SUFFIXES)
        elif path.exists():
            files = [path]
        else:
            raise InputError(
                Msg("Không tìm thấy tệp chứng thư: {p}", "Certificate file not found: {p}").format(p=path)
            )
        for f in files:
            data = read_bounded(f, CERTIFICATE_FILE)  # a too-large file is named as such
            try:
                out += read_certificates(data)
            except InputError:
                raise InputError(
                    Msg("Tệp {p} không chứa chứng thư số hợp lệ.", "File {p} contains no valid certificate.").format(
                        p=f
                    )
                ) from None
    return _dedupe(out)


def unique_der(items: Iterable[Any]) -> list[Any]:
    """ASN.1 objects (certificates, OCSP responses, CRLs) without duplicates, in order."""
    seen: set[bytes] = set()
    out = []
    for it in items:
        d = it.dump()
        if d not in seen:
            seen.add(d)
            out.append(it)
    return out


def _dedupe(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """Drop duplicates; re-load each certificate from its DER encoding.

    Re-loading matters for speed: certificates built in memory (e.g. by a test PKI) are
    re-serialised by asn1crypto on every comparison, parsed ones are not.
    """
    seen: set[bytes] = set()
    out = []
    for c in certs:
        d = c.dump()
        if d not in seen:
            seen.add(d)
            out.append(x509.Certificate.load(d))
    return out


@dataclass(frozen=True)
class TrustStore:
    """Trust anchors plus helper intermediates."""

    anchors: Sequence[x509.Certificate]
    intermediates: Sequence[x509.Certificate] = field(default_factory=tuple)

    @classmethod
    def from_paths(
        cls,
        anchors: Iterable[str | os.PathLike[str]],
        intermediates: Iterable[str | os.PathLike[str]] = (),
    ) -> TrustStore:
        return cls(tuple(load_certificates(anchors)), tuple(load_certificates(intermediates)))

    @classmethod
    def coerce(
        cls,
        value: TrustStore | Iterable[str | os.PathLike[str] | x509.Certificate] | None,
    ) -> TrustStore:
        """Accept a store, certificates, or paths; ``None`` means the default store."""
        if value is None:
            return default_store()
        if isinstance(value, TrustStore):
            return value
        certs: list[x509.Certificate] = []
        paths: list[str | os.PathLike[str]] = []
        for item in value:
            if isinstance(item, x509.Certificate):
                certs.append(item)
            else:
                paths.append(item)
        return cls(tuple(certs + load_certificates(paths)))

    def with_intermediates(self, extra: Iterable[x509.Certificate]) -> TrustStore:
        return TrustStore(self.anchors, tuple(_dedupe([*self.intermediates, *extra])))

    def fingerprints(self) -> list[str]:
        return [fingerprint(c) for c in self.anchors]

    def __post_init__(self) -> None:
        # normalise (parsed, de-duplicated) once; frozen dataclass, hence object.__setattr__
        object.__setattr__(self, "anchors", tuple(_dedupe(self.anchors)))
        object.__setattr__(self, "intermediates", tuple(_dedupe(self.intermediates)))

    def __bool__(self) -> bool:
        return bool(self.anchors)


def default_trust_dir() -> Path:
    env = os.environ.get("VBSIGN_TRUST_DIR")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("vbsign")) / "trust"


def default_store() -> TrustStore:
    """The store in :func:`default_trust_dir` (empty if the directory does not exist)."""
    d = default_trust_dir()
    if not d.is_dir():
        return TrustStore(())
    anchors = load_certificates([d])
    inter_dir = d / "intermediates"
    inter = load_certificates([inter_dir]) if inter_dir.is_dir() else []
    return TrustStore(tuple(anchors), tuple(inter))
