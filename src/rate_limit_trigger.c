/*-------------------------------------------------------------------------
 *
 * rate_limit_trigger.c
 *	  Per-plan hourly ingest limits (events, bytes), counted per statement by
 *	  triggers on lsbilling.runs and lsbilling.feedback.
 *
 * A statement is one request: a 100-row INSERT or COPY counts 100 events
 * (each run create, each run update, each feedback) and the sum of the
 * bytes of its runs (inputs + outputs + extra, of creates and updates: a run
 * created with 2 MB and updated to 3 MB counts 5 MB).  The BEFORE row
 * trigger adds each row to the statement's pending counts and checks
 * shared + pending against the organization's limit, so that a refused
 * statement stops before it writes more; the AFTER statement trigger
 * (named to fire last) adds the pending counts to shared memory with one
 * check-and-add, which refuses the whole statement if concurrent writers
 * used the budget meanwhile.  A refused statement adds nothing.
 *
 * The organization and its plan are found from the row's workspace and
 * cached per backend; statement triggers on organizations and workspaces
 * send a relcache invalidation so that every backend reloads them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "rate_limit.h"

/* workspace -> organization, and organization -> plan */
typedef struct WorkspaceOrg
{
	pg_uuid_t	workspace_id;
	pg_uuid_t	organization_id;
} WorkspaceOrg;

typedef struct OrgPlan
{
	pg_uuid_t	organization_id;
	char		plan[NAMEDATALEN];
	bool		paid;
} OrgPlan;

/* A statement's counts for one organization, not yet in shared memory. */
typedef struct OrgPending
{
	pg_uuid_t	organization_id;
	char		subject[UUID_LEN * 2 + 8];
	char		short_form[RL_SHORT_LEN];
	char		plan[NAMEDATALEN];
	bool		paid;
	int64		limit[2];
	int64		shared[2];		/* the shared counters when the statement began counting */
	int64		pending[2];
	TimestampTz window_end;
} OrgPending;

/* Attribute numbers per relation (partitions of runs may differ). */
typedef struct RelCols
{
	Oid			relid;
	AttrNumber	workspace_id;
	AttrNumber	payload[5];		/* inputs, outputs, extra, end_time, error; 0 for feedback */
} RelCols;

static HTAB *WorkspaceOrgs = NULL;
static HTAB *OrgPlans = NULL;
static HTAB *Pending = NULL;
static HTAB *Cols = NULL;
static bool CallbacksRegistered = false;
static Oid	OrganizationsRelid = InvalidOid;
static Oid	WorkspacesRelid = InvalidOid;

static HTAB *
MakeHash(const char *name, Size keysize, Size entrysize)
{
	HASHCTL		ctl;

	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	ctl.hcxt = TopMemoryContext;
	return hash_create(name, 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
ClearHash(HTAB *htab)
{
	HASH_SEQ_STATUS status;
	void	   *entry;

	if (htab == NULL)
		return;
	hash_seq_init(&status, htab);
	while ((entry = hash_seq_search(&status)) != NULL)
		hash_search(htab, entry, HASH_REMOVE, NULL);
}

static void
RateRelcacheCallback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == OrganizationsRelid || relid == WorkspacesRelid ||
		!OidIsValid(OrganizationsRelid))
	{
		ClearHash(WorkspaceOrgs);
		ClearHash(OrgPlans);
		/* looked up again: the tables may have been dropped and made anew */
		OrganizationsRelid = InvalidOid;
		WorkspacesRelid = InvalidOid;
	}
	if (Cols != NULL)
	{
		if (relid == InvalidOid)
			ClearHash(Cols);
		else
			hash_search(Cols, &relid, HASH_REMOVE, NULL);
	}
}

/* A statement that failed counts nothing: forget what it had pending. */
static void
RateXactCallback(XactEvent event, void *arg)
{
	ClearHash(Pending);
}

static void
RateSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
					SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		ClearHash(Pending);
}

static void
RateCachesInit(void)
{
	if (CallbacksRegistered)
		return;
	WorkspaceOrgs = MakeHash("lsbilling rate limit workspaces", sizeof(pg_uuid_t), sizeof(WorkspaceOrg));
	OrgPlans = MakeHash("lsbilling rate limit plans", sizeof(pg_uuid_t), sizeof(OrgPlan));
	Pending = MakeHash("lsbilling rate limit pending", sizeof(pg_uuid_t), sizeof(OrgPending));
	Cols = MakeHash("lsbilling rate limit columns", sizeof(Oid), sizeof(RelCols));
	CacheRegisterRelcacheCallback(RateRelcacheCallback, (Datum) 0);
	RegisterXactCallback(RateXactCallback, NULL);
	RegisterSubXactCallback(RateSubXactCallback, NULL);
	CallbacksRegistered = true;
}

