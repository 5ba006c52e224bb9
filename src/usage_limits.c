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
 * Updating one row many times in one transaction gets slower with every
 * update (each finds the row at the end of a chain of its own dead versions),
 * so a statement that creates many traces would be quadratic.  Instead the
 * first count of a (workspace, month) in a statement goes to the table and
 * reads the totals and limits; later ones in the same statement are checked
 * in memory and kept as pending deltas, written by the statement-level
 * trigger lsbilling.usage_flush() when the statement ends.  Deltas remember
 * their subtransaction, so a rolled-back subtransaction takes its own with it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "storage/backendid.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "tiers.h"

/* Writers in different slots do not wait for each other; see README for the bound. */
#define LSB_USAGE_SLOTS 8

/* The pending deltas of a statement, written to this backend's slot row (already locked by us). */
static const char *UsageFlushSql =
"UPDATE lsbilling.usage_counters SET traces = traces + $4, extended_traces = extended_traces + $5"
" WHERE workspace_id = $1 AND month = $2 AND slot = $3";

/*
 * Add to this backend's slot, then read the month's totals and the limits, in
 * two statements.  The read takes its snapshot after the upsert has its slot
 * row: an upsert that waited for another writer of the same slot must not
 * read the other slots as of before the wait (what committed meanwhile would
 * be missed, beyond the documented bound of one uncommitted addition a slot).
 * Two statements are also what Citus can route to the workspace's shard
 * (scale_out.c): a data-modifying CTE would be planned apart, shipped over a
 * new connection and committed in two phases (measured: 50 times slower).
 */
static const char *UsageUpsertSql =
"INSERT INTO lsbilling.usage_counters AS c (workspace_id, month, slot, traces, extended_traces)"
" VALUES ($1, $2, $3, $4, $5)"
" ON CONFLICT (workspace_id, month, slot) DO UPDATE SET"
"  traces = c.traces + excluded.traces,"
"  extended_traces = c.extended_traces + excluded.extended_traces"
" RETURNING c.traces, c.extended_traces";
static const char *UsageReadSql =
"SELECT ($4 + coalesce(o.traces, 0))::bigint, ($5 + coalesce(o.extended_traces, 0))::bigint,"
"  l.max_traces, l.max_extended_traces, b.unpaid_monthly_trace_limit, b.plan,"
"  pg_catalog.to_char($2, 'YYYY-MM'),"
"  pg_catalog.ceil(extract(epoch FROM (($2 + interval '1 month') AT TIME ZONE 'UTC') - $6))::bigint"
" FROM (SELECT 1) x"
" LEFT JOIN LATERAL (SELECT pg_catalog.sum(u.traces) AS traces, pg_catalog.sum(u.extended_traces) AS extended_traces"
"   FROM lsbilling.usage_counters u"
"   WHERE u.workspace_id = $1 AND u.month = $2 AND u.slot <> $3) o ON true"
" LEFT JOIN lsbilling.usage_limits l ON l.workspace_id = $1"
" LEFT JOIN LATERAL (SELECT p.unpaid_monthly_trace_limit, p.id AS plan"
"   FROM lsbilling.workspaces w JOIN lsbilling.organizations og ON og.id = w.organization_id"
"   JOIN lsbilling.plans p ON p.id = og.plan"
"   WHERE w.id = $1 AND NOT og.has_payment_method AND p.unpaid_monthly_trace_limit IS NOT NULL) b ON true";
static SPIPlanPtr UsageUpsertPlan = NULL;
static SPIPlanPtr UsageReadPlan = NULL;

/* $1 workspace, $2 month, $3 slot, $4 traces, $5 extended traces; the read's $6 the clock */
static const Oid UsageArgTypes[6] = {UUIDOID, DATEOID, INT2OID, INT8OID, INT8OID, TIMESTAMPTZOID};

/* The month's totals and the limits, given this backend's slot as the upsert left it ($4, $5). */
static int
UsageReadTotals(Datum *read_args)
{
	if (UsageReadPlan == NULL)
		UsageReadPlan = LsbPrepareKept(UsageReadSql, 6, (Oid *) UsageArgTypes, 0);
	return SPI_execute_plan(UsageReadPlan, read_args, NULL, false, 1);
}

