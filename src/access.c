/*-------------------------------------------------------------------------
 *
 * access.c
 *	  API keys, the transaction's tenant context, and the permission check of
 *	  the write triggers.
 *
 * lsbilling.authenticate(api_key, workspace_id, endpoint) is the one entry an
 * application calls per request (per transaction).  It verifies the key with
 * one prepared query (the stored hash is sha256(key || secret), the secret in
 * a table only the extension's owner can read, looked up by a unique index),
 * resolves the workspace the request acts in and the principal's
 * permissions there, hands the request to lsb_request_hook (rate limits),
 * and keeps the result in backend memory stamped with the transaction's
 * local id: it is gone when the transaction ends, so it works behind
 * PgBouncer in transaction mode, and no client can set it, since only this
 * SECURITY DEFINER function writes it.  RLS policies read it once per
 * statement through lsbilling.current_workspace_ids().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"

/* lsv2_pt_ + 32 hex (128 bits) + _ + 10 hex (40 bits), as LangSmith's keys */
#define API_KEY_PREFIX_LEN	8
#define API_KEY_MAIN_HEX	32
#define API_KEY_TAIL_HEX	10
#define API_KEY_LEN			(API_KEY_PREFIX_LEN + API_KEY_MAIN_HEX + 1 + API_KEY_TAIL_HEX)

/* last_used_at is written at most once a minute per key */
#define LAST_USED_GRANULARITY_USEC	(60 * USECS_PER_SEC)

/* SQLSTATEs: LS401 malformed or unknown key, LS403 expired / revoked / owner gone, LS400 workspace needed */
#define ERRCODE_LSB_BAD_KEY			MAKE_SQLSTATE('L', 'S', '4', '0', '1')
#define ERRCODE_LSB_DEAD_KEY		MAKE_SQLSTATE('L', 'S', '4', '0', '3')
#define ERRCODE_LSB_NO_WORKSPACE	MAKE_SQLSTATE('L', 'S', '4', '0', '0')

typedef struct AccessContext
{
	LocalTransactionId lxid;	/* the transaction it belongs to */
	bool		set;
	pg_uuid_t	key_id;
	pg_uuid_t	organization_id;
	pg_uuid_t	workspace_id;
	pg_uuid_t	user_id;
	bool		has_user;
	char		kind[8];		/* pat, service */
	char		short_key[32];
	char	   *role;			/* workspace role */
	char	   *org_role;		/* organization role, NULL for service keys */
	int			npermissions;
	char	  **permissions;
} AccessContext;

static AccessContext Ctx;
static MemoryContext CtxMemory = NULL;

static SPIPlanPtr KeyPlan = NULL;
static SPIPlanPtr PermPlan = NULL;
static SPIPlanPtr TouchPlan = NULL;

#define KEY_SQL \
"SELECT k.id, k.kind, k.organization_id, k.user_id, k.short_key, k.role," \
" k.expires_at, k.revoked_at, k.last_used_at, o.plan, o.has_payment_method," \
" (o.is_personal OR o.plan = 'developer') AS single_workspace, m.role AS org_role, ws.ids" \
" FROM lsbilling.api_keys k" \
" JOIN lsbilling.organizations o ON o.id = k.organization_id" \
" LEFT JOIN LATERAL (SELECT om.role FROM lsbilling.organization_members om" \
"   WHERE k.kind = 'pat' AND om.organization_id = k.organization_id AND om.user_id = k.user_id" \
"     AND om.joined_at = k.member_joined_at AND om.removed_at IS NULL AND om.status = 'active'" \
"   LIMIT 1) m ON true" \
" CROSS JOIN LATERAL (SELECT pg_catalog.array_agg(w.id) AS ids FROM (SELECT w.id" \
"   FROM lsbilling.workspaces w WHERE w.organization_id = k.organization_id" \
"     AND (k.workspace_ids IS NULL OR w.id = ANY (k.workspace_ids))" \
"     AND ($2::uuid IS NULL OR w.id = $2) LIMIT 2) w) ws" \
" WHERE k.key_hash IN (SELECT pg_catalog.sha256(pg_catalog.convert_to($1, 'UTF8')" \
"   OPERATOR(pg_catalog.||) s.secret) FROM lsbilling.key_secrets s)"

