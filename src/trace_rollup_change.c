/*-------------------------------------------------------------------------
 *
 * trace_rollup_change.c
 *	  The roll-up of run UPDATEs and DELETEs into their traces, once per
 *	  statement (AFTER UPDATE / AFTER DELETE FOR EACH STATEMENT over the
 *	  transition tables), like inserts.
 *
 * 0.1.0 applied each changed run to its trace row by itself (per row
 * trigger lsbilling.runs_after_write): deleting a trace of n runs wrote its
 * trace row n times in one transaction, and each write had to walk the chain
 * of the row's earlier versions, all made by this transaction and none
 * prunable: quadratic (a 32k-run trace took 15 s).  Here the statement's old
 * and new rows are summed per trace (new minus old), and each trace is
 * written once.  The sums are exact (numeric), so the totals come out the
 * same to the last digit as with the per-row deltas.
 *
 * As in trace_rollup.c, SQL never reads the transition tables: the rows are
 * read in C into arrays, which the grouping query unnests (on Citus the
 * trigger fires on a shard, where a named tuplestore is not visible to the
 * queries Citus plans).  On Citus each trace's delta is its own UPDATE,
 * routed to the trace's shard.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"
#include "access/htup_details.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/tuplestore.h"

#include "lsbilling.h"

#define CHANGE_NCOLS 9

static const Oid ChangeElemTypes[CHANGE_NCOLS] = {UUIDOID, UUIDOID, INT4OID, INT8OID, INT8OID,
INT8OID, NUMERICOID, NUMERICOID, NUMERICOID};
static const Oid ChangeArrayTypes[CHANGE_NCOLS] = {UUIDARRAYOID, UUIDARRAYOID, INT4ARRAYOID,
	INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID};

/*
 * The statement's changes per trace: old rows count -1, new rows +1.  A
 * trace whose sums are all zero (an update of end_time or error, the common
 * PATCH) is left out: its row is not written.
 */
#define CHANGE_GROUPS \
"WITH d AS (" \
" SELECT r.workspace_id, r.trace_id, sum(r.sign)::bigint AS runs," \
"  sum(r.sign * coalesce(r.prompt_tokens, 0))::bigint AS prompt_tokens," \
"  sum(r.sign * coalesce(r.completion_tokens, 0))::bigint AS completion_tokens," \
"  sum(r.sign * coalesce(r.total_tokens, 0))::bigint AS total_tokens," \
"  coalesce(sum(r.prompt_cost) FILTER (WHERE r.sign > 0), 0)" \
"   - coalesce(sum(r.prompt_cost) FILTER (WHERE r.sign < 0), 0) AS prompt_cost," \
"  coalesce(sum(r.completion_cost) FILTER (WHERE r.sign > 0), 0)" \
"   - coalesce(sum(r.completion_cost) FILTER (WHERE r.sign < 0), 0) AS completion_cost," \
"  coalesce(sum(r.total_cost) FILTER (WHERE r.sign > 0), 0)" \
"   - coalesce(sum(r.total_cost) FILTER (WHERE r.sign < 0), 0) AS total_cost" \
" FROM ROWS FROM (pg_catalog.unnest($1::uuid[]), pg_catalog.unnest($2::uuid[])," \
"  pg_catalog.unnest($3::integer[]), pg_catalog.unnest($4::bigint[])," \
"  pg_catalog.unnest($5::bigint[]), pg_catalog.unnest($6::bigint[])," \
"  pg_catalog.unnest($7::numeric[]), pg_catalog.unnest($8::numeric[])," \
"  pg_catalog.unnest($9::numeric[]))" \
"  AS r(workspace_id, trace_id, sign, prompt_tokens, completion_tokens, total_tokens," \
"   prompt_cost, completion_cost, total_cost)" \
" GROUP BY r.workspace_id, r.trace_id)" \
" SELECT d.workspace_id, d.trace_id, d.runs, d.prompt_tokens, d.completion_tokens," \
"  d.total_tokens, d.prompt_cost, d.completion_cost, d.total_cost FROM d" \
" WHERE d.runs <> 0 OR d.prompt_tokens <> 0 OR d.completion_tokens <> 0" \
"  OR d.total_tokens <> 0 OR d.prompt_cost <> 0 OR d.completion_cost <> 0 OR d.total_cost <> 0"

#define CHANGE_SET \
"UPDATE lsbilling.traces t SET" \
"  run_count = t.run_count + c.runs," \
"  prompt_tokens = t.prompt_tokens + c.prompt_tokens," \
"  completion_tokens = t.completion_tokens + c.completion_tokens," \
"  total_tokens = t.total_tokens + c.total_tokens," \
"  prompt_cost = t.prompt_cost + c.prompt_cost," \
"  completion_cost = t.completion_cost + c.completion_cost," \
"  other_cost = t.other_cost + (c.total_cost - c.prompt_cost - c.completion_cost)," \
"  total_cost = t.total_cost + c.total_cost"

