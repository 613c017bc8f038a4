"""The verification report: plain dataclasses, JSON-serialisable, with a versioned schema.

One :class:`Report` per document. It holds *evidence* (what was found) and *verdicts* in the
ETSI EN 319 102-1 vocabulary (indication + sub-indication). Policy code reads reports and
never changes them; renderers (:mod:`vbsign.model.render`, :mod:`vbsign.model.report_html`)
turn them into text, HTML or PDF.

The value types live in :mod:`vbsign.model.report_types` (the renderers read them); this
module re-exports them and adds to :class:`Report` its human renderings, so that the renderers
never import the class that calls them. The JSON form is stable within a schema version
(:data:`SCHEMA_ID`); :func:`json_schema` derives the JSON Schema from the dataclasses so that
the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import vbsign.model.report_types as _types
from vbsign._core.i18n import Lang
from vbsign.model.report_types import (
    INDICATION_TEXT,
    SCHEMA_ID,
    SCHEMA_VERSION,
    AppearanceInfo,
    AttachmentReport,
    CertificateInfo,
    DocumentInfo,
    DssInfo,
    Finding,
    ImageInfo,
    Indication,
    IntegrityInfo,
    KeyStorage,
    MailInfo,
    ModificationInfo,
    RevisionInfo,
    RevocationInfo,
    RevocationSource,
    RevocationStatus,
    Severity,
    SignatureReport,
    SigningTimeSource,
    SubIndication,
    TimestampInfo,
    ValidationTimeMode,
    json_schema,
    note_malformed_fields,
    worst_indication,
)
from vbsign.model.report_view import PagePicture

# the JSON helpers, for reports that embed a Report (vbsign.policy.result.ComplianceReport)
_from_jsonable = _types._from_jsonable
_schema_for = _types._schema_for
_to_jsonable = _types._to_jsonable


class Report(_types.Report):
    """The verification report for one document: the evidence and verdicts of
    :class:`vbsign.model.report_types.Report`, and its human renderings (:meth:`to_html`,
    :meth:`to_pdf`)."""

    def to_html(self, lang: Lang | None = None, *, pictures: Sequence[PagePicture] = ()) -> str:
        """The human verification report as one self-contained HTML page (Vietnamese by
        default). ``pictures`` (signed pages with their signature boxes outlined) come from
        :func:`vbsign.api.human_report`, which can render the document's pages."""
        from vbsign.model.report_html import render_html  # start-up: Jinja2

        return render_html(self, lang, pictures=pictures)

    def to_pdf(self, lang: Lang | None = None, *, pictures: Sequence[PagePicture] = ()) -> bytes:
        """The same report as an A4 PDF (WeasyPrint; ``pip install 'vbsign[report]'``)."""
        from vbsign.model.report_html import render_pdf  # start-up: WeasyPrint

        return render_pdf(self, lang, pictures=pictures)


__all__ = [
    "AppearanceInfo",
    "AttachmentReport",
    "CertificateInfo",
    "DocumentInfo",
    "DssInfo",
    "Finding",
    "INDICATION_TEXT",
    "ImageInfo",
    "Indication",
    "IntegrityInfo",
    "KeyStorage",
    "MailInfo",
    "ModificationInfo",
    "PagePicture",
    "Report",
    "RevisionInfo",
    "RevocationInfo",
    "RevocationSource",
    "RevocationStatus",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Severity",
    "SignatureReport",
    "SigningTimeSource",
    "SubIndication",
    "TimestampInfo",
    "ValidationTimeMode",
    "json_schema",
    "note_malformed_fields",
    "worst_indication",
]
