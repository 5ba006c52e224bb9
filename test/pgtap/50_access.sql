-- Access (issue 8): the write path as the extension's owner, application
-- roles with grant_access() only, row-level security per workspace, API keys,
-- the roles matrix, personal organizations, resource tags.  The attacks run
-- as non-superuser roles (SET ROLE inside pg_temp.as_role, so that pgTAP's
-- own temp tables stay the superuser's).
BEGIN;
SELECT plan(84);

-- helpers ------------------------------------------------------------------
-- "SQLSTATE: message" of q run as role r, or 'ok'
CREATE FUNCTION pg_temp.as_role(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE q;
	RESET ROLE;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END $$;
-- the first column of q's first row, as role r
CREATE FUNCTION pg_temp.val(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE q INTO v;
	RESET ROLE;
	RETURN v;
END $$;
CREATE FUNCTION pg_temp.state(r text, q text) RETURNS text LANGUAGE sql
RETURN split_part(pg_temp.as_role(r, q), ':', 1);
CREATE TABLE pg_temp.keys (n text PRIMARY KEY, id uuid, key text, short_key text);
CREATE FUNCTION pg_temp.auth(n text, ws uuid DEFAULT NULL) RETURNS text LANGUAGE sql
RETURN format('SELECT lsbilling.authenticate(%L, %L)', (SELECT key FROM pg_temp.keys k WHERE k.n = auth.n), ws);

-- fixtures -----------------------------------------------------------------
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method) VALUES
	('a5000000-0000-0000-0000-000000000001', 'Ent', 'enterprise', true),
	('a5000000-0000-0000-0000-000000000002', 'Rival', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('b5000000-0000-0000-0000-000000000001', 'a5000000-0000-0000-0000-000000000001', 'prod'),
	('b5000000-0000-0000-0000-000000000002', 'a5000000-0000-0000-0000-000000000001', 'dev'),
	('b5000000-0000-0000-0000-000000000003', 'a5000000-0000-0000-0000-000000000002', 'rival');
INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES
	('b5000000-0000-0000-0000-000000000001', 'c5000000-0000-0000-0000-000000000001', 'bot'),
	('b5000000-0000-0000-0000-000000000001', 'c5000000-0000-0000-0000-000000000002', 'rag'),
	('b5000000-0000-0000-0000-000000000002', 'c5000000-0000-0000-0000-000000000004', 'dev-bot'),
	('b5000000-0000-0000-0000-000000000003', 'c5000000-0000-0000-0000-000000000003', 'rival-bot');
INSERT INTO lsbilling.annotation_queues (workspace_id, id, name)
VALUES ('b5000000-0000-0000-0000-000000000001', 'e5000000-0000-0000-0000-000000000001', 'review');
INSERT INTO lsbilling.automation_rules (workspace_id, id, name)
VALUES ('b5000000-0000-0000-0000-000000000001', 'f5000000-0000-0000-0000-000000000001', 'errors');
INSERT INTO lsbilling.deployments (workspace_id, id, name)
VALUES ('b5000000-0000-0000-0000-000000000001', 'f5100000-0000-0000-0000-000000000001', 'agent');
INSERT INTO lsbilling.users (id, email) VALUES
	('e5100000-0000-0000-0000-000000000001', 'admin@ent'),
	('e5100000-0000-0000-0000-000000000002', 'viewer@ent'),
	('e5100000-0000-0000-0000-000000000003', 'orgviewer@ent'),
	('e5100000-0000-0000-0000-000000000004', 'leaver@ent');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role, joined_at) VALUES
	('a5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000001', 'admin', '2026-01-01'),
	('a5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000002', 'user', '2026-01-01'),
	('a5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000003', 'viewer', '2026-01-01'),
	('a5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000004', 'user', '2026-01-01');
INSERT INTO lsbilling.workspace_members (workspace_id, user_id, role) VALUES
	('b5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000002', 'viewer'),
	('b5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000004', 'editor');

-- an application role with the documented grants only, and one with nothing
CREATE ROLE lsb_test_app NOLOGIN;
CREATE ROLE lsb_test_admin NOLOGIN;
CREATE ROLE lsb_test_nobody NOLOGIN;
SELECT lsbilling.grant_access('lsb_test_app', 'ingest');
SELECT lsbilling.grant_access('lsb_test_app', 'read');
SELECT lsbilling.grant_access('lsb_test_admin', 'admin');

INSERT INTO pg_temp.keys
SELECT 'svc_prod', * FROM lsbilling.create_service_key('a5000000-0000-0000-0000-000000000001', 'ingest prod',
	ARRAY['b5000000-0000-0000-0000-000000000001'::uuid], 'editor', NULL, 'e5100000-0000-0000-0000-000000000001');
INSERT INTO pg_temp.keys
SELECT 'svc_org', * FROM lsbilling.create_service_key('a5000000-0000-0000-0000-000000000001', 'org-wide',
	NULL, 'admin', NULL, 'e5100000-0000-0000-0000-000000000001');
INSERT INTO pg_temp.keys
SELECT 'pat_viewer', * FROM lsbilling.create_pat('a5000000-0000-0000-0000-000000000001',
	'e5100000-0000-0000-0000-000000000002', 'my script');
INSERT INTO pg_temp.keys
SELECT 'pat_leaver', * FROM lsbilling.create_pat('a5000000-0000-0000-0000-000000000001',
	'e5100000-0000-0000-0000-000000000004', 'soon gone');
INSERT INTO pg_temp.keys
SELECT 'pat_admin', * FROM lsbilling.create_pat('a5000000-0000-0000-0000-000000000001',
	'e5100000-0000-0000-0000-000000000001', 'admin token', lsbilling.clock_now() + interval '1 hour');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role)
VALUES ('a5000000-0000-0000-0000-000000000002', 'e5100000-0000-0000-0000-000000000001', 'admin');
INSERT INTO pg_temp.keys
SELECT 'svc_rival', * FROM lsbilling.create_service_key('a5000000-0000-0000-0000-000000000002', 'rival',
	NULL, 'admin', NULL, 'e5100000-0000-0000-0000-000000000001');

-- 1. privileges ---------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM pg_proc
		   WHERE pronamespace = 'lsbilling'::regnamespace
			 AND proname IN ('runs_before_write', 'runs_after_insert', 'runs_after_write', 'resolve_run_reference',
							 'upgrade_trace', 'record_deployment_run', 'billing_events_append_only', 'usage_flush',
							 'model_prices_check', 'model_prices_changed')
			 AND prosecdef AND proconfig = '{"search_path=pg_catalog, pg_temp"}'), 10,
	'the ten write-path trigger functions run as the owner with a pinned search_path');
