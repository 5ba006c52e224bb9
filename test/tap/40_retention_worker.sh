#!/usr/bin/env bash
# The retention worker, preloaded (as worker_spi's t/001_worker_spi.pl does):
# it runs on lsbilling.purge_interval and records its passes; SIGHUP changes
# the interval; SIGKILLed mid-pass (the postmaster then restarts every
# backend), the next pass finishes the job; in a database without the
# extension it says so once.  Leaves the cluster running with the settings
# reset.
set -u
export PGOPTIONS="-c client_min_messages=warning"
q() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d lsbilling_test "$@"; }
qp() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }
. "$(dirname "$0")/../lib/tap.sh"
# is GOT WANT DESCRIPTION: check with the got-first order this file's calls use
is() { check "$3" "$1" "$2"; }
# wait_for SECONDS SQL: until SQL returns t
wait_for() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ "$(q -c "$2" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}
wait_ready() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$PGBIN/pg_isready" -q -d postgres && qp -c 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
set_conf() { qp -c "ALTER SYSTEM SET $1" -c "SELECT pg_reload_conf()" >/dev/null; }
restart() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LSB_TMP/server.log" -w -t 60 -m fast restart >/dev/null 9>&-
	wait_ready
}
cleanup() {
	qp -c "ALTER SYSTEM RESET lsbilling.purge_interval" \
		-c "SELECT pg_reload_conf()" >/dev/null 2>&1
}
trap cleanup EXIT
echo "1..14"

# 1: the worker is there, in pg_stat_activity (it retries every 10 s until the database exists)
wait_for 30 "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'lsbilling purge' AND datname = 'lsbilling_test')"
is "$(q -c "SELECT backend_type || '/' || application_name FROM pg_stat_activity WHERE backend_type = 'lsbilling purge'")" \
	"lsbilling purge/lsbilling purge" "the worker runs in lsbilling.database, named 'lsbilling purge' in pg_stat_activity"

# 2-3: a pass every second once purge_interval is 1
mark=$(q -c "SELECT coalesce(max(id), 0) FROM lsbilling.purge_passes")
set_conf "lsbilling.purge_interval = 1"
wait_for 15 "SELECT count(*) >= 4 FROM lsbilling.purge_history WHERE id > $mark AND source = 'worker' AND status = 'done'"
gaps=$(q -c "SELECT count(*) >= 3 AND bool_and(gap BETWEEN 0.7 AND 2.5), string_agg(round(gap, 2)::text, ' ')
	FROM (SELECT extract(epoch FROM started_at - lag(started_at) OVER (ORDER BY id)) AS gap
	      FROM lsbilling.purge_history WHERE id > $mark AND source = 'worker') g WHERE gap IS NOT NULL")
is "${gaps%%|*}" "t" "with purge_interval = 1 s, a pass starts every second (gaps: ${gaps#*|} s)"
is "$(q -c "SELECT count(*) >= 4 AND bool_and(status = 'done' AND finished_at >= started_at AND error IS NULL
	AND as_of <= started_at) FROM lsbilling.purge_history WHERE id > $mark AND source = 'worker' AND finished_at IS NOT NULL")" \
	"t" "each pass is recorded in purge_history: start, end, counts, status done"

# 4-5: runs_default_bound (src/default_bound.c): the worker sets it, and moves a stale one
# in three transactions (ADD ... NOT VALID, VALIDATE, DROP and RENAME)
bound_sql="SELECT string_agg(conname || ':' || convalidated, ',' ORDER BY conname) FROM pg_catalog.pg_constraint
	WHERE conrelid = 'lsbilling.runs_default'::regclass AND contype = 'c'"
is "$(q -c "$bound_sql")" "runs_default_bound:true" "the worker bounds runs_default (one validated constraint)"
q -c "ALTER TABLE lsbilling.runs_default DROP CONSTRAINT runs_default_bound,
	ADD CONSTRAINT runs_default_bound CHECK (start_time < '2000-01-01 00:00+00') NOT VALID" >/dev/null
wait_for 10 "SELECT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'lsbilling.runs_default'::regclass
	AND conname = 'runs_default_bound' AND convalidated AND pg_catalog.pg_get_constraintdef(oid) NOT LIKE '%2000-01-01%')"
