#!/usr/bin/env bash
# with-postgres.sh CMD [ARGS...]: runs CMD with a throwaway PostgreSQL.
#
# It initialises a cluster in a temporary directory (initdb), starts it
# listening on 127.0.0.1 only, on a free port, with no Unix socket outside
# that directory, creates the database dsrtest, exports
# DSR_TEST_DATABASE_URL=postgres://…/dsrtest for CMD (the register/pgstore
# tests read it), and stops the cluster and removes the directory when CMD
# ends, however it ends. CMD's exit status is the script's.
#
# PostgreSQL refuses to run as root: as root the cluster runs as the
# unprivileged user nobody (runuser), the directory chowned to it.
# initdb and pg_ctl are found on PATH or in Debian's
# /usr/lib/postgresql/*/bin (apt-get install postgresql).
#
#	scripts/with-postgres.sh go test ./register/pgstore
#	scripts/with-postgres.sh go test -bench . -run '^$' ./register/pgstore
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

find_bin() {
	local name="$1" p
	if p="$(command -v "$name" 2>/dev/null)"; then
		echo "$p"
		return
	fi
	for p in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [[ -x "$p/$name" ]]; then
			echo "$p/$name"
			return
		fi
	done
	echo "with-postgres: $name not found on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
	exit 1
}
initdb="$(readlink -f "$(find_bin initdb)")"
pg_ctl="$(readlink -f "$(find_bin pg_ctl)")"
bindir="$(dirname "$pg_ctl")"

# A free port: bind port 0 on 127.0.0.1 and read the port the kernel gave.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || true)"
if [[ -z "$port" ]]; then
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
	done
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/dsr-pg.XXXXXX")"
chmod 0755 "$dir" # traversable by the cluster's user
as=()
if [[ "$(id -u)" -eq 0 ]]; then
	chown nobody "$dir"
	as=(runuser -u nobody --)
fi

stop() {
	local rc=$?
	"${as[@]}" "$pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT TERM

(cd "$dir" && "${as[@]}" "$initdb" -D "$dir/data" -U dsrtest --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1) || {
	cat "$dir/initdb.log" >&2
	exit 1
}
# fsync off and a small shared_buffers: a throwaway cluster for tests.
(cd "$dir" && "${as[@]}" "$pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
	-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null) || {
	cat "$dir/postgres.log" >&2
	exit 1
}
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U dsrtest dsrtest

export DSR_TEST_DATABASE_URL="postgres://dsrtest@127.0.0.1:$port/dsrtest?sslmode=disable"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (DSR_TEST_DATABASE_URL=$DSR_TEST_DATABASE_URL)" >&2
set +e
"$@"
