-- Access review (adversarial): each assertion below is written as the
-- attacker -- a non-superuser application role set up exactly as README
-- "Access" documents (grant_access ingest/read/admin, service keys created
-- with created_by an organization admin, authenticate() per transaction) --
-- and states what the security model promises.  The ones marked FINDING
-- failed on the code as reviewed (each was then fixed: they guard against a
-- regression); the others record what held.
BEGIN;
SELECT plan(25);

-- helpers (as in 50_access.sql) ---------------------------------------------
-- "SQLSTATE: message | detail" of q run as role r, or 'ok'
CREATE FUNCTION pg_temp.as_role(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE q;
	RESET ROLE;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || msg || ' | ' || coalesce(det, '');
END $$;
-- the first column of q's first row as role r, or 'ERROR <sqlstate>'
CREATE FUNCTION pg_temp.val(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text; st text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE q INTO v;
	RESET ROLE;
	RETURN v;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	RETURN 'ERROR ' || st;
END $$;
CREATE FUNCTION pg_temp.state(r text, q text) RETURNS text LANGUAGE sql
RETURN split_part(pg_temp.as_role(r, q), ':', 1);
CREATE TABLE pg_temp.keys (n text PRIMARY KEY, id uuid, key text, short_key text);
CREATE FUNCTION pg_temp.auth(n text, ws uuid DEFAULT NULL) RETURNS text LANGUAGE sql
RETURN format('SELECT lsbilling.authenticate(%L, %L, ''runs'')', (SELECT key FROM pg_temp.keys k WHERE k.n = auth.n), ws);
-- a "leaky" filter an attacker can create (pg_temp needs only TEMP on the
-- database): records every row it is shown, and lets none through
CREATE FUNCTION pg_temp.leak(w uuid) RETURNS boolean LANGUAGE plpgsql IMMUTABLE COST 0.0001 AS $$
BEGIN
	PERFORM set_config('review.seen', coalesce(current_setting('review.seen', true), '') || ' ' || w::text, true);
	RETURN false;
END $$;

-- fixtures: our organization (enterprise) and a rival one -------------------
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method) VALUES
	('a5500000-0000-0000-0000-000000000001', 'Ours', 'enterprise', true),
	('a5500000-0000-0000-0000-000000000002', 'Rival', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('b5500000-0000-0000-0000-000000000001', 'a5500000-0000-0000-0000-000000000001', 'prod'),
	('b5500000-0000-0000-0000-000000000003', 'a5500000-0000-0000-0000-000000000002', 'rival');
INSERT INTO lsbilling.projects (workspace_id, id, name) VALUES
	('b5500000-0000-0000-0000-000000000001', 'c5500000-0000-0000-0000-000000000001', 'bot'),
	('b5500000-0000-0000-0000-000000000003', 'c5500000-0000-0000-0000-000000000003', 'rival-bot');
INSERT INTO lsbilling.annotation_queues (workspace_id, id, name)
VALUES ('b5500000-0000-0000-0000-000000000001', 'e5500000-0000-0000-0000-000000000001', 'review');
INSERT INTO lsbilling.automation_rules (workspace_id, id, name)
VALUES ('b5500000-0000-0000-0000-000000000001', 'f5500000-0000-0000-0000-000000000001', 'errors');
INSERT INTO lsbilling.deployments (workspace_id, id, name)
VALUES ('b5500000-0000-0000-0000-000000000001', 'f5510000-0000-0000-0000-000000000001', 'agent');
INSERT INTO lsbilling.users (id, email) VALUES
	('e5510000-0000-0000-0000-000000000001', 'admin@ours'),
	('e5510000-0000-0000-0000-000000000009', 'admin@rival');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role, joined_at) VALUES
	('a5500000-0000-0000-0000-000000000001', 'e5510000-0000-0000-0000-000000000001', 'admin', '2026-01-01'),
	('a5500000-0000-0000-0000-000000000002', 'e5510000-0000-0000-0000-000000000009', 'admin', '2026-01-01');

-- the application roles, with the documented grants only
CREATE ROLE lsb_review_app NOLOGIN;      -- ingest + read
CREATE ROLE lsb_review_ingest NOLOGIN;   -- ingest only
CREATE ROLE lsb_review_admin NOLOGIN;    -- admin
SELECT lsbilling.grant_access('lsb_review_app', 'ingest');
SELECT lsbilling.grant_access('lsb_review_app', 'read');
SELECT lsbilling.grant_access('lsb_review_ingest', 'ingest');
SELECT lsbilling.grant_access('lsb_review_admin', 'admin');

INSERT INTO pg_temp.keys
SELECT 'svc', * FROM lsbilling.create_service_key('a5500000-0000-0000-0000-000000000001', 'ingest prod',
	ARRAY['b5500000-0000-0000-0000-000000000001'::uuid], 'editor', NULL, 'e5510000-0000-0000-0000-000000000001');
INSERT INTO pg_temp.keys
SELECT 'rival', * FROM lsbilling.create_service_key('a5500000-0000-0000-0000-000000000002', 'rival',
	NULL, 'admin', NULL, 'e5510000-0000-0000-0000-000000000009');

-- the rival has a month of usage (written by its own key)
SELECT is(pg_temp.as_role('lsb_review_app', pg_temp.auth('rival', 'b5500000-0000-0000-0000-000000000003') || $$;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('b5500000-0000-0000-0000-000000000003', 'd5500000-0000-0000-0000-0000000000a1',
	  'd5500000-0000-0000-0000-0000000000a1', 'c5500000-0000-0000-0000-000000000003', 'x', 'chain', now())$$),
	'ok', 'fixture: the rival writes a trace');
SELECT is((SELECT count(*)::int FROM lsbilling.usage_counters WHERE workspace_id = 'b5500000-0000-0000-0000-000000000003'),
	1, 'fixture: the rival has usage counters');

-- held: the documented write path with the ingest grant only ----------------
SELECT is(pg_temp.as_role('lsb_review_ingest', pg_temp.auth('svc') || $$;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-000000000001',
		'd5500000-0000-0000-0000-000000000001', 'c5500000-0000-0000-0000-000000000001', 'chat', 'llm', now());
	UPDATE lsbilling.runs SET end_time = now(), outputs = '{"a": 1}' WHERE id = 'd5500000-0000-0000-0000-000000000001';
	INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-000000000001', 'k', 1);
	INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'e5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-000000000001');
	INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'f5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-000000000001');
	INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'f5510000-0000-0000-0000-000000000001')$$),
	'ok', 'held: an ingest-only role does runs, feedback, queue items, rule matches and deployment runs');

