#!/usr/bin/env bash
# `signet serve` under load (wrk, 16 connections) beside c2pa-rs in-process and a `signet verify` loop, and its
# memory with 100 MB uploads in flight. Builds the release binary (or uses $SIGNET_BIN) and the oracle venv.
# Usage: Benchmarks/serve.sh [--seconds 15] [--connections 16] [--sizes 1,12] [--upload-mb 100] [--uploads 8]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/oracle-venv.sh
.venv/bin/python -c 'import numpy' 2>/dev/null || .venv/bin/pip install --quiet --disable-pip-version-check numpy
if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk curl
  else
    echo "Benchmarks/serve.sh: install wrk and curl first (sudo apt-get install wrk curl)" >&2
    exit 2
  fi
fi
if [ -z "${SIGNET_BIN:-}" ]; then
  swift build -c release --product signet
  SIGNET_BIN="$(swift build -c release --show-bin-path)/signet"
fi
exec .venv/bin/python Benchmarks/serve/load.py --signet "$SIGNET_BIN" "$@"
