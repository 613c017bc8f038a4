"""Key backends, selected by the key reference.

``open_key(ref)`` understands:

* a path ending in ``.p12`` / ``.pfx`` (PKCS#12), or ``pkcs12:PATH``;
* a path to a PEM private key (certificates in the same file or given separately);
* ``pkcs11:…`` RFC 7512 URIs (PKCS#11 tokens, :mod:`vbsign.backends.pkcs11`);
* ``csc:CREDENTIAL_ID`` — a remote-signing service speaking the CSC API v2
  (:mod:`vbsign.backends.csc`; options ``csc_url``, ``token``, ``pin``, ``pin_callback``);
* any scheme registered with :func:`register_backend`, or found by ``more_schemes`` — the API
  (:func:`vbsign.open_key`, :class:`vbsign.Signer`) passes the schemes plugins register
  (``vbsign_key_backends`` hook) this way; this package never looks for plugins itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vbsign._core.errors import InputError
from vbsign._core.i18n import Msg
from vbsign._core.secrets import SecretLike
from vbsign.backends.base import KeyTransport, SigningKey

KeyFactory = Callable[..., SigningKey]

_FACTORIES: dict[str, KeyFactory] = {}


def register_backend(scheme: str, factory: KeyFactory) -> None:
    """Register ``factory(ref, **options)`` for key references ``scheme:…``."""
    _FACTORIES[scheme.lower()] = factory


def registered_schemes() -> list[str]:
    _ensure_builtins()
    return sorted(_FACTORIES)


def _software_factory(ref: str, **opts: Any) -> SigningKey:
    import vbsign.backends.software as software  # start-up: pyHanko's signers

    path = ref.split(":", 1)[1] if ref.lower().startswith(("pkcs12:", "pem:", "file:")) else ref
    passphrase: SecretLike = opts.get("passphrase")
    if ref.lower().startswith("pem:") or not path.lower().endswith((".p12", ".pfx")):
        return software.load_pem(path, opts.get("cert"), opts.get("chain"), passphrase)
    return software.load_pkcs12(path, passphrase)


def _pkcs11_factory(ref: str, **opts: Any) -> SigningKey:
    try:
        import vbsign.backends.pkcs11 as pkcs11  # optional extra: the pkcs11 extra
    except ImportError as e:  # pragma: no cover - extra not installed
        raise InputError(
            Msg(
                "Chưa cài hỗ trợ PKCS#11: pip install 'vbsign[pkcs11]' ({e})",
                "PKCS#11 support is not installed: pip install 'vbsign[pkcs11]' ({e})",
            ).format(e=e)
        ) from e
    return pkcs11.open_key(ref, **opts)  # type: ignore[no-any-return]


def _csc_factory(ref: str, **opts: Any) -> SigningKey:
    import vbsign.backends.csc as csc  # start-up: aiohttp, pyHanko's CSC client

    return csc.open_csc_key(ref, **opts)


def _ensure_builtins() -> None:
    for scheme in ("pkcs12", "pem", "file"):
        _FACTORIES.setdefault(scheme, _software_factory)
    _FACTORIES.setdefault("pkcs11", _pkcs11_factory)
    _FACTORIES.setdefault("csc", _csc_factory)


def open_key(
    ref: str | os.PathLike[str] | SigningKey,
    *,
    more_schemes: Callable[[str], KeyFactory | None] | None = None,
    **options: Any,
) -> SigningKey:
    """Open the key named by ``ref`` (see module docs). A :class:`SigningKey` passes through.

    ``more_schemes(scheme)`` is asked for a factory when ``scheme:`` is neither built in nor
    registered; ``options`` go to the factory.
    """
    if isinstance(ref, SigningKey):
        return ref
    _ensure_builtins()
    text = os.fspath(ref)
    scheme = text.split(":", 1)[0].lower() if ":" in text and not Path(text).exists() else ""
    if len(scheme) <= 1:  # no scheme, or a Windows drive letter
        return _software_factory(text, **options)
    factory = _FACTORIES.get(scheme)
    if factory is None and more_schemes is not None:
        factory = more_schemes(scheme)
    if factory is None:
        raise InputError(
            Msg(
                "Không có backend khóa cho lược đồ '{s}:' (có: {known}).",
                "No key backend for scheme '{s}:' (known: {known}).",
            ).format(s=scheme, known=", ".join(registered_schemes()))
        )
    return factory(text, **options)


__all__ = ["KeyTransport", "SigningKey", "open_key", "register_backend", "registered_schemes"]
