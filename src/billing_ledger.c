/*-------------------------------------------------------------------------
 *
 * billing_ledger.c
 *	  The append-only ledger lsbilling.billing_events: the events of a new
 *	  trace, one event per deployment run, and the trigger that refuses to
 *	  change what has been recorded.
 *
 * Upgrade events are written by tier_upgrade.c, in the same statement that
 * upgrades the trace.  Seats are not ledger events: invoice() derives them
 * from the membership history (a trigger on organization_members, a global
 * table on Citus, must not write tenant tables).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "tiers.h"

/*
 * A new trace's events, at the server's time of the write (LsbNow(): the
 * transaction's start, or the test clock), never the start_time the client
 * sent, which is data: base_trace, and extended_upgrade too when it was
 * created extended (its project's default tier), with the same timestamp.
 * The trace row itself is not read: a lookup on traces planned while the
 * table was empty can pick a poor index and stay with it for a whole bulk
 * load.
 */
static const char *TraceCreatedSql =
"INSERT INTO lsbilling.billing_events"
"  (organization_id, workspace_id, metric, trace_id, quantity, occurred_at)"
" SELECT w.organization_id, $1, m.metric, $2, 1, $4"
" FROM lsbilling.projects p JOIN lsbilling.workspaces w ON w.id = p.workspace_id,"
"  pg_catalog.unnest(CASE p.default_tier WHEN 'extended' THEN ARRAY['base_trace', 'extended_upgrade']"
"         ELSE ARRAY['base_trace'] END) AS m(metric)"
" WHERE p.workspace_id = $1 AND p.id = $3";

/*
 * The same for the traces one statement created ($1..$3 their workspaces,
 * ids and projects, in the order the roll-up returned them): one executor
 * start a statement instead of one a trace.  The events are inserted in the
 * order the one-trace statement would have written them (trace by trace,
 * base_trace first), so their ids are the same, and come back in it.
 */
static const char *TracesCreatedSql =
"INSERT INTO lsbilling.billing_events"
"  (organization_id, workspace_id, metric, trace_id, quantity, occurred_at)"
" SELECT w.organization_id, t.workspace_id, m.metric, t.trace_id, 1, $4"
" FROM ROWS FROM (pg_catalog.unnest($1::uuid[]), pg_catalog.unnest($2::uuid[]),"
"   pg_catalog.unnest($3::uuid[])) WITH ORDINALITY AS t(workspace_id, trace_id, project_id, n)"
" JOIN lsbilling.projects p ON p.workspace_id = t.workspace_id AND p.id = t.project_id"
" JOIN lsbilling.workspaces w ON w.id = p.workspace_id,"
"  pg_catalog.unnest(CASE p.default_tier WHEN 'extended' THEN ARRAY['base_trace', 'extended_upgrade']"
"         ELSE ARRAY['base_trace'] END) WITH ORDINALITY AS m(metric, k)"
" ORDER BY t.n, m.k"
" RETURNING trace_id";

static const char *DeploymentRunSql =
"INSERT INTO lsbilling.billing_events"
"  (organization_id, workspace_id, metric, trace_id, quantity, occurred_at)"
" SELECT w.organization_id, w.id, 'deployment_run', NULL, 1, $2"
" FROM lsbilling.workspaces w WHERE w.id = $1";

static SPIPlanPtr TraceCreatedPlan = NULL;
static SPIPlanPtr DeploymentRunPlan = NULL;
static SPIPlanPtr TracesCreatedPlan = NULL;

/*
 * Called by the trace roll-up, in the same statement that created the trace,
 * at lsbilling's clock (never the client's start_time).
 */
void
LedgerTraceCreated(Datum workspace_id, Datum trace_id, Datum project_id)
{
	Datum		now = TimestampTzGetDatum(LsbNow());
	Datum		args[4] = {workspace_id, trace_id, project_id, now};
	int			rc;

	if (TraceCreatedPlan == NULL)
	{
		Oid			argtypes[4] = {UUIDOID, UUIDOID, UUIDOID, TIMESTAMPTZOID};

		TraceCreatedPlan = LsbPrepareKept(TraceCreatedSql, 4, argtypes, 0);
	}
	rc = SPI_execute_plan(TraceCreatedPlan, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT || SPI_processed == 0)
		elog(ERROR, "lsbilling ledger insert for a new trace failed: %s", SPI_result_code_string(rc));
	UsageAdd(workspace_id, now, 1, SPI_processed > 1 ? 1 : 0);
}

