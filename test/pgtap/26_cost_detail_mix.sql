-- The cost engine on detail-heavy documents (issue 12): every document has
-- input_token_details {cache_read, audio} and output_token_details {reasoning},
-- the models have three activation-dated entries, and the names are dated
-- snapshots.  The results are pinned to the last digit (text, display scale
-- included), before, at and after each activation date, so that an
-- optimisation of the engine that changes one digit fails here.
BEGIN;
SELECT plan(10);

INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-00000000d0a1', 'DetailOrg');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-00000000d0b1', '00000000-0000-0000-0000-00000000d0a1', 'w1');
INSERT INTO lsbilling.model_prices (id, name, match_pattern, provider, activation_date, input_price, output_price,
	input_price_details, output_price_details, tiers, workspace_id)
OVERRIDING SYSTEM VALUE
VALUES
 (900001, 'mix-a', '(?i)^(openai/)?mix-a(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.5, 6,
	'{"cache_read": 0.75, "audio": 20}', '{"reasoning": 6}', '[]', NULL),
 (900002, 'mix-a (2025-01)', '(?i)^(openai/)?mix-a(-\d{4}-\d{2}-\d{2})?$', NULL, '2025-01-01 00:00:00+00', 1.25, 5.5,
	'{"cache_read": 0.3125, "audio": 16.5}', '{"reasoning": 5.5}', '[]', NULL),
 (900003, 'mix-a (2025-04)', '(?i)^(openai/)?mix-a(-\d{4}-\d{2}-\d{2})?$', NULL, '2025-04-01 00:00:00+00', 1.1, 4.4,
	'{"cache_read": 0.275, "audio": 12.123456789}', '{"reasoning": 4.4}', '[]', NULL),
 (900004, 'mix-a (2025-07)', '(?i)^(openai/)?mix-a(-\d{4}-\d{2}-\d{2})?$', NULL, '2025-07-01 00:00:00+00', 0.9, 3.6,
	'{"cache_read": 0.225, "audio": 10}', '{"reasoning": 7.25}', '[]', NULL),
 (900005, 'mix-a (w1, 2025-06)', '(?i)^(openai/)?mix-a(-\d{4}-\d{2}-\d{2})?$', NULL, '2025-06-01 00:00:00+00', 0.5, 2,
	'{"cache_read": 0.05, "audio": 4}', '{"reasoning": 2.5}', '[]', '00000000-0000-0000-0000-00000000d0b1'),
 (900006, 'mix-b (2025-02)', '^mix-b-\d{4}-\d{2}-\d{2}$', 'acme', '2025-02-15 12:00:00+00', 3, 15,
	'{"audio": 30, "cache_read": 0.3}', '{"reasoning": 15}', '[]', NULL),
 (900007, 'mix-b (2025-05)', '^mix-b-\d{4}-\d{2}-\d{2}$', 'acme', '2025-05-01 00:00:00+00', 3, 15,
	'{"audio": 30, "cache_read": 0.3}', '{"reasoning": 12}',
	'[{"input_tokens_above": 200000, "input_price": 6, "output_price": 22.5, "input_price_details": {"cache_read": 0.6}}]', NULL),
 (900008, 'mix-b (2025-08)', '^mix-b-\d{4}-\d{2}-\d{2}$', 'acme', '2025-08-01 00:00:00+00', 0.0000000003, 15.0000000001,
	'{"audio": 0.00000000007, "cache_read": 0.3}', '{"reasoning": 12.5}', '[]', NULL);
