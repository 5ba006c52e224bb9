#!/usr/bin/env bash
# `make test`: every pg_regress test (sql/ -> expected/), every pgTAP test
# (test/pgtap/, through pg_prove) and every shell TAP test (test/tap/*.sh,
# for what needs several sessions or a server restart), against a throwaway
# cluster with lsbilling preloaded.  Ends with "N passed, N failed".
# LSB_TEST_ONLY=pattern runs only the pgTAP and shell TAP files whose name
# contains it (no pg_regress, no Citus): for working on one feature.
set -u
only=${LSB_TEST_ONLY:-}
. "$(dirname "$0")/lib/cluster.sh"
cd "$LSB_ROOT"

lsb_install_packages
lsb_take_install_lock
lsb_build_install
lsb_start_cluster

passed=0
failed=0
log=$LSB_TMP/test.log

# pg_regress: one test = one file.
if [ -z "$only" ]; then
	make -s installcheck >"$log" 2>&1
	regress_rc=$?
	cat "$log"
	r_ok=$(grep -cE '^(test | )?[a-z0-9_]+ +\.\.\. ok' "$log")
	r_bad=$(grep -cE '\.\.\. FAILED' "$log")
	if [ "$regress_rc" -ne 0 ] && [ "$r_bad" -eq 0 ]; then r_bad=1; fi
	passed=$((passed + r_ok))
	failed=$((failed + r_bad))
	[ "$r_bad" -gt 0 ] && [ -f regression.diffs ] && cat regression.diffs
fi

# pgTAP: one test = one assertion.
lsb_psql -d postgres -c "CREATE DATABASE lsbilling_test" || lsb_die "cannot create the test database"
lsb_psql -d lsbilling_test -c "CREATE EXTENSION pgtap; CREATE EXTENSION lsbilling;" || lsb_die "cannot create the extensions"
count_tap() {
	local file=$1 rc=$2 ok bad
	ok=$(grep -cE '^\s*ok [0-9]+' "$file")
	bad=$(grep -cE '^\s*not ok [0-9]+' "$file")
	# A file that died, or planned more than it ran, fails even if no line says "not ok".
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
	passed=$((passed + ok))
	failed=$((failed + bad))
}
pgtap_files=$(ls test/pgtap/*.sql 2>/dev/null | grep -F -- "$only")
if [ -n "$pgtap_files" ]; then
	# shellcheck disable=SC2086
	pg_prove -v -d lsbilling_test $pgtap_files >"$log" 2>&1
	rc=$?
	cat "$log"
	count_tap "$log" "$rc"
fi

# Shell TAP tests get the cluster's coordinates in the environment.
export LSB_ROOT PGBIN LSB_TMP
for t in test/tap/*.sh; do
	[ -e "$t" ] || continue
	case "$t" in *"$only"*) ;; *) continue ;; esac
	echo "# $t"
	bash "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	count_tap "$log" "$rc"
done

# Citus (test/citus/run.sh): only when CITUS_TARBALL names a Citus source tarball.
if [ -n "${CITUS_TARBALL:-}" ] && [ -z "$only" ]; then
	echo "# test/citus/run.sh"
	LSB_CITUS_NESTED=1 bash test/citus/run.sh >"$log" 2>&1
	rc=$?
	cat "$log"
	count_tap "$log" "$rc"
else
	echo "# test/citus/run.sh skipped: set CITUS_TARBALL to a Citus 13.2 source tarball to test lsbilling on Citus"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
