#!/usr/bin/env bash
# Retried creates under concurrency (lsbilling.run_ids, src/run_ids.c):
#  - a retry sent while the first create is still uncommitted waits for it, then is
#    ignored (one run, one trace, one ledger event), whatever its start_time
#  - when the first create rolls back, the waiting retry is stored
#  - eight sessions creating the same run id at once store it once
#  - the same on a split day (its base half: no run_ids row, a unique index on
#    (workspace_id, id)), the eight start_times a second apart in the day
# Needs PGHOST/PGPORT/PGUSER/PGBIN from test/run_tests.sh.
set -u
DB=lsb_run_retry
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
. "$(dirname "$0")/../lib/tap.sh"
q() { $PSQL -d $DB -At -c "$1"; }

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
trap '$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
q "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }
echo "1..8"

WS=b0000000-0000-0000-0000-000000000001
PROJ=c0000000-0000-0000-0000-000000000001
q "INSERT INTO lsbilling.organizations (id, name) VALUES ('a0000000-0000-0000-0000-000000000001', 'Acme');
   INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES ('$WS', 'a0000000-0000-0000-0000-000000000001', 'w');
   INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES ('$WS', '$PROJ', 'p');" >/dev/null
ins() {	# run id, start_time
	echo "INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
	      VALUES ('$WS', '$1', '$1', '$PROJ', 'r', 'llm', '$2',
	              '{\"metadata\": {\"ls_model_name\": \"gpt-4o\", \"usage_metadata\": {\"input_tokens\": 1000}}}');"
}
R1=d0000000-0000-0000-0000-000000000001
R2=d0000000-0000-0000-0000-000000000002
R3=d0000000-0000-0000-0000-000000000003

# 1. the first create holds its transaction open; the retry (another start_time) waits, then is ignored
{ echo "BEGIN;"; ins $R1 '2026-06-01 10:00:00+00'; echo "SELECT pg_sleep(1.5); COMMIT;"; } | $PSQL -d $DB >/dev/null &
first=$!
sleep 0.5
start=$(date +%s.%N)
out=$($PSQL -d $DB -c "$(ins $R1 '2026-06-02 10:00:00+00')" -c "SELECT 'done'" -At 2>&1)
waited=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print (b - a > 0.5) ? "waited" : "did not wait" }')
wait $first
check "the retry waits for the uncommitted first create" "$waited" "waited"
check "then it is ignored: one run, one trace total, one ledger event" \
	"$(q "SELECT (SELECT count(*) FROM lsbilling.runs WHERE id = '$R1') || ' ' || (SELECT run_count || ' ' || total_cost FROM lsbilling.traces WHERE id = '$R1') || ' ' || (SELECT count(*) FROM lsbilling.billing_events WHERE trace_id = '$R1')")" \
	"1 1 0.0025 1"
check "the first body stays" "$(q "SELECT start_time = '2026-06-01 10:00:00+00' FROM lsbilling.runs WHERE id = '$R1'")" "t"

# 2. the first create rolls back: the waiting retry is stored
{ echo "BEGIN;"; ins $R2 '2026-06-01 10:00:00+00'; echo "SELECT pg_sleep(1); ROLLBACK;"; } | $PSQL -d $DB >/dev/null &
first=$!
sleep 0.4
$PSQL -d $DB -c "$(ins $R2 '2026-06-02 11:00:00+00')" >/dev/null 2>&1
wait $first
check "after a rolled-back first create the retry is stored" \
	"$(q "SELECT count(*) || ' ' || min(start_time AT TIME ZONE 'UTC') FROM lsbilling.runs WHERE id = '$R2'")" "1 2026-06-02 11:00:00"

# 3. eight concurrent creates of one run id (each may win or be ignored; a racing pair may get 23505)
for i in 1 2 3 4 5 6 7 8; do
	$PSQL -d $DB -c "$(ins $R3 "2026-06-0$i 12:00:00+00")" >/dev/null 2>"$LSB_TMP/retry_$i.err" &
done
wait
check "eight concurrent creates store the run once" "$(q "SELECT count(*) FROM lsbilling.runs WHERE id = '$R3'")" "1"
other=$(cat "$LSB_TMP"/retry_*.err | grep -v "duplicate key value violates unique constraint \"run_ids_pkey\"" | grep -c ERROR)
check "no error but the documented unique violation of a racing pair" "$other" "0"

# 4. the same on a split day: start_times a second apart, all in 2026-07-01's base half, five rounds
q "SELECT lsbilling.create_run_partitions('2026-07-01', 1)" >/dev/null
counts=""
for round in 1 2 3 4 5; do
	R=$(printf 'd1000000-0000-0000-0000-%012d' "$round")
	for i in 1 2 3 4 5 6 7 8; do
		$PSQL -d $DB -c "$(ins "$R" "2026-07-01 12:00:0$i+00")" >/dev/null 2>"$LSB_TMP/split_$i.err" &
	done
	wait
	counts="$counts$(q "SELECT count(*) FROM lsbilling.runs WHERE id = '$R'")"
	cat "$LSB_TMP"/split_*.err >>"$LSB_TMP/split_all.err"
done
check "on a split day, eight concurrent creates of one run id store it once (five rounds)" "$counts" "11111"
other=$(grep -v 'duplicate key value violates unique constraint "runs_p20260701_base_run_id_key"' "$LSB_TMP/split_all.err" | grep -c ERROR)
check "no error there but the unique violation of a racing pair, on the base half's (workspace_id, id)" "$other" "0"
