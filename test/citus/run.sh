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
#   - the shared pgTAP files (LSB_CITUS_PGTAP) pass against the coordinator.
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

echo "1..$n"
# 5. the shared assertions, through the coordinator
# shellcheck disable=SC2086
pg_prove -v -p "$CPORT" -d lsbilling_test $LSB_CITUS_PGTAP >"$LSB_CTMP/pgtap.log" 2>&1
rc=$?
cat "$LSB_CTMP/pgtap.log"
ok=$(grep -cE '^\s*ok [0-9]+' "$LSB_CTMP/pgtap.log")
bad=$(grep -cE '^\s*not ok [0-9]+' "$LSB_CTMP/pgtap.log")
if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
[ -z "${LSB_CITUS_NESTED:-}" ] && echo "$((n - failed + ok)) passed, $((failed + bad)) failed"
[ "$failed" -eq 0 ] && [ "$bad" -eq 0 ]
