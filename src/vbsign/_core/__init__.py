"""The base layer: errors, bilingual text, file I/O, the asyncio bridge, secrets, bounds,
time formatting, X.509 helpers and the hash list for new signatures.

Imports nothing from vbsign outside this package (``docs/architecture.rst``). Private: the
public names are re-exported where users look for them (:mod:`vbsign.errors`,
:mod:`vbsign.i18n`, the top-level :mod:`vbsign`).
"""
