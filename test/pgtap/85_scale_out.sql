-- Scale-out: the features' results, asserted in one file that runs both on
-- one PostgreSQL (make test) and through a Citus coordinator with two
-- workers (test/citus/run.sh runs this same file there, after
-- lsbilling.distribute()).  So it uses only what Citus can run: no
-- SQL-language helpers with parameters, no temp tables; and an assertion
-- whose subquery names one workspace compares workspace_id::text, so that
-- Citus does not push pgTAP's call itself down to a worker.  Three workspaces, so
-- that on Citus the rows spread over several shards.
BEGIN;
SELECT plan(21);
SET LOCAL lsbilling.test_clock = '2026-06-15 12:00:00+00';

INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method) VALUES
	('a8500000-0000-0000-0000-000000000001', 'ScaleCo', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('b8500000-0000-0000-0000-000000000001', 'a8500000-0000-0000-0000-000000000001', 'w1'),
	('b8500000-0000-0000-0000-000000000002', 'a8500000-0000-0000-0000-000000000001', 'w2'),
	('b8500000-0000-0000-0000-000000000003', 'a8500000-0000-0000-0000-000000000001', 'w3');
INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES
	('b8500000-0000-0000-0000-000000000001', 'c8500000-0000-0000-0000-000000000001', 'p1'),
	('b8500000-0000-0000-0000-000000000002', 'c8500000-0000-0000-0000-000000000002', 'p2'),
	('b8500000-0000-0000-0000-000000000003', 'c8500000-0000-0000-0000-000000000003', 'p3');
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price, output_price, input_price_details)
VALUES ('so-model', '^so-model$', 2, 3, '{"cache_read": 1}');

-- ---- the write path: one row, many rows, INSERT ... SELECT ----
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('b8500000-0000-0000-0000-000000000001', 'd8500000-0000-0000-0000-000000000001',
		'd8500000-0000-0000-0000-000000000001', 'c8500000-0000-0000-0000-000000000001', 'root', 'llm',
		'2026-06-10 10:00:00+00', '{"metadata": {"ls_model_name": "so-model", "thread_id": "th-1",
		"usage_metadata": {"input_tokens": 20, "input_token_details": {"cache_read": 5}, "output_tokens": 10}}}');
SELECT results_eq(
	$$SELECT prompt_cost::text, completion_cost::text, total_cost::text FROM lsbilling.runs
	  WHERE workspace_id = 'b8500000-0000-0000-0000-000000000001' AND id = 'd8500000-0000-0000-0000-000000000001'$$,
	$$VALUES ('0.000035', '0.00003', '0.000065')$$,
	'a one-row insert is priced exactly (the worked example)');

-- a statement with runs of several traces in several workspaces, children before roots
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra)
SELECT ('b8500000-0000-0000-0000-00000000000' || w)::uuid,
	('d8500000-0000-0000-0000-0000000' || w || lpad(t::text, 2, '0') || lpad(r::text, 2, '0'))::uuid,
	('d8500000-0000-0000-0000-0000000' || w || lpad(t::text, 2, '0') || '00')::uuid,
	CASE WHEN r > 0 THEN ('d8500000-0000-0000-0000-0000000' || w || lpad(t::text, 2, '0') || '00')::uuid END,
	('c8500000-0000-0000-0000-00000000000' || w)::uuid, 'r' || r, CASE WHEN r = 0 THEN 'chain' ELSE 'llm' END,
	('2026-06-' || lpad((1 + t)::text, 2, '0') || ' 09:00:00+00')::timestamptz,
	jsonb_build_object('metadata', jsonb_build_object('ls_model_name', 'so-model',
		'usage_metadata', jsonb_build_object('input_tokens', 100 * r + t, 'output_tokens', 7 * r)))
FROM generate_series(1, 3) w, generate_series(1, 4) t, generate_series(0, 3) r
ORDER BY r DESC, w, t;
SELECT is((SELECT count(*) FROM lsbilling.traces WHERE workspace_id::text LIKE 'b85%'), 13::bigint,
	'one trace row per trace, whichever run arrived first');
SELECT is((SELECT count(*) FROM lsbilling.traces WHERE workspace_id::text LIKE 'b85%' AND root_seen), 13::bigint,
	'every trace saw its root');
