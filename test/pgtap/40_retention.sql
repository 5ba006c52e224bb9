-- Retention: purge_expired deletes the runs, feedback, queue items and rule
-- matches of expired traces and keeps the trace rows with their totals;
-- extended traces sharing a day with expired base traces survive it;
-- examples stay; a day goes by partition drop when most of it is expired and
-- by DELETE otherwise; partitions are made ahead, also over runs_default rows.
BEGIN;
SELECT plan(41);

CREATE FUNCTION pg_temp.u(prefix text, n integer) RETURNS uuid
	LANGUAGE sql IMMUTABLE AS $$ SELECT (prefix || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid $$;

INSERT INTO lsbilling.organizations (id, name) VALUES (pg_temp.u('4a000000', 1), 'Retention Inc');
INSERT INTO lsbilling.workspaces (id, organization_id, name, base_retention_days)
VALUES (pg_temp.u('4b000000', 1), pg_temp.u('4a000000', 1), 'fourteen', 14),
       (pg_temp.u('4b000000', 2), pg_temp.u('4a000000', 1), 'thirty', 30);
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES (pg_temp.u('4b000000', 1), pg_temp.u('4c000000', 1), 'p14'),
       (pg_temp.u('4b000000', 2), pg_temp.u('4c000000', 2), 'p30');

-- partitions for 2026-03-01 .. 2026-03-05 (UTC days)
SELECT is(lsbilling.create_run_partitions('2026-03-01', 5), 5, 'create_run_partitions makes the 5 missing day partitions');
SELECT is(lsbilling.create_run_partitions('2026-03-01', 5), 0, 'and none when they exist');
SELECT results_eq(
	$$SELECT name, lo, hi FROM lsbilling.run_partitions WHERE lo >= '2026-03-01' AND lo < '2026-03-06' ORDER BY lo$$,
	$$VALUES ('runs_p20260301', '2026-03-01 00:00+00'::timestamptz, '2026-03-02 00:00+00'::timestamptz),
	         ('runs_p20260302', '2026-03-02 00:00+00', '2026-03-03 00:00+00'),
	         ('runs_p20260303', '2026-03-03 00:00+00', '2026-03-04 00:00+00'),
	         ('runs_p20260304', '2026-03-04 00:00+00', '2026-03-05 00:00+00'),
	         ('runs_p20260305', '2026-03-05 00:00+00', '2026-03-06 00:00+00')$$,
	'one partition per UTC day, named runs_pYYYYMMDD');

-- a trace of n runs (root + children), all on one workspace/project, from t0 a minute apart
CREATE FUNCTION pg_temp.trace(ws integer, trace uuid, t0 timestamptz, n integer) RETURNS void
	LANGUAGE sql AS $$
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, inputs, outputs)
	SELECT pg_temp.u('4b000000', ws), CASE WHEN i = 0 THEN trace ELSE gen_random_uuid() END, trace,
	       CASE WHEN i = 0 THEN NULL ELSE trace END, pg_temp.u('4c000000', ws),
	       CASE WHEN i = 0 THEN 'Agent' ELSE 'step' END, CASE WHEN i = 0 THEN 'chain' ELSE 'llm' END,
	       t0 + i * interval '1 minute', '{"question": "secret"}', '{"answer": "secret"}'
	FROM generate_series(0, n - 1) i $$;

-- 2026-03-01: six base traces of 3 runs (B1..B6), one trace that will be extended (E1, 4 runs),
-- and S, a base trace across midnight (a run on 03-01, a run on 03-02)
SELECT pg_temp.trace(1, pg_temp.u('4d000000', i), '2026-03-01 10:00+00'::timestamptz + i * interval '1 hour', 3)
FROM generate_series(1, 6) i;
SELECT pg_temp.trace(1, pg_temp.u('4e000000', 1), '2026-03-01 09:00+00', 4);
SELECT pg_temp.trace(1, pg_temp.u('4f000000', 1), '2026-03-01 23:59+00', 2);
-- 2026-03-02: six traces of a 30-day workspace (W1..W6) and one base trace of the 14-day one (B7)
SELECT pg_temp.trace(2, pg_temp.u('4d100000', i), '2026-03-02 10:00+00'::timestamptz + i * interval '1 hour', 3)
FROM generate_series(1, 6) i;
SELECT pg_temp.trace(1, pg_temp.u('4d000000', 7), '2026-03-02 08:00+00', 1);
-- 2026-02-01: no partition for that day, so runs_default holds D's runs
SELECT pg_temp.trace(1, pg_temp.u('4d200000', 1), '2026-02-01 08:00+00', 2);

