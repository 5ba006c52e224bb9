-- Short-window rate limits (shared memory): per-minute request limits per
-- subject and endpoint class, per-plan hourly event and byte limits counted by
-- the run and feedback triggers, refusal texts, windows, the view, the
-- settings, and what an application role may not do.
-- The counters are not transactional: this file resets them first and uses
-- subjects and organizations of its own.  (Concurrency, eviction and the
-- server without shared_preload_libraries: test/tap/70_*.sh, 71_*.sh.)
BEGIN;
SELECT plan(79);

SELECT lsbilling.rate_limit_reset();

-- "SQLSTATE: message / detail / hint" of a statement, or 'ok'
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; d text; h text;
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
		h = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg || coalesce(' / ' || nullif(d, ''), '') || coalesce(' / ' || nullif(h, ''), '');
END $$;

-- n requests of subject s to endpoint e; how many were admitted before the first refusal
CREATE FUNCTION pg_temp.hammer(s text, e text, n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE i int;
BEGIN
	FOR i IN 1..n LOOP
		BEGIN
			PERFORM lsbilling.rate_limit_request(s, e);
		EXCEPTION WHEN SQLSTATE 'LS429' THEN
			RETURN i - 1;
		END;
	END LOOP;
	RETURN n;
END $$;

CREATE FUNCTION pg_temp.used(s text, e text) RETURNS bigint LANGUAGE sql
RETURN (SELECT used FROM lsbilling.rate_limit_status(s) WHERE endpoint = e);

CREATE FUNCTION pg_temp.org_used(what text) RETURNS bigint LANGUAGE sql
RETURN (SELECT used FROM lsbilling.rate_limit_status('nobody', 'e7000000-0000-0000-0000-000000000001')
		WHERE limit_name = what);

CREATE FUNCTION pg_temp.u(n int) RETURNS uuid LANGUAGE sql IMMUTABLE
RETURN format('e7d00000-0000-0000-0000-%s', lpad(n::text, 12, '0'))::uuid;

-- k runs (new traces) of the test workspace, inputs of the given jsonb
CREATE FUNCTION pg_temp.runs(first int, k int, inputs jsonb DEFAULT '{}') RETURNS void LANGUAGE sql AS $$
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, inputs)
SELECT 'e7b00000-0000-0000-0000-000000000001', pg_temp.u(i), pg_temp.u(i),
	   'e7c00000-0000-0000-0000-000000000001', 'r', 'chain', '2026-03-02 10:00+00', inputs
FROM generate_series(first, first + k - 1) i
$$;

CREATE FUNCTION pg_temp.run_count() RETURNS bigint LANGUAGE sql
RETURN (SELECT count(*) FROM lsbilling.runs WHERE workspace_id = 'e7b00000-0000-0000-0000-000000000001');

-- per-minute request limits, at their defaults ---------------------------------
SET lsbilling.test_clock = '2026-03-02 10:15:45.2+00';

SELECT is(pg_temp.hammer('lsv2_pt_runs_key_0001', 'runs', 5001), 5000, 'runs: 5000 requests a minute admitted, the 5001st refused');
SELECT is(pg_temp.hammer('lsv2_pt_fb_key_00001', 'feedback', 5001), 5000, 'feedback: 5000 admitted, the 5001st refused');
SELECT is(pg_temp.hammer('lsv2_pt_del_key_0001', 'delete_sessions', 31), 30, 'delete_sessions: 30 admitted, the 31st refused');
SELECT is(pg_temp.hammer('lsv2_pt_other_key_01', 'other', 2001), 2000, 'other: 2000 admitted, the 2001st refused');
SELECT is(pg_temp.hammer('lsv2_pt_other_key_02', 'GET /info', 2001), 2000, 'an unknown endpoint is "other"');
SELECT is(pg_temp.used('lsv2_pt_del_key_0001', 'delete_sessions'), 30::bigint, 'a refused request is not counted');
SELECT is(pg_temp.used('lsv2_pt_del_key_0001', 'runs'), 0::bigint, 'endpoint classes count apart');
SELECT is(pg_temp.used('lsv2_pt_runs_key_0002', 'runs'), 0::bigint, 'subjects count apart');

