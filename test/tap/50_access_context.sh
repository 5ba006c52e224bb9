#!/usr/bin/env bash
# The tenant context of lsbilling.authenticate() lasts one transaction (so it
# works behind PgBouncer in transaction mode), fails closed outside it, and
# recording last_used_at neither writes per request nor waits on a lock.
set -u
db=lsb_access_ctx
P() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
n=0
check() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		echo "not ok $n - $3"; echo "#   got '$1', expected '$2'"; fi
}
cleanup() {
	"$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	"$PGBIN/psql" -X -q -d postgres -c "DROP ROLE IF EXISTS lsb_ctx_app" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
"$PGBIN/psql" -X -q -d postgres -c "CREATE DATABASE $db" || { echo "Bail out! createdb"; exit 1; }
echo "1..8"
P >/dev/null <<'SQL' || { echo "Bail out! fixtures"; exit 1; }
CREATE EXTENSION lsbilling;
CREATE ROLE lsb_ctx_app LOGIN;
SELECT lsbilling.grant_access('lsb_ctx_app', 'ingest');
SELECT lsbilling.grant_access('lsb_ctx_app', 'read');
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('a6000000-0000-0000-0000-000000000001', 'Acme', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('b6000000-0000-0000-0000-000000000001', 'a6000000-0000-0000-0000-000000000001', 'prod');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('b6000000-0000-0000-0000-000000000001', 'c6000000-0000-0000-0000-000000000001', 'bot');
INSERT INTO lsbilling.users (id, email) VALUES ('e6000000-0000-0000-0000-000000000001', 'admin@acme');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role)
VALUES ('a6000000-0000-0000-0000-000000000001', 'e6000000-0000-0000-0000-000000000001', 'admin');
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES ('b6000000-0000-0000-0000-000000000001', 'd6000000-0000-0000-0000-000000000001',
	'd6000000-0000-0000-0000-000000000001', 'c6000000-0000-0000-0000-000000000001', 'r', 'chain', now());
CREATE TABLE public.k AS SELECT * FROM lsbilling.create_service_key('a6000000-0000-0000-0000-000000000001', 'app',
	NULL, 'admin', NULL, 'e6000000-0000-0000-0000-000000000001');
SQL
key=$(P -c "SELECT key FROM public.k")
kid=$(P -c "SELECT id FROM public.k")
A() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -U lsb_ctx_app -d $db "$@"; }

check "$(A -c "BEGIN" -c "SELECT (lsbilling.authenticate('$key')).role" -c "SELECT count(*) FROM lsbilling.runs" -c "COMMIT" | tr '\n' ' ')" \
	"admin 1 " "in the transaction that authenticated, the workspace's runs are visible"
check "$(A -c "BEGIN" -c "SELECT (lsbilling.authenticate('$key')).role" -c "COMMIT" \
	-c "SELECT count(*), cardinality(lsbilling.current_workspace_ids()) FROM lsbilling.runs" | tr '\n' ' ')" \
	"admin 0|0 " "the next transaction of the same connection (a pooled reuse) has no context: nothing visible"
check "$(A -c "SELECT (lsbilling.authenticate('$key')).role" -c "SELECT count(*) FROM lsbilling.runs" | tr '\n' ' ')" \
	"admin 0 " "in autocommit, authenticate() covers only its own statement"
check "$(A -c "BEGIN" -c "SELECT (lsbilling.authenticate('$key')).role" -c "ROLLBACK" -c "SELECT count(*) FROM lsbilling.runs" | tr '\n' ' ')" \
	"admin 0 " "a rolled-back transaction leaves no context either"

first=$(P -c "SELECT last_used_at FROM lsbilling.api_keys WHERE id = '$kid'")
A -c "BEGIN" -c "SELECT (lsbilling.authenticate('$key')).role" -c "COMMIT" >/dev/null
check "$(P -c "SELECT last_used_at = '$first' FROM lsbilling.api_keys WHERE id = '$kid'")" "t" \
	"last_used_at is written at most once a minute (not per request)"
P -c "UPDATE lsbilling.api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = '$kid'"

# a session holding the key's row lock does not hold up authentication
P -c "BEGIN" -c "UPDATE lsbilling.api_keys SET name = 'renamed' WHERE id = '$kid'" -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null &
holder=$!
sleep 1
check "$(A -c "SET lock_timeout = '500ms'" -c "BEGIN" -c "SELECT (lsbilling.authenticate('$key')).role" -c "COMMIT" 2>&1 | tr '\n' ' ')" \
	"admin " "authenticate() skips the last_used_at write while another session locks the key row"
wait $holder
A -c "BEGIN" -c "SELECT (lsbilling.authenticate('$key')).role" -c "COMMIT" >/dev/null
check "$(P -c "SELECT last_used_at > now() - interval '1 minute' FROM lsbilling.api_keys WHERE id = '$kid'")" "t" \
	"and writes it at the next request once the minute has passed"
check "$(A -c "SELECT lsbilling.authenticate('$key', NULL, 'runs')" 2>&1 | grep -c "$key")" "0" \
	"a successful authenticate() does not echo the key"
