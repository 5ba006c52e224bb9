-- Tiers, upgrades, the ledger, usage limits, invoices and the usage graph.
-- (Real concurrency is in test/tap/30_tiers_concurrency.sh.)
BEGIN;
SELECT plan(82);

-- helpers ------------------------------------------------------------------
CREATE FUNCTION pg_temp.u(n int) RETURNS uuid LANGUAGE sql IMMUTABLE
RETURN format('d0000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid;

-- lsbilling bills by the server's clock, not by the times a client writes in
-- a row: these tests write history with the test clock (lsbilling.test_clock).
CREATE FUNCTION pg_temp.at(ts timestamptz) RETURNS void LANGUAGE sql AS $$
SELECT set_config('lsbilling.test_clock', ts::text, true);
$$;

-- a run of trace t (the root when id = t), optionally in a thread, written
-- when the server's clock says st (the run's start_time)
CREATE FUNCTION pg_temp.run(ws uuid, proj uuid, t int, id int, st timestamptz, thread text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
SELECT set_config('lsbilling.test_clock', st::text, true);
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra)
VALUES (ws, pg_temp.u(id), pg_temp.u(t), CASE WHEN id <> t THEN pg_temp.u(t) END, proj, 'r', 'chain', st,
		CASE WHEN thread IS NOT NULL THEN jsonb_build_object('metadata', jsonb_build_object('thread_id', thread)) END)
$$;

-- "SQLSTATE: message / hint" of a statement, or 'ok'; the statement runs in a
-- subtransaction that the error rolls back
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; h text;
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg || coalesce(' / ' || nullif(h, ''), '');
END $$;

CREATE FUNCTION pg_temp.events(t int, m text) RETURNS bigint LANGUAGE sql
RETURN (SELECT count(*) FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(t) AND metric = m);

CREATE FUNCTION pg_temp.tier(t int) RETURNS text LANGUAGE sql
RETURN (SELECT tier FROM lsbilling.traces WHERE id = pg_temp.u(t));

-- seconds until the next UTC month, as the LS429 hint says it
CREATE FUNCTION pg_temp.reset_seconds() RETURNS bigint LANGUAGE sql
RETURN ceil(extract(epoch FROM (lsbilling.month_bounds((now() AT TIME ZONE 'UTC')::date)).month_end - now()))::bigint;

-- fixtures -----------------------------------------------------------------
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method) VALUES
	('a0000000-0000-0000-0000-000000000001', 'Acme', 'plus', true),
	('a0000000-0000-0000-0000-000000000002', 'Solo', 'developer', false);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('b0000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000001', 'main'),
	('b0000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-000000000001', 'limited'),
	('b0000000-0000-0000-0000-000000000003', 'a0000000-0000-0000-0000-000000000001', 'ext-limited'),
	('b0000000-0000-0000-0000-000000000004', 'a0000000-0000-0000-0000-000000000002', 'personal');
INSERT INTO lsbilling.projects (workspace_id, id, name, default_tier) VALUES
	('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 'p1', 'base'),
	('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000002', 'px', 'extended'),
	('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 'p2', 'base'),
	('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000004', 'p3', 'base'),
	('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000005', 'px3', 'extended'),
	('b0000000-0000-0000-0000-000000000004', 'c0000000-0000-0000-0000-000000000006', 'p4', 'base');
INSERT INTO lsbilling.annotation_queues (workspace_id, id, name) VALUES
	('b0000000-0000-0000-0000-000000000001', 'e0000000-0000-0000-0000-000000000001', 'review'),
	('b0000000-0000-0000-0000-000000000003', 'e0000000-0000-0000-0000-000000000003', 'review');
INSERT INTO lsbilling.automation_rules (workspace_id, id, name) VALUES
	('b0000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', 'errors'),
	('b0000000-0000-0000-0000-000000000003', 'f0000000-0000-0000-0000-000000000003', 'errors');

-- plans ----------------------------------------------------------------------
SELECT results_eq(
	$$SELECT id, seat_price, free_traces_per_month, base_trace_price, extended_upgrade_price,
	         base_trace_price + extended_upgrade_price, deployment_run_price, unpaid_monthly_trace_limit
	  FROM lsbilling.plans ORDER BY id$$,
	$$VALUES ('developer'::text, 0::numeric, 5000::bigint, 0.0005, 0.0045, 0.0050, 0.005, 5000::bigint),
	         ('enterprise', 0, 0, 0.0005, 0.0045, 0.0050, 0.005, NULL),
	         ('plus', 39, 10000, 0.0005, 0.0045, 0.0050, 0.005, NULL),
	         ('startup', 39, 30000, 0.0005, 0.0045, 0.0050, 0.005, NULL)$$,
	'plans carry the seed prices: base $0.0005, upgrade $0.0045 ($0.005 extended in all), deployment run $0.005');
SELECT is((SELECT max_seats FROM lsbilling.plans WHERE id = 'developer'), 1, 'the developer plan has one (free) seat');
SELECT throws_ok($$INSERT INTO lsbilling.organizations (name, plan) VALUES ('x', 'gold')$$,
	'23503', NULL, 'an organization''s plan must be one of plans');

-- a new base trace: one base_trace event at its start_time ------------------
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 1, 1, '2026-06-10 08:00+00');
SELECT results_eq(
	$$SELECT organization_id, workspace_id, metric, quantity, occurred_at FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(1)$$,
	$$VALUES ('a0000000-0000-0000-0000-000000000001'::uuid, 'b0000000-0000-0000-0000-000000000001'::uuid,
	          'base_trace'::text, 1::numeric, '2026-06-10 08:00+00'::timestamptz)$$,
	'a new base trace records one base_trace event, at its start_time, for its organization');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 1, 2, '2026-06-10 08:00:01+00');
