/*-------------------------------------------------------------------------
 *
 * purge_watermark.c
 *	  The purge on one node with split days: a watermark instead of a row
 *	  written per expired trace, and a day's base half dropped whole.
 *
 * Every trace whose expires_at is at or before lsbilling.purge_watermark's
 * purged_through is purged: writes to it are refused (LS410) and its data is
 * gone or going with its day's base half.  A pass is two steps:
 *
 *  1. marking (one transaction, PurgeMarkWatermark): with feedback, queue
 *     items and rule matches held (SHARE: a writer of those committed before,
 *     or waits and then finds the trace purged), delete what hangs off the
 *     extended traces that expire (their kept runs, found through run_ids,
 *     feedback, queue items, rule matches, run ids), delete the expired runs
 *     of runs_default and of days made before 0.2.0, and move the watermark.
 *     Base traces have no feedback, queue item or rule match: writing one
 *     makes the trace extended (tier_upgrade.c).  Nothing is written per
 *     expired base trace.
 *  2. emptying (PurgeDropNextDay, a transaction a day in the worker): a day
 *     whose base half holds only runs of purged traces has that half emptied
 *     by TRUNCATE (it stays attached, so that a late run still lands and is
 *     refused by its trace); one that still holds runs of kept traces
 *     (a workspace with a longer retention, a run the upgrade's move did not
 *     reach) has the purged traces' runs deleted.  Which traces a half holds
 *     is read from its (workspace_id, trace_id) index.  A day with both
 *     halves empty, older than the shortest base retention, is dropped.
 *
 * Crash safety: the watermark moves only in the transaction that deletes
 * the data hanging off the traces it covers; a day's half goes in one
 * transaction.  A pass cut short leaves base halves of purged traces, which
 * the next pass empties.
 *
 * On Citus, and on a 0.1.0 schema served by this library, the purge of
 * purge.c runs instead (purged_at written per trace, day partitions swapped
 * or deleted from).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "retention.h"
#include "tiers.h"

/* lsbilling.purge_watermark, or InvalidOid before the 0.2.0 update. */
static Oid
WatermarkRelid(void)
{
	Oid			nsp = get_namespace_oid("lsbilling", true);

	return OidIsValid(nsp) ? get_relname_relid("purge_watermark", nsp) : InvalidOid;
}

/* The purge of this file applies: one node, split days, the 0.2.0 schema. */
bool
PurgeWatermarkMode(void)
{
	return KeptRunsLayout() && OidIsValid(WatermarkRelid());
}

/*
 * The watermark: -infinity on Citus, before the 0.2.0 update, or before any
 * pass.  Read from the table itself (one row), without SPI, with the
 * statement's snapshot; kept for the rest of the statement.
 */
TimestampTz
PurgeWatermarkRead(void)
{
	static LocalTransactionId cached_lxid = InvalidLocalTransactionId;
	static CommandId cached_cid = InvalidCommandId;
	static TimestampTz cached = DT_NOBEGIN;
	Oid			relid;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	Snapshot	snapshot;
	TimestampTz w = DT_NOBEGIN;

	if (MyProc->lxid == cached_lxid && GetCurrentCommandId(false) == cached_cid)
		return cached;
	if (LsbCitusActive() || !OidIsValid(relid = WatermarkRelid()))
		return DT_NOBEGIN;
	rel = table_open(relid, AccessShareLock);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, 2, RelationGetDescr(rel), &isnull);

		if (!isnull)
			w = Max(w, DatumGetTimestampTz(d));
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	cached_lxid = MyProc->lxid;
	cached_cid = GetCurrentCommandId(false);
	cached = w;
	return w;
}

/*
 * SQL: the traces the watermark newly covers, from $1 (the old watermark)
 * to $2 (the new one); alias: the traces' alias and a dot, or "".
 */
#define NEWLY_COVERED(alias) \
	alias "expires_at > $1 AND " alias "expires_at <= $2 AND " alias "purged_at IS NULL"

