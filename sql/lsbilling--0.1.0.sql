-- generated from sql/install/*.sql by make; edit those files
\echo Use "CREATE EXTENSION lsbilling" to load this file. \quit
-- ---------------------------------------------------------------------------
-- Data model: organizations -> workspaces -> projects -> traces -> runs.
--
-- Every tenant table leads its primary key with workspace_id and every foreign
-- key between tenant tables includes it, so that each table can be distributed
-- by workspace_id on Citus (see DESIGN.md "Scale-out").  organizations, users
-- and plans are small global tables (reference tables on Citus).
-- Nothing holds a foreign key to runs: runs is partitioned by start_time and
-- its rows go with partition drops; references to runs are checked by triggers.
-- ---------------------------------------------------------------------------

CREATE TABLE lsbilling.organizations (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL,
	plan text NOT NULL DEFAULT 'developer',
	is_personal boolean NOT NULL DEFAULT false,
	has_payment_method boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lsbilling.workspaces (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	organization_id uuid NOT NULL REFERENCES lsbilling.organizations (id),
	name text NOT NULL,
	base_retention_days integer NOT NULL DEFAULT 14
		CONSTRAINT workspaces_base_retention_days_check CHECK (base_retention_days > 0),
	extended_retention_days integer NOT NULL DEFAULT 400
		CONSTRAINT workspaces_extended_retention_days_check
		CHECK (extended_retention_days >= base_retention_days),
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (organization_id, name)
);
CREATE INDEX ON lsbilling.workspaces (organization_id);

CREATE TABLE lsbilling.users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email text NOT NULL UNIQUE
);

-- Membership history, not just current state: seats are derived from it at
-- invoice time (joined_at, removed_at), so a removal is an UPDATE of removed_at
-- and a re-join is a new row.
CREATE TABLE lsbilling.organization_members (
	organization_id uuid NOT NULL REFERENCES lsbilling.organizations (id),
	user_id uuid NOT NULL REFERENCES lsbilling.users (id),
	role text NOT NULL DEFAULT 'user'
		CONSTRAINT organization_members_role_check CHECK (role IN ('admin', 'user', 'viewer')),
	status text NOT NULL DEFAULT 'active'
		CONSTRAINT organization_members_status_check CHECK (status IN ('invited', 'active')),
	joined_at timestamptz NOT NULL DEFAULT now(),
	removed_at timestamptz,
	PRIMARY KEY (organization_id, user_id, joined_at),
	CONSTRAINT organization_members_removed_after_joined CHECK (removed_at IS NULL OR removed_at >= joined_at)
);

CREATE TABLE lsbilling.workspace_members (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	user_id uuid NOT NULL REFERENCES lsbilling.users (id),
	role text NOT NULL DEFAULT 'admin',
	PRIMARY KEY (workspace_id, user_id)
);

-- Tracing projects ("sessions" in LangSmith's API).
CREATE TABLE lsbilling.projects (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	default_tier text NOT NULL DEFAULT 'base'
		CONSTRAINT projects_default_tier_check CHECK (default_tier IN ('base', 'extended')),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	UNIQUE (workspace_id, name)
);

-- One row per trace, created by the first of its runs to arrive (see
-- runs_after_write).  The totals are kept equal to the sum over its runs by
-- the run triggers and survive the purge of the runs themselves.
CREATE TABLE lsbilling.traces (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL,
	project_id uuid NOT NULL,
	thread_id text,
	name text,
	start_time timestamptz NOT NULL,
	root_seen boolean NOT NULL DEFAULT false,
	tier text NOT NULL DEFAULT 'base'
		CONSTRAINT traces_tier_check CHECK (tier IN ('base', 'extended')),
	upgraded_at timestamptz,
	expires_at timestamptz,
	purged_at timestamptz,
	run_count bigint NOT NULL DEFAULT 0,
	prompt_tokens bigint NOT NULL DEFAULT 0,
	completion_tokens bigint NOT NULL DEFAULT 0,
	total_tokens bigint NOT NULL DEFAULT 0,
	prompt_cost numeric NOT NULL DEFAULT 0,
	completion_cost numeric NOT NULL DEFAULT 0,
	other_cost numeric NOT NULL DEFAULT 0,
	total_cost numeric NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, project_id) REFERENCES lsbilling.projects (workspace_id, id)
);
CREATE INDEX traces_project_start_idx ON lsbilling.traces (workspace_id, project_id, start_time);
CREATE INDEX traces_thread_idx ON lsbilling.traces (workspace_id, thread_id) WHERE thread_id IS NOT NULL;

-- Runs follow LangSmith's run schema; the columns after "tags" are derived by
-- the BEFORE trigger (runs_before_write) and must not be written by clients.
CREATE TABLE lsbilling.runs (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	trace_id uuid NOT NULL,
	parent_run_id uuid,
	dotted_order text,
	project_id uuid NOT NULL,
	name text NOT NULL,
	run_type text NOT NULL,
	start_time timestamptz NOT NULL,
	end_time timestamptz,
	inputs jsonb,
	outputs jsonb,
	extra jsonb,
	error text,
	tags text[],
	-- derived
	ls_provider text,
	ls_model_name text,
	usage_metadata jsonb,
	prompt_tokens bigint,
	completion_tokens bigint,
	total_tokens bigint,
	prompt_token_details jsonb,
	completion_token_details jsonb,
	prompt_cost numeric,
	completion_cost numeric,
	total_cost numeric,
	prompt_cost_details jsonb,
	completion_cost_details jsonb,
	price_id bigint,
	cost_error text,
	PRIMARY KEY (workspace_id, id, start_time)
) PARTITION BY RANGE (start_time);
CREATE TABLE lsbilling.runs_default PARTITION OF lsbilling.runs DEFAULT;
CREATE INDEX runs_trace_idx ON lsbilling.runs (workspace_id, trace_id);

CREATE TABLE lsbilling.feedback (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	run_id uuid,
	trace_id uuid,
	key text NOT NULL,
	score numeric,
	value jsonb,
	comment text,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	CONSTRAINT feedback_target_check CHECK (run_id IS NOT NULL OR trace_id IS NOT NULL)
);
CREATE INDEX feedback_trace_idx ON lsbilling.feedback (workspace_id, trace_id);

CREATE TABLE lsbilling.annotation_queues (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	PRIMARY KEY (workspace_id, id)
);

CREATE TABLE lsbilling.annotation_queue_runs (
	workspace_id uuid NOT NULL,
	queue_id uuid NOT NULL,
	run_id uuid NOT NULL,
	trace_id uuid,
	added_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, queue_id, run_id),
	FOREIGN KEY (workspace_id, queue_id) REFERENCES lsbilling.annotation_queues (workspace_id, id)
);
CREATE INDEX annotation_queue_runs_trace_idx ON lsbilling.annotation_queue_runs (workspace_id, trace_id);

CREATE TABLE lsbilling.automation_rules (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	project_id uuid,
	name text NOT NULL,
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, project_id) REFERENCES lsbilling.projects (workspace_id, id)
);

CREATE TABLE lsbilling.rule_matches (
	workspace_id uuid NOT NULL,
	rule_id uuid NOT NULL,
	run_id uuid NOT NULL,
	trace_id uuid,
	matched_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, rule_id, run_id),
	FOREIGN KEY (workspace_id, rule_id) REFERENCES lsbilling.automation_rules (workspace_id, id)
);
CREATE INDEX rule_matches_trace_idx ON lsbilling.rule_matches (workspace_id, trace_id);

-- Examples are copies of run inputs/outputs: they never expire and hold no
-- reference that a purge could break (source_run_id is informational).
CREATE TABLE lsbilling.datasets (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	PRIMARY KEY (workspace_id, id)
);

CREATE TABLE lsbilling.examples (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	dataset_id uuid NOT NULL,
	inputs jsonb,
	outputs jsonb,
	source_run_id uuid,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, dataset_id) REFERENCES lsbilling.datasets (workspace_id, id)
);

CREATE TABLE lsbilling.deployments (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	PRIMARY KEY (workspace_id, id)
);

-- One row per deployment run; a resumed human-in-the-loop interrupt is its own row (kind = 'resume').
CREATE TABLE lsbilling.deployment_runs (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	deployment_id uuid NOT NULL,
	started_at timestamptz NOT NULL DEFAULT now(),
	kind text NOT NULL DEFAULT 'run'
		CONSTRAINT deployment_runs_kind_check CHECK (kind IN ('run', 'resume')),
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, deployment_id) REFERENCES lsbilling.deployments (workspace_id, id)
);
-- ---------------------------------------------------------------------------
-- The write path: C triggers on runs and on the tables that point at runs.
-- ---------------------------------------------------------------------------

CREATE FUNCTION lsbilling.preloaded() RETURNS boolean
	AS 'MODULE_PATHNAME', 'lsbilling_preloaded' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION lsbilling.preloaded() IS
	'true when lsbilling is in shared_preload_libraries (needed by the retention worker and rate limits)';

CREATE FUNCTION lsbilling.runs_before_write() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_runs_before_write' LANGUAGE C;
CREATE FUNCTION lsbilling.runs_after_insert() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_runs_after_insert' LANGUAGE C;
CREATE FUNCTION lsbilling.runs_after_write() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_runs_after_write' LANGUAGE C;
CREATE FUNCTION lsbilling.resolve_run_reference() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_resolve_run_reference' LANGUAGE C;

CREATE TRIGGER runs_before_write BEFORE INSERT OR UPDATE ON lsbilling.runs
	FOR EACH ROW EXECUTE FUNCTION lsbilling.runs_before_write();
-- Inserts roll up once per statement (a batching client's runs of one trace
-- cost one trace write); updates and deletes per row, where an update that
-- changes no total costs nothing.  Statement triggers fire for the table the
-- statement names: write to lsbilling.runs, not to its partitions.
CREATE TRIGGER runs_after_insert AFTER INSERT ON lsbilling.runs
	REFERENCING NEW TABLE AS new_runs
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.runs_after_insert();
CREATE TRIGGER runs_after_write AFTER UPDATE OR DELETE ON lsbilling.runs
	FOR EACH ROW EXECUTE FUNCTION lsbilling.runs_after_write();

CREATE TRIGGER feedback_resolve_run BEFORE INSERT OR UPDATE OF workspace_id, run_id, trace_id ON lsbilling.feedback
	FOR EACH ROW EXECUTE FUNCTION lsbilling.resolve_run_reference();
CREATE TRIGGER annotation_queue_runs_resolve_run BEFORE INSERT OR UPDATE OF workspace_id, run_id, trace_id ON lsbilling.annotation_queue_runs
	FOR EACH ROW EXECUTE FUNCTION lsbilling.resolve_run_reference();
CREATE TRIGGER rule_matches_resolve_run BEFORE INSERT OR UPDATE OF workspace_id, run_id, trace_id ON lsbilling.rule_matches
	FOR EACH ROW EXECUTE FUNCTION lsbilling.resolve_run_reference();

DO $$
BEGIN
	IF NOT lsbilling.preloaded() THEN
		RAISE WARNING 'lsbilling is not in shared_preload_libraries: pricing, tiers and billing work, but the retention worker and rate limits do not'
			USING HINT = 'Add lsbilling to shared_preload_libraries in postgresql.conf and restart the server.';
	END IF;
END
$$;
-- ---------------------------------------------------------------------------
-- Cost engine: the price map, compute_cost, and the cost views of traces,
-- projects and workspaces (DESIGN.md "Cost engine", seed 004).
-- ---------------------------------------------------------------------------

-- The price map (contract).  Prices are dollars per 1M tokens.  Rows with a
-- NULL workspace_id are the shipped defaults; a workspace overrides one by
-- adding its own entry.  This is a global catalog, not a tenant table: on
-- Citus it is a reference table (hence the plain bigserial key), and the run
-- triggers only read it, through the per-backend price map (price_map.c).
CREATE TABLE lsbilling.model_prices (
	id bigserial PRIMARY KEY,
	workspace_id uuid REFERENCES lsbilling.workspaces (id) ON DELETE CASCADE,
	name text NOT NULL,
	match_pattern text NOT NULL,
	provider text,
	activation_date timestamptz,
	input_price numeric NOT NULL DEFAULT 0,
	output_price numeric NOT NULL DEFAULT 0,
	input_price_details jsonb NOT NULL DEFAULT '{}',
	output_price_details jsonb NOT NULL DEFAULT '{}',
	tiers jsonb NOT NULL DEFAULT '[]',
	shipped boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_prices_workspace_idx ON lsbilling.model_prices (workspace_id);
COMMENT ON TABLE lsbilling.model_prices IS
	'price map: match_pattern (PCRE2) is searched in ls_model_name; prices in $ per 1M tokens';

-- pg_dump keeps what users added; the shipped rows come back with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('lsbilling.model_prices', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.model_prices_id_seq', '');

CREATE FUNCTION lsbilling.model_prices_check() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_model_prices_check' LANGUAGE C;
CREATE FUNCTION lsbilling.model_prices_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_model_prices_changed' LANGUAGE C;

CREATE TRIGGER model_prices_check BEFORE INSERT OR UPDATE ON lsbilling.model_prices
	FOR EACH ROW EXECUTE FUNCTION lsbilling.model_prices_check();
-- Every backend's compiled price map goes stale at the commit of a change.
CREATE TRIGGER model_prices_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON lsbilling.model_prices
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.model_prices_changed();

CREATE FUNCTION lsbilling.compute_cost(
	usage_metadata jsonb,
	model_name text,
	provider text DEFAULT NULL,
	at timestamptz DEFAULT now(),
	workspace_id uuid DEFAULT NULL,
	OUT input_cost numeric,
	OUT output_cost numeric,
	OUT total_cost numeric,
	OUT input_cost_details jsonb,
	OUT output_cost_details jsonb,
	OUT price_id bigint)
	AS 'MODULE_PATHNAME', 'lsbilling_compute_cost' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION lsbilling.compute_cost(jsonb, text, text, timestamptz, uuid) IS
	'cost of one run''s usage_metadata with the price entry chosen for (model, provider, time, workspace)';

CREATE FUNCTION lsbilling.explain_price(
	model_name text,
	provider text DEFAULT NULL,
	at timestamptz DEFAULT now(),
	workspace_id uuid DEFAULT NULL)
	RETURNS TABLE (rank integer, price_id bigint, scope text, name text, match_pattern text,
		entry_provider text, activation_date timestamptz, input_price numeric,
		output_price numeric, status text)
	AS 'MODULE_PATHNAME', 'lsbilling_explain_price' LANGUAGE C STABLE;
COMMENT ON FUNCTION lsbilling.explain_price(text, text, timestamptz, uuid) IS
	'the price entries matching a model, in the order the choice walks them, and which one wins';

CREATE FUNCTION lsbilling.recompute_costs(workspace_id uuid, since timestamptz, until timestamptz)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'lsbilling_recompute_costs' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION lsbilling.recompute_costs(uuid, timestamptz, timestamptz) IS
	're-price the workspace''s runs started in [since, until) with the current price map; returns the runs re-priced';

-- run_tree finds a trace's workspace by its id.
CREATE INDEX IF NOT EXISTS traces_id_idx ON lsbilling.traces (id);

-- Each run of a trace with its own and its subtree's tokens and costs; the
-- three categories stay apart: input (prompt), output (completion) and other
-- (whatever of total_cost is neither, e.g. a tool's sent cost).
CREATE FUNCTION lsbilling.run_tree(trace_id uuid, workspace_id uuid DEFAULT NULL)
	RETURNS TABLE (run_id uuid, parent_run_id uuid, depth integer, name text, run_type text,
		start_time timestamptz, ls_model_name text,
		prompt_tokens bigint, completion_tokens bigint, total_tokens bigint,
		prompt_cost numeric, completion_cost numeric, other_cost numeric, total_cost numeric,
		subtree_prompt_tokens bigint, subtree_completion_tokens bigint, subtree_total_tokens bigint,
		subtree_prompt_cost numeric, subtree_completion_cost numeric, subtree_other_cost numeric,
		subtree_total_cost numeric)
	LANGUAGE sql STABLE
	AS $$
	WITH RECURSIVE ws AS (
		SELECT coalesce($2, (SELECT t.workspace_id FROM lsbilling.traces t WHERE t.id = $1 LIMIT 1)) AS id
	), r AS (
		SELECT r.id, r.parent_run_id, r.name, r.run_type, r.start_time, r.ls_model_name,
			r.dotted_order, r.prompt_tokens, r.completion_tokens, r.total_tokens,
			r.prompt_cost, r.completion_cost, r.total_cost,
			coalesce(r.total_cost, 0) - coalesce(r.prompt_cost, 0) - coalesce(r.completion_cost, 0) AS other_cost
		FROM lsbilling.runs r, ws
		WHERE r.workspace_id = ws.id AND r.trace_id = $1
	), tree AS (
		-- roots: runs whose parent is not in the trace (the root, or orphans of a partial trace)
		SELECT r.id, 0 AS depth, ARRAY[r.start_time::text || r.id::text] AS path
		FROM r WHERE r.parent_run_id IS NULL OR r.parent_run_id NOT IN (SELECT id FROM r)
		UNION ALL
		SELECT c.id, t.depth + 1, t.path || (c.start_time::text || c.id::text)
		FROM tree t JOIN r c ON c.parent_run_id = t.id
		WHERE t.depth < 1000
	), closure AS (
		-- every (ancestor, descendant) pair, a run being its own ancestor
		SELECT id AS ancestor, id AS descendant, 0 AS depth FROM r
		UNION ALL
		SELECT cl.ancestor, c.id, cl.depth + 1 FROM closure cl JOIN r c ON c.parent_run_id = cl.descendant
		WHERE cl.depth < 1000
	), sums AS (
		SELECT cl.ancestor,
			sum(d.prompt_tokens)::bigint AS prompt_tokens, sum(d.completion_tokens)::bigint AS completion_tokens,
			sum(d.total_tokens)::bigint AS total_tokens, sum(d.prompt_cost) AS prompt_cost,
			sum(d.completion_cost) AS completion_cost, sum(d.other_cost) AS other_cost,
			sum(d.total_cost) AS total_cost
		FROM closure cl JOIN r d ON d.id = cl.descendant
		GROUP BY cl.ancestor
	)
	SELECT r.id, r.parent_run_id, t.depth, r.name, r.run_type, r.start_time, r.ls_model_name,
		r.prompt_tokens, r.completion_tokens, r.total_tokens,
		r.prompt_cost, r.completion_cost, r.other_cost, r.total_cost,
		coalesce(s.prompt_tokens, 0), coalesce(s.completion_tokens, 0), coalesce(s.total_tokens, 0),
		coalesce(s.prompt_cost, 0), coalesce(s.completion_cost, 0), coalesce(s.other_cost, 0),
		coalesce(s.total_cost, 0)
	FROM r JOIN tree t ON t.id = r.id JOIN sums s ON s.ancestor = r.id
	ORDER BY t.path
	$$;
COMMENT ON FUNCTION lsbilling.run_tree(uuid, uuid) IS
	'the runs of a trace in tree order, each with its own and its subtree''s tokens and costs';

-- A project's traces started in [since, until), from the trace totals (which
-- survive the purge of the runs): counts, tokens and costs by category.
CREATE FUNCTION lsbilling.project_stats(
	project_id uuid,
	since timestamptz DEFAULT '-infinity',
	until timestamptz DEFAULT 'infinity',
	OUT trace_count bigint, OUT run_count bigint,
	OUT prompt_tokens bigint, OUT completion_tokens bigint, OUT total_tokens bigint,
	OUT prompt_cost numeric, OUT completion_cost numeric, OUT other_cost numeric,
	OUT total_cost numeric)
	LANGUAGE sql STABLE
	AS $$
	SELECT count(*), coalesce(sum(t.run_count), 0)::bigint,
		coalesce(sum(t.prompt_tokens), 0)::bigint, coalesce(sum(t.completion_tokens), 0)::bigint,
		coalesce(sum(t.total_tokens), 0)::bigint,
		coalesce(sum(t.prompt_cost), 0), coalesce(sum(t.completion_cost), 0),
		coalesce(sum(t.other_cost), 0), coalesce(sum(t.total_cost), 0)
	FROM lsbilling.traces t
	WHERE t.workspace_id = (SELECT p.workspace_id FROM lsbilling.projects p WHERE p.id = $1 LIMIT 1)
	  AND t.project_id = $1 AND t.start_time >= $2 AND t.start_time < $3
	$$;
COMMENT ON FUNCTION lsbilling.project_stats(uuid, timestamptz, timestamptz) IS
	'traces, runs, tokens and costs (input, output, other, total) of a project''s traces started in [since, until)';

-- Cost over time for dashboards: one row per bucket in [since, until), empty
-- buckets included, by trace start time (date_bin, so bucket is days or less).
CREATE FUNCTION lsbilling.cost_timeseries(
	workspace_id uuid,
	bucket interval,
	since timestamptz,
	until timestamptz,
	project_id uuid DEFAULT NULL)
	RETURNS TABLE (bucket_start timestamptz, trace_count bigint, run_count bigint,
		prompt_tokens bigint, completion_tokens bigint, total_tokens bigint,
		prompt_cost numeric, completion_cost numeric, other_cost numeric, total_cost numeric)
	LANGUAGE sql STABLE
	AS $$
	WITH b AS (
		SELECT g AS bucket_start FROM generate_series(date_bin($2, $3, $3), $4 - interval '1 microsecond', $2) g
	), agg AS (
		SELECT date_bin($2, t.start_time, $3) AS bucket_start, count(*) AS trace_count,
			sum(t.run_count) AS run_count, sum(t.prompt_tokens) AS prompt_tokens,
			sum(t.completion_tokens) AS completion_tokens, sum(t.total_tokens) AS total_tokens,
			sum(t.prompt_cost) AS prompt_cost, sum(t.completion_cost) AS completion_cost,
			sum(t.other_cost) AS other_cost, sum(t.total_cost) AS total_cost
		FROM lsbilling.traces t
		WHERE t.workspace_id = $1 AND ($5 IS NULL OR t.project_id = $5)
		  AND t.start_time >= $3 AND t.start_time < $4
		GROUP BY 1
	)
	SELECT b.bucket_start, coalesce(a.trace_count, 0), coalesce(a.run_count, 0)::bigint,
		coalesce(a.prompt_tokens, 0)::bigint, coalesce(a.completion_tokens, 0)::bigint,
		coalesce(a.total_tokens, 0)::bigint, coalesce(a.prompt_cost, 0),
		coalesce(a.completion_cost, 0), coalesce(a.other_cost, 0), coalesce(a.total_cost, 0)
	FROM b LEFT JOIN agg a USING (bucket_start)
	ORDER BY b.bucket_start
	$$;
COMMENT ON FUNCTION lsbilling.cost_timeseries(uuid, interval, timestamptz, timestamptz, uuid) IS
	'per time bucket: traces, runs, tokens and costs (input, output, other, total) of a workspace or project';
-- ---------------------------------------------------------------------------
-- Shipped default prices (workspace_id NULL, shipped = true), in $ per 1M tokens.
--
-- Figures: the providers' public list prices (standard / paid tier, no batch
-- discount) as of 2025-11-26, from
--   OpenAI     https://openai.com/api/pricing/ (platform.openai.com/docs/pricing)
--   Anthropic  https://docs.anthropic.com/en/docs/about-claude/pricing
--              (cache_read = 0.1 x input, cache_creation = 5-minute cache write = 1.25 x input)
--   Google     https://ai.google.dev/gemini-api/docs/pricing (cache_read = context caching)
-- Prices change: a workspace overrides an entry by adding its own; a change
-- for everyone is a new default row with an activation_date (see o3).
-- Detail prices equal to the side's price (reasoning) only split the cost out.
-- Patterns accept provider prefixes (openai/, anthropic., models/, ...) and
-- dated snapshots; they are anchored so that gpt-4o does not price gpt-4o-mini.
-- One row per line, so that diffs stay readable.
-- ---------------------------------------------------------------------------
INSERT INTO lsbilling.model_prices (name, match_pattern, provider, activation_date, input_price,
	output_price, input_price_details, output_price_details, tiers, shipped) VALUES
 ('gpt-4o', '(?i)^(openai/|azure/)?gpt-4o(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 2.50, 10.00, '{"cache_read": 1.25}', '{}', '[]', true),
 ('gpt-4o-2024-05-13', '(?i)^(openai/|azure/)?gpt-4o-2024-05-13$', NULL, NULL, 5.00, 15.00, '{}', '{}', '[]', true),
 ('gpt-4o-mini', '(?i)^(openai/|azure/)?gpt-4o-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.15, 0.60, '{"cache_read": 0.075}', '{}', '[]', true),
 ('gpt-4o-audio-preview', '(?i)^(openai/|azure/)?gpt-4o-audio-preview(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 2.50, 10.00, '{"audio": 40.0}', '{"audio": 80.0}', '[]', true),
 ('gpt-4o-mini-audio-preview', '(?i)^(openai/|azure/)?gpt-4o-mini-audio-preview(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.15, 0.60, '{"audio": 10.0}', '{"audio": 20.0}', '[]', true),
 ('gpt-4o-realtime-preview', '(?i)^(openai/|azure/)?gpt-4o-realtime-preview(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 5.00, 20.00, '{"cache_read": 2.5, "audio": 40.0}', '{"audio": 80.0}', '[]', true),
 ('gpt-4.1', '(?i)^(openai/|azure/)?gpt-4\.1(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 2.00, 8.00, '{"cache_read": 0.5}', '{}', '[]', true),
 ('gpt-4.1-mini', '(?i)^(openai/|azure/)?gpt-4\.1-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.40, 1.60, '{"cache_read": 0.1}', '{}', '[]', true),
 ('gpt-4.1-nano', '(?i)^(openai/|azure/)?gpt-4\.1-nano(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.10, 0.40, '{"cache_read": 0.025}', '{}', '[]', true),
 ('gpt-5', '(?i)^(openai/|azure/)?gpt-5(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.25, 10.00, '{"cache_read": 0.125}', '{"reasoning": 10.0}', '[]', true),
 ('gpt-5-mini', '(?i)^(openai/|azure/)?gpt-5-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.25, 2.00, '{"cache_read": 0.025}', '{"reasoning": 2.0}', '[]', true),
 ('gpt-5-nano', '(?i)^(openai/|azure/)?gpt-5-nano(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.05, 0.40, '{"cache_read": 0.005}', '{"reasoning": 0.4}', '[]', true),
 ('o1', '(?i)^(openai/|azure/)?o1(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 15.00, 60.00, '{"cache_read": 7.5}', '{"reasoning": 60.0}', '[]', true),
 ('o1-mini', '(?i)^(openai/|azure/)?o1-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.10, 4.40, '{"cache_read": 0.55}', '{"reasoning": 4.4}', '[]', true),
 ('o3 (launch price)', '(?i)^(openai/|azure/)?o3(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 10.00, 40.00, '{"cache_read": 2.5}', '{"reasoning": 40.0}', '[]', true),
 ('o3', '(?i)^(openai/|azure/)?o3(-\d{4}-\d{2}-\d{2})?$', NULL, '2025-06-10 00:00:00+00', 2.00, 8.00, '{"cache_read": 0.5}', '{"reasoning": 8.0}', '[]', true),
 ('o3-mini', '(?i)^(openai/|azure/)?o3-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.10, 4.40, '{"cache_read": 0.55}', '{"reasoning": 4.4}', '[]', true),
 ('o4-mini', '(?i)^(openai/|azure/)?o4-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.10, 4.40, '{"cache_read": 0.275}', '{"reasoning": 4.4}', '[]', true),
 ('gpt-4-turbo', '(?i)^(openai/|azure/)?gpt-4-turbo(-\d{4}-\d{2}-\d{2}|-preview)?$', NULL, NULL, 10.00, 30.00, '{}', '{}', '[]', true),
 ('gpt-4', '(?i)^(openai/|azure/)?gpt-4(-0613|-0314)?$', NULL, NULL, 30.00, 60.00, '{}', '{}', '[]', true),
 ('gpt-3.5-turbo', '(?i)^(openai/|azure/)?gpt-3\.5-turbo(-0125|-1106)?$', NULL, NULL, 0.50, 1.50, '{}', '{}', '[]', true),
 ('text-embedding-3-small', '(?i)^(openai/|azure/)?text-embedding-3-small$', NULL, NULL, 0.02, 0, '{}', '{}', '[]', true),
 ('text-embedding-3-large', '(?i)^(openai/|azure/)?text-embedding-3-large$', NULL, NULL, 0.13, 0, '{}', '{}', '[]', true),
 ('text-embedding-ada-002', '(?i)^(openai/|azure/)?text-embedding-ada-002$', NULL, NULL, 0.10, 0, '{}', '{}', '[]', true),
 ('claude-3-haiku', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3-haiku(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 0.25, 1.25, '{"cache_read": 0.03, "cache_creation": 0.3}', '{}', '[]', true),
 ('claude-3-sonnet', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3-sonnet(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[]', true),
 ('claude-3-opus', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3-opus(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 15.00, 75.00, '{"cache_read": 1.5, "cache_creation": 18.75}', '{}', '[]', true),
 ('claude-3.5-haiku', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3[-.]5-haiku(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 0.80, 4.00, '{"cache_read": 0.08, "cache_creation": 1.0}', '{}', '[]', true),
 ('claude-3.5-sonnet', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3[-.]5-sonnet(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[]', true),
 ('claude-3.7-sonnet', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3[-.]7-sonnet(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[]', true),
 ('claude-sonnet-4', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(sonnet-4|4-sonnet)(-0)?(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[{"input_tokens_above": 200000, "input_price": 6.0, "output_price": 22.5, "input_price_details": {"cache_read": 0.6, "cache_creation": 7.5}}]', true),
 ('claude-opus-4', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(opus-4|4-opus)(-0)?(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 15.00, 75.00, '{"cache_read": 1.5, "cache_creation": 18.75}', '{}', '[]', true),
 ('claude-opus-4.1', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(opus-4-1|4-1-opus|opus-4\.1)(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 15.00, 75.00, '{"cache_read": 1.5, "cache_creation": 18.75}', '{}', '[]', true),
 ('claude-sonnet-4.5', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(sonnet-4-5|4-5-sonnet|sonnet-4\.5)(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[{"input_tokens_above": 200000, "input_price": 6.0, "output_price": 22.5, "input_price_details": {"cache_read": 0.6, "cache_creation": 7.5}}]', true),
 ('claude-haiku-4.5', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(haiku-4-5|4-5-haiku|haiku-4\.5)(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 1.00, 5.00, '{"cache_read": 0.1, "cache_creation": 1.25}', '{}', '[]', true),
 ('claude-opus-4.5', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(opus-4-5|4-5-opus|opus-4\.5)(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 5.00, 25.00, '{"cache_read": 0.5, "cache_creation": 6.25}', '{}', '[]', true),
 ('gemini-2.5-pro', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.5-pro(-preview-\d{2}-\d{2}|-exp-\d{2}-\d{2})?$', NULL, NULL, 1.25, 10.00, '{"cache_read": 0.125}', '{"reasoning": 10.0}', '[{"input_tokens_above": 200000, "input_price": 2.5, "output_price": 15.0, "input_price_details": {"cache_read": 0.25}, "output_price_details": {"reasoning": 15.0}}]', true),
 ('gemini-2.5-flash', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.5-flash(-preview-\d{2}-\d{2}(-\d{4})?|-\d{3})?$', NULL, NULL, 0.30, 2.50, '{"cache_read": 0.03, "audio": 1.0}', '{"reasoning": 2.5}', '[]', true),
 ('gemini-2.5-flash-lite', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.5-flash-lite(-preview-\d{2}-\d{2}(-\d{4})?|-\d{3})?$', NULL, NULL, 0.10, 0.40, '{"cache_read": 0.01, "audio": 0.3}', '{"reasoning": 0.4}', '[]', true),
 ('gemini-2.0-flash', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.0-flash(-\d{3}|-exp)?$', NULL, NULL, 0.10, 0.40, '{"cache_read": 0.025, "audio": 0.7}', '{}', '[]', true),
 ('gemini-2.0-flash-lite', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.0-flash-lite(-\d{3})?$', NULL, NULL, 0.075, 0.30, '{}', '{}', '[]', true),
 ('gemini-1.5-pro', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-1\.5-pro(-\d{3}|-latest)?$', NULL, NULL, 1.25, 5.00, '{}', '{}', '[{"input_tokens_above": 128000, "input_price": 2.5, "output_price": 10.0}]', true),
 ('gemini-1.5-flash', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-1\.5-flash(-\d{3}|-latest)?$', NULL, NULL, 0.075, 0.30, '{}', '{}', '[{"input_tokens_above": 128000, "input_price": 0.15, "output_price": 0.6}]', true),
 ('gemini-3-pro-preview', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-3-pro(-preview(-\d{2}-\d{2})?)?$', NULL, NULL, 2.00, 12.00, '{"cache_read": 0.2}', '{"reasoning": 12.0}', '[{"input_tokens_above": 200000, "input_price": 4.0, "output_price": 18.0, "input_price_details": {"cache_read": 0.4}, "output_price_details": {"reasoning": 18.0}}]', true);
-- ---------------------------------------------------------------------------
-- Trace tiers, the billing ledger, plans, invoices and monthly usage limits.
--
-- The write-path parts are C triggers (src/tier_upgrade.c, src/usage_limits.c,
-- src/billing_ledger.c); invoices and usage graphs are read-side SQL.
-- ---------------------------------------------------------------------------

-- One row per plan (a small global table: a reference table on Citus).
-- Prices in dollars.  The trace and deployment-run prices are the seed's;
-- seat prices and the allowances of plus/startup/enterprise are plan settings
-- (the seeds give no figures for them; see README).
CREATE TABLE lsbilling.plans (
	id text PRIMARY KEY,
	seat_price numeric NOT NULL CONSTRAINT plans_seat_price_check CHECK (seat_price >= 0),
	max_seats integer,			-- NULL: no cap (informational; membership is not refused)
	free_traces_per_month bigint NOT NULL DEFAULT 0
		CONSTRAINT plans_free_traces_check CHECK (free_traces_per_month >= 0),
	base_trace_price numeric NOT NULL DEFAULT 0.0005,
	extended_upgrade_price numeric NOT NULL DEFAULT 0.0045,
	deployment_run_price numeric NOT NULL DEFAULT 0.005,
	-- built-in monthly trace limit when the organization has no payment method
	unpaid_monthly_trace_limit bigint
);

INSERT INTO lsbilling.plans (id, seat_price, max_seats, free_traces_per_month, unpaid_monthly_trace_limit)
VALUES ('developer', 0, 1, 5000, 5000),
	   ('plus', 39, 10, 10000, NULL),
	   ('startup', 39, NULL, 30000, NULL),
	   ('enterprise', 0, NULL, 0, NULL);

ALTER TABLE lsbilling.organizations
	ADD CONSTRAINT organizations_plan_fkey FOREIGN KEY (plan) REFERENCES lsbilling.plans (id);

-- The ledger (contract).  Append-only: billing_events_append_only refuses
-- UPDATE, DELETE and TRUNCATE outside the extension's own maintenance.
-- A base_trace / extended_upgrade event exists at most once per trace; the
-- unique index is the backstop behind the triggers' row locks.
CREATE TABLE lsbilling.billing_events (
	workspace_id uuid NOT NULL,
	id bigint GENERATED BY DEFAULT AS IDENTITY,
	organization_id uuid NOT NULL,
	metric text NOT NULL
		CONSTRAINT billing_events_metric_check
		CHECK (metric IN ('base_trace', 'extended_upgrade', 'deployment_run')),
	trace_id uuid,
	quantity numeric NOT NULL DEFAULT 1,
	occurred_at timestamptz NOT NULL,
	PRIMARY KEY (workspace_id, id),
	CONSTRAINT billing_events_trace_check CHECK ((metric = 'deployment_run') = (trace_id IS NULL))
);
CREATE UNIQUE INDEX billing_events_trace_metric_key
	ON lsbilling.billing_events (workspace_id, trace_id, metric) WHERE trace_id IS NOT NULL;
CREATE INDEX billing_events_time_idx ON lsbilling.billing_events (workspace_id, occurred_at);

-- Monthly limits per workspace (NULL: no limit).  Months are UTC calendar months.
CREATE TABLE lsbilling.usage_limits (
	workspace_id uuid PRIMARY KEY REFERENCES lsbilling.workspaces (id),
	max_traces bigint CONSTRAINT usage_limits_max_traces_check CHECK (max_traces >= 0),
	max_extended_traces bigint
		CONSTRAINT usage_limits_max_extended_traces_check CHECK (max_extended_traces >= 0),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- What the limits are checked against: traces and extended traces per
-- workspace per billing month, kept by the write path in the writer's own
-- transaction.  Each workspace-month is split into a few slots (a backend
-- always uses the same one) so that concurrent writers do not queue on one row
-- lock until commit; the price is the bounded overshoot described in README.
CREATE TABLE lsbilling.usage_counters (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	month date NOT NULL,
	slot smallint NOT NULL,
	traces bigint NOT NULL DEFAULT 0,
	extended_traces bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (workspace_id, month, slot)
);

CREATE VIEW lsbilling.monthly_usage AS
SELECT workspace_id, month, sum(traces)::bigint AS traces, sum(extended_traces)::bigint AS extended_traces
FROM lsbilling.usage_counters
GROUP BY workspace_id, month;

-- Triggers (C).
CREATE FUNCTION lsbilling.upgrade_trace() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_upgrade_trace' LANGUAGE C;
CREATE FUNCTION lsbilling.record_deployment_run() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_record_deployment_run' LANGUAGE C;
CREATE FUNCTION lsbilling.billing_events_append_only() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_billing_events_append_only' LANGUAGE C;

-- Arguments: the column holding the moment of the upgrade, and whether the
-- upgrade spreads to the trace's whole thread (feedback only).  BEFORE
-- triggers fire in name order: *_upgrade_trace after *_resolve_run, which
-- fills trace_id.
CREATE TRIGGER feedback_upgrade_trace BEFORE INSERT ON lsbilling.feedback
	FOR EACH ROW EXECUTE FUNCTION lsbilling.upgrade_trace('created_at', 'thread');
CREATE TRIGGER annotation_queue_runs_upgrade_trace BEFORE INSERT ON lsbilling.annotation_queue_runs
	FOR EACH ROW EXECUTE FUNCTION lsbilling.upgrade_trace('added_at', 'trace');
CREATE TRIGGER rule_matches_upgrade_trace BEFORE INSERT ON lsbilling.rule_matches
	FOR EACH ROW EXECUTE FUNCTION lsbilling.upgrade_trace('matched_at', 'trace');
CREATE TRIGGER deployment_runs_record AFTER INSERT ON lsbilling.deployment_runs
	FOR EACH ROW EXECUTE FUNCTION lsbilling.record_deployment_run();
CREATE TRIGGER billing_events_append_only BEFORE UPDATE OR DELETE ON lsbilling.billing_events
	FOR EACH ROW EXECUTE FUNCTION lsbilling.billing_events_append_only();
CREATE TRIGGER billing_events_no_truncate BEFORE TRUNCATE ON lsbilling.billing_events
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.billing_events_append_only();

-- The UTC calendar month [start, end) that contains day.
CREATE FUNCTION lsbilling.month_bounds(day date, OUT month_start timestamptz, OUT month_end timestamptz)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (date_trunc('month', day::timestamp) AT TIME ZONE 'UTC',
		(date_trunc('month', day::timestamp) + interval '1 month') AT TIME ZONE 'UTC');

-- Invoice lines for one organization and month (contract).  Seats come from
-- the membership history: a seat held on the 1st is billed in full, one added
-- later by the share of the month's days left (join day included, rounded to
-- 6 places); removals are not refunded; invited users count.  Trace and
-- deployment-run lines count the ledger's events whose occurred_at falls in
-- the month (UTC); the plan's free allowance comes off the base traces.
-- amount = quantity * unit_price on every line, exactly.
CREATE FUNCTION lsbilling.invoice(organization_id uuid, billing_month date)
RETURNS TABLE (item text, quantity numeric, unit_price numeric, amount numeric)
LANGUAGE sql STABLE
AS $$
WITH m AS (
	SELECT b.month_start, b.month_end,
		   (b.month_end AT TIME ZONE 'UTC')::date - (b.month_start AT TIME ZONE 'UTC')::date AS days
	FROM lsbilling.month_bounds(billing_month) b
), p AS (
	SELECT pl.* FROM lsbilling.organizations o JOIN lsbilling.plans pl ON pl.id = o.plan
	WHERE o.id = invoice.organization_id
), seats AS (
	SELECT coalesce(sum(CASE
		WHEN om.joined_at <= m.month_start THEN 1
		ELSE round(((m.month_end AT TIME ZONE 'UTC')::date - (om.joined_at AT TIME ZONE 'UTC')::date)::numeric
				   / m.days, 6)
		END), 0) AS n
	FROM lsbilling.organization_members om, m
	WHERE om.organization_id = invoice.organization_id
	  AND om.joined_at < m.month_end
	  AND (om.removed_at IS NULL OR om.removed_at > m.month_start OR om.joined_at >= m.month_start)
), ev AS (
	SELECT coalesce(sum(e.quantity) FILTER (WHERE e.metric = 'base_trace'), 0) AS base,
		   coalesce(sum(e.quantity) FILTER (WHERE e.metric = 'extended_upgrade'), 0) AS upgrades,
		   coalesce(sum(e.quantity) FILTER (WHERE e.metric = 'deployment_run'), 0) AS deploys
	FROM lsbilling.billing_events e, m
	WHERE e.workspace_id IN (SELECT w.id FROM lsbilling.workspaces w
							 WHERE w.organization_id = invoice.organization_id)
	  AND e.organization_id = invoice.organization_id
	  AND e.occurred_at >= m.month_start AND e.occurred_at < m.month_end
), lines AS (
	SELECT 1 AS ord, 'seats' AS item, seats.n AS quantity, p.seat_price AS unit_price FROM seats, p
	UNION ALL
	SELECT 2, 'base traces', greatest(ev.base - p.free_traces_per_month, 0), p.base_trace_price FROM ev, p
	UNION ALL
	SELECT 3, 'extended-retention upgrades', ev.upgrades, p.extended_upgrade_price FROM ev, p
	UNION ALL
	SELECT 4, 'deployment runs', ev.deploys, p.deployment_run_price FROM ev, p
)
SELECT item, quantity, unit_price, amount FROM (
	SELECT ord, item, quantity, unit_price, quantity * unit_price AS amount FROM lines
	UNION ALL
	SELECT 5, 'total', NULL, NULL, sum(quantity * unit_price) FROM lines
) l ORDER BY ord
$$;
COMMENT ON FUNCTION lsbilling.invoice(uuid, date) IS
	'invoice lines (seats, base traces, extended-retention upgrades, deployment runs, total) of an organization for the UTC month containing billing_month';

-- Billable traces per UTC day, from since to until (both days included): the
-- usage graph.  Days without events are rows of zeros.
CREATE FUNCTION lsbilling.usage(workspace_id uuid, since date, until date)
RETURNS TABLE (day date, base_traces bigint, extended_upgrades bigint)
LANGUAGE sql STABLE
AS $$
SELECT d.day::date,
	   count(e.id) FILTER (WHERE e.metric = 'base_trace'),
	   count(e.id) FILTER (WHERE e.metric = 'extended_upgrade')
FROM generate_series(since::timestamp, until::timestamp, interval '1 day') AS d(day)
LEFT JOIN lsbilling.billing_events e
	   ON e.workspace_id = usage.workspace_id
	  AND e.metric IN ('base_trace', 'extended_upgrade')
	  AND e.occurred_at >= d.day AT TIME ZONE 'UTC'
	  AND e.occurred_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
GROUP BY d.day
ORDER BY d.day
$$;
COMMENT ON FUNCTION lsbilling.usage(uuid, date, date) IS
	'billable base traces and extended upgrades per UTC day of a workspace, since..until inclusive';

-- The usage counts a statement kept in memory are written when it ends (see
-- src/usage_limits.c).  Named zz_ so that it sorts after other statement triggers.
CREATE FUNCTION lsbilling.usage_flush() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_usage_flush' LANGUAGE C;
CREATE TRIGGER zz_usage_flush AFTER INSERT ON lsbilling.runs
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.usage_flush();
CREATE TRIGGER zz_usage_flush AFTER INSERT ON lsbilling.feedback
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.usage_flush();
CREATE TRIGGER zz_usage_flush AFTER INSERT ON lsbilling.annotation_queue_runs
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.usage_flush();
CREATE TRIGGER zz_usage_flush AFTER INSERT ON lsbilling.rule_matches
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.usage_flush();
-- ---------------------------------------------------------------------------
-- Retention: purge of expired traces, day partitions of runs, purge history.
--
-- runs is partitioned by range of start_time (10_data_model.sql).  The purge
-- and the worker add one partition per UTC day, runs_pYYYYMMDD, ahead of
-- time; runs_default stays as the safety net for any start_time without a
-- day partition.  When a day's traces have expired, its partition goes with
-- one DROP; the runs of the traces in it that are still kept (upgraded to
-- extended, or of a workspace with a longer retention) are first copied into
-- a fresh partition for the same day, which replaces the old one.  So a tier
-- upgrade needs no hook: which runs stay is decided at purge time from
-- traces.expires_at.  Whatever the partition path does not take (a day where
-- most runs are kept, rows in runs_default) goes by batched DELETE.
-- ---------------------------------------------------------------------------

-- The purge's work list: expired traces not purged yet.  Partial, so that it
-- stays as small as the backlog however many purged traces accumulate.
CREATE INDEX traces_unpurged_expiry_idx ON lsbilling.traces (expires_at)
	WHERE purged_at IS NULL;

-- The partitions of runs with their bounds, parsed from the catalog.
CREATE VIEW lsbilling.run_partitions AS
SELECT c.oid::regclass AS partition,
	c.relname::text COLLATE "default" AS name,
	b.bound = 'DEFAULT' AS is_default,
	(regexp_match(b.bound, $re$FROM \('([^']+)'\)$re$))[1]::timestamptz AS lo,
	(regexp_match(b.bound, $re$TO \('([^']+)'\)$re$))[1]::timestamptz AS hi
FROM pg_catalog.pg_inherits i
JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
CROSS JOIN LATERAL (SELECT pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound) b
WHERE i.inhparent = 'lsbilling.runs'::regclass;
COMMENT ON VIEW lsbilling.run_partitions IS
	'partitions of lsbilling.runs with their start_time bounds [lo, hi)';

-- One row per purge pass, written as the pass goes: a pass cut short (a
-- killed worker, a crash) shows its counts so far and no finished_at.
CREATE TABLE lsbilling.purge_passes (
	id bigserial PRIMARY KEY,
	source text NOT NULL
		CONSTRAINT purge_passes_source_check CHECK (source IN ('worker', 'function')),
	pid integer NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
	as_of timestamptz NOT NULL,
	started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	finished_at timestamptz,
	traces_purged bigint NOT NULL DEFAULT 0,
	runs_deleted bigint NOT NULL DEFAULT 0,
	feedback_deleted bigint NOT NULL DEFAULT 0,
	queue_items_deleted bigint NOT NULL DEFAULT 0,
	rule_matches_deleted bigint NOT NULL DEFAULT 0,
	partitions_dropped integer NOT NULL DEFAULT 0,
	partitions_created integer NOT NULL DEFAULT 0,
	runs_moved bigint NOT NULL DEFAULT 0,
	error text
);
CREATE INDEX purge_passes_started_idx ON lsbilling.purge_passes (started_at);

CREATE VIEW lsbilling.purge_history AS
SELECT id, source, pid, as_of, started_at, finished_at,
	finished_at - started_at AS duration,
	CASE WHEN finished_at IS NOT NULL AND error IS NOT NULL THEN 'failed'
		WHEN finished_at IS NOT NULL THEN 'done'
		WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
			WHERE a.pid = p.pid AND a.backend_start <= p.started_at) THEN 'running'
		ELSE 'interrupted' END AS status,
	traces_purged, runs_deleted, feedback_deleted, queue_items_deleted, rule_matches_deleted,
	partitions_dropped, partitions_created, runs_moved, error
FROM lsbilling.purge_passes p;
COMMENT ON VIEW lsbilling.purge_history IS
	'one row per purge pass (worker or purge_expired), newest last; interrupted = cut short, finished by a later pass';

CREATE FUNCTION lsbilling.purge_expired(as_of timestamptz DEFAULT now(),
	OUT traces_purged bigint, OUT runs_deleted bigint, OUT feedback_deleted bigint,
	OUT queue_items_deleted bigint, OUT rule_matches_deleted bigint,
	OUT partitions_dropped integer, OUT partitions_created integer, OUT runs_moved bigint)
	AS 'MODULE_PATHNAME', 'lsbilling_purge_expired'
	LANGUAGE C STRICT VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, lsbilling;
COMMENT ON FUNCTION lsbilling.purge_expired(timestamptz) IS
	'one complete purge pass in the caller''s transaction: deletes the runs, feedback, queue items and rule matches of traces expired at as_of, keeps the trace rows (purged_at set)';
REVOKE ALL ON FUNCTION lsbilling.purge_expired(timestamptz) FROM PUBLIC;

CREATE FUNCTION lsbilling.create_run_partitions(from_day date DEFAULT (now() AT TIME ZONE 'UTC')::date,
	days integer DEFAULT 8)
	RETURNS integer
	AS 'MODULE_PATHNAME', 'lsbilling_create_run_partitions'
	LANGUAGE C STRICT VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, lsbilling;
COMMENT ON FUNCTION lsbilling.create_run_partitions(date, integer) IS
	'creates the missing day partitions of runs for [from_day, from_day + days) (UTC days), moving their rows out of runs_default; returns how many it created';
REVOKE ALL ON FUNCTION lsbilling.create_run_partitions(date, integer) FROM PUBLIC;
-- ---------------------------------------------------------------------------
-- pg_dump: the extension's tables hold its users' data, so their rows are
-- dumped (pg_dump leaves the rows of extension tables out otherwise).  Day
-- partitions of runs made at run time are not extension members and are
-- dumped as ordinary tables.  Restore with session_replication_role =
-- replica (see README): the rows come back as they were, without the write
-- triggers validating, re-pricing or billing them a second time.
-- The seeded plans come back from CREATE EXTENSION; only added plans are dumped.
-- ---------------------------------------------------------------------------
-- one call a statement: each updates the extension's catalog row
SELECT pg_catalog.pg_extension_config_dump('lsbilling.organizations', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.workspaces', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.users', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.organization_members', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.workspace_members', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.projects', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.traces', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.runs_default', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.feedback', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.annotation_queues', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.annotation_queue_runs', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.automation_rules', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.rule_matches', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.datasets', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.examples', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.deployments', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.deployment_runs', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.billing_events', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.usage_limits', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.usage_counters', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.purge_passes', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.billing_events_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.purge_passes_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.plans',
	$$WHERE id NOT IN ('developer', 'plus', 'startup', 'enterprise')$$);
