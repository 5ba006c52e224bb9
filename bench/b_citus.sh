#!/usr/bin/env bash
# The run write path through a Citus coordinator with two workers against one
# PostgreSQL, on the same machine (LSB_BENCH=citus make bench, with
# CITUS_TARBALL naming a Citus source tarball; see test/citus/cluster.sh).
# Both get the same postgresql.conf, lsbilling preloaded, 8 workspaces;
# pgbench with LSB_CITUS_CLIENTS clients (default 4) for LSB_CITUS_SECS
# seconds (default 10) a shape:
#   row    one INSERT ... VALUES of one run (a new trace)
#   batch  one INSERT ... SELECT of a trace's 8 runs (llm runs with usage)
# Prints runs inserted a second and the ratio Citus / one PostgreSQL.
set -u
if [ -z "${CITUS_TARBALL:-}" ]; then
	echo "skip: set CITUS_TARBALL to a Citus source tarball to run this bench"
	exit 0
fi
. "$LSB_ROOT/test/lib/cluster.sh"
. "$LSB_ROOT/test/citus/cluster.sh"
SECS=${LSB_CITUS_SECS:-10}
CLIENTS=${LSB_CITUS_CLIENTS:-4}
LSB_CITUS_PORT=55581
lsb_citus_install "$CITUS_TARBALL" || exit 1
lsb_citus_start
lsb_citus_db bench_citus
P() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
setup="CREATE EXTENSION IF NOT EXISTS lsbilling;
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'bench', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
SELECT ('00000000-0000-0000-0000-0000000000b' || w)::uuid, '00000000-0000-0000-0000-0000000000a1', 'w' || w
FROM generate_series(1, 8) w;
INSERT INTO lsbilling.projects (workspace_id, id, name)
SELECT ('00000000-0000-0000-0000-0000000000b' || w)::uuid, ('00000000-0000-0000-0000-0000000000c' || w)::uuid, 'p'
FROM generate_series(1, 8) w;"
P -p "$SPORT" -d postgres -c "CREATE DATABASE bench_citus" || exit 1
P -p "$SPORT" -d bench_citus -c "$setup" || exit 1
P -p "$CPORT" -d bench_citus -c "CREATE EXTENSION lsbilling" -c "SELECT count(*) FROM lsbilling.distribute()" >/dev/null 2>&1 || exit 1
P -p "$CPORT" -d bench_citus -c "$setup" || exit 1

cols="workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra"
usage="jsonb_build_object('metadata', jsonb_build_object('ls_provider', 'openai', 'ls_model_name', 'gpt-4o-mini',
 'usage_metadata', jsonb_build_object('input_tokens', 1200, 'output_tokens', 300)))"
cat >"$LSB_CTMP/row.sql" <<SQL
\\set w random(1, 8)
INSERT INTO lsbilling.runs ($cols) VALUES (('00000000-0000-0000-0000-0000000000b' || :w)::uuid, gen_random_uuid(),
 gen_random_uuid(), NULL, ('00000000-0000-0000-0000-0000000000c' || :w)::uuid, 'ChatOpenAI', 'llm', now(), $usage);
SQL
cat >"$LSB_CTMP/batch.sql" <<SQL
\\set w random(1, 8)
INSERT INTO lsbilling.runs ($cols)
SELECT ('00000000-0000-0000-0000-0000000000b' || :w)::uuid, CASE WHEN k = 1 THEN t.tid ELSE gen_random_uuid() END, t.tid,
 CASE WHEN k > 1 THEN t.tid END, ('00000000-0000-0000-0000-0000000000c' || :w)::uuid,
 CASE WHEN k = 1 THEN 'chain' ELSE 'ChatOpenAI' END, CASE WHEN k = 1 THEN 'chain' ELSE 'llm' END,
 now() + k * interval '1 ms', CASE WHEN k > 1 THEN $usage END
FROM (SELECT gen_random_uuid() AS tid) t, generate_series(1, 8) k;
SQL
tps() { "$PGBIN/pgbench" -n -h "$LSB_CTMP" -p "$1" -c "$CLIENTS" -j 2 -T "$SECS" -f "$LSB_CTMP/$2.sql" bench_citus 2>&1 \
	| sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
printf '%-6s %14s %14s %8s\n' shape "1 PostgreSQL" "Citus 1+2" ratio
for shape in row batch; do
	per=1; [ "$shape" = batch ] && per=8
	s=$(tps "$SPORT" $shape)
	c=$(tps "$CPORT" $shape)
	awk -v sh=$shape -v s="$s" -v c="$c" -v per=$per \
		'BEGIN { printf "%-6s %10.0f r/s %10.0f r/s %7.2fx\n", sh, s * per, c * per, (s > 0 ? c / s : 0) }'
done
r=$(P -p "$CPORT" -d bench_citus -At -c "SELECT sum(total_cost) FROM lsbilling.runs")
t=$(P -p "$CPORT" -d bench_citus -At -c "SELECT sum(total_cost) FROM lsbilling.traces")
echo "on Citus after the bench: runs cost $r, their traces $t ($([ "$r" = "$t" ] && echo equal || echo DIFFERENT))"
