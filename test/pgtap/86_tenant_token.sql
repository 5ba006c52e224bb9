-- The tenant token (src/tenant_token.c) on one PostgreSQL: without Citus
-- authenticate() issues none and a token set by the client is never taken
-- for a context.  The Citus side is tested by test/citus/86_tenant_context.sh.
-- The attacks run as a non-superuser application role.
BEGIN;
SELECT plan(7);

CREATE FUNCTION pg_temp.as_role(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE q;
	RESET ROLE;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	RETURN st;
END $$;
CREATE FUNCTION pg_temp.val(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE q INTO v;
	RESET ROLE;
	RETURN v;
END $$;

INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method) VALUES
	('a8600000-0000-0000-0000-000000000001', 'Tok', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('b8600000-0000-0000-0000-000000000001', 'a8600000-0000-0000-0000-000000000001', 'prod');
INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES
	('b8600000-0000-0000-0000-000000000001', 'c8600000-0000-0000-0000-000000000001', 'bot');
INSERT INTO lsbilling.users (id, email) VALUES ('e8600000-0000-0000-0000-000000000001', 'admin@tok');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role, joined_at) VALUES
	('a8600000-0000-0000-0000-000000000001', 'e8600000-0000-0000-0000-000000000001', 'admin', '2026-01-01');
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time) VALUES
	('b8600000-0000-0000-0000-000000000001', 'd8600000-0000-0000-0000-000000000001',
	 'd8600000-0000-0000-0000-000000000001', 'c8600000-0000-0000-0000-000000000001', 'r', 'chain',
	 lsbilling.clock_now());
CREATE ROLE lsb_t86_app NOLOGIN;
SELECT lsbilling.grant_access('lsb_t86_app', 'ingest');
SELECT lsbilling.grant_access('lsb_t86_app', 'read');
CREATE TABLE pg_temp.k AS
SELECT key FROM lsbilling.create_service_key('a8600000-0000-0000-0000-000000000001', 'svc',
	ARRAY['b8600000-0000-0000-0000-000000000001'::uuid], 'admin', NULL, 'e8600000-0000-0000-0000-000000000001');
GRANT SELECT ON pg_temp.k TO lsb_t86_app;

SELECT is(pg_temp.as_role('lsb_t86_app', 'SHOW lsbilling.tenant_token'), '42501',
	'the application role cannot read lsbilling.tenant_token (superuser-only setting)');
SET LOCAL lsbilling.tenant_token = 'v1.AQBzZXJ2aWNlAA==.0000000000000000000000000000000000000000000000000000000000000000';
SELECT is(pg_temp.val('lsb_t86_app', 'SELECT count(*) FROM lsbilling.runs WHERE workspace_id = ''b8600000-0000-0000-0000-000000000001'''),
	'0', 'a token set by the client is no context: no rows');
SELECT is(pg_temp.val('lsb_t86_app', 'SELECT lsbilling.current_workspace_ids()::text || coalesce(lsbilling.current_key_id()::text, ''-'')'),
	'{}-', 'and no principal for current_workspace_ids() and current_key_id()');
SELECT is(pg_temp.as_role('lsb_t86_app', $q$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b8600000-0000-0000-0000-000000000001', 'd8600000-0000-0000-0000-000000000002',
	'd8600000-0000-0000-0000-000000000002', 'c8600000-0000-0000-0000-000000000001', 'x', 'chain', now())$q$),
	'42501', 'and no writes');
RESET lsbilling.tenant_token;

SELECT is(pg_temp.as_role('lsb_t86_app', 'SELECT lsbilling.authenticate((SELECT key FROM pg_temp.k), NULL)'), 'ok',
	'the service key authenticates');
SELECT is(current_setting('lsbilling.tenant_token'), '',
	'without Citus, authenticate() issues no token (the context stays in backend memory)');
SELECT is(pg_temp.val('lsb_t86_app', 'SELECT count(*) FROM lsbilling.runs WHERE workspace_id = ''b8600000-0000-0000-0000-000000000001'''),
	'1', 'and the context works as before: the workspace''s run is visible');

SELECT * FROM finish();
ROLLBACK;
