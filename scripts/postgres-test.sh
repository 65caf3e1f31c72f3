#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `scripts/postgres-test.sh start DIR` makes a cluster in DIR (as the
# `postgres` user when run as root: initdb refuses root), listening only on a Unix socket in DIR, with a database
# `signet`, and prints the URL the tests read from SIGNET_TEST_POSTGRES_URL (postgres://USER@/signet?host=DIR&port=P).
# `scripts/postgres-test.sh stop DIR` stops it. Exits 3 when PostgreSQL is not installed (the tests then skip).
set -euo pipefail
action=${1:?start|stop}
dir=${2:?directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || { echo "postgres-test: PostgreSQL is not installed" >&2; exit 3; }
as_owner=()
user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); user=postgres; fi
port=5439
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U "$user" -A trust --no-sync >"$dir/initdb.log" 2>&1
    fi
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off -c max_connections=200" start >/dev/null
    "${as_owner[@]}" "$bindir/psql" -h "$dir" -p "$port" -U "$user" -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = 'signet'" | grep -q 1 \
      || "${as_owner[@]}" "$bindir/createdb" -h "$dir" -p "$port" -U "$user" signet
    echo "postgres://$user@/signet?host=$dir&port=$port"
    ;;
  stop)
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