/*
 * The principal's workspace role ($3 when the key carries it, else the
 * user's membership) and its permissions: the role's workspace-level ones
 * (built-in or a custom role of the organization) plus the organization
 * role's.  Outside enterprise organizations every role is admin (seed).
 */
#define PERM_SQL \
"WITH r AS (SELECT coalesce($3, (SELECT CASE WHEN $5 THEN wm.role ELSE 'admin' END" \
"   FROM lsbilling.workspace_members wm WHERE wm.workspace_id = $1 AND wm.user_id = $2)) AS role)" \
" SELECT r.role, ARRAY(" \
"   SELECT rp.permission FROM lsbilling.role_permissions rp" \
"    WHERE rp.scope = 'workspace' AND rp.role = r.role" \
"   UNION ALL SELECT pg_catalog.unnest(cr.permissions) FROM lsbilling.custom_roles cr" \
"    WHERE $5 AND cr.organization_id = $4 AND cr.name = r.role" \
"   UNION ALL SELECT rp.permission FROM lsbilling.role_permissions rp" \
"    WHERE rp.scope = 'organization' AND rp.role = $6)" \
" FROM r"

#define TOUCH_SQL \
"UPDATE lsbilling.api_keys SET last_used_at = $2" \
" WHERE id = (SELECT k.id FROM lsbilling.api_keys k WHERE k.id = $1 FOR UPDATE SKIP LOCKED)"

static bool
ContextValid(void)
{
	return Ctx.set && Ctx.lxid == MyProc->lxid;
}

static bool
ContextHasPermission(const char *permission)
{
	int			i;

	for (i = 0; i < Ctx.npermissions; i++)
		if (strcmp(Ctx.permissions[i], permission) == 0)
			return true;
	return false;
}

