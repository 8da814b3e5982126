#!/usr/bin/env bash
# fuzz.sh [SECONDS]: run each Go fuzz target for SECONDS (default 60) and
# report its executions and whether it found a crash. A crash leaves its
# input under the package's testdata/fuzz/ (go test then replays it).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
targets=(
  "./internal/bundle FuzzManifest"
  "./internal/bundle FuzzBundle"
  "./internal/cel FuzzRewrite"
  "./internal/rego FuzzCompile"
)
printf '%-18s %-14s %12s %8s\n' PACKAGE TARGET EXECS RESULT
crashed=0
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  log=$(mktemp)
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "${secs}s" -parallel 1 "$pkg" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  if [ $rc -eq 0 ]; then result=ok; else result=CRASH; crashed=$((crashed + 1)); grep -E -A8 -- '--- FAIL|panic' "$log" | head -20 >&2; fi
  printf '%-18s %-14s %12s %8s\n' "${pkg#./}" "$name" "${execs:-?}" "$result"
  rm -f "$log"
done
echo "crashes: $crashed"
[ "$crashed" -eq 0 ]