static int
UsageUpsertAndRead(Datum *args)
{
	Datum		read_args[6];
	bool		isnull;
	int			rc;

	if (UsageUpsertPlan == NULL)
		UsageUpsertPlan = LsbPrepareKept(UsageUpsertSql, 5, (Oid *) UsageArgTypes, 0);
	rc = SPI_execute_plan(UsageUpsertPlan, args, NULL, false, 1);
	if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		return rc;
	memcpy(read_args, args, sizeof(read_args));
	read_args[3] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	read_args[4] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	return UsageReadTotals(read_args);
}
static SPIPlanPtr UsageFlushPlan = NULL;

typedef struct UsageKey
{
	pg_uuid_t	workspace_id;
	DateADT		month;
} UsageKey;

/* Counts added in memory, by the subtransaction that added them. */
typedef struct UsageDelta
{
	SubTransactionId subxid;
	int64		traces;
	int64		extended_traces;
} UsageDelta;

/* What the first count of a (workspace, month) read, and what has been added since. */
typedef struct UsageEntry
{
	UsageKey	key;
	SubTransactionId created;	/* the counter row was written in this subtransaction */
	int64		traces;			/* totals as read, plus every delta */
	int64		extended_traces;
	bool		has_max_traces;
	int64		max_traces;
	bool		has_max_extended;
	int64		max_extended;
	bool		has_unpaid_limit;
	int64		unpaid_limit;
	char		plan[NAMEDATALEN];
	char		month_text[16];
	int64		reset_seconds;
	SpendCap	spend;			/* the organization's monthly spend cap (spend_cap.c) */
	List	   *deltas;			/* of UsageDelta, in TopTransactionContext */
} UsageEntry;

static HTAB *UsagePending = NULL;
static bool UsageCallbacksRegistered = false;

/* The UTC calendar month of a timestamptz, as its first day. */
static DateADT
MonthOf(TimestampTz at)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(at) || timestamp2tm(at, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for usage counting")));
	return date2j(tm.tm_year, tm.tm_mon, 1) - POSTGRES_EPOCH_JDATE;
}

/* The key of a workspace's counts in the month of "at" (zeroed: compared as bytes). */
static void
UsageKeyOf(Datum workspace_id, Datum at, UsageKey *key)
{
	memset(key, 0, sizeof(*key));
	memcpy(&key->workspace_id, DatumGetUUIDP(workspace_id), sizeof(pg_uuid_t));
	key->month = MonthOf(DatumGetTimestampTz(at));
}

static void
UsageForgetAll(void)
{
	HASH_SEQ_STATUS status;
	UsageEntry *entry;

	if (UsagePending == NULL)
		return;
	hash_seq_init(&status, UsagePending);
	while ((entry = hash_seq_search(&status)) != NULL)
		hash_search(UsagePending, &entry->key, HASH_REMOVE, NULL);
}

/*
 * Drop what a subtransaction (and its children, whose ids are larger) added:
 * its writes are being rolled back.
 */
static void
UsageForgetSince(SubTransactionId subxid)
{
	HASH_SEQ_STATUS status;
	UsageEntry *entry;

	if (UsagePending == NULL)
		return;
	hash_seq_init(&status, UsagePending);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		ListCell   *lc;

		if (entry->created >= subxid)
		{
			hash_search(UsagePending, &entry->key, HASH_REMOVE, NULL);
			continue;
		}
		foreach(lc, entry->deltas)
		{
			UsageDelta *d = lfirst(lc);

			if (d->subxid >= subxid)
			{
				entry->traces -= d->traces;
				entry->extended_traces -= d->extended_traces;
				entry->deltas = foreach_delete_current(entry->deltas, lc);
			}
		}
	}
}

static bool
UsageHasPendingDeltas(void)
{
	HASH_SEQ_STATUS status;
	UsageEntry *entry;

	if (UsagePending == NULL)
		return false;
	hash_seq_init(&status, UsagePending);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (entry->deltas != NIL)
		{
			hash_seq_term(&status);
			return true;
		}
	return false;
}

