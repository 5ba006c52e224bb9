-- The demo's sample: 2 organizations, 3 workspaces, 4 tracing projects, 200
-- traces whose runs form real trees (chain -> llm / tool / retriever, several
-- levels deep), usage_metadata both in extra.metadata and in outputs, some
-- children written before their parents.  Deterministic: fixed ids and dates.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

INSERT INTO lsbilling.organizations (id, name, plan, is_personal, has_payment_method) VALUES
 ('0a000000-0000-0000-0000-000000000001', 'Acme AI', 'plus', false, true),
 ('0a000000-0000-0000-0000-000000000002', 'Jane Doe (personal)', 'developer', true, false);

INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
 ('0b000000-0000-0000-0000-000000000001', '0a000000-0000-0000-0000-000000000001', 'acme-prod'),
 ('0b000000-0000-0000-0000-000000000002', '0a000000-0000-0000-0000-000000000001', 'acme-staging'),
 ('0b000000-0000-0000-0000-000000000003', '0a000000-0000-0000-0000-000000000002', 'personal');

INSERT INTO lsbilling.users (id, email) VALUES
 ('0e000000-0000-0000-0000-000000000001', 'ana@acme.example'),
 ('0e000000-0000-0000-0000-000000000002', 'bo@acme.example'),
 ('0e000000-0000-0000-0000-000000000003', 'cy@acme.example'),
 ('0e000000-0000-0000-0000-000000000004', 'jane@example.org');

INSERT INTO lsbilling.organization_members (organization_id, user_id, role, status, joined_at, removed_at) VALUES
 ('0a000000-0000-0000-0000-000000000001', '0e000000-0000-0000-0000-000000000001', 'admin', 'active', '2026-01-10', NULL),
 ('0a000000-0000-0000-0000-000000000001', '0e000000-0000-0000-0000-000000000002', 'user', 'active', '2026-10-16', NULL),
 ('0a000000-0000-0000-0000-000000000001', '0e000000-0000-0000-0000-000000000003', 'viewer', 'invited', '2026-03-02', '2026-10-20'),
 ('0a000000-0000-0000-0000-000000000002', '0e000000-0000-0000-0000-000000000004', 'admin', 'active', '2026-02-01', NULL);

INSERT INTO lsbilling.workspace_members (workspace_id, user_id, role) VALUES
 ('0b000000-0000-0000-0000-000000000001', '0e000000-0000-0000-0000-000000000001', 'admin'),
 ('0b000000-0000-0000-0000-000000000001', '0e000000-0000-0000-0000-000000000002', 'editor'),
 ('0b000000-0000-0000-0000-000000000002', '0e000000-0000-0000-0000-000000000001', 'admin'),
 ('0b000000-0000-0000-0000-000000000003', '0e000000-0000-0000-0000-000000000004', 'admin');

INSERT INTO lsbilling.projects (workspace_id, id, name, default_tier) VALUES
 ('0b000000-0000-0000-0000-000000000001', '0c000000-0000-0000-0000-000000000001', 'support-bot', 'base'),
 ('0b000000-0000-0000-0000-000000000001', '0c000000-0000-0000-0000-000000000002', 'contract-review', 'extended'),
 ('0b000000-0000-0000-0000-000000000002', '0c000000-0000-0000-0000-000000000003', 'support-bot-staging', 'base'),
 ('0b000000-0000-0000-0000-000000000003', '0c000000-0000-0000-0000-000000000004', 'weekend-rag', 'base');

