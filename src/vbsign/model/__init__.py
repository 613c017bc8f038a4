"""The model: plain value types every layer above shares.

The verification report and its findings (:mod:`.report`), signing results and the sign
lifecycle's request/decision (:mod:`.sign`), audit events (:mod:`.events`), the host
bridge's documents and outcomes (:mod:`.host`) and evidence bundles (:mod:`.evidence`),
plus the plain-text rendering of a report (:mod:`.render`). Imports only
:mod:`vbsign._core` (``docs/architecture.rst``).
"""
