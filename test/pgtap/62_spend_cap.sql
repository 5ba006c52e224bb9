-- The optional monthly spend cap of an organization (issue 11): enforced at
-- write time like the trace limits (LS429, naming the cap and the month's
-- amount so far), over all the organization's workspaces; and the limits
-- shown in dollars in lsbilling.monthly_usage.
BEGIN;
SELECT plan(9);

SET LOCAL lsbilling.test_clock = '2026-06-15 12:00:00+00';
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('a6200000-0000-0000-0000-000000000001', 'Capped', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('b6200000-0000-0000-0000-000000000001', 'a6200000-0000-0000-0000-000000000001', 'one'),
	('b6200000-0000-0000-0000-000000000002', 'a6200000-0000-0000-0000-000000000001', 'two');
INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES
	('b6200000-0000-0000-0000-000000000001', 'c6200000-0000-0000-0000-000000000001', 'p');
INSERT INTO lsbilling.usage_limits (workspace_id, max_traces, max_extended_traces)
VALUES ('b6200000-0000-0000-0000-000000000001', 20000, 100);
-- workspace two already has 11,998 traces this month: 1,998 beyond plus's 10,000 free = $0.999
INSERT INTO lsbilling.usage_counters (workspace_id, month, slot, traces)
VALUES ('b6200000-0000-0000-0000-000000000002', '2026-06-01', 8, 11998);
INSERT INTO lsbilling.spend_caps (organization_id, monthly_cap) VALUES ('a6200000-0000-0000-0000-000000000001', 1.00);

CREATE FUNCTION pg_temp.u(n int) RETURNS uuid LANGUAGE sql IMMUTABLE
RETURN format('d6200000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid;
CREATE FUNCTION pg_temp.run(t int) RETURNS void LANGUAGE sql AS $$
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES ('b6200000-0000-0000-0000-000000000001', pg_temp.u(t), pg_temp.u(t), 'c6200000-0000-0000-0000-000000000001', 'r', 'chain',
		'2026-06-15 11:00+00')
$$;
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || msg || ' / ' || det;
END $$;

-- the application role writes, with the documented ingest grants and a
-- service key of workspace one; the cap and the counters are not its to change
CREATE ROLE lsb_cap_app NOLOGIN;
SELECT lsbilling.grant_access('lsb_cap_app', 'ingest');
INSERT INTO lsbilling.users (id, email) VALUES ('f6200000-0000-0000-0000-000000000001', 'admin@capped');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role)
VALUES ('a6200000-0000-0000-0000-000000000001', 'f6200000-0000-0000-0000-000000000001', 'admin');
CREATE TEMP TABLE cap_key AS
SELECT key FROM lsbilling.create_service_key('a6200000-0000-0000-0000-000000000001', 'cap app',
	ARRAY['b6200000-0000-0000-0000-000000000001']::uuid[], 'admin', NULL, 'f6200000-0000-0000-0000-000000000001');
GRANT SELECT ON cap_key TO lsb_cap_app;
GRANT EXECUTE ON FUNCTION pg_temp.run(int), pg_temp.u(int), pg_temp.err(text) TO lsb_cap_app;
SET LOCAL ROLE lsb_cap_app;
SELECT lsbilling.authenticate((SELECT key FROM cap_key), 'b6200000-0000-0000-0000-000000000001') IS NOT NULL AS authenticated \gset

SELECT is(pg_temp.err('SELECT pg_temp.run(1)'), 'ok', 'a trace that brings the month to $0.9995 is accepted');
SELECT is(pg_temp.err('SELECT pg_temp.run(2)'), 'ok', 'a trace that brings it to exactly the $1.00 cap is accepted');
SELECT is(pg_temp.err('SELECT pg_temp.run(3)'),
	'LS429: monthly spend cap of $1.00 reached / Organization a6200000-0000-0000-0000-000000000001 has $1.0000 of charges in 2026-06 (UTC) so far (base traces beyond the free allowance and extended-retention upgrades, at the plus plan''s prices); this write would bring them to $1.0005.',
	'the next trace is refused with LS429, naming the cap and the month''s amount so far, over both workspaces');
SELECT is(left(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, key)
	VALUES ('b6200000-0000-0000-0000-000000000001', pg_temp.u(1), 'k')$$), 40),
	'LS429: monthly spend cap of $1.00 reache', 'an upgrade past the cap is refused too');
SELECT is(pg_temp.err($$UPDATE lsbilling.spend_caps SET monthly_cap = 100$$) LIKE '42501%', true,
	'the application role cannot raise the cap');
RESET ROLE;
SELECT results_eq(
	$$SELECT (SELECT count(*) FROM lsbilling.traces WHERE id = pg_temp.u(3)), (SELECT tier FROM lsbilling.traces WHERE id = pg_temp.u(1))$$,
	$$VALUES (0::bigint, 'base'::text)$$, 'the refused writes left nothing behind');

UPDATE lsbilling.spend_caps SET monthly_cap = 2.00;
SELECT is(pg_temp.err('SELECT pg_temp.run(3)'), 'ok', 'with the cap raised the trace is accepted');

-- limits in dollars
SELECT results_eq(
	$$SELECT traces, extended_traces, plan, traces_usd, extended_traces_usd, max_traces_usd, max_extended_traces_usd,
	         organization_spend_cap_usd
	  FROM lsbilling.monthly_usage WHERE workspace_id = 'b6200000-0000-0000-0000-000000000001'$$,
	$$VALUES (3::bigint, 0::bigint, 'plus'::text, 0.0015::numeric, 0::numeric, 10.0000::numeric, 0.4500::numeric, 2.00::numeric)$$,
	'monthly_usage shows the counts and the limits in dollars at the plan''s prices');
SELECT is((SELECT traces_usd FROM lsbilling.monthly_usage WHERE workspace_id = 'b6200000-0000-0000-0000-000000000002'),
	5.9990::numeric, 'every workspace of the organization, in dollars (gross: the free allowance comes off on the invoice)');

SELECT * FROM finish();
ROLLBACK;
