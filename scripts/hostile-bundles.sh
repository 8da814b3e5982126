#!/usr/bin/env bash
# hostile-bundles.sh: run each case of the hostile-bundle suite
# (policies/hostile_test.go, TestHostileBundles) in its own process and
# report its wall time and peak memory (RSS). A case passes when its test
# passes (refused at load or stopped at assessment, within 2 s, with an
# error naming the file and the limit) and its process peaks under 256 MB.
# Each case runs three times, once per path (optimised, with optional CEL
# points compiled at their first use; plain: WithOptimize false; eager:
# WithEagerCompile, every point compiled in Load), each in its own
# process: the time and memory are the whole process's (start, load,
# assess, first use). Needs /usr/bin/time (GNU time) and root for the
# device case (mknod).
set -euo pipefail
cd "$(dirname "$0")/.."
max_rss_kb=$((256 * 1024))
bin=$(mktemp -d)/policies.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./policies/
cd policies # the test reads the embedded bundles and its testdata from here
names=$("$bin" -test.run '^TestHostileBundles$' -test.v 2>&1 | sed -n 's/^=== RUN   TestHostileBundles\///p')
printf '%-56s %-9s %-6s %7s %8s\n' CASE PATH RESULT WALL_S PEAK_MB
fail=0
while IFS= read -r name; do
  [ -n "$name" ] || continue
  for path in optimised plain eager; do
  log=$(mktemp)
  if DSR_HOSTILE_PATH=$path /usr/bin/time -v "$bin" -test.run "^TestHostileBundles\$/^${name}\$" >"$log" 2>&1; then result=ok; else result=FAIL; fi
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  if [ "$result" = ok ] && [ "$rss" -gt "$max_rss_kb" ]; then result=RSS; fi
  [ "$result" = ok ] || { fail=$((fail + 1)); grep -E 'hostile_test|FAIL' "$log" | head -5 >&2 || true; }
  printf '%-56s %-9s %-6s %7.2f %8.1f\n' "$name" "$path" "$result" "$wall" "$(echo "$rss / 1024" | bc -l)"
  rm -f "$log"
  done
done <<<"$names"
echo "failed: $fail"
[ "$fail" -eq 0 ]
