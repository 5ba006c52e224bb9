/*-------------------------------------------------------------------------
 *
 * tier_upgrade.c
 *	  Upgrades traces from base to extended retention when feedback, an
 *	  annotation queue item or an automation rule match is written for them
 *	  (BEFORE INSERT trigger lsbilling.upgrade_trace), and refuses such writes
 *	  for traces whose data has been purged.
 *
 * An upgrade happens once and never goes back: the UPDATE only touches rows
 * still 'base', so of several sessions upgrading the same trace at once the
 * first takes the row lock and the others, re-checking the row after it
 * commits, find it extended and do nothing.  The extended_upgrade event is
 * written by that same statement, so there is exactly one per upgrade.
 * Every row touched belongs to the triggering row's workspace.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "tiers.h"

/*
 * The upgrade and its ledger event in one statement.  $2 is the trace (one
 * trace) or the thread (every base trace currently in it), $3 the moment
 * (the server's clock).  The new expiry uses the workspace's extended period
 * as it is now, counted from the earlier of the trace's start and $3, so that
 * a start_time dated ahead never extends retention; it is added in UTC:
 * Citus refuses STABLE functions of columns (timestamptz + interval) in an
 * UPDATE of a distributed table.
 */
#define UPGRADE_SQL(target) \
"WITH up AS (" \
"  UPDATE lsbilling.traces t SET tier = 'extended', upgraded_at = $3," \
"   expires_at = pg_catalog.timezone('UTC', pg_catalog.timezone('UTC', least(t.start_time, $3))" \
"    + pg_catalog.make_interval(days => w.extended_retention_days))" \
"  FROM lsbilling.workspaces w" \
"  WHERE w.id = $1 AND t.workspace_id = $1 AND " target \
"   AND t.tier = 'base' AND t.purged_at IS NULL AND t.expires_at > $4" \
"  RETURNING t.id, w.organization_id)" \
" INSERT INTO lsbilling.billing_events" \
"  (organization_id, workspace_id, metric, trace_id, quantity, occurred_at)" \
" SELECT up.organization_id, $1, 'extended_upgrade', up.id, 1, $3 FROM up"

static const char *TraceUpgradeSql = UPGRADE_SQL("t.id = $2");
static const char *ThreadUpgradeSql = UPGRADE_SQL("t.thread_id = $2");

static const char *TracePurgedSql =
"SELECT purged_at IS NOT NULL OR expires_at <= $3,"
" pg_catalog.to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
" pg_catalog.to_char(purged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
" FROM lsbilling.traces WHERE workspace_id = $1 AND id = $2";

/*
 * Error path only: when a trace the watermark covers was purged, i.e. when
 * the first pass that covered it finished (NULL while that pass runs).  A
 * trace with purged_at is not asked: that is its time, and the only one a
 * 0.1.0 schema (which lacks the function) has.
 */
static const char *TracePurgedAtSql =
"SELECT pg_catalog.to_char(lsbilling.trace_purged_at(t) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
" FROM lsbilling.traces t WHERE t.workspace_id = $1 AND t.id = $2";

static SPIPlanPtr TraceUpgradePlan = NULL;
static SPIPlanPtr ThreadUpgradePlan = NULL;
static SPIPlanPtr TracePurgedPlan = NULL;