/*
 * LedgerTraceCreated for each of n traces, in one insert: the same events
 * and counts, counted trace by trace in the same order.  Called inside the
 * roll-up's SPI connection, like LedgerTraceCreated.
 */
void
LedgerTracesCreated(int n, const Datum *workspace_ids, const Datum *trace_ids,
					const Datum *project_ids)
{
	Datum		now = TimestampTzGetDatum(LsbNow());
	Datum		args[4];
	SPITupleTable *events;
	uint64		nevents;
	uint64		next = 0;
	int			rc;

	if (TracesCreatedPlan == NULL)
	{
		Oid			argtypes[4] = {UUIDARRAYOID, UUIDARRAYOID, UUIDARRAYOID, TIMESTAMPTZOID};

		TracesCreatedPlan = LsbPrepareKept(TracesCreatedSql, 4, argtypes, 0);
	}
	args[0] = PointerGetDatum(construct_array((Datum *) workspace_ids, n, UUIDOID, UUID_LEN, false,
											  TYPALIGN_CHAR));
	args[1] = PointerGetDatum(construct_array((Datum *) trace_ids, n, UUIDOID, UUID_LEN, false,
											  TYPALIGN_CHAR));
	args[2] = PointerGetDatum(construct_array((Datum *) project_ids, n, UUIDOID, UUID_LEN, false,
											  TYPALIGN_CHAR));
	args[3] = now;
	rc = SPI_execute_plan(TracesCreatedPlan, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "lsbilling ledger insert for a new trace failed: %s", SPI_result_code_string(rc));
	events = SPI_tuptable;
	nevents = SPI_processed;

	/* the events come back trace by trace, in the order of trace_ids */
	for (int i = 0; i < n; i++)
	{
		int64		count = 0;

		while (next < nevents)
		{
			bool		isnull;
			Datum		trace = SPI_getbinval(events->vals[next], events->tupdesc, 1, &isnull);

			if (isnull || !DatumGetBool(DirectFunctionCall2(uuid_eq, trace, trace_ids[i])))
				break;
			count++;
			next++;
		}
		if (count == 0)
			elog(ERROR, "lsbilling ledger insert for a new trace failed: %s", SPI_result_code_string(rc));
		UsageAdd(workspace_ids[i], now, 1, count > 1 ? 1 : 0);
	}
	if (next != nevents)
		elog(ERROR, "lsbilling ledger insert for new traces returned unexpected events");
}

/*
 * AFTER INSERT on deployment_runs: one deployment_run event at the server's
 * time of the write (LsbNow()); the row's started_at is data.
 */
PG_FUNCTION_INFO_V1(lsbilling_record_deployment_run);
Datum
lsbilling_record_deployment_run(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	HeapTuple	tup;
	Datum		args[2];
	bool		isnull;
	int			rc;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("record_deployment_run: must be fired after insert for each row")));

	rel = trigdata->tg_relation;
	tup = trigdata->tg_trigtuple;
	args[0] = heap_getattr(tup, LsbColumnOf(rel, "workspace_id"), RelationGetDescr(rel), &isnull);
	args[1] = TimestampTzGetDatum(LsbNow());

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (DeploymentRunPlan == NULL)
	{
		Oid			argtypes[2] = {UUIDOID, TIMESTAMPTZOID};

		DeploymentRunPlan = LsbPrepareKept(DeploymentRunSql, 2, argtypes, 0);
	}
	rc = SPI_execute_plan(DeploymentRunPlan, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT || SPI_processed != 1)
		elog(ERROR, "lsbilling ledger insert for a deployment run failed: %s",
			 SPI_result_code_string(rc));
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * BEFORE UPDATE OR DELETE (each row) and BEFORE TRUNCATE on billing_events:
 * what was billed stays billed.  Only the extension's own maintenance (e.g.
 * the retention job) may change it, with lsbilling.maintenance set locally.
 */
PG_FUNCTION_INFO_V1(lsbilling_billing_events_append_only);
Datum
lsbilling_billing_events_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("billing_events_append_only: must be fired before update, delete or truncate")));

	if (!LsbMaintenance)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("lsbilling.billing_events is append-only"),
				 errdetail("Billing events cannot be updated, deleted or truncated.")));

	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_newtuple);
	return PointerGetDatum(trigdata->tg_trigtuple);
}
