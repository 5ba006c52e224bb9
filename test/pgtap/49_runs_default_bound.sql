-- Issue 12: attaching a new day must not scan runs_default under its ACCESS
-- EXCLUSIVE lock, and clients must not fill runs_default at will
-- (src/default_bound.c).  runs_default carries runs_default_bound,
-- start_time < the end of the days made ahead: a new day is proven empty in
-- runs_default without a scan, a run dated past the days is refused (23514),
-- a run dated before them still lands in runs_default and goes with its
-- trace at the next purge.
BEGIN;
SELECT plan(24);

CREATE FUNCTION pg_temp.u(prefix text, n integer) RETURNS uuid
	LANGUAGE sql IMMUTABLE AS $$ SELECT (prefix || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid $$;
-- the start of the UTC day today + n
CREATE FUNCTION pg_temp.day(n integer) RETURNS timestamptz
	LANGUAGE sql STABLE AS $$ SELECT (((now() AT TIME ZONE 'UTC')::date + n)::timestamp) AT TIME ZONE 'UTC' $$;
-- X of runs_default_bound's start_time < X, read in UTC and ISO whatever the session's settings
CREATE FUNCTION pg_temp.bound() RETURNS timestamptz
	LANGUAGE sql STABLE SET TimeZone = 'UTC' SET DateStyle = 'ISO, MDY' AS $$
	SELECT (pg_catalog.regexp_match(pg_catalog.pg_get_constraintdef(oid), $re$'([^']+)'$re$))[1]::timestamptz
	FROM pg_catalog.pg_constraint
	WHERE conrelid = 'lsbilling.runs_default'::regclass AND conname = 'runs_default_bound' AND convalidated $$;
CREATE FUNCTION pg_temp.run(n integer, start timestamptz) RETURNS void
	LANGUAGE sql AS $$
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES (pg_temp.u('49b00000', 1), pg_temp.u('49d00000', n), pg_temp.u('49d00000', n), pg_temp.u('49c00000', 1),
		'root', 'chain', start) $$;
CREATE FUNCTION pg_temp.part(n integer) RETURNS text
	LANGUAGE sql AS $$ SELECT tableoid::regclass::text FROM lsbilling.runs WHERE id = pg_temp.u('49d00000', n) $$;

INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES (pg_temp.u('49a00000', 1), 'Default Bound Inc', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES (pg_temp.u('49b00000', 1), pg_temp.u('49a00000', 1), 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES (pg_temp.u('49b00000', 1), pg_temp.u('49c00000', 1), 'p');

-- today and the 7 days ahead, as the worker makes them (it may have made them already)
SELECT lives_ok($$SELECT lsbilling.create_run_partitions()$$, 'today and the 7 days ahead are made');
SELECT is((SELECT count(*)::int FROM lsbilling.run_partitions
	WHERE NOT is_default AND lo >= pg_temp.day(0) AND hi <= pg_temp.day(8)), 8, '... 8 days');
SELECT is(pg_temp.bound(), pg_temp.day(8), 'runs_default_bound is start_time < the end of the last day made (validated)');

-- a day made below the bound: what runs_default holds for it still moves in
SELECT pg_temp.run(1, '2026-03-10 12:00+00');
SELECT is(pg_temp.part(1), 'lsbilling.runs_default', 'a run dated on a day not made lands in runs_default');
SELECT is(lsbilling.create_run_partitions('2026-03-10', 1), 1, 'that day is made');
SELECT is(pg_temp.part(1), 'lsbilling.runs_p20260310_base', 'the run runs_default held for it moved into it');

-- dated past the days: refused, with the reason; not stored anywhere
SELECT throws_ok($$SELECT pg_temp.run(2, pg_temp.day(30))$$, '23514', NULL,
	'a run dated 30 days ahead is refused (23514), not kept in runs_default');
SELECT throws_like($$SELECT pg_temp.run(2, pg_temp.day(8))$$, '%is past the day partitions of lsbilling.runs%',
	'the first instant past the last day is refused, and the error says why');
SELECT lives_ok($$SELECT pg_temp.run(3, pg_temp.day(8) - interval '1 microsecond')$$,
	'the last instant of the last day is accepted');
SELECT is(pg_temp.part(3), format('lsbilling.runs_p%s_base', to_char(pg_temp.day(7) AT TIME ZONE 'UTC', 'YYYYMMDD')),
	'... into its day');

-- dated before the days: into runs_default, and gone with its trace at the next pass
SELECT pg_temp.run(4, pg_temp.day(-400));
SELECT is(pg_temp.part(4), 'lsbilling.runs_default', 'a run dated before the days lands in runs_default');

-- the next day: proven empty in runs_default by the bound, so neither moved from nor scanned
SELECT pg_stat_get_xact_numscans('lsbilling.runs_default'::regclass) AS scans_before \gset
SELECT is(lsbilling.create_run_partitions((now() AT TIME ZONE 'UTC')::date + 8, 1), 1, 'the next day is made');
SELECT is(pg_stat_get_xact_numscans('lsbilling.runs_default'::regclass), :'scans_before'::bigint,
	'making it did not scan runs_default (no move out of it, no ATTACH scan)');

-- the bound moves once it is a week behind the days made
SELECT is(lsbilling.create_run_partitions((now() AT TIME ZONE 'UTC')::date + 9, 10), 10, 'ten more days are made');
SELECT is(pg_temp.bound(), pg_temp.day(19), 'a bound a week behind the last day moves to its end');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_constraint
	WHERE conrelid = 'lsbilling.runs_default'::regclass AND contype = 'c'), 1,
	'one bound is left (runs_default_bound_next renamed over the old one)');

-- a run that reached runs_default before any bound existed (a new install, an upgrade, a
-- restore) and is dated past the bound to set: no bound, and no failure, until it is gone
ALTER TABLE lsbilling.runs_default DROP CONSTRAINT runs_default_bound;
SELECT pg_temp.run(5, pg_temp.day(60));
SELECT is(pg_temp.part(5), 'lsbilling.runs_default', 'without a bound, a run dated 60 days ahead lands in runs_default');
SELECT lives_ok($$SELECT lsbilling.create_run_partitions()$$,
	'making days does not fail on it (VALIDATE would)');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_constraint
	WHERE conrelid = 'lsbilling.runs_default'::regclass AND contype = 'c'), 0,
	'... and sets no bound while it is there (none half made either)');
SET LOCAL lsbilling.maintenance = on;
DELETE FROM lsbilling.runs WHERE id = pg_temp.u('49d00000', 5);
RESET lsbilling.maintenance;
SELECT lives_ok($$SELECT lsbilling.create_run_partitions()$$, 'once it is gone ...');
SELECT is(pg_temp.bound(), pg_temp.day(19), '... the bound is set');

-- the days made fall behind the clock (no pass for a week): the refusal says so
ALTER TABLE lsbilling.runs_default DROP CONSTRAINT runs_default_bound,
	ADD CONSTRAINT runs_default_bound CHECK (start_time < '2026-03-11 00:00+00');
SELECT throws_like($$SELECT pg_temp.run(6, pg_temp.day(30))$$, '%has no day partition for start_time%',
	'a bound behind the clock: the error says the days are behind, not the client''s clock');

SELECT cmp_ok((SELECT runs_deleted FROM lsbilling.purge_expired()), '>=', 1::bigint, 'a purge pass deletes runs');
SELECT is((SELECT count(*)::int FROM lsbilling.runs_default), 0,
	'the pass deleted the expired run runs_default held');

SELECT * FROM finish();
ROLLBACK;
