-- lsbilling.run_ids after the per-statement roll-up (issues 9 and 12): a
-- DELETE of runs frees their ids once per statement (every workspace of the
-- statement), moving rows between partitions keeps them, and the purge
-- deletes the ids of the runs it purges (partition drop and DELETE batches
-- alike) while the ids of kept traces stay; a retried create of a purged run
-- is refused (LS410) and leaves no claim behind.  Runs in the base half of a
-- split day claim no row at all (their day holds their id, src/run_ids.c).
BEGIN;
SELECT plan(21);

CREATE FUNCTION pg_temp.u(prefix text, n integer) RETURNS uuid
	LANGUAGE sql IMMUTABLE AS $$ SELECT (prefix || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid $$;

INSERT INTO lsbilling.organizations (id, name) VALUES (pg_temp.u('44a00000', 1), 'Ids Inc');
INSERT INTO lsbilling.workspaces (id, organization_id, name, base_retention_days)
VALUES (pg_temp.u('44b00000', 1), pg_temp.u('44a00000', 1), 'fourteen', 14),
       (pg_temp.u('44b00000', 2), pg_temp.u('44a00000', 1), 'thirty', 30);
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES (pg_temp.u('44b00000', 1), pg_temp.u('44c00000', 1), 'p14'),
       (pg_temp.u('44b00000', 2), pg_temp.u('44c00000', 2), 'p30');
SELECT lsbilling.create_run_partitions('2026-05-01', 2);

-- a trace of n runs in workspace ws: the root's id is the trace id, child i is u('44e..', trace_n * 100 + i)
CREATE FUNCTION pg_temp.trace(ws integer, t integer, t0 timestamptz, n integer) RETURNS void
	LANGUAGE sql AS $$
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
	SELECT pg_temp.u('44b00000', ws), CASE WHEN i = 0 THEN pg_temp.u('44d00000', t) ELSE pg_temp.u('44e00000', t * 100 + i) END,
	       pg_temp.u('44d00000', t), CASE WHEN i > 0 THEN pg_temp.u('44d00000', t) END, pg_temp.u('44c00000', ws),
	       'r', 'chain', t0 + i * interval '1 minute'
	FROM generate_series(0, n - 1) i $$;
CREATE FUNCTION pg_temp.ids(t integer) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM lsbilling.run_ids WHERE trace_id = pg_temp.u('44d00000', t) $$;

-- 1. DELETE frees the ids, once per statement, in every workspace of the statement
SELECT pg_temp.trace(1, 1, '2026-07-01 10:00+00', 3);
SELECT pg_temp.trace(2, 2, '2026-07-01 11:00+00', 2);
SELECT is(pg_temp.ids(1) + pg_temp.ids(2), 5::bigint, 'five runs, five claimed ids');
DELETE FROM lsbilling.runs WHERE trace_id IN (pg_temp.u('44d00000', 1), pg_temp.u('44d00000', 2));
SELECT is(pg_temp.ids(1) + pg_temp.ids(2), 0::bigint, 'one DELETE of runs in two workspaces frees all five ids');
SELECT pg_temp.trace(1, 1, '2026-07-02 10:00+00', 3);
SELECT pg_temp.trace(2, 2, '2026-07-02 11:00+00', 2);
SELECT results_eq($$SELECT count(*), min(start_time) FROM lsbilling.runs
		WHERE trace_id IN (pg_temp.u('44d00000', 1), pg_temp.u('44d00000', 2))$$,
	$$VALUES (5::bigint, '2026-07-02 10:00+00'::timestamptz)$$,
	'the same run ids created again with another start_time are stored, not ignored as retries');
SELECT is((SELECT start_time FROM lsbilling.run_ids WHERE workspace_id = pg_temp.u('44b00000', 2)
		   AND id = pg_temp.u('44d00000', 2)), '2026-07-02 11:00+00'::timestamptz,
	'run_ids holds the new start_time');
SELECT is((SELECT run_count FROM lsbilling.traces WHERE id = pg_temp.u('44d00000', 1)), 3::bigint,
	'and the trace counts the runs once');
DELETE FROM lsbilling.runs WHERE workspace_id = pg_temp.u('44b00000', 1) AND id = pg_temp.u('44e00000', 102);
SELECT results_eq($$SELECT id FROM lsbilling.run_ids WHERE trace_id = pg_temp.u('44d00000', 1) ORDER BY id$$,
	$$VALUES (pg_temp.u('44d00000', 1)), (pg_temp.u('44e00000', 101))$$,
	'deleting one run frees only its own id');
-- a retry of a kept run is still ignored
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('44b00000', 1), pg_temp.u('44e00000', 101), pg_temp.u('44d00000', 1), pg_temp.u('44d00000', 1),
	pg_temp.u('44c00000', 1), 'retry', 'chain', '2026-07-03 10:00+00');
SELECT is((SELECT count(*) FROM lsbilling.runs WHERE id = pg_temp.u('44e00000', 101)), 1::bigint,
	'a retried create of a stored run is still ignored');

-- 2. rows moved out of runs_default into a new day's base half give up their run_ids rows
SELECT pg_temp.trace(1, 3, '2026-08-01 10:00+00', 2);
SELECT is((SELECT tableoid::regclass::text FROM lsbilling.runs WHERE id = pg_temp.u('44d00000', 3)), 'lsbilling.runs_default',
	'a run of a day without partition lands in runs_default');
SELECT lsbilling.create_run_partitions('2026-08-01', 1);
SELECT results_eq($$SELECT (SELECT tableoid::regclass::text FROM lsbilling.runs WHERE id = pg_temp.u('44d00000', 3)), pg_temp.ids(3)$$,
	$$VALUES ('lsbilling.runs_p20260801_base', 0::bigint)$$,
	'moved into its new day''s base half, its runs give up their run_ids rows (the half finds their ids)');

