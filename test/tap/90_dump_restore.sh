#!/usr/bin/env bash
# pg_dump keeps lsbilling's data: dump a database holding the demo sample,
# restore it into a new database with session_replication_role = replica (as
# README says), and compare what the two know; then write to the copy.
set -u
src=lsb_dump_src
dst=lsb_dump_dst
P() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
n=0
failed=0
check() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		echo "not ok $n - $3"; echo "#   got:      $1"; echo "#   expected: $2"; failed=1; fi
}
cleanup() { P -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
P -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" >/dev/null || { echo "Bail out! createdb"; exit 1; }
P -d $src -c "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! create extension"; exit 1; }
P -d $src -f "$LSB_ROOT/test/demo/sample.sql" >/dev/null || { echo "Bail out! sample"; exit 1; }
P -d $src -c "SELECT lsbilling.create_run_partitions('2026-10-10', 3)" >/dev/null || { echo "Bail out! partitions"; exit 1; }
P -d $src -c "INSERT INTO lsbilling.plans (id, seat_price) VALUES ('team', 25)" >/dev/null

"$PGBIN/pg_dump" -d $src -f "$LSB_TMP/lsb_dump.sql" 2>"$LSB_TMP/pg_dump.err"
check "$?" "0" "pg_dump of a database with lsbilling succeeds"
# Day partitions made at run time are dumped as tables attached to runs; runs
# already gives them its primary key when attached, so their own key and its
# index are refused as duplicates: harmless, and the only errors expected.
PGOPTIONS='-c session_replication_role=replica' "$PGBIN/psql" -X -q -d $dst -f "$LSB_TMP/lsb_dump.sql" \
	>/dev/null 2>"$LSB_TMP/restore.err"
unexpected=$(grep 'ERROR' "$LSB_TMP/restore.err" | grep -v -e 'multiple primary keys for table "runs_p[0-9]*\(_base\|_kept\)\?" are not allowed' -e 'relation "runs_p[0-9]*_[a-z_]*" already exists')
check "$unexpected" "" "the dump restores with session_replication_role = replica, with no error but the day partitions' duplicate keys"
grep ERROR "$LSB_TMP/restore.err" | sed 's/^/# /' | head -8

# what each database knows: row counts of every table and the figures derived from them
summary() {
	P -d "$1" -At -c "
	SELECT string_agg(format('%s=%s', t, (xpath('/row/c/text()',
	         query_to_xml(format('SELECT count(*) AS c FROM lsbilling.%I', t), false, true, '')))[1]), ' ' ORDER BY t)
	FROM unnest(ARRAY['organizations', 'workspaces', 'users', 'organization_members', 'projects', 'traces',
	    'runs', 'feedback', 'annotation_queue_runs', 'rule_matches', 'deployment_runs', 'billing_events',
	    'usage_counters', 'plans', 'model_prices']) AS t"
}
check "$(summary $dst)" "$(summary $src)" "every table has the same number of rows after the restore"
totals="SELECT sum(run_count), sum(total_tokens), sum(total_cost), count(*) FILTER (WHERE tier = 'extended') FROM lsbilling.traces"
check "$(P -d $dst -At -c "$totals")" "$(P -d $src -At -c "$totals")" "trace totals and tiers are the same"
runs="SELECT sum(total_cost), count(*) FILTER (WHERE cost_error IS NOT NULL), count(DISTINCT price_id) FROM lsbilling.runs"
check "$(P -d $dst -At -c "$runs")" "$(P -d $src -At -c "$runs")" "run costs are the same (not re-priced)"
inv="SELECT string_agg(item || ':' || coalesce(amount::text, ''), ' ') FROM lsbilling.invoice('0a000000-0000-0000-0000-000000000001', '2026-10-01')"
check "$(P -d $dst -At -c "$inv")" "$(P -d $src -At -c "$inv")" "the invoice is the same"
parts="SELECT count(*) FROM lsbilling.run_partitions"
check "$(P -d $dst -At -c "$parts")" "$(P -d $src -At -c "$parts")" "the day partitions of runs come back"

# the copy is live: a new trace is rolled up and billed
P -d $dst -c "INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('0b000000-0000-0000-0000-000000000001', '0d000000-0000-0000-0000-00000000ffff',
	        '0d000000-0000-0000-0000-00000000ffff', '0c000000-0000-0000-0000-000000000001', 'new', 'chain', '2026-10-11 12:00+00')" >/dev/null
check "$(P -d $dst -At -c "SELECT run_count || '/' || (SELECT count(*) FROM lsbilling.billing_events WHERE trace_id = t.id)
	FROM lsbilling.traces t WHERE id = '0d000000-0000-0000-0000-00000000ffff'")" "1/1" \
	"after the restore, a new run creates its trace and its base_trace event"
echo "1..$n"
exit $failed