static int64
ExecCount(const char *sql, int nargs, Oid *argtypes, Datum *args, int expected)
{
	bool		isnull;
	int			rc = SPI_execute_with_args(sql, nargs, argtypes, args, NULL, false, 0);

	if (rc != expected)
		elog(ERROR, "lsbilling purge: %s failed: %s", sql, SPI_result_code_string(rc));
	if (expected == SPI_OK_SELECT)
		return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return (int64) SPI_processed;
}

/*
 * The runs of the traces that purged_through covers in the partitions that
 * are neither split day's halves: runs_default and days made before 0.2.0
 * (read whole, joined to their traces), with their run ids.
 */
static void
DeleteFromUnsplitPartitions(TimestampTz old_w, TimestampTz w, PurgeCounts *counts)
{
	SPITupleTable *parts;
	uint64		nparts;
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[2] = {TimestampTzGetDatum(w), TimestampTzGetDatum(old_w)};

	if (SPI_execute("SELECT c.relname, b.is_default FROM pg_catalog.pg_inherits i"
					" JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
					" CROSS JOIN LATERAL lsbilling.run_partition_bounds(c.oid::pg_catalog.regclass) b"
					" WHERE i.inhparent = 'lsbilling.runs'::pg_catalog.regclass AND c.relkind = 'r'"
					" ORDER BY c.relname", false, 0) != SPI_OK_SELECT)
		elog(ERROR, "lsbilling purge: cannot list the partitions of runs");
	parts = SPI_tuptable;
	nparts = SPI_processed;
	for (uint64 i = 0; i < nparts; i++)
	{
		char	   *name = SPI_getvalue(parts->vals[i], parts->tupdesc, 1);
		bool		isnull;
		bool		is_default = DatumGetBool(SPI_getbinval(parts->vals[i], parts->tupdesc, 2, &isnull));

		if (!RunPartitionHasRows(name))
			continue;

		/*
		 * runs_default (small: the safety net) is joined whole, so that runs
		 * of a trace that arrived already past its retention go too; a day
		 * made before 0.2.0 (which may hold the runs of 0.1.0's extended
		 * traces for a year) through the traces the watermark newly covers.
		 */
		counts->runs_deleted +=
			ExecCount(psprintf("WITH gone AS (DELETE FROM lsbilling.%s r USING lsbilling.traces t"
							   "  WHERE t.workspace_id = r.workspace_id AND t.id = r.trace_id"
							   "  AND t.purged_at IS NULL AND t.expires_at <= $1%s"
							   "  RETURNING r.workspace_id, r.id, r.start_time),"
							   " ids AS (DELETE FROM lsbilling.run_ids i USING gone g"
							   "  WHERE i.workspace_id = g.workspace_id AND i.id = g.id AND i.start_time = g.start_time)"
							   " SELECT pg_catalog.count(*) FROM gone",
							   quote_identifier(name), is_default ? "" : " AND t.expires_at > $2"),
					  2, argtypes, args, SPI_OK_SELECT);
	}
}

/* What hangs off the extended traces the watermark newly covers ($1, $2: old and new). */
static void
DeleteExtendedTraceData(PurgeCounts *counts, Oid *argtypes, Datum *args)
{
	counts->runs_deleted +=
		ExecCount("WITH x AS (SELECT workspace_id, id FROM lsbilling.traces"
				  "  WHERE tier = 'extended' AND " NEWLY_COVERED("") "),"
				  " gone AS (DELETE FROM lsbilling.runs r USING lsbilling.run_ids i, x"
				  "  WHERE i.workspace_id = x.workspace_id AND i.trace_id = x.id"
				  "  AND r.workspace_id = i.workspace_id AND r.id = i.id AND r.start_time = i.start_time"
				  "  AND r.retained RETURNING 1)"
				  " SELECT pg_catalog.count(*) FROM gone",
				  2, argtypes, args, SPI_OK_SELECT);
	{
		/* the rows that hang off them, each table through its (workspace_id, trace_id) index */
		static const char *const tables[4] = {"feedback", "annotation_queue_runs", "rule_matches", "run_ids"};
		int64	   *deleted[4] = {&counts->feedback_deleted, &counts->queue_items_deleted,
		&counts->rule_matches_deleted, NULL};

		for (int i = 0; i < 4; i++)
		{
			int64		n = ExecCount(psprintf("DELETE FROM lsbilling.%s x USING lsbilling.traces t"
											   " WHERE t.tier = 'extended' AND " NEWLY_COVERED("t.")
											   " AND x.workspace_id = t.workspace_id AND x.trace_id = t.id",
											   tables[i]),
									  2, argtypes, args, SPI_OK_DELETE);

			if (deleted[i] != NULL)
				*deleted[i] += n;
		}
	}
}

