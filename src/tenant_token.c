/*-------------------------------------------------------------------------
 *
 * tenant_token.c
 *	  The tenant context on Citus shards: a signed token that carries the
 *	  transaction's principal from the coordinator to the worker backends.
 *
 * The context lsbilling.authenticate() sets lives in backend memory
 * (access_context.c).  On Citus the queries and triggers of a distributed
 * table run in other backends, on the workers, where that memory does not
 * exist.  Where Citus is active, authenticate() therefore also runs
 *
 *		SET LOCAL lsbilling.tenant_token = 'v1.<payload>.<mac>'
 *
 * through SPI; with citus.propagate_set_commands = 'local' Citus replays
 * that statement on every worker connection of the transaction.  The
 * payload is the principal (key, organization, workspace, user, role,
 * permissions) and an expiry TENANT_TOKEN_TTL after the clock; the mac is an
 * HMAC-SHA-256 over it keyed with a key-hash secret of lsbilling.key_secrets
 * (owner-only; a reference table, so every node has the same rows).  A
 * backend without a context of its own verifies the token once a
 * transaction and then answers the current_*() functions from it; a
 * malformed, forged or expired token is no context at all (RLS matches
 * nothing).  The setting is superuser-only to read, so the application
 * cannot copy a token; it can set one, but cannot make one verify.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "port/pg_bswap.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "lsbilling.h"
#include "access.h"

/* how long a token verifies after the clock of the transaction that made it */
#define TENANT_TOKEN_TTL		(5 * 60 * USECS_PER_SEC)
#define TENANT_TOKEN_VERSION	1
#define TENANT_TOKEN_PREFIX		"v1."
#define TENANT_TOKEN_DOMAIN		"lsbilling tenant token v1\n"

static char *TenantToken = NULL;

/* the last token this backend verified, for its transaction */
static MemoryContext TokenMemory = NULL;
static LocalTransactionId TokenLxid = InvalidLocalTransactionId;
static char *TokenVerified = NULL;
static bool TokenGood = false;
static AccessPrincipal TokenPrincipal;

