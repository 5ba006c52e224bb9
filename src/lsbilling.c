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

PG_MODULE_MAGIC;

bool		LsbPreloaded = false;

void		_PG_init(void);

void
_PG_init(void)
{
	LsbPreloaded = process_shared_preload_libraries_in_progress;

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
