/*-------------------------------------------------------------------------
 *
 * kept_runs.c
 *	  The runs of extended traces live apart from those that expire with the
 *	  base retention, so that a day's base runs go by DROP with nothing to
 *	  copy out.
 *
 * Since 0.2.0 a day partition of runs (runs_pYYYYMMDD) is itself
 * partitioned by runs.retained: runs_pYYYYMMDD_base holds the runs of base
 * traces, runs_pYYYYMMDD_kept those of extended traces (partitions.c).  A
 * run is always written into the base half: a client does not know its
 * trace's tier, and a BEFORE trigger cannot send a row to another
 * partition.  When its trace is or becomes extended, the trace's runs are
 * moved to the kept half, by the AFTER triggers on traces below:
 *  - on the upgrade (tier goes from base to extended), whatever made it:
 *    feedback, a queue item, a rule match, an UPDATE of traces by hand;
 *  - when runs are added to a trace that is already extended (a late child
 *    run, or a project whose traces start extended).
 * The move is an UPDATE of retained under lsbilling.maintenance, so the run
 * triggers leave the rows as they are (no repricing, no roll-up, no rate
 * limit).  The moved runs' ids go into lsbilling.run_ids, which holds the
 * ids of kept runs (a base run's id is found in its day's base half, see
 * run_ids.c) so that a lookup by id finds a kept run at once.  It reads only base halves (the kept ones are
 * pruned by NOT retained), of the days around the trace's start and now.
 *
 * On Citus nothing moves: Citus distributes one level of partitioning, so
 * its day partitions are plain tables and its purge deletes row by row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "lsbilling.h"

static SPIPlanPtr MovePlan = NULL;

/*
 * The move reads only the days a trace's runs are found in: from a day
 * before the trace's start to a day after the later of its start and now
 * (the server's clock; late runs arrive now).  A run outside that window (a
 * child dated a day before its root, a trace running for days and upgraded
 * before its last runs) stays in its base half; the purge, which checks
 * every trace of a day before it drops the day, then deletes that day's
 * purged runs row by row instead, and loses nothing.
 */
#define KEPT_RUNS_SLACK USECS_PER_DAY

/* Runs are laid out by retained: one node, and the 0.2.0 schema. */
bool
KeptRunsLayout(void)
{
	Oid			nsp;
	Oid			runs;

	if (LsbCitusActive())
		return false;
	nsp = get_namespace_oid("lsbilling", true);
	if (!OidIsValid(nsp))
		return false;
	runs = get_relname_relid("runs", nsp);
	return OidIsValid(runs) && get_attnum(runs, "retained") != InvalidAttrNumber;
}

/*
 * Move the runs of trace (ws, trace_id) that are still in a base half to the
 * kept half of their day.  start: the trace's start time.  The caller is
 * connected to SPI.
 */
static void
KeptRunsMove(Datum ws, Datum trace_id, TimestampTz start)
{
	Datum		args[4];
	TimestampTz latest = Max(start, LsbNow());
	int			level;
	int			rc;

	if (MovePlan == NULL)
	{
		Oid			argtypes[4] = {UUIDOID, UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID};

		/* a plan for each call: pruned to the base halves of the trace's days */
		MovePlan = LsbPrepareKept("WITH moved AS (UPDATE lsbilling.runs r SET retained = true"
								  "  WHERE r.workspace_id = $1 AND r.trace_id = $2"
								  "  AND NOT r.retained AND r.start_time >= $3 AND r.start_time < $4"
								  "  RETURNING r.workspace_id, r.id, r.trace_id, r.start_time)"
								  " INSERT INTO lsbilling.run_ids (workspace_id, id, trace_id, start_time)"
								  " SELECT workspace_id, id, trace_id, start_time FROM moved"
								  " ON CONFLICT (workspace_id, id) DO NOTHING",
								  4, argtypes, CURSOR_OPT_CUSTOM_PLAN);
	}
	args[0] = ws;
	args[1] = trace_id;
	args[2] = TimestampTzGetDatum(start == DT_NOBEGIN ? DT_NOBEGIN : start - KEPT_RUNS_SLACK);
	args[3] = TimestampTzGetDatum(latest == DT_NOEND ? DT_NOEND : latest + KEPT_RUNS_SLACK);

	/* as a function's SET clause would, undone below or by the abort */
	level = NewGUCNestLevel();
	(void) set_config_option("lsbilling.maintenance", "on", PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_plan(MovePlan, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "lsbilling: cannot move the runs of extended traces: %s",
			 SPI_result_code_string(rc));
	AtEOXact_GUC(true, level);
}

/*
 * runs.retained is lsbilling's: a client that could set it would keep its
 * runs past the base retention it pays for.  Called by runs_before_write
 * (not under lsbilling.maintenance); oldtup is NULL for an insert.
 */
void
KeptRunsCheckWrite(const RunColumns *cols, TupleDesc desc, HeapTuple newtup, HeapTuple oldtup)
{
	bool		isnull;
	bool		retained;

	if (cols->retained == InvalidAttrNumber)
		return;
	retained = DatumGetBool(heap_getattr(newtup, cols->retained, desc, &isnull)) && !isnull;
	if (oldtup == NULL ? !retained
		: retained == (DatumGetBool(heap_getattr(oldtup, cols->retained, desc, &isnull)) && !isnull))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_GENERATED_ALWAYS),
			 errmsg("column \"retained\" of lsbilling.runs is set by lsbilling"),
			 errdetail("A run moves to the kept half of its day when its trace is upgraded to extended retention."),
			 errhint("Leave the column out of INSERT and UPDATE.")));
}

/*
 * AFTER INSERT OR UPDATE ON traces FOR EACH ROW, when the trace is extended
 * and was not, or has new runs (the WHEN clauses of the triggers).
 */
PG_FUNCTION_INFO_V1(lsbilling_traces_keep_runs);
Datum
lsbilling_traces_keep_runs(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	TupleDesc	desc;
	Datum		ws,
				id,
				start;
	bool		wsnull,
				idnull,
				stnull;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("traces_keep_runs: must be fired after insert or update for each row")));
	if (LsbMaintenance || !KeptRunsLayout())
		return PointerGetDatum(NULL);

	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	ws = heap_getattr(tup, LsbColumnOf(trigdata->tg_relation, "workspace_id"), desc, &wsnull);
	id = heap_getattr(tup, LsbColumnOf(trigdata->tg_relation, "id"), desc, &idnull);
	start = heap_getattr(tup, LsbColumnOf(trigdata->tg_relation, "start_time"), desc, &stnull);
	if (wsnull || idnull)
		return PointerGetDatum(NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	KeptRunsMove(ws, id, stnull ? DT_NOBEGIN : DatumGetTimestampTz(start));
	SPI_finish();
	return PointerGetDatum(NULL);
}
