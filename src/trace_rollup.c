/*-------------------------------------------------------------------------
 *
 * trace_rollup.c
 *	  Keeps each trace row, and its totals, equal to the sum over its runs.
 *
 * The first run of a trace to arrive creates the trace row (children may
 * arrive before their root); the root run (id = trace_id) sets the trace's
 * name, start_time and thread_id.  Tokens and costs are added as deltas in
 * one statement per run write, so concurrent writers to the same trace
 * serialize on the trace row and never lose an update.
 *
 * The statements are prepared once per backend and kept (SPI_keepplan);
 * the plan cache re-plans them if the tables change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "tiers.h"

/* The root's start time wins; until the root arrives, the earliest run's. */
#define NEW_TRACE_START \
	"CASE WHEN excluded.root_seen OR (NOT t.root_seen AND excluded.start_time < t.start_time)" \
	" THEN excluded.start_time ELSE t.start_time END"

/*
 * Insert: create the trace (tier and expiry from its project and workspace) or
 * add the run to it.  Selecting from projects doubles as the check that the
 * project exists in the run's workspace: no row comes back when it does not.
 * "other" cost is whatever of total_cost is neither input nor output (a tool
 * run's sent total, say), so that input + output + other = total.
 */
static const char *TraceUpsertSql =
"INSERT INTO lsbilling.traces AS t (workspace_id, id, project_id, name, start_time,"
"  thread_id, root_seen, tier, expires_at, run_count, prompt_tokens, completion_tokens,"
"  total_tokens, prompt_cost, completion_cost, other_cost, total_cost)"
" SELECT $1, $2, p.id, CASE WHEN $7 THEN $4 END, $5, $6, $7, p.default_tier,"
"  $5 + make_interval(days => CASE p.default_tier WHEN 'extended'"
"       THEN w.extended_retention_days ELSE w.base_retention_days END),"
"  1, coalesce($8, 0), coalesce($9, 0), coalesce($10, 0), coalesce($11, 0),"
"  coalesce($12, 0), coalesce($13, 0) - coalesce($11, 0) - coalesce($12, 0), coalesce($13, 0)"
" FROM lsbilling.projects p JOIN lsbilling.workspaces w ON w.id = p.workspace_id"
" WHERE p.workspace_id = $1 AND p.id = $3"
" ON CONFLICT (workspace_id, id) DO UPDATE SET"
"  run_count = t.run_count + 1,"
"  prompt_tokens = t.prompt_tokens + excluded.prompt_tokens,"
"  completion_tokens = t.completion_tokens + excluded.completion_tokens,"
"  total_tokens = t.total_tokens + excluded.total_tokens,"
"  prompt_cost = t.prompt_cost + excluded.prompt_cost,"
"  completion_cost = t.completion_cost + excluded.completion_cost,"
"  other_cost = t.other_cost + excluded.other_cost,"
"  total_cost = t.total_cost + excluded.total_cost,"
"  name = CASE WHEN excluded.root_seen THEN excluded.name ELSE t.name END,"
"  thread_id = CASE WHEN excluded.root_seen THEN excluded.thread_id ELSE t.thread_id END,"
"  start_time = " NEW_TRACE_START ","
"  expires_at = t.expires_at + (" NEW_TRACE_START " - t.start_time),"
"  root_seen = t.root_seen OR excluded.root_seen"
" RETURNING t.project_id, (t.xmax = 0) AS created";

/* Update and delete: apply new - old; run_count moves by $15. */
static const char *TraceDeltaSql =
"UPDATE lsbilling.traces t SET"
"  run_count = t.run_count + $15,"
"  prompt_tokens = t.prompt_tokens + coalesce($3, 0) - coalesce($9, 0),"
"  completion_tokens = t.completion_tokens + coalesce($4, 0) - coalesce($10, 0),"
"  total_tokens = t.total_tokens + coalesce($5, 0) - coalesce($11, 0),"
"  prompt_cost = t.prompt_cost + coalesce($6, 0) - coalesce($12, 0),"
"  completion_cost = t.completion_cost + coalesce($7, 0) - coalesce($13, 0),"
"  other_cost = t.other_cost"
"    + (coalesce($8, 0) - coalesce($6, 0) - coalesce($7, 0))"
"    - (coalesce($14, 0) - coalesce($12, 0) - coalesce($13, 0)),"
"  total_cost = t.total_cost + coalesce($8, 0) - coalesce($14, 0)"
" WHERE t.workspace_id = $1 AND t.id = $2";

