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

-- <<< end section: real client traffic


-- >>> section: billing (plan history, invoices, credits, spend cap)

-- <<< end section: billing


-- >>> section: rate limits (shared memory)

-- <<< end section: rate limits


-- >>> section: retention and write path (purge, partitions)

-- Partition bounds read from the parsed bound, independent of the session's
-- DateStyle and TimeZone (0.1.0 parsed pg_get_expr's text, which a session
-- with DateStyle 'SQL, DMY' and TimeZone Asia/Kolkata shifted by 3.5 hours).
CREATE OR REPLACE FUNCTION lsbilling.run_partition_bounds(part regclass,
	OUT is_default boolean, OUT lo timestamptz, OUT hi timestamptz)
	AS 'MODULE_PATHNAME', 'lsbilling_run_partition_bounds'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lsbilling.run_partition_bounds(regclass) IS
	'a partition of runs: whether it is the default, and its start_time bounds [lo, hi) (NULL for MINVALUE/MAXVALUE)';

CREATE OR REPLACE VIEW lsbilling.run_partitions AS
SELECT c.oid::regclass AS partition,
	c.relname::text COLLATE "default" AS name,
	b.is_default,
	b.lo,
	b.hi
FROM pg_catalog.pg_inherits i
JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
CROSS JOIN LATERAL lsbilling.run_partition_bounds(c.oid::regclass) b
WHERE i.inhparent = 'lsbilling.runs'::regclass;

-- The roll-up of run UPDATEs and DELETEs once per statement, over the
-- transition tables, like inserts (0.1.0 did it per row: deleting a trace of
-- n runs wrote its trace row n times, quadratic in n).
CREATE OR REPLACE FUNCTION lsbilling.runs_after_change() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_runs_after_change' LANGUAGE C;
DROP TRIGGER IF EXISTS runs_after_write ON lsbilling.runs;
DROP TRIGGER IF EXISTS runs_after_update ON lsbilling.runs;
CREATE TRIGGER runs_after_update AFTER UPDATE ON lsbilling.runs
	REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.runs_after_change();
DROP TRIGGER IF EXISTS runs_after_delete ON lsbilling.runs;
CREATE TRIGGER runs_after_delete AFTER DELETE ON lsbilling.runs
	REFERENCING OLD TABLE AS old_runs
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.runs_after_change();

-- Threads: a hash index on thread_id instead of the btree on (workspace_id,
-- thread_id), which refused a root run whose thread_id was over ~2.7 kB
-- (with its whole batch).  Lookups still go through an index; the
-- workspace is checked on the (few) traces of the thread.
CREATE INDEX IF NOT EXISTS traces_thread_hash_idx ON lsbilling.traces USING hash (thread_id)
	WHERE thread_id IS NOT NULL;
DROP INDEX IF EXISTS lsbilling.traces_thread_idx;

-- <<< end section: retention and write path


-- >>> section: scale-out (Citus)
-- lsbilling.distribute(): run once on a Citus coordinator (after CREATE
-- EXTENSION citus and citus_add_node) to make lsbilling's global tables
-- reference tables and its tenant tables distributed by workspace_id, all
-- colocated.  Tenant tables are found in the catalog (a table of schema
-- lsbilling whose primary key leads with workspace_id), so tables added by
-- later versions are handled too; every other table of the schema is global.
-- Works on an empty and on a populated database; tables already distributed
-- are skipped, so it can be run again (e.g. after an upgrade added a table).
-- A tenant table: its primary key leads with workspace_id.
CREATE OR REPLACE FUNCTION lsbilling.distribute_is_tenant(rel regclass)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	RETURN EXISTS (
		SELECT 1 FROM pg_catalog.pg_index i
		JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE i.indrelid = rel AND i.indisprimary AND a.attname = 'workspace_id');
END
$fn$;

