-- The write path of a run INSERT on one node (issue 12): the statement's runs
-- are grouped by trace in C, and one statement upserts the traces, writes
-- the ledger events of the new ones and adds them to the usage counter.
-- What it must keep from the SQL grouping and the separate statements: the
-- root's name, start and thread whichever order the runs come in, totals
-- equal to the sums over the runs to the last digit and scale, the ledger's
-- order (by workspace, then trace id), the counts of statements spanning
-- workspaces, a savepoint's rollback, and a limit's refusal naming the count
-- before the refused trace.
BEGIN;
SELECT plan(22);

CREATE FUNCTION pg_temp.u(prefix text, n integer) RETURNS uuid
	LANGUAGE sql IMMUTABLE AS $$ SELECT (prefix || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid $$;

SET LOCAL lsbilling.test_clock = '2026-07-10 12:00+00';
INSERT INTO lsbilling.organizations (id, name, has_payment_method) VALUES (pg_temp.u('48a00000', 1), 'Statement Inc', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES (pg_temp.u('48b00000', 1), pg_temp.u('48a00000', 1), 'w1'),
       (pg_temp.u('48b00000', 2), pg_temp.u('48a00000', 1), 'w2'),
       (pg_temp.u('48b00000', 3), pg_temp.u('48a00000', 1), 'w3');
INSERT INTO lsbilling.projects (workspace_id, id, name, default_tier)
VALUES (pg_temp.u('48b00000', 1), pg_temp.u('48c00000', 1), 'base', 'base'),
       (pg_temp.u('48b00000', 1), pg_temp.u('48c00000', 2), 'extended', 'extended'),
       (pg_temp.u('48b00000', 2), pg_temp.u('48c00000', 3), 'w2', 'base'),
       (pg_temp.u('48b00000', 3), pg_temp.u('48c00000', 4), 'w3', 'base');
SELECT lsbilling.create_run_partitions('2026-07-01', 12);

-- traces 48d..3 (base), 48d..2 (extended), 48d..1 (base, no root in this statement), written in
-- that order; in each, the children come before the root and start earlier than it.  Costs are
-- sent, with different scales, so the sums are exact to the digit.
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra)
SELECT pg_temp.u('48b00000', 1), CASE WHEN i = 3 THEN pg_temp.u('48d00000', t) ELSE pg_temp.u('48e00000', t * 10 + i) END,
       pg_temp.u('48d00000', t), CASE WHEN i < 3 THEN pg_temp.u('48d00000', t) END,
       pg_temp.u('48c00000', CASE WHEN t = 2 THEN 2 ELSE 1 END),
       CASE WHEN i = 3 THEN 'root ' || t ELSE 'child' END, CASE WHEN i = 3 THEN 'chain' ELSE 'tool' END,
       '2026-07-10 09:00+00'::timestamptz + (t * 10 + i) * interval '1 second',
       CASE WHEN i = 3 THEN jsonb_build_object('metadata', jsonb_build_object('thread_id', 'thread ' || t))
            ELSE jsonb_build_object('metadata', jsonb_build_object('usage_metadata',
                   jsonb_build_object('input_tokens', 100 * i + t, 'output_tokens', 7,
                                      'total_cost', CASE i WHEN 1 THEN 0.0015 ELSE 0.000125 END))) END
FROM (VALUES (3), (2), (1)) v(t), generate_series(1, 3) i
WHERE NOT (t = 1 AND i = 3);

SELECT results_eq(
	$$SELECT id, name, start_time, thread_id, root_seen, run_count FROM lsbilling.traces
	  WHERE workspace_id = pg_temp.u('48b00000', 1) ORDER BY id$$,
	$$VALUES (pg_temp.u('48d00000', 1), NULL::text, '2026-07-10 09:00:11+00'::timestamptz, NULL::text, false, 2::bigint),
	         (pg_temp.u('48d00000', 2), 'root 2', '2026-07-10 09:00:23+00', 'thread 2', true, 3),
	         (pg_temp.u('48d00000', 3), 'root 3', '2026-07-10 09:00:33+00', 'thread 3', true, 3)$$,
	'one INSERT of three traces: the root''s name, start and thread, children first or not; the earliest run''s start without a root');
SELECT is((SELECT count(*) FROM lsbilling.traces t
	LEFT JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(r.prompt_tokens), 0) AS pt,
		coalesce(sum(r.completion_tokens), 0) AS ct, coalesce(sum(r.total_tokens), 0) AS tt,
		coalesce(sum(r.prompt_cost), 0) AS pc, coalesce(sum(r.completion_cost), 0) AS cc,
		coalesce(sum(r.total_cost), 0) AS tc,
		coalesce(sum(r.total_cost), 0) - coalesce(sum(r.prompt_cost), 0) - coalesce(sum(r.completion_cost), 0) AS oc
		FROM lsbilling.runs r WHERE r.workspace_id = t.workspace_id AND r.trace_id = t.id) s ON true
	WHERE t.workspace_id = pg_temp.u('48b00000', 1)
	  AND (t.run_count::text, t.prompt_tokens::text, t.completion_tokens::text, t.total_tokens::text,
		   t.prompt_cost::text, t.completion_cost::text, t.total_cost::text, t.other_cost::text)
		  = (s.n::text, s.pt::text, s.ct::text, s.tt::text, s.pc::text, s.cc::text, s.tc::text, s.oc::text)), 3::bigint,
	'each trace''s totals are the sums over its runs, as text (digits and scale)');
