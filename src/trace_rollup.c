/*-------------------------------------------------------------------------
 *
 * trace_rollup.c
 *	  Keeps each trace row, and its totals, equal to the sum over its runs.
 *
 * The first run of a trace to arrive creates the trace row (children may
 * arrive before their root); the root run (id = trace_id) sets the trace's
 * name, start_time and thread_id.  Tokens and costs are added as deltas:
 * once per trace per INSERT statement, once per run for updates and
 * deletes, so concurrent writers to the same trace serialize on the trace
 * row and never lose an update.
 *
 * On one node an INSERT's runs are grouped by trace in C and written by one
 * statement that also bills the traces it creates (ledger and usage counter
 * as CTEs); on Citus the grouping is SQL and each trace is one statement
 * routed to its shard, billed a trace at a time.
 *
 * The statements are prepared once per backend and kept (SPI_keepplan);
 * the plan cache re-plans them if the tables change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "utils/tuplestore.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "tiers.h"

/* The root's start time wins; until the root arrives, the earliest run's. */
#define NEW_TRACE_START \
	"CASE WHEN excluded.root_seen OR (NOT t.root_seen AND excluded.start_time < t.start_time)" \
	" THEN excluded.start_time ELSE t.start_time END"

/*
 * Insert, once per statement over its transition table (new_runs): the
 * statement's runs are grouped by trace, then each trace is created (tier
 * and expiry from its project and workspace) or the group is added to it.  A
 * batching client sends a trace's runs in one INSERT, so that is one trace
 * write per trace, not per run.  On Citus a one-row statement skips the SQL
 * grouping (TraceUpsertOneSql): the bigger plan's executor start-up costs
 * more than the grouping saves there.  On one node every statement is
 * grouped, in C (TraceGroupsBuild), where one row costs next to nothing.
 *
 * Joining projects doubles as the check that the project exists in the runs'
 * workspace, and the ON CONFLICT condition refuses a group whose project is
 * not the trace's, or a trace already purged: either way fewer traces come
 * back than were written to, and ReportRejectedRun says why.
 * "other" cost is whatever of total_cost is neither input nor output (a tool
 * run's sent total, say), so that input + output + other = total.
 */
#define TRACE_INSERT \
	"INSERT INTO lsbilling.traces AS t (workspace_id, id, project_id, name, start_time," \
	"  thread_id, root_seen, tier, expires_at, run_count, prompt_tokens, completion_tokens," \
	"  total_tokens, prompt_cost, completion_cost, other_cost, total_cost)"

/*
 * Retention counts from the earlier of the trace's start and the server's
 * clock (now: LsbNow() as a parameter), so that a start_time dated ahead
 * never extends it.
 */
#define TRACE_TIER_AND_EXPIRY(start, now) \
	" p.default_tier, least(" start ", " now ") + pg_catalog.make_interval(days => CASE p.default_tier WHEN 'extended'" \
	"  THEN w.extended_retention_days ELSE w.base_retention_days END),"

#define TRACE_PROJECT_JOIN(ws, project) \
	" lsbilling.projects p JOIN lsbilling.workspaces w ON w.id = p.workspace_id" \
	" WHERE p.workspace_id = " ws " AND p.id = " project

#define TRACE_THREAD(extra) \
	"coalesce(" extra " #>> '{metadata,thread_id}', " extra " #>> '{metadata,session_id}'," \
	" " extra " #>> '{metadata,conversation_id}')"

/*
 * A trace's token totals saturate at bigint's maximum instead of refusing
 * the run that would overflow them (the sum is computed in numeric).
 */
#define TOKENS_SAT(expr) "LEAST(GREATEST(" expr ", 0), 9223372036854775807)::bigint"

/*
 * Only IMMUTABLE functions in DO UPDATE SET (Citus refuses others on a
 * distributed table): the expiry moves with the start time in UTC
 * timestamps, where timestamptz + interval would be STABLE.
 */
#define TRACE_MERGE_SET \
	"  run_count = t.run_count + excluded.run_count," \
	"  prompt_tokens = " TOKENS_SAT("t.prompt_tokens::numeric + excluded.prompt_tokens") "," \
	"  completion_tokens = " TOKENS_SAT("t.completion_tokens::numeric + excluded.completion_tokens") "," \
	"  total_tokens = " TOKENS_SAT("t.total_tokens::numeric + excluded.total_tokens") "," \
	"  prompt_cost = t.prompt_cost + excluded.prompt_cost," \
	"  completion_cost = t.completion_cost + excluded.completion_cost," \
	"  other_cost = t.other_cost + excluded.other_cost," \
	"  total_cost = t.total_cost + excluded.total_cost," \
	"  name = CASE WHEN excluded.root_seen THEN excluded.name ELSE t.name END," \
	"  thread_id = CASE WHEN excluded.root_seen THEN excluded.thread_id ELSE t.thread_id END," \
	"  start_time = " NEW_TRACE_START "," \
	"  expires_at = least(t.expires_at, pg_catalog.timezone('UTC', pg_catalog.timezone('UTC', t.expires_at)" \
"    + (" NEW_TRACE_START " - t.start_time)))," \
	"  root_seen = t.root_seen OR excluded.root_seen"
/* the trace takes the runs: same project, not purged (also TraceUpdateRunSql) */
#define TRACE_MERGE_WHERE \
	" t.project_id = excluded.project_id AND t.purged_at IS NULL"
#define TRACE_ON_CONFLICT \
	" ON CONFLICT (workspace_id, id) DO UPDATE SET" TRACE_MERGE_SET \
	" WHERE" TRACE_MERGE_WHERE \
	" RETURNING t.workspace_id, t.id, (t.xmax = 0) AS created, t.project_id, t.start_time"

/* One run: $1 workspace, $2 trace, $3 project, $4 name, $5 start, $6 extra, $7 is root, $8.. totals, $14 clock */
static const char *TraceUpsertOneSql =
TRACE_INSERT
" SELECT $1, $2, p.id, CASE WHEN $7 THEN $4 END, $5,"
"  CASE WHEN $7 THEN " TRACE_THREAD("$6") " END, $7,"
TRACE_TIER_AND_EXPIRY("$5", "$14")
"  1, coalesce($8, 0), coalesce($9, 0), coalesce($10, 0), coalesce($11, 0), coalesce($12, 0),"
"  coalesce($13, 0) - coalesce($11, 0) - coalesce($12, 0), coalesce($13, 0)"
" FROM" TRACE_PROJECT_JOIN("$1", "$3")
TRACE_ON_CONFLICT;

