/*-------------------------------------------------------------------------
 *
 * rate_limit.c
 *	  Short-window rate limits kept in shared memory.
 *
 * A counter row per request would cost more than the request, so the
 * counters live in a shared hash table, as pg_stat_statements keeps its
 * entries: requested in shmem_request_hook, made in shmem_startup_hook,
 * sized by a PGC_POSTMASTER setting.  The table is partitioned by hash code
 * into RL_PARTITIONS parts, each with its own LWLock (a named tranche): a
 * lookup takes its partition's lock shared, only an insert takes it
 * exclusive.  An entry's counters are changed under the entry's spinlock,
 * so that a check and its addition are one step ("count under the lock").
 *
 * Each partition holds at most max_entries / RL_PARTITIONS entries, linked
 * in a list of its own; when a partition is full, an insert evicts an entry
 * whose window has ended, else the least recently used one.  If the hash
 * table itself cannot give an element, the request is admitted (fails open)
 * and the failure is counted: a full table never fails the user's write.
 *
 * Windows are fixed and aligned: a minute, or a UTC hour, of the one clock
 * LsbNow().  Nothing survives a restart; each server counts its own.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/htup_details.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/ilist.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "lsbilling.h"
#include "rate_limit.h"

#define RL_PARTITIONS 16		/* a power of 2 (dynahash's partitioned tables) */
#define RL_TRANCHE "lsbilling rate limits"

typedef struct RateKey
{
	uint64		h1;				/* two hashes of the subject: never the subject itself */
	uint64		h2;
	uint8		kind;
	uint8		endpoint;
} RateKey;

typedef struct RateEntry
{
	RateKey		key;			/* hash key: must be first */
	dlist_node	node;			/* in its partition's list */
	slock_t		mutex;			/* protects everything below */
	char		short_form[RL_SHORT_LEN];
	TimestampTz window_start;
	int64		window_len;
	TimestampTz last_used;		/* real time, for LRU */
	int64		used[2];
	int64		limit[2];		/* as of the last check, for the view */
	int64		refused;		/* refused requests in this window */
} RateEntry;

typedef struct RatePartition
{
	int			nentries;		/* protected by the partition's lock */
	dlist_head	entries;
} RatePartition;

typedef struct RateShared
{
	LWLockPadded *locks;
	int			max_per_partition;
	pg_atomic_uint64 evicted_ended;
	pg_atomic_uint64 evicted_live;
	pg_atomic_uint64 fail_open;
	TimestampTz reset_at;
	RatePartition partitions[RL_PARTITIONS];
} RateShared;

bool		LsbRateLimitsEnabled = true;
int			LsbRateLimitPerMinute[RL_NUM_ENDPOINTS] = {5000, 5000, 30, 2000};
static int	RateMaxEntries = 10000;
static int	RateEventsPerHour[4] = {50000, 250000, 500000, 0};
static int	RateKBytesPerHour[4] = {500 * 1024, 2560 * 1024, 5120 * 1024, 0};

static RateShared *Rate = NULL;
static HTAB *RateHash = NULL;
static bool RateWarned = false;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static const char *const EndpointNames[RL_NUM_ENDPOINTS] = {
	"runs", "feedback", "delete_sessions", "other"
};

static int
RatePerPartition(void)
{
	return (RateMaxEntries + RL_PARTITIONS - 1) / RL_PARTITIONS;
}

static Size
RateShmemSize(void)
{
	return add_size(MAXALIGN(sizeof(RateShared)),
					hash_estimate_size((long) RatePerPartition() * RL_PARTITIONS,
									   sizeof(RateEntry)));
}

static void
rate_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(RateShmemSize());
	RequestNamedLWLockTranche(RL_TRANCHE, RL_PARTITIONS);
}

