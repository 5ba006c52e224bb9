/*-------------------------------------------------------------------------
 *
 * rate_limit.h
 *	  Short-window rate limits in shared memory (rate_limit.c): per subject
 *	  (an API key) per endpoint class per minute, and per organization per
 *	  UTC hour (ingested events and bytes, counted by rate_limit_trigger.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LSBILLING_RATE_LIMIT_H
#define LSBILLING_RATE_LIMIT_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/uuid.h"

/* A short-window rate limit refused the request: the same SQLSTATE as the monthly limits. */
#define ERRCODE_LSB_RATE_LIMIT		MAKE_SQLSTATE('L','S','4','2','9')

/* Endpoint classes of the per-minute limits (seed 003's table). */
typedef enum RateEndpoint
{
	RL_ENDPOINT_RUNS = 0,		/* POST / PATCH runs */
	RL_ENDPOINT_FEEDBACK,		/* POST feedback */
	RL_ENDPOINT_DELETE_SESSIONS,	/* DELETE sessions (projects) */
	RL_ENDPOINT_OTHER,			/* anything else */
	RL_NUM_ENDPOINTS
} RateEndpoint;

/* What an entry counts: requests of one subject and endpoint class, or an organization's hour. */
typedef enum RateKind
{
	RL_KIND_REQUESTS = 0,
	RL_KIND_ORG_HOURLY = 1
} RateKind;

/* The organization's hourly counters: index into used[] / limit[] */
#define RL_EVENTS	0
#define RL_BYTES	1

#define RL_SHORT_LEN 32

/* Result of a check: the counters as they were, and the window's end. */
typedef struct RateResult
{
	bool		tracked;		/* false: not preloaded, switched off, or failed open */
	int			refused;		/* -1 admitted, else the counter that is over its limit */
	int64		used[2];		/* before this request's addition */
	TimestampTz window_end;
} RateResult;

/* rate_limit.c */
extern bool LsbRateLimitsEnabled;
extern int	LsbRateLimitPerMinute[RL_NUM_ENDPOINTS];

extern void RateLimitInit(void);
extern void RateLimitSetup(void);
extern bool RateLimitActive(bool warn);
extern void RateLimitRequireShmem(void);
extern RateEndpoint RateEndpointFromName(const char *name);
extern const char *RateEndpointName(RateEndpoint endpoint);
extern void RateShortForm(const char *subject, char *out);
extern void RateCheckAdd(RateKind kind, RateEndpoint endpoint, const char *subject,
						 const char *short_form, TimestampTz now, const int64 *add,
						 const int64 *limit, RateResult *result);
extern void RateRead(RateKind kind, RateEndpoint endpoint, const char *subject,
					 TimestampTz now, RateResult *result);
extern void RateNoteRefused(RateKind kind, RateEndpoint endpoint, const char *subject,
							TimestampTz now);
extern int	RateSecondsUntil(TimestampTz end, TimestampTz now);
extern void RateHourlyLimits(const char *plan, bool paid, int64 *limit);
extern void RateRefuseRequest(RateEndpoint endpoint, const char *short_form, int64 limit,
							  const RateResult *result, TimestampTz now);
extern void RateRefuseHourly(int counter, const char *plan, bool paid, const char *short_form,
							 int64 limit, int64 used, int64 adding, TimestampTz window_end,
							 TimestampTz now);

/* rate_limit_trigger.c: an organization's plan, cached per backend */
extern bool RateOrgPlan(const pg_uuid_t *organization_id, char *plan, bool *paid);
extern void RateCheckOrgNotExhausted(const pg_uuid_t *organization_id, const char *plan,
									 bool paid, TimestampTz now);

#endif							/* LSBILLING_RATE_LIMIT_H */
