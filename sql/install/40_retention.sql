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