SELECT is(pg_temp.err($$SELECT lsbilling.rate_limit_request('lsv2_pt_del_key_0001', 'delete_sessions')$$),
	'LS429: rate limit of 30 delete_sessions requests per minute reached'
	' / API key lsv2_pt_…0001 has made 30 delete_sessions requests in the current minute; this one is refused and not counted.'
	' / The window resets in 15 seconds.',
	'refusal: LS429, the limit and its value, the key''s short form and the count, whole seconds to the reset');
SELECT is((SELECT refused FROM lsbilling.rate_limits WHERE subject = 'lsv2_pt_…0001' AND endpoint = 'delete_sessions'),
	2::bigint, 'the view counts the refused requests of the window');
SELECT is((SELECT row(used, max_value, window_start, window_end, live)::text FROM lsbilling.rate_limits
		   WHERE subject = 'lsv2_pt_…0001' AND endpoint = 'delete_sessions'),
	row(30::bigint, 30::bigint, '2026-03-02 10:15:00+00'::timestamptz, '2026-03-02 10:16:00+00'::timestamptz, true)::text,
	'the view: used, limit and the minute window');
SELECT ok(NOT EXISTS (SELECT FROM lsbilling.rate_limits WHERE subject LIKE '%del_key%'),
	'the view never shows a whole key');

SELECT is((SELECT row(request_limit, remaining, resets_at, reset_seconds)::text
		   FROM lsbilling.rate_limit_request('lsv2_pt_fresh_key_01', 'runs')),
	row(5000::bigint, 4999::bigint, '2026-03-02 10:16:00+00'::timestamptz, 15)::text,
	'rate_limit_request returns limit, remaining, reset time and seconds');
SELECT is((SELECT row(max_value, used, remaining, reset_seconds)::text FROM lsbilling.rate_limit_status('lsv2_pt_del_key_0001')
		   WHERE endpoint = 'delete_sessions'),
	row(30::bigint, 30::bigint, 0::bigint, 15)::text, 'rate_limit_status: limit, used, remaining, seconds');

SELECT is(lsbilling.rate_limit_check('lsv2_pt_scalar_key01', 'delete_sessions'), 29::bigint,
	'rate_limit_check counts too and returns the requests left');
SELECT alike(pg_temp.err($$SELECT lsbilling.rate_limit_check('lsv2_pt_scalar_key01', 'delete_sessions') FROM generate_series(1, 30)$$),
	'LS429: rate limit of 30 delete_sessions requests per minute reached%', 'and refuses the same way');

-- the hint's seconds, rounded up, never 0
SET lsbilling.test_clock = '2026-03-02 10:15:59.5+00';
SELECT alike(pg_temp.err($$SELECT lsbilling.rate_limit_request('lsv2_pt_del_key_0001', 'delete_sessions')$$),
	'% / The window resets in 1 seconds.', 'half a second before the reset the hint says 1 second');
SET lsbilling.test_clock = '2026-03-02 10:15:00+00';
SELECT alike(pg_temp.err($$SELECT lsbilling.rate_limit_request('lsv2_pt_del_key_0001', 'delete_sessions')$$),
	'% / The window resets in 60 seconds.', 'at the start of the minute the hint says 60 seconds');

-- windows reset on the minute
SET lsbilling.test_clock = '2026-03-02 10:16:00+00';
SELECT is(pg_temp.err($$SELECT lsbilling.rate_limit_request('lsv2_pt_del_key_0001', 'delete_sessions')$$), 'ok',
	'the next minute admits again');
SELECT is(pg_temp.used('lsv2_pt_del_key_0001', 'delete_sessions'), 1::bigint, 'and counts from 1');
SELECT is((SELECT live FROM lsbilling.rate_limits WHERE subject = 'lsv2_pt_…0001' AND endpoint = 'runs'), false,
	'an entry of an ended minute shows as not live');

-- settings
SET lsbilling.rate_limit_other_per_minute = 3;
SELECT is(pg_temp.hammer('lsv2_pt_other_key_03', 'other', 10), 3, 'lsbilling.rate_limit_other_per_minute sets the limit');
SET lsbilling.rate_limit_other_per_minute = 0;
SELECT is(pg_temp.hammer('lsv2_pt_other_key_03', 'other', 10), 10, '0 means no limit');
RESET lsbilling.rate_limit_other_per_minute;
SET lsbilling.rate_limits = off;
SELECT is(pg_temp.hammer('lsv2_pt_del_key_0001', 'delete_sessions', 100), 100, 'lsbilling.rate_limits = off admits everything');
SELECT is(pg_temp.used('lsv2_pt_del_key_0001', 'delete_sessions'), 1::bigint, 'and counts nothing');
RESET lsbilling.rate_limits;

