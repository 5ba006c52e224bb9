#!/usr/bin/env bash
# The run write path under pgbench: inserting runs into lsbilling.runs (all
# triggers: validation, pricing, trace roll-up, ledger and limits) against the
# same inserts into a copy of the table with the same columns, partitioning
# and indexes but no triggers.  Three shapes of client:
#   row    one INSERT per run, a trace's 8 runs in one transaction
#   batch  one INSERT of a trace's 8 runs
#   bulk   one INSERT of 100 runs (13 traces), as a batching SDK sends them
# Each shape prints the ratio of transactions per second, baseline / lsbilling.
set -u
DB=bench_write
SECS=${LSB_WRITE_SECS:-8}
psql_db() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
psql_db <<'SQL' || exit 1
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
for shape in row batch bulk; do
	# alternate the two, best of 2 each, so drift on a shared machine hits both
	best_l=0
	best_p=0
	for i in 1 2; do
		l=$(tps "$dir/${shape}_runs.sql")
		p=$(tps "$dir/${shape}_plain_runs.sql")
		best_l=$(echo "${l:-0} $best_l" | awk '{print ($1 > $2) ? $1 : $2}')
		best_p=$(echo "${p:-0} $best_p" | awk '{print ($1 > $2) ? $1 : $2}')
	done
	echo "$shape: lsbilling.runs $best_l tps, plain table $best_p tps"
	echo "RATIO write_path_$shape plain/lsbilling = $(echo "$best_p $best_l" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "n/a" }')"
	psql_db -c "TRUNCATE public.plain_runs" || exit 1
done
"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE $DB"
