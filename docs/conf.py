"""Sphinx configuration for vbsign's documentation (built with -W: warnings are errors)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

from vbsign._version import __version__  # noqa: E402

project = "vbsign"
author = "vbsign developers"
copyright = "2026, vbsign developers"  # noqa: A001
release = version = __version__
language = "vi"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
    # the tables that come from the code (error codes, findings, REST API, hooks): docs/_generated/
    "vbsign_docgen",
]
autodoc_typehints = "description"
# "Attributes:" sections as :ivar: fields: dataclass fields also documented by their own
# "#:" comments would otherwise be described twice
napoleon_use_ivar = True
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}
# every cross-reference must resolve (-W makes a dangling one an error); the standard library's
# inventory is read from the Debian package python3-doc (scripts/setup.sh), never downloaded
nitpicky = True
_PY_INVENTORY = sorted(Path("/usr/share/doc").glob("python3*/html/objects.inv"))
intersphinx_mapping = {"python": ("https://docs.python.org/3", str(_PY_INVENTORY[-1]) if _PY_INVENTORY else None)}
html_theme = "alabaster"
html_static_path: list[str] = []
exclude_patterns = ["_build", "_generated/*.inc"]
