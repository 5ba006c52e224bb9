#!/usr/bin/env bash
# `make bench`: run every bench/b_*.sh against one throwaway cluster.  Each
# prints ratios against a baseline it measures in the same run (the machines
# are shared and noisy: absolute times mean little, ratios do).
# LSB_BENCH=name runs only bench/b_name.sh.
set -u
. "$(dirname "$0")/../test/lib/cluster.sh"
cd "$LSB_ROOT"
lsb_install_packages
lsb_take_install_lock
lsb_build_install
# The benches ingest far more than a plan's hourly rate limits allow, and call
# authenticate() far more often than a key's per-minute limits: no limit (the
# triggers and authenticate() still count), except where a bench sets one.
lsb_start_cluster "shared_buffers = '1GB'" "max_wal_size = '4GB'" "synchronous_commit = off" \
	lsbilling.rate_limit_{events,bytes}_per_hour_{developer,developer_paid,plus}=0 \
	lsbilling.rate_limit_{runs,feedback,delete_sessions,other}_per_minute=0
export LSB_ROOT PGBIN LSB_TMP
rc=0
for b in bench/b_${LSB_BENCH:-*}.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	bash "$b" || rc=1
done
exit $rc
