-- Day partitions of runs are built and read independently of the session's
-- DateStyle and TimeZone: with 'SQL, DMY' and Asia/Kolkata, 0.1.0 printed a
-- bound as '... IST', read it back as Israel time and shifted it.
BEGIN;
SELECT plan(6);

SET LOCAL DateStyle = 'SQL, DMY';
SET LOCAL TimeZone = 'Asia/Kolkata';
SELECT is(lsbilling.create_run_partitions('2031-03-10', 2), 2,
	'two day partitions made in a SQL, DMY / Asia/Kolkata session');
SELECT is((SELECT lo FROM lsbilling.run_partitions WHERE name = 'runs_p20310310'),
	'2031-03-10 00:00:00+00'::timestamptz, 'its lower bound is UTC midnight, read in that session');
SELECT is((SELECT hi FROM lsbilling.run_partitions WHERE name = 'runs_p20310311'),
	'2031-03-12 00:00:00+00'::timestamptz, 'the upper bound of the next day is the following UTC midnight');

RESET DateStyle;
SET LOCAL TimeZone = 'UTC';
SELECT is((SELECT lo::text || ' / ' || hi::text FROM lsbilling.run_partitions WHERE name = 'runs_p20310310'),
	'2031-03-10 00:00:00+00 / 2031-03-11 00:00:00+00', 'the same bounds read in an ISO / UTC session');
SELECT is((SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.relname = 'runs_p20310310'),
	$$FOR VALUES FROM ('2031-03-10 00:00:00+00') TO ('2031-03-11 00:00:00+00')$$,
	'the stored partition bound is exactly the UTC day');
SELECT is((SELECT count(*)::int FROM lsbilling.run_partitions WHERE is_default), 1,
	'the default partition is still recognised');

SELECT * FROM finish();
ROLLBACK;
