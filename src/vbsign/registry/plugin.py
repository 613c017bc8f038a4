"""Built-in plugin ``vbsign-registry``: the registry as an audit sink.

Registered by the plugin manager like any plugin (entry point ``vbsign-registry`` →
this module; see :mod:`vbsign.plugins.manager`). Its ``vbsign_audit_event`` hook appends
every signing / verification / send / receive event to the registry's hash-chained audit
log — **only when the registry is configured for it**:

* ``VBSIGN_REGISTRY_URL`` is set (the DMS points vbsign at its registry database), or
* ``VBSIGN_REGISTRY_AUDIT=1`` (record into the default SQLite file);
* ``VBSIGN_REGISTRY_AUDIT=0`` turns recording off in any case.

With ``VBSIGN_AUDIT_CHECKPOINT_DIR`` and ``VBSIGN_AUDIT_CHECKPOINT_KEY`` set, the sink also
writes a signed checkpoint of the chain every ``VBSIGN_AUDIT_CHECKPOINT_EVERY`` events (and
after ``VBSIGN_AUDIT_CHECKPOINT_INTERVAL`` seconds) — see
:class:`~vbsign.registry.checkpoint.CheckpointConfig`.

Otherwise the module implements no hook at all, so signing on a machine without a registry
costs nothing and never creates a database behind the user's back. The configuration is read
when the plugin is loaded (at the first vbsign operation of the process). When recording is on and the database cannot be
written (unreachable, not initialised), the hook raises and — as the hook contract says —
the operation fails before its result is released: an operation that must be audited is
never silently left out of the log.

A host can also register its own sink object for a given registry::

    from vbsign.plugins import manager
    from vbsign.registry.plugin import RegistryAuditSink
    manager.register(RegistryAuditSink(registry), "my-registry")
"""

from __future__ import annotations

import importlib.util
import os
import threading
from typing import TYPE_CHECKING

from vbsign.model.events import AuditEvent
from vbsign.plugins.hookspecs import hookimpl

if importlib.util.find_spec("sqlalchemy") is None:  # the `registry` extra is not installed
    raise ModuleNotFoundError("vbsign.registry needs SQLAlchemy: pip install 'vbsign[registry]'", name="sqlalchemy")

if TYPE_CHECKING:
    from asn1crypto import x509

    from vbsign.model.report import CertificateInfo
    from vbsign.model.signers import SignerRecord
    from vbsign.registry.service import Registry

ENV_AUDIT = "VBSIGN_REGISTRY_AUDIT"
#: (the same variable as :data:`vbsign.registry.db.ENV_URL`; not imported from there so that
#: a vbsign run without a registry never imports SQLAlchemy)
ENV_URL = "VBSIGN_REGISTRY_URL"


def recording_url() -> str | None:
    """The database the built-in sink records into, or ``None`` when recording is off."""
    flag = os.environ.get(ENV_AUDIT, "").strip().lower()
    if flag in ("0", "false", "no", "off"):
        return None
    return registry_url()


