/*-------------------------------------------------------------------------
 *
 * run_trigger.c
 *	  The triggers on lsbilling.runs: validation before the write, trace
 *	  roll-up after it.
 *
 * BEFORE INSERT OR UPDATE (runs_before_write) refuses what the model cannot
 * hold and fills the derived columns; AFTER INSERT OR UPDATE OR DELETE
 * (runs_after_write) creates the trace row and keeps its totals.
 * The split keeps the side effect on traces after the row is known to be
 * written (constraints checked), as PostgreSQL's own RI triggers do.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "cost.h"
#include "lsbilling.h"
#include "retention.h"

/* LangSmith's run types (DESIGN.md "Data model"). */
static const char *const RunTypes[] = {
	"llm", "chain", "tool", "retriever", "embedding", "prompt", "parser"
};

static void
CheckRunType(HeapTuple tup, TupleDesc desc, const RunColumns *cols)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, cols->run_type, desc, &isnull);
	char	   *run_type;

	if (isnull)
		return;					/* NOT NULL reports it */
	run_type = TextDatumGetCString(d);
	for (size_t i = 0; i < lengthof(RunTypes); i++)
		if (strcmp(run_type, RunTypes[i]) == 0)
			return;
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("unknown run_type \"%s\"", run_type),
			 errhint("A run_type is one of llm, chain, tool, retriever, embedding, prompt or parser.")));
}

/* The columns that place a run in its trace cannot move: the trace's totals would go wrong. */
static void
CheckIdentityUnchanged(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, const RunColumns *cols)
{
	static const char *const names[] = {"workspace_id", "id", "trace_id", "project_id"};
	const AttrNumber attrs[] = {cols->workspace_id, cols->id, cols->trace_id, cols->project_id};

	for (size_t i = 0; i < lengthof(attrs); i++)
	{
		bool		oldnull,
					newnull;
		Datum		o = heap_getattr(oldtup, attrs[i], desc, &oldnull);
		Datum		n = heap_getattr(newtup, attrs[i], desc, &newnull);

		if (oldnull != newnull ||
			(!oldnull && !DatumGetBool(DirectFunctionCall2(uuid_eq, o, n))))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot change %s of a run", names[i]),
					 errhint("Delete the run and insert it again.")));
	}

	/*
	 * start_time places the run in its day partition: a change across days
	 * is a DELETE plus an INSERT that the per-statement roll-up of inserts
	 * never sees, and it would move the run's retention day under the purge.
	 */
	{
		bool		oldnull,
					newnull;
		Datum		o = heap_getattr(oldtup, cols->start_time, desc, &oldnull);
		Datum		n = heap_getattr(newtup, cols->start_time, desc, &newnull);

		if (oldnull != newnull || (!oldnull && DatumGetTimestampTz(o) != DatumGetTimestampTz(n)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot change start_time of a run"),
					 errhint("Delete the run and insert it again.")));
	}
}

static void
CheckParent(HeapTuple tup, TupleDesc desc, const RunColumns *cols)
{
	bool		idnull,
				parentnull;
	Datum		id = heap_getattr(tup, cols->id, desc, &idnull);
	Datum		parent = heap_getattr(tup, cols->parent_run_id, desc, &parentnull);

	if (!parentnull && !idnull && DatumGetBool(DirectFunctionCall2(uuid_eq, id, parent)))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("run %s cannot be its own parent",
						LsbUuidText(id))));
}

static void
CheckCalledAsRowTrigger(FunctionCallInfo fcinfo, const char *name, bool before)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s: not called by trigger manager", name)));
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		(before != (TRIGGER_FIRED_BEFORE(trigdata->tg_event) != 0)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s: must be fired %s each row", name, before ? "before" : "after")));
}

PG_FUNCTION_INFO_V1(lsbilling_runs_before_write);
Datum
lsbilling_runs_before_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	const RunColumns *cols;
	HeapTuple	tup;

	CheckCalledAsRowTrigger(fcinfo, "runs_before_write", true);
	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	cols = RunColumnsFor(rel);

	/*
	 * lsbilling's own moves (kept_runs.c, partitions.c) carry rows as they
	 * are: no repricing, and the row keeps its run id.
	 */
	if (LsbMaintenance)
		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
							   trigdata->tg_newtuple : trigdata->tg_trigtuple);

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		tup = trigdata->tg_newtuple;
		CheckIdentityUnchanged(trigdata->tg_trigtuple, tup, desc, cols);
		KeptRunsCheckWrite(cols, desc, tup, trigdata->tg_trigtuple);
	}
	else
	{
		tup = trigdata->tg_trigtuple;
		KeptRunsCheckWrite(cols, desc, tup, NULL);
	}

	CheckRunType(tup, desc, cols);
	CheckParent(tup, desc, cols);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		bool		isnull;
		Datum		start = heap_getattr(tup, cols->start_time, desc, &isnull);

		/* a run dated past the days made, before it claims its id (default_bound.c) */
		if (!isnull)
			DefaultBoundCheckRun(cols, DatumGetTimestampTz(start));
	}
	/* a retried create of a run already stored is skipped (run_ids.c) */
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && !RunIdClaim(rel, cols, desc, tup))
		return PointerGetDatum(NULL);
	tup = CostDeriveRun(cols, desc, tup,
						TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_trigtuple : NULL);

	return PointerGetDatum(tup);
}

/*
 * AFTER INSERT, once per statement, over the transition table new_runs: the
 * statement's runs are rolled up into their traces one trace at a time.
 */
PG_FUNCTION_INFO_V1(lsbilling_runs_after_insert);
Datum
lsbilling_runs_after_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) || trigdata->tg_newtable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("runs_after_insert: must be fired after insert for each statement, referencing new table as new_runs")));

	if (!LsbMaintenance)
		TraceRollupInsertStatement(trigdata);
	return PointerGetDatum(NULL);
}

/* AFTER UPDATE OR DELETE, for each row: apply the run's change to its trace. */
PG_FUNCTION_INFO_V1(lsbilling_runs_after_write);
Datum
lsbilling_runs_after_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	const RunColumns *cols;

	CheckCalledAsRowTrigger(fcinfo, "runs_after_write", false);
	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	cols = RunColumnsFor(rel);

	/* the purge deletes runs but keeps what the trace row says about them */
	if (LsbMaintenance)
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		TraceRollupUpdate(cols, trigdata->tg_trigtuple, trigdata->tg_newtuple, desc);
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		TraceRollupDelete(cols, trigdata->tg_trigtuple, desc);

	return PointerGetDatum(NULL);
}