void
TenantTokenInit(void)
{
	/*
	 * Set only by lsbilling.authenticate() (and cleared by reset_context())
	 * with SET LOCAL, so that Citus replays it on the workers; user-settable
	 * because the workers' connections run as the application's role, but
	 * readable only by superusers, and worth nothing without the signature.
	 */
	DefineCustomStringVariable("lsbilling.tenant_token",
							   "The signed tenant context of the transaction, for Citus shards (internal).",
							   "Set by lsbilling.authenticate() where Citus is active; verified by the workers.",
							   &TenantToken,
							   "",
							   PGC_USERSET,
							   GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE |
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
}

/* --- encoding --------------------------------------------------------- */

static void
PutString(StringInfo buf, const char *s)
{
	uint16		len;

	if (s == NULL)
	{
		len = pg_hton16(0xFFFF);
		appendBinaryStringInfo(buf, (char *) &len, 2);
		return;
	}
	if (strlen(s) >= 0xFFFF)
		elog(ERROR, "lsbilling tenant token: a field is too long");
	len = pg_hton16((uint16) strlen(s));
	appendBinaryStringInfo(buf, (char *) &len, 2);
	appendBinaryStringInfo(buf, s, strlen(s));
}

typedef struct Reader
{
	const uint8 *p;
	int			left;
	bool		bad;
} Reader;

static const uint8 *
Take(Reader *r, int n)
{
	const uint8 *p = r->p;

	if (r->bad || n > r->left)
	{
		r->bad = true;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint16
TakeU16(Reader *r)
{
	const uint8 *p = Take(r, 2);
	uint16		v;

	if (p == NULL)
		return 0;
	memcpy(&v, p, 2);
	return pg_ntoh16(v);
}

/* a string field, palloc'd in the current context; NULL for a NULL field or on error */
static char *
TakeString(Reader *r)
{
	uint16		len = TakeU16(r);
	const uint8 *p;

	if (r->bad || len == 0xFFFF)
		return NULL;
	p = Take(r, len);
	if (p == NULL)
		return NULL;
	if (memchr(p, '\0', len) != NULL)
	{
		r->bad = true;
		return NULL;
	}
	return pnstrdup((const char *) p, len);
}

static void
TakeUuid(Reader *r, pg_uuid_t *out)
{
	const uint8 *p = Take(r, UUID_LEN);

	if (p != NULL)
		memcpy(out->data, p, UUID_LEN);
}

/* the payload: the principal and its expiry */
static void
EncodePayload(StringInfo buf, const AccessPrincipal *p, TimestampTz expires)
{
	uint8		head[2] = {TENANT_TOKEN_VERSION, p->has_user ? 1 : 0};
	char		kind[sizeof(p->kind)];
	int64		exp = pg_hton64((uint64) expires);
	uint16		n;
	int			i;

	appendBinaryStringInfo(buf, (char *) head, 2);
	memset(kind, 0, sizeof(kind));
	strlcpy(kind, p->kind, sizeof(kind));
	appendBinaryStringInfo(buf, kind, sizeof(kind));
	appendBinaryStringInfo(buf, (char *) p->key_id.data, UUID_LEN);
	appendBinaryStringInfo(buf, (char *) p->organization_id.data, UUID_LEN);
	appendBinaryStringInfo(buf, (char *) p->workspace_id.data, UUID_LEN);
	appendBinaryStringInfo(buf, (char *) p->user_id.data, UUID_LEN);
	appendBinaryStringInfo(buf, (char *) &exp, 8);
	PutString(buf, p->short_key);
	PutString(buf, p->role);
	PutString(buf, p->org_role);
	n = pg_hton16((uint16) p->npermissions);
	appendBinaryStringInfo(buf, (char *) &n, 2);
	for (i = 0; i < p->npermissions; i++)
		PutString(buf, p->permissions[i]);
}

/* false when the payload is malformed; fills *p (strings palloc'd) and *expires */
static bool
DecodePayload(const uint8 *data, int len, AccessPrincipal *p, TimestampTz *expires)
{
	Reader		r = {data, len, false};
	const uint8 *head = Take(&r, 2);
	const uint8 *kind = Take(&r, sizeof(p->kind));
	const uint8 *exp;
	char	   *s;
	int			n;
	int			i;

	memset(p, 0, sizeof(*p));
	if (r.bad || head[0] != TENANT_TOKEN_VERSION || kind[sizeof(p->kind) - 1] != '\0')
		return false;
	p->has_user = head[1] != 0;
	memcpy(p->kind, kind, sizeof(p->kind));
	TakeUuid(&r, &p->key_id);
	TakeUuid(&r, &p->organization_id);
	TakeUuid(&r, &p->workspace_id);
	TakeUuid(&r, &p->user_id);
	exp = Take(&r, 8);
	if (exp != NULL)
	{
		uint64		v;

		memcpy(&v, exp, 8);
		*expires = (TimestampTz) pg_ntoh64(v);
	}
	s = TakeString(&r);
	if (s == NULL)
		return false;
	strlcpy(p->short_key, s, sizeof(p->short_key));
	p->role = TakeString(&r);
	p->org_role = TakeString(&r);
	n = TakeU16(&r);
	if (r.bad || p->role == NULL)
		return false;
	p->npermissions = n;
	p->permissions = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		p->permissions[i] = TakeString(&r);
		if (p->permissions[i] == NULL)
			return false;
	}
	return !r.bad && r.left == 0;
}

static void
Mac(const bytea *secret, const char *payload_b64, int len, uint8 *out)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL ||
		pg_hmac_init(ctx, (const uint8 *) VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) TENANT_TOKEN_DOMAIN, strlen(TENANT_TOKEN_DOMAIN)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) payload_b64, len) < 0 ||
		pg_hmac_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute the tenant token's mac");
	pg_hmac_free(ctx);
}

