-- Foundation: hierarchy, trace creation by the first run, out-of-order runs,
-- thread_id, bad input refused with its SQLSTATE, DROP/CREATE EXTENSION.
BEGIN;
SELECT plan(47);

-- the contract tables exist
SELECT has_table('lsbilling', t, 'table lsbilling.' || t || ' exists')
FROM unnest(ARRAY['organizations', 'workspaces', 'users', 'organization_members',
	'workspace_members', 'projects', 'traces', 'runs', 'feedback', 'annotation_queues',
	'annotation_queue_runs', 'automation_rules', 'rule_matches', 'datasets', 'examples',
	'deployments', 'deployment_runs']) AS t;

-- every tenant table leads its primary key with workspace_id
SELECT is(count(*)::int, 0, 'every tenant table leads its primary key with workspace_id')
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
WHERE c.contype = 'p' AND r.relnamespace = 'lsbilling'::regnamespace
  AND r.relname NOT IN ('organizations', 'workspaces', 'users', 'organization_members', 'plans', 'model_prices',
    'purge_passes', 'purge_watermark',
    -- billing (issue 11): per-organization tables, reference tables on Citus
    'plan_prices', 'organization_plans', 'invoices', 'invoice_lines', 'invoice_usage', 'invoice_seats',
    'credit_grants', 'credit_ledger', 'spend_caps',
    -- access (issue 8): global tables, reference tables on Citus
    'permissions', 'role_permissions', 'custom_roles', 'key_secrets', 'api_keys')
  AND r.relispartition = false
  AND (SELECT attname FROM pg_attribute WHERE attrelid = r.oid AND attnum = c.conkey[1]) <> 'workspace_id';

INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'Acme');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'prod'),
       ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a1', 'dev');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1', 'chatbot'),
       ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000c2', 'agent');

SELECT is((SELECT base_retention_days || '/' || extended_retention_days FROM lsbilling.workspaces
           WHERE id = '00000000-0000-0000-0000-0000000000b1'), '14/400', 'workspace retention defaults are 14 and 400 days');

-- a child arrives before its root: the trace row exists, provisional start time
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000d2',
        '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000d1',
        '00000000-0000-0000-0000-0000000000c1', 'ChatOpenAI', 'llm', '2026-06-01 10:00:02+00');
SELECT results_eq(
	$$SELECT run_count, name, start_time, root_seen FROM lsbilling.traces WHERE id = '00000000-0000-0000-0000-0000000000d1'$$,
	$$VALUES (1::bigint, NULL::text, '2026-06-01 10:00:02+00'::timestamptz, false)$$,
	'the first run to arrive creates the trace row, even a child');

-- the root arrives: it names the trace, sets start_time and thread_id
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000d1',
        '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000c1',
        'Agent', 'chain', '2026-06-01 10:00:00+00', '{"metadata": {"session_id": "conv-42"}}');
SELECT results_eq(
	$$SELECT run_count, name, start_time, thread_id, tier, expires_at FROM lsbilling.traces WHERE id = '00000000-0000-0000-0000-0000000000d1'$$,
	$$VALUES (2::bigint, 'Agent'::text, '2026-06-01 10:00:00+00'::timestamptz, 'conv-42'::text, 'base'::text, '2026-06-15 10:00:00+00'::timestamptz)$$,
	'the root run sets name, start_time, thread_id (from session_id) and the expiry follows');

-- a later child with an earlier clock does not move a root's start time
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000d3',
        '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000d2',
        '00000000-0000-0000-0000-0000000000c1', 'search', 'tool', '2026-06-01 09:59:59+00');
SELECT is((SELECT start_time FROM lsbilling.traces WHERE id = '00000000-0000-0000-0000-0000000000d1'),
	'2026-06-01 10:00:00+00'::timestamptz, 'once the root is seen, start_time is the root''s');

-- thread_id key precedence: thread_id first
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000e1',
        '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000c1',
        'Agent', 'chain', '2026-06-01 11:00:00+00',
        '{"metadata": {"conversation_id": "c", "thread_id": "t-1"}}');
SELECT is((SELECT thread_id FROM lsbilling.traces WHERE id = '00000000-0000-0000-0000-0000000000e1'),
	't-1', 'thread_id is taken before conversation_id');

-- a project whose default tier is extended makes extended traces
UPDATE lsbilling.projects SET default_tier = 'extended' WHERE id = '00000000-0000-0000-0000-0000000000c1';
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000f1',
        '00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000c1',
        'Agent', 'chain', '2026-06-01 12:00:00+00');
