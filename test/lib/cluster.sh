# Shared by test/run_tests.sh, test/run_demo.sh and bench/run_bench.sh: install
# what a fresh Debian bookworm machine lacks, build and install lsbilling, and
# run a throwaway cluster as the postgres OS user (initdb refuses root) on a
# Unix socket only, stopped on exit whatever happens.
# shellcheck shell=bash

LSB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PGBIN=/usr/lib/postgresql/15/bin
# LSB_PG_PREFIX (developers only): a private copy of the PostgreSQL tree made by
# test/lib/private_pg.sh, so that several checkouts can build, install and
# test at once without sharing /usr/lib/postgresql.  Unset: the system's.
if [ -n "${LSB_PG_PREFIX:-}" ]; then
	PGBIN=$LSB_PG_PREFIX/usr/lib/postgresql/15/bin
	export PG_CONFIG=$PGBIN/pg_config
fi
LSB_PACKAGES="postgresql-15 postgresql-server-dev-15 libpcre2-dev pkg-config make gcc
	postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl"

lsb_die() { echo "error: $*" >&2; exit 1; }

# Install only what is missing, so a second run costs nothing and needs no network.
lsb_install_packages() {
	local missing=() p
	for p in $LSB_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || lsb_die "missing packages (${missing[*]}): run as root or with sudo"
	echo "installing: ${missing[*]}"
	# The server package would start a cluster of its own on 5432; we do not want it.
	mkdir -p /etc/postgresql-common
	grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
		|| echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || true
	apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null \
		|| lsb_die "apt-get install ${missing[*]} failed"
}

lsb_build_install() {
	make -C "$LSB_ROOT" -s -j2 all >/dev/null || lsb_die "build failed"
	make -C "$LSB_ROOT" -s install >/dev/null || lsb_die "make install failed"
}

# lsb_start_cluster [extra postgresql.conf lines...]
# Sets LSB_TMP, PGDATA, PGHOST, PGPORT, PGUSER; registers the stop on EXIT.
lsb_start_cluster() {
	LSB_TMP=$(mktemp -d /tmp/lsbilling.XXXXXX)
	chown postgres: "$LSB_TMP"
	chmod 755 "$LSB_TMP"
	export PGDATA="$LSB_TMP/data" PGHOST="$LSB_TMP" PGPORT=${LSB_PORT:-54329} PGUSER=postgres
	trap lsb_stop_cluster EXIT
	trap 'exit 130' INT TERM
	runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$LSB_TMP/initdb.log" 2>&1 \
		|| { cat "$LSB_TMP/initdb.log"; lsb_die "initdb failed"; }
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$LSB_TMP'"
		echo "port = $PGPORT"
		echo "shared_preload_libraries = 'lsbilling'"
		echo "lsbilling.database = 'lsbilling_test'"
		echo "fsync = off"
		echo "max_connections = 50"
		local line
		for line in "$@"; do echo "$line"; done
	} >> "$PGDATA/postgresql.conf"
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LSB_TMP/server.log" -w -t 60 start >/dev/null \
		|| { cat "$LSB_TMP/server.log"; lsb_die "server did not start"; }
}

lsb_stop_cluster() {
	local rc=$?
	if [ -n "${LSB_TMP:-}" ] && [ -d "$LSB_TMP" ]; then
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1
		if [ -n "${LSB_KEEP_LOG:-}" ]; then cp "$LSB_TMP/server.log" "$LSB_KEEP_LOG" 2>/dev/null; fi
		rm -rf "$LSB_TMP"
	fi
	return $rc
}

# The install tree is shared by everything on this machine: one build-install-test at a time.
lsb_take_install_lock() {
	exec 9>"/tmp/lsbilling-install$(echo "${LSB_PG_PREFIX:-}" | tr / _).lock"
	flock 9
}

lsb_psql() { "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -q "$@"; }