SELECT is(pg_temp.events(1, 'base_trace'), 1::bigint, 'more runs of the trace record nothing more');

-- a trace created extended: both events, same timestamp ------------------------
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000002', 3, 3, '2026-06-11 09:00+00');
SELECT results_eq(
	$$SELECT metric, occurred_at FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(3) ORDER BY metric$$,
	$$VALUES ('base_trace'::text, '2026-06-11 09:00+00'::timestamptz), ('extended_upgrade', '2026-06-11 09:00+00')$$,
	'a trace created extended records base_trace and extended_upgrade with the same timestamp');
SELECT results_eq(
	$$SELECT tier, expires_at, upgraded_at FROM lsbilling.traces WHERE id = pg_temp.u(3)$$,
	$$VALUES ('extended'::text, '2026-06-11 09:00+00'::timestamptz + interval '400 days', NULL::timestamptz)$$,
	'a trace created extended keeps 400 days and was never upgraded');

-- the root arrives after a child with an earlier start_time ----------------------
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 4, 5, '2026-06-12 10:00:05+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 4, 4, '2026-06-12 10:00:00+00');
SELECT results_eq(
	$$SELECT t.start_time, e.occurred_at FROM lsbilling.traces t JOIN lsbilling.billing_events e ON e.trace_id = t.id WHERE t.id = pg_temp.u(4)$$,
	$$VALUES ('2026-06-12 10:00:00+00'::timestamptz, '2026-06-12 10:00:05+00'::timestamptz)$$,
	'the root moves start_time; the base_trace event keeps the start_time the trace was created with');

-- feedback upgrades ------------------------------------------------------------
SELECT pg_temp.at('2026-06-15 12:00+00');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score, created_at)
VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(2), 'correct', 1, '2026-06-15 12:00+00');
SELECT results_eq(
	$$SELECT tier, upgraded_at, expires_at FROM lsbilling.traces WHERE id = pg_temp.u(1)$$,
	$$VALUES ('extended'::text, '2026-06-15 12:00+00'::timestamptz, '2026-06-10 08:00+00'::timestamptz + interval '400 days')$$,
	'feedback on a child run upgrades its trace: tier, upgrade time, expiry = start_time + 400 days');
SELECT results_eq(
	$$SELECT metric, occurred_at FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(1) AND metric = 'extended_upgrade'$$,
	$$VALUES ('extended_upgrade'::text, '2026-06-15 12:00+00'::timestamptz)$$,
	'the upgrade records one extended_upgrade event at the feedback''s created_at');
SELECT pg_temp.at('2026-06-20 12:00+00');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score, created_at)
VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(1), 'helpful', 0, '2026-06-20 12:00+00');
SELECT is(pg_temp.events(1, 'extended_upgrade'), 1::bigint, 'more feedback records no second upgrade');
SELECT is((SELECT upgraded_at FROM lsbilling.traces WHERE id = pg_temp.u(1)), '2026-06-15 12:00+00'::timestamptz,
	'the upgrade time is the first upgrade''s');

-- feedback naming only the trace
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 6, 6, '2026-06-12 11:00+00');
SELECT pg_temp.at('2026-06-16 00:00+00');
INSERT INTO lsbilling.feedback (workspace_id, trace_id, key, score, created_at)
VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(6), 'correct', 1, '2026-06-16 00:00+00');
SELECT is(pg_temp.tier(6), 'extended', 'feedback naming only the trace upgrades it');

-- feedback dated by the client hours back: the event is at the server's clock
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 7, 7, now() - interval '1 hour');
SELECT pg_temp.at(now());
INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(7), 'k');
SELECT is((SELECT occurred_at FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(7) AND metric = 'extended_upgrade'),
	now(), 'an upgrade by feedback is at the server''s clock (here the real one), not at created_at');

-- an annotation queue item upgrades, at added_at
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 8, 8, '2026-06-13 10:00+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 8, 9, '2026-06-13 10:00:01+00');
SELECT pg_temp.at('2026-06-14 10:00+00');
INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id, added_at)
VALUES ('b0000000-0000-0000-0000-000000000001', 'e0000000-0000-0000-0000-000000000001', pg_temp.u(9), '2026-06-14 10:00+00');
SELECT results_eq(
	$$SELECT t.tier, t.upgraded_at, e.occurred_at FROM lsbilling.traces t
	  JOIN lsbilling.billing_events e ON e.trace_id = t.id AND e.metric = 'extended_upgrade' WHERE t.id = pg_temp.u(8)$$,
	$$VALUES ('extended'::text, '2026-06-14 10:00+00'::timestamptz, '2026-06-14 10:00+00'::timestamptz)$$,
	'a run added to an annotation queue upgrades its trace, at added_at');

