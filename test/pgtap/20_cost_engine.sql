-- Cost engine: compute_cost arithmetic, the choice of the price entry, the
-- write-time checks of model_prices, and the shipped defaults.
BEGIN;
SELECT plan(87);

INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-00000000c0a1', 'CostOrg');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-00000000c0b1', '00000000-0000-0000-0000-00000000c0a1', 'w1'),
       ('00000000-0000-0000-0000-00000000c0b2', '00000000-0000-0000-0000-00000000c0a1', 'w2');

-- ---- the seed's worked example (seed 004 "成本计算") ----
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price, output_price, input_price_details)
VALUES ('seed', '^my_model$', 2, 3, '{"cache_read": 1}');
SELECT results_eq(
	$$SELECT input_cost::text, output_cost::text, total_cost::text, input_cost_details::text, output_cost_details::text
	  FROM lsbilling.compute_cost('{"input_tokens":20,"input_token_details":{"cache_read":5},"output_tokens":10,"total_tokens":30}',
	                              'my_model', 'my_provider')$$,
	$$VALUES ('0.000035', '0.00003', '0.000065', '{"cache_read": 0.000005}', NULL::text)$$,
	'seed example: exactly 0.000035, 0.00003 and 0.000065, cache_read priced apart');
SELECT is((lsbilling.compute_cost('{"input_tokens":20,"input_token_details":{"cache_read":5},"output_tokens":10}', 'my_model')).total_cost,
	0.000065, 'sum((compute_cost(...)).total_cost) style field access works (OUT parameters, not SETOF)');
SELECT is(pg_typeof(lsbilling.compute_cost('{}', 'x'))::text, 'record', 'compute_cost returns one composite row');
SELECT is((SELECT proretset FROM pg_proc WHERE oid = 'lsbilling.compute_cost(jsonb,text,text,timestamptz,uuid)'::regprocedure),
	false, 'compute_cost is not set-returning');

-- detail types without a price stay in the remainder; the remainder is never negative
SELECT results_eq(
	$$SELECT input_cost, input_cost_details FROM lsbilling.compute_cost(
	  '{"input_tokens":20,"input_token_details":{"cache_read":5,"audio":7}}', 'my_model')$$,
	$$VALUES (0.000035::numeric, '{"cache_read": 0.000005}'::jsonb)$$,
	'a detail type without a price (audio) stays in the remainder at input_price');
SELECT is((lsbilling.compute_cost('{"input_tokens":3,"input_token_details":{"cache_read":5}}', 'my_model')).input_cost,
	0.000005, 'the remainder never goes below zero (details larger than input_tokens)');
SELECT results_eq(
	$$SELECT input_cost, output_cost, total_cost FROM lsbilling.compute_cost('{"output_tokens":10}', 'my_model')$$,
	$$VALUES (0::numeric, 0.00003::numeric, 0.00003::numeric)$$,
	'a matched entry prices a side without tokens at 0, so input + output = total');

-- ---- nothing known / non-LLM runs / manual overrides ----
SELECT results_eq(
	$$SELECT input_cost, output_cost, total_cost, price_id FROM lsbilling.compute_cost('{"input_tokens":10,"output_tokens":5}', 'no-such-model-xyz')$$,
	$$VALUES (NULL::numeric, NULL::numeric, NULL::numeric, NULL::bigint)$$,
	'no entry and nothing sent: all costs null');
SELECT results_eq(
	$$SELECT input_cost, output_cost, total_cost, price_id FROM lsbilling.compute_cost('{"total_cost": 0.25}', NULL)$$,
	$$VALUES (NULL::numeric, NULL::numeric, 0.25::numeric, NULL::bigint)$$,
	'non-LLM run: the sent total_cost is its cost ("Other")');
SELECT results_eq(
	$$SELECT input_cost, output_cost, total_cost FROM lsbilling.compute_cost('{"output_cost": 0.5}', 'tool')$$,
	$$VALUES (NULL::numeric, 0.5::numeric, 0.5::numeric)$$,
	'only output_cost sent: the total is the output cost');
