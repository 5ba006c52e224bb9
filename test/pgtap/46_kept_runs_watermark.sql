-- Issue 12's purge layout and watermark (src/kept_runs.c, src/purge_watermark.c):
-- a day is split into a base half and a kept half; an extended trace's runs
-- move to the kept half (on the upgrade, and when runs arrive for it later);
-- runs.retained is lsbilling's; a base run claims no run_ids row (a retry is
-- found in its day); the purge moves a watermark instead of writing purged_at
-- per trace, drops the base half, and refuses writes to covered traces (LS410).
BEGIN;
SELECT plan(33);

CREATE FUNCTION pg_temp.u(prefix text, n integer) RETURNS uuid
	LANGUAGE sql IMMUTABLE AS $$ SELECT (prefix || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid $$;
-- where a run is: the name of its partition
CREATE FUNCTION pg_temp.part(run uuid) RETURNS text
	LANGUAGE sql AS $$ SELECT tableoid::regclass::text FROM lsbilling.runs WHERE id = run $$;

INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES (pg_temp.u('46a00000', 1), 'Kept Inc', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46a00000', 1), 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46c00000', 1), 'p');
SELECT lsbilling.create_run_partitions('2026-06-01', 3);

SELECT results_eq($$SELECT c.relname::text COLLATE "default", c.relkind::text COLLATE "default"
	FROM pg_catalog.pg_class c WHERE c.relnamespace = 'lsbilling'::regnamespace AND c.relname LIKE 'runs\_p20260601%'
	AND c.relkind IN ('p', 'r')
	ORDER BY 1$$,
	$$VALUES ('runs_p20260601', 'p'), ('runs_p20260601_base', 'r'), ('runs_p20260601_kept', 'r')$$,
	'a day is a table partitioned by retained, with a base half and a kept half');

-- trace A (3 runs, an llm run with usage) and trace B (2 runs) on 06-01
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time, extra)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 1), pg_temp.u('46d00000', 1), NULL, pg_temp.u('46c00000', 1),
	'root', 'chain', '2026-06-01 10:00+00', NULL),
       (pg_temp.u('46b00000', 1), pg_temp.u('46e00000', 1), pg_temp.u('46d00000', 1), pg_temp.u('46d00000', 1),
	pg_temp.u('46c00000', 1), 'llm', 'llm', '2026-06-01 10:00:01+00',
	'{"metadata": {"ls_provider": "openai", "ls_model_name": "gpt-4o", "usage_metadata": {"input_tokens": 1000, "output_tokens": 100}}}'),
       (pg_temp.u('46b00000', 1), pg_temp.u('46e00000', 2), pg_temp.u('46d00000', 1), pg_temp.u('46d00000', 1),
	pg_temp.u('46c00000', 1), 'tool', 'tool', '2026-06-01 10:00:02+00', NULL),
       (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 2), pg_temp.u('46d00000', 2), NULL, pg_temp.u('46c00000', 1),
	'root', 'chain', '2026-06-01 11:00+00', NULL),
       (pg_temp.u('46b00000', 1), pg_temp.u('46e00000', 3), pg_temp.u('46d00000', 2), pg_temp.u('46d00000', 2),
	pg_temp.u('46c00000', 1), 'child', 'tool', '2026-06-01 11:00:01+00', NULL);
SELECT is((SELECT count(*)::int FROM lsbilling.runs_p20260601_base), 5, 'new runs are written into the base half');
SELECT is((SELECT count(*)::int FROM lsbilling.run_ids WHERE workspace_id = pg_temp.u('46b00000', 1)), 0,
	'a run in a base half claims no run_ids row');

-- runs.retained is lsbilling's
SELECT throws_ok($$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, retained)
	VALUES (pg_temp.u('46b00000', 1), gen_random_uuid(), pg_temp.u('46d00000', 9), pg_temp.u('46c00000', 1), 'x', 'chain',
	'2026-06-01 12:00+00', true)$$,
	'428C9', NULL, 'a client may not write a run into a kept half (retained = true): 428C9');