-- the documents: every one with cache_read, audio and reasoning
CREATE TEMP TABLE mix AS
SELECT * FROM (VALUES
 (1, '{"input_tokens": 1200, "output_tokens": 800, "total_tokens": 2000, "input_token_details": {"cache_read": 400, "audio": 100}, "output_token_details": {"reasoning": 300}}'::jsonb,
	'mix-a-2025-04-14', 'openai', '2024-12-31 23:59:59.999999+00'::timestamptz, NULL::uuid),
 (2, '{"input_tokens": 1200, "output_tokens": 800, "total_tokens": 2000, "input_token_details": {"cache_read": 400, "audio": 100}, "output_token_details": {"reasoning": 300}}',
	'mix-a-2025-04-14', 'openai', '2025-01-01 00:00:00+00', NULL),
 (3, '{"input_tokens": 1200, "output_tokens": 800, "total_tokens": 2000, "input_token_details": {"cache_read": 400, "audio": 100}, "output_token_details": {"reasoning": 300}}',
	'mix-a-2025-04-14', 'openai', '2025-03-31 23:59:59.999999+00', NULL),
 (4, '{"input_tokens": 1200, "output_tokens": 800, "total_tokens": 2000, "input_token_details": {"cache_read": 400, "audio": 100}, "output_token_details": {"reasoning": 300}}',
	'mix-a-2025-04-14', 'openai', '2025-04-01 00:00:00+00', NULL),
 (5, '{"input_tokens": 987654, "output_tokens": 123457, "total_tokens": 1111111, "input_token_details": {"cache_read": 333333, "audio": 77777}, "output_token_details": {"reasoning": 99999}}',
	'OpenAI/MIX-A-2025-07-18', NULL, '2025-09-01 00:00:00+00', NULL),
 (6, '{"input_tokens": 1200, "output_tokens": 800, "total_tokens": 2000, "input_token_details": {"cache_read": 400, "audio": 100}, "output_token_details": {"reasoning": 300}}',
	'mix-a-2025-04-14', 'openai', '2025-06-15 00:00:00+00', '00000000-0000-0000-0000-00000000d0b1'),
 (7, '{"input_tokens": 1200, "output_tokens": 800, "total_tokens": 2000, "input_token_details": {"cache_read": 400, "audio": 100}, "output_token_details": {"reasoning": 300}}',
	'mix-a-2025-04-14', 'openai', '2025-05-31 23:59:59.999999+00', '00000000-0000-0000-0000-00000000d0b1'),
 (8, '{"input_tokens": 5000, "output_tokens": 2000, "total_tokens": 7000, "input_token_details": {"cache_read": 2500, "audio": 1500}, "output_token_details": {"reasoning": 1999}}',
	'mix-b-2025-05-13', 'acme', '2025-02-15 11:59:59.999999+00', NULL),
 (9, '{"input_tokens": 5000, "output_tokens": 2000, "total_tokens": 7000, "input_token_details": {"cache_read": 2500, "audio": 1500}, "output_token_details": {"reasoning": 1999}}',
	'mix-b-2025-05-13', 'ACME', '2025-02-15 12:00:00+00', NULL),
 (10, '{"input_tokens": 5000, "output_tokens": 2000, "total_tokens": 7000, "input_token_details": {"cache_read": 2500, "audio": 1500}, "output_token_details": {"reasoning": 1999}}',
	'mix-b-2025-05-13', 'other', '2025-06-01 00:00:00+00', NULL),
 (11, '{"input_tokens": 250001, "output_tokens": 4000, "total_tokens": 254001, "input_token_details": {"cache_read": 200000, "audio": 1}, "output_token_details": {"reasoning": 3000}}',
	'mix-b-2025-05-13', 'acme', '2025-05-02 00:00:00+00', NULL),
 (12, '{"input_tokens": 200000, "output_tokens": 4000, "total_tokens": 204000, "input_token_details": {"cache_read": 150000, "audio": 1}, "output_token_details": {"reasoning": 3000}}',
	'mix-b-2025-05-13', 'acme', '2025-05-02 00:00:00+00', NULL),
 (13, '{"input_tokens": 5000, "output_tokens": 2000, "total_tokens": 7000, "input_token_details": {"cache_read": 2500, "audio": 1500}, "output_token_details": {"reasoning": 1999}}',
	'mix-b-2025-05-13', 'acme', '2025-08-01 00:00:00+00', NULL),
 (14, '{"input_tokens": 100, "output_tokens": 10, "total_tokens": 110, "input_token_details": {"cache_read": 90, "audio": 60}, "output_token_details": {"reasoning": 25}}',
	'mix-a-2025-04-14', 'openai', '2025-07-01 00:00:00+00', NULL),
 (15, '{"input_tokens": 0, "output_tokens": 0, "total_tokens": 0, "input_token_details": {"cache_read": 0, "audio": 0}, "output_token_details": {"reasoning": 0}}',
	'mix-a-2025-04-14', 'openai', '2025-07-01 00:00:00+00', NULL)
) v(k, usage, model, provider, at, ws);