SELECT is((SELECT count(*)::int FROM pg_class c
		   WHERE c.relnamespace = 'lsbilling'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
			 AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id')
			 AND NOT c.relrowsecurity), 0,
	'every table with a workspace_id has row-level security');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['traces', 'billing_events', 'usage_counters', 'plans', 'organizations',
		'runs_default']) t, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
		   WHERE has_table_privilege('lsb_test_app', 'lsbilling.' || t, p)), 0,
	'the application role has no write right on traces, billing_events, usage_counters, plans, organizations, runs_default');

-- no principal: nothing is visible, nothing is writable (fail closed)
SELECT is(pg_temp.val('lsb_test_app', 'SELECT count(*) FROM lsbilling.projects'), '0',
	'without authenticate() the application sees no rows');
SELECT is(pg_temp.state('lsb_test_app', $$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'd5000000-0000-0000-0000-0000000000ff', 'd5000000-0000-0000-0000-0000000000ff',
	'c5000000-0000-0000-0000-000000000001', 'x', 'chain', now())$$), '42501',
	'without authenticate() a run insert is refused by row-level security');

-- the write path with the documented grants only
SELECT is(pg_temp.as_role('lsb_test_app', pg_temp.auth('svc_prod')), 'ok', 'the service key authenticates');
SELECT is(pg_temp.as_role('lsb_test_app', $$
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra, outputs)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'd5000000-0000-0000-0000-000000000001', 'd5000000-0000-0000-0000-000000000001',
		'c5000000-0000-0000-0000-000000000001', 'chat', 'llm', now(),
		'{"metadata": {"ls_model_name": "gpt-4o", "ls_provider": "openai"}}',
		'{"usage_metadata": {"input_tokens": 1000, "output_tokens": 100}}')$$), 'ok',
	'ingest: a priced run is written');
SELECT is(pg_temp.as_role('lsb_test_app', $$UPDATE lsbilling.runs SET end_time = now(), error = 'x'
	WHERE workspace_id = 'b5000000-0000-0000-0000-000000000001' AND id = 'd5000000-0000-0000-0000-000000000001'$$), 'ok',
	'ingest: the run is patched');
SELECT is(pg_temp.as_role('lsb_test_app', $$
	INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'd5000000-0000-0000-0000-000000000001', 'correct', 1);
	INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'e5000000-0000-0000-0000-000000000001', 'd5000000-0000-0000-0000-000000000001');
	INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'f5000000-0000-0000-0000-000000000001', 'd5000000-0000-0000-0000-000000000001');
	INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'f5100000-0000-0000-0000-000000000001')$$), 'ok',
	'ingest: feedback, a queue item, a rule match and a deployment run are written');
