# Sourced by test/citus/run.sh (uses its check, C, PGBIN, CPORT, LSB_CTMP):
# the tenant context of lsbilling.authenticate() reaches the shards as a
# signed token (src/tenant_token.c), tested as the attacker, an application
# role set up as README "Access" documents.
# shellcheck shell=bash

ws1=0b000000-0000-0000-0000-000000000001
ws2=0b000000-0000-0000-0000-000000000002
lsb_citus_db lsbilling_rls
C -d lsbilling_rls -c "CREATE EXTENSION lsbilling" -c "SELECT count(*) FROM lsbilling.distribute()" >/dev/null 2>&1
C -d lsbilling_rls >/dev/null 2>"$LSB_CTMP/rls.err" <<SQL
SET client_min_messages = warning;
INSERT INTO lsbilling.organizations (id, name, plan, is_personal, has_payment_method) VALUES
 ('0a000000-0000-0000-0000-000000000001', 'Acme AI', 'plus', false, true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
 ('$ws1', '0a000000-0000-0000-0000-000000000001', 'acme-prod'),
 ('$ws2', '0a000000-0000-0000-0000-000000000001', 'acme-staging');
INSERT INTO lsbilling.users (id, email) VALUES ('0e000000-0000-0000-0000-000000000001', 'ana@acme.example');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role, status, joined_at) VALUES
 ('0a000000-0000-0000-0000-000000000001', '0e000000-0000-0000-0000-000000000001', 'admin', 'active', '2026-01-10');
INSERT INTO lsbilling.projects (workspace_id, id, name, default_tier) VALUES
 ('$ws1', '0c000000-0000-0000-0000-000000000001', 'support-bot', 'base'),
 ('$ws2', '0c000000-0000-0000-0000-000000000003', 'support-bot-staging', 'base');
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time) VALUES
 ('$ws1', '0d000000-0000-0000-0000-0000000a0001', '0d000000-0000-0000-0000-0000000a0001',
  '0c000000-0000-0000-0000-000000000001', 'owner wrote', 'chain', '2026-11-20 10:00:00+00'),
 ('$ws2', '0d000000-0000-0000-0000-0000000b0001', '0d000000-0000-0000-0000-0000000b0001',
  '0c000000-0000-0000-0000-000000000003', 'other workspace', 'chain', '2026-11-20 10:00:00+00'),
 ('$ws2', '0d000000-0000-0000-0000-0000000b0002', '0d000000-0000-0000-0000-0000000b0001',
  '0c000000-0000-0000-0000-000000000003', 'other workspace', 'llm', '2026-11-20 10:00:01+00');
CREATE ROLE lsb_rls_app LOGIN;
-- grant_access() itself switches Citus to sequential mode (GRANTs on reference and distributed tables)
SELECT lsbilling.grant_access('lsb_rls_app', 'ingest');
SELECT lsbilling.grant_access('lsb_rls_app', 'read');
SQL
check "$?|$(grep -c ERROR "$LSB_CTMP/rls.err")" "0|0" "tenant context: an application role with grant_access ingest + read, two workspaces"
key=$(C -d lsbilling_rls -At -c "SELECT key FROM lsbilling.create_service_key('0a000000-0000-0000-0000-000000000001',
	'ingest prod', ARRAY['$ws1'::uuid], 'admin', NULL, '0e000000-0000-0000-0000-000000000001')" 2>&1)
A() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$CPORT" -U lsb_rls_app -d lsbilling_rls "$@"; }
auth="SELECT count(*) FROM lsbilling.authenticate('$key', '$ws1', 'runs')"
run() {	# run WORKSPACE ID NAME: a run of its own trace, project 1 or 3
	local proj=0c000000-0000-0000-0000-000000000001
	[ "$1" = "$ws2" ] && proj=0c000000-0000-0000-0000-000000000003
	echo "('$1', '$2', '$2', '$proj', '$3', 'chain', '2026-11-21 10:00:00+00')"
}
ins="INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time) VALUES"
q_counts="SELECT (SELECT count(*) FROM lsbilling.runs) || '/' || (SELECT count(*) FROM lsbilling.traces)
	|| '/' || (SELECT count(*) FROM lsbilling.runs WHERE workspace_id = '$ws2')
	|| '/' || (SELECT count(*) FROM lsbilling.traces WHERE workspace_id = '$ws2')"