SELECT is((SELECT total_cost::text || ' ' || other_cost::text || ' ' || prompt_tokens || ' ' || total_tokens
	FROM lsbilling.traces WHERE workspace_id = pg_temp.u('48b00000', 1) AND id = pg_temp.u('48d00000', 3)),
	'0.001625 0.001625 306 320', 'a trace''s sent costs add up exactly (0.0015 + 0.000125)');
SELECT results_eq(
	$$SELECT trace_id, metric FROM lsbilling.billing_events WHERE workspace_id = pg_temp.u('48b00000', 1) ORDER BY id$$,
	$$VALUES (pg_temp.u('48d00000', 1), 'base_trace'::text), (pg_temp.u('48d00000', 2), 'base_trace'),
	         (pg_temp.u('48d00000', 2), 'extended_upgrade'), (pg_temp.u('48d00000', 3), 'base_trace')$$,
	'the ledger events are written trace by trace in (workspace, trace id) order, base_trace first');
SELECT is((SELECT count(*) FROM lsbilling.billing_events WHERE workspace_id = pg_temp.u('48b00000', 1)
	AND occurred_at = '2026-07-10 12:00+00' AND organization_id = pg_temp.u('48a00000', 1) AND quantity = 1), 4::bigint,
	'at the server''s clock, with the organization, quantity 1');
SELECT is((SELECT (sum(traces), sum(extended_traces))::text FROM lsbilling.usage_counters
	WHERE workspace_id = pg_temp.u('48b00000', 1) AND month = '2026-07-01'), '(3,1)',
	'the usage counter has the statement''s 3 traces, 1 extended');

-- the root of trace 1 and a new trace 4, in one INSERT: only trace 4 is new
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES (pg_temp.u('48b00000', 1), pg_temp.u('48d00000', 1), pg_temp.u('48d00000', 1), pg_temp.u('48c00000', 1),
        'root 1', 'chain', '2026-07-10 09:00:13+00', '{"metadata": {"session_id": "s-1"}}'),
       (pg_temp.u('48b00000', 1), pg_temp.u('48d00000', 4), pg_temp.u('48d00000', 4), pg_temp.u('48c00000', 1),
        'root 4', 'chain', '2026-07-10 09:00:40+00', NULL);
SELECT results_eq(
	$$SELECT name, start_time, thread_id, root_seen, run_count FROM lsbilling.traces
	  WHERE workspace_id = pg_temp.u('48b00000', 1) AND id = pg_temp.u('48d00000', 1)$$,
	$$VALUES ('root 1'::text, '2026-07-10 09:00:13+00'::timestamptz, 's-1'::text, true, 3::bigint)$$,
	'a root arriving later sets its trace''s name, start and thread');
SELECT is((SELECT count(*) FROM lsbilling.billing_events WHERE workspace_id = pg_temp.u('48b00000', 1)), 5::bigint,
	'the INSERT adds one event: its new trace''s');
SELECT is((SELECT sum(traces) FROM lsbilling.usage_counters WHERE workspace_id = pg_temp.u('48b00000', 1)), 4::numeric,
	'and one count');

-- one run, one new trace (the one-run upsert, billed after it), then more runs of it
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('48b00000', 1), pg_temp.u('48d00000', 5), pg_temp.u('48d00000', 5), pg_temp.u('48c00000', 2),
        'root 5', 'chain', '2026-07-10 09:00:50+00');
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
SELECT pg_temp.u('48b00000', 1), pg_temp.u('48e00000', 50 + i), pg_temp.u('48d00000', 5), pg_temp.u('48d00000', 5),
       pg_temp.u('48c00000', 2), 'child', 'tool', '2026-07-10 09:00:51+00'
FROM generate_series(1, 2) i;
SELECT results_eq(
	$$SELECT metric FROM lsbilling.billing_events WHERE workspace_id = pg_temp.u('48b00000', 1)
	  AND trace_id = pg_temp.u('48d00000', 5) ORDER BY id$$,
	$$VALUES ('base_trace'::text), ('extended_upgrade')$$,
	'a one-run INSERT creating an extended trace writes both its events');
SELECT is((SELECT (sum(traces), sum(extended_traces))::text FROM lsbilling.usage_counters
	WHERE workspace_id = pg_temp.u('48b00000', 1)), '(5,2)', 'and counts it once, extended; its later runs count nothing');
SELECT is((SELECT run_count FROM lsbilling.traces WHERE workspace_id = pg_temp.u('48b00000', 1)
	AND id = pg_temp.u('48d00000', 5)), 3::bigint, 'the trace has its three runs');

