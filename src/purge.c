/*-------------------------------------------------------------------------
 *
 * purge.c
 *	  The purge of expired traces: what a pass does, step by step, and
 *	  lsbilling.purge_expired(), which runs a whole pass in one transaction.
 *
 * A trace expires at traces.expires_at.  Purging it deletes its runs,
 * feedback, annotation-queue items and rule matches, and sets purged_at on
 * the trace row, whose totals stay (billing and monitoring read them).
 * purged_at is only ever set in the transaction that deletes the data, so a
 * step cut short by a crash leaves nothing half done.
 *
 * A pass: (1) make the day partitions of runs ahead; (2) for each partition
 * whose day holds expired traces, if most of its runs are expired, mark its
 * expired traces purged, delete what hangs off them and record the partition
 * with a comment that marks it (PENDING_MARK); (3) delete whatever expired traces are
 * left, a batch of traces per step (rows in runs_default, days where most
 * runs are kept, workspaces with other retention periods); (4) replace each
 * recorded partition by a copy of the runs of the traces not purged (read
 * under the lock: kept, upgraded or arrived since) and drop it.
 *
 * Locks.  Purges are serialized (a transaction-level advisory lock taken by
 * every step).  Marking (2, 3) first takes SHARE on feedback, queue items and
 * rule matches: a writer of those either committed before (and its row is
 * seen and deleted by the marking step) or waits and then finds the trace
 * purged (LS410); the marking skips trace rows a writer holds (SKIP LOCKED),
 * so it never waits on a writer while holding locks writers need.  The swap
 * (4) holds ACCESS EXCLUSIVE on runs; in the worker it is a transaction of its
 * own that takes that lock before anything else.  A purge never blocks on a
 * lock while it holds another that a writer may want (PurgeLockAll), so it
 * cannot deadlock with a writer or with another purge.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "retention.h"

/*
 * A partition goes by DROP only when at most this share of its runs must be
 * copied out first; otherwise copying would cost more than deleting.
 */
#define KEEP_SHARE_MAX 0.5

/* The advisory lock (transaction level) that serializes purges. */
#define LSB_PURGE_LOCK_KEY INT64CONST(0x6C7362696C6C7067)

/* Expired traces found in one partition or batch, as parallel arrays. */
typedef struct TraceSet
{
	int			n;
	int			cap;
	Datum	   *ws;
	Datum	   *ids;
} TraceSet;

static void
TraceSetInit(TraceSet *set, int cap)
{
	set->n = 0;
	set->cap = Max(cap, 16);
	set->ws = palloc(sizeof(Datum) * set->cap);
	set->ids = palloc(sizeof(Datum) * set->cap);
}

static void
TraceSetAdd(TraceSet *set, Datum ws, Datum id)
{
	if (set->n == set->cap)
	{
		set->cap *= 2;
		set->ws = repalloc(set->ws, sizeof(Datum) * set->cap);
		set->ids = repalloc(set->ids, sizeof(Datum) * set->cap);
	}
	/* copy: the values live in an SPI tuple table we free */
	set->ws[set->n] = datumCopy(ws, false, UUID_LEN);
	set->ids[set->n] = datumCopy(id, false, UUID_LEN);
	set->n++;
}

