"""What plugins contribute, fetched in one place and handed down as plain arguments.

The layers below the API (:mod:`vbsign.pki`, :mod:`vbsign.backends`, :mod:`vbsign.policy`,
the formats) never look for plugins: they are given a revocation source, a key factory, a
timestamper, a policy registry. This module is where the API asks the plugin manager
(:mod:`vbsign.plugins.lifecycle`) for them:

* :func:`trust_or_default` — the caller's trust, or the default store plus plugins' anchors;
* :func:`resolve_services` — the caller's :class:`~vbsign.pki.validation.Services`, with a
  plugin's revocation source when the caller injected none;
* :func:`open_key` — built-in key schemes, then the schemes plugins register;
* :func:`timestamper` — a plugin's TSA client for a URL, else vbsign's own (TLS ≥ 1.2);
* the policy rules and profiles plugins contribute: :mod:`vbsign.api.policies` (kept apart so
  that ``vbsign policy list`` does not load the signing machinery).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from pyhanko.sign.timestamps.api import TimeStamper

import vbsign.plugins.lifecycle as lifecycle
import vbsign.plugins.manager as manager
from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign.backends import open_key as _open_key
from vbsign.backends.base import SigningKey
from vbsign.pki.net import http_timestamper
from vbsign.pki.trust import TrustLike, TrustStore
from vbsign.pki.validation import DEFAULT_SERVICES, Services


def trust_or_default(trust: TrustLike) -> TrustLike:
    """``trust`` itself, or (when ``None``) the default store plus plugins' anchors.

    An explicit ``trust`` is the complete set of anchors: plugins never add to it, so a
    verdict does not depend on which plugins happen to be installed.
    """
    if trust is not None:
        return trust
    store = TrustStore.coerce(None)
    extra = lifecycle.trust_anchors() if manager.has_implementations("vbsign_trust_anchors") else []
    return TrustStore.coerce([*store.anchors, *extra]).with_intermediates(store.intermediates) if extra else store


def resolve_services(services: Services | None) -> Services:
    """``services`` (default: the shared online one) with a plugin's revocation source
    (``vbsign_revocation_source``) when the caller injected none; asked once per operation."""
    base = services if services is not None else DEFAULT_SERVICES
    if base.fetcher_backend is not None or not manager.has_implementations("vbsign_revocation_source"):
        return base
    source = lifecycle.revocation_source(base.online, base.timeout)
    # same cache: what one operation fetched serves the next, as with the caller's object
    return base if source is None else dataclasses.replace(base, fetcher_backend=source)


def open_key(ref: str | os.PathLike[str] | SigningKey, **options: Any) -> SigningKey:
    """Open the key named by ``ref``: built-in schemes (PKCS#12, PEM, PKCS#11, CSC), then the
    schemes plugins register (``vbsign_key_backends``). A :class:`SigningKey` passes through.

    Args:
        ref: a key file (``.p12``/``.pfx``, PEM), a ``pkcs11:`` URI, a ``csc:`` credential, a
            plugin's scheme, or an opened key.
        **options: the backend's options: ``passphrase``, ``pin``, ``pin_callback``,
            ``module``, ``cert``/``chain`` (PEM keys), ``csc_url`` (remote signing)…
    """
    return _open_key(ref, more_schemes=lifecycle.key_backend_factory, **options)


def timestamper(tsa: str | TimeStamper | None, services: Services) -> TimeStamper | None:
    """The timestamper for ``tsa``: a plugin's client for that URL (``vbsign_timestamper``),
    else vbsign's own HTTP client (TLS ≥ 1.2, bounded by ``services.timeout``)."""
    if tsa is None or isinstance(tsa, TimeStamper):
        return tsa
    plugged = lifecycle.timestamper(tsa, services.timeout)
    if plugged is not None:
        return plugged
    if not services.online:
        raise InputError(
            Msg(
                "Chế độ ngoại tuyến không dùng được máy chủ dấu thời gian {u}.",
                "Offline mode cannot use the timestamp server {u}.",
            ).format(u=tsa)
        )
    return http_timestamper(tsa, services.timeout)  # TLS ≥ 1.2 (TT 15/2025, rule TT15-11)


__all__ = [
    "open_key",
    "resolve_services",
    "timestamper",
    "trust_or_default",
]