/*
 * The statement's runs, as arrays that OneStatementRuns builds in C from the
 * transition table.  SQL does not read the transition table itself: on Citus
 * the trigger fires on a shard, whose SPI queries are planned by Citus, which
 * cannot see a trigger's named tuplestore.
 */
#define NEW_RUNS_NCOLS 13
#define NEW_RUNS \
	"ROWS FROM (pg_catalog.unnest($1::uuid[]), pg_catalog.unnest($2::uuid[])," \
	" pg_catalog.unnest($3::uuid[]), pg_catalog.unnest($4::uuid[]), pg_catalog.unnest($5::text[])," \
	" pg_catalog.unnest($6::timestamptz[]), pg_catalog.unnest($7::jsonb[])," \
	" pg_catalog.unnest($8::bigint[]), pg_catalog.unnest($9::bigint[])," \
	" pg_catalog.unnest($10::bigint[]), pg_catalog.unnest($11::numeric[])," \
	" pg_catalog.unnest($12::numeric[]), pg_catalog.unnest($13::numeric[]))" \
	" AS r(workspace_id, trace_id, project_id, id, name, start_time, extra, prompt_tokens," \
	"  completion_tokens, total_tokens, prompt_cost, completion_cost, total_cost)"

static const Oid NewRunsArrayTypes[NEW_RUNS_NCOLS] = {UUIDARRAYOID, UUIDARRAYOID, UUIDARRAYOID,
	UUIDARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, JSONBARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
INT8ARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID};

/*
 * On Citus (scale_out.c): the statement's runs grouped by trace, without
 * touching a distributed table, then one upsert a trace (TraceUpsertGroupSql),
 * which Citus routes to the trace's shard.
 */
static const char *TraceGroupSql =
"SELECT r.workspace_id, r.trace_id,"
"  (pg_catalog.array_agg(r.project_id))[1] AS project_id,"
"  (pg_catalog.array_agg(r.name) FILTER (WHERE r.id = r.trace_id))[1] AS name,"
"  coalesce((pg_catalog.array_agg(r.start_time) FILTER (WHERE r.id = r.trace_id))[1], pg_catalog.min(r.start_time)) AS start_time,"
"  (pg_catalog.array_agg(" TRACE_THREAD("r.extra") ") FILTER (WHERE r.id = r.trace_id))[1] AS thread_id,"
"  pg_catalog.bool_or(r.id = r.trace_id) AS root_seen, pg_catalog.count(*) AS runs,"
"  " TOKENS_SAT("coalesce(pg_catalog.sum(r.prompt_tokens), 0)") ", " TOKENS_SAT("coalesce(pg_catalog.sum(r.completion_tokens), 0)") ","
"  " TOKENS_SAT("coalesce(pg_catalog.sum(r.total_tokens), 0)") ", coalesce(pg_catalog.sum(r.prompt_cost), 0),"
"  coalesce(pg_catalog.sum(r.completion_cost), 0), coalesce(pg_catalog.sum(r.total_cost), 0),"
"  pg_catalog.count(DISTINCT r.project_id) AS projects"
" FROM " NEW_RUNS " GROUP BY r.workspace_id, r.trace_id";

/*
 * The upsert of one group of runs: $1..$14 the group (TraceGroupSql's first
 * columns, or TraceGroupValues on one node), $15 the clock; thread is what
 * sets thread_id, the group's own or read from the root's extra ($6).
 */
#define TRACE_GROUP_COLS 14
#define TRACE_UPSERT_PARAMS(thread) \
	TRACE_INSERT \
	" SELECT $1, $2, p.id, $4, $5, " thread ", $7," \
	TRACE_TIER_AND_EXPIRY("$5", "$15") \
	"  $8, $9, $10, $11, $12, $13, $14 - $12 - $13, $14" \
	" FROM" TRACE_PROJECT_JOIN("$1", "$3") \
	TRACE_ON_CONFLICT
static const char *TraceUpsertGroupSql = TRACE_UPSERT_PARAMS("$6");

/* Error path only: the first run of the statement that could not join its trace. */
static const char *TraceRejectSql =
"SELECT r.workspace_id, r.id, r.trace_id, r.project_id, t.project_id, p.id IS NOT NULL,"
"  t.purged_at IS NOT NULL"
" FROM " NEW_RUNS
" LEFT JOIN lsbilling.traces t ON t.workspace_id = r.workspace_id AND t.id = r.trace_id"
" LEFT JOIN lsbilling.projects p ON p.workspace_id = r.workspace_id AND p.id = r.project_id"
" WHERE t.project_id IS DISTINCT FROM r.project_id OR t.purged_at IS NOT NULL"
" ORDER BY p.id IS NULL DESC LIMIT 1";

/* Update and delete: apply new - old; run_count moves by $15. */
static const char *TraceDeltaSql =
"UPDATE lsbilling.traces t SET"
"  run_count = t.run_count + $15,"
"  prompt_tokens = " TOKENS_SAT("t.prompt_tokens::numeric + coalesce($3, 0) - coalesce($9, 0)") ","
"  completion_tokens = " TOKENS_SAT("t.completion_tokens::numeric + coalesce($4, 0) - coalesce($10, 0)") ","
"  total_tokens = " TOKENS_SAT("t.total_tokens::numeric + coalesce($5, 0) - coalesce($11, 0)") ","
"  prompt_cost = t.prompt_cost + coalesce($6, 0) - coalesce($12, 0),"
"  completion_cost = t.completion_cost + coalesce($7, 0) - coalesce($13, 0),"
"  other_cost = t.other_cost"
"    + (coalesce($8, 0) - coalesce($6, 0) - coalesce($7, 0))"
"    - (coalesce($14, 0) - coalesce($12, 0) - coalesce($13, 0)),"
"  total_cost = t.total_cost + coalesce($8, 0) - coalesce($14, 0)"
" WHERE t.workspace_id = $1 AND t.id = $2"
" AND t.purged_at IS NULL";		/* a purge's deletes keep the totals, also where
								 * lsbilling.maintenance does not reach (a Citus shard) */

