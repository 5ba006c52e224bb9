-- Rate limits (0.2.0): what `make demo` shows after the report.  Counters are
-- in shared memory; the clock is fixed with lsbilling.test_clock.
\pset footer off
SET lsbilling.test_clock = '2026-11-20 14:05:42+00';

\echo '== Rate limits: an API key deleting projects (DELETE sessions: 30 a minute)'
SELECT count(lsbilling.rate_limit_check('lsv2_pt_7f3a9c0d2e5b4a1f8c6d0beef', 'delete_sessions')) AS admitted
FROM generate_series(1, 30);
\echo 'The 31st request of the minute:'
DO $$
DECLARE msg text; det text; hnt text;
BEGIN
	PERFORM lsbilling.rate_limit_request('lsv2_pt_7f3a9c0d2e5b4a1f8c6d0beef', 'delete_sessions');
EXCEPTION WHEN SQLSTATE 'LS429' THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RAISE NOTICE E'LS429: %\n  detail: %\n  hint: %', msg, det, hnt;
END
$$;

\echo '== What an HTTP layer puts in X-RateLimit-* / Retry-After (rate_limit_status, with the organization''s hour)'
SELECT * FROM lsbilling.rate_limit_status('lsv2_pt_7f3a9c0d2e5b4a1f8c6d0beef', '0a000000-0000-0000-0000-000000000001');

\echo '== The live counters (lsbilling.rate_limits)'
SELECT subject, limit_name, endpoint, used, max_value, refused, window_end
FROM lsbilling.rate_limits WHERE live ORDER BY subject, limit_name;
