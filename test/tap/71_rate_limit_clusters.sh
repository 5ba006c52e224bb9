#!/usr/bin/env bash
# Rate limits on servers of their own:
#  - a small shared table (lsbilling.rate_limit_max_entries = 32, two entries
#    a partition): the cap holds, an entry whose window has ended is evicted
#    before a live one, then the least recently used; nothing fails
#  - a server without shared_preload_libraries: requests are admitted with one
#    WARNING per backend, the view and status say what is missing (55000),
#    writes work and the monthly limits still refuse (LS429)
# Needs PGBIN from test/run_tests.sh.
set -u
dir=$(mktemp -d /tmp/lsbilling-ratelimit.XXXXXX)
chown postgres: "$dir"
pg() { runuser -u postgres -- "$PGBIN/$@"; }
cleanup() {
	pg pg_ctl -D "$dir/small" -m immediate -w stop >/dev/null 2>&1
	pg pg_ctl -D "$dir/nopreload" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
. "$(dirname "$0")/../lib/tap.sh"

start() {	# name port extra-conf-lines...
	local name=$1 port=$2
	shift 2
	pg initdb -D "$dir/$name" -U postgres --auth=trust >/dev/null 2>&1 || { echo "Bail out! initdb failed"; exit 1; }
	{
		printf "listen_addresses = ''\nunix_socket_directories = '%s'\nport = %s\nfsync = off\n" "$dir" "$port"
		local line
		for line in "$@"; do echo "$line"; done
	} >> "$dir/$name/postgresql.conf"
	pg pg_ctl -D "$dir/$name" -l "$dir/$name.log" -w start >/dev/null || { cat "$dir/$name.log"; echo "Bail out! start failed"; exit 1; }
}

echo "1..16"

# --- a small table -------------------------------------------------------------
start small 54371 "shared_preload_libraries = 'lsbilling'" "lsbilling.rate_limit_max_entries = 32"
q() { "$PGBIN/psql" -X -h "$dir" -p 54371 -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
q -c "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }
q -c "
INSERT INTO lsbilling.organizations (id, name) VALUES ('a7000000-0000-0000-0000-000000000001', 'o');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('b7000000-0000-0000-0000-000000000001', 'a7000000-0000-0000-0000-000000000001', 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('b7000000-0000-0000-0000-000000000001', 'c7000000-0000-0000-0000-000000000001', 'p');" >/dev/null

check "the table holds 32 entries" "$(q -c "SELECT max_entries FROM lsbilling.rate_limit_info()")" 32
got=$(q -c "SET lsbilling.test_clock = '2026-06-01 10:00:05+00';
	SELECT count(*) FROM generate_series(1, 200) i, lsbilling.rate_limit_request('s' || i, 'other') r
	WHERE r.remaining = 1999")
check "200 subjects in one minute: every request admitted" "$got" 200
check "the cap holds: 32 entries" "$(q -c "SELECT entries || '/' || (SELECT count(*) FROM lsbilling.rate_limits) FROM lsbilling.rate_limit_info()")" "32/32"
check "168 live entries evicted (least recently used), none failed open" \
	"$(q -c "SELECT evicted_ended || '/' || evicted_live || '/' || fail_open FROM lsbilling.rate_limit_info()")" "0/168/0"
check "the most recent subject is kept" "$(q -c "SELECT count(*) FROM lsbilling.rate_limits WHERE subject = 's200'")" 1

# Ended windows go first: an organization's hour (live, used long ago) and a
# subject's minute (ended) share a partition; a newcomer evicts the minute.
q -c "SELECT lsbilling.rate_limit_reset()" >/dev/null
q -c "SET lsbilling.test_clock = '2026-06-01 10:00:10+00';
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b7000000-0000-0000-0000-000000000001', gen_random_uuid(), gen_random_uuid(),
	        'c7000000-0000-0000-0000-000000000001', 'r', 'chain', '2026-06-01 10:00+00')" >/dev/null
part=$(q -c "SET lsbilling.test_clock = '2026-06-01 10:00:10+00';
	SELECT partition FROM lsbilling.rate_limits WHERE subject = 'a7000000…0001' AND limit_name = 'events per hour'")
check "the organization's hour is an entry" "${part:+yes}" yes
# the first subject that lands in the organization's partition; prints its name
probe() {	# prefix clock
	q -c "SET lsbilling.test_clock = '$2';" -c "
	DO \$\$
	BEGIN
		FOR i IN 1..5000 LOOP
			PERFORM lsbilling.rate_limit_request('$1' || i, 'other');
			IF (SELECT partition FROM lsbilling.rate_limits WHERE subject = '$1' || i) = $part THEN
				RAISE NOTICE 'found %', '$1' || i;
				RETURN;
			END IF;
		END LOOP;
	END
	\$\$" 2>&1 | grep -o 'found [a-z0-9]*' | awk '{print $2}'
}
r=$(probe r '2026-06-01 10:00:20+00')
m1=$(probe n '2026-06-01 10:02:00+00')
in_part() { q -c "SET lsbilling.test_clock = '2026-06-01 10:02:00+00';
	SELECT string_agg(subject, ',' ORDER BY subject) FROM lsbilling.rate_limits WHERE partition = $part AND limit_name <> 'bytes per hour'"; }
check "minute ended: the newcomer evicted the ended minute ($r), not the organization's older but live hour" \
	"$(in_part)" "$(printf '%s\n' "a7000000…0001" "$m1" | LC_ALL=C sort | paste -sd,)"
m2=$(probe m '2026-06-01 10:02:30+00')
check "all live: the least recently used (the organization's hour) goes" \
	"$(in_part)" "$(printf '%s\n' "$m1" "$m2" | LC_ALL=C sort | paste -sd,)"
check "evictions are counted apart: ended and live" \
	"$(q -c "SELECT (evicted_ended > 0) || '/' || (evicted_live > 0) || '/' || fail_open FROM lsbilling.rate_limit_info()")" "true/true/0"
check "lsbilling.rate_limit_max_entries is fixed at server start" \
	"$(q -c "SELECT context FROM pg_settings WHERE name = 'lsbilling.rate_limit_max_entries'")" postmaster
pg pg_ctl -D "$dir/small" -m fast -w stop >/dev/null

# --- without shared_preload_libraries ------------------------------------------------
start nopreload 54372
q() { "$PGBIN/psql" -X -h "$dir" -p 54372 -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
q -c "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }
out=$(q -c "SET lsbilling.rate_limit_other_per_minute = 1" \
	-c "SELECT count(*) FROM generate_series(1, 3) i, lsbilling.rate_limit_request('lsv2_pt_nopreload_key' || left(i::text, 0), 'other') r" \
	-c "SELECT count(*) FROM lsbilling.rate_limit_request('lsv2_pt_nopreload_key', 'other')" 2>&1)
check "requests are admitted (the short-window limits cannot work): 3 + 1 over a limit of 1" "$(echo "$out" | grep -E "^[0-9]+$" | paste -sd,)" "3,1"
check "with one WARNING per backend" "$(echo "$out" | grep -c 'WARNING:  lsbilling rate limits are not enforced: lsbilling is not in shared_preload_libraries')" 1
check "rate_limit_status says what is missing (55000)" \
	"$(q -c "\\set VERBOSITY verbose" -c "SELECT * FROM lsbilling.rate_limit_status('x')" 2>&1 | grep -o 'ERROR:  55000: lsbilling rate limits need lsbilling in shared_preload_libraries')" \
	"ERROR:  55000: lsbilling rate limits need lsbilling in shared_preload_libraries"
check "so does the view" "$(q -c "\\set VERBOSITY verbose" -c "SELECT * FROM lsbilling.rate_limits" 2>&1 | grep -c 'ERROR:  55000')" 1
q -c "
INSERT INTO lsbilling.organizations (id, name) VALUES ('a7000000-0000-0000-0000-000000000001', 'o');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('b7000000-0000-0000-0000-000000000001', 'a7000000-0000-0000-0000-000000000001', 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('b7000000-0000-0000-0000-000000000001', 'c7000000-0000-0000-0000-000000000001', 'p');
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces) VALUES ('b7000000-0000-0000-0000-000000000001', 1);" >/dev/null
run="INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b7000000-0000-0000-0000-000000000001', gen_random_uuid(), gen_random_uuid(),
	        'c7000000-0000-0000-0000-000000000001', 'r', 'chain', now())"
check "writes work (the hourly triggers count nothing)" "$(q -c "SET client_min_messages = error" -c "$run" 2>&1)" ""
check "the monthly limits still refuse (LS429)" \
	"$(q -c "\\set VERBOSITY verbose" -c "SET client_min_messages = error" -c "$run" 2>&1 | grep -o 'ERROR:  LS429: monthly usage limit max_traces (1) reached')" \
	"ERROR:  LS429: monthly usage limit max_traces (1) reached"
