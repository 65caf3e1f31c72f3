#!/usr/bin/env bash
# The whole test suite: unit tests, and interop tests of the built CLI against c2pa-rs (through c2pa-python).
# Creates .venv/ with the oracle on first use; builds once; runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import c2pa, PIL' 2>/dev/null; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt
fi
export SIGNET_ORACLE_PYTHON="$PWD/.venv/bin/python"

swift build --build-tests
SIGNET_BIN="$(swift build --show-bin-path)/signet"
export SIGNET_BIN
swift test --skip-build "$@"