/*
 * Run one lookup as the owner of lsbilling's tables: the plan decides the
 * limit, so row-level security on organizations must not hide it.  As the
 * caller's search_path is in force, every name and operator is qualified.
 */
static bool
RateLookup(const char *sql, Datum arg, pg_uuid_t *org, char *plan, bool *paid)
{
	Oid			saved_user;
	int			saved_sec;
	Oid			owner;
	HeapTuple	tup;
	Oid			argtypes[1] = {UUIDOID};
	Datum		args[1];
	bool		isnull;
	bool		found = false;
	int			rc;
	int			natts;

	if (!OidIsValid(OrganizationsRelid))
	{
		Oid			nsp = get_namespace_oid("lsbilling", false);

		OrganizationsRelid = get_relname_relid("organizations", nsp);
		WorkspacesRelid = get_relname_relid("workspaces", nsp);
	}
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(OrganizationsRelid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", OrganizationsRelid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);

	args[0] = arg;
	GetUserIdAndSecContext(&saved_user, &saved_sec);
	SetUserIdAndSecContext(owner, saved_sec | SECURITY_LOCAL_USERID_CHANGE);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(sql, 1, argtypes, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lsbilling rate limit plan lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *text;

		natts = desc->natts;
		if (org != NULL)
			memcpy(org, DatumGetUUIDP(SPI_getbinval(row, desc, 1, &isnull)), sizeof(pg_uuid_t));
		text = SPI_getvalue(row, desc, natts - 1);
		strlcpy(plan, text ? text : "", NAMEDATALEN);
		*paid = DatumGetBool(SPI_getbinval(row, desc, natts, &isnull)) && !isnull;
		found = true;
	}
	SPI_finish();
	SetUserIdAndSecContext(saved_user, saved_sec);
	return found;
}

static OrgPlan *
RateOrgPlanEntry(const pg_uuid_t *organization_id)
{
	OrgPlan    *entry;
	char		plan[NAMEDATALEN];
	bool		paid;
	bool		found;

	RateCachesInit();
	entry = hash_search(OrgPlans, organization_id, HASH_FIND, NULL);
	if (entry != NULL)
		return entry;
	if (!RateLookup("SELECT o.plan, o.has_payment_method FROM lsbilling.organizations o"
					" WHERE o.id OPERATOR(pg_catalog.=) $1",
					UUIDPGetDatum(organization_id), NULL, plan, &paid))
		return NULL;
	entry = hash_search(OrgPlans, organization_id, HASH_ENTER, &found);
	strlcpy(entry->plan, plan, NAMEDATALEN);
	entry->paid = paid;
	return entry;
}

/* The organization's plan and payment method; false when there is no such organization. */
bool
RateOrgPlan(const pg_uuid_t *organization_id, char *plan, bool *paid)
{
	OrgPlan    *entry = RateOrgPlanEntry(organization_id);

	if (entry == NULL)
		return false;
	strlcpy(plan, entry->plan, NAMEDATALEN);
	*paid = entry->paid;
	return true;
}

static bool
RateWorkspaceOrg(const pg_uuid_t *workspace_id, pg_uuid_t *organization_id)
{
	WorkspaceOrg *entry;
	char		plan[NAMEDATALEN];
	bool		paid;
	bool		found;

	RateCachesInit();
	entry = hash_search(WorkspaceOrgs, workspace_id, HASH_FIND, NULL);
	if (entry == NULL)
	{
		pg_uuid_t	org;
		OrgPlan    *op;

		if (!RateLookup("SELECT w.organization_id, o.plan, o.has_payment_method"
						" FROM lsbilling.workspaces w JOIN lsbilling.organizations o"
						" ON o.id OPERATOR(pg_catalog.=) w.organization_id"
						" WHERE w.id OPERATOR(pg_catalog.=) $1",
						UUIDPGetDatum(workspace_id), &org, plan, &paid))
			return false;
		entry = hash_search(WorkspaceOrgs, workspace_id, HASH_ENTER, &found);
		entry->organization_id = org;
		op = hash_search(OrgPlans, &org, HASH_ENTER, &found);
		strlcpy(op->plan, plan, NAMEDATALEN);
		op->paid = paid;
	}
	*organization_id = entry->organization_id;
	return true;
}

static void
OrgSubject(const pg_uuid_t *organization_id, char *subject, char *short_form)
{
	char	   *text = LsbUuidText(UUIDPGetDatum(organization_id));

	strlcpy(subject, text, UUID_LEN * 2 + 8);
	RateShortForm(text, short_form);
	pfree(text);
}

/*
 * Before a request of the runs or feedback endpoints: refuse it if the
 * organization has already used up an hourly budget (nothing is counted).
 */
void
RateCheckOrgNotExhausted(const pg_uuid_t *organization_id, const char *plan, bool paid,
						 TimestampTz now)
{
	char		subject[UUID_LEN * 2 + 8];
	char		short_form[RL_SHORT_LEN];
	int64		limit[2];
	RateResult	res;
	int			i;

	RateHourlyLimits(plan, paid, limit);
	if (limit[0] <= 0 && limit[1] <= 0)
		return;
	OrgSubject(organization_id, subject, short_form);
	RateRead(RL_KIND_ORG_HOURLY, 0, subject, now, &res);
	for (i = 0; i < 2; i++)
		if (limit[i] > 0 && res.used[i] >= limit[i])
		{
			RateNoteRefused(RL_KIND_ORG_HOURLY, 0, subject, now);
			RateRefuseHourly(i, plan, paid, short_form, limit[i], res.used[i], i == RL_EVENTS ? 1 : 0,
							 res.window_end, now);
		}
}

static const RelCols *
RateColsFor(Relation rel, bool is_runs)
{
	Oid			relid = RelationGetRelid(rel);
	RelCols    *c;
	bool		found;

	c = hash_search(Cols, &relid, HASH_ENTER, &found);
	if (!found)
	{
		c->workspace_id = LsbColumnOf(rel, "workspace_id");
		c->payload[0] = is_runs ? LsbColumnOf(rel, "inputs") : 0;
		c->payload[1] = is_runs ? LsbColumnOf(rel, "outputs") : 0;
		c->payload[2] = is_runs ? LsbColumnOf(rel, "extra") : 0;
		c->payload[3] = is_runs ? LsbColumnOf(rel, "end_time") : 0;
		c->payload[4] = is_runs ? LsbColumnOf(rel, "error") : 0;
	}
	return c;
}

/* The bytes a run row ingests: the raw (uncompressed) sizes of inputs, outputs and extra. */
static int64
RunPayloadBytes(const RelCols *c, HeapTuple tup, TupleDesc desc)
{
	int64		bytes = 0;
	int			i;

	for (i = 0; i < 3; i++)
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, c->payload[i], desc, &isnull);

		if (!isnull)
			bytes += toast_raw_datum_size(d);
	}
	return bytes;
}

