#!/usr/bin/env bash
# Static checks: ruff (lint), mypy (strict on src/vbsign), import-linter (the layers of
# docs/architecture.rst, [tool.importlinter] in pyproject.toml), Sphinx docs (-W).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
# the guides' pictures (portal in headless Chromium, signed page via PDFium) from the test PKI
.venv/bin/python scripts/make_screenshots.py >/dev/null
.venv/bin/sphinx-build -W -q -b html docs docs/_build/html
