/*-------------------------------------------------------------------------
 *
 * tier_upgrade.c
 *	  Upgrades traces from base to extended retention when feedback, an
 *	  annotation queue item or an automation rule match is written for them
 *	  (AFTER INSERT trigger lsbilling.upgrade_trace), and refuses such writes
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

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "tiers.h"

/* What the trigger needs to know before deciding whether to write at all. */
static const char *TraceStateSql =
"SELECT t.tier = 'base', t.purged_at IS NOT NULL, t.thread_id"
" FROM lsbilling.traces t WHERE t.workspace_id = $1 AND t.id = $2";

/*
 * The upgrade and its ledger event in one statement.  $2 is the trace (one
 * trace) or the thread (every base trace currently in it), $3 the moment.
 * The new expiry uses the workspace's extended period as it is now.
 */
#define UPGRADE_SQL(target) \
"WITH up AS (" \
"  UPDATE lsbilling.traces t SET tier = 'extended', upgraded_at = $3," \
"   expires_at = t.start_time + make_interval(days => w.extended_retention_days)" \
"  FROM lsbilling.workspaces w" \
"  WHERE w.id = $1 AND t.workspace_id = $1 AND " target \
"   AND t.tier = 'base' AND t.purged_at IS NULL" \
"  RETURNING t.id, w.organization_id)" \
" INSERT INTO lsbilling.billing_events" \
"  (organization_id, workspace_id, metric, trace_id, quantity, occurred_at)" \
" SELECT up.organization_id, $1, 'extended_upgrade', up.id, 1, $3 FROM up"

static const char *TraceUpgradeSql = UPGRADE_SQL("t.id = $2");
static const char *ThreadUpgradeSql = UPGRADE_SQL("t.thread_id = $2");

static const char *TracePurgedSql =
"SELECT purged_at IS NOT NULL, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
" to_char(purged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
" FROM lsbilling.traces WHERE workspace_id = $1 AND id = $2";

static SPIPlanPtr TraceStatePlan = NULL;
static SPIPlanPtr TraceUpgradePlan = NULL;
static SPIPlanPtr ThreadUpgradePlan = NULL;
static SPIPlanPtr TracePurgedPlan = NULL;

/*
 * Statements on traces are planned for their parameters every time: a
 * generic plan made while traces was small can choose an index on
 * workspace_id alone, and keeps it (filtering every trace of the workspace)
 * until the next ANALYZE, which a bulk load in one transaction never sees.
 */
static SPIPlanPtr
PrepareKept(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, CURSOR_OPT_CUSTOM_PLAN);

	if (plan == NULL || SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_prepare failed for lsbilling tier upgrade: %s",
			 SPI_result_code_string(SPI_result));
	return plan;
}

bool
TraceCheckNotPurged(Datum workspace_id, Datum trace_id)
{
	Datum		args[2] = {workspace_id, trace_id};
	bool		isnull;
	int			rc;

	if (TracePurgedPlan == NULL)
	{
		Oid			argtypes[2] = {UUIDOID, UUIDOID};

		TracePurgedPlan = PrepareKept(TracePurgedSql, 2, argtypes);
	}
	rc = SPI_execute_plan(TracePurgedPlan, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling trace lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return false;
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_LSB_TRACE_PURGED),
				 errmsg("trace %s has been purged",
						DatumGetCString(DirectFunctionCall1(uuid_out, trace_id))),
				 errdetail("Its retention period ended at %s UTC and its runs were deleted at %s UTC.",
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3)),
				 errhint("Feedback, annotation queue items and rule matches can only be written for traces whose data is kept.")));
	return true;
}

static int
ColumnOf(Relation rel, const char *name)
{
	int			attnum = SPI_fnumber(RelationGetDescr(rel), name);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("relation \"%s\" has no column \"%s\"",
						RelationGetRelationName(rel), name)));
	return attnum;
}

/* Run one of the upgrade statements; returns how many traces it upgraded. */
static uint64
RunUpgrade(SPIPlanPtr *planp, const char *sql, Oid target_type, Datum ws, Datum target, Datum at)
{
	Datum		args[3] = {ws, target, at};
	int			rc;

	if (*planp == NULL)
	{
		Oid			argtypes[3] = {UUIDOID, target_type, TIMESTAMPTZOID};

		*planp = PrepareKept(sql, 3, argtypes);
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
	Datum		args[2] = {ws, trace_id};
	bool		isnull;
	bool		is_base;
	bool		purged;
	bool		thread_null;
	Datum		thread_id;
	uint64		upgraded = 0;
	int			rc;

	if (TraceStatePlan == NULL)
	{
		Oid			argtypes[2] = {UUIDOID, UUIDOID};

		TraceStatePlan = PrepareKept(TraceStateSql, 2, argtypes);
	}
	rc = SPI_execute_plan(TraceStatePlan, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling trace lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return;					/* resolve_run_reference reports missing traces */
	is_base = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	purged = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	thread_id = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &thread_null);

	if (purged)
		(void) TraceCheckNotPurged(ws, trace_id);

	if (spread_to_thread && !thread_null)
	{
		/* the trace is in its own thread: one statement covers both */
		thread_id = SPI_datumTransfer(thread_id, false, -1);
		upgraded = RunUpgrade(&ThreadUpgradePlan, ThreadUpgradeSql, TEXTOID, ws, thread_id, at);
	}
	else if (is_base)
	{
		upgraded = RunUpgrade(&TraceUpgradePlan, TraceUpgradeSql, UUIDOID, ws, trace_id, at);
		/* none: another session upgraded it first, or a purge got there first */
		if (upgraded == 0)
			(void) TraceCheckNotPurged(ws, trace_id);
	}

	if (upgraded > 0)
		UsageAdd(ws, at, 0, (int64) upgraded);
}

/*
 * AFTER INSERT FOR EACH ROW on feedback, annotation_queue_runs and
 * rule_matches.  Arguments: the column holding the moment of the upgrade
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
				trace_null,
				at_null;
	Datum		ws,
				trace_id,
				at;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("upgrade_trace: must be fired after insert for each row")));
	trigger = trigdata->tg_trigger;
	if (trigger->tgnargs != 2)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("upgrade_trace: expects two arguments, the time column and 'thread' or 'trace'")));

	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	tup = trigdata->tg_trigtuple;
	ws = heap_getattr(tup, ColumnOf(rel, "workspace_id"), desc, &ws_null);
	trace_id = heap_getattr(tup, ColumnOf(rel, "trace_id"), desc, &trace_null);
	at = heap_getattr(tup, ColumnOf(rel, trigger->tgargs[0]), desc, &at_null);
	if (ws_null || trace_null)
		return PointerGetDatum(NULL);	/* resolve_run_reference fills trace_id */
	if (at_null)
		at = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	UpgradeForRow(ws, trace_id, at, strcmp(trigger->tgargs[1], "thread") == 0);
	SPI_finish();
	return PointerGetDatum(NULL);
}