-- an automation rule match upgrades, at matched_at
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 10, 10, '2026-06-13 11:00+00');
SELECT pg_temp.at('2026-06-13 11:05+00');
INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id, matched_at)
VALUES ('b0000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', pg_temp.u(10), '2026-06-13 11:05+00');
SELECT results_eq(
	$$SELECT t.tier, t.upgraded_at, e.occurred_at FROM lsbilling.traces t
	  JOIN lsbilling.billing_events e ON e.trace_id = t.id AND e.metric = 'extended_upgrade' WHERE t.id = pg_temp.u(10)$$,
	$$VALUES ('extended'::text, '2026-06-13 11:05+00'::timestamptz, '2026-06-13 11:05+00'::timestamptz)$$,
	'an automation rule match upgrades its trace, at matched_at');
SELECT is((SELECT count(*)::int FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(10)), 2,
	'an upgraded trace has exactly two events: base_trace and extended_upgrade');

-- threads -----------------------------------------------------------------------
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 20, 20, '2026-06-20 10:00+00', 'th-1');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 21, 21, '2026-06-20 10:05+00', 'th-1');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 22, 22, '2026-06-20 10:10+00', 'th-1');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 23, 23, '2026-06-20 10:15+00', 'th-2');
-- a queue item on a thread's trace upgrades that trace only
SELECT pg_temp.at('2026-06-20 11:00+00');
INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id, added_at)
VALUES ('b0000000-0000-0000-0000-000000000001', 'e0000000-0000-0000-0000-000000000001', pg_temp.u(22), '2026-06-20 11:00+00');
SELECT results_eq($$SELECT pg_temp.tier(20), pg_temp.tier(21), pg_temp.tier(22)$$,
	$$VALUES ('base'::text, 'base'::text, 'extended'::text)$$, 'a queue item upgrades only its own trace, not its thread');
SELECT pg_temp.at('2026-06-21 09:00+00');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score, created_at)
VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(21), 'thumbs', 1, '2026-06-21 09:00+00');
SELECT results_eq($$SELECT pg_temp.tier(20), pg_temp.tier(21), pg_temp.tier(22), pg_temp.tier(23)$$,
	$$VALUES ('extended'::text, 'extended'::text, 'extended'::text, 'base'::text)$$,
	'feedback on one trace of a thread upgrades every trace of that thread, and no other');
SELECT results_eq(
	$$SELECT trace_id, occurred_at FROM lsbilling.billing_events WHERE metric = 'extended_upgrade'
	  AND trace_id IN (pg_temp.u(20), pg_temp.u(21), pg_temp.u(22)) ORDER BY trace_id$$,
	$$VALUES (pg_temp.u(20), '2026-06-21 09:00+00'::timestamptz), (pg_temp.u(21), '2026-06-21 09:00+00'::timestamptz),
	         (pg_temp.u(22), '2026-06-20 11:00+00'::timestamptz)$$,
	'each trace the thread upgrade touched gets its own event at the feedback''s time; the one already extended keeps its own');
SELECT is((SELECT expires_at FROM lsbilling.traces WHERE id = pg_temp.u(20)),
	'2026-06-20 10:00+00'::timestamptz + interval '400 days', 'a thread-upgraded trace expires 400 days after its own start');
-- a trace joining the thread later stays base until the next feedback
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 24, 24, '2026-06-22 10:00+00', 'th-1');
SELECT is(pg_temp.tier(24), 'base', 'a trace joining the thread after the feedback stays base');
SELECT pg_temp.at('2026-06-23 09:00+00');
INSERT INTO lsbilling.feedback (workspace_id, trace_id, key, created_at)
VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(20), 'again', '2026-06-23 09:00+00');
SELECT results_eq($$SELECT pg_temp.tier(24), pg_temp.events(24, 'extended_upgrade'), pg_temp.events(20, 'extended_upgrade')$$,
	$$VALUES ('extended'::text, 1::bigint, 1::bigint)$$,
	'feedback on an already-extended trace of the thread upgrades the thread''s newer base traces, once each');
-- the thread of another workspace is not touched
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000004', 25, 25, '2026-06-20 10:00+00', 'th-1');
SELECT is(pg_temp.tier(25), 'base', 'a thread of the same name in another workspace is not upgraded');

-- upgrade after the root moved start_time: expiry follows the root
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 26, 27, '2026-06-24 10:00:10+00');
SELECT pg_temp.at('2026-06-24 11:00+00');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, created_at)
VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(27), 'k', '2026-06-24 11:00+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 26, 26, '2026-06-24 10:00:00+00');
SELECT is((SELECT expires_at FROM lsbilling.traces WHERE id = pg_temp.u(26)),
	'2026-06-24 10:00:00+00'::timestamptz + interval '400 days',
	'a root arriving after the upgrade moves the extended expiry with start_time');