-- FINDING 1: monthly_usage lost security_invoker (CREATE OR REPLACE VIEW in
-- the billing section resets the reloptions set earlier), so it reads the
-- tenant tables with the owner's rights: no row-level security.
SELECT ok(coalesce((SELECT 'security_invoker=on' = ANY (reloptions) FROM pg_class
		WHERE oid = 'lsbilling.monthly_usage'::regclass), false),
	'FINDING 1: lsbilling.monthly_usage is security_invoker (row-level security applies)');
SELECT is(pg_temp.val('lsb_review_app', pg_temp.auth('svc') || $$;
	SELECT count(*) FROM lsbilling.monthly_usage WHERE pg_temp.leak(workspace_id);
	SELECT coalesce(current_setting('review.seen', true), '')$$) LIKE '%b5500000-0000-0000-0000-000000000003%',
	false, 'FINDING 1: a read role never sees another organization''s row of monthly_usage');
-- and the documented read path fails: plan_at() runs as the caller and the
-- read level has no right on organization_plans / plan_prices
SELECT is(pg_temp.state('lsb_review_app', pg_temp.auth('svc') || $$;
	SELECT count(*) FROM lsbilling.monthly_usage$$), 'ok',
	'FINDING 1b: a read role can SELECT lsbilling.monthly_usage (its own workspace''s rows)');
SELECT is(pg_temp.state('lsb_review_app', pg_temp.auth('svc') || $$;
	SELECT count(*) FROM lsbilling.invoice('a5500000-0000-0000-0000-000000000001', date_trunc('month', now())::date)$$),
	'ok', 'FINDING 1b: a read role can call lsbilling.invoice() (README: read-side, as the caller, under RLS)');

-- FINDING 2: create_service_key / create_pat trust created_by / user_id when
-- the transaction has no principal (reset_context(): this file's transaction
-- authenticated earlier): an admin-level application role mints
-- an organization-wide admin key (or a PAT) for any organization.
SELECT is(pg_temp.state('lsb_review_admin', $$SELECT lsbilling.reset_context(); SELECT lsbilling.create_service_key(
	'a5500000-0000-0000-0000-000000000002', 'evil', NULL, 'admin', NULL, 'e5510000-0000-0000-0000-000000000009')$$),
	'42501', 'FINDING 2: without a principal, an application role cannot create another organization''s admin service key');
