/*-------------------------------------------------------------------------
 *
 * api_keys.c
 *	  API keys: lsbilling.authenticate(), the backend's cache of verified
 *	  keys, and the making of new keys.
 *
 * authenticate(api_key, workspace_id, endpoint) is the one entry an
 * application calls per request (per transaction).  A key is stored only as
 * sha256(key || secret), the secret in a table only the extension's owner
 * can read, looked up by a unique index.  The first use of a key in a backend
 * verifies it with two prepared queries (key, organization, membership and
 * workspace scope; then the role's permissions in the workspace it acts in);
 * the result is kept, so a request with a known key costs a SHA-256 and a
 * hash lookup.  The verified principal goes to lsb_request_hook (rate
 * limits) and then into the transaction's context (access_context.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"
#include "access.h"

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

static SPIPlanPtr KeyPlan = NULL;
static SPIPlanPtr PermPlan = NULL;
static SPIPlanPtr TouchPlan = NULL;

#define KEY_SQL \
"SELECT k.id, k.kind, k.organization_id, k.user_id, k.short_key, k.role," \
" k.expires_at, k.revoked_at, k.last_used_at, o.plan, o.has_payment_method," \
" (o.is_personal OR o.plan = 'developer') AS single_workspace, m.role AS org_role, ws.ids, k.key_hash" \
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

/*
 * The verified keys of this backend, by (key hash, requested workspace): a
 * request with a known key costs a SHA-256 and a hash lookup, no SQL.  Only
 * successes are kept.  Every change to what a verification read (keys,
 * secrets, organizations, members, roles) runs the statement trigger
 * lsbilling.access_changed(), which sends a relcache invalidation of
 * api_keys at commit (transactional, to every backend); the callback marks
 * the cache stale, as the price map does.  Expiry is checked on every call.
 */
typedef struct AuthKey
{
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	pg_uuid_t	workspace;		/* requested workspace, zeros for none */
} AuthKey;

typedef struct AuthEntry
{
	AuthKey		key;			/* hash key: first */
	AccessPrincipal p;			/* what the context gets */
	bool		has_expiry;
	bool		has_payment_method;
	TimestampTz expires_at;
	TimestampTz last_used;		/* 0: never */
	char	   *plan;
} AuthEntry;

#define AUTH_CACHE_MAX_ENTRIES	4096

static HTAB *AuthCache = NULL;
static MemoryContext AuthCacheMemory = NULL;
static bool AuthCacheStale = true;
static bool AuthCallbackRegistered = false;
static Oid	AuthMarkerRelid = InvalidOid;
static bool SecretsLoaded = false;
static int	NSecrets = 0;
static bytea **Secrets = NULL;

static void
AuthRelcacheCallback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == AuthMarkerRelid || AuthMarkerRelid == InvalidOid)
		AuthCacheStale = true;
}

static void
AuthCacheEnsure(void)
{
	HASHCTL		ctl;

	if (!AuthCallbackRegistered)
	{
		CacheRegisterRelcacheCallback(AuthRelcacheCallback, (Datum) 0);
		AuthCallbackRegistered = true;
	}
	if (!AuthCacheStale && AuthCache != NULL &&
		hash_get_num_entries(AuthCache) < AUTH_CACHE_MAX_ENTRIES)
		return;
	/* a change that arrives while we read is kept for the next call */
	AuthCacheStale = false;
	if (AuthCacheMemory == NULL)
		AuthCacheMemory = AllocSetContextCreate(TopMemoryContext, "lsbilling api key cache",
												ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(AuthCacheMemory);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(AuthKey);
	ctl.entrysize = sizeof(AuthEntry);
	ctl.hcxt = AuthCacheMemory;
	AuthCache = hash_create("lsbilling api key cache", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	SecretsLoaded = false;
	NSecrets = 0;
	Secrets = NULL;
	AuthMarkerRelid = get_relname_relid("api_keys", get_namespace_oid("lsbilling", false));
}

/* SPI with search_path pinned to pg_catalog, pg_temp; returns the GUC nest level */
static int
AuthSpiBegin(void)
{
	int			nest;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	PrepareAccessPlans();
	return nest;
}

static void
AuthSpiEnd(int nest)
{
	AtEOXact_GUC(true, nest);
	SPI_finish();
}

static void
LoadSecrets(void)
{
	MemoryContext old;
	uint64		i;

	if (SPI_execute("SELECT s.secret FROM lsbilling.key_secrets s", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "lsbilling could not read its key secrets");
	old = MemoryContextSwitchTo(AuthCacheMemory);
	Secrets = palloc(sizeof(bytea *) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			Secrets[NSecrets++] = DatumGetByteaPCopy(d);
	}
	MemoryContextSwitchTo(old);
	SecretsLoaded = true;
}

/* sha256(key || secret), as lsbilling.api_key_hash() stores it */
static void
KeyHash(const char *key, int keylen, const bytea *secret, uint8 *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) key, keylen) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret)) < 0 ||
		pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute an api key hash");
	pg_cryptohash_free(ctx);
}