-- retention settings apply to new traces only -----------------------------------------
UPDATE lsbilling.workspaces SET base_retention_days = 30 WHERE id = 'b0000000-0000-0000-0000-000000000001';
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 28, 28, '2026-06-25 10:00+00');
SELECT results_eq(
	$$SELECT (SELECT expires_at - start_time FROM lsbilling.traces WHERE id = pg_temp.u(23)),
	         (SELECT expires_at - start_time FROM lsbilling.traces WHERE id = pg_temp.u(28))$$,
	$$VALUES (interval '14 days', interval '30 days')$$,
	'changing base_retention_days leaves existing traces alone and applies to new ones');
UPDATE lsbilling.workspaces SET base_retention_days = 14 WHERE id = 'b0000000-0000-0000-0000-000000000001';

-- purged traces -----------------------------------------------------------------
-- trace 30: root 30, child 31, as the retention job leaves it: runs gone, row kept
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 30, 30, '2026-05-01 10:00+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 30, 31, '2026-05-01 10:00:01+00');
SET LOCAL lsbilling.maintenance = on;
DELETE FROM lsbilling.runs WHERE trace_id = pg_temp.u(30);
UPDATE lsbilling.traces SET purged_at = '2026-05-16 03:00+00' WHERE id = pg_temp.u(30);
SET LOCAL lsbilling.maintenance = off;
SELECT is(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, trace_id, key)
	VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(30), 'k')$$),
	'LS410: trace d0000000-0000-0000-0000-000000000030 has been purged / Feedback, annotation queue items and rule matches can only be written for traces whose data is kept.',
	'feedback naming a purged trace is refused with LS410');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, trace_id, key)
	VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(31), pg_temp.u(30), 'k')$$), 5),
	'LS410', 'feedback naming a purged run with its trace is refused with LS410');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, key)
	VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(30), 'k')$$), 5),
	'LS410', 'feedback naming only the purged root run is refused with LS410 (the root''s id is the trace''s)');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id)
	VALUES ('b0000000-0000-0000-0000-000000000001', 'e0000000-0000-0000-0000-000000000001', pg_temp.u(30))$$), 5),
	'LS410', 'a queue item for a purged trace is refused with LS410');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id, trace_id)
	VALUES ('b0000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', pg_temp.u(31), pg_temp.u(30))$$), 5),
	'LS410', 'a rule match for a purged trace is refused with LS410');
SELECT is(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, key)
	VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(31), 'k')$$),
	'23503: run d0000000-0000-0000-0000-000000000031 does not exist in workspace b0000000-0000-0000-0000-000000000001 / Write the run before its feedback, queue items or rule matches; the runs of a trace past its retention period are deleted.',
	'a purged child run named without its trace cannot be told from a missing run: 23503 with a hint');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, trace_id, key)
	VALUES ('b0000000-0000-0000-0000-000000000001', pg_temp.u(999), 'k')$$), 5),
	'23503', 'a trace that never existed is still 23503');
SELECT results_eq($$SELECT pg_temp.tier(30), pg_temp.events(30, 'extended_upgrade'),
	(SELECT count(*) FROM lsbilling.feedback WHERE trace_id = pg_temp.u(30))$$,
	$$VALUES ('base'::text, 0::bigint, 0::bigint)$$, 'refused writes on a purged trace leave nothing behind');
-- a purge that lands between the check and the upgrade (simulated: runs kept, purged_at set)
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 32, 32, '2026-05-02 10:00+00');
UPDATE lsbilling.traces SET purged_at = '2026-05-17 03:00+00' WHERE id = pg_temp.u(32);
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id)
	VALUES ('b0000000-0000-0000-0000-000000000001', 'f0000000-0000-0000-0000-000000000001', pg_temp.u(32))$$), 5),
	'LS410', 'the upgrade trigger itself refuses a trace marked purged even if a run is still found');

-- the ledger is append-only -------------------------------------------------------
SELECT throws_ok($$UPDATE lsbilling.billing_events SET quantity = 0 WHERE trace_id = pg_temp.u(1)$$,
	'42501', 'lsbilling.billing_events is append-only', 'updating the ledger is refused');
SELECT throws_ok($$DELETE FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(1)$$,
	'42501', 'lsbilling.billing_events is append-only', 'deleting from the ledger is refused');
SELECT throws_ok($$TRUNCATE lsbilling.billing_events$$,
	'42501', 'lsbilling.billing_events is append-only', 'truncating the ledger is refused');
SELECT throws_ok($$INSERT INTO lsbilling.billing_events (organization_id, workspace_id, metric, trace_id, occurred_at)
	VALUES ('a0000000-0000-0000-0000-000000000001', 'b0000000-0000-0000-0000-000000000001', 'extended_upgrade', pg_temp.u(1), now())$$,
	'23505', NULL, 'a second extended_upgrade event for a trace is refused by the unique index');
SAVEPOINT maint;
SET LOCAL lsbilling.maintenance = on;
SELECT lives_ok($$DELETE FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(1)$$,
	'the extension''s own maintenance may delete ledger rows');
ROLLBACK TO SAVEPOINT maint;
SELECT is(current_setting('lsbilling.maintenance'), 'off', 'maintenance is off again');

