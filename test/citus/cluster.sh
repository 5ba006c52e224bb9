# Citus for test/citus/run.sh (and by hand): build Citus from a source tarball
# into the PostgreSQL tree that pg_config names, once per tarball and
# PostgreSQL version, and run a throwaway coordinator with two workers as the
# postgres OS user, on Unix sockets only, stopped on exit whatever happens.
# Needs test/lib/cluster.sh sourced first (PGBIN, lsb_die, lsb_psql).
# shellcheck shell=bash

LSB_CITUS_PORT=${LSB_CITUS_PORT:-55561}	# coordinator; the workers take the next two

# lsb_citus_install TARBALL: build and install Citus unless the installed one
# was built from the same tarball (sha256) for the same PostgreSQL.  The stamp
# is written next to citus.so only after a complete install, under a lock, so
# a build cut short or running concurrently is never taken for a good one.
lsb_citus_install() {
	local tarball=$1 pgc=${PG_CONFIG:-$PGBIN/pg_config} key libdir stamp tmp src
	[ -f "$tarball" ] || lsb_die "CITUS_TARBALL=$tarball: no such file"
	key="$(sha256sum "$tarball" | cut -d' ' -f1) $("$pgc" --version)"
	libdir=$("$pgc" --pkglibdir)
	stamp="$libdir/citus.lsbilling-build"
	exec 8>"/tmp/lsbilling-citus-build$(echo "$libdir" | tr / _).lock"
	flock 8
	if [ -f "$libdir/citus.so" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
		echo "# Citus: installed build matches $(basename "$tarball") and $("$pgc" --version), not rebuilt"
		flock -u 8
		return 0
	fi
	echo "# Citus: building from $tarball (a few minutes, once per tarball and PostgreSQL version)"
	rm -f "$stamp"
	# everything of the build under one fresh directory, removed as a whole
	tmp=$(mktemp -d /tmp/lsbilling-citus-src.XXXXXX) || lsb_die "mktemp failed"
	src=$tmp/src
	mkdir "$src" && tar -xzf "$tarball" -C "$src" || { rm -rf "$tmp"; lsb_die "cannot unpack $tarball"; }
	# a tarball made by git archive with a prefix holds one directory
	if [ ! -f "$src/configure" ] && [ "$(ls "$src" | wc -l)" -eq 1 ]; then src="$src/$(ls "$src")"; fi
	if ! PG_CONFIG=$pgc bash "$LSB_ROOT/test/citus/build-citus.sh" "$src" >"$tmp/build.log" 2>&1; then
		cat "$tmp/build.log"
		rm -rf "$tmp"
		lsb_die "building Citus failed"
	fi
	tail -1 "$tmp/build.log" | sed 's/^/# /'
	rm -rf "$tmp"
	echo "$key" >"$stamp"
	flock -u 8
}

# lsb_citus_start: initdb and start three Citus nodes, and one plain
# PostgreSQL with lsbilling alone (the single-node reference), under one
# temporary directory.  Sets LSB_CTMP, CPORT (coordinator), W1PORT, W2PORT,
# SPORT (the single node); PGHOST is the socket dir.
lsb_citus_start() {
	local port name preload
	LSB_CTMP=$(mktemp -d /tmp/lsbilling-citus.XXXXXX)
	chown postgres: "$LSB_CTMP"
	chmod 755 "$LSB_CTMP"
	CPORT=$LSB_CITUS_PORT
	W1PORT=$((CPORT + 1))
	W2PORT=$((CPORT + 2))
	SPORT=$((CPORT + 3))
	export PGHOST=$LSB_CTMP PGPORT=$CPORT PGUSER=postgres
	trap lsb_citus_stop EXIT
	trap 'exit 130' INT TERM
	for port in $CPORT $W1PORT $W2PORT $SPORT; do
		name=n$port
		preload="citus, lsbilling"
		[ "$port" = "$SPORT" ] && preload=lsbilling
		runuser -u postgres -- "$PGBIN/initdb" -D "$LSB_CTMP/$name" -U postgres --auth=trust \
			--encoding=UTF8 --locale=C.UTF-8 >"$LSB_CTMP/initdb.log" 2>&1 \
			|| { cat "$LSB_CTMP/initdb.log"; lsb_die "initdb failed"; }
		cat >>"$LSB_CTMP/$name/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$LSB_CTMP'
port = $port
shared_preload_libraries = '$preload'
lsbilling.database = 'lsbilling_test'
citus.local_hostname = '$LSB_CTMP'
fsync = off
max_connections = 60
max_prepared_transactions = 60
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
CONF
		# On the coordinator only: lsbilling.distribute() asks for both.  A worker
		# that propagated SET LOCAL too would send it again on the connections its
		# shards' triggers open (Citus 13.2 then fails with "the backend has already
		# been assigned a transaction id").
		[ "$port" = "$CPORT" ] && cat >>"$LSB_CTMP/$name/postgresql.conf" <<CONF
citus.enable_unsafe_triggers = on
citus.propagate_set_commands = 'local'
CONF
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$LSB_CTMP/$name" -l "$LSB_CTMP/$name.log" -w -t 60 start >/dev/null \
			|| { cat "$LSB_CTMP/$name.log"; lsb_die "node on port $port did not start"; }
	done
}

lsb_citus_stop() {
	local rc=$? port
	if [ -n "${LSB_CTMP:-}" ] && [ -d "$LSB_CTMP" ]; then
		for port in $CPORT $W1PORT $W2PORT $SPORT; do
			[ -d "$LSB_CTMP/n$port" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$LSB_CTMP/n$port" \
				-m immediate -w stop >/dev/null 2>&1
		done
		if [ -n "${LSB_KEEP_LOG:-}" ]; then cat "$LSB_CTMP"/n*.log >"$LSB_KEEP_LOG" 2>/dev/null; fi
		rm -rf "$LSB_CTMP"
	fi
	return $rc
}

# lsb_citus_db DB: the database with citus and lsbilling on every node (Citus
# needs the extension installed on the workers before it can use them), the
# workers added, on the coordinator.
lsb_citus_db() {
	local db=$1 port
	for port in $CPORT $W1PORT $W2PORT; do
		lsb_psql -p "$port" -d postgres -c "CREATE DATABASE $db" || lsb_die "cannot create $db on $port"
		lsb_psql -p "$port" -d "$db" -c "CREATE EXTENSION citus" || lsb_die "CREATE EXTENSION citus failed on $port"
	done
	lsb_psql -p "$CPORT" -d "$db" -c "SELECT citus_set_coordinator_host('$LSB_CTMP', $CPORT)" >/dev/null \
		&& lsb_psql -p "$CPORT" -d "$db" -c "SELECT citus_add_node('$LSB_CTMP', $W1PORT)" >/dev/null \
		&& lsb_psql -p "$CPORT" -d "$db" -c "SELECT citus_add_node('$LSB_CTMP', $W2PORT)" >/dev/null \
		|| lsb_die "citus_add_node failed"
}
