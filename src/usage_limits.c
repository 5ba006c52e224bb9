/*-------------------------------------------------------------------------
 *
 * usage_limits.c
 *	  Monthly usage counters and the limits checked against them on the
 *	  write path (lsbilling.usage_limits, and the developer plan's built-in
 *	  limit when the organization has no payment method).
 *
 * A count(*) of the ledger on every new trace would grow with the month;
 * instead each write adds to a counter row in its own transaction, so that a
 * refused write (which rolls back) leaves the count as it was.  One row per
 * workspace-month would make every trace-creating transaction of a workspace
 * wait for the previous one to commit (the row lock is held until then), so
 * the month is split into LSB_USAGE_SLOTS rows and a backend always uses the
 * same one: a writer sees its own slot exactly and the others as last
 * committed.  The overshoot this allows is bounded; README says by how much.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "storage/backendid.h"
#include "utils/builtins.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "tiers.h"

/* Writers in different slots do not wait for each other; see README for the bound. */
#define LSB_USAGE_SLOTS 8

/*
 * Add to this backend's slot and read the month's totals and the limits in
 * one statement.  The other slots are read as of this statement's snapshot:
 * their uncommitted additions are what a concurrent writer can miss.
 */
static const char *UsageAddSql =
"WITH c AS ("
"  INSERT INTO lsbilling.usage_counters AS c (workspace_id, month, slot, traces, extended_traces)"
"  VALUES ($1, date_trunc('month', $2 AT TIME ZONE 'UTC')::date, $3, $4, $5)"
"  ON CONFLICT (workspace_id, month, slot) DO UPDATE SET"
"   traces = c.traces + excluded.traces,"
"   extended_traces = c.extended_traces + excluded.extended_traces"
"  RETURNING c.month, c.traces, c.extended_traces)"
" SELECT (c.traces + coalesce(o.traces, 0))::bigint,"
"  (c.extended_traces + coalesce(o.extended_traces, 0))::bigint,"
"  l.max_traces, l.max_extended_traces, b.unpaid_monthly_trace_limit, b.plan,"
"  to_char(c.month, 'YYYY-MM'),"
"  ceil(extract(epoch FROM ((c.month + interval '1 month') AT TIME ZONE 'UTC') - now()))::bigint"
" FROM c"
" LEFT JOIN LATERAL (SELECT sum(u.traces) AS traces, sum(u.extended_traces) AS extended_traces"
"   FROM lsbilling.usage_counters u"
"   WHERE u.workspace_id = $1 AND u.month = c.month AND u.slot <> $3) o ON true"
" LEFT JOIN lsbilling.usage_limits l ON l.workspace_id = $1"
" LEFT JOIN LATERAL (SELECT p.unpaid_monthly_trace_limit, p.id AS plan"
"   FROM lsbilling.workspaces w JOIN lsbilling.organizations og ON og.id = w.organization_id"
"   JOIN lsbilling.plans p ON p.id = og.plan"
"   WHERE w.id = $1 AND NOT og.has_payment_method AND p.unpaid_monthly_trace_limit IS NOT NULL) b ON true";

static SPIPlanPtr UsageAddPlan = NULL;

/* The hint: when the month resets, or that it already has (a back-dated write). */
static int
ResetHint(const char *month, int64 seconds)
{
	if (seconds > 0)
		return errhint("The limit resets at the start of the next calendar month (UTC), in %lld seconds.",
					   (long long) seconds);
	return errhint("The limit applies to %s (UTC), the month the write is billed in, which has ended.",
				   month);
}

static int64
GetInt64(int col, bool *isnull)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

void
UsageAdd(Datum workspace_id, Datum at, int64 traces, int64 extended_traces)
{
	Datum		args[5];
	int			rc;
	bool		isnull;
	int64		total_traces,
				total_extended,
				limit,
				seconds;
	char	   *month;
	char	   *ws;

	args[0] = workspace_id;
	args[1] = at;
	args[2] = Int16GetDatum((int16) (MyBackendId % LSB_USAGE_SLOTS));
	args[3] = Int64GetDatum(traces);
	args[4] = Int64GetDatum(extended_traces);

	if (UsageAddPlan == NULL)
	{
		Oid			argtypes[5] = {UUIDOID, TIMESTAMPTZOID, INT2OID, INT8OID, INT8OID};
		SPIPlanPtr	plan = SPI_prepare(UsageAddSql, 5, argtypes);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_prepare failed for lsbilling usage counters: %s",
				 SPI_result_code_string(SPI_result));
		UsageAddPlan = plan;
	}
	rc = SPI_execute_plan(UsageAddPlan, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "lsbilling usage counter update failed: %s", SPI_result_code_string(rc));

	total_traces = GetInt64(1, &isnull);
	total_extended = GetInt64(2, &isnull);
	month = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7);
	seconds = GetInt64(8, &isnull);
	ws = DatumGetCString(DirectFunctionCall1(uuid_out, workspace_id));

	if (traces > 0)
	{
		limit = GetInt64(3, &isnull);
		if (!isnull && total_traces > limit)
			ereport(ERROR,
					(errcode(ERRCODE_LSB_USAGE_LIMIT),
					 errmsg("monthly usage limit max_traces (%lld) reached", (long long) limit),
					 errdetail("Workspace %s has %lld traces in %s (UTC); a new trace is refused.",
							   ws, (long long) (total_traces - traces), month),
					 ResetHint(month, seconds)));

		limit = GetInt64(5, &isnull);
		if (!isnull && total_traces > limit)
			ereport(ERROR,
					(errcode(ERRCODE_LSB_USAGE_LIMIT),
					 errmsg("monthly trace limit of the %s plan without a payment method (%lld) reached",
							SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6),
							(long long) limit),
					 errdetail("Workspace %s has %lld traces in %s (UTC); a new trace is refused until a payment method is added.",
							   ws, (long long) (total_traces - traces), month),
					 ResetHint(month, seconds)));
	}
	if (extended_traces > 0)
	{
		limit = GetInt64(4, &isnull);
		if (!isnull && total_extended > limit)
			ereport(ERROR,
					(errcode(ERRCODE_LSB_USAGE_LIMIT),
					 errmsg("monthly usage limit max_extended_traces (%lld) reached", (long long) limit),
					 errdetail("Workspace %s has %lld extended traces in %s (UTC); the write would add %lld more, so it is refused and nothing is upgraded.",
							   ws, (long long) (total_extended - extended_traces), month,
							   (long long) extended_traces),
					 ResetHint(month, seconds)));
	}
}
