/*-------------------------------------------------------------------------
 *
 * rate_limit_sql.c
 *	  The per-request check: lsbilling.rate_limit_request(), the hook that
 *	  lsbilling.authenticate() calls, and lsbilling.rate_limit_status().
 *
 * One call is one API request: it is checked against the subject's
 * per-minute limit of its endpoint class and counted, in one step.  For the
 * runs and feedback endpoints, a request of an organization that has used
 * up an hourly ingest budget is refused up front (nothing is counted); the
 * triggers count the events and bytes themselves.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "rate_limit.h"

/* Check and count one request; ERROR LS429 when refused.  short_form may be NULL. */
static void
RateAdmitRequest(const char *subject, const char *short_form, RateEndpoint endpoint,
				 const pg_uuid_t *organization_id, const char *plan, bool paid,
				 TimestampTz now, RateResult *res)
{
	int64		add[2] = {1, 0};
	int64		limit[2] = {0, 0};

	if (organization_id != NULL &&
		(endpoint == RL_ENDPOINT_RUNS || endpoint == RL_ENDPOINT_FEEDBACK))
		RateCheckOrgNotExhausted(organization_id, plan, paid, now);
	limit[0] = LsbRateLimitPerMinute[endpoint];
	RateCheckAdd(RL_KIND_REQUESTS, endpoint, subject, short_form, now, add, limit, res);
	if (res->tracked && res->refused >= 0)
	{
		char		made[RL_SHORT_LEN];

		if (short_form == NULL)
		{
			RateShortForm(subject, made);
			short_form = made;
		}
		RateRefuseRequest(endpoint, short_form, limit[0], res, now);
	}
}

/* lsb_request_hook: what authenticate() calls once the key is verified. */
static void
RateRequestHook(const LsbRequestPrincipal *principal)
{
	char	   *subject;
	char		short_form[RL_SHORT_LEN];
	RateResult	res;

	if (!RateLimitActive(true))
		return;
	subject = LsbUuidText(UUIDPGetDatum(&principal->key_id));
	if (principal->key_short != NULL)
		strlcpy(short_form, principal->key_short, RL_SHORT_LEN);
	else
		RateShortForm(subject, short_form);
	RateAdmitRequest(subject, short_form,
					 RateEndpointFromName(principal->endpoint ? principal->endpoint : "other"),
					 &principal->organization_id,
					 principal->plan ? principal->plan : "developer",
					 principal->has_payment_method, LsbNow(), &res);
}

/* Called from _PG_init: settings, shared memory, and the request hook when preloaded. */
void
RateLimitSetup(void)
{
	RateLimitInit();
	if (process_shared_preload_libraries_in_progress)
		lsb_request_hook = RateRequestHook;
}

