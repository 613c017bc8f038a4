"""``vbsign.validate``: verification + policy → a compliance report.

>>> import vbsign
>>> rep = vbsign.validate("signed.pdf", policy="tt41", trust=["roots.pem"])
>>> rep.status, rep.indication
(<ComplianceStatus.COMPLIANT: 'compliant'>, <Indication.TOTAL_PASSED: 'TOTAL-PASSED'>)
>>> rep.exit_code            # 0 compliant, 1 not compliant, 2 undetermined

``policy`` is a profile name (``tt41`` — the default —, ``cdcv``, ``public``, ``auto``), a
policy file (``*.toml``) or a resolved :class:`~vbsign.policy.Policy`. ``facts`` says what
the host system knows and the file cannot (outgoing/incoming, main document or
attachment, expected roles, what is stored next to the file); see
:class:`~vbsign.policy.DocumentFacts`. The source may also be a
:class:`~vbsign.model.sign.SignResult`: the signed bytes are validated together with the
signing software's facts (signing-side rules ND68-01, TT15-08…), or an existing
:class:`~vbsign.report.Report` (re-judged without verifying again).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

import vbsign._core.files as _io
from vbsign._core.aio import run_sync
from vbsign._core.secrets import SecretLike
from vbsign.api.params import documented
from vbsign.api.policies import load_policy
from vbsign.api.verification import async_verify
from vbsign.formats.pades.limits import Limits
from vbsign.formats.pades.visual import VisualOptions
from vbsign.model.options import ValidationTime
from vbsign.model.report import Report
from vbsign.model.sign import SignResult
from vbsign.pki.trust import TrustLike
from vbsign.pki.validation import Services
from vbsign.plugins.lifecycle import signer_records
from vbsign.policy import ComplianceReport, DocumentFacts, PolicyLike, SigningFacts
from vbsign.policy.evaluate import evaluate


@documented
async def async_validate(
    source: _io.Source | SignResult | Report,
    *,
    policy: PolicyLike = None,
    facts: DocumentFacts | None = None,
    trust: TrustLike = None,
    at: ValidationTime | str | datetime = ValidationTime.SIGNING,
    now: datetime | None = None,
    services: Services | None = None,
    allow_comments: bool = False,
    content: _io.Source | Mapping[str, bytes] | None = None,
    limits: Limits | None = None,
    visual: VisualOptions | None = None,
    password: SecretLike = None,
    metadata: Mapping[str, str] | None = None,
) -> ComplianceReport:
    """Verify ``source`` and judge the evidence against ``policy``.

    ``metadata`` (the host system's labels: document id, unit…) goes to the audit event of
    the verification, as with :func:`vbsign.verify`; the verification options are those
    of :func:`vbsign.async_verify`.
    """
    pol = load_policy(policy)  # fail on a bad policy before any verification work
    facts = facts or DocumentFacts()
    if isinstance(source, Report):
        report = source
    else:
        if isinstance(source, SignResult):
            signing = SigningFacts.from_result(source)
            if facts.signing_for(signing.certificate_sha256) is None:
                facts = dataclasses.replace(facts, signing=(*facts.signing, signing))
            source = source.data
        report = await async_verify(
            source, trust=trust, at=at, now=now, services=services, allow_comments=allow_comments, content=content,
            limits=limits, visual=visual, password=password, metadata=metadata,
        )  # fmt: skip
    return evaluate(report, pol, with_signer_records(facts, report))


def with_signer_records(facts: DocumentFacts, report: Report) -> DocumentFacts:
    """``facts`` plus what ``vbsign_signer_class`` plugins (the certificate registry…) record
    about the report's signers; records the caller passed win."""
    found = signer_records(s.signer for s in report.signatures if s.signer is not None)
    if not found:
        return facts
    return dataclasses.replace(facts, signer_records={**found, **facts.signer_records})


@documented
def validate(
    source: _io.Source | SignResult | Report,
    *,
    policy: PolicyLike = None,
    facts: DocumentFacts | None = None,
    trust: TrustLike = None,
    at: ValidationTime | str | datetime = ValidationTime.SIGNING,
    now: datetime | None = None,
    services: Services | None = None,
    allow_comments: bool = False,
    content: _io.Source | Mapping[str, bytes] | None = None,
    limits: Limits | None = None,
    visual: VisualOptions | None = None,
    password: SecretLike = None,
    metadata: Mapping[str, str] | None = None,
) -> ComplianceReport:
    """Verify and judge against a policy: synchronous :func:`async_validate` (also works
    inside a running event loop)."""
    return run_sync(async_validate(
        source, policy=policy, facts=facts, trust=trust, at=at, now=now, services=services,
        allow_comments=allow_comments, content=content, limits=limits, visual=visual, password=password,
        metadata=metadata,
    ))  # fmt: skip
