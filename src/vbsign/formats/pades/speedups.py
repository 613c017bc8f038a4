"""Process-wide speed-ups, on request only: :func:`enable_speedups` (``vbsign.enable_speedups``).

vbsign's own PDF readers are fast without it (:mod:`vbsign.formats.pades.reader`). This
function is for applications that own their process — the ``vbsign`` command calls it, a
service may — and want more:

* pyHanko's hex-string and array readers are replaced in :mod:`pyhanko.pdf_utils.generic`
  by the same equivalent, faster ones (so readers pyHanko creates internally benefit too);
* asn1crypto's RFC 4518 string preparation of X.509 names — recomputed for every freshly
  parsed certificate, and with Vietnamese names the main cost of certificate matching — is
  memoised (a pure function of the string).

A library must not change its host: importing vbsign never does this. Calling it twice is
harmless; the originals stay reachable as ``__wrapped__``.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic

from vbsign.formats.pades.reader import make_array_reader, read_hex_string

_lock = threading.Lock()
_installed = False


def enable_speedups() -> None:
    """Install vbsign's faster PDF tokenizer leaves and X.509 name preparation process-wide."""
    global _installed
    with _lock:
        if _installed:
            return
        _memoise_name_preparation()
        generic.read_hex_string_from_stream = read_hex_string  # type: ignore[assignment]
        array_cls: Any = generic.ArrayObject
        array_cls.read_from_stream = staticmethod(make_array_reader(array_cls.read_from_stream))
        _installed = True


def speedups_enabled() -> bool:
    """Whether :func:`enable_speedups` ran in this process."""
    return _installed


def _memoise_name_preparation() -> None:
    prep = asn1_x509.NameTypeAndValue._ldap_string_prep

    @functools.lru_cache(maxsize=8192)
    def _prep_cached(string: str) -> str:
        result: str = prep(None, string)  # the method does not use self
        return result

    def _ldap_string_prep(self: Any, string: Any) -> Any:
        if isinstance(string, str):
            return _prep_cached(string)
        return prep(self, string)

    _ldap_string_prep.__wrapped__ = prep  # type: ignore[attr-defined]
    asn1_x509.NameTypeAndValue._ldap_string_prep = _ldap_string_prep  # type: ignore[method-assign]


__all__ = ["enable_speedups", "speedups_enabled"]