static void
rate_shmem_startup(void)
{
	bool		found;
	HASHCTL		info;
	long		nelem = (long) RatePerPartition() * RL_PARTITIONS;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	Rate = ShmemInitStruct("lsbilling rate limits", sizeof(RateShared), &found);
	if (!found)
	{
		int			i;

		Rate->locks = GetNamedLWLockTranche(RL_TRANCHE);
		Rate->max_per_partition = RatePerPartition();
		pg_atomic_init_u64(&Rate->evicted_ended, 0);
		pg_atomic_init_u64(&Rate->evicted_live, 0);
		pg_atomic_init_u64(&Rate->fail_open, 0);
		Rate->reset_at = GetCurrentTimestamp();
		for (i = 0; i < RL_PARTITIONS; i++)
		{
			Rate->partitions[i].nentries = 0;
			dlist_init(&Rate->partitions[i].entries);
		}
	}
	memset(&info, 0, sizeof(info));
	info.keysize = sizeof(RateKey);
	info.entrysize = sizeof(RateEntry);
	info.num_partitions = RL_PARTITIONS;
	RateHash = ShmemInitHash("lsbilling rate limit hash", nelem, nelem, &info,
							 HASH_ELEM | HASH_BLOBS | HASH_PARTITION);
	LWLockRelease(AddinShmemInitLock);
}

static void
DefineLimit(const char *name, const char *desc, int *var, int boot, int flags)
{
	DefineCustomIntVariable(name, desc,
							"0 means no limit.",
							var, boot, 0, INT_MAX, PGC_SUSET, flags,
							NULL, NULL, NULL);
}

/* Settings always; shared memory only when preloaded. */
void
RateLimitInit(void)
{
	DefineCustomBoolVariable("lsbilling.rate_limits",
							 "Enforces the short-window rate limits (per minute, per hour).",
							 "Off: nothing is checked or counted; the monthly limits still apply.",
							 &LsbRateLimitsEnabled, true, PGC_SUSET, 0,
							 NULL, NULL, NULL);
	DefineLimit("lsbilling.rate_limit_runs_per_minute",
				"Requests per API key per minute to the runs endpoints (POST / PATCH runs).",
				&LsbRateLimitPerMinute[RL_ENDPOINT_RUNS], 5000, 0);
	DefineLimit("lsbilling.rate_limit_feedback_per_minute",
				"Requests per API key per minute to create feedback.",
				&LsbRateLimitPerMinute[RL_ENDPOINT_FEEDBACK], 5000, 0);
	DefineLimit("lsbilling.rate_limit_delete_sessions_per_minute",
				"Requests per API key per minute to delete projects (DELETE sessions).",
				&LsbRateLimitPerMinute[RL_ENDPOINT_DELETE_SESSIONS], 30, 0);
	DefineLimit("lsbilling.rate_limit_other_per_minute",
				"Requests per API key per minute to any other endpoint.",
				&LsbRateLimitPerMinute[RL_ENDPOINT_OTHER], 2000, 0);
	DefineLimit("lsbilling.rate_limit_events_per_hour_developer",
				"Ingested events per UTC hour of a developer-plan organization without a payment method.",
				&RateEventsPerHour[0], 50000, 0);
	DefineLimit("lsbilling.rate_limit_events_per_hour_developer_paid",
				"Ingested events per UTC hour of a developer-plan organization with a payment method.",
				&RateEventsPerHour[1], 250000, 0);
	DefineLimit("lsbilling.rate_limit_events_per_hour_plus",
				"Ingested events per UTC hour of a plus or startup organization.",
				&RateEventsPerHour[2], 500000, 0);
	DefineLimit("lsbilling.rate_limit_events_per_hour_enterprise",
				"Ingested events per UTC hour of an enterprise organization.",
				&RateEventsPerHour[3], 0, 0);
	DefineLimit("lsbilling.rate_limit_bytes_per_hour_developer",
				"Ingested bytes per UTC hour of a developer-plan organization without a payment method.",
				&RateKBytesPerHour[0], 500 * 1024, GUC_UNIT_KB);
	DefineLimit("lsbilling.rate_limit_bytes_per_hour_developer_paid",
				"Ingested bytes per UTC hour of a developer-plan organization with a payment method.",
				&RateKBytesPerHour[1], 2560 * 1024, GUC_UNIT_KB);
	DefineLimit("lsbilling.rate_limit_bytes_per_hour_plus",
				"Ingested bytes per UTC hour of a plus or startup organization.",
				&RateKBytesPerHour[2], 5120 * 1024, GUC_UNIT_KB);
	DefineLimit("lsbilling.rate_limit_bytes_per_hour_enterprise",
				"Ingested bytes per UTC hour of an enterprise organization.",
				&RateKBytesPerHour[3], 0, GUC_UNIT_KB);

	/* a PGC_POSTMASTER setting can only be made while preloading */
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("lsbilling.rate_limit_max_entries",
							"Counters the shared rate-limit table holds (subjects x endpoint classes, and organizations).",
							"Rounded up to a multiple of 16; when full, ended windows are evicted first, then the least recently used.",
							&RateMaxEntries, 10000, RL_PARTITIONS, INT_MAX / 2, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = rate_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = rate_shmem_startup;
}

/*
 * Whether requests are checked.  Without shared_preload_libraries they
 * cannot be: admitted, with one WARNING per backend when warn is set.
 */
bool
RateLimitActive(bool warn)
{
	if (!LsbRateLimitsEnabled)
		return false;
	if (Rate != NULL && RateHash != NULL)
		return true;
	if (warn && !RateWarned)
	{
		RateWarned = true;
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("lsbilling rate limits are not enforced: lsbilling is not in shared_preload_libraries"),
				 errdetail("Requests are admitted and not counted; the monthly usage limits still apply."),
				 errhint("Add lsbilling to shared_preload_libraries in postgresql.conf and restart the server.")));
	}
	return false;
}

