#!/usr/bin/env bash
# Builds the release CLI and prints Signet beside c2pa-rs on a ~1 GB MP4 (faststart), a ~200 MB WAV, a ~50 MB GIF and a
# ~200 MB TIFF, and verifies a ~200 MB PDF c2pa-rs signed.
# Usage: Benchmarks/media.sh [--mp4-mb 1000] [--wav-mb 200] [--gif-mb 50] [--tiff-mb 200] [--pdf-mb 200] [--runs 3] (0 MB skips a format)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v ffmpeg >/dev/null || { echo "Benchmarks/media.sh: needs ffmpeg (apt-get install ffmpeg)" >&2; exit 2; }
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import c2pa, PIL, numpy' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r Tests/Interop/requirements.txt numpy
fi
swift build -c release --product signet
exec .venv/bin/python Benchmarks/media.py --signet "$(swift build -c release --show-bin-path)/signet" "$@"
