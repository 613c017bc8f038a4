"""vbsign — ký số, kiểm tra và thẩm định văn bản điện tử / sign, verify, validate e-documents."""

from ._version import __version__

__all__ = ["__version__"]
