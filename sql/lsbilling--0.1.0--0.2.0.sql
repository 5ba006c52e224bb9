\echo Use "ALTER EXTENSION lsbilling UPDATE TO '0.2.0'" to load this file. \quit
-- ===========================================================================
-- lsbilling 0.1.0 -> 0.2.0.
--
-- This file is also the second half of the fresh 0.2.0 install script (make
-- builds lsbilling--0.2.0.sql from the frozen lsbilling--0.1.0.sql followed by
-- this file), so a fresh install and an update run the same statements.
--
-- Rules for everything below (see README "Upgrading"):
--  * idempotent: Citus runs an extension update on every node, and a rerun of
--    a half-applied update must not fail: CREATE ... IF NOT EXISTS,
--    CREATE OR REPLACE, ADD COLUMN IF NOT EXISTS, DROP ... IF EXISTS before a
--    re-create where no IF NOT EXISTS exists (policies, triggers, constraints);
--  * works on a database that already holds 0.1.0 data (new NOT NULL columns
--    get a default or a backfill);
--  * C symbols that 0.1.0's functions name stay exported by the library.
--
-- One section per concern, in dependency order; each issue's changes go
-- between its own markers so parallel work merges cleanly.
-- ===========================================================================

-- ---------------------------------------------------------------------------
-- Clock: one time source for billing, limits, windows, retention, invoices and
-- the worker (lsbilling.test_clock, superuser-only, for tests and demos).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION lsbilling.clock_now()
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'lsbilling_clock_now'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION lsbilling.clock_now() IS
	'lsbilling''s clock: lsbilling.test_clock when set (tests and demos only), else the transaction''s start time';

-- >>> section: access (organizations, roles, API keys, RLS, tags)

-- <<< end section: access


-- >>> section: real client traffic (usage reading, price catalog)
-- Where a run's usage was read from (README "Reading usage"): the place, and
-- where its model came from when extra.metadata.ls_model_name did not name it.
ALTER TABLE lsbilling.runs ADD COLUMN IF NOT EXISTS usage_source text;

-- The 1-hour cache write (Anthropic: 2x the input price, also on the
-- long-context step), as detail type cache_creation_1h.  Source: LiteLLM's
-- cache_creation_input_token_cost_above_1hr (2026-07-24), Anthropic's pricing page.
UPDATE lsbilling.model_prices p
   SET input_price_details = p.input_price_details
		   || pg_catalog.jsonb_build_object('cache_creation_1h', p.input_price * 2),
	   tiers = (SELECT coalesce(pg_catalog.jsonb_agg(
					CASE WHEN t ? 'input_price'
						 THEN pg_catalog.jsonb_set(t, '{input_price_details}',
								coalesce(t -> 'input_price_details', '{}')
								|| pg_catalog.jsonb_build_object('cache_creation_1h',
									   (t ->> 'input_price')::numeric * 2))
						 ELSE t END ORDER BY o), '[]')
				  FROM pg_catalog.jsonb_array_elements(p.tiers) WITH ORDINALITY AS e(t, o))
 WHERE p.workspace_id IS NULL AND p.shipped AND p.name LIKE 'claude%'
   AND NOT p.input_price_details ? 'cache_creation_1h';

-- OpenAI's service tiers (flex, priority): the tier's own prices, chosen by the
-- run's service_tier.  Source: LiteLLM *_flex / *_priority (2026-07-24),
-- OpenAI's pricing page.  Reasoning is billed at the tier's output price.
WITH st(name, tier, input_price, output_price, cache_read) AS (VALUES
	('gpt-5', 'flex', 0.625, 5, 0.0625), ('gpt-5', 'priority', 2.5, 20, 0.25),
	('gpt-5-mini', 'flex', 0.125, 1, 0.0125), ('gpt-5-mini', 'priority', 0.45, 3.6, 0.045),
	('gpt-5-nano', 'flex', 0.025, 0.2, 0.0025),
	('o3', 'flex', 1, 4, 0.25), ('o3', 'priority', 3.5, 14, 0.875),
	('o4-mini', 'flex', 0.55, 2.2, 0.1375), ('o4-mini', 'priority', 2, 8, 0.5),
	('gpt-4.1', 'priority', 3.5, 14, 0.875),
	('gpt-4o', 'priority', 4.25, 17, 2.125))
UPDATE lsbilling.model_prices p
   SET tiers = p.tiers || (
		SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
				'service_tier', st.tier, 'input_price', st.input_price,
				'output_price', st.output_price,
				'input_price_details', pg_catalog.jsonb_build_object('cache_read', st.cache_read),
				'output_price_details', CASE WHEN p.output_price_details ? 'reasoning'
					THEN pg_catalog.jsonb_build_object('reasoning', st.output_price)
					ELSE '{}'::jsonb END) ORDER BY st.tier)
		  FROM st WHERE st.name = p.name)
 WHERE p.workspace_id IS NULL AND p.shipped AND p.name IN (SELECT name FROM st)
   AND (p.name <> 'o3' OR p.activation_date IS NOT NULL)
   AND NOT p.tiers @> '[{"service_tier": "flex"}]' AND NOT p.tiers @> '[{"service_tier": "priority"}]';

-- One row per run id and workspace: a retried create of the same run id (the
-- SDKs retry on timeouts and 5xx, possibly with another start_time) is
-- skipped by runs_before_write instead of being stored and billed twice.
-- It also finds a run's start_time (its partition) from its id.
CREATE TABLE IF NOT EXISTS lsbilling.run_ids (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL,
	trace_id uuid NOT NULL,
	start_time timestamptz NOT NULL,
	PRIMARY KEY (workspace_id, id)
);
CREATE INDEX IF NOT EXISTS run_ids_trace_idx ON lsbilling.run_ids (workspace_id, trace_id);
COMMENT ON TABLE lsbilling.run_ids IS
	'one row per run id and workspace (kept by the run triggers): a retried create is stored once';
-- (registered once: the call is allowed only inside CREATE / ALTER EXTENSION)
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname = 'lsbilling' AND 'lsbilling.run_ids'::regclass = ANY (e.extconfig)) THEN
		PERFORM pg_catalog.pg_extension_config_dump('lsbilling.run_ids', '');
	END IF;
END $$;
-- runs written under 0.1.0 (the earliest of duplicates holds the id)
INSERT INTO lsbilling.run_ids (workspace_id, id, trace_id, start_time)
SELECT DISTINCT ON (r.workspace_id, r.id) r.workspace_id, r.id, r.trace_id, r.start_time
  FROM lsbilling.runs r
 ORDER BY r.workspace_id, r.id, r.start_time
ON CONFLICT (workspace_id, id) DO NOTHING;

-- <<< end section: real client traffic


-- >>> section: billing (plan history, invoices, credits, spend cap)

-- <<< end section: billing


-- >>> section: rate limits (shared memory)

-- <<< end section: rate limits


-- >>> section: retention and write path (purge, partitions)

-- <<< end section: retention and write path


-- >>> section: scale-out (Citus)

-- <<< end section: scale-out
