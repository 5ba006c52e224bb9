-- Cost engine on the write path: derived columns of runs, bad usage stored
-- with cost_error, trace totals equal to the sum over runs after inserts,
-- updates and deletes, run_tree, project_stats, cost_timeseries, recompute.
BEGIN;
SELECT plan(38);

INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-00000000d0a1', 'WriteOrg');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-00000000d0b1', '00000000-0000-0000-0000-00000000d0a1', 'w1');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-00000000d0b1', '00000000-0000-0000-0000-00000000d0c1', 'p1'),
       ('00000000-0000-0000-0000-00000000d0b1', '00000000-0000-0000-0000-00000000d0c2', 'p2');
INSERT INTO lsbilling.model_prices (name, match_pattern, provider, input_price, output_price, input_price_details)
VALUES ('w-model', '^w-model$', 'acme', 2, 3, '{"cache_read": 1}');

-- runs are inserted through a helper that only differs in what matters here
CREATE TEMP TABLE r_ids (n int PRIMARY KEY, id uuid);
INSERT INTO r_ids SELECT n, ('00000000-0000-0000-0000-0000000e' || lpad(n::text, 4, '0'))::uuid FROM generate_series(1, 9999) n;
CREATE FUNCTION pg_temp.run(n int, trace int, parent int, run_type text, extra jsonb,
	outputs jsonb DEFAULT NULL, start timestamptz DEFAULT '2026-06-01 10:00:00+00',
	project uuid DEFAULT '00000000-0000-0000-0000-00000000d0c1') RETURNS void LANGUAGE sql AS $$
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra, outputs)
	VALUES ('00000000-0000-0000-0000-00000000d0b1', (SELECT id FROM r_ids WHERE r_ids.n = $1),
	        (SELECT id FROM r_ids WHERE r_ids.n = $2), (SELECT id FROM r_ids WHERE r_ids.n = $3),
	        $8, 'run' || $1, $4, $7 + make_interval(secs => $1), $5, $6)
$$;
CREATE FUNCTION pg_temp.rid(n int) RETURNS uuid LANGUAGE sql AS $$ SELECT id FROM r_ids WHERE r_ids.n = $1 $$;
-- traces whose totals differ from the sum over their runs (to the last digit)
CREATE FUNCTION pg_temp.totals_off() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM lsbilling.traces t
	LEFT JOIN (SELECT workspace_id, trace_id, count(*) AS n, coalesce(sum(prompt_tokens), 0) AS pt,
	                  coalesce(sum(completion_tokens), 0) AS ct, coalesce(sum(total_tokens), 0) AS tt,
	                  coalesce(sum(prompt_cost), 0) AS pc, coalesce(sum(completion_cost), 0) AS cc,
	                  coalesce(sum(total_cost), 0) AS tc,
	                  coalesce(sum(coalesce(total_cost, 0) - coalesce(prompt_cost, 0) - coalesce(completion_cost, 0)), 0) AS oc
	           FROM lsbilling.runs GROUP BY 1, 2) s ON s.workspace_id = t.workspace_id AND s.trace_id = t.id
	WHERE t.workspace_id = '00000000-0000-0000-0000-00000000d0b1'
	  AND (t.run_count, t.prompt_tokens, t.completion_tokens, t.total_tokens, t.prompt_cost, t.completion_cost, t.other_cost, t.total_cost)
	      IS DISTINCT FROM (coalesce(s.n, 0), coalesce(s.pt, 0), coalesce(s.ct, 0), coalesce(s.tt, 0),
	                        coalesce(s.pc, 0), coalesce(s.cc, 0), coalesce(s.oc, 0), coalesce(s.tc, 0))
$$;

-- ---- derived columns ----
SELECT pg_temp.run(1, 1, NULL, 'chain', '{}');
SELECT pg_temp.run(2, 1, 1, 'llm', '{"metadata": {"ls_provider": "ACME", "ls_model_name": "w-model",
	"usage_metadata": {"input_tokens": 20, "input_token_details": {"cache_read": 5}, "output_tokens": 10}}}');