/*
 * Whether an update changes what a client sends (inputs, outputs, extra,
 * end_time, error): one that does not, e.g. recompute_costs()'s
 * "SET extra = extra", is not an ingested event.
 */
static bool
RunUpdateChangesPayload(const RelCols *c, HeapTuple oldtup, HeapTuple newtup, TupleDesc desc)
{
	int			i;

	for (i = 0; i < 5; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, c->payload[i] - 1);
		bool		oldnull;
		bool		newnull;
		Datum		o = heap_getattr(oldtup, c->payload[i], desc, &oldnull);
		Datum		n = heap_getattr(newtup, c->payload[i], desc, &newnull);

		if (oldnull != newnull)
			return true;
		if (!oldnull && !datumIsEqual(o, n, att->attbyval, att->attlen))
			return true;
	}
	return false;
}

/* Add one row to its organization's pending counts; ERROR LS429 if over a limit. */
static void
RateCountRow(const pg_uuid_t *workspace_id, int64 bytes)
{
	pg_uuid_t	org;
	OrgPending *p;
	bool		found;
	int64		add[2];
	TimestampTz now = LsbNow();
	int			i;

	if (!RateWorkspaceOrg(workspace_id, &org))
		return;					/* no such workspace: its foreign key refuses the row */
	p = hash_search(Pending, &org, HASH_ENTER, &found);
	if (!found)
	{
		OrgPlan    *op = RateOrgPlanEntry(&org);
		RateResult	res;

		OrgSubject(&org, p->subject, p->short_form);
		strlcpy(p->plan, op ? op->plan : "developer", NAMEDATALEN);
		p->paid = op ? op->paid : false;
		RateHourlyLimits(p->plan, p->paid, p->limit);
		RateRead(RL_KIND_ORG_HOURLY, 0, p->subject, now, &res);
		p->shared[0] = res.used[0];
		p->shared[1] = res.used[1];
		p->pending[0] = p->pending[1] = 0;
		p->window_end = res.window_end;
	}
	add[RL_EVENTS] = 1;
	add[RL_BYTES] = bytes;
	for (i = 0; i < 2; i++)
	{
		if (p->limit[i] > 0 && p->shared[i] + p->pending[i] + add[i] > p->limit[i])
		{
			OrgPending	copy = *p;

			ClearHash(Pending);
			RateNoteRefused(RL_KIND_ORG_HOURLY, 0, copy.subject, now);
			RateRefuseHourly(i, copy.plan, copy.paid, copy.short_form, copy.limit[i],
							 copy.shared[i], copy.pending[i] + add[i], copy.window_end, now);
		}
	}
	p->pending[0] += add[0];
	p->pending[1] += add[1];
}

