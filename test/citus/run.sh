#!/usr/bin/env bash
# `make test-citus` (and `make test` when CITUS_TARBALL is set): lsbilling
# distributed on Citus by workspace_id.  Builds Citus from the source tarball
# CITUS_TARBALL names (once per tarball and PostgreSQL version; see
# test/citus/cluster.sh), starts a coordinator and two workers, and a plain
# PostgreSQL as the single-node reference, then checks that:
#   - lsbilling.distribute() refuses without the settings Citus needs, and
#     distributes an empty and a populated database;
#   - the demo sample (test/demo/sample.sql, unmodified) loads through the
#     coordinator, and what lsbilling knows about it (test/citus/fingerprint.sql)
#     is identical to the single node's, also after a shard move;
#   - a price change is seen at once, purge_expired() and the purge worker
#     (on the coordinator only) do what they do on one PostgreSQL;
#   - the shared pgTAP files (LSB_CITUS_PGTAP) pass against the coordinator;
#   - an application role's authenticate() context reaches the shards (86_tenant_context.sh).
# Prints TAP; standalone it ends with "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/cluster.sh"
. "$here/cluster.sh"
cd "$LSB_ROOT"

if [ -z "${CITUS_TARBALL:-}" ]; then
	echo "# skip: the Citus tests need a Citus source tarball: CITUS_TARBALL=/path/to/citus-v13.2.2.tar.gz make test-citus"
	echo "1..0 # SKIP CITUS_TARBALL is not set"
	exit 0