SELECT results_eq(
	$$SELECT ls_provider, ls_model_name, prompt_tokens, completion_tokens, total_tokens, prompt_token_details,
	         prompt_cost::text, completion_cost::text, total_cost::text, prompt_cost_details, completion_cost_details, cost_error
	  FROM lsbilling.runs WHERE id = pg_temp.rid(2)$$,
	$$VALUES ('ACME', 'w-model', 20::bigint, 10::bigint, 30::bigint, '{"cache_read": 5}'::jsonb,
	          '0.000035', '0.00003', '0.000065', '{"cache_read": 0.000005}'::jsonb, NULL::jsonb, NULL::text)$$,
	'an LLM run gets model, provider, tokens (total inferred), costs and details from extra.metadata');
SELECT is((SELECT price_id FROM lsbilling.runs WHERE id = pg_temp.rid(2)),
	(SELECT id FROM lsbilling.model_prices WHERE name = 'w-model'), 'price_id names the entry used');
SELECT is((SELECT usage_metadata FROM lsbilling.runs WHERE id = pg_temp.rid(2)),
	'{"input_tokens": 20, "input_token_details": {"cache_read": 5}, "output_tokens": 10}'::jsonb,
	'usage_metadata is stored as sent');

-- usage from outputs.usage_metadata when metadata has none
SELECT pg_temp.run(3, 1, 1, 'llm', '{"metadata": {"ls_provider": "acme", "ls_model_name": "w-model"}}',
	'{"usage_metadata": {"input_tokens": 1000000, "output_tokens": 1000000, "total_tokens": 5}}');
SELECT results_eq(
	$$SELECT prompt_tokens, completion_tokens, total_tokens, total_cost FROM lsbilling.runs WHERE id = pg_temp.rid(3)$$,
	$$VALUES (1000000::bigint, 1000000::bigint, 5::bigint, 5::numeric)$$,
	'usage_metadata from outputs; a sent total_tokens is kept as sent');
-- metadata's usage wins over outputs'
SELECT pg_temp.run(4, 1, 1, 'llm', '{"metadata": {"ls_provider": "acme", "ls_model_name": "w-model", "usage_metadata": {"input_tokens": 1}}}',
	'{"usage_metadata": {"input_tokens": 999}}');
SELECT is((SELECT prompt_tokens FROM lsbilling.runs WHERE id = pg_temp.rid(4)), 1::bigint,
	'extra.metadata.usage_metadata wins over outputs.usage_metadata');

-- a tool run with a sent cost is "other"
SELECT pg_temp.run(5, 1, 1, 'tool', '{"metadata": {"usage_metadata": {"total_cost": 0.0125}}}');
SELECT results_eq(
	$$SELECT prompt_cost, completion_cost, total_cost, cost_error FROM lsbilling.runs WHERE id = pg_temp.rid(5)$$,
	$$VALUES (NULL::numeric, NULL::numeric, 0.0125::numeric, NULL::text)$$,
	'a tool run''s sent total_cost is stored as its cost');
SELECT is((SELECT other_cost FROM lsbilling.traces WHERE id = pg_temp.rid(1)), 0.0125::numeric,
	'the trace counts a tool''s cost as other');

-- bad usage never refuses the insert: costs null, the reason in cost_error
SELECT lives_ok($$SELECT pg_temp.run(6, 1, 1, 'llm', '{"metadata": {"ls_provider": "acme", "ls_model_name": "w-model",
	"usage_metadata": {"input_tokens": -3, "output_tokens": 10}}}')$$, 'a run with a negative token count is stored');
SELECT results_eq(
	$$SELECT prompt_tokens, completion_tokens, total_cost, cost_error FROM lsbilling.runs WHERE id = pg_temp.rid(6)$$,
	$$VALUES (NULL::bigint, NULL::bigint, NULL::numeric,
	          'usage_metadata.input_tokens must be a non-negative integer of at most 10^15, not -3'::text)$$,
	'its tokens and costs are null and cost_error names the field');
SELECT pg_temp.run(7, 1, 1, 'llm', '{"metadata": {"ls_model_name": "w-model", "usage_metadata": "lots"}}');
SELECT is((SELECT cost_error FROM lsbilling.runs WHERE id = pg_temp.rid(7)), 'usage_metadata must be an object, not a string',
	'a usage_metadata that is not an object is reported');
