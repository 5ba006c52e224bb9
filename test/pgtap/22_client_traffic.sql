-- Real client traffic: usage, model and provider read where real clients put
-- them (one documented order, README "Reading usage"), detail keys normalised
-- (Anthropic 5-minute / 1-hour cache writes, OpenAI service tiers, Gemini
-- reasoning outside output_tokens), service-tier and 1-hour-write prices,
-- usage that arrives only in the PATCH, compute_cost under parallel plans and
-- its privilege check.  Documents are the shapes the client libraries send
-- (test/fixtures/README.md says where each comes from); costs are the shipped
-- list prices, worked out by hand in the comments.
BEGIN;
SELECT plan(47);

INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-0000000022a1', 'TrafficOrg');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000022b1', '00000000-0000-0000-0000-0000000022a1', 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000022b1', '00000000-0000-0000-0000-0000000022c1', 'p');

CREATE FUNCTION pg_temp.rid(n int) RETURNS uuid LANGUAGE sql AS
	$$ SELECT ('00000000-0000-4000-8000-0000002200' || lpad(n::text, 2, '0'))::uuid $$;
CREATE FUNCTION pg_temp.run(n int, run_type text, name text, extra jsonb, outputs jsonb,
	inputs jsonb DEFAULT NULL, trace int DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type,
	                            start_time, inputs, extra, outputs)
	VALUES ('00000000-0000-0000-0000-0000000022b1', pg_temp.rid($1), pg_temp.rid(coalesce($7, $1)),
	        CASE WHEN $7 IS NULL THEN NULL ELSE pg_temp.rid($7) END,
	        '00000000-0000-0000-0000-0000000022c1', $3, $2, '2026-06-01 10:00:00+00', $6, $4, $5)
$$;
CREATE FUNCTION pg_temp.got(n int) RETURNS TABLE (pt bigint, ct bigint, tt bigint, pc numeric, cc numeric,
	tc numeric, model text, provider text, src text) LANGUAGE sql AS $$
	SELECT prompt_tokens, completion_tokens, total_tokens, prompt_cost, completion_cost, total_cost,
	       ls_model_name, ls_provider, usage_source
	FROM lsbilling.runs WHERE id = pg_temp.rid($1)
$$;

-- 1. LangChain-Python (before its 2026 tracer fix): usage only in the serialized
-- generations, two of them (a batch), model only in invocation_params.
-- gpt-4o 2.5 / 10, cache_read 1.25: in 150 (40 cached): 40*1.25 + 110*2.5 = 325e-6; out 30*10 = 300e-6.
SELECT pg_temp.run(1, 'llm', 'ChatOpenAI',
	'{"invocation_params": {"model": "gpt-4o-2024-08-06", "_type": "openai-chat"}, "metadata": {}}',
	$${"generations": [[{"text": "hi", "type": "ChatGeneration", "generation_info": {"finish_reason": "stop"},
	    "message": {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "AIMessage"],
	      "kwargs": {"content": "hi", "type": "ai", "usage_metadata": {"input_tokens": 100, "output_tokens": 20,
	        "total_tokens": 120, "input_token_details": {"audio": 0, "cache_read": 40}, "output_token_details": {"audio": 0, "reasoning": 0}}}}}],
	  [{"text": "yo", "type": "ChatGeneration",
	    "message": {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "AIMessage"],
	      "kwargs": {"content": "yo", "usage_metadata": {"input_tokens": 50, "output_tokens": 10, "total_tokens": 60}}}}]],
	 "llm_output": {"model_name": "gpt-4o-2024-08-06"}}$$);
SELECT results_eq($$SELECT * FROM pg_temp.got(1)$$,
	$$VALUES (150::bigint, 30::bigint, 180::bigint, 0.000325::numeric, 0.0003::numeric, 0.000625::numeric,
	          'gpt-4o-2024-08-06', 'openai', 'outputs.generations; model from extra.invocation_params.model; provider inferred')$$,
	'LangChain-Python generations: summed over the batch, model from invocation_params, provider from the run name');
SELECT is((SELECT prompt_token_details FROM lsbilling.runs WHERE id = pg_temp.rid(1)),
	'{"audio": 0, "cache_read": 40}'::jsonb, 'the generations'' details are summed too');