/* A key's shape: prefix, 32 hex, _, 10 hex.  Says nothing about the key itself. */
static bool
ApiKeyWellFormed(const char *key, int len, bool *is_pat)
{
	int			i;

	if (len != API_KEY_LEN)
		return false;
	if (strncmp(key, "lsv2_pt_", API_KEY_PREFIX_LEN) == 0)
		*is_pat = true;
	else if (strncmp(key, "lsv2_sk_", API_KEY_PREFIX_LEN) == 0)
		*is_pat = false;
	else
		return false;
	for (i = API_KEY_PREFIX_LEN; i < len; i++)
	{
		char		c = key[i];

		if (i == API_KEY_PREFIX_LEN + API_KEY_MAIN_HEX)
		{
			if (c != '_')
				return false;
		}
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

static void
PrepareAccessPlans(void)
{
	if (KeyPlan == NULL)
	{
		Oid			types[2] = {TEXTOID, UUIDOID};

		KeyPlan = LsbPrepareKept(KEY_SQL, 2, types, 0);
	}
	if (PermPlan == NULL)
	{
		Oid			types[6] = {UUIDOID, UUIDOID, TEXTOID, UUIDOID, BOOLOID, TEXTOID};

		PermPlan = LsbPrepareKept(PERM_SQL, 6, types, 0);
	}
	if (TouchPlan == NULL)
	{
		Oid			types[2] = {UUIDOID, TIMESTAMPTZOID};

		TouchPlan = LsbPrepareKept(TOUCH_SQL, 2, types, 0);
	}
}

static char *
GetText(HeapTuple tup, TupleDesc desc, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(tup, desc, col, isnull);

	return *isnull ? NULL : TextDatumGetCString(d);
}

/*
 * lsbilling.authenticate(api_key text, workspace_id uuid DEFAULT NULL,
 *						  endpoint text DEFAULT 'other')
 * returns (key_id, key_kind, organization_id, workspace_id, user_id, role).
 */
PG_FUNCTION_INFO_V1(lsbilling_authenticate);
Datum
lsbilling_authenticate(PG_FUNCTION_ARGS)
{
	text	   *keytext;
	char	   *key;
	int			keylen;
	bool		is_pat = false;
	Datum		args[6];
	char		nulls[6];
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	TimestampTz now = LsbNow();
	TimestampTz last_used = 0;
	bool		last_used_null;
	char	   *kind;
	char	   *short_key;
	char	   *key_role;
	char	   *plan;
	char	   *org_role;
	char	   *role;
	bool		has_payment_method;
	bool		single_workspace;
	pg_uuid_t	key_id;
	pg_uuid_t	org_id;
	pg_uuid_t	user_id;
	bool		has_user;
	pg_uuid_t	ws_id;
	ArrayType  *ids = NULL;
	Datum	   *perm_datums;
	int			nperms;
	LsbRequestPrincipal principal;
	const char *endpoint;
	TupleDesc	rdesc;
	Datum		result[6];
	bool		rnulls[6] = {false, false, false, false, false, false};
	MemoryContext oldcxt;
	int			i;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_LSB_BAD_KEY),
				 errmsg("api key is missing"),
				 errhint("Pass the key (lsv2_pt_… or lsv2_sk_…) as the first argument.")));
	keytext = PG_GETARG_TEXT_PP(0);
	key = VARDATA_ANY(keytext);
	keylen = VARSIZE_ANY_EXHDR(keytext);
	endpoint = PG_ARGISNULL(2) ? "other" : text_to_cstring(PG_GETARG_TEXT_PP(2));

	if (!ApiKeyWellFormed(key, keylen, &is_pat))
		ereport(ERROR,
				(errcode(ERRCODE_LSB_BAD_KEY),
				 errmsg("malformed api key"),
				 errdetail("An API key is lsv2_pt_ or lsv2_sk_ followed by 32 hex digits, an underscore and 10 hex digits."),
				 errhint("Copy the whole key as it was shown when it was created.")));

	if (get_call_result_type(fcinfo, NULL, &rdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "lsbilling.authenticate must return a composite type");
	rdesc = BlessTupleDesc(rdesc);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PrepareAccessPlans();

	args[0] = PointerGetDatum(keytext);
	nulls[0] = ' ';
	args[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	nulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';
	if (SPI_execute_plan(KeyPlan, args, nulls, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "lsbilling could not look up the api key");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_LSB_BAD_KEY),
				 errmsg("unknown api key"),
				 errdetail("No API key with this value exists."),
				 errhint("Create a key with lsbilling.create_pat() or lsbilling.create_service_key().")));

	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	key_id = *DatumGetUUIDP(SPI_getbinval(tup, desc, 1, &isnull));
	kind = GetText(tup, desc, 2, &isnull);
	org_id = *DatumGetUUIDP(SPI_getbinval(tup, desc, 3, &isnull));
	{
		Datum		d = SPI_getbinval(tup, desc, 4, &isnull);

		has_user = !isnull;
		if (has_user)
			user_id = *DatumGetUUIDP(d);
		else
			memset(&user_id, 0, sizeof(user_id));
	}
	short_key = GetText(tup, desc, 5, &isnull);
	key_role = GetText(tup, desc, 6, &isnull);

	{
		Datum		d = SPI_getbinval(tup, desc, 8, &isnull);

		if (!isnull)
			ereport(ERROR,
					(errcode(ERRCODE_LSB_DEAD_KEY),
					 errmsg("api key %s has been revoked", short_key),
					 errdetail("It was revoked at %s.", timestamptz_to_str(DatumGetTimestampTz(d))),
					 errhint("Create a new key.")));
		d = SPI_getbinval(tup, desc, 7, &isnull);
		if (!isnull && DatumGetTimestampTz(d) <= now)
			ereport(ERROR,
					(errcode(ERRCODE_LSB_DEAD_KEY),
					 errmsg("api key %s has expired", short_key),
					 errdetail("It expired at %s; an expired key cannot be reactivated.",
							   timestamptz_to_str(DatumGetTimestampTz(d))),
					 errhint("Create a new key.")));
		d = SPI_getbinval(tup, desc, 9, &last_used_null);
		if (!last_used_null)
			last_used = DatumGetTimestampTz(d);
	}
	plan = GetText(tup, desc, 10, &isnull);
	has_payment_method = DatumGetBool(SPI_getbinval(tup, desc, 11, &isnull));
	single_workspace = DatumGetBool(SPI_getbinval(tup, desc, 12, &isnull));
	org_role = GetText(tup, desc, 13, &isnull);
	if (strcmp(kind, "pat") == 0 && org_role == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_LSB_DEAD_KEY),
				 errmsg("personal access token %s is no longer valid", short_key),
				 errdetail("Its user was removed from the organization; a token does not survive a removal, even after a re-join."),
				 errhint("The user creates a new token.")));
	if (org_role != NULL && single_workspace)
		org_role = "admin";		/* single-workspace organizations: every member is an admin */

	{
		Datum		d = SPI_getbinval(tup, desc, 14, &isnull);
		int			nids = 0;

		if (!isnull)
		{
			ids = DatumGetArrayTypeP(d);
			nids = ArrayGetNItems(ARR_NDIM(ids), ARR_DIMS(ids));
		}
		if (nids == 0)
		{
			if (!PG_ARGISNULL(1))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("api key %s is not valid for workspace %s", short_key,
								LsbUuidText(PG_GETARG_DATUM(1))),
						 errdetail("The workspace is not in the key's organization or outside the workspaces the key is scoped to.")));
			ereport(ERROR,
					(errcode(ERRCODE_LSB_NO_WORKSPACE),
					 errmsg("api key %s has no workspace to act in", short_key),
					 errdetail("Its organization has no workspace within the key's scope.")));
		}
		if (nids > 1)
			ereport(ERROR,
					(errcode(ERRCODE_LSB_NO_WORKSPACE),
					 errmsg("api key %s needs a workspace", short_key),
					 errdetail("The key is valid in more than one workspace."),
					 errhint("Pass the workspace the request acts in: lsbilling.authenticate(key, workspace_id).")));
		{
			Datum	   *elems;
			int			nelems;

			deconstruct_array(ids, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR,
							  &elems, NULL, &nelems);
			ws_id = *DatumGetUUIDP(elems[0]);
		}
	}

	/* role and permissions in that workspace */
	{
		bool		enterprise = strcmp(plan, "enterprise") == 0;
		const char *fixed_role = NULL;

		if (strcmp(kind, "service") == 0)
			fixed_role = enterprise && key_role != NULL ? key_role : "admin";
		else if (strcmp(org_role, "admin") == 0)
			fixed_role = "admin";	/* organization admins are admins of every workspace */

		args[0] = UUIDPGetDatum(&ws_id);
		nulls[0] = ' ';
		args[1] = UUIDPGetDatum(&user_id);
		nulls[1] = has_user ? ' ' : 'n';
		args[2] = fixed_role ? CStringGetTextDatum(fixed_role) : (Datum) 0;
		nulls[2] = fixed_role ? ' ' : 'n';
		args[3] = UUIDPGetDatum(&org_id);
		nulls[3] = ' ';
		args[4] = BoolGetDatum(enterprise);
		nulls[4] = ' ';
		args[5] = org_role ? CStringGetTextDatum(org_role) : (Datum) 0;
		nulls[5] = org_role ? ' ' : 'n';
		if (SPI_execute_plan(PermPlan, args, nulls, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "lsbilling could not read the permissions of api key %s", short_key);
		tup = SPI_tuptable->vals[0];
		desc = SPI_tuptable->tupdesc;
		role = GetText(tup, desc, 1, &isnull);
		if (role == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("api key %s is not valid for workspace %s", short_key,
							LsbUuidText(UUIDPGetDatum(&ws_id))),
					 errdetail("Its user is not a member of the workspace.")));
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 2, &isnull)),
						  TEXTOID, -1, false, TYPALIGN_INT, &perm_datums, NULL, &nperms);
	}

	/* the rate limiter admits the request or raises its own error */
	principal.key_id = key_id;
	principal.key_short = short_key;
	principal.organization_id = org_id;
	principal.workspace_id = ws_id;
	principal.plan = plan;
	principal.has_payment_method = has_payment_method;
	principal.endpoint = endpoint;
	if (lsb_request_hook)
		lsb_request_hook(&principal);

	/* the transaction's context */
	if (CtxMemory == NULL)
		CtxMemory = AllocSetContextCreate(TopMemoryContext, "lsbilling access context",
										  ALLOCSET_SMALL_SIZES);
	MemoryContextReset(CtxMemory);
	Ctx.set = false;
	oldcxt = MemoryContextSwitchTo(CtxMemory);
	Ctx.key_id = key_id;
	Ctx.organization_id = org_id;
	Ctx.workspace_id = ws_id;
	Ctx.user_id = user_id;
	Ctx.has_user = has_user;
	strlcpy(Ctx.kind, kind, sizeof(Ctx.kind));
	strlcpy(Ctx.short_key, short_key, sizeof(Ctx.short_key));
	Ctx.role = pstrdup(role);
	Ctx.org_role = org_role ? pstrdup(org_role) : NULL;
	Ctx.npermissions = nperms;
	Ctx.permissions = palloc(sizeof(char *) * Max(nperms, 1));
	for (i = 0; i < nperms; i++)
		Ctx.permissions[i] = TextDatumGetCString(perm_datums[i]);
	MemoryContextSwitchTo(oldcxt);
	Ctx.lxid = MyProc->lxid;
	Ctx.set = true;

	/* last_used_at: at most one write a minute a key, never waiting on a lock */
	if (!XactReadOnly && (last_used_null || now - last_used >= LAST_USED_GRANULARITY_USEC))
	{
		args[0] = UUIDPGetDatum(&key_id);
		nulls[0] = ' ';
		args[1] = TimestampTzGetDatum(now);
		nulls[1] = ' ';
		if (SPI_execute_plan(TouchPlan, args, nulls, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "lsbilling could not record the use of api key %s", short_key);
	}

	result[0] = UUIDPGetDatum(&Ctx.key_id);
	result[1] = CStringGetTextDatum(Ctx.kind);
	result[2] = UUIDPGetDatum(&Ctx.organization_id);
	result[3] = UUIDPGetDatum(&Ctx.workspace_id);
	result[4] = UUIDPGetDatum(&Ctx.user_id);
	rnulls[4] = !Ctx.has_user;
	result[5] = CStringGetTextDatum(Ctx.role);
	tup = heap_form_tuple(rdesc, result, rnulls);
	/* copy out of SPI's memory before SPI_finish */
	{
		Datum		res = SPI_datumTransfer(HeapTupleGetDatum(tup), false, -1);

		SPI_finish();
		PG_RETURN_DATUM(res);
	}
}

