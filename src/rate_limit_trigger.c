/*-------------------------------------------------------------------------
 *
 * rate_limit_trigger.c
 *	  Per-plan hourly ingest limits (events, bytes), counted per statement by
 *	  triggers on lsbilling.runs and lsbilling.feedback.
 *
 * A statement is one request: a 100-row INSERT or COPY counts 100 events
 * (each run create, each client update of a run, each feedback) and the sum
 * of the bytes of its runs (the text, jsonb and array columns a client
 * writes -- inputs, outputs, extra, error, name, tags, usage_metadata, ... --
 * of creates and updates: a run created with 2 MB and updated to 3 MB counts
 * 5 MB).  An update that changes only derived columns (the tokens and costs
 * recompute_costs re-prices) is not an event.  The row trigger is named to
 * fire before runs_before_write, so it sees what the client sent before the
 * cost trigger puts back the derived values.  The BEFORE row
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
 * The trigger functions are not executable by PUBLIC, and each checks the
 * table it fires on (lsbilling's runs or feedback, a partition of runs, or
 * on Citus a shard of them) and its column types before reading a datum:
 * attached anywhere else they raise an error instead of misreading a row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
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

#include "cost.h"
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
	bool		is_runs;
	AttrNumber	workspace_id;
	int			nclient;		/* runs: the columns a client writes */
	AttrNumber *client;			/* in TopMemoryContext; NULL for feedback */
} RelCols;

/*
 * The columns of runs that the write path derives (runs_before_write keeps or
 * recomputes them, whatever a client writes): an update that changes only
 * these, as recompute_costs' re-pricing does, is not an ingested event.
 */
static const char *const DerivedColumns[] = {
	"prompt_tokens", "completion_tokens", "total_tokens", "prompt_token_details",
	"completion_token_details", "prompt_cost", "completion_cost", "total_cost",
	"prompt_cost_details", "completion_cost_details", "price_id", "cost_error",
	"usage_source"
};

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
		HASH_SEQ_STATUS status;
		RelCols    *c;

		hash_seq_init(&status, Cols);
		while ((c = hash_seq_search(&status)) != NULL)
		{
			if (relid != InvalidOid && c->relid != relid)
				continue;
			if (c->client != NULL)
				pfree(c->client);
			hash_search(Cols, &c->relid, HASH_REMOVE, NULL);
		}
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
	char	   *text;
	int64		limit[2];
	RateResult	res;
	int			i;

	RateHourlyLimits(plan, paid, limit);
	if (limit[0] <= 0 && limit[1] <= 0)
		return;
	text = LsbUuidText(UUIDPGetDatum(organization_id));
	strlcpy(subject, text, sizeof(subject));
	pfree(text);
	RateRead(RL_KIND_ORG_HOURLY, 0, subject, now, &res);
	for (i = 0; i < 2; i++)
		if (limit[i] > 0 && res.used[i] >= limit[i])
		{
			/* the short form only for the message: not on every admitted request */
			RateShortForm(subject, short_form);
			RateNoteRefused(RL_KIND_ORG_HOURLY, 0, subject, now);
			RateRefuseHourly(i, plan, paid, short_form, limit[i], res.used[i], i == RL_EVENTS ? 1 : 0,
							 res.window_end, now);
		}
}

/*
 * Whether name is base, or base_<digits> (a Citus shard placement of base).
 */
static bool
NameIsTableOrShard(const char *name, const char *base)
{
	size_t		len = strlen(base);
	const char *p;

	if (strncmp(name, base, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	if (name[len] != '_' || name[len + 1] == '\0')
		return false;
	for (p = name + len + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/*
 * The trigger fires on one of lsbilling's tables named in names[] (or a
 * partition of one, or a Citus shard of one): its index in names[], else
 * ERROR 42809.  Nothing of the row is read before this check.
 */
static int
RateCheckRelation(const char *func, Relation rel, const char *const *names, int nnames)
{
	Oid			root = RelationGetRelid(rel);
	Oid			nsp = get_namespace_oid("lsbilling", true);
	char	   *rootname;
	int			i;

	if (rel->rd_rel->relispartition)
	{
		List	   *ancestors = get_partition_ancestors(root);

		if (ancestors != NIL)
			root = llast_oid(ancestors);
		list_free(ancestors);
	}
	rootname = get_rel_name(root);
	if (OidIsValid(nsp) && rootname != NULL && get_rel_namespace(root) == nsp &&
		RelationGetNamespace(rel) == nsp)
	{
		for (i = 0; i < nnames; i++)
			if (NameIsTableOrShard(rootname, names[i]))
				return i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("%s: relation \"%s\" is not one of lsbilling's tables this trigger serves",
					func, RelationGetRelationName(rel)),
			 errdetail("The trigger function only counts and checks rows of lsbilling.%s%s%s.",
					   names[0], nnames > 1 ? " and lsbilling." : "", nnames > 1 ? names[1] : ""),
			 errhint("Do not attach lsbilling's trigger functions to other tables.")));
	return -1;					/* keep compiler quiet */
}

/* ERROR 0A000 unless the column exists with the type the trigger reads. */
static AttrNumber
RateTypedColumn(Relation rel, const char *name, Oid type)
{
	AttrNumber	attnum = LsbColumnOf(rel, name);
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);

	if (att->atttypid != type)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rate_limit_row: column \"%s\" of relation \"%s\" has type %s, not %s",
						name, RelationGetRelationName(rel), format_type_be(att->atttypid),
						format_type_be(type)),
				 errhint("lsbilling's triggers expect the columns of the tables it created.")));
	return attnum;
}