-- 2. @traceable(run_type="llm") returning an OpenAI Chat Completions response.
-- gpt-4o-mini 0.15 / 0.60, cache_read 0.075: in 600*0.075 + 400*0.15 = 105e-6; out 200*0.6 = 120e-6.
SELECT pg_temp.run(2, 'llm', 'openai.chat', '{"metadata": {}}',
	$${"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
	   "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
	   "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200,
	     "prompt_tokens_details": {"cached_tokens": 600, "audio_tokens": 0},
	     "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0}}}$$);
SELECT results_eq($$SELECT * FROM pg_temp.got(2)$$,
	$$VALUES (1000::bigint, 200::bigint, 1200::bigint, 0.000105::numeric, 0.00012::numeric, 0.000225::numeric,
	          'gpt-4o-mini-2024-07-18', 'openai', 'outputs.usage (openai chat completions); model from outputs.model; provider inferred')$$,
	'OpenAI Chat Completions outputs.usage: tokens, cache_read, model from outputs.model');
SELECT is((SELECT usage_metadata FROM lsbilling.runs WHERE id = pg_temp.rid(2)),
	'{"input_tokens": 1000, "output_tokens": 200, "total_tokens": 1200, "input_token_details": {"audio": 0, "cache_read": 600}, "output_token_details": {"audio": 0, "reasoning": 0}}'::jsonb,
	'the stored usage_metadata is the normalised document');

-- 3. OpenAI Responses API at the flex tier; model only in inputs.
-- gpt-5 flex 0.625 / 5, cache_read 0.0625, reasoning 5:
-- in 1000*0.0625 + 1000*0.625 = 687.5e-6; out 300*5 + 200*5 = 2500e-6.
SELECT pg_temp.run(3, 'llm', 'responses', '{"metadata": {}}',
	$${"object": "response", "status": "completed", "service_tier": "flex",
	   "usage": {"input_tokens": 2000, "input_tokens_details": {"cached_tokens": 1000},
	     "output_tokens": 500, "output_tokens_details": {"reasoning_tokens": 300}, "total_tokens": 2500}}$$,
	'{"model": "gpt-5", "input": "hi", "service_tier": "flex"}');
SELECT results_eq($$SELECT * FROM pg_temp.got(3)$$,
	$$VALUES (2000::bigint, 500::bigint, 2500::bigint, 0.0006875::numeric, 0.0025::numeric, 0.0031875::numeric,
	          'gpt-5', 'openai', 'outputs.usage (openai responses); model from inputs.model; provider inferred')$$,
	'OpenAI Responses outputs.usage at service_tier flex: the flex prices, model from inputs.model');

-- 4. LangChain's flex-prefixed keys (flex_cache_read, flex_reasoning, the flex
-- buckets), usage arriving only in the PATCH: same figures as 3.
SELECT pg_temp.run(4, 'llm', 'ChatOpenAI', '{"metadata": {"ls_model_name": "gpt-5", "ls_provider": "openai"}}', NULL);
SELECT results_eq($$SELECT pt, tc, src FROM pg_temp.got(4)$$, $$VALUES (NULL::bigint, NULL::numeric, NULL::text)$$,
	'a run created without usage has no tokens yet');
UPDATE lsbilling.runs SET end_time = '2026-06-01 10:00:05+00', outputs =
	$${"usage_metadata": {"input_tokens": 2000, "output_tokens": 500, "total_tokens": 2500,
	   "input_token_details": {"flex_cache_read": 1000, "flex": 1000},
	   "output_token_details": {"flex_reasoning": 300, "flex": 200}}}$$
WHERE id = pg_temp.rid(4);
SELECT results_eq($$SELECT * FROM pg_temp.got(4)$$,
	$$VALUES (2000::bigint, 500::bigint, 2500::bigint, 0.0006875::numeric, 0.0025::numeric, 0.0031875::numeric,
	          'gpt-5', 'openai', 'outputs.usage_metadata')$$,
	'usage only in the PATCH is priced then; flex_ prefixes become the base keys plus service_tier flex');
SELECT is((SELECT prompt_token_details || completion_token_details FROM lsbilling.runs WHERE id = pg_temp.rid(4)),
	'{"cache_read": 1000, "reasoning": 300}'::jsonb, 'the flex buckets are dropped (they are the remainder)');
SELECT results_eq($$SELECT prompt_tokens, completion_tokens, total_cost FROM lsbilling.traces WHERE id = pg_temp.rid(4)$$,
	$$VALUES (2000::bigint, 500::bigint, 0.0031875::numeric)$$, 'the trace''s totals follow the PATCH');
SELECT is((lsbilling.compute_cost('{"input_tokens": 2000, "output_tokens": 500, "input_token_details": {"priority_cache_read": 1000, "priority": 1000}, "output_token_details": {"priority_reasoning": 300, "priority": 200}}', 'gpt-5')).total_cost,
	0.01275::numeric, 'priority tier: 1000*0.25 + 1000*2.5 + 500*20 = 12750e-6');
SELECT is((lsbilling.compute_cost('{"input_tokens": 2000, "output_tokens": 500, "service_tier": "flex"}', 'gpt-4.1')).total_cost,
	0.008::numeric, 'a service tier the entry has no prices for is billed at the standard prices (gpt-4.1 has no flex)');

-- 5. @traceable returning an Anthropic Messages response with 5-minute and 1-hour writes.
-- claude-sonnet-4.5 3 / 15, cache_read 0.3, cache_creation 3.75, cache_creation_1h 6:
-- in 5000*0.3 + 1000*3.75 + 2000*6 + 100*3 = 17550e-6; out 400*15 = 6000e-6.
SELECT pg_temp.run(5, 'llm', 'anthropic.messages', '{"metadata": {}}',
	$${"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
	   "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
	   "usage": {"input_tokens": 100, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 5000,
	     "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
	     "output_tokens": 400, "service_tier": "standard"}}$$);
SELECT results_eq($$SELECT * FROM pg_temp.got(5)$$,
	$$VALUES (8100::bigint, 400::bigint, 8500::bigint, 0.01755::numeric, 0.006::numeric, 0.02355::numeric,
	          'claude-sonnet-4-5-20250929', 'anthropic', 'outputs.usage (anthropic); model from outputs.model; provider inferred')$$,
	'Anthropic outputs.usage: input = plain + reads + writes, writes split 5m / 1h');
SELECT is((SELECT prompt_token_details FROM lsbilling.runs WHERE id = pg_temp.rid(5)),
	'{"cache_read": 5000, "cache_creation": 1000, "cache_creation_1h": 2000}'::jsonb, 'Anthropic details in the vocabulary');
SELECT is((SELECT prompt_cost_details FROM lsbilling.runs WHERE id = pg_temp.rid(5)),
	'{"cache_read": 0.0015, "cache_creation": 0.00375, "cache_creation_1h": 0.012}'::jsonb, 'each write type at its own price');

-- 6. The same call as LangChain reports it: Python sets cache_creation 0 beside the
-- ephemeral keys, JS writes ephemeral_1hr_input_tokens and cache_creation = all writes.
SELECT is((lsbilling.compute_cost('{"input_tokens": 8100, "output_tokens": 400, "total_tokens": 8500, "input_token_details": {"cache_read": 5000, "cache_creation": 0, "ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000}}', 'claude-sonnet-4-5-20250929')).total_cost,
	0.02355::numeric, 'LangChain-Python Anthropic keys (cache_creation 0 beside the ephemeral counts)');
SELECT is((lsbilling.compute_cost('{"input_tokens": 8100, "output_tokens": 400, "input_token_details": {"cache_read": 5000, "cache_creation": 3000, "ephemeral_5m_input_tokens": 1000, "ephemeral_1hr_input_tokens": 2000}}', 'claude-sonnet-4-5-20250929')).total_cost,
	0.02355::numeric, 'LangChain-JS Anthropic keys (ephemeral_1hr, cache_creation = all writes)');
SELECT is((lsbilling.compute_cost('{"input_tokens": 3000, "output_tokens": 0, "input_token_details": {"ephemeral_1h_input_tokens": 3000}}', 'claude-sonnet-4-5')).input_cost,
	0.018::numeric, 'a 1-hour write costs 2x input (3000 * 6)');
SELECT is((lsbilling.compute_cost('{"input_tokens": 300000, "output_tokens": 0, "input_token_details": {"cache_creation_1h": 100000, "cache_read": 100000}}', 'claude-sonnet-4-5')).input_cost,
	1.86::numeric, 'long-context step on cache prices: 100000*12 + 100000*0.6 + 100000*6 (> 200k input)');

-- 7. Gemini: thinking tokens outside output_tokens (total = input + output + reasoning).
-- gemini-2.5-flash 0.30 / 2.50, reasoning 2.5: in 5*0.3 = 1.5e-6; out 16*2.5 + 1*2.5 = 42.5e-6.
SELECT pg_temp.run(7, 'llm', 'ChatGoogleGenerativeAI', '{"metadata": {"ls_model_name": "gemini-2.5-flash", "ls_provider": "google_genai"}}',
	'{"usage_metadata": {"input_tokens": 5, "output_tokens": 1, "total_tokens": 22, "output_token_details": {"reasoning": 16}}}');
SELECT results_eq($$SELECT pt, ct, tt, pc, cc, tc FROM pg_temp.got(7)$$,
	$$VALUES (5::bigint, 17::bigint, 22::bigint, 0.0000015::numeric, 0.0000425::numeric, 0.000044::numeric)$$,
	'Gemini reasoning outside output_tokens is added to it');
SELECT pg_temp.run(8, 'llm', 'generateContent', '{"metadata": {}}',
	'{"modelVersion": "gemini-2.5-flash", "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1, "thoughtsTokenCount": 16, "totalTokenCount": 22}}');
SELECT results_eq($$SELECT pt, ct, tt, tc, model, src FROM pg_temp.got(8)$$,
	$$VALUES (5::bigint, 17::bigint, 22::bigint, 0.000044::numeric, 'gemini-2.5-flash',
	          'outputs.usageMetadata (gemini); model from outputs.modelVersion; provider inferred')$$,
	'Gemini''s own usageMetadata: thoughts counted as output');
SELECT is((lsbilling.compute_cost('{"input_tokens": 5, "output_tokens": 17, "total_tokens": 22, "output_token_details": {"reasoning": 16}}', 'gemini-2.5-flash')).total_cost,
	0.000044::numeric, 'reasoning already inside output_tokens is not added twice');

-- 8. Vercel AI SDK usage (v6 objects, and the flat v5 form).
-- gpt-4o: in 200*1.25 + 800*2.5 = 2250e-6 (cacheWrite 0 unpriced); out 100*10 = 1000e-6.
SELECT pg_temp.run(9, 'llm', 'ai.generateText', '{"metadata": {"ls_model_name": "gpt-4o", "ls_provider": "openai"}}',
	'{"text": "ok", "usage": {"inputTokens": {"total": 1000, "noCache": 800, "cacheRead": 200, "cacheWrite": 0}, "outputTokens": {"total": 100, "text": 100, "reasoning": 0}}}');
SELECT results_eq($$SELECT pt, ct, tt, pc, cc, tc, src FROM pg_temp.got(9)$$,
	$$VALUES (1000::bigint, 100::bigint, 1100::bigint, 0.00225::numeric, 0.001::numeric, 0.00325::numeric, 'outputs.usage (vercel ai sdk)')$$,
	'Vercel AI SDK v6 usage objects');
SELECT pg_temp.run(10, 'llm', 'ai.generateText', '{"metadata": {"ls_model_name": "gpt-4o"}}',
	'{"usage": {"inputTokens": 1000, "outputTokens": 100, "totalTokens": 1100, "cachedInputTokens": 200, "reasoningTokens": 0}}');
SELECT is((SELECT total_cost FROM lsbilling.runs WHERE id = pg_temp.rid(10)), 0.00325::numeric, 'Vercel AI SDK v5 flat usage');

-- 9. The order: extra.metadata.usage_metadata first; the same document elsewhere counts once.
SELECT pg_temp.run(11, 'llm', 'ChatOpenAI',
	'{"metadata": {"ls_model_name": "gpt-4o", "usage_metadata": {"input_tokens": 10, "output_tokens": 1}}}',
	'{"usage_metadata": {"input_tokens": 10, "output_tokens": 1}, "usage": {"prompt_tokens": 999, "completion_tokens": 999}}');
SELECT results_eq($$SELECT pt, ct, src FROM pg_temp.got(11)$$,
	$$VALUES (10::bigint, 1::bigint, 'extra.metadata.usage_metadata; provider inferred')$$, 'extra.metadata.usage_metadata comes first, once');
SELECT pg_temp.run(12, 'llm', 'ChatOpenAI', '{"metadata": {"ls_model_name": "gpt-4o"}}',
	$${"usage_metadata": {"input_tokens": 10, "output_tokens": 1},
	   "generations": [[{"message": {"kwargs": {"usage_metadata": {"input_tokens": 10, "output_tokens": 1}}}}]]}$$);
SELECT results_eq($$SELECT pt, ct, src FROM pg_temp.got(12)$$,
	$$VALUES (10::bigint, 1::bigint, 'outputs.usage_metadata; provider inferred')$$, 'outputs.usage_metadata before the generations, counted once');

-- 10. A chain echoing its child's message is not a second call.
SELECT pg_temp.run(13, 'chain', 'RunnableSequence', '{"metadata": {"ls_model_name": "gpt-4o"}}',
	$${"output": {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "AIMessage"],
	   "kwargs": {"content": "hi", "usage_metadata": {"input_tokens": 100, "output_tokens": 20}}},
	   "generations": [[{"message": {"kwargs": {"usage_metadata": {"input_tokens": 100, "output_tokens": 20}}}}]],
	   "usage": {"prompt_tokens": 100, "completion_tokens": 20}}$$);