-- ---- a handful of documents, each result pinned ----
CREATE TEMP VIEW mix_cost AS
SELECT k, c.input_cost::text, c.output_cost::text, c.total_cost::text, c.input_cost_details::text,
       c.output_cost_details::text, c.price_id
  FROM mix, lsbilling.compute_cost(usage, model, provider, at, ws) c;
SELECT results_eq(
	$$SELECT * FROM mix_cost WHERE k <= 7 ORDER BY k$$,
	$$VALUES
	  (1, '0.00335', '0.0048', '0.00815', '{"audio": 0.002, "cache_read": 0.0003}', '{"reasoning": 0.0018}', 900001::bigint),
	  (2, '0.00265', '0.0044', '0.00705', '{"audio": 0.00165, "cache_read": 0.000125}', '{"reasoning": 0.00165}', 900002),
	  (3, '0.00265', '0.0044', '0.00705', '{"audio": 0.00165, "cache_read": 0.000125}', '{"reasoning": 0.00165}', 900002),
	  (4, '0.0020923456789', '0.00352', '0.0056123456789', '{"audio": 0.0012123456789, "cache_read": 0.00011}', '{"reasoning": 0.00132}', 900003),
	  (5, '1.371659525', '0.80944155', '2.181101075', '{"audio": 0.77777, "cache_read": 0.074999925}', '{"reasoning": 0.72499275}', 900004),
	  (6, '0.00077', '0.00175', '0.00252', '{"audio": 0.0004, "cache_read": 0.00002}', '{"reasoning": 0.00075}', 900005),
	  (7, '0.0020923456789', '0.00352', '0.0056123456789', '{"audio": 0.0012123456789, "cache_read": 0.00011}', '{"reasoning": 0.00132}', 900003)$$,
	'three dated entries of a snapshot name: the undated one before the first date, each from its own instant '
	'(not a microsecond earlier), the latest after; a provider prefix in any case; a workspace''s dated entry '
	'only once active');
SELECT results_eq(
	$$SELECT * FROM mix_cost WHERE k BETWEEN 8 AND 10 ORDER BY k$$,
	$$VALUES
	  (8, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint),
	  (9, '0.04875', '0.03', '0.07875', '{"audio": 0.045, "cache_read": 0.00075}', '{"reasoning": 0.029985}', 900006),
	  (10, NULL, NULL, NULL, NULL, NULL, NULL)$$,
	'only dated entries: nothing before the first (a microsecond early), the first at its instant, another provider nothing');
SELECT results_eq(
	$$SELECT * FROM mix_cost WHERE k BETWEEN 11 AND 12 ORDER BY k$$,
	$$VALUES
	  (11, '0.42003', '0.0585', '0.47853', '{"audio": 0.00003, "cache_read": 0.12}', '{"reasoning": 0.036}', 900007::bigint),
	  (12, '0.195027', '0.051', '0.246027', '{"audio": 0.00003, "cache_read": 0.045}', '{"reasoning": 0.036}', 900007)$$,
	'a dated entry''s long-context step above 200k input tokens (the step''s cache_read, the entry''s audio and reasoning), not at 200k');