/* The workspaces of the context as a uuid[] (empty when unset: RLS fails closed). */
static Datum
WorkspaceArray(bool allowed)
{
	Datum		d;

	if (!allowed)
		return PointerGetDatum(construct_empty_array(UUIDOID));
	d = UUIDPGetDatum(&Ctx.workspace_id);
	return PointerGetDatum(construct_array(&d, 1, UUIDOID, UUID_LEN, false, TYPALIGN_CHAR));
}

/* lsbilling.current_workspace_ids(): where the transaction's principal may read */
PG_FUNCTION_INFO_V1(lsbilling_current_workspace_ids);
Datum
lsbilling_current_workspace_ids(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(WorkspaceArray(ContextValid()));
}

/* lsbilling.current_workspace_ids(permission): where it may do that */
PG_FUNCTION_INFO_V1(lsbilling_current_workspace_ids_for);
Datum
lsbilling_current_workspace_ids_for(PG_FUNCTION_ARGS)
{
	char	   *permission = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_DATUM(WorkspaceArray(ContextValid() && ContextHasPermission(permission)));
}

/* lsbilling.current_organization_id(): NULL when no principal */
PG_FUNCTION_INFO_V1(lsbilling_current_organization_id);
Datum
lsbilling_current_organization_id(PG_FUNCTION_ARGS)
{
	if (!ContextValid())
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(&Ctx.organization_id);
}