static void
UsageXactCallback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			/* only if lsbilling.usage_flush was disabled or dropped: refuse to lose counts */
			if (UsageHasPendingDeltas())
				ereport(ERROR,
						(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
						 errmsg("lsbilling usage counts were not written"),
						 errdetail("The statement-level trigger lsbilling.usage_flush() did not run."),
						 errhint("Do not disable lsbilling's triggers.")));
			break;
		default:
			/* commit, abort, prepare: the transaction's pending state ends with it */
			UsageForgetAll();
			break;
	}
}

static void
UsageSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		UsageForgetSince(mySubid);
}

static void
UsageInit(void)
{
	if (UsagePending == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(UsageKey);
		ctl.entrysize = sizeof(UsageEntry);
		UsagePending = hash_create("lsbilling usage counts", 16, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	if (!UsageCallbacksRegistered)
	{
		RegisterXactCallback(UsageXactCallback, NULL);
		RegisterSubXactCallback(UsageSubXactCallback, NULL);
		UsageCallbacksRegistered = true;
	}
}

static int64
GetInt64(int col, bool *isnull)
{
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

/* This backend's slot row of a month (see LSB_USAGE_SLOTS). */
static int16
UsageSlot(void)
{
	return (int16) (MyBackendId % LSB_USAGE_SLOTS);
}

/*
 * The first count of a statement: write this backend's slot and read totals
 * and limits.  folded: the caller's statement has already added "traces"
 * and "extended_traces" to the slot (UsageCounterCte), and they are the
 * slot's values as that upsert returned them; only the read is left.
 */
static void
UsageRead(UsageEntry *entry, int64 traces, int64 extended_traces, bool folded)
{
	Datum		args[6];
	bool		isnull;
	char	   *text;
	int			rc;

	args[0] = UUIDPGetDatum(&entry->key.workspace_id);
	args[1] = DateADTGetDatum(entry->key.month);
	args[2] = Int16GetDatum(UsageSlot());
	args[3] = Int64GetDatum(traces);
	args[4] = Int64GetDatum(extended_traces);
	args[5] = TimestampTzGetDatum(LsbNow());

	rc = folded ? UsageReadTotals(args) : UsageUpsertAndRead(args);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "lsbilling usage counter update failed: %s", SPI_result_code_string(rc));

	entry->traces = GetInt64(1, &isnull);
	entry->extended_traces = GetInt64(2, &isnull);
	entry->max_traces = GetInt64(3, &isnull);
	entry->has_max_traces = !isnull;
	entry->max_extended = GetInt64(4, &isnull);
	entry->has_max_extended = !isnull;
	entry->unpaid_limit = GetInt64(5, &isnull);
	entry->has_unpaid_limit = !isnull;
	text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6);
	strlcpy(entry->plan, text ? text : "", sizeof(entry->plan));
	text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7);
	strlcpy(entry->month_text, text ? text : "", sizeof(entry->month_text));
	entry->reset_seconds = GetInt64(8, &isnull);
	SpendCapRead(args[0], entry->key.month, &entry->spend);
	entry->created = GetCurrentSubTransactionId();
	entry->deltas = NIL;
}

/* The hint: when the month resets, or that it already has (a back-dated write). */
static int
ResetHint(const UsageEntry *entry)
{
	if (entry->reset_seconds > 0)
		return errhint("The limit resets at the start of the next calendar month (UTC), in %lld seconds.",
					   (long long) entry->reset_seconds);
	return errhint("The limit applies to %s (UTC), the month the write is billed in, which has ended.",
				   entry->month_text);
}