/*
 * Step 1: move the watermark to as_of (never back), deleting first what
 * hangs off the traces it newly covers.  Takes PurgeLockForMarking's locks.
 * Returns the watermark.
 */
TimestampTz
PurgeMarkWatermark(TimestampTz as_of, PurgeCounts *counts)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[2];
	TimestampTz old_w;
	bool		isnull;
	int			rc;

	/* no feedback, queue item or rule match is being written from here to the commit */
	PurgeLockForMarking();
	/* no row before the first pass (a row made by the install script would clash with a dump's) */
	rc = SPI_execute("SELECT purged_through FROM lsbilling.purge_watermark FOR UPDATE", false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling purge: cannot read lsbilling.purge_watermark");
	old_w = SPI_processed == 0 ? DT_NOBEGIN :
		DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (as_of <= old_w)
	{
		counts->purged_through = old_w;
		return old_w;
	}
	args[0] = TimestampTzGetDatum(old_w);
	args[1] = TimestampTzGetDatum(as_of);

	/* how many traces the watermark purges (an index-only count, nothing written) */
	counts->traces_purged +=
		ExecCount("SELECT pg_catalog.count(*) FROM lsbilling.traces"
				  " WHERE " NEWLY_COVERED(""),
				  2, argtypes, args, SPI_OK_SELECT);

	/*
	 * Extended traces that expire: their kept runs (every one has its id in
	 * run_ids), then what hangs off them, through the trace_id indexes.  Most
	 * passes have none (an extended trace lives 400 days by default).
	 */
	if (ExecCount("SELECT pg_catalog.count(*) FROM (SELECT 1 FROM lsbilling.traces"
				  " WHERE tier = 'extended' AND " NEWLY_COVERED("") " LIMIT 1) x",
				  2, argtypes, args, SPI_OK_SELECT) > 0)
		DeleteExtendedTraceData(counts, argtypes, args);

	DeleteFromUnsplitPartitions(old_w, as_of, counts);

	(void) ExecCount("INSERT INTO lsbilling.purge_watermark AS m (id, purged_through) VALUES (true, $2)"
					 " ON CONFLICT (id) DO UPDATE SET purged_through = excluded.purged_through",
					 2, argtypes, args, SPI_OK_INSERT);
	counts->purged_through = as_of;
	return as_of;
}

/*
 * The next split day after *after (start with -infinity) that is over by
 * the watermark w and worth looking at: its base half holds runs and the
 * shortest base retention has passed since its end, or both its halves are
 * empty.  *after moves past it.
 */
static bool
NextSplitDay(TimestampTz w, TimestampTz *after, RunPartition *part)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[2] = {TimestampTzGetDatum(w), TimestampTzGetDatum(*after)};

	if (SPI_execute_with_args("SELECT p.name, p.lo, p.hi FROM lsbilling.run_partitions p"
							  " JOIN pg_catalog.pg_class c ON c.oid = p.partition"
							  " WHERE c.relkind = 'p' AND NOT p.is_default AND p.lo > $2"
							  " AND p.hi <= " SHORTEST_BASE_RETENTION_BEFORE("$1")
							  " ORDER BY p.lo LIMIT 1",
							  2, argtypes, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "lsbilling purge: cannot list the days of runs");
	if (SPI_processed == 0)
		return false;
	RunPartitionFromRow(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, part);
	*after = part->lo;
	return true;
}

