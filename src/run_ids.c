/*-------------------------------------------------------------------------
 *
 * run_ids.c
 *	  One row per run id and workspace (lsbilling.run_ids), so that a client
 *	  retrying the create of a run is stored and billed once.
 *
 * The key of runs includes start_time (its partition key), so it cannot
 * refuse a second run with the same id; the SDKs retry a create on timeouts
 * and 5xx, sometimes with another start_time.  The BEFORE INSERT trigger
 * claims the id here first; when it is already taken the new row is skipped
 * (the retry is ignored: the first body stays, and later changes come as an
 * update, LangSmith's PATCH).  A concurrent claim of the same id waits for
 * the first writer's transaction, as a unique index does.  Deleting a run
 * frees its id.  The table also finds a run's start_time (its partition)
 * from its id with one index probe.
 *
 * Before ALTER EXTENSION ... UPDATE to 0.2.0 the table does not exist and
 * every insert goes through, as in 0.1.0.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
#include "utils/lsyscache.h"

#include "lsbilling.h"
#include "retention.h"

static SPIPlanPtr ClaimPlan = NULL;
static SPIPlanPtr ReleaseAllPlan = NULL;
static SPIPlanPtr ReleaseWorkspacePlan = NULL;
static SPIPlanPtr StartTimePlan = NULL;

/*
 * The claim through SPI, for Citus: there run_ids is distributed and a row
 * must reach its shard through the planner, never the node's shell table.
 */
static bool
RunIdClaimSpi(Datum ws, Datum id, Datum trace, Datum start)
{
	Datum		values[4] = {ws, id, trace, start};
	char		nulls[4] = {' ', ' ', ' ', ' '};
	int			rc;
	bool		claimed;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ClaimPlan == NULL)
	{
		Oid			argtypes[4] = {UUIDOID, UUIDOID, UUIDOID, TIMESTAMPTZOID};

		ClaimPlan = LsbPrepareKept("INSERT INTO lsbilling.run_ids (workspace_id, id, trace_id, start_time)"
								   " VALUES ($1, $2, $3, $4)"
								   " ON CONFLICT (workspace_id, id) DO NOTHING",
								   4, argtypes, 0);
	}
	rc = SPI_execute_plan(ClaimPlan, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "cannot claim the run id: %s", SPI_result_code_string(rc));
	claimed = SPI_processed == 1;
	SPI_finish();
	return claimed;
}

/* lsbilling.run_ids, or InvalidOid before the 0.2.0 update (two syscache probes). */
Oid
RunIdsRelid(void)
{
	Oid			nsp = get_namespace_oid("lsbilling", true);

	return OidIsValid(nsp) ? get_relname_relid("run_ids", nsp) : InvalidOid;
}

/*
 * Whether an index of rel whose leading columns are (workspace_id, id)
 * holds (ws, id).  Probed with a dirty snapshot, as ON CONFLICT does: a row
 * of a transaction still in progress is waited for, then looked at again.
 */
static bool
ProbeIdTaken(Relation rel, Relation idx, Datum ws, Datum id)
{
	ScanKeyData key[2];
	SnapshotData dirty;
	bool		found;

	ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_UUID_EQ, ws);
	ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_UUID_EQ, id);
	InitDirtySnapshot(dirty);
	for (;;)
	{
		IndexScanDesc scan = index_beginscan(rel, idx, &dirty, 2, 0);
		TupleTableSlot *slot = table_slot_create(rel, NULL);
		TransactionId xwait;
		ItemPointerData ctid;

		index_rescan(scan, key, 2, NULL, 0);
		found = index_getnext_slot(scan, ForwardScanDirection, slot);
		xwait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;
		ctid = slot->tts_tid;
		index_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
		if (found && TransactionIdIsValid(xwait))
		{
			/* written or deleted by a transaction in progress: wait for it */
			XactLockTableWait(xwait, rel, &ctid, XLTW_InsertIndex);
			continue;
		}
		return found;
	}
}

