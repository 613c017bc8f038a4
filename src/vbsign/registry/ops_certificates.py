"""Certificates: import (files, folders, tokens), listings, expiry, revocation checks."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from asn1crypto import x509
from sqlalchemy import select

from vbsign._core.aio import run_sync
from vbsign._core.i18n import Msg
from vbsign.pki.trust import TrustStore
from vbsign.pki.validation import Services
from vbsign.registry.alerts import local_date
from vbsign.registry.base import RegistryBase
from vbsign.registry.errors import RegistryError
from vbsign.registry.importer import ImportResult, SourceCert, import_certificates, read_paths
from vbsign.registry.lookups import (
    apply_revocation,
    cert_query,
    cert_view,
    certificate_row,
    subscriber_row,
    subscriber_view,
    unit_row,
)
from vbsign.registry.models import Certificate, Subscriber, Token, Unit
from vbsign.registry.revocation import async_check_certificates
from vbsign.registry.views import CertificateView, SubscriberView


class CertificateOps(RegistryBase):
    """Certificate import, listings, expiry and revocation checks."""

    def import_paths(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        subscriber: int | None = None,
        token_serial: str | None = None,
        create_missing: bool = False,
    ) -> ImportResult:
        """Import certificates from files and folders (PEM, DER, PKCS#7); see :mod:`.importer`."""
        certs, problems = read_paths(paths)
        result = self._import(certs, subscriber=subscriber, token_serial=token_serial, create_missing=create_missing)
        result.problems[:0] = problems
        return result

    def import_certificates(
        self,
        certs: Iterable[x509.Certificate],
        *,
        source: str = "<api>",
        subscriber: int | None = None,
        token_serial: str | None = None,
        create_missing: bool = False,
    ) -> ImportResult:
        return self._import(
            [SourceCert(c, source) for c in certs],
            subscriber=subscriber, token_serial=token_serial, create_missing=create_missing,
        )

    def import_from_token(self, module: str, *, token: str | None = None) -> ImportResult:
        """Import the certificates stored on a PKCS#11 token (public objects, no PIN).

        ``module`` is the token's PKCS#11 driver; ``token`` its serial or label (needed
        only when the module shows several). The certificates are recorded with the
        token's serial number, and the token is registered if it was not.
        """
        from vbsign.registry.tokens import read_token_certificates  # optional extra: pkcs11

        serial, certs = read_token_certificates(module, token=token)
        result = self._import(
            [SourceCert(c, f"token:{serial}") for c in certs], subscriber=None, token_serial=serial,
            create_missing=False,
        )
        with self.writing() as s:
            if s.execute(select(Token).where(Token.serial == serial)).scalar_one_or_none() is None:
                owner = s.execute(
                    select(Certificate.subscriber_id).where(
                        Certificate.token_serial == serial, Certificate.subscriber_id.is_not(None)
                    )
                ).scalars().first()
                s.add(Token(serial=serial, owner_subscriber_id=owner, status="at_it_centre"))
        return result

    def _import(
        self, certs: Sequence[SourceCert], *, subscriber: int | None, token_serial: str | None, create_missing: bool
    ) -> ImportResult:
        with self.writing() as s:
            assign = subscriber_row(s, subscriber) if subscriber is not None else None
            return import_certificates(
                s, certs, assign_to=assign, token_serial=token_serial, create_missing=create_missing
            )

    def list_certificates(
        self,
        *,
        unit: str | None = None,
        subscriber: int | None = None,
        status: str | None = None,
        include_ca: bool = False,
        valid_at: datetime | None = None,
    ) -> list[CertificateView]:
        with self.reading() as s:
            q = cert_query()
            if unit:
                q = q.where(Subscriber.unit_id == unit_row(s, unit).id)
            if subscriber is not None:
                q = q.where(Certificate.subscriber_id == subscriber)
            if status:
                q = q.where(Certificate.status == status)
            if not include_ca:
                q = q.where(Certificate.is_ca.is_(False))
            if valid_at is not None:
                q = q.where(Certificate.not_before <= valid_at, Certificate.not_after > valid_at)
            return [CertificateView(*row) for row in s.connection().execute(q.order_by(Certificate.not_after))]

    def expiring(self, within_days: int = 30, *, at: datetime | None = None) -> list[CertificateView]:
        """Active end-entity certificates whose validity ends in ``(at, at + within_days]``."""
        if within_days < 0:
            raise RegistryError(Msg("Số ngày phải không âm.", "The number of days must not be negative."))
        now = at or self.clock()
        with self.reading() as s:
            q = (
                cert_query()
                .where(
                    Certificate.status == "active",
                    Certificate.is_ca.is_(False),
                    Certificate.not_after > now,
                    Certificate.not_after <= now + timedelta(days=within_days),
                )
                .order_by(Certificate.not_after)
            )
            # plain Core rows straight into views: this is the hot path of "expiring"
            return [CertificateView(*row) for row in s.connection().execute(q)]

    def certificate(self, ref: str | int) -> CertificateView:
        """A certificate by id, full SHA-256 fingerprint, or a unique fingerprint prefix (≥ 8)."""
        with self.reading() as s:
            cert = certificate_row(s, ref)
            sub = s.get(Subscriber, cert.subscriber_id) if cert.subscriber_id else None
            unit = s.get(Unit, sub.unit_id) if sub else None
            return cert_view(cert, sub, unit)

    def holder_of(self, fingerprint: str) -> SubscriberView | None:
        """The subscriber a certificate (full SHA-256 fingerprint) was issued to, if the
        registry knows the certificate and its holder (a person or an organisation)."""
        fp = fingerprint.replace(":", "").replace(" ", "").upper()
        with self.reading() as s:
            sub_id = s.execute(select(Certificate.subscriber_id).where(Certificate.fingerprint == fp)).scalar_one_or_none()
            if sub_id is None:
                return None
            sub = s.get(Subscriber, sub_id)
            return subscriber_view(sub, s.get(Unit, sub.unit_id)) if sub is not None else None

    def certificate_der(self, ref: str | int) -> bytes:
        with self.reading() as s:
            return certificate_row(s, ref).der

    def set_certificate_token(self, ref: str | int, token_serial: str | None) -> CertificateView:
        with self.writing() as s:
            cert = certificate_row(s, ref)
            cert.token_serial = token_serial
        return self.certificate(ref)

    def mark_revoked(
        self,
        ref: str | int,
        *,
        revoked_at: datetime | None = None,
        notified_on: date | None = None,
        reason: str | None = None,
        source: str = "request",
    ) -> CertificateView:
        """Record a revocation learnt outside the online check (e.g. Ban Cơ yếu's notice)."""
        with self.writing() as s:
            apply_revocation(s, certificate_row(s, ref), revoked_at or self.clock(), reason, source,
                              notified_on or self.today())
        return self.certificate(ref)

    def check_revocation(
        self,
        *,
        trust: Any = None,
        services: Any = None,
        at: datetime | None = None,
        unit: str | None = None,
    ) -> list[tuple[CertificateView, str]]:
        """Check active certificates against CRL/OCSP and record the outcome.

        ``trust``: a :class:`~vbsign.pki.trust.TrustStore` (or paths/certificates); by default
        the self-signed CA certificates imported into the registry are the anchors and the
        other CA certificates help build paths. ``services``: where revocation data comes
        from (:class:`~vbsign.pki.validation.Services`, online with bounded timeouts by default).
        """

        return run_sync(self.async_check_revocation(trust=trust, services=services, at=at, unit=unit))

    async def async_check_revocation(
        self,
        *,
        trust: Any = None,
        services: Any = None,
        at: datetime | None = None,
        unit: str | None = None,
    ) -> list[tuple[CertificateView, str]]:
        now = at or self.clock()
        with self.reading() as s:
            q = select(Certificate.fingerprint, Certificate.der).where(
                Certificate.is_ca.is_(False),
                Certificate.status == "active",
                Certificate.not_before <= now,
                Certificate.not_after > now,
            )
            if unit:
                q = q.join(Subscriber, Subscriber.id == Certificate.subscriber_id).where(
                    Subscriber.unit_id == unit_row(s, unit).id
                )
            targets = [(fp, x509.Certificate.load(der)) for fp, der in s.execute(q).all()]
            if trust is None:
                cas = [
                    (x509.Certificate.load(der), self_signed)
                    for der, self_signed in s.execute(
                        select(Certificate.der, Certificate.self_signed).where(Certificate.is_ca.is_(True))
                    ).all()
                ]
                store = TrustStore(tuple(c for c, ss in cas if ss), tuple(c for c, ss in cas if not ss))
            else:
                store = TrustStore.coerce(trust)
        if store.anchors:
            store = store.with_intermediates(
                [c for c in self._ca_certificates() if not any(c.dump() == a.dump() for a in store.anchors)]
            )
        statuses = await async_check_certificates(
            targets, trust=store, services=services if services is not None else Services(), at=now
        )
        with self.writing() as s:
            for st in statuses:
                cert = s.execute(select(Certificate).where(Certificate.fingerprint == st.fingerprint)).scalar_one()
                cert.revocation_checked_at = now
                cert.revocation_check_result = st.result
                cert.revocation_check_note = st.note.get() if st.note else None
                if st.result == "revoked":
                    apply_revocation(s, cert, st.revoked_at or now, st.reason, "online", local_date(now))
        return [(self.certificate(st.fingerprint), st.result) for st in statuses]

    def _ca_certificates(self) -> list[x509.Certificate]:
        with self.reading() as s:
            return [
                x509.Certificate.load(der)
                for der in s.execute(select(Certificate.der).where(Certificate.is_ca.is_(True))).scalars()
            ]

