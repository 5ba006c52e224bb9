#!/usr/bin/env bash
# Tiers under real concurrency: parallel psql sessions.
#  - eight sessions writing feedback on one trace at once: one upgrade, one event
#  - eight sessions writing feedback on eight traces of one thread at once
#  - max_traces and max_extended_traces with many concurrent writers: the
#    overshoot stays within the bound README states (slots - 1 = 7 single-trace
#    transactions)
# Needs PGHOST/PGPORT/PGUSER/PGBIN from test/run_tests.sh.
set -u
DB=lsb_tiers_conc
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
WORK=$(mktemp -d "${LSB_TMP:-/tmp}/tiers.XXXXXX")
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/locks.sh"
q() { $PSQL -d $DB -At -c "$1"; }

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }

WS=b0000000-0000-0000-0000-000000000001
WS2=b0000000-0000-0000-0000-000000000002
WS3=b0000000-0000-0000-0000-000000000003
PROJ=c0000000-0000-0000-0000-000000000001
q "
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('a0000000-0000-0000-0000-000000000001', 'Acme', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('$WS', 'a0000000-0000-0000-0000-000000000001', 'one'),
	('$WS2', 'a0000000-0000-0000-0000-000000000001', 'limited'),
	('$WS3', 'a0000000-0000-0000-0000-000000000001', 'ext-limited');
INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES
	('$WS', '$PROJ', 'p'), ('$WS2', '$PROJ', 'p'), ('$WS3', '$PROJ', 'p');
-- trace 1 alone; traces 11..18 in thread th
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
SELECT '$WS', u, u, '$PROJ', 'r', 'chain', now(),
	CASE WHEN i > 10 THEN '{\"metadata\": {\"thread_id\": \"th\"}}'::jsonb END
FROM (SELECT i, format('d0000000-0000-0000-0000-%s', lpad(i::text, 12, '0'))::uuid AS u
	  FROM (VALUES (1), (11), (12), (13), (14), (15), (16), (17), (18)) v(i)) s;
" >/dev/null || { echo "Bail out! fixtures failed"; exit 1; }
tid() { printf 'd0000000-0000-0000-0000-%012d' "$1"; }


# --- 1. eight sessions, feedback on the same trace, released at once -------------
# The holder keeps the trace row locked, so all eight pass the "is it base?"
# check and queue on the UPDATE; only the first may upgrade.
T1=$(tid 1)
rm -f "$WORK/locked"
hold_until_waiting "SELECT 1 FROM lsbilling.traces WHERE id = '$T1' FOR UPDATE" 8 >"$WORK/holder1" 2>&1 &
holder=$!
wait_for_holder
pids=()
for i in 1 2 3 4 5 6 7 8; do
	q "INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score) VALUES ('$WS', '$T1', 'k$i', 1)" \
		>"$WORK/fb$i" 2>&1 &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
wait $holder
check "eight concurrent feedback writes all succeed" "$failed" 0
check "the eight sessions really waited together on the trace row" "$(cut -d: -f1 "$WORK/holder1")" 8
check "eight feedback rows" "$(q "SELECT count(*) FROM lsbilling.feedback WHERE trace_id = '$T1'")" 8
check "exactly one extended_upgrade event" \
	"$(q "SELECT count(*) FROM lsbilling.billing_events WHERE trace_id = '$T1' AND metric = 'extended_upgrade'")" 1
check "the trace is extended, expiring 400 days after its start" \
	"$(q "SELECT tier || ' ' || (expires_at - start_time) FROM lsbilling.traces WHERE id = '$T1'")" "extended 400 days"
check "the month's extended count is one" \
	"$(q "SELECT extended_traces FROM lsbilling.monthly_usage WHERE workspace_id = '$WS'")" 1

# --- 2. eight sessions, feedback on eight traces of one thread at once ----------------
rm -f "$WORK/locked"
hold_until_waiting "SELECT pg_advisory_xact_lock(30)" 8 >"$WORK/holder2" 2>&1 &
holder=$!
wait_for_holder
pids=()
for i in 11 12 13 14 15 16 17 18; do
	q "BEGIN; SELECT pg_advisory_xact_lock_shared(30);
	   INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('$WS', '$(tid $i)', 'k'); COMMIT;" \
		>"$WORK/th$i" 2>&1 &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
wait $holder
check "eight concurrent feedback writes on one thread all succeed (no deadlock)" "$failed" 0
check "every trace of the thread has exactly one upgrade event" \
	"$(q "SELECT count(*) || '/' || count(DISTINCT trace_id) FROM lsbilling.billing_events
	      WHERE metric = 'extended_upgrade' AND trace_id IN (SELECT id FROM lsbilling.traces WHERE thread_id = 'th')")" "8/8"
check "counters equal the ledger" \
	"$(q "SELECT (SELECT extended_traces FROM lsbilling.monthly_usage WHERE workspace_id = '$WS')
	      = (SELECT count(*) FROM lsbilling.billing_events WHERE workspace_id = '$WS' AND metric = 'extended_upgrade')")" t

# --- 3. max_traces under 12 concurrent writers ------------------------------------------
LIMIT=20
WRITERS=12
PER=10
q "INSERT INTO lsbilling.usage_limits (workspace_id, max_traces) VALUES ('$WS2', $LIMIT)"
rm -f "$WORK/locked"
hold_until_waiting "SELECT pg_advisory_xact_lock(31)" $WRITERS >/dev/null 2>&1 &
holder=$!
wait_for_holder
pids=()
for w in $(seq 1 $WRITERS); do
	{
		echo '\set VERBOSITY sqlstate'
		echo "SELECT pg_advisory_lock_shared(31); SELECT pg_advisory_unlock_shared(31);"
		for i in $(seq 1 $PER); do
			echo "INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
			      SELECT '$WS2', u, u, '$PROJ', 'r', 'chain', now() FROM gen_random_uuid() u;"
		done
	} >"$WORK/w$w.sql"
	$PGBIN/psql -X -q -d $DB -f "$WORK/w$w.sql" >"$WORK/w$w.out" 2>"$WORK/w$w.err" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
wait $holder
refused=$(cat "$WORK"/w*.err | grep -c 'LS429')
other=$(cat "$WORK"/w*.err | grep -v 'LS429' | grep -c 'ERROR')
made=$(q "SELECT count(*) FROM lsbilling.traces WHERE workspace_id = '$WS2'")
check "refusals are all LS429" "$other" 0
check "every attempt either made a trace or was refused" "$((made + refused))" $((WRITERS * PER))
if [ "$made" -ge $LIMIT ] && [ "$made" -le $((LIMIT + 7)) ]; then
	ok "max_traces $LIMIT with $WRITERS concurrent writers: $made traces, within limit + 7"
else
	not_ok "max_traces $LIMIT with $WRITERS concurrent writers: $made traces, outside [$LIMIT, $((LIMIT + 7))]"
fi
check "the ledger and the counters agree with the traces made" \
	"$(q "SELECT (SELECT count(*) FROM lsbilling.billing_events WHERE workspace_id = '$WS2') || '/' ||
	      (SELECT traces FROM lsbilling.monthly_usage WHERE workspace_id = '$WS2')")" "$made/$made"

# --- 4. max_extended_traces under 12 concurrent writers -----------------------------------
ELIMIT=5
q "INSERT INTO lsbilling.usage_limits (workspace_id, max_extended_traces) VALUES ('$WS3', $ELIMIT);
   INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
   SELECT '$WS3', u, u, '$PROJ', 'r', 'chain', now() FROM (SELECT gen_random_uuid() u FROM generate_series(1, 36)) s;" >/dev/null
rm -f "$WORK/locked"
hold_until_waiting "SELECT pg_advisory_xact_lock(32)" $WRITERS >/dev/null 2>&1 &
holder=$!
wait_for_holder
pids=()
for w in $(seq 1 $WRITERS); do
	{
		echo '\set VERBOSITY sqlstate'
		echo "SELECT pg_advisory_lock_shared(32); SELECT pg_advisory_unlock_shared(32);"
		for i in 0 1 2; do
			echo "INSERT INTO lsbilling.feedback (workspace_id, trace_id, key)
			      SELECT '$WS3', id, 'k' FROM lsbilling.traces WHERE workspace_id = '$WS3'
			      ORDER BY id OFFSET $(((w - 1) * 3 + i)) LIMIT 1;"
		done
	} >"$WORK/e$w.sql"
	$PGBIN/psql -X -q -d $DB -f "$WORK/e$w.sql" >"$WORK/e$w.out" 2>"$WORK/e$w.err" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
wait $holder
refused=$(cat "$WORK"/e*.err | grep -c 'LS429')
other=$(cat "$WORK"/e*.err | grep -v 'LS429' | grep -c 'ERROR')
ext=$(q "SELECT count(*) FROM lsbilling.traces WHERE workspace_id = '$WS3' AND tier = 'extended'")
check "extended refusals are all LS429" "$other" 0
check "every upgrade attempt either upgraded or was refused" "$((ext + refused))" 36
if [ "$ext" -ge $ELIMIT ] && [ "$ext" -le $((ELIMIT + 7)) ]; then
	ok "max_extended_traces $ELIMIT with $WRITERS concurrent writers: $ext upgrades, within limit + 7"
else
	not_ok "max_extended_traces $ELIMIT with $WRITERS concurrent writers: $ext upgrades, outside [$ELIMIT, $((ELIMIT + 7))]"
fi
check "refused feedback left no rows" \
	"$(q "SELECT count(*) FROM lsbilling.feedback WHERE workspace_id = '$WS3'")" "$ext"

$PSQL -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
rm -rf "$WORK"
echo "1..$n"
[ "$failures" -eq 0 ]
