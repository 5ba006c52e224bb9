/*-------------------------------------------------------------------------
 *
 * spend_cap.c
 *	  The optional monthly spend cap of an organization
 *	  (lsbilling.spend_caps), checked on the write path with the trace
 *	  limits: a new trace or an upgrade that would bring the organization's
 *	  charges of the month past the cap is refused with LS429.
 *
 * The charges are the usage lsbilling knows as each event happens: base
 * traces beyond the plan's free allowance and extended-retention upgrades,
 * at the prices of the organization's current plan on the clock's day, from
 * the usage counters of all its workspaces.  Deployment runs and seats are
 * not capped.  usage_limits.c reads the cap with a statement's first count
 * and checks every count after it in memory, as it does the trace limits.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "storage/bufmgr.h"
#include "utils/timestamp.h"

#include "lsbilling.h"
#include "tiers.h"

/* The cap, the prices, and the month's counts of the organization's other workspaces. */
static const char *SpendCapSql =
"SELECT sc.monthly_cap, coalesce(o.traces, 0)::bigint, coalesce(o.extended_traces, 0)::bigint,"
"  pp.free_traces_per_month, pp.base_trace_price, pp.extended_upgrade_price, og.plan, og.id::text"
" FROM lsbilling.workspaces w"
" JOIN lsbilling.spend_caps sc ON sc.organization_id = w.organization_id"
" JOIN lsbilling.organizations og ON og.id = w.organization_id"
" CROSS JOIN LATERAL lsbilling.plan_price_on(og.plan, ($3 AT TIME ZONE 'UTC')::date) pp"
" LEFT JOIN LATERAL (SELECT sum(u.traces) AS traces, sum(u.extended_traces) AS extended_traces"
"   FROM lsbilling.usage_counters u JOIN lsbilling.workspaces w2 ON w2.id = u.workspace_id"
"   WHERE w2.organization_id = w.organization_id AND u.workspace_id <> $1 AND u.month = $2) o ON true"
" WHERE w.id = $1";

static SPIPlanPtr SpendCapPlan = NULL;

/* A numeric column of the only result row, copied into TopTransactionContext. */
static Datum
NumericColumn(int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);
	MemoryContext old;

	if (isnull)
		d = NumericGetDatum(int64_to_numeric(0));
	old = MemoryContextSwitchTo(TopTransactionContext);
	d = PointerGetDatum(PG_DETOAST_DATUM_COPY(d));
	MemoryContextSwitchTo(old);
	return d;
}

void
SpendCapRead(Datum workspace_id, int32 month, SpendCap *cap)
{
	Datum		args[3];
	bool		isnull;
	char	   *text;
	int			rc;
	Oid			relid;
	Relation	rel;
	bool		empty;

	memset(cap, 0, sizeof(*cap));
	/* a database still at 0.1.0 has no caps; most have none: skip the lookup */
	relid = get_relname_relid("spend_caps", get_namespace_oid("lsbilling", false));
	if (!OidIsValid(relid))
		return;
	rel = table_open(relid, AccessShareLock);
	empty = RelationGetNumberOfBlocks(rel) == 0;
	table_close(rel, AccessShareLock);
	if (empty)
		return;
	if (SpendCapPlan == NULL)
	{
		Oid			argtypes[3] = {UUIDOID, DATEOID, TIMESTAMPTZOID};

		SpendCapPlan = LsbPrepareKept(SpendCapSql, 3, argtypes, 0);
	}
	args[0] = workspace_id;
	args[1] = DateADTGetDatum(month);
	args[2] = TimestampTzGetDatum(LsbNow());
	rc = SPI_execute_plan(SpendCapPlan, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling spend cap lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return;
	cap->has_cap = true;
	cap->cap = NumericColumn(1);
	cap->other_traces = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	cap->other_extended = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	cap->free_traces = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	if (isnull)
		cap->free_traces = 0;
	cap->base_price = NumericColumn(5);
	cap->upgrade_price = NumericColumn(6);
	text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7);
	strlcpy(cap->plan, text ? text : "", sizeof(cap->plan));
	text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 8);
	strlcpy(cap->organization, text ? text : "", sizeof(cap->organization));
}

/* The organization's charges for a month with these trace and upgrade counts. */
static Datum
SpendAmount(const SpendCap *cap, int64 traces, int64 extended_traces)
{
	int64		billable = traces > cap->free_traces ? traces - cap->free_traces : 0;
	Datum		base = DirectFunctionCall2(numeric_mul, NumericGetDatum(int64_to_numeric(billable)),
										   cap->base_price);
	Datum		upgrades = DirectFunctionCall2(numeric_mul,
											   NumericGetDatum(int64_to_numeric(extended_traces)),
											   cap->upgrade_price);

	return DirectFunctionCall2(numeric_add, base, upgrades);
}

/* Exact, as the ledger's prices make it (e.g. 1.0005). */
static char *
Dollars(Datum amount)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, amount));
}

void
SpendCapCheck(const SpendCap *cap, const char *month_text, int64 ws_traces, int64 ws_extended,
			  int64 traces, int64 extended_traces)
{
	int64		total_traces = cap->other_traces + ws_traces;
	int64		total_extended = cap->other_extended + ws_extended;
	Datum		after;
	Datum		before;

	if (!cap->has_cap || (traces <= 0 && extended_traces <= 0))
		return;
	after = SpendAmount(cap, total_traces, total_extended);
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, after, cap->cap)) <= 0)
		return;
	before = SpendAmount(cap, total_traces - traces, total_extended - extended_traces);
	ereport(ERROR,
			(errcode(ERRCODE_LSB_USAGE_LIMIT),
			 errmsg("monthly spend cap of $%s reached", Dollars(cap->cap)),
			 errdetail("Organization %s has $%s of charges in %s (UTC) so far (base traces beyond the free allowance and extended-retention upgrades, at the %s plan's prices); this write would bring them to $%s.",
					   cap->organization, Dollars(before), month_text, cap->plan, Dollars(after)),
			 errhint("Raise or remove the cap in lsbilling.spend_caps, or wait for the next calendar month (UTC).")));
}