SELECT results_eq($$SELECT tier, run_count, total_cost FROM lsbilling.traces WHERE id = 'd5000000-0000-0000-0000-000000000001'$$,
	$$VALUES ('extended'::text, 1::bigint, 0.0035::numeric)$$,
	'the owner-run triggers priced, rolled up and upgraded the trace');
SELECT is((SELECT string_agg(metric, ',' ORDER BY metric) FROM lsbilling.billing_events
		   WHERE workspace_id = 'b5000000-0000-0000-0000-000000000001'),
	'base_trace,deployment_run,extended_upgrade', 'and the ledger has its three events');
SELECT is(pg_temp.val('lsb_test_app', $$SELECT total_cost::text FROM lsbilling.traces WHERE id = 'd5000000-0000-0000-0000-000000000001'$$),
	'0.0035', 'read: the workspace''s trace costs are visible');

-- the review's attacks
SELECT is(pg_temp.state('lsb_test_app', $$INSERT INTO lsbilling.billing_events (workspace_id, organization_id, metric, quantity, occurred_at)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'a5000000-0000-0000-0000-000000000001', 'deployment_run', -900000, now())$$),
	'42501', 'forging a ledger event is refused');
SELECT is(pg_temp.state('lsb_test_app', 'UPDATE lsbilling.usage_counters SET traces = 0'), '42501',
	'resetting the usage counters is refused');
SELECT is(pg_temp.state('lsb_test_app', $$UPDATE lsbilling.traces SET tier = 'extended', expires_at = 'infinity', total_cost = 0$$),
	'42501', 'rewriting traces is refused');
