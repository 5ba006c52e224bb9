/*-------------------------------------------------------------------------
 *
 * default_bound.c
 *	  runs_default_bound: a CHECK constraint that keeps runs_default to runs
 *	  dated before the days lsbilling makes, so that attaching a new day
 *	  neither scans runs_default nor moves rows out of it.
 *
 * ATTACH PARTITION locks the default partition ACCESS EXCLUSIVE and scans it
 * for rows the new partition would own, unless a validated CHECK constraint
 * of the default proves there are none.  The bound is start_time < X, X the
 * end of the newest day when the bound was set (of the days that follow one
 * another from now on, DaysAheadEnd): a day made later ahead of the clock
 * starts at or after X, so PostgreSQL skips the scan, and lsbilling skips
 * moving rows out of runs_default for it (there are none).  A day made
 * below X (in the past, or filling a gap) is made as before: its rows are
 * moved out of runs_default and ATTACH scans it.  The lock is then held
 * only for the catalog change.
 *
 * What a client can still put in runs_default: runs dated before X that have
 * no day (older than the oldest day, or in a day already dropped).  Their
 * traces expire from the earlier of their start and the clock, so they go
 * at a pass within their retention from now.  A run dated at or after X
 * with no day of its own (more than RUN_PARTITIONS_AHEAD days ahead of the
 * clock) is refused with 23514 (DefaultBoundCheckRun), where 0.1.0 let it
 * fill runs_default.
 *
 * The bound moves forward once it is a week behind the newest day, so that a
 * day dropped below it (an empty day past retention) sends late runs to
 * runs_default rather than refusing them.  Moving it is three catalog steps,
 * so that the worker never scans runs_default under a lock writers wait for:
 *	1. ADD CONSTRAINT runs_default_bound_next ... NOT VALID (brief ACCESS
 *	   EXCLUSIVE, no scan; new rows are checked against it at once);
 *	2. VALIDATE CONSTRAINT (scans runs_default under SHARE UPDATE EXCLUSIVE,
 *	   which inserts do not wait for);
 *	3. DROP CONSTRAINT runs_default_bound, RENAME runs_default_bound_next to
 *	   runs_default_bound (brief ACCESS EXCLUSIVE, no scan).
 * DefaultBoundStep does the next step the catalog shows is due, so a pass
 * killed between two steps is continued by the next.  The worker runs each
 * step in a transaction of its own; create_run_partitions() and
 * purge_expired(), a single transaction, run them all in theirs (the scan
 * of step 2 then happens under step 1's lock).
 *
 * One server with the 0.2.0 schema only (KeptRunsLayout): not on Citus, and
 * not on a 0.1.0 schema served by this library, whose catalog the upgrade
 * test compares with a fresh install.
 *
 * No bound is set while runs_default holds a run dated past it (written
 * before any bound existed: a new install, an upgrade, a restore, since
 * pg_dump does not dump an extension member's constraints): VALIDATE would
 * fail.  Nor, without a pass for a week, do the days made reach the clock;
 * runs dated now are then refused until the worker's next pass (a worker
 * that starts with the days that far behind makes them at once) or
 * create_run_partitions().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_type.h"
#include "commands/tablecmds.h"
#include "executor/spi.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "lsbilling.h"
#include "retention.h"

#define BOUND_NAME "runs_default_bound"
#define NEXT_BOUND_NAME "runs_default_bound_next"

/* How far behind the newest day the bound may fall before it is moved. */
#define BOUND_MAX_LAG (7 * USECS_PER_DAY)

/*
 * The constraint conname of rel: whether it exists, whether it is
 * validated, and X of its start_time < X.  Read from conbin, the stored
 * expression, not its text: the text of a timestamptz follows the session's
 * DateStyle and TimeZone.
 */
