#!/usr/bin/env bash
# The purge of split days under concurrency (issue 12; src/kept_runs.c,
# src/purge_watermark.c), parallel psql sessions:
#  1. an upgrade racing the purge of its day, the upgrade first: the purge's
#     marking waits for it, the trace is kept with all its runs (moved to the
#     kept half by the upgrade), the day's base half goes whole
#  2. the purge first: feedback queued behind its marking then finds the trace
#     covered by the watermark (LS410), and nothing of it is left
#  3. a REPEATABLE READ reader whose snapshot predates the purge still sees
#     every kept run (0.1.0's swap rewrote them: it saw 0 of 2)
#  4. a writer in runs that then writes feedback, while purge_expired() would
#     drop a day it emptied (DROP locks runs): no deadlock, the day is left to
#     the next pass
# Needs PGHOST/PGPORT/PGUSER/PGBIN from test/run_tests.sh.
set -u
DB=lsb_purge_races
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
WORK=$(mktemp -d "${LSB_TMP:-/tmp}/purgeraces.XXXXXX")
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/locks.sh"
q() { $PSQL -d $DB -At -c "$1"; }

WS=46000000-0000-0000-0000-000000000001
PROJ=46100000-0000-0000-0000-000000000001
PURGE="SELECT traces_purged FROM lsbilling.purge_expired('2026-03-20 00:00+00')"

# A fresh database: split days 2026-03-01..02, eight base traces of three runs on 03-01.
setup() {
	$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
	q "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }
	q "
	INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
	VALUES ('46a00000-0000-0000-0000-000000000001', 'Races Inc', 'plus', true);
	INSERT INTO lsbilling.workspaces (id, organization_id, name)
	VALUES ('$WS', '46a00000-0000-0000-0000-000000000001', 'w');
	INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES ('$WS', '$PROJ', 'p');
	SELECT lsbilling.create_run_partitions('2026-03-01', 2);
	SELECT lsbilling.create_run_partitions();
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
	SELECT '$WS', CASE WHEN r = 0 THEN t ELSE gen_random_uuid() END, t, CASE WHEN r > 0 THEN t END,
		'$PROJ', 'r', 'chain', '2026-03-01 10:00+00'::timestamptz + i * interval '1 hour' + r * interval '1 minute'
	FROM generate_series(1, 8) i, CAST(format('46200000-0000-0000-0000-%s', lpad(i::text, 12, '0')) AS uuid) t,
		generate_series(0, 2) r;
	" >"$WORK/setup.out" 2>&1 || { echo "Bail out! fixtures failed"; sed "s/^/# /" "$WORK/setup.out"; exit 1; }
}
T1=46200000-0000-0000-0000-000000000001
T2=46200000-0000-0000-0000-000000000002

# --- 1. the upgrade first ----------------------------------------------------------------
setup
rm -f "$WORK/locked"
hold_until_waiting "INSERT INTO lsbilling.feedback (workspace_id, trace_id, key, score) VALUES ('$WS', '$T1', 'late', 1)" 1 \
	>"$WORK/holder1" &
holder=$!
wait_for_holder
purged=$(q "$PURGE" 2>&1)
wait $holder
check "the purge waited for the upgrading feedback (a table lock)" "$(cat "$WORK/holder1")" 1:relation
check "the purge covers the seven other traces" "$purged" 7
check "the upgraded trace keeps its 3 runs, in the day's kept half" \
	"$(q "SELECT count(*) || ' ' || min(tableoid::regclass::text) FROM lsbilling.runs WHERE trace_id = '$T1'")" \
	"3 lsbilling.runs_p20260301_kept"
check "it is not purged, and keeps its feedback" \
	"$(q "SELECT (lsbilling.trace_purged_at(t) IS NULL)::text || ' ' || (SELECT count(*) FROM lsbilling.feedback f WHERE f.trace_id = t.id)
	      FROM lsbilling.traces t WHERE id = '$T1'")" "true 1"
