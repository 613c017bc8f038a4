"""PAdES: signing (:mod:`.sign`) and verification (:mod:`.verify`) of PDF documents.

:mod:`.reader` is vbsign's PDF reader (pyHanko's, with a faster tokenizer for the objects
vbsign reads); :mod:`.limits` bounds untrusted files in time and memory and isolates the
risky ones in a worker process; :mod:`.forensics`, :mod:`.structure`, :mod:`.shadow`,
:mod:`.diffpolicy` / :mod:`.diffrules` and :mod:`.visual` find what changed after signing.
Importing this package changes nothing outside vbsign (:mod:`.speedups` does, on request).
"""
