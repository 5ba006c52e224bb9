#!/usr/bin/env bash
# Price-map invalidation across backends: a session that has compiled and
# memoised the price map sees a model_prices change at the writer's commit
# (not before, and not after a rollback), without reconnecting.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
psql_session() { "$PGBIN/psql" -X -q -A -t -d lsbilling_test <"$dir/$1.in" >"$dir/$1.out" 2>&1 & }
mkfifo "$dir/a.in" "$dir/b.in"
touch "$dir/a.out" "$dir/b.out"
psql_session a
psql_session b
exec {A}>"$dir/a.in" {B}>"$dir/b.in"

k=0
# q FD NAME SQL: run SQL in that session; its output goes to $out (no subshell: k must advance)
out=
q() {
	local fd=$1 name=$2 sql=$3 i
	k=$((k + 1))
	printf '%s\n\\echo MARK%d\n' "$sql" "$k" >&"$fd"
	for i in $(seq 1 400); do
		grep -q "^MARK$k\$" "$dir/$name.out" && break
		sleep 0.05
	done
	out=$(awk -v m="MARK$k" '$0 == m { printf "%s", buf; exit } /^MARK[0-9]+$/ { buf = ""; next } { buf = buf $0 }' "$dir/$name.out")
}
n=0
failed=0
check() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		echo "#   got '$1', expected '$2'"
		failed=1
	fi
}
price() { q "$A" a "SELECT (lsbilling.compute_cost('{\"input_tokens\": 1000000}', 'inv-model')).input_cost;"; }

q "$B" b "DELETE FROM lsbilling.model_prices WHERE name = 'inv-test';"
q "$A" a "SELECT pg_backend_pid();"
pid_before=$out
price
check "$out" "" "session A: no entry for inv-model yet (price map compiled and memoised)"

q "$B" b "BEGIN; INSERT INTO lsbilling.model_prices (name, match_pattern, input_price) VALUES ('inv-test', '^inv-model\$', 5);"
price
check "$out" "" "an uncommitted entry of session B is not used by session A"
q "$B" b "COMMIT;"
price
check "$out" "5" "session A uses the entry once B has committed"

q "$B" b "UPDATE lsbilling.model_prices SET input_price = 6 WHERE name = 'inv-test';"
price
check "$out" "6" "session A sees B's committed price update"

q "$B" b "BEGIN; UPDATE lsbilling.model_prices SET input_price = 7 WHERE name = 'inv-test'; ROLLBACK;"
price
check "$out" "6" "a rolled-back change leaves session A's price alone"

q "$B" b "BEGIN; UPDATE lsbilling.model_prices SET input_price = 8 WHERE name = 'inv-test';"
q "$B" b "SELECT (lsbilling.compute_cost('{\"input_tokens\": 1000000}', 'inv-model')).input_cost;"
check "$out" "8" \
	"the writer itself sees its change at its next statement"
q "$B" b "ROLLBACK;"
q "$B" b "SELECT (lsbilling.compute_cost('{\"input_tokens\": 1000000}', 'inv-model')).input_cost;"
check "$out" "6" \
	"and forgets it after its rollback"

# A REPEATABLE READ transaction whose snapshot predates the change still
# reloads the latest map: the map outlives the transaction.
# (A's first lock on model_prices in the transaction is what makes it see the invalidation.)
q "$A" a "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1;"
q "$B" b "UPDATE lsbilling.model_prices SET input_price = 9 WHERE name = 'inv-test';"
q "$A" a "SELECT count(*) > 0 FROM lsbilling.model_prices;"
price
q "$A" a "COMMIT;"
price
check "$out" "9" "a change committed during session A's REPEATABLE READ transaction is used after it"

q "$B" b "DELETE FROM lsbilling.model_prices WHERE name = 'inv-test';"
price
check "$out" "" "session A stops using a deleted entry"

q "$A" a "SELECT pg_backend_pid();"
check "$out" "$pid_before" "session A stayed the same backend throughout"
echo "1..$n"
exit $failed