/* --- issuing (the node where authenticate() runs) ---------------------- */

static void
SetLocalToken(const char *token)
{
	char	   *sql = psprintf("SET LOCAL lsbilling.tenant_token = %s", quote_literal_cstr(token));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "lsbilling could not set its tenant token");
	SPI_finish();
	pfree(sql);
}

/*
 * Where Citus is active: sign principal with secret and SET LOCAL the token,
 * which Citus replays on the workers of the transaction.  Elsewhere nothing.
 */
void
TenantTokenIssue(const AccessPrincipal *principal, const bytea *secret)
{
	StringInfoData payload;
	char	   *b64;
	int			b64len;
	uint8		mac[PG_SHA256_DIGEST_LENGTH];
	char		machex[PG_SHA256_DIGEST_LENGTH * 2 + 1];
	char	   *token;

	if (!LsbCitusActive())
		return;
	initStringInfo(&payload);
	EncodePayload(&payload, principal, LsbNow() + TENANT_TOKEN_TTL);
	b64 = palloc(pg_b64_enc_len(payload.len) + 1);
	b64len = pg_b64_encode(payload.data, payload.len, b64, pg_b64_enc_len(payload.len));
	if (b64len < 0)
		elog(ERROR, "could not encode the tenant token");
	b64[b64len] = '\0';
	Mac(secret, b64, b64len, mac);
	hex_encode((char *) mac, PG_SHA256_DIGEST_LENGTH, machex);
	machex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	token = psprintf(TENANT_TOKEN_PREFIX "%s.%s", b64, machex);
	SetLocalToken(token);
}

/* reset_context(): the workers forget the principal too */
void
TenantTokenClear(void)
{
	if (LsbCitusActive() && TenantToken != NULL && TenantToken[0] != '\0')
		SetLocalToken("");
}

/* --- verifying (a worker backend) --------------------------------------- */

/* Read the key-hash secrets from the relation relid, bypassing Citus's planner. */
static List *
ScanSecrets(Oid relid, List *secrets)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	attnum = get_attnum(relid, "secret");
	Snapshot	snap = RegisterSnapshot(GetLatestSnapshot());
	TableScanDesc scan;
	HeapTuple	tup;

	if (attnum == InvalidAttrNumber)
		elog(ERROR, "relation \"%s\" has no column secret", RelationGetRelationName(rel));
	scan = table_beginscan(rel, snap, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, attnum, desc, &isnull);

		if (!isnull)
			secrets = lappend(secrets, DatumGetByteaPCopy(d));
	}
	table_endscan(scan);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);
	return secrets;
}

/*
 * The key-hash secrets as this node holds them: on Citus the rows of
 * lsbilling.key_secrets (a reference table) are in its local shard, read
 * directly: a query on the table itself would be a distributed query, which
 * Citus refuses inside a query on a shard.  Without a local shard (no Citus
 * metadata here), the table itself.
 */
static List *
LoadNodeSecrets(void)
{
	Oid			nsp = get_namespace_oid("lsbilling", false);
	Oid			relid = get_relname_relid("key_secrets", nsp);
	List	   *shards = NIL;
	List	   *secrets = NIL;
	ListCell   *lc;
	MemoryContext caller = CurrentMemoryContext;

	if (!OidIsValid(relid))
		return NIL;
	if (OidIsValid(get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE)))
	{
		Oid			argtypes[1] = {OIDOID};
		Datum		args[1] = {ObjectIdGetDatum(relid)};
		uint64		i;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute_with_args("SELECT s.shardid FROM pg_catalog.pg_dist_shard s"
								  " WHERE s.logicalrelid = $1::pg_catalog.regclass",
								  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "lsbilling could not find the shards of its key secrets");
		for (i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			int64		shardid = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
															  SPI_tuptable->tupdesc, 1, &isnull));
			Oid			shard = get_relname_relid(psprintf("key_secrets_" INT64_FORMAT, shardid), nsp);

			if (OidIsValid(shard))
			{
				MemoryContext spi = MemoryContextSwitchTo(caller);

				shards = lappend_oid(shards, shard);
				MemoryContextSwitchTo(spi);
			}
		}
		SPI_finish();
	}
	if (shards == NIL)
		return ScanSecrets(relid, NIL);
	foreach(lc, shards)
		secrets = ScanSecrets(lfirst_oid(lc), secrets);
	return secrets;
}

