"""The registry as a source of recipient certificates for encrypted e-mail (S/MIME).

The mail package never opens a registry by itself; a host that keeps one hands its lookup
to :func:`vbsign.mail.encrypt_message` (or :class:`vbsign.host.MailSendContext`)::

    from vbsign.registry import Registry
    from vbsign.registry.mail import recipient_lookup

    with Registry.open() as reg:
        vbsign.mail.encrypt_message(msg, lookup=recipient_lookup(reg), trust=["roots.pem"])

A certificate is a candidate for an address when it is not a CA certificate, not recorded
as revoked, valid at the time asked and either belongs to a subscriber registered with that
e-mail address or names the address itself (subjectAltName rfc822Name or E attribute).
The mail package then checks the chosen certificate like any other recipient certificate
(key usage, e-mail purpose, chain, revocation).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from asn1crypto import x509
from sqlalchemy import func, or_, select

from vbsign._core.timefmt import utcnow
from vbsign.model.report import CertificateInfo
from vbsign.registry.models import Certificate, Subscriber
from vbsign.registry.service import Registry


def encryption_certificates(registry: Registry, address: str, *, at: datetime | None = None) -> list[x509.Certificate]:
    """Candidate encryption certificates for ``address``, newest first."""
    wanted = address.strip().casefold()
    if not wanted:
        return []
    when = at or utcnow()
    pattern = f"%e={wanted}%"  # compared with the lower-cased subject
    with registry.reading() as s:
        rows = s.execute(
            select(Certificate.der, Subscriber.email)
            .outerjoin(Subscriber, Subscriber.id == Certificate.subscriber_id)
            .where(
                Certificate.is_ca.is_(False),
                Certificate.status != "revoked",
                Certificate.not_after >= when,
                or_(func.lower(Subscriber.email) == wanted, func.lower(Certificate.subject).like(pattern)),
            )
        ).all()
    out: list[x509.Certificate] = []
    for der, email in rows:
        cert = x509.Certificate.load(der)
        named = [a.casefold() for a in CertificateInfo.from_asn1(cert).email_addresses]
        # a certificate naming other addresses only is not this person's mail certificate
        if named and wanted not in named:
            continue
        if not named and (email or "").strip().casefold() != wanted:
            continue
        if cert.not_valid_before <= when:
            out.append(cert)
    return sorted(out, key=lambda c: c.not_valid_before, reverse=True)


def recipient_lookup(registry: Registry, *, at: Callable[[], datetime] | None = None) -> Callable[[str], list[x509.Certificate]]:
    """``lookup(address)`` for :func:`vbsign.mail.encrypt_message`, backed by ``registry``."""

    def lookup(address: str) -> list[x509.Certificate]:
        return encryption_certificates(registry, address, at=at() if at else None)

    return lookup


__all__ = ["encryption_certificates", "recipient_lookup"]