SELECT results_eq($$SELECT pt, tc, src FROM pg_temp.got(13)$$, $$VALUES (NULL::bigint, NULL::numeric, NULL::text)$$,
	'a chain''s echoed message, generations or usage are not read');
SELECT pg_temp.run(14, 'parser', 'StrOutputParser', '{}', '{"usage": {"input_tokens": 5, "output_tokens": 5}}');
SELECT is((SELECT usage_source FROM lsbilling.runs WHERE id = pg_temp.rid(14)), NULL, 'nor a parser''s');
SELECT pg_temp.run(15, 'tool', 'search', '{}', '{"usage_metadata": {"total_cost": 0.0015}}');
SELECT results_eq($$SELECT tc, src FROM pg_temp.got(15)$$, $$VALUES (0.0015::numeric, 'outputs.usage_metadata')$$,
	'a tool''s sent cost is still read from usage_metadata (seed 004)');

-- 11. Bad values in a provider format: stored, unpriced, with the reason.
SELECT pg_temp.run(16, 'llm', 'openai.chat', '{"metadata": {"ls_model_name": "gpt-4o"}}', '{"usage": {"prompt_tokens": -3, "completion_tokens": 1}}');
SELECT results_eq($$SELECT total_cost, cost_error FROM lsbilling.runs WHERE id = pg_temp.rid(16)$$,
	$$VALUES (NULL::numeric, 'outputs.usage.prompt_tokens must be a non-negative integer of at most 10^15')$$,
	'a bad provider usage is stored with the reason in cost_error');