-- One trace: AgentExecutor (chain)
--   +- VectorStoreRetriever (retriever)
--   +- ChatModel (llm)                        plans the answer
--   +- ToolLoop (chain)
--   |    +- web_search (tool)                 sends its own cost ("Other")
--   |    +- Summarize (chain)
--   |         +- ChatModel (llm)              cache reads and reasoning tokens
--   +- ChatModel (llm)                        final answer
-- The runs are written leaves first for every third trace, as a batching
-- client may deliver them.
BEGIN;
CREATE TEMP TABLE demo_runs (LIKE lsbilling.runs INCLUDING DEFAULTS) ON COMMIT DROP;
DO $$
DECLARE
	projects uuid[] := ARRAY['0c000000-0000-0000-0000-000000000001', '0c000000-0000-0000-0000-000000000001',
	                         '0c000000-0000-0000-0000-000000000002', '0c000000-0000-0000-0000-000000000003',
	                         '0c000000-0000-0000-0000-000000000004']::uuid[];
	models text[][] := ARRAY[['openai', 'gpt-4o-2024-08-06'], ['openai', 'gpt-4o-mini'],
	                         ['anthropic', 'claude-sonnet-4-5-20250929'], ['google_genai', 'gemini-2.5-pro'],
	                         ['openai', 'gpt-4.1-mini']];
	i int;
	ws uuid;
	proj uuid;
	t0 timestamptz;
	tid uuid;
	ids uuid[];
	dots text[];
	m int;
	usage jsonb;
	in_outputs boolean;
	thread text;
BEGIN
	PERFORM setseed(0.42);
	FOR i IN 1..200 LOOP
		proj := projects[1 + (i % 5)];
		SELECT workspace_id INTO ws FROM lsbilling.projects WHERE id = proj;
		t0 := timestamptz '2026-10-01 00:00:00+00' + (i * interval '6 hours 7 minutes') + (random() * interval '50 minutes');
		tid := ('0d000000-0000-0000-0000-' || lpad(to_hex(i * 16), 12, '0'))::uuid;
		ids := ARRAY[tid] || ARRAY(SELECT ('0d000000-0000-0000-0000-' || lpad(to_hex(i * 16 + k), 12, '0'))::uuid
		                           FROM generate_series(1, 7) k);
		-- LangSmith's dotted_order: <start time>Z<run id>, dot-joined from the root down
		dots := ARRAY(SELECT to_char((t0 + k * interval '150 milliseconds') AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISSUS') || 'Z' || ids[k + 1]
		              FROM generate_series(0, 7) k);
		m := 1 + (i % 5);
		in_outputs := i % 2 = 1;
		thread := CASE WHEN i % 4 = 0 THEN 'thread-' || (i / 8) END;

		INSERT INTO demo_runs (workspace_id, id, trace_id, parent_run_id, dotted_order, project_id, name, run_type,
		                       start_time, end_time, inputs, outputs, extra, tags)
		SELECT ws, ids[k], tid, parent, dotted, proj, name, run_type,
		       t0 + (k - 1) * interval '150 milliseconds', t0 + (k - 1) * interval '150 milliseconds' + dur,
		       jsonb_build_object('input', 'question ' || i), outs, extra, ARRAY['demo']
		FROM (VALUES
			(1, NULL::uuid, dots[1], 'AgentExecutor', 'chain', interval '4 seconds', NULL::jsonb, NULL::jsonb),
			(2, ids[1], dots[1] || '.' || dots[2], 'VectorStoreRetriever', 'retriever', interval '200 ms', '{"documents": 4}', NULL),
			(3, ids[1], dots[1] || '.' || dots[3], 'ChatModel', 'llm', interval '900 ms', NULL, NULL),
			(4, ids[1], dots[1] || '.' || dots[4], 'ToolLoop', 'chain', interval '2 seconds', NULL, NULL),
			(5, ids[4], dots[1] || '.' || dots[4] || '.' || dots[5], 'web_search', 'tool', interval '600 ms',
			    jsonb_build_object('results', 3, 'usage_metadata', jsonb_build_object('total_cost', 0.0015)), NULL),
			(6, ids[4], dots[1] || '.' || dots[4] || '.' || dots[6], 'Summarize', 'chain', interval '1 second', NULL, NULL),
			(7, ids[6], dots[1] || '.' || dots[4] || '.' || dots[6] || '.' || dots[7], 'ChatModel', 'llm', interval '800 ms', NULL, NULL),
			(8, ids[1], dots[1] || '.' || dots[8], 'ChatModel', 'llm', interval '1 second', NULL, NULL)
		) AS r(k, parent, dotted, name, run_type, dur, outs, extra);

		-- model and usage on the llm runs: half in extra.metadata, half in outputs
		FOR k IN 1..3 LOOP
			usage := jsonb_build_object(
				'input_tokens', 200 + floor(random() * 3000)::int,
				'output_tokens', 20 + floor(random() * 600)::int)
				|| CASE k WHEN 2 THEN jsonb_build_object(
				      'input_token_details', jsonb_build_object('cache_read', 100 + floor(random() * 100)::int),
				      'output_token_details', jsonb_build_object('reasoning', floor(random() * 20)::int))
				   ELSE '{}' END;
			UPDATE demo_runs SET
				extra = jsonb_build_object('metadata', jsonb_build_object('ls_provider', models[m][1], 'ls_model_name', models[m][2])
				        || CASE WHEN in_outputs THEN '{}' ELSE jsonb_build_object('usage_metadata', usage) END),
				outputs = jsonb_build_object('content', 'answer part ' || k)
				        || CASE WHEN in_outputs THEN jsonb_build_object('usage_metadata', usage) ELSE '{}' END
			WHERE trace_id = tid AND id = ids[(ARRAY[3, 7, 8])[k]];
		END LOOP;
		UPDATE demo_runs SET extra = jsonb_build_object('metadata', jsonb_build_object('thread_id', thread))
		WHERE id = tid AND thread IS NOT NULL;
	END LOOP;
END
$$;

-- Deliver: most traces root first, every third one leaves first.
INSERT INTO lsbilling.runs SELECT * FROM demo_runs
ORDER BY CASE WHEN (('x' || substr(trace_id::text, 33, 4))::bit(16)::int / 16) % 3 = 0
              THEN -length(dotted_order) ELSE length(dotted_order) END, trace_id;
COMMIT;

-- Activity that upgrades traces to extended retention: feedback (which also
-- upgrades the other traces of its thread), annotation-queue items and rule
-- matches; and deployment runs, billed per run.
INSERT INTO lsbilling.annotation_queues (workspace_id, id, name) VALUES
 ('0b000000-0000-0000-0000-000000000001', '0f000000-0000-0000-0000-000000000001', 'weekly review');
INSERT INTO lsbilling.automation_rules (workspace_id, id, project_id, name) VALUES
 ('0b000000-0000-0000-0000-000000000001', '0f000000-0000-0000-0000-000000000002',
  '0c000000-0000-0000-0000-000000000001', 'negative sentiment to queue');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score, created_at)