SELECT throws_ok($$UPDATE lsbilling.runs SET retained = true WHERE id = pg_temp.u('46d00000', 2)$$,
	'428C9', NULL, 'nor move a run there by UPDATE');

-- a retried create is still ignored: the same start_time, or another start_time in reach
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46e00000', 3), pg_temp.u('46d00000', 2), pg_temp.u('46d00000', 2),
	pg_temp.u('46c00000', 1), 'child', 'tool', '2026-06-01 11:00:01+00'),
       (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 2), pg_temp.u('46d00000', 2), NULL,
	pg_temp.u('46c00000', 1), 'root', 'chain', '2026-06-02 10:59+00');
SELECT results_eq($$SELECT count(*)::int, (SELECT run_count::int FROM lsbilling.traces WHERE id = pg_temp.u('46d00000', 2))
	FROM lsbilling.runs WHERE trace_id = pg_temp.u('46d00000', 2)$$,
	$$VALUES (2, 2)$$, 'retries of base runs (same start_time; the next day) are ignored: 2 runs, counted once');

-- the upgrade moves A's runs to the kept half, as they are
CREATE TEMP TABLE before_move AS
SELECT id, start_time, total_cost, prompt_tokens, price_id FROM lsbilling.runs WHERE trace_id = pg_temp.u('46d00000', 1);
CREATE TEMP TABLE before_trace AS SELECT run_count, total_cost, total_tokens FROM lsbilling.traces WHERE id = pg_temp.u('46d00000', 1);
INSERT INTO lsbilling.feedback (workspace_id, run_id, key, score)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46e00000', 1), 'correct', 1);
SELECT is((SELECT tier FROM lsbilling.traces WHERE id = pg_temp.u('46d00000', 1)), 'extended', 'feedback upgrades trace A');
SELECT is((SELECT count(*)::int FROM lsbilling.runs_p20260601_kept WHERE trace_id = pg_temp.u('46d00000', 1)), 3,
	'the upgrade moved its 3 runs to the kept half');
SELECT is((SELECT count(*)::int FROM lsbilling.runs r JOIN before_move b USING (id, start_time)
	WHERE (r.total_cost, r.prompt_tokens, r.price_id) IS NOT DISTINCT FROM (b.total_cost, b.prompt_tokens, b.price_id)), 3,
	'moved as they are: not repriced');
SELECT results_eq($$SELECT run_count, total_cost, total_tokens FROM lsbilling.traces WHERE id = pg_temp.u('46d00000', 1)$$,
	$$SELECT * FROM before_trace$$, 'and the trace''s totals did not move');
SELECT is((SELECT count(*)::int FROM lsbilling.run_ids WHERE trace_id = pg_temp.u('46d00000', 1)), 3,
	'the kept runs'' ids are in run_ids');
SELECT is((SELECT count(*)::int FROM lsbilling.billing_events WHERE trace_id = pg_temp.u('46d00000', 1) AND metric = 'extended_upgrade'), 1,
	'one extended_upgrade event');

-- a late run of the extended trace is moved at the end of its INSERT; a retry of a kept run is ignored
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46e00000', 4), pg_temp.u('46d00000', 1), pg_temp.u('46d00000', 1),
	pg_temp.u('46c00000', 1), 'late', 'tool', '2026-06-01 23:00+00');
SELECT is(pg_temp.part(pg_temp.u('46e00000', 4)), 'lsbilling.runs_p20260601_kept', 'a late run of an extended trace lands in the kept half');
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46e00000', 2), pg_temp.u('46d00000', 1), pg_temp.u('46d00000', 1),
	pg_temp.u('46c00000', 1), 'tool', 'tool', '2026-06-01 10:00:02+00');
SELECT is((SELECT run_count::int FROM lsbilling.traces WHERE id = pg_temp.u('46d00000', 1)), 4, 'a retry of a kept run is ignored');

