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
from typing import Any

import vbsign._core.files as _io
from vbsign._core.aio import run_sync
from vbsign.api.policies import load_policy
from vbsign.api.verification import async_verify
from vbsign.model.report import Report
from vbsign.model.sign import SignResult
from vbsign.pki.trust import TrustLike
from vbsign.pki.validation import Services
from vbsign.plugins.lifecycle import signer_records
from vbsign.policy import ComplianceReport, DocumentFacts, PolicyLike, SigningFacts
from vbsign.policy.evaluate import evaluate


async def async_validate(
    source: _io.Source | SignResult | Report,
    *,
    policy: PolicyLike = None,
    facts: DocumentFacts | None = None,
    trust: TrustLike = None,
    at: str = "signing",
    now: datetime | None = None,
    services: Services | None = None,
    allow_comments: bool = False,
    metadata: Mapping[str, str] | None = None,
    **verify_options: Any,
) -> ComplianceReport:
    """Verify ``source`` and judge the evidence against ``policy``.

    ``metadata`` (the host system's labels: document id, unit…) goes to the audit event of
    the verification, as with :func:`vbsign.verify`; other keyword arguments (``content``
    of a detached signature, ``limits``…) go to :func:`vbsign.async_verify` unchanged.

    Args:
        source: the document (path, bytes, stream), the :class:`~vbsign.api.SignResult` of a
            signature just made, or a :class:`~vbsign.report.Report` already made.
        policy: a profile name (``tt41``, ``cdcv``, ``public``, ``auto``, a plugin's), a
            policy file (TOML) or a loaded policy; ``None``: ``tt41``.
        facts: what the host knows about the document (direction, kind, expected roles…):
            :class:`~vbsign.policy.DocumentFacts`.
        trust: trust anchors; ``None``: the default store and the plugins' anchors.
        at: "signing" (default) or "now".
        now: the current time (default: now).
        services: the revocation and network settings.
        allow_comments: accept annotations added after signing that cover no content.
        metadata: labels of the audit event.
        **verify_options: passed to :func:`vbsign.async_verify`.
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
            source,
            trust=trust,
            at=at,
            now=now,
            services=services,
            allow_comments=allow_comments,
            metadata=metadata,
            **verify_options,
        )
    return evaluate(report, pol, with_signer_records(facts, report))


def with_signer_records(facts: DocumentFacts, report: Report) -> DocumentFacts:
    """``facts`` plus what ``vbsign_signer_class`` plugins (the certificate registry…) record
    about the report's signers; records the caller passed win."""
    found = signer_records(s.signer for s in report.signatures if s.signer is not None)
    if not found:
        return facts
    return dataclasses.replace(facts, signer_records={**found, **facts.signer_records})


def validate(source: _io.Source | SignResult | Report, **kwargs: Any) -> ComplianceReport:
    """Synchronous :func:`async_validate` (also works inside a running event loop).

    Args:
        source: the document, a :class:`~vbsign.api.SignResult` or a :class:`~vbsign.report.Report`.
        **kwargs: the options of :func:`async_validate` (``policy``, ``trust``, ``facts``…).
    """
    return run_sync(async_validate(source, **kwargs))

