# lsbilling: PGXS build.  `make test` and `make demo` need nothing installed
# beforehand: their scripts (test/lib/cluster.sh) apt-get install the Debian
# packages they lack, then build through
# PGXS in a nested make, so this file must parse without pg_config.

EXTENSION = lsbilling
MODULE_big = lsbilling
EXTVERSION = 0.1.0

OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from one file per concern (sql/install/NN_*.sql),
# in name order, so that each feature's DDL lives beside its tests, not in one
# several-thousand-line script.
INSTALL_PARTS = $(sort $(wildcard sql/install/*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*--*.sql))

REGRESS = $(filter-out $(EXTENSION)--%,$(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=lsbilling

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

PCRE2_CFLAGS := $(shell pkg-config --cflags libpcre2-8 2>/dev/null)
PCRE2_LIBS := $(shell pkg-config --libs libpcre2-8 2>/dev/null)
PG_CPPFLAGS = -I$(srcdir)/src $(PCRE2_CFLAGS)
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK = $(PCRE2_LIBS)

EXTRA_CLEAN = $(DATA_built) results regression.diffs regression.out

ifneq ($(PGXS),)
include $(PGXS)
endif

$(DATA_built): $(INSTALL_PARTS)
	@echo "-- generated from sql/install/*.sql by make; edit those files" > $@.tmp
	@printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit' >> $@.tmp
	cat $(INSTALL_PARTS) >> $@.tmp
	mv $@.tmp $@

$(OBJS): $(wildcard src/*.h)

.PHONY: test demo bench
# Contract: the two commands a new user runs (as root or with sudo).
test:
	bash test/run_tests.sh

demo:
	bash test/run_demo.sh

bench:
	bash bench/run_bench.sh