-- lookups by id: a base run not in run_ids; a run with a version 7 id
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('46b00000', 1), '0197c3b2-3a00-7000-8000-000000000001', pg_temp.u('46d00000', 3), NULL,
	pg_temp.u('46c00000', 1), 'v7', 'chain', '2026-06-02 09:00+00');
SELECT is(pg_temp.part('0197c3b2-3a00-7000-8000-000000000001'), 'lsbilling.runs_p20260602_base',
	'a run with a uuid7 id, in its day''s base half');
INSERT INTO lsbilling.annotation_queues (workspace_id, id, name) VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46f00000', 1), 'q');
INSERT INTO lsbilling.annotation_queue_runs (workspace_id, queue_id, run_id)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46f00000', 1), pg_temp.u('46e00000', 3));
SELECT is((SELECT trace_id FROM lsbilling.annotation_queue_runs WHERE run_id = pg_temp.u('46e00000', 3)),
	pg_temp.u('46d00000', 2), 'a queue item on a base run (no run_ids row) finds its trace');
SELECT is((SELECT count(*)::int FROM lsbilling.runs_p20260601_kept WHERE trace_id = pg_temp.u('46d00000', 2)), 2,
	'and upgrading trace B moved its runs too');
INSERT INTO lsbilling.feedback (workspace_id, run_id, key)
VALUES (pg_temp.u('46b00000', 1), '0197c3b2-3a00-7000-8000-000000000001', 'v7');
SELECT is((SELECT trace_id FROM lsbilling.feedback WHERE run_id = '0197c3b2-3a00-7000-8000-000000000001'),
	pg_temp.u('46d00000', 3), 'feedback on a uuid7 run finds its trace');

-- trace C: base, on 06-02, never upgraded; trace D: base, on 06-01
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 4), pg_temp.u('46d00000', 4), pg_temp.u('46c00000', 1),
	'root', 'chain', '2026-06-02 12:00+00'),
       (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 5), pg_temp.u('46d00000', 5), pg_temp.u('46c00000', 1),
	'root', 'chain', '2026-06-01 13:00+00');

-- the purge, 14 days on: C and D expire; A, B and the uuid7 trace are extended
CREATE TEMP TABLE pass AS SELECT * FROM lsbilling.purge_expired('2026-06-20 00:00+00');
SELECT results_eq($$SELECT traces_purged, runs_deleted, runs_moved FROM pass$$,
	$$VALUES (2::bigint, 2::bigint, 0::bigint)$$, 'the pass purges C and D (2 runs) and copies nothing');
SELECT is((SELECT purged_through FROM lsbilling.purge_watermark), '2026-06-20 00:00+00'::timestamptz,
	'it leaves the watermark at its as_of');
SELECT results_eq($$SELECT count(*) FILTER (WHERE purged_at IS NULL)::int,
	count(*) FILTER (WHERE lsbilling.trace_purged_at(t) IS NOT NULL)::int
	FROM lsbilling.traces t WHERE id IN (pg_temp.u('46d00000', 4), pg_temp.u('46d00000', 5))$$,
	$$VALUES (2, 2)$$, 'nothing is written on the purged traces: purged_at stays NULL, trace_purged_at says when');
SELECT is((SELECT count(*)::int FROM lsbilling.runs_p20260601_base) + (SELECT count(*)::int FROM lsbilling.runs_p20260602_base), 0,
	'both days'' base halves are empty (truncated)');
SELECT is((SELECT count(*)::int FROM lsbilling.runs WHERE retained), 7, 'every kept run is still there (A 4, B 2, the uuid7 trace 1)');

SELECT throws_ok($$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
	VALUES (pg_temp.u('46b00000', 1), gen_random_uuid(), pg_temp.u('46d00000', 4), pg_temp.u('46d00000', 4),
	pg_temp.u('46c00000', 1), 'late', 'tool', '2026-06-02 12:05+00')$$,
	'LS410', NULL, 'a run for a trace the watermark covers is refused (LS410)');
