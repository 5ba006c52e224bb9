/*-------------------------------------------------------------------------
 *
 * tiers.h
 *	  Trace tiers, the billing ledger and monthly usage limits: what the
 *	  write path of other files calls.
 *
 * All functions here expect the caller to be connected to SPI.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LSBILLING_TIERS_H
#define LSBILLING_TIERS_H

#include "postgres.h"

#include "utils/date.h"

/* A monthly usage limit refused the write (contract; HTTP's 429). */
#define ERRCODE_LSB_USAGE_LIMIT		MAKE_SQLSTATE('L','S','4','2','9')
/* The write names a trace whose data has been purged (HTTP's 410 Gone). */
#define ERRCODE_LSB_TRACE_PURGED	MAKE_SQLSTATE('L','S','4','1','0')

/* billing_ledger.c: a new trace's base_trace (and extended_upgrade) events, and its count */
extern void LedgerTraceCreated(Datum workspace_id, Datum trace_id, Datum project_id);
/* the same events as a CTE of the trace upsert, for the traces it created (not on Citus) */
extern const char LedgerCreatedTracesCte[];

/* usage_limits.c: count traces / extended traces in the month of "at"; ERROR LS429 over a limit */
extern void UsageAdd(Datum workspace_id, Datum at, int64 traces, int64 extended_traces);
/* the same, with the counter upsert folded into the caller's statement (not on Citus) */
extern bool UsageCanFold(Datum workspace_id, Datum at, DateADT *month, int16 *slot);
extern const char UsageCounterCte[];
extern void UsageAddFolded(Datum workspace_id, Datum at, int n, const bool *extended,
						   int64 slot_traces, int64 slot_extended);

/*
 * spend_cap.c: an organization's monthly spend cap (lsbilling.spend_caps),
 * read with a statement's first count and checked in memory after it.
 */
typedef struct SpendCap
{
	bool		has_cap;
	Datum		cap;			/* numeric dollars, in TopTransactionContext */
	Datum		base_price;		/* numeric */
	Datum		upgrade_price;	/* numeric */
	int64		free_traces;
	int64		other_traces;	/* the month's counts of the organization's other workspaces */
	int64		other_extended;
	char		plan[NAMEDATALEN];
	char		organization[40];
} SpendCap;
extern void SpendCapRead(Datum workspace_id, int32 month, SpendCap *cap);
extern void SpendCapCheck(const SpendCap *cap, const char *month_text, int64 ws_traces,
						  int64 ws_extended, int64 traces, int64 extended_traces);

/*
 * tier_upgrade.c: false when the trace does not exist; ERROR LS410 when it
 * exists but its data has been purged.
 */
extern bool TraceCheckNotPurged(Datum workspace_id, Datum trace_id);

#endif							/* LSBILLING_TIERS_H */