/* ACCESS EXCLUSIVE on a day or half: waited for (the worker) or only tried. */
static bool
LockDay(Oid relid, bool wait)
{
	if (wait)
	{
		LockRelationOid(relid, AccessExclusiveLock);
		return true;
	}
	return ConditionalLockRelationOid(relid, AccessExclusiveLock);
}

/*
 * Step 2, a day at a time: drop its base half when every trace with runs in
 * it is purged, else delete the runs of its purged traces; drop the day when
 * nothing is left in it.  wait: whether to wait for the day's lock (the
 * worker, a transaction of its own) or to leave the day to the next pass
 * when a writer holds it (purge_expired, which holds the marking's locks).
 * Returns false when no day is left.
 */
bool
PurgeDropNextDay(TimestampTz w, TimestampTz *after, bool wait, PurgeCounts *counts)
{
	RunPartition part;
	char	   *base;
	Oid			nsp = get_namespace_oid("lsbilling", false);
	Oid			half;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		args[1] = {TimestampTzGetDatum(w)};
	int64		runs;
	bool		kept_traces;
	bool		isnull;

	if (!NextSplitDay(w, after, &part))
		return false;
	base = RunPartitionHalfName(part.name, false);
	half = get_relname_relid(base, nsp);

	/*
	 * A day without a base half (not made by lsbilling), or whose base half
	 * is empty, has nothing for this step: an empty day is dropped by
	 * PurgeDropEmptyDays, which takes runs' lock first.
	 */
	if (!OidIsValid(half) || !RunPartitionHasRows(base))
		return true;

	/*
	 * The half is locked before it is read: a run written into it from here
	 * on waits for the commit, so that what is read is what goes.
	 */
	if (!LockDay(half, wait))
		return true;			/* a writer is in that day: the next pass */

	/*
	 * Its runs, and whether any is of a trace not purged (or without a trace
	 * row: kept, its expiry unknown), both from one index-only scan of its
	 * (workspace_id, trace_id) index: its traces with their run counts, each
	 * trace probed in traces.  (A count(*) and a DISTINCT apart read the
	 * index twice: 35 against 19 ms a day of 100k runs.)
	 */
	if (SPI_execute_with_args(psprintf("SELECT coalesce(pg_catalog.sum(d.n), 0)::bigint,"
									   " coalesce(pg_catalog.bool_or(NOT EXISTS (SELECT 1 FROM lsbilling.traces t"
									   "  WHERE t.workspace_id = d.workspace_id AND t.id = d.trace_id"
									   "  AND (t.purged_at IS NOT NULL OR t.expires_at <= $1))), false)"
									   " FROM (SELECT workspace_id, trace_id, pg_catalog.count(*) AS n"
									   "  FROM lsbilling.%s GROUP BY workspace_id, trace_id) d",
									   quote_identifier(base)),
							  1, argtypes, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "lsbilling purge: cannot read %s", base);
	runs = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	kept_traces = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));

	if (kept_traces)
	{
		counts->runs_deleted +=
			ExecCount(psprintf("DELETE FROM lsbilling.%s r USING lsbilling.traces t"
							   " WHERE t.workspace_id = r.workspace_id AND t.id = r.trace_id"
							   " AND (t.purged_at IS NOT NULL OR t.expires_at <= $1)",
							   quote_identifier(base)),
					  1, argtypes, args, SPI_OK_DELETE);
		return true;
	}
	if (runs > 0)
	{
		RunPartitionTruncateBase(&part);
		counts->runs_deleted += runs;
		counts->partitions_dropped++;
	}
	return true;
}

