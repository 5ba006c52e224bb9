#!/usr/bin/env bash
# Retention: purging 500k expired base runs (3 % of their traces upgraded to
# extended, whose runs stay) with lsbilling.purge_expired(), against a plain
# DELETE of the same 500k rows from an unpartitioned copy of runs with the
# same indexes (time, and WAL; each also with the VACUUM it leaves to do).
# Meanwhile one client inserts runs (pgbench, 500 a second, one INSERT a
# transaction): the longest insert during the purge is how long a writer
# waited for it.  The pass and its commit are timed apart: at the commit the
# emptied halves' old files are removed, as for any partition drop.  Then the
# floor: the same expired days' base halves dropped outright (DROP TABLE),
# "the cost of a partition drop".  Then the same purge once more by the
# background worker (a day per transaction), again with the writer.
set -u
: "${PGBIN:?}" "${LSB_TMP:?}"
export PGOPTIONS="-c client_min_messages=warning"
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
# the times psql's \timing printed, one a line
times_ms() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
ms() { psql -d "$1" -At -c '\timing on' -c "$2" | times_ms | tail -1; }
lsn() { psql -d postgres -At -c "SELECT pg_current_wal_insert_lsn()"; }
mb() { psql -d postgres -At -c "SELECT round(pg_wal_lsn_diff('$2', '$1') / 1048576.0, 1)"; }
now_ns() { date +%s%N; }

# LSB_PURGE_RUNS_PER_TRACE changes the shape (the purge's cost follows the number of traces)
DAYS=5
RUNS_PER_TRACE=${LSB_PURGE_RUNS_PER_TRACE:-10}
TRACES_PER_DAY=$((103000 / RUNS_PER_TRACE))

# load DB: 5 days of expired runs, their traces (3 % extended), and runs_flat, the unpartitioned copy
load() {
	psql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
	psql -d "$1" <<SQL
CREATE EXTENSION lsbilling;
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'bench', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'bench');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1', 'bench');
\o /dev/null
SELECT lsbilling.create_run_partitions('2026-09-01', $DAYS);
SELECT lsbilling.create_run_partitions((now() AT TIME ZONE 'UTC')::date, 8);
\o

-- bulk load: runs without the per-run roll-up, then the trace rows in one statement
BEGIN;
SET LOCAL lsbilling.maintenance = on;
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type,
	start_time, end_time, inputs, outputs, extra)
SELECT '00000000-0000-0000-0000-0000000000b1', CASE WHEN r = 0 THEN t.id ELSE gen_random_uuid() END, t.id,
	CASE WHEN r = 0 THEN NULL ELSE t.id END, '00000000-0000-0000-0000-0000000000c1',
	CASE WHEN r = 0 THEN 'AgentExecutor' ELSE 'ChatOpenAI' END, CASE WHEN r = 0 THEN 'chain' ELSE 'llm' END,
	t.start + r * interval '2 seconds', t.start + r * interval '2 seconds' + interval '1 second',
	jsonb_build_object('messages', jsonb_build_array(jsonb_build_object('role', 'user',
		'content', repeat('How do I configure data retention for my traces? ', 4) || t.n))),
	jsonb_build_object('generations', jsonb_build_array(jsonb_build_object('text',
		repeat('Retention is set per workspace; base traces keep 14 days. ', 4) || r))),
	'{"metadata": {"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"}}'
FROM (SELECT gen_random_uuid() AS id, n,
	timestamptz '2026-09-01 00:00+00' + (n % $DAYS) * interval '1 day'
		+ ((n / $DAYS) % 86000) * interval '1 second' AS start
	FROM generate_series(1, $DAYS * $TRACES_PER_DAY) n) t,
	generate_series(0, $RUNS_PER_TRACE - 1) r;
INSERT INTO lsbilling.traces (workspace_id, id, project_id, name, start_time, root_seen, tier, expires_at, run_count)
SELECT workspace_id, trace_id, project_id, 'AgentExecutor', min(start_time), true, 'base',
	min(start_time) + interval '14 days', count(*)
FROM lsbilling.runs GROUP BY workspace_id, trace_id, project_id;
-- 3 % upgraded: extended, kept 400 days
UPDATE lsbilling.traces SET tier = 'extended', upgraded_at = start_time + interval '1 day',
	expires_at = start_time + interval '400 days'
WHERE random() < 0.03;
-- their runs in the kept half of their day, where the upgrade moves them (src/kept_runs.c)
UPDATE lsbilling.runs r SET retained = true FROM lsbilling.traces t
WHERE t.workspace_id = r.workspace_id AND t.id = r.trace_id AND t.tier = 'extended';
-- the ids of the kept runs, as the upgrade's move writes them (src/kept_runs.c; a base
-- run's id is found in its day's base half and has no row, src/run_ids.c)
INSERT INTO lsbilling.run_ids (workspace_id, id, trace_id, start_time)
SELECT workspace_id, id, trace_id, start_time FROM lsbilling.runs WHERE retained;
COMMIT;

