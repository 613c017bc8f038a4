"""S/MIME 4.0 (RFC 8551): signed and encrypted e-mail as a signature format.

:mod:`.mime` (building/reading with :mod:`email`), :mod:`.raw` (entities as bytes), :mod:`.cms`
(the S/MIME SignedData), :mod:`.sign`, :mod:`.verify`, :mod:`.canon` (diagnosis of
canonicalisation problems), :mod:`.envelope` (encryption) and :mod:`.recipients` (recipient
certificates). The e-mail API that consults plugins and audit sinks is :mod:`vbsign.api.mail`,
published as :mod:`vbsign.mail`.
"""
