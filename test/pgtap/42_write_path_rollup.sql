-- Write path (issue 12): run UPDATEs and DELETEs roll up into their traces
-- once per statement, not per row (0.1.0 wrote a trace row once per deleted
-- run: quadratic on large traces), with the same totals to the last digit;
-- and a root run with a thread_id far over a btree entry's ~2.7 kB limit is
-- stored, its thread still found by an index for upgrades.
BEGIN;
SELECT plan(16);

CREATE FUNCTION pg_temp.u(prefix text, n integer) RETURNS uuid
	LANGUAGE sql IMMUTABLE AS $$ SELECT (prefix || '-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid $$;

INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES (pg_temp.u('42a00000', 1), 'Rollup Inc', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES (pg_temp.u('42b00000', 1), pg_temp.u('42a00000', 1), 'w');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES (pg_temp.u('42b00000', 1), pg_temp.u('42c00000', 1), 'p');

-- two traces, T1 with 200 runs and T2 with 3, every run with a sent cost
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, project_id, name, run_type,
	start_time, extra)
SELECT pg_temp.u('42b00000', 1), CASE WHEN i = 0 THEN t ELSE gen_random_uuid() END, t,
	CASE WHEN i = 0 THEN NULL ELSE t END, pg_temp.u('42c00000', 1), 'r', 'tool',
	'2026-05-01 10:00+00'::timestamptz + i * interval '1 second',
	jsonb_build_object('metadata', jsonb_build_object('usage_metadata',
		jsonb_build_object('input_tokens', i, 'output_tokens', 2 * i, 'total_cost', 0.000123 * (i + 1))))
FROM (VALUES (pg_temp.u('42d00000', 1), 200), (pg_temp.u('42d00000', 2), 3)) v(t, n),
	 generate_series(0, v.n - 1) i;

CREATE FUNCTION pg_temp.mismatch() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM lsbilling.traces t
	LEFT JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(prompt_tokens), 0) AS pt,
		coalesce(sum(total_tokens), 0) AS tt, coalesce(sum(total_cost), 0) AS tc,
		coalesce(sum(total_cost), 0) - coalesce(sum(prompt_cost), 0) - coalesce(sum(completion_cost), 0) AS oc
		FROM lsbilling.runs r WHERE r.workspace_id = t.workspace_id AND r.trace_id = t.id) s ON true
	WHERE t.workspace_id = pg_temp.u('42b00000', 1)
	  AND (t.run_count, t.prompt_tokens, t.total_tokens, t.total_cost, t.other_cost)
		  IS DISTINCT FROM (s.n, s.pt, s.tt, s.tc, s.oc) $$;
SELECT is(pg_temp.mismatch(), 0::bigint, 'after the inserts, each trace''s totals are the sums over its runs');