fi
case $CITUS_TARBALL in /*) ;; *) CITUS_TARBALL=$(pwd)/$CITUS_TARBALL ;; esac
# shared assertion files: run on one PostgreSQL by make test, and here through the coordinator
LSB_CITUS_PGTAP=${LSB_CITUS_PGTAP:-test/pgtap/85_scale_out.sql}

if [ -z "${LSB_CITUS_NESTED:-}" ]; then	# run_tests.sh holds the install lock and has built
	lsb_install_packages
	lsb_take_install_lock
	lsb_build_install
fi
lsb_citus_install "$CITUS_TARBALL"
lsb_citus_start

n=0
failed=0
check() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		failed=$((failed + 1))
		echo "not ok $n - $3"
		echo "#   got:      $1" | head -c 3000; echo
		echo "#   expected: $2" | head -c 3000; echo
	fi
}
C() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$CPORT" "$@"; }
S() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$SPORT" "$@"; }
tenant_tables="SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relnamespace = 'lsbilling'::regnamespace
	AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND lsbilling.distribute_is_tenant(c.oid)"

# the single-node reference: the sample on one PostgreSQL
S -d postgres -c "CREATE DATABASE lsbilling_demo" && S -d lsbilling_demo -c "CREATE EXTENSION lsbilling" \
	&& S -d lsbilling_demo -c "SELECT setseed(0.25)" -f test/demo/sample.sql >/dev/null 2>"$LSB_CTMP/s.err" \
	|| { cat "$LSB_CTMP/s.err"; lsb_die "the sample does not load on the single node"; }
S -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/single.txt" 2>&1

# 1. distribute() on an empty database
lsb_citus_db lsbilling_test
C -d lsbilling_test -c "CREATE EXTENSION pgtap; CREATE EXTENSION lsbilling" >/dev/null 2>&1 \
	|| lsb_die "CREATE EXTENSION lsbilling failed on the coordinator"
got=$(C -d lsbilling_test -At -c "SET citus.enable_unsafe_triggers = off" \
	-c "SELECT lsbilling.distribute()" 2>&1 | grep -o 'ERROR: .*')
check "$got" "ERROR:  lsbilling.distribute() needs the setting citus.enable_unsafe_triggers = on" \
	"distribute() refuses without citus.enable_unsafe_triggers, naming it"
got=$(C -d lsbilling_test -At -c "SET citus.propagate_set_commands = 'none'" \
	-c "SELECT lsbilling.distribute()" 2>&1 | grep -o 'ERROR: .*')
check "$got" "ERROR:  lsbilling.distribute() needs the setting citus.propagate_set_commands = 'local'" \
	"distribute() refuses without citus.propagate_set_commands = 'local', naming it"
got=$(C -d lsbilling_test -At -c "SELECT kind, count(*) FROM lsbilling.distribute() GROUP BY 1 ORDER BY 1" 2>"$LSB_CTMP/d.err" | tr '\n' ' ')
all_tables=${tenant_tables% AND lsbilling.distribute_is_tenant*}
ntenant=$(C -d lsbilling_test -At -c "$tenant_tables")
check "$got" "distributed|$ntenant reference|$(( $(C -d lsbilling_test -At -c "$all_tables") - ntenant )) " \
	"distribute() on an empty database: every tenant table distributed, the global tables reference tables"
check "$(C -d lsbilling_test -At -c "SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h'")" "1" \
	"the tenant tables are colocated"
check "$(C -d lsbilling_test -At -c "SELECT count(*) FROM lsbilling.distribute()")" "0" \
	"distribute() run again does nothing"

# 2. the sample through the coordinator, compared with the single node
lsb_citus_db lsbilling_demo
C -d lsbilling_demo -c "CREATE EXTENSION lsbilling" -c "SELECT count(*) FROM lsbilling.distribute()" >/dev/null 2>&1
C -d lsbilling_demo -c "SELECT setseed(0.25)" -f test/demo/sample.sql >/dev/null 2>"$LSB_CTMP/c.err"
check "$?" "0" "the demo sample (unmodified) loads through the coordinator: multi-row inserts, INSERT ... SELECT, feedback, queue items, rule matches, deployment runs"
sed 's/^/# /' "$LSB_CTMP/c.err" | grep -v 'NOTICE\|DETAIL\|HINT\|truncate' | head -5
C -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/citus.txt" 2>&1
check "$(diff "$LSB_CTMP/single.txt" "$LSB_CTMP/citus.txt" | head -20)" "" \
	"totals, tiers, ledger, usage counters, invoices, usage, project_stats, cost_timeseries and run_tree equal the single node's"

# 3. distribute() on a database that already holds the sample
lsb_citus_db lsbilling_pop
C -d lsbilling_pop -c "CREATE EXTENSION lsbilling" -c "SELECT setseed(0.25)" -f test/demo/sample.sql >/dev/null 2>&1
C -d lsbilling_pop -c "SELECT count(*) FROM lsbilling.distribute()" >/dev/null 2>"$LSB_CTMP/p.err"
check "$?" "0" "distribute() on a populated database"
C -d lsbilling_pop -f test/citus/fingerprint.sql >"$LSB_CTMP/pop.txt" 2>&1
check "$(diff "$LSB_CTMP/single.txt" "$LSB_CTMP/pop.txt" | head -20)" "" \
	"its data come out of the shards unchanged: nothing re-priced, rolled up or billed twice"

# 4. a shard move: the sample's first workspace goes to the other worker
shard=$(C -d lsbilling_demo -At -c "SELECT get_shard_id_for_distribution_column('lsbilling.traces', '0b000000-0000-0000-0000-000000000001')")
from=$(C -d lsbilling_demo -At -c "SELECT nodeport FROM pg_dist_shard_placement WHERE shardid = $shard")
to=$W1PORT; [ "$from" = "$W1PORT" ] && to=$W2PORT
C -d lsbilling_demo -c "SELECT citus_move_shard_placement($shard, '$LSB_CTMP', $from, '$LSB_CTMP', $to, shard_transfer_mode => 'block_writes')" >/dev/null 2>"$LSB_CTMP/m.err"
check "$?" "0" "citus_move_shard_placement moves the workspace's shards to the other worker"
sed 's/^/# /' "$LSB_CTMP/m.err" | head -5
C -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/moved.txt" 2>&1
check "$(diff "$LSB_CTMP/single.txt" "$LSB_CTMP/moved.txt" | head -20)" "" "after the move, the same results"
newrun="INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	SELECT '0b000000-0000-0000-0000-000000000001', id, id, '0c000000-0000-0000-0000-000000000001', 'after move', 'chain',
		'2026-11-20 10:00:00+00' FROM (VALUES ('0d000000-0000-0000-0000-0000000fff01'::uuid),
		('0d000000-0000-0000-0000-0000000fff02'::uuid)) v(id)"
for db in lsbilling_demo; do C -d $db -c "$newrun" >/dev/null 2>"$LSB_CTMP/w.err"; done
S -d lsbilling_demo -c "$newrun" >/dev/null 2>&1
check "$(cat "$LSB_CTMP/w.err")" "" "after the move, new traces are written and billed in the moved workspace"
C -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/moved2.txt" 2>&1
S -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/single2.txt" 2>&1
check "$(diff "$LSB_CTMP/single2.txt" "$LSB_CTMP/moved2.txt" | head -20)" "" \
	"and the results still equal the single node's"

# COPY through the coordinator (children before their roots), then recompute_costs
copy_rows="COPY (SELECT '0b000000-0000-0000-0000-000000000002',
	('0d000000-0000-0000-0000-0000000c' || lpad(t::text, 2, '0') || lpad(k::text, 2, '0'))::uuid,
	('0d000000-0000-0000-0000-0000000c' || lpad(t::text, 2, '0') || '01')::uuid,
	CASE WHEN k > 1 THEN ('0d000000-0000-0000-0000-0000000c' || lpad(t::text, 2, '0') || '01')::uuid END,
	'0c000000-0000-0000-0000-000000000003', 'copied', CASE WHEN k = 1 THEN 'chain' ELSE 'llm' END,
	timestamptz '2026-11-21 08:00:00+00' + t * interval '1 hour',
	CASE WHEN k > 1 THEN jsonb_build_object('metadata', jsonb_build_object('ls_model_name', 'gpt-4o',
		'usage_metadata', jsonb_build_object('input_tokens', 100 * t + k, 'output_tokens', 10 * k))) END
	FROM generate_series(1, 5) t, generate_series(1, 4) k ORDER BY k DESC) TO STDOUT"
S -d lsbilling_demo -At -c "$copy_rows" >"$LSB_CTMP/copy.tsv"
chmod 644 "$LSB_CTMP/copy.tsv"
copy_in="\\copy lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra) FROM '$LSB_CTMP/copy.tsv'"
C -d lsbilling_demo -c "$copy_in" >/dev/null 2>"$LSB_CTMP/copy.err"
check "$(cat "$LSB_CTMP/copy.err")" "" "COPY of 20 runs (5 traces, children first) through the coordinator"
S -d lsbilling_demo -c "$copy_in" >/dev/null 2>&1
q="SELECT lsbilling.recompute_costs('0b000000-0000-0000-0000-000000000002', '2026-11-21', '2026-11-22')"
check "$(C -d lsbilling_demo -At -c "$q" 2>&1)" "$(S -d lsbilling_demo -At -c "$q" 2>&1)" "recompute_costs re-prices the same runs"
C -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/copied.txt" 2>&1
S -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/single_c.txt" 2>&1
check "$(diff "$LSB_CTMP/single_c.txt" "$LSB_CTMP/copied.txt" | head -20)" "" \
	"after COPY and recompute_costs, the same results as the single node"

# the test clock, set with SET LOCAL in a transaction block, is what a query run on a shard sees
got=$(C -d lsbilling_demo -At -c "BEGIN" -c "SET LOCAL lsbilling.test_clock = '2030-01-01 00:00:00+00'" \
	-c "SELECT lsbilling.clock_now() FROM lsbilling.projects WHERE workspace_id = '0b000000-0000-0000-0000-000000000001' LIMIT 1" \
	-c "COMMIT" 2>&1)
check "$got" "2030-01-01 00:00:00+00" "SET LOCAL lsbilling.test_clock reaches the shards"

# 5. a price change, seen by the next statement of the same session
C -d lsbilling_demo -f test/citus/price_change.sql >"$LSB_CTMP/pc_c.txt" 2>&1
S -d lsbilling_demo -f test/citus/price_change.sql >"$LSB_CTMP/pc_s.txt" 2>&1
check "$(diff "$LSB_CTMP/pc_s.txt" "$LSB_CTMP/pc_c.txt")" "" \
	"a price change is seen by the next statement of the same session, on the shards too"
check "$(grep -c '|          7$' "$LSB_CTMP/pc_c.txt")" "2" "the run after the change (and its trace) cost the new price"

# 6. purge_expired() through the coordinator: same counts, same totals after
q="SELECT * FROM lsbilling.purge_expired('2026-11-26 00:00:00+00')"
got=$(C -d lsbilling_demo -At -c "$q" 2>&1)
check "$got" "$(S -d lsbilling_demo -At -c "$q" 2>&1)" "purge_expired() purges what it does on one PostgreSQL ($got)"
C -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/purged.txt" 2>&1
S -d lsbilling_demo -f test/citus/fingerprint.sql >"$LSB_CTMP/single3.txt" 2>&1
check "$(diff "$LSB_CTMP/single3.txt" "$LSB_CTMP/purged.txt" | head -20)" "" \
	"after the purge the trace totals, ledger and invoices are intact and equal the single node's (the purge's deletes roll nothing back on the shards)"

purged=$(S -d lsbilling_demo -At -c "SELECT id FROM lsbilling.traces WHERE lsbilling.trace_purged_at(traces) IS NOT NULL
	AND workspace_id = '0b000000-0000-0000-0000-000000000001' ORDER BY id LIMIT 1")
late="INSERT INTO lsbilling.feedback (workspace_id, trace_id, key)
	VALUES ('0b000000-0000-0000-0000-000000000001', '$purged', 'late')"
check "$(C -d lsbilling_demo -c '\set VERBOSITY sqlstate' -c "$late" 2>&1)" "ERROR:  LS410" \
	"feedback on a purged trace: LS410, as on one PostgreSQL ($(S -d lsbilling_demo -c '\set VERBOSITY sqlstate' -c "$late" 2>&1))"

# 7. the purge worker: one pass per cluster, on the coordinator
for port in $CPORT $W1PORT $W2PORT; do
	"$PGBIN/psql" -X -q -p "$port" -d postgres -c "ALTER SYSTEM SET lsbilling.purge_interval = 1" -c "SELECT pg_reload_conf()" >/dev/null
done
for i in $(seq 1 180); do
	[ "$(C -d lsbilling_test -At -c "SELECT count(*) FROM lsbilling.purge_history WHERE source = 'worker' AND status = 'done'")" -ge 2 ] && break
	sleep 0.5
done
check "$(C -d lsbilling_test -At -c "SELECT count(*) >= 2, count(DISTINCT pid) FROM lsbilling.purge_history WHERE source = 'worker' AND status = 'done'")" "t|1" \
	"the coordinator's purge worker makes its passes (one worker process)"
check "$(grep -l 'this is a Citus worker node' "$LSB_CTMP/n$W1PORT.log" "$LSB_CTMP/n$W2PORT.log" 2>/dev/null | wc -l)" "2" \
	"the workers' purge workers do nothing, and say so"

# 9. the tenant context reaches the shards (src/tenant_token.c)
. "$here/86_tenant_context.sh"

echo "1..$n"
# 8. the shared assertions, through the coordinator
# shellcheck disable=SC2086
pg_prove -v -p "$CPORT" -d lsbilling_test $LSB_CITUS_PGTAP >"$LSB_CTMP/pgtap.log" 2>&1
rc=$?
cat "$LSB_CTMP/pgtap.log"
ok=$(grep -cE '^\s*ok [0-9]+' "$LSB_CTMP/pgtap.log")
bad=$(grep -cE '^\s*not ok [0-9]+' "$LSB_CTMP/pgtap.log")
if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
[ -z "${LSB_CITUS_NESTED:-}" ] && echo "$((n - failed + ok)) passed, $((failed + bad)) failed"
[ "$failed" -eq 0 ] && [ "$bad" -eq 0 ]