/* The view, the status and the reset need the table: ERROR without it. */
void
RateLimitRequireShmem(void)
{
	if (Rate == NULL || RateHash == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("lsbilling rate limits need lsbilling in shared_preload_libraries"),
				 errdetail("The rate-limit counters live in shared memory, which is set up only when the library is preloaded."),
				 errhint("Add lsbilling to shared_preload_libraries in postgresql.conf and restart the server.")));
}

/* runs, feedback, delete_sessions; anything else is "other". */
RateEndpoint
RateEndpointFromName(const char *name)
{
	int			i;

	for (i = 0; i < RL_ENDPOINT_OTHER; i++)
		if (pg_strcasecmp(name, EndpointNames[i]) == 0)
			return (RateEndpoint) i;
	return RL_ENDPOINT_OTHER;
}

const char *
RateEndpointName(RateEndpoint endpoint)
{
	return EndpointNames[endpoint];
}

/*
 * What messages and the view show of a subject: short ones whole, else the
 * key's prefix ("lsv2_pt_") or first 8 characters, an ellipsis and the last
 * 4 characters.  Never the whole secret.
 */
void
RateShortForm(const char *subject, char *out)
{
	int			len = strlen(subject);
	int			nchars = pg_mbstrlen_with_len(subject, len);
	int			head;
	int			tail;
	int			i;
	const char *p;

	if (nchars <= 12)
	{
		strlcpy(out, subject, RL_SHORT_LEN);
		return;
	}
	if (strncmp(subject, "lsv2_", 5) == 0 && len > 8 && subject[7] == '_')
		head = 8;
	else
		head = pg_mbcliplen(subject, len, 8);
	/* byte offset of the 4th character from the end */
	p = subject;
	for (i = 0; i < nchars - 4; i++)
		p += pg_mblen(p);
	tail = subject + len - p;
	snprintf(out, RL_SHORT_LEN, "%.*s\xE2\x80\xA6%.*s", head, subject, tail, p);
}

static void
RateMakeKey(RateKey *key, RateKind kind, RateEndpoint endpoint, const char *subject)
{
	int			len = strlen(subject);

	memset(key, 0, sizeof(RateKey));
	key->h1 = hash_bytes_extended((const unsigned char *) subject, len, UINT64CONST(0x6c73626c72310001));
	key->h2 = hash_bytes_extended((const unsigned char *) subject, len, UINT64CONST(0x6c73626c72320002));
	key->kind = (uint8) kind;
	key->endpoint = (uint8) endpoint;
}