CREATE TABLE public.runs_flat (LIKE lsbilling.runs INCLUDING ALL);
INSERT INTO public.runs_flat SELECT * FROM lsbilling.runs;
CREATE TABLE public.expired AS SELECT workspace_id, id FROM lsbilling.traces WHERE expires_at <= now();
VACUUM ANALYZE;
CHECKPOINT;
SQL
}

# writer DB SECONDS: one client inserting runs of new traces, 500 a second, in the background
cat > "$LSB_TMP/insert.sql" <<'SQL'
INSERT INTO lsbilling.runs (workspace_id, trace_id, id, project_id, name, run_type, start_time, inputs)
SELECT '00000000-0000-0000-0000-0000000000b1', u, u, '00000000-0000-0000-0000-0000000000c1', 'Agent', 'chain',
	now(), '{"q": "hello"}' FROM gen_random_uuid() u;
SQL
chmod 644 "$LSB_TMP/insert.sql"
writer() {
	rm -f "$LSB_TMP"/ins.*
	(cd "$LSB_TMP" && "$PGBIN/pgbench" -n -c 1 -R 500 -T "$2" -l --log-prefix=ins -f insert.sql "$1" \
		>"$LSB_TMP/pgbench.out" 2>&1) &
	writer_pid=$!
}
# window T0 T1 (ns): the writer's inserts overlapping it and the longest.  pgbench's log line is
# "client tx latency_us script epoch_s epoch_us" (the end); with -R the latency counts from the
# scheduled start, so waiting behind a lock shows in full.
writer_done() { wait "$writer_pid"; cat "$LSB_TMP"/ins.* > "$LSB_TMP/ins.log"; }
window() {
	awk -v t0="$1" -v t1="$2" '{ end_ns = $5 * 1e9 + $6 * 1e3
		if (end_ns >= t0 && end_ns - $3 * 1e3 <= t1) { n++; if ($3 > m) m = $3 } }
		END { printf "%d inserts, the longest %.1f ms", n, m / 1000 }' "$LSB_TMP/ins.log"
}
median() { awk '{ print $3 / 1000 }' "$LSB_TMP/ins.log" | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'; }

# 1. purge_expired() against the plain DELETE
db=bench_purge
echo "loading $((DAYS * TRACES_PER_DAY * RUNS_PER_TRACE)) runs over $DAYS days ($RUNS_PER_TRACE runs a trace)"
load $db
psql -d $db -At -c "SELECT 'expired runs: ' || count(*) FILTER (WHERE t.expires_at <= now())
	|| ', kept runs of extended traces: ' || count(*) FILTER (WHERE t.expires_at > now())
	FROM lsbilling.runs r JOIN lsbilling.traces t ON t.workspace_id = r.workspace_id AND t.id = r.trace_id"
psql -d $db -At -c "SELECT 'indexes on the copy: ' || string_agg(indexdef, '; ') FROM pg_indexes WHERE tablename = 'runs_flat'"

writer $db 14
sleep 2
w0=$(lsn); d0=$(now_ns)
delete_ms=$(ms $db "DELETE FROM public.runs_flat r USING public.expired e WHERE r.workspace_id = e.workspace_id AND r.trace_id = e.id")
d1=$(now_ns); w1=$(lsn)
delete_vacuum_ms=$(ms $db "VACUUM public.runs_flat")
w2=$(lsn)
echo "plain DELETE of the expired rows from the unpartitioned copy: $delete_ms ms (then VACUUM of it: $delete_vacuum_ms ms)"
psql -d $db -c "CHECKPOINT"
sleep 1
w3=$(lsn); t0=$(now_ns)
# the pass and its commit timed apart: at the commit the emptied halves' old files are removed
read -r purge_work_ms purge_commit_ms <<<"$(psql -d $db -At -c '\timing on' -c 'BEGIN' \
	-c 'SELECT * FROM lsbilling.purge_expired()' -c 'COMMIT' | times_ms | tail -2 | tr '\n' ' ')"
purge_ms=$(echo "$purge_work_ms $purge_commit_ms" | awk '{ printf "%.3f", $1 + $2 }')
t1=$(now_ns); w4=$(lsn)
purge_vacuum_ms=$(ms $db "VACUUM lsbilling.traces")
w5=$(lsn)
writer_done
psql -d $db -c "SELECT traces_purged, runs_deleted, partitions_dropped, runs_moved FROM lsbilling.purge_history ORDER BY id DESC LIMIT 1"
echo "lsbilling.purge_expired(): $purge_ms ms, its commit $purge_commit_ms ms of it (then VACUUM of the old trace row versions it leaves: $purge_vacuum_ms ms)"
psql -d $db -At -c "SELECT 'checks: ' || (SELECT count(*) FROM lsbilling.runs r JOIN lsbilling.traces t
	ON t.workspace_id = r.workspace_id AND t.id = r.trace_id WHERE lsbilling.trace_purged_at(t) IS NOT NULL) || ' runs of purged traces left, '
	|| (SELECT count(*) FROM lsbilling.runs r JOIN lsbilling.traces t ON t.workspace_id = r.workspace_id
	    AND t.id = r.trace_id WHERE t.tier = 'extended' AND r.start_time < '2026-10-01') || ' runs of extended traces kept, '
	|| (SELECT count(*) FROM lsbilling.run_ids i JOIN lsbilling.traces t ON t.workspace_id = i.workspace_id
	    AND t.id = i.trace_id WHERE lsbilling.trace_purged_at(t) IS NOT NULL) || ' run ids of purged traces left, '
	|| (SELECT count(*) FROM lsbilling.run_ids) || ' run ids kept'"
