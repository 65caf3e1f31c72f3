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