-- 12. A matched entry with no tokens on a side costs 0 on it: input + output = total.
SELECT results_eq($$SELECT input_cost, output_cost, total_cost FROM lsbilling.compute_cost('{"input_tokens": 1000}', 'gpt-4o')$$,
	$$VALUES (0.0025::numeric, 0::numeric, 0.0025::numeric)$$, 'no output tokens: output_cost 0, not NULL');
SELECT results_eq($$SELECT input_cost, output_cost, total_cost FROM lsbilling.compute_cost('{"input_tokens": 1000}', 'no-such-model')$$,
	$$VALUES (NULL::numeric, NULL::numeric, NULL::numeric)$$, 'no entry: still NULL');

-- 12b. Sent costs are bounded: non-negative, at most $1,000,000, at most 15
-- decimals; a run that sends more is stored, unpriced, with the reason.
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"total_cost": -0.5}', NULL)$$, '22023',
	'usage_metadata.total_cost must be a non-negative number of at most 1000000 with at most 15 decimals, not -0.5',
	'a negative sent cost is refused by compute_cost');
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"input_cost": 1000000.000000000000001}', NULL)$$, '22023',
	'usage_metadata.input_cost must be a non-negative number of at most 1000000 with at most 15 decimals, not 1000000.000000000000001',
	'a sent cost above the maximum is refused');
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"output_cost_details": {"audio": 0.0000000000000001}}', NULL)$$, '22023',
	'usage_metadata.output_cost_details.audio must be a non-negative number of at most 1000000 with at most 15 decimals, not 0.0000000000000001',
	'a sent cost detail with 16 decimals is refused');
