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
