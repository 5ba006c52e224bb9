#!/usr/bin/env bash
# Rate limits under real concurrency: 16 sessions released at once by an
# advisory lock.
#  - 16 x 10,000 requests of one API key to one endpoint class (limit
#    100,000 a minute, so that the sessions overlap): exactly 100,000
#    admitted, 60,000 refused, the shared counter says so
#  - 16 sessions x 10 INSERTs of 5 runs of one organization (limit 100 events
#    an hour): exactly 20 statements admitted, whole; 100 runs written; 100 counted
#  - COPY: 100 rows count 100 events; a COPY over the limit writes none
# Needs PGHOST/PGPORT/PGUSER/PGBIN from test/run_tests.sh.
set -u
DB=lsb_rl_conc
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
WORK=$(mktemp -d "${LSB_TMP:-/tmp}/ratelimit.XXXXXX")
. "$(dirname "$0")/../lib/tap.sh"
q() { $PSQL -d $DB -At -c "$1"; }
CLOCK='2026-05-04T09:30:10+00'

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" || exit 1
q "CREATE EXTENSION lsbilling" >/dev/null 2>&1 || { echo "Bail out! cannot create lsbilling"; exit 1; }
q "SELECT lsbilling.rate_limit_reset()" >/dev/null
q "
INSERT INTO lsbilling.organizations (id, name) VALUES ('e7100000-0000-0000-0000-000000000001', 'conc');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('e7200000-0000-0000-0000-000000000001', 'e7100000-0000-0000-0000-000000000001', 'conc');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('e7200000-0000-0000-0000-000000000001', 'e7300000-0000-0000-0000-000000000001', 'conc');
" >/dev/null || { echo "Bail out! fixtures failed"; exit 1; }

# Holds advisory lock 7013 until $1 sessions wait for it, then lets them all go.
release_when_waiting() {
	$PSQL -d $DB -At <<-SQL >/dev/null
	SELECT pg_advisory_lock(7013);
	\! touch $WORK/locked
	DO \$\$
	BEGIN
		FOR i IN 1..600 LOOP
			EXIT WHEN (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted) >= $1;
			PERFORM pg_sleep(0.05);
		END LOOP;
	END
	\$\$;
	SELECT pg_advisory_unlock(7013);
	SQL
}
start_holder() {
	rm -f "$WORK/locked"
	release_when_waiting 16 &
	holder=$!
	for _ in $(seq 1 100); do [ -e "$WORK/locked" ] && break; sleep 0.05; done
}

echo "1..10"

# 1. one key, 16 sessions
start_holder
for i in $(seq 1 16); do
	PGOPTIONS="-c lsbilling.test_clock=$CLOCK -c lsbilling.rate_limit_other_per_minute=100000" \
		$PSQL -d $DB -At > "$WORK/req.$i" 2>&1 <<-'SQL' &
	SELECT pg_advisory_lock_shared(7013);
	SELECT pg_advisory_unlock_shared(7013);
	DO $$
	DECLARE admitted int := 0;
	BEGIN
		FOR i IN 1..10000 LOOP
			BEGIN
				PERFORM lsbilling.rate_limit_request('lsv2_sk_concurrency_key_0001', 'other');
				admitted := admitted + 1;
			EXCEPTION WHEN SQLSTATE 'LS429' THEN
				NULL;
			END;
		END LOOP;
		RAISE NOTICE 'admitted %', admitted;
	END
	$$;
	SQL
done
wait
total=0
for i in $(seq 1 16); do
	a=$(grep -o 'admitted [0-9]*' "$WORK/req.$i" | awk '{print $2}')
	total=$((total + ${a:-0}))
done
echo "# admitted per session: $(for i in $(seq 1 16); do grep -o 'admitted [0-9]*' "$WORK/req.$i" | awk '{printf "%s ", $2}'; done)"
check "16 sessions x 10,000 requests of one key: exactly the limit (100,000) admitted" "$total" 100000
check "the shared counter says 100,000 used and 60,000 refused" \
	"$(PGOPTIONS="-c lsbilling.test_clock=$CLOCK" q "SELECT used || '/' || refused FROM lsbilling.rate_limits WHERE subject = 'lsv2_sk_…0001'")" "100000/60000"
