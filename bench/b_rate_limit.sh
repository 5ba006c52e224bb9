#!/usr/bin/env bash
# Rate limits: what the per-request check costs, and what the hourly counting
# costs the write path.
#  check   N calls of lsbilling.rate_limit_request() against N upserts of a
#          counter row (INSERT ... ON CONFLICT DO UPDATE, what a table-based
#          limiter does per request), each in a transaction of its own (a DO
#          loop with COMMIT: no client round trip); the loop's own cost
#          (PERFORM 1; COMMIT) is measured too and taken off both.  Also
#          pgbench, one request per transaction, which adds the round trip.
#          Target: the check >= 20x cheaper.
#  write   pgbench inserting runs (a trace of 8 runs per INSERT, and 100 runs
#          per INSERT) with lsbilling.rate_limits on and off.  Target <= 1.05x.
set -u
DB=bench_rate_limit
N=${LSB_RATE_N:-100000}
SECS=${LSB_RATE_SECS:-6}
psql_db() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
psql_db <<'SQL' || exit 1
CREATE EXTENSION lsbilling;
SELECT lsbilling.rate_limit_reset();
CREATE TABLE public.request_counters (subject text, endpoint text, window_start timestamptz, used bigint,
	PRIMARY KEY (subject, endpoint, window_start));
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'bench', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'bench');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1', 'bench');
CREATE FUNCTION public.trace_rows(tid uuid, n int, t0 timestamptz)
RETURNS TABLE (workspace_id uuid, id uuid, trace_id uuid, parent_run_id uuid, project_id uuid,
               name text, run_type text, start_time timestamptz, inputs jsonb, extra jsonb)
LANGUAGE sql AS $$
SELECT '00000000-0000-0000-0000-0000000000b1'::uuid, CASE WHEN k = 1 THEN tid ELSE gen_random_uuid() END, tid,
       CASE WHEN k > 1 THEN tid END, '00000000-0000-0000-0000-0000000000c1'::uuid,
       CASE k % 3 WHEN 1 THEN 'chain' WHEN 2 THEN 'ChatOpenAI' ELSE 'search' END,
       CASE WHEN k % 3 = 2 THEN 'llm' WHEN k % 3 = 0 THEN 'tool' ELSE 'chain' END,
       t0 + k * interval '1 ms',
       jsonb_build_object('question', 'what is the capital of France?', 'k', k),
       CASE WHEN k % 3 = 2 THEN jsonb_build_object('metadata', jsonb_build_object('ls_provider', 'openai',
              'ls_model_name', 'gpt-4o-mini', 'usage_metadata', jsonb_build_object('input_tokens', 1200 + k,
              'output_tokens', 300)))
            ELSE '{"metadata": {"thread_id": "t-1"}}'::jsonb END
FROM generate_series(1, n) k
$$;
SQL

