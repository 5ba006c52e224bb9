/*-------------------------------------------------------------------------
 *
 * clock.c
 *	  lsbilling's one clock.
 *
 * Everything time-dependent (the month an event is billed and counted in,
 * rate-limit windows, retention, invoices issued, the worker) asks LsbNow(),
 * never a time a client wrote in a row.  It is the transaction's start time,
 * or, for tests and demos only, the superuser-only setting
 * lsbilling.test_clock: a fixed instant, like Stripe's test clocks, that
 * moves only when it is set again.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "lsbilling.h"

static char *LsbTestClockText = NULL;
static bool LsbTestClockSet = false;
static TimestampTz LsbTestClockValue = 0;

/*
 * Parse without ereport: a check hook also runs while reading
 * postgresql.conf, where an ERROR would be out of place.  A value without a
 * zone is read in the session's TimeZone; tests should give an offset.
 */
static bool
check_test_clock(char **newval, void **extra, GucSource source)
{
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf;
	int			dtype;
	struct pg_tm tt,
			   *tm = &tt;
	fsec_t		fsec;
	int			tz;
	TimestampTz result;
	TimestampTz *parsed;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;

	if (ParseDateTime(*newval, workbuf, sizeof(workbuf), field, ftype,
					  MAXDATEFIELDS, &nf) != 0 ||
		DecodeDateTime(field, ftype, nf, &dtype, tm, &fsec, &tz) != 0 ||
		dtype != DTK_DATE ||
		tm2timestamp(tm, fsec, &tz, &result) != 0)
	{
		GUC_check_errdetail("lsbilling.test_clock must be a timestamp with time zone, or empty for the real clock.");
		return false;
	}

	parsed = (TimestampTz *) malloc(sizeof(TimestampTz));	/* freed by guc.c */
	if (parsed == NULL)
		return false;
	*parsed = result;
	*extra = parsed;
	return true;
}

static void
assign_test_clock(const char *newval, void *extra)
{
	if (extra == NULL)
	{
		LsbTestClockSet = false;
		LsbTestClockValue = 0;
	}
	else
	{
		LsbTestClockSet = true;
		LsbTestClockValue = *(TimestampTz *) extra;
	}
}

void
ClockInit(void)
{
	DefineCustomStringVariable("lsbilling.test_clock",
							   "Fixed time lsbilling uses instead of the real clock (tests and demos only).",
							   "Empty means the transaction's start time.  Read by billing, limits, "
							   "rate-limit windows, retention, invoices and the worker.",
							   &LsbTestClockText,
							   "",
							   PGC_SUSET,
							   GUC_NOT_IN_SAMPLE,
							   check_test_clock, assign_test_clock, NULL);
}

TimestampTz
LsbNow(void)
{
	if (LsbTestClockSet)
		return LsbTestClockValue;
	return GetCurrentTransactionStartTimestamp();
}

bool
LsbTestClockActive(void)
{
	return LsbTestClockSet;
}

PG_FUNCTION_INFO_V1(lsbilling_clock_now);
Datum
lsbilling_clock_now(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(LsbNow());
}
