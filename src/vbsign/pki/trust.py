"""Trust anchors and intermediate certificates.

A :class:`TrustStore` is an explicit list of anchors (self-signed roots, or any certificate
the operator decides to trust) plus intermediates that help build paths. vbsign never falls
back to the operating system's TLS trust list: Vietnamese signatures chain to national roots
(VGCA "RootCA chuyên dùng Chính phủ", NEAC "Vietnam National Root CA") that are not in it.

The default store is a directory (``VBSIGN_TRUST_DIR`` or the user config directory's
``trust/``) managed with ``vbsign trust add|list|remove``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509

from vbsign._core.x509 import (
    dedupe_certificates,
    fingerprint,
    load_certificates,
)


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
        return TrustStore(self.anchors, tuple(dedupe_certificates([*self.intermediates, *extra])))

    def fingerprints(self) -> list[str]:
        return [fingerprint(c) for c in self.anchors]

    def __post_init__(self) -> None:
        # normalise (parsed, de-duplicated) once; frozen dataclass, hence object.__setattr__
        object.__setattr__(self, "anchors", tuple(dedupe_certificates(self.anchors)))
        object.__setattr__(self, "intermediates", tuple(dedupe_certificates(self.intermediates)))

    def __bool__(self) -> bool:
        return bool(self.anchors)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as DER (an isolated worker gets a copy): asn1crypto objects that were
        already (partly) parsed do not survive pickling intact."""
        return (_store_from_der, ([c.dump() for c in self.anchors], [c.dump() for c in self.intermediates]))


def _store_from_der(anchors: list[bytes], intermediates: list[bytes]) -> TrustStore:
    return TrustStore(
        tuple(x509.Certificate.load(d) for d in anchors), tuple(x509.Certificate.load(d) for d in intermediates)
    )


#: what every ``trust=`` parameter accepts: a store, certificates or paths to certificate
#: files/directories, or ``None`` for the default store (:func:`default_store`)
TrustLike = TrustStore | Iterable[str | os.PathLike[str] | x509.Certificate] | None


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