SELECT results_eq(
	$$SELECT input_cost, output_cost, total_cost, input_cost_details FROM lsbilling.compute_cost(
	  '{"input_tokens":20,"input_token_details":{"cache_read":5},"output_tokens":10,"input_cost":0.0011,"input_cost_details":{"cache_read":0.00000023}}', 'my_model')$$,
	$$VALUES (0.0011::numeric, 0.00003::numeric, 0.00113::numeric, '{"cache_read": 0.00000023}'::jsonb)$$,
	'sent input_cost and input_cost_details override the computed ones; the total follows');
SELECT results_eq(
	$$SELECT input_cost, output_cost, total_cost FROM lsbilling.compute_cost(
	  '{"input_tokens":20,"output_tokens":10,"total_cost":1}', 'my_model')$$,
	$$VALUES (0.00004::numeric, 0.00003::numeric, 1::numeric)$$,
	'a sent total_cost overrides input + output');
SELECT is((lsbilling.compute_cost('{"input_cost": 0.123456789012345}', NULL)).total_cost,
	0.123456789012345, 'sent costs with the full 15 decimals stay exact');
SELECT results_eq(
	$$SELECT input_cost, output_cost, total_cost FROM lsbilling.compute_cost('{"input_tokens":null,"output_tokens":10}', 'my_model')$$,
	$$VALUES (0::numeric, 0.00003::numeric, 0.00003::numeric)$$,
	'JSON null counts as absent');

-- ---- bad input raises an error naming the field ----
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"input_tokens":-5}', 'my_model')$$, '22023',
	'usage_metadata.input_tokens must be a non-negative integer of at most 10^15, not -5', 'negative input_tokens');
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"output_tokens":1.5}', 'my_model')$$, '22023',
	'usage_metadata.output_tokens must be a non-negative integer of at most 10^15, not 1.5', 'fractional output_tokens');
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"total_tokens":"30"}', 'my_model')$$, '22023',
	'usage_metadata.total_tokens must be a non-negative integer, not a string', 'non-numeric total_tokens');
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"input_token_details":[5]}', 'my_model')$$, '22023',
	'usage_metadata.input_token_details must be an object, not an array', 'non-object input_token_details');
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"output_token_details":{"reasoning":-1}}', 'my_model')$$, '22023',
	'usage_metadata.output_token_details.reasoning must be a non-negative integer of at most 10^15, not -1', 'negative detail count names the type');
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"input_cost":"cheap"}', 'my_model')$$, '22023',
	'usage_metadata.input_cost must be a number, not a string', 'non-numeric sent cost');
SELECT throws_ok($$SELECT lsbilling.compute_cost('{"output_cost_details":{"audio":true}}', 'my_model')$$, '22023',
	'usage_metadata.output_cost_details.audio must be a number, not a boolean', 'non-numeric sent cost detail');
SELECT throws_ok($$SELECT lsbilling.compute_cost('[1,2]', 'my_model')$$, '22023',
	'usage_metadata must be an object', 'usage_metadata that is not an object');

-- ---- big counts, exactness against numeric arithmetic ----
SELECT results_eq(
	$$SELECT input_cost, output_cost, total_cost FROM lsbilling.compute_cost(
	  '{"input_tokens":1000000000000000,"output_tokens":999999999999999}', 'my_model')$$,
	$$VALUES (2000000000::numeric, 2999999999.999997::numeric, 4999999999.999997::numeric)$$,
	'token counts of 10^15 are priced exactly');