-- one INSERT spanning two workspaces (the counter is written trace by trace, not folded)
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
SELECT pg_temp.u('48b00000', w), pg_temp.u('48f00000', w * 10 + t), pg_temp.u('48f00000', w * 10 + t),
       pg_temp.u('48c00000', w + 1), 'root', 'chain', '2026-07-10 10:00+00'::timestamptz + t * interval '1 second'
FROM generate_series(2, 3) w, generate_series(1, 3) t;
SELECT results_eq(
	$$SELECT workspace_id, count(*) FROM lsbilling.billing_events
	  WHERE workspace_id IN (pg_temp.u('48b00000', 2), pg_temp.u('48b00000', 3)) GROUP BY 1 ORDER BY 1$$,
	$$VALUES (pg_temp.u('48b00000', 2), 3::bigint), (pg_temp.u('48b00000', 3), 3::bigint)$$,
	'one INSERT over two workspaces: each workspace''s traces have their events');
SELECT results_eq(
	$$SELECT workspace_id, sum(traces) FROM lsbilling.usage_counters
	  WHERE workspace_id IN (pg_temp.u('48b00000', 2), pg_temp.u('48b00000', 3)) GROUP BY 1 ORDER BY 1$$,
	$$VALUES (pg_temp.u('48b00000', 2), 3::numeric), (pg_temp.u('48b00000', 3), 3::numeric)$$,
	'and each workspace''s counter its own traces');

-- a statement rolled back to a savepoint takes its traces, events and counts with it
SAVEPOINT s;
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
SELECT pg_temp.u('48b00000', 2), pg_temp.u('48f00000', 100 + t), pg_temp.u('48f00000', 100 + t),
       pg_temp.u('48c00000', 3), 'root', 'chain', '2026-07-10 11:00+00'::timestamptz + t * interval '1 second'
FROM generate_series(1, 4) t;
ROLLBACK TO SAVEPOINT s;
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
SELECT pg_temp.u('48b00000', 2), pg_temp.u('48f00000', 200 + t), pg_temp.u('48f00000', 200 + t),
       pg_temp.u('48c00000', 3), 'root', 'chain', '2026-07-10 11:00+00'::timestamptz + t * interval '1 second'
FROM generate_series(1, 2) t;
SELECT is((SELECT sum(traces) FROM lsbilling.usage_counters WHERE workspace_id = pg_temp.u('48b00000', 2)), 5::numeric,
	'after a rolled-back INSERT of 4 traces and one of 2, the counter has 3 + 2');
SELECT is((SELECT count(*) FROM lsbilling.billing_events WHERE workspace_id = pg_temp.u('48b00000', 2)), 5::bigint,
	'and the ledger 5 events');

-- a limit crossed in the middle of a statement: refused whole, with the count before the refused trace
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces) VALUES (pg_temp.u('48b00000', 3), 5);
CREATE FUNCTION pg_temp.refusal(n integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
	msg text;
	detail text;
BEGIN
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	SELECT pg_temp.u('48b00000', 3), pg_temp.u('48f00000', 300 + t), pg_temp.u('48f00000', 300 + t),
	       pg_temp.u('48c00000', 4), 'root', 'chain', '2026-07-10 12:00+00'::timestamptz + t * interval '1 second'
	FROM generate_series(1, n) t;
	RETURN 'written';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
	RETURN state || ': ' || msg || ' / ' || detail;
END
$$;
SELECT is(pg_temp.refusal(4),
	'LS429: monthly usage limit max_traces (5) reached / Workspace ' || pg_temp.u('48b00000', 3)
	|| ' has 5 traces in 2026-07 (UTC); a new trace is refused.',
	'3 traces and max_traces 5: an INSERT of 4 new traces is refused at its third, which finds 5');
SELECT is((SELECT sum(traces) FROM lsbilling.usage_counters WHERE workspace_id = pg_temp.u('48b00000', 3)), 3::numeric,
	'the refused statement counts nothing');
SELECT is((SELECT count(*) FROM lsbilling.traces WHERE workspace_id = pg_temp.u('48b00000', 3)), 3::bigint,
	'and creates no trace');
SELECT is(pg_temp.refusal(2), 'written', 'an INSERT of 2 new traces reaches the limit exactly');
SELECT is((SELECT sum(traces) FROM lsbilling.usage_counters WHERE workspace_id = pg_temp.u('48b00000', 3)), 5::numeric,
	'and counts them');

-- runs of one new trace naming two projects: refused, naming the trace
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
	  VALUES (pg_temp.u('48b00000', 1), pg_temp.u('48d00000', 9), pg_temp.u('48d00000', 9), NULL, pg_temp.u('48c00000', 1),
	          'root', 'chain', '2026-07-10 09:01+00'),
	         (pg_temp.u('48b00000', 1), pg_temp.u('48e00000', 91), pg_temp.u('48d00000', 9), pg_temp.u('48d00000', 9),
	          pg_temp.u('48c00000', 2), 'child', 'tool', '2026-07-10 09:01+00')$$,
	'23503', 'the runs of trace ' || pg_temp.u('48d00000', 9) || ' name more than one project',
	'a new trace whose runs name two projects is refused');

SELECT * FROM finish();
ROLLBACK;
