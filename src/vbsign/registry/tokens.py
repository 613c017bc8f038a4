"""Reading the certificates stored on PKCS#11 tokens, for import into the registry.

Uses the PKCS#11 backend's listing (:func:`vbsign.backends.pkcs11_objects.list_module`):
public objects only — no login, no PIN — through the real module (driver) of the token.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import x509

from vbsign._core.i18n import Msg
from vbsign.registry.errors import NotFound, RegistryError


@dataclass(frozen=True)
class TokenCertificates:
    serial: str
    label: str
    model: str
    certificates: tuple[x509.Certificate, ...]


def read_tokens(module: str) -> list[TokenCertificates]:
    """Every token the module exposes, with its certificates (end-entity first)."""
    from vbsign.backends.pkcs11_modules import resolve_module_path
    from vbsign.backends.pkcs11_objects import list_module

    listing = list_module(resolve_module_path(module))
    out = []
    for tok in listing.tokens:
        if tok.error is not None:
            raise RegistryError(
                Msg("Không đọc được thiết bị {t}: {e}", "Cannot read token {t}: {e}").format(
                    t=tok.info.label, e=tok.error.get()
                )
            )
        out.append(
            TokenCertificates(
                serial=tok.info.serial.strip(),
                label=tok.info.label.strip(),
                model=" ".join(p for p in (tok.info.manufacturer.strip(), tok.info.model.strip()) if p),
                certificates=tuple(entry.certificate for entry, _uri in tok.certificates),
            )
        )
    return out


def read_token_certificates(module: str, *, token: str | None = None) -> tuple[str, list[x509.Certificate]]:
    """``(token serial, certificates)`` of the token whose serial or label is ``token``
    (the only token if there is just one)."""
    tokens = read_tokens(module)
    if token is not None:
        tokens = [t for t in tokens if token in (t.serial, t.label)]
    if not tokens:
        raise NotFound(
            Msg("Không tìm thấy thiết bị ký {t} trong mô-đun {m}.", "No token {t} in module {m}.").format(
                t=token or "", m=module
            )
        )
    if len(tokens) > 1:
        raise RegistryError(
            Msg(
                "Mô-đun có {n} thiết bị ({l}); chọn một bằng --token SỐ_SERI hoặc NHÃN.",
                "The module has {n} tokens ({l}); choose one with --token SERIAL or LABEL.",
            ).format(n=len(tokens), l=", ".join(f"{t.label} [{t.serial}]" for t in tokens))
        )
    return tokens[0].serial, list(tokens[0].certificates)
