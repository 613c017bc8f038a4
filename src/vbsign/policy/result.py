"""The compliance report: per rule passed / failed / indeterminate / not applicable, with evidence.

It embeds the verification :class:`~vbsign.report.Report` it was computed from, so that the
JSON form is a complete, self-contained record to keep with the document (TT 15/2025 Đ5 k4:
keep the certificate-status check result). Its schema is derived from the dataclasses
(:func:`json_schema`), like the verification report's.

The value types live in :mod:`vbsign.policy.result_types` (the human renderer,
:mod:`vbsign.policy.human`, reads them); this module re-exports them and adds to
:class:`ComplianceReport` its renderings, so that nothing imports in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence

import vbsign.policy.result_types as _types
from vbsign._core.i18n import Lang
from vbsign.model.report_view import PagePicture
from vbsign.policy.result_types import (
    SCHEMA_ID,
    STATUS_TEXT,
    ComplianceStatus,
    RuleResult,
    SignerSummary,
    json_schema,
)


class ComplianceReport(_types.ComplianceReport):
    """The compliance report of one document: the rule results of
    :class:`vbsign.policy.result_types.ComplianceReport` and its human renderings
    (:meth:`to_html`, :meth:`to_pdf`)."""

    def to_html(self, lang: Lang | None = None, *, pictures: Sequence[PagePicture] = ()) -> str:
        """The human report (verification + the policy's rules and citations) as HTML."""
        from vbsign.policy.human import compliance_html  # start-up: Jinja2

        return compliance_html(self, lang, pictures=pictures)

    def to_pdf(self, lang: Lang | None = None, *, pictures: Sequence[PagePicture] = ()) -> bytes:
        """The same as an A4 PDF (``pip install 'vbsign[report]'``)."""
        from vbsign.policy.human import compliance_pdf  # start-up: WeasyPrint

        return compliance_pdf(self, lang, pictures=pictures)


__all__ = [
    "SCHEMA_ID",
    "STATUS_TEXT",
    "ComplianceReport",
    "ComplianceStatus",
    "RuleResult",
    "SignerSummary",
    "json_schema",
]
