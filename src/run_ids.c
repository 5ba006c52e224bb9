/*-------------------------------------------------------------------------
 *
 * run_ids.c
 *	  One row per run id and workspace (lsbilling.run_ids), so that a client
 *	  retrying the create of a run is stored and billed once.
 *
 * The key of runs includes start_time (its partition key), so it cannot
 * refuse a second run with the same id; the SDKs retry a create on timeouts
 * and 5xx, sometimes with another start_time.  The BEFORE INSERT trigger
 * claims the id here first; when it is already taken the new row is skipped
 * (the retry is ignored: the first body stays, and later changes come as an
 * update, LangSmith's PATCH).  A concurrent claim of the same id waits for
 * the first writer's transaction, as a unique index does.  Deleting a run
 * frees its id.  The table also finds a run's start_time (its partition)
 * from its id with one index probe.
 *
 * Before ALTER EXTENSION ... UPDATE to 0.2.0 the table does not exist and
 * every insert goes through, as in 0.1.0.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/lsyscache.h"

#include "lsbilling.h"

static SPIPlanPtr ClaimPlan = NULL;
static SPIPlanPtr ReleasePlan = NULL;

static bool
RunIdsExist(void)
{
	Oid			nsp = get_namespace_oid("lsbilling", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("run_ids", nsp));
}

/*
 * Claim the id of a run being inserted; false when another run of the
 * workspace holds it (the insert is then skipped).
 */
bool
RunIdClaim(const RunColumns *cols, TupleDesc desc, HeapTuple tup)
{
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	bool		isnull;
	int			rc;
	bool		claimed;

	if (!RunIdsExist())
		return true;
	values[0] = heap_getattr(tup, cols->workspace_id, desc, &isnull);
	if (isnull)
		return true;			/* NOT NULL reports it */
	values[1] = heap_getattr(tup, cols->id, desc, &isnull);
	if (isnull)
		return true;
	values[2] = heap_getattr(tup, cols->trace_id, desc, &isnull);
	if (isnull)
		return true;
	values[3] = heap_getattr(tup, cols->start_time, desc, &isnull);
	if (isnull)
		return true;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ClaimPlan == NULL)
	{
		Oid			argtypes[4] = {UUIDOID, UUIDOID, UUIDOID, TIMESTAMPTZOID};

		ClaimPlan = LsbPrepareKept("INSERT INTO lsbilling.run_ids (workspace_id, id, trace_id, start_time)"
								   " VALUES ($1, $2, $3, $4)"
								   " ON CONFLICT (workspace_id, id) DO NOTHING",
								   4, argtypes, 0);
	}
	rc = SPI_execute_plan(ClaimPlan, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "cannot claim the run id: %s", SPI_result_code_string(rc));
	claimed = SPI_processed == 1;
	SPI_finish();
	return claimed;
}

/* A deleted run frees its id (only the row that holds it: same start_time). */
void
RunIdRelease(const RunColumns *cols, TupleDesc desc, HeapTuple tup)
{
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	bool		isnull;
	int			rc;

	if (!RunIdsExist())
		return;
	values[0] = heap_getattr(tup, cols->workspace_id, desc, &isnull);
	values[1] = heap_getattr(tup, cols->id, desc, &isnull);
	values[2] = heap_getattr(tup, cols->start_time, desc, &isnull);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ReleasePlan == NULL)
	{
		Oid			argtypes[3] = {UUIDOID, UUIDOID, TIMESTAMPTZOID};

		ReleasePlan = LsbPrepareKept("DELETE FROM lsbilling.run_ids"
									 " WHERE workspace_id = $1 AND id = $2 AND start_time = $3",
									 3, argtypes, 0);
	}
	rc = SPI_execute_plan(ReleasePlan, values, nulls, false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "cannot release the run id: %s", SPI_result_code_string(rc));
	SPI_finish();
}
