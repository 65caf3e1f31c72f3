#!/usr/bin/env bash
# The whole test suite: unit tests, a smoke test of the release CLI, and interop tests of the release CLI against
# c2pa-rs (through c2pa-python). Creates .venv/ with the oracle on first use; builds once (debug with tests, and
# the release CLI); runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/oracle-venv.sh

# A throwaway PostgreSQL server for the registry's PostgreSQL store (its tests skip, with a note, without one).
if [ -z "${SIGNET_TEST_POSTGRES_URL:-}" ]; then
  pgdir=$(mktemp -d /tmp/signet-pg-XXXXXX)
  chmod 755 "$pgdir"
  if url=$(scripts/postgres-test.sh start "$pgdir"); then
    export SIGNET_TEST_POSTGRES_URL="$url"
    trap 'scripts/postgres-test.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
  else
    echo "note: no PostgreSQL server could be started; its tests will be skipped" >&2
    rm -rf "$pgdir"
  fi
fi

swift build --build-tests
# The product is the release binary: the CLI tests (interop, conformance, registry, browser) run it, after a smoke
# test that every command prints its verdict (an optimizer bug once made `verify` print nothing in -c release).
swift build -c release --product signet
SIGNET_BIN="$(swift build -c release --show-bin-path)/signet"
export SIGNET_BIN
scripts/smoke-release.sh "$SIGNET_BIN"
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