SELECT workspace_id, id, 'user_score', 1, start_time + interval '2 days'
FROM lsbilling.runs WHERE run_type = 'llm' AND name = 'ChatModel' AND dotted_order LIKE '%.%.%.%'
  AND project_id = '0c000000-0000-0000-0000-000000000001' AND start_time < '2026-10-20'
  AND (('x' || substr(trace_id::text, 33, 4))::bit(16)::int / 16) % 7 = 0;
INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id, added_at)
SELECT workspace_id, '0f000000-0000-0000-0000-000000000001', id, start_time + interval '1 day'
FROM lsbilling.runs WHERE id = trace_id AND project_id = '0c000000-0000-0000-0000-000000000001'
  AND (('x' || substr(trace_id::text, 33, 4))::bit(16)::int / 16) % 11 = 0;
INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id, matched_at)
SELECT workspace_id, '0f000000-0000-0000-0000-000000000002', id, start_time + interval '5 minutes'
FROM lsbilling.runs WHERE run_type = 'tool' AND project_id = '0c000000-0000-0000-0000-000000000001'
  AND (('x' || substr(trace_id::text, 33, 4))::bit(16)::int / 16) % 13 = 0;
INSERT INTO lsbilling.deployments (workspace_id, id, name) VALUES
 ('0b000000-0000-0000-0000-000000000001', '0f000000-0000-0000-0000-000000000003', 'support-agent');
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id, started_at, kind)
SELECT '0b000000-0000-0000-0000-000000000001', '0f000000-0000-0000-0000-000000000003',
       timestamptz '2026-10-01' + g * interval '97 minutes', CASE WHEN g % 10 = 0 THEN 'resume' ELSE 'run' END
FROM generate_series(1, 600) g;
