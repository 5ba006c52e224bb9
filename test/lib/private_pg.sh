#!/usr/bin/env bash
# Developers only: make a private, relocated copy of the system's PostgreSQL 15
# (binaries, share, PGXS) under PREFIX, then build and test against it with
#   LSB_PG_PREFIX=PREFIX make test
# PostgreSQL finds its share and lib directories relative to its binaries, so
# a copy is a complete installation of its own; checkouts with different
# prefixes do not overwrite each other's lsbilling.so or install scripts.
set -eu
prefix=${1:?usage: private_pg.sh PREFIX}
. "$(dirname "$0")/cluster.sh"
LSB_PG_PREFIX= lsb_install_packages
mkdir -p "$prefix/usr/lib/postgresql" "$prefix/usr/share/postgresql"
rm -rf "$prefix/usr/lib/postgresql/15" "$prefix/usr/share/postgresql/15"
cp -a /usr/lib/postgresql/15 "$prefix/usr/lib/postgresql/"
cp -a /usr/share/postgresql/15 "$prefix/usr/share/postgresql/"
[ -e "$prefix/usr/include" ] || ln -s /usr/include "$prefix/usr/include"
echo "LSB_PG_PREFIX=$prefix"
