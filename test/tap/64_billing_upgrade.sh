#!/usr/bin/env bash
# An update from 0.1.0 keeps the ledger and starts each organization's plan
# history from its current plan at its creation date (issue 11); invoices can
# then be issued from the updated database.
set -u
db=lsb_billing_upgrade
P() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
n=0
check() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		echo "not ok $n - $3"; echo "#   got:      $1" | head -c 2000; echo; echo "#   expected: $2" | head -c 2000; echo; fi
}
cleanup() { P -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
P -d postgres -c "CREATE DATABASE $db" >/dev/null || { echo "Bail out! createdb"; exit 1; }
echo "1..5"

P -d $db -c "CREATE EXTENSION lsbilling VERSION '0.1.0'" >/dev/null 2>&1
P -d $db -c "SET client_min_messages = warning" -f "$LSB_ROOT/test/demo/sample.sql" >/dev/null 2>&1 \
	|| { echo "Bail out! the sample does not load into 0.1.0"; exit 1; }
P -d $db -c "UPDATE lsbilling.organizations SET created_at = '2026-01-05 00:00+00' WHERE plan = 'plus'" >/dev/null
ledger_before=$(P -d $db -c "SELECT count(*) || ' ' || md5(string_agg(metric || trace_id::text || occurred_at, ',' ORDER BY id)) FROM lsbilling.billing_events")
P -d $db -c "ALTER EXTENSION lsbilling UPDATE" >/dev/null 2>&1 || { echo "Bail out! update failed"; exit 1; }

check "$(P -d $db -c "SELECT count(*) || ' ' || md5(string_agg(metric || trace_id::text || occurred_at, ',' ORDER BY id)) FROM lsbilling.billing_events")" \
	"$ledger_before" "the ledger is kept as it was"
check "$(P -d $db -c "SELECT string_agg(h.plan || ' ' || h.has_payment_method || ' ' || h.billing_interval || ' ' || (h.valid_from = o.created_at) || ' ' || (h.valid_to IS NULL), ', ' ORDER BY o.name)
	FROM lsbilling.organizations o JOIN lsbilling.organization_plans h ON h.organization_id = o.id")" \
	"plus true month true true, developer false month true true" \
	"each organization's plan history starts from its current plan at its creation"
check "$(P -d $db -c "SELECT string_agg(plan_id || ' ' || effective_from || ' ' || seat_price || ' ' || free_traces_per_month, ', ' ORDER BY plan_id) FROM lsbilling.plan_prices")" \
	"developer -infinity 0 5000, enterprise -infinity 0 0, plus -infinity 39 10000, startup -infinity 39 30000" \
	"each plan's prices start from -infinity with its 0.1.0 values"
# the first invoices of the updated database: the clock on December 1; the sample's usage was billed in the real month
got=$(P -d $db -c "SET lsbilling.test_clock = '2026-12-01 01:00+00'" \
	-c "SELECT string_agg(o.name || ' ' || i.number || ' ' || i.kind || ' ' || i.issue_date, ', ') FROM lsbilling.issue_invoices() i JOIN lsbilling.organizations o ON o.id = i.organization_id")
check "$got" "Acme AI 1 period 2026-12-01" "invoices are issued from the updated database: the paying organization only"
check "$(P -d $db -c "SET lsbilling.test_clock = '2026-12-01 01:00+00'" -c "SELECT count(*) FROM lsbilling.issue_invoices()")" \
	"0" "and issuing again issues nothing"
