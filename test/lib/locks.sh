# Lock choreography for the shell concurrency tests (test/tap/*.sh): source
# it after setting PSQL (a psql command line), DB and WORK (a directory).
# shellcheck shell=bash

# hold_until_waiting SQL N: runs SQL in an open transaction until N sessions
# wait on locks (or 20 s), then commits; prints how many waited and on what
# (count:locktypes).  Run it in the background after removing
# $WORK/locked, then wait_for_holder before starting the sessions that are
# to queue.
hold_until_waiting() {
	$PSQL -d $DB -At <<-SQL 2>&1 | tail -1
	BEGIN;
	$1;
	\! touch $WORK/locked
	DO \$\$
	BEGIN
		FOR i IN 1..400 LOOP
			EXIT WHEN (SELECT count(*) FROM pg_locks WHERE NOT granted) >= $2;
			PERFORM pg_sleep(0.05);
		END LOOP;
	END
	\$\$;
	SELECT count(*) || ':' || coalesce(string_agg(DISTINCT locktype, ','), '') FROM pg_locks WHERE NOT granted;
	COMMIT;
	SQL
}

# wait_for_holder: until the holder (or another session) has touched $WORK/locked, 10 s at most
wait_for_holder() {
	for _ in $(seq 1 200); do [ -e "$WORK/locked" ] && return 0; sleep 0.05; done
	echo "# the lock holder did not start"
}
