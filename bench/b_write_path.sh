#!/usr/bin/env bash
# The run write path under pgbench: inserting runs into lsbilling.runs (all
# triggers: validation, pricing, trace roll-up, ledger and limits) against the
# same inserts into a copy of the table with the same columns, partitioning
# and indexes but no triggers.  Three shapes of client:
#   row    one INSERT per run, a trace's 8 runs in one transaction
#   batch  one INSERT of a trace's 8 runs
#   bulk   one INSERT of 100 runs (13 traces), as a batching SDK sends them
# Each shape prints the ratio of transactions per second, baseline / lsbilling.
#
# Then the same at 9 and at 400 day partitions of runs (issue 12: run
# inserts must cost about the same with a 400-day retention's partitions):
# a fresh database each time, lsbilling.create_run_partitions() making the
# days up to tomorrow, the plain copy given the same day partitions, and the
# three shapes again; it prints each ratio to the plain copy and lsbilling's
# tps at 9 / at 400 (RATIO write_path_<shape>_parts).
# LSB_WRITE_PARTITIONS="" skips that part; LSB_WRITE_PARTITIONS="400" runs
# only that count.
set -u
DB=bench_write
SECS=${LSB_WRITE_SECS:-8}
PARTS=${LSB_WRITE_PARTITIONS-9 400}
psql_db() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# setup_db [day partitions]: the database, the plain copy and the run generator
setup_db() {
"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || return 1
psql_db <<'SQL' || return 1
CREATE EXTENSION lsbilling;
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'bench', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'bench');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1', 'bench');
-- the baseline: same columns, partitioning and indexes, no triggers
CREATE TABLE public.plain_runs (LIKE lsbilling.runs INCLUDING DEFAULTS) PARTITION BY RANGE (start_time);
CREATE TABLE public.plain_runs_default PARTITION OF public.plain_runs DEFAULT;
ALTER TABLE public.plain_runs ADD PRIMARY KEY (workspace_id, id, start_time);
CREATE INDEX ON public.plain_runs (workspace_id, trace_id);
-- one trace's runs: a chain root, llm runs with usage in extra, tools with a sent cost
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
[ -n "${1:-}" ] || return 0
# n partitions: n - 1 days ending tomorrow, and runs_default; the same days on the plain copy.
# At most 100 days a transaction: a split day is three tables and their indexes.
local days=$(($1 - 1)) off
for ((off = 0; off < days; off += 100)); do
	psql_db -c "SELECT lsbilling.create_run_partitions(((now() AT TIME ZONE 'UTC')::date + 2 - $days + $off)::date,
		LEAST(100, $days - $off))" >/dev/null || return 1
done
psql_db <<'SQL' || return 1
DO $$
DECLARE
	p record;
BEGIN
	FOR p IN SELECT c.relname, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
		FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'lsbilling.runs'::regclass AND c.relname <> 'runs_default'
	LOOP
		EXECUTE format('CREATE TABLE public.%I PARTITION OF public.plain_runs %s', 'plain_' || p.relname, p.bound);
	END LOOP;
END
$$;
SELECT count(*) AS n FROM pg_catalog.pg_inherits WHERE inhparent = 'lsbilling.runs'::regclass \gset
\echo day partitions: :n on lsbilling.runs (with runs_default)
SQL
}
setup_db || exit 1

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cols="workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra"
for target in lsbilling.runs public.plain_runs; do
	tag=${target#*.}
	{
		echo "SELECT gen_random_uuid() AS tid, clock_timestamp() AS t0 \\gset"
		echo "BEGIN;"
		for k in 0 1 2 3 4 5 6 7; do
			echo "INSERT INTO $target ($cols) SELECT * FROM public.trace_rows(':tid', 8, ':t0') OFFSET $k LIMIT 1;"
		done
		echo "COMMIT;"
	} > "$dir/row_$tag.sql"
	echo "INSERT INTO $target ($cols) SELECT * FROM public.trace_rows(gen_random_uuid(), 8, clock_timestamp());" \
		> "$dir/batch_$tag.sql"
	echo "INSERT INTO $target ($cols) SELECT r.* FROM generate_series(1, 13) g, LATERAL public.trace_rows(gen_random_uuid(), CASE WHEN g = 13 THEN 4 ELSE 8 END, clock_timestamp()) r;" \
		> "$dir/bulk_$tag.sql"
done

tps() {
	"$PGBIN/pgbench" -n -c 1 -T "$SECS" -f "$1" "$DB" 2>&1 | awk '/^tps/ {print $3; exit}'
}
# measure shape: best of 2 each, alternating the two tables so that drift on
# a shared machine hits both; sets best_l and best_p
measure() {
	best_l=0
	best_p=0
	for i in 1 2; do
		l=$(tps "$dir/${1}_runs.sql")
		p=$(tps "$dir/${1}_plain_runs.sql")
		best_l=$(echo "${l:-0} $best_l" | awk '{print ($1 > $2) ? $1 : $2}')
		best_p=$(echo "${p:-0} $best_p" | awk '{print ($1 > $2) ? $1 : $2}')
	done
}
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "n/a" }'; }
for shape in row batch bulk; do
	measure "$shape"
	echo "$shape: lsbilling.runs $best_l tps, plain table $best_p tps"
	echo "RATIO write_path_$shape plain/lsbilling = $(ratio "$best_p" "$best_l")"
	psql_db -c "TRUNCATE public.plain_runs" || exit 1
done

declare -A parts_tps
for n in $PARTS; do
	setup_db "$n" || exit 1
	for shape in row batch bulk; do
		measure "$shape"
		parts_tps[$shape,$n]=$best_l
		echo "$shape at $n day partitions: lsbilling.runs $best_l tps, plain table $best_p tps," \
			"ratio $(ratio "$best_p" "$best_l")"
		psql_db -c "TRUNCATE public.plain_runs" || exit 1
	done
done
if [ -n "${parts_tps[row,9]:-}" ] && [ -n "${parts_tps[row,400]:-}" ]; then
	for shape in row batch bulk; do
		echo "RATIO write_path_${shape}_parts lsbilling tps at 9 / at 400 day partitions =" \
			"$(ratio "${parts_tps[$shape,9]}" "${parts_tps[$shape,400]}")"
	done
fi
"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE $DB"