static int64
RateWindowLen(RateKind kind)
{
	return kind == RL_KIND_REQUESTS ? USECS_PER_MINUTE : USECS_PER_HOUR;
}

/* Fixed windows aligned on the minute / the UTC hour (PostgreSQL's epoch is both). */
static TimestampTz
RateWindowStart(TimestampTz now, int64 len)
{
	int64		rem = now % len;

	if (rem < 0)
		rem += len;
	return now - rem;
}

/* Whole seconds until end, rounded up, at least 1. */
int
RateSecondsUntil(TimestampTz end, TimestampTz now)
{
	int64		usecs = end - now;
	int64		secs = (usecs + USECS_PER_SEC - 1) / USECS_PER_SEC;

	return secs < 1 ? 1 : (int) Min(secs, INT_MAX);
}

/* Start a new window if the entry's has ended (or the clock went back); entry spinlock held. */
static void
RateRoll(RateEntry *entry, TimestampTz window_start)
{
	if (entry->window_start != window_start)
	{
		entry->window_start = window_start;
		entry->used[0] = entry->used[1] = 0;
		entry->refused = 0;
	}
}

/*
 * A new entry in a partition we hold exclusively: make room first if the
 * partition is full.  NULL when the hash table has no element to give.
 */
static RateEntry *
RateInsert(int part, const RateKey *key, uint32 hashcode, const char *subject,
		   const char *short_form, TimestampTz now, int64 window_len)
{
	RatePartition *p = &Rate->partitions[part];
	RateEntry  *entry;
	bool		found;

	if (p->nentries >= Rate->max_per_partition)
	{
		RateEntry  *victim = NULL;
		RateEntry  *lru = NULL;
		dlist_iter	iter;

		dlist_foreach(iter, &p->entries)
		{
			RateEntry  *e = dlist_container(RateEntry, node, iter.cur);

			if (RateWindowStart(now, e->window_len) != e->window_start)
			{
				victim = e;
				break;
			}
			if (lru == NULL || e->last_used < lru->last_used)
				lru = e;
		}
		if (victim != NULL)
			pg_atomic_fetch_add_u64(&Rate->evicted_ended, 1);
		else
		{
			victim = lru;
			pg_atomic_fetch_add_u64(&Rate->evicted_live, 1);
		}
		if (victim != NULL)
		{
			RateKey		vkey = victim->key;

			dlist_delete(&victim->node);
			hash_search_with_hash_value(RateHash, &vkey, get_hash_value(RateHash, &vkey),
										HASH_REMOVE, NULL);
			p->nentries--;
		}
	}

	entry = hash_search_with_hash_value(RateHash, key, hashcode, HASH_ENTER_NULL, &found);
	if (entry == NULL)
		return NULL;
	if (!found)
	{
		SpinLockInit(&entry->mutex);
		if (short_form != NULL)
			strlcpy(entry->short_form, short_form, RL_SHORT_LEN);
		else
			RateShortForm(subject, entry->short_form);
		entry->window_len = window_len;
		entry->window_start = RateWindowStart(now, window_len);
		entry->last_used = GetCurrentTimestamp();
		entry->used[0] = entry->used[1] = 0;
		entry->limit[0] = entry->limit[1] = 0;
		entry->refused = 0;
		dlist_push_tail(&p->entries, &entry->node);
		p->nentries++;
	}
	return entry;
}

/*
 * A subject's entry in its partition, looked up under the partition's lock
 * taken shared; the lock is held on return (also when the entry is absent:
 * NULL), and *key, *hashcode, *lock say where to insert it.
 */
static RateEntry *
RateFind(RateKind kind, RateEndpoint endpoint, const char *subject,
		 RateKey *key, uint32 *hashcode, LWLock **lock)
{
	RateMakeKey(key, kind, endpoint, subject);
	*hashcode = get_hash_value(RateHash, key);
	*lock = &Rate->locks[*hashcode % RL_PARTITIONS].lock;
	LWLockAcquire(*lock, LW_SHARED);
	return hash_search_with_hash_value(RateHash, key, *hashcode, HASH_FIND, NULL);
}

