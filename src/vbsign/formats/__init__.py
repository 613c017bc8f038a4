"""Signature formats: how each kind of file is signed and how its signatures become a report.

* :mod:`.pades` — PDF (PAdES): signing, verification, forensics (structure, changes after
  signing, visual comparison) and the time/memory budget for untrusted files;
* :mod:`.xades` — XML (XAdES, XML-DSig) and edXML envelopes;
* :mod:`.cades` — any file (CAdES ``.p7s`` / ``.p7m``);
* :mod:`.smime` — e-mail (S/MIME 4.0): signed and encrypted messages;
* :mod:`.ades` — what XAdES, CAdES and S/MIME share (signature evaluation, validation data);
* :mod:`.verdict` — the one function that turns the evidence of one signature into its
  ETSI EN 319 102-1 verdict, for every format;
* :mod:`.dispatch` — which format a file gets.

Formats import the layers below them only (:mod:`vbsign._core`, :mod:`vbsign.model`,
:mod:`vbsign.pki`, :mod:`vbsign.backends`, :mod:`vbsign.appearance`); they never consult
plugins (``docs/architecture.rst``).
"""