/* lsbilling.current_user_id(): the PAT's user, NULL for service keys or no principal */
PG_FUNCTION_INFO_V1(lsbilling_current_user_id);
Datum
lsbilling_current_user_id(PG_FUNCTION_ARGS)
{
	if (!ContextValid() || !Ctx.has_user)
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(&Ctx.user_id);
}

/* lsbilling.current_key_id(): NULL when no principal */
PG_FUNCTION_INFO_V1(lsbilling_current_key_id);
Datum
lsbilling_current_key_id(PG_FUNCTION_ARGS)
{
	if (!ContextValid())
		PG_RETURN_NULL();
	PG_RETURN_UUID_P(&Ctx.key_id);
}

/* lsbilling.current_permissions(): the principal's permissions, empty when none */
PG_FUNCTION_INFO_V1(lsbilling_current_permissions);
Datum
lsbilling_current_permissions(PG_FUNCTION_ARGS)
{
	Datum	   *elems;
	int			i;
	int			n = ContextValid() ? Ctx.npermissions : 0;

	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	elems = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(Ctx.permissions[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * lsbilling.generate_api_key(kind text): a new key, 168 random bits from
 * pg_strong_random.  Internal: called by create_pat / create_service_key.
 */
PG_FUNCTION_INFO_V1(lsbilling_generate_api_key);
Datum
lsbilling_generate_api_key(PG_FUNCTION_ARGS)
{
	char	   *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	uint8		raw[(API_KEY_MAIN_HEX + API_KEY_TAIL_HEX) / 2];
	char		out[API_KEY_LEN + 1];
	static const char hex[] = "0123456789abcdef";
	int			i;
	int			pos;

	if (strcmp(kind, "pat") != 0 && strcmp(kind, "service") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown api key kind \"%s\"", kind),
				 errhint("The kinds are pat and service.")));
	if (!pg_strong_random(raw, sizeof(raw)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes for an api key")));
	memcpy(out, strcmp(kind, "pat") == 0 ? "lsv2_pt_" : "lsv2_sk_", API_KEY_PREFIX_LEN);
	pos = API_KEY_PREFIX_LEN;
	for (i = 0; i < (int) sizeof(raw); i++)
	{
		if (pos == API_KEY_PREFIX_LEN + API_KEY_MAIN_HEX)
			out[pos++] = '_';
		out[pos++] = hex[raw[i] >> 4];
		out[pos++] = hex[raw[i] & 0x0f];
	}
	out[pos] = '\0';
	Assert(pos == API_KEY_LEN);
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

/* lsbilling.random_secret(): 32 bytes from pg_strong_random (the key-hash secret) */
PG_FUNCTION_INFO_V1(lsbilling_random_secret);
Datum
lsbilling_random_secret(PG_FUNCTION_ARGS)
{
	bytea	   *result = palloc(VARHDRSZ + 32);

	SET_VARSIZE(result, VARHDRSZ + 32);
	if (!pg_strong_random(VARDATA(result), 32))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes for the api key secret")));
	PG_RETURN_BYTEA_P(result);
}

/*
 * BEFORE INSERT OR UPDATE row trigger: when the transaction has a principal,
 * the row must be of its workspace and the principal must hold the
 * permission named by the trigger's argument (runs:create, feedback:create,
 * ...).  Without a principal (the owner, maintenance, the worker) it passes.
 */
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

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || trigdata->tg_trigger->tgnargs != 1)
		elog(ERROR, "lsbilling.access_check must be a BEFORE ROW trigger with one argument");
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	if (!ContextValid())
		return PointerGetDatum(tuple);

	permission = trigdata->tg_trigger->tgargs[0];
	attnum = SPI_fnumber(RelationGetDescr(trigdata->tg_relation), "workspace_id");
	if (attnum <= 0)
		elog(ERROR, "relation \"%s\" has no column workspace_id",
			 RelationGetRelationName(trigdata->tg_relation));
	ws = heap_getattr(tuple, attnum, RelationGetDescr(trigdata->tg_relation), &isnull);
	if (isnull || memcmp(DatumGetUUIDP(ws), &Ctx.workspace_id, UUID_LEN) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("api key %s may not write rows of workspace %s", Ctx.short_key,
						isnull ? "NULL" : LsbUuidText(ws)),
				 errdetail("The transaction is authenticated for workspace %s.",
						   LsbUuidText(UUIDPGetDatum(&Ctx.workspace_id)))));
	if (!ContextHasPermission(permission))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission %s denied to api key %s", permission, Ctx.short_key),
				 errdetail("The key acts with workspace role \"%s\", which does not include %s.",
						   Ctx.role, permission),
				 errhint("Use a key whose role has the permission.")));
	return PointerGetDatum(tuple);
}

/* lsbilling.reset_context(): drops the transaction's principal (rights only shrink) */
PG_FUNCTION_INFO_V1(lsbilling_reset_context);
Datum
lsbilling_reset_context(PG_FUNCTION_ARGS)
{
	Ctx.set = false;
	PG_RETURN_VOID();
}