static SPIPlanPtr TraceUpsertOnePlan = NULL;
static SPIPlanPtr TraceDeltaPlan = NULL;
static SPIPlanPtr TraceGroupPlan = NULL;
static SPIPlanPtr TraceUpsertGroupPlan = NULL;

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
	char	   *ws = LsbUuidText(workspace_id);
	char	   *proj = LsbUuidText(project_id);
	Oid			argtypes[1] = {UUIDOID};
	Datum		args[1] = {project_id};
	int			rc;

	/*
	 * Which workspace the project is in is a look across workspaces: on
	 * Citus, a trigger on a shard cannot ask (it would be a distributed
	 * query from a shard), so there the error says only what is missing.
	 */
	if (LsbCitusActive())
		rc = SPI_OK_SELECT, SPI_processed = 0;
	else
		rc = SPI_execute_with_args("SELECT workspace_id FROM lsbilling.projects WHERE id = $1 LIMIT 1",
								   1, argtypes, args, NULL, true, 1);
	if (rc == SPI_OK_SELECT && SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("project %s belongs to another workspace than the run's workspace %s",
						proj, ws),
				 errdetail("A run must be written to the workspace of its tracing project; "
						   "which workspace that is is not said, since it may be another tenant's.")));
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("project %s does not exist in workspace %s", proj, ws),
			 errhint("Create the tracing project in lsbilling.projects first.")));
}

/* Raise the error that explains why a run of the statement found no trace. */
/*
 * On Citus: the same facts as TraceRejectSql, one run at a time, each
 * lookup routed by its workspace (a trigger on a shard cannot join the
 * statement's runs with distributed tables).  Fills the first run whose
 * project is missing, else the first whose trace refuses it.
 */
static bool
RejectedRunCitus(Datum *runs, Datum *row)
{
	SPITupleTable *list;
	uint64		n;
	bool		found = false;

	if (SPI_execute_with_args("SELECT r.workspace_id, r.id, r.trace_id, r.project_id FROM " NEW_RUNS,
							  NEW_RUNS_NCOLS, (Oid *) NewRunsArrayTypes, runs, NULL,
							  true, 0) != SPI_OK_SELECT)
		return false;
	list = SPI_tuptable;
	n = SPI_processed;
	for (int pass = 0; pass < 2 && !found; pass++)
		for (uint64 i = 0; i < n && !found; i++)
		{
			Oid			argtypes[2] = {UUIDOID, UUIDOID};
			Datum		args[2];
			bool		isnull;
			bool		project_ok;

			for (int c = 0; c < 4; c++)
				row[c] = SPI_getbinval(list->vals[i], list->tupdesc, c + 1, &isnull);
			args[0] = row[0];
			args[1] = row[3];
			if (SPI_execute_with_args("SELECT 1 FROM lsbilling.projects WHERE workspace_id = $1 AND id = $2",
									  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
				return false;
			project_ok = SPI_processed > 0;
			row[5] = BoolGetDatum(project_ok);
			row[4] = (Datum) 0;
			row[6] = BoolGetDatum(false);
			args[1] = row[2];
			if (SPI_execute_with_args("SELECT project_id, purged_at IS NOT NULL FROM lsbilling.traces"
									  " WHERE workspace_id = $1 AND id = $2",
									  2, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
				return false;
			if (SPI_processed > 0)
			{
				row[4] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
				row[6] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
			}
			if (pass == 0)
				found = !project_ok;
			else
				found = row[4] == (Datum) 0 || !DatumGetBool(DirectFunctionCall2(uuid_eq, row[4], row[3])) ||
					DatumGetBool(row[6]);
		}
	return found;
}

static void
ReportRejectedRun(Datum *runs)
{
	Datum		ws,
				run_id,
				trace_id,
				project_id,
				trace_project;
	bool		trace_project_null,
				project_ok,
				purged;

	if (LsbCitusActive())
	{
		Datum		row[7];

		if (!RejectedRunCitus(runs, row))
			elog(ERROR, "lsbilling trace roll-up lost a trace");
		ws = row[0];
		run_id = row[1];
		trace_id = row[2];
		project_id = row[3];
		trace_project = row[4];
		trace_project_null = row[4] == (Datum) 0;
		project_ok = DatumGetBool(row[5]);
		purged = DatumGetBool(row[6]);
	}
	else
	{
		HeapTuple	row;
		TupleDesc	desc;
		bool		isnull;

		if (SPI_execute_with_args(TraceRejectSql, NEW_RUNS_NCOLS, (Oid *) NewRunsArrayTypes,
								  runs, NULL, true, 1) != SPI_OK_SELECT || SPI_processed == 0)
			elog(ERROR, "lsbilling trace roll-up lost a trace");
		row = SPI_tuptable->vals[0];
		desc = SPI_tuptable->tupdesc;
		ws = SPI_getbinval(row, desc, 1, &isnull);
		run_id = SPI_getbinval(row, desc, 2, &isnull);
		trace_id = SPI_getbinval(row, desc, 3, &isnull);
		project_id = SPI_getbinval(row, desc, 4, &isnull);
		trace_project = SPI_getbinval(row, desc, 5, &trace_project_null);
		project_ok = DatumGetBool(SPI_getbinval(row, desc, 6, &isnull));
		purged = DatumGetBool(SPI_getbinval(row, desc, 7, &isnull));
	}

	if (!project_ok)
		ReportProjectNotInWorkspace(ws, project_id);
	if (purged)
		ereport(ERROR,
				(errcode(ERRCODE_LSB_TRACE_PURGED),
				 errmsg("trace %s has been purged", LsbUuidText(trace_id)),
				 errdetail("Run %s arrived after the trace's retention period ended and its data was deleted.",
						   LsbUuidText(run_id))));
	if (!trace_project_null)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("run %s names project %s, but its trace %s belongs to project %s",
						LsbUuidText(run_id), LsbUuidText(project_id), LsbUuidText(trace_id),
						LsbUuidText(trace_project)),
				 errdetail("All runs of a trace belong to the same tracing project.")));
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("the runs of trace %s name more than one project", LsbUuidText(trace_id)),
			 errdetail("All runs of a trace belong to the same tracing project.")));
}