SELECT pg_temp.run(17, 'tool', 'search', $${"metadata": {"usage_metadata": {"total_cost": 1e16000}}}$$, NULL);
SELECT results_eq($$SELECT total_cost, cost_error IS NOT NULL FROM lsbilling.runs WHERE id = pg_temp.rid(17)$$,
	$$VALUES (NULL::numeric, true)$$, 'a run with a huge sent cost is stored, not refused, with cost_error');

-- 12c. A trace's token totals saturate instead of refusing its next run.
SELECT pg_temp.run(18, 'llm', 'big', '{"metadata": {"ls_model_name": "no-price", "usage_metadata": {"input_tokens": 1000000000000000, "output_tokens": 1000000000000000}}}', NULL);
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra)
SELECT '00000000-0000-0000-0000-0000000022b1', gen_random_uuid(), pg_temp.rid(18), pg_temp.rid(18),
	'00000000-0000-0000-0000-0000000022c1', 'big', 'llm', '2026-06-01 10:00:01+00',
	'{"metadata": {"ls_model_name": "no-price", "usage_metadata": {"input_tokens": 1000000000000000, "output_tokens": 1000000000000000}}}'
FROM generate_series(1, 4700);
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra)
SELECT '00000000-0000-0000-0000-0000000022b1', gen_random_uuid(), pg_temp.rid(18), pg_temp.rid(18),
	'00000000-0000-0000-0000-0000000022c1', 'big', 'llm', '2026-06-01 10:00:02+00',
	'{"metadata": {"ls_model_name": "no-price", "usage_metadata": {"input_tokens": 1000000000000000, "output_tokens": 1000000000000000}}}';