static char *
ArgText(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * The request check behind both SQL forms: checks and counts one request
 * (ERROR LS429 when refused).  false when nothing is tracked (not preloaded,
 * switched off, table full).
 */
static bool
RateRequestFromSql(FunctionCallInfo fcinfo, int64 *limit, RateResult *res, TimestampTz now)
{
	char	   *subject = ArgText(fcinfo, 0, "subject");
	char	   *endpoint_name = ArgText(fcinfo, 1, "endpoint");
	RateEndpoint endpoint = RateEndpointFromName(endpoint_name);
	char		plan[NAMEDATALEN];
	bool		paid = false;
	pg_uuid_t  *org = PG_ARGISNULL(2) ? NULL : PG_GETARG_UUID_P(2);

	memset(res, 0, sizeof(RateResult));
	*limit = LsbRateLimitPerMinute[endpoint];
	if (subject[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("subject must not be empty")));
	if (!RateLimitActive(true))
		return false;
	if (org != NULL && !RateOrgPlan(org, plan, &paid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("organization %s does not exist", LsbUuidText(UUIDPGetDatum(org)))));
	RateAdmitRequest(subject, NULL, endpoint, org, plan, paid, now, res);
	return res->tracked;
}

/*
 * lsbilling.rate_limit_request(subject, endpoint, organization_id DEFAULT
 * NULL) -> (request_limit, remaining, resets_at, reset_seconds)
 */
PG_FUNCTION_INFO_V1(lsbilling_rate_limit_request);
Datum
lsbilling_rate_limit_request(PG_FUNCTION_ARGS)
{
	TimestampTz now = LsbNow();
	TupleDesc	desc = (TupleDesc) fcinfo->flinfo->fn_extra;
	Datum		values[4];
	bool		nulls[4] = {0};
	RateResult	res;
	int64		limit;
	bool		tracked;

	/* the result's descriptor, made once per call site */
	if (desc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = desc;
	}
	tracked = RateRequestFromSql(fcinfo, &limit, &res, now);
	values[0] = Int64GetDatum(limit);
	nulls[0] = limit <= 0;
	values[1] = Int64GetDatum(limit > 0 ? Max(limit - res.used[0] - 1, 0) : 0);
	nulls[1] = limit <= 0 || !tracked;
	values[2] = TimestampTzGetDatum(res.window_end);
	values[3] = Int32GetDatum(RateSecondsUntil(res.window_end, now));
	nulls[2] = nulls[3] = !tracked;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * lsbilling.rate_limit_check(subject, endpoint, organization_id DEFAULT NULL)
 * -> bigint: the same check, returning only the requests left in the window
 * (NULL: no limit or not tracked).  A scalar result costs the caller less.
 */
PG_FUNCTION_INFO_V1(lsbilling_rate_limit_check);
Datum
lsbilling_rate_limit_check(PG_FUNCTION_ARGS)
{
	RateResult	res;
	int64		limit;

	if (!RateRequestFromSql(fcinfo, &limit, &res, LsbNow()) || limit <= 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(Max(limit - res.used[0] - 1, 0));
}

static void
StatusRow(ReturnSetInfo *rsinfo, const char *name, const char *endpoint, int64 limit,
		  int64 used, TimestampTz window_end, TimestampTz now)
{
	Datum		values[7];
	bool		nulls[7] = {0};

	values[0] = CStringGetTextDatum(name);
	values[1] = endpoint ? CStringGetTextDatum(endpoint) : (Datum) 0;
	nulls[1] = endpoint == NULL;
	values[2] = Int64GetDatum(limit);
	nulls[2] = limit <= 0;
	values[3] = Int64GetDatum(used);
	values[4] = Int64GetDatum(Max(limit - used, 0));
	nulls[4] = limit <= 0;
	values[5] = TimestampTzGetDatum(window_end);
	values[6] = Int32GetDatum(RateSecondsUntil(window_end, now));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * lsbilling.rate_limit_status(subject, organization_id DEFAULT NULL): each
 * limit that applies, with used, remaining and reset time (what an HTTP
 * layer puts in X-RateLimit-* and Retry-After).  Counts nothing.
 */
PG_FUNCTION_INFO_V1(lsbilling_rate_limit_status);
Datum
lsbilling_rate_limit_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *subject = ArgText(fcinfo, 0, "subject");
	TimestampTz now = LsbNow();
	int			i;

	RateLimitRequireShmem();
	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < RL_NUM_ENDPOINTS; i++)
	{
		RateResult	res;

		RateRead(RL_KIND_REQUESTS, (RateEndpoint) i, subject, now, &res);
		StatusRow(rsinfo, "requests per minute", RateEndpointName((RateEndpoint) i),
				  LsbRateLimitPerMinute[i], res.used[0], res.window_end, now);
	}
	if (!PG_ARGISNULL(1))
	{
		pg_uuid_t  *org = PG_GETARG_UUID_P(1);
		char		plan[NAMEDATALEN];
		bool		paid;

		if (RateOrgPlan(org, plan, &paid))
		{
			int64		limit[2];
			RateResult	res;
			char	   *text = LsbUuidText(UUIDPGetDatum(org));

			RateHourlyLimits(plan, paid, limit);
			RateRead(RL_KIND_ORG_HOURLY, 0, text, now, &res);
			StatusRow(rsinfo, "events per hour", NULL, limit[RL_EVENTS], res.used[RL_EVENTS],
					  res.window_end, now);
			StatusRow(rsinfo, "bytes per hour", NULL, limit[RL_BYTES], res.used[RL_BYTES],
					  res.window_end, now);
		}
	}
	return (Datum) 0;
}
