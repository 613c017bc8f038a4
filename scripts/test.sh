#!/usr/bin/env bash
# Quick start 2: set up and run the whole test suite.
# pytest exits 5 when it collects no tests; `set -e` turns that into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -f scripts/start-postgres.sh ]; then
  # shellcheck disable=SC1091
  source scripts/start-postgres.sh
fi
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" -q "$@"