SELECT is(pg_temp.state('lsb_review_admin', $$SELECT lsbilling.reset_context(); SELECT lsbilling.create_pat(
	'a5500000-0000-0000-0000-000000000002', 'e5510000-0000-0000-0000-000000000009', 'evil pat')$$),
	'42501', 'FINDING 2: without a principal, an application role cannot create a PAT of another organization''s user');
SELECT is(pg_temp.state('lsb_review_admin', format('SELECT lsbilling.reset_context(); SELECT lsbilling.revoke_api_key(%L)',
	(SELECT id FROM pg_temp.keys WHERE n = 'rival'))),
	'42501', 'FINDING 2: without a principal, an application role cannot revoke another organization''s key');

-- FINDING 3: revoke_api_key's check "current_user_id() IS DISTINCT FROM
-- k.user_id" is NULL vs NULL for a service-key principal and a service key:
-- any service key (here an editor key of our workspace) revokes any other
-- organization's service key.
SELECT is(pg_temp.state('lsb_review_admin', pg_temp.auth('svc') || format('; SELECT lsbilling.revoke_api_key(%L)',
	(SELECT id FROM pg_temp.keys WHERE n = 'rival'))),
	'42501', 'FINDING 3: a service-key principal cannot revoke another organization''s service key');
SELECT is((SELECT revoked_at FROM lsbilling.api_keys WHERE id = (SELECT id FROM pg_temp.keys WHERE n = 'rival')),
	NULL, 'FINDING 2/3: the rival''s key is still valid');

-- FINDING 4: has_permission(user, organization, workspace, permission) is
-- SECURITY DEFINER, granted to the read level, and ignores the tenant
-- context: a cross-organization oracle of membership and roles.
SELECT isnt(pg_temp.val('lsb_review_app', pg_temp.auth('svc') || $$;
	SELECT lsbilling.has_permission('e5510000-0000-0000-0000-000000000009'::uuid,
		'a5500000-0000-0000-0000-000000000002'::uuid, NULL, 'organization:manage')::text$$), 'true',
	'FINDING 4: a read role cannot learn who administers another organization');

-- FINDING 5: the roll-up's error (run as the owner) names the workspace of
-- any project id, across organizations.
SELECT unalike(pg_temp.as_role('lsb_review_app', pg_temp.auth('svc') || $$;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-0000000000b1',
		'd5500000-0000-0000-0000-0000000000b1', 'c5500000-0000-0000-0000-000000000003', 'x', 'chain', now())$$),
	'%b5500000-0000-0000-0000-000000000003%',
	'FINDING 5: a refused run does not reveal which workspace another organization''s project is in');

-- FINDING 6: hourly ingest limits: a run update that changes only name,
-- tags or usage_metadata is not counted (no event, no bytes), so an
-- application writes megabytes per run past the limit.
-- the limit: what the organization used this hour (earlier statements of
-- this file, or an earlier run) plus 2 -- the insert and one update
SELECT set_config('lsbilling.rate_limit_events_per_hour_enterprise', (used + 2)::text, true)
FROM lsbilling.rate_limit_status('review', 'a5500000-0000-0000-0000-000000000001') WHERE limit_name = 'events per hour';
SELECT is(pg_temp.state('lsb_review_app', pg_temp.auth('svc') || $$;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-0000000000c1',
		'd5500000-0000-0000-0000-0000000000c1', 'c5500000-0000-0000-0000-000000000001', 'x', 'llm', now());
	UPDATE lsbilling.runs SET tags = ARRAY[repeat('a', 1000000)] WHERE id = 'd5500000-0000-0000-0000-0000000000c1';
	UPDATE lsbilling.runs SET name = repeat('b', 1000000) WHERE id = 'd5500000-0000-0000-0000-0000000000c1';
	UPDATE lsbilling.runs SET usage_metadata = '{"input_tokens": 7}' WHERE id = 'd5500000-0000-0000-0000-0000000000c1'$$),
	'LS429', 'FINDING 6: run updates beyond the hourly event limit are refused whatever columns they change');
RESET lsbilling.rate_limit_events_per_hour_enterprise;

