/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The retention background worker: a purge pass every
 *	  lsbilling.purge_interval seconds in the database lsbilling.database.
 *
 * The loop is worker_spi's: SIGHUP rereads the configuration, SIGTERM ends
 * the worker (die), WaitLatch with WL_EXIT_ON_PM_DEATH sleeps.  Each step of
 * a pass (purge.c) gets a transaction of its own, so a kill or a crash at any
 * moment loses at most the step in flight, which the next pass does again.
 * Each pass is recorded in lsbilling.purge_passes as it goes (view
 * lsbilling.purge_history); pg_stat_activity shows the step in progress
 * under backend_type and application_name "lsbilling purge".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "invoices.h"
#include "lsbilling.h"
#include "retention.h"

char	   *LsbDatabase = NULL;
int			LsbPurgeInterval = 3600;
int			LsbPurgeBatchSize = 1000;
int			LsbPurgeLockTimeout = 1000;

/* Seconds before the postmaster restarts a worker that exited on an error. */
#define PURGE_WORKER_RESTART 10

PGDLLEXPORT void LsbPurgeWorkerMain(Datum main_arg) pg_attribute_noreturn();

/* One pass, carried from step to step (each step a transaction). */
typedef struct PassState
{
	TimestampTz as_of;
	int64		pass_id;
	bool		installed;		/* the extension exists in our database */
	bool		citus_worker;	/* a Citus node other than the coordinator */
	bool		more;			/* the last step found work */
	TimestampTz after;			/* partitions up to here are looked at */
	PurgeCounts step;			/* what the step in flight did */
	bool		watermark;		/* one node, split days: purge_watermark.c */
	TimestampTz purged_through; /* the watermark the marking left */
	char	   *error;			/* last error of the pass, in WorkerContext */
} PassState;

static MemoryContext WorkerContext = NULL;
static bool SaidNotInstalled = false;
static bool SaidCitusWorker = false;

void
RetentionInit(void)
{
	DefineCustomIntVariable("lsbilling.purge_interval",
							"Time between the starts of two purge passes.",
							NULL,
							&LsbPurgeInterval,
							3600, 1, 7 * 86400,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("lsbilling.purge_batch_size",
							"Expired traces purged by DELETE in one transaction.",
							NULL,
							&LsbPurgeBatchSize,
							1000, 1, 1000000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("lsbilling.purge_lock_timeout",
							"lock_timeout of the purge's transactions.",
							"Bounds how long writers can queue behind the purge; 0 leaves lock_timeout alone.",
							&LsbPurgeLockTimeout,
							1000, 0, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	/* PGC_POSTMASTER settings can only be made while the postmaster starts */
	if (process_shared_preload_libraries_in_progress)
	{
		BackgroundWorker worker;

		DefineCustomStringVariable("lsbilling.database",
								   "Database the retention worker purges.",
								   "The database where CREATE EXTENSION lsbilling was run.",
								   &LsbDatabase,
								   "postgres",
								   PGC_POSTMASTER,
								   0,
								   NULL, NULL, NULL);

		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = PURGE_WORKER_RESTART;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "lsbilling");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "LsbPurgeWorkerMain");
		snprintf(worker.bgw_name, BGW_MAXLEN, "lsbilling purge worker");
		snprintf(worker.bgw_type, BGW_MAXLEN, "lsbilling purge");
		RegisterBackgroundWorker(&worker);
	}
}

/*
 * Run fn in a transaction of its own.  An error is logged, kept as the
 * pass's error and rolled back; the worker goes on (FATAL, e.g. SIGTERM,
 * still ends it).
 */
static bool
WorkerTransaction(const char *activity, void (*fn) (PassState *), PassState *st)
{
	volatile bool ok = true;
	int			level;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, activity);
		memset(&st->step, 0, sizeof(st->step));
		level = PurgeBeginStep(true);
		fn(st);
		PurgeEndStep(level);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		HOLD_INTERRUPTS();
		EmitErrorReport();
		MemoryContextSwitchTo(WorkerContext);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		RESUME_INTERRUPTS();
		st->error = edata->message;
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(WorkerContext);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return ok;
}