static SPIPlanPtr TraceUpsertPlan = NULL;
static SPIPlanPtr TraceDeltaPlan = NULL;

static SPIPlanPtr
PrepareKept(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for lsbilling trace roll-up: %s",
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed for lsbilling trace roll-up");
	return plan;
}

/* The thread a root run belongs to, from extra.metadata (LangSmith's three names for it). */
static Datum
RunThreadId(HeapTuple tup, TupleDesc desc, const RunColumns *cols, bool *isnull)
{
	static const char *const keys[] = {"thread_id", "session_id", "conversation_id"};
	bool		extra_null;
	Datum		extra = heap_getattr(tup, cols->extra, desc, &extra_null);
	JsonbContainer *metadata;

	*isnull = true;
	if (extra_null)
		return (Datum) 0;
	metadata = JsonbObjectGetObject(&DatumGetJsonbP(extra)->root, "metadata");
	for (size_t i = 0; i < lengthof(keys); i++)
	{
		JsonbValue	v;

		if (JsonbObjectGet(metadata, keys[i], &v) == NULL)
			continue;
		if (v.type == jbvString)
		{
			*isnull = false;
			return PointerGetDatum(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
		}
		if (v.type == jbvNumeric)
		{
			*isnull = false;
			return CStringGetTextDatum(DatumGetCString(DirectFunctionCall1(numeric_out,
																			NumericGetDatum(v.val.numeric))));
		}
	}
	return (Datum) 0;
}

/* Fill values[from..from+5] with the run's tokens and costs (the roll-up's inputs). */
static void
RunTotals(HeapTuple tup, TupleDesc desc, const RunColumns *cols,
		  Datum *values, char *nulls, int from)
{
	const AttrNumber attrs[6] = {cols->prompt_tokens, cols->completion_tokens, cols->total_tokens,
	cols->prompt_cost, cols->completion_cost, cols->total_cost};

	for (int i = 0; i < 6; i++)
	{
		bool		isnull = true;

		if (tup != NULL)
			values[from + i] = heap_getattr(tup, attrs[i], desc, &isnull);
		nulls[from + i] = isnull ? 'n' : ' ';
	}
}

static void
ReportProjectNotInWorkspace(Datum workspace_id, Datum project_id)
{
	char	   *ws = DatumGetCString(DirectFunctionCall1(uuid_out, workspace_id));
	char	   *proj = DatumGetCString(DirectFunctionCall1(uuid_out, project_id));
	Oid			argtypes[1] = {UUIDOID};
	Datum		args[1] = {project_id};
	int			rc;

	rc = SPI_execute_with_args("SELECT workspace_id FROM lsbilling.projects WHERE id = $1 LIMIT 1",
							   1, argtypes, args, NULL, true, 1);
	if (rc == SPI_OK_SELECT && SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("project %s belongs to another workspace than the run's workspace %s",
						proj, ws),
				 errdetail("A run must be written to the workspace of its tracing project (%s).",
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))));
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("project %s does not exist in workspace %s", proj, ws),
			 errhint("Create the tracing project in lsbilling.projects first.")));
}