/* ERROR LS429 when the totals, counting this write's traces / upgrades, pass a limit. */
static void
UsageCheck(const UsageEntry *entry, int64 traces, int64 extended_traces,
		   int64 total_traces, int64 total_extended)
{
	char	   *ws = LsbUuidText(UUIDPGetDatum(&entry->key.workspace_id));

	if (traces > 0 && entry->has_max_traces && total_traces > entry->max_traces)
		ereport(ERROR,
				(errcode(ERRCODE_LSB_USAGE_LIMIT),
				 errmsg("monthly usage limit max_traces (%lld) reached", (long long) entry->max_traces),
				 errdetail("Workspace %s has %lld traces in %s (UTC); a new trace is refused.",
						   ws, (long long) (total_traces - traces), entry->month_text),
				 ResetHint(entry)));
	if (traces > 0 && entry->has_unpaid_limit && total_traces > entry->unpaid_limit)
		ereport(ERROR,
				(errcode(ERRCODE_LSB_USAGE_LIMIT),
				 errmsg("monthly trace limit of the %s plan without a payment method (%lld) reached",
						entry->plan, (long long) entry->unpaid_limit),
				 errdetail("Workspace %s has %lld traces in %s (UTC); a new trace is refused until a payment method is added.",
						   ws, (long long) (total_traces - traces), entry->month_text),
				 ResetHint(entry)));
	if (extended_traces > 0 && entry->has_max_extended && total_extended > entry->max_extended)
		ereport(ERROR,
				(errcode(ERRCODE_LSB_USAGE_LIMIT),
				 errmsg("monthly usage limit max_extended_traces (%lld) reached", (long long) entry->max_extended),
				 errdetail("Workspace %s has %lld extended traces in %s (UTC); the write would add %lld more, so it is refused and nothing is upgraded.",
						   ws, (long long) (total_extended - extended_traces), entry->month_text,
						   (long long) extended_traces),
				 ResetHint(entry)));
	SpendCapCheck(&entry->spend, entry->month_text, total_traces, total_extended,
				  traces, extended_traces);
}

/*
 * UsageRead into a new entry, removed again if the read fails (the error
 * aborts what it wrote).
 */