/*
 * Check and count in one step: add add[i] to counter i if, for every
 * counter with a limit (> 0), used + add <= limit; otherwise add nothing
 * and report the first counter over its limit.  Fails open (tracked =
 * false) when the table has no room.  short_form NULL: made from subject
 * when an entry is created.
 */
void
RateCheckAdd(RateKind kind, RateEndpoint endpoint, const char *subject,
			 const char *short_form, TimestampTz now, const int64 *add,
			 const int64 *limit, RateResult *result)
{
	RateKey		key;
	uint32		hashcode;
	LWLock	   *lock;
	RateEntry  *entry;
	int64		window_len = RateWindowLen(kind);
	TimestampTz window_start = RateWindowStart(now, window_len);
	int			i;

	result->tracked = false;
	result->refused = -1;
	result->used[0] = result->used[1] = 0;
	result->window_end = window_start + window_len;

	entry = RateFind(kind, endpoint, subject, &key, &hashcode, &lock);
	if (entry == NULL)
	{
		LWLockRelease(lock);
		LWLockAcquire(lock, LW_EXCLUSIVE);
		entry = RateInsert(hashcode % RL_PARTITIONS, &key, hashcode, subject, short_form, now,
						   window_len);
		if (entry == NULL)
		{
			LWLockRelease(lock);
			pg_atomic_fetch_add_u64(&Rate->fail_open, 1);
			return;
		}
	}

	SpinLockAcquire(&entry->mutex);
	RateRoll(entry, window_start);
	entry->last_used = GetCurrentTimestamp();
	for (i = 0; i < 2; i++)
	{
		result->used[i] = entry->used[i];
		entry->limit[i] = limit[i];
		if (limit[i] > 0 && add[i] > 0 && entry->used[i] + add[i] > limit[i] &&
			result->refused < 0)
			result->refused = i;
	}
	if (result->refused < 0)
	{
		entry->used[0] += add[0];
		entry->used[1] += add[1];
	}
	else
		entry->refused++;
	SpinLockRelease(&entry->mutex);
	LWLockRelease(lock);
	result->tracked = true;
}

/* The counters of the current window, without counting anything (zero if absent). */
void
RateRead(RateKind kind, RateEndpoint endpoint, const char *subject,
		 TimestampTz now, RateResult *result)
{
	RateKey		key;
	uint32		hashcode;
	LWLock	   *lock;
	RateEntry  *entry;
	int64		window_len = RateWindowLen(kind);
	TimestampTz window_start = RateWindowStart(now, window_len);

	result->tracked = true;
	result->refused = -1;
	result->used[0] = result->used[1] = 0;
	result->window_end = window_start + window_len;

	entry = RateFind(kind, endpoint, subject, &key, &hashcode, &lock);
	if (entry != NULL)
	{
		SpinLockAcquire(&entry->mutex);
		if (entry->window_start == window_start)
		{
			result->used[0] = entry->used[0];
			result->used[1] = entry->used[1];
		}
		SpinLockRelease(&entry->mutex);
	}
	LWLockRelease(lock);
}

/* Count a refusal decided outside RateCheckAdd (the row trigger, the up-front check). */
void
RateNoteRefused(RateKind kind, RateEndpoint endpoint, const char *subject, TimestampTz now)
{
	RateKey		key;
	uint32		hashcode;
	LWLock	   *lock;
	RateEntry  *entry;
	TimestampTz window_start = RateWindowStart(now, RateWindowLen(kind));

	entry = RateFind(kind, endpoint, subject, &key, &hashcode, &lock);
	if (entry != NULL)
	{
		SpinLockAcquire(&entry->mutex);
		if (entry->window_start == window_start)
			entry->refused++;
		SpinLockRelease(&entry->mutex);
	}
	LWLockRelease(lock);
}

/*
 * An organization's hourly limits (events, bytes; 0 = none) from its plan:
 * developer without / with a payment method, plus and startup, enterprise.
 * Other plans are limited as developer.
 */