-- deployment runs ---------------------------------------------------------------------
INSERT INTO lsbilling.deployments (workspace_id, id, name)
VALUES ('b0000000-0000-0000-0000-000000000001', 'f1000000-0000-0000-0000-000000000001', 'agent');
SELECT pg_temp.at('2026-06-05 10:00+00');
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id, started_at, kind) VALUES
	('b0000000-0000-0000-0000-000000000001', 'f1000000-0000-0000-0000-000000000001', '2026-06-05 10:00+00', 'run');
SELECT pg_temp.at('2026-06-05 10:30+00');
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id, started_at, kind) VALUES
	('b0000000-0000-0000-0000-000000000001', 'f1000000-0000-0000-0000-000000000001', '2026-06-05 10:30+00', 'resume');
SELECT results_eq(
	$$SELECT organization_id, trace_id, quantity, occurred_at FROM lsbilling.billing_events
	  WHERE metric = 'deployment_run' ORDER BY occurred_at$$,
	$$VALUES ('a0000000-0000-0000-0000-000000000001'::uuid, NULL::uuid, 1::numeric, '2026-06-05 10:00+00'::timestamptz),
	         ('a0000000-0000-0000-0000-000000000001', NULL, 1, '2026-06-05 10:30+00')$$,
	'each deployment run, a resumed interrupt included, records one deployment_run event at the server''s clock');

-- counters agree with the ledger ---------------------------------------------------------
SELECT results_eq(
	$$SELECT month, traces, extended_traces FROM lsbilling.monthly_usage
	  WHERE workspace_id = 'b0000000-0000-0000-0000-000000000001' ORDER BY month$$,
	$$SELECT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date,
	         count(*) FILTER (WHERE metric = 'base_trace'), count(*) FILTER (WHERE metric = 'extended_upgrade')
	  FROM lsbilling.billing_events WHERE workspace_id = 'b0000000-0000-0000-0000-000000000001'
	  AND metric <> 'deployment_run' GROUP BY 1 ORDER BY 1$$,
	'the monthly usage counters equal the ledger''s counts, month by month');

-- max_traces ------------------------------------------------------------------------
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces) VALUES ('b0000000-0000-0000-0000-000000000002', 2);
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 40, 40, now());
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 41, 41, now());
SELECT is(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 42, 42, now())$$),
	'LS429: monthly usage limit max_traces (2) reached / The limit resets at the start of the next calendar month (UTC), in '
	|| pg_temp.reset_seconds() || ' seconds.',
	'a new trace over max_traces is refused with LS429, the limit and its value, and the seconds until the month resets');
SELECT results_eq(
	$$SELECT (SELECT count(*) FROM lsbilling.traces WHERE id = pg_temp.u(42)),
	         (SELECT count(*) FROM lsbilling.runs WHERE id = pg_temp.u(42)),
	         (SELECT count(*) FROM lsbilling.billing_events WHERE trace_id = pg_temp.u(42)),
	         (SELECT traces FROM lsbilling.monthly_usage WHERE workspace_id = 'b0000000-0000-0000-0000-000000000002')$$,
	$$VALUES (0::bigint, 0::bigint, 0::bigint, 2::bigint)$$,
	'the refused trace left no trace, run, event or count behind');
SELECT is(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 40, 43, now())$$),
	'ok', 'more runs of a trace already counted are accepted over the limit');
SELECT is(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 44, 44, now() + interval '1 month')$$),
	'ok', 'a trace of the next month counts against that month');
SELECT is(left(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 45, 45, '2026-01-15 00:00+00')$$), 5),
	'ok', 'a trace written when the server''s clock is in January counts against January');
UPDATE lsbilling.usage_limits SET max_traces = 0 WHERE workspace_id = 'b0000000-0000-0000-0000-000000000002';
SELECT alike(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 46, 46, '2026-01-16 00:00+00')$$),
	'LS429: monthly usage limit max_traces (0) reached / The limit resets at the start of the next calendar month (UTC), in 1382400 seconds.',
	'the hint counts the seconds to the next month from the server''s clock');
SELECT pg_temp.at(now());
UPDATE lsbilling.usage_limits SET max_traces = NULL WHERE workspace_id = 'b0000000-0000-0000-0000-000000000002';
SELECT is(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 42, 42, now())$$),
	'ok', 'a NULL max_traces is no limit');

-- many traces in one statement, savepoints -----------------------------------------------
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('b0000000-0000-0000-0000-000000000005', 'a0000000-0000-0000-0000-000000000001', 'bulk');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('b0000000-0000-0000-0000-000000000005', 'c0000000-0000-0000-0000-000000000007', 'p');
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces, max_extended_traces)
VALUES ('b0000000-0000-0000-0000-000000000005', 4, 1);
CREATE FUNCTION pg_temp.bulk(n int) RETURNS text LANGUAGE sql RETURN format(
	$f$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	   SELECT 'b0000000-0000-0000-0000-000000000005', u, u, 'c0000000-0000-0000-0000-000000000007', 'r', 'chain', now()
	   FROM (SELECT gen_random_uuid() AS u FROM generate_series(1, %s)) s$f$, n);
