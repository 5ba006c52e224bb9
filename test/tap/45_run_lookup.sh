#!/usr/bin/env bash
# A run looked up by id (feedback, queue items, rule matches; src/run_reference.c)
# touches ONE day partition of runs, whatever their number (issue 12): the
# lookup reads the run's start_time from lsbilling.run_ids and names it, so the
# planner prunes to the run's partition.  With 400 day partitions:
#  - a feedback (queue item, rule match) insert's transaction locks at most a few runs_p* relations
#    (the run's day, its two halves and their indexes), where a lookup by id alone locks all 400
#  - semantics stay: trace_id filled from the run, 23503 for a missing run or
#    another workspace's run, a run without a run_ids row (0.1.0 data) still found
# Needs PGHOST/PGPORT/PGUSER/PGBIN from test/run_tests.sh.
set -u
DB=lsb_run_lookup
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
. "$(dirname "$0")/../lib/tap.sh"
q() { $PSQL -d $DB -At -c "$1"; }

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
trap '$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
q "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }
echo "1..11"

ORG=a4500000-0000-0000-0000-000000000001
WS=b4500000-0000-0000-0000-000000000001
WS2=b4500000-0000-0000-0000-000000000002
PROJ=c4500000-0000-0000-0000-000000000001
R1=d4500000-0000-0000-0000-000000000001
R2=d4500000-0000-0000-0000-000000000002
R3=d4500000-0000-0000-0000-000000000003
q "INSERT INTO lsbilling.organizations (id, name) VALUES ('$ORG', 'Lookup Inc');
   INSERT INTO lsbilling.workspaces (id, organization_id, name)
   VALUES ('$WS', '$ORG', 'w'), ('$WS2', '$ORG', 'other');
   INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES ('$WS', '$PROJ', 'p');" >/dev/null
# four transactions: a split day is three tables and their indexes, and one
# transaction making 400 of them would need more than the default lock table
made=0
for k in 0 1 2 3; do
	made=$((made + $(q "SELECT lsbilling.create_run_partitions('2026-01-01'::date + $k * 100, 100)")))
done
check "400 day partitions created" "$made" "400"
q "INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
   VALUES ('$WS', '$R1', '$R1', '$PROJ', 'root', 'chain', '2026-10-01 10:00+00'),
          ('$WS', '$R2', '$R1', '$PROJ', 'child', 'llm', '2026-10-01 10:01+00'),
          ('$WS', '$R3', '$R3', '$PROJ', 'old', 'chain', '2026-01-02 10:00+00');" >/dev/null

# relations named runs_p* (partitions of runs and their indexes) locked by this transaction
LOCKS="SELECT count(DISTINCT l.relation) || ' ' || count(DISTINCT l.relation) FILTER (WHERE c.relkind = 'r')
       FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c ON c.oid = l.relation
       WHERE l.pid = pg_catalog.pg_backend_pid() AND c.relname LIKE 'runs\_p%'"
locked() {	# statement -> "relations tables" locked by a transaction running it
	$PSQL -d $DB -At -c "BEGIN" -c "$1" -c "$LOCKS" -c "ROLLBACK" 2>&1 | tail -1
}

# 1. the control: a lookup by id alone locks every partition
out=$(locked "SELECT count(*) FROM lsbilling.runs WHERE workspace_id = '$WS' AND id = '$R2'")
check "control: a query by id alone locks all 400 day partitions (800 halves)" "${out#* }" "800"

# the trace is extended (its runs moved to their kept half) before the lookups are
# measured: an upgrading feedback also moves the trace's runs (kept_runs.c)
q "UPDATE lsbilling.traces SET tier = 'extended' WHERE workspace_id = '$WS' AND id = '$R1'" >/dev/null

# 2. a feedback insert locks one partition (and its indexes): fewer than 5 runs_p* relations
out=$(locked "INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score) VALUES ('$WS', '$R2', 'correct', 1)")
rels=${out% *}; tables=${out#* }
check "a feedback insert locks one day partition of runs (its two halves)" "$tables" "2"
if [ "$rels" -lt 10 ] 2>/dev/null; then ok "a feedback insert locks fewer than 10 runs_p* relations ($rels)"
else not_ok "a feedback insert locks fewer than 10 runs_p* relations"; echo "#   got '$out'"; fi

# queue items and rule matches go through the same lookup
q "INSERT INTO lsbilling.annotation_queues (workspace_id, id, name) VALUES ('$WS', 'e4500000-0000-0000-0000-000000000001', 'q');
   INSERT INTO lsbilling.automation_rules (workspace_id, id, name) VALUES ('$WS', 'f4500000-0000-0000-0000-000000000001', 'r');" >/dev/null
out=$(locked "INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id) VALUES ('$WS', 'e4500000-0000-0000-0000-000000000001', '$R2')")
check "a queue item insert locks one day partition of runs (its two halves)" "${out#* }" "2"
out=$(locked "INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id) VALUES ('$WS', 'f4500000-0000-0000-0000-000000000001', '$R2')")
check "a rule match insert locks one day partition of runs (its two halves)" "${out#* }" "2"

# 3. semantics: trace_id filled from the run
check "feedback on a child run gets its trace_id" \
	"$(q "INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('$WS', '$R2', 'k') RETURNING trace_id")" "$R1"
out=$($PSQL -d $DB -At -c "INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('$WS', 'd4500000-0000-0000-0000-0000000000ff', 'k')" 2>&1)
case "$out" in *"does not exist in workspace"*) ok "feedback on a missing run: 23503";; *) not_ok "feedback on a missing run: 23503"; echo "#   got '$out'";; esac
out=$($PSQL -d $DB -At -c "\\set VERBOSITY verbose" -c "INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('$WS2', '$R2', 'k')" 2>&1)
case "$out" in *23503*) ok "feedback naming another workspace's run: 23503";; *) not_ok "feedback naming another workspace's run: 23503"; echo "#   got '$out'";; esac
out=$($PSQL -d $DB -At -c "\\set VERBOSITY verbose" -c "INSERT INTO lsbilling.feedback (workspace_id, run_id, trace_id, key) VALUES ('$WS', '$R2', '$R3', 'k')" 2>&1)
case "$out" in *23503*"belongs to trace"*) ok "feedback naming the wrong trace of a run: 23503";; *) not_ok "feedback naming the wrong trace of a run: 23503"; echo "#   got '$out'";; esac

# 4. a run without a run_ids row (written under 0.1.0, not backfilled) is still found
check "a run without a run_ids row is found by the lookup by id" \
	"$(q "DELETE FROM lsbilling.run_ids WHERE workspace_id = '$WS' AND id = '$R3';
	      INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('$WS', '$R3', 'k') RETURNING trace_id")" "$R3"
