# mypy: disable-error-code="empty-body"
# (hook specifications are signatures with docstrings; pluggy never calls their bodies)
"""The plugin contract of vbsign: every hook a plugin may implement.

This module is the single source of truth; ``docs/plugins.rst`` is generated from it.

* Hook names start with ``vbsign_``. A function or method named ``vbsign_…`` in a plugin is
  a hook implementation even without the :data:`hookimpl` marker, so a misspelt name is
  an error when the plugin loads, not a silently ignored function (as in pytest).
* Plugins are found through the ``vbsign`` entry-point group
  (``[project.entry-points.vbsign]`` in a plugin's ``pyproject.toml``); vbsign's own
  built-in behaviour (key backends, report renderers, policy profiles, the registry's
  audit sink) is registered through the same mechanism.
* Hooks are called with keyword arguments; an implementation may accept any subset of
  the arguments listed here.
* A hook is *not* ``firstresult`` unless its docstring says so: every implementation
  runs and vbsign receives the list of their non-``None`` results.
* Hooks are synchronous and run in the caller's thread (inside vbsign's async core too):
  keep them fast, hand slow work (e-mail, HTTP) to a queue or a thread.
* An exception raised inside a hook fails the operation with a
  :class:`~vbsign.errors.PluginError` that names the plugin and the hook. It is raised
  *before* any output file is written or any result is released, so a faulty plugin
  never leaves a half-written document or evidence bundle behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

from vbsign._core.i18n import Lang, Msg
from vbsign.model.sign import SignDecision, SignRequest, SignResult

if TYPE_CHECKING:
    from email.message import EmailMessage

    from asn1crypto import x509
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko_certvalidator.fetchers.api import FetcherBackend

    from vbsign.backends.base import SigningKey
    from vbsign.model.events import AuditEvent, CertificateAlert
    from vbsign.model.host import IncomingDocument, OutgoingDocument, ReceiveOutcome, SendOutcome
    from vbsign.model.report import CertificateInfo, Finding, Report
    from vbsign.model.signers import SignerRecord

PROJECT = "vbsign"
#: name of the entry-point group plugins register under
ENTRY_POINT_GROUP = "vbsign"
#: every hook name starts with this prefix
HOOK_PREFIX = "vbsign_"

hookspec = pluggy.HookspecMarker(PROJECT)
#: decorator marking a hook implementation (optional for ``vbsign_*`` names, see above)
hookimpl = pluggy.HookimplMarker(PROJECT)

#: ``factory(ref, **options) -> SigningKey`` for key references ``scheme:…``
KeyFactory = Callable[..., "SigningKey"]
#: ``renderer(report, lang) -> str | bytes``: a text or binary rendering of a report
ReportRenderer = Callable[["Report", Lang], "str | bytes"]


# ---- hook specifications ------------------------------------------------------------------


class KeyBackendSpec:
    """Key backends, selected by the scheme of a key reference (``smartca:…``, ``pkcs11:…``)."""

    @hookspec
    def vbsign_key_backends(self) -> Mapping[str, KeyFactory]:
        """Return ``{scheme: factory}`` for the key-reference schemes this plugin opens.

        ``factory(ref, **options)`` receives the whole reference (e.g.
        ``"smartca:user=0123456789"``) and the caller's options (``passphrase`` — a
        :class:`~vbsign._core.secrets.Secret` or string that must never be logged —, ``cert``,
        ``chain``, …) and returns an open :class:`~vbsign.backends.base.SigningKey`, for
        instance one whose private-key operation happens in a remote-signing service.

        Built-in schemes (``pkcs12``, ``pem``, ``file``, ``pkcs11``, ``csc``) cannot be replaced;
        two plugins claiming the same scheme is an error naming both. Not ``firstresult``:
        the mappings of all plugins are merged. Called once, when the first unknown scheme
        is looked up.
        """


class PolicySpec:
    """Validation policies: profiles and rules (see :mod:`vbsign.policy`)."""

    @hookspec
    def vbsign_policy_rules(self) -> Iterable[Any]:
        """Return additional policy rules (:class:`vbsign.policy.Rule` objects).

        Each rule has a stable id (prefix it with your organisation, e.g. ``BKHCN-01``), a
        level, a citation, a bilingual message and a pure check function over the
        verification evidence. Rules only take part in a validation when a profile or a
        policy file selects them, so installing a plugin never changes the verdict of an
        existing profile by itself. Not ``firstresult``: all plugins' rules are collected.
        """

    @hookspec
    def vbsign_policy_profiles(self) -> Iterable[Any]:
        """Return additional policy profiles (:class:`vbsign.policy.Profile` objects).

        A profile name must not collide with a built-in one (``tt41``, ``cdcv``,
        ``public``, ``auto``) or another plugin's. Not ``firstresult``.
        """

    @hookspec
    def vbsign_signer_class(self, certificate: CertificateInfo) -> str | SignerRecord | None:
        """Say whether a signer certificate belongs to a natural person or an organisation.

        The real government certificates do not say it in any one field (no title, no UID;
        see :mod:`vbsign.policy.classify`), but a certificate registry knows the subscriber
        it issued the certificate to. Return ``"person"`` or ``"organisation"`` (``"agency"``
        is accepted), a :class:`vbsign.model.signers.SignerRecord` (to say where the answer
        comes from, e.g. the subscriber's name and unit), or ``None`` when the plugin does
        not know the certificate. The built-in registry plugin answers from its subscribers
        (matched by the certificate's SHA-256 fingerprint) when a registry is configured.

        Called by :func:`vbsign.validate` and the host workflows once per signer certificate
        before the policy is evaluated (policy rules themselves never do I/O). A record
        outranks what the certificate's name suggests and is outranked by the policy file's
        ``[classification]``. Not ``firstresult``: every plugin is asked; answers that
        disagree make the signer ``unknown`` (reported, never guessed).
        """


class TrustSpec:
    """Trust anchors."""

    @hookspec
    def vbsign_trust_anchors(self) -> Iterable[x509.Certificate]:
        """Return trust-anchor certificates to add to the *default* trust store.

        Used only when the caller gives no explicit ``trust`` (an explicit list is taken
        as the complete set of anchors, so that a verdict never depends on which plugins
        happen to be installed). Typical use: a ministry package shipping its pinned roots.
        Not ``firstresult``: the anchors of all plugins are added.
        """


class ServiceSpec:
    """Timestamp and revocation sources."""

    @hookspec(firstresult=True)
    def vbsign_timestamper(self, url: str, timeout: float) -> TimeStamper | None:
        """Return a pyHanko :class:`~pyhanko.sign.timestamps.api.TimeStamper` for ``url``, or ``None``.

        Called when a caller names a timestamp server by URL (``tsa="…"``), before vbsign
        builds its own HTTP client — e.g. for a TSA that needs authentication or a custom
        transport. The plugin must honour ``timeout`` (seconds per request).
        ``firstresult``: the first non-``None`` answer is used.
        """

    @hookspec(firstresult=True)
    def vbsign_revocation_source(self, online: bool, timeout: float) -> FetcherBackend | None:
        """Return a pyhanko-certvalidator ``FetcherBackend`` for OCSP/CRL/certificates, or ``None``.

        Consulted when the caller did not inject a revocation source into
        :class:`~vbsign.pki.validation.Services`; e.g. a local CRL mirror in a network without
        Internet access. ``online`` is ``False`` when the caller forbade network access:
        a source that needs the network must then return ``None``. Requests must be
        bounded by ``timeout`` seconds. ``firstresult``.
        """


class AuditSpec:
    """Audit sinks."""

    @hookspec
    def vbsign_audit_event(self, event: AuditEvent) -> None:
        """Receive an audit event (document signed, verified, validated, sent, received).

        Called after the operation finished; an exception raised here is reported with the
        plugin's name and fails the operation *before* its result is released, never after
        a file was written. Not ``firstresult``: every sink receives every event, each its
        own copy (one sink cannot change what the next one records).
        """


class RegistrySpec:
    """Certificate-registry notifications."""

    @hookspec
    def vbsign_certificate_alert(self, alert: CertificateAlert) -> None:
        """Receive a certificate lifecycle alert from the registry (expiring within N days,
        revoked, token-recovery deadline, validity anomaly, missing agency seal certificate).

        Use it to send e-mail or chat notifications. Not ``firstresult``.
        """


class RenderSpec:
    """Report renderers."""

    @hookspec
    def vbsign_report_renderers(self) -> Mapping[str, ReportRenderer]:
        """Return ``{format_name: renderer}``; ``renderer(report, lang)`` returns ``str`` or ``bytes``.

        Format names are what ``vbsign verify --format NAME`` and
        :func:`vbsign.plugins.render_report` accept. The built-ins are ``text`` and
        ``json``; a name already taken is an error naming both plugins. Not ``firstresult``.
        """


class LifecycleSpec:
    """Lifecycle of a signing or verification operation."""

    @hookspec
    def vbsign_before_sign(self, request: SignRequest) -> SignDecision | None:
        """Inspect a signature about to be made; veto it or add metadata.

        Called after the inputs were read and before the pre-signing certificate check and
        any private-key operation. Return ``None`` (no opinion), a :class:`SignDecision`
        with ``veto`` set (the signature is refused, nothing is written), or one with
        ``metadata``. Not ``firstresult``: every plugin is asked; any veto wins.
        """

    @hookspec
    def vbsign_after_sign(self, request: SignRequest, result: SignResult) -> None:
        """Observe a signature just made (``result.data`` holds the signed bytes).

        Called before the output file is written: raising here fails the operation and no
        file is written. Each plugin reads its own copy of ``request`` and ``result``; a
        plugin that changes them (e.g. the signed bytes) fails the operation, named, and
        no file is written. Not ``firstresult``.
        """

    @hookspec
    def vbsign_after_verify(self, report: Report) -> Iterable[Finding] | None:
        """Observe a verification report; optionally return extra findings.

        Returned :class:`~vbsign.report.Finding` objects are appended to the report's
        document-level findings. They never change the report: verdicts belong to
        verification and to the policy rules, and a plugin that changes the report it was
        given (a verdict, a signature, a finding) fails the operation, named, and the report
        is put back as it was. Not ``firstresult``.
        """

    @hookspec
    def vbsign_on_send(
        self, document: OutgoingDocument, context: Any, outcome: SendOutcome
    ) -> Iterable[Msg] | None:
        """Review an outgoing document after vbsign's send workflow (:func:`vbsign.host.on_send`).

        ``context`` is the host's :class:`vbsign.host.SendContext` (typed ``Any`` here: the
        plugin contract names only types of the layers below it, ``docs/architecture.rst``).
        ``outcome`` holds vbsign's decision, the signed bytes and the evidence. Return
        objections (bilingual :class:`~vbsign.i18n.Msg`) to block the sending: the decision
        becomes ``BLOCKED`` with these reasons. Each plugin gets copies of ``document``,
        ``context`` and ``outcome``: setting ``outcome.decision = BLOCKED`` also blocks (the
        plugin is named), but a plugin can never turn ``BLOCKED`` into ``READY`` nor change
        the signed bytes, reasons, report or evidence — such attempts are ignored and named
        in the reasons (see :mod:`vbsign.plugins.guard`). Not ``firstresult``.
        """

    @hookspec
    def vbsign_on_receive(
        self, document: IncomingDocument, context: Any, outcome: ReceiveOutcome
    ) -> Iterable[Msg] | None:
        """Review an incoming document after vbsign's receive workflow (:func:`vbsign.host.on_receive`).

        ``context`` is the host's :class:`vbsign.host.ReceiveContext` (typed ``Any``, as for
        ``vbsign_on_send``). ``document.content`` holds the bytes exactly as received and
        ``document.metadata`` the envelope (sender, addressee…). Return objections to have the document returned to its sender with these reasons
        (e.g. it was sent to the wrong addressee — Decree 30/2020 Art. 21 cl. 2): the
        decision becomes ``RETURN_TO_SENDER``. Decisions only move towards stricter
        (ACCEPT → QUARANTINE → RETURN_TO_SENDER): a plugin may set a stricter
        ``outcome.decision`` on its copy (it is named), but it can never accept a document
        vbsign returned or quarantined; attempts to loosen the decision or change anything
        else are ignored and named in the reasons, and the evidence manifest records the real
        decision (see :mod:`vbsign.plugins.guard`). Not ``firstresult``.
        """


class MailSpec:
    """E-mail (S/MIME, :mod:`vbsign.mail`): recipient certificates, outgoing and incoming mail."""

    @hookspec
    def vbsign_mail_recipient_certificates(self, address: str) -> Iterable[x509.Certificate] | None:
        """Return encryption certificates for the e-mail ``address`` (e.g. from a directory).

        Asked by :func:`vbsign.mail.encrypt_message` for each recipient address no
        certificate given by the caller names, after the caller's ``lookup`` function found
        nothing. The certificate registry answers through this hook when it is configured
        (:class:`vbsign.registry.plugin.RegistryRecipientDirectory`; ``vbsign mail encrypt
        --registry`` relies on it and refuses to run without an implementation).
        vbsign picks the newest certificate valid now and checks it like any recipient
        certificate (key usage, e-mail purpose, chain, revocation) before using it.
        Not ``firstresult``: the certificates of all plugins are collected.
        """

    @hookspec
    def vbsign_on_mail_send(self, message: EmailMessage, outcome: Any) -> Iterable[Msg] | None:
        """Review an outgoing message after vbsign signed (and maybe encrypted) it
        (:func:`vbsign.host.on_mail_send`).

        ``message`` is the message as the host gave it (do not modify it); ``outcome`` (a
        :class:`vbsign.host.MailSendOutcome`) holds vbsign's decision and the signed bytes.
        Return objections (bilingual :class:`~vbsign.i18n.Msg`) to block the sending: the
        decision becomes ``BLOCKED`` with these reasons. A plugin can never turn ``BLOCKED``
        into ``READY``. Not ``firstresult``.
        """

    @hookspec
    def vbsign_on_mail_receive(self, message: bytes, outcome: Any) -> Iterable[Msg] | None:
        """Review an incoming message after vbsign verified it (:func:`vbsign.host.on_mail_receive`).

        ``message`` holds the bytes exactly as received; ``outcome`` (a
        :class:`vbsign.host.MailReceiveOutcome`) the decision, the report and the verified
        content. Return objections to have the message returned to its sender with these
        reasons: the decision becomes ``RETURN_TO_SENDER``. A plugin can never accept a
        message vbsign returned or quarantined. Not ``firstresult``.
        """


#: every hookspec class, in documentation order
SPEC_CLASSES: tuple[type, ...] = (
    KeyBackendSpec,
    PolicySpec,
    TrustSpec,
    ServiceSpec,
    AuditSpec,
    RegistrySpec,
    RenderSpec,
    LifecycleSpec,
    MailSpec,
)


def hook_names() -> list[str]:
    """Names of all hooks, in documentation order."""
    return [n for cls in SPEC_CLASSES for n in vars(cls) if n.startswith(HOOK_PREFIX)]


def is_firstresult(name: str) -> bool:
    for cls in SPEC_CLASSES:
        fn = vars(cls).get(name)
        if fn is not None:
            opts = getattr(fn, PROJECT + "_spec", {})
            return bool(opts.get("firstresult"))
    raise KeyError(name)