CREATE FUNCTION pg_temp.bulk_usage() RETURNS text LANGUAGE sql RETURN (
	SELECT traces || '/' || extended_traces || ' counted, ' ||
	       (SELECT count(*) FROM lsbilling.traces WHERE workspace_id = 'b0000000-0000-0000-0000-000000000005') || ' traces, ' ||
	       (SELECT count(*) FROM lsbilling.billing_events WHERE workspace_id = 'b0000000-0000-0000-0000-000000000005') || ' events'
	FROM lsbilling.monthly_usage WHERE workspace_id = 'b0000000-0000-0000-0000-000000000005');
SELECT is(pg_temp.err(pg_temp.bulk(3)), 'ok', 'three new traces in one statement, under a max_traces of 4');
SELECT is(pg_temp.bulk_usage(), '3/0 counted, 3 traces, 3 events', 'a statement''s counts are all written when it ends');
SELECT is(left(pg_temp.err(pg_temp.bulk(2)), 44), 'LS429: monthly usage limit max_traces (4) re',
	'two more in one statement pass the limit: the statement is refused');
SELECT is(pg_temp.bulk_usage(), '3/0 counted, 3 traces, 3 events', 'the refused statement left nothing behind, counts included');
SAVEPOINT bulk;
SELECT is(pg_temp.err(pg_temp.bulk(1)), 'ok', 'in a savepoint, the fourth trace is accepted');
ROLLBACK TO SAVEPOINT bulk;
SELECT is(pg_temp.bulk_usage(), '3/0 counted, 3 traces, 3 events', 'rolling back the savepoint takes its count with it');
SELECT is(pg_temp.err(pg_temp.bulk(1)), 'ok', 'so the fourth trace is accepted again');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, trace_id, key)
	SELECT workspace_id, id, 'k' FROM lsbilling.traces WHERE workspace_id = 'b0000000-0000-0000-0000-000000000005' LIMIT 2$$), 46),
	'LS429: monthly usage limit max_extended_traces', 'feedback on two traces in one statement over max_extended_traces 1 is refused');
INSERT INTO lsbilling.feedback (workspace_id, trace_id, key)
SELECT workspace_id, id, 'k' FROM lsbilling.traces WHERE workspace_id = 'b0000000-0000-0000-0000-000000000005' LIMIT 1;
SELECT is(pg_temp.bulk_usage(), '4/1 counted, 4 traces, 5 events', 'one upgrade is accepted and counted');

-- max_extended_traces -------------------------------------------------------------------
INSERT INTO lsbilling.usage_limits (workspace_id, max_extended_traces) VALUES ('b0000000-0000-0000-0000-000000000003', 1);
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000004', 50, 50, now(), 'th-x');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000004', 51, 51, now(), 'th-x');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000004', 52, 52, now());
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000004', 53, 53, now());
INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id)
VALUES ('b0000000-0000-0000-0000-000000000003', 'f0000000-0000-0000-0000-000000000003', pg_temp.u(52));
SELECT is(pg_temp.tier(52), 'extended', 'an upgrade up to max_extended_traces is accepted');
SELECT is(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('b0000000-0000-0000-0000-000000000003', pg_temp.u(53), 'k')$$),
	'LS429: monthly usage limit max_extended_traces (1) reached / The limit resets at the start of the next calendar month (UTC), in '
	|| pg_temp.reset_seconds() || ' seconds.',
	'feedback that would upgrade over max_extended_traces is refused with LS429');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id)
	VALUES ('b0000000-0000-0000-0000-000000000003', 'e0000000-0000-0000-0000-000000000003', pg_temp.u(53))$$), 46),
	'LS429: monthly usage limit max_extended_traces', 'a queue item that would upgrade over the limit is refused');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id)
	VALUES ('b0000000-0000-0000-0000-000000000003', 'f0000000-0000-0000-0000-000000000003', pg_temp.u(53))$$), 46),
	'LS429: monthly usage limit max_extended_traces', 'a rule match that would upgrade over the limit is refused');
SELECT results_eq(
	$$SELECT pg_temp.tier(53), pg_temp.events(53, 'extended_upgrade'),
	  (SELECT count(*) FROM lsbilling.feedback WHERE trace_id = pg_temp.u(53))
	+ (SELECT count(*) FROM lsbilling.annotation_queue_runs WHERE trace_id = pg_temp.u(53))
	+ (SELECT count(*) FROM lsbilling.rule_matches WHERE trace_id = pg_temp.u(53))$$,
	$$VALUES ('base'::text, 0::bigint, 0::bigint)$$,
	'the refused trace stays base, with no event and no feedback, queue item or rule match left behind');
SELECT is(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('b0000000-0000-0000-0000-000000000003', pg_temp.u(52), 'k')$$),
	'ok', 'feedback on an already-extended trace is accepted at the limit (it upgrades nothing)');
UPDATE lsbilling.usage_limits SET max_extended_traces = 2 WHERE workspace_id = 'b0000000-0000-0000-0000-000000000003';
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('b0000000-0000-0000-0000-000000000003', pg_temp.u(50), 'k')$$), 46),
	'LS429: monthly usage limit max_extended_traces', 'feedback whose thread upgrade would pass the limit is refused as a whole');
SELECT results_eq($$SELECT pg_temp.tier(50), pg_temp.tier(51)$$, $$VALUES ('base'::text, 'base'::text)$$,
	'no trace of the refused thread was upgraded');