SELECT is((SELECT count(*) FROM lsbilling.traces t
	JOIN (SELECT workspace_id, trace_id, count(*) AS n, sum(prompt_tokens) AS pt, sum(completion_tokens) AS ct,
				 sum(prompt_cost) AS pc, sum(completion_cost) AS cc, sum(total_cost) AS tc
		  FROM lsbilling.runs WHERE workspace_id::text LIKE 'b85%' GROUP BY 1, 2) s
	  ON s.workspace_id = t.workspace_id AND s.trace_id = t.id
	WHERE (t.run_count, t.prompt_tokens, t.completion_tokens, t.prompt_cost, t.completion_cost, t.total_cost)
		  = (s.n, s.pt, s.ct, s.pc, s.cc, s.tc)), 13::bigint,
	'trace totals equal the sum over their runs, to the last digit');
SELECT is((SELECT sum(total_cost)::text FROM lsbilling.traces WHERE workspace_id::text LIKE 'b85%'),
	(SELECT sum(total_cost)::text FROM lsbilling.runs WHERE workspace_id::text LIKE 'b85%'),
	'the sum of trace totals equals the sum of run costs');
SELECT is((SELECT sum(total_cost)::text FROM lsbilling.runs WHERE workspace_id::text LIKE 'b85%'), '0.016217',
	'the statement''s runs cost what the price map says');

-- INSERT ... SELECT from the table itself: a copy of w3's runs as new traces
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra)
SELECT workspace_id, ('e' || substr(id::text, 2))::uuid, ('e' || substr(trace_id::text, 2))::uuid,
	('e' || substr(parent_run_id::text, 2))::uuid, project_id, name, run_type, start_time, extra
FROM lsbilling.runs WHERE workspace_id = 'b8500000-0000-0000-0000-000000000003';
SELECT is((SELECT count(*) FROM lsbilling.traces WHERE workspace_id::text = 'b8500000-0000-0000-0000-000000000003'),
	8::bigint, 'INSERT ... SELECT creates its traces');

-- ---- the ledger: one base_trace event a trace, exactly once ----
SELECT is((SELECT count(*) FROM lsbilling.billing_events WHERE organization_id = 'a8500000-0000-0000-0000-000000000001'
	AND metric = 'base_trace'), 17::bigint, 'one base_trace event per trace');

-- ---- upgrades: feedback (with its thread), queue item, rule match ----
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('b8500000-0000-0000-0000-000000000001', 'd8500000-0000-0000-0000-000000000002',
		'd8500000-0000-0000-0000-000000000002', 'c8500000-0000-0000-0000-000000000001', 'root2', 'chain',
		'2026-06-11 10:00:00+00', '{"metadata": {"thread_id": "th-1"}}');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
VALUES ('b8500000-0000-0000-0000-000000000001', 'd8500000-0000-0000-0000-000000000001', 'good', 1);
SELECT is((SELECT array_agg(tier ORDER BY id) FROM lsbilling.traces
	WHERE workspace_id::text = 'b8500000-0000-0000-0000-000000000001' AND thread_id = 'th-1'),
	ARRAY['extended', 'extended'], 'feedback upgrades its trace and the other traces of its thread');
INSERT INTO lsbilling.annotation_queues (workspace_id, id, name)
VALUES ('b8500000-0000-0000-0000-000000000002', 'e8500000-0000-0000-0000-000000000001', 'q');
INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id)
VALUES ('b8500000-0000-0000-0000-000000000002', 'e8500000-0000-0000-0000-000000000001',
		'd8500000-0000-0000-0000-000000020101');
INSERT INTO lsbilling.automation_rules (workspace_id, id, name)
VALUES ('b8500000-0000-0000-0000-000000000003', 'f8500000-0000-0000-0000-000000000001', 'r');
INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id)
VALUES ('b8500000-0000-0000-0000-000000000003', 'f8500000-0000-0000-0000-000000000001',
		'd8500000-0000-0000-0000-000000030201');
INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id)
VALUES ('b8500000-0000-0000-0000-000000000003', 'f8500000-0000-0000-0000-000000000001',
		'd8500000-0000-0000-0000-000000030202');
SELECT is((SELECT count(*) FROM lsbilling.traces WHERE workspace_id::text LIKE 'b85%' AND tier = 'extended'),
	4::bigint, 'a queue item and rule matches upgrade their traces, a second match on the same trace does not');
