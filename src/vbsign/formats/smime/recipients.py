"""Recipient certificates for encryption: where they come from and whether they may be used.

Certificates come from the caller (files, :class:`asn1crypto.x509.Certificate` objects),
from an optional lookup function (``lookup(address) -> certificates``; the certificate
registry provides one: :func:`vbsign.registry.mail.recipient_lookup`) and from plugins
(hook ``vbsign_mail_recipient_certificates``, e.g. a directory service).

Before a message is encrypted for a certificate, the certificate is checked as strictly as a
signer's: valid now, RSA of at least 2048 bits (key transport is RSA-OAEP), a key usage that
allows key encipherment, the e-mail purpose (policy rule MAIL-01 decides refusal or warning),
and — unless disabled — a path to a trust anchor with its revocation status, fail closed:
encrypting for a revoked key would hand the message to whoever holds that key now.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeAlias

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator import errors as cv_errors

from vbsign._core.errors import CertificateRejected, ConfigurationError, InputError
from vbsign._core.i18n import Msg
from vbsign._core.x509 import read_certificates, unique_der
from vbsign.model.report import CertificateInfo
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import (
    OFFLINE,
    Services,
    build_context,
    path_error_reason,
    weak_key_problem,
)

#: ``lookup(address) -> certificates`` (e.g. the certificate registry's)
RecipientLookup = Callable[[str], Sequence[x509.Certificate]]
CertificateLike: TypeAlias = "x509.Certificate | str | os.PathLike[str] | bytes"


def load_recipient_certificates(items: Iterable[CertificateLike]) -> list[x509.Certificate]:
    """Certificates from objects, PEM/DER bytes or files (PEM, DER, PKCS#7 bundles)."""
    out: list[x509.Certificate] = []
    for item in items:
        if isinstance(item, x509.Certificate):
            out.append(item)
            continue
        if isinstance(item, bytes):
            out += read_certificates(item)
            continue
        try:
            with open(item, "rb") as fh:
                out += read_certificates(fh.read())
        except OSError as e:
            raise InputError(
                Msg("Không đọc được chứng thư người nhận {p}: {e}", "Cannot read recipient certificate {p}: {e}").format(
                    p=os.fspath(item), e=e.strerror or e
                )
            ) from e
    return unique_der(out)


def _matches(address: str, cert: x509.Certificate) -> bool:
    wanted = address.strip().casefold()
    return any(a.casefold() == wanted for a in CertificateInfo.from_asn1(cert).email_addresses)


def _newest_usable(certs: Sequence[x509.Certificate], now: datetime) -> list[x509.Certificate]:
    usable = [c for c in certs if c.not_valid_before <= now <= c.not_valid_after]
    return sorted(usable, key=lambda c: c.not_valid_before, reverse=True)[:1]


def resolve_recipients(
    addresses: Sequence[str],
    explicit: Sequence[x509.Certificate],
    *,
    now: datetime,
    lookups: Sequence[RecipientLookup] = (),
) -> list[x509.Certificate]:
    """Certificates for ``addresses``: the explicit ones, then — for addresses no explicit
    certificate names — the first of ``lookups`` that knows one (the API passes the
    caller's lookup, then the plugins'). Raises :class:`InputError` naming addresses left
    without one (when a lookup was available) — a message must not go out that a recipient
    cannot read."""
    chosen = list(explicit)
    if not lookups:
        return unique_der(chosen)
    missing: list[str] = []
    for addr in dict.fromkeys(a for a in addresses if a):
        if any(_matches(addr, c) for c in chosen):
            continue
        found: list[x509.Certificate] = []
        for lookup in lookups:
            found = list(lookup(addr))
            if found:
                break
        picked = _newest_usable(found, now)
        if picked:
            chosen += picked
        else:
            missing.append(addr)
    if missing:
        raise InputError(
            Msg(
                "Không có chứng thư mã hóa còn hiệu lực cho người nhận: {a}; thư không được mã hóa.",
                "No valid encryption certificate for recipient(s): {a}; the message was not encrypted.",
            ).format(a=", ".join(missing)),
            details={"missing": missing},
        )
    return unique_der(chosen)


def static_recipient_problems(cert: x509.Certificate, now: datetime) -> list[tuple[str, Msg]]:
    """Problems visible from the certificate alone."""
    problems: list[tuple[str, Msg]] = []
    if not cert.not_valid_before <= now <= cert.not_valid_after:
        problems.append(("NOT_VALID_NOW", Msg(
            "Chứng thư người nhận không có hiệu lực tại thời điểm này.", "The recipient certificate is not valid now."
        )))  # fmt: skip
    if cert.public_key.algorithm != "rsa":
        problems.append(("NOT_RSA", Msg(
            "Chứng thư người nhận không dùng khóa RSA (vbsign mã hóa bằng RSA-OAEP).",
            "The recipient certificate has no RSA key (vbsign encrypts with RSA-OAEP).",
        )))  # fmt: skip
    ku = cert.key_usage_value
    if ku is not None and "key_encipherment" not in ku.native:
        problems.append(("WRONG_KEY_USAGE", Msg(
            "Chứng thư người nhận không cho phép mã hóa khóa (Key Usage thiếu keyEncipherment).",
            "The recipient certificate does not allow key encipherment (Key Usage lacks keyEncipherment).",
        )))  # fmt: skip
    bc = cert.basic_constraints_value
    if bc is not None and bc["ca"].native:
        problems.append(("CA_CERTIFICATE", Msg("Đây là chứng thư của CA.", "This is a CA certificate.")))
    weak = weak_key_problem(cert)
    if weak is not None:
        problems.append(("WEAK_KEY", weak))
    return problems


async def check_recipient(
    cert: x509.Certificate,
    trust: TrustStore,
    *,
    now: datetime,
    services: Services,
    check_chain: bool = True,
    check_revocation: bool = True,
    clock_given: bool = False,
    intermediates: Sequence[x509.Certificate] = (),
) -> list[tuple[str, Msg]]:
    """Every problem of ``cert`` as a recipient (empty: usable)."""
    problems = static_recipient_problems(cert, now)
    if problems or not check_chain:
        return problems
    if not trust:
        raise ConfigurationError(
            Msg(
                "Chưa cấu hình chứng thư gốc tin cậy để kiểm tra chứng thư người nhận (--trust).",
                "No trust anchors configured to check recipient certificates (--trust).",
            )
        )
    if check_revocation and not services.can_fetch:
        return [("REVOCATION_UNAVAILABLE", Msg(
            "Chế độ ngoại tuyến: không kiểm tra được thu hồi chứng thư người nhận.",
            "Offline mode: the recipient certificate's revocation status cannot be checked.",
        ))]  # fmt: skip
    vc = build_context(
        trust, moment=now if clock_given else None, other_certs=intermediates,
        services=services if check_revocation else OFFLINE, require_revocation=check_revocation,
    )  # fmt: skip
    try:
        await CertificateValidator(cert, intermediate_certs=list(intermediates), validation_context=vc).async_validate_usage(set())
    except (cv_errors.PathBuildingError, cv_errors.ValidationError, ValueError) as e:
        problems.append(path_error_reason(e))
    finally:
        await vc.aclose()
    return problems


def refuse(cert: x509.Certificate, problems: list[tuple[str, Msg]]) -> CertificateRejected:
    name = CertificateInfo.from_asn1(cert)
    return CertificateRejected(
        Msg(
            "Không mã hóa: chứng thư người nhận {n} không đạt kiểm tra ({c}).",
            "Not encrypted: the recipient certificate {n} failed the check ({c}).",
        ).format(n=name.common_name or name.subject, c=", ".join(c for c, _ in problems)),
        reasons=[m for _, m in problems],
        details={"codes": [c for c, _ in problems], "subject": name.subject},
    )


__all__ = [
    "CertificateLike",
    "RecipientLookup",
    "check_recipient",
    "load_recipient_certificates",
    "refuse",
    "resolve_recipients",
    "static_recipient_problems",
]