-- FINDING 7: the rate-limit trigger functions are executable by PUBLIC
-- (rate_limit_row, rate_limit_flush, rate_limit_plans_changed): any role
-- with USAGE on lsbilling attaches them to a TEMP table of its own and
-- spends another organization's hourly budget (no principal needed; the
-- counts stay in shared memory even when the transaction rolls back).
CREATE TABLE pg_temp.rival_used AS
SELECT used FROM lsbilling.rate_limit_status('review', 'a5500000-0000-0000-0000-000000000002')
WHERE limit_name = 'events per hour';
SELECT is(pg_temp.state('lsb_review_ingest', $$SELECT lsbilling.reset_context();
	CREATE TEMP TABLE review_fake (workspace_id uuid, inputs jsonb, outputs jsonb, extra jsonb, end_time timestamptz, error text);
	CREATE TRIGGER rl BEFORE INSERT ON review_fake FOR EACH ROW EXECUTE FUNCTION lsbilling.rate_limit_row('runs');
	CREATE TRIGGER rlf AFTER INSERT ON review_fake FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_flush();
	INSERT INTO review_fake (workspace_id) SELECT 'b5500000-0000-0000-0000-000000000003' FROM generate_series(1, 100)$$),
	'42501', 'FINDING 7: an application role cannot attach lsbilling.rate_limit_row() to a table of its own');
SELECT is((SELECT used FROM lsbilling.rate_limit_status('review', 'a5500000-0000-0000-0000-000000000002')
		   WHERE limit_name = 'events per hour'), (SELECT used FROM pg_temp.rival_used),
	'FINDING 7: another organization''s hourly ingest budget is not spent by this role');
-- FINDING 8: the same attachment with workspace_id of another type crashes
-- the server (DatumGetUUIDP on an int4 datum: SIGSEGV, every backend
-- restarts).  Not run here; the privilege that allows it:
SELECT ok(NOT has_function_privilege('lsb_review_ingest', 'lsbilling.rate_limit_row()', 'EXECUTE'),
	'FINDING 8: an application role cannot use lsbilling.rate_limit_row() on a table whose workspace_id is an integer (segfault)');

-- issue 12: the purge's layout and watermark cannot be steered by a tenant
SELECT is(pg_temp.state('lsb_review_ingest', pg_temp.auth('svc') || $$;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, retained)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-0000000000c1',
		'd5500000-0000-0000-0000-0000000000c1', 'c5500000-0000-0000-0000-000000000001', 'keep me', 'chain', now(), true)$$),
	'428C9', 'an application role cannot write a run as kept (retained): it would outlive the retention paid for');
SELECT is(pg_temp.state('lsb_review_ingest', pg_temp.auth('svc') || $$;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-0000000000c2',
		'd5500000-0000-0000-0000-0000000000c2', 'c5500000-0000-0000-0000-000000000001', 'base', 'chain', now());
	UPDATE lsbilling.runs SET retained = true WHERE id = 'd5500000-0000-0000-0000-0000000000c2'$$),
	'428C9', 'nor mark a stored base run kept');
SELECT is(pg_temp.state('lsb_review_admin', $$UPDATE lsbilling.purge_watermark SET purged_through = 'infinity'$$),
	'42501', 'nor move the purge watermark (which would purge every tenant''s traces and refuse their writes)');
SELECT is(pg_temp.state('lsb_review_admin', $$SELECT lsbilling.merge_split_days()$$),
	'42501', 'nor rewrite the day partitions');
SELECT lsbilling.create_run_partitions();
SELECT is(pg_temp.state('lsb_review_admin', $$ALTER TABLE lsbilling.runs_default DROP CONSTRAINT runs_default_bound$$),
	'42501', 'nor drop runs_default''s bound (to fill runs_default with runs dated past the days)');
SELECT is(pg_temp.state('lsb_review_ingest', pg_temp.auth('svc') || $$;
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('b5500000-0000-0000-0000-000000000001', 'd5500000-0000-0000-0000-0000000000c3',
		'd5500000-0000-0000-0000-0000000000c3', 'c5500000-0000-0000-0000-000000000001', 'future', 'chain',
		now() + interval '1 year')$$),
	'23514', 'a run dated a year ahead is refused, not parked in runs_default');
SELECT is(pg_temp.val('lsb_review_app', pg_temp.auth('svc') || $$;
	SELECT (lsbilling.trace_purged_at(t) IS NULL)::text FROM lsbilling.traces t WHERE id = 'd5500000-0000-0000-0000-000000000001'$$),
	'true', 'a reading role can ask whether its trace is purged (trace_purged_at)');

SELECT * FROM finish();
ROLLBACK;