SELECT results_eq(
	$$SELECT * FROM mix_cost WHERE k >= 13 ORDER BY k$$,
	$$VALUES
	  (13, '0.000750000000405', '0.0250025000000001', '0.0257525000004051', '{"audio": 0.000000000000105, "cache_read": 0.00075}', '{"reasoning": 0.0249875}', 900008::bigint),
	  (14, '0.00062025', '0.00018125', '0.0008015', '{"audio": 0.0006, "cache_read": 0.00002025}', '{"reasoning": 0.00018125}', 900004),
	  (15, '0', '0', '0', '{"audio": 0, "cache_read": 0}', '{"reasoning": 0}', 900004)$$,
	'prices of more than 9 decimals (exact numeric path), details above the side''s tokens (the rest is 0), all zero');

-- ---- the prefilter in front of PCRE2 (a text every match contains) never hides a match ----
INSERT INTO lsbilling.model_prices (id, name, match_pattern, provider, input_price, output_price)
OVERRIDING SYSTEM VALUE VALUES
 (900101, 'pf optional', '^pfx-4o?$', 'pf', 1, 1),
 (900102, 'pf extended', '(?x) pfx - five $', 'pf', 2, 2),
 (900103, 'pf quoted', '^\Qpfx.q\E$', 'pf', 3, 3),
 (900104, 'pf caseless', '(?i)^pfx-k$', 'pf', 4, 4),
 (900105, 'pf group', 'pfx-(?:a|b)-tail', 'pf', 5, 5),
 (900106, 'pf class', '^pfx[-.]dot$', 'pf', 6, 6),
 (900107, 'pf quantified', '^pfx-x{2}y$', 'pf', 7, 7);
SELECT results_eq(
	$$SELECT m, (lsbilling.compute_cost('{"input_tokens": 1000000}', m, 'pf')).price_id
	  FROM unnest(ARRAY['pfx-4', 'pfx-4o', 'PFX-4O', 'pfx-five', 'pfx - five', 'pfx.q', 'pfxq', 'PFX-K',
	                    'pfx-' || U&'\212A', 'xx-pfx-b-tail', 'pfx.dot', 'pfx-dot', 'pfxdot', 'pfx-xxy',
	                    'pfx-x{2}y']) WITH ORDINALITY AS t(m, o) ORDER BY o$$,
	$$VALUES ('pfx-4', 900101::bigint), ('pfx-4o', 900101), ('PFX-4O', NULL), ('pfx-five', 900102),
	         ('pfx - five', NULL), ('pfx.q', 900103), ('pfxq', NULL), ('PFX-K', 900104),
	         ('pfx-' || U&'\212A', 900104), ('xx-pfx-b-tail', 900105), ('pfx.dot', 900106), ('pfx-dot', 900106),
	         ('pfxdot', NULL), ('pfx-xxy', 900107), ('pfx-x{2}y', NULL)$$,
	'patterns the prefilter must not misread: an optional last character, extended mode, \Q..\E, '
	'a caseless k matching the Kelvin sign (a non-ASCII name), alternation in a group, a class, a quantifier');

-- the generated mix: mix-a (three dated entries and an undated one, plain, prefixed and
-- upper-case names) and mix-b (dated only, provider acme, a long-context step)
CREATE TEMP TABLE gen AS
SELECT g AS k,
	jsonb_build_object('input_tokens', it, 'output_tokens', ot, 'total_tokens', it + ot,
		'input_token_details', jsonb_build_object('cache_read', cr, 'audio', au),
		'output_token_details', jsonb_build_object('reasoning', re)) AS usage,
	CASE g % 4 WHEN 0 THEN 'mix-a' WHEN 1 THEN 'openai/mix-a' WHEN 2 THEN 'MIX-A' ELSE 'mix-b' END
		|| '-2025-0' || (1 + g % 9) || '-' || lpad((1 + g % 28)::text, 2, '0') AS model,
	CASE WHEN g % 4 = 3 THEN 'acme' ELSE 'openai' END AS provider,
	'2024-12-15 00:00:00+00'::timestamptz + (g * 7) * interval '1 hour' + (g % 3 - 1) * interval '1 microsecond' AS at
