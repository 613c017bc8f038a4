"""PAdES: signing (:mod:`.sign`) and verification (:mod:`.verify`) of PDF documents."""

from vbsign.formats.pades.speedups import install as _install_speedups

_install_speedups()