/* One statement for all traces (one node). */
static const char *ChangeApplySql =
CHANGE_GROUPS "";
static const char *ChangeApplyAllSql =
"WITH c AS (" CHANGE_GROUPS ") "
CHANGE_SET
" FROM c WHERE t.workspace_id = c.workspace_id AND t.id = c.trace_id"
" AND t.purged_at IS NULL";		/* a purge's deletes keep the totals, also where
								 * lsbilling.maintenance does not reach (a Citus shard) */

/* Citus: one routed UPDATE a trace, from the groups of ChangeApplySql. */
static const char *ChangeApplyOneSql =
"UPDATE lsbilling.traces t SET"
"  run_count = t.run_count + $3,"
"  prompt_tokens = t.prompt_tokens + $4,"
"  completion_tokens = t.completion_tokens + $5,"
"  total_tokens = t.total_tokens + $6,"
"  prompt_cost = t.prompt_cost + $7,"
"  completion_cost = t.completion_cost + $8,"
"  other_cost = t.other_cost + ($9 - $7 - $8),"
"  total_cost = t.total_cost + $9"
" WHERE t.workspace_id = $1 AND t.id = $2 AND t.purged_at IS NULL";

static SPIPlanPtr ChangeGroupsPlan = NULL;
static SPIPlanPtr ChangeApplyAllPlan = NULL;
static SPIPlanPtr ChangeApplyOnePlan = NULL;

/* Column buffers for the arrays of CHANGE_GROUPS. */
typedef struct ChangeRows
{
	int			n;
	int			cap;
	Datum	   *values[CHANGE_NCOLS];
	bool	   *nulls[CHANGE_NCOLS];
} ChangeRows;

static void
ChangeRowsInit(ChangeRows *rows, int64 cap)
{
	rows->n = 0;
	rows->cap = (int) Max(cap, 1);
	for (int c = 0; c < CHANGE_NCOLS; c++)
	{
		rows->values[c] = palloc(sizeof(Datum) * rows->cap);
		rows->nulls[c] = palloc(sizeof(bool) * rows->cap);
	}
}

/* Add the rows of a transition table, each counted with sign. */
static void
ChangeRowsAdd(ChangeRows *rows, Tuplestorestate *table, Relation rel, int sign)
{
	TupleDesc	desc = RelationGetDescr(rel);
	const RunColumns *cols = RunColumnsFor(rel);
	const AttrNumber attrs[CHANGE_NCOLS] = {cols->workspace_id, cols->trace_id, InvalidAttrNumber,
		cols->prompt_tokens, cols->completion_tokens, cols->total_tokens, cols->prompt_cost,
	cols->completion_cost, cols->total_cost};
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);

	tuplestore_rescan(table);
	while (rows->n < rows->cap && tuplestore_gettupleslot(table, true, false, slot))
	{
		int			n = rows->n;

		for (int c = 0; c < CHANGE_NCOLS; c++)
		{
			Form_pg_attribute att;
			Datum		v;

			if (attrs[c] == InvalidAttrNumber)
			{
				rows->values[c][n] = Int32GetDatum(sign);
				rows->nulls[c][n] = false;
				continue;
			}
			att = TupleDescAttr(desc, attrs[c] - 1);
			v = slot_getattr(slot, attrs[c], &rows->nulls[c][n]);
			rows->values[c][n] = rows->nulls[c][n] ? (Datum) 0 :
				datumCopy(v, att->attbyval, att->attlen);
		}
		rows->n++;
	}
	ExecDropSingleTupleTableSlot(slot);
}