-- 3. the purge deletes the ids of the runs it purges
-- 2026-05-01: six expired base traces (10..15) and one extended trace (16): that day's base half is emptied by TRUNCATE
SELECT pg_temp.trace(1, t, '2026-05-01 08:00+00'::timestamptz + (t - 10) * interval '1 hour', 3)
FROM generate_series(10, 16) t;
UPDATE lsbilling.traces SET tier = 'extended', upgraded_at = '2026-05-03', expires_at = start_time + interval '400 days'
WHERE workspace_id = pg_temp.u('44b00000', 1) AND id = pg_temp.u('44d00000', 16);
-- 2026-05-02: one expired trace (20) of the 14-day workspace among four kept ones (21..24) of the 30-day one: DELETE batch
SELECT pg_temp.trace(1, 20, '2026-05-02 08:00+00', 2);
SELECT pg_temp.trace(2, t, '2026-05-02 09:00+00'::timestamptz + (t - 21) * interval '1 hour', 3)
FROM generate_series(21, 24) t;
-- 2026-04-01: no partition, runs_default (DELETE batch)
SELECT pg_temp.trace(1, 30, '2026-04-01 08:00+00', 2);

CREATE TEMP TABLE gone AS
SELECT workspace_id, id, trace_id FROM lsbilling.runs
WHERE trace_id IN (SELECT pg_temp.u('44d00000', t) FROM unnest(ARRAY[10, 11, 12, 13, 14, 15, 20, 30]) t);
-- a run in the base half of a split day claims no row: its id is found in the day itself
-- (the 20 runs of 05-01 and 05-02), one elsewhere claims its id in run_ids (the 2 of runs_default)
SELECT is((SELECT count(*) FROM gone g JOIN lsbilling.run_ids r USING (workspace_id, id)), 2::bigint,
	'before the purge, of the 22 runs of the eight expiring traces only the 2 in runs_default hold a run_ids row');
SELECT is((SELECT count(*) FROM lsbilling.run_ids WHERE trace_id = pg_temp.u('44d00000', 16)), 3::bigint,
	'the extended trace''s 3 runs, moved to their kept half when it was upgraded, hold their ids');

CREATE TEMP TABLE pass AS SELECT * FROM lsbilling.purge_expired('2026-05-20 00:00+00');
SELECT results_eq($$SELECT traces_purged, runs_deleted, partitions_dropped >= 1 FROM pass$$,
	$$VALUES (8::bigint, 22::bigint, true)$$,
	'the pass purges the eight traces (22 runs), one day by partition');
SELECT is((SELECT count(*) FROM lsbilling.runs r JOIN gone g USING (workspace_id, id)), 0::bigint,
	'their runs are gone');
SELECT is((SELECT count(*) FROM lsbilling.run_ids r JOIN gone g USING (workspace_id, id)), 0::bigint,
	'run_ids holds no row of the purged runs (base half emptied, runs_default)');
SELECT is((SELECT count(*) FROM lsbilling.run_ids
		   WHERE trace_id IN (SELECT pg_temp.u('44d00000', t) FROM generate_series(16, 24) t)), 3::bigint,
	'the ids of the kept traces stay: the extended one (3); the 30-day ones (12) are in their base half and hold none');
SELECT is((SELECT count(*) FROM lsbilling.runs WHERE trace_id IN (SELECT pg_temp.u('44d00000', t) FROM generate_series(21, 24) t)),
	12::bigint, 'the 30-day traces keep their 12 runs');
-- a retried create of a stored base run is still ignored, its id found in its day
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('44b00000', 2), pg_temp.u('44e00000', 2101), pg_temp.u('44d00000', 21), pg_temp.u('44d00000', 21),
	pg_temp.u('44c00000', 2), 'retry', 'chain', '2026-05-02 18:00+00');
SELECT is((SELECT count(*) FROM lsbilling.runs WHERE id = pg_temp.u('44e00000', 2101)), 1::bigint,
	'a retry of a base run with another start_time the same day is ignored');
SELECT is((SELECT count(*) FROM lsbilling.run_ids r JOIN lsbilling.runs x USING (workspace_id, id, start_time)),
	(SELECT count(*) FROM lsbilling.run_ids),
	'every remaining claim belongs to a stored run');

-- a retried create of a purged run is refused, and leaves no claim
SELECT throws_ok($$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	VALUES (pg_temp.u('44b00000', 1), pg_temp.u('44d00000', 10), pg_temp.u('44d00000', 10), pg_temp.u('44c00000', 1),
	'retry', 'chain', '2026-05-01 02:00+00')$$,
	'LS410', NULL, 'a retried create of a purged run is refused (LS410)');
SELECT is(pg_temp.ids(10), 0::bigint, 'the refused retry claims no id');

-- 4. the application role cannot free an id: it may not delete runs nor touch run_ids
CREATE ROLE lsb_test_ids_app NOLOGIN;
SELECT lsbilling.grant_access('lsb_test_ids_app', 'ingest');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['runs', 'run_ids']) t, unnest(ARRAY['DELETE', 'TRUNCATE']) p
		   WHERE has_table_privilege('lsb_test_ids_app', 'lsbilling.' || t, p))
	+ (SELECT count(*)::int FROM unnest(ARRAY['INSERT', 'UPDATE']) p
	   WHERE has_table_privilege('lsb_test_ids_app', 'lsbilling.run_ids', p)), 0,
	'an ingest role has no DELETE/TRUNCATE on runs or run_ids and no write on run_ids');

SELECT * FROM finish();
ROLLBACK;