/* constant-time comparison of two macs */
static bool
MacEqual(const uint8 *a, const uint8 *b)
{
	uint8		diff = 0;
	int			i;

	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* Verify token; on success fill *p (palloc'd in the current context). */
static bool
VerifyToken(const char *token, AccessPrincipal *p)
{
	const char *b64;
	const char *dot;
	int			b64len;
	uint8		given[PG_SHA256_DIGEST_LENGTH];
	uint8		mac[PG_SHA256_DIGEST_LENGTH];
	char	   *payload;
	int			len;
	TimestampTz expires = 0;
	List	   *secrets;
	ListCell   *lc;
	bool		ok = false;
	int			i;

	if (strncmp(token, TENANT_TOKEN_PREFIX, strlen(TENANT_TOKEN_PREFIX)) != 0)
		return false;
	b64 = token + strlen(TENANT_TOKEN_PREFIX);
	dot = strchr(b64, '.');
	if (dot == NULL || strlen(dot + 1) != PG_SHA256_DIGEST_LENGTH * 2)
		return false;
	b64len = dot - b64;
	for (i = 0; i < PG_SHA256_DIGEST_LENGTH * 2; i++)
		if (!isxdigit((unsigned char) dot[1 + i]))
			return false;
	hex_decode(dot + 1, PG_SHA256_DIGEST_LENGTH * 2, (char *) given);

	secrets = LoadNodeSecrets();
	foreach(lc, secrets)
	{
		Mac((bytea *) lfirst(lc), b64, b64len, mac);
		if (MacEqual(mac, given))
			ok = true;
	}
	if (!ok)
		return false;

	payload = palloc(pg_b64_dec_len(b64len) + 1);
	len = pg_b64_decode(b64, b64len, payload, pg_b64_dec_len(b64len));
	if (len < 0 || !DecodePayload((const uint8 *) payload, len, p, &expires))
		return false;
	return LsbNow() < expires;
}

/*
 * The principal the token of this transaction carries, or NULL: no token,
 * Citus not active, or a token that does not verify.  Verified once per
 * transaction and token value.  The caller has made sure that the backend
 * has no context of its own.
 */
const AccessPrincipal *
TenantTokenPrincipal(void)
{
	MemoryContext old;

	if (TenantToken == NULL || TenantToken[0] == '\0' || !LsbCitusActive())
		return NULL;
	if (TokenLxid == MyProc->lxid && TokenVerified != NULL && strcmp(TokenVerified, TenantToken) == 0)
		return TokenGood ? &TokenPrincipal : NULL;

	if (TokenMemory == NULL)
		TokenMemory = AllocSetContextCreate(TopMemoryContext, "lsbilling tenant token",
											ALLOCSET_SMALL_SIZES);
	TokenLxid = InvalidLocalTransactionId;
	TokenGood = false;
	MemoryContextReset(TokenMemory);
	old = MemoryContextSwitchTo(TokenMemory);
	TokenVerified = pstrdup(TenantToken);
	TokenGood = VerifyToken(TokenVerified, &TokenPrincipal);
	MemoryContextSwitchTo(old);
	TokenLxid = MyProc->lxid;
	return TokenGood ? &TokenPrincipal : NULL;
}