SELECT throws_ok($$INSERT INTO lsbilling.feedback (workspace_id, trace_id, key) VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 5), 'late')$$,
	'LS410', NULL, 'and feedback on it (LS410)');

-- a year on, the extended traces expire too
CREATE TEMP TABLE pass2 AS SELECT * FROM lsbilling.purge_expired('2027-08-01 00:00+00');
SELECT results_eq($$SELECT traces_purged, runs_deleted, feedback_deleted, queue_items_deleted FROM pass2$$,
	$$VALUES (3::bigint, 7::bigint, 2::bigint, 1::bigint)$$,
	'a year on: A, B and the uuid7 trace go with their kept runs, feedback and queue item');
SELECT is((SELECT count(*)::int FROM lsbilling.run_ids WHERE workspace_id = pg_temp.u('46b00000', 1)), 0, 'and their run ids');
SELECT is((SELECT count(*)::int FROM lsbilling.run_partitions WHERE name IN ('runs_p20260601', 'runs_p20260602')), 0,
	'both days, empty, are dropped');
SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE workspace_id = pg_temp.u('46b00000', 1)), 5,
	'every trace row stays');

-- before lsbilling.distribute(): split days become plain partitions again, their rows kept
SELECT lsbilling.create_run_partitions('2026-07-01', 1);
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 7), pg_temp.u('46d00000', 7), pg_temp.u('46c00000', 1),
	'root', 'chain', '2026-07-01 12:00+00');
UPDATE lsbilling.traces SET tier = 'extended' WHERE id = pg_temp.u('46d00000', 7);
-- and a base run of the same day, which claims no run_ids row in its base half
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 8), pg_temp.u('46d00000', 8), NULL, pg_temp.u('46c00000', 1),
	'root', 'chain', '2026-07-01 13:00+00');
SELECT throws_ok('SELECT * FROM lsbilling.distribute()', '55000',
	'lsbilling.distribute() cannot distribute runs: some of its day partitions are split into base and kept halves',
	'distribute() refuses split days (Citus distributes one level of partitioning), with merge_split_days as its hint');
SET LOCAL DateStyle = 'SQL, DMY';
SET LOCAL TimeZone = 'Asia/Kolkata';
SELECT ok(lsbilling.merge_split_days() >= 1, 'merge_split_days merges the split days');
RESET DateStyle;
RESET TimeZone;
SELECT results_eq($$SELECT (SELECT count(*)::int FROM lsbilling.run_partitions p JOIN pg_catalog.pg_class c ON c.oid = p.partition
	  WHERE c.relkind = 'p'), pg_temp.part(pg_temp.u('46d00000', 7)),
	(SELECT lo FROM lsbilling.run_partitions WHERE name = 'runs_p20260701')$$,
	$$VALUES (0, 'lsbilling.runs_p20260701', '2026-07-01 00:00+00'::timestamptz)$$,
	'none is left split; the kept run is in its day, a plain partition with the same bounds (whatever the session''s DateStyle and TimeZone)');
-- a plain day's retries are found in run_ids: the merge gives the base run its row
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type, start_time)
VALUES (pg_temp.u('46b00000', 1), pg_temp.u('46d00000', 8), pg_temp.u('46d00000', 8), NULL, pg_temp.u('46c00000', 1),
	'root', 'chain', '2026-07-01 14:00+00');
SELECT results_eq($$SELECT (SELECT count(*)::int FROM lsbilling.run_ids WHERE id = pg_temp.u('46d00000', 8)),
	(SELECT count(*)::int FROM lsbilling.runs WHERE id = pg_temp.u('46d00000', 8))$$,
	$$VALUES (1, 1)$$,
	'after the merge a base run has its run_ids row, and its retry an hour later is stored once');

SELECT * FROM finish();
ROLLBACK;