SELECT alike(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000005', 54, 54, now())$$),
	'ok', 'a trace created extended up to the limit is accepted');
SELECT alike(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000003', 'c0000000-0000-0000-0000-000000000005', 55, 55, now())$$),
	'LS429: monthly usage limit max_extended_traces (2) reached%', 'a new trace in an extended project over the limit is refused');
SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE id = pg_temp.u(55)), 0, 'and leaves no trace row');

-- the developer plan without a payment method: 5,000 traces a month -------------------------
-- 4,999 counted already (slot 8 is no backend's own: every slot counts)
INSERT INTO lsbilling.usage_counters (workspace_id, month, slot, traces)
VALUES ('b0000000-0000-0000-0000-000000000004', date_trunc('month', now() AT TIME ZONE 'UTC')::date, 8, 4999);
SELECT is(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000004', 'c0000000-0000-0000-0000-000000000006', 60, 60, now())$$),
	'ok', 'the 5,000th trace of the month is accepted on the developer plan without a payment method');
SELECT is(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000004', 'c0000000-0000-0000-0000-000000000006', 61, 61, now())$$),
	'LS429: monthly trace limit of the developer plan without a payment method (5000) reached / The limit resets at the start of the next calendar month (UTC), in '
	|| pg_temp.reset_seconds() || ' seconds.',
	'the 5,001st is refused with LS429');
UPDATE lsbilling.organizations SET has_payment_method = true WHERE id = 'a0000000-0000-0000-0000-000000000002';
SELECT is(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000004', 'c0000000-0000-0000-0000-000000000006', 61, 61, now())$$),
	'ok', 'with a payment method the built-in limit is gone');
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces) VALUES ('b0000000-0000-0000-0000-000000000004', 5001);
SELECT is(left(pg_temp.err($$SELECT pg_temp.run('b0000000-0000-0000-0000-000000000004', 'c0000000-0000-0000-0000-000000000006', 62, 62, now())$$), 47),
	'LS429: monthly usage limit max_traces (5001) re', 'an own max_traces applies on the developer plan too');

-- June 30 / July 3, invoices ----------------------------------------------------------------
-- a plan with a small free allowance so that the deduction shows
INSERT INTO lsbilling.plans (id, seat_price, free_traces_per_month) VALUES ('test', 39, 2);
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('a0000000-0000-0000-0000-000000000009', 'Invoiced', 'test', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('b0000000-0000-0000-0000-000000000009', 'a0000000-0000-0000-0000-000000000009', 'one'),
	('b0000000-0000-0000-0000-000000000010', 'a0000000-0000-0000-0000-000000000009', 'two');
INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES
	('b0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000009', 'p'),
	('b0000000-0000-0000-0000-000000000010', 'c0000000-0000-0000-0000-000000000010', 'p');
SET LOCAL TimeZone = 'America/New_York';
-- June: traces 70..73 in workspace one, 74 in two; 75 is June 30 evening in New York = July 1 UTC
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000009', 70, 70, '2026-06-01 00:00:00+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000009', 71, 71, '2026-06-15 12:00+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000009', 72, 72, '2026-06-30 12:00+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000009', 73, 73, '2026-06-30 23:59:59+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000010', 'c0000000-0000-0000-0000-000000000010', 74, 74, '2026-06-20 12:00+00');
SELECT pg_temp.run('b0000000-0000-0000-0000-000000000009', 'c0000000-0000-0000-0000-000000000009', 75, 75, '2026-06-30 22:00-04');
-- 71 upgraded in June; 72 made June 30, upgraded July 3
SELECT pg_temp.at('2026-06-16 00:00+00');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, created_at) VALUES
	('b0000000-0000-0000-0000-000000000009', pg_temp.u(71), 'k', '2026-06-16 00:00+00');
SELECT pg_temp.at('2026-07-03 09:00+00');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, created_at) VALUES
	('b0000000-0000-0000-0000-000000000009', pg_temp.u(72), 'k', '2026-07-03 09:00+00');
INSERT INTO lsbilling.deployments (workspace_id, id, name)
VALUES ('b0000000-0000-0000-0000-000000000010', 'f1000000-0000-0000-0000-000000000010', 'agent');
SELECT pg_temp.at('2026-06-10 00:00+00');
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id, started_at, kind) VALUES
	('b0000000-0000-0000-0000-000000000010', 'f1000000-0000-0000-0000-000000000010', '2026-06-10 00:00+00', 'run'),
	('b0000000-0000-0000-0000-000000000010', 'f1000000-0000-0000-0000-000000000010', '2026-06-10 00:05+00', 'resume');
SELECT pg_temp.at('2026-07-01 00:00+00');
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id, started_at, kind) VALUES
	('b0000000-0000-0000-0000-000000000010', 'f1000000-0000-0000-0000-000000000010', '2026-07-01 00:00+00', 'run');