SELECT results_eq(
	$$SELECT tier, expires_at FROM lsbilling.traces WHERE id = '00000000-0000-0000-0000-0000000000f1'$$,
	$$VALUES ('extended'::text, '2027-07-06 12:00:00+00'::timestamptz)$$,
	'a new trace takes its project''s default tier and its retention');

-- bad input
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), gen_random_uuid(),
	          '00000000-0000-0000-0000-0000000000c1', 'x', 'banana', now())$$,
	'23514', 'unknown run_type "banana"', 'an unknown run_type is refused with 23514');
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('00000000-0000-0000-0000-0000000000b2', gen_random_uuid(), gen_random_uuid(),
	          '00000000-0000-0000-0000-0000000000c1', 'x', 'llm', now())$$,
	'23503', 'project 00000000-0000-0000-0000-0000000000c1 belongs to another workspace than the run''s workspace 00000000-0000-0000-0000-0000000000b2',
	'a run whose workspace differs from its project''s is refused');
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), gen_random_uuid(),
	          gen_random_uuid(), 'x', 'llm', now())$$,
	'23503', NULL, 'a run of a project that does not exist is refused');
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), '00000000-0000-0000-0000-0000000000d1',
	          '00000000-0000-0000-0000-0000000000c2', 'x', 'llm', now())$$,
	'23503', NULL, 'a run naming another project than its trace''s is refused');
SELECT throws_ok(
	$$INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
	  VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-00000000dead', 'correct', 1)$$,
	'23503', 'run 00000000-0000-0000-0000-00000000dead does not exist in workspace 00000000-0000-0000-0000-0000000000b1',
	'feedback on a run that does not exist is refused');
SELECT throws_ok(
	$$INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
	  VALUES ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000d2', 'correct', 1)$$,
	'23503', NULL, 'feedback naming a run of another workspace is refused');
SELECT throws_ok(
	$$UPDATE lsbilling.runs SET trace_id = gen_random_uuid() WHERE id = '00000000-0000-0000-0000-0000000000d3'$$,
	'0A000', 'cannot change trace_id of a run', 'a run cannot move to another trace');
SELECT is((SELECT count(*)::int FROM lsbilling.traces), 3, 'refused writes left no trace rows behind');

SELECT throws_ok(
	$$UPDATE lsbilling.runs SET start_time = start_time + interval '1 day' WHERE id = '00000000-0000-0000-0000-0000000000d3'$$,
	'0A000', 'cannot change start_time of a run', 'a run cannot move to another start time (its day partition)');

-- feedback gets its trace_id from the run
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000d3', 'correct', 1);
SELECT is((SELECT trace_id FROM lsbilling.feedback WHERE run_id = '00000000-0000-0000-0000-0000000000d3'),
	'00000000-0000-0000-0000-0000000000d1'::uuid, 'feedback''s trace_id is filled from its run');

SELECT throws_ok(
	$$UPDATE lsbilling.feedback SET run_id = '00000000-0000-0000-0000-0000000000d2' WHERE run_id = '00000000-0000-0000-0000-0000000000d3'$$,
	'0A000', 'cannot change run_id of a row of "feedback"', 'feedback cannot be moved to another run');
UPDATE lsbilling.feedback SET score = 0 WHERE run_id = '00000000-0000-0000-0000-0000000000d3';
SELECT is((SELECT score FROM lsbilling.feedback WHERE run_id = '00000000-0000-0000-0000-0000000000d3'),
	0::numeric, 'feedback''s score can be updated');

-- deleting a run keeps the count right
DELETE FROM lsbilling.runs WHERE id = '00000000-0000-0000-0000-0000000000d3';
SELECT is((SELECT run_count FROM lsbilling.traces WHERE id = '00000000-0000-0000-0000-0000000000d1'),
	2::bigint, 'deleting a run decrements the trace''s run_count');

-- one statement writing several traces' runs rolls each trace up once, root and all
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra)
VALUES ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-00000000a002', '00000000-0000-0000-0000-00000000a001',
        '00000000-0000-0000-0000-00000000a001', '00000000-0000-0000-0000-0000000000c2', 'llm', 'llm', '2026-06-02 08:00:01+00', NULL),
       ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-00000000a001', '00000000-0000-0000-0000-00000000a001',
        NULL, '00000000-0000-0000-0000-0000000000c2', 'Root A', 'chain', '2026-06-02 08:00:00+00', '{"metadata": {"thread_id": "th-a"}}'),
       ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-00000000b002', '00000000-0000-0000-0000-00000000b001',
        '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-0000000000c2', 'tool', 'tool', '2026-06-02 07:59:00+00', NULL),
       ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-00000000b003', '00000000-0000-0000-0000-00000000b001',
        '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-0000000000c2', 'tool', 'tool', '2026-06-02 07:58:00+00', NULL);
