#!/usr/bin/env bash
# CREATE EXTENSION works without shared_preload_libraries, and says what is
# missing.  A second throwaway cluster, without the library preloaded.
set -u
dir=$(mktemp -d /tmp/lsbilling-nopreload.XXXXXX)
chown postgres: "$dir"
pg() { runuser -u postgres -- "$PGBIN/$@"; }
cleanup() { pg pg_ctl -D "$dir/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
pg initdb -D "$dir/data" -U postgres --auth=trust >/dev/null 2>&1 || { echo "Bail out! initdb failed"; exit 1; }
printf "listen_addresses = ''\nunix_socket_directories = '%s'\nport = 54331\n" "$dir" >> "$dir/data/postgresql.conf"
pg pg_ctl -D "$dir/data" -l "$dir/log" -w start >/dev/null || { echo "Bail out! start failed"; exit 1; }
q() { "$PGBIN/psql" -X -h "$dir" -p 54331 -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

echo "1..3"
out=$(q -c 'CREATE EXTENSION lsbilling' 2>&1)
if [ $? -eq 0 ]; then echo "ok 1 - CREATE EXTENSION works without shared_preload_libraries"
else echo "not ok 1 - CREATE EXTENSION works without shared_preload_libraries"; echo "# $out"; fi
if echo "$out" | grep -q 'WARNING:  lsbilling is not in shared_preload_libraries'; then
	echo "ok 2 - it says that the worker and rate limits need shared_preload_libraries"
else echo "not ok 2 - it says that the worker and rate limits need shared_preload_libraries"; echo "# $out"; fi
got=$(q -At -c "SELECT lsbilling.preloaded()")
if [ "$got" = "f" ]; then echo "ok 3 - lsbilling.preloaded() is false"
else echo "not ok 3 - lsbilling.preloaded() is false (got $got)"; fi
