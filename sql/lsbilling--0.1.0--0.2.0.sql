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
-- Short-window rate limits (src/rate_limit*.c): counters in shared memory,
-- not in tables.  Per subject (API key) per endpoint class per minute,
-- checked and counted by rate_limit_request() (or by authenticate() through
-- lsb_request_hook); per organization per UTC hour (events, bytes), counted
-- per statement by the triggers below.  Needs shared_preload_libraries.
CREATE OR REPLACE FUNCTION lsbilling.rate_limit_request(
	subject text,
	endpoint text,
	organization_id uuid DEFAULT NULL,
	OUT request_limit bigint,
	OUT remaining bigint,
	OUT resets_at timestamptz,
	OUT reset_seconds integer)
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_request' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION lsbilling.rate_limit_request(text, text, uuid) IS
	'checks and counts one API request of subject (an API key) to an endpoint class (runs, feedback, delete_sessions, other); ERROR LS429 when over a limit';

CREATE OR REPLACE FUNCTION lsbilling.rate_limit_check(subject text, endpoint text,
	organization_id uuid DEFAULT NULL)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_check' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION lsbilling.rate_limit_check(text, text, uuid) IS
	'rate_limit_request returning only the requests left in the window: the cheapest per-request call';

CREATE OR REPLACE FUNCTION lsbilling.rate_limit_status(subject text, organization_id uuid DEFAULT NULL)
	RETURNS TABLE (limit_name text, endpoint text, max_value bigint, used bigint, remaining bigint,
		resets_at timestamptz, reset_seconds integer)
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_status' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION lsbilling.rate_limit_status(text, uuid) IS
	'each rate limit of a subject (and of an organization''s hour): limit, used, remaining, reset time; counts nothing';

-- PostgREST: SQLSTATE PT429 becomes HTTP 429 (see README "Rate limits").
CREATE OR REPLACE FUNCTION lsbilling.rate_limit_http(subject text, endpoint text,
	organization_id uuid DEFAULT NULL, pgrst boolean DEFAULT false)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog
AS $$
DECLARE
	r record;
	msg text;
	det text;
	hnt text;
	secs integer;
BEGIN
	BEGIN
		SELECT * INTO r FROM lsbilling.rate_limit_request(rate_limit_http.subject,
			rate_limit_http.endpoint, rate_limit_http.organization_id);
	EXCEPTION WHEN SQLSTATE 'LS429' THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
		secs := greatest(coalesce((regexp_match(hnt, 'in (\d+) seconds'))[1]::integer, 1), 1);
		PERFORM set_config('response.headers',
			json_build_array(json_build_object('Retry-After', secs::text))::text, true);
		IF pgrst THEN
			RAISE SQLSTATE 'PGRST' USING
				MESSAGE = json_build_object('code', 'LS429', 'message', msg, 'details', det, 'hint', hnt)::text,
				DETAIL = json_build_object('status', 429,
					'headers', json_build_object('Retry-After', secs::text))::text;
		END IF;
		RAISE SQLSTATE 'PT429' USING MESSAGE = msg, DETAIL = det, HINT = hnt;
	END;
	IF r.request_limit IS NOT NULL AND r.remaining IS NOT NULL THEN
		PERFORM set_config('response.headers', json_build_array(
			json_build_object('X-RateLimit-Limit', r.request_limit::text),
			json_build_object('X-RateLimit-Remaining', r.remaining::text),
			json_build_object('X-RateLimit-Reset', r.reset_seconds::text))::text, true);
	END IF;
END
$$;
COMMENT ON FUNCTION lsbilling.rate_limit_http(text, text, uuid, boolean) IS
	'rate_limit_request for PostgREST: X-RateLimit-* response headers; refusal as SQLSTATE PT429 (HTTP 429) with Retry-After, or PGRST with status and headers when pgrst';