FROM generate_series(1, 2000) g
	CROSS JOIN LATERAL (SELECT 1 + (g * 7919) % 300000 AS it, (g * 104729) % 20000 AS ot) t
	CROSS JOIN LATERAL (SELECT it / (2 + g % 3) AS cr, it / (5 + g % 7) + g % 11 AS au, ot / 2 + g % 5 AS re) d;
SELECT is((SELECT count(*) FROM gen), 2000::bigint, '2,000 generated documents');

-- ---- 2,000 generated documents: exact against plain SQL, and pinned ----
CREATE TEMP TABLE gen_cost AS
SELECT gen.*, c.* FROM gen, lsbilling.compute_cost(usage, model, provider, at) c;
SELECT is((
	SELECT count(*) || ' compared, ' || count(*) FILTER (WHERE
		c.price_id IS DISTINCT FROM p.id OR c.input_cost <> r.ic OR c.output_cost <> r.oc OR c.total_cost <> r.ic + r.oc
		OR (c.input_cost_details->>'cache_read')::numeric <> u.cr * p.crp / 1000000
		OR (c.input_cost_details->>'audio')::numeric <> u.au * p.aup / 1000000
		OR (c.output_cost_details->>'reasoning')::numeric <> u.re * p.rep / 1000000) || ' differ'
	FROM gen_cost c
		CROSS JOIN LATERAL (
			SELECT p.id, p.input_price, p.output_price, (p.input_price_details->>'cache_read')::numeric AS crp,
				(p.input_price_details->>'audio')::numeric AS aup, (p.output_price_details->>'reasoning')::numeric AS rep
			FROM lsbilling.model_prices p
			WHERE p.name LIKE 'mix-a%' AND p.workspace_id IS NULL AND (p.activation_date IS NULL OR p.activation_date <= c.at)
			ORDER BY p.activation_date DESC NULLS LAST, p.id DESC LIMIT 1) p
		CROSS JOIN LATERAL (SELECT (usage->>'input_tokens')::numeric AS it, (usage->>'output_tokens')::numeric AS ot,
			(usage#>>'{input_token_details,cache_read}')::numeric AS cr, (usage#>>'{input_token_details,audio}')::numeric AS au,
			(usage#>>'{output_token_details,reasoning}')::numeric AS re) u
		CROSS JOIN LATERAL (SELECT (greatest(u.it - u.cr - u.au, 0) * p.input_price + u.cr * p.crp + u.au * p.aup) / 1000000 AS ic,
			(greatest(u.ot - u.re, 0) * p.output_price + u.re * p.rep) / 1000000 AS oc) r
	WHERE c.model NOT ILIKE 'mix-b%'),
	'1500 compared, 0 differ', 'the mix-a documents (1,500) cost exactly what plain numeric SQL over the chosen entry gives, each detail too');
SELECT is((SELECT count(*) FROM gen_cost c WHERE c.price_id IS NOT NULL),
	1947::bigint, 'priced: all but the mix-b documents before its first date');
SELECT is((SELECT sum(c.total_cost) FROM gen_cost c)::text,
	'760.89508852680925306', 'the sum of the 2,000 total costs, to the last digit');
SELECT is((SELECT md5(string_agg(concat_ws(',', k, c.input_cost, c.output_cost, c.total_cost, c.input_cost_details,
	                                       c.output_cost_details, c.price_id), ';' ORDER BY k))
	       FROM gen_cost c),
	'3ac67e80f8300cd24928d2b4342ca555', 'every result of the 2,000 documents as text (display scale included): pinned');

SELECT * FROM finish();
ROLLBACK;
