#!/usr/bin/env bash
# Set up vbsign on a fresh Debian 12 machine: system packages, a virtualenv, the project.
# Idempotent; safe to run again. Used by scripts/demo.sh, scripts/test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv python3-pip python3-doc softhsm2 opensc poppler-utils qpdf xmlsec1 ghostscript
              fonts-liberation2 fonts-dejavu-core postgresql libpq5
              # issue 17: the PDF report (WeasyPrint → Pango), the portal test (headless Chromium
              # driven by chromedriver), the scale-out test (Redis as Celery broker); issue 21: python3-doc
              # (the standard library's Sphinx inventory, read offline by docs/conf.py)
              libpango-1.0-0 libpangoft2-1.0-0 chromium chromium-driver redis-server)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "==> apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
# pip's output is shown except the harmless note about this machine's local wheel folder;
# a failing pip install fails this script (its exit status is kept, never hidden by the filter)
pip_install() {
  local out rc=0
  out=$(.venv/bin/python -m pip install -q "$@" 2>&1) || rc=$?
  if [ -n "$out" ]; then printf '%s\n' "$out" | grep -v "^WARNING: Location" >&2 || true; fi
  return "$rc"
}
pip_install --upgrade pip
# every feature (all) and the developer tools (dev: pytest, hypothesis, ruff, mypy, Sphinx,
# import-linter, tox); VBSIGN_EXTRAS=all installs what a deployment runs, without them
EXTRAS=${VBSIGN_EXTRAS:-all,dev}
# constraints.txt pins the versions the test suite passed with (scripts/update-constraints.sh)
echo "==> pip install -c constraints.txt -e .[$EXTRAS]"
pip_install -c constraints.txt -e ".[$EXTRAS]"
if [[ ",$EXTRAS," == *",dev,"* ]]; then
  # the example third-party plugin (harmless by default) is part of the test environment
  pip_install --no-deps -e examples/vbsign-plugin-example
fi
.venv/bin/vbsign --version
