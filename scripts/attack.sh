#!/bin/sh
# attack.sh: build a small demo register, then attack the copied file as an
# attacker without the key would (scripts/attack): every blob window as an
# AES key against every sealed blob, and a search of the raw bytes (and of
# a sqlite3 dump, if the sqlite3 CLI is installed) for the demo people's
# local ids, NHS numbers, names, addresses and postcode. Then withdraw one
# person's consent and attack again. Exits non-zero if anything opens or is
# found.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config"
people=6
db="$tmp/register.db"
go run ./cmd/dsr demo --db "$db" --people $people >/dev/null
ids="$tmp/identifiers.txt"
go run ./scripts/attack/needles -people $people >"$ids"
attack() {
	go run ./scripts/attack -db "$db" <"$ids"
	if command -v sqlite3 >/dev/null 2>&1; then
		cp "$db" "$tmp/copy.db"; [ -f "$db-wal" ] && cp "$db-wal" "$tmp/copy.db-wal"
		if sqlite3 "$tmp/copy.db" .dump | grep -F -f "$ids"; then
			echo "FOUND identifiers in the sqlite3 dump"; exit 1
		fi
		echo "sqlite3 dump: no identifier"
	fi
}
attack
go run ./cmd/dsr register record syn-0001 - --db "$db" --by attack-script --role admin <<JSON
{"type": "consent_withdrawn", "date": "2026-04-01", "by": "self"}
JSON
echo "after withdrawing syn-0001:"
attack