SELECT is(pg_temp.state('lsb_test_app', $$DELETE FROM lsbilling.billing_events$$), '42501', 'deleting the ledger is refused');
SELECT is(pg_temp.state('lsb_test_app', $$INSERT INTO lsbilling.runs_default (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5000000-0000-0000-0000-000000000001', gen_random_uuid(), gen_random_uuid(), 'c5000000-0000-0000-0000-000000000001', 'x', 'chain', now())$$),
	'42501', 'writing straight into runs_default is refused');
SELECT lsbilling.create_run_partitions('2026-09-01', 1);
SELECT is(pg_temp.state('lsb_test_app', $$INSERT INTO lsbilling.runs_p20260901 (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5000000-0000-0000-0000-000000000001', gen_random_uuid(), gen_random_uuid(), 'c5000000-0000-0000-0000-000000000001', 'x', 'chain', '2026-09-01 10:00+00')$$),
	'42501', 'writing straight into a day partition made by create_run_partitions is refused');

-- another workspace: filtered or refused
SELECT lsbilling.reset_context();	-- the owner's fixture write, without the key's context
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES ('b5000000-0000-0000-0000-000000000003', 'd5000000-0000-0000-0000-000000000003', 'd5000000-0000-0000-0000-000000000003',
	'c5000000-0000-0000-0000-000000000003', 'secret', 'chain', now());
SELECT pg_temp.as_role('lsb_test_app', pg_temp.auth('svc_prod')) = 'ok' AS reauthenticated;
SELECT is(pg_temp.val('lsb_test_app', $$SELECT count(*) FROM lsbilling.runs WHERE workspace_id = 'b5000000-0000-0000-0000-000000000003'$$),
	'0', 'another workspace''s runs are invisible');
SELECT is(pg_temp.val('lsb_test_app', $$SELECT count(*) FROM lsbilling.traces$$), '1',
	'only the workspace''s own trace is visible');
SELECT is(pg_temp.state('lsb_test_app', $$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5000000-0000-0000-0000-000000000003', gen_random_uuid(), gen_random_uuid(), 'c5000000-0000-0000-0000-000000000003', 'x', 'chain', now())$$),
	'42501', 'a run for another workspace is refused');
SELECT is(pg_temp.state('lsb_test_app', $$UPDATE lsbilling.runs SET name = 'pwned' WHERE workspace_id = 'b5000000-0000-0000-0000-000000000003'$$),
	'ok', 'an update of another workspace''s runs touches nothing ...');
SELECT is((SELECT name FROM lsbilling.runs WHERE id = 'd5000000-0000-0000-0000-000000000003'), 'secret', '... the row is unchanged');

-- the price map: only a workspace's admins add its entries; defaults only the owner
SELECT is(pg_temp.state('lsb_test_app', $$INSERT INTO lsbilling.model_prices (workspace_id, name, match_pattern, input_price)
	VALUES ('b5000000-0000-0000-0000-000000000003', 'evil', '.*', 1000)$$), '42501',
	'ingest role: adding a price for another workspace is refused');
SELECT is(pg_temp.as_role('lsb_test_admin', pg_temp.auth('svc_prod')), 'ok', 'admin role authenticates with the editor key');
SELECT is(pg_temp.state('lsb_test_admin', $$INSERT INTO lsbilling.model_prices (workspace_id, name, match_pattern, input_price)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'mine', '^my-model$', 1)$$), '42501',
	'an editor key cannot add its workspace''s price entries (workspace administration)');
SELECT is(pg_temp.as_role('lsb_test_admin', pg_temp.auth('svc_org', 'b5000000-0000-0000-0000-000000000001')), 'ok',
	'the organization-wide admin key authenticates naming its workspace');
SELECT is(pg_temp.as_role('lsb_test_admin', $$INSERT INTO lsbilling.model_prices (workspace_id, name, match_pattern, input_price)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'mine', '^my-model$', 1)$$), 'ok',
	'a workspace admin adds its own price entry');
SELECT is(pg_temp.state('lsb_test_admin', $$INSERT INTO lsbilling.model_prices (workspace_id, name, match_pattern, input_price)
	VALUES ('b5000000-0000-0000-0000-000000000003', 'evil', '.*', 1000)$$), '42501',
	'but not one for another organization''s workspace');
SELECT is(pg_temp.state('lsb_test_admin', $$INSERT INTO lsbilling.model_prices (workspace_id, name, match_pattern, input_price)
	VALUES (NULL, 'evil default', '.*', 1000)$$), '42501', 'nor a shipped default');
SELECT is(pg_temp.state('lsb_test_admin', $$UPDATE lsbilling.model_prices SET input_price = 0 WHERE workspace_id IS NULL$$), 'ok',
	'an update of the defaults ...');
SELECT is((SELECT count(*)::int FROM lsbilling.model_prices WHERE shipped AND input_price = 0 AND output_price > 0), 0,
	'... changes no default price');

-- grant_access is the owner's; levels are checked
SELECT is(pg_temp.state('lsb_test_app', $$SELECT lsbilling.grant_access('lsb_test_app', 'admin')$$), '42501',
	'an application role cannot grant itself an access level');
SELECT is(pg_temp.state('lsb_test_app', $$SELECT lsbilling.create_pat('a5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000002', 'x')$$),
	'42501', 'nor create keys (admin level only)');
SELECT throws_ok($$SELECT lsbilling.grant_access('lsb_test_nobody', 'superpowers')$$, '22023', NULL,
	'an unknown access level is refused');

-- a function planted in public is never called by the write path
CREATE ROLE lsb_test_planter NOLOGIN;
GRANT CREATE, USAGE ON SCHEMA public TO lsb_test_planter;
CREATE TABLE pg_temp.planted_calls (n int);
GRANT INSERT ON pg_temp.planted_calls TO lsb_test_planter;
SELECT is(pg_temp.as_role('lsb_test_planter', $$
	CREATE FUNCTION public.make_interval(days integer) RETURNS interval LANGUAGE sql
	AS 'INSERT INTO pg_temp.planted_calls VALUES (1) RETURNING interval ''1 day''';
	CREATE FUNCTION public.to_char(timestamp, text) RETURNS text LANGUAGE sql
	AS 'INSERT INTO pg_temp.planted_calls VALUES (2) RETURNING ''x'''$$), 'ok',
	'a role with CREATE on public plants make_interval and to_char');
SET LOCAL search_path = public, pg_catalog;
SELECT lsbilling.reset_context();
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES ('b5000000-0000-0000-0000-000000000002', 'd5000000-0000-0000-0000-000000000004', 'd5000000-0000-0000-0000-000000000004',
	'c5000000-0000-0000-0000-000000000004', 'root', 'chain', now())
ON CONFLICT DO NOTHING;
RESET search_path;
SELECT is((SELECT count(*)::int FROM pg_temp.planted_calls), 0,
	'a superuser''s writes with public first in search_path never call the planted functions');
DROP FUNCTION public.make_interval(integer), public.to_char(timestamp, text);
-- nor can it borrow a write-path trigger function (they run as the owner)
SELECT lsbilling.grant_access('lsb_test_planter', 'ingest');
SELECT is(pg_temp.as_role('lsb_test_planter', $$
	CREATE TABLE public.fake_feedback (workspace_id uuid, id uuid, run_id uuid, trace_id uuid, created_at timestamptz);
	CREATE TRIGGER steal BEFORE INSERT ON public.fake_feedback
		FOR EACH ROW EXECUTE FUNCTION lsbilling.upgrade_trace('created_at', 'thread')$$),
	'42501: permission denied for function lsbilling.upgrade_trace',
	'attaching the owner''s trigger functions to a table of one''s own is refused');
SELECT is(pg_temp.as_role('lsb_test_planter', $$
	CREATE TABLE public.fake_runs (workspace_id uuid, id uuid, trace_id uuid);
	CREATE TRIGGER steal AFTER INSERT ON public.fake_runs REFERENCING NEW TABLE AS new_runs
		FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.runs_after_insert()$$),
	'42501: permission denied for function lsbilling.runs_after_insert',
	'also the roll-up that writes traces and the ledger');
SELECT throws_ok($$INSERT INTO lsbilling.billing_events (workspace_id, organization_id, metric, trace_id, quantity, occurred_at)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'a5000000-0000-0000-0000-000000000001', 'deployment_run', NULL, -1, now())$$,
	'23514', NULL, 'the ledger takes positive quantities only (even from the owner)');

-- 2. keys ---------------------------------------------------------------------
SELECT ok((SELECT bool_and(key ~ '^lsv2_(pt|sk)_[0-9a-f]{32}_[0-9a-f]{10}$'
		   AND short_key = left(key, 8) || '…' || right(key, 4)) FROM pg_temp.keys),
	'keys are lsv2_pt_/lsv2_sk_ + 168 random bits, shown as prefix … last 4');
SELECT is((SELECT count(*)::int FROM lsbilling.api_keys a, pg_temp.keys k
		   WHERE a.id = k.id AND (a.key_hash = sha256(convert_to(k.key, 'UTF8')) OR row(a.*)::text LIKE '%' || substr(k.key, 9, 20) || '%')),
	0, 'no stored column holds the key or its plain sha256');
SELECT is(pg_temp.state('lsb_test_app', $$SELECT key_hash FROM lsbilling.api_keys$$), '42501',
	'the application cannot read key hashes');
SELECT is(pg_temp.state('lsb_test_app', $$SELECT * FROM lsbilling.key_secrets$$), '42501',
	'nor the hashing secret');
SELECT is(pg_temp.as_role('lsb_test_app', $$SELECT lsbilling.authenticate('lsv2_pt_nope')$$),
	'LS401: malformed api key', 'a malformed key: LS401');
SELECT is(pg_temp.as_role('lsb_test_app', $$SELECT lsbilling.authenticate('lsv2_sk_0123456789abcdef0123456789abcdef_0123456789')$$),
	'LS401: unknown api key', 'an unknown key: LS401, and the message does not echo it');
SELECT is(pg_temp.as_role('lsb_test_app', pg_temp.auth('svc_prod', 'b5000000-0000-0000-0000-000000000002')),
	'42501: api key ' || (SELECT short_key FROM pg_temp.keys WHERE n = 'svc_prod') || ' is not valid for workspace b5000000-0000-0000-0000-000000000002',
	'a key scoped to one workspace is refused in another');
SELECT is(pg_temp.state('lsb_test_app', pg_temp.auth('svc_org')), 'LS400',
	'an organization-wide key must name the workspace it acts in (LS400)');
SELECT is(pg_temp.state('lsb_test_app', pg_temp.auth('svc_org', 'b5000000-0000-0000-0000-000000000003')), '42501',
	'and cannot act in another organization''s workspace');
INSERT INTO pg_temp.keys
SELECT 'svc_two', * FROM lsbilling.create_service_key('a5000000-0000-0000-0000-000000000001', 'two workspaces',
	ARRAY['b5000000-0000-0000-0000-000000000001'::uuid, 'b5000000-0000-0000-0000-000000000002'], 'viewer', NULL,
	'e5100000-0000-0000-0000-000000000001');
SELECT is(ARRAY[pg_temp.state('lsb_test_app', pg_temp.auth('svc_two')),
		pg_temp.state('lsb_test_app', pg_temp.auth('svc_two', 'b5000000-0000-0000-0000-000000000002')),
		pg_temp.val('lsb_test_app', 'SELECT array_to_string(lsbilling.current_workspace_ids(), '','')'),
		pg_temp.val('lsb_test_app', $$SELECT lsbilling.has_permission('runs:read')::text || lsbilling.has_permission('runs:create')::text$$)],
	ARRAY['LS400', 'ok', 'b5000000-0000-0000-0000-000000000002', 'truefalse'],
	'a key of two workspaces names the one it acts in, and acts there with its role (viewer)');
SELECT lsbilling.reset_context();
SELECT throws_ok($$SELECT lsbilling.create_service_key('a5000000-0000-0000-0000-000000000001', 'x',
	ARRAY['b5000000-0000-0000-0000-000000000003'::uuid], 'admin', NULL, 'e5100000-0000-0000-0000-000000000001')$$,
	'22023', NULL, 'a service key cannot be scoped to another organization''s workspace');
SELECT isnt((SELECT last_used_at FROM lsbilling.api_keys a JOIN pg_temp.keys k USING (id) WHERE k.n = 'svc_prod'), NULL,
	'last_used_at is recorded');

-- viewer: reads, cannot write
SELECT is(pg_temp.val('lsb_test_app', pg_temp.auth('pat_viewer', 'b5000000-0000-0000-0000-000000000001') || ' AS a') IS NOT NULL, true,
	'a workspace viewer''s PAT authenticates');
SELECT is(pg_temp.val('lsb_test_app', $$SELECT count(*) FROM lsbilling.runs$$), '1', 'a viewer reads the workspace''s runs');
SELECT is(pg_temp.as_role('lsb_test_app', $$INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
	VALUES ('b5000000-0000-0000-0000-000000000001', 'd5000000-0000-0000-0000-000000000001', 'x', 0)$$),
	'42501: permission feedback:create denied to api key ' || (SELECT short_key FROM pg_temp.keys WHERE n = 'pat_viewer'),
	'a viewer''s key cannot write feedback');
SELECT lsbilling.reset_context();

-- PAT of a removed user, re-join; revocation; expiry
UPDATE lsbilling.organization_members SET removed_at = now()
WHERE organization_id = 'a5000000-0000-0000-0000-000000000001' AND user_id = 'e5100000-0000-0000-0000-000000000004';
SELECT is(pg_temp.state('lsb_test_app', pg_temp.auth('pat_leaver', 'b5000000-0000-0000-0000-000000000001')), 'LS403',
	'a PAT is invalid once its user is removed from the organization (LS403)');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role, joined_at)
VALUES ('a5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000004', 'user', now() + interval '1 second');
SELECT is(pg_temp.state('lsb_test_app', pg_temp.auth('pat_leaver', 'b5000000-0000-0000-0000-000000000001')), 'LS403',
	'a re-join does not revive it');
SELECT ok(lsbilling.revoke_api_key((SELECT id FROM pg_temp.keys WHERE n = 'svc_rival')), 'a key is revoked');
SELECT is(pg_temp.state('lsb_test_app', pg_temp.auth('svc_rival')), 'LS403', 'a revoked key is refused (LS403)');
SELECT is((SELECT count(*)::int FROM lsbilling.api_keys a JOIN pg_temp.keys k USING (id) WHERE k.n = 'svc_rival' AND revoked_at IS NOT NULL),
	1, 'revocation keeps the row');
SELECT throws_ok($$UPDATE lsbilling.api_keys SET revoked_at = NULL WHERE id = (SELECT id FROM pg_temp.keys WHERE n = 'svc_rival')$$,
	'LS403', NULL, 'revocation is final');
SELECT is(pg_temp.state('lsb_test_app', pg_temp.auth('pat_admin', 'b5000000-0000-0000-0000-000000000002')), 'ok',
	'an organization admin''s PAT acts in any workspace (admin of every workspace)');
SELECT set_config('lsbilling.test_clock', (lsbilling.clock_now() + interval '2 hours')::text, true);
SELECT is(pg_temp.state('lsb_test_app', pg_temp.auth('pat_admin', 'b5000000-0000-0000-0000-000000000002')), 'LS403',
	'past its expiry the key is refused (LS403)');
SELECT throws_ok($$UPDATE lsbilling.api_keys SET expires_at = 'infinity' WHERE id = (SELECT id FROM pg_temp.keys WHERE n = 'pat_admin')$$,
	'LS403', NULL, 'an expired key cannot be reactivated');
SELECT set_config('lsbilling.test_clock', '', true);

-- who may create keys (no principal in the transaction: the caller names the creator)
SELECT lsbilling.reset_context();
SELECT throws_ok($$SELECT lsbilling.create_pat('a5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000003', 'x')$$,
	'42501', NULL, 'an organization viewer cannot create a PAT');
UPDATE lsbilling.organizations SET pats_enabled = false WHERE id = 'a5000000-0000-0000-0000-000000000001';
SELECT throws_ok($$SELECT lsbilling.create_pat('a5000000-0000-0000-0000-000000000001', 'e5100000-0000-0000-0000-000000000002', 'x')$$,
	'42501', NULL, 'an organization can disable PAT creation');
SELECT throws_ok($$SELECT lsbilling.create_service_key('a5000000-0000-0000-0000-000000000001', 'x',
	ARRAY['b5000000-0000-0000-0000-000000000001'::uuid], 'admin', NULL, 'e5100000-0000-0000-0000-000000000002')$$,
	'42501', NULL, 'a non-admin cannot create a service key');

-- 3. the roles matrix (seed 003), row by row --------------------------------------
SELECT set_eq($$SELECT p.description, string_agg(rp.role, ',' ORDER BY rp.role)
		FROM lsbilling.permissions p JOIN lsbilling.role_permissions rp ON rp.permission = p.name AND rp.scope = 'organization'
		GROUP BY p.description$$,
	$$VALUES ('View organization configuration', 'admin,user,viewer'), ('View organization roles', 'admin,user,viewer'),
		('View organization members', 'admin,user,viewer'), ('View data retention settings', 'admin,user,viewer'),
		('View usage limits', 'admin,user,viewer'), ('Create personal access tokens (PATs)', 'admin,user'),
		('Admin access to all workspaces', 'admin'), ('Manage billing settings', 'admin'), ('Create workspaces', 'admin'),
		('Create, edit, and delete organization roles', 'admin'), ('Invite new users to organization', 'admin'),
		('Delete user invites', 'admin'), ('Remove users from an organization', 'admin'),
		('Update data retention settings', 'admin'), ('Update usage limits', 'admin'),
		('Fully manage the organization (configuration, users, billing, workspaces)', 'admin')$$,
	'organization roles: viewer / user / admin match the seed''s matrix row by row');
SELECT set_eq($$SELECT p.name FROM lsbilling.permissions p WHERE p.scope = 'workspace'
		EXCEPT SELECT permission FROM lsbilling.role_permissions WHERE scope = 'workspace' AND role = 'editor'$$,
	ARRAY['workspaces:manage', 'workspaces:manage-members'],
	'workspace editor: everything but workspace administration');
SELECT ok((SELECT bool_and(permission LIKE '%:read') AND count(*) = (SELECT count(*) FROM lsbilling.permissions WHERE scope = 'workspace' AND name LIKE '%:read')
		   FROM lsbilling.role_permissions WHERE scope = 'workspace' AND role = 'viewer'),
	'workspace viewer: read only, every read');
SELECT is(ARRAY[
		lsbilling.has_permission('e5100000-0000-0000-0000-000000000002', 'a5000000-0000-0000-0000-000000000001', 'b5000000-0000-0000-0000-000000000001', 'runs:read'),
		lsbilling.has_permission('e5100000-0000-0000-0000-000000000002', 'a5000000-0000-0000-0000-000000000001', 'b5000000-0000-0000-0000-000000000001', 'runs:create'),
		lsbilling.has_permission('e5100000-0000-0000-0000-000000000002', 'a5000000-0000-0000-0000-000000000001', 'b5000000-0000-0000-0000-000000000002', 'runs:read'),
		lsbilling.has_permission('e5100000-0000-0000-0000-000000000001', 'a5000000-0000-0000-0000-000000000001', 'b5000000-0000-0000-0000-000000000002', 'workspaces:manage'),
		lsbilling.has_permission('e5100000-0000-0000-0000-000000000002', 'a5000000-0000-0000-0000-000000000001', NULL, 'organization:manage')],
	ARRAY[true, false, false, true, false],
	'has_permission: viewer reads but cannot write, not in a workspace it is not in; an org admin administers every workspace');

-- RBAC and custom roles are enterprise features; custom roles hold workspace-level permissions
SELECT throws_ok($$INSERT INTO lsbilling.custom_roles (organization_id, name, permissions)
	VALUES ('a5000000-0000-0000-0000-000000000002', 'annotator', '{feedback:create}')$$, 'LS402', NULL,
	'custom roles need an enterprise organization (LS402)');
SELECT throws_ok($$INSERT INTO lsbilling.custom_roles (organization_id, name, permissions)
	VALUES ('a5000000-0000-0000-0000-000000000001', 'sneaky', '{runs:read,organization:manage}')$$, '22023', NULL,
	'a custom role cannot hold an organization-level permission');
INSERT INTO lsbilling.custom_roles (organization_id, name, permissions)
VALUES ('a5000000-0000-0000-0000-000000000001', 'annotator', '{runs:read,feedback:create}');
UPDATE lsbilling.workspace_members SET role = 'annotator'
WHERE workspace_id = 'b5000000-0000-0000-0000-000000000001' AND user_id = 'e5100000-0000-0000-0000-000000000002';
SELECT is(ARRAY[
		lsbilling.has_permission('e5100000-0000-0000-0000-000000000002', 'a5000000-0000-0000-0000-000000000001', 'b5000000-0000-0000-0000-000000000001', 'feedback:create'),
		lsbilling.has_permission('e5100000-0000-0000-0000-000000000002', 'a5000000-0000-0000-0000-000000000001', 'b5000000-0000-0000-0000-000000000001', 'runs:create')],
	ARRAY[true, false], 'a custom role grants exactly its permissions');
INSERT INTO lsbilling.workspace_members (workspace_id, user_id, role)
VALUES ('b5000000-0000-0000-0000-000000000003', 'e5100000-0000-0000-0000-000000000002', 'viewer');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role)
VALUES ('a5000000-0000-0000-0000-000000000002', 'e5100000-0000-0000-0000-000000000002', 'user');
SELECT ok(lsbilling.has_permission('e5100000-0000-0000-0000-000000000002', 'a5000000-0000-0000-0000-000000000002',
		'b5000000-0000-0000-0000-000000000003', 'workspaces:manage'),
	'outside enterprise every workspace member is a workspace admin (RBAC is enterprise-only)');

