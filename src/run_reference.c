/*-------------------------------------------------------------------------
 *
 * run_reference.c
 *	  BEFORE INSERT trigger for the tables that point at a run: feedback,
 *	  annotation_queue_runs and rule_matches.
 *
 * runs is partitioned and loses rows to partition drops, so nothing can hold
 * a foreign key to it; this trigger checks the reference instead, within the
 * row's own workspace, and fills trace_id from the run when the writer left
 * it out.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "tiers.h"

static SPIPlanPtr RunTracePlan = NULL;
static SPIPlanPtr RunTraceAtPlan = NULL;
static SPIPlanPtr RunTraceNearPlan = NULL;
static SPIPlanPtr RunTraceBasePlan = NULL;

/*
 * No run run_id in workspace ws.  A purged trace keeps its row but loses its
 * runs, so when the trace is known we can say which it is: the named trace_id,
 * else the run's own id, which is the trace's id when it was the root run.
 * A child run of a purged trace named without its trace_id is
 * indistinguishable from one that never existed.
 */
static void
ReportRunNotFound(Datum ws, Datum run_id, Datum trace_id, bool trace_null)
{
	(void) TraceCheckNotPurged(ws, trace_null ? run_id : trace_id);
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("run %s does not exist in workspace %s", LsbUuidText(run_id), LsbUuidText(ws)),
			 errhint("Write the run before its feedback, queue items or rule matches; the runs of a trace past its retention period are deleted.")));
}

/*
 * The trace of run run_id in workspace ws; errors when there is no such run.
 *
 * runs is partitioned by day on start_time and keyed by (workspace_id, id,
 * start_time): a lookup by id alone plans, locks and probes every partition
 * (hundreds with a long retention).  The run's claim in lsbilling.run_ids
 * gives its start_time, and a query naming it is pruned by the planner to
 * the one partition that holds the run; that plan is built for each lookup
 * (CURSOR_OPT_CUSTOM_PLAN), as a generic plan would lock every partition
 * before pruning at run time.  A run without a claim (none in the
 * workspace, or data from before the update that the delta did not
 * backfill), or not found at its claim's start_time, goes through the
 * lookup by id alone: the path of a missing run, which then errors.
 */
/*
 * One of the lookups below: the run's trace_id into *trace, false when the
 * query finds no run.  Not read-only: the query then takes its snapshot
 * after its locks, so a writer that queued behind a purge sees what it left.
 */
static bool
LookupTrace(SPIPlanPtr *plan, const char *sql, int nargs, Datum *args, int cursor_options,
			Datum *trace)
{
	static const Oid argtypes[4] = {UUIDOID, UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	bool		isnull;
	int			rc;

	if (*plan == NULL)
		*plan = LsbPrepareKept(sql, nargs, (Oid *) argtypes, cursor_options);
	rc = SPI_execute_plan(*plan, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling run lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return false;
	*trace = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return true;
}

static Datum
TraceOfRun(Datum ws, Datum run_id, Datum trace_id, bool trace_null)
{
	Datum		args[4] = {ws, run_id, 0, 0};
	Datum		trace;

	if (RunIdStartTime(ws, run_id, &args[2]) &&
		LookupTrace(&RunTraceAtPlan,
					"SELECT trace_id FROM lsbilling.runs"
					" WHERE workspace_id = $1 AND id = $2 AND start_time = $3 LIMIT 1",
					3, args, CURSOR_OPT_CUSTOM_PLAN, &trace))
		return trace;

	/*
	 * Not in run_ids: on one node with split days a base run (kept runs are
	 * all in run_ids), looked for first around the time a version 7 uuid
	 * carries (the SDKs make run ids from the run's start), then in every
	 * base half, never in the (many more) kept halves.
	 */
	if (KeptRunsLayout())
	{
		const pg_uuid_t *u = DatumGetUUIDP(run_id);

		if ((u->data[6] >> 4) == 7)
		{
			int64		ms = 0;
			TimestampTz at;

			for (int i = 0; i < 6; i++)
				ms = (ms << 8) | u->data[i];
			/* Unix milliseconds to a timestamptz, widened by a day each way */
			at = ms * 1000 - (TimestampTz) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
			args[2] = TimestampTzGetDatum(at - USECS_PER_DAY);
			args[3] = TimestampTzGetDatum(at + USECS_PER_DAY);
			if (LookupTrace(&RunTraceNearPlan,
							"SELECT trace_id FROM lsbilling.runs"
							" WHERE workspace_id = $1 AND id = $2 AND NOT retained"
							" AND start_time >= $3 AND start_time < $4 LIMIT 1",
							4, args, CURSOR_OPT_CUSTOM_PLAN, &trace))
				return trace;
		}
		if (!LookupTrace(&RunTraceBasePlan,
						 "SELECT trace_id FROM lsbilling.runs"
						 " WHERE workspace_id = $1 AND id = $2 AND NOT retained LIMIT 1",
						 2, args, 0, &trace))
			ReportRunNotFound(ws, run_id, trace_id, trace_null);
		return trace;
	}

	/* no claim, or none found at its start_time: the lookup by id alone */
	if (!LookupTrace(&RunTracePlan,
					 "SELECT trace_id FROM lsbilling.runs WHERE workspace_id = $1 AND id = $2 LIMIT 1",
					 2, args, 0, &trace))
		ReportRunNotFound(ws, run_id, trace_id, trace_null);
	return trace;
}

/* A trace named without a run must exist and still have its data. */
static void
CheckTraceExists(Datum ws, Datum trace_id)
{
	if (!TraceCheckNotPurged(ws, trace_id))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("trace %s does not exist in workspace %s", LsbUuidText(trace_id), LsbUuidText(ws))));
}

