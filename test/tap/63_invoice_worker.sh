#!/usr/bin/env bash
# The background worker issues the invoices due, once a day after its purge
# pass (issue 11), by lsbilling's clock: with lsbilling.test_clock set for
# the whole cluster to the 1st of a month, a pass issues the period invoice
# of an organization with a card, and later passes the same day issue
# nothing twice.  Leaves the cluster with the settings reset and the rows it
# wrote removed.
set -u
export PGOPTIONS="-c client_min_messages=warning"
q() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d lsbilling_test "$@"; }
qp() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
is() { if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got: '$1'"; echo "#  want: '$2'"; fi; }
wait_for() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ "$(q -c "$2" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	return 1
}
org=a6300000-0000-0000-0000-000000000001
cleanup() {
	qp -c "ALTER SYSTEM RESET lsbilling.purge_interval" -c "ALTER SYSTEM RESET lsbilling.test_clock" \
		-c "SELECT pg_reload_conf()" >/dev/null 2>&1
	q -c "SET lsbilling.maintenance = on" \
		-c "DELETE FROM lsbilling.invoice_lines WHERE invoice_id IN (SELECT id FROM lsbilling.invoices WHERE organization_id = '$org')" \
		-c "DELETE FROM lsbilling.invoice_usage WHERE organization_id = '$org'" \
		-c "DELETE FROM lsbilling.invoice_seats WHERE organization_id = '$org'" \
		-c "DELETE FROM lsbilling.invoices WHERE organization_id = '$org'" \
		-c "DELETE FROM lsbilling.organization_members WHERE organization_id = '$org'" \
		-c "DELETE FROM lsbilling.organization_plans WHERE organization_id = '$org'" \
		-c "DELETE FROM lsbilling.organizations WHERE id = '$org'" \
		-c "DELETE FROM lsbilling.users WHERE id = 'e6300000-0000-0000-0000-000000000001'" >/dev/null 2>&1
}
trap cleanup EXIT
echo "1..3"

q -c "SET lsbilling.test_clock = '2031-02-01 00:00+00'" \
	-c "INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method, created_at)
	    VALUES ('$org', 'Worker billed', 'plus', true, '2031-02-01 00:00+00')" \
	-c "INSERT INTO lsbilling.users (id, email) VALUES ('e6300000-0000-0000-0000-000000000001', 'w@worker.example')" \
	-c "INSERT INTO lsbilling.organization_members (organization_id, user_id, joined_at)
	    VALUES ('$org', 'e6300000-0000-0000-0000-000000000001', '2031-02-01 00:00+00')" >/dev/null
mark=$(q -c "SELECT coalesce(max(id), 0) FROM lsbilling.purge_passes")
qp -c "ALTER SYSTEM SET lsbilling.test_clock = '2031-03-01 00:30+00'" -c "ALTER SYSTEM SET lsbilling.purge_interval = 1" \
	-c "SELECT pg_reload_conf()" >/dev/null

wait_for 30 "SELECT EXISTS (SELECT 1 FROM lsbilling.invoices WHERE organization_id = '$org')"
is "$(q -c "SELECT number || ' ' || kind || ' ' || issue_date || ' ' || total FROM lsbilling.invoices WHERE organization_id = '$org'")" \
	"1 period 2031-03-01 39.00" "the worker issued the March 1st invoice by the test clock: one seat in advance"
wait_for 30 "SELECT count(*) >= 3 FROM lsbilling.purge_passes WHERE id > $mark AND finished_at IS NOT NULL"
is "$(q -c "SELECT count(*) FROM lsbilling.invoices WHERE organization_id = '$org'")" "1" \
	"later passes the same day issue nothing twice"
is "$(q -c "SELECT issued_at FROM lsbilling.invoices WHERE organization_id = '$org'")" "2031-03-01 00:30:00+00" \
	"the worker read lsbilling's clock (the test clock), not the real time"
