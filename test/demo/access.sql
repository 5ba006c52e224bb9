-- 0.2.0 demo (access): an application role with the documented grants, a
-- service key, a request through authenticate() and row-level security, and
-- costs by the Environment tag.  Loaded after sample.sql by test/run_demo.sh.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset footer off

CREATE ROLE demo_app NOLOGIN;
\o /dev/null
SELECT lsbilling.grant_access('demo_app', 'ingest');
SELECT lsbilling.grant_access('demo_app', 'read');
\o
CREATE TEMP TABLE demo_key AS
SELECT * FROM lsbilling.create_service_key('0a000000-0000-0000-0000-000000000001', 'support-bot ingest',
	ARRAY['0b000000-0000-0000-0000-000000000001'::uuid], 'editor', NULL, '0e000000-0000-0000-0000-000000000001');
\echo
\echo '== a service key (shown once; stored as a keyed hash, listed by its short form)'
SELECT k.short_key, a.kind, a.role, a.workspace_ids FROM demo_key k JOIN lsbilling.api_keys a USING (id);
SELECT key AS demo_key FROM demo_key \gset

\echo
\echo '== the application role, one request (one transaction)'
BEGIN;
SET LOCAL ROLE demo_app;
SELECT acting_workspace_id, role FROM lsbilling.authenticate(:'demo_key', endpoint => 'runs');
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra, outputs)
VALUES ('0b000000-0000-0000-0000-000000000001', '0d0000aa-0000-4000-8000-000000000001', '0d0000aa-0000-4000-8000-000000000001',
	'0c000000-0000-0000-0000-000000000001', 'ChatOpenAI', 'llm', lsbilling.clock_now(),
	'{"metadata": {"ls_model_name": "gpt-4o-mini", "ls_provider": "openai"}}',
	'{"usage_metadata": {"input_tokens": 1200, "output_tokens": 300}}');
SELECT count(DISTINCT workspace_id) AS workspaces_visible, count(*) AS traces_visible FROM lsbilling.traces;
COMMIT;
\echo '   (the superuser sees every workspace:)'
SELECT count(DISTINCT workspace_id) AS workspaces, count(*) AS traces FROM lsbilling.traces;
\echo '   the next transaction has no principal: nothing is visible to the application role'
BEGIN;
SET LOCAL ROLE demo_app;
SELECT count(*) AS traces_visible FROM lsbilling.traces;
COMMIT;

\echo
\echo '== costs by the Environment tag of the projects'
\o /dev/null
SELECT lsbilling.set_tag('0b000000-0000-0000-0000-000000000001', 'project', '0c000000-0000-0000-0000-000000000001', 'Environment', 'prod');
SELECT lsbilling.set_tag('0b000000-0000-0000-0000-000000000001', 'project', '0c000000-0000-0000-0000-000000000002', 'Environment', 'staging');
\o
SELECT tag_value, project_count, trace_count, run_count, round(total_cost, 6) AS total_cost
FROM lsbilling.cost_by_tag('0b000000-0000-0000-0000-000000000001', 'Environment');