-- PostgREST variant
SELECT is(pg_temp.err($$SELECT lsbilling.rate_limit_http('lsv2_pt_fresh_key_02', 'runs')$$), 'ok', 'rate_limit_http admits');
SELECT is(current_setting('response.headers'),
	'[{"X-RateLimit-Limit" : "5000"}, {"X-RateLimit-Remaining" : "4999"}, {"X-RateLimit-Reset" : "60"}]',
	'and sets the X-RateLimit-* response headers');
SET lsbilling.rate_limit_delete_sessions_per_minute = 1;
SELECT lsbilling.rate_limit_http('lsv2_pt_http_key_001', 'delete_sessions');
SELECT throws_ok($$SELECT lsbilling.rate_limit_http('lsv2_pt_http_key_001', 'delete_sessions')$$, 'PT429',
	'rate limit of 1 delete_sessions requests per minute reached', 'a refusal is SQLSTATE PT429 (PostgREST: HTTP 429)');
SELECT is(pg_temp.err($$SELECT lsbilling.rate_limit_http('lsv2_pt_http_key_001', 'delete_sessions', NULL, true)$$),
	'PGRST: {"code" : "LS429", "message" : "rate limit of 1 delete_sessions requests per minute reached", '
	'"details" : "API key lsv2_pt_…_001 has made 1 delete_sessions requests in the current minute; this one is refused and not counted.", '
	'"hint" : "The window resets in 60 seconds."} / {"status" : 429, "headers" : {"Retry-After" : "60"}}',
	'with pgrst: SQLSTATE PGRST, status 429 and Retry-After');
RESET lsbilling.rate_limit_delete_sessions_per_minute;

-- hourly events and bytes, counted by the triggers ---------------------------------
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('e7000000-0000-0000-0000-000000000001', 'ratelimited', 'developer', false);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('e7b00000-0000-0000-0000-000000000001', 'e7000000-0000-0000-0000-000000000001', 'rl');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('e7b00000-0000-0000-0000-000000000001', 'e7c00000-0000-0000-0000-000000000001', 'rl');

SET lsbilling.test_clock = '2026-03-02 10:20:00+00';
SELECT is((SELECT max_value FROM lsbilling.rate_limit_status('x', 'e7000000-0000-0000-0000-000000000001')
		   WHERE limit_name = 'events per hour'), 50000::bigint, 'developer without a payment method: 50,000 events an hour');
SELECT is((SELECT max_value FROM lsbilling.rate_limit_status('x', 'e7000000-0000-0000-0000-000000000001')
		   WHERE limit_name = 'bytes per hour'), 500 * 1024 * 1024::bigint, 'and 500 MB');
UPDATE lsbilling.organizations SET has_payment_method = true WHERE id = 'e7000000-0000-0000-0000-000000000001';
SELECT is((SELECT max_value FROM lsbilling.rate_limit_status('x', 'e7000000-0000-0000-0000-000000000001')
		   WHERE limit_name = 'events per hour'), 250000::bigint, 'a payment method added: 250,000 (the plan cache follows)');
UPDATE lsbilling.organizations SET plan = 'plus' WHERE id = 'e7000000-0000-0000-0000-000000000001';
SELECT is((SELECT max_value FROM lsbilling.rate_limit_status('x', 'e7000000-0000-0000-0000-000000000001')
		   WHERE limit_name = 'bytes per hour'), 5120 * 1024 * 1024::bigint, 'plus: 5 GB an hour');
UPDATE lsbilling.organizations SET plan = 'developer', has_payment_method = false
WHERE id = 'e7000000-0000-0000-0000-000000000001';

SET lsbilling.rate_limit_events_per_hour_developer = 10;
SELECT pg_temp.runs(1, 6);
SELECT is(pg_temp.org_used('events per hour'), 6::bigint, 'a 6-row INSERT counts 6 events');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
VALUES ('e7b00000-0000-0000-0000-000000000001', pg_temp.u(1), 'k', 1),
	   ('e7b00000-0000-0000-0000-000000000001', pg_temp.u(2), 'k', 1);
