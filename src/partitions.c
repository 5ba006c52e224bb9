/*-------------------------------------------------------------------------
 *
 * partitions.c
 *	  Day partitions of lsbilling.runs: made ahead of time, dropped whole,
 *	  or replaced by a copy that keeps only the runs still retained.
 *
 * A partition is attached, never created with PARTITION OF: ATTACH takes
 * only SHARE UPDATE EXCLUSIVE on runs, so inserts of new runs go on while
 * tomorrow's partition is made.  Rows that runs_default holds for a day
 * about to get its own partition would make the ATTACH fail; they are moved
 * into the new table first.  The bound is also written as a CHECK constraint
 * before the ATTACH so that PostgreSQL skips scanning the new table while it
 * holds its locks.
 *
 * Callers run inside a transaction with SPI connected and with
 * lsbilling.maintenance on (moving rows must not touch trace totals).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "lsbilling.h"
#include "retention.h"

static void
PartExec(const char *sql, int expected)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc != expected)
		elog(ERROR, "lsbilling partition maintenance failed (%s): %s",
			 SPI_result_code_string(rc), sql);
}

static char *
TimestampLiteral(TimestampTz ts)
{
	return quote_literal_cstr(DatumGetCString(DirectFunctionCall1(timestamptz_out,
																  TimestampTzGetDatum(ts))));
}

/*
 * The columns a copy of runs' rows names: all but generated ones, which the
 * new table computes itself.  Read every time: other parts of lsbilling may
 * add columns in later versions.
 */