-- E1 upgraded: extended, 400 days from its start; then feedback, a queue item, a rule match on it
UPDATE lsbilling.traces SET tier = 'extended', upgraded_at = '2026-03-03', expires_at = start_time + interval '400 days'
WHERE workspace_id = pg_temp.u('4b000000', 1) AND id = pg_temp.u('4e000000', 1);
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
VALUES (pg_temp.u('4b000000', 1), pg_temp.u('4e000000', 1), 'correct', 1);
INSERT INTO lsbilling.annotation_queues (workspace_id, id, name) VALUES (pg_temp.u('4b000000', 1), pg_temp.u('4a100000', 1), 'review');
INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id)
VALUES (pg_temp.u('4b000000', 1), pg_temp.u('4a100000', 1), pg_temp.u('4e000000', 1));
INSERT INTO lsbilling.automation_rules (workspace_id, id, name) VALUES (pg_temp.u('4b000000', 1), pg_temp.u('4a200000', 1), 'all');
INSERT INTO lsbilling.rule_matches (workspace_id, rule_id, run_id)
VALUES (pg_temp.u('4b000000', 1), pg_temp.u('4a200000', 1), pg_temp.u('4e000000', 1));
-- an example copied from B1's root run
INSERT INTO lsbilling.datasets (workspace_id, id, name) VALUES (pg_temp.u('4b000000', 1), pg_temp.u('4a300000', 1), 'golden');
INSERT INTO lsbilling.examples (workspace_id, dataset_id, inputs, outputs, source_run_id)
SELECT workspace_id, pg_temp.u('4a300000', 1), inputs, outputs, id FROM lsbilling.runs
WHERE workspace_id = pg_temp.u('4b000000', 1) AND id = pg_temp.u('4d000000', 1);

SELECT results_eq(
	$$SELECT tableoid::regclass::text, count(*)::int FROM lsbilling.runs
	  WHERE workspace_id IN (pg_temp.u('4b000000', 1), pg_temp.u('4b000000', 2)) GROUP BY 1 ORDER BY 1$$,
	$$VALUES ('lsbilling.runs_default', 2), ('lsbilling.runs_p20260301_base', 19), ('lsbilling.runs_p20260301_kept', 4),
	          ('lsbilling.runs_p20260302_base', 20)$$,
	'runs land in their day''s partition (the extended trace E1''s in its kept half), or in runs_default when their day has none');

CREATE TEMP TABLE before_totals AS
SELECT workspace_id, id, run_count, total_tokens, total_cost FROM lsbilling.traces
WHERE workspace_id IN (pg_temp.u('4b000000', 1), pg_temp.u('4b000000', 2));
CREATE TEMP TABLE before_oids AS SELECT name, partition::oid AS oid FROM lsbilling.run_partitions;

-- Pass 1, as of 2026-03-20: base traces of 03-01, 03-02 and 02-01 have expired (14 days), the
-- 30-day workspace's have not, nor has E1.
CREATE TEMP TABLE pass1 AS SELECT * FROM lsbilling.purge_expired('2026-03-20 00:00+00');
SELECT results_eq(
	$$SELECT traces_purged, runs_deleted, feedback_deleted, queue_items_deleted, rule_matches_deleted, runs_moved FROM pass1$$,
	$$VALUES (9::bigint, 23::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint)$$,
	'pass 1 purges B1..B7, S and D (23 runs) and copies nothing: E1''s 4 runs are in the kept half');
SELECT is((SELECT partitions_dropped FROM pass1), 4, 'pass 1 drops 03-01''s base half and the empty old days 03-03..03-05');

SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE workspace_id = pg_temp.u('4b000000', 1)
           AND (id = pg_temp.u('4f000000', 1) OR id = pg_temp.u('4d200000', 1)
                OR id IN (SELECT pg_temp.u('4d000000', i) FROM generate_series(1, 7) i))
           AND lsbilling.trace_purged_at(traces) IS NOT NULL), 9, 'the expired base traces are purged (trace_purged_at: the pass''s watermark covers them)');
SELECT is((SELECT count(*)::int FROM lsbilling.runs WHERE workspace_id = pg_temp.u('4b000000', 1)
           AND trace_id <> pg_temp.u('4e000000', 1)), 0, 'all their runs are gone, wherever they were');
