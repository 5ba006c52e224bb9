-- The ledger events of the traces one INSERT of runs creates are written by
-- one statement (issue 12, write path): the same events as trace by trace
-- (base_trace, plus extended_upgrade for a trace created extended, both at
-- the server's clock), a trace's two events adjacent, the same usage counts,
-- and a monthly limit crossed in the middle of the statement still refuses it
-- whole with LS429.
BEGIN;
SELECT plan(8);

CREATE FUNCTION pg_temp.u(prefix text, n integer) RETURNS uuid
	LANGUAGE sql IMMUTABLE AS $$ SELECT (prefix || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid $$;

SET LOCAL lsbilling.test_clock = '2026-07-10 12:00+00';
INSERT INTO lsbilling.organizations (id, name) VALUES (pg_temp.u('47a00000', 1), 'Ledger Inc');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES (pg_temp.u('47b00000', 1), pg_temp.u('47a00000', 1), 'w1'),
       (pg_temp.u('47b00000', 2), pg_temp.u('47a00000', 1), 'w2');
INSERT INTO lsbilling.projects (workspace_id, id, name, default_tier)
VALUES (pg_temp.u('47b00000', 1), pg_temp.u('47c00000', 1), 'base', 'base'),
       (pg_temp.u('47b00000', 1), pg_temp.u('47c00000', 2), 'extended', 'extended'),
       (pg_temp.u('47b00000', 2), pg_temp.u('47c00000', 3), 'w2 base', 'base');
SELECT lsbilling.create_run_partitions('2026-07-01', 2);

-- traces t1..t5 (t1-t3 in the base project, t4-t5 in the extended one), 3 runs each, in one INSERT
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
SELECT pg_temp.u('47b00000', 1), CASE WHEN i = 0 THEN pg_temp.u('47d00000', t) ELSE pg_temp.u('47e00000', t * 10 + i) END,
       pg_temp.u('47d00000', t), CASE WHEN i > 0 THEN pg_temp.u('47d00000', t) END,
       pg_temp.u('47c00000', CASE WHEN t <= 3 THEN 1 ELSE 2 END), 'r', 'chain',
       '2026-07-10 09:00+00'::timestamptz + (t * 10 + i) * interval '1 second'
FROM generate_series(1, 5) t, generate_series(0, 2) i;

SELECT is((SELECT count(*) FROM lsbilling.traces WHERE workspace_id = pg_temp.u('47b00000', 1)), 5::bigint,
	'one INSERT of 15 runs creates its 5 traces');
SELECT results_eq(
	$$SELECT metric, count(*) FROM lsbilling.billing_events WHERE workspace_id = pg_temp.u('47b00000', 1)
	  GROUP BY metric ORDER BY metric$$,
	$$VALUES ('base_trace'::text, 5::bigint), ('extended_upgrade', 2)$$,
	'a base_trace event a trace, an extended_upgrade for each trace created extended');
SELECT is((SELECT count(*) FROM lsbilling.billing_events e
	WHERE e.workspace_id = pg_temp.u('47b00000', 1) AND e.quantity = 1
	  AND e.organization_id = pg_temp.u('47a00000', 1)
	  AND e.occurred_at = '2026-07-10 12:00+00'
	  AND e.trace_id IN (SELECT id FROM lsbilling.traces WHERE workspace_id = pg_temp.u('47b00000', 1))), 7::bigint,
	'every event names its trace and organization, quantity 1, at the server''s clock');
SELECT is((SELECT count(*) FROM lsbilling.billing_events b JOIN lsbilling.billing_events x
	ON x.workspace_id = b.workspace_id AND x.trace_id = b.trace_id AND x.metric = 'extended_upgrade'
	WHERE b.metric = 'base_trace' AND x.id = b.id + 1 AND b.workspace_id = pg_temp.u('47b00000', 1)), 2::bigint,
	'an extended trace''s upgrade event follows its base_trace event, as when written trace by trace');
SELECT is((SELECT (sum(traces), sum(extended_traces))::text FROM lsbilling.usage_counters
	WHERE workspace_id = pg_temp.u('47b00000', 1) AND month = '2026-07-01'), '(5,2)',
	'the month''s usage counts 5 traces, 2 of them extended');

-- a limit crossed by the statement's third new trace refuses the whole statement
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces) VALUES (pg_temp.u('47b00000', 2), 2);
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  SELECT pg_temp.u('47b00000', 2), pg_temp.u('47f00000', t), pg_temp.u('47f00000', t), pg_temp.u('47c00000', 3),
	         'r', 'chain', '2026-07-10 09:00+00'::timestamptz + t * interval '1 second'
	  FROM generate_series(1, 3) t$$,
	'LS429', NULL, 'three new traces in one INSERT over max_traces 2 are refused with LS429');
SELECT is((SELECT count(*) FROM lsbilling.billing_events WHERE workspace_id = pg_temp.u('47b00000', 2)), 0::bigint,
	'the refused statement leaves no ledger events');
SELECT lives_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  SELECT pg_temp.u('47b00000', 2), pg_temp.u('47f00000', t), pg_temp.u('47f00000', t), pg_temp.u('47c00000', 3),
	         'r', 'chain', '2026-07-10 09:00+00'::timestamptz + t * interval '1 second'
	  FROM generate_series(1, 2) t$$,
	'two new traces in one INSERT are within max_traces 2');

SELECT * FROM finish();
ROLLBACK;
