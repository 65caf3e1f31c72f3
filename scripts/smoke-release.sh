#!/usr/bin/env bash
# Smoke test of the release binary, the one users install: every command must print its verdict.
# Usage: scripts/smoke-release.sh PATH/TO/signet   (scripts/test.sh runs it on `swift build -c release`'s binary)
set -euo pipefail
bin="${1:?usage: scripts/smoke-release.sh PATH/TO/signet}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # check DESCRIPTION EXPECTED-STATUS PATTERN -- command...
  local what="$1" want="$2" pattern="$3"
  shift 4
  local out status=0
  out="$("$@" 2>&1)" || status=$?
  if [ "$status" -ne "$want" ] || ! grep -Eq -- "$pattern" <<<"$out"; then
    echo "FAIL: $what: exit $status (wanted $want), output: ${out:0:400}" >&2
    failures=$((failures + 1))
  else
    echo "ok: $what"
  fi
}

"$bin" keys generate --output "$work/keys" >/dev/null
anchors="$work/keys/root-ca.pem"
"$bin" demo --dir "$work/demo" >"$work/demo.txt"
grep -q "TRUSTED" "$work/demo.txt" || { echo "FAIL: demo printed no TRUSTED verdict" >&2; failures=$((failures + 1)); }
sample="$work/demo/sample.jpg"

check "sign a JPEG" 0 "" -- "$bin" sign "$sample" -o "$work/a.jpg" --key "$work/keys/es256.key" --cert "$work/keys/es256.pem"
check "verify one file, text" 0 "a\.jpg: TRUSTED" -- "$bin" verify --trust-anchors "$anchors" "$work/a.jpg"
check "verify one file, JSON" 0 '"validation_state":"Trusted"' -- "$bin" verify --json --trust-anchors "$anchors" "$work/a.jpg"
check "verify one file, one job" 0 "a\.jpg: TRUSTED" -- "$bin" verify --jobs 1 --trust-anchors "$anchors" "$work/a.jpg"
check "verify without anchors is Valid" 0 "a\.jpg: VALID" -- "$bin" verify "$work/a.jpg"
cp "$work/a.jpg" "$work/b.jpg"
printf 'x' | dd of="$work/b.jpg" bs=1 seek=$(( $(stat -c %s "$work/b.jpg") - 20 )) conv=notrunc status=none
check "a changed byte is Invalid" 1 "b\.jpg: INVALID" -- "$bin" verify --trust-anchors "$anchors" "$work/b.jpg"
# One verdict line per file (failure details follow on indented lines).
many=$("$bin" verify --jobs 2 --trust-anchors "$anchors" "$work/a.jpg" "$work/b.jpg" "$work/a.jpg" "$sample" 2>/dev/null | grep -v '^ ' || true)
if [ "$(grep -c . <<<"$many")" -ne 4 ] || ! grep -q "a.jpg: TRUSTED" <<<"$(sed -n 1p <<<"$many")" \
  || ! grep -q "b.jpg: INVALID" <<<"$(sed -n 2p <<<"$many")" || ! grep -q "NO MANIFEST" <<<"$(sed -n 4p <<<"$many")"; then
  echo "FAIL: verify of many files in input order: $many" >&2
  failures=$((failures + 1))
else
  echo "ok: verify many files, in input order"
fi
check "verify many, JSON, one line each" 1 '"file":.*b\.jpg' -- "$bin" verify --json --trust-anchors "$anchors" "$work/a.jpg" "$work/b.jpg"
check "inspect" 0 "TRUSTED" -- "$bin" inspect --trust-anchors "$anchors" "$work/a.jpg"
check "inspect --tree" 0 "a\.jpg" -- "$bin" inspect --tree --trust-anchors "$anchors" "$work/a.jpg"
check "sign an edit (--parent)" 0 "" -- "$bin" sign "$sample" -o "$work/c.jpg" --key "$work/keys/es256.key" --cert "$work/keys/es256.pem" --parent "$work/a.jpg" --action cropped
check "verify the edit" 0 "c\.jpg: TRUSTED" -- "$bin" verify --trust-anchors "$anchors" "$work/c.jpg"