/*
 * The last step: drop the days (split or made before 0.2.0) that are over
 * by the shortest base retention and hold no run.  DROP of a partition locks
 * runs itself, so runs is locked first, before any day: waited for in the
 * worker (a transaction of its own that holds nothing a writer wants,
 * PurgeLockAll), only tried in purge_expired (which holds the marking's
 * locks; the days are left to the next pass when a writer is in runs).
 */
void
PurgeDropEmptyDays(TimestampTz w, bool wait, PurgeCounts *counts)
{
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		args[1] = {TimestampTzGetDatum(w)};
	SPITupleTable *days;
	uint64		ndays;
	bool		locked = false;

	if (SPI_execute_with_args("SELECT p.name, p.lo, p.hi FROM lsbilling.run_partitions p"
							  " WHERE NOT p.is_default"
							  " AND p.hi <= " SHORTEST_BASE_RETENTION_BEFORE("$1")
							  " ORDER BY p.lo",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "lsbilling purge: cannot list the days of runs");
	days = SPI_tuptable;
	ndays = SPI_processed;
	for (uint64 i = 0; i < ndays; i++)
	{
		RunPartition part;

		RunPartitionFromRow(days->vals[i], days->tupdesc, &part);
		if (RunPartitionHasRows(part.name))
			continue;
		if (!locked)
		{
			if (wait)
				PurgeLockForSwap();
			else if (!ConditionalLockRelationOid(get_relname_relid("runs", get_namespace_oid("lsbilling", false)),
												 AccessExclusiveLock))
				return;
			locked = true;
			/* looked at again under runs' lock: a run may have come meanwhile */
			if (RunPartitionHasRows(part.name))
				continue;
		}
		RunPartitionDrop(&part);
		counts->partitions_dropped++;
	}
}

/*
 * BEFORE UPDATE ON traces FOR EACH ROW WHEN its runs change: the runs of a
 * trace the watermark covers are gone, so a run written, changed or deleted
 * for it afterwards is refused (LS410), as 0.1.0 refused it with purged_at.
 */
/* traces' columns the guard reads, looked up once a statement (fn_extra) */
typedef struct GuardColumns
{
	Oid			relid;
	AttrNumber	id;
	AttrNumber	expires_at;
	AttrNumber	purged_at;
} GuardColumns;

PG_FUNCTION_INFO_V1(lsbilling_traces_purged_guard);
Datum
lsbilling_traces_purged_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	old;
	GuardColumns *cols;
	bool		isnull;
	Datum		expires;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || !TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("traces_purged_guard: must be fired before update for each row")));
	if (LsbMaintenance)
		return PointerGetDatum(trigdata->tg_newtuple);
	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	old = trigdata->tg_trigtuple;
	cols = (GuardColumns *) fcinfo->flinfo->fn_extra;
	if (cols == NULL || cols->relid != RelationGetRelid(rel))
	{
		if (cols == NULL)
			cols = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(GuardColumns));
		cols->relid = RelationGetRelid(rel);
		cols->id = LsbColumnOf(rel, "id");
		cols->expires_at = LsbColumnOf(rel, "expires_at");
		cols->purged_at = LsbColumnOf(rel, "purged_at");
		fcinfo->flinfo->fn_extra = cols;
	}
	(void) heap_getattr(old, cols->purged_at, desc, &isnull);
	if (isnull)
	{
		expires = heap_getattr(old, cols->expires_at, desc, &isnull);
		if (!isnull && DatumGetTimestampTz(expires) <= PurgeWatermarkRead())
			ereport(ERROR,
					(errcode(ERRCODE_LSB_TRACE_PURGED),
					 errmsg("trace %s has been purged",
							LsbUuidText(heap_getattr(old, cols->id, desc, &isnull))),
					 errdetail("Its retention period ended at %s and its runs were deleted.",
							   timestamptz_to_str(DatumGetTimestampTz(expires)))));
	}
	return PointerGetDatum(trigdata->tg_newtuple);
}
