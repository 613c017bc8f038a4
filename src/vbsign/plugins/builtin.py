"""vbsign's own built-in plugin: key backends and report renderers.

Registered through the same entry-point mechanism as third-party plugins (entry point
``vbsign-builtins`` of the ``vbsign`` distribution), so ``vbsign plugins list`` shows
exactly what provides each capability.
"""

from __future__ import annotations

from collections.abc import Mapping

import vbsign.backends as backends
from vbsign._core.i18n import Lang
from vbsign.model.render import render_text
from vbsign.model.report import Report
from vbsign.plugins.hookspecs import KeyFactory, ReportRenderer, hookimpl


@hookimpl
def vbsign_key_backends() -> Mapping[str, KeyFactory]:
    """Software keys (PKCS#12, PEM), PKCS#11 tokens and CSC API v2 remote-signing services."""

    software = backends._software_factory
    return {"pkcs12": software, "pem": software, "file": software, "pkcs11": backends._pkcs11_factory,
            "csc": backends._csc_factory}  # fmt: skip


def _render_text(report: Report, lang: Lang) -> str:
    return render_text(report, lang)


def _render_json(report: Report, lang: Lang) -> str:
    return report.to_json()


@hookimpl
def vbsign_report_renderers() -> Mapping[str, ReportRenderer]:
    """Plain text (Vietnamese or English) and the versioned JSON report."""
    return {"text": _render_text, "json": _render_json}