def registry_url() -> str | None:
    """The configured registry (``VBSIGN_REGISTRY_URL``, or the default SQLite file when
    ``VBSIGN_REGISTRY_AUDIT=1``), or ``None``: the registry is not in use."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    if os.environ.get(ENV_AUDIT, "").strip().lower() in ("1", "true", "yes", "on"):
        from vbsign.registry.db import default_sqlite_path

        return f"sqlite:///{default_sqlite_path()}"
    return None


class RegistryAuditSink:
    """An audit sink writing into one registry (or, by default, the configured one)."""

    def __init__(self, registry: Registry | None = None) -> None:
        self._registry = registry
        self._lock = threading.Lock()
        self._opened: tuple[int, str, Registry] | None = None  # (pid, url, registry)

    def _target(self) -> Registry | None:
        if self._registry is not None:
            return self._registry
        url = recording_url()
        if url is None:
            return None
        return self._target_for(url)

    def _target_for(self, url: str) -> Registry:
        """The registry at ``url``, opened once per process."""
        with self._lock:
            opened = self._opened
            # a new process (fork) or a new URL gets its own engine and connections
            if opened is None or opened[0] != os.getpid() or opened[1] != url:
                from vbsign.registry.service import Registry

                if opened is not None and opened[0] == os.getpid():
                    opened[2].close()
                registry = Registry.open(url)
                from vbsign.registry.checkpoint import CheckpointConfig

                registry.checkpoints = CheckpointConfig.from_env()  # VBSIGN_AUDIT_CHECKPOINT_*
                self._opened = opened = (os.getpid(), url, registry)
            return opened[2]

    @hookimpl
    def vbsign_audit_event(self, event: AuditEvent) -> None:
        registry = self._target()
        if registry is not None:
            registry.record_event(event)

    def close(self) -> None:
        with self._lock:
            if self._opened is not None and self._opened[0] == os.getpid():
                self._opened[2].close()
            self._opened = None


class RegistrySignerClassifier:
    """Answers ``vbsign_signer_class`` from the registry's subscribers: a certificate the
    registry holds, issued to a subscriber recorded as a person or an organisation.

    Register one for a given registry (``manager.register(RegistrySignerClassifier(reg),
    "my-registry")``); the built-in plugin answers from the configured registry.
    """

    def __init__(self, registry: Registry | None = None) -> None:
        self._sink = RegistryAuditSink(registry)
        self._fixed = registry

    def _registry(self) -> Registry | None:
        if self._fixed is not None:
            return self._fixed
        url = registry_url()
        # the sink's engine cache (one registry per process and URL) serves lookups too
        return self._sink._target_for(url) if url is not None else None

    @hookimpl
    def vbsign_signer_class(self, certificate: CertificateInfo) -> SignerRecord | None:
        from vbsign._core.i18n import Msg
        from vbsign.model.signers import ROLE_ALIASES, SignerRecord

        registry = self._registry()
        if registry is None:
            return None
        holder = registry.holder_of(certificate.sha256_fingerprint)
        if holder is None or holder.kind not in ROLE_ALIASES:
            return None
        title = f", {holder.title}" if holder.title else ""
        return SignerRecord(
            ROLE_ALIASES[holder.kind],
            "sổ đăng ký chứng thư / certificate registry",
            Msg(
                f"thuê bao #{holder.id} {holder.full_name}{title} ({holder.unit_name})",
                f"subscriber #{holder.id} {holder.full_name}{title} ({holder.unit_name})",
            ),
        )

    def close(self) -> None:
        self._sink.close()


class RegistryRecipientDirectory:
    """Answers ``vbsign_mail_recipient_certificates`` from the registry: the encryption
    certificates of the subscriber registered under an e-mail address, or whose
    certificate names it (:func:`vbsign.registry.mail.encryption_certificates`).

    Register one for a given registry (``manager.register(RegistryRecipientDirectory(reg),
    "my-registry")``); the built-in plugin answers from the configured registry, so
    ``vbsign mail encrypt --registry`` needs no import of the registry by the core.
    """

    def __init__(self, registry: Registry | None = None, *, classifier: RegistrySignerClassifier | None = None) -> None:
        # the registry is found (and its engine cached) the way the classifier finds it; the
        # built-in plugin shares the built-in classifier's, so a process opens one registry
        self._classifier = classifier if classifier is not None else RegistrySignerClassifier(registry)

    @hookimpl
    def vbsign_mail_recipient_certificates(self, address: str) -> list[x509.Certificate] | None:
        from vbsign.registry.mail import encryption_certificates

        registry = self._classifier._registry()
        if registry is None:
            return None
        return encryption_certificates(registry, address)

    def close(self) -> None:
        self._classifier.close()


_default_sink = RegistryAuditSink()
_default_classifier = RegistrySignerClassifier()
_default_directory = RegistryRecipientDirectory(classifier=_default_classifier)


def record(event: AuditEvent) -> None:
    """Record ``event`` in the configured registry (nothing happens when none is configured)."""
    _default_sink.vbsign_audit_event(event)


if recording_url() is not None:
    # The hook exists only when recording is configured when the plugin is loaded (at the
    # first vbsign operation of the process): otherwise vbsign does not even build audit
    # events (hashing every signed document) for nobody.

    @hookimpl
    def vbsign_audit_event(event: AuditEvent) -> None:
        """Record ``event`` in the configured registry."""
        record(event)


if registry_url() is not None:
    # answers only when a registry is configured: without one, vbsign never creates a
    # database to look signers up in

    @hookimpl
    def vbsign_signer_class(certificate: CertificateInfo) -> SignerRecord | None:
        """The registry's record of the certificate's holder (person / organisation)."""
        return _default_classifier.vbsign_signer_class(certificate)

    @hookimpl
    def vbsign_mail_recipient_certificates(address: str) -> list[x509.Certificate] | None:
        """Encryption certificates the configured registry holds for ``address``."""
        return _default_directory.vbsign_mail_recipient_certificates(address)