static char *
GetText(HeapTuple tup, TupleDesc desc, int col, bool *isnull)
{
	Datum		d = SPI_getbinval(tup, desc, col, isnull);

	return *isnull ? NULL : TextDatumGetCString(d);
}

static void
RaiseExpired(const char *short_key, TimestampTz expires_at)
{
	ereport(ERROR,
			(errcode(ERRCODE_LSB_DEAD_KEY),
			 errmsg("api key %s has expired", short_key),
			 errdetail("It expired at %s; an expired key cannot be reactivated.",
					   timestamptz_to_str(expires_at)),
			 errhint("Create a new key.")));
}

/*
 * Verify a key with SQL (a cache miss) and keep the result in the cache.
 * Errors here are the key's: unknown, revoked, expired, owner gone, out of
 * scope.  SPI is connected by the caller.
 */
static AuthEntry *
AuthResolve(text *keytext, bool has_ws, Datum requested_ws, TimestampTz now)
{
	Datum		args[6];
	char		nulls[6];
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	char	   *kind;
	char	   *short_key;
	char	   *key_role;
	char	   *plan;
	char	   *org_role;
	char	   *role;
	bool		single_workspace;
	AuthEntry	e;
	AuthEntry  *entry;
	AuthKey		hkey;
	Datum	   *perm_datums;
	int			nperms;
	bool		found;
	MemoryContext old;
	int			i;

	memset(&e, 0, sizeof(e));
	args[0] = PointerGetDatum(keytext);
	nulls[0] = ' ';
	args[1] = has_ws ? requested_ws : (Datum) 0;
	nulls[1] = has_ws ? ' ' : 'n';
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
	e.p.key_id = *DatumGetUUIDP(SPI_getbinval(tup, desc, 1, &isnull));
	kind = GetText(tup, desc, 2, &isnull);
	e.p.organization_id = *DatumGetUUIDP(SPI_getbinval(tup, desc, 3, &isnull));
	{
		Datum		d = SPI_getbinval(tup, desc, 4, &isnull);

		e.p.has_user = !isnull;
		if (e.p.has_user)
			e.p.user_id = *DatumGetUUIDP(d);
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
		e.has_expiry = !isnull;
		if (e.has_expiry)
		{
			e.expires_at = DatumGetTimestampTz(d);
			if (e.expires_at <= now)
				RaiseExpired(short_key, e.expires_at);
		}
		d = SPI_getbinval(tup, desc, 9, &isnull);
		e.last_used = isnull ? 0 : DatumGetTimestampTz(d);
	}
	plan = GetText(tup, desc, 10, &isnull);
	e.has_payment_method = DatumGetBool(SPI_getbinval(tup, desc, 11, &isnull));
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
		Datum	   *elems = NULL;

		if (!isnull)
			deconstruct_array(DatumGetArrayTypeP(d), UUIDOID, UUID_LEN, false, TYPALIGN_CHAR,
							  &elems, NULL, &nids);
		if (nids == 0)
		{
			if (has_ws)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("api key %s is not valid for workspace %s", short_key,
								LsbUuidText(requested_ws)),
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
		e.p.workspace_id = *DatumGetUUIDP(elems[0]);
	}
	{
		bytea	   *h = DatumGetByteaPP(SPI_getbinval(tup, desc, 15, &isnull));

		if (isnull || VARSIZE_ANY_EXHDR(h) != PG_SHA256_DIGEST_LENGTH)
			elog(ERROR, "api key %s has a malformed hash", short_key);
		memset(&hkey, 0, sizeof(hkey));
		memcpy(hkey.hash, VARDATA_ANY(h), PG_SHA256_DIGEST_LENGTH);
		if (has_ws)
			hkey.workspace = *DatumGetUUIDP(requested_ws);
	}

	/* role and permissions in that workspace */
	{
		bool		enterprise = strcmp(plan, "enterprise") == 0;
		const char *fixed_role = NULL;

		if (strcmp(kind, "service") == 0)
			fixed_role = enterprise && key_role != NULL ? key_role : "admin";
		else if (strcmp(org_role, "admin") == 0)
			fixed_role = "admin";	/* organization admins are admins of every workspace */

		args[0] = UUIDPGetDatum(&e.p.workspace_id);
		nulls[0] = ' ';
		args[1] = UUIDPGetDatum(&e.p.user_id);
		nulls[1] = e.p.has_user ? ' ' : 'n';
		args[2] = fixed_role ? CStringGetTextDatum(fixed_role) : (Datum) 0;
		nulls[2] = fixed_role ? ' ' : 'n';
		args[3] = UUIDPGetDatum(&e.p.organization_id);
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
							LsbUuidText(UUIDPGetDatum(&e.p.workspace_id))),
					 errdetail("Its user is not a member of the workspace.")));
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 2, &isnull)),
						  TEXTOID, -1, false, TYPALIGN_INT, &perm_datums, NULL, &nperms);
	}

	/* keep it */
	entry = (AuthEntry *) hash_search(AuthCache, &hkey, HASH_ENTER, &found);
	old = MemoryContextSwitchTo(AuthCacheMemory);
	e.key = hkey;
	strlcpy(e.p.kind, kind, sizeof(e.p.kind));
	strlcpy(e.p.short_key, short_key, sizeof(e.p.short_key));
	e.plan = pstrdup(plan);
	e.p.role = pstrdup(role);
	e.p.org_role = org_role ? pstrdup(org_role) : NULL;
	e.p.npermissions = nperms;
	e.p.permissions = palloc(sizeof(char *) * Max(nperms, 1));
	for (i = 0; i < nperms; i++)
		e.p.permissions[i] = TextDatumGetCString(perm_datums[i]);
	MemoryContextSwitchTo(old);
	*entry = e;
	return entry;
}

