"""What vbsign's core calls: lifecycle hooks, audit events and extension-point lookups.

Each function calls one hook through :mod:`vbsign.plugins.manager` (so results and errors
are attributed to a plugin) and checks what plugins return, because a wrong type from a
third-party plugin must be a clear :class:`~vbsign.errors.PluginError`, not an
``AttributeError`` deep inside signing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import vbsign.plugins.manager as manager
from vbsign._core.errors import InputError, PluginError
from vbsign._core.i18n import Lang, Msg, current_lang
from vbsign.model.events import AuditEvent, EventKind
from vbsign.model.report import Finding, Report
from vbsign.model.sign import SignDecision, SignRequest
from vbsign.model.signers import ROLE_ALIASES, SignerRecord
from vbsign.plugins.guard import (
    as_list,
    bad_return,
    call_read_only,
    call_with_copies,
    changed_by,
    objection_findings,
    picture,
    private_copy,
)
from vbsign.plugins.hookspecs import KeyFactory, ReportRenderer

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko_certvalidator.fetchers.api import FetcherBackend

    from vbsign.model.report import Finding, Report
    from vbsign.model.sign import SignResult


class SignatureVetoed(PluginError):
    """A plugin refused a signature in ``vbsign_before_sign``; nothing was signed."""

    code = "SIGNATURE_VETOED"
    #: why it happens / vì sao
    cause = Msg('Trình cắm từ chối chữ ký (vbsign_before_sign); không ký gì.', 'A plugin refused the signature (vbsign_before_sign); nothing signed.')
    #: what to do / cách xử lý
    remedy = Msg('Đọc lý do của trình cắm (quy định nội bộ của cơ quan) và xử lý theo đó.', "Read the plugin's reason (the agency's own rule) and act on it.")


# ---- sign / verify lifecycle ----------------------------------------------------------------


#: the hooks that receive a :class:`~vbsign.model.sign.SignRequest` (or an event made from one)
SIGN_REQUEST_HOOKS = ("vbsign_before_sign", "vbsign_after_sign", "vbsign_audit_event")


def wants_sign_request() -> bool:
    """Whether any plugin will read a sign request: without one, its input SHA-256 (a full
    pass over the document) is not computed."""
    return any(manager.has_implementations(h) for h in SIGN_REQUEST_HOOKS)


def before_sign(request: SignRequest) -> dict[str, str]:
    """Ask every plugin; raise :class:`SignatureVetoed` on a veto; return the added metadata.

    Each plugin reads its own copy of ``request`` (see :mod:`vbsign.plugins.guard`).
    """
    hook = "vbsign_before_sign"
    metadata: dict[str, str] = {}
    for plugin, decision in call_read_only(hook, request=request):
        if not isinstance(decision, SignDecision):
            raise bad_return(plugin, hook, "SignDecision", decision)
        if decision.veto is not None:
            raise SignatureVetoed(
                Msg(
                    f"Không ký: trình cắm '{plugin}' từ chối — {decision.veto.vi}",
                    f"Not signed: plugin '{plugin}' refused — {decision.veto.en}",
                ),
                details={"plugin": plugin, "hook": hook, "reason_vi": decision.veto.vi,
                         "reason_en": decision.veto.en},
            )
        for k, v in decision.metadata.items():
            metadata[str(k)] = str(v)
    return metadata


def after_sign(request: SignRequest, result: SignResult) -> None:
    """Let plugins observe a signature; one that changes ``result`` (e.g. swaps the signed
    bytes that are about to be written) fails the operation, named."""
    call_read_only("vbsign_after_sign", request=request, result=result)


def after_verify(report: Report) -> None:
    """Let plugins observe ``report``; append the findings they return.

    A plugin that changes the report itself — its verdict, a signature, a finding — is
    named in a :class:`~vbsign.errors.PluginError` and the report is put back as it was:
    plugins add findings only by returning them.
    """

    hook = "vbsign_after_verify"
    before = picture(report)
    results: list[tuple[str, Any]] = []
    for plugin, _, found in manager.call_each(hook, lambda: {"report": report}):
        if picture(report) != before:
            _restore(report, before)
            raise changed_by(plugin, hook, "report")
        if found is not None:
            results.append((plugin, found))
    for plugin, findings in results:
        items = [findings] if isinstance(findings, Finding) else list(findings)
        for f in items:
            if not isinstance(f, Finding):
                raise bad_return(plugin, hook, "Finding", f)
            f.details.setdefault("plugin", plugin)
            report.findings.append(f)


def _restore(report: Report, snapshot: dict[str, Any]) -> None:
    """Put ``report`` back to ``snapshot`` (its :meth:`~vbsign.report.Report.to_dict`)."""
    import dataclasses


    fresh = Report.from_dict(snapshot)
    for f in dataclasses.fields(Report):
        setattr(report, f.name, getattr(fresh, f.name))


def emit_audit_event(event: AuditEvent) -> None:
    """Send ``event`` to every audit sink (``vbsign_audit_event``), each its own copy."""
    call_with_copies("vbsign_audit_event", event=event)


def notify_certificate_alert(alert: Any) -> None:
    """Send a registry alert to every ``vbsign_certificate_alert`` implementation (copies)."""
    call_with_copies("vbsign_certificate_alert", alert=alert)


def sign_event(request: SignRequest, result: SignResult) -> AuditEvent:
    meta = {**request.metadata, **result.metadata}
    signer = result.signer
    return AuditEvent(
        kind="sign",
        document_sha256=hashlib.sha256(result.data).hexdigest(),
        document_name=request.document_name,
        document_id=meta.get("document_id"),
        verdict="SIGNED",
        certificate_fingerprints=(signer.sha256_fingerprint,),
        signer_names=(signer.common_name or signer.subject,),
        unit=meta.get("unit") or signer.subject_fields.get("organization_name"),
        time=result.signing_time,
        details={
            "format": result.format,
            "level": result.level,
            "field": result.field_name,
            "input_sha256": request.document_sha256,
            "metadata": meta,
        },
    )


def report_event(
    report: Report, kind: EventKind = "verify", metadata: Mapping[str, str] | None = None
) -> AuditEvent:
    meta = dict(metadata or {})
    signers = [s.signer for s in report.signatures if s.kind == "signature" and s.signer is not None]
    return AuditEvent(
        kind=kind,
        document_sha256=report.document.sha256,
        document_name=report.document.name,
        document_id=meta.get("document_id"),
        verdict=report.indication.value,
        certificate_fingerprints=tuple(s.sha256_fingerprint for s in signers),
        signer_names=tuple(s.common_name or s.subject for s in signers),
        unit=meta.get("unit"),
        details={
            "sub_indication": report.sub_indication.value if report.sub_indication else None,
            "signatures": len(signers),
            "metadata": meta,
        },
    )


# ---- extension points ---------------------------------------------------------------------


def key_backend_factory(scheme: str) -> KeyFactory | None:
    """The factory a plugin registered for key references ``scheme:…`` (``None`` if none)."""
    hook = "vbsign_key_backends"
    found: dict[str, tuple[str, KeyFactory]] = {}
    for plugin, mapping in manager.call(hook):
        if not isinstance(mapping, Mapping):
            raise bad_return(plugin, hook, "dict", mapping)
        for s, factory in mapping.items():
            s = str(s).lower()
            if s in found and found[s][0] != plugin:
                raise PluginError(
                    Msg(
                        "Hai trình cắm cùng đăng ký lược đồ khóa '{s}:': {a}, {b}.",
                        "Two plugins register the key scheme '{s}:': {a}, {b}.",
                    ).format(s=s, a=found[s][0], b=plugin),
                    details={"plugins": [found[s][0], plugin], "scheme": s},
                )
            found[s] = (plugin, factory)
    hit = found.get(scheme.lower())
    return hit[1] if hit else None


def key_schemes() -> dict[str, str]:
    """``{scheme: plugin_name}`` for every key scheme provided by a plugin (built-ins included)."""
    out: dict[str, str] = {}
    for plugin, mapping in manager.call("vbsign_key_backends"):
        if isinstance(mapping, Mapping):
            for s in mapping:
                out.setdefault(str(s).lower(), plugin)
    return out


def trust_anchors() -> list[x509.Certificate]:
    """Anchors contributed by plugins (added to the default trust store only)."""
    from asn1crypto import x509 as asn1_x509

    hook = "vbsign_trust_anchors"
    out: list[asn1_x509.Certificate] = []
    for plugin, certs in manager.call(hook):
        for c in certs:
            if not isinstance(c, asn1_x509.Certificate):
                raise bad_return(plugin, hook, "asn1crypto.x509.Certificate", c)
            out.append(c)
    return out


def timestamper(url: str, timeout: float) -> TimeStamper | None:
    from pyhanko.sign.timestamps.api import TimeStamper as _TS

    hook = "vbsign_timestamper"
    hit = manager.call_first(hook, url=url, timeout=timeout)
    if hit is None:
        return None
    plugin, ts = hit
    if not isinstance(ts, _TS):
        raise bad_return(plugin, hook, "TimeStamper", ts)
    return ts


def revocation_source(online: bool, timeout: float) -> FetcherBackend | None:
    from pyhanko_certvalidator.fetchers.api import FetcherBackend as _FB

    hook = "vbsign_revocation_source"
    hit = manager.call_first(hook, online=online, timeout=timeout)
    if hit is None:
        return None
    plugin, backend = hit
    if not isinstance(backend, _FB):
        raise bad_return(plugin, hook, "FetcherBackend", backend)
    return backend


def mail_recipient_certificates(address: str) -> list[x509.Certificate]:
    """Encryption certificates plugins know for ``address`` (``vbsign_mail_recipient_certificates``)."""
    from asn1crypto import x509 as asn1_x509

    hook = "vbsign_mail_recipient_certificates"
    out: list[asn1_x509.Certificate] = []
    for plugin, certs in manager.call(hook, address=address):
        for c in as_list(certs):
            if not isinstance(c, asn1_x509.Certificate):
                raise bad_return(plugin, hook, "asn1crypto.x509.Certificate", c)
            out.append(c)
    return out


def report_renderers() -> dict[str, ReportRenderer]:
    """``{format: renderer}`` from all plugins (built-ins: ``text``, ``json``)."""
    hook = "vbsign_report_renderers"
    found: dict[str, tuple[str, ReportRenderer]] = {}
    for plugin, mapping in manager.call(hook):
        if not isinstance(mapping, Mapping):
            raise bad_return(plugin, hook, "dict", mapping)
        for fmt, renderer in mapping.items():
            if fmt in found and found[fmt][0] != plugin:
                raise PluginError(
                    Msg(
                        "Hai trình cắm cùng cung cấp định dạng báo cáo '{f}': {a}, {b}.",
                        "Two plugins provide the report format '{f}': {a}, {b}.",
                    ).format(f=fmt, a=found[fmt][0], b=plugin),
                    details={"plugins": [found[fmt][0], plugin], "format": fmt},
                )
            found[str(fmt)] = (plugin, renderer)
    return {k: v[1] for k, v in found.items()}


def renderer_for(fmt: str) -> ReportRenderer:
    """The renderer registered for ``fmt``; :class:`~vbsign.errors.InputError` if none."""

    renderers = report_renderers()
    renderer = renderers.get(fmt)
    if renderer is None:
        raise InputError(
            Msg(
                "Không có định dạng báo cáo '{f}' (có: {k}).",
                "No report format '{f}' (available: {k}).",
            ).format(f=fmt, k=", ".join(sorted(renderers)))
        )
    return renderer


def render_report(report: Report, fmt: str = "text", lang: Lang | None = None) -> str | bytes:
    """Render ``report`` with the renderer registered for ``fmt``."""
    out = renderer_for(fmt)(private_copy(report), lang or current_lang())
    if not isinstance(out, (str, bytes)):
        raise PluginError(
            Msg(
                "Trình hiển thị báo cáo '{f}' trả về giá trị sai kiểu ({g}).",
                "The report renderer '{f}' returned a wrong type ({g}).",
            ).format(f=fmt, g=type(out).__name__)
        )
    return out


def policy_rules() -> list[tuple[str, Any]]:
    """``[(plugin_name, rule)]`` from ``vbsign_policy_rules``."""
    return [(p, r) for p, rules in manager.call("vbsign_policy_rules") for r in as_list(rules)]


def policy_profiles() -> list[tuple[str, Any]]:
    """``[(plugin_name, profile)]`` from ``vbsign_policy_profiles``."""
    return [(p, r) for p, profiles in manager.call("vbsign_policy_profiles") for r in as_list(profiles)]


def signer_records(certificates: Iterable[Any]) -> dict[str, Any]:
    """``{sha256: SignerRecord}`` for the certificates that ``vbsign_signer_class`` plugins
    know (:class:`~vbsign.report.CertificateInfo` objects); disagreeing answers give a record
    of kind ``"unknown"`` naming the plugins."""

    hook = "vbsign_signer_class"
    out: dict[str, SignerRecord] = {}
    if not manager.has_implementations(hook):
        return out
    for cert in certificates:
        fp = cert.sha256_fingerprint.upper()
        if fp in out:
            continue
        answers: list[SignerRecord] = []
        for plugin, answer in call_with_copies(hook, certificate=cert):
            if isinstance(answer, SignerRecord):
                answers.append(answer)
            elif isinstance(answer, str) and answer.strip().lower() in ROLE_ALIASES:
                answers.append(SignerRecord(ROLE_ALIASES[answer.strip().lower()], plugin))
            else:
                raise bad_return(plugin, hook, "'person' | 'organisation' | SignerRecord", answer)
        kinds = {a.kind for a in answers}
        if len(kinds) == 1:
            out[fp] = answers[0]
        elif kinds:
            who = ", ".join(f"{a.source}: {a.kind}" for a in answers)
            out[fp] = SignerRecord(
                "unknown", ", ".join(a.source for a in answers),
                Msg(f"các nguồn ghi nhận mâu thuẫn ({who})", f"the records disagree ({who})"),
            )
    return out


def objections(hook: str, **kwargs: Any) -> list[Finding]:
    """Call ``vbsign_on_send`` / ``vbsign_on_receive``; the objections as ERROR findings.

    Kept for callers of earlier versions; the host bridge uses
    :func:`vbsign.plugins.guard.review_decision`, which also protects the outcome.
    """
    return [f for plugin, result in manager.call(hook, **kwargs) for f in objection_findings(plugin, hook, result)]
