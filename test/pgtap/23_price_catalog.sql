-- The price catalog: lsbilling.import_prices over the full LiteLLM snapshot and
-- Langfuse's catalog (copies in test/fixtures/catalogs/, sources in
-- test/fixtures/README.md), the shipped defaults generated from the same
-- snapshot, exact names without PCRE2, history on a changed price, and
-- workspace catalogs.  Sample prices checked by hand against the providers'
-- pricing pages (OpenAI, Anthropic, Google, AWS Bedrock).
BEGIN;
SELECT plan(27);
\set litellm `cat test/fixtures/catalogs/litellm-model-prices-2026-07-24.json`
\set langfuse `cat test/fixtures/catalogs/langfuse-default-model-prices-2026-08-21.json`
-- (psql does not expand variables inside the dollar quotes pgTAP's functions take)
CREATE TEMP TABLE cat AS SELECT :'litellm'::jsonb AS litellm, :'langfuse'::jsonb AS langfuse;

INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-0000000023a1', 'CatalogOrg');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000023b1', '00000000-0000-0000-0000-0000000023a1', 'w1'),
       ('00000000-0000-0000-0000-0000000023b2', '00000000-0000-0000-0000-0000000023a1', 'w2');
CREATE FUNCTION pg_temp.cost(u jsonb, model text, at timestamptz DEFAULT '2026-08-01', ws uuid DEFAULT NULL)
RETURNS numeric LANGUAGE sql AS $$ SELECT (lsbilling.compute_cost(u, model, NULL, at, ws)).total_cost $$;

-- the conversion
SELECT is((SELECT count(*) FROM lsbilling.price_catalog_entries(:'litellm'::jsonb))::int, 2393,
	'the LiteLLM snapshot: 2,393 priced chat / completion / embedding / responses models of 2,985 keys');
SELECT is((SELECT count(*) FROM lsbilling.price_catalog_entries(:'langfuse'::jsonb, 'langfuse'))::int, 167,
	'the Langfuse catalog: 167 models');
SELECT results_eq($$SELECT input_price, output_price, input_price_details, tiers FROM lsbilling.price_catalog_entries((SELECT litellm FROM cat)) WHERE name = 'claude-sonnet-4-5'$$,
	$$VALUES (3::numeric, 15::numeric, '{"cache_read": 0.3, "cache_creation": 3.75, "cache_creation_1h": 6}'::jsonb,
	          '[{"input_tokens_above": 200000, "input_price": 6, "output_price": 22.5, "input_price_details": {"cache_read": 0.6, "cache_creation": 7.5, "cache_creation_1h": 12}}]'::jsonb)$$,
	'claude-sonnet-4-5: 3 / 15, cache read 0.30, 5-minute write 3.75, 1-hour write 6; above 200k 6 / 22.50 (Anthropic pricing page)');
SELECT results_eq($$SELECT input_price, output_price, tiers FROM lsbilling.price_catalog_entries((SELECT litellm FROM cat)) WHERE name = 'gpt-5'$$,
	$$VALUES (1.25::numeric, 10::numeric,
	          '[{"service_tier": "flex", "input_price": 0.625, "output_price": 5, "input_price_details": {"cache_read": 0.0625}}, {"service_tier": "priority", "input_price": 2.5, "output_price": 20, "input_price_details": {"cache_read": 0.25}}]'::jsonb)$$,
	'gpt-5: 1.25 / 10; flex 0.625 / 5; priority 2.50 / 20 (OpenAI pricing page)');
SELECT results_eq($$SELECT match_pattern, input_price, output_price FROM lsbilling.price_catalog_entries((SELECT litellm FROM cat)) WHERE name = 'jp.anthropic.claude-sonnet-4-5-20250929-v1:0'$$,
	$$VALUES ('(?i)^([a-z0-9_.-]+/)?jp\.anthropic\.claude-sonnet-4-5-20250929-v1:0$', 3.3::numeric, 16.5::numeric)$$,
	'Bedrock''s regional profile carries its 10 % surcharge (3.30 / 16.50); the pattern takes one provider prefix');
