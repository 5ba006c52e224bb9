#!/usr/bin/env bash
# The purge under concurrency (issue 12), parallel psql sessions:
#  1. feedback written on an expired trace while the purge marks it: the
#     purge waits for it and deletes it (0.1.0 left it on the purged trace)
#  2. feedback queued behind the drop of a day's base half finds the kept run
#     it names (0.1.0: "run ... does not exist" for a run that exists)
#  3. a writer holding runs and then writing a run of a trace the purge is
#     about to mark: no deadlock, both finish
#  4. two purges at once: the second waits for the first (advisory lock),
#     both finish
# Needs PGHOST/PGPORT/PGUSER/PGBIN from test/run_tests.sh.
set -u
DB=lsb_purge_conc
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
WORK=$(mktemp -d "${LSB_TMP:-/tmp}/purgeconc.XXXXXX")
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/locks.sh"
q() { $PSQL -d $DB -At -c "$1"; }

WS=42000000-0000-0000-0000-000000000001
PROJ=42100000-0000-0000-0000-000000000001
tid() { printf '42%d00000-0000-0000-0000-%012d' "$1" "$2"; }
B=1  # base traces of 2026-03-01 (expire 03-15)
E=2  # extended traces of 2026-03-01 (kept)
X=3  # an extended trace whose expiry has passed

# A fresh database: partitions for 2026-03-01..03, six base traces of three
# runs, two extended traces of two runs, one expired extended trace.
setup() {
	$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
	q "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }
	q "
	INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
	VALUES ('42a00000-0000-0000-0000-000000000001', 'Purge Inc', 'plus', true);
	INSERT INTO lsbilling.workspaces (id, organization_id, name)
	VALUES ('$WS', '42a00000-0000-0000-0000-000000000001', 'w');
	INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES ('$WS', '$PROJ', 'p');
	SELECT lsbilling.create_run_partitions('2026-03-01', 3);
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
	SELECT '$WS', CASE WHEN r = 0 THEN t ELSE gen_random_uuid() END, t, CASE WHEN r > 0 THEN t END,
		'$PROJ', 'r', 'chain', '2026-03-01 10:00+00'::timestamptz + k * interval '1 hour' + r * interval '1 minute'
	FROM (SELECT format('42%s00000-0000-0000-0000-%s', c, lpad(i::text, 12, '0'))::uuid AS t, c, i,
				 (c * 3 + i) AS k, CASE c WHEN 1 THEN 3 ELSE 2 END AS nruns
		  FROM (VALUES (1, 6), (2, 2), (3, 1)) v(c, m), generate_series(1, v.m) i) s,
		 generate_series(0, s.nruns - 1) r;
	UPDATE lsbilling.traces SET tier = 'extended', upgraded_at = start_time, expires_at = start_time + interval '400 days'
	WHERE id::text LIKE '422%';
	UPDATE lsbilling.traces SET tier = 'extended', upgraded_at = start_time, expires_at = start_time + interval '5 days'
	WHERE id::text LIKE '423%';
	" >/dev/null || { echo "Bail out! fixtures failed"; exit 1; }
}
PURGE="SELECT traces_purged FROM lsbilling.purge_expired('2026-03-20 00:00+00')"


# --- 1. feedback written while its trace is purged --------------------------------
setup
rm -f "$WORK/locked"
XT=$(tid $X 1)
hold_until_waiting "INSERT INTO lsbilling.feedback (workspace_id, trace_id, key, score) VALUES ('$WS', '$XT', 'late', 1)" 1 \
	>"$WORK/holder1" &
holder=$!
wait_for_holder
q "$PURGE" >"$WORK/purge1" 2>&1
rc=$?
wait $holder
check "the purge succeeds while feedback on an expired trace is being written" "$rc" 0
check "the purge waited for the feedback's transaction (a table lock)" "$(cat "$WORK/holder1")" 1:relation
check "the expired extended trace is purged" "$(q "SELECT lsbilling.trace_purged_at(t) IS NOT NULL FROM lsbilling.traces t WHERE id = '$XT'")" t
check "and its feedback, written meanwhile, is gone with it" \
	"$(q "SELECT count(*) FROM lsbilling.feedback WHERE trace_id = '$XT'")" 0
check "no feedback is left on any purged trace" \
	"$(q "SELECT count(*) FROM lsbilling.feedback f JOIN lsbilling.traces t ON t.workspace_id = f.workspace_id AND t.id = f.trace_id WHERE lsbilling.trace_purged_at(t) IS NOT NULL")" 0
