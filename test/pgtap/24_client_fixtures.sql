-- Run documents captured from the real client libraries (test/fixtures/runs/,
-- made by test/fixtures/gen/generate.mjs: the npm packages named in its
-- package.json, pointed at a 127.0.0.1 stub answering with the recorded provider
-- responses of test/fixtures/gen/responses.json, the langsmith tracer's posts and
-- patches captured and merged).  Each is loaded as LangSmith would store it and
-- priced at the shipped list prices, to the last digit.
BEGIN;
SELECT plan(16);
\set f_chain `cat test/fixtures/runs/langchain_js_openai_chain.json`
\set f_flex `cat test/fixtures/runs/langchain_js_openai_flex.json`
\set f_lc_anthropic `cat test/fixtures/runs/langchain_js_anthropic.json`
\set f_wrap_openai `cat test/fixtures/runs/langsmith_wrap_openai.json`
\set f_wrap_anthropic `cat test/fixtures/runs/langsmith_wrap_anthropic.json`
\set f_wrap_gemini `cat test/fixtures/runs/langsmith_wrap_gemini.json`
\set f_vercel `cat test/fixtures/runs/vercel_ai_sdk_openai.json`
CREATE TEMP TABLE fx (name text PRIMARY KEY, doc jsonb);
INSERT INTO fx VALUES ('chain', :'f_chain'), ('flex', :'f_flex'), ('lc_anthropic', :'f_lc_anthropic'),
	('wrap_openai', :'f_wrap_openai'), ('wrap_anthropic', :'f_wrap_anthropic'), ('wrap_gemini', :'f_wrap_gemini'),
	('vercel', :'f_vercel');

INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-0000000024a1', 'FixtureOrg');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000024b1', '00000000-0000-0000-0000-0000000024a1', 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000024b1', '00000000-0000-0000-0000-0000000024c1', 'fixtures');
-- a fixture's runs, parents first (dotted_order), as the documents came
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, dotted_order, project_id, name, run_type,
	start_time, end_time, inputs, outputs, extra, tags)
SELECT '00000000-0000-0000-0000-0000000024b1', (r ->> 'id')::uuid, (r ->> 'trace_id')::uuid,
	(r ->> 'parent_run_id')::uuid, r ->> 'dotted_order', '00000000-0000-0000-0000-0000000024c1',
	r ->> 'name', r ->> 'run_type', (r ->> 'start_time')::timestamptz,
	to_timestamp((r ->> 'end_time')::numeric / 1000), r -> 'inputs', r -> 'outputs', r -> 'extra',
	ARRAY(SELECT jsonb_array_elements_text(coalesce(r -> 'tags', '[]')))
FROM fx, jsonb_array_elements(fx.doc -> 'runs') r
ORDER BY fx.name, r ->> 'dotted_order';

CREATE FUNCTION pg_temp.llm(fixture text) RETURNS TABLE (pt bigint, ct bigint, tt bigint, pc numeric, cc numeric,
	tc numeric, src text) LANGUAGE sql AS $$
	SELECT prompt_tokens, completion_tokens, total_tokens, prompt_cost, completion_cost, total_cost, usage_source
	FROM lsbilling.runs r JOIN fx ON fx.name = $1
	WHERE r.id IN (SELECT (x ->> 'id')::uuid FROM jsonb_array_elements(fx.doc -> 'runs') x) AND r.run_type = 'llm'