CREATE OR REPLACE FUNCTION lsbilling.distribute()
RETURNS TABLE (table_name regclass, kind text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	todo regclass[];
	rel regclass;
	is_tenant boolean;
	progress boolean;
	colocate regclass;
	populated regclass[] := ARRAY[]::regclass[];
	seq regclass;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'lsbilling.distribute() needs the citus extension'
			USING ERRCODE = '55000',
				  DETAIL = 'The extension citus is not installed in this database.',
				  HINT = 'Add citus to shared_preload_libraries on every node, run CREATE EXTENSION citus and citus_add_node for each worker, then call lsbilling.distribute() on the coordinator.';
	END IF;
	IF NOT pg_catalog.citus_is_coordinator() THEN
		RAISE EXCEPTION 'lsbilling.distribute() must run on the Citus coordinator'
			USING ERRCODE = '55000',
				  DETAIL = 'This node is not the coordinator of its Citus cluster.';
	END IF;
	IF pg_catalog.current_setting('citus.enable_unsafe_triggers') <> 'on' THEN
		RAISE EXCEPTION 'lsbilling.distribute() needs the setting citus.enable_unsafe_triggers = on'
			USING ERRCODE = '55000',
				  DETAIL = 'The write path is triggers on the tenant tables, which Citus fires on the shards only with this setting; later upgrades create triggers too.',
				  HINT = 'Set it in postgresql.conf of the coordinator (or ALTER SYSTEM SET citus.enable_unsafe_triggers = on; SELECT pg_reload_conf();), then call lsbilling.distribute() again.';
	END IF;
	IF pg_catalog.current_setting('citus.propagate_set_commands') <> 'local' THEN
		RAISE EXCEPTION 'lsbilling.distribute() needs the setting citus.propagate_set_commands = ''local'''
			USING ERRCODE = '55000',
				  DETAIL = 'The triggers on the shards see lsbilling.test_clock and lsbilling.maintenance only when SET LOCAL reaches the workers.',
				  HINT = 'Set it in postgresql.conf of the coordinator (or ALTER SYSTEM SET citus.propagate_set_commands = ''local''; SELECT pg_reload_conf();), then call lsbilling.distribute() again.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_node
				   WHERE noderole = 'primary' AND shouldhaveshards AND isactive) THEN
		RAISE EXCEPTION 'lsbilling.distribute() found no worker node'
			USING ERRCODE = '55000',
				  HINT = 'Add the workers with SELECT citus_add_node(host, port) first.';
	END IF;
	-- reference tables that the extension created with foreign keys between
	-- them cannot be converted while Citus adds the coordinator's local
	-- foreign keys (42P07 "relation already exists")
	PERFORM pg_catalog.set_config('citus.enable_local_reference_table_foreign_keys', 'off', true);

	SELECT pg_catalog.array_agg(c.oid::regclass ORDER BY c.relname) INTO todo
	FROM pg_catalog.pg_class c
	WHERE c.relnamespace = 'lsbilling'::regnamespace
	  AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition d WHERE d.logicalrelid = c.oid);
	todo := coalesce(todo, ARRAY[]::regclass[]);
	SELECT d.logicalrelid INTO colocate FROM pg_catalog.pg_dist_partition d
	JOIN pg_catalog.pg_class c ON c.oid = d.logicalrelid
	WHERE c.relnamespace = 'lsbilling'::regnamespace AND d.partmethod = 'h' LIMIT 1;

	-- a transaction that writes reference tables with foreign keys to them
	-- must use one connection per node
	PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);

	-- global tables first, then tenant tables; referenced tables before the
	-- tables that reference them
	FOR phase IN 1..2 LOOP
	  WHILE EXISTS (SELECT 1 FROM pg_catalog.unnest(todo) t(r) WHERE lsbilling.distribute_is_tenant(t.r) = (phase = 2)) LOOP
		progress := false;
		FOREACH rel IN ARRAY todo LOOP
			is_tenant := lsbilling.distribute_is_tenant(rel);
			CONTINUE WHEN is_tenant <> (phase = 2);
			CONTINUE WHEN EXISTS (
				SELECT 1 FROM pg_catalog.pg_constraint f
				WHERE f.conrelid = rel AND f.contype = 'f' AND f.confrelid <> rel
				  AND f.confrelid = ANY (todo));
			IF EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhparent = rel)
			   OR pg_catalog.pg_relation_size(rel) > 0 THEN
				populated := populated || rel;
			END IF;
			-- the rows copied into the shards are not new: they were validated,
			-- priced, rolled up and billed when written, so no trigger may fire
			-- for them; the shards are made with the triggers off, turned on after
			EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', rel);
			IF is_tenant THEN
				IF colocate IS NULL THEN
					PERFORM pg_catalog.create_distributed_table(rel, 'workspace_id');
					colocate := rel;
				ELSE
					PERFORM pg_catalog.create_distributed_table(rel, 'workspace_id',
																colocate_with => colocate::text);
				END IF;
				table_name := rel; kind := 'distributed';
			ELSE
				PERFORM pg_catalog.create_reference_table(rel);
				table_name := rel; kind := 'reference';
			END IF;
			EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE TRIGGER USER', rel);
			RETURN NEXT;
			todo := pg_catalog.array_remove(todo, rel);
			progress := true;
		END LOOP;
		IF NOT progress THEN
			RAISE EXCEPTION 'lsbilling.distribute() cannot order the tables %', todo
				USING ERRCODE = '55000',
					  DETAIL = 'Their foreign keys form a cycle, or a global table references a tenant table.';
		END IF;
	  END LOOP;
	END LOOP;

	-- Identity keys of tenant tables (billing_events.id) are drawn on the
	-- node whose trigger writes the row, each node from its own sequence:
	-- give every node a range of its own (group id << 48), so that a shard
	-- moved to another node never meets an id already used there.  The
	-- coordinator (group 0) keeps its numbering.  Run again after adding nodes.
	FOR seq IN
		SELECT s.oid::regclass FROM pg_catalog.pg_class s
		JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.oid
			AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
		JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid = d.refobjid AND p.partmethod = 'h'
		WHERE s.relkind = 'S' AND s.relnamespace = 'lsbilling'::regnamespace
	LOOP
		PERFORM pg_catalog.run_command_on_all_nodes(pg_catalog.format(
			$cmd$SELECT pg_catalog.setval(%1$L, g.base, false)
				FROM (SELECT groupid::bigint << 48 AS base FROM pg_catalog.pg_dist_local_group) g
				WHERE g.base > 0 AND (SELECT last_value FROM %1$s) < g.base$cmd$, seq));
	END LOOP;

	-- the coordinator's shells keep a copy of the rows that went into the
	-- shards: remove it (the ledger's copy too, as maintenance)
	IF pg_catalog.cardinality(populated) > 0 THEN
		PERFORM pg_catalog.set_config('lsbilling.maintenance', 'on', true);
		FOREACH rel IN ARRAY populated LOOP
			PERFORM pg_catalog.truncate_local_data_after_distributing_table(rel);
		END LOOP;
		PERFORM pg_catalog.set_config('lsbilling.maintenance', 'off', true);
	END IF;
END
$fn$;
COMMENT ON FUNCTION lsbilling.distribute() IS
	'on a Citus coordinator: makes lsbilling''s global tables reference tables and its tenant tables distributed by workspace_id, colocated; returns what it did';
REVOKE ALL ON FUNCTION lsbilling.distribute() FROM PUBLIC;

-- Read-side functions in PL/pgSQL instead of SQL: Citus cannot plan SQL
-- functions with parameters over distributed tables.  Same queries, same
-- results; run_tree and project_stats look the workspace up first, so that
-- their main query names one workspace (one shard) and Citus routes it whole.

CREATE OR REPLACE FUNCTION lsbilling.invoice(organization_id uuid, billing_month date)
RETURNS TABLE (item text, quantity numeric, unit_price numeric, amount numeric)
LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
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
) l ORDER BY ord;
END
$$;

