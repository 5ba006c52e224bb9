#!/usr/bin/env bash
# Access: the run write path through authenticate() and row-level security as
# an application role with the ingest grants, against the same inserts as a
# superuser (no key, RLS bypassed); and authenticate() per call.
#   batch  BEGIN; [authenticate;] one INSERT of a trace's 8 runs; COMMIT
#   row    BEGIN; [authenticate;] 8 single-run INSERTs; COMMIT
# Prints tps of each, the ratio superuser / application role (target <= 1.1),
# and microseconds per authenticate() call (target <= 20): a known key (the
# backend's cache of verified keys) after the first call of a connection.
set -u
DB=bench_access
SECS=${LSB_ACCESS_SECS:-8}
CALLS=${LSB_ACCESS_CALLS:-20000}
psql_db() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS lsb_bench_app" \
	-c "CREATE DATABASE $DB" || exit 1
psql_db <<'SQL' || exit 1
CREATE EXTENSION lsbilling;
CREATE ROLE lsb_bench_app LOGIN;
SELECT lsbilling.grant_access('lsb_bench_app', 'ingest');
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'bench', 'enterprise', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'bench'),
       ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a1', 'other');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1', 'bench');
INSERT INTO lsbilling.users (id, email) VALUES ('00000000-0000-0000-0000-0000000000e1', 'admin@bench');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role)
VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e1', 'admin');
CREATE TABLE public.k AS SELECT * FROM lsbilling.create_service_key('00000000-0000-0000-0000-0000000000a1', 'bench',
	ARRAY['00000000-0000-0000-0000-0000000000b1'::uuid], 'editor', NULL, '00000000-0000-0000-0000-0000000000e1');
CREATE FUNCTION public.trace_rows(tid uuid, n int, t0 timestamptz)
RETURNS TABLE (workspace_id uuid, id uuid, trace_id uuid, parent_run_id uuid, project_id uuid,
               name text, run_type text, start_time timestamptz, extra jsonb)
LANGUAGE sql AS $$
SELECT '00000000-0000-0000-0000-0000000000b1'::uuid, CASE WHEN k = 1 THEN tid ELSE gen_random_uuid() END, tid,
       CASE WHEN k > 1 THEN tid END, '00000000-0000-0000-0000-0000000000c1'::uuid,
       CASE k % 3 WHEN 1 THEN 'chain' WHEN 2 THEN 'ChatOpenAI' ELSE 'search' END,
       CASE WHEN k % 3 = 2 THEN 'llm' WHEN k % 3 = 0 THEN 'tool' ELSE 'chain' END,
       t0 + k * interval '1 ms',
       CASE WHEN k % 3 = 2 THEN jsonb_build_object('metadata', jsonb_build_object('ls_provider', 'openai',
              'ls_model_name', 'gpt-4o-mini', 'usage_metadata', jsonb_build_object('input_tokens', 1200 + k,
              'output_tokens', 300, 'input_token_details', jsonb_build_object('cache_read', 1000))))
            WHEN k % 3 = 0 THEN '{"metadata": {"usage_metadata": {"total_cost": 0.0015}}}'::jsonb
            ELSE '{"metadata": {"thread_id": "t-1"}}'::jsonb END
FROM generate_series(1, n) k
$$;
SQL
key=$(psql_db -c "SELECT key FROM public.k")

dir=$(mktemp -d)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
cols="workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra"
for who in super app; do
	auth=
	[ "$who" = app ] && auth="SELECT lsbilling.authenticate('$key') IS NOT NULL;"
	{
		echo "BEGIN;"
		echo "$auth"
		echo "INSERT INTO lsbilling.runs ($cols) SELECT * FROM public.trace_rows(gen_random_uuid(), 8, clock_timestamp());"
		echo "COMMIT;"
	} > "$dir/batch_$who.sql"
	{
		echo "\\set n random(1, 1000000000)"
		echo "BEGIN;"
		echo "$auth"
		for k in 0 1 2 3 4 5 6 7; do
			echo "INSERT INTO lsbilling.runs ($cols) SELECT * FROM public.trace_rows(md5(:n::text)::uuid, 8, '2026-01-01'::timestamptz + :n * interval '1 ms') OFFSET $k LIMIT 1;"
		done
		echo "COMMIT;"
	} > "$dir/row_$who.sql"