# --- the check ---------------------------------------------------------------
# the four loops one after the other in each round, so that a busy moment of
# the machine hits all of them; the fastest round of each
read -r b_loop b_scalar b_check b_upsert < <(psql_db -At -c "SET lsbilling.rate_limit_other_per_minute = 0" -c "
DO \$\$
DECLARE
	t0 timestamptz;
	best numeric[] := ARRAY[NULL, NULL, NULL, NULL]::numeric[];
	ms numeric;
BEGIN
	FOR round IN 1..7 LOOP
		t0 := clock_timestamp();
		FOR i IN 1..$N LOOP
			PERFORM 1;
			COMMIT;
		END LOOP;
		ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
		best[1] := least(coalesce(best[1], ms), ms);
		t0 := clock_timestamp();
		FOR i IN 1..$N LOOP
			PERFORM lsbilling.rate_limit_check('lsv2_pt_bench_key_0001', 'other');
			COMMIT;
		END LOOP;
		ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
		best[2] := least(coalesce(best[2], ms), ms);
		t0 := clock_timestamp();
		FOR i IN 1..$N LOOP
			PERFORM lsbilling.rate_limit_request('lsv2_pt_bench_key_0001', 'other');
			COMMIT;
		END LOOP;
		ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
		best[3] := least(coalesce(best[3], ms), ms);
		t0 := clock_timestamp();
		FOR i IN 1..$N LOOP
			INSERT INTO public.request_counters AS c
			VALUES ('lsv2_pt_bench_key_0001', 'other', date_trunc('minute', now()), 1)
			ON CONFLICT (subject, endpoint, window_start) DO UPDATE SET used = c.used + 1;
			COMMIT;
		END LOOP;
		ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
		best[4] := least(coalesce(best[4], ms), ms);
	END LOOP;
	RAISE NOTICE 'best % % % %', round(best[1], 1), round(best[2], 1), round(best[3], 1), round(best[4], 1);
END
\$\$" 2>&1 | awk '/best/ {print $(NF-3), $(NF-2), $(NF-1), $NF}')
echo "check: $N requests, a transaction each, in a DO loop: loop alone $b_loop ms, rate_limit_check $b_scalar ms, rate_limit_request $b_check ms, counter-row upsert $b_upsert ms (fastest of 7 interleaved rounds)"
echo "$b_loop $b_scalar $b_check $b_upsert $N" | awk '{ printf "check: per request %.2f us (rate_limit_check), %.2f us (rate_limit_request) vs %.2f us (upsert), loop taken off\n", ($2 - $1) * 1000 / $5, ($3 - $1) * 1000 / $5, ($4 - $1) * 1000 / $5 }'
echo "RATIO rate_limit_check upsert/rate_limit_check = $(echo "$b_loop $b_scalar $b_upsert" | awk '{ if ($2 > $1) printf "%.1f", ($3 - $1) / ($2 - $1); else print "n/a" }')"
echo "RATIO rate_limit_request upsert/rate_limit_request = $(echo "$b_loop $b_check $b_upsert" | awk '{ if ($2 > $1) printf "%.1f", ($3 - $1) / ($2 - $1); else print "n/a" }')"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tps() {	# file [PGOPTIONS]
	PGOPTIONS="${2:-}" "$PGBIN/pgbench" -n -c 1 -T "$SECS" -f "$1" "$DB" 2>&1 | awk '/^tps/ {print $3; exit}'
}
echo "SELECT lsbilling.rate_limit_request('lsv2_pt_bench_key_0002', 'other');" > "$dir/req.sql"
echo "INSERT INTO public.request_counters AS c VALUES ('lsv2_pt_bench_key_0002', 'other', date_trunc('minute', now()), 1) ON CONFLICT (subject, endpoint, window_start) DO UPDATE SET used = c.used + 1;" > "$dir/upsert.sql"
r=$(tps "$dir/req.sql" "-c lsbilling.rate_limit_other_per_minute=0")
u=$(tps "$dir/upsert.sql")
echo "check, one request per transaction (pgbench, 1 client): rate_limit_request $r tps, counter-row upsert $u tps"
echo "RATIO rate_limit_check_pgbench request/upsert tps = $(echo "$r $u" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "n/a" }')"

# --- the write path ---------------------------------------------------------------
cols="workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, inputs, extra"
echo "INSERT INTO lsbilling.runs ($cols) SELECT * FROM public.trace_rows(gen_random_uuid(), 8, clock_timestamp());" > "$dir/batch.sql"
echo "INSERT INTO lsbilling.runs ($cols) SELECT r.* FROM generate_series(1, 13) g, LATERAL public.trace_rows(gen_random_uuid(), CASE WHEN g = 13 THEN 4 ELSE 8 END, clock_timestamp()) r;" > "$dir/bulk.sql"
# limits on, high enough never to refuse during the bench
on="-c lsbilling.rate_limits=on -c lsbilling.rate_limit_events_per_hour_plus=2000000000"
off="-c lsbilling.rate_limits=off"
for shape in batch bulk; do
	best_on=0
	best_off=0
	for _ in 1 2 3; do
		a=$(tps "$dir/$shape.sql" "$on")
		b=$(tps "$dir/$shape.sql" "$off")
		best_on=$(echo "${a:-0} $best_on" | awk '{print ($1 > $2) ? $1 : $2}')
		best_off=$(echo "${b:-0} $best_off" | awk '{print ($1 > $2) ? $1 : $2}')
	done
	echo "write $shape: limits on $best_on tps, off $best_off tps (best of 3, alternating)"
	echo "RATIO rate_limit_write_$shape off/on = $(echo "$best_off $best_on" | awk '{ if ($2 > 0) printf "%.3f", $1 / $2; else print "n/a" }')"
done
# the same in the server, without pgbench's client: 100-run INSERTs, a
# transaction each, rounds alternating on / off; the fastest round of each
psql_db -At -c "SET lsbilling.rate_limit_events_per_hour_plus = 2000000000" -c "
DO \$\$
DECLARE
	t0 timestamptz;
	ms numeric;
	best_on numeric;
	best_off numeric;
	setting text;
BEGIN
	FOR round IN 1..10 LOOP
		setting := CASE WHEN round % 2 = 1 THEN 'on' ELSE 'off' END;
		PERFORM set_config('lsbilling.rate_limits', setting, false);
		t0 := clock_timestamp();
		FOR k IN 1..40 LOOP
			INSERT INTO lsbilling.runs ($cols)
			SELECT r.* FROM generate_series(1, 13) g,
				LATERAL public.trace_rows(gen_random_uuid(), CASE WHEN g = 13 THEN 4 ELSE 8 END, clock_timestamp()) r;
			COMMIT;
		END LOOP;
		ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
		IF setting = 'on' THEN best_on := least(coalesce(best_on, ms), ms);
		ELSE best_off := least(coalesce(best_off, ms), ms); END IF;
	END LOOP;
	RAISE NOTICE 'write in-server: 40 INSERTs of 100 runs, limits on % ms, off % ms (fastest of 5 each, alternating)',
		round(best_on, 1), round(best_off, 1);
	RAISE NOTICE 'RATIO rate_limit_write_inserver on/off = %', round(best_on / best_off, 3);
END
\$\$" 2>&1 | sed 's/^NOTICE:  //'
psql_db -c "SELECT subject, limit_name, used FROM lsbilling.rate_limits WHERE limit_name <> 'requests per minute'"
"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE $DB"