check "the day's base half went whole: empty" "$(q "SELECT count(*) FROM lsbilling.runs_p20260301_base")" 0

# --- 2. the purge first ----------------------------------------------------------------
setup
rm -f "$WORK/locked"
hold_until_waiting "$PURGE" 1 >"$WORK/holder2" &
holder=$!
wait_for_holder
out=$(q "INSERT INTO lsbilling.feedback (workspace_id, trace_id, key, score) VALUES ('$WS', '$T2', 'late', 1)" 2>&1)
wait $holder
check "feedback queued behind the purge's marking waited for it" "$(cat "$WORK/holder2")" 1:relation
case "$out" in *"has been purged"*) ok "and then finds the trace purged (LS410)";; *) not_ok "and then finds the trace purged (LS410)"; echo "#   got '$out'";; esac
check "nothing of the trace is left: no run, no feedback" \
	"$(q "SELECT (SELECT count(*) FROM lsbilling.runs WHERE trace_id = '$T2') + (SELECT count(*) FROM lsbilling.feedback WHERE trace_id = '$T2')")" 0

# --- 3. a REPEATABLE READ reader across the purge -------------------------------------------
setup
q "UPDATE lsbilling.traces SET tier = 'extended', upgraded_at = '2026-03-02', expires_at = '2027-04-01'
   WHERE id IN ('$T1', '$T2')" >/dev/null
rm -f "$WORK/reader" "$WORK/locked"
$PSQL -d $DB -At >"$WORK/reader" 2>&1 <<-SQL &
	BEGIN ISOLATION LEVEL REPEATABLE READ;
	SELECT count(*) FROM lsbilling.traces;
	\! touch $WORK/locked
	SELECT pg_sleep(1.5);
	SELECT count(*) FROM lsbilling.runs WHERE trace_id IN ('$T1', '$T2');
	COMMIT;
	SQL
reader=$!
wait_for_holder
purged=$(q "$PURGE" 2>&1)
wait $reader
check "meanwhile the purge covers the six base traces" "$purged" 6
check "the reader, its snapshot taken before the purge, sees all 6 kept runs" "$(tail -1 "$WORK/reader")" 6

# --- 4. a writer in runs, then in feedback, while the purge empties a day ---------------------
setup
R=46300000-0000-0000-0000-000000000001
rm -f "$WORK/locked"
$PSQL -d $DB -At >"$WORK/writer4" 2>&1 <<-SQL &
	BEGIN;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('$WS', '$R', '$R', '$PROJ', 'now', 'chain', now());
	\! touch $WORK/locked
	SELECT pg_sleep(1);
	INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score) VALUES ('$WS', '$R', 'k', 1);
	COMMIT;
	SQL
writer=$!
wait_for_holder
sleep 0.3
purge4=$(q "SET lock_timeout = '5s'; SELECT partitions_dropped FROM lsbilling.purge_expired('2026-03-20 00:00+00')" 2>&1)
prc=$?
wait $writer
wrc=$?
check "the purge finishes while the writer holds runs (no deadlock)" "$prc" 0
[ "$prc" -ne 0 ] && echo "# $purge4"
check "the writer's transaction commits (no deadlock)" "$wrc" 0
[ "$wrc" -ne 0 ] && sed 's/^/# /' "$WORK/writer4"
check "the emptied day is left to the next pass (runs was busy)" \
	"$(q "SELECT count(*) FROM lsbilling.run_partitions WHERE name = 'runs_p20260301'")" 1
q "SELECT * FROM lsbilling.purge_expired('2026-03-20 00:00+00')" >/dev/null
check "the next pass drops it" "$(q "SELECT count(*) FROM lsbilling.run_partitions WHERE name = 'runs_p20260301'")" 0

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
rm -rf "$WORK"
echo "1..$n"
[ $failures -eq 0 ]
