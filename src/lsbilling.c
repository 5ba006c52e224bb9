/*-------------------------------------------------------------------------
 *
 * lsbilling.c
 *	  Module entry point: settings, and whether we were preloaded.
 *
 * Everything that needs shared memory or a background worker is set up here
 * only when the library is loaded through shared_preload_libraries; the SQL
 * functions that depend on it say so when it is missing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "lsbilling.h"
#include "access.h"
#include "rate_limit.h"
#include "retention.h"

PG_MODULE_MAGIC;

bool		LsbPreloaded = false;
bool		LsbMaintenance = false;
LsbRequestHook lsb_request_hook = NULL;

void		_PG_init(void);

void
_PG_init(void)
{
	LsbPreloaded = process_shared_preload_libraries_in_progress;

	/*
	 * Set (SET LOCAL) only by lsbilling's own maintenance functions, e.g. the
	 * purge, which deletes runs but must keep the trace totals, and may
	 * remove ledger rows of dropped data.  Superuser-only so that no client
	 * can skip the roll-up or edit the ledger.
	 */
	DefineCustomBoolVariable("lsbilling.maintenance",
							 "Marks lsbilling's own maintenance work (internal).",
							 "Skips the trace roll-up of run deletes and allows ledger maintenance.",
							 &LsbMaintenance,
							 false,
							 PGC_SUSET,
							 GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							 NULL, NULL, NULL);

	ClockInit();				/* lsbilling.test_clock (clock.c) */
	RetentionInit();			/* retention settings and worker (worker.c) */
	RateLimitSetup();			/* rate limits in shared memory (rate_limit_sql.c) */
	TenantTokenInit();			/* lsbilling.tenant_token, the context on Citus shards (tenant_token.c) */

	MarkGUCPrefixReserved("lsbilling");
}

/*
 * lsbilling.preloaded(): lets the install script and the functions that need
 * the worker or shared memory explain what is missing.
 */
PG_FUNCTION_INFO_V1(lsbilling_preloaded);
Datum
lsbilling_preloaded(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(LsbPreloaded);
}
