-- 0.2.0 demo (issue 9): run documents as real clients send them, priced at list prices.
\pset footer off
\set QUIET on
\echo
\echo == Real client traffic: where the usage of each run was read, and what it cost
BEGIN;
INSERT INTO lsbilling.projects (workspace_id, id, name)
SELECT id, '00000000-0000-4000-8000-0000000009c1', 'client-traffic' FROM lsbilling.workspaces ORDER BY id LIMIT 1;
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, inputs, outputs, extra)
SELECT p.workspace_id, v.id::uuid, v.id::uuid, p.id, v.name, 'llm', lsbilling.clock_now(), v.inputs::jsonb, v.outputs::jsonb, v.extra::jsonb
FROM lsbilling.projects p, (VALUES
 ('00000000-0000-4000-8000-000000000901', 'ChatOpenAI', NULL,
  '{"generations": [[{"message": {"kwargs": {"usage_metadata": {"input_tokens": 1200, "output_tokens": 300, "input_token_details": {"cache_read": 1024}}}}}]]}',
  '{"invocation_params": {"model": "gpt-4o-mini"}}'),
 ('00000000-0000-4000-8000-000000000902', 'anthropic.messages', NULL,
  '{"model": "claude-sonnet-4-5-20250929", "usage": {"input_tokens": 100, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 5000, "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000}, "output_tokens": 400}}', '{}'),
 ('00000000-0000-4000-8000-000000000903', 'responses', '{"model": "gpt-5"}',
  '{"object": "response", "service_tier": "flex", "usage": {"input_tokens": 2000, "input_tokens_details": {"cached_tokens": 1000}, "output_tokens": 500, "output_tokens_details": {"reasoning_tokens": 300}, "total_tokens": 2500}}', '{}'),
 ('00000000-0000-4000-8000-000000000904', 'ChatGoogleGenerativeAI', NULL,
  '{"usage_metadata": {"input_tokens": 5, "output_tokens": 1, "total_tokens": 22, "output_token_details": {"reasoning": 16}}}',
  '{"metadata": {"ls_model_name": "gemini-2.5-flash"}}')) AS v(id, name, inputs, outputs, extra)
WHERE p.id = '00000000-0000-4000-8000-0000000009c1';
SELECT ls_model_name AS model, prompt_tokens AS input, completion_tokens AS output, total_cost, usage_source
FROM lsbilling.runs WHERE project_id = '00000000-0000-4000-8000-0000000009c1' ORDER BY id;
ROLLBACK;
\echo
\echo == The price catalog: the whole LiteLLM snapshot through lsbilling.import_prices, twice (the second adds nothing)
\set catalog `cat test/fixtures/catalogs/litellm-model-prices-2026-07-24.json`
BEGIN;
SELECT * FROM lsbilling.import_prices(:'catalog'::jsonb, 'litellm', lsbilling.clock_now());
SELECT * FROM lsbilling.import_prices(:'catalog'::jsonb, 'litellm', lsbilling.clock_now());
ROLLBACK;
