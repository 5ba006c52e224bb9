#!/usr/bin/env bash
# `make demo`: a throwaway cluster with lsbilling preloaded, the sample of
# test/demo/sample.sql, and a readable report of what the extension knows.
set -u
. "$(dirname "$0")/lib/cluster.sh"
cd "$LSB_ROOT"

lsb_install_packages
lsb_take_install_lock
lsb_build_install
LSB_PORT=54330 lsb_start_cluster

lsb_psql -d postgres -c 'CREATE DATABASE lsbilling_demo' || lsb_die "cannot create the demo database"
lsb_psql -d lsbilling_demo -c 'CREATE EXTENSION lsbilling' || lsb_die "CREATE EXTENSION failed"
echo "loading the sample (test/demo/sample.sql) ..."
# billed by lsbilling's clock: the sample's October-November activity is written as of November 21
PGOPTIONS="-c lsbilling.test_clock=2026-11-21T00:00:00+00" \
	lsb_psql -d lsbilling_demo -f test/demo/sample.sql || lsb_die "loading the sample failed"
"$PGBIN/psql" -X -v ON_ERROR_STOP=1 -d lsbilling_demo -f test/demo/report.sql || lsb_die "the report failed"
echo "billing over three months (test/demo/billing.sql) ..."
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d lsbilling_demo -f test/demo/billing.sql || lsb_die "the billing demo failed"
echo "rate limits (test/demo/rate_limits.sql) ..."
"$PGBIN/psql" -X -v ON_ERROR_STOP=1 -d lsbilling_demo -f test/demo/rate_limits.sql || lsb_die "the rate-limit demo failed"
echo "access: roles, keys, tags (test/demo/access.sql) ..."
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d lsbilling_demo -f test/demo/access.sql || lsb_die "the access demo failed"
echo "real client traffic (test/demo/traffic.sql) ..."
"$PGBIN/psql" -X -v ON_ERROR_STOP=1 -d lsbilling_demo -f test/demo/traffic.sql || lsb_die "the client-traffic demo failed"
