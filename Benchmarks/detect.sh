#!/usr/bin/env bash
# Scores `signet detect` on a labelled set of real photographs (honest re-saves against splices, copy-moves,
# resampled, blurred and sharpened regions, aligned and non-aligned double compression), split by photograph, and
# prints image-level AUCs per signal, localisation F1 of the heatmaps, time per megapixel and the ratio to djpeg.
# Usage: Benchmarks/detect.sh [--fit] [--calibration PATH] [--swift PATH] [--seed N] [evaluate.py options, e.g. --no-speed]
#   --fit              first fit the calibration on the train split (Benchmarks/detect/fit.py) into the JSON at
#                      --calibration (default Sources/SignetDetect/Calibration.json) and the Swift table generated
#                      from it at --swift (default Sources/SignetDetect/CalibrationTable.swift; "" for none), then
#                      rebuild the binary (the table is compiled in) and evaluate on the test split
#   SIGNET_BIN=path    use that binary instead of building the release one (then --fit does not rebuild)
set -euo pipefail
cd "$(dirname "$0")/.."
fit=0
seed=1
calibration=Sources/SignetDetect/Calibration.json
swift_table=Sources/SignetDetect/CalibrationTable.swift
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fit) fit=1 ;;
    --seed) seed="$2"; shift ;;
    --calibration) calibration="$2"; shift ;;
    --swift) swift_table="$2"; shift ;;
    *) pass+=("$1") ;;
  esac
  shift
done

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import c2pa, PIL, numpy, scipy, skimage, sklearn' 2>/dev/null; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt numpy Pillow scipy scikit-image scikit-learn
fi
# djpeg is the decode-speed reference; without it evaluate.py times Pillow's decode instead (and says so).
if ! command -v djpeg >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjpeg-turbo-progs) >/dev/null 2>&1 \
    || echo "Benchmarks/detect.sh: could not install libjpeg-turbo-progs (djpeg): Pillow's decode stands in" >&2
fi

build() {
  if [ -n "${SIGNET_BIN:-}" ]; then
    bin="$SIGNET_BIN"
  else
    swift build -c release --product signet >&2
    bin="$(swift build -c release --show-bin-path)/signet"
  fi
}
build

set_dir=Benchmarks/out/detect-set
rm -rf "$set_dir"
.venv/bin/python Benchmarks/detect/build_set.py "$set_dir" --seed "$seed"
echo

if [ "$fit" = 1 ]; then
  .venv/bin/python Benchmarks/detect/fit.py --set "$set_dir" --signet "$bin" --out "$calibration" \
    ${swift_table:+--swift "$swift_table"}
  echo
  # The calibration is compiled into the binary (CalibrationTable.swift): rebuild before scoring the test split.
  build
fi

exec .venv/bin/python Benchmarks/detect/evaluate.py --set "$set_dir" --signet "$bin" --split test \
  --out Benchmarks/out/detect-eval ${pass[@]+"${pass[@]}"}
