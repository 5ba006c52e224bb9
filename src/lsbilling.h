/*-------------------------------------------------------------------------
 *
 * lsbilling.h
 *	  Declarations shared between lsbilling's source files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LSBILLING_H
#define LSBILLING_H

#include "postgres.h"

#include "access/htup.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "utils/rel.h"
#include "utils/uuid.h"

/* lsbilling.c: true when loaded through shared_preload_libraries */
extern bool LsbPreloaded;

/*
 * clock.c: the one clock of everything time-dependent: lsbilling.test_clock
 * when set (tests and demos only), else the transaction's start time.
 */
extern void ClockInit(void);
extern TimestampTz LsbNow(void);
extern bool LsbTestClockActive(void);

/*
 * One authenticated API request, as lsbilling.authenticate() sees it once the
 * key is verified (access), handed to lsb_request_hook before the tenant
 * context is set: the short-window rate limiter (rate limits) admits the
 * request or refuses it with an ERROR there.  NULL hook: nothing to check.
 */
typedef struct LsbRequestPrincipal
{
	pg_uuid_t	key_id;			/* the API key's id */
	const char *key_short;		/* short form, e.g. "lsv2_pt_…ab12": never the secret */
	pg_uuid_t	organization_id;
	pg_uuid_t	workspace_id;	/* the workspace the request acts in */
	const char *plan;			/* the organization's plan now: developer, plus, ... */
	bool		has_payment_method;
	const char *endpoint;		/* endpoint class: runs, feedback, delete_sessions, other */
} LsbRequestPrincipal;
typedef void (*LsbRequestHook) (const LsbRequestPrincipal *principal);
extern LsbRequestHook lsb_request_hook;

/* lsbilling.c: lsbilling.maintenance, set only by the extension's own maintenance functions */
extern bool LsbMaintenance;

/*
 * run_columns.c: attribute numbers of the runs columns the triggers read,
 * looked up by name once per relation (each partition may number its columns
 * differently, e.g. after ATTACH PARTITION of a table built separately).
 */
typedef struct RunColumns
{
	Oid			relid;
	AttrNumber	workspace_id;
	AttrNumber	id;
	AttrNumber	trace_id;
	AttrNumber	parent_run_id;
	AttrNumber	project_id;
	AttrNumber	name;
	AttrNumber	run_type;
	AttrNumber	start_time;
	AttrNumber	outputs;
	AttrNumber	extra;
	AttrNumber	ls_provider;
	AttrNumber	ls_model_name;
	AttrNumber	usage_metadata;
	AttrNumber	prompt_tokens;
	AttrNumber	completion_tokens;
	AttrNumber	total_tokens;
	AttrNumber	prompt_token_details;
	AttrNumber	completion_token_details;
	AttrNumber	prompt_cost;
	AttrNumber	completion_cost;
	AttrNumber	total_cost;
	AttrNumber	prompt_cost_details;
	AttrNumber	completion_cost_details;
	AttrNumber	price_id;
	AttrNumber	cost_error;
	AttrNumber	inputs;
	AttrNumber	usage_source;	/* 0.2.0; InvalidAttrNumber before the update */
	AttrNumber	retained;		/* 0.2.0; InvalidAttrNumber before the update */
	bool		default_partition;	/* rel is runs' default partition */
} RunColumns;

extern const RunColumns *RunColumnsFor(Relation rel);

/* run_ids.c: a run id is stored once per workspace (retried creates) */
extern Oid	RunIdsRelid(void);
extern bool RunIdClaim(Relation leaf, const RunColumns *cols, TupleDesc desc, HeapTuple tup);
extern bool RunIdStartTime(Datum ws, Datum id, Datum *start_time);
struct Tuplestorestate;
extern void RunIdsReleaseDeleted(struct Tuplestorestate *deleted, Relation rel);

/* kept_runs.c: the runs of extended traces live in the kept half of their day */
extern bool KeptRunsLayout(void);
extern void KeptRunsCheckWrite(const RunColumns *cols, TupleDesc desc, HeapTuple newtup, HeapTuple oldtup);

/* purge_watermark.c: traces with expires_at at or before it are purged */
extern TimestampTz PurgeWatermarkRead(void);

/* spi_util.c: shared by the triggers that use SPI */
extern SPIPlanPtr LsbPrepareKept(const char *sql, int nargs, Oid *argtypes, int cursor_options);
extern void LsbColumnArrays(int ncols, const Oid *elemtypes, Datum **values, bool **nulls, int n,
							Datum *arrays);
extern bool LsbCitusActive(void);	/* scale_out.c */
extern int	LsbColumnOf(Relation rel, const char *name);
extern char *LsbUuidText(Datum uuid);

/* jsonb_util.c: small read helpers over jsonb containers */
struct JsonbContainer;
extern struct JsonbValue *JsonbObjectGet(struct JsonbContainer *container, const char *key,
										 struct JsonbValue *result);
extern char *JsonbObjectGetText(struct JsonbContainer *container, const char *key);
extern struct JsonbContainer *JsonbObjectGetObject(struct JsonbContainer *container,
												   const char *key);

/* trace_rollup.c: keeps a trace row and its totals equal to the sum over its runs */
struct TriggerData;
extern void TraceRollupInsertStatement(struct TriggerData *trigdata);
extern bool RunTotalsUnchanged(const RunColumns *cols, HeapTuple oldtup, HeapTuple newtup,
							   TupleDesc desc);
extern void TraceRollupUpdate(const RunColumns *cols, HeapTuple oldtup, HeapTuple newtup,
							  TupleDesc desc);
extern void TraceRollupDelete(const RunColumns *cols, HeapTuple oldtup, TupleDesc desc);

#endif							/* LSBILLING_H */
