-- The purge's new state (issue 12): a day partition whose expired traces are
-- marked purged carries a comment until its swap drops it.  The worker marks
-- in one transaction and swaps in the next; a pass cut short in between (a
-- SIGKILL) leaves the mark, and the next pass swaps the partition first,
-- keeping the runs of every trace not purged: one upgraded after the marking
-- (an upgrade racing the purge of its day) keeps all its runs.  Since the
-- purge watermark only a day made before 0.2.0 (a plain partition, made here
-- by merge_split_days) can carry such a mark: split days are not swapped.
BEGIN;
SELECT plan(10);

CREATE FUNCTION pg_temp.u(prefix text, n integer) RETURNS uuid
	LANGUAGE sql IMMUTABLE AS $$ SELECT (prefix || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid $$;

INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES (pg_temp.u('43a00000', 1), 'Marked Inc', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES (pg_temp.u('43b00000', 1), pg_temp.u('43a00000', 1), 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES (pg_temp.u('43b00000', 1), pg_temp.u('43c00000', 1), 'p');
SELECT lsbilling.create_run_partitions('2026-04-01', 1);
SELECT lsbilling.merge_split_days();

-- ten base traces of two runs on 2026-04-01
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
SELECT pg_temp.u('43b00000', 1), CASE WHEN r = 0 THEN t ELSE gen_random_uuid() END, t,
	CASE WHEN r > 0 THEN t END, pg_temp.u('43c00000', 1), 'r', 'chain',
	'2026-04-01 08:00+00'::timestamptz + i * interval '1 hour' + r * interval '1 minute'
FROM generate_series(1, 10) i, pg_temp.u('43d00000', i) t, generate_series(0, 1) r;

-- What a worker killed between its two transactions leaves: the expired
-- traces marked purged and the partition marked, not swapped yet.
UPDATE lsbilling.traces SET purged_at = '2026-04-20 00:00+00'
WHERE workspace_id = pg_temp.u('43b00000', 1) AND id IN (SELECT pg_temp.u('43d00000', i) FROM generate_series(1, 9) i);
DO $$
BEGIN
	EXECUTE format('COMMENT ON TABLE lsbilling.runs_p20260401 IS %L',
		'lsbilling purge: drop pending '
		|| ((extract(epoch FROM '2026-04-01 00:00+00'::timestamptz) - 946684800) * 1000000)::bigint || ' '
		|| ((extract(epoch FROM '2026-04-02 00:00+00'::timestamptz) - 946684800) * 1000000)::bigint);
END
$$;
-- meanwhile feedback upgraded the tenth trace (not marked: the upgrade came first)
INSERT INTO lsbilling.feedback (workspace_id, trace_id, key, score)
VALUES (pg_temp.u('43b00000', 1), pg_temp.u('43d00000', 10), 'good', 1);
SELECT is((SELECT tier FROM lsbilling.traces WHERE id = pg_temp.u('43d00000', 10)), 'extended',
	'the tenth trace is upgraded after the others were marked');
-- and a late run arrived for it on the marked day
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('43b00000', 1), gen_random_uuid(), pg_temp.u('43d00000', 10), pg_temp.u('43d00000', 10),
	pg_temp.u('43c00000', 1), 'late', 'tool', '2026-04-01 23:00+00');

CREATE TEMP TABLE old_oid AS SELECT 'lsbilling.runs_p20260401'::regclass::oid AS oid;
SELECT is((SELECT count(*)::int FROM lsbilling.runs_p20260401), 21, 'the marked partition still holds every run');

-- The next pass (here purge_expired; the worker swaps marked partitions first)
CREATE TEMP TABLE pass AS SELECT * FROM lsbilling.purge_expired('2026-04-20 00:00+00');
SELECT is((SELECT runs_moved FROM pass), 3::bigint, 'the next pass swaps the marked partition, moving 3 runs');
SELECT isnt((SELECT 'lsbilling.runs_p20260401'::regclass::oid), (SELECT oid FROM old_oid),
	'the day''s partition is a new table');
SELECT is((SELECT count(*)::int FROM lsbilling.runs WHERE workspace_id = pg_temp.u('43b00000', 1)
		   AND trace_id IN (SELECT pg_temp.u('43d00000', i) FROM generate_series(1, 9) i)), 0,
	'the runs of the nine purged traces are gone');
SELECT is((SELECT count(*)::int FROM lsbilling.runs WHERE trace_id = pg_temp.u('43d00000', 10)), 3,
	'the upgraded trace keeps its two runs and the late one');
SELECT is((SELECT count(*)::int FROM lsbilling.feedback WHERE trace_id = pg_temp.u('43d00000', 10)), 1,
	'and its feedback');
SELECT ok((SELECT purged_at IS NULL FROM lsbilling.traces WHERE id = pg_temp.u('43d00000', 10)),
	'it is not purged');
SELECT is(obj_description('lsbilling.runs_p20260401'::regclass, 'pg_class'), NULL,
	'the new partition carries no mark');
SELECT throws_ok(
	$$INSERT INTO lsbilling.feedback (workspace_id, trace_id, key) VALUES (pg_temp.u('43b00000', 1), pg_temp.u('43d00000', 1), 'late')$$,
	'LS410', NULL, 'feedback on a purged trace is refused (LS410)');

SELECT * FROM finish();
ROLLBACK;