void
RateHourlyLimits(const char *plan, bool paid, int64 *limit)
{
	int			tier;

	if (strcmp(plan, "plus") == 0 || strcmp(plan, "startup") == 0)
		tier = 2;
	else if (strcmp(plan, "enterprise") == 0)
		tier = 3;
	else
		tier = paid ? 1 : 0;
	limit[RL_EVENTS] = RateEventsPerHour[tier];
	limit[RL_BYTES] = (int64) RateKBytesPerHour[tier] * 1024;
}

void
RateRefuseRequest(RateEndpoint endpoint, const char *short_form, int64 limit,
				  const RateResult *result, TimestampTz now)
{
	ereport(ERROR,
			(errcode(ERRCODE_LSB_RATE_LIMIT),
			 errmsg("rate limit of %lld %s requests per minute reached",
					(long long) limit, RateEndpointName(endpoint)),
			 errdetail("API key %s has made %lld %s requests in the current minute; this one is refused and not counted.",
					   short_form, (long long) result->used[0], RateEndpointName(endpoint)),
			 errhint("The window resets in %d seconds.",
					 RateSecondsUntil(result->window_end, now))));
}

void
RateRefuseHourly(int counter, const char *plan, bool paid, const char *short_form,
				 int64 limit, int64 used, int64 adding, TimestampTz window_end,
				 TimestampTz now)
{
	const char *what = counter == RL_EVENTS ? "events" : "bytes";

	ereport(ERROR,
			(errcode(ERRCODE_LSB_RATE_LIMIT),
			 errmsg("hourly ingest limit of %lld %s of the %s plan%s reached",
					(long long) limit, what, plan,
					strcmp(plan, "developer") != 0 ? "" :
					paid ? " with a payment method" : " without a payment method"),
			 errdetail("Organization %s has ingested %lld %s in the current UTC hour; the request would add %lld, so it is refused and nothing is written.",
					   short_form, (long long) used, what, (long long) adding),
			 errhint("The limit resets at the start of the next UTC hour, in %d seconds.",
					 RateSecondsUntil(window_end, now))));
}

/*
 * For the view: every entry, read under every partition's lock (shared), in
 * partition order.  The callback gets a copy made under the entry's lock.
 */
typedef void (*RateEntryVisitor) (const RateEntry *copy, int partition, void *arg);

static void
RateForEach(RateEntryVisitor visit, void *arg)
{
	int			i;

	for (i = 0; i < RL_PARTITIONS; i++)
		LWLockAcquire(&Rate->locks[i].lock, LW_SHARED);
	PG_TRY();
	{
		for (i = 0; i < RL_PARTITIONS; i++)
		{
			dlist_iter	iter;

			dlist_foreach(iter, &Rate->partitions[i].entries)
			{
				RateEntry  *e = dlist_container(RateEntry, node, iter.cur);
				RateEntry	copy;

				SpinLockAcquire(&e->mutex);
				memcpy(&copy, e, sizeof(RateEntry));
				SpinLockRelease(&e->mutex);
				visit(&copy, i, arg);
			}
		}
	}
	PG_FINALLY();
	{
		for (i = RL_PARTITIONS - 1; i >= 0; i--)
			LWLockRelease(&Rate->locks[i].lock);
	}
	PG_END_TRY();
}

/* Forget every counter (superuser; lsbilling.rate_limit_reset()). */
static void
RateResetAll(void)
{
	int			i;

	for (i = 0; i < RL_PARTITIONS; i++)
		LWLockAcquire(&Rate->locks[i].lock, LW_EXCLUSIVE);
	for (i = 0; i < RL_PARTITIONS; i++)
	{
		dlist_mutable_iter iter;

		dlist_foreach_modify(iter, &Rate->partitions[i].entries)
		{
			RateEntry  *e = dlist_container(RateEntry, node, iter.cur);
			RateKey		key = e->key;

			dlist_delete(&e->node);
			hash_search(RateHash, &key, HASH_REMOVE, NULL);
		}
		Rate->partitions[i].nentries = 0;
	}
	pg_atomic_write_u64(&Rate->evicted_ended, 0);
	pg_atomic_write_u64(&Rate->evicted_live, 0);
	pg_atomic_write_u64(&Rate->fail_open, 0);
	Rate->reset_at = GetCurrentTimestamp();
	for (i = RL_PARTITIONS - 1; i >= 0; i--)
		LWLockRelease(&Rate->locks[i].lock);
}