$$;
CREATE FUNCTION pg_temp.trace_of(fixture text) RETURNS TABLE (runs bigint, tt bigint, tc numeric) LANGUAGE sql AS $$
	SELECT t.run_count, t.total_tokens, t.total_cost FROM lsbilling.traces t JOIN fx ON fx.name = $1
	WHERE t.id = (fx.doc #>> '{runs,0,trace_id}')::uuid
$$;

-- @langchain/openai, prompt | ChatOpenAI (gpt-4o-mini 0.15 / 0.60, cache read 0.075):
-- in 1024*0.075 + 176*0.15 = 103.2e-6; out 300*0.6 = 180e-6
SELECT results_eq($$SELECT * FROM pg_temp.llm('chain')$$,
	$$VALUES (1200::bigint, 300::bigint, 1500::bigint, 0.0001032::numeric, 0.00018::numeric, 0.0002832::numeric, 'extra.metadata.usage_metadata')$$,
	'LangChain-JS ChatOpenAI: tokens, cache read, cost');
SELECT results_eq($$SELECT * FROM pg_temp.trace_of('chain')$$, $$VALUES (3::bigint, 1500::bigint, 0.0002832::numeric)$$,
	'the RunnableSequence and the prompt echo the message: the trace counts the call once');
-- service_tier flex from invocation_params (LangChain-JS does not prefix the keys):
-- gpt-5 flex 0.625 / 5, cache read 0.0625: in 1000*0.0625 + 1000*0.625; out 500*5
SELECT results_eq($$SELECT pt, ct, pc, cc, tc FROM pg_temp.llm('flex')$$,
	$$VALUES (2000::bigint, 500::bigint, 0.0006875::numeric, 0.0025::numeric, 0.0031875::numeric)$$,
	'LangChain-JS ChatOpenAI with service_tier flex: billed at the flex prices');
SELECT is((SELECT usage_metadata ->> 'service_tier' FROM lsbilling.runs r JOIN fx ON fx.name = 'flex'
	WHERE r.id = (fx.doc #>> '{runs,0,id}')::uuid), 'flex', 'the stored usage names the tier');
-- @langchain/anthropic: cache_creation 3000 unsplit in usage_metadata; the split is in the
-- message's provider usage. claude-sonnet-4-5: 5000*0.3 + 1000*3.75 + 2000*6 + 100*3; out 400*15
SELECT results_eq($$SELECT pt, ct, pc, cc, tc FROM pg_temp.llm('lc_anthropic')$$,
	$$VALUES (8100::bigint, 400::bigint, 0.01755::numeric, 0.006::numeric, 0.02355::numeric)$$,
	'LangChain-JS ChatAnthropic: 1-hour writes split out of cache_creation and priced at 2x input');
SELECT is((SELECT prompt_token_details FROM lsbilling.runs r JOIN fx ON fx.name = 'lc_anthropic'
	WHERE r.id = (fx.doc #>> '{runs,0,id}')::uuid),
	'{"cache_read": 5000, "cache_creation": 1000, "cache_creation_1h": 2000}'::jsonb, 'the details as stored');
-- langsmith's wrapOpenAI: the same call as the first
SELECT results_eq($$SELECT pt, ct, tt, tc FROM pg_temp.llm('wrap_openai')$$,
	$$VALUES (1200::bigint, 300::bigint, 1500::bigint, 0.0002832::numeric)$$, 'langsmith wrapOpenAI');
-- langsmith's wrapAnthropic: ephemeral_5m_input_tokens / ephemeral_1hr_input_tokens, no cache_creation
SELECT results_eq($$SELECT pt, ct, tc FROM pg_temp.llm('wrap_anthropic')$$,
	$$VALUES (8100::bigint, 400::bigint, 0.02355::numeric)$$, 'langsmith wrapAnthropic (ephemeral_1hr_input_tokens)');
SELECT is((SELECT prompt_cost_details FROM lsbilling.runs r JOIN fx ON fx.name = 'wrap_anthropic'
	WHERE r.id = (fx.doc #>> '{runs,0,id}')::uuid),
	'{"cache_read": 0.0015, "cache_creation": 0.00375, "cache_creation_1h": 0.012}'::jsonb, 'each write type at its price');
-- langsmith's wrapGemini: thinking outside output_tokens. gemini-2.5-flash 0.30 / 2.50: 5*0.3; 17*2.5
SELECT results_eq($$SELECT pt, ct, tt, pc, cc, tc FROM pg_temp.llm('wrap_gemini')$$,
	$$VALUES (5::bigint, 17::bigint, 22::bigint, 0.0000015::numeric, 0.0000425::numeric, 0.000044::numeric)$$,
	'langsmith wrapGemini: reasoning added to output_tokens');
-- the Vercel AI SDK through langsmith's wrapAISDK: gpt-4o 2.5 / 10, cache read 1.25
SELECT results_eq($$SELECT pt, ct, pc, cc, tc FROM pg_temp.llm('vercel')$$,
	$$VALUES (1200::bigint, 300::bigint, 0.00172::numeric, 0.003::numeric, 0.00472::numeric)$$,
	'Vercel AI SDK generateText: tokens, cache read, cost');
SELECT is((SELECT ls_provider FROM lsbilling.runs r JOIN fx ON fx.name = 'vercel'
	WHERE r.id = (fx.doc #>> '{runs,1,id}')::uuid), 'openai', 'its provider inferred from the run name openai.chat');
SELECT results_eq($$SELECT * FROM pg_temp.trace_of('vercel')$$, $$VALUES (2::bigint, 1500::bigint, 0.00472::numeric)$$,
	'the wrapper''s chain run does not count the call again');

-- every llm run of every fixture is priced; no other run has tokens
SELECT is((SELECT count(*) FROM lsbilling.runs WHERE workspace_id = '00000000-0000-0000-0000-0000000024b1'
	AND run_type = 'llm' AND (total_cost IS NULL OR cost_error IS NOT NULL))::int, 0, 'every llm run is priced, none has a cost_error');
SELECT is((SELECT count(*) FROM lsbilling.runs WHERE workspace_id = '00000000-0000-0000-0000-0000000024b1'
	AND run_type <> 'llm' AND total_tokens IS NOT NULL)::int, 0, 'chains and prompts carry no tokens');
SELECT is((SELECT count(DISTINCT x ->> 'langsmith') FROM fx, LATERAL (SELECT fx.doc -> 'versions' AS x) v)::int, 1,
	'the fixtures name the library versions they were made with');

SELECT * FROM finish();
ROLLBACK;
