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

#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "utils/syscache.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
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

/*
 * A bound as an ISO 8601 literal in UTC: the same text whatever the
 * session's DateStyle and TimeZone (timestamptz_out follows both, and an
 * abbreviation such as IST reads back as another zone).
 */
char *
RunPartitionBoundLiteral(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(ts) || timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "lsbilling partition bound out of range");
	return psprintf("'%04d-%02d-%02d %02d:%02d:%02d.%06d+00'",
					tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
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

	rc = SPI_execute("SELECT pg_catalog.string_agg(pg_catalog.quote_ident(attname), ', ' ORDER BY attnum)"
					 " FROM pg_catalog.pg_attribute"
					 " WHERE attrelid = 'lsbilling.runs'::regclass AND attnum > 0"
					 " AND NOT attisdropped AND attgenerated = ''", true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cannot read the columns of lsbilling.runs");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return TextDatumGetCString(d);
}

/* runs' default partition (runs_default), or InvalidOid when there is none. */
Oid
RunsDefaultPartition(void)
{
	Oid			nsp = get_namespace_oid("lsbilling", true);
	Oid			runs = OidIsValid(nsp) ? get_relname_relid("runs", nsp) : InvalidOid;

	return OidIsValid(runs) ? get_default_partition_oid(runs) : InvalidOid;
}

/* The default partition's name, or NULL when there is none. */
static char *
DefaultPartitionName(void)
{
	Oid			def = RunsDefaultPartition();

	return OidIsValid(def) ? get_rel_name(def) : NULL;
}

/* The UTC day of a timestamp, for naming and bounding day partitions. */
DateADT
RunPartitionDay(TimestampTz ts)
{
	int64		days = ts / USECS_PER_DAY;

	if (ts < 0 && ts % USECS_PER_DAY != 0)
		days--;
	return (DateADT) days;
}

/* The name of a half (base, kept) of the day partition of a UTC day, into name. */
void
RunDayHalfName(char *name, DateADT day, bool kept)
{
	int			y,
				m,
				d;

	j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	snprintf(name, NAMEDATALEN, "runs_p%04d%02d%02d_%s", y, m, d, kept ? "kept" : "base");
}

/* The bound as a CHECK constraint, so that ATTACH need not scan the table. */
static void
AddBoundCheck(const char *name, TimestampTz lo, TimestampTz hi)
{
	PartExec(psprintf("ALTER TABLE lsbilling.%s ADD CONSTRAINT partition_bound"
					  " CHECK (start_time >= %s AND start_time < %s)",
					  quote_identifier(name), RunPartitionBoundLiteral(lo), RunPartitionBoundLiteral(hi)),
			 SPI_OK_UTILITY);
}

static void
Attach(const char *name, TimestampTz lo, TimestampTz hi)
{
	PartExec(psprintf("ALTER TABLE lsbilling.runs ATTACH PARTITION lsbilling.%s"
					  " FOR VALUES FROM (%s) TO (%s)",
					  quote_identifier(name), RunPartitionBoundLiteral(lo), RunPartitionBoundLiteral(hi)),
			 SPI_OK_UTILITY);
}

/* The name of a half (base, kept) of a day partition. */
char *
RunPartitionHalfName(const char *day_name, bool kept)
{
	char		half[NAMEDATALEN];

	snprintf(half, NAMEDATALEN, "%.*s_%s", NAMEDATALEN - 6, day_name, kept ? "kept" : "base");
	return pstrdup(half);
}

/*
 * Move the rows runs_default holds for [lo, hi) (and filter, an extra
 * condition) into the table target, which is not attached yet: an ATTACH
 * would otherwise fail on them.
 */
static void
MoveFromDefault(const char *default_name, TimestampTz lo, TimestampTz hi, const char *filter,
				const char *target, bool drop_ids)
{
	char	   *cols = RunsColumnList();

	/*
	 * Into a base half, the runs give up their run_ids rows: there a run's
	 * id is found in the half itself (run_ids.c), and a row left behind
	 * would outlive the half's TRUNCATE.
	 */
	PartExec(psprintf("WITH moved AS (DELETE FROM lsbilling.%s"
					  " WHERE start_time >= %s AND start_time < %s%s RETURNING %s)%s"
					  " INSERT INTO lsbilling.%s (%s) SELECT %s FROM moved",
					  quote_identifier(default_name), RunPartitionBoundLiteral(lo),
					  RunPartitionBoundLiteral(hi), filter, cols,
					  drop_ids ? ", ids AS (DELETE FROM lsbilling.run_ids i USING moved m"
					  "  WHERE i.workspace_id = m.workspace_id AND i.id = m.id AND i.start_time = m.start_time)" : "",
					  quote_identifier(target), cols, cols),
			 SPI_OK_INSERT);
}

/* Make and attach one half of a split day; rows runs_default has for it move in. */
static void
CreateDayHalf(const char *name, bool kept, TimestampTz lo, TimestampTz hi, const char *default_name)
{
	char	   *half = RunPartitionHalfName(name, kept);
	const char *qhalf = quote_identifier(half);

	PartExec(psprintf("CREATE TABLE lsbilling.%s (LIKE lsbilling.runs INCLUDING ALL)", qhalf),
			 SPI_OK_UTILITY);
	if (default_name != NULL)
		MoveFromDefault(default_name, lo, hi, kept ? " AND retained" : " AND NOT retained", half, !kept);
	AddBoundCheck(half, lo, hi);
	/*
	 * A base half's runs claim no run_ids row (run_ids.c): two creates of
	 * one run id racing past the retry check, whatever their start_time in
	 * the day, meet here, and the second gets 23505 as in run_ids.
	 */
	if (!kept)
		PartExec(psprintf("CREATE UNIQUE INDEX %s ON lsbilling.%s (workspace_id, id)",
						  quote_identifier(psprintf("%.*s_run_id_key", NAMEDATALEN - 12, half)), qhalf),
				 SPI_OK_UTILITY);
	PartExec(psprintf("ALTER TABLE lsbilling.%s ADD CONSTRAINT partition_half CHECK (%sretained)",
					  qhalf, kept ? "" : "NOT "),
			 SPI_OK_UTILITY);
	PartExec(psprintf("ALTER TABLE lsbilling.%s ATTACH PARTITION lsbilling.%s FOR VALUES IN (%s)",
					  quote_identifier(name), qhalf, kept ? "true" : "false"),
			 SPI_OK_UTILITY);
}

static void
CreateSplitDayPartition(const char *name, TimestampTz lo, TimestampTz hi, const char *default_name)
{
	PartExec(psprintf("CREATE TABLE lsbilling.%s (LIKE lsbilling.runs INCLUDING ALL) PARTITION BY LIST (retained)",
					  quote_identifier(name)),
			 SPI_OK_UTILITY);
	CreateDayHalf(name, false, lo, hi, default_name);
	CreateDayHalf(name, true, lo, hi, default_name);
	Attach(name, lo, hi);
}

/* Make and attach one day's partition; rows runs_default has for that day move in. */
static void
CreateDayPartition(const char *name, TimestampTz lo, TimestampTz hi, const char *default_name)
{
	const char *qname = quote_identifier(name);

	if (KeptRunsLayout())
	{
		CreateSplitDayPartition(name, lo, hi, default_name);
		return;
	}

	PartExec(psprintf("CREATE TABLE lsbilling.%s (LIKE lsbilling.runs INCLUDING ALL)", qname),
			 SPI_OK_UTILITY);
	if (default_name != NULL)
		MoveFromDefault(default_name, lo, hi, "", name, false);
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
	TimestampTz bound = 0;
	bool		bounded;
	SPITupleTable *tuptable;
	uint64		n;
	int			rc;

	if (days <= 0)
		return 0;
	rc = SPI_execute_with_args(
							   "SELECT 'runs_p' || pg_catalog.to_char(d, 'YYYYMMDD'), d AT TIME ZONE 'UTC',"
							   "  (d + interval '1 day') AT TIME ZONE 'UTC'"
							   " FROM pg_catalog.generate_series($1::timestamp,"
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
	bounded = DefaultBoundRead(&bound);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tup = tuptable->vals[i];
		bool		isnull;
		char	   *name = SPI_getvalue(tup, tuptable->tupdesc, 1);
		TimestampTz lo = DatumGetTimestampTz(SPI_getbinval(tup, tuptable->tupdesc, 2, &isnull));
		TimestampTz hi = DatumGetTimestampTz(SPI_getbinval(tup, tuptable->tupdesc, 3, &isnull));

		/* runs_default_bound proves runs_default holds nothing for a day from bound on */
		CreateDayPartition(name, lo, hi, bounded && lo >= bound ? NULL : default_name);
	}
	return (int) n;
}

void
RunPartitionDrop(const RunPartition *part)
{
	PartExec(psprintf("DROP TABLE lsbilling.%s", quote_identifier(part->name)), SPI_OK_UTILITY);
}

/*
 * The traces with runs in a partition that are marked purged, as parallel
 * uuid arrays (*ws, *ids; empty arrays when none).  Read before the swap
 * takes its lock: only a purge marks traces, and purges are serialized, so
 * the set cannot change until the swap commits.
 */
void
RunPartitionPurgedTraces(const RunPartition *part, Datum *ws, Datum *ids)
{
	bool		isnull;
	int			rc;

	/*
	 * One primary-key probe per trace of the day (LATERAL ... LIMIT 1 keeps
	 * it so): the statistics of traces.purged_at are stale right after the
	 * marking, and a join planned on them can go quadratic.
	 */
	rc = SPI_execute(psprintf("SELECT coalesce(pg_catalog.array_agg(d.workspace_id) FILTER (WHERE x.purged), '{}'),"
							  "  coalesce(pg_catalog.array_agg(d.trace_id) FILTER (WHERE x.purged), '{}')"
							  " FROM (SELECT DISTINCT r.workspace_id, r.trace_id FROM lsbilling.%s r) d"
							  " CROSS JOIN LATERAL (SELECT t.purged_at IS NOT NULL AS purged FROM lsbilling.traces t"
							  "  WHERE t.workspace_id = d.workspace_id AND t.id = d.trace_id LIMIT 1) x",
							  quote_identifier(part->name)),
					 false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cannot read the traces of %s", part->name);
	*ws = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull),
							false, -1);
	*ids = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull),
							 false, -1);
}

