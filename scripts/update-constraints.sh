#!/usr/bin/env bash
# Regenerate constraints.txt from the tested environment (.venv made by scripts/setup.sh).
# Run after adding or upgrading a dependency, once the whole test suite passes with it.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# The versions the test suite passed with (CI installs exactly these: pip -c constraints.txt)."
  echo "# Regenerate with scripts/update-constraints.sh after the suite passes on a changed set."
  .venv/bin/python -m pip freeze --exclude-editable --all | grep -v -E '^(pip|setuptools|wheel)==' | grep -v -E '^(vbsign|vbsign-plugin-example)( |==|@)' | LC_ALL=C sort -f
} > constraints.txt.tmp
mv constraints.txt.tmp constraints.txt
echo "constraints.txt: $(grep -c '==' constraints.txt) pinned packages"
