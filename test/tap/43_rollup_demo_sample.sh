#!/usr/bin/env bash
# The per-statement roll-up of run UPDATEs and DELETEs (issue 12) on the demo
# sample (test/demo/sample.sql): every trace's run count, tokens and costs
# stay equal to the sums over its runs (as text, to the last digit and
# scale, while rows are added and re-priced; by exact value after deletes)
# -- which is what 0.1.0's per-row roll-up kept -- after the sample is
# loaded, after multi-trace UPDATEs that re-price runs, after a PATCH that
# changes no total, and after multi-trace DELETEs.
set -u
DB=lsb_rollup_demo
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
. "$(dirname "$0")/../lib/tap.sh"
q() { $PSQL -d $DB -At -c "$1"; }

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1 || exit 1
q "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }
$PSQL -d $DB -f "$LSB_ROOT/test/demo/sample.sql" >/dev/null 2>&1 || { echo "Bail out! the sample does not load"; exit 1; }

# traces whose stored totals differ, as text, from the sums over their runs (purged traces aside)
MISMATCH="SELECT count(*) FROM lsbilling.traces t
	LEFT JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(r.prompt_tokens), 0) AS pt,
		coalesce(sum(r.completion_tokens), 0) AS ct, coalesce(sum(r.total_tokens), 0) AS tt,
		coalesce(sum(r.prompt_cost), 0) AS pc, coalesce(sum(r.completion_cost), 0) AS cc,
		coalesce(sum(r.total_cost), 0) AS tc,
		coalesce(sum(r.total_cost), 0) - coalesce(sum(r.prompt_cost), 0) - coalesce(sum(r.completion_cost), 0) AS oc
		FROM lsbilling.runs r WHERE r.workspace_id = t.workspace_id AND r.trace_id = t.id) s ON true
	WHERE lsbilling.trace_purged_at(t) IS NULL
	  AND (t.run_count::text, t.prompt_tokens::text, t.completion_tokens::text, t.total_tokens::text,
		   t.prompt_cost::text, t.completion_cost::text, t.total_cost::text, t.other_cost::text)
		  IS DISTINCT FROM (s.n::text, s.pt::text, s.ct::text, s.tt::text, s.pc::text, s.cc::text, s.tc::text, s.oc::text)"
# the same by value (exact numeric equality): after deletes, a trace keeps the scale of the costs it
# has seen (as 0.1.0's per-row deltas did), where the sum over its remaining runs may print fewer digits
MISMATCH_VALUE=$(echo "$MISMATCH" | sed 's/::text//g')
TOTAL="SELECT count(*) || ' traces, ' || sum(run_count) || ' runs, ' || sum(total_cost) FROM lsbilling.traces"

check "the sample has traces with runs" "$(q "SELECT count(*) > 50 AND sum(run_count) > 200 FROM lsbilling.traces")" t
check "after loading, every trace's totals are its runs' sums, as text" "$(q "$MISMATCH")" 0

# re-price a third of the llm runs (more input tokens), across many traces, in one statement
q "UPDATE lsbilling.runs SET extra = jsonb_set(extra, '{metadata,usage_metadata,input_tokens}',
	to_jsonb(coalesce((extra #>> '{metadata,usage_metadata,input_tokens}')::bigint, 0) + 1234))
   WHERE run_type = 'llm' AND extra #> '{metadata,usage_metadata}' IS NOT NULL AND abs(hashtext(id::text)) % 3 = 0" \
	|| echo "# the re-pricing update failed"
check "some costs changed" "$(q "SELECT count(*) > 0 FROM lsbilling.runs WHERE run_type = 'llm' AND prompt_tokens >= 1234")" t
check "after a multi-trace re-pricing UPDATE, totals are the sums, as text" "$(q "$MISMATCH")" 0

before=$(q "$TOTAL")
q "UPDATE lsbilling.runs SET end_time = start_time + interval '3 seconds', error = NULL" || echo "# the patch failed"
check "a PATCH of end_time on every run changes no total" "$(q "$TOTAL")" "$before"
check "and the totals are still the sums" "$(q "$MISMATCH")" 0

# delete a quarter of the runs, across traces (children and some roots), then every run of five traces
q "DELETE FROM lsbilling.runs WHERE abs(hashtext(id::text)) % 4 = 0" || echo "# the delete failed"
check "after a multi-trace DELETE, totals equal the sums exactly (by value)" "$(q "$MISMATCH_VALUE")" 0
q "DELETE FROM lsbilling.runs WHERE trace_id IN (SELECT id FROM lsbilling.traces ORDER BY id LIMIT 5)" \
	|| echo "# the second delete failed"
check "five traces emptied by one DELETE keep their rows, with zero totals" \
	"$(q "SELECT count(*) FROM (SELECT id FROM lsbilling.traces ORDER BY id LIMIT 5) f
	      JOIN lsbilling.traces t USING (id) WHERE t.run_count = 0 AND t.total_cost = 0 AND t.total_tokens = 0")" 5
check "and every trace's totals still equal the sums exactly" "$(q "$MISMATCH_VALUE")" 0

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
echo "1..$n"
[ $failures -eq 0 ]