char *
RunsColumnList(void)
{
	bool		isnull;
	Datum		d;
	int			rc;

	rc = SPI_execute("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)"
					 " FROM pg_catalog.pg_attribute"
					 " WHERE attrelid = 'lsbilling.runs'::regclass AND attnum > 0"
					 " AND NOT attisdropped AND attgenerated = ''", true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cannot read the columns of lsbilling.runs");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return TextDatumGetCString(d);
}

/* The default partition's name, or NULL when there is none. */
static char *
DefaultPartitionName(void)
{
	int			rc;

	rc = SPI_execute("SELECT name FROM lsbilling.run_partitions WHERE is_default", true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "cannot list the partitions of lsbilling.runs");
	if (SPI_processed == 0)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* The bound as a CHECK constraint, so that ATTACH need not scan the table. */
static void
AddBoundCheck(const char *name, TimestampTz lo, TimestampTz hi)
{
	PartExec(psprintf("ALTER TABLE lsbilling.%s ADD CONSTRAINT partition_bound"
					  " CHECK (start_time >= %s AND start_time < %s)",
					  quote_identifier(name), TimestampLiteral(lo), TimestampLiteral(hi)),
			 SPI_OK_UTILITY);
}

static void
Attach(const char *name, TimestampTz lo, TimestampTz hi)
{
	PartExec(psprintf("ALTER TABLE lsbilling.runs ATTACH PARTITION lsbilling.%s"
					  " FOR VALUES FROM (%s) TO (%s)",
					  quote_identifier(name), TimestampLiteral(lo), TimestampLiteral(hi)),
			 SPI_OK_UTILITY);
}

/* Make and attach one day's partition; rows runs_default has for that day move in. */
static void
CreateDayPartition(const char *name, TimestampTz lo, TimestampTz hi, const char *default_name)
{
	const char *qname = quote_identifier(name);

	PartExec(psprintf("CREATE TABLE lsbilling.%s (LIKE lsbilling.runs INCLUDING ALL)", qname),
			 SPI_OK_UTILITY);
	if (default_name != NULL)
	{
		char	   *cols = RunsColumnList();

		PartExec(psprintf("WITH moved AS (DELETE FROM lsbilling.%s"
						  " WHERE start_time >= %s AND start_time < %s RETURNING %s)"
						  " INSERT INTO lsbilling.%s (%s) SELECT %s FROM moved",
						  quote_identifier(default_name), TimestampLiteral(lo),
						  TimestampLiteral(hi), cols, qname, cols, cols),
				 SPI_OK_INSERT);
	}
	AddBoundCheck(name, lo, hi);
	Attach(name, lo, hi);
}

/*
 * Create the missing partitions for the UTC days [from_day, from_day + days).
 * A day that any partition already overlaps is left alone.
 */
int
RunPartitionsEnsure(DateADT from_day, int days)
{
	Oid			argtypes[2] = {DATEOID, INT4OID};
	Datum		args[2] = {DateADTGetDatum(from_day), Int32GetDatum(days)};
	char	   *default_name;
	SPITupleTable *tuptable;
	uint64		n;
	int			rc;

	if (days <= 0)
		return 0;
	rc = SPI_execute_with_args(
							   "SELECT 'runs_p' || to_char(d, 'YYYYMMDD'), d AT TIME ZONE 'UTC',"
							   "  (d + interval '1 day') AT TIME ZONE 'UTC'"
							   " FROM generate_series($1::timestamp,"
							   "  $1::timestamp + ($2 - 1) * interval '1 day', interval '1 day') d"
							   " WHERE NOT EXISTS (SELECT 1 FROM lsbilling.run_partitions p"
							   "  WHERE NOT p.is_default"
							   "  AND coalesce(p.lo, '-infinity') < (d + interval '1 day') AT TIME ZONE 'UTC'"
							   "  AND coalesce(p.hi, 'infinity') > d AT TIME ZONE 'UTC')"
							   " ORDER BY d",
							   2, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "cannot list the missing partitions of lsbilling.runs");
	if (SPI_processed == 0)
		return 0;

	tuptable = SPI_tuptable;
	n = SPI_processed;
	default_name = DefaultPartitionName();
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tup = tuptable->vals[i];
		bool		isnull;
		char	   *name = SPI_getvalue(tup, tuptable->tupdesc, 1);
		TimestampTz lo = DatumGetTimestampTz(SPI_getbinval(tup, tuptable->tupdesc, 2, &isnull));
		TimestampTz hi = DatumGetTimestampTz(SPI_getbinval(tup, tuptable->tupdesc, 3, &isnull));

		CreateDayPartition(name, lo, hi, default_name);
	}
	return (int) n;
}

void
RunPartitionDrop(const RunPartition *part)
{
	PartExec(psprintf("DROP TABLE lsbilling.%s", quote_identifier(part->name)), SPI_OK_UTILITY);
}

/*
 * Copy the runs of a partition that stay into a new table, ready to replace
 * it (RunPartitionReplace): only the runs of the given traces (parallel uuid
 * arrays ws, ids), or, with keep_listed false, all runs but theirs.  Naming
 * the kept traces is the fast way: index lookups for the few kept, not a
 * pass over the whole day.  The copy is filled, indexed (LIKE ... INCLUDING
 * ALL) and its bound checked now, while runs is not locked; the caller holds
 * a lock on the partition that keeps writers out of it meanwhile.  Returns
 * the new table's name; *kept says how many runs it holds.
 */
char *
RunPartitionCopyKept(const RunPartition *part, Datum ws, Datum ids, bool keep_listed,
					 int64 *kept)
{
	char	   *tmpname = palloc(NAMEDATALEN);
	const char *qtmp;
	char	   *cols = RunsColumnList();
	Oid			argtypes[2] = {UUIDARRAYOID, UUIDARRAYOID};
	Datum		args[2] = {ws, ids};
	int			rc;

	snprintf(tmpname, NAMEDATALEN, "%.*s_k", NAMEDATALEN - 3, part->name);
	qtmp = quote_identifier(tmpname);

	PartExec(psprintf("CREATE TABLE lsbilling.%s (LIKE lsbilling.runs INCLUDING ALL)", qtmp),
			 SPI_OK_UTILITY);
	rc = SPI_execute_with_args(psprintf("INSERT INTO lsbilling.%s (%s) SELECT %s FROM lsbilling.%s r"
										" WHERE %s EXISTS (SELECT 1 FROM unnest($1, $2) AS s(ws, id)"
										"  WHERE s.ws = r.workspace_id AND s.id = r.trace_id)",
										qtmp, cols, cols, quote_identifier(part->name),
										keep_listed ? "" : "NOT"),
							   2, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "cannot copy the kept runs of %s: %s", part->name, SPI_result_code_string(rc));
	*kept = (int64) SPI_processed;
	AddBoundCheck(tmpname, part->lo, part->hi);
	return tmpname;
}

/*
 * Drop a partition and, when copy is not NULL, attach that copy in its
 * place under its name.  runs is locked ACCESS EXCLUSIVE from the DROP to
 * the end of the transaction, so callers do this last.
 */
void
RunPartitionReplace(const RunPartition *part, const char *copy)
{
	RunPartitionDrop(part);
	if (copy == NULL)
		return;
	PartExec(psprintf("ALTER TABLE lsbilling.%s RENAME TO %s",
					  quote_identifier(copy), quote_identifier(part->name)),
			 SPI_OK_UTILITY);
	Attach(part->name, part->lo, part->hi);
}