SELECT is((SELECT count(*)::int FROM lsbilling.traces t JOIN before_totals b USING (workspace_id, id)
           WHERE (t.run_count, t.total_tokens, t.total_cost) IS DISTINCT FROM (b.run_count, b.total_tokens, b.total_cost)),
	0, 'every trace row keeps its totals (run count, tokens, cost)');
SELECT is((SELECT run_count FROM lsbilling.traces WHERE id = pg_temp.u('4d000000', 1)), 3::bigint,
	'a purged trace still counts its 3 runs');

-- E1 shares 03-01 with the expired traces: untouched
SELECT is((SELECT count(*)::int FROM lsbilling.runs WHERE trace_id = pg_temp.u('4e000000', 1)), 4,
	'the extended trace on the same day keeps all its runs');
SELECT is((SELECT count(*)::int FROM lsbilling.runs WHERE trace_id = pg_temp.u('4e000000', 1)
           AND inputs = '{"question": "secret"}' AND outputs = '{"answer": "secret"}'), 4,
	'with their inputs and outputs');
SELECT ok((SELECT lsbilling.trace_purged_at(t) IS NULL FROM lsbilling.traces t WHERE id = pg_temp.u('4e000000', 1)),
	'the extended trace is not marked purged');
SELECT is((SELECT count(*)::int FROM lsbilling.feedback WHERE trace_id = pg_temp.u('4e000000', 1))
        + (SELECT count(*)::int FROM lsbilling.annotation_queue_runs WHERE trace_id = pg_temp.u('4e000000', 1))
        + (SELECT count(*)::int FROM lsbilling.rule_matches WHERE trace_id = pg_temp.u('4e000000', 1)),
	3, 'its feedback, queue item and rule match stay');
SELECT is((SELECT count(*)::int FROM lsbilling.runs WHERE trace_id = pg_temp.u('4e000000', 1)
           AND tableoid = 'lsbilling.runs_p20260301_kept'::regclass), 4, 'its runs are in the day''s kept half');
SELECT ok((SELECT n_tup_del = 0 FROM pg_catalog.pg_stat_xact_user_tables WHERE relid = 'lsbilling.runs_p20260301_base'::regclass)
          AND NOT EXISTS (SELECT 1 FROM lsbilling.runs_p20260301_base),
	'03-01''s base half went whole (TRUNCATE), not row by row: it is empty and saw no DELETE');
SELECT is((SELECT count(*)::int FROM lsbilling.runs_p20260301), 4, 'holding only the kept runs');
SELECT is((SELECT count(*)::int FROM lsbilling.run_partitions WHERE name IN ('runs_p20260303', 'runs_p20260304', 'runs_p20260305')),
	0, 'empty day partitions older than the shortest retention are dropped');

-- 03-02 is mostly the 30-day workspace: B7 went by DELETE, the partition stayed
SELECT is((SELECT partition::oid FROM lsbilling.run_partitions WHERE name = 'runs_p20260302'),
	(SELECT oid FROM before_oids WHERE name = 'runs_p20260302'),
	'03-02, mostly kept, is not dropped (B7 went by DELETE)');
SELECT is((SELECT count(*)::int FROM lsbilling.runs_p20260302), 18, 'it holds the 30-day workspace''s 18 runs');
SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE workspace_id = pg_temp.u('4b000000', 2) AND lsbilling.trace_purged_at(traces) IS NULL), 6,
	'traces of the 30-day workspace are not purged at 14 days');
SELECT ok((SELECT count(*) = 0 FROM lsbilling.runs_default WHERE workspace_id = pg_temp.u('4b000000', 1)),
	'D''s runs in runs_default went by DELETE');
SELECT ok(EXISTS (SELECT 1 FROM lsbilling.run_partitions WHERE is_default), 'runs_default stays');

SELECT is((SELECT count(*)::int FROM lsbilling.examples WHERE dataset_id = pg_temp.u('4a300000', 1)
           AND inputs = '{"question": "secret"}'), 1, 'the example copied from a purged run stays');

-- partitions ahead
SELECT is((SELECT count(DISTINCT d)::int FROM generate_series((now() AT TIME ZONE 'UTC')::date,
              (now() AT TIME ZONE 'UTC')::date + 7, interval '1 day') d
           JOIN lsbilling.run_partitions p ON p.lo <= d::timestamp AT TIME ZONE 'UTC'
                AND p.hi >= (d + interval '1 day')::timestamp AT TIME ZONE 'UTC'), 8,
	'after a pass, today and the next 7 days have their partitions');