err=$(q "INSERT INTO lsbilling.feedback (workspace_id, trace_id, key) VALUES ('$WS', '$XT', 'after')" 2>&1 | grep -o 'has been purged')
check "feedback after the purge is refused (LS410)" "$err" "has been purged"

# --- 2. feedback queued behind the purge of its day ------------------------------------
setup
ET=$(tid $E 1)
KEPT_RUN=$(q "SELECT id FROM lsbilling.runs WHERE trace_id = '$ET' AND id <> trace_id LIMIT 1")
rm -f "$WORK/locked"
hold_until_waiting "$PURGE" 1 >"$WORK/holder2" &
holder=$!
wait_for_holder
q "INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score) VALUES ('$WS', '$KEPT_RUN', 'queued', 1)" \
	>"$WORK/fb2" 2>&1
rc=$?
wait $holder
check "feedback on a kept run, queued behind the purge of its day, succeeds" "$rc" 0
[ "$rc" -ne 0 ] && sed 's/^/# /' "$WORK/fb2"
check "it waited for the purge" "$(cat "$WORK/holder2")" 1:relation
check "the feedback row is there, on the kept trace" \
	"$(q "SELECT count(*) FROM lsbilling.feedback WHERE run_id = '$KEPT_RUN' AND trace_id = '$ET'")" 1
check "the kept trace still has its two runs, in its day's kept half (moved when it was upgraded)" \
	"$(q "SELECT count(*) || ' ' || min(tableoid::regclass::text) FROM lsbilling.runs WHERE trace_id = '$ET'")" \
	"2 lsbilling.runs_p20260301_kept"

# --- 3. a writer in runs, then writing a run of a trace the purge marks ----------------
setup
BT=$(tid $B 1)
$PSQL -d $DB -At >"$WORK/writer3" 2>&1 <<-SQL &
	BEGIN;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
	VALUES ('$WS', gen_random_uuid(), '$ET', '$ET', '$PROJ', 'more', 'tool', '2026-03-01 12:00+00');
	\! touch $WORK/locked
	SELECT pg_sleep(1.5);
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
	VALUES ('$WS', gen_random_uuid(), '$BT', '$BT', '$PROJ', 'late', 'tool', '2026-03-01 12:30+00');
	COMMIT;
	SQL
writer=$!
rm -f "$WORK/locked"
wait_for_holder
q "SET lock_timeout = '20s'; $PURGE" >"$WORK/purge3" 2>&1
prc=$?
wait $writer
wrc=$?
check "the purge finishes (no deadlock with the writer)" "$prc" 0
[ "$prc" -ne 0 ] && sed 's/^/# /' "$WORK/purge3"
check "the writer's transaction commits (no deadlock with the purge)" "$wrc" 0
[ "$wrc" -ne 0 ] && sed 's/^/# /' "$WORK/writer3"
check "the base traces are purged, the writer's late run with them" \
	"$(q "SELECT count(*) FILTER (WHERE lsbilling.trace_purged_at(traces) IS NOT NULL) || ' ' || (SELECT count(*) FROM lsbilling.runs r WHERE r.trace_id::text LIKE '421%')
	      FROM lsbilling.traces WHERE id::text LIKE '421%'")" "6 0"
check "the extended trace keeps its runs, the writer's new one too" \
	"$(q "SELECT count(*) FROM lsbilling.runs WHERE trace_id = '$ET'")" 3

# --- 4. two purges at once ------------------------------------------------------------
setup
rm -f "$WORK/locked"
hold_until_waiting "$PURGE" 1 >"$WORK/holder4" &
holder=$!
wait_for_holder
$PSQL -d $DB -At -c "$PURGE" >"$WORK/purge4" 2>&1 &
second=$!
wait $holder
wait $second
src=$?
check "a second purge waits for the first, on the purge's advisory lock" "$(cat "$WORK/holder4")" 1:advisory
check "and then finishes, finding nothing left to purge" "$src $(cat "$WORK/purge4")" "0 0"
check "the first purge purged the seven expired traces" \
	"$(q "SELECT count(*) FROM lsbilling.traces WHERE lsbilling.trace_purged_at(traces) IS NOT NULL")" 7

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
rm -rf "$WORK"
echo "1..$n"
[ $failures -eq 0 ]