bool
TraceCheckNotPurged(Datum workspace_id, Datum trace_id)
{
	/* purged: purged_at written (0.1.0, Citus), or covered by the watermark (purge_watermark.c) */
	Datum		args[3] = {workspace_id, trace_id, TimestampTzGetDatum(PurgeWatermarkRead())};
	bool		isnull;
	int			rc;

	if (TracePurgedPlan == NULL)
	{
		Oid			argtypes[3] = {UUIDOID, UUIDOID, TIMESTAMPTZOID};

		TracePurgedPlan = LsbPrepareKept(TracePurgedSql, 3, argtypes, CURSOR_OPT_CUSTOM_PLAN);
	}
	rc = SPI_execute_plan(TracePurgedPlan, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling trace lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return false;
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
	{
		char	   *expired = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		char	   *purged = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
		Oid			argtypes[2] = {UUIDOID, UUIDOID};

		if (purged == NULL &&
			SPI_execute_with_args(TracePurgedAtSql, 2, argtypes, args, NULL, true, 1) == SPI_OK_SELECT &&
			SPI_processed == 1)
			purged = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		ereport(ERROR,
				(errcode(ERRCODE_LSB_TRACE_PURGED),
				 errmsg("trace %s has been purged",
						LsbUuidText(trace_id)),
				 purged != NULL ?
				 errdetail("Its retention period ended at %s UTC and its runs were deleted at %s UTC.",
						   expired, purged) :
				 errdetail("Its retention period ended at %s UTC and its runs are being deleted.",
						   expired),
				 errhint("Feedback, annotation queue items and rule matches can only be written for traces whose data is kept.")));
	}
	return true;
}

/*
 * Most feedback lands on traces that are already extended, so deciding that
 * there is nothing to do must cost next to nothing: the trace (and its
 * thread) are read straight from their indexes, without SPI or a plan.
 */
typedef struct TraceState
{
	bool		found;
	bool		is_base;
	bool		purged;
	text	   *thread_id;		/* NULL when the trace is in no thread */
} TraceState;

/*
 * Where traces and its indexes are, and its columns: looked up once, and
 * again after any invalidation of them (e.g. DROP and CREATE EXTENSION).
 */
static struct
{
	bool		valid;
	Oid			traces;
	Oid			pkey;
	Oid			thread_idx;
	bool		thread_idx_hash;	/* 0.2.0: hash on thread_id; 0.1.0: btree on (workspace_id, thread_id) */
	AttrNumber	workspace_id;
	AttrNumber	tier;
	AttrNumber	purged_at;
	AttrNumber	expires_at;
	AttrNumber	thread_id;
	bool		callback_registered;
}			Traces;

static void
TracesInvalidate(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == Traces.traces || relid == Traces.pkey ||
		relid == Traces.thread_idx)
		Traces.valid = false;
}

static Oid
LsbRelid(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "lsbilling relation \"%s\" is missing", name);
	return relid;
}

static void
TracesLookup(void)
{
	Oid			nsp;

	if (Traces.valid)
		return;
	if (!Traces.callback_registered)
	{
		CacheRegisterRelcacheCallback(TracesInvalidate, (Datum) 0);
		Traces.callback_registered = true;
	}
	nsp = get_namespace_oid("lsbilling", false);
	Traces.traces = LsbRelid(nsp, "traces");
	Traces.pkey = LsbRelid(nsp, "traces_pkey");
	/*
	 * 0.2.0 replaces the btree on (workspace_id, thread_id), which refused a
	 * thread_id over ~2.7 kB, by a hash index on thread_id; the library also
	 * serves a 0.1.0 schema until ALTER EXTENSION ... UPDATE.
	 */
	Traces.thread_idx = get_relname_relid("traces_thread_hash_idx", nsp);
	Traces.thread_idx_hash = OidIsValid(Traces.thread_idx);
	if (!Traces.thread_idx_hash)
		Traces.thread_idx = LsbRelid(nsp, "traces_thread_idx");
	Traces.workspace_id = get_attnum(Traces.traces, "workspace_id");
	Traces.tier = get_attnum(Traces.traces, "tier");
	Traces.purged_at = get_attnum(Traces.traces, "purged_at");
	Traces.expires_at = get_attnum(Traces.traces, "expires_at");
	Traces.thread_id = get_attnum(Traces.traces, "thread_id");
	if (Traces.tier == InvalidAttrNumber || Traces.purged_at == InvalidAttrNumber ||
		Traces.expires_at == InvalidAttrNumber ||
		Traces.thread_id == InvalidAttrNumber || Traces.workspace_id == InvalidAttrNumber)
		elog(ERROR, "lsbilling.traces lacks workspace_id, tier, purged_at, expires_at or thread_id");
	Traces.valid = true;
}