PG_FUNCTION_INFO_V1(lsbilling_resolve_run_reference);
Datum
lsbilling_resolve_run_reference(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tup;
	int			ws_att,
				run_att,
				trace_att;
	bool		ws_null,
				run_null,
				trace_null;
	Datum		ws,
				run_id,
				trace_id;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("resolve_run_reference: must be fired before insert or update for each row")));

	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	ws_att = LsbColumnOf(rel, "workspace_id");
	run_att = LsbColumnOf(rel, "run_id");
	trace_att = LsbColumnOf(rel, "trace_id");

	/*
	 * What a row points at was checked, and its trace upgraded and billed,
	 * when it was written: moving it to another run would skip both.
	 */
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		const int	atts[3] = {ws_att, run_att, trace_att};
		static const char *const names[3] = {"workspace_id", "run_id", "trace_id"};

		for (int i = 0; i < 3; i++)
		{
			bool		oldnull,
						newnull;
			Datum		o = heap_getattr(trigdata->tg_trigtuple, atts[i], desc, &oldnull);
			Datum		n = heap_getattr(trigdata->tg_newtuple, atts[i], desc, &newnull);

			if (oldnull != newnull ||
				(!oldnull && !DatumGetBool(DirectFunctionCall2(uuid_eq, o, n))))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot change %s of a row of \"%s\"", names[i],
								RelationGetRelationName(rel)),
						 errhint("Delete the row and insert a new one.")));
		}
		return PointerGetDatum(trigdata->tg_newtuple);
	}
	tup = trigdata->tg_trigtuple;

	ws = heap_getattr(tup, ws_att, desc, &ws_null);
	run_id = heap_getattr(tup, run_att, desc, &run_null);
	trace_id = heap_getattr(tup, trace_att, desc, &trace_null);
	if (ws_null)
		return PointerGetDatum(tup);	/* NOT NULL reports it */

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (run_null)
	{
		/* feedback may name only a trace (the CHECK constraint demands one of the two) */
		if (!trace_null)
			CheckTraceExists(ws, trace_id);
	}
	else
	{
		Datum		run_trace = TraceOfRun(ws, run_id, trace_id, trace_null);

		if (trace_null)
		{
			int			cols[1] = {trace_att};
			Datum		vals[1];
			bool		nulls[1] = {false};

			/* copy out of SPI's memory before SPI_finish releases it */
			vals[0] = SPI_datumTransfer(run_trace, false, 16);
			SPI_finish();
			tup = heap_modify_tuple_by_cols(tup, desc, 1, cols, vals, nulls);
			return PointerGetDatum(tup);
		}
		if (!DatumGetBool(DirectFunctionCall2(uuid_eq, trace_id, run_trace)))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("run %s belongs to trace %s, not to trace %s",
							LsbUuidText(run_id), LsbUuidText(run_trace), LsbUuidText(trace_id))));
	}
	SPI_finish();
	return PointerGetDatum(tup);
}