static bool
BoundRead(Oid rel, const char *conname, bool *validated, TimestampTz *bound)
{
	Oid			conoid = get_relation_constraint_oid(rel, conname, true);
	HeapTuple	tup;
	Datum		bin;
	bool		isnull;
	Node	   *expr;
	bool		found = false;

	if (!OidIsValid(conoid))
		return false;
	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	if (!HeapTupleIsValid(tup))
		return false;
	*validated = ((Form_pg_constraint) GETSTRUCT(tup))->convalidated;
	bin = SysCacheGetAttr(CONSTROID, tup, Anum_pg_constraint_conbin, &isnull);
	if (!isnull)
	{
		expr = stringToNode(TextDatumGetCString(bin));
		if (IsA(expr, OpExpr) && list_length(((OpExpr *) expr)->args) == 2)
		{
			Node	   *arg = lsecond(((OpExpr *) expr)->args);

			if (IsA(arg, Const) && ((Const *) arg)->consttype == TIMESTAMPTZOID &&
				!((Const *) arg)->constisnull)
			{
				*bound = DatumGetTimestampTz(((Const *) arg)->constvalue);
				found = true;
			}
		}
	}
	ReleaseSysCache(tup);
	return found;
}

/*
 * The bound runs_default is held to: the lower X of its validated bounds
 * (a new row must pass both while two exist), or false when it has none.
 */
bool
DefaultBoundRead(TimestampTz *bound)
{
	Oid			rel = RunsDefaultPartition();
	bool		validated;
	TimestampTz x;
	bool		found = false;

	if (!OidIsValid(rel) || !KeptRunsLayout())
		return false;
	if (BoundRead(rel, BOUND_NAME, &validated, &x) && validated)
	{
		*bound = x;
		found = true;
	}
	if (BoundRead(rel, NEXT_BOUND_NAME, &validated, &x) && validated && (!found || x < *bound))
	{
		*bound = x;
		found = true;
	}
	return found;
}

/* ALTER TABLE runs_default (rel) with action */
static void
BoundAlter(Oid rel, const char *action)
{
	char	   *sql = psprintf("ALTER TABLE lsbilling.%s %s", quote_identifier(get_rel_name(rel)), action);

	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "lsbilling: cannot change the bound of runs_default: %s", sql);
}

/*
 * Where the days made from now on end: the end of the first day after now
 * that the next day does not follow (the newest day, unless days were made
 * ahead with a gap).  A run dated in a gap above the bound would be refused.
 * False when no day ends after now.
 */