/* The statement's only run, from the transition table, as the one-run upsert's parameters. */
static void
OneRunParams(TriggerData *trigdata, Datum *values, char *nulls)
{
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	const RunColumns *cols = RunColumnsFor(rel);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	HeapTuple	tup;
	bool		isnull;
	Datum		run_id;

	tuplestore_rescan(trigdata->tg_newtable);
	if (!tuplestore_gettupleslot(trigdata->tg_newtable, true, false, slot))
		elog(ERROR, "lsbilling trace roll-up: the inserted run is missing");
	tup = ExecCopySlotHeapTuple(slot);
	ExecDropSingleTupleTableSlot(slot);

	memset(nulls, ' ', 13);
	values[0] = heap_getattr(tup, cols->workspace_id, desc, &isnull);
	values[1] = heap_getattr(tup, cols->trace_id, desc, &isnull);
	values[2] = heap_getattr(tup, cols->project_id, desc, &isnull);
	values[3] = heap_getattr(tup, cols->name, desc, &isnull);
	values[4] = heap_getattr(tup, cols->start_time, desc, &isnull);
	values[5] = heap_getattr(tup, cols->extra, desc, &isnull);
	nulls[5] = isnull ? 'n' : ' ';
	run_id = heap_getattr(tup, cols->id, desc, &isnull);
	values[6] = DirectFunctionCall2(uuid_eq, run_id, values[1]);
	RunTotals(tup, desc, cols, values, nulls, 7);
}

/* The statement's runs from the transition table, one array a column of NEW_RUNS. */
static void
NewRunsArrays(TriggerData *trigdata, int64 nruns, Datum *arrays)
{
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	const RunColumns *cols = RunColumnsFor(rel);
	const AttrNumber attrs[NEW_RUNS_NCOLS] = {cols->workspace_id, cols->trace_id, cols->project_id,
		cols->id, cols->name, cols->start_time, cols->extra, cols->prompt_tokens,
		cols->completion_tokens, cols->total_tokens, cols->prompt_cost, cols->completion_cost,
	cols->total_cost};
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	Datum	   *values[NEW_RUNS_NCOLS];
	bool	   *nulls[NEW_RUNS_NCOLS];
	int			n = 0;

	for (int c = 0; c < NEW_RUNS_NCOLS; c++)
	{
		values[c] = palloc(sizeof(Datum) * nruns);
		nulls[c] = palloc(sizeof(bool) * nruns);
	}
	tuplestore_rescan(trigdata->tg_newtable);
	while (n < nruns && tuplestore_gettupleslot(trigdata->tg_newtable, true, false, slot))
	{
		for (int c = 0; c < NEW_RUNS_NCOLS; c++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, attrs[c] - 1);
			Datum		v = slot_getattr(slot, attrs[c], &nulls[c][n]);

			values[c][n] = nulls[c][n] ? (Datum) 0 : datumCopy(v, att->attbyval, att->attlen);
		}
		n++;
	}
	ExecDropSingleTupleTableSlot(slot);
	for (int c = 0; c < NEW_RUNS_NCOLS; c++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, attrs[c] - 1);
		int			dims[1] = {n};
		int			lbs[1] = {1};

		arrays[c] = PointerGetDatum(construct_md_array(values[c], nulls[c], 1, dims, lbs,
													   att->atttypid, att->attlen,
													   att->attbyval, att->attalign));
	}
}

/* ReportRejectedRun over the statement's runs, read from its transition table (error path only). */
static void
ReportRejectedStatement(TriggerData *trigdata, int64 nruns)
{
	Datum		runs[NEW_RUNS_NCOLS];

	NewRunsArrays(trigdata, nruns, runs);
	ReportRejectedRun(runs);
}

/*
 * The statement's new traces are billable, a trace at a time (on Citus each
 * routed to its shard; on one node after a one-run statement): ledger
 * events, usage count and limits (tiers.h).
 * written: RETURNING of a trace upsert.
 */
static void
BillCreatedTraces(SPITupleTable *written, uint64 nwritten)
{
	for (uint64 i = 0; i < nwritten; i++)
	{
		HeapTuple	row = written->vals[i];
		bool		isnull;

		if (!DatumGetBool(SPI_getbinval(row, written->tupdesc, 3, &isnull)))
			continue;
		LedgerTraceCreated(SPI_getbinval(row, written->tupdesc, 1, &isnull),
						   SPI_getbinval(row, written->tupdesc, 2, &isnull),
						   SPI_getbinval(row, written->tupdesc, 4, &isnull));
	}
}

