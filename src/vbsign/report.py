"""The verification report (public path): plain dataclasses, JSON-serialisable, versioned schema.

The types live in :mod:`vbsign.model.report` (the model layer, ``docs/architecture.rst``);
this module is their documented public name: ``from vbsign.report import Report``.
"""

# exactly the names of vbsign.model.report (one list to keep, there)
from vbsign.model.report import *  # noqa: F403
from vbsign.model.report import __all__ as __all__