done
chmod 644 "$dir"/*.sql

# simple protocol (every statement parsed, rewritten with its policies and
# planned) and prepared statements (-M prepared, as most drivers do)
tps() {
	"$PGBIN/pgbench" -n -M "$3" -c 1 -T "$SECS" -U "$2" -f "$1" "$DB" 2>&1 | awk '/^tps/ {print $3; exit}'
}
for run in batch:simple row:simple row:prepared; do
	shape=${run%%:*}
	mode=${run##*:}
	best_s=0
	best_a=0
	for i in 1 2 3; do
		s=$(tps "$dir/${shape}_super.sql" postgres "$mode")
		a=$(tps "$dir/${shape}_app.sql" lsb_bench_app "$mode")
		best_s=$(echo "${s:-0} $best_s" | awk '{print ($1 > $2) ? $1 : $2}')
		best_a=$(echo "${a:-0} $best_a" | awk '{print ($1 > $2) ? $1 : $2}')
	done
	echo "$shape ($mode): superuser $best_s tps, application role (authenticate + RLS) $best_a tps"
	echo "RATIO access_${shape}_$mode superuser/app = $(echo "$best_s $best_a" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "n/a" }')"
done
# The same write inside the server, without the client round trips that the
# extra authenticate() statement adds (and that dominate on a loaded machine):
# 300 transactions' worth of (authenticate + INSERT of 8 runs) in a DO loop as
# the application role, against the INSERTs alone as superuser, after a warm-up.
ins="INSERT INTO lsbilling.runs ($cols) SELECT * FROM public.trace_rows(gen_random_uuid(), 8, clock_timestamp());"
cat > "$dir/server.sql" <<SQL
\\timing on
\\o /dev/null
DO \$\$ BEGIN FOR i IN 1..100 LOOP PERFORM lsbilling.authenticate('$key'); $ins END LOOP; END \$\$;
SELECT lsbilling.reset_context();
\\echo super
DO \$\$ BEGIN FOR i IN 1..300 LOOP $ins END LOOP; END \$\$;
SET ROLE lsb_bench_app;
\\echo app
DO \$\$ BEGIN FOR i IN 1..300 LOOP PERFORM lsbilling.authenticate('$key'); $ins END LOOP; END \$\$;
RESET ROLE;
SQL
best_s=999999
best_a=999999
for i in 1 2 3 4 5; do
	t=$(psql_db -f "$dir/server.sql" 2>&1 | awk '/^(super|app)$/ {w = $1} /^Time:/ && w != "" {print w, $2; w = ""}')
	s=$(echo "$t" | awk '$1 == "super" {print $2}')
	a=$(echo "$t" | awk '$1 == "app" {print $2}')
	best_s=$(echo "${s:-999999} $best_s" | awk '{print ($1 < $2) ? $1 : $2}')
	best_a=$(echo "${a:-999999} $best_a" | awk '{print ($1 < $2) ? $1 : $2}')
done
echo "server-side, 300 x (INSERT of 8 runs): superuser $best_s ms, application role with authenticate() $best_a ms"
echo "RATIO access_server app/superuser = $(echo "$best_a $best_s" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "n/a" }')"
runs=$(psql_db -c "SELECT count(*) FROM lsbilling.runs")
echo "runs written: $runs"

# authenticate() per call: CALLS calls in one statement as the application role
# (last_used_at is written at most once a minute), against the same statement
# calling lsbilling.current_key_id() (the per-row cost of the query itself).
per_call() {
	"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -U lsb_bench_app -d "$DB" <<SQL
SELECT clock_timestamp() AS t0 \gset
SELECT count($1) FROM generate_series(1, $CALLS) g;
SELECT clock_timestamp() AS t1 \gset
SELECT round(extract(epoch FROM (:'t1'::timestamptz - :'t0'::timestamptz)) * 1e6 / $CALLS, 2);
SQL
}
best_auth=999999
best_base=999999
for i in 1 2 3; do
	a=$(per_call "lsbilling.authenticate('$key' || left(g::text, 0))" | tail -1)
	b=$(per_call "lsbilling.current_key_id()::text || left(g::text, 0)" | tail -1)
	best_auth=$(echo "$a $best_auth" | awk '{print ($1 < $2) ? $1 : $2}')
	best_base=$(echo "$b $best_base" | awk '{print ($1 < $2) ? $1 : $2}')
done
echo "authenticate(): $best_auth us a call (the same query without it: $best_base us a row)"
echo "FIGURE access_authenticate_us = $(echo "$best_auth $best_base" | awk '{printf "%.2f", $1 - $2}')"
"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE $DB" -c "DROP ROLE lsb_bench_app"