echo "concurrent inserts (500/s): median $(median) ms; during the DELETE $(window "$d0" "$d1"); during purge_expired() (one transaction) $(window "$t0" "$t1")"
wal_d=$(mb "$w0" "$w1") wal_dv=$(mb "$w1" "$w2") wal_p=$(mb "$w3" "$w4") wal_pv=$(mb "$w4" "$w5")
echo "WAL written (the writer's inserts included): DELETE $wal_d MB + its VACUUM $wal_dv MB; purge $wal_p MB + its VACUUM $wal_pv MB"
psql -d postgres -c "DROP DATABASE $db"

# 2. the floor: the cost of a partition drop (../shared/DESIGN.md, Retention), the five expired
# days' base halves dropped outright from the same data (what is freed is removed at the commit)
load $db >/dev/null
psql -d $db -c "CHECKPOINT"
sleep 1
drop_ms=$(psql -d $db -At <<'SQL' | times_ms | tail -2 | awk '{ t += $1 } END { printf "%.3f", t }'
\timing on
BEGIN;
SET LOCAL lsbilling.maintenance = on;
SELECT format('DROP TABLE %s', string_agg(format('lsbilling.%I', name || '_base'), ', ')) FROM lsbilling.run_partitions
WHERE NOT is_default AND hi <= now() - interval '14 days' \gexec
COMMIT;
SQL
)
echo "the floor, dropping the expired days' base halves outright (DROP TABLE and its commit): $drop_ms ms"
psql -d postgres -c "DROP DATABASE $db"

# 3. the same purge by the worker, one day a transaction, in the database it serves
wdb=$(psql -d postgres -At -c "SHOW lsbilling.database")
if [ -n "$(psql -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$wdb'")" ]; then
	echo "worker: skipped (database $wdb exists already)"
else
	load "$wdb"
	for ((i = 0; i < 300; i++)); do   # the worker retries its connection every 10 s
		[ -n "$(psql -d postgres -At -c "SELECT 1 FROM pg_stat_activity WHERE backend_type = 'lsbilling purge' AND datname = '$wdb'")" ] && break
		sleep 0.1
	done
	writer "$wdb" 12
	sleep 2
	psql -d postgres -c "ALTER SYSTEM SET lsbilling.purge_interval = 1" -c "SELECT pg_reload_conf()" >/dev/null
	for ((i = 0; i < 600; i++)); do
		[ "$(psql -d "$wdb" -At -c "SELECT count(*) FROM lsbilling.purge_passes WHERE source = 'worker' AND finished_at IS NOT NULL")" -gt 0 ] && break
		sleep 0.1
	done
	psql -d postgres -c "ALTER SYSTEM RESET lsbilling.purge_interval" -c "SELECT pg_reload_conf()" >/dev/null
	writer_done
	read -r k0 k1 worker_ms <<<"$(psql -d "$wdb" -At -F ' ' -c "SELECT (extract(epoch FROM started_at) * 1e9)::bigint,
		(extract(epoch FROM finished_at) * 1e9)::bigint, round(extract(epoch FROM duration) * 1000)
		FROM lsbilling.purge_history WHERE source = 'worker' ORDER BY id LIMIT 1")"
	psql -d "$wdb" -c "SELECT status, traces_purged, runs_deleted, partitions_dropped, runs_moved, error FROM lsbilling.purge_history WHERE source = 'worker' ORDER BY id LIMIT 1"
	echo "worker pass: $worker_ms ms; concurrent inserts during it: $(window "$k0" "$k1")"
	psql -d postgres -c "DROP DATABASE $wdb WITH (FORCE)"
fi

awk -v p="$purge_ms" -v d="$delete_ms" -v fl="$drop_ms" -v pv="$purge_vacuum_ms" -v dv="$delete_vacuum_ms" \
	-v wd="$wal_d" -v wdv="$wal_dv" -v wp="$wal_p" -v wpv="$wal_pv" 'BEGIN {
	printf "ratio purge_expired / plain DELETE = %.3f (target <= 0.1)\n", p / d
	printf "ratio (purge_expired + VACUUM) / (plain DELETE + VACUUM) = %.3f\n", (p + pv) / (d + dv)
	printf "ratio WAL (purge + VACUUM) / (plain DELETE + VACUUM) = %.3f\n", (wp + wpv) / (wd + wdv)
	printf "ratio partition drop / plain DELETE = %.3f (the floor of the first ratio)\n", fl / d
	printf "ratio purge_expired / partition drop = %.3f\n", p / fl }'