static void
ApplyChanges(Datum *arrays)
{
	int			rc;

	if (!LsbCitusActive())
	{
		if (ChangeApplyAllPlan == NULL)
			ChangeApplyAllPlan = LsbPrepareKept(ChangeApplyAllSql, CHANGE_NCOLS,
												(Oid *) ChangeArrayTypes, 0);
		rc = SPI_execute_plan(ChangeApplyAllPlan, arrays, NULL, false, 0);
		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "lsbilling trace update failed: %s", SPI_result_code_string(rc));
		return;
	}

	if (ChangeGroupsPlan == NULL)
		ChangeGroupsPlan = LsbPrepareKept(ChangeApplySql, CHANGE_NCOLS, (Oid *) ChangeArrayTypes, 0);
	if (ChangeApplyOnePlan == NULL)
	{
		Oid			argtypes[CHANGE_NCOLS] = {UUIDOID, UUIDOID, INT8OID, INT8OID, INT8OID,
		INT8OID, NUMERICOID, NUMERICOID, NUMERICOID};

		ChangeApplyOnePlan = LsbPrepareKept(ChangeApplyOneSql, CHANGE_NCOLS, argtypes, 0);
	}
	rc = SPI_execute_plan(ChangeGroupsPlan, arrays, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling trace roll-up failed: %s", SPI_result_code_string(rc));
	{
		SPITupleTable *groups = SPI_tuptable;
		uint64		ngroups = SPI_processed;

		for (uint64 g = 0; g < ngroups; g++)
		{
			Datum		values[CHANGE_NCOLS];
			bool		isnull;

			for (int i = 0; i < CHANGE_NCOLS; i++)
				values[i] = SPI_getbinval(groups->vals[g], groups->tupdesc, i + 1, &isnull);
			rc = SPI_execute_plan(ChangeApplyOnePlan, values, NULL, false, 0);
			if (rc != SPI_OK_UPDATE)
				elog(ERROR, "lsbilling trace update failed: %s", SPI_result_code_string(rc));
		}
	}
}

/*
 * AFTER UPDATE (REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs) and
 * AFTER DELETE (REFERENCING OLD TABLE AS old_runs) FOR EACH STATEMENT on
 * lsbilling.runs.  A DELETE also frees the ids of the deleted runs in
 * lsbilling.run_ids.  Not under lsbilling.maintenance: the purge deletes runs
 * but keeps what the trace row says about them, and deletes the run_ids rows
 * of the traces it purges itself (purge.c); moving rows between partitions
 * keeps their ids.
 */
/* The one row of a one-row UPDATE changed nothing its trace sums over. */
static bool
SingleUpdateTotalsUnchanged(TriggerData *trigdata)
{
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	TupleTableSlot *oldslot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	TupleTableSlot *newslot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	bool		unchanged = false;

	tuplestore_rescan(trigdata->tg_oldtable);
	tuplestore_rescan(trigdata->tg_newtable);
	if (tuplestore_gettupleslot(trigdata->tg_oldtable, true, false, oldslot) &&
		tuplestore_gettupleslot(trigdata->tg_newtable, true, false, newslot))
	{
		bool		free_old,
					free_new;
		HeapTuple	o = ExecFetchSlotHeapTuple(oldslot, false, &free_old);
		HeapTuple	n = ExecFetchSlotHeapTuple(newslot, false, &free_new);

		unchanged = RunTotalsUnchanged(RunColumnsFor(rel), o, n, desc);
		if (free_old)
			heap_freetuple(o);
		if (free_new)
			heap_freetuple(n);
	}
	ExecDropSingleTupleTableSlot(oldslot);
	ExecDropSingleTupleTableSlot(newslot);
	return unchanged;
}

PG_FUNCTION_INFO_V1(lsbilling_runs_after_change);
Datum
lsbilling_runs_after_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	bool		is_update;
	int64		nold,
				nnew;
	ChangeRows	rows;
	Datum		arrays[CHANGE_NCOLS];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) || TRIGGER_FIRED_BY_DELETE(trigdata->tg_event)) ||
		trigdata->tg_oldtable == NULL ||
		(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) && trigdata->tg_newtable == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("runs_after_change: must be fired after update or delete for each statement, referencing old table (and new table for updates)")));

	if (LsbMaintenance)
		return PointerGetDatum(NULL);

	is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	nold = tuplestore_tuple_count(trigdata->tg_oldtable);
	nnew = is_update ? tuplestore_tuple_count(trigdata->tg_newtable) : 0;
	if (nold + nnew == 0)
		return PointerGetDatum(NULL);
	/* a PATCH of end_time, outputs or error: no total moved, no trace write */
	if (is_update && nold == 1 && nnew == 1 && SingleUpdateTotalsUnchanged(trigdata))
		return PointerGetDatum(NULL);

	ChangeRowsInit(&rows, nold + nnew);
	ChangeRowsAdd(&rows, trigdata->tg_oldtable, trigdata->tg_relation, -1);
	if (is_update)
		ChangeRowsAdd(&rows, trigdata->tg_newtable, trigdata->tg_relation, 1);
	LsbColumnArrays(CHANGE_NCOLS, ChangeElemTypes, rows.values, rows.nulls, rows.n, arrays);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ApplyChanges(arrays);
	/* deleted runs free their ids (run_ids.c); the purge deletes its own */
	if (!is_update)
		RunIdsReleaseDeleted(trigdata->tg_oldtable, trigdata->tg_relation);
	SPI_finish();
	return PointerGetDatum(NULL);
}