SELECT pg_temp.run(8, 1, 1, 'llm', '{"metadata": {"ls_model_name": "w-model", "usage_metadata": {"input_cost": [1]}}}');
SELECT is((SELECT cost_error FROM lsbilling.runs WHERE id = pg_temp.rid(8)), 'usage_metadata.input_cost must be a number, not an array',
	'a non-numeric sent cost is reported');
SELECT pg_temp.run(9, 1, 1, 'llm', '{"metadata": {"ls_model_name": "w-model", "usage_metadata": {"input_tokens": 5}}}');
SELECT results_eq(
	$$SELECT prompt_tokens, total_cost, cost_error FROM lsbilling.runs WHERE id = pg_temp.rid(9)$$,
	$$VALUES (5::bigint, NULL::numeric, 'no model price matches ls_model_name "w-model"'::text)$$,
	'tokens no entry prices (entry needs a provider the run lacks): tokens kept, reason in cost_error');
SELECT pg_temp.run(10, 1, 1, 'llm', '{"metadata": {"usage_metadata": {"input_tokens": 5}}}');
SELECT is((SELECT cost_error FROM lsbilling.runs WHERE id = pg_temp.rid(10)), 'no model name (extra.metadata.ls_model_name, extra.invocation_params, outputs.model or inputs.model): the tokens cannot be priced',
	'tokens without a model name are reported');

-- clients cannot write the derived columns
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, total_cost, prompt_tokens)
VALUES ('00000000-0000-0000-0000-00000000d0b1', pg_temp.rid(11), pg_temp.rid(1), pg_temp.rid(1),
        '00000000-0000-0000-0000-00000000d0c1', 'forged', 'chain', '2026-06-01 10:00:11+00', 1000, 7);
SELECT results_eq($$SELECT total_cost, prompt_tokens FROM lsbilling.runs WHERE id = pg_temp.rid(11)$$,
	$$VALUES (NULL::numeric, NULL::bigint)$$, 'derived columns written by a client are cleared on insert');
UPDATE lsbilling.runs SET total_cost = 99, end_time = start_time WHERE id = pg_temp.rid(2);
SELECT is((SELECT total_cost FROM lsbilling.runs WHERE id = pg_temp.rid(2)), 0.000065::numeric,
	'an update that does not touch extra/outputs keeps the derived values');
SELECT is(pg_temp.totals_off(), 0::bigint, 'trace totals equal the sum over runs after inserts');

-- PATCH with the final outputs: re-derived, totals follow
UPDATE lsbilling.runs SET outputs = '{"usage_metadata": {"input_tokens": 100, "output_tokens": 50}}'
WHERE id = pg_temp.rid(10);
UPDATE lsbilling.runs SET extra = '{"metadata": {"ls_provider": "acme", "ls_model_name": "w-model", "usage_metadata": {"input_tokens": 40, "output_tokens": 1}}}'
WHERE id = pg_temp.rid(2);
SELECT results_eq($$SELECT prompt_tokens, total_cost FROM lsbilling.runs WHERE id = pg_temp.rid(2)$$,
	$$VALUES (40::bigint, 0.000083::numeric)$$, 'an update of extra re-prices the run');
SELECT is((SELECT cost_error FROM lsbilling.runs WHERE id = pg_temp.rid(10)), 'no model name (extra.metadata.ls_model_name, extra.invocation_params, outputs.model or inputs.model): the tokens cannot be priced',
	'an update of outputs re-derives the usage');
SELECT is(pg_temp.totals_off(), 0::bigint, 'trace totals equal the sum over runs after updates');
DELETE FROM lsbilling.runs WHERE id IN (pg_temp.rid(3), pg_temp.rid(5));
SELECT is(pg_temp.totals_off(), 0::bigint, 'trace totals equal the sum over runs after deletes');