SELECT is(pg_temp.org_used('events per hour'), 8::bigint, 'each feedback is an event');
UPDATE lsbilling.runs SET end_time = start_time + interval '1 s', outputs = '{"ok": true}'
WHERE workspace_id = 'e7b00000-0000-0000-0000-000000000001' AND id IN (pg_temp.u(1), pg_temp.u(2));
SELECT is(pg_temp.org_used('events per hour'), 10::bigint, 'each run update is an event: at the limit, admitted');
SELECT is(pg_temp.err($$SELECT lsbilling.recompute_costs('e7b00000-0000-0000-0000-000000000001', '-infinity', 'infinity')$$),
	'ok', 'an update that changes nothing a client sends (recompute_costs) is not an event');
SELECT is(pg_temp.err($$SELECT pg_temp.runs(7, 1)$$),
	'LS429: hourly ingest limit of 10 events of the developer plan without a payment method reached'
	' / Organization e7000000…0001 has ingested 10 events in the current UTC hour; the request would add 1, so it is refused and nothing is written.'
	' / The limit resets at the start of the next UTC hour, in 2400 seconds.',
	'the 11th event is refused: LS429, limit, organization, count, seconds to the next hour');
SELECT alike(pg_temp.err($$INSERT INTO lsbilling.feedback (workspace_id, run_id, key) VALUES ('e7b00000-0000-0000-0000-000000000001', pg_temp.u(3), 'k')$$),
	'LS429: hourly ingest limit of 10 events%', 'feedback too');
SELECT is(pg_temp.org_used('events per hour'), 10::bigint, 'refused writes consume nothing');
SELECT is((SELECT refused FROM lsbilling.rate_limits WHERE subject = 'e7000000…0001' AND limit_name = 'events per hour'),
	2::bigint, 'the view counts the refused statements of the hour');
SELECT alike(pg_temp.err($$SELECT lsbilling.rate_limit_request('lsv2_pt_ingest_key_1', 'runs', 'e7000000-0000-0000-0000-000000000001')$$),
	'LS429: hourly ingest limit of 10 events%', 'rate_limit_request with the organization refuses a runs request once the hour is used up');
SELECT is(pg_temp.used('lsv2_pt_ingest_key_1', 'runs'), 0::bigint, 'without counting it');
SELECT is(pg_temp.err($$SELECT lsbilling.rate_limit_request('lsv2_pt_ingest_key_1', 'other', 'e7000000-0000-0000-0000-000000000001')$$),
	'ok', 'other endpoints are not ingest');

-- a new hour: one statement is refused whole
SET lsbilling.test_clock = '2026-03-02 11:00:00+00';
SELECT is(pg_temp.err($$SELECT pg_temp.runs(100, 7)$$), 'ok', 'the next hour admits again');
SELECT alike(pg_temp.err($$SELECT pg_temp.runs(200, 4)$$), 'LS429: % / Organization e7000000…0001 has ingested 7 events % would add 4, %',
	'a 4-row INSERT over the limit is refused');
SELECT is(pg_temp.run_count(), 6::bigint + 7, 'whole: none of its rows is written');
SELECT is(pg_temp.err($$SELECT pg_temp.runs(200, 3)$$), 'ok', 'a 3-row INSERT fits exactly');
SELECT is(pg_temp.org_used('events per hour'), 10::bigint, 'the events of the hour');
RESET lsbilling.rate_limit_events_per_hour_developer;

-- bytes: seed 003's example, a run created with 2 MB and updated to 3 MB counts 5 MB
SET lsbilling.test_clock = '2026-03-02 12:00:00+00';
SET lsbilling.rate_limit_bytes_per_hour_developer = '5MB';
-- a run's bytes are its client text/jsonb/array columns: inputs here, and name 'r', run_type 'chain'
CREATE TEMP TABLE sizes AS SELECT pg_column_size(to_jsonb(''::text)) AS overhead,
	pg_column_size('r'::text) + pg_column_size('chain'::text) AS names;
