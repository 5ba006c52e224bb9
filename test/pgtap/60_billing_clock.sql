-- The clock that bills is the server's (issue 11): the ledger's occurred_at,
-- the month a limit counts in and the start of retention come from
-- lsbilling.clock_now(), never from start_time / created_at / started_at a
-- client writes.  The adversarial review's cases, as the application role.
BEGIN;
SELECT plan(11);

INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('a6000000-0000-0000-0000-000000000001', 'Clocked', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('b6000000-0000-0000-0000-000000000001', 'a6000000-0000-0000-0000-000000000001', 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('b6000000-0000-0000-0000-000000000001', 'c6000000-0000-0000-0000-000000000001', 'p');
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces, max_extended_traces)
VALUES ('b6000000-0000-0000-0000-000000000001', 2, 1);
INSERT INTO lsbilling.deployments (workspace_id, id, name)
VALUES ('b6000000-0000-0000-0000-000000000001', 'd6000000-0000-0000-0000-0000000000ff', 'agent');

CREATE FUNCTION pg_temp.u(n int) RETURNS uuid LANGUAGE sql IMMUTABLE
RETURN format('d6000000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid;
CREATE FUNCTION pg_temp.run(t int, id int, st timestamptz) RETURNS void LANGUAGE sql AS $$
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES ('b6000000-0000-0000-0000-000000000001', pg_temp.u(id), pg_temp.u(t), CASE WHEN id <> t THEN pg_temp.u(t) END,
		'c6000000-0000-0000-0000-000000000001', 'r', 'chain', st)
$$;
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END $$;

-- the server's clock: June 15, 2026 (the test clock is superuser-only; the writes below are the application's)
SET LOCAL lsbilling.test_clock = '2026-06-15 12:00:00+00';
CREATE ROLE lsb_clock_app NOLOGIN;
-- the documented ingest grants and a service key of the workspace (row-level security)
SELECT lsbilling.grant_access('lsb_clock_app', 'ingest');
INSERT INTO lsbilling.users (id, email) VALUES ('f6000000-0000-0000-0000-000000000001', 'admin@clocked');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role)
VALUES ('a6000000-0000-0000-0000-000000000001', 'f6000000-0000-0000-0000-000000000001', 'admin');
CREATE TEMP TABLE clock_key AS
SELECT key FROM lsbilling.create_service_key('a6000000-0000-0000-0000-000000000001', 'clock app',
	ARRAY['b6000000-0000-0000-0000-000000000001']::uuid[], 'admin', NULL, 'f6000000-0000-0000-0000-000000000001');
GRANT SELECT ON clock_key TO lsb_clock_app;
GRANT EXECUTE ON FUNCTION pg_temp.run(int, int, timestamptz), pg_temp.u(int), pg_temp.err(text) TO lsb_clock_app;
SET LOCAL ROLE lsb_clock_app;
SELECT lsbilling.authenticate((SELECT key FROM clock_key), 'b6000000-0000-0000-0000-000000000001') IS NOT NULL AS authenticated \gset

-- traces back-dated by months still count in the server's month: max_traces 2 holds
SELECT pg_temp.run(1, 1, '2026-01-10 00:00+00');
SELECT pg_temp.run(2, 2, '2025-12-01 00:00+00');
SELECT is(left(pg_temp.err($$SELECT pg_temp.run(3, 3, '2026-02-01 00:00+00')$$), 49),
	'LS429: monthly usage limit max_traces (2) reached',
	'a third trace back-dated by months is refused by a max_traces of 2 (counted in the server''s month)');
-- feedback back-dated by months still upgrades in the server's month: max_extended_traces 1 holds
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, created_at)
VALUES ('b6000000-0000-0000-0000-000000000001', pg_temp.u(1), 'k', '2026-01-11 00:00+00');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, key, created_at)
	VALUES ('b6000000-0000-0000-0000-000000000001', pg_temp.u(2), 'k', '2025-12-02 00:00+00')$$), 58),
	'LS429: monthly usage limit max_extended_traces (1) reached',
	'a second upgrade by back-dated feedback is refused by a max_extended_traces of 1');
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id, started_at)
VALUES ('b6000000-0000-0000-0000-000000000001', 'd6000000-0000-0000-0000-0000000000ff', '2025-01-01 00:00+00');
RESET ROLE;