-- how many trace row versions a statement writes (this transaction's statistics)
CREATE FUNCTION pg_temp.trace_writes() RETURNS bigint LANGUAGE sql AS $$
	SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relid = 'lsbilling.traces'::regclass $$;
CREATE TEMP TABLE w (at text PRIMARY KEY, n bigint);

-- an UPDATE that re-prices 150 runs of T1 and 2 of T2
INSERT INTO w VALUES ('before update', pg_temp.trace_writes());
UPDATE lsbilling.runs SET extra = jsonb_set(extra, '{metadata,usage_metadata,total_cost}', '0.5')
WHERE workspace_id = pg_temp.u('42b00000', 1) AND start_time < '2026-05-01 10:02:30+00';
INSERT INTO w VALUES ('after update', pg_temp.trace_writes());
SELECT is((SELECT n FROM w WHERE at = 'after update') - (SELECT n FROM w WHERE at = 'before update'), 2::bigint,
	'an UPDATE of 153 runs in two traces writes each trace row once');
SELECT is(pg_temp.mismatch(), 0::bigint, 'and the totals are the sums over the runs, to the last digit');
SELECT is((SELECT total_cost FROM lsbilling.traces WHERE id = pg_temp.u('42d00000', 2)), 1.500::numeric,
	'T2 costs 3 x 0.5 after the re-pricing');

-- an UPDATE that changes no total (a PATCH of end_time) writes no trace row
INSERT INTO w VALUES ('before patch', pg_temp.trace_writes());
UPDATE lsbilling.runs SET end_time = start_time + interval '1 second'
WHERE workspace_id = pg_temp.u('42b00000', 1);
INSERT INTO w VALUES ('after patch', pg_temp.trace_writes());
SELECT is((SELECT n FROM w WHERE at = 'after patch') - (SELECT n FROM w WHERE at = 'before patch'), 0::bigint,
	'an UPDATE of end_time only writes no trace row');

-- a one-row PATCH (the SDKs' usual update) that moves no total writes no
-- trace row; one that re-prices its run moves the totals, exactly
INSERT INTO w VALUES ('before one-row patch', pg_temp.trace_writes());
UPDATE lsbilling.runs SET outputs = '{"ok": true}'
WHERE workspace_id = pg_temp.u('42b00000', 1) AND id = pg_temp.u('42d00000', 2);
INSERT INTO w VALUES ('after one-row patch', pg_temp.trace_writes());
SELECT is((SELECT n FROM w WHERE at = 'after one-row patch') - (SELECT n FROM w WHERE at = 'before one-row patch'),
	0::bigint, 'a one-row PATCH of outputs writes no trace row');
UPDATE lsbilling.runs SET extra = jsonb_set(extra, '{metadata,usage_metadata,total_cost}', '0.75')
WHERE workspace_id = pg_temp.u('42b00000', 1) AND id = pg_temp.u('42d00000', 2);
SELECT is((SELECT total_cost FROM lsbilling.traces WHERE id = pg_temp.u('42d00000', 2)), 1.750::numeric,
	'a one-row PATCH that re-prices its run moves the trace''s total (0.5 + 0.5 + 0.75)');
UPDATE lsbilling.runs SET extra = jsonb_set(extra, '{metadata,usage_metadata,total_cost}', '0.5')
WHERE workspace_id = pg_temp.u('42b00000', 1) AND id = pg_temp.u('42d00000', 2);

-- deleting 199 runs of T1 and one of T2 in one statement
INSERT INTO w VALUES ('before delete', pg_temp.trace_writes());
DELETE FROM lsbilling.runs WHERE workspace_id = pg_temp.u('42b00000', 1) AND id <> trace_id;
INSERT INTO w VALUES ('after delete', pg_temp.trace_writes());
SELECT is((SELECT n FROM w WHERE at = 'after delete') - (SELECT n FROM w WHERE at = 'before delete'), 2::bigint,
	'a DELETE of 201 runs in two traces writes each trace row once (0.1.0: once per run)');
SELECT is(pg_temp.mismatch(), 0::bigint, 'and the totals are the sums over what is left');
SELECT results_eq(
	$$SELECT run_count, total_cost FROM lsbilling.traces WHERE workspace_id = pg_temp.u('42b00000', 1) ORDER BY id$$,
	$$VALUES (1::bigint, 0.5::numeric), (1::bigint, 0.5::numeric)$$,
	'each trace keeps its root run: one run, 0.5');

-- under lsbilling.maintenance (the purge) deletes do not touch the totals
SET LOCAL lsbilling.maintenance = on;
DELETE FROM lsbilling.runs WHERE workspace_id = pg_temp.u('42b00000', 1);
RESET lsbilling.maintenance;
SELECT results_eq(
	$$SELECT run_count, total_cost FROM lsbilling.traces WHERE workspace_id = pg_temp.u('42b00000', 1) ORDER BY id$$,
	$$VALUES (1::bigint, 0.5::numeric), (1::bigint, 0.5::numeric)$$,
	'a maintenance delete keeps the trace totals');

-- a root run with an 8000-character thread_id (incompressible: hex digests)
CREATE TEMP TABLE long_thread AS
SELECT string_agg(md5(i::text), '' ORDER BY i) AS id FROM generate_series(1, 250) i;
SELECT lives_ok(
	$$INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
	  SELECT pg_temp.u('42b00000', 1), t, t, pg_temp.u('42c00000', 1), 'chat', 'chain',
		'2026-05-02 10:00+00'::timestamptz + i * interval '1 minute',
		jsonb_build_object('metadata', jsonb_build_object('thread_id', (SELECT id FROM long_thread)))
	  FROM (VALUES (pg_temp.u('42e00000', 1), 0), (pg_temp.u('42e00000', 2), 1)) v(t, i)$$,
	'root runs with an 8000-character thread_id are stored');
SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE workspace_id = pg_temp.u('42b00000', 1)
		   AND thread_id = (SELECT id FROM long_thread)), 2, 'both traces are in that thread');
INSERT INTO lsbilling.feedback (workspace_id, trace_id, key, score)
VALUES (pg_temp.u('42b00000', 1), pg_temp.u('42e00000', 1), 'thumbs', 1);
SELECT is((SELECT count(*)::int FROM lsbilling.traces WHERE workspace_id = pg_temp.u('42b00000', 1)
		   AND thread_id = (SELECT id FROM long_thread) AND tier = 'extended'), 2,
	'feedback on one upgrades every trace of the long thread');
SELECT is((SELECT count(*)::int FROM pg_indexes WHERE schemaname = 'lsbilling' AND tablename = 'traces'
		   AND indexdef LIKE '%USING hash (thread_id)%'), 1, 'the thread lookup has an index (hash on thread_id)');
CREATE FUNCTION pg_temp.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END $$;
SET LOCAL enable_seqscan = off;
SELECT ok(EXISTS (SELECT 1 FROM pg_temp.plan(format(
		'SELECT 1 FROM lsbilling.traces WHERE workspace_id = %L AND thread_id = %L',
		pg_temp.u('42b00000', 1), (SELECT id FROM long_thread))) l
	WHERE l LIKE '%traces_thread_hash_idx%'), 'and a thread lookup is planned through it');

SELECT * FROM finish();
ROLLBACK;