SELECT is((SELECT count(*) FROM lsbilling.billing_events WHERE organization_id = 'a8500000-0000-0000-0000-000000000001'
	AND metric = 'extended_upgrade'), 4::bigint, 'one extended_upgrade event per upgraded trace');

-- ---- refusals keep their SQLSTATE ----
SELECT throws_ok(
	$$INSERT INTO lsbilling.feedback (workspace_id, run_id, key)
	  VALUES ('b8500000-0000-0000-0000-000000000002', 'd8500000-0000-0000-0000-0000000000ff', 'k')$$,
	'23503', NULL, 'feedback on a run that does not exist: 23503');
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('b8500000-0000-0000-0000-000000000002', 'd8500000-0000-0000-0000-0000000000fe',
			  'd8500000-0000-0000-0000-0000000000fe', 'c8500000-0000-0000-0000-000000000001', 'x', 'chain',
			  '2026-06-10 10:00:00+00')$$,
	'23503', NULL, 'a run naming another workspace''s project: 23503');
SELECT throws_ok(
	$$UPDATE lsbilling.billing_events SET quantity = 2
	  WHERE workspace_id = 'b8500000-0000-0000-0000-000000000001'$$,
	'42501', NULL, 'the ledger is append-only');
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces) VALUES ('b8500000-0000-0000-0000-000000000002', 4);
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('b8500000-0000-0000-0000-000000000002', 'd8500000-0000-0000-0000-0000000000fd',
			  'd8500000-0000-0000-0000-0000000000fd', 'c8500000-0000-0000-0000-000000000002', 'x', 'chain',
			  '2026-06-10 10:00:00+00')$$,
	'LS429', NULL, 'a new trace over max_traces: LS429');

-- ---- read side: invoice, usage, run_tree, project_stats, cost_timeseries ----
SELECT results_eq(
	$$SELECT item, quantity::text, amount::text FROM lsbilling.invoice('a8500000-0000-0000-0000-000000000001',
		(SELECT min(occurred_at AT TIME ZONE 'UTC')::date FROM lsbilling.billing_events
		 WHERE organization_id = 'a8500000-0000-0000-0000-000000000001' AND metric = 'extended_upgrade'))
	  WHERE item IN ('extended-retention upgrades', 'deployment runs')$$,
	$$VALUES ('extended-retention upgrades', '4', '0.0180'), ('deployment runs', '0', '0.000')$$,
	'invoice lines from the ledger');
SELECT results_eq(
	$$SELECT sum(base_traces)::bigint, sum(extended_upgrades)::bigint
	  FROM lsbilling.usage('b8500000-0000-0000-0000-000000000001', '2026-01-01', '2026-12-31')$$,
	$$VALUES (6::bigint, 2::bigint)$$,
	'usage per day adds up to the workspace''s events');
SELECT results_eq(
	$$SELECT depth, name, subtree_total_cost FROM lsbilling.run_tree('d8500000-0000-0000-0000-000000010100') LIMIT 1$$,
	$$SELECT 0, 'r0'::text, total_cost FROM lsbilling.traces
	  WHERE workspace_id = 'b8500000-0000-0000-0000-000000000001' AND id = 'd8500000-0000-0000-0000-000000010100'$$,
	'run_tree: the root first, its subtree costs what its trace does');
SELECT is((SELECT count(*) FROM lsbilling.run_tree('d8500000-0000-0000-0000-000000010100')), 4::bigint,
	'run_tree: every run of the trace');
SELECT results_eq(
	$$SELECT trace_count, run_count, total_cost FROM lsbilling.project_stats('c8500000-0000-0000-0000-000000000001')$$,
	$$SELECT count(*), sum(run_count)::bigint, sum(total_cost) FROM lsbilling.traces
	  WHERE workspace_id = 'b8500000-0000-0000-0000-000000000001'$$,
	'project_stats equals the sum over the project''s traces');
SELECT results_eq(
	$$SELECT sum(trace_count)::bigint, sum(total_cost) FROM lsbilling.cost_timeseries('b8500000-0000-0000-0000-000000000002',
		'1 day', '2026-06-01', '2026-07-01')$$,
	$$SELECT count(*), sum(total_cost) FROM lsbilling.traces WHERE workspace_id = 'b8500000-0000-0000-0000-000000000002'$$,
	'cost_timeseries adds up to the workspace''s traces');

SELECT * FROM finish();
ROLLBACK;