/*
 * lsbilling.authenticate(api_key text, workspace_id uuid DEFAULT NULL,
 *						  endpoint text DEFAULT 'other')
 * returns (key_id, key_kind, organization_id, workspace_id, user_id, role).
 * SECURITY DEFINER; the SQL it runs on a cache miss runs with search_path
 * pinned to pg_catalog, pg_temp.
 */
PG_FUNCTION_INFO_V1(lsbilling_authenticate);
Datum
lsbilling_authenticate(PG_FUNCTION_ARGS)
{
	text	   *keytext;
	char	   *key;
	int			keylen;
	bool		is_pat = false;
	bool		has_ws = !PG_ARGISNULL(1);
	TimestampTz now = LsbNow();
	AuthEntry  *entry = NULL;
	AuthKey		hkey;
	LsbRequestPrincipal principal;
	const char *endpoint;
	TupleDesc	rdesc;
	Datum		result[6];
	bool		rnulls[6] = {false, false, false, false, false, false};
	MemoryContext oldcxt;
	int			nest = -1;
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

	/* the result's descriptor, once per call site */
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		if (get_call_result_type(fcinfo, NULL, &rdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "lsbilling.authenticate must return a composite type");
		oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		rdesc = BlessTupleDesc(CreateTupleDescCopy(rdesc));
		MemoryContextSwitchTo(oldcxt);
		fcinfo->flinfo->fn_extra = rdesc;
	}
	rdesc = (TupleDesc) fcinfo->flinfo->fn_extra;

	AuthCacheEnsure();
	if (!SecretsLoaded)
	{
		nest = AuthSpiBegin();
		LoadSecrets();
	}
	memset(&hkey, 0, sizeof(hkey));
	if (has_ws)
		hkey.workspace = *PG_GETARG_UUID_P(1);
	for (i = 0; i < NSecrets && entry == NULL; i++)
	{
		KeyHash(key, keylen, Secrets[i], hkey.hash);
		entry = (AuthEntry *) hash_search(AuthCache, &hkey, HASH_FIND, NULL);
	}
	if (entry == NULL)
	{
		if (nest < 0)
			nest = AuthSpiBegin();
		entry = AuthResolve(keytext, has_ws, has_ws ? PG_GETARG_DATUM(1) : (Datum) 0, now);
	}
	else if (entry->has_expiry && entry->expires_at <= now)
		RaiseExpired(entry->p.short_key, entry->expires_at);

	/* the rate limiter admits the request or raises its own error */
	principal.key_id = entry->p.key_id;
	principal.key_short = entry->p.short_key;
	principal.organization_id = entry->p.organization_id;
	principal.workspace_id = entry->p.workspace_id;
	principal.plan = entry->plan;
	principal.has_payment_method = entry->has_payment_method;
	principal.endpoint = endpoint;
	if (lsb_request_hook)
		lsb_request_hook(&principal);

	/* the transaction's context (a copy: the cache may be reset meanwhile) */
	AccessContextSet(&entry->p);

	/* last_used_at: at most one write a minute a key, never waiting on a lock */
	if (!XactReadOnly && (entry->last_used == 0 || now - entry->last_used >= LAST_USED_GRANULARITY_USEC))
	{
		Datum		args[2];
		char		nulls[2] = {' ', ' '};

		if (nest < 0)
			nest = AuthSpiBegin();
		args[0] = UUIDPGetDatum(&entry->p.key_id);
		args[1] = TimestampTzGetDatum(now);
		if (SPI_execute_plan(TouchPlan, args, nulls, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "lsbilling could not record the use of api key %s", entry->p.short_key);
		entry->last_used = now;
	}
	if (nest >= 0)
		AuthSpiEnd(nest);

	/* on Citus, the same context for the shards, signed (after the SPI above: SET LOCAL must outlive it) */
	if (NSecrets > 0)
		TenantTokenIssue(&entry->p, Secrets[0]);

	result[0] = UUIDPGetDatum(&entry->p.key_id);
	result[1] = CStringGetTextDatum(entry->p.kind);
	result[2] = UUIDPGetDatum(&entry->p.organization_id);
	result[3] = UUIDPGetDatum(&entry->p.workspace_id);
	result[4] = UUIDPGetDatum(&entry->p.user_id);
	rnulls[4] = !entry->p.has_user;
	result[5] = CStringGetTextDatum(entry->p.role);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(rdesc, result, rnulls)));
}

/*
 * Statement trigger on the tables a verification reads: every backend's
 * cache of verified keys goes stale at commit.
 */
PG_FUNCTION_INFO_V1(lsbilling_access_changed);
Datum
lsbilling_access_changed(PG_FUNCTION_ARGS)
{
	Oid			relid;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "lsbilling.access_changed must be called as a trigger");
	relid = get_relname_relid("api_keys", get_namespace_oid("lsbilling", false));
	if (OidIsValid(relid))
		CacheInvalidateRelcacheByRelid(relid);
	return PointerGetDatum(NULL);
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