static bool
DaysAheadEnd(TimestampTz *end)
{
	bool		isnull;
	Datum		d;

	/* not read-only: the days this transaction just made must be seen */
	if (SPI_execute("SELECT pg_catalog.min(p.hi) FROM lsbilling.run_partitions p"
					" WHERE NOT p.is_default AND p.hi > pg_catalog.now()"
					" AND NOT EXISTS (SELECT FROM lsbilling.run_partitions q"
					"  WHERE NOT q.is_default AND q.lo = p.hi)",
					false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "cannot list the partitions of lsbilling.runs");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return false;
	*end = DatumGetTimestampTz(d);
	return !TIMESTAMP_NOT_FINITE(*end);
}

/*
 * Whether runs_default holds a run dated at or after bound (not read-only:
 * rows this transaction moved out must be gone).
 */
static bool
HoldsRunsFrom(Oid rel, TimestampTz bound)
{
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		args[1] = {TimestampTzGetDatum(bound)};

	if (SPI_execute_with_args(psprintf("SELECT FROM lsbilling.%s WHERE start_time >= $1 LIMIT 1",
									   quote_identifier(get_rel_name(rel))),
							  1, argtypes, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot read the default partition of lsbilling.runs");
	return SPI_processed > 0;
}

/*
 * Do the next step of setting or moving the bound; true when another step
 * is due.  The caller is connected to SPI, in a purge step (PurgeBeginStep:
 * one purge at a time, the purge's lock_timeout).
 */
bool
DefaultBoundStep(void)
{
	Oid			rel;
	bool		validated;
	TimestampTz current;
	TimestampTz next;
	TimestampTz newest;
	bool		has_current;

	rel = RunsDefaultPartition();
	if (!OidIsValid(rel))
		return false;
	if (!KeptRunsLayout())
	{
		/*
		 * Distributed by Citus after the bound was set on one server: nothing
		 * would move it, and runs would be refused once the clock passed it.
		 */
		if (LsbCitusActive() && OidIsValid(get_relation_constraint_oid(rel, BOUND_NAME, true)))
			BoundAlter(rel, "DROP CONSTRAINT " BOUND_NAME);
		if (LsbCitusActive() && OidIsValid(get_relation_constraint_oid(rel, NEXT_BOUND_NAME, true)))
			BoundAlter(rel, "DROP CONSTRAINT " NEXT_BOUND_NAME);
		return false;
	}

	if (BoundRead(rel, NEXT_BOUND_NAME, &validated, &next))
	{
		if (!validated && HoldsRunsFrom(rel, next))
		{
			/*
			 * runs_default took a run dated past the bound before the bound
			 * was added (no bound yet: a new install, an upgrade, a
			 * restore): VALIDATE would fail on every pass.  No bound until
			 * that run has moved into its day or gone with its trace.
			 */
			BoundAlter(rel, "DROP CONSTRAINT " NEXT_BOUND_NAME);
			return false;
		}
		if (!validated)
		{
			BoundAlter(rel, "VALIDATE CONSTRAINT " NEXT_BOUND_NAME);
			return true;
		}
		if (OidIsValid(get_relation_constraint_oid(rel, BOUND_NAME, true)))
			BoundAlter(rel, "DROP CONSTRAINT " BOUND_NAME);
		BoundAlter(rel, "RENAME CONSTRAINT " NEXT_BOUND_NAME " TO " BOUND_NAME);
		return false;
	}

	if (!DaysAheadEnd(&newest))
		return false;
	has_current = BoundRead(rel, BOUND_NAME, &validated, &current);
	if (has_current && validated && current >= newest - BOUND_MAX_LAG)
		return false;
	if (HoldsRunsFrom(rel, newest))
		return false;			/* as above: a bound it would fail */
	BoundAlter(rel, psprintf("ADD CONSTRAINT " NEXT_BOUND_NAME " CHECK (start_time < %s) NOT VALID",
							 RunPartitionBoundLiteral(newest)));
	return true;
}

/* Every step at once, for the callers that are a single transaction. */
void
DefaultBoundSettle(void)
{
	while (DefaultBoundStep())
		;
}

/*
 * Refuse, with a reason, a run that would land in runs_default past its
 * bound (the constraint would refuse it too, with 23514 but no hint).
 * cols: those of the partition the row was routed to.
 */
void
DefaultBoundCheckRun(const RunColumns *cols, TimestampTz start)
{
	TimestampTz bound;

	if (!cols->default_partition)
		return;
	if (!DefaultBoundRead(&bound) || start < bound)
		return;
	/* the days made end before the clock: no pass for a week (a server down, an old backup restored) */
	if (bound <= GetCurrentTimestamp() + USECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("lsbilling.runs has no day partition for start_time %s",
						timestamptz_to_str(start)),
				 errdetail("The day partitions made ahead end at %s, behind the server's clock.",
						   timestamptz_to_str(bound)),
				 errhint("The purge worker makes them when it starts and at every pass; without it, run lsbilling.create_run_partitions().")));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("run start_time %s is past the day partitions of lsbilling.runs",
					timestamptz_to_str(start)),
			 errdetail("lsbilling.runs_default holds only runs dated before %s.",
					   timestamptz_to_str(bound)),
			 errhint("Check the client's clock: lsbilling makes day partitions up to %d days ahead.",
					 RUN_PARTITIONS_AHEAD - 1)));
}