/* Add the step's counts to the pass's row, in the step's transaction. */
static void
RecordStep(PassState *st)
{
	const PurgeCounts *c = &st->step;
	Oid			argtypes[10] = {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT8OID,
	INT4OID, INT4OID, INT8OID, TIMESTAMPTZOID};
	Datum		args[10] = {Int64GetDatum(st->pass_id), Int64GetDatum(c->traces_purged),
		Int64GetDatum(c->runs_deleted), Int64GetDatum(c->feedback_deleted),
		Int64GetDatum(c->queue_items_deleted), Int64GetDatum(c->rule_matches_deleted),
		Int32GetDatum(c->partitions_dropped), Int32GetDatum(c->partitions_created),
	Int64GetDatum(c->runs_moved), TimestampTzGetDatum(c->purged_through)};
	char		nulls[11] = "          ";
	static const PurgeCounts zero;

	if (memcmp(c, &zero, sizeof(zero)) == 0)
		return;
	if (c->purged_through == 0)
		nulls[9] = 'n';
	if (SPI_execute_with_args("UPDATE lsbilling.purge_passes SET"
							  " traces_purged = traces_purged + $2, runs_deleted = runs_deleted + $3,"
							  " feedback_deleted = feedback_deleted + $4,"
							  " queue_items_deleted = queue_items_deleted + $5,"
							  " rule_matches_deleted = rule_matches_deleted + $6,"
							  " partitions_dropped = partitions_dropped + $7,"
							  " partitions_created = partitions_created + $8,"
							  " runs_moved = runs_moved + $9"
							  " WHERE id = $1",
							  9, argtypes, args, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "lsbilling purge: cannot record the pass");
	/* purge_passes.purged_through is 0.2.0's: written only by a watermark pass */
	if (c->purged_through != 0 &&
		SPI_execute_with_args("UPDATE lsbilling.purge_passes SET purged_through = $10 WHERE id = $1",
							  10, argtypes, args, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "lsbilling purge: cannot record the pass");
}

/* Is the extension there, and is this node the one that purges? */
static void
StepStartChecks(PassState *st)
{
	bool		isnull;

	if (SPI_execute("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'lsbilling'",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot read pg_extension");
	st->installed = SPI_processed > 0;
	if (!st->installed)
		return;
	/* On Citus the coordinator's worker purges the cluster; a worker node's does nothing. */
	if (LsbCitusActive())
	{
		if (SPI_execute("SELECT pg_catalog.citus_is_coordinator()", true, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "cannot ask Citus whether this node is the coordinator");
		st->citus_worker = !DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
													   1, &isnull));
	}
}

/* ... and if so, open the pass's row. */
static void
StepStart(PassState *st)
{
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		args[1] = {TimestampTzGetDatum(st->as_of)};
	bool		isnull;

	StepStartChecks(st);
	if (!st->installed || st->citus_worker)
		return;
	st->watermark = PurgeWatermarkMode();
	if (SPI_execute_with_args("INSERT INTO lsbilling.purge_passes (source, as_of)"
							  " VALUES ('worker', $1) RETURNING id",
							  1, argtypes, args, NULL, false, 1) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "lsbilling purge: cannot record the pass");
	st->pass_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
											  &isnull));
}

static void
StepEnsurePartitions(PassState *st)
{
	PurgeEnsurePartitions(GetCurrentTimestamp(), &st->step);
	RecordStep(st);
}

/* default_bound.c: a step of setting or moving runs_default's bound */
static void
StepDefaultBound(PassState *st)
{
	st->more = DefaultBoundStep();
}

/* Every step of the bound that is due, each in a transaction of its own. */
static void
BoundDefaultPartition(PassState *st)
{
	do
	{
		st->more = false;
		if (!WorkerTransaction("lsbilling purge: bounding runs_default", StepDefaultBound, st))
			break;
	} while (st->more);
}

static void
StepEnsureDaysAtStart(PassState *st)
{
	TimestampTz bound;

	StepStartChecks(st);
	if (!st->installed || st->citus_worker)
		return;

	/*
	 * Only when the days made end within a day of the clock: otherwise the
	 * first pass is soon enough, and making days at every start would
	 * attach them under the inserts of a server just started (an insert
	 * routed to runs_default before the ATTACH fails its partition check
	 * after it).
	 */
	if (!DefaultBoundRead(&bound) || bound > GetCurrentTimestamp() + USECS_PER_DAY)
		return;
	PurgeEnsurePartitions(GetCurrentTimestamp(), &st->step);
	st->more = true;
}

/*
 * The days ahead and runs_default's bound when the worker starts, if the
 * days made are behind the clock; no pass is recorded.
 */
static void
EnsureDaysAtStart(void)
{
	PassState	st;

	memset(&st, 0, sizeof(st));
	MemoryContextSwitchTo(WorkerContext);
	if (WorkerTransaction("lsbilling purge: creating partitions ahead at start", StepEnsureDaysAtStart, &st) &&
		st.more)
		BoundDefaultPartition(&st);
	MemoryContextReset(WorkerContext);
}

/*
 * A day partition in two transactions: marking its expired traces (runs stay
 * open to writers), then the swap, which locks runs before anything else.
 * A kill between the two leaves the partition marked (PurgeSwapPending), and
 * the next pass swaps it first.
 */
static void
StepPartition(PassState *st)
{
	st->more = PurgeNextPartition(st->as_of, &st->after, &st->step);
	RecordStep(st);
}

static void
StepSwap(PassState *st)
{
	PurgeSwapPending(&st->step);
	RecordStep(st);
}

/* purge_watermark.c: the watermark, then a day a transaction */
static void
StepMark(PassState *st)
{
	st->purged_through = PurgeMarkWatermark(st->as_of, &st->step);
	RecordStep(st);
}

static void
StepDropDay(PassState *st)
{
	st->more = PurgeDropNextDay(st->purged_through, &st->after, true, &st->step);
	RecordStep(st);
}

static void
StepDropEmptyDays(PassState *st)
{
	PurgeDropEmptyDays(st->purged_through, true, &st->step);
	RecordStep(st);
}

static void
StepDeleteBatch(PassState *st)
{
	PurgeLockForMarking();
	st->more = PurgeDeleteBatch(st->as_of, LsbPurgeBatchSize, &st->step) > 0;
	RecordStep(st);
}

static void
StepFinish(PassState *st)
{
	Oid			argtypes[3] = {INT8OID, TEXTOID, TIMESTAMPTZOID};
	Datum		args[3] = {Int64GetDatum(st->pass_id),
		st->error ? CStringGetTextDatum(st->error) : (Datum) 0,
	TimestampTzGetDatum(GetCurrentTimestamp())};

	/* the time as a parameter: Citus refuses clock_timestamp() in an UPDATE of a reference table */
	if (SPI_execute_with_args("UPDATE lsbilling.purge_passes"
							  " SET finished_at = $3, error = $2 WHERE id = $1",
							  3, argtypes, args, st->error ? NULL : " n ", false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "lsbilling purge: cannot record the pass");
}

/* Billing: the invoices due today, once a day (invoices.c). */
static void
StepIssueInvoices(PassState *st)
{
	InvoicesIssueDaily();
}

/*
 * One pass: partitions ahead, then each day partition worth dropping, then
 * the rest by DELETE in batches.  A partition that fails (a lock not had in
 * time) is left to the DELETE batches; a failing batch ends the pass.
 */
static void
PurgePass(TimestampTz as_of)
{
	PassState	st;

	memset(&st, 0, sizeof(st));
	st.as_of = as_of;
	st.after = DT_NOBEGIN;

	if (!WorkerTransaction("lsbilling purge: starting a pass", StepStart, &st))
		return;
	if (!st.installed)
	{
		if (!SaidNotInstalled)
			ereport(LOG,
					(errmsg("lsbilling purge worker: extension \"lsbilling\" is not installed in database \"%s\", nothing to purge",
							LsbDatabase),
					 errhint("Run CREATE EXTENSION lsbilling in that database, or set lsbilling.database.")));
		SaidNotInstalled = true;
		return;
	}
	SaidNotInstalled = false;
	if (st.citus_worker)
	{
		if (!SaidCitusWorker)
			ereport(LOG,
					(errmsg("lsbilling purge worker: this is a Citus worker node, the coordinator's purge worker purges the cluster")));
		SaidCitusWorker = true;
		return;
	}

	(void) WorkerTransaction("lsbilling purge: creating partitions ahead", StepEnsurePartitions, &st);
	BoundDefaultPartition(&st);
	/* what a pass cut short between marking and swap left */
	(void) WorkerTransaction("lsbilling purge: swapping day partitions", StepSwap, &st);

	if (st.watermark)
	{
		if (WorkerTransaction("lsbilling purge: moving the purge watermark", StepMark, &st))
		{
			st.after = DT_NOBEGIN;
			do
			{
				CHECK_FOR_INTERRUPTS();
				st.more = false;
				if (!WorkerTransaction("lsbilling purge: emptying the base half of a day", StepDropDay, &st))
					break;
			} while (st.more);
			(void) WorkerTransaction("lsbilling purge: dropping empty days", StepDropEmptyDays, &st);
		}
		(void) WorkerTransaction("lsbilling purge: finishing the pass", StepFinish, &st);
		(void) WorkerTransaction("lsbilling: issuing invoices", StepIssueInvoices, &st);
		return;
	}

	for (;;)
	{
		TimestampTz before = st.after;
		bool		marked;

		CHECK_FOR_INTERRUPTS();
		st.more = false;
		marked = WorkerTransaction("lsbilling purge: marking expired traces of a day", StepPartition, &st);
		if (marked && st.more)
			(void) WorkerTransaction("lsbilling purge: swapping day partitions", StepSwap, &st);
		if (!marked && st.after == before)
			break;				/* failed before choosing a partition: try again next pass */
		if (!st.more && st.after == before)
			break;
	}

	do
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		st.more = false;
		if (!WorkerTransaction("lsbilling purge: deleting expired traces", StepDeleteBatch, &st))
			break;
	} while (st.more);

	(void) WorkerTransaction("lsbilling purge: finishing the pass", StepFinish, &st);
	(void) WorkerTransaction("lsbilling: issuing invoices", StepIssueInvoices, &st);
}

void
LsbPurgeWorkerMain(Datum main_arg)
{
	TimestampTz last_start;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(LsbDatabase, NULL, 0);
	SetConfigOption("application_name", "lsbilling purge", PGC_USERSET, PGC_S_SESSION);

	/*
	 * The worker runs as the bootstrap superuser: with the default
	 * search_path, a function planted in public could shadow one the purge
	 * calls unqualified (quote_ident, say) and run as superuser.
	 */
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
	WorkerContext = AllocSetContextCreate(TopMemoryContext, "lsbilling purge worker",
										  ALLOCSET_DEFAULT_SIZES);
	ereport(LOG,
			(errmsg("lsbilling purge worker started in database \"%s\", a pass every %d s",
					LsbDatabase, LsbPurgeInterval)));

	/*
	 * The first pass comes one interval after the start, as worker_spi's
	 * loop has it: a server that restarts often does not purge more often.
	 * The days ahead are made at once when they end before the clock (a
	 * week down, an old backup restored): runs dated now would be refused
	 * until then (default_bound.c).
	 */
	EnsureDaysAtStart();
	last_start = GetCurrentTimestamp();

	for (;;)
	{
		TimestampTz now;
		TimestampTz next;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		now = GetCurrentTimestamp();
		next = TimestampTzPlusMilliseconds(last_start, (int64) LsbPurgeInterval * 1000);
		if (now >= next)
		{
			last_start = now;
			MemoryContextSwitchTo(WorkerContext);
			PurgePass(now);
			MemoryContextReset(WorkerContext);
			continue;
		}

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 TimestampDifferenceMilliseconds(now, next), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