SELECT results_eq($$SELECT input_price, output_price, input_price_details, output_price_details, tiers FROM lsbilling.price_catalog_entries((SELECT langfuse FROM cat), 'langfuse') WHERE name = 'gpt-5'$$,
	$$VALUES (1.25::numeric, 10::numeric, '{"cache_read": 0.125}'::jsonb, '{"reasoning": 10}'::jsonb,
	          '[{"service_tier": "flex", "input_price": 0.625, "output_price": 5, "input_price_details": {"cache_read": 0.0625}, "output_price_details": {"reasoning": 5}}, {"service_tier": "priority", "input_price": 2.5, "output_price": 20, "input_price_details": {"cache_read": 0.25}, "output_price_details": {"reasoning": 20}}]'::jsonb)$$,
	'Langfuse''s gpt-5: the same prices, its "fast"/"priority" tier as service tier priority');
SELECT throws_ok($$SELECT * FROM lsbilling.price_catalog_entries('[]', 'litellm')$$, '22023',
	'a LiteLLM catalog must be a JSON object of model names', 'a LiteLLM catalog is an object');
SELECT throws_ok($$SELECT * FROM lsbilling.price_catalog_entries('{}', 'openrouter')$$, '22023',
	'unknown catalog format "openrouter"', 'unknown formats are refused');

-- the shipped defaults are the same importer run on the same snapshot
SELECT is((SELECT count(*) FROM lsbilling.model_prices WHERE shipped AND workspace_id IS NULL AND match_pattern LIKE '(?i)^([a-z0-9\_.-]+/)?%')::int,
	612, '610 entries generated from the snapshot, plus 2 corrections, ship');
SELECT is(pg_temp.cost('{"input_tokens": 1000000, "output_tokens": 1000000}', 'gpt-3.5-turbo-1106'), 3::numeric,
	'gpt-3.5-turbo-1106 at 1 / 2 (0.1.0 had 0.50 / 1.50)');
SELECT is(pg_temp.cost('{"input_tokens": 1000000, "input_token_details": {"audio": 1000000}, "output_tokens": 1000000, "output_token_details": {"audio": 1000000}}', 'gpt-4o-realtime-preview-2024-10-01'),
	300::numeric, 'the 2024-10-01 realtime snapshot''s audio at 100 / 200');
SELECT is(pg_temp.cost('{"input_tokens": 1000000, "input_token_details": {"cache_read": 1000000}}', 'gemini-2.0-flash-lite'),
	0.01875::numeric, 'gemini-2.0-flash-lite has its cache-read price');
SELECT is(ARRAY[pg_temp.cost('{"input_tokens": 100000}', 'bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0'),
		pg_temp.cost('{"input_tokens": 100000}', 'au.anthropic.claude-sonnet-4-5-20250929-v1:0'),
		pg_temp.cost('{"input_tokens": 100000}', 'us-gov.anthropic.claude-3-haiku-20240307-v1:0'),
		pg_temp.cost('{"input_tokens": 100000}', 'claude-3-5-sonnet-v2@20241022'),
		pg_temp.cost('{"input_tokens": 100000}', 'gemini-2.5-flash-preview-09-2025'),
		pg_temp.cost('{"input_tokens": 100000}', 'gpt-4-0125-preview'),
		pg_temp.cost('{"input_tokens": 100000}', 'azure/gpt-35-turbo'),
		pg_temp.cost('{"input_tokens": 100000}', 'gpt-5.1'),
		pg_temp.cost('{"input_tokens": 100000}', 'o3-pro'),
		pg_temp.cost('{"input_tokens": 100000}', 'claude-opus-4-6')],
	ARRAY[0.3, 0.33, 0.025, 0.3, 0.03, 1, 0.05, 0.125, 2, 0.5]::numeric[],
	'the ids that matched nothing in 0.1.0 are priced (Bedrock global./au./us-gov., Vertex @date, preview snapshots, Azure, current models)');
