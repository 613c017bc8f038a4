#!/usr/bin/env bash
# Quick start 1: set up and run the demo (offline, embedded test PKI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/vbsign demo --out "${1:-demo-out}"