static bool
TextIs(Datum d, const char *s)
{
	text	   *t = DatumGetTextPP(d);

	return VARSIZE_ANY_EXHDR(t) == strlen(s) && memcmp(VARDATA_ANY(t), s, strlen(s)) == 0;
}

/*
 * Scan index indexname of traces for rows equal to (ws, key) and call back
 * on each visible one; the callback returns false to stop.
 */
typedef bool (*TraceRowCallback) (TupleTableSlot *slot, void *arg);

/*
 * Scan index indexid of traces for rows equal to (ws, key) and call back on
 * each visible one; the callback returns false to stop.  Reads with the
 * statement's snapshot: a trace seen extended stays extended, and a trace
 * seen base is re-checked under its row lock by the UPDATE that upgrades it.
 */
static void
ScanTraces(Oid indexid, Datum ws, Datum key, RegProcedure keyproc,
		   TraceRowCallback callback, void *arg)
{
	Relation	rel = table_open(Traces.traces, AccessShareLock);
	Relation	idx = index_open(indexid, AccessShareLock);
	Snapshot	snapshot = RegisterSnapshot(ActiveSnapshotSet() ? GetActiveSnapshot()
											: GetTransactionSnapshot());
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	ScanKeyData keys[2];
	IndexScanDesc scan;
	int			nkeys = 2;

	if (indexid == Traces.thread_idx && Traces.thread_idx_hash)
	{
		/* hash on thread_id alone: the callback checks workspace_id and rechecks the key */
		ScanKeyEntryInitialize(&keys[0], 0, 1, HTEqualStrategyNumber, InvalidOid,
							   idx->rd_indcollation[0], keyproc, key);
		nkeys = 1;
	}
	else
	{
		ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
							   idx->rd_indcollation[0], F_UUID_EQ, ws);
		ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
							   idx->rd_indcollation[1], keyproc, key);
	}
	scan = index_beginscan(rel, idx, snapshot, nkeys, 0);
	index_rescan(scan, keys, nkeys, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
		if (!callback(slot, arg))
			break;
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
}

/* expires_at at or before the purge watermark (purge_watermark.c): purged */
static bool
TraceCoveredByWatermark(TupleTableSlot *slot)
{
	bool		isnull;
	Datum		d = slot_getattr(slot, Traces.expires_at, &isnull);

	return !isnull && DatumGetTimestampTz(d) <= PurgeWatermarkRead();
}

static bool
ReadTraceState(TupleTableSlot *slot, void *arg)
{
	TraceState *st = (TraceState *) arg;
	bool		isnull;
	Datum		d;

	st->found = true;
	d = slot_getattr(slot, Traces.tier, &isnull);
	st->is_base = !isnull && TextIs(d, "base");
	(void) slot_getattr(slot, Traces.purged_at, &isnull);
	st->purged = !isnull || TraceCoveredByWatermark(slot);
	d = slot_getattr(slot, Traces.thread_id, &isnull);
	st->thread_id = isnull ? NULL : DatumGetTextPCopy(d);
	return false;
}

typedef struct ThreadSearch
{
	Datum		ws;
	text	   *thread_id;
	bool		found;
} ThreadSearch;

static bool
FindBaseTrace(TupleTableSlot *slot, void *arg)
{
	ThreadSearch *search = (ThreadSearch *) arg;
	bool	   *found = &search->found;
	bool		isnull;
	Datum		d = slot_getattr(slot, Traces.workspace_id, &isnull);

	/* the hash index holds every workspace's threads, and hash codes collide */
	if (isnull || !DatumGetBool(DirectFunctionCall2(uuid_eq, d, search->ws)))
		return true;
	d = slot_getattr(slot, Traces.thread_id, &isnull);
	if (isnull || !DatumGetBool(DirectFunctionCall2Coll(texteq, DEFAULT_COLLATION_OID, d,
														PointerGetDatum(search->thread_id))))
		return true;
	d = slot_getattr(slot, Traces.tier, &isnull);
	if (isnull || !TextIs(d, "base"))
		return true;
	(void) slot_getattr(slot, Traces.purged_at, &isnull);
	if (!isnull || TraceCoveredByWatermark(slot))
		return true;
	*found = true;
	return false;
}

