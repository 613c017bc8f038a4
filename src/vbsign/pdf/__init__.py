"""PAdES: signing (:mod:`.sign`) and verification (:mod:`.verify`) of PDF documents."""