/* Citus: one trace upsert a trace of the statement, each routed to its shard. */
static void
TraceRollupByTrace(Datum *runs)
{
	SPITupleTable *groups;
	uint64		ngroups;
	int			rc;

	if (TraceGroupPlan == NULL)
		TraceGroupPlan = LsbPrepareKept(TraceGroupSql, NEW_RUNS_NCOLS,
										(Oid *) NewRunsArrayTypes, 0);
	if (TraceUpsertGroupPlan == NULL)
	{
		Oid			argtypes[TRACE_GROUP_COLS + 1] = {UUIDOID, UUIDOID, UUIDOID, TEXTOID,
			TIMESTAMPTZOID, TEXTOID, BOOLOID, INT8OID, INT8OID, INT8OID, INT8OID,
		NUMERICOID, NUMERICOID, NUMERICOID, TIMESTAMPTZOID};

		TraceUpsertGroupPlan = LsbPrepareKept(TraceUpsertGroupSql, TRACE_GROUP_COLS + 1, argtypes, 0);
	}
	rc = SPI_execute_plan(TraceGroupPlan, runs, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling trace roll-up failed: %s", SPI_result_code_string(rc));
	groups = SPI_tuptable;
	ngroups = SPI_processed;
	for (uint64 g = 0; g < ngroups; g++)
	{
		HeapTuple	row = groups->vals[g];
		Datum		values[TRACE_GROUP_COLS + 1];
		char		nulls[TRACE_GROUP_COLS + 1];
		bool		isnull;

		if (DatumGetInt64(SPI_getbinval(row, groups->tupdesc, 15, &isnull)) != 1)
			ReportRejectedRun(runs);
		for (int i = 0; i < TRACE_GROUP_COLS; i++)
		{
			values[i] = SPI_getbinval(row, groups->tupdesc, i + 1, &isnull);
			nulls[i] = isnull ? 'n' : ' ';
		}
		values[TRACE_GROUP_COLS] = TimestampTzGetDatum(LsbNow());
		nulls[TRACE_GROUP_COLS] = ' ';
		rc = SPI_execute_plan(TraceUpsertGroupPlan, values, nulls, false, 0);
		if (rc != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "lsbilling trace upsert failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 0)
			ReportRejectedRun(runs);
		BillCreatedTraces(SPI_tuptable, SPI_processed);
	}
}

/*
 * One node: the statement's runs grouped by trace in C, as the SQL grouping
 * (TraceGroupSql) does it, so that the trace upsert is a plain insert of
 * its rows: the bigger plan's executor start and its aggregation cost more
 * than the grouping does here.
 */
typedef struct TraceGroup
{
	Datum		workspace_id;	/* uuid, copied */
	Datum		trace_id;
	Datum		project_id;		/* the first run's project */
	bool		one_project;	/* every run names it */
	bool		root_seen;
	Datum		name;			/* the root's name and extra, if it came */
	bool		name_null;
	Datum		extra;
	bool		extra_null;
	TimestampTz root_start;
	TimestampTz min_start;
	int64		runs;
	int128		tokens[3];		/* prompt, completion, total */
	Datum		costs[3];		/* prompt, completion, total: numeric sums, or 0 */
	bool		has_cost[3];
} TraceGroup;

typedef struct TraceGroups
{
	TraceGroup *group;
	int64		ngroups;
	int64		nwrite;			/* groups with one project: the ones upserted */
	bool		one_workspace;	/* all of one workspace */
} TraceGroups;

/* traces' order as the SQL grouping's sort gave it: (workspace_id, trace_id) */
static int
TraceGroupCmp(const void *a, const void *b)
{
	const TraceGroup *x = a;
	const TraceGroup *y = b;
	int			c = memcmp(DatumGetPointer(x->workspace_id), DatumGetPointer(y->workspace_id), UUID_LEN);

	if (c != 0)
		return c;
	return memcmp(DatumGetPointer(x->trace_id), DatumGetPointer(y->trace_id), UUID_LEN);
}

static bool
TraceGroupIs(const TraceGroup *g, Datum ws, Datum trace)
{
	return memcmp(DatumGetPointer(g->trace_id), DatumGetPointer(trace), UUID_LEN) == 0 &&
		memcmp(DatumGetPointer(g->workspace_id), DatumGetPointer(ws), UUID_LEN) == 0;
}

/* A trace's token sum saturates at bigint's range (TOKENS_SAT). */
static int64
TokensSat(int128 v)
{
	if (v < 0)
		return 0;
	if (v > (int128) PG_INT64_MAX)
		return PG_INT64_MAX;
	return (int64) v;
}

typedef struct TraceGroupKey
{
	pg_uuid_t	workspace_id;
	pg_uuid_t	trace_id;
} TraceGroupKey;

typedef struct TraceGroupIndex
{
	TraceGroupKey key;
	int64		index;
} TraceGroupIndex;

static void
TraceGroupsBuild(TriggerData *trigdata, int64 nruns, TraceGroups *out)
{
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	const RunColumns *cols = RunColumnsFor(rel);
	const AttrNumber tokens[3] = {cols->prompt_tokens, cols->completion_tokens, cols->total_tokens};
	const AttrNumber costs[3] = {cols->prompt_cost, cols->completion_cost, cols->total_cost};
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	HTAB	   *index = NULL;
	TraceGroup *last = NULL;
	int64		n = 0;
	int64		ngroups = 0;

	out->group = palloc(sizeof(TraceGroup) * nruns);
	tuplestore_rescan(trigdata->tg_newtable);
	while (n < nruns && tuplestore_gettupleslot(trigdata->tg_newtable, true, false, slot))
	{
		bool		isnull;
		Datum		ws = slot_getattr(slot, cols->workspace_id, &isnull);
		Datum		trace = slot_getattr(slot, cols->trace_id, &isnull);
		Datum		project = slot_getattr(slot, cols->project_id, &isnull);
		Datum		id = slot_getattr(slot, cols->id, &isnull);
		TimestampTz start = DatumGetTimestampTz(slot_getattr(slot, cols->start_time, &isnull));
		TraceGroup *g = NULL;

		n++;
		/* a trace's runs usually come together: try the last trace first */
		if (last != NULL && TraceGroupIs(last, ws, trace))
			g = last;
		else if (index == NULL && ngroups < 16)
		{
			for (int64 i = 0; i < ngroups && g == NULL; i++)
				if (TraceGroupIs(&out->group[i], ws, trace))
					g = &out->group[i];
		}
		if (g == NULL && (index != NULL || ngroups >= 16))
		{
			TraceGroupKey key;
			TraceGroupIndex *entry;
			bool		found;

			if (index == NULL)
			{
				HASHCTL		ctl;

				ctl.keysize = sizeof(TraceGroupKey);
				ctl.entrysize = sizeof(TraceGroupIndex);
				ctl.hcxt = CurrentMemoryContext;
				index = hash_create("lsbilling statement traces", 256, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
				for (int64 i = 0; i < ngroups; i++)
				{
					memcpy(&key.workspace_id, DatumGetPointer(out->group[i].workspace_id), UUID_LEN);
					memcpy(&key.trace_id, DatumGetPointer(out->group[i].trace_id), UUID_LEN);
					entry = hash_search(index, &key, HASH_ENTER, &found);
					entry->index = i;
				}
			}
			memcpy(&key.workspace_id, DatumGetPointer(ws), UUID_LEN);
			memcpy(&key.trace_id, DatumGetPointer(trace), UUID_LEN);
			entry = hash_search(index, &key, HASH_ENTER, &found);
			if (found)
				g = &out->group[entry->index];
			else
				entry->index = ngroups;
		}
		if (g == NULL)
		{
			g = &out->group[ngroups++];
			memset(g, 0, sizeof(TraceGroup));
			g->workspace_id = datumCopy(ws, false, UUID_LEN);
			g->trace_id = datumCopy(trace, false, UUID_LEN);
			g->project_id = datumCopy(project, false, UUID_LEN);
			g->one_project = true;
			g->name_null = true;
			g->extra_null = true;
			g->min_start = start;
		}
		last = g;

		g->runs++;
		if (start < g->min_start)
			g->min_start = start;
		if (memcmp(DatumGetPointer(g->project_id), DatumGetPointer(project), UUID_LEN) != 0)
			g->one_project = false;
		if (!g->root_seen && memcmp(DatumGetPointer(id), DatumGetPointer(trace), UUID_LEN) == 0)
		{
			Datum		d;

			g->root_seen = true;
			g->root_start = start;
			d = slot_getattr(slot, cols->name, &g->name_null);
			if (!g->name_null)
				g->name = datumCopy(d, false, -1);
			d = slot_getattr(slot, cols->extra, &g->extra_null);
			if (!g->extra_null)
				g->extra = datumCopy(d, false, -1);
		}
		for (int i = 0; i < 3; i++)
		{
			Datum		d = slot_getattr(slot, tokens[i], &isnull);

			if (!isnull)
				g->tokens[i] += DatumGetInt64(d);
			d = slot_getattr(slot, costs[i], &isnull);
			if (isnull)
				continue;
			if (g->has_cost[i])
				g->costs[i] = DirectFunctionCall2(numeric_add, g->costs[i], d);
			else
				g->costs[i] = datumCopy(d, false, -1);
			g->has_cost[i] = true;
		}
	}
	ExecDropSingleTupleTableSlot(slot);
	if (index != NULL)
		hash_destroy(index);

	if (ngroups > 1)
		qsort(out->group, ngroups, sizeof(TraceGroup), TraceGroupCmp);
	out->ngroups = ngroups;
	out->nwrite = 0;
	out->one_workspace = true;
	for (int64 i = 0; i < ngroups; i++)
	{
		TraceGroup *g = &out->group[i];

		if (memcmp(DatumGetPointer(g->workspace_id), DatumGetPointer(out->group[0].workspace_id),
				   UUID_LEN) != 0)
			out->one_workspace = false;

		for (int c = 0; c < 3; c++)
			if (!g->has_cost[c])
				g->costs[c] = NumericGetDatum(int64_to_numeric(0));
		if (g->one_project)
			out->nwrite++;
	}
}

/*
 * The trace upserts of one node, bare: $1..$14 one trace's values (or arrays
 * of them), $15 the clock.  A one-run statement runs the first as it is;
 * otherwise TraceUpsertLocalPrepare wraps one of them as the "up" of a
 * statement that also writes the ledger events and the usage counter (CTEs
 * reading its extended column).
 */
#define TRACE_UPSERT_RETURNING ", t.tier = 'extended' AS extended"

static const char *TraceUpsertLocalOneSql =
TRACE_UPSERT_PARAMS(TRACE_THREAD("$6")) TRACE_UPSERT_RETURNING;

static const char *TraceUpsertLocalManySql =
TRACE_INSERT
" SELECT g.workspace_id, g.trace_id, p.id, g.name, g.start_time, " TRACE_THREAD("g.extra") ", g.root_seen,"
TRACE_TIER_AND_EXPIRY("g.start_time", "$15")
"  g.runs, g.prompt_tokens, g.completion_tokens, g.total_tokens, g.prompt_cost, g.completion_cost,"
"  g.total_cost - g.prompt_cost - g.completion_cost, g.total_cost"
" FROM ROWS FROM (pg_catalog.unnest($1::uuid[]), pg_catalog.unnest($2::uuid[]),"
"  pg_catalog.unnest($3::uuid[]), pg_catalog.unnest($4::text[]), pg_catalog.unnest($5::timestamptz[]),"
"  pg_catalog.unnest($6::jsonb[]), pg_catalog.unnest($7::boolean[]), pg_catalog.unnest($8::bigint[]),"
"  pg_catalog.unnest($9::bigint[]), pg_catalog.unnest($10::bigint[]), pg_catalog.unnest($11::bigint[]),"
"  pg_catalog.unnest($12::numeric[]), pg_catalog.unnest($13::numeric[]), pg_catalog.unnest($14::numeric[]))"
"  WITH ORDINALITY AS g(workspace_id, trace_id, project_id, name, start_time, extra, root_seen, runs,"
"  prompt_tokens, completion_tokens, total_tokens, prompt_cost, completion_cost, total_cost, n),"
TRACE_PROJECT_JOIN("g.workspace_id", "g.project_id")
" ORDER BY g.n"
TRACE_ON_CONFLICT TRACE_UPSERT_RETURNING;

/*
 * One run of a trace that exists, the common case of a client sending runs
 * one at a time: the ON CONFLICT branch of TraceUpsertLocalOneSql as a
 * plain UPDATE (one index probe, no join with projects and workspaces, no
 * row lock before the update).  No row: the upsert decides.  The merge's
 * condition is wrapped in IS TRUE so that the planner cannot derive
 * "project_id = $3" from it: a generic plan would then pick the index on
 * (workspace_id, project_id, start_time) and read a project's every trace.
 */
static const char *TraceUpdateRunSql =
"UPDATE lsbilling.traces AS t SET" TRACE_MERGE_SET
" FROM (SELECT $3::uuid AS project_id, $4::text AS name, $5::timestamptz AS start_time,"
"  " TRACE_THREAD("$6") " AS thread_id, $7::boolean AS root_seen, $8::bigint AS run_count,"
"  $9::bigint AS prompt_tokens, $10::bigint AS completion_tokens, $11::bigint AS total_tokens,"
"  $12::numeric AS prompt_cost, $13::numeric AS completion_cost, $14 - $12 - $13 AS other_cost,"
"  $14::numeric AS total_cost) AS excluded"
" WHERE t.workspace_id = $1 AND t.id = $2 AND (" TRACE_MERGE_WHERE ") IS TRUE"
" RETURNING t.workspace_id, t.id, false AS created, t.project_id, t.start_time"
TRACE_UPSERT_RETURNING;

static SPIPlanPtr TraceUpsertLocalOnePlan = NULL;
static SPIPlanPtr TraceUpdateRunPlan = NULL;
static SPIPlanPtr TraceUpsertLocalManyPlan = NULL;
static SPIPlanPtr TraceUpsertLocalRunPlan = NULL;

/*
 * The parameters' types on one node: a group's values (the root's extra as
 * jsonb), the clock, then the usage counter's.  The plans that take arrays
 * of the groups' values take arrays of the first TRACE_GROUP_COLS.
 */
#define TRACE_LOCAL_NARGS (TRACE_GROUP_COLS + 5)
static const Oid TraceUpsertLocalTypes[TRACE_LOCAL_NARGS] = {UUIDOID, UUIDOID, UUIDOID, TEXTOID,
	TIMESTAMPTZOID, JSONBOID, BOOLOID, INT8OID, INT8OID, INT8OID, INT8OID, NUMERICOID, NUMERICOID,
NUMERICOID, TIMESTAMPTZOID, UUIDOID, DATEOID, INT2OID, BOOLOID};

/*
 * "WITH up AS (upsert), ev AS (ledger), cnt AS (usage counter) SELECT up's
 * rows, with the slot's counts", prepared once.  $16..$19: the counter's
 * workspace, month, slot, and whether to write it (usage_limits.c).
 */
static SPIPlanPtr
TraceUpsertLocalPrepare(const char *upsert, bool arrays)
{
	Oid			argtypes[TRACE_LOCAL_NARGS];
	char	   *sql = psprintf("WITH up AS (%s), %s, %s"
							   " SELECT up.workspace_id, up.id, up.created, up.extended,"
							   "  (SELECT cnt.traces FROM cnt), (SELECT cnt.extended_traces FROM cnt)"
							   " FROM up",
							   upsert, LedgerCreatedTracesCte, UsageCounterCte);

	memcpy(argtypes, TraceUpsertLocalTypes, sizeof(argtypes));
	if (arrays)
		for (int c = 0; c < TRACE_GROUP_COLS; c++)
			argtypes[c] = get_array_type(TraceUpsertLocalTypes[c]);
	return LsbPrepareKept(sql, TRACE_LOCAL_NARGS, argtypes, 0);
}

/* One group's values, as the upsert's parameters $1..$14 (Datum array order). */
static void
TraceGroupValues(const TraceGroup *g, Datum *values, bool *nulls)
{
	memset(nulls, false, sizeof(bool) * TRACE_GROUP_COLS);
	values[0] = g->workspace_id;
	values[1] = g->trace_id;
	values[2] = g->project_id;
	values[3] = g->name;
	nulls[3] = !g->root_seen || g->name_null;
	values[4] = TimestampTzGetDatum(g->root_seen ? g->root_start : g->min_start);
	values[5] = g->extra;
	nulls[5] = !g->root_seen || g->extra_null;
	values[6] = BoolGetDatum(g->root_seen);
	values[7] = Int64GetDatum(g->runs);
	for (int c = 0; c < 3; c++)
	{
		values[8 + c] = Int64GetDatum(TokensSat(g->tokens[c]));
		values[11 + c] = g->costs[c];
	}
}

/*
 * Upsert the groups with one project, with their ledger events, and their
 * usage count when fold; SPI_tuptable holds what came back.
 */
static void
TraceGroupsUpsert(const TraceGroups *groups, Datum now, bool fold, DateADT month, int16 slot)
{
	Datum		args[TRACE_LOCAL_NARGS];
	char		argnulls[TRACE_LOCAL_NARGS + 1];
	int			rc;

	memset(argnulls, ' ', sizeof(argnulls));
	argnulls[TRACE_LOCAL_NARGS] = '\0';
	args[TRACE_GROUP_COLS] = now;
	args[TRACE_GROUP_COLS + 1] = groups->group[0].workspace_id;
	args[TRACE_GROUP_COLS + 2] = DateADTGetDatum(month);
	args[TRACE_GROUP_COLS + 3] = Int16GetDatum(slot);
	args[TRACE_GROUP_COLS + 4] = BoolGetDatum(fold);
	if (groups->nwrite == 1)
	{
		bool		nulls[TRACE_GROUP_COLS];
		SPIPlanPtr	plan;

		for (int64 i = 0; i < groups->ngroups; i++)
			if (groups->group[i].one_project)
				TraceGroupValues(&groups->group[i], args, nulls);
		for (int c = 0; c < TRACE_GROUP_COLS; c++)
			argnulls[c] = nulls[c] ? 'n' : ' ';
		if (groups->ngroups == 1 && groups->group[0].runs == 1)
		{
			/*
			 * A client sending runs one at a time mostly adds to a trace
			 * that exists: the upsert alone, without the ledger's and the
			 * counter's CTEs (each a table and its indexes opened at every
			 * executor start); a created trace is billed after it.
			 */
			if (TraceUpdateRunPlan == NULL)
				TraceUpdateRunPlan = LsbPrepareKept(TraceUpdateRunSql, TRACE_GROUP_COLS,
													(Oid *) TraceUpsertLocalTypes, 0);
			rc = SPI_execute_plan(TraceUpdateRunPlan, args, argnulls, false, 0);
			if (rc != SPI_OK_UPDATE_RETURNING)
				elog(ERROR, "lsbilling trace update failed: %s", SPI_result_code_string(rc));
			if (SPI_processed == 1)
				return;
			if (TraceUpsertLocalRunPlan == NULL)
				TraceUpsertLocalRunPlan = LsbPrepareKept(TraceUpsertLocalOneSql, TRACE_GROUP_COLS + 1,
														 (Oid *) TraceUpsertLocalTypes, 0);
			rc = SPI_execute_plan(TraceUpsertLocalRunPlan, args, argnulls, false, 0);
			if (rc != SPI_OK_INSERT_RETURNING)
				elog(ERROR, "lsbilling trace upsert failed: %s", SPI_result_code_string(rc));
			return;
		}
		if (TraceUpsertLocalOnePlan == NULL)
			TraceUpsertLocalOnePlan = TraceUpsertLocalPrepare(TraceUpsertLocalOneSql, false);
		plan = TraceUpsertLocalOnePlan;
		rc = SPI_execute_plan(plan, args, argnulls, false, 0);
	}
	else
	{
		Datum	   *values[TRACE_GROUP_COLS];
		bool	   *nulls[TRACE_GROUP_COLS];
		int			n = 0;

		for (int c = 0; c < TRACE_GROUP_COLS; c++)
		{
			values[c] = palloc(sizeof(Datum) * groups->nwrite);
			nulls[c] = palloc(sizeof(bool) * groups->nwrite);
		}
		for (int64 i = 0; i < groups->ngroups; i++)
		{
			Datum		v[TRACE_GROUP_COLS];
			bool		isnull[TRACE_GROUP_COLS];

			if (!groups->group[i].one_project)
				continue;
			TraceGroupValues(&groups->group[i], v, isnull);
			for (int c = 0; c < TRACE_GROUP_COLS; c++)
			{
				values[c][n] = v[c];
				nulls[c][n] = isnull[c];
			}
			n++;
		}
		LsbColumnArrays(TRACE_GROUP_COLS, TraceUpsertLocalTypes, values, nulls, n, args);
		if (TraceUpsertLocalManyPlan == NULL)
			TraceUpsertLocalManyPlan = TraceUpsertLocalPrepare(TraceUpsertLocalManySql, true);
		rc = SPI_execute_plan(TraceUpsertLocalManyPlan, args, argnulls, false, 0);
	}
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling trace upsert failed: %s", SPI_result_code_string(rc));
}

/*
 * On Citus: the one-run upsert, or the statement's runs grouped in SQL and
 * one upsert a trace, each routed to its shard; the ledger events and counts
 * a trace at a time (billing_ledger.c).
 */
static void
TraceRollupInsertCitus(TriggerData *trigdata, int64 nruns)
{
	Datum		values[14];
	char		nulls[14];
	int			rc;

	if (nruns > 1)
	{
		Datum		runs[NEW_RUNS_NCOLS];

		NewRunsArrays(trigdata, nruns, runs);
		TraceRollupByTrace(runs);
		return;
	}
	if (TraceUpsertOnePlan == NULL)
	{
		Oid			argtypes[14] = {UUIDOID, UUIDOID, UUIDOID, TEXTOID, TIMESTAMPTZOID,
			JSONBOID, BOOLOID, INT8OID, INT8OID, INT8OID, NUMERICOID, NUMERICOID, NUMERICOID,
		TIMESTAMPTZOID};

		TraceUpsertOnePlan = LsbPrepareKept(TraceUpsertOneSql, 14, argtypes, 0);
	}
	OneRunParams(trigdata, values, nulls);
	values[13] = TimestampTzGetDatum(LsbNow());
	nulls[13] = ' ';
	rc = SPI_execute_plan(TraceUpsertOnePlan, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "lsbilling trace upsert failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ReportRejectedStatement(trigdata, nruns);
	BillCreatedTraces(SPI_tuptable, SPI_processed);
}

/*
 * On one node: the runs are grouped by trace in C (TraceGroupsBuild), then
 * one statement creates or adds to every trace, writes the ledger events of
 * the traces it created and adds them to the month's usage counter (CTEs of
 * one statement: one executor start instead of three); the limits are then
 * checked trace by trace in the order the traces were written, as before.
 * The counter is left to UsageAdd when the statement's traces span
 * workspaces or the month's count is already in memory (a statement inside
 * another one).
 */
static void
TraceRollupInsertLocal(TriggerData *trigdata, int64 nruns)
{
	TraceGroups groups;
	uint64		nwritten = 0;
	SPITupleTable *written = NULL;
	Datum		now = TimestampTzGetDatum(LsbNow());
	bool		fold = false;
	DateADT		month = 0;
	int16		slot = 0;
	bool	   *extended;
	int			ncreated = 0;

	TraceGroupsBuild(trigdata, nruns, &groups);
	if (groups.nwrite > 0)
	{
		fold = nruns > 1 && groups.one_workspace &&
			UsageCanFold(groups.group[0].workspace_id, now, &month, &slot);
		TraceGroupsUpsert(&groups, now, fold, month, slot);
		written = SPI_tuptable;
		nwritten = SPI_processed;
	}
	if (nruns == 1)
	{
		/* the one-run upsert (TraceGroupsUpsert): billed by the ledger a trace at a time */
		if (nwritten == 0)
			ReportRejectedStatement(trigdata, nruns);
		BillCreatedTraces(written, nwritten);
		return;
	}
	if ((int64) nwritten < groups.ngroups)
		ReportRejectedStatement(trigdata, nruns);

	/*
	 * The created traces' counts, in the order they were written.  RETURNING:
	 * workspace, id, created, extended, then the slot's counts if folded.
	 */
	extended = palloc(sizeof(bool) * (nwritten + 1));
	for (uint64 i = 0; i < nwritten; i++)
	{
		HeapTuple	row = written->vals[i];
		bool		isnull;

		if (!DatumGetBool(SPI_getbinval(row, written->tupdesc, 3, &isnull)))
			continue;
		extended[ncreated] = DatumGetBool(SPI_getbinval(row, written->tupdesc, 4, &isnull));
		if (!fold)
			UsageAdd(SPI_getbinval(row, written->tupdesc, 1, &isnull), now, 1,
					 extended[ncreated] ? 1 : 0);
		ncreated++;
	}
	if (fold && ncreated > 0)
	{
		bool		tnull,
					enull;
		Datum		slot_traces = SPI_getbinval(written->vals[0], written->tupdesc, 5, &tnull);
		Datum		slot_extended = SPI_getbinval(written->vals[0], written->tupdesc, 6, &enull);

		if (tnull || enull)
			elog(ERROR, "lsbilling usage counter update failed");
		UsageAddFolded(groups.group[0].workspace_id, now, ncreated, extended,
					   DatumGetInt64(slot_traces), DatumGetInt64(slot_extended));
	}
}

void
TraceRollupInsertStatement(TriggerData *trigdata)
{
	int64		nruns = tuplestore_tuple_count(trigdata->tg_newtable);

	if (nruns == 0)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (LsbCitusActive())
		TraceRollupInsertCitus(trigdata, nruns);
	else
		TraceRollupInsertLocal(trigdata, nruns);
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

		TraceDeltaPlan = LsbPrepareKept(TraceDeltaSql, 15, argtypes, 0);
	}
	rc = SPI_execute_plan(TraceDeltaPlan, values, nulls, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "lsbilling trace update failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/* True when a run update changed nothing the trace sums over. */
bool
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