sqlstate() { grep -o 'ERROR:  [0-9A-Z]\{5\}' | head -1; }

# without authenticate: nothing
check "$(A -At -c "BEGIN" -c "$q_counts" -c "COMMIT" 2>&1)" "0/0/0/0" \
	"tenant context: without authenticate() the application role sees no runs and no traces on the shards"
check "$(A -c '\set VERBOSITY sqlstate' -c "BEGIN" -c "$ins $(run $ws1 0d000000-0000-0000-0000-0000000a0009 x)" 2>&1 | sqlstate)" \
	"ERROR:  42501" "tenant context: without authenticate() it writes nothing (42501)"

# authenticated on the coordinator: writes single and multi-row runs and feedback on the shards
got=$(A -At -c "BEGIN" -c "$auth" -c "$ins $(run $ws1 0d000000-0000-0000-0000-0000000a0002 single)" \
	-c "$ins $(run $ws1 0d000000-0000-0000-0000-0000000a0003 multi), $(run $ws1 0d000000-0000-0000-0000-0000000a0004 multi),
		$(run $ws1 0d000000-0000-0000-0000-0000000a0005 multi)" \
	-c "INSERT INTO lsbilling.feedback (workspace_id, run_id, trace_id, key, score) VALUES
		('$ws1', '0d000000-0000-0000-0000-0000000a0002', '0d000000-0000-0000-0000-0000000a0002', 'correct', 1)" \
	-c "COMMIT" 2>&1)
check "$got" "1" "tenant context: after authenticate() on the coordinator, a single-row and a multi-row INSERT of runs and a feedback row are written on the shards"
check "$(C -d lsbilling_rls -At -c "SELECT (SELECT count(*) FROM lsbilling.runs WHERE workspace_id = '$ws1')
	|| '/' || (SELECT count(*) FROM lsbilling.feedback WHERE workspace_id = '$ws1')
	|| '/' || (SELECT tier FROM lsbilling.traces WHERE workspace_id = '$ws1' AND id = '0d000000-0000-0000-0000-0000000a0002')")" \
	"5/1/extended" "tenant context: the owner sees the 4 new runs (5 with its own) and the feedback, which upgraded its trace"
check "$(A -At -c "BEGIN" -c "$auth" -c "$q_counts" -c "COMMIT" 2>&1)" "1
5/5/0/0" "tenant context: authenticated, it reads its workspace's 5 runs and 5 traces, and none of the other workspace's"
check "$(A -At -c "BEGIN" -c "$auth" -c "SELECT count(*) FROM lsbilling.runs WHERE id = '0d000000-0000-0000-0000-0000000b0001'" \
	-c "SELECT count(*) FROM lsbilling.feedback" -c "COMMIT" 2>&1 | tr '\n' ' ')" "1 0 1 " \
	"tenant context: a run of the other workspace asked by id: no row (its own feedback: 1 row)"
check "$(A -c '\set VERBOSITY sqlstate' -c "BEGIN" -c "$auth" -c "$ins $(run $ws2 0d000000-0000-0000-0000-0000000b0009 intruder)" 2>&1 | sqlstate)" \
	"ERROR:  42501" "tenant context: authenticated for one workspace, a run of the other is refused (42501)"
check "$(A -c '\set VERBOSITY sqlstate' -c "BEGIN" -c "$auth" -c "INSERT INTO lsbilling.feedback (workspace_id, trace_id, key)
	VALUES ('$ws2', '0d000000-0000-0000-0000-0000000b0001', 'intruder')" 2>&1 | sqlstate)" \
	"ERROR:  42501" "tenant context: and feedback on the other workspace's trace too (42501)"
check "$(A -c '\set VERBOSITY sqlstate' -c "BEGIN" -c "$auth" -c "SHOW lsbilling.tenant_token" 2>&1 | sqlstate)" \
	"ERROR:  42501" "tenant context: the application role cannot read the token (superuser-only setting)"
check "$(A -At -c "BEGIN" -c "$auth" -c "SELECT lsbilling.reset_context()" -c "$q_counts" -c "COMMIT" 2>&1 | tail -1)" "0/0/0/0" \
	"tenant context: after reset_context() the shards see nothing either"

# forged tokens: garbage, an edited payload, an expired one
check "$(A -At -c "BEGIN" -c "SET LOCAL lsbilling.tenant_token = 'garbage'" -c "$q_counts" -c "COMMIT" 2>&1)" "0/0/0/0" \
	"tenant context: SET LOCAL lsbilling.tenant_token = 'garbage': no rows"
check "$(A -c '\set VERBOSITY sqlstate' -c "BEGIN" -c "SET LOCAL lsbilling.tenant_token = 'garbage'" \
	-c "$ins $(run $ws1 0d000000-0000-0000-0000-0000000a0009 forged)" 2>&1 | sqlstate)" \
	"ERROR:  42501" "tenant context: and no writes (42501)"
token=$(C -d lsbilling_rls -At -c "BEGIN" -c "$auth" -c "SELECT current_setting('lsbilling.tenant_token')" -c "COMMIT" | tail -1)
check "$(echo "$token" | grep -c '^v1\.[A-Za-z0-9+/=]*\.[0-9a-f]\{64\}$')" "1" "tenant context: authenticate() on Citus sets a token v1.<payload>.<hmac>"
payload=${token#v1.}; mac=${payload#*.}; payload=${payload%%.*}
edited=$(printf '%s' "$payload" | base64 -d | od -An -v -tx1 | tr -d ' \n' \
	| sed "s/$(echo "$ws1" | tr -d -)/$(echo "$ws2" | tr -d -)/" | xxd -r -p | base64 -w0)
check "$([ "$edited" != "$payload" ] && echo changed)" "changed" "tenant context: the edited payload names the other workspace"
check "$(A -At -c "BEGIN" -c "SET LOCAL lsbilling.tenant_token = 'v1.$edited.$mac'" -c "$q_counts" -c "COMMIT" 2>&1)" "0/0/0/0" \
	"tenant context: a token whose payload was edited to the other workspace: no rows"
check "$(A -c '\set VERBOSITY sqlstate' -c "BEGIN" -c "SET LOCAL lsbilling.tenant_token = 'v1.$edited.$mac'" \
	-c "$ins $(run $ws2 0d000000-0000-0000-0000-0000000b0009 forged)" 2>&1 | sqlstate)" \
	"ERROR:  42501" "tenant context: and no writes (42501)"
old=$(C -d lsbilling_rls -At -c "BEGIN" -c "SET LOCAL lsbilling.test_clock = '2026-01-01 00:00:00+00'" -c "$auth" \
	-c "SELECT current_setting('lsbilling.tenant_token')" -c "COMMIT" | tail -1)
check "$(A -At -c "BEGIN" -c "SET LOCAL lsbilling.tenant_token = '$old'" -c "$q_counts" -c "COMMIT" 2>&1)" "0/0/0/0" \
	"tenant context: a genuine token past its expiry (5 minutes after the clock that signed it): no rows"
check "$(A -At -c "BEGIN" -c "SET LOCAL lsbilling.tenant_token = '$token'" -c "$q_counts" -c "COMMIT" 2>&1)" "5/5/0/0" \
	"tenant context: (the same check with the unexpired genuine token sees the workspace: the refusals above are the forgeries')"
check "$(A -At -c "$auth" 2>&1)" "1" "tenant context: authenticate() in autocommit (where Citus propagates nothing) works without a warning"