/*
 * BEFORE INSERT OR UPDATE FOR EACH ROW on runs, BEFORE INSERT FOR EACH ROW
 * on feedback.
 */
PG_FUNCTION_INFO_V1(lsbilling_rate_limit_row);
Datum
lsbilling_rate_limit_row(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	Relation	rel;
	const RelCols *c;
	bool		is_runs;
	bool		isnull;
	Datum		ws;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("rate_limit_row: must be fired before each row")));
	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	if (LsbMaintenance || !RateLimitActive(true))
		return PointerGetDatum(tup);

	RateCachesInit();
	rel = trigdata->tg_relation;
	is_runs = trigdata->tg_trigger->tgnargs > 0 && strcmp(trigdata->tg_trigger->tgargs[0], "runs") == 0;
	c = RateColsFor(rel, is_runs);
	if (is_runs && TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		!RunUpdateChangesPayload(c, trigdata->tg_trigtuple, tup, RelationGetDescr(rel)))
		return PointerGetDatum(tup);
	ws = heap_getattr(tup, c->workspace_id, RelationGetDescr(rel), &isnull);
	if (!isnull)
		RateCountRow(DatumGetUUIDP(ws),
					 is_runs ? RunPayloadBytes(c, tup, RelationGetDescr(rel)) : 0);
	return PointerGetDatum(tup);
}

/* AFTER ... FOR EACH STATEMENT: the statement's counts go to shared memory, checked once more. */
PG_FUNCTION_INFO_V1(lsbilling_rate_limit_flush);
Datum
lsbilling_rate_limit_flush(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HASH_SEQ_STATUS status;
	OrgPending *p;
	TimestampTz now;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("rate_limit_flush: must be fired after each statement")));
	if (Pending == NULL || hash_get_num_entries(Pending) == 0)
		return PointerGetDatum(NULL);
	if (!RateLimitActive(false))
	{
		ClearHash(Pending);
		return PointerGetDatum(NULL);
	}
	now = LsbNow();
	hash_seq_init(&status, Pending);
	while ((p = hash_seq_search(&status)) != NULL)
	{
		RateResult	res;

		RateCheckAdd(RL_KIND_ORG_HOURLY, 0, p->subject, p->short_form, now,
					 p->pending, p->limit, &res);
		if (res.tracked && res.refused >= 0)
		{
			OrgPending	copy = *p;

			hash_seq_term(&status);
			ClearHash(Pending);
			RateRefuseHourly(res.refused, copy.plan, copy.paid, copy.short_form,
							 copy.limit[res.refused], res.used[res.refused],
							 copy.pending[res.refused], res.window_end, now);
		}
	}
	ClearHash(Pending);
	return PointerGetDatum(NULL);
}

/*
 * AFTER UPDATE OR DELETE OR TRUNCATE FOR EACH STATEMENT on organizations and
 * workspaces: every backend reloads the plans it cached (at commit).
 */
PG_FUNCTION_INFO_V1(lsbilling_rate_limit_plans_changed);
Datum
lsbilling_rate_limit_plans_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("rate_limit_plans_changed: not called by trigger manager")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