CREATE OR REPLACE FUNCTION lsbilling.rate_limit_entries()
	RETURNS TABLE (partition integer, subject text, limit_name text, endpoint text,
		window_start timestamptz, window_end timestamptz, used bigint, max_value bigint,
		refused bigint, live boolean)
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_entries' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION lsbilling.rate_limit_entries() FROM PUBLIC;
CREATE OR REPLACE VIEW lsbilling.rate_limits AS
	SELECT * FROM lsbilling.rate_limit_entries();
COMMENT ON VIEW lsbilling.rate_limits IS
	'live rate-limit counters in shared memory: subject (short form), limit, window, used, refused';

CREATE OR REPLACE FUNCTION lsbilling.rate_limit_info(OUT max_entries bigint, OUT entries bigint,
	OUT evicted_ended bigint, OUT evicted_live bigint, OUT fail_open bigint, OUT reset_at timestamptz)
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_info' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION lsbilling.rate_limit_info() FROM PUBLIC;
COMMENT ON FUNCTION lsbilling.rate_limit_info() IS
	'the shared rate-limit table: capacity, entries, evictions (ended windows, live ones), requests admitted because it was full';

CREATE OR REPLACE FUNCTION lsbilling.rate_limit_reset() RETURNS void
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_reset' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION lsbilling.rate_limit_reset() FROM PUBLIC;
COMMENT ON FUNCTION lsbilling.rate_limit_reset() IS 'forgets every rate-limit counter (superuser)';

-- Hourly ingest limits: the row trigger counts and checks each row against
-- shared + the statement's pending counts; the statement trigger (named to
-- fire last) adds them to shared memory.  Updates count only when they
-- change what a client sends (inputs, outputs, extra, end_time, error).
CREATE OR REPLACE FUNCTION lsbilling.rate_limit_row() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_row' LANGUAGE C;
CREATE OR REPLACE FUNCTION lsbilling.rate_limit_flush() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_flush' LANGUAGE C;
CREATE OR REPLACE FUNCTION lsbilling.rate_limit_plans_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_rate_limit_plans_changed' LANGUAGE C;

DROP TRIGGER IF EXISTS runs_rate_limit ON lsbilling.runs;
CREATE TRIGGER runs_rate_limit BEFORE INSERT OR UPDATE ON lsbilling.runs
	FOR EACH ROW EXECUTE FUNCTION lsbilling.rate_limit_row('runs');
DROP TRIGGER IF EXISTS zzz_rate_limit_flush ON lsbilling.runs;
CREATE TRIGGER zzz_rate_limit_flush AFTER INSERT OR UPDATE ON lsbilling.runs
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_flush();
DROP TRIGGER IF EXISTS feedback_rate_limit ON lsbilling.feedback;
CREATE TRIGGER feedback_rate_limit BEFORE INSERT ON lsbilling.feedback
	FOR EACH ROW EXECUTE FUNCTION lsbilling.rate_limit_row('feedback');
DROP TRIGGER IF EXISTS zzz_rate_limit_flush ON lsbilling.feedback;
CREATE TRIGGER zzz_rate_limit_flush AFTER INSERT ON lsbilling.feedback
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_flush();
-- A plan or payment-method change reaches every backend's cache at commit.
DROP TRIGGER IF EXISTS rate_limit_plans_changed ON lsbilling.organizations;
CREATE TRIGGER rate_limit_plans_changed AFTER UPDATE OR DELETE OR TRUNCATE ON lsbilling.organizations
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_plans_changed();
DROP TRIGGER IF EXISTS rate_limit_plans_changed ON lsbilling.workspaces;
CREATE TRIGGER rate_limit_plans_changed AFTER UPDATE OR DELETE OR TRUNCATE ON lsbilling.workspaces
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_plans_changed();

-- <<< end section: rate limits


-- >>> section: retention and write path (purge, partitions)

-- <<< end section: retention and write path


-- >>> section: scale-out (Citus)

-- <<< end section: scale-out