static bool
IsDerivedColumn(const char *name)
{
	for (size_t i = 0; i < lengthof(DerivedColumns); i++)
		if (strcmp(name, DerivedColumns[i]) == 0)
			return true;
	return false;
}

/*
 * The columns the trigger reads, checked once per relation: the table must
 * be lsbilling's runs or feedback (the trigger argument must agree), with a
 * uuid workspace_id and, for runs, the jsonb and text columns of the model.
 */
static const RelCols *
RateColsFor(Relation rel, const char *arg)
{
	static const char *const tables[] = {"runs", "feedback"};
	Oid			relid = RelationGetRelid(rel);
	RelCols    *c;
	RelCols		cols;
	bool		found;

	c = hash_search(Cols, &relid, HASH_FIND, NULL);
	if (c != NULL)
		return c;

	memset(&cols, 0, sizeof(cols));
	cols.relid = relid;
	cols.is_runs = RateCheckRelation("rate_limit_row", rel, tables, 2) == 0;
	if (arg == NULL || strcmp(arg, tables[cols.is_runs ? 0 : 1]) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("rate_limit_row: trigger argument \"%s\" does not match relation \"%s\"",
						arg ? arg : "", RelationGetRelationName(rel)),
				 errhint("Use rate_limit_row('runs') on lsbilling.runs and rate_limit_row('feedback') on lsbilling.feedback.")));
	cols.workspace_id = RateTypedColumn(rel, "workspace_id", UUIDOID);
	if (cols.is_runs)
	{
		TupleDesc	desc = RelationGetDescr(rel);
		AttrNumber *client;

		RateTypedColumn(rel, "inputs", JSONBOID);
		RateTypedColumn(rel, "outputs", JSONBOID);
		RateTypedColumn(rel, "extra", JSONBOID);
		RateTypedColumn(rel, "error", TEXTOID);
		RateTypedColumn(rel, "name", TEXTOID);
		client = MemoryContextAlloc(TopMemoryContext, sizeof(AttrNumber) * Max(desc->natts, 1));
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (att->attisdropped || att->attgenerated != '\0' ||
				IsDerivedColumn(NameStr(att->attname)))
				continue;
			client[cols.nclient++] = att->attnum;
		}
		cols.client = client;
	}
	c = hash_search(Cols, &relid, HASH_ENTER, &found);
	*c = cols;
	return c;
}

/*
 * The bytes a run row ingests: the raw (uncompressed) sizes of the
 * variable-length columns a client writes (inputs, outputs, extra, error,
 * name, tags, usage_metadata, ...).
 */
static int64
RunPayloadBytes(const RelCols *c, HeapTuple tup, TupleDesc desc)
{
	int64		bytes = 0;
	int			i;

	for (i = 0; i < c->nclient; i++)
	{
		bool		isnull;
		Datum		d;

		if (TupleDescAttr(desc, c->client[i] - 1)->attlen != -1)
			continue;
		d = heap_getattr(tup, c->client[i], desc, &isnull);
		if (!isnull)
			bytes += toast_raw_datum_size(d);
	}
	return bytes;
}

/*
 * Whether an update changes a column a client writes: one that changes only
 * derived columns, e.g. recompute_costs()'s "SET extra = extra", is not an
 * ingested event.
 */
static bool
RunUpdateChangesClientColumns(const RelCols *c, HeapTuple oldtup, HeapTuple newtup, TupleDesc desc)
{
	int			i;

	for (i = 0; i < c->nclient; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, c->client[i] - 1);
		bool		oldnull;
		bool		newnull;
		Datum		o = heap_getattr(oldtup, c->client[i], desc, &oldnull);
		Datum		n = heap_getattr(newtup, c->client[i], desc, &newnull);

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
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) || TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("rate_limit_row: must be fired before insert or update of each row")));
	RateCachesInit();
	rel = trigdata->tg_relation;
	/* the table and its columns, before anything of the row is read */
	c = RateColsFor(rel, trigdata->tg_trigger->tgnargs > 0 ? trigdata->tg_trigger->tgargs[0] : NULL);
	is_runs = c->is_runs;
	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	if (LsbMaintenance || LsbCostRecompute || !RateLimitActive(true))
		return PointerGetDatum(tup);

	if (is_runs && TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		!RunUpdateChangesClientColumns(c, trigdata->tg_trigtuple, tup, RelationGetDescr(rel)))
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
	{
		static const char *const tables[] = {"runs", "feedback"};

		RateCheckRelation("rate_limit_flush", trigdata->tg_relation, tables, 2);
	}
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
	{
		static const char *const tables[] = {"organizations", "workspaces"};

		RateCheckRelation("rate_limit_plans_changed", trigdata->tg_relation, tables, 2);
	}
	CacheInvalidateRelcache(trigdata->tg_relation);
	return PointerGetDatum(NULL);
}