SELECT throws_ok($$SELECT * FROM lsbilling.compute_cost('{"input_tokens":1000000000000001}', 'my_model')$$,
	'22023', 'usage_metadata.input_tokens must be a non-negative integer of at most 10^15, not 1000000000000001',
	'a token count above 10^15 is refused, naming the field');
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price, output_price)
VALUES ('tiny', '^tiny-price$', 0.00000000012345, 123456789.123456789);
SELECT results_eq(
	$$SELECT input_cost, output_cost FROM lsbilling.compute_cost('{"input_tokens":7,"output_tokens":3}', 'tiny-price')$$,
	$$VALUES (7 * 0.00000000012345 * 0.000001, 3 * 123456789.123456789 * 0.000001)$$,
	'prices beyond the fixed-point scale fall back to exact numeric');
-- the fixed-point fast path against numeric's own arithmetic, over many values
CREATE TEMP TABLE cost_rand AS
SELECT i, (random() * 10^(1 + (i % 12)))::bigint AS tin, (random() * 10^(i % 9))::bigint AS tout,
       round((random() * 10^(i % 5))::numeric, i % 10) AS pin, round((random() * 100)::numeric, i % 7) AS pout
FROM generate_series(1, 300) i;
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price, output_price)
SELECT 'rand' || i, '^rand-' || i || '$', pin, pout FROM cost_rand;
SELECT is(count(*)::int, 0, 'fixed-point results equal numeric arithmetic, value and display scale, for 300 random prices')
FROM cost_rand r, lsbilling.compute_cost(jsonb_build_object('input_tokens', tin, 'output_tokens', tout), 'rand-' || i) c
WHERE c.input_cost IS DISTINCT FROM tin * pin * 0.000001
   OR c.output_cost IS DISTINCT FROM tout * pout * 0.000001
   OR c.total_cost IS DISTINCT FROM tin * pin * 0.000001 + tout * pout * 0.000001
   OR c.total_cost::text IS DISTINCT FROM trim_scale(tin * pin * 0.000001 + tout * pout * 0.000001)::text;
SELECT is(count(*)::int, 0, 'sent costs come back exactly, zero and the bounds included')
FROM (VALUES (0::numeric), (1.5), (0.000000000000001), (1000000), (999999.999999999999999), (3e-06)) v(x),
	lsbilling.compute_cost(jsonb_build_object('input_cost', x), NULL) c
WHERE c.input_cost IS DISTINCT FROM x OR c.total_cost IS DISTINCT FROM x;

-- the hand-built details object against jsonb's own, past JB_OFFSET_STRIDE (32) keys
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price, input_price_details)
SELECT 'many-details', '^many-details$', 1, jsonb_object_agg('t' || i, i) FROM generate_series(1, 40) i;
CREATE TEMP TABLE many_details AS
SELECT (lsbilling.compute_cost(jsonb_build_object('input_tokens', 100,
	'input_token_details', (SELECT jsonb_object_agg('t' || i, 1000 * i) FROM generate_series(1, 40) i)), 'many-details')).input_cost_details AS d;
SELECT is(d, (SELECT jsonb_object_agg('t' || i, i * i * 0.001) FROM generate_series(1, 40) i),
	'a 40-key details object equals the one jsonb builds') FROM many_details;
SELECT results_eq($$SELECT d->>'t40', d->>'t33', d->>'t1', d ? 't32', (SELECT count(*) FROM jsonb_each(d))::int FROM many_details$$,
	$$VALUES ('1.6', '1.089', '0.001', true, 40)$$, 'its keys are found by jsonb''s own lookups and iteration');

-- ---- choosing the entry ----
-- PCRE2 search is unanchored: a pattern anchors itself if it wants to
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price) VALUES ('mid', 'mid-model', 1);
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'xx-mid-model-yy')).input_cost, 1::numeric,
	'an unanchored pattern matches anywhere in the model name');

-- provider: null matches any; otherwise equal case-insensitively; never a run without one
INSERT INTO lsbilling.model_prices (name, match_pattern, provider, input_price)
VALUES ('prov-any', '^prov-model$', NULL, 1), ('prov-openai', '^prov-model$', 'OpenAI', 2);
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'prov-model', 'openai')).input_cost, 2::numeric,
	'the provider matches case-insensitively (and the higher id wins over the any-provider entry)');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'prov-model', 'azure')).input_cost, 1::numeric,
	'an entry with another provider does not match');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'prov-model')).input_cost, 1::numeric,
	'an entry with a provider never matches a run without one');