/* A partition from a row of (name, lo, hi), as the purge's lists of run_partitions give it. */
void
RunPartitionFromRow(HeapTuple row, TupleDesc desc, RunPartition *part)
{
	bool		isnull;

	part->name = SPI_getvalue(row, desc, 1);
	part->lo = DatumGetTimestampTz(SPI_getbinval(row, desc, 2, &isnull));
	part->hi = DatumGetTimestampTz(SPI_getbinval(row, desc, 3, &isnull));
}

/* Whether a partition of runs (a day, a half) holds any row. */
bool
RunPartitionHasRows(const char *name)
{
	if (SPI_execute(psprintf("SELECT 1 FROM lsbilling.%s LIMIT 1", quote_identifier(name)), false, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot read %s", name);
	return SPI_processed > 0;
}

/*
 * Empty the base half of a split day whose runs are all purged: TRUNCATE, which
 * gives it a new, empty file without a row-by-row delete, WAL for each row
 * or vacuum, and keeps the table attached so that a late run of a purged
 * trace still lands and is refused by its trace (LS410), as on any day.  It
 * locks only the half: an empty day is dropped later, runs locked first
 * (PurgeDropEmptyDays).
 */
void
RunPartitionTruncateBase(const RunPartition *part)
{
	PartExec(psprintf("TRUNCATE lsbilling.%s", quote_identifier(RunPartitionHalfName(part->name, false))),
			 SPI_OK_UTILITY);
}

/*
 * Drop a partition whose expired traces the purge has marked purged
 * (gone_ws, gone_ids: RunPartitionPurgedTraces), after moving the runs that
 * stay into a fresh table for the same range: those of every other trace
 * (kept, upgraded since the marking, arrived since; a run without a trace row
 * too).  Returns how many runs were moved.
 *
 * The caller holds ACCESS EXCLUSIVE on runs, taken without holding anything
 * a writer could be waiting for (PurgeLockAll): nothing can change this
 * partition from here to the commit.
 */
int64
RunPartitionReplacePurged(const RunPartition *part, Datum gone_ws, Datum gone_ids)
{
	char		copy[NAMEDATALEN];
	char	   *cols;
	Oid			argtypes[2] = {UUIDARRAYOID, UUIDARRAYOID};
	Datum		args[2] = {gone_ws, gone_ids};
	Datum		kept_ws,
				kept_ids;
	bool		isnull;
	int64		moved;
	int			rc;

	/*
	 * The traces that stay: every trace of the partition but those that go,
	 * read from the (workspace_id, trace_id) index (an index-only scan of
	 * the day, not of its rows), then their runs copied through that index.
	 */
	rc = SPI_execute_with_args(psprintf("SELECT array_agg(d.workspace_id), array_agg(d.trace_id) FROM ("
										" SELECT DISTINCT r.workspace_id, r.trace_id FROM lsbilling.%s r) d"
										" WHERE NOT EXISTS (SELECT 1 FROM unnest($1, $2) AS g(ws, id)"
										"  WHERE g.ws = d.workspace_id AND g.id = d.trace_id)",
										quote_identifier(part->name)),
							   2, argtypes, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cannot read the traces of %s", part->name);
	kept_ws = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
	{
		RunPartitionDrop(part);
		return 0;
	}
	kept_ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);

	snprintf(copy, NAMEDATALEN, "%.*s_k", NAMEDATALEN - 3, part->name);
	PartExec(psprintf("CREATE TABLE lsbilling.%s (LIKE lsbilling.runs INCLUDING ALL)",
					  quote_identifier(copy)),
			 SPI_OK_UTILITY);
	cols = RunsColumnList();
	args[0] = kept_ws;
	args[1] = kept_ids;
	rc = SPI_execute_with_args(psprintf("INSERT INTO lsbilling.%s (%s) SELECT %s FROM lsbilling.%s r"
										" WHERE EXISTS (SELECT 1 FROM unnest($1, $2) AS s(ws, id)"
										"  WHERE s.ws = r.workspace_id AND s.id = r.trace_id)",
										quote_identifier(copy), cols, cols, quote_identifier(part->name)),
							   2, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "cannot copy the kept runs of %s: %s", part->name, SPI_result_code_string(rc));
	moved = (int64) SPI_processed;
	AddBoundCheck(copy, part->lo, part->hi);

	RunPartitionDrop(part);
	PartExec(psprintf("ALTER TABLE lsbilling.%s RENAME TO %s",
					  quote_identifier(copy), quote_identifier(part->name)),
			 SPI_OK_UTILITY);
	Attach(part->name, part->lo, part->hi);
	return moved;
}

/*
 * lsbilling.run_partition_bounds(regclass): a partition's bounds read from
 * its parsed bound spec, not from pg_get_expr's text, which is printed in the
 * session's DateStyle and TimeZone and does not always read back as the same
 * instant.  MINVALUE / MAXVALUE come out as NULL.
 */
PG_FUNCTION_INFO_V1(lsbilling_run_partition_bounds);
Datum
lsbilling_run_partition_bounds(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	TupleDesc	tupdesc;
	Datum		values[3] = {0};
	bool		nulls[3] = {false, true, true};
	HeapTuple	tup;
	Datum		bound;
	bool		isnull;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		PG_RETURN_NULL();
	bound = SysCacheGetAttr(RELOID, tup, Anum_pg_class_relpartbound, &isnull);
	if (isnull)
	{
		ReleaseSysCache(tup);
		PG_RETURN_NULL();
	}
	{
		PartitionBoundSpec *spec = castNode(PartitionBoundSpec,
											stringToNode(TextDatumGetCString(bound)));

		values[0] = BoolGetDatum(spec->is_default);
		if (!spec->is_default && spec->strategy == PARTITION_STRATEGY_RANGE)
		{
			List	   *sides[2] = {spec->lowerdatums, spec->upperdatums};

			for (int i = 0; i < 2; i++)
			{
				PartitionRangeDatum *d;

				if (list_length(sides[i]) != 1)
					continue;
				d = castNode(PartitionRangeDatum, linitial(sides[i]));
				/* runs' key is a timestamptz; any other partitioned table's bounds are not ours to read */
				if (d->kind == PARTITION_RANGE_DATUM_VALUE && !castNode(Const, d->value)->constisnull &&
					castNode(Const, d->value)->consttype == TIMESTAMPTZOID)
				{
					values[i + 1] = castNode(Const, d->value)->constvalue;
					nulls[i + 1] = false;
				}
			}
		}
	}
	ReleaseSysCache(tup);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