SELECT results_eq($$SELECT run_count, prompt_tokens, total_tokens FROM lsbilling.traces WHERE id = pg_temp.rid(18)$$,
	$$VALUES (4702::bigint, 4702000000000000000::bigint, 9223372036854775807::bigint)$$,
	'runs past bigint''s trace total are stored; the total saturates');

-- 12d. A retried create of the same run id is stored and billed once (the retry is ignored).
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('00000000-0000-0000-0000-0000000022b1', pg_temp.rid(19), pg_temp.rid(19), '00000000-0000-0000-0000-0000000022c1',
	'retry', 'llm', '2026-06-02 10:00:00+00', '{"metadata": {"ls_model_name": "gpt-4o", "usage_metadata": {"input_tokens": 1000}}}');
SELECT lives_ok($$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('00000000-0000-0000-0000-0000000022b1', pg_temp.rid(19), pg_temp.rid(19), '00000000-0000-0000-0000-0000000022c1',
	'retry', 'llm', '2026-06-02 10:00:00+00', '{"metadata": {"ls_model_name": "gpt-4o", "usage_metadata": {"input_tokens": 1000}}}')$$,
	'a retry with the same start_time is not a unique violation');
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('00000000-0000-0000-0000-0000000022b1', pg_temp.rid(19), pg_temp.rid(19), '00000000-0000-0000-0000-0000000022c1',
	'retry', 'llm', '2026-06-03 10:00:01+00', '{"metadata": {"ls_model_name": "gpt-4o", "usage_metadata": {"input_tokens": 1000}}}');
SELECT results_eq($$SELECT (SELECT count(*) FROM lsbilling.runs WHERE id = pg_temp.rid(19)),
		(SELECT run_count FROM lsbilling.traces WHERE id = pg_temp.rid(19)),
		(SELECT total_cost FROM lsbilling.traces WHERE id = pg_temp.rid(19)),
		(SELECT count(*) FROM lsbilling.billing_events WHERE trace_id = pg_temp.rid(19))$$,
	$$VALUES (1::bigint, 1::bigint, 0.0025::numeric, 1::bigint)$$,
	'a retry with another start_time is ignored: one run, one trace total, one ledger event');