-- a random mix of inserts, updates and deletes over many traces, with costs of many decimals
SELECT pg_temp.run(100 + g, 100 + (g % 7), CASE WHEN g >= 7 THEN 100 + (g % 7) END,
	CASE WHEN g % 5 = 0 THEN 'tool' ELSE 'llm' END,
	CASE WHEN g % 5 = 0 THEN jsonb_build_object('metadata', jsonb_build_object('usage_metadata',
	         jsonb_build_object('total_cost', round((random() / 7)::numeric, 20))))
	     ELSE jsonb_build_object('metadata', jsonb_build_object('ls_provider', 'acme', 'ls_model_name', 'w-model',
	         'usage_metadata', jsonb_build_object('input_tokens', (random() * 1e6)::int, 'output_tokens', (random() * 1e4)::int,
	         'input_token_details', jsonb_build_object('cache_read', (random() * 100)::int)))) END)
FROM generate_series(0, 299) g;
UPDATE lsbilling.runs SET extra = jsonb_set(extra, '{metadata,usage_metadata,output_tokens}', to_jsonb((random() * 1e5)::int))
WHERE name LIKE 'run1%' AND run_type = 'llm' AND random() < 0.5;
UPDATE lsbilling.runs SET outputs = '{"usage_metadata": {"input_cost": 0.333333333333333333333}}'
WHERE name LIKE 'run2%' AND random() < 0.3;
DELETE FROM lsbilling.runs WHERE name LIKE 'run3%' AND random() < 0.5;
SELECT is(pg_temp.totals_off(), 0::bigint, 'trace totals equal the sum over runs after a random mix of writes, to the last digit');

-- ---- run_tree ----
SELECT results_eq(
	$$SELECT subtree_total_tokens, subtree_prompt_cost, subtree_completion_cost, subtree_other_cost, subtree_total_cost
	  FROM lsbilling.run_tree(pg_temp.rid(1)) WHERE run_id = pg_temp.rid(1)$$,
	$$SELECT total_tokens, prompt_cost, completion_cost, other_cost, total_cost FROM lsbilling.traces WHERE id = pg_temp.rid(1)$$,
	'run_tree: the root''s subtree totals are the trace totals');
SELECT is((SELECT count(*)::int FROM lsbilling.run_tree(pg_temp.rid(100))), (SELECT count(*)::int FROM lsbilling.runs WHERE trace_id = pg_temp.rid(100)),
	'run_tree lists every run of the trace');
SELECT results_eq(
	$$SELECT run_id, depth, prompt_cost, subtree_prompt_cost FROM lsbilling.run_tree(pg_temp.rid(1)) WHERE run_id IN (pg_temp.rid(1), pg_temp.rid(2))$$,
	$$SELECT pg_temp.rid(1), 0, NULL::numeric, (SELECT sum(prompt_cost) FROM lsbilling.runs WHERE trace_id = pg_temp.rid(1))
	  UNION ALL SELECT pg_temp.rid(2), 1, 0.00008, 0.00008$$,
	'run_tree: a parent without costs of its own aggregates its children; a leaf''s subtree is itself');
-- a deeper tree: 1 -> 2 -> (2001, 2002)
SELECT pg_temp.run(2001, 1, 2, 'tool', '{"metadata": {"usage_metadata": {"total_cost": 1}}}');
SELECT pg_temp.run(2002, 1, 2001, 'llm', '{"metadata": {"ls_provider": "acme", "ls_model_name": "w-model", "usage_metadata": {"output_tokens": 1000000}}}');
SELECT results_eq(
	$$SELECT depth, subtree_completion_cost, subtree_other_cost, subtree_total_cost FROM lsbilling.run_tree(pg_temp.rid(1)) WHERE run_id = pg_temp.rid(2)$$,
	$$VALUES (1, 3.000003::numeric, 1::numeric, 4.000083::numeric)$$,
	'run_tree keeps input, output and other apart over a subtree');
SELECT is((SELECT array_agg(depth ORDER BY ord) FROM (SELECT depth, row_number() OVER () AS ord FROM lsbilling.run_tree(pg_temp.rid(1))
	WHERE run_id IN (pg_temp.rid(1), pg_temp.rid(2), pg_temp.rid(2001), pg_temp.rid(2002))) x), ARRAY[0, 1, 2, 3],
	'run_tree lists runs in tree order with their depth');

-- ---- project_stats and cost_timeseries ----
SELECT pg_temp.run(3001, 3001, NULL, 'llm', '{"metadata": {"ls_provider": "acme", "ls_model_name": "w-model", "usage_metadata": {"input_tokens": 1000000}}}',
	NULL, '2026-06-03 12:00:00+00', '00000000-0000-0000-0000-00000000d0c2');
