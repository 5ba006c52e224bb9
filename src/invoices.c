/*-------------------------------------------------------------------------
 *
 * invoices.c
 *	  Issued invoices and credits: the trigger that keeps their tables
 *	  append-only, and the daily call of lsbilling.issue_invoices() made by
 *	  the background worker.
 *
 * The invoice logic itself is plpgsql over SPI in the install script
 * (issue_invoices and its helpers): it runs on the coordinator at issue
 * time, derives everything from the tenant tables, and writes only global
 * (per-organization) tables, which is what Citus needs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "invoices.h"
#include "lsbilling.h"

/*
 * BEFORE UPDATE OR DELETE (each row) and BEFORE TRUNCATE on the issued
 * invoices, their lines, what they covered, and the credit tables: what was
 * issued stays as issued.  A correction is a later invoice or credit.
 */
PG_FUNCTION_INFO_V1(lsbilling_append_only);
Datum
lsbilling_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("append_only: must be fired before update, delete or truncate")));

	if (!LsbMaintenance)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("lsbilling.%s is append-only", RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("Issued invoices and credit movements cannot be updated, deleted or truncated."),
				 errhint("Correct an issued invoice with a later invoice or a credit.")));

	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_newtuple);
	return PointerGetDatum(trigdata->tg_trigtuple);
}

/*
 * The worker's daily call, in its own transaction with SPI connected: issue
 * what is due today by lsbilling's clock, at most once per UTC day of this
 * worker.  A database still at 0.1.0 (no issue_invoices) is skipped.
 */
void
InvoicesIssueDaily(void)
{
	static int64 last_day = PG_INT64_MIN;
	TimestampTz now = LsbNow();
	int64		today;
	bool		isnull;
	int			rc;

	/* the UTC day of the clock (timestamps count microseconds from 2000-01-01 UTC) */
	today = now / USECS_PER_DAY - (now < 0 && now % USECS_PER_DAY != 0 ? 1 : 0);
	if (today == last_day)
		return;
	rc = SPI_execute("SELECT pg_catalog.to_regprocedure('lsbilling.issue_invoices(date)') IS NOT NULL",
					 true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "lsbilling: cannot look up issue_invoices");
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
	{
		rc = SPI_execute("SELECT pg_catalog.count(*) FROM lsbilling.issue_invoices()", false, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "lsbilling: issue_invoices failed: %s", SPI_result_code_string(rc));
	}
	last_day = today;
}