SELECT results_eq(
	$$SELECT source, status, traces_purged, runs_deleted, runs_moved FROM lsbilling.purge_history
	  WHERE as_of = '2026-03-20 00:00+00'$$,
	$$VALUES ('function'::text, 'done'::text, 9::bigint, 23::bigint, 0::bigint)$$,
	'the pass is in purge_history');

-- Pass 2, a year later: E1 (400 days) and the 30-day traces have expired too
CREATE TEMP TABLE pass2 AS SELECT * FROM lsbilling.purge_expired('2027-04-20 00:00+00');
SELECT results_eq(
	$$SELECT traces_purged, runs_deleted, feedback_deleted, queue_items_deleted, rule_matches_deleted, runs_moved FROM pass2$$,
	$$VALUES (7::bigint, 22::bigint, 1::bigint, 1::bigint, 1::bigint, 0::bigint)$$,
	'pass 2 purges E1 and W1..W6 with E1''s feedback, queue item and rule match');
SELECT is((SELECT count(*)::int FROM lsbilling.run_partitions WHERE name IN ('runs_p20260301', 'runs_p20260302')),
	0, 'both days, now fully expired, are dropped');
SELECT is((SELECT count(*)::int FROM lsbilling.runs WHERE workspace_id IN (pg_temp.u('4b000000', 1), pg_temp.u('4b000000', 2))),
	0, 'no run of these workspaces is left');
SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE workspace_id IN (pg_temp.u('4b000000', 1), pg_temp.u('4b000000', 2))),
	16, 'every trace row stays');
SELECT is((SELECT count(*)::int FROM lsbilling.traces t JOIN before_totals b USING (workspace_id, id)
           WHERE (t.run_count, t.total_tokens, t.total_cost) IS DISTINCT FROM (b.run_count, b.total_tokens, b.total_cost)),
	0, 'with its totals');
SELECT is((SELECT count(*)::int FROM lsbilling.feedback WHERE workspace_id = pg_temp.u('4b000000', 1))
        + (SELECT count(*)::int FROM lsbilling.annotation_queue_runs WHERE workspace_id = pg_temp.u('4b000000', 1))
        + (SELECT count(*)::int FROM lsbilling.rule_matches WHERE workspace_id = pg_temp.u('4b000000', 1)),
	0, 'feedback, queue items and rule matches of expired traces are gone');
SELECT is((SELECT count(*)::int FROM lsbilling.examples WHERE dataset_id = pg_temp.u('4a300000', 1)), 1,
	'examples never expire');
SELECT is((SELECT count(*)::int FROM lsbilling.annotation_queues WHERE workspace_id = pg_temp.u('4b000000', 1))
        + (SELECT count(*)::int FROM lsbilling.automation_rules WHERE workspace_id = pg_temp.u('4b000000', 1)),
	2, 'the queue and the rule themselves stay');

-- Pass 3: nothing left to do
SELECT results_eq($$SELECT traces_purged, runs_deleted FROM lsbilling.purge_expired('2027-04-20 00:00+00')$$,
	$$VALUES (0::bigint, 0::bigint)$$, 'a second pass at the same time finds nothing');

-- A run for a day without a partition goes to runs_default; making that day's
-- partition later moves it in (ATTACH would otherwise fail on the default's rows).
SELECT pg_temp.trace(1, pg_temp.u('4d300000', 1), '2026-01-15 12:00+00', 2);
SELECT is((SELECT count(*)::int FROM lsbilling.runs_default WHERE trace_id = pg_temp.u('4d300000', 1)), 2,
	'a run whose day has no partition lands in runs_default');
SELECT is(lsbilling.create_run_partitions('2026-01-15', 1), 1, 'its day''s partition can still be made');
SELECT is((SELECT count(*)::int FROM lsbilling.runs_p20260115 WHERE trace_id = pg_temp.u('4d300000', 1)), 2,
	'the rows moved from runs_default into it');
SELECT is((SELECT run_count FROM lsbilling.traces WHERE id = pg_temp.u('4d300000', 1)), 2::bigint,
	'moving rows does not change the trace''s totals');

SELECT throws_ok($$SELECT lsbilling.create_run_partitions('2026-01-01', -1)$$, '22023', NULL,
	'a negative number of days is refused');
SELECT ok(NOT has_function_privilege('public', 'lsbilling.purge_expired(timestamptz)', 'EXECUTE'),
	'purge_expired is not executable by PUBLIC');

SELECT * FROM finish();
ROLLBACK;