/* lsbilling.rate_limits: the live counters, one row per entry and counter. */
typedef struct RateViewState
{
	Tuplestorestate *store;
	TupleDesc	desc;
	TimestampTz now;
} RateViewState;

static void
RateViewRow(const RateEntry *e, int partition, int counter, RateViewState *st)
{
	Datum		values[10];
	bool		nulls[10];
	const char *name;
	bool		live = RateWindowStart(st->now, e->window_len) == e->window_start;

	memset(nulls, 0, sizeof(nulls));
	if (e->key.kind == RL_KIND_REQUESTS)
		name = "requests per minute";
	else
		name = counter == RL_EVENTS ? "events per hour" : "bytes per hour";
	values[0] = Int32GetDatum(partition);
	values[1] = CStringGetTextDatum(e->short_form);
	values[2] = CStringGetTextDatum(name);
	if (e->key.kind == RL_KIND_REQUESTS)
		values[3] = CStringGetTextDatum(RateEndpointName((RateEndpoint) e->key.endpoint));
	else
		nulls[3] = true;
	values[4] = TimestampTzGetDatum(e->window_start);
	values[5] = TimestampTzGetDatum(e->window_start + e->window_len);
	values[6] = Int64GetDatum(live ? e->used[counter] : 0);
	values[7] = Int64GetDatum(e->limit[counter]);
	nulls[7] = e->limit[counter] <= 0;
	values[8] = Int64GetDatum(live ? e->refused : 0);
	values[9] = BoolGetDatum(live);
	tuplestore_putvalues(st->store, st->desc, values, nulls);
}

static void
RateViewVisit(const RateEntry *copy, int partition, void *arg)
{
	RateViewRow(copy, partition, RL_EVENTS, arg);
	if (copy->key.kind == RL_KIND_ORG_HOURLY)
		RateViewRow(copy, partition, RL_BYTES, arg);
}

PG_FUNCTION_INFO_V1(lsbilling_rate_limit_entries);
Datum
lsbilling_rate_limit_entries(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	RateViewState st;

	RateLimitRequireShmem();
	InitMaterializedSRF(fcinfo, 0);
	st.store = rsinfo->setResult;
	st.desc = rsinfo->setDesc;
	st.now = LsbNow();
	RateForEach(RateViewVisit, &st);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(lsbilling_rate_limit_info);
Datum
lsbilling_rate_limit_info(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[6];
	bool		nulls[6] = {0};
	int64		entries = 0;
	int			i;

	RateLimitRequireShmem();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	for (i = 0; i < RL_PARTITIONS; i++)
	{
		LWLockAcquire(&Rate->locks[i].lock, LW_SHARED);
		entries += Rate->partitions[i].nentries;
		LWLockRelease(&Rate->locks[i].lock);
	}
	values[0] = Int64GetDatum((int64) Rate->max_per_partition * RL_PARTITIONS);
	values[1] = Int64GetDatum(entries);
	values[2] = Int64GetDatum((int64) pg_atomic_read_u64(&Rate->evicted_ended));
	values[3] = Int64GetDatum((int64) pg_atomic_read_u64(&Rate->evicted_live));
	values[4] = Int64GetDatum((int64) pg_atomic_read_u64(&Rate->fail_open));
	values[5] = TimestampTzGetDatum(Rate->reset_at);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

PG_FUNCTION_INFO_V1(lsbilling_rate_limit_reset);
Datum
lsbilling_rate_limit_reset(PG_FUNCTION_ARGS)
{
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to reset lsbilling rate limits"),
				 errdetail("Only a superuser can reset the rate-limit counters.")));
	RateLimitRequireShmem();
	RateResetAll();
	PG_RETURN_VOID();
}