# The fallback detector: a signed file is reported as signed, an unsigned one is scored, bad input gets exit 3.
check "detect a signed file" 0 "signed, provenance: valid manifest" -- "$bin" detect --trust-anchors "$anchors" "$work/a.jpg"
check "detect judges a file whose signer is not trusted" 0 "a\.jpg: (low|inconclusive|moderate|strong) \(score .*provenance: valid manifest" -- "$bin" detect "$work/a.jpg"
check "detect an unsigned file, JSON" 0 '"band":"(low|inconclusive|moderate|strong)"' -- "$bin" detect --json "$sample"
check "detect writes a heatmap" 0 "heatmap: .*hm\.png" -- "$bin" detect --heatmap "$work/hm.png" "$sample"
check "detect keeps an existing heatmap without --force" 5 "already exists|exists" -- "$bin" detect --heatmap "$work/hm.png" "$sample"
head -c 3000 "$sample" >"$work/cut.jpg"
check "detect refuses a truncated JPEG with exit 3" 3 "cut\.jpg: " -- "$bin" detect "$work/cut.jpg"

# Audio and video: the container comes from the content; the release binary must write and read each one.
python3 - "$work" <<'PY'
import struct, sys, wave
with wave.open(sys.argv[1] + "/tone.wav", "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", (i * 37) % 20000 - 10000) for i in range(4001)))
PY
check "sign a WAV" 0 "" -- "$bin" sign "$work/tone.wav" -o "$work/tone-signed.wav" --key "$work/keys/es256.key" --cert "$work/keys/es256.pem"
check "verify the WAV" 0 "tone-signed\.wav: TRUSTED" -- "$bin" verify --trust-anchors "$anchors" "$work/tone-signed.wav"
check "remove the WAV's store" 0 "" -- "$bin" remove "$work/tone-signed.wav" -o "$work/tone-removed.wav"
check "the removed copy is the original" 0 "" -- cmp "$work/tone.wav" "$work/tone-removed.wav"
if command -v ffmpeg >/dev/null; then
  ffmpeg -loglevel error -f lavfi -i sine=duration=0.5 "$work/tone.mp3"
  ffmpeg -loglevel error -f lavfi -i testsrc=size=96x64:rate=10:duration=1 -f lavfi -i sine=duration=1 -shortest \
    -c:v libx264 -c:a aac -movflags +faststart "$work/clip.mp4"
  check "sign an MP3" 0 "" -- "$bin" sign "$work/tone.mp3" -o "$work/tone-signed.mp3" --key "$work/keys/es256.key" --cert "$work/keys/es256.pem"
  check "sign an MP4 (faststart)" 0 "" -- "$bin" sign "$work/clip.mp4" -o "$work/clip-signed.mp4" --key "$work/keys/es256.key" --cert "$work/keys/es256.pem"
  check "verify MP3 and MP4" 0 "clip-signed\.mp4: TRUSTED" -- "$bin" verify --trust-anchors "$anchors" "$work/tone-signed.mp3" "$work/clip-signed.mp4"
  check "the signed MP4 still decodes" 0 "" -- ffmpeg -v error -i "$work/clip-signed.mp4" -f null -
fi

export SIGNET_PASSPHRASE="smoke-test-passphrase"
reg="$work/registry"
check "registry init" 0 "" -- "$bin" registry init --registry "$reg" --organization "Smoke" --origin smoke.example/registry
check "publisher add" 0 "" -- "$bin" registry publisher add "Smoke Times" --registry "$reg" --org Smoke --country NZ
check "key issue" 0 "" -- "$bin" registry key issue --publisher "Smoke Times" --alg es256 --registry "$reg"
check "sign with the registry key" 0 "" -- "$bin" sign "$sample" -o "$work/r.jpg" --publisher "Smoke Times" --registry "$reg"
check "verify against the registry" 0 "r\.jpg: TRUSTED" -- "$bin" verify --registry "$reg" "$work/r.jpg"
check "registry export" 0 "" -- "$bin" registry export --output "$work/bundle" --registry "$reg"
check "verify against the bundle" 0 "r\.jpg: TRUSTED" -- "$bin" verify --bundle "$work/bundle" "$work/r.jpg"
check "log verify with the pinned key" 0 "" -- "$bin" registry log verify --registry "$reg" --key "$work/bundle/log.vkey"

if [ "$failures" -gt 0 ]; then
  echo "release smoke test: $failures failed" >&2
  exit 1
fi
echo "release smoke test: all passed"