-- the latest activation date wins over a higher id; null counts as oldest
INSERT INTO lsbilling.model_prices (name, match_pattern, activation_date, input_price)
VALUES ('act-2025', '^act-model$', '2025-01-01 00:00:00+00', 25),
       ('act-2024', '^act-model$', '2024-01-01 00:00:00+00', 24),
       ('act-null', '^act-model$', NULL, 99);
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2025-06-01')).input_cost, 25::numeric,
	'the latest activation date wins, whatever the ids');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2024-06-01')).input_cost, 24::numeric,
	'an entry is not used before its activation date');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2023-06-01')).input_cost, 99::numeric,
	'a null activation date counts as oldest (used only when nothing dated applies)');
-- at the boundary
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2025-01-01 00:00:00+00')).input_cost, 25::numeric,
	'an entry applies from its activation instant on (activation_date = start_time)');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2024-12-31 23:59:59.999999+00')).input_cost, 24::numeric,
	'one microsecond before the activation instant the older entry applies');

-- same activation: the highest id wins
INSERT INTO lsbilling.model_prices (name, match_pattern, activation_date, input_price)
VALUES ('tie-1', '^tie-model$', '2024-01-01', 1), ('tie-2', '^tie-model$', '2024-01-01', 2);
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'tie-model')).input_cost, 2::numeric,
	'same activation date: the highest id wins');

-- workspace entries beat defaults, even older ones; other workspaces' entries never apply
INSERT INTO lsbilling.model_prices (name, match_pattern, workspace_id, activation_date, input_price)
VALUES ('ws-override', '^act-model$', '00000000-0000-0000-0000-00000000c0b1', NULL, 7),
       ('ws2-override', '^act-model$', '00000000-0000-0000-0000-00000000c0b2', '2025-03-01', 8);
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2025-06-01', '00000000-0000-0000-0000-00000000c0b1')).input_cost,
	7::numeric, 'a workspace entry beats a default with a later activation date');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2025-06-01', '00000000-0000-0000-0000-00000000c0b2')).input_cost,
	8::numeric, 'each workspace gets its own override');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2025-06-01')).input_cost,
	25::numeric, 'without a workspace only defaults apply');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'act-model', NULL, '2025-02-01', '00000000-0000-0000-0000-00000000c0b2')).input_cost,
	25::numeric, 'a workspace entry not yet active leaves the default');

-- explain_price lists the candidates in the order chosen
SELECT results_eq(
	$$SELECT rank, name, scope, status FROM lsbilling.explain_price('act-model', NULL, '2024-06-01', '00000000-0000-0000-0000-00000000c0b2')$$,
	$$VALUES (1, 'ws2-override', 'workspace', 'not active yet'), (2, 'act-2025', 'default', 'not active yet'),
	         (3, 'act-2024', 'default', 'chosen'), (4, 'act-null', 'default', 'outranked')$$,
	'explain_price: workspace first, then by activation date, with what happened to each');

-- ---- step tiers ----
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price, output_price, input_price_details, tiers)
VALUES ('tiered', '^tiered$', 1, 2, '{"cache_read": 0.5}',
	'[{"input_tokens_above": 2000, "output_price": 100},
	  {"input_tokens_above": 1000, "input_price": 10, "input_price_details": {"cache_read": 5}}]');
SELECT results_eq(
	$$SELECT input_cost, output_cost FROM lsbilling.compute_cost('{"input_tokens":1000,"output_tokens":1000}', 'tiered')$$,
	$$VALUES (0.001::numeric, 0.002::numeric)$$, 'at the threshold (not above it) the base prices apply');
