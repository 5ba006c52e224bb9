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

static const char *DeploymentRunSql =
"INSERT INTO lsbilling.billing_events"
"  (organization_id, workspace_id, metric, trace_id, quantity, occurred_at)"
" SELECT w.organization_id, w.id, 'deployment_run', NULL, 1, $2"
" FROM lsbilling.workspaces w WHERE w.id = $1";

static SPIPlanPtr TraceCreatedPlan = NULL;
static SPIPlanPtr DeploymentRunPlan = NULL;

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
 * On one node, the ledger events of the traces a statement creates are
 * written by the trace upsert itself, as a CTE of it (trace_rollup.c): one
 * executor start for both.  "up" is the upsert's RETURNING (workspace_id,
 * id, created, extended), in the order the traces were written; the events
 * are inserted in that order (trace by trace, base_trace first), so their
 * ids are the ones LedgerTraceCreated a trace at a time would give, at the
 * clock passed as the caller's parameter $15.  The created traces are
 * counted as LedgerTraceCreated counts them: by the same statement when the
 * count is folded into it (its CTE "cnt", UsageCounterCte), which
 * UsageAddFolded then reads and checks, else by the caller with UsageAdd.
 */
const char LedgerCreatedTracesCte[] =
"ev AS (INSERT INTO lsbilling.billing_events"
"  (organization_id, workspace_id, metric, trace_id, quantity, occurred_at)"
" SELECT w.organization_id, c.workspace_id, m.metric, c.id, 1, $15"
" FROM (SELECT up.workspace_id, up.id, up.extended,"
"   pg_catalog.row_number() OVER () AS n FROM up WHERE up.created) c"
" JOIN lsbilling.workspaces w ON w.id = c.workspace_id,"
"  pg_catalog.unnest(CASE WHEN c.extended THEN ARRAY['base_trace', 'extended_upgrade']"
"         ELSE ARRAY['base_trace'] END) WITH ORDINALITY AS m(metric, k)"
" ORDER BY c.n, m.k)";

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