-- 4. personal organizations --------------------------------------------------------
INSERT INTO lsbilling.organizations (id, name, plan, is_personal) VALUES ('a5000000-0000-0000-0000-000000000009', 'Me', 'developer', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES ('b5000000-0000-0000-0000-000000000009', 'a5000000-0000-0000-0000-000000000009', 'mine');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role) VALUES ('a5000000-0000-0000-0000-000000000009', 'e5100000-0000-0000-0000-000000000003', 'viewer');
SELECT throws_ok($$INSERT INTO lsbilling.workspaces (organization_id, name) VALUES ('a5000000-0000-0000-0000-000000000009', 'second')$$,
	'LS409', 'a personal organization has only one workspace', 'a personal organization has one workspace (LS409)');
SELECT throws_ok($$INSERT INTO lsbilling.organization_members (organization_id, user_id) VALUES ('a5000000-0000-0000-0000-000000000009', 'e5100000-0000-0000-0000-000000000001')$$,
	'LS409', 'a personal organization cannot invite users', 'a personal organization cannot invite');
SELECT throws_ok($$UPDATE lsbilling.organizations SET plan = 'plus' WHERE id = 'a5000000-0000-0000-0000-000000000009'$$,
	'LS409', 'a personal organization is on the developer plan only', 'a personal organization stays on the developer plan');
