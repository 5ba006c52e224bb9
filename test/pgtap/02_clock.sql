-- The one clock: lsbilling.clock_now() is the transaction's start time, or
-- lsbilling.test_clock when a superuser sets it (tests and demos only).
BEGIN;
SELECT plan(6);

SELECT is(lsbilling.clock_now(), now(), 'without a test clock, clock_now() is the transaction start time');

SET LOCAL lsbilling.test_clock = '2026-06-30 23:30:00+00';
SELECT is(lsbilling.clock_now(), '2026-06-30 23:30:00+00'::timestamptz, 'a set test clock is what clock_now() returns');
SELECT is(lsbilling.clock_now(), '2026-06-30 23:30:00+00'::timestamptz, 'the test clock stands still until it is set again');

SELECT throws_ok($$SET LOCAL lsbilling.test_clock = 'next tuesday-ish'$$, '22023', NULL,
	'a value that is not a timestamp is refused with 22023');

SET LOCAL lsbilling.test_clock = '';
SELECT is(lsbilling.clock_now(), now(), 'an empty test clock is the real clock again');

CREATE ROLE lsb_clock_tester NOLOGIN;
SET LOCAL ROLE lsb_clock_tester;
SELECT throws_ok($$SET LOCAL lsbilling.test_clock = '2020-01-01 00:00+00'$$, '42501', NULL,
	'only a superuser can set the test clock');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
