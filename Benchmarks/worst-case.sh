#!/usr/bin/env bash
# Worst-case stores: times the release `signet verify` on genuinely signed JPEGs at Signet's hostile-store caps
# (one 5 MB assertion referenced up to 10,000 times; chains of up to 3,000 parentOf manifests) beside a plain
# signed JPEG of about the same size, and prints a markdown table. A run whose verdict is not the expected one
# (TRUSTED with the development root as trust anchor, or the expected failure code) stops the script.
# Usage: Benchmarks/worst-case.sh [--runs 5] [--no-build]   (--no-build: use the release binaries already built)
set -euo pipefail
runs=5
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:-}"; shift 2 || shift ;;
    --no-build) build=0; shift ;;
    *) echo "usage: Benchmarks/worst-case.sh [--runs N] [--no-build]" >&2; exit 2 ;;
  esac
done
case "$runs" in ''|*[!0-9]*|0) echo "worst-case.sh: --runs takes a positive integer" >&2; exit 2 ;; esac

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
if [ "$build" = 1 ]; then
  swift build -c release --product signet
  (cd Benchmarks/WorstCase && swift build -c release)
fi
signet="$(swift build -c release --show-bin-path)/signet"
craft="$(cd Benchmarks/WorstCase && swift build -c release --show-bin-path)/WorstCaseCraft"

out="$(mktemp -d "${TMPDIR:-/tmp}/signet-worst-case.XXXXXX")"
trap 'rm -rf "$out"' EXIT
"$signet" keys generate --output "$out/keys" >/dev/null
"$craft" --keys "$out/keys" --out "$out"
"$signet" sign "$out/baseline-unsigned.jpg" -o "$out/baseline.jpg" --key "$out/keys/es256.key" --cert "$out/keys/es256.pem" \
  --no-thumbnail >/dev/null
printf 'baseline.jpg\tplain\t1\t-\tTRUSTED\n' >>"$out/cases.tsv"

python3 - "$signet" "$out" "$runs" <<'PY'
import json, os, statistics, subprocess, sys, time

signet, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
anchors = os.path.join(out, "keys", "root-ca.pem")
env = dict(os.environ, SIGNET_REPORT_PEAK_MEMORY="1")


def verify(path, expected):
    """One timed `signet verify`: (seconds, peak kB, verdict). Exits unless the verdict is `expected`."""
    failing = expected.startswith("Invalid:")
    args = [signet, "verify", "--trust-anchors", anchors] + (["--json"] if failing else []) + [path]
    t0 = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    dt = time.perf_counter() - t0
    peak = [int(l.split()[3]) for l in p.stderr.splitlines() if l.startswith("signet: peak memory")]
    if failing:
        code = expected.split(":", 1)[1]
        try:
            report = json.loads(p.stdout)
        except ValueError:
            report = {}
        state = report.get("validation_state")
        failures = [f.get("code") for f in report.get("validation_results", {}).get("activeManifest", {}).get("failure", [])]
        ok = p.returncode == 1 and state == "Invalid" and code in failures
        verdict = f"Invalid ({code})"
    else:
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        ok = p.returncode == 0 and len(lines) == 1 and lines[0].startswith(f"{path}: {expected}")
        verdict = expected
    if not ok or not peak:
        sys.exit(f"worst-case.sh: {os.path.basename(path)}: expected {expected}, got exit {p.returncode}: "
                 f"{p.stdout.strip()[:400]!r} {p.stderr.strip()[:400]!r}")
    return dt, peak[0], verdict


rows = []
for line in open(os.path.join(out, "cases.tsv")):
    name, kind, count, uris, expected = line.rstrip("\n").split("\t")
    path = os.path.join(out, name)
    size = os.path.getsize(path)
    verify(path, expected)  # warm the page cache
    results = [verify(path, expected) for _ in range(runs)]
    t = statistics.median(r[0] for r in results)
    rows.append(dict(name=name, kind=kind, count=int(count), uris=uris, size=size, t=t,
                     peak=max(r[1] for r in results), verdict=results[0][2]))
    print(f"{name}: {t * 1000:.1f} ms", file=sys.stderr)

base = next(r for r in rows if r["kind"] == "plain")
print(f"| file | size | manifests / references | hashed URIs in the active claim | verify (median of {runs}) | MB/s | peak RSS | verdict |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    what = {"references": f"1 manifest, 5 MB assertion referenced {r['count']:,} time" + ("s" if r["count"] != 1 else ""),
            "manifests": f"{r['count']:,} manifests",
            "plain": "1 manifest (`signet sign`): the baseline"}[r["kind"]]
    uris = r["uris"] if r["uris"] == "-" else f"{int(r['uris']):,}"
    print(f"| {r['name']} | {r['size'] / 1e6:.2f} MB | {what} | {uris} | {r['t'] * 1000:.1f} ms | "
          f"{r['size'] / 1e6 / r['t']:.0f} | {r['peak'] / 1024:.0f} MB | {r['verdict']} |")
# Time per byte against the baseline's, over the crafted files of 1 MB or more (below that, process start-up,
# about 5-10 ms, is most of the time whatever the store holds).
per_byte = lambda r: r["t"] / r["size"]
big = [r for r in rows if r["kind"] != "plain" and r["size"] >= 1_000_000]
worst = max(big, key=per_byte)
print()
print(f"baseline: {base['size'] / 1e6:.2f} MB in {base['t'] * 1000:.1f} ms = {base['size'] / 1e6 / base['t']:.0f} MB/s")
print(f"time per byte, worst vs baseline: {per_byte(worst) / per_byte(base):.2f}x ({worst['name']}; crafted files of 1 MB or more)")
PY
