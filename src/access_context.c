/*-------------------------------------------------------------------------
 *
 * access_context.c
 *	  The transaction's tenant context, the functions RLS policies read it
 *	  through, and the permission check of the write triggers.
 *
 * lsbilling.authenticate() (api_keys.c) is the only writer.  The context is
 * kept in backend memory stamped with the transaction's local id: it is
 * gone when the transaction ends (commit or rollback), so it works behind
 * PgBouncer in transaction mode, and no client can set it.  RLS policies
 * read it once per statement through lsbilling.current_workspace_ids();
 * unset, they match nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "access.h"

typedef struct AccessContext
{
	LocalTransactionId lxid;	/* the transaction it belongs to */
	bool		set;
	AccessPrincipal p;
} AccessContext;

static AccessContext Ctx;
static MemoryContext CtxMemory = NULL;

/*
 * The transaction's principal, or NULL.  A backend where authenticate() or
 * reset_context() ran in this transaction answers from its own context
 * only; any other backend, on a Citus node, from the signed token that
 * Citus replayed from the coordinator (tenant_token.c), if it verifies.
 */
static const AccessPrincipal *
Principal(void)
{
	if (Ctx.lxid == MyProc->lxid)
		return Ctx.set ? &Ctx.p : NULL;
	return TenantTokenPrincipal();
}

static bool
PrincipalHasPermission(const AccessPrincipal *p, const char *permission)
{
	int			i;

	for (i = 0; i < p->npermissions; i++)
		if (strcmp(p->permissions[i], permission) == 0)
			return true;
	return false;
}

/* Make principal the transaction's context (a copy). */
void
AccessContextSet(const AccessPrincipal *principal)
{
	MemoryContext old;
	int			i;

	if (CtxMemory == NULL)
		CtxMemory = AllocSetContextCreate(TopMemoryContext, "lsbilling access context",
										  ALLOCSET_SMALL_SIZES);
	Ctx.set = false;
	MemoryContextReset(CtxMemory);
	old = MemoryContextSwitchTo(CtxMemory);
	Ctx.p = *principal;
	Ctx.p.role = pstrdup(principal->role);
	Ctx.p.org_role = principal->org_role ? pstrdup(principal->org_role) : NULL;
	Ctx.p.permissions = palloc(sizeof(char *) * Max(principal->npermissions, 1));
	for (i = 0; i < principal->npermissions; i++)
		Ctx.p.permissions[i] = pstrdup(principal->permissions[i]);
	MemoryContextSwitchTo(old);
	Ctx.lxid = MyProc->lxid;
	Ctx.set = true;
}

