# TAP output for the shell tests (test/tap/*.sh): source it, call ok / not_ok /
# check, end with `echo "1..$n"` (or print the plan first) and exit non-zero
# when $failures > 0.
n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION GOT WANT
check() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "#   got '$2', want '$3'"; fi; }