SELECT pg_temp.runs(300, 1, to_jsonb(repeat('x', 2 * 1024 * 1024 - (SELECT overhead + names FROM sizes))));
SELECT is(pg_temp.org_used('bytes per hour'), 2 * 1024 * 1024::bigint, 'a 2 MB run counts 2 MB');
UPDATE lsbilling.runs SET outputs = to_jsonb(repeat('y', 1024 * 1024 - (SELECT overhead FROM sizes)))
WHERE workspace_id = 'e7b00000-0000-0000-0000-000000000001' AND id = pg_temp.u(300);
SELECT is(pg_temp.org_used('bytes per hour'), 5 * 1024 * 1024::bigint,
	'updated to 3 MB: 5 MB in all, exactly the limit, admitted');
SELECT alike(pg_temp.err($$SELECT pg_temp.runs(301, 1, 'null')$$),
	'LS429: hourly ingest limit of 5242880 bytes of the developer plan without a payment method reached / % has ingested 5242880 bytes %',
	'one byte more is refused');
SELECT is(pg_temp.org_used('events per hour'), 2::bigint, 'and its event is not counted either');
RESET lsbilling.rate_limit_bytes_per_hour_developer;

-- every client update of a run is an event with its bytes, whatever column it changes
SET lsbilling.test_clock = '2026-03-02 13:00:00+00';
SET lsbilling.rate_limit_bytes_per_hour_developer = '5MB';
SELECT pg_temp.runs(500, 1);
SELECT is(pg_temp.org_used('events per hour'), 1::bigint, 'a new hour: one run created');
UPDATE lsbilling.runs SET usage_metadata = jsonb_build_object('pad', repeat('u', 2 * 1024 * 1024))
WHERE workspace_id = 'e7b00000-0000-0000-0000-000000000001' AND id = pg_temp.u(500);
SELECT is(pg_temp.org_used('events per hour'), 2::bigint, 'an update of usage_metadata only is an event');
SELECT cmp_ok(pg_temp.org_used('bytes per hour'), '>', 2 * 1024 * 1024::bigint, 'with its 2 MB');
UPDATE lsbilling.runs SET tags = ARRAY[repeat('t', 2 * 1024 * 1024)]
WHERE workspace_id = 'e7b00000-0000-0000-0000-000000000001' AND id = pg_temp.u(500);
SELECT is(pg_temp.org_used('events per hour'), 3::bigint, 'an update of tags only is an event');
SELECT cmp_ok(pg_temp.org_used('bytes per hour'), '>', 4 * 1024 * 1024::bigint, 'with its 2 MB');
SELECT alike(pg_temp.err($$UPDATE lsbilling.runs SET name = repeat('n', 2 * 1024 * 1024)
	WHERE workspace_id = 'e7b00000-0000-0000-0000-000000000001' AND id = pg_temp.u(500)$$),
	'LS429: hourly ingest limit of 5242880 bytes of the developer plan without a payment method reached%',
	'the third 2 MB update (name only) is refused over the byte limit');
SELECT is((SELECT length(name) FROM lsbilling.runs
		   WHERE workspace_id = 'e7b00000-0000-0000-0000-000000000001' AND id = pg_temp.u(500)), 1,
	'and not written');
CREATE TEMP TABLE used_before AS
SELECT pg_temp.org_used('events per hour') AS events, pg_temp.org_used('bytes per hour') AS bytes;
UPDATE lsbilling.runs SET total_cost = 1, prompt_tokens = 7, cost_error = 'x'
WHERE workspace_id = 'e7b00000-0000-0000-0000-000000000001' AND id = pg_temp.u(500);
SELECT lsbilling.recompute_costs('e7b00000-0000-0000-0000-000000000001', '-infinity', 'infinity') > 0 AS recomputed \gset
SELECT is(ARRAY[pg_temp.org_used('events per hour'), pg_temp.org_used('bytes per hour')],
	(SELECT ARRAY[events, bytes] FROM used_before),
	'updates of derived columns only and recompute_costs count nothing');
SELECT ok(:'recomputed'::boolean, 'recompute_costs re-priced the runs');
RESET lsbilling.rate_limit_bytes_per_hour_developer;