SELECT results_eq(
	$$SELECT metric, occurred_at FROM lsbilling.billing_events
	  WHERE workspace_id = 'b6000000-0000-0000-0000-000000000001' ORDER BY metric, trace_id$$,
	$$VALUES ('base_trace'::text, '2026-06-15 12:00+00'::timestamptz), ('base_trace', '2026-06-15 12:00+00'),
	         ('deployment_run', '2026-06-15 12:00+00'), ('extended_upgrade', '2026-06-15 12:00+00')$$,
	'every ledger event is at the server''s clock, whatever start_time, created_at or started_at the client sent');
SELECT results_eq(
	$$SELECT month, traces, extended_traces FROM lsbilling.monthly_usage WHERE workspace_id = 'b6000000-0000-0000-0000-000000000001'$$,
	$$VALUES ('2026-06-01'::date, 2::bigint, 1::bigint)$$,
	'the limit month is the server''s month');
SELECT is((SELECT quantity FROM lsbilling.invoice('a6000000-0000-0000-0000-000000000001', '2026-06-01') WHERE item = 'extended-retention upgrades'),
	1::numeric, 'the current month''s preview bills the back-dated upgrade');
SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE id IN (pg_temp.u(1), pg_temp.u(2)) AND start_time < '2026-02-01'),
	2, 'the client''s start times stay as data');
SELECT is((SELECT (upgraded_at, expires_at)::text FROM lsbilling.traces WHERE id = pg_temp.u(1)),
	('2026-06-15 12:00+00'::timestamptz, '2026-01-10 00:00+00'::timestamptz + interval '400 days')::text,
	'the upgrade is at the server''s clock; a back-dated trace keeps its earlier expiry');

-- a root dated ten years ahead keeps a base trace 14 days from the server's clock, not ten years
UPDATE lsbilling.usage_limits SET max_traces = NULL, max_extended_traces = NULL
WHERE workspace_id = 'b6000000-0000-0000-0000-000000000001';
SELECT pg_temp.run(10, 10, '2036-06-15 12:00+00');
SELECT is((SELECT expires_at FROM lsbilling.traces WHERE id = pg_temp.u(10)),
	'2026-06-29 12:00+00'::timestamptz, 'a root dated ten years ahead expires 14 days after the server''s clock');
-- the same through a child first (a multi-row statement), then the future root
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES ('b6000000-0000-0000-0000-000000000001', pg_temp.u(12), pg_temp.u(11), pg_temp.u(11),
		'c6000000-0000-0000-0000-000000000001', 'r', 'chain', '2026-06-15 11:00+00'),
	   ('b6000000-0000-0000-0000-000000000001', pg_temp.u(13), pg_temp.u(11), pg_temp.u(11),
		'c6000000-0000-0000-0000-000000000001', 'r', 'chain', '2026-06-15 11:00:01+00');
SELECT pg_temp.run(11, 11, '2036-06-15 12:00+00');
SELECT results_eq(
	$$SELECT start_time, expires_at FROM lsbilling.traces WHERE id = pg_temp.u(11)$$,
	$$VALUES ('2036-06-15 12:00+00'::timestamptz, '2026-06-29 11:00+00'::timestamptz)$$,
	'a root dated ahead, arriving after its children, moves start_time but never extends the expiry');
-- an upgrade of a trace dated ahead: 400 days from the server's clock
INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('b6000000-0000-0000-0000-000000000001', pg_temp.u(10), 'k');
SELECT is((SELECT expires_at FROM lsbilling.traces WHERE id = pg_temp.u(10)),
	'2026-06-15 12:00+00'::timestamptz + interval '400 days', 'an upgraded trace dated ahead keeps 400 days from the server''s clock');
-- a trace started far in the past is stored, expires at once, and is billed now
SELECT pg_temp.run(20, 20, '2020-01-01 00:00+00');
SELECT results_eq(
	$$SELECT t.expires_at < '2026-06-15', e.occurred_at FROM lsbilling.traces t
	  JOIN lsbilling.billing_events e ON e.workspace_id = t.workspace_id AND e.trace_id = t.id WHERE t.id = pg_temp.u(20)$$,
	$$VALUES (true, '2026-06-15 12:00+00'::timestamptz)$$,
	'a trace started years ago is stored and billed at the server''s clock, with no retention beyond its start');

SELECT * FROM finish();
ROLLBACK;