SELECT is((SELECT status FROM lsbilling.explain_price('OpenAI/GPT-4O') WHERE rank = 1), 'chosen',
	'exact names match case-insensitively with a provider prefix, without PCRE2');
SELECT is((SELECT name FROM lsbilling.explain_price('azure/gpt-4o') WHERE status = 'chosen'), 'azure/gpt-4o',
	'a provider''s own entry outranks the plain name');

-- the full catalog: counts, idempotence, history
SELECT results_eq($$SELECT * FROM lsbilling.import_prices((SELECT litellm FROM cat), 'litellm', '2026-08-01')$$,
	$$VALUES (1783, 0, 610)$$, 'the full snapshot adds the 1,783 models not shipped; the 610 shipped are unchanged');
SELECT results_eq($$SELECT * FROM lsbilling.import_prices((SELECT litellm FROM cat), 'litellm', '2026-08-02')$$,
	$$VALUES (0, 0, 2393)$$, 're-importing adds nothing');
SELECT is((SELECT count(*) FROM lsbilling.model_prices WHERE NOT shipped AND activation_date IS NOT NULL)::int, 0,
	'models seen for the first time are active always');
SELECT results_eq($$SELECT * FROM lsbilling.import_prices(jsonb_set((SELECT litellm FROM cat), '{gpt-4o,input_cost_per_token}', '3e-06'), 'litellm', '2026-09-01')$$,
	$$VALUES (0, 1, 2392)$$, 'a changed price adds one entry');
SELECT results_eq($$SELECT activation_date, input_price FROM lsbilling.model_prices WHERE name = 'gpt-4o' AND NOT shipped$$,
	$$VALUES ('2026-09-01'::timestamptz, 3::numeric)$$, 'dated with the import''s activation_date');
SELECT is(ARRAY[pg_temp.cost('{"input_tokens": 1000000}', 'gpt-4o', '2026-08-31'), pg_temp.cost('{"input_tokens": 1000000}', 'gpt-4o', '2026-09-02')],
	ARRAY[2.5, 3]::numeric[], 'runs keep the price of their time');
SELECT results_eq($$SELECT * FROM lsbilling.import_prices(jsonb_set((SELECT litellm FROM cat), '{gpt-4o,input_cost_per_token}', '3e-06'), 'litellm', '2026-09-02')$$,
	$$VALUES (0, 0, 2393)$$, 'the changed price imported again adds nothing');

-- the map now holds ~2,440 entries, all but ~50 of them plain names
SELECT cmp_ok((SELECT count(*) FROM lsbilling.model_prices)::int, '>', 2400, 'the whole catalog is loaded');
SELECT is(pg_temp.cost('{"input_tokens": 1000, "output_tokens": 100}', 'claude-sonnet-4-5-20250929'), 0.0045::numeric,
	'with the whole catalog loaded the shipped prices still apply');

-- a workspace's own catalog
SELECT results_eq($$SELECT * FROM lsbilling.import_prices('{"my-model": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "litellm_provider": "acme", "mode": "chat"}}', 'litellm', '2026-08-01', '00000000-0000-0000-0000-0000000023b1')$$,
	$$VALUES (1, 0, 0)$$, 'a workspace imports its own entries');
SELECT is(ARRAY[pg_temp.cost('{"input_tokens": 1000000}', 'acme/my-model', '2026-08-01', '00000000-0000-0000-0000-0000000023b1'),
		pg_temp.cost('{"input_tokens": 1000000}', 'acme/my-model', '2026-08-01', '00000000-0000-0000-0000-0000000023b2')],
	ARRAY[1, NULL]::numeric[], 'a workspace''s entries price only its own runs');
SELECT results_eq($$SELECT * FROM lsbilling.import_prices((SELECT langfuse FROM cat), 'langfuse', '2026-08-21', '00000000-0000-0000-0000-0000000023b2')$$,
	$$VALUES (167, 0, 0)$$, 'Langfuse''s catalog imports into a workspace (its regexes run only for that workspace)');

SELECT * FROM finish();
ROLLBACK;