SELECT results_eq(
	$$SELECT id, name, thread_id, start_time, run_count, root_seen FROM lsbilling.traces
	  WHERE workspace_id = '00000000-0000-0000-0000-0000000000b2' ORDER BY id$$,
	$$VALUES ('00000000-0000-0000-0000-00000000a001'::uuid, 'Root A'::text, 'th-a'::text, '2026-06-02 08:00:00+00'::timestamptz, 2::bigint, true),
	         ('00000000-0000-0000-0000-00000000b001'::uuid, NULL, NULL, '2026-06-02 07:58:00+00'::timestamptz, 2::bigint, false)$$,
	'a multi-row insert creates each of its traces once, with the root''s name and thread, else the earliest start');
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), '00000000-0000-0000-0000-00000000c001',
	          '00000000-0000-0000-0000-0000000000c1', 'x', 'llm', now()),
	         ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), '00000000-0000-0000-0000-00000000c001',
	          '00000000-0000-0000-0000-0000000000c3', 'x', 'llm', now())$$,
	'23503', NULL, 'a statement whose runs of one trace name two projects is refused');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c3', 'second');
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), '00000000-0000-0000-0000-00000000c001',
	          '00000000-0000-0000-0000-0000000000c1', 'x', 'llm', now()),
	         ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), '00000000-0000-0000-0000-00000000c001',
	          '00000000-0000-0000-0000-0000000000c3', 'x', 'llm', now())$$,
	'23503', 'the runs of trace 00000000-0000-0000-0000-00000000c001 name more than one project',
	'... also when both projects exist');
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	  VALUES ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), '00000000-0000-0000-0000-00000000d001',
	          '00000000-0000-0000-0000-0000000000c1', 'x', 'llm', now()),
	         ('00000000-0000-0000-0000-0000000000b1', gen_random_uuid(), '00000000-0000-0000-0000-00000000d002',
	          '00000000-0000-0000-0000-0000000000c9', 'x', 'llm', now())$$,
	'23503', 'project 00000000-0000-0000-0000-0000000000c9 does not exist in workspace 00000000-0000-0000-0000-0000000000b1',
	'a multi-row insert with one run of a missing project is refused whole');
SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE id IN ('00000000-0000-0000-0000-00000000c001',
	'00000000-0000-0000-0000-00000000d001', '00000000-0000-0000-0000-00000000d002')), 0,
	'the refused multi-row inserts left no trace behind');

-- a run arriving for a trace whose data has been purged is refused, and nothing changes
UPDATE lsbilling.traces SET purged_at = now() WHERE id = '00000000-0000-0000-0000-00000000b001';
SELECT throws_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
	  VALUES ('00000000-0000-0000-0000-0000000000b2', gen_random_uuid(), '00000000-0000-0000-0000-00000000b001',
	          '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-0000000000c2', 'late', 'tool', '2026-06-02 08:30:00+00')$$,
	'LS410', 'trace 00000000-0000-0000-0000-00000000b001 has been purged', 'a run of a purged trace is refused with LS410');
SELECT is((SELECT run_count FROM lsbilling.traces WHERE id = '00000000-0000-0000-0000-00000000b001'),
	2::bigint, '... and the purged trace''s totals are unchanged');

-- DROP EXTENSION removes everything it made; CREATE brings it back
DROP EXTENSION lsbilling;
-- PostgreSQL creates the control file's schema outside the extension, so it
-- stays (empty) after DROP EXTENSION; everything the extension made is gone.
SELECT is((SELECT count(*)::int FROM pg_class WHERE relnamespace = 'lsbilling'::regnamespace)
        + (SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'lsbilling'::regnamespace)
        + (SELECT count(*)::int FROM pg_type WHERE typnamespace = 'lsbilling'::regnamespace),
	0, 'DROP EXTENSION removes every table, function and type it made');
CREATE EXTENSION lsbilling;
SELECT is((SELECT count(*)::int FROM lsbilling.traces), 0, 'CREATE EXTENSION after DROP gives an empty, working model');

SELECT ok(lsbilling.preloaded(), 'lsbilling.preloaded() is true in the preloaded test cluster');

SELECT * FROM finish();
ROLLBACK;