-- the trigger functions refuse any table but lsbilling's runs and feedback (as superuser; never a crash)
CREATE TEMP TABLE rl_fake (workspace_id int, inputs jsonb, outputs jsonb, extra jsonb, error text, name text);
CREATE TRIGGER rl_fake_row BEFORE INSERT ON rl_fake FOR EACH ROW EXECUTE FUNCTION lsbilling.rate_limit_row('feedback');
SELECT alike(pg_temp.err($$INSERT INTO rl_fake (workspace_id) VALUES (1)$$),
	'42809: rate_limit_row: relation "rl_fake" is not one of lsbilling''s tables%',
	'rate_limit_row on a temp table with an int workspace_id: 42809, no crash');
DROP TRIGGER rl_fake_row ON rl_fake;
CREATE TEMP TABLE runs (workspace_id uuid, inputs jsonb, outputs jsonb, extra jsonb, error text, name text);
CREATE TRIGGER rl_fake_row BEFORE INSERT ON pg_temp.runs FOR EACH ROW EXECUTE FUNCTION lsbilling.rate_limit_row('runs');
SELECT alike(pg_temp.err($$INSERT INTO pg_temp.runs (workspace_id, inputs) VALUES ('e7b00000-0000-0000-0000-000000000001', '{}')$$),
	'42809: %', 'a temp table named runs cannot spend an organization''s budget');
CREATE TABLE lsbilling.feedback_990001 (workspace_id int);
CREATE TRIGGER rl_fake_row BEFORE INSERT ON lsbilling.feedback_990001 FOR EACH ROW EXECUTE FUNCTION lsbilling.rate_limit_row('feedback');
SELECT is(pg_temp.err($$INSERT INTO lsbilling.feedback_990001 VALUES (1)$$),
	'0A000: rate_limit_row: column "workspace_id" of relation "feedback_990001" has type integer, not uuid / lsbilling''s triggers expect the columns of the tables it created.',
	'a shard-named table with the wrong column type: 0A000');
CREATE TABLE lsbilling.runs_990001 (LIKE lsbilling.runs);
CREATE TRIGGER rl_fake_row BEFORE INSERT ON lsbilling.runs_990001 FOR EACH ROW EXECUTE FUNCTION lsbilling.rate_limit_row('feedback');
SELECT alike(pg_temp.err($$INSERT INTO lsbilling.runs_990001 (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('e7b00000-0000-0000-0000-000000000001', gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'r', 'chain', now())$$),
	'42809: rate_limit_row: trigger argument "feedback" does not match relation "runs_990001"%',
	'the argument must name the table it fires on');
CREATE TRIGGER rl_fake_flush AFTER INSERT ON rl_fake FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_flush();
CREATE TRIGGER rl_fake_plans AFTER DELETE ON rl_fake FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_plans_changed();
SELECT alike(pg_temp.err($$INSERT INTO rl_fake (workspace_id) VALUES (1)$$), '42809: rate_limit_flush: %',
	'rate_limit_flush elsewhere: 42809');
SELECT alike(pg_temp.err($$DELETE FROM rl_fake$$), '42809: rate_limit_plans_changed: %',
	'rate_limit_plans_changed elsewhere: 42809');
DROP TABLE rl_fake, pg_temp.runs, lsbilling.feedback_990001, lsbilling.runs_990001;

-- as the application role --------------------------------------------------------
CREATE ROLE lsb_rl_app;
GRANT USAGE ON SCHEMA lsbilling TO lsb_rl_app;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA lsbilling TO lsb_rl_app;
-- row-level security: the application writes in the workspace its key authenticates
INSERT INTO lsbilling.users (id, email) VALUES ('f7000000-0000-0000-0000-000000000001', 'admin@rl');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role)
VALUES ('e7000000-0000-0000-0000-000000000001', 'f7000000-0000-0000-0000-000000000001', 'admin');
CREATE TEMP TABLE rl_keys AS
SELECT 1 AS n, key FROM lsbilling.create_service_key('e7000000-0000-0000-0000-000000000001', 'rl app',
	ARRAY['e7b00000-0000-0000-0000-000000000001']::uuid[], 'admin', NULL, 'f7000000-0000-0000-0000-000000000001');