is "$(q -c "$bound_sql")" "runs_default_bound:true" "a stale, unvalidated bound is replaced by the next passes"

# 6: SIGHUP to a long interval: the passes stop
set_conf "lsbilling.purge_interval = 3600"
sleep 1.5
mark=$(q -c "SELECT coalesce(max(id), 0) FROM lsbilling.purge_passes")
sleep 3
is "$(q -c "SELECT count(*) FROM lsbilling.purge_passes WHERE id > $mark")" "0" \
	"after pg_reload_conf() with purge_interval = 3600, no pass in 3 s"

# 7: a worker that starts with the days made ending within a day of the clock (a week down, an old
# backup restored) makes them, and moves the bound, at once: not an interval later (3600 s here)
q -c "ALTER TABLE lsbilling.runs_default DROP CONSTRAINT runs_default_bound,
	ADD CONSTRAINT runs_default_bound CHECK (start_time < '$(q -c "SELECT (now() AT TIME ZONE 'UTC')::date")T00:00:00+00')" >/dev/null
mark=$(q -c "SELECT coalesce(max(id), 0) FROM lsbilling.purge_passes")
restart
wait_for 20 "SELECT EXISTS (SELECT FROM pg_catalog.pg_constraint WHERE conrelid = 'lsbilling.runs_default'::regclass
	AND conname = 'runs_default_bound' AND convalidated
	AND (pg_catalog.regexp_match(pg_catalog.pg_get_constraintdef(oid), \$re\$'([^']+)'\$re\$))[1]::timestamptz > now() + interval '1 day')"
is "$(q -c "SELECT count(*) FROM lsbilling.purge_passes WHERE id > $mark")|$(q -c "$bound_sql")" \
	"0|runs_default_bound:true" "a worker starting with the days behind the clock moves the bound at once, before its first pass"

# 8-12: SIGKILL mid-pass.  5000 expired base traces over 200 days of 2025 (split days: the
# pass moves the watermark, then drops a day's base half a transaction); an extended
# trace of the same days must survive.
q -c "SELECT lsbilling.create_run_partitions('2025-01-01', 200)" >/dev/null
q <<'SQL'
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('4a000000-0000-0000-0000-0000000000f1', 'worker test', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('4b000000-0000-0000-0000-0000000000f1', '4a000000-0000-0000-0000-0000000000f1', 'worker test');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('4b000000-0000-0000-0000-0000000000f1', '4c000000-0000-0000-0000-0000000000f1', 'worker test');
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, inputs)
SELECT '4b000000-0000-0000-0000-0000000000f1', t, t, '4c000000-0000-0000-0000-0000000000f1', 'Agent', 'chain',
       '2025-01-01 12:00+00'::timestamptz + (i % 200) * interval '1 day', '{"q": "x"}'