/* ProbeIdTaken on a table (InvalidOid: none, false) and its primary key. */
static bool
ProbeTable(Oid relid, Datum ws, Datum id)
{
	Relation	rel;
	Relation	pk;
	bool		found;

	if (!OidIsValid(relid))
		return false;
	rel = table_open(relid, AccessShareLock);
	pk = index_open(RelationGetPrimaryKeyIndex(rel), AccessShareLock);
	found = ProbeIdTaken(rel, pk, ws, id);
	index_close(pk, AccessShareLock);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * The claim of a run written into the base half of a split day (one node,
 * kept_runs.c): run_ids holds only the ids of kept runs (moved there with
 * their runs), and a base run's id is found in the runs themselves, so the
 * write path inserts nothing for it and the purge deletes nothing for it
 * (its day's base half goes by TRUNCATE).  A retried create is recognised when
 * it is stored already in the base half of its day or of the day before or
 * after (the SDKs retry within seconds; a retry with a start_time further
 * off is stored as a new run), or among the kept runs.  *in_base_half is
 * false, and nothing is probed, when leaf is not the base half of the
 * run's day (runs_default, a day made before 0.2.0): those runs claim
 * their id in run_ids as before.
 */
static bool
RunIdSeenNearby(Relation leaf, Oid run_ids, Datum ws, Datum id, TimestampTz start, bool *in_base_half)
{
	char		name[NAMEDATALEN];
	DateADT		day = RunPartitionDay(start);
	Oid			nsp;

	RunDayHalfName(name, day, false);
	*in_base_half = strcmp(RelationGetRelationName(leaf), name) == 0;
	if (!*in_base_half)
		return false;
	nsp = RelationGetNamespace(leaf);
	if (ProbeTable(run_ids, ws, id))
		return true;
	/* its own day (leaf) first: the common retry has the same start_time */
	if (ProbeTable(RelationGetRelid(leaf), ws, id))
		return true;
	for (int delta = -1; delta <= 1; delta += 2)
	{
		RunDayHalfName(name, day + delta, false);
		if (ProbeTable(get_relname_relid(name, nsp), ws, id))
			return true;
	}
	return false;
}

/*
 * Claim the id of a run being inserted; false when another run of the
 * workspace holds it (the insert is then skipped).
 *
 * Done in C on the table and its indexes, not through SPI: an executor start
 * per row cost as much as the rest of the write path.  The primary key is
 * probed with a dirty snapshot, as ON CONFLICT does: a claim by a transaction
 * still in progress is waited for, then looked at again.  Two writers racing
 * past the probe meet in the unique index, and the second gets 23505.  With
 * Citus installed the claim goes through SPI (RunIdClaimSpi).
 */
bool
RunIdClaim(Relation leaf, const RunColumns *cols, TupleDesc desc, HeapTuple tup)
{
	Oid			relid = RunIdsRelid();
	Relation	rel;
	Relation	pk;
	TupleDesc	rdesc;
	Datum		ws,
				id,
				trace,
				start;
	bool		isnull;
	bool		found;
	List	   *indexes;
	ListCell   *lc;

	if (!OidIsValid(relid))
		return true;			/* before the 0.2.0 update */
	ws = heap_getattr(tup, cols->workspace_id, desc, &isnull);
	if (isnull)
		return true;			/* NOT NULL reports it */
	id = heap_getattr(tup, cols->id, desc, &isnull);
	if (isnull)
		return true;
	trace = heap_getattr(tup, cols->trace_id, desc, &isnull);
	if (isnull)
		return true;
	start = heap_getattr(tup, cols->start_time, desc, &isnull);
	if (isnull)
		return true;
	if (LsbCitusActive())
		return RunIdClaimSpi(ws, id, trace, start);

	/* one node (Citus returned above) with the 0.2.0 schema: days may be split */
	if (cols->retained != InvalidAttrNumber)
	{
		bool		in_base_half;

		found = RunIdSeenNearby(leaf, relid, ws, id, DatumGetTimestampTz(start), &in_base_half);
		if (in_base_half)
			return !found;
	}

	rel = table_open(relid, RowExclusiveLock);
	rdesc = RelationGetDescr(rel);
	pk = index_open(RelationGetPrimaryKeyIndex(rel), RowExclusiveLock);
	found = ProbeIdTaken(rel, pk, ws, id);

	if (!found)
	{
		Datum	   *values = palloc0(sizeof(Datum) * rdesc->natts);
		bool	   *nulls = palloc(sizeof(bool) * rdesc->natts);
		HeapTuple	row;
		TupleTableSlot *slot;

		memset(nulls, true, sizeof(bool) * rdesc->natts);
		{
			const char *const names[4] = {"workspace_id", "id", "trace_id", "start_time"};
			const Datum vals[4] = {ws, id, trace, start};

			for (int i = 0; i < 4; i++)
			{
				int			attnum = SPI_fnumber(rdesc, names[i]);

				if (attnum <= 0)
					elog(ERROR, "lsbilling.run_ids has no column \"%s\"", names[i]);
				values[attnum - 1] = vals[i];
				nulls[attnum - 1] = false;
			}
		}
		row = heap_form_tuple(rdesc, values, nulls);
		heap_insert(rel, row, GetCurrentCommandId(true), 0, NULL);

		/* its indexes, the primary key checking uniqueness */
		slot = MakeSingleTupleTableSlot(rdesc, &TTSOpsHeapTuple);
		ExecStoreHeapTuple(row, slot, false);
		indexes = RelationGetIndexList(rel);
		foreach(lc, indexes)
		{
			Relation	idx = index_open(lfirst_oid(lc), RowExclusiveLock);
			IndexInfo  *info = BuildIndexInfo(idx);
			Datum		ivalues[INDEX_MAX_KEYS];
			bool		inulls[INDEX_MAX_KEYS];

			FormIndexDatum(info, slot, NULL, ivalues, inulls);
			index_insert(idx, ivalues, inulls, &row->t_self, rel,
						 idx->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
						 false, info);
			index_close(idx, RowExclusiveLock);
		}
		list_free(indexes);
		ExecDropSingleTupleTableSlot(slot);
	}
	index_close(pk, RowExclusiveLock);
	table_close(rel, RowExclusiveLock);
	return !found;
}

/*
 * The ids of a statement's deleted runs are freed at once (AFTER DELETE FOR
 * EACH STATEMENT, lsbilling_runs_after_change; the caller is connected to
 * SPI): only the rows that hold them (same start_time).  The transition
 * table is read here in C into arrays, never from SQL.  On one node that is
 * one DELETE for every workspace; on Citus, where the trigger fires on a
 * shard, one DELETE a workspace of the statement, routed by workspace_id.
 */
static const char *ReleaseAllSql =
"DELETE FROM lsbilling.run_ids r"
" USING ROWS FROM (pg_catalog.unnest($1::uuid[]), pg_catalog.unnest($2::uuid[]),"
"  pg_catalog.unnest($3::timestamptz[])) AS d(workspace_id, id, start_time)"
" WHERE r.workspace_id = d.workspace_id AND r.id = d.id AND r.start_time = d.start_time";

/*
 * Citus: no join with a function scan, only a filter the router planner
 * takes.  When one id is deleted twice in the statement (duplicates written
 * under 0.1.0) its first start_time is compared.
 */
static const char *ReleaseWorkspaceSql =
"DELETE FROM lsbilling.run_ids r"
" WHERE r.workspace_id = $1 AND r.id = ANY ($2::uuid[])"
" AND r.start_time = ($3::timestamptz[])[pg_catalog.array_position($2::uuid[], r.id)]";

static Datum
ReleaseArray(Datum *values, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_array(values, n, elemtype, typlen, typbyval, typalign));
}

static void
ReleaseExec(SPIPlanPtr plan, Datum *args)
{
	int			rc = SPI_execute_plan(plan, args, NULL, false, 0);

	if (rc != SPI_OK_DELETE)
		elog(ERROR, "cannot release the run ids: %s", SPI_result_code_string(rc));
}

void
RunIdsReleaseDeleted(Tuplestorestate *deleted, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	const RunColumns *cols = RunColumnsFor(rel);
	int64		cap = tuplestore_tuple_count(deleted);
	TupleTableSlot *slot;
	Datum	   *ws;
	Datum	   *ids;
	Datum	   *starts;
	int			n = 0;

	if (cap <= 0 || !OidIsValid(RunIdsRelid()))
		return;
	ws = palloc(sizeof(Datum) * cap);
	ids = palloc(sizeof(Datum) * cap);
	starts = palloc(sizeof(Datum) * cap);
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	tuplestore_rescan(deleted);
	while (n < cap && tuplestore_gettupleslot(deleted, true, false, slot))
	{
		bool		wsnull,
					idnull,
					stnull;
		Datum		w = slot_getattr(slot, cols->workspace_id, &wsnull);
		Datum		i = slot_getattr(slot, cols->id, &idnull);
		Datum		s = slot_getattr(slot, cols->start_time, &stnull);

		if (wsnull || idnull || stnull)
			continue;			/* NOT NULL columns: never claimed */
		ws[n] = datumCopy(w, false, UUID_LEN);
		ids[n] = datumCopy(i, false, UUID_LEN);
		starts[n] = s;			/* timestamptz: by value */
		n++;
	}
	ExecDropSingleTupleTableSlot(slot);
	if (n == 0)
		return;

	if (!LsbCitusActive())
	{
		Datum		args[3];

		if (ReleaseAllPlan == NULL)
		{
			Oid			argtypes[3] = {UUIDARRAYOID, UUIDARRAYOID, TIMESTAMPTZARRAYOID};

			ReleaseAllPlan = LsbPrepareKept(ReleaseAllSql, 3, argtypes, 0);
		}
		args[0] = ReleaseArray(ws, n, UUIDOID);
		args[1] = ReleaseArray(ids, n, UUIDOID);
		args[2] = ReleaseArray(starts, n, TIMESTAMPTZOID);
		ReleaseExec(ReleaseAllPlan, args);
		return;
	}

	if (ReleaseWorkspacePlan == NULL)
	{
		Oid			argtypes[3] = {UUIDOID, UUIDARRAYOID, TIMESTAMPTZARRAYOID};

		ReleaseWorkspacePlan = LsbPrepareKept(ReleaseWorkspaceSql, 3, argtypes, 0);
	}
	{
		bool	   *done = palloc0(sizeof(bool) * n);
		Datum	   *wids = palloc(sizeof(Datum) * n);
		Datum	   *wstarts = palloc(sizeof(Datum) * n);

		for (int first = 0; first < n; first++)
		{
			int			m = 0;
			Datum		args[3];

			if (done[first])
				continue;
			for (int j = first; j < n; j++)
			{
				if (done[j] || !DatumGetBool(DirectFunctionCall2(uuid_eq, ws[first], ws[j])))
					continue;
				wids[m] = ids[j];
				wstarts[m] = starts[j];
				m++;
				done[j] = true;
			}
			args[0] = ws[first];
			args[1] = ReleaseArray(wids, m, UUIDOID);
			args[2] = ReleaseArray(wstarts, m, TIMESTAMPTZOID);
			ReleaseExec(ReleaseWorkspacePlan, args);
		}
	}
}

/*
 * The start_time (the partition key) of run id in workspace ws, from its
 * claim, so that a lookup of the run by id can name its partition; false
 * when no run of the workspace holds the id, or before the 0.2.0 update.
 * The caller is connected to SPI.  Through SPI and filtered by workspace_id,
 * so that on Citus the query is routed to the workspace's shard.
 */
bool
RunIdStartTime(Datum ws, Datum id, Datum *start_time)
{
	Datum		args[2] = {ws, id};
	bool		isnull;
	int			rc;

	if (!OidIsValid(RunIdsRelid()))
		return false;
	if (StartTimePlan == NULL)
	{
		Oid			argtypes[2] = {UUIDOID, UUIDOID};

		StartTimePlan = LsbPrepareKept("SELECT start_time FROM lsbilling.run_ids"
									   " WHERE workspace_id = $1 AND id = $2",
									   2, argtypes, 0);
	}
	/* not read-only, as the run lookup that follows (see run_reference.c) */
	rc = SPI_execute_plan(StartTimePlan, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling run id lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return false;
	*start_time = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return !isnull;
}