/*
 * On Citus (scale_out.c) this trigger fires on a shard of feedback (or queue
 * items, rule matches), and lsbilling.traces here is the distributed table's
 * empty shell: its rows are in the colocated shard, which only a query sees.
 * So there the lookups go through SPI, routed by workspace_id.
 */
static const char *TraceStateSql =
"SELECT tier = 'base', purged_at IS NOT NULL, thread_id"
" FROM lsbilling.traces WHERE workspace_id = $1 AND id = $2";
static const char *ThreadBaseSql =
"SELECT 1 FROM lsbilling.traces"
" WHERE workspace_id = $1 AND thread_id = $2 AND tier = 'base' AND purged_at IS NULL LIMIT 1";
static SPIPlanPtr TraceStatePlan = NULL;
static SPIPlanPtr ThreadBasePlan = NULL;

static uint64
SpiLookup(SPIPlanPtr *planp, const char *sql, Oid keytype, Datum ws, Datum key)
{
	Datum		args[2] = {ws, key};
	int			rc;

	if (*planp == NULL)
	{
		Oid			argtypes[2] = {UUIDOID, keytype};

		*planp = LsbPrepareKept(sql, 2, argtypes, 0);
	}
	rc = SPI_execute_plan(*planp, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling trace lookup failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

static void
TraceStateLookupSpi(Datum ws, Datum trace_id, TraceState *st)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SpiLookup(&TraceStatePlan, TraceStateSql, UUIDOID, ws, trace_id) > 0)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;

		st->found = true;
		st->is_base = DatumGetBool(SPI_getbinval(row, desc, 1, &isnull));
		st->purged = DatumGetBool(SPI_getbinval(row, desc, 2, &isnull));
		d = SPI_getbinval(row, desc, 3, &isnull);
		st->thread_id = isnull ? NULL : (text *) DatumGetPointer(SPI_datumTransfer(d, false, -1));
	}
	SPI_finish();
}

static void
TraceStateLookup(Datum ws, Datum trace_id, TraceState *st)
{
	memset(st, 0, sizeof(*st));
	if (LsbCitusActive())
	{
		TraceStateLookupSpi(ws, trace_id, st);
		return;
	}
	TracesLookup();
	ScanTraces(Traces.pkey, ws, trace_id, F_UUID_EQ, ReadTraceState, st);
}

/* Is any trace of the thread still base (and not purged)? */
static bool
ThreadHasBaseTrace(Datum ws, text *thread_id)
{
	bool		found = false;

	if (LsbCitusActive())
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		found = SpiLookup(&ThreadBasePlan, ThreadBaseSql, TEXTOID, ws,
						  PointerGetDatum(thread_id)) > 0;
		SPI_finish();
		return found;
	}
	{
		ThreadSearch search = {ws, thread_id, false};

		TracesLookup();
		ScanTraces(Traces.thread_idx, ws, PointerGetDatum(thread_id), F_TEXTEQ, FindBaseTrace, &search);
		return search.found;
	}
}