/* The workspaces of the context as a uuid[] (empty when unset: RLS fails closed). */
static Datum
WorkspaceArray(const AccessPrincipal *p)
{
	Datum		d;

	if (p == NULL)
		return PointerGetDatum(construct_empty_array(UUIDOID));
	d = UUIDPGetDatum(&p->workspace_id);
	return PointerGetDatum(construct_array(&d, 1, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
}

/* lsbilling.current_workspace_ids(): where the transaction's principal may read */
PG_FUNCTION_INFO_V1(lsbilling_current_workspace_ids);
Datum
lsbilling_current_workspace_ids(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(WorkspaceArray(Principal()));
}

/* lsbilling.current_workspace_ids(permission): where it may do that */
PG_FUNCTION_INFO_V1(lsbilling_current_workspace_ids_for);
Datum
lsbilling_current_workspace_ids_for(PG_FUNCTION_ARGS)
{
	char	   *permission = text_to_cstring(PG_GETARG_TEXT_PP(0));
	const AccessPrincipal *p = Principal();

	PG_RETURN_DATUM(WorkspaceArray(p != NULL && PrincipalHasPermission(p, permission) ? p : NULL));
}

/* lsbilling.current_organization_id(): NULL when no principal */
PG_FUNCTION_INFO_V1(lsbilling_current_organization_id);
Datum
lsbilling_current_organization_id(PG_FUNCTION_ARGS)
{
	const AccessPrincipal *p = Principal();

	if (p == NULL)
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(&p->organization_id);
}

/* lsbilling.current_user_id(): the PAT's user, NULL for service keys or no principal */
PG_FUNCTION_INFO_V1(lsbilling_current_user_id);
Datum
lsbilling_current_user_id(PG_FUNCTION_ARGS)
{
	const AccessPrincipal *p = Principal();

	if (p == NULL || !p->has_user)
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(&p->user_id);
}

/* lsbilling.current_key_id(): NULL when no principal */
PG_FUNCTION_INFO_V1(lsbilling_current_key_id);
Datum
lsbilling_current_key_id(PG_FUNCTION_ARGS)
{
	const AccessPrincipal *p = Principal();

	if (p == NULL)
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(&p->key_id);
}

/* lsbilling.current_permissions(): the principal's permissions, empty when none */
PG_FUNCTION_INFO_V1(lsbilling_current_permissions);
Datum
lsbilling_current_permissions(PG_FUNCTION_ARGS)
{
	Datum	   *elems;
	int			i;
	const AccessPrincipal *p = Principal();
	int			n = p != NULL ? p->npermissions : 0;

	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	elems = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(p->permissions[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * BEFORE INSERT OR UPDATE row trigger: when the transaction has a principal,
 * the row must be of its workspace and the principal must hold the
 * permission named by the trigger's argument (runs:create, feedback:create,
 * ...).  Without a principal (the owner, maintenance, the worker) it passes.
 */
typedef struct AccessCheckColumn
{
	Oid			relid;
	int			attnum;			/* of workspace_id */
} AccessCheckColumn;

PG_FUNCTION_INFO_V1(lsbilling_access_check);
Datum
lsbilling_access_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	const char *permission;
	int			attnum;
	bool		isnull;
	Datum		ws;
	const AccessPrincipal *p;
	AccessCheckColumn *cache;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || trigdata->tg_trigger->tgnargs != 1)
		elog(ERROR, "lsbilling.access_check must be a BEFORE ROW trigger with one argument");
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	p = Principal();
	/*
	 * lsbilling's own writes under lsbilling.maintenance (kept_runs.c's
	 * moves, the purge) ask for no permission
	 */
	if (p == NULL || LsbMaintenance)
		return PointerGetDatum(tuple);

	permission = trigdata->tg_trigger->tgargs[0];
	/* looked up once a statement and relation, not once a row */
	cache = (AccessCheckColumn *) fcinfo->flinfo->fn_extra;
	if (cache == NULL || cache->relid != RelationGetRelid(trigdata->tg_relation))
	{
		if (cache == NULL)
			cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(AccessCheckColumn));
		cache->relid = RelationGetRelid(trigdata->tg_relation);
		cache->attnum = SPI_fnumber(RelationGetDescr(trigdata->tg_relation), "workspace_id");
		fcinfo->flinfo->fn_extra = cache;
	}
	attnum = cache->attnum;
	if (attnum <= 0)
		elog(ERROR, "relation \"%s\" has no column workspace_id",
			 RelationGetRelationName(trigdata->tg_relation));
	ws = heap_getattr(tuple, attnum, RelationGetDescr(trigdata->tg_relation), &isnull);
	if (isnull || memcmp(DatumGetUUIDP(ws), &p->workspace_id, UUID_LEN) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("api key %s may not write rows of workspace %s", p->short_key,
						isnull ? "NULL" : LsbUuidText(ws)),
				 errdetail("The transaction is authenticated for workspace %s.",
						   LsbUuidText(UUIDPGetDatum(&p->workspace_id)))));
	if (!PrincipalHasPermission(p, permission))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission %s denied to api key %s", permission, p->short_key),
				 errdetail("The key acts with workspace role \"%s\", which does not include %s.",
						   p->role, permission),
				 errhint("Use a key whose role has the permission.")));
	return PointerGetDatum(tuple);
}

/* lsbilling.reset_context(): drops the transaction's principal (rights only shrink) */
PG_FUNCTION_INFO_V1(lsbilling_reset_context);
Datum
lsbilling_reset_context(PG_FUNCTION_ARGS)
{
	Ctx.set = false;
	Ctx.lxid = MyProc->lxid;	/* this backend no longer takes a token either */
	TenantTokenClear();
	PG_RETURN_VOID();
}

/*
 * lsbilling.caller_is_owner(): whether the role that called into lsbilling
 * (the session's role as of its last SET ROLE, not the owner that a
 * SECURITY DEFINER function runs as) has the privileges of the extension's
 * owner: a superuser or the owner itself.  The key-management functions run
 * as the owner and act without an authenticated principal only for such a
 * caller (the DBA creating an organization's first keys); an application
 * role must authenticate first.
 */
PG_FUNCTION_INFO_V1(lsbilling_caller_is_owner);
Datum
lsbilling_caller_is_owner(PG_FUNCTION_ARGS)
{
	Oid			nsp = get_namespace_oid("lsbilling", false);
	Oid			relid = get_relname_relid("api_keys", nsp);
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(relid))
		PG_RETURN_BOOL(superuser_arg(GetOuterUserId()));
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	PG_RETURN_BOOL(has_privs_of_role(GetOuterUserId(), owner));
}
