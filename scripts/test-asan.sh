#!/usr/bin/env bash
# The whole test suite under AddressSanitizer: what scripts/test.sh runs (the same oracle venv and SIGNET_BIN),
# built with --sanitize=address in its own scratch path (.build-asan), so it never disturbs the normal build.
# Slow (a full instrumented build, then every test): a periodic job, not part of .ci/run; see
# Spec/threat-model.md, "Fuzzing", for when it runs. Extra arguments go to `swift test`, e.g.
#
#   scripts/test-asan.sh                                   # everything
#   scripts/test-asan.sh --filter 'SignetCBORTests|SignetJUMBFTests|SignetCOSETests'
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/oracle-venv.sh

scratch=.build-asan
flags=(--scratch-path "$scratch" --sanitize=address)
# Memory errors (out of bounds, use after free) stop the run; leak checking is off unless ASAN_OPTIONS says otherwise.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:abort_on_error=0}

nice -n 10 swift build "${flags[@]}" --build-tests
SIGNET_BIN="$(swift build "${flags[@]}" --show-bin-path)/signet"
export SIGNET_BIN
mkdir -p test-artifacts
log=test-artifacts/test-asan.log
set +e
nice -n 10 swift test "${flags[@]}" --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if grep -q "ERROR: AddressSanitizer" "$log"; then
  echo "AddressSanitizer reported errors (see $log)"
  [ "$status" -ne 0 ] || status=1
fi
line=$(grep -E "Test run with [0-9]+ tests" "$log" | tail -1)
total=$(sed -nE 's/.*Test run with ([0-9]+) tests.*/\1/p' <<<"$line")
if [ -n "$total" ]; then
  if [ "$status" -eq 0 ]; then echo "ASan: $total passed, 0 failed"; else echo "ASan: $total run, exit $status"; fi
fi
exit "$status"
