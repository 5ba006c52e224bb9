#!/usr/bin/env bash
# A run looked up by id (feedback, queue items, rule matches) must not grow
# with the number of day partitions of runs (issue 12).  Feedback inserts on
# runs of one day, with 9 day partitions, then with 400 (the steady state of
# a 400-day retention); ratios 400 vs 9 (target ~1x):
#  1. $M single-row feedback inserts, one transaction each (the API's case)
#  2. one statement inserting feedback on $N runs
# (400 split days: each day and its two halves; the runs are kept runs, found
# through run_ids.)
# Best of $REPS for each.
set -u
N=${LSB_BENCH_ROWS:-5000}
M=${LSB_BENCH_SINGLE:-1000}
REPS=${LSB_BENCH_REPS:-3}
DB=lsb_bench_run_lookup
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
trap '$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
q() { $PSQL -d $DB -At -c "$1"; }
WS=b0000000-0000-0000-0000-000000000001

q "
CREATE EXTENSION lsbilling;
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('a0000000-0000-0000-0000-000000000001', 'Bench', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('$WS', 'a0000000-0000-0000-0000-000000000001', 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name, default_tier)
VALUES ('$WS', 'c0000000-0000-0000-0000-000000000001', 'ext', 'extended');
SELECT lsbilling.create_run_partitions('2026-01-01', 9);
-- runs of extended traces (the project's traces start extended): in their day's kept half,
-- their ids in run_ids, where the lookup finds them
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, tags)
SELECT '$WS', u, u, 'c0000000-0000-0000-0000-000000000001', 'r', 'chain',
	   '2026-01-05 10:00+00'::timestamptz + i * interval '1 ms', ARRAY[s]
FROM (SELECT s, i, gen_random_uuid() AS u FROM unnest(ARRAY['a']) s, generate_series(1, $N) i) x;
CREATE INDEX ON lsbilling.runs (workspace_id, (tags[1]));
" >/dev/null || exit 1
q "VACUUM ANALYZE" >/dev/null || exit 1

ms() { $PSQL -d $DB -At -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
ratio() { echo "scale=2; $1 / $2" | bc; }
batch() { echo "INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
	SELECT workspace_id, id, 'k', 1 FROM lsbilling.runs WHERE workspace_id = '$WS' AND tags[1] = '$1'
	AND start_time >= '2026-01-05' AND start_time < '2026-01-06'"; }	# the driver itself reads one partition
# ms of M single-row inserts, each its own transaction, in one session
singles() {
	q "SELECT format('INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES (%L, %L, ''k'');', workspace_id, id)
	   FROM lsbilling.runs WHERE workspace_id = '$WS' AND tags[1] = '$1' LIMIT $M" >"$LSB_TMP/run_lookup.sql"
	local t0 t1
	t0=$(date +%s%N)
	$PSQL -d $DB -f "$LSB_TMP/run_lookup.sql" >/dev/null || exit 1
	t1=$(date +%s%N)
	echo "scale=1; ($t1 - $t0) / 1000000" | bc
}
measure() {	# set -> "singles_ms batch_ms", best of REPS
	local s=() b=()
	for r in $(seq 1 "$REPS"); do
		q "TRUNCATE lsbilling.feedback" >/dev/null
		s+=("$(singles "$1")")
		q "TRUNCATE lsbilling.feedback; CHECKPOINT" >/dev/null
		b+=("$(ms "$(batch "$1")")")
	done
	echo "$(best "${s[@]}") $(best "${b[@]}")"
}

read -r S9 B9 <<<"$(measure a)"
# in transactions of about 100 days: a split day is three tables and their indexes
for k in 0 1 2 3; do
	q "SELECT lsbilling.create_run_partitions('2026-01-10'::date + $k * 100, CASE WHEN $k = 3 THEN 91 ELSE 100 END)" >/dev/null || exit 1
done
P=$(q "SELECT count(*) FROM pg_catalog.pg_inherits WHERE inhparent = 'lsbilling.runs'::pg_catalog.regclass AND inhrelid::pg_catalog.regclass::text LIKE '%runs\_p%'")
q "ANALYZE" >/dev/null
read -r S400 B400 <<<"$(measure a)"

echo "day partitions: 9, then $P; $M single-row feedback inserts / one statement of $N; best of $REPS"
echo "1. $M single inserts: 9 partitions ${S9} ms, $P partitions ${S400} ms: ratio $(ratio "$S400" "$S9")x (target ~1x)"
echo "2. one statement of $N: 9 partitions ${B9} ms, $P partitions ${B400} ms: ratio $(ratio "$B400" "$B9")x (target ~1x)"