SELECT results_eq(
	$$SELECT input_cost, output_cost, input_cost_details FROM lsbilling.compute_cost('{"input_tokens":1001,"output_tokens":1000,"input_token_details":{"cache_read":1}}', 'tiered')$$,
	$$VALUES (0.010005::numeric, 0.002::numeric, '{"cache_read": 0.000005}'::jsonb)$$,
	'one token above: the tier prices the whole request; its absent output_price falls back to the entry');
SELECT results_eq(
	$$SELECT input_cost, output_cost FROM lsbilling.compute_cost('{"input_tokens":2001,"output_tokens":1000}', 'tiered')$$,
	$$VALUES (0.002001::numeric, 0.1::numeric)$$,
	'the highest threshold below input_tokens wins; absent fields fall back to the entry, not to a lower tier');
SELECT is((lsbilling.compute_cost('{"output_tokens":1000}', 'tiered')).output_cost, 0.002::numeric,
	'without input_tokens no tier applies');
-- Gemini 2.5 Pro ships with its step price above 200k input tokens
SELECT results_eq(
	$$SELECT input_cost, output_cost FROM lsbilling.compute_cost('{"input_tokens":200000,"output_tokens":1000}', 'gemini-2.5-pro')$$,
	$$VALUES (0.25::numeric, 0.01::numeric)$$, 'gemini-2.5-pro at 200k input tokens: base price');
SELECT results_eq(
	$$SELECT input_cost, output_cost FROM lsbilling.compute_cost('{"input_tokens":200001,"output_tokens":1000}', 'models/gemini-2.5-pro')$$,
	$$VALUES (0.5000025::numeric, 0.015::numeric)$$, 'gemini-2.5-pro above 200k input tokens: the step price for the whole request');

-- ---- write-time checks of model_prices ----
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern) VALUES ('bad', 'gpt-(4o')$$, '2201B',
	'invalid model price "bad": invalid match_pattern "gpt-(4o": missing closing parenthesis at offset 7',
	'a pattern PCRE2 cannot compile is refused with its reason and offset');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern) VALUES ('bad', '(?<=a+)b')$$, '2201B',
	NULL, 'PCRE2-only errors are caught too (variable-length lookbehind)');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, input_price) VALUES ('bad', 'x', -1)$$, '22023',
	'invalid model price "bad": input_price must not be negative', 'a negative price is refused');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, output_price) VALUES ('bad', 'x', 'NaN')$$, '22023',
	'invalid model price "bad": output_price must be a finite number', 'NaN is refused');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, input_price_details) VALUES ('bad', 'x', '{"audio": -2}')$$, '22023',
	'invalid model price "bad": input_price_details.audio must not be negative', 'a negative detail price is refused');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, output_price_details) VALUES ('bad', 'x', '{"audio": "2"}')$$, '22023',
	'invalid model price "bad": output_price_details.audio must be a number', 'a non-numeric detail price is refused');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, input_price_details) VALUES ('bad', 'x', '[]')$$, '22023',
	'invalid model price "bad": input_price_details must be an object of token type to price', 'details must be an object');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, tiers) VALUES ('bad', 'x', '{"input_tokens_above": 1}')$$, '22023',
	'invalid model price "bad": tiers must be an array of objects', 'tiers must be a list');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, tiers) VALUES ('bad', 'x', '[{"input_tokens_above": 1.5}]')$$, '22023',
	'invalid model price "bad": tiers[0].input_tokens_above must be a non-negative integer', 'a fractional threshold is refused');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, tiers) VALUES ('bad', 'x', '[{"input_tokens_above": -1}]')$$, '22023',
	'invalid model price "bad": tiers[0].input_tokens_above must be a non-negative integer', 'a negative threshold is refused');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, tiers) VALUES ('bad', 'x', '[{"input_price": 1}]')$$, '22023',
	'invalid model price "bad": tiers[0] needs input_tokens_above or service_tier', 'a tier needs its threshold or its service tier');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, tiers) VALUES ('bad', 'x', '[5]')$$, '22023',
	'invalid model price "bad": tiers[0] must be an object', 'a tier is an object');