/* Run one of the upgrade statements; returns how many traces it upgraded. */
static uint64
RunUpgrade(SPIPlanPtr *planp, const char *sql, Oid target_type, Datum ws, Datum target, Datum at)
{
	Datum		args[4] = {ws, target, at, TimestampTzGetDatum(PurgeWatermarkRead())};
	int			rc;

	if (*planp == NULL)
	{
		Oid			argtypes[4] = {UUIDOID, target_type, TIMESTAMPTZOID, TIMESTAMPTZOID};

		*planp = LsbPrepareKept(sql, 4, argtypes, CURSOR_OPT_CUSTOM_PLAN);
	}
	rc = SPI_execute_plan(*planp, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "lsbilling trace upgrade failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * Upgrade the trace of a new row (and, when spread_to_thread, every base
 * trace of its thread) at the moment "at".  Refuses purged traces; counts the
 * upgrades against the month's max_extended_traces (UsageAdd errors over it,
 * which rolls the upgrade back with the row).
 */
static void
UpgradeForRow(Datum ws, Datum trace_id, Datum at, bool spread_to_thread)
{
	TraceState	st;
	uint64		upgraded = 0;

	TraceStateLookup(ws, trace_id, &st);
	if (!st.found)
		return;					/* resolve_run_reference reports missing traces */
	if (!st.purged && !st.is_base &&
		!(spread_to_thread && st.thread_id != NULL && ThreadHasBaseTrace(ws, st.thread_id)))
		return;					/* the common case: nothing to upgrade */

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (st.purged)
		(void) TraceCheckNotPurged(ws, trace_id);

	if (spread_to_thread && st.thread_id != NULL)
	{
		/* the trace is in its own thread: one statement covers both */
		upgraded = RunUpgrade(&ThreadUpgradePlan, ThreadUpgradeSql, TEXTOID, ws,
							  PointerGetDatum(st.thread_id), at);
	}
	else
	{
		upgraded = RunUpgrade(&TraceUpgradePlan, TraceUpgradeSql, UUIDOID, ws, trace_id, at);
		/* none: another session upgraded it first, or a purge got there first */
		if (upgraded == 0)
			(void) TraceCheckNotPurged(ws, trace_id);
	}

	if (upgraded > 0)
		UsageAdd(ws, at, 0, (int64) upgraded);
	SPI_finish();
}

/*
 * BEFORE INSERT FOR EACH ROW on feedback, annotation_queue_runs and
 * rule_matches, named to fire after resolve_run_reference has filled
 * trace_id (BEFORE triggers fire in name order).  Before rather than after
 * the insert because an AFTER row event (queued, then the row fetched again)
 * costs more than the whole check when there is nothing to upgrade; a row
 * that then fails a constraint fails the statement, which rolls the upgrade
 * back with it.  Arguments: the column holding the moment of the upgrade
 * (created_at, added_at, matched_at) and 'thread' when the upgrade spreads to
 * the trace's thread (feedback) or 'trace' when it does not.
 */
PG_FUNCTION_INFO_V1(lsbilling_upgrade_trace);
Datum
lsbilling_upgrade_trace(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tup;
	Trigger    *trigger;
	bool		ws_null,
				trace_null;
	Datum		ws,
				trace_id,
				at;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("upgrade_trace: must be fired before insert for each row")));
	trigger = trigdata->tg_trigger;
	if (trigger->tgnargs != 2)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("upgrade_trace: expects two arguments, the time column and 'thread' or 'trace'")));

	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	tup = trigdata->tg_trigtuple;
	ws = heap_getattr(tup, LsbColumnOf(rel, "workspace_id"), desc, &ws_null);
	trace_id = heap_getattr(tup, LsbColumnOf(rel, "trace_id"), desc, &trace_null);
	if (ws_null || trace_null)
		return PointerGetDatum(tup);	/* resolve_run_reference fills trace_id */

	/*
	 * The upgrade (upgraded_at, its ledger event, the month it counts in) is
	 * at the server's time of the write; the row's own time column
	 * (tgargs[0]: created_at, added_at, matched_at) is the client's data.
	 */
	at = TimestampTzGetDatum(LsbNow());

	UpgradeForRow(ws, trace_id, at, strcmp(trigger->tgargs[1], "thread") == 0);
	return PointerGetDatum(tup);
}
