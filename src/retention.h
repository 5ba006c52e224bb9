/*-------------------------------------------------------------------------
 *
 * retention.h
 *	  The purge of expired traces: day partitions of runs (partitions.c), the
 *	  steps of a purge pass (purge.c) and the background worker (worker.c).
 *
 * Every step runs in the caller's transaction with SPI connected; the
 * worker gives each step a transaction of its own, purge_expired() runs
 * them all in one.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LSBILLING_RETENTION_H
#define LSBILLING_RETENTION_H

#include "postgres.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/date.h"
#include "utils/relcache.h"

/* What a pass (or a step of it) did. */
typedef struct PurgeCounts
{
	int64		traces_purged;
	int64		runs_deleted;
	int64		feedback_deleted;
	int64		queue_items_deleted;
	int64		rule_matches_deleted;
	int32		partitions_dropped;
	int32		partitions_created;
	int64		runs_moved;
	TimestampTz purged_through; /* the watermark a pass left (0: none) */
} PurgeCounts;

/* A partition of runs covering start_time in [lo, hi). */
typedef struct RunPartition
{
	char	   *name;
	TimestampTz lo;
	TimestampTz hi;
} RunPartition;

/*
 * SQL: the moment the shortest base retention of any workspace before
 * moment (a parameter); a day that ended by then may hold expired traces.
 */
#define SHORTEST_BASE_RETENTION_BEFORE(moment) \
	moment " - pg_catalog.make_interval(days => (SELECT" \
	" coalesce(pg_catalog.min(base_retention_days), 14) FROM lsbilling.workspaces))"

/* How many days of partitions the purge keeps ready, today included. */
#define RUN_PARTITIONS_AHEAD 8

/* worker.c: settings */
extern char *LsbDatabase;
extern int	LsbPurgeInterval;
extern int	LsbPurgeBatchSize;
extern int	LsbPurgeLockTimeout;
extern void RetentionInit(void);

/* partitions.c */
extern int	RunPartitionsEnsure(DateADT from_day, int days);
extern void RunPartitionDrop(const RunPartition *part);
extern void RunPartitionPurgedTraces(const RunPartition *part, Datum *ws, Datum *ids);
extern int64 RunPartitionReplacePurged(const RunPartition *part, Datum gone_ws, Datum gone_ids);
extern char *RunsColumnList(void);
extern char *RunPartitionHalfName(const char *day_name, bool kept);
extern bool RunPartitionHasRows(const char *name);
extern void RunPartitionFromRow(HeapTuple row, TupleDesc desc, RunPartition *part);
extern void RunPartitionTruncateBase(const RunPartition *part);
extern char *RunPartitionBoundLiteral(TimestampTz ts);
extern Oid	RunsDefaultPartition(void);
extern DateADT RunPartitionDay(TimestampTz ts);
extern void RunDayHalfName(char *name, DateADT day, bool kept);

/* default_bound.c: runs_default holds only runs dated before a bound */
extern bool DefaultBoundRead(TimestampTz *bound);
extern bool DefaultBoundStep(void);
extern void DefaultBoundSettle(void);
extern void DefaultBoundCheckRun(const struct RunColumns *cols, TimestampTz start);

/* purge_watermark.c: the purge on one node with split days */
extern bool PurgeWatermarkMode(void);
extern TimestampTz PurgeMarkWatermark(TimestampTz as_of, PurgeCounts *counts);
extern bool PurgeDropNextDay(TimestampTz w, TimestampTz *after, bool wait, PurgeCounts *counts);
extern void PurgeDropEmptyDays(TimestampTz w, bool wait, PurgeCounts *counts);

/* purge.c: the steps of a pass, in order */
extern int	PurgeBeginStep(bool force_lock_timeout);
extern void PurgeEndStep(int level);
extern int	PurgeEnsurePartitions(TimestampTz as_of, PurgeCounts *counts);
extern void PurgeLockForMarking(void);
extern void PurgeLockForSwap(void);
extern bool PurgeNextPartition(TimestampTz as_of, TimestampTz *after, PurgeCounts *counts);
extern void PurgeSwapPending(PurgeCounts *counts);
extern int64 PurgeDeleteBatch(TimestampTz as_of, int batch_size, PurgeCounts *counts);
extern void PurgeCountsAdd(PurgeCounts *sum, const PurgeCounts *step);

#endif							/* LSBILLING_RETENTION_H */