SELECT ok(lsbilling.has_permission('e5100000-0000-0000-0000-000000000003', 'a5000000-0000-0000-0000-000000000009', NULL, 'organization:manage'),
	'in a single-workspace organization every member is an admin');

-- 5. resource tags and costs by tag ---------------------------------------------------
CREATE TABLE pg_temp.new_ws AS SELECT lsbilling.create_workspace('a5000000-0000-0000-0000-000000000001', 'staging') AS id;
SELECT set_eq($$SELECT key FROM lsbilling.tag_keys WHERE workspace_id = (SELECT id FROM pg_temp.new_ws)$$,
	ARRAY['Application', 'Environment'], 'a new workspace has the tag keys Application and Environment');
SELECT lsbilling.set_tag('b5000000-0000-0000-0000-000000000001', 'project', 'c5000000-0000-0000-0000-000000000001', 'Environment', 'prod');
SELECT lsbilling.set_tag('b5000000-0000-0000-0000-000000000001', 'project', 'c5000000-0000-0000-0000-000000000002', 'Environment', 'dev');
SELECT lsbilling.set_tag('b5000000-0000-0000-0000-000000000001', 'project', 'c5000000-0000-0000-0000-000000000002', 'Environment', 'staging');
SELECT lsbilling.set_tag('b5000000-0000-0000-0000-000000000001', 'annotation_queue', 'e5000000-0000-0000-0000-000000000001', 'Application', 'bot');
SELECT set_eq($$SELECT lsbilling.resources_with_tag('b5000000-0000-0000-0000-000000000001', 'project', 'Environment', 'staging')$$,
	ARRAY['c5000000-0000-0000-0000-000000000002'::uuid], 'filter by tag; a new value replaces the key''s old one');