static Datum
UuidArray(Datum *values, int n)
{
	return PointerGetDatum(construct_array(values, n, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
}

/*
 * Every step starts here: lsbilling.maintenance keeps the run triggers from
 * taking deleted runs off the trace totals; lock_timeout keeps the purge
 * from queueing writers behind it for long.  With force_lock_timeout false
 * (purge_expired) the caller's own lock_timeout wins when it has one.
 * Both are set as a function's SET clause would be (GUC_ACTION_SAVE) and
 * undone by PurgeEndStep, so that the caller's later writes in the same
 * transaction roll up as usual.  Returns the level to give PurgeEndStep.
 */
int
PurgeBeginStep(bool force_lock_timeout)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("lsbilling.maintenance", "on", PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	/* per-partition statements can look costly enough for JIT, which only adds compile time here */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (LsbPurgeLockTimeout > 0 && (force_lock_timeout || LockTimeout == 0))
		(void) set_config_option("lock_timeout", psprintf("%d", LsbPurgeLockTimeout),
								 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	/* one purge at a time: the worker, purge_expired(), create_run_partitions() */
	(void) DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(LSB_PURGE_LOCK_KEY));
	return level;
}

/*
 * Take every lock of rels[] (with modes[]) without ever waiting for one while
 * holding another: try them all without waiting; on the first that is not
 * free, give back what was taken, wait for that one alone, and try again
 * (keeping it).  A writer that holds one of these relations and wants another
 * can then never be waiting for us while we wait for it.
 */
static void
PurgeLockAll(const char *const *names, const LOCKMODE *modes, int n)
{
	Oid			nsp = get_namespace_oid("lsbilling", false);
	Oid			rels[8];
	int			held = -1;		/* the one we waited for, kept across tries */

	Assert(n <= lengthof(rels));
	for (int i = 0; i < n; i++)
	{
		rels[i] = get_relname_relid(names[i], nsp);
		if (!OidIsValid(rels[i]))
			elog(ERROR, "lsbilling relation \"%s\" is missing", names[i]);
	}
	for (;;)
	{
		int			i;

		for (i = 0; i < n; i++)
			if (i != held && !ConditionalLockRelationOid(rels[i], modes[i]))
				break;
		if (i == n)
			return;
		for (int j = 0; j < i; j++)
			if (j != held)
				UnlockRelationOid(rels[j], modes[j]);
		if (held >= 0)
			UnlockRelationOid(rels[held], modes[held]);
		CHECK_FOR_INTERRUPTS();
		LockRelationOid(rels[i], modes[i]);
		held = i;
	}
}

static const char *const MarkLockNames[] = {"feedback", "annotation_queue_runs", "rule_matches"};
static const LOCKMODE MarkLockModes[] = {ShareLock, ShareLock, ShareLock};

/* Before marking traces purged: no feedback, queue item or rule match is being written. */
void
PurgeLockForMarking(void)
{
	PurgeLockAll(MarkLockNames, MarkLockModes, lengthof(MarkLockNames));
}

/* Before replacing partitions: nobody is in runs. */
void
PurgeLockForSwap(void)
{
	static const char *const names[] = {"runs"};
	static const LOCKMODE modes[] = {AccessExclusiveLock};

	PurgeLockAll(names, modes, 1);
}

/* purge_expired(), one transaction: both at once, before anything else. */
static void
PurgeLockForPass(void)
{
	static const char *const names[] = {"feedback", "annotation_queue_runs", "rule_matches", "runs"};
	static const LOCKMODE modes[] = {ShareLock, ShareLock, ShareLock, AccessExclusiveLock};

	/* on Citus no partition is swapped (PurgeNextPartition): runs stays open */
	PurgeLockAll(names, modes, LsbCitusActive() ? 3 : 4);
}

void
PurgeEndStep(int level)
{
	AtEOXact_GUC(true, level);
}

void
PurgeCountsAdd(PurgeCounts *sum, const PurgeCounts *step)
{
	sum->traces_purged += step->traces_purged;
	sum->runs_deleted += step->runs_deleted;
	sum->feedback_deleted += step->feedback_deleted;
	sum->queue_items_deleted += step->queue_items_deleted;
	sum->rule_matches_deleted += step->rule_matches_deleted;
	sum->partitions_dropped += step->partitions_dropped;
	sum->partitions_created += step->partitions_created;
	sum->runs_moved += step->runs_moved;
	sum->purged_through = Max(sum->purged_through, step->purged_through);
}

/* Step 1: the partitions for today and the days ahead. */
int
PurgeEnsurePartitions(TimestampTz now, PurgeCounts *counts)
{
	int			created = RunPartitionsEnsure(RunPartitionDay(now), RUN_PARTITIONS_AHEAD);

	counts->partitions_created += created;
	return created;
}

/* Delete the rows of table that belong to the traces of set. */
static int64
DeleteByTraces(const char *table, Datum ws, Datum ids)
{
	Oid			argtypes[2] = {UUIDARRAYOID, UUIDARRAYOID};
	Datum		args[2] = {ws, ids};
	int			rc;

	rc = SPI_execute_with_args(psprintf("DELETE FROM lsbilling.%s x"
										" USING ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS s(ws, id)"
										" WHERE x.workspace_id = s.ws AND x.trace_id = s.id",
										table),
							   2, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "lsbilling purge: delete from %s failed: %s", table, SPI_result_code_string(rc));
	return (int64) SPI_processed;
}

/*
 * What hangs off a purged trace besides its runs, and the ids of its runs
 * (lsbilling.run_ids, through its (workspace_id, trace_id) index): in the
 * transaction that marks the trace purged, bounded like the rest by the
 * traces of one partition or batch.  A retried create of a purged run then
 * claims its id again and is refused by the trace's roll-up (LS410), which
 * rolls the claim back.  Before the 0.2.0 update there is no run_ids.
 */
static void
DeleteTraceData(Datum ws, Datum ids, PurgeCounts *counts)
{
	counts->feedback_deleted += DeleteByTraces("feedback", ws, ids);
	counts->queue_items_deleted += DeleteByTraces("annotation_queue_runs", ws, ids);
	counts->rule_matches_deleted += DeleteByTraces("rule_matches", ws, ids);
	if (OidIsValid(RunIdsRelid()))
		(void) DeleteByTraces("run_ids", ws, ids);
}

/*
 * The next partition after *after whose day is over and that holds runs of
 * expired, unpurged traces (found from the traces' start days), or that is
 * empty and older than any retention period.  Traces whose runs the guess
 * misses are purged by the batched DELETE.
 */
static bool
NextCandidate(TimestampTz as_of, TimestampTz after, RunPartition *part)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[2] = {TimestampTzGetDatum(as_of), TimestampTzGetDatum(after)};
	int			rc;

	rc = SPI_execute_with_args(
							   "WITH days AS MATERIALIZED ("
							   "  SELECT DISTINCT pg_catalog.date_trunc('day', t.start_time AT TIME ZONE 'UTC')"
							   "    AT TIME ZONE 'UTC' AS d"
							   "  FROM lsbilling.traces t WHERE t.expires_at <= $1 AND t.purged_at IS NULL)"
							   " SELECT p.name, p.lo, p.hi FROM lsbilling.run_partitions p"
							   " WHERE NOT p.is_default AND p.hi <= $1 AND p.lo > $2"
							   "  AND (EXISTS (SELECT 1 FROM days"
							   "        WHERE days.d < p.hi AND days.d + interval '2 days' > p.lo)"
							   "   OR (p.hi <= " SHORTEST_BASE_RETENTION_BEFORE("$1")
							   "       AND NOT EXISTS (SELECT 1 FROM lsbilling.runs r"
							   "        WHERE r.start_time >= p.lo AND r.start_time < p.hi)))"
							   " ORDER BY p.lo LIMIT 1",
							   2, argtypes, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling purge: cannot list the partitions of runs");
	if (SPI_processed == 0)
		return false;
	RunPartitionFromRow(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, part);
	return true;
}

/*
 * Purge one partition's expired traces by dropping it.  Returns false (and
 * does nothing) when too many of its runs are kept: those traces go by the
 * batched DELETE.
 */
/*
 * A partition marked for its swap carries this comment (with its bounds in
 * microseconds since 2000-01-01 UTC) until the swap drops it: transactional,
 * kept across a crash, and needing no table, so it works the same on a
 * 0.1.0 schema served by this library.
 */
#define PENDING_MARK "lsbilling purge: drop pending"

/* The partition is to be replaced (PurgeSwapPending), in this transaction or a later one. */
static void
RecordPendingDrop(const RunPartition *part)
{
	if (SPI_execute(psprintf("COMMENT ON TABLE lsbilling.%s IS '" PENDING_MARK " " INT64_FORMAT " " INT64_FORMAT "'",
							 quote_identifier(part->name), (int64) part->lo, (int64) part->hi),
					false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "lsbilling purge: cannot record %s for its drop", part->name);
}

static bool
PurgePartition(const RunPartition *part, TimestampTz as_of, PurgeCounts *counts)
{
	const char *qname = quote_identifier(part->name);
	Oid			argtypes[4] = {TIMESTAMPTZOID, UUIDARRAYOID, UUIDARRAYOID, INT8ARRAYOID};
	Datum		args[4];
	TraceSet	expired;
	TraceSet	spanning;
	Datum	   *runs_in_part;
	int64		total = 0;
	int64		expired_runs = 0;
	int			rc;

	/*
	 * Every trace with runs here, how many, and whether it has expired (a
	 * run without a trace row is kept: we do not know its expiry).
	 */
	args[0] = TimestampTzGetDatum(as_of);
	rc = SPI_execute_with_args(psprintf("SELECT c.workspace_id, c.trace_id, c.n,"
										"  coalesce(t.expires_at <= $1, false)"
										" FROM (SELECT workspace_id, trace_id, pg_catalog.count(*) AS n"
										"       FROM lsbilling.%s GROUP BY 1, 2) c"
										" LEFT JOIN lsbilling.traces t"
										"  ON t.workspace_id = c.workspace_id AND t.id = c.trace_id",
										qname),
							   1, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling purge: cannot read %s", part->name);

	TraceSetInit(&expired, (int) SPI_processed);
	runs_in_part = palloc(sizeof(Datum) * Max(SPI_processed, 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		n = DatumGetInt64(SPI_getbinval(tup, desc, 3, &isnull));
		Datum		ws = SPI_getbinval(tup, desc, 1, &isnull);
		Datum		id = SPI_getbinval(tup, desc, 2, &isnull);

		total += n;
		if (DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull)))
		{
			runs_in_part[expired.n] = Int64GetDatum(n);
			TraceSetAdd(&expired, ws, id);
			expired_runs += n;
		}
	}
	SPI_freetuptable(SPI_tuptable);

	if (total == 0)
	{
		/* an old day made ahead that never got a run */
		RecordPendingDrop(part);
		counts->partitions_dropped++;
		return true;
	}
	if (expired_runs == 0 ||
		(double) (total - expired_runs) > KEEP_SHARE_MAX * (double) total)
		return false;

	/* no feedback, queue item or rule match is being written from here to the commit */
	PurgeLockForMarking();

	/*
	 * Mark the traces purged, rechecking the expiry under the row lock: a
	 * trace upgraded since we looked is no longer expired and its runs are
	 * kept.  A trace row a writer holds is skipped, not waited for (its runs
	 * stay; the DELETE batches take it later).  RETURNING gives the
	 * authoritative set.
	 */
	args[1] = UuidArray(expired.ws, expired.n);
	args[2] = UuidArray(expired.ids, expired.n);
	args[3] = PointerGetDatum(construct_array(runs_in_part, expired.n, INT8OID, 8,
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	rc = SPI_execute_with_args("WITH s AS (SELECT l.workspace_id, l.id, s.n"
							   "  FROM lsbilling.traces l JOIN ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4)) AS s(ws, id, n)"
							   "   ON l.workspace_id = s.ws AND l.id = s.id"
							   "  WHERE l.expires_at <= $1 FOR UPDATE OF l SKIP LOCKED)"
							   " UPDATE lsbilling.traces t SET purged_at = coalesce(t.purged_at, pg_catalog.now())"
							   " FROM s WHERE t.workspace_id = s.workspace_id AND t.id = s.id"
							   " RETURNING t.workspace_id, t.id, s.n, s.n <> t.run_count,"
							   "  t.purged_at = pg_catalog.now()",
							   4, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "lsbilling purge: cannot mark the traces of %s purged", part->name);

	TraceSetInit(&expired, (int) SPI_processed);
	TraceSetInit(&spanning, 16);
	expired_runs = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		ws = SPI_getbinval(tup, desc, 1, &isnull);
		Datum		id = SPI_getbinval(tup, desc, 2, &isnull);

		TraceSetAdd(&expired, ws, id);
		expired_runs += DatumGetInt64(SPI_getbinval(tup, desc, 3, &isnull));
		if (DatumGetBool(SPI_getbinval(tup, desc, 4, &isnull)))
			TraceSetAdd(&spanning, ws, id);
		if (DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull)))
			counts->traces_purged++;
	}
	SPI_freetuptable(SPI_tuptable);
	args[1] = UuidArray(expired.ws, expired.n);
	args[2] = UuidArray(expired.ids, expired.n);

	/* Runs of these traces on other days (a trace across midnight) go by DELETE. */
	if (spanning.n > 0)
	{
		Oid			sargtypes[4] = {UUIDARRAYOID, UUIDARRAYOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
		Datum		sargs[4] = {UuidArray(spanning.ws, spanning.n), UuidArray(spanning.ids, spanning.n),
		TimestampTzGetDatum(part->lo), TimestampTzGetDatum(part->hi)};

		rc = SPI_execute_with_args("DELETE FROM lsbilling.runs r USING ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS s(ws, id)"
								   " WHERE r.workspace_id = s.ws AND r.trace_id = s.id"
								   " AND NOT (r.start_time >= $3 AND r.start_time < $4)",
								   4, sargtypes, sargs, NULL, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "lsbilling purge: cannot delete the other runs of traces in %s", part->name);
		counts->runs_deleted += (int64) SPI_processed;
	}
	DeleteTraceData(args[1], args[2], counts);

	/* the DROP, and the copy of the runs that stay, come last (PurgeSwapPending) */
	RecordPendingDrop(part);
	counts->runs_deleted += expired_runs;
	counts->partitions_dropped++;
	return true;
}

/*
 * Step 2, once per partition: find the next partition after *after (start
 * with -infinity) and purge it if that pays.  The partition is not dropped
 * yet: it is marked for PurgeSwapPending.  Returns
 * false when there is none left; *after moves past the partition looked at.
 * PurgePartition takes PurgeLockForMarking's locks before it marks.
 */
bool
PurgeNextPartition(TimestampTz as_of, TimestampTz *after, PurgeCounts *counts)
{
	RunPartition part;

	/*
	 * On Citus (scale_out.c) the runs of expired traces go by DELETE: a day
	 * partition holds every workspace's runs of that day, on every worker,
	 * and its swap would be DDL across the cluster while writers wait.
	 */
	if (LsbCitusActive())
		return false;
	if (!NextCandidate(as_of, *after, &part))
		return false;
	*after = part.lo;
	(void) PurgePartition(&part, as_of, counts);
	return true;
}

/*
 * Step 4: replace every partition marked for its drop (by this pass, or by
 * one cut short) by a copy of its runs that stay, and drop it.  Takes
 * ACCESS EXCLUSIVE on runs (PurgeLockForSwap) only when there is one, after
 * reading which traces go; runs stays locked to the commit, so nothing slow
 * may follow.
 */
void
PurgeSwapPending(PurgeCounts *counts)
{
	SPITupleTable *pending;
	uint64		n;
	int			rc;
	RunPartition *parts;
	Datum	   *gone_ws;
	Datum	   *gone_ids;

	rc = SPI_execute("SELECT c.relname, d.description FROM pg_catalog.pg_inherits i"
					 " JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
					 " JOIN pg_catalog.pg_description d ON d.objoid = c.oid"
					 "  AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0"
					 " WHERE i.inhparent = 'lsbilling.runs'::pg_catalog.regclass"
					 "  AND d.description LIKE '" PENDING_MARK " %'"
					 " ORDER BY c.relname", false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling purge: cannot list the partitions to drop");
	pending = SPI_tuptable;
	n = SPI_processed;
	if (n == 0)
		return;					/* nothing marked: runs is not locked */
	parts = palloc(sizeof(RunPartition) * n);
	gone_ws = palloc(sizeof(Datum) * n);
	gone_ids = palloc(sizeof(Datum) * n);
	for (uint64 i = 0; i < n; i++)
	{
		char	   *mark = SPI_getvalue(pending->vals[i], pending->tupdesc, 2);
		long long	lo,
					hi;

		parts[i].name = SPI_getvalue(pending->vals[i], pending->tupdesc, 1);
		if (sscanf(mark + strlen(PENDING_MARK), " %lld %lld", &lo, &hi) != 2)
			elog(ERROR, "lsbilling purge: bad mark on %s: %s", parts[i].name, mark);
		parts[i].lo = (TimestampTz) lo;
		parts[i].hi = (TimestampTz) hi;
	}
	/* which traces go: read before the lock, so that writers wait only for the copy */
	for (uint64 i = 0; i < n; i++)
		RunPartitionPurgedTraces(&parts[i], &gone_ws[i], &gone_ids[i]);

	PurgeLockForSwap();
	for (uint64 i = 0; i < n; i++)
		counts->runs_moved += RunPartitionReplacePurged(&parts[i], gone_ws[i], gone_ids[i]);
}

/*
 * Step 3, once per batch: purge up to batch_size expired traces by DELETE.
 * SKIP LOCKED lets two purges (the worker and a manual call) share the
 * work.  Returns how many traces it purged; 0 means done.
 */
int64
PurgeDeleteBatch(TimestampTz as_of, int batch_size, PurgeCounts *counts)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, INT4OID};
	Datum		args[2] = {TimestampTzGetDatum(as_of), Int32GetDatum(batch_size)};
	TraceSet	batch;
	Datum		ws,
				ids;
	int			rc;

	/*
	 * On Citus (scale_out.c) a multi-shard FOR UPDATE is refused: there the
	 * expired traces are taken in one statement, locked by the UPDATE itself
	 * (a concurrent purge waits for them, then skips them as purged).
	 */
	if (LsbCitusActive())
		rc = SPI_execute_with_args("UPDATE lsbilling.traces t SET purged_at = pg_catalog.now()"
								   " WHERE t.expires_at <= $1 AND t.purged_at IS NULL AND $2 > 0"
								   " RETURNING t.workspace_id, t.id",
								   2, argtypes, args, NULL, false, 0);
	else
		rc = SPI_execute_with_args("UPDATE lsbilling.traces t SET purged_at = pg_catalog.now()"
								   " FROM (SELECT workspace_id, id FROM lsbilling.traces"
								   "       WHERE expires_at <= $1 AND purged_at IS NULL"
								   "       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED) b"
								   " WHERE t.workspace_id = b.workspace_id AND t.id = b.id"
								   " RETURNING t.workspace_id, t.id",
								   2, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "lsbilling purge: cannot pick expired traces: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return 0;

	TraceSetInit(&batch, (int) SPI_processed);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		TraceSetAdd(&batch,
					SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull),
					SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
	ws = UuidArray(batch.ws, batch.n);
	ids = UuidArray(batch.ids, batch.n);

	counts->runs_deleted += DeleteByTraces("runs", ws, ids);
	DeleteTraceData(ws, ids, counts);
	counts->traces_purged += batch.n;
	return batch.n;
}

/* purge_expired's row in purge_passes: the same record the worker keeps. */
static void
RecordFunctionPass(TimestampTz as_of, const PurgeCounts *c)
{
	Oid			argtypes[10] = {TIMESTAMPTZOID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID,
	INT4OID, INT4OID, INT8OID, TIMESTAMPTZOID};
	Datum		args[10] = {TimestampTzGetDatum(as_of), Int64GetDatum(c->traces_purged),
		Int64GetDatum(c->runs_deleted), Int64GetDatum(c->feedback_deleted),
		Int64GetDatum(c->queue_items_deleted), Int64GetDatum(c->rule_matches_deleted),
		Int32GetDatum(c->partitions_dropped), Int32GetDatum(c->partitions_created),
	Int64GetDatum(c->runs_moved), TimestampTzGetDatum(c->purged_through)};
	int			rc;

	/* purged_through: the watermark the pass left (0.2.0's column, purge_watermark.c) */
	rc = SPI_execute_with_args(psprintf("INSERT INTO lsbilling.purge_passes (source, as_of, started_at,"
										"  finished_at, traces_purged, runs_deleted, feedback_deleted,"
										"  queue_items_deleted, rule_matches_deleted, partitions_dropped,"
										"  partitions_created, runs_moved%s)"
										" VALUES ('function', $1, pg_catalog.now(), pg_catalog.clock_timestamp(), $2, $3, $4, $5,"
										"  $6, $7, $8, $9%s)",
										c->purged_through != 0 ? ", purged_through" : "",
										c->purged_through != 0 ? ", $10" : ""),
							   c->purged_through != 0 ? 10 : 9, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "lsbilling purge: cannot record the pass");
}

/* A whole pass in the current transaction. */
static void
PurgeExpiredNow(TimestampTz as_of, PurgeCounts *counts)
{
	TimestampTz after = DT_NOBEGIN;
	int			level = PurgeBeginStep(false);

	if (PurgeWatermarkMode())
	{
		TimestampTz w;

		/*
		 * purge_watermark.c: runs stays open to writers; a day a writer is
		 * in is left to the next pass rather than waited for while the
		 * marking's locks are held.
		 */
		PurgeEnsurePartitions(GetCurrentTransactionStartTimestamp(), counts);
		DefaultBoundSettle();
		PurgeSwapPending(counts);	/* what a 0.1.0-style pass cut short left */
		w = PurgeMarkWatermark(as_of, counts);
		while (PurgeDropNextDay(w, &after, false, counts))
			CHECK_FOR_INTERRUPTS();
		PurgeDropEmptyDays(w, false, counts);
		RecordFunctionPass(as_of, counts);
		PurgeEndStep(level);
		return;
	}

	/*
	 * One transaction: every lock of the pass first (runs stays locked to
	 * the commit), so that it never waits for a writer while holding
	 * anything.  The worker splits the same work into short transactions.
	 */
	PurgeLockForPass();
	PurgeEnsurePartitions(GetCurrentTransactionStartTimestamp(), counts);
	DefaultBoundSettle();		/* on Citus: drops a bound set before distribute() */
	while (PurgeNextPartition(as_of, &after, counts))
		CHECK_FOR_INTERRUPTS();
	while (PurgeDeleteBatch(as_of, LsbPurgeBatchSize, counts) > 0)
		CHECK_FOR_INTERRUPTS();
	PurgeSwapPending(counts);
	RecordFunctionPass(as_of, counts);
	PurgeEndStep(level);
}

PG_FUNCTION_INFO_V1(lsbilling_purge_expired);
Datum
lsbilling_purge_expired(PG_FUNCTION_ARGS)
{
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(0);
	PurgeCounts c;
	TupleDesc	desc;
	Datum		values[8];
	bool		nulls[8];

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "purge_expired must return a composite");
	desc = BlessTupleDesc(desc);

	memset(&c, 0, sizeof(c));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PurgeExpiredNow(as_of, &c);
	SPI_finish();

	memset(nulls, false, sizeof(nulls));
	values[0] = Int64GetDatum(c.traces_purged);
	values[1] = Int64GetDatum(c.runs_deleted);
	values[2] = Int64GetDatum(c.feedback_deleted);
	values[3] = Int64GetDatum(c.queue_items_deleted);
	values[4] = Int64GetDatum(c.rule_matches_deleted);
	values[5] = Int32GetDatum(c.partitions_dropped);
	values[6] = Int32GetDatum(c.partitions_created);
	values[7] = Int64GetDatum(c.runs_moved);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

PG_FUNCTION_INFO_V1(lsbilling_create_run_partitions);
Datum
lsbilling_create_run_partitions(PG_FUNCTION_ARGS)
{
	DateADT		from_day = PG_GETARG_DATEADT(0);
	int32		days = PG_GETARG_INT32(1);
	int			created;
	int			level;

	if (days < 0 || days > 3660)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days must be between 0 and 3660, not %d", days)));
	if (DATE_NOT_FINITE(from_day))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_day must be a finite date")));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	level = PurgeBeginStep(false);
	created = RunPartitionsEnsure(from_day, days);
	DefaultBoundSettle();
	PurgeEndStep(level);
	SPI_finish();
	PG_RETURN_INT32(created);
}