DELETE FROM lsbilling.runs WHERE id = pg_temp.rid(19);
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES ('00000000-0000-0000-0000-0000000022b1', pg_temp.rid(19), pg_temp.rid(19), '00000000-0000-0000-0000-0000000022c1',
	'retry', 'llm', '2026-06-04 10:00:00+00');
SELECT is((SELECT start_time FROM lsbilling.runs WHERE id = pg_temp.rid(19)), '2026-06-04 10:00:00+00'::timestamptz,
	'a deleted run frees its id: delete and insert again still moves a run');
SELECT is((SELECT start_time FROM lsbilling.run_ids WHERE id = pg_temp.rid(19)), '2026-06-04 10:00:00+00'::timestamptz,
	'run_ids finds a run''s start_time from its id');

-- 13. Service tiers in the price map are checked like the rest.
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, tiers) VALUES ('bad', 'x', '[{"service_tier": "", "input_price": 1}]')$$,
	'22023', 'invalid model price "bad": tiers[0].service_tier must be a non-empty string', 'an empty service tier is refused');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, tiers) VALUES ('bad', 'x', '[{"service_tier": "flex", "input_price": 1}, {"service_tier": "flex", "input_price": 2}]')$$,
	'22023', 'invalid model price "bad": two tiers have input_tokens_above -1 and service_tier flex', 'a service tier given twice is refused');
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price, output_price, tiers)
VALUES ('tiered', '^tiered$', 1, 2, '[{"service_tier": "batch", "input_price": 0.5}, {"service_tier": "batch", "input_tokens_above": 1000, "input_price": 0.75}, {"input_tokens_above": 1000, "input_price": 1.5}]');
SELECT is(ARRAY[(lsbilling.compute_cost('{"input_tokens": 1000, "output_tokens": 1000, "service_tier": "batch"}', 'tiered')).total_cost,
	(lsbilling.compute_cost('{"input_tokens": 2000, "output_tokens": 1000, "service_tier": "batch"}', 'tiered')).total_cost,
	(lsbilling.compute_cost('{"input_tokens": 2000, "output_tokens": 1000}', 'tiered')).total_cost],
	ARRAY[0.0025, 0.0035, 0.005]::numeric[], 'a service tier with its own long-context step; absent fields fall back to the entry');

-- 14. compute_cost under a forced parallel plan (a worker may not take a new
-- snapshot; each worker loads the price map afresh).  Run at top level (\gset):
-- pgTAP's functions are parallel unsafe and would keep the plan serial.
CREATE TABLE public.lsb_traffic_docs AS
	SELECT jsonb_build_object('input_tokens', 1000 + i % 7, 'output_tokens', 10) AS u
	FROM generate_series(1, 20000) i;
ANALYZE public.lsb_traffic_docs;
CREATE FUNCTION pg_temp.explain(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
		result := result || line || E'\n';
	END LOOP;
	RETURN result;
END $$;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT sum((lsbilling.compute_cost(u, 'gpt-4o')).total_cost) AS parallel_sum FROM public.lsb_traffic_docs \gset
SELECT matches(pg_temp.explain($$SELECT sum((lsbilling.compute_cost(u, 'gpt-4o')).total_cost) FROM public.lsb_traffic_docs$$),
	'Workers Launched: [1-9]', 'the plan is parallel and its workers ran compute_cost');
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT is(:'parallel_sum'::numeric, (SELECT sum((lsbilling.compute_cost(u, 'gpt-4o')).total_cost) FROM public.lsb_traffic_docs),
	'compute_cost under a parallel plan sums to the serial result');
RESET max_parallel_workers_per_gather;

-- 15. The cached map does not bypass a role that may not read model_prices.
CREATE ROLE lsb_traffic_nosee NOLOGIN;
GRANT USAGE ON SCHEMA lsbilling TO lsb_traffic_nosee;
SET LOCAL ROLE lsb_traffic_nosee;
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"input_tokens": 1}', 'gpt-4o')$$, '42501',
	'permission denied for table model_prices', 'compute_cost checks the caller may SELECT model_prices (map already cached)');
SELECT throws_ok($$SELECT * FROM lsbilling.explain_price('gpt-4o')$$, '42501',
	'permission denied for table model_prices', 'explain_price too');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
