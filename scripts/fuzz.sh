#!/usr/bin/env bash
# libFuzzer targets for Signet's parsers of untrusted bytes (the package in Fuzz/, outside the main build).
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [target...]
#
# Builds Fuzz/ once (release, -sanitize=fuzzer,address), generates the seed corpora with the library itself
# (fuzz-seeds: JPEG/PNG signed with Keys/, their stores, claims and COSE, certificate chains, time-stamps, OCSP
# responses, CRLs, checkpoints and tiles), runs each target for N seconds (default 60; J targets at a time,
# default 1), and prints per target the executions and executions per second from libFuzzer's final stats and
# the findings. Findings (crash-*, leak-*, timeout-*, oom-*) go to test-artifacts/fuzz-crashes/<target>/;
# the growing corpus to test-artifacts/fuzz-corpus/<target>/. Exit status 1 when any target found anything.
#
# Reproduce a finding: Fuzz/.build/release/fuzz-<target> test-artifacts/fuzz-crashes/<target>/crash-...
# Minimize it:         Fuzz/.build/release/fuzz-<target> -minimize_crash=1 -runs=10000 crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

all_targets=(cbor jumbf media cose manifest verify x509 timestamp ocsp log)
seconds=60
jobs=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "unknown target $t (targets: ${all_targets[*]})" >&2; exit 2; }
done

flags=(-c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
# The main package's pins, so the fuzz build uses the versions CI tests.
[ -f Package.resolved ] && cp Package.resolved Fuzz/Package.resolved
echo "== building Fuzz/ (release, fuzzer+address)"
nice -n 10 swift build "${flags[@]}"
bin=$(swift build "${flags[@]}" --show-bin-path)

work=$root/test-artifacts/fuzz-work
rm -rf "$work"
mkdir -p "$work/logs" test-artifacts/fuzz-corpus test-artifacts/fuzz-crashes
scratch=$(mktemp -d "${TMPDIR:-/tmp}/signet-fuzz.XXXXXX")
[ -d /dev/shm ] && { rmdir "$scratch"; scratch=$(mktemp -d /dev/shm/signet-fuzz.XXXXXX); }
trap 'rm -rf "$scratch"' EXIT
export SIGNET_FUZZ_KEYS=$root/Keys SIGNET_FUZZ_SCRATCH=$scratch
# No leak detection: LeakSanitizer reports the Swift runtime's lazily initialised globals (static lets) as leaks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

echo "== generating seeds"
"$bin/fuzz-seeds" "$work/seeds" >"$work/logs/seeds.log" 2>&1 || { cat "$work/logs/seeds.log" >&2; exit 1; }

run_target() {
  local t=$1 corpus=$root/test-artifacts/fuzz-corpus/$1 crashes=$root/test-artifacts/fuzz-crashes/$1
  mkdir -p "$corpus" "$crashes"
  ls "$crashes" >"$work/logs/$t.before"
  # -timeout: one input taking 25 s is a finding (a hang); -rss_limit_mb: 2 GB is one.
  nice -n 10 "$bin/fuzz-$t" "$corpus" "$work/seeds/$t" \
    -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -detect_leaks=0 \
    -artifact_prefix="$crashes/" >"$work/logs/$t.log" 2>&1
  echo $? >"$work/logs/$t.rc"
}

echo "== fuzzing ${targets[*]} for ${seconds}s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

status=0
summary=$root/test-artifacts/fuzz-summary.txt
{
  printf '%-10s %12s %8s %8s %8s  %s\n' target executions exec/s crashes hangs notes
  for t in "${targets[@]}"; do
    log=$work/logs/$t.log
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -1)
    new=$(comm -13 "$work/logs/$t.before" <(ls "$root/test-artifacts/fuzz-crashes/$t"))
    crashes=$(grep -cE '^(crash|leak|oom)-' <<<"$new" || true)
    hangs=$(grep -cE '^(timeout|slow-unit)-' <<<"$new" || true)
    rc=$(cat "$work/logs/$t.rc")
    notes=""
    [ "$rc" = 0 ] || notes="exit $rc; see $log"
    if [ "$rc" != 0 ] && [ "$crashes" = 0 ] && [ "$hangs" = 0 ]; then crashes=1; fi
    for f in $new; do notes="$notes test-artifacts/fuzz-crashes/$t/$f"; done
    [ "$crashes" = 0 ] && [ "$hangs" = 0 ] || status=1
    printf '%-10s %12s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$crashes" "$hangs" "$notes"
  done
} >"$summary"
cat "$summary"
echo "($(date -u +%Y-%m-%dT%H:%MZ), ${seconds}s per target; summary in test-artifacts/fuzz-summary.txt)"
exit $status
