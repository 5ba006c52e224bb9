#!/usr/bin/env bash
# The upgrade from the released 0.1.0: install 0.1.0, load the demo sample,
# ALTER EXTENSION lsbilling UPDATE, and check that the catalog equals a fresh
# install of the current version (test/upgrade/catalog.sql lists it), that the
# data written under 0.1.0 are intact, that the write path works afterwards,
# and that running the update script a second time changes nothing (Citus
# runs it on every node; it must be idempotent).
set -u
old=lsb_upgrade_old
new=lsb_upgrade_new
P() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
n=0
check() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		echo "not ok $n - $3"; echo "#   got:      $1" | head -c 2000; echo; echo "#   expected: $2" | head -c 2000; echo; fi
}
cleanup() { P -d postgres -c "DROP DATABASE IF EXISTS $old" -c "DROP DATABASE IF EXISTS $new" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
P -d postgres -c "CREATE DATABASE $old" -c "CREATE DATABASE $new" >/dev/null || { echo "Bail out! createdb"; exit 1; }
current=$(P -d postgres -At -c "SELECT default_version FROM pg_available_extensions WHERE name = 'lsbilling'")
echo "1..9"

P -d $old -c "CREATE EXTENSION lsbilling VERSION '0.1.0'" >/dev/null 2>&1
check "$(P -d $old -At -c "SELECT extversion FROM pg_extension WHERE extname = 'lsbilling'")" "0.1.0" \
	"the released 0.1.0 installs"
P -d $old -f "$LSB_ROOT/test/demo/sample.sql" >/dev/null 2>"$LSB_TMP/upgrade_sample.err"
check "$?" "0" "the demo sample loads into 0.1.0"
sed 's/^/# /' "$LSB_TMP/upgrade_sample.err" | head -5

# Every 0.1.0 table's rows, over the columns 0.1.0 had, as one digest a table:
# the update may add columns but must not change what was there.
digest_query=$(P -d $old -At -c "
	SELECT string_agg(format(
		'SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(row_text, '','' ORDER BY row_text)), '''') FROM (SELECT ROW(%s)::text AS row_text FROM lsbilling.%I%s) s',
		c.relname,
		(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
		  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
		c.relname,
		-- the shipped price rows are the catalog's, which the update refreshes
		CASE WHEN c.relname = 'model_prices' THEN ' WHERE NOT shipped' ELSE '' END), ' UNION ALL ' ORDER BY c.relname)
	FROM pg_class c
	WHERE c.relnamespace = 'lsbilling'::regnamespace AND c.relkind IN ('r', 'p')
	  AND NOT c.relispartition")
before=$(P -d $old -At -c "$digest_query ORDER BY 1")

P -d $old -c "ALTER EXTENSION lsbilling UPDATE" >"$LSB_TMP/upgrade.out" 2>&1
rc=$?
check "$rc" "0" "ALTER EXTENSION lsbilling UPDATE succeeds on a database holding 0.1.0 data"
[ "$rc" -ne 0 ] && sed 's/^/# /' "$LSB_TMP/upgrade.out" | head -20
check "$(P -d $old -At -c "SELECT extversion FROM pg_extension WHERE extname = 'lsbilling'")" "$current" \
	"the updated database is at the current version ($current)"

P -d $new -c "CREATE EXTENSION lsbilling" >/dev/null 2>&1
P -d $old -f "$LSB_ROOT/test/upgrade/catalog.sql" >"$LSB_TMP/catalog_old.txt"
P -d $new -f "$LSB_ROOT/test/upgrade/catalog.sql" >"$LSB_TMP/catalog_new.txt"
catdiff=$(diff "$LSB_TMP/catalog_old.txt" "$LSB_TMP/catalog_new.txt")
check "$catdiff" "" "the updated catalog equals a fresh install's ($(wc -l <"$LSB_TMP/catalog_new.txt") lines compared)"
[ -n "$catdiff" ] && echo "$catdiff" | head -40 | sed 's/^/# /'

after=$(P -d $old -At -c "$digest_query ORDER BY 1")
check "$after" "$before" "every 0.1.0 table's rows are intact after the update"

# The update script run again (as Citus does on each node) fails nothing and changes nothing.
delta="$LSB_ROOT/sql/lsbilling--0.1.0--0.2.0.sql"
grep -v '^\\echo Use ' "$delta" | sed "s/MODULE_PATHNAME/\$libdir\/lsbilling/g" >"$LSB_TMP/delta_again.sql"
P -d $old -c "SET client_min_messages = warning" -f "$LSB_TMP/delta_again.sql" >"$LSB_TMP/delta_again.out" 2>&1
rc=$?
check "$rc" "0" "the update script runs a second time without error (idempotent)"
[ "$rc" -ne 0 ] && sed 's/^/# /' "$LSB_TMP/delta_again.out" | head -20
P -d $old -f "$LSB_ROOT/test/upgrade/catalog.sql" >"$LSB_TMP/catalog_again.txt"
check "$(diff "$LSB_TMP/catalog_old.txt" "$LSB_TMP/catalog_again.txt")" "" \
	"a second run of the update script leaves the catalog as it was"

# The write path of the updated database: a new trace of one priced run.
got=$(P -d $old -At -c "
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra, outputs)
	SELECT p.workspace_id, 'aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000001', p.id,
	       'after-upgrade', 'llm', now(),
	       '{\"metadata\": {\"ls_model_name\": \"gpt-4o\", \"ls_provider\": \"openai\"}}',
	       '{\"usage_metadata\": {\"input_tokens\": 1000, \"output_tokens\": 100}}'
	FROM lsbilling.projects p ORDER BY p.workspace_id, p.id LIMIT 1;
	SELECT t.run_count || ' ' || t.total_tokens || ' ' || (t.total_cost > 0)
	FROM lsbilling.traces t WHERE t.id = 'aaaaaaaa-0000-4000-8000-000000000001'")
check "$got" "1 1100 true" "a run written after the update is priced and rolled up into its trace"
