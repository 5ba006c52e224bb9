-- Cost engine: a priced trace tree, project stats and a cost time series.
BEGIN;
SET TIME ZONE 'UTC';
INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'Acme');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'prod');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1', 'agent');
-- the seed's price: input 2, cache_read 1, output 3 $ per 1M tokens
INSERT INTO lsbilling.model_prices (name, match_pattern, provider, input_price, output_price, input_price_details)
VALUES ('my_model', '^my_model$', 'my_provider', 2, 3, '{"cache_read": 1}');
-- an agent: chain -> (llm with the seed's usage, tool with a sent cost, llm on gpt-4o with cached tokens)
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra, outputs)
VALUES
 ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001', NULL,
  '00000000-0000-0000-0000-0000000000c1', 'Agent', 'chain', '2026-06-01 10:00:00+00', '{}', NULL),
 ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001',
  '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000c1', 'chat_model', 'llm', '2026-06-01 10:00:01+00',
  '{"metadata": {"ls_provider": "my_provider", "ls_model_name": "my_model",
    "usage_metadata": {"input_tokens": 20, "input_token_details": {"cache_read": 5}, "output_tokens": 10, "total_tokens": 30}}}', NULL),
 ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000001',
  '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000c1', 'search', 'tool', '2026-06-01 10:00:02+00',
  '{"metadata": {"usage_metadata": {"total_cost": 0.0025}}}', NULL),
 ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000004', '00000000-0000-0000-0000-000000000001',
  '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000c1', 'ChatOpenAI', 'llm', '2026-06-01 10:00:03+00',
  '{"metadata": {"ls_provider": "openai", "ls_model_name": "gpt-4o-2024-08-06"}}',
  '{"usage_metadata": {"input_tokens": 1200, "input_token_details": {"cache_read": 1000}, "output_tokens": 300}}');
-- a second trace the next day whose usage cannot be priced: stored, with the reason
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000005', '00000000-0000-0000-0000-000000000005',
        '00000000-0000-0000-0000-0000000000c1', 'ChatLocal', 'llm', '2026-06-02 09:00:00+00',
        '{"metadata": {"ls_model_name": "llama-local", "usage_metadata": {"input_tokens": 12.5}}}');
SELECT name, prompt_tokens, completion_tokens, total_tokens, prompt_cost, completion_cost, total_cost,
       prompt_cost_details, cost_error
FROM lsbilling.runs ORDER BY start_time;
-- the trace tree: own and subtree costs, input / output / other apart
SELECT repeat('  ', depth) || name AS run, total_tokens, prompt_cost, completion_cost, other_cost, total_cost,
       subtree_total_tokens, subtree_prompt_cost, subtree_completion_cost, subtree_other_cost, subtree_total_cost
FROM lsbilling.run_tree('00000000-0000-0000-0000-000000000001');
SELECT run_count, total_tokens, prompt_cost, completion_cost, other_cost, total_cost
FROM lsbilling.traces WHERE id = '00000000-0000-0000-0000-000000000001';
SELECT * FROM lsbilling.project_stats('00000000-0000-0000-0000-0000000000c1');
SELECT * FROM lsbilling.cost_timeseries('00000000-0000-0000-0000-0000000000b1', '1 day', '2026-06-01', '2026-06-03');
-- why this price?
SELECT rank, name, scope, status FROM lsbilling.explain_price('gpt-4o-2024-08-06', 'openai', '2026-06-01');
-- direct calls
SELECT input_cost, output_cost, total_cost, input_cost_details, output_cost_details
FROM lsbilling.compute_cost('{"input_tokens": 20, "input_token_details": {"cache_read": 5}, "output_tokens": 10}',
                                     'my_model', 'my_provider');
SELECT input_cost, output_cost, total_cost FROM lsbilling.compute_cost('{"input_tokens": 300000, "output_tokens": 2000}', 'gemini-2.5-pro');
SELECT * FROM lsbilling.compute_cost('{"input_tokens": -1}', 'my_model');
ROLLBACK;