void
TraceRollupInsert(const RunColumns *cols, HeapTuple tup, TupleDesc desc)
{
	Datum		values[13];
	char		nulls[13];
	bool		isnull;
	bool		is_root;
	Datum		run_id;
	Datum		trace_project;
	int			rc;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = heap_getattr(tup, cols->workspace_id, desc, &isnull);
	values[1] = heap_getattr(tup, cols->trace_id, desc, &isnull);
	values[2] = heap_getattr(tup, cols->project_id, desc, &isnull);
	run_id = heap_getattr(tup, cols->id, desc, &isnull);
	is_root = DatumGetBool(DirectFunctionCall2(uuid_eq, run_id, values[1]));
	values[3] = heap_getattr(tup, cols->name, desc, &isnull);
	values[4] = heap_getattr(tup, cols->start_time, desc, &isnull);
	values[5] = is_root ? RunThreadId(tup, desc, cols, &isnull) : (Datum) 0;
	nulls[5] = (!is_root || isnull) ? 'n' : ' ';
	values[6] = BoolGetDatum(is_root);
	RunTotals(tup, desc, cols, values, nulls, 7);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (TraceUpsertPlan == NULL)
	{
		Oid			argtypes[13] = {UUIDOID, UUIDOID, UUIDOID, TEXTOID, TIMESTAMPTZOID,
		TEXTOID, BOOLOID, INT8OID, INT8OID, INT8OID, NUMERICOID, NUMERICOID, NUMERICOID};

		TraceUpsertPlan = PrepareKept(TraceUpsertSql, 13, argtypes);
	}
	rc = SPI_execute_plan(TraceUpsertPlan, values, nulls, false, 1);
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "lsbilling trace upsert failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ReportProjectNotInWorkspace(values[0], values[2]);

	trace_project = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!DatumGetBool(DirectFunctionCall2(uuid_eq, trace_project, values[2])))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("run %s names project %s, but its trace %s belongs to project %s",
						DatumGetCString(DirectFunctionCall1(uuid_out, run_id)),
						DatumGetCString(DirectFunctionCall1(uuid_out, values[2])),
						DatumGetCString(DirectFunctionCall1(uuid_out, values[1])),
						DatumGetCString(DirectFunctionCall1(uuid_out, trace_project))),
				 errdetail("All runs of a trace belong to the same tracing project.")));
	/* a new trace is billable: ledger events, usage count and limits (tiers.h) */
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
		LedgerTraceCreated(values[0], values[1], values[2], values[4]);
	SPI_finish();
}

static void
TraceApplyDelta(const RunColumns *cols, HeapTuple oldtup, HeapTuple newtup,
				TupleDesc desc, int64 run_delta)
{
	HeapTuple	key = oldtup;
	Datum		values[15];
	char		nulls[15];
	bool		isnull;
	int			rc;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = heap_getattr(key, cols->workspace_id, desc, &isnull);
	values[1] = heap_getattr(key, cols->trace_id, desc, &isnull);
	RunTotals(newtup, desc, cols, values, nulls, 2);
	RunTotals(oldtup, desc, cols, values, nulls, 8);
	values[14] = Int64GetDatum(run_delta);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (TraceDeltaPlan == NULL)
	{
		Oid			argtypes[15] = {UUIDOID, UUIDOID,
			INT8OID, INT8OID, INT8OID, NUMERICOID, NUMERICOID, NUMERICOID,
		INT8OID, INT8OID, INT8OID, NUMERICOID, NUMERICOID, NUMERICOID, INT8OID};

		TraceDeltaPlan = PrepareKept(TraceDeltaSql, 15, argtypes);
	}
	rc = SPI_execute_plan(TraceDeltaPlan, values, nulls, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "lsbilling trace update failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/* True when a run update changed nothing the trace sums over. */
static bool
RunTotalsUnchanged(const RunColumns *cols, HeapTuple oldtup, HeapTuple newtup, TupleDesc desc)
{
	const AttrNumber attrs[6] = {cols->prompt_tokens, cols->completion_tokens, cols->total_tokens,
	cols->prompt_cost, cols->completion_cost, cols->total_cost};

	for (int i = 0; i < 6; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attrs[i] - 1);
		bool		oldnull,
					newnull;
		Datum		o = heap_getattr(oldtup, attrs[i], desc, &oldnull);
		Datum		n = heap_getattr(newtup, attrs[i], desc, &newnull);

		if (oldnull != newnull)
			return false;
		if (!oldnull && !datumIsEqual(o, n, att->attbyval, att->attlen))
			return false;
	}
	return true;
}

void
TraceRollupUpdate(const RunColumns *cols, HeapTuple oldtup, HeapTuple newtup, TupleDesc desc)
{
	/* A PATCH of end_time or error is the common update: it costs no trace write. */
	if (RunTotalsUnchanged(cols, oldtup, newtup, desc))
		return;
	TraceApplyDelta(cols, oldtup, newtup, desc, 0);
}

void
TraceRollupDelete(const RunColumns *cols, HeapTuple oldtup, TupleDesc desc)
{
	TraceApplyDelta(cols, oldtup, NULL, desc, -1);
}