check "no session failed otherwise" "$(cat "$WORK"/req.* | grep -cE 'ERROR|FATAL')" 0

# 2. one organization's hourly events, 16 writers of 5-run statements
start_holder
for i in $(seq 1 16); do
	PGOPTIONS="-c lsbilling.test_clock=$CLOCK -c lsbilling.rate_limit_events_per_hour_developer=100" \
		$PSQL -d $DB -At -v s="$i" > "$WORK/ins.$i" 2>&1 <<-'SQL' &
	SELECT pg_advisory_lock_shared(7013);
	SELECT pg_advisory_unlock_shared(7013);
	DO $$
	DECLARE admitted int := 0;
	BEGIN
		FOR k IN 1..10 LOOP
			BEGIN
				INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, inputs)
				SELECT 'e7200000-0000-0000-0000-000000000001', u, u, 'e7300000-0000-0000-0000-000000000001',
					   'r', 'chain', '2026-05-04 09:00+00', '{"q": "hello"}'
				FROM (SELECT gen_random_uuid() AS u FROM generate_series(1, 5)) g;
				admitted := admitted + 1;
			EXCEPTION WHEN SQLSTATE 'LS429' THEN
				NULL;
			END;
		END LOOP;
		RAISE NOTICE 'admitted %', admitted;
	END
	$$;
	SQL
done
wait
total=0
for i in $(seq 1 16); do
	a=$(grep -o 'admitted [0-9]*' "$WORK/ins.$i" | awk '{print $2}')
	total=$((total + ${a:-0}))
done
echo "# statements admitted per writer: $(for i in $(seq 1 16); do grep -o 'admitted [0-9]*' "$WORK/ins.$i" | awk '{printf "%s ", $2}'; done)"
check "16 writers x 10 statements of 5 runs, 100 events an hour: exactly 20 statements admitted" "$total" 20
check "exactly 100 runs written: refused statements wrote nothing" \
	"$(q "SELECT count(*) FROM lsbilling.runs WHERE workspace_id = 'e7200000-0000-0000-0000-000000000001'")" 100
check "the hour's counter says 100 events" \
	"$(PGOPTIONS="-c lsbilling.test_clock=$CLOCK" q "SELECT used FROM lsbilling.rate_limits WHERE subject = 'e7100000…0001' AND limit_name = 'events per hour'")" 100
check "no writer failed otherwise" "$(cat "$WORK"/ins.* | grep -cE 'ERROR|FATAL')" 0

# 3. COPY is one statement too: 100 rows = 100 events; over the limit, none is written
copy_runs() {	# count
	seq 1 "$1" | awk '{ printf "e7200000-0000-0000-0000-000000000001\t%s\t%s\te7300000-0000-0000-0000-000000000001\tr\tchain\t2026-05-04 10:00:00+00\n", u = sprintf("e7400000-0000-0000-0000-%012d", NR + off), u }' off="$2" |
		PGOPTIONS="-c lsbilling.test_clock=2026-05-04T10:30:00+00 -c lsbilling.rate_limit_events_per_hour_developer=150" \
		$PSQL -d $DB -c "COPY lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time) FROM STDIN" 2>&1
}
before=$(q "SELECT count(*) FROM lsbilling.runs WHERE workspace_id = 'e7200000-0000-0000-0000-000000000001'")
check "COPY of 100 runs admitted" "$(copy_runs 100 0)" ""
check "a COPY of 60 more (limit 150 events an hour) is refused" "$(copy_runs 60 1000 | grep -o 'hourly ingest limit of 150 events')" "hourly ingest limit of 150 events"
check "only the first COPY's 100 rows are written, and counted" \
	"$(q "SELECT count(*) - $before FROM lsbilling.runs WHERE workspace_id = 'e7200000-0000-0000-0000-000000000001'")/$(PGOPTIONS="-c lsbilling.test_clock=2026-05-04T10:30:00+00" q "SELECT used FROM lsbilling.rate_limits WHERE subject = 'e7100000…0001' AND limit_name = 'events per hour'")" "100/100"

$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
rm -rf "$WORK"
