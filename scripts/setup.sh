#!/usr/bin/env bash
# Set up vbsign on a fresh Debian 12 machine: system packages, a virtualenv, the project.
# Idempotent; safe to run again. Used by scripts/demo.sh, scripts/test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv python3-pip softhsm2 opensc poppler-utils qpdf
              fonts-liberation2 fonts-dejavu-core postgresql libpq5)

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
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
EXTRAS=${VBSIGN_EXTRAS:-all}
echo "==> pip install -e .[$EXTRAS]"
.venv/bin/python -m pip install -q -e ".[$EXTRAS]" 2>&1 | grep -v "^WARNING: Location" || true
if [ "$EXTRAS" = "all" ]; then
  # the example third-party plugin (harmless by default) is part of the test environment
  .venv/bin/python -m pip install -q --no-deps -e examples/vbsign-plugin-example 2>&1 | grep -v "^WARNING: Location" || true
fi
.venv/bin/vbsign --version
