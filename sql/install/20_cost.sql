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