FROM (SELECT gen_random_uuid() AS t, i FROM generate_series(1, 5001) i) g;
UPDATE lsbilling.traces SET tier = 'extended', upgraded_at = now(), expires_at = now() + interval '1 day'
WHERE id = (SELECT id FROM lsbilling.traces WHERE workspace_id = '4b000000-0000-0000-0000-0000000000f1' ORDER BY id LIMIT 1);
SQL
ws="workspace_id = '4b000000-0000-0000-0000-0000000000f1'"
mark=$(q -c "SELECT coalesce(max(id), 0) FROM lsbilling.purge_passes")
set_conf "lsbilling.purge_interval = 1"
if wait_for 30 "SELECT EXISTS (SELECT 1 FROM lsbilling.purge_passes WHERE id > $mark AND finished_at IS NULL AND partitions_dropped > 0)"; then
	killed=$(q -c "SELECT id FROM lsbilling.purge_passes WHERE id > $mark AND finished_at IS NULL ORDER BY id DESC LIMIT 1")
	pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'lsbilling purge'")
	kill -KILL "$pid"
	sleep 0.5
	wait_ready || echo "# the server did not come back"
	row=$(q -c "SELECT h.status, h.partitions_dropped > 0 AND h.partitions_dropped < 200 AND p.purged_through IS NOT NULL
		FROM lsbilling.purge_history h JOIN lsbilling.purge_passes p USING (id) WHERE id = $killed")
	is "$row" "interrupted|t" "a worker killed with SIGKILL mid-pass leaves an interrupted pass: watermark moved, some days dropped"
	wait_for 60 "SELECT NOT EXISTS (SELECT 1 FROM lsbilling.traces WHERE $ws AND lsbilling.trace_purged_at(traces) IS NULL AND expires_at <= now())
		AND EXISTS (SELECT 1 FROM lsbilling.purge_history WHERE id > $killed AND source = 'worker' AND status = 'done')"
	is "$(q -c "SELECT count(*) FILTER (WHERE lsbilling.trace_purged_at(traces) IS NOT NULL) || '/' || count(*) FROM lsbilling.traces WHERE $ws")" \
		"5000/5001" "after the crash, the next pass purges all 5000 expired traces"
else
	not_ok "a worker killed with SIGKILL mid-pass leaves an interrupted pass: watermark moved, some days dropped"; echo "# no pass in progress seen"
	not_ok "after the crash, the next pass purges all 5000 expired traces"
fi
is "$(q -c "SELECT count(*) FROM lsbilling.runs r JOIN lsbilling.traces t ON t.workspace_id = r.workspace_id AND t.id = r.trace_id
	WHERE r.$ws AND lsbilling.trace_purged_at(t) IS NOT NULL")" "0" "no purged trace has a run left (purged_at set only with the deletes)"
is "$(q -c "SELECT count(*) || '/' || sum(t.run_count) FROM lsbilling.runs r JOIN lsbilling.traces t
	ON t.workspace_id = r.workspace_id AND t.id = r.trace_id WHERE r.$ws")|$(q -c "SELECT sum(run_count) FROM lsbilling.traces WHERE $ws")" \
	"1/1|5001" "the extended trace of the same day keeps its run; every trace keeps its run_count"
is "$(q -c "SELECT count(*) FILTER (WHERE lsbilling.trace_purged_at(t) IS NOT NULL) || '/' || count(*) FILTER (WHERE lsbilling.trace_purged_at(t) IS NULL)
	FROM lsbilling.run_ids i JOIN lsbilling.traces t ON t.workspace_id = i.workspace_id AND t.id = i.trace_id WHERE i.$ws")" \
	"0/1" "the purged runs' ids are deleted with them (also across the crash); the extended trace's id stays"
# best effort: take the test's rows away again (later tests share the database)
q -c "BEGIN; SET LOCAL lsbilling.maintenance = on; DELETE FROM lsbilling.runs WHERE $ws;
	DELETE FROM lsbilling.run_ids WHERE $ws;
	DELETE FROM lsbilling.traces WHERE $ws; DELETE FROM lsbilling.projects WHERE $ws;
	DELETE FROM lsbilling.workspaces WHERE id = '4b000000-0000-0000-0000-0000000000f1';
	DELETE FROM lsbilling.organizations WHERE id = '4a000000-0000-0000-0000-0000000000f1'; COMMIT;" >/dev/null 2>&1

# 13-14: a database without the extension: the worker says so once, and does nothing
set_conf "lsbilling.purge_interval = 3600"
qp -c "DROP DATABASE IF EXISTS lsbilling_noext" -c "CREATE DATABASE lsbilling_noext" >/dev/null
qp -c "ALTER SYSTEM SET lsbilling.database = 'lsbilling_noext'" -c "ALTER SYSTEM SET lsbilling.purge_interval = 1" >/dev/null
logstart=$(stat -c %s "$LSB_TMP/server.log")
restart
sleep 4
said=$(tail -c +"$((logstart + 1))" "$LSB_TMP/server.log" | grep -c 'extension "lsbilling" is not installed in database "lsbilling_noext"')
is "$said" "1" "without the extension in lsbilling.database, the worker says so once in the log (4 passes)"
is "$("$PGBIN/psql" -X -At -d lsbilling_noext -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" "0" \
	"and creates nothing there"
qp -c "ALTER SYSTEM RESET lsbilling.database" -c "ALTER SYSTEM RESET lsbilling.purge_interval" >/dev/null
restart
qp -c "DROP DATABASE IF EXISTS lsbilling_noext" >/dev/null 2>&1
[ "$n" -eq 14 ] || not_ok "planned 14 tests, ran $n"
[ $failures -eq 0 ]
