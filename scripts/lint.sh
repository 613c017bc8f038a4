#!/usr/bin/env bash
# Static checks: ruff (lint), mypy (strict on src/vbsign), Sphinx docs (-W).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/mypy
.venv/bin/sphinx-build -W -q -b html docs docs/_build/html