SELECT pg_temp.run(3002, 3002, NULL, 'tool', '{"metadata": {"usage_metadata": {"total_cost": 0.5}}}',
	NULL, '2026-06-05 12:00:00+00', '00000000-0000-0000-0000-00000000d0c2');
SELECT results_eq(
	$$SELECT trace_count, run_count, prompt_tokens, prompt_cost, other_cost, total_cost
	  FROM lsbilling.project_stats('00000000-0000-0000-0000-00000000d0c2')$$,
	$$VALUES (2::bigint, 2::bigint, 1000000::bigint, 2::numeric, 0.5::numeric, 2.5::numeric)$$,
	'project_stats: traces, runs, tokens and costs by category');
SELECT results_eq(
	$$SELECT trace_count, total_cost FROM lsbilling.project_stats('00000000-0000-0000-0000-00000000d0c2', '2026-06-04', '2026-06-06')$$,
	$$VALUES (1::bigint, 0.5::numeric)$$, 'project_stats over a time range');
SELECT results_eq(
	$$SELECT sum(total_cost), sum(trace_count)::bigint FROM lsbilling.project_stats('00000000-0000-0000-0000-00000000d0c1')$$,
	$$SELECT sum(total_cost), count(DISTINCT trace_id) FROM lsbilling.runs WHERE project_id = '00000000-0000-0000-0000-00000000d0c1'$$,
	'project_stats equals the sum over the project''s runs');
SELECT results_eq(
	$$SELECT bucket_start, trace_count, prompt_cost, other_cost, total_cost FROM lsbilling.cost_timeseries(
	  '00000000-0000-0000-0000-00000000d0b1', '1 day', '2026-06-02', '2026-06-06', '00000000-0000-0000-0000-00000000d0c2')$$,
	$$VALUES ('2026-06-02 00:00+00'::timestamptz, 0::bigint, 0::numeric, 0::numeric, 0::numeric),
	         ('2026-06-03 00:00+00', 1, 2, 0, 2), ('2026-06-04 00:00+00', 0, 0, 0, 0), ('2026-06-05 00:00+00', 1, 0, 0.5, 0.5)$$,
	'cost_timeseries: one row per bucket, empty buckets included');
SELECT is((SELECT sum(total_cost) FROM lsbilling.cost_timeseries('00000000-0000-0000-0000-00000000d0b1', '1 hour', '2026-06-01', '2026-06-07')),
	(SELECT sum(total_cost) FROM lsbilling.runs WHERE workspace_id = '00000000-0000-0000-0000-00000000d0b1'),
	'cost_timeseries over the workspace adds up to the sum over its runs');

-- ---- recompute_costs ----
INSERT INTO lsbilling.model_prices (name, match_pattern, workspace_id, input_price, output_price)
VALUES ('w-model-discount', '^w-model$', '00000000-0000-0000-0000-00000000d0b1', 1, 1);
SELECT is((SELECT total_cost FROM lsbilling.runs WHERE id = pg_temp.rid(3001)), 2::numeric,
	'a price change is not retroactive');
SELECT is(lsbilling.recompute_costs('00000000-0000-0000-0000-00000000d0b1', '2026-06-03', '2026-06-04'), 1::bigint,
	'recompute_costs re-prices the runs in the range and says how many');
SELECT is((SELECT total_cost FROM lsbilling.runs WHERE id = pg_temp.rid(3001)), 1::numeric, 'the run in the range has the new price');
SELECT is((SELECT total_cost FROM lsbilling.runs WHERE id = pg_temp.rid(2)), 0.000083::numeric, 'runs outside the range keep theirs');
SELECT is((SELECT total_cost FROM lsbilling.project_stats('00000000-0000-0000-0000-00000000d0c2')), 1.5::numeric,
	'project totals follow the recompute');
SELECT lives_ok($$SELECT lsbilling.recompute_costs('00000000-0000-0000-0000-00000000d0b1', '-infinity', 'infinity')$$, 'recompute everything');
SELECT is(pg_temp.totals_off(), 0::bigint, 'trace totals equal the sum over runs after recompute');

SELECT * FROM finish();
ROLLBACK;
