#!/usr/bin/env bash
# fuzz-input.sh [SECONDS] — fuzz every write decoder (Go native fuzzing)
# for SECONDS each (default 60) and report, per target, the executions and
# whether it crashed. A crash leaves its input under the package's
# testdata/fuzz/ (commit it: it becomes a regression test).
#
# FUZZ_PACKAGES chooses the packages (default "./dsr ./cmd/dsr"): ./dsr
# holds the targets over the record types (quick to instrument); ./cmd/dsr
# the same over the CLI's own input types, whose test binary links SQLite
# and the policy engines, so its first instrumented build takes minutes.
set -u
secs=${1:-60}
packages=${FUZZ_PACKAGES:-./dsr ./cmd/dsr}
cd "$(dirname "$0")/.."

# The write decoders: every Fuzz target whose name says it decodes input.
pattern='^Fuzz(Decode|Strict)'
crashes=0
total=0
printf '%-12s %-28s %12s  %s\n' PACKAGE TARGET EXECS RESULT
for pkg in $packages; do
	for target in $(go test -list "$pattern" "$pkg" | grep '^Fuzz'); do
		out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" "$pkg" 2>&1)
		code=$?
		execs=$(printf '%s\n' "$out" | grep -o 'execs: [0-9]*' | tail -1 | grep -o '[0-9]*')
		result=ok
		if [ "$code" -ne 0 ]; then
			result="CRASH: $(printf '%s\n' "$out" | grep -m1 -E 'Failing input|panic:|fuzz_.*test.go:[0-9]+:' | sed 's/^[[:space:]]*//')"
			crashes=$((crashes + 1))
		fi
		total=$((total + 1))
		printf '%-12s %-28s %12s  %s\n' "$pkg" "$target" "${execs:-0}" "$result"
	done
done
echo "$total targets, ${secs}s each: $crashes crashed"
[ "$crashes" -eq 0 ]