CREATE OR REPLACE FUNCTION lsbilling.usage(workspace_id uuid, since date, until date)
RETURNS TABLE (day date, base_traces bigint, extended_upgrades bigint)
LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
SELECT d.day::date,
	   count(e.id) FILTER (WHERE e.metric = 'base_trace'),
	   count(e.id) FILTER (WHERE e.metric = 'extended_upgrade')
FROM generate_series(since::timestamp, until::timestamp, interval '1 day') AS d(day)
LEFT JOIN (SELECT ev.id, ev.metric, ev.occurred_at FROM lsbilling.billing_events ev
		   WHERE ev.workspace_id = usage.workspace_id
			 AND ev.metric IN ('base_trace', 'extended_upgrade')) e
	   ON e.occurred_at >= d.day AT TIME ZONE 'UTC'
	  AND e.occurred_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
GROUP BY d.day
ORDER BY d.day;
END
$$;

CREATE OR REPLACE FUNCTION lsbilling.run_tree(trace_id uuid, workspace_id uuid DEFAULT NULL)
	RETURNS TABLE (run_id uuid, parent_run_id uuid, depth integer, name text, run_type text,
		start_time timestamptz, ls_model_name text,
		prompt_tokens bigint, completion_tokens bigint, total_tokens bigint,
		prompt_cost numeric, completion_cost numeric, other_cost numeric, total_cost numeric,
		subtree_prompt_tokens bigint, subtree_completion_tokens bigint, subtree_total_tokens bigint,
		subtree_prompt_cost numeric, subtree_completion_cost numeric, subtree_other_cost numeric,
		subtree_total_cost numeric)
	LANGUAGE plpgsql STABLE
	AS $$
	#variable_conflict use_column
	DECLARE
		ws uuid := $2;
	BEGIN
	IF ws IS NULL THEN
		SELECT t.workspace_id INTO ws FROM lsbilling.traces t WHERE t.id = $1 LIMIT 1;
	END IF;
	RETURN QUERY
	WITH RECURSIVE r AS (
		SELECT r.id, r.parent_run_id, r.name, r.run_type, r.start_time, r.ls_model_name,
			r.dotted_order, r.prompt_tokens, r.completion_tokens, r.total_tokens,
			r.prompt_cost, r.completion_cost, r.total_cost,
			coalesce(r.total_cost, 0) - coalesce(r.prompt_cost, 0) - coalesce(r.completion_cost, 0) AS other_cost
		FROM lsbilling.runs r
		WHERE r.workspace_id = ws AND r.trace_id = $1
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
	;
	END
	$$;

CREATE OR REPLACE FUNCTION lsbilling.project_stats(
	project_id uuid,
	since timestamptz DEFAULT '-infinity',
	until timestamptz DEFAULT 'infinity',
	OUT trace_count bigint, OUT run_count bigint,
	OUT prompt_tokens bigint, OUT completion_tokens bigint, OUT total_tokens bigint,
	OUT prompt_cost numeric, OUT completion_cost numeric, OUT other_cost numeric,
	OUT total_cost numeric)
	LANGUAGE plpgsql STABLE
	AS $$
	#variable_conflict use_column
	DECLARE
		ws uuid;
	BEGIN
	SELECT p.workspace_id INTO ws FROM lsbilling.projects p WHERE p.id = $1 LIMIT 1;
	SELECT count(*), coalesce(sum(t.run_count), 0)::bigint,
		coalesce(sum(t.prompt_tokens), 0)::bigint, coalesce(sum(t.completion_tokens), 0)::bigint,
		coalesce(sum(t.total_tokens), 0)::bigint,
		coalesce(sum(t.prompt_cost), 0), coalesce(sum(t.completion_cost), 0),
		coalesce(sum(t.other_cost), 0), coalesce(sum(t.total_cost), 0)
	INTO trace_count, run_count, prompt_tokens, completion_tokens, total_tokens,
		prompt_cost, completion_cost, other_cost, total_cost
	FROM lsbilling.traces t
	WHERE t.workspace_id = ws
	  AND t.project_id = $1 AND t.start_time >= $2 AND t.start_time < $3
	;
	END
	$$;

CREATE OR REPLACE FUNCTION lsbilling.cost_timeseries(
	workspace_id uuid,
	bucket interval,
	since timestamptz,
	until timestamptz,
	project_id uuid DEFAULT NULL)
	RETURNS TABLE (bucket_start timestamptz, trace_count bigint, run_count bigint,
		prompt_tokens bigint, completion_tokens bigint, total_tokens bigint,
		prompt_cost numeric, completion_cost numeric, other_cost numeric, total_cost numeric)
	LANGUAGE plpgsql STABLE
	AS $$
	#variable_conflict use_column
	BEGIN
	RETURN QUERY
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
	;
	END
	$$;

-- <<< end section: scale-out