SELECT throws_ok($$SELECT lsbilling.set_tag('b5000000-0000-0000-0000-000000000001', 'project', 'c5000000-0000-0000-0000-000000000003', 'Environment', 'prod')$$,
	'23503', NULL, 'a resource of another workspace cannot be tagged');
SELECT lsbilling.reset_context();
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra, outputs)
VALUES ('b5000000-0000-0000-0000-000000000001', 'd5000000-0000-0000-0000-000000000011', 'd5000000-0000-0000-0000-000000000011',
	'c5000000-0000-0000-0000-000000000002', 'chat', 'llm', now(),
	'{"metadata": {"ls_model_name": "gpt-4o", "ls_provider": "openai"}}',
	'{"usage_metadata": {"input_tokens": 2000, "output_tokens": 0}}');
SELECT results_eq($$SELECT tag_value, trace_count, total_cost FROM lsbilling.cost_by_tag('b5000000-0000-0000-0000-000000000001', 'Environment')$$,
	$$VALUES ('prod'::text, 1::bigint, 0.0035::numeric), ('staging', 1, 0.005)$$,
	'costs by the Environment tag of the traces'' projects');
SELECT results_eq($$SELECT tag_value, trace_count FROM lsbilling.cost_by_tag('b5000000-0000-0000-0000-000000000001', 'Application')$$,
	$$VALUES (NULL::text, 2::bigint)$$, 'projects without the tag are grouped under NULL');

SELECT * FROM finish();
ROLLBACK;
