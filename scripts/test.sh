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
set +e
swift test --skip-build "$@" 2>&1 | tee .build/test-output.log
status=${PIPESTATUS[0]}
set -e
# One plain closing line with the counts Swift Testing reported.
line=$(grep -E "Test run with [0-9]+ tests" .build/test-output.log | tail -1)
total=$(sed -nE 's/.*Test run with ([0-9]+) tests.*/\1/p' <<<"$line")
failed=$(sed -nE 's/.*with ([0-9]+) issues?.*/\1/p' <<<"$line")
if [ -n "$total" ]; then
  if [ "$status" -eq 0 ]; then echo "$total passed, 0 failed"; else echo "tests: $total run, ${failed:-some} issues, exit $status"; fi
fi
exit "$status"