static void
UsageReadNewEntry(UsageEntry *entry, int64 traces, int64 extended_traces, bool folded)
{
	UsageKey	key = entry->key;

	PG_TRY();
	{
		UsageRead(entry, traces, extended_traces, folded);
	}
	PG_CATCH();
	{
		hash_search(UsagePending, &key, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
}

void
UsageAdd(Datum workspace_id, Datum at, int64 traces, int64 extended_traces)
{
	UsageKey	key;
	UsageEntry *entry;
	bool		found;
	UsageDelta *last;
	MemoryContext old;

	UsageInit();
	UsageKeyOf(workspace_id, at, &key);

	entry = hash_search(UsagePending, &key, HASH_ENTER, &found);
	if (!found)
	{
		UsageReadNewEntry(entry, traces, extended_traces, false);
		/* the row already holds this write; an error here rolls it back */
		UsageCheck(entry, traces, extended_traces, entry->traces, entry->extended_traces);
		return;
	}

	UsageCheck(entry, traces, extended_traces,
			   entry->traces + traces, entry->extended_traces + extended_traces);
	entry->traces += traces;
	entry->extended_traces += extended_traces;
	last = entry->deltas != NIL ? llast(entry->deltas) : NULL;
	if (last != NULL && last->subxid == GetCurrentSubTransactionId())
	{
		last->traces += traces;
		last->extended_traces += extended_traces;
		return;
	}
	old = MemoryContextSwitchTo(TopTransactionContext);
	last = palloc(sizeof(UsageDelta));
	last->subxid = GetCurrentSubTransactionId();
	last->traces = traces;
	last->extended_traces = extended_traces;
	entry->deltas = lappend(entry->deltas, last);
	MemoryContextSwitchTo(old);
}

/*
 * Folding the first count of a statement into the caller's statement (the
 * trace roll-up on one node): possible when nothing of the workspace's
 * month is counted in memory yet, i.e. when UsageAdd would write the table.
 * Then the caller's statement adds its created traces to this backend's
 * slot with UsageCounterCte (parameters: the workspace, *month and *slot),
 * and UsageAddFolded reads and checks them, as the same counts written by
 * UsageAdd one by one would be (the same totals, limits and refusals).
 */
bool
UsageCanFold(Datum workspace_id, Datum at, DateADT *month, int16 *slot)
{
	UsageKey	key;

	UsageInit();
	UsageKeyOf(workspace_id, at, &key);
	*month = key.month;
	*slot = UsageSlot();
	return hash_search(UsagePending, &key, HASH_FIND, NULL) == NULL;
}

/*
 * A CTE "cnt" adding the created traces of the CTE "up" (its columns created
 * and extended) to the slot row: the caller's parameters $16 workspace, $17
 * month, $18 slot and $19 whether to write it (false: nothing is written).
 * Returns the slot's counts.
 */
const char UsageCounterCte[] =
"cnt AS (INSERT INTO lsbilling.usage_counters AS c"
"  (workspace_id, month, slot, traces, extended_traces)"
" SELECT $16, $17, $18, pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE up.extended)"
" FROM up WHERE up.created AND $19 HAVING pg_catalog.count(*) > 0"
" ON CONFLICT (workspace_id, month, slot) DO UPDATE SET"
"  traces = c.traces + excluded.traces,"
"  extended_traces = c.extended_traces + excluded.extended_traces"
" RETURNING c.traces, c.extended_traces)";

/*
 * After UsageCounterCte added n traces (extended[i]: the i-th was created
 * extended) and left the slot at slot_traces / slot_extended: read the
 * month's totals and limits, then check the traces one by one, in order.
 */
void
UsageAddFolded(Datum workspace_id, Datum at, int n, const bool *extended,
			   int64 slot_traces, int64 slot_extended)
{
	UsageKey	key;
	UsageEntry *entry;
	bool		found;
	int64		traces;
	int64		extended_traces;
	int64		added_extended = 0;

	for (int i = 0; i < n; i++)
		added_extended += extended[i] ? 1 : 0;
	UsageInit();
	UsageKeyOf(workspace_id, at, &key);
	entry = hash_search(UsagePending, &key, HASH_ENTER, &found);
	if (found)
		elog(ERROR, "lsbilling usage count folded into a statement twice");
	UsageReadNewEntry(entry, slot_traces, slot_extended, true);

	/* the totals before the statement, then trace by trace as UsageAdd counts them */
	traces = entry->traces - n;
	extended_traces = entry->extended_traces - added_extended;
	for (int i = 0; i < n; i++)
	{
		traces += 1;
		extended_traces += extended[i] ? 1 : 0;
		UsageCheck(entry, 1, extended[i] ? 1 : 0, traces, extended_traces);
	}
}

/*
 * Write the pending deltas of this subtransaction and its children, and
 * forget the entries they started: the next statement reads afresh.  Deltas
 * of an enclosing subtransaction are left to its own statement's flush, so
 * that rolling back this one cannot lose them.
 */
static void
UsageFlush(void)
{
	SubTransactionId cur = GetCurrentSubTransactionId();
	HASH_SEQ_STATUS status;
	UsageEntry *entry;

	if (UsagePending == NULL || hash_get_num_entries(UsagePending) == 0)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (UsageFlushPlan == NULL)
	{
		Oid			argtypes[5] = {UUIDOID, DATEOID, INT2OID, INT8OID, INT8OID};

		UsageFlushPlan = LsbPrepareKept(UsageFlushSql, 5, argtypes, 0);
	}
	hash_seq_init(&status, UsagePending);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		int64		traces = 0;
		int64		extended_traces = 0;
		ListCell   *lc;

		foreach(lc, entry->deltas)
		{
			UsageDelta *d = lfirst(lc);

			if (d->subxid >= cur)
			{
				traces += d->traces;
				extended_traces += d->extended_traces;
				entry->deltas = foreach_delete_current(entry->deltas, lc);
			}
		}
		if (traces != 0 || extended_traces != 0)
		{
			Datum		args[5];
			int			rc;

			args[0] = UUIDPGetDatum(&entry->key.workspace_id);
			args[1] = DateADTGetDatum(entry->key.month);
			args[2] = Int16GetDatum(UsageSlot());
			args[3] = Int64GetDatum(traces);
			args[4] = Int64GetDatum(extended_traces);
			rc = SPI_execute_plan(UsageFlushPlan, args, NULL, false, 0);
			if (rc != SPI_OK_UPDATE || SPI_processed != 1)
				elog(ERROR, "lsbilling usage flush failed: %s", SPI_result_code_string(rc));
		}
		if (entry->deltas == NIL && entry->created >= cur)
			hash_search(UsagePending, &entry->key, HASH_REMOVE, NULL);
	}
	SPI_finish();
}

/*
 * AFTER INSERT FOR EACH STATEMENT on runs, feedback, annotation_queue_runs
 * and rule_matches: the statement's counts go to the table.
 */
PG_FUNCTION_INFO_V1(lsbilling_usage_flush);
Datum
lsbilling_usage_flush(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("usage_flush: must be fired after each statement")));
	UsageFlush();
	return PointerGetDatum(NULL);
}
