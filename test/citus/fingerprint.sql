-- What lsbilling knows about the demo sample (test/demo/sample.sql), read
-- only, one line a fact: test/citus/run.sh prints it on one PostgreSQL and
-- through a Citus coordinator and asserts that the two are identical, to the
-- last digit.  Functions are called with constants (Citus cannot run a
-- function that queries distributed tables once per row of another such query).
\pset format unaligned
\pset tuples_only on
SELECT 'traces', count(*), count(*) FILTER (WHERE root_seen), count(DISTINCT thread_id), sum(run_count),
	sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(prompt_cost), sum(completion_cost),
	sum(other_cost), sum(total_cost)
FROM lsbilling.traces;
SELECT 'runs', count(*), sum(prompt_tokens), sum(completion_tokens), sum(total_cost), count(cost_error),
	count(price_id)
FROM lsbilling.runs;
-- upgraded_at is the server's clock at the upgrade (two loads, two times): counted, not compared
SELECT 'tiers', tier, count(*), min(expires_at), max(expires_at), count(upgraded_at)
FROM lsbilling.traces GROUP BY tier ORDER BY tier;
SELECT 'ledger', organization_id, metric, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM'), count(*), sum(quantity)
FROM lsbilling.billing_events GROUP BY 2, 3, 4 ORDER BY 2, 3, 4;
SELECT 'ledger once', count(*) FROM (SELECT trace_id, metric FROM lsbilling.billing_events
	WHERE trace_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d;
-- the counters themselves (monthly_usage prices them with a plan function per
-- row, which Citus cannot run over a distributed table: README)
SELECT 'usage counters', workspace_id, month, sum(traces), sum(extended_traces)
FROM lsbilling.usage_counters GROUP BY 2, 3 ORDER BY 2, 3;
SELECT 'invoice', * FROM lsbilling.invoice('0a000000-0000-0000-0000-000000000001', '2026-10-01');
SELECT 'invoice', * FROM lsbilling.invoice('0a000000-0000-0000-0000-000000000001', '2026-11-01');
SELECT 'invoice', * FROM lsbilling.invoice('0a000000-0000-0000-0000-000000000002', '2026-10-01');
SELECT 'usage', * FROM lsbilling.usage('0b000000-0000-0000-0000-000000000001', '2026-10-01', '2026-10-07');
SELECT 'project_stats', * FROM lsbilling.project_stats('0c000000-0000-0000-0000-000000000001');
SELECT 'project_stats', * FROM lsbilling.project_stats('0c000000-0000-0000-0000-000000000002', '2026-10-05', '2026-10-20');
SELECT 'cost_timeseries', * FROM lsbilling.cost_timeseries('0b000000-0000-0000-0000-000000000001', '7 days',
	'2026-09-28', '2026-12-07');
SELECT 'run_tree', * FROM lsbilling.run_tree('0d000000-0000-0000-0000-0000000000c0');
SELECT 'run_tree', * FROM lsbilling.run_tree('0d000000-0000-0000-0000-000000000c10');
SELECT 'feedback', count(*), count(DISTINCT trace_id) FROM lsbilling.feedback;
SELECT 'queue items', count(*) FROM lsbilling.annotation_queue_runs;
SELECT 'rule matches', count(*) FROM lsbilling.rule_matches;
SELECT 'deployment runs', count(*) FROM lsbilling.deployment_runs;