GRANT SELECT ON rl_keys TO lsb_rl_app;
SET lsbilling.rate_limit_events_per_hour_developer = 3;
SET ROLE lsb_rl_app;
SELECT lsbilling.authenticate((SELECT key FROM rl_keys WHERE n = 1), 'e7b00000-0000-0000-0000-000000000001') IS NOT NULL AS authenticated \gset
SELECT alike(pg_temp.err($$SELECT lsbilling.rate_limit_reset()$$), '42501: %', 'the application role cannot reset the counters');
SELECT alike(pg_temp.err($$SELECT * FROM lsbilling.rate_limits$$), '42501: %', 'nor read other tenants'' counters');
SELECT alike(pg_temp.err($$SET lsbilling.rate_limit_events_per_hour_developer = 1000000$$), '42501: %', 'nor raise a limit');
SELECT alike(pg_temp.err($$SET lsbilling.rate_limits = off$$), '42501: %', 'nor switch the limits off');
SELECT alike(pg_temp.err($$SELECT pg_temp.runs(400, 2)$$), 'LS429: hourly ingest limit of 3 events%',
	'its writes are counted and refused over the limit');
-- the crash / forgery of issue 13: the trigger functions attached to a table of its own
SELECT alike(pg_temp.err($$CREATE TEMP TABLE f (workspace_id int)$$), 'ok', 'the application role makes a temp table');
SELECT is(pg_temp.err($$CREATE TRIGGER f_rl BEFORE INSERT ON f FOR EACH ROW EXECUTE FUNCTION lsbilling.rate_limit_row('feedback')$$),
	'42501: permission denied for function lsbilling.rate_limit_row', 'it cannot attach rate_limit_row: 42501');
SELECT is(pg_temp.err($$CREATE TRIGGER f_fl AFTER INSERT ON f FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_flush()$$),
	'42501: permission denied for function lsbilling.rate_limit_flush', 'nor rate_limit_flush');
SELECT is(pg_temp.err($$CREATE TRIGGER f_pc AFTER DELETE ON f FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.rate_limit_plans_changed()$$),
	'42501: permission denied for function lsbilling.rate_limit_plans_changed', 'nor rate_limit_plans_changed');
SELECT is(pg_temp.err($$INSERT INTO f VALUES (1)$$), 'ok', 'and its own table stays usable');
RESET ROLE;

-- the plan lookup runs as the tables' owner: the caller's search_path must not reach it
INSERT INTO lsbilling.organizations (id, name) VALUES ('e7000000-0000-0000-0000-000000000002', 'evil');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('e7b00000-0000-0000-0000-000000000002', 'e7000000-0000-0000-0000-000000000002', 'evil');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('e7b00000-0000-0000-0000-000000000002', 'e7c00000-0000-0000-0000-000000000001', 'evil');
CREATE SCHEMA lsb_rl_evil AUTHORIZATION lsb_rl_app;
SELECT 1 AS context_reset FROM lsbilling.reset_context() \gset
INSERT INTO lsbilling.organization_members (organization_id, user_id, role)
VALUES ('e7000000-0000-0000-0000-000000000002', 'f7000000-0000-0000-0000-000000000001', 'admin');
INSERT INTO rl_keys SELECT 2, key FROM lsbilling.create_service_key('e7000000-0000-0000-0000-000000000002', 'evil app',
	ARRAY['e7b00000-0000-0000-0000-000000000002']::uuid[], 'admin', NULL, 'f7000000-0000-0000-0000-000000000001');
SET ROLE lsb_rl_app;
SELECT lsbilling.authenticate((SELECT key FROM rl_keys WHERE n = 2), 'e7b00000-0000-0000-0000-000000000002') IS NOT NULL AS authenticated \gset
CREATE FUNCTION lsb_rl_evil.eq(a uuid, b uuid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF current_user <> 'lsb_rl_app' THEN
		RAISE EXCEPTION 'attacker code ran as %', current_user;
	END IF;
	RETURN a::text = b::text;
END $$;
CREATE OPERATOR lsb_rl_evil.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = lsb_rl_evil.eq);
SET search_path = lsb_rl_evil, pg_catalog, public;
SELECT is(pg_temp.err($$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES ('e7b00000-0000-0000-0000-000000000002', gen_random_uuid(), gen_random_uuid(),
	        'e7c00000-0000-0000-0000-000000000001', 'r', 'chain', '2026-03-02 10:00+00')$$), 'ok',
	'an operator planted in the application role''s search_path never runs as the owner');
RESET search_path;
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
