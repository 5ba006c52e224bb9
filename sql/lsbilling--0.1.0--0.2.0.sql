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

-- <<< end section: retention and write path


-- >>> section: scale-out (Citus)

-- <<< end section: scale-out
