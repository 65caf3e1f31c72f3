#!/usr/bin/env bash
# Builds the release CLI and prints Signet beside c2pa-rs on generated JPEGs of about 1, 8 and 48 MB.
# Usage: Benchmarks/run.sh [--sizes 1,8,48] [--runs 5]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import c2pa, PIL, numpy' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt numpy
fi
# The static link below needs libcurl's development files (Foundation's networking links against it).
if ! dpkg -s libcurl4-openssl-dev >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcurl4-openssl-dev
  else
    echo "Benchmarks/run.sh: install libcurl4-openssl-dev first (sudo apt-get install libcurl4-openssl-dev)" >&2
    exit 2
  fi
fi
# A statically linked runtime halves process start-up (4.5 ms instead of 10.5 ms here), which matters for small files.
swift build -c release --product signet --static-swift-stdlib --scratch-path .build-static
exec .venv/bin/python Benchmarks/bench.py --signet "$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/signet" "$@"
