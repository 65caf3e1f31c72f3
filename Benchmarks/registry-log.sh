#!/usr/bin/env bash
# The registry's transparency log: append rate and proof time at 10^3, 10^5 and 10^6 leaves (release build).
# Usage: Benchmarks/registry-log.sh [--events 100000] [--sizes 1000,100000,1000000] [--batch 1000]
set -euo pipefail
cd "$(dirname "$0")/RegistryLog"
swift build -c release
exec "$(swift build -c release --show-bin-path)/RegistryLogBench" "$@"