-- members: the history the seats come from
INSERT INTO lsbilling.users (id, email)
SELECT ('10000000-0000-0000-0000-00000000000' || n)::uuid, 'u' || n || '@example.com' FROM generate_series(1, 7) n;
INSERT INTO lsbilling.organization_members (organization_id, user_id, status, joined_at, removed_at) VALUES
	('a0000000-0000-0000-0000-000000000009', '10000000-0000-0000-0000-000000000001', 'active', '2026-01-01 00:00+00', NULL),
	-- invited users count
	('a0000000-0000-0000-0000-000000000009', '10000000-0000-0000-0000-000000000002', 'invited', '2026-05-20 00:00+00', NULL),
	-- joined on the 1st: a full month
	('a0000000-0000-0000-0000-000000000009', '10000000-0000-0000-0000-000000000003', 'active', '2026-06-01 00:00+00', NULL),
	-- joined June 16: 15 of 30 days left
	('a0000000-0000-0000-0000-000000000009', '10000000-0000-0000-0000-000000000004', 'active', '2026-06-16 09:00+00', NULL),
	-- removed June 10: not refunded
	('a0000000-0000-0000-0000-000000000009', '10000000-0000-0000-0000-000000000005', 'active', '2026-02-01 00:00+00', '2026-06-10 00:00+00'),
	-- removed before June: nothing
	('a0000000-0000-0000-0000-000000000009', '10000000-0000-0000-0000-000000000006', 'active', '2026-02-01 00:00+00', '2026-05-31 00:00+00'),
	-- joined June 21 and removed June 25: 10 of 30 days, not refunded
	('a0000000-0000-0000-0000-000000000009', '10000000-0000-0000-0000-000000000007', 'active', '2026-06-21 00:00+00', '2026-06-25 00:00+00');
SELECT results_eq(
	$$SELECT item, quantity, unit_price, amount FROM lsbilling.invoice('a0000000-0000-0000-0000-000000000009', '2026-06-01')$$,
	$$VALUES ('seats'::text, 4.833333::numeric, 39::numeric, 188.499987::numeric),
	         ('base traces', 3, 0.0005, 0.0015),
	         ('extended-retention upgrades', 1, 0.0045, 0.0045),
	         ('deployment runs', 2, 0.005, 0.010),
	         ('total', NULL, NULL, 188.515987)$$,
	'June invoice, line by line: 4 full seats + 15/30 + 10/30 prorated, 5 base traces less 2 free, 1 upgrade, 2 deployment runs, total');
SELECT results_eq(
	$$SELECT item, quantity, amount FROM lsbilling.invoice('a0000000-0000-0000-0000-000000000009', '2026-07-17')$$,
	$$VALUES ('seats'::text, 4::numeric, 156::numeric),
	         ('base traces', 0, 0.0000),
	         ('extended-retention upgrades', 1, 0.0045),
	         ('deployment runs', 1, 0.005),
	         ('total', NULL, 156.0095)$$,
	'July invoice: the June 30 trace upgraded July 3 bills its upgrade in July; June 30 22:00 New York is a July trace, inside the free allowance');
SELECT results_eq(
	$$SELECT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date, metric FROM lsbilling.billing_events
	  WHERE trace_id = pg_temp.u(72) ORDER BY occurred_at$$,
	$$VALUES ('2026-06-01'::date, 'base_trace'::text), ('2026-07-01', 'extended_upgrade')$$,
	'a trace made June 30 and upgraded July 3 is a base trace in June and an upgrade in July');
SELECT results_eq(
	$$SELECT item, quantity FROM lsbilling.invoice('a0000000-0000-0000-0000-000000000009', '2026-05-01') WHERE item IN ('seats', 'base traces')$$,
	$$VALUES ('seats'::text, 3.387097::numeric), ('base traces', 0::numeric)$$,
	'May: three full seats (one removed May 31, not refunded), the May 20 invite prorated 12/31');
SELECT results_eq(
	$$SELECT item, quantity, amount FROM lsbilling.invoice('a0000000-0000-0000-0000-000000000001', '2026-06-01')$$,
	$$VALUES ('seats'::text, 0::numeric, 0::numeric), ('base traces', 0, 0.0000),
	         ('extended-retention upgrades', 10, 0.0450), ('deployment runs', 2, 0.010), ('total', NULL, 0.0550)$$,
	'plus plan in June: the 10,000 free traces cover the base traces; upgrades are billed');
SELECT results_eq(
	$$SELECT * FROM lsbilling.usage('b0000000-0000-0000-0000-000000000009', '2026-06-29', '2026-07-03')$$,
	$$VALUES ('2026-06-29'::date, 0::bigint, 0::bigint), ('2026-06-30', 2, 0), ('2026-07-01', 1, 0),
	         ('2026-07-02', 0, 0), ('2026-07-03', 0, 1)$$,
	'usage(): billable base traces and upgrades per UTC day, both ends included, empty days as zeros');
SELECT is((SELECT sum(base_traces) FROM lsbilling.usage('b0000000-0000-0000-0000-000000000009', '2026-06-01', '2026-06-30')),
	4::numeric, 'usage() per workspace: June in workspace one has 4 base traces');

-- the invoice is at least the sum of its lines (and a non-existent organization has none)
SELECT is((SELECT count(*)::int FROM lsbilling.invoice(gen_random_uuid(), '2026-06-01')), 1,
	'an unknown organization gets only a total line');

SELECT * FROM finish();
ROLLBACK;