SELECT throws_ok($$INSERT INTO lsbilling.model_prices (name, match_pattern, tiers) VALUES ('bad', 'x', '[{"input_tokens_above": 5, "input_prise": 1}]')$$, '22023',
	NULL, 'a misspelt tier field is refused');
SELECT throws_ok($$UPDATE lsbilling.model_prices SET match_pattern = '[' WHERE name = 'seed'$$, '2201B',
	NULL, 'the check runs on UPDATE too');

-- a pattern that backtracks without end is cut off: the run is priced as unmatched, quickly
INSERT INTO lsbilling.model_prices (name, match_pattern, input_price) VALUES ('evil', '^(a|aa)+$', 1);
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', repeat('a', 60) || 'b')).price_id, NULL,
	'a catastrophic pattern hits the PCRE2 match limit and does not match');
SELECT is((SELECT status FROM lsbilling.explain_price(repeat('a', 60) || 'b')), 'pattern exceeded the match limit: ignored',
	'explain_price says the entry was cut off by the match limit');
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'aaaa')).input_cost, 1::numeric,
	'the same pattern still matches where it terminates');

-- a change of the map is seen by the next statement of the same transaction
UPDATE lsbilling.model_prices SET input_price = 4 WHERE name = 'seed';
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'my_model')).input_cost, 4::numeric,
	'an updated price applies from the next statement on');
DELETE FROM lsbilling.model_prices WHERE name = 'seed';
SELECT is((lsbilling.compute_cost('{"input_tokens":1000000}', 'my_model')).price_id, NULL,
	'a deleted entry no longer prices');

-- ---- the shipped defaults ----
SELECT cmp_ok((SELECT count(*)::int FROM lsbilling.model_prices WHERE shipped AND workspace_id IS NULL), '>=', 30,
	'at least 30 default entries ship');
-- the catalog's exact name where the shipped snapshot has one (0.2.0), else a 0.1.0 pattern
SELECT is((SELECT name FROM lsbilling.explain_price(m) WHERE status = 'chosen'), expected, 'default for ' || m)
FROM (VALUES ('gpt-4o', 'gpt-4o'), ('openai/gpt-4o-2024-08-06', 'gpt-4o-2024-08-06'), ('gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'),
	('gpt-4o-mini', 'gpt-4o-mini'), ('gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini-2025-04-14'), ('o4-mini', 'o4-mini'),
	('claude-3-5-sonnet-20241022', 'claude-3.5-sonnet'), ('anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0'),
	('claude-sonnet-4-20250514', 'claude-sonnet-4-20250514'), ('claude-sonnet-4-5', 'claude-sonnet-4-5'),
	('claude-opus-4-1-20250805', 'claude-opus-4-1-20250805'), ('claude-haiku-4-5-20251001', 'claude-haiku-4-5-20251001'),
	('gemini-2.5-flash', 'gemini-2.5-flash'), ('gemini-2.5-flash-lite', 'gemini-2.5-flash-lite'),
	-- no exact entry in the snapshot: the 0.1.0 pattern
	('claude-3-5-sonnet-v2@20241022', 'claude-3.5-sonnet')) AS t(m, expected);
SELECT is((SELECT count(*)::int FROM lsbilling.explain_price('gpt-4o-mini-2024-07-18') WHERE name = 'gpt-4o'), 0,
	'the gpt-4o pattern does not take gpt-4o-mini');
SELECT results_eq(
	$$SELECT input_cost, input_cost_details FROM lsbilling.compute_cost('{"input_tokens":1000,"input_token_details":{"cache_read":400,"cache_creation":100}}', 'claude-3-5-sonnet-20241022')$$,
	$$VALUES (0.000120 + 0.000375 + 0.0015, '{"cache_read": 0.00012, "cache_creation": 0.000375}'::jsonb)$$,
	'claude cache read and cache write prices');

SELECT * FROM finish();
ROLLBACK;
