/*-------------------------------------------------------------------------
 *
 * price_map.c
 *	  lsbilling.model_prices as this backend sees it: entries parsed once,
 *	  patterns compiled once with PCRE2 (JIT where available), and a memo
 *	  from (model, provider) to the entries whose pattern and provider match.
 *
 * Postgres keeps only a few compiled regexes per backend, so matching a run
 * against a 150-entry price map in SQL recompiles on almost every row.  Here
 * a run costs one hash probe once its (model, provider) has been seen.
 *
 * Invalidation follows pg_cron (job_metadata.c): a statement trigger on
 * model_prices sends a relcache invalidation of the table, which every
 * backend receives at the writer's commit (and the writer itself at its next
 * command, or at rollback); our relcache callback only marks the map stale,
 * and the next lookup reloads it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "cost.h"

/*
 * A pattern that backtracks without end gives up after this many steps and
 * counts as not matching; real model-name patterns need a few hundred.
 */
#define PRICE_PCRE2_MATCH_LIMIT	100000
#define PRICE_PCRE2_DEPTH_LIMIT	10000
/* Model names come from clients: forget the memo rather than grow without bound. */
#define PRICE_MEMO_MAX			10000
/* ... and at most this much memory: model names come from clients */
#define PRICE_MEMO_MAX_BYTES	(16 * 1024 * 1024)

typedef struct MemoKey
{
	const char *model;
	int			modellen;
	const char *provider;
	int			providerlen;	/* -1: no provider */
	bool		has_workspace;	/* the run's workspace: its own entries are candidates */
	pg_uuid_t	workspace_id;
} MemoKey;

/*
 * A multiply-xor hash over 8-byte words: model names are short and this runs
 * once a row, where hash_bytes showed in profiles.  Not meant to resist
 * crafted collisions; the memo's size bound limits what those could cost.
 */
static inline uint64
HashWords(const char *p, int len, uint64 h)
{
	const char *end = p + len;
	int			total = len;

	while (len >= 8)
	{
		uint64		w;

		memcpy(&w, p, 8);
		h = (h ^ w) * UINT64CONST(0x9E3779B97F4A7C15);
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	if (len > 0)
	{
		uint64		w;

		/*
		 * the tail: the last 8 bytes (overlapping the word before) when the
		 * text has that many, else byte by byte; no memcpy call either way
		 */
		if (total >= 8)
			memcpy(&w, end - 8, 8);
		else
			w = KeyPrefix(p, len);
		h = (h ^ w ^ ((uint64) len << 56)) * UINT64CONST(0x9E3779B97F4A7C15);
		h ^= h >> 29;
	}
	return h;
}

/* memcmp(a, b, len) == 0 for short texts, without a call */
static inline bool
BytesEqual(const char *a, const char *b, int len)
{
	for (; len >= 8; a += 8, b += 8, len -= 8)
	{
		uint64		x;
		uint64		y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	for (; len > 0; a++, b++, len--)
		if (*a != *b)
			return false;
	return true;
}

struct MemoKey;
static inline uint32 MemoHash(const struct MemoKey *k);

typedef struct MemoEntry
{
	MemoKey		key;
	uint32		hash;
	char		status;
	int			ncands;
	/*
	 * indexes into PriceEntries: the run's workspace's own entries, then the
	 * defaults, each in map order, so that the first active one is the choice
	 */
	int		   *cands;
	/*
	 * Beside cands, what the choice per row reads: each candidate's
	 * activation date (DT_NOBEGIN when it has none), so that choosing among
	 * dated entries touches one small array, not the entries themselves.
	 */
	TimestampTz *from;
} MemoEntry;

static inline uint32
MemoHash(const MemoKey *k)
{
	uint64		h = HashWords(k->model, k->modellen, (uint64) k->modellen);

	if (k->providerlen >= 0)
		h = HashWords(k->provider, k->providerlen, h ^ UINT64CONST(0xC2B2AE3D27D4EB4F));
	if (k->has_workspace)
		h = HashWords((const char *) k->workspace_id.data, UUID_LEN, h ^ UINT64CONST(0x165667B19E3779F9));
	return (uint32) (h ^ (h >> 32));
}

#define SH_PREFIX memo
#define SH_ELEMENT_TYPE MemoEntry
#define SH_KEY_TYPE MemoKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) MemoHash(&(k))
#define SH_EQUAL(tb, a, b) ((a).modellen == (b).modellen && (a).providerlen == (b).providerlen && \
							BytesEqual((a).model, (b).model, (a).modellen) && \
							((a).providerlen <= 0 || BytesEqual((a).provider, (b).provider, (a).providerlen)) && \
							(a).has_workspace == (b).has_workspace && \
							(!(a).has_workspace || memcmp((a).workspace_id.data, (b).workspace_id.data, UUID_LEN) == 0))
#define SH_SCOPE static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* What the map's memory context frees when it goes (the pcre2 codes live in malloc/JIT memory). */
typedef struct PriceMapCodes
{
	PriceEntry *entries;
	int			n;
} PriceMapCodes;

static MemoryContext PriceMapContext = NULL;
static MemoryContext MemoContext = NULL;
static PriceEntry *PriceEntries = NULL;

/*
 * The exact-name index in front of PCRE2: lower-cased plain name -> the map
 * positions of its entries.  Entries with a real regex (or a name too long
 * for the key) are in RegexEntries, tried one by one on a memo miss.
 */
#define EXACT_KEY_LEN 256
typedef struct ExactSlot
{
	char		key[EXACT_KEY_LEN];
	int			n;
	int		   *idx;
} ExactSlot;
static HTAB *ExactIndex = NULL;
static int *RegexEntries = NULL;
static int	NumRegexEntries = 0;

/*
 * The regexes' required texts (RequiredLiteral) of three or more characters,
 * by their first three: a name is tried only against the regexes whose text
 * starts at one of its positions, found by binary search, instead of looking
 * for every regex's text in it.
 */
typedef struct TrigramRef
{
	uint32		trigram;
	int			r;				/* position in RegexEntries */
} TrigramRef;
static TrigramRef *Trigrams = NULL;
static int	NumTrigrams = 0;

static bool ExactIndexReady = false;	/* built for the current map */

static void BuildExactIndex(MemoryContext cxt);
static int	NumPriceEntries = 0;
static memo_hash *Memo = NULL;
static bool PriceMapStale = true;
static Size MemoBytes = 0;		/* what the memo's keys and candidates hold */
static bool CallbackRegistered = false;
static bool LoadedInParallel = false;	/* read with the query's snapshot */
static Oid	PriceMapRelid = InvalidOid;

static pcre2_match_context *MatchContext = NULL;
static pcre2_match_data *MatchData = NULL;
static uint32 MatchOptions = 0;

static void
PriceMapRelcacheCallback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == PriceMapRelid)
		PriceMapStale = true;
}

static void
FreeCodes(void *arg)
{
	PriceMapCodes *codes = (PriceMapCodes *) arg;

	for (int i = 0; i < codes->n; i++)
		if (codes->entries[i].code != NULL)
			pcre2_code_free((pcre2_code *) codes->entries[i].code);
	codes->n = 0;
}

/* ---- parsing a row (shared by the loader and the write-time check) ---- */

static uint32
CompileOptions(void)
{
	return GetDatabaseEncoding() == PG_UTF8 ? PCRE2_UTF : 0;
}

/*
 * Compile pattern; on failure return PCRE2's reason and offset.  The code is
 * JIT-compiled (when the platform has a JIT) before its first match, by
 * PriceEntryMatches: behind the exact names and the required-text prefilter
 * most patterns of a map never run, and a JIT compile costs more than the
 * compile.
 */
static char *
CompilePattern(const char *pattern, pcre2_code **code)
{
	int			errorcode;
	PCRE2_SIZE	erroroffset;

	*code = pcre2_compile((PCRE2_SPTR) pattern, PCRE2_ZERO_TERMINATED, CompileOptions(),
						  &errorcode, &erroroffset, NULL);
	if (*code == NULL)
	{
		PCRE2_UCHAR buf[256];

		pcre2_get_error_message(errorcode, buf, sizeof(buf));
		return psprintf("%s at offset %zu", (char *) buf, (size_t) erroroffset);
	}
	return NULL;
}

static char *
ParsePrice(Numeric num, const char *field, LsbAmount *price)
{
	if (numeric_is_nan(num) || numeric_is_inf(num))
		return psprintf("%s must be a finite number", field);
	AmountFromNumeric(num, LSB_PRICE_SCALE, price);
	if (AmountIsNegative(price))
		return psprintf("%s must not be negative", field);
	if (price->num != NULL)
		price->num = (Numeric) datumCopy(NumericGetDatum(price->num), false, -1);
	return NULL;
}

static char *
ParseDetailPrices(JsonbContainer *container, const char *field, PriceSide *side)
{
	JsonbObjectWalk walk;
	const char *key;
	int			keylen;
	JsonbValue	v;
	int			n = 0;

	side->ndetails = 0;
	side->details = NULL;
	if (container == NULL)
		return NULL;
	if (!JsonContainerIsObject(container))
		return psprintf("%s must be an object of token type to price", field);
	JsonbObjectWalkInit(&walk, container);
	if (walk.count > 0)
		side->details = palloc(sizeof(PriceDetail) * walk.count);
	while (JsonbObjectWalkNext(&walk, &key, &keylen, &v))
	{
		PriceDetail *d = &side->details[n];

		/* the field's name is built only for an error (a map loads thousands of these) */
		if (v.type != jbvNumeric)
			return psprintf("%s.%.*s must be a number", field, keylen, key);
		if (ParsePrice(v.val.numeric, field, &d->price) != NULL)
			return ParsePrice(v.val.numeric, psprintf("%s.%.*s", field, keylen, key), &d->price);
		d->key = pnstrdup(key, keylen);
		d->keylen = keylen;
		d->prefix = KeyPrefix(key, keylen);
		n++;
	}
	side->ndetails = n;
	return NULL;
}

/*
 * A tier's detail prices over the entry's: the tier's price for each type it
 * names, the entry's for the others (a long-context step that names only
 * cache_read still prices a 1-hour cache write).
 */
static void
MergeDetailPrices(PriceSide *side, const PriceSide *tier)
{
	PriceDetail *merged = palloc(sizeof(PriceDetail) * (side->ndetails + tier->ndetails));
	int			n = 0;

	for (int i = 0; i < tier->ndetails; i++)
		merged[n++] = tier->details[i];
	for (int i = 0; i < side->ndetails; i++)
	{
		bool		named = false;

		for (int j = 0; j < tier->ndetails && !named; j++)
			named = tier->details[j].keylen == side->details[i].keylen &&
				memcmp(tier->details[j].key, side->details[i].key, side->details[i].keylen) == 0;
		if (!named)
			merged[n++] = side->details[i];
	}
	side->details = merged;
	side->ndetails = n;
}

static char *
ParseTier(JsonbContainer *container, int index, PriceEntry *entry, PriceTier *tier)
{
	JsonbObjectWalk walk;
	const char *key;
	int			keylen;
	JsonbValue	v;
	bool		has_above = false;
	char	   *where = psprintf("tiers[%d]", index);
	char	   *err;

	if (!JsonContainerIsObject(container))
		return psprintf("%s must be an object", where);
	tier->in = entry->in;
	tier->out = entry->out;
	tier->service_tier = NULL;
	tier->above = -1;
	JsonbObjectWalkInit(&walk, container);
	while (JsonbObjectWalkNext(&walk, &key, &keylen, &v))
	{
		char	   *field = psprintf("%s.%.*s", where, keylen, key);

		if (keylen == 18 && memcmp(key, "input_tokens_above", 18) == 0)
		{
			int128		n;

			if (v.type != jbvNumeric || !NumericToFixed(v.val.numeric, 0, &n) ||
				n < 0 || n > LSB_MAX_TOKENS)
				return psprintf("%s must be a non-negative integer", field);
			tier->above = (int64) n;
			has_above = true;
		}
		else if ((keylen == 11 && memcmp(key, "input_price", 11) == 0) ||
				 (keylen == 12 && memcmp(key, "output_price", 12) == 0))
		{
			PriceSide  *side = key[0] == 'i' ? &tier->in : &tier->out;

			if (v.type != jbvNumeric)
				return psprintf("%s must be a number", field);
			if ((err = ParsePrice(v.val.numeric, field, &side->price)) != NULL)
				return err;
		}
		else if ((keylen == 19 && memcmp(key, "input_price_details", 19) == 0) ||
				 (keylen == 20 && memcmp(key, "output_price_details", 20) == 0))
		{
			PriceSide  *side = key[0] == 'i' ? &tier->in : &tier->out;
			PriceSide	parsed;

			if (v.type != jbvBinary)
				return psprintf("%s must be an object of token type to price", field);
			if ((err = ParseDetailPrices(v.val.binary.data, field, &parsed)) != NULL)
				return err;
			MergeDetailPrices(side, &parsed);
		}
		else if (keylen == 12 && memcmp(key, "service_tier", 12) == 0)
		{
			if (v.type != jbvString || v.val.string.len == 0)
				return psprintf("%s must be a non-empty string", field);
			tier->service_tier = pnstrdup(v.val.string.val, v.val.string.len);
		}
		else if (v.type != jbvNull)
			return psprintf("%s is not a tier field (input_tokens_above, service_tier, input_price, output_price, input_price_details, output_price_details)",
							field);
	}
	if (!has_above && tier->service_tier == NULL)
		return psprintf("%s needs input_tokens_above or service_tier", where);
	return NULL;
}

static int
TierCompare(const void *a, const void *b)
{
	int64		x = ((const PriceTier *) a)->above;
	int64		y = ((const PriceTier *) b)->above;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static char *
ParseTiers(JsonbContainer *container, PriceEntry *entry)
{
	int			n;
	char	   *err;

	entry->ntiers = 0;
	entry->tiers = NULL;
	if (container == NULL)
		return NULL;
	if (!JsonContainerIsArray(container) || JsonContainerIsScalar(container))
		return pstrdup("tiers must be an array of objects");
	n = (int) JsonContainerSize(container);
	if (n == 0)
		return NULL;
	entry->tiers = palloc0(sizeof(PriceTier) * n);
	for (int i = 0; i < n; i++)
	{
		JsonbValue *v = getIthJsonbValueFromContainer(container, i);

		if (v->type != jbvBinary)
			return psprintf("tiers[%d] must be an object", i);
		if ((err = ParseTier(v->val.binary.data, i, entry, &entry->tiers[i])) != NULL)
			return err;
	}
	qsort(entry->tiers, n, sizeof(PriceTier), TierCompare);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n && entry->tiers[j].above == entry->tiers[i].above; j++)
			if ((entry->tiers[i].service_tier == NULL) == (entry->tiers[j].service_tier == NULL) &&
				(entry->tiers[i].service_tier == NULL ||
				 strcmp(entry->tiers[i].service_tier, entry->tiers[j].service_tier) == 0))
				return psprintf("two tiers have input_tokens_above %lld%s%s",
								(long long) entry->tiers[i].above,
								entry->tiers[i].service_tier ? " and service_tier " : "",
								entry->tiers[i].service_tier ? entry->tiers[i].service_tier : "");
	entry->ntiers = n;
	return NULL;
}

/*
 * The import's patterns for plain names, (?i)^([a-z0-9_.-]+/)?<name>$ with
 * the name's metacharacters escaped, need no regex: the name is kept and
 * compared directly (no PCRE2 compile at load, no match per lookup).
 */
#define EXACT_PREFIX "(?i)^([a-z0-9_.-]+/)?"

static char *
ExactName(const char *pattern, int *len)
{
	const char *p;
	char	   *buf;
	int			n = 0;

	if (strncmp(pattern, EXACT_PREFIX, strlen(EXACT_PREFIX)) != 0)
		return NULL;
	buf = palloc(strlen(pattern) + 1);
	for (p = pattern + strlen(EXACT_PREFIX); *p; p++)
	{
		if (*p == '\\')
		{
			p++;
			if (*p == '\0' || strchr("[]\\.^$*+?(){}|", *p) == NULL)
				return NULL;
			buf[n++] = *p;
		}
		else if (*p == '$' && p[1] == '\0')
		{
			buf[n] = '\0';
			*len = n;
			return n > 0 ? buf : NULL;
		}
		else if (strchr("[]\\.^$*+?(){}|", *p) != NULL)
			return NULL;
		else
			buf[n++] = *p;
	}
	return NULL;
}

/*
 * A text that every match of pattern contains, lower-cased (a prefilter in
 * front of PCRE2: a model name without it cannot match, whatever the case),
 * or NULL when we cannot tell.  It is the longest run of plain characters
 * outside any group or class, in a pattern without alternation at that
 * level; a run's last character is dropped when a quantifier follows it.
 * Anything we do not read for sure gives NULL, and the regex decides alone:
 * option settings other than a leading (?i) (extended mode changes what a
 * space means), verbs, \Q, escapes of letters that take an argument, and
 * classes holding '['.
 */
static char *
RequiredLiteral(const char *pattern)
{
	const char *p = pattern;
	int			depth = 0;
	char	   *best = NULL;
	int			bestlen = 0;
	char	   *run = palloc(strlen(pattern) + 1);	/* the current run */
	int			runlen = 0;

	if (strncmp(p, "(?i)", 4) == 0)
		p += 4;
	for (;;)
	{
		char		c = *p;
		int			lit = -1;	/* the plain character this element is, or -1 */

		if (c == '\0')
			;
		else if (c == '\\')
		{
			char		e = p[1];

			if (e == '\0' || (unsigned char) e >= 0x80)
				return NULL;
			if (isalnum((unsigned char) e))
			{
				/* escapes that take no argument are one element; others we do not read */
				if (strchr("dDwWsSbBhHvVRX", e) == NULL)
					return NULL;
			}
			else
				lit = e;
			p += 2;
		}
		else if (c == '[')
		{
			/* a class is one element: skip to its end */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != ']')
			{
				if (*p == '\0' || *p == '[' || (*p == '\\' && (p[1] == '\0' || p[1] == 'Q')))
					return NULL;
				p += *p == '\\' ? 2 : 1;
			}
			p++;
		}
		else if (c == '{')
		{
			/* a quantifier {n}, {n,}, {n,m}: skip it; else a '{' we do not read */
			const char *q = p + 1;

			while (isdigit((unsigned char) *q) || *q == ',' || *q == ' ')
				q++;
			p = *q == '}' ? q + 1 : p + 1;
		}
		else if (c == '(')
		{
			if (p[1] == '*' || (p[1] == '?' && p[2] != ':'))
				return NULL;
			depth++;
			p++;
		}
		else if (c == ')')
		{
			depth--;
			p++;
		}
		else if (c == '|' && depth == 0)
			return NULL;
		else if (isalnum((unsigned char) c) || strchr("-_/:@", c) != NULL)
		{
			lit = c;
			p++;
		}
		else
			p++;				/* a metacharacter, or a byte we do not read */

		/* a quantifier after the character makes it optional */
		if (lit >= 0 && (*p == '?' || *p == '*' || *p == '+' || *p == '{'))
			lit = -1;
		if (lit >= 0 && depth == 0)
		{
			run[runlen++] = pg_ascii_tolower((unsigned char) lit);
			continue;
		}
		/* anything else ends the run */
		if (runlen > bestlen)
		{
			bestlen = runlen;
			best = pnstrdup(run, runlen);
		}
		runlen = 0;
		if (c == '\0')
			break;
	}
	pfree(run);
	return bestlen >= 2 ? best : NULL;
}

/*
 * Build entry (in CurrentMemoryContext) from a model_prices row.  Returns
 * NULL, or the reason the row is invalid with its SQLSTATE in *sqlstate.
 * The compiled pattern is left in entry->code; the caller frees it.
 */
char *
PriceEntryBuild(const PriceRow *row, PriceEntry *entry, int *sqlstate)
{
	char	   *err;
	pcre2_code *code;

	memset(entry, 0, sizeof(PriceEntry));
	*sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
	entry->id = row->id;
	entry->has_workspace = !row->workspace_null;
	if (entry->has_workspace)
		entry->workspace_id = row->workspace_id;
	entry->name = row->name ? pstrdup(row->name) : NULL;
	if (row->pattern == NULL)
		return pstrdup("match_pattern must not be null");
	entry->pattern = pstrdup(row->pattern);
	entry->provider = row->provider ? pstrdup(row->provider) : NULL;
	entry->has_activation = !row->activation_null;
	entry->activation_date = row->activation_date;

	if (row->input_price == NULL || row->output_price == NULL)
		return pstrdup("input_price and output_price must not be null");
	entry->input_price = (Numeric) datumCopy(NumericGetDatum(row->input_price), false, -1);
	entry->output_price = (Numeric) datumCopy(NumericGetDatum(row->output_price), false, -1);
	if ((err = ParsePrice(row->input_price, "input_price", &entry->in.price)) != NULL ||
		(err = ParsePrice(row->output_price, "output_price", &entry->out.price)) != NULL ||
		(err = ParseDetailPrices(row->input_price_details, "input_price_details", &entry->in)) != NULL ||
		(err = ParseDetailPrices(row->output_price_details, "output_price_details", &entry->out)) != NULL ||
		(err = ParseTiers(row->tiers, entry)) != NULL)
		return err;

	entry->exact = ExactName(row->pattern, &entry->exactlen);
	if (entry->exact != NULL)
		return NULL;
	if ((err = CompilePattern(row->pattern, &code)) != NULL)
	{
		*sqlstate = ERRCODE_INVALID_REGULAR_EXPRESSION;
		return psprintf("invalid match_pattern \"%s\": %s", row->pattern, err);
	}
	entry->code = code;
	entry->required = RequiredLiteral(row->pattern);
	entry->requiredlen = entry->required ? (int) strlen(entry->required) : 0;
	return NULL;
}

void
PriceEntryFreeCode(PriceEntry *entry)
{
	if (entry->code != NULL)
		pcre2_code_free((pcre2_code *) entry->code);
	entry->code = NULL;
}

/* ---- loading ---- */

static const char *PriceMapSql =
"SELECT id, workspace_id, name, match_pattern, provider, activation_date,"
"  input_price, output_price, input_price_details, output_price_details, tiers"
" FROM lsbilling.model_prices"
" ORDER BY activation_date DESC NULLS LAST, id DESC";

static void
RowFromSpi(HeapTuple tup, TupleDesc desc, PriceRow *row)
{
	bool		isnull;
	Datum		d;

	row->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	d = SPI_getbinval(tup, desc, 2, &row->workspace_null);
	if (!row->workspace_null)
		row->workspace_id = *DatumGetUUIDP(d);
	row->name = SPI_getvalue(tup, desc, 3);
	row->pattern = SPI_getvalue(tup, desc, 4);
	row->provider = SPI_getvalue(tup, desc, 5);
	d = SPI_getbinval(tup, desc, 6, &row->activation_null);
	row->activation_date = row->activation_null ? 0 : DatumGetTimestampTz(d);
	d = SPI_getbinval(tup, desc, 7, &isnull);
	row->input_price = isnull ? NULL : DatumGetNumeric(d);
	d = SPI_getbinval(tup, desc, 8, &isnull);
	row->output_price = isnull ? NULL : DatumGetNumeric(d);
	d = SPI_getbinval(tup, desc, 9, &isnull);
	row->input_price_details = isnull ? NULL : &DatumGetJsonbP(d)->root;
	d = SPI_getbinval(tup, desc, 10, &isnull);
	row->output_price_details = isnull ? NULL : &DatumGetJsonbP(d)->root;
	d = SPI_getbinval(tup, desc, 11, &isnull);
	row->tiers = isnull ? NULL : &DatumGetJsonbP(d)->root;
}

static void
MemoCreate(void)
{
	MemoryContextReset(MemoContext);
	Memo = memo_create(MemoContext, 256, NULL);
	MemoBytes = 0;
}

static void
PriceMapLoad(void)
{
	MemoryContext cxt;
	MemoryContext old;
	PriceMapCodes *codes;
	Oid			nsp;

	if (!CallbackRegistered)
	{
		CacheRegisterRelcacheCallback(PriceMapRelcacheCallback, (Datum) 0);
		CallbackRegistered = true;
	}
	if (MatchContext == NULL)
	{
		MatchContext = pcre2_match_context_create(NULL);
		MatchData = pcre2_match_data_create(1, NULL);
		if (MatchContext == NULL || MatchData == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		pcre2_set_match_limit(MatchContext, PRICE_PCRE2_MATCH_LIMIT);
		pcre2_set_depth_limit(MatchContext, PRICE_PCRE2_DEPTH_LIMIT);
	}
	MatchOptions = GetDatabaseEncoding() == PG_UTF8 ? PCRE2_NO_UTF_CHECK : 0;

	/* a change that arrives while we read is kept for the next lookup */
	PriceMapStale = false;
	nsp = get_namespace_oid("lsbilling", false);
	PriceMapRelid = get_relname_relid("model_prices", nsp);

	cxt = AllocSetContextCreate(CacheMemoryContext, "lsbilling price map",
								ALLOCSET_DEFAULT_SIZES);
	codes = MemoryContextAllocZero(cxt, sizeof(PriceMapCodes));
	{
		MemoryContextCallback *cb = MemoryContextAlloc(cxt, sizeof(MemoryContextCallback));

		cb->func = FreeCodes;
		cb->arg = codes;
		MemoryContextRegisterResetCallback(cxt, cb);
	}

	PG_TRY();
	{
		int			rc;
		SPIPlanPtr	plan;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		/*
		 * Read the latest committed map, not the caller's snapshot: under
		 * REPEATABLE READ that snapshot may predate the change whose
		 * invalidation brought us here, and the map outlives the transaction.
		 */
		plan = SPI_prepare(PriceMapSql, 0, NULL);
		if (plan == NULL)
			elog(ERROR, "cannot prepare the read of lsbilling.model_prices");
		/*
		 * A parallel worker (or a leader in parallel mode) may not take a
		 * new snapshot: it reads with the query's, and the map is marked to
		 * be read again once the parallel operation is over.
		 */
		LoadedInParallel = IsInParallelMode();
		rc = SPI_execute_snapshot(plan, NULL, NULL,
								  LoadedInParallel ? GetActiveSnapshot() : GetLatestSnapshot(),
								  InvalidSnapshot, true, false, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "cannot read lsbilling.model_prices: %s", SPI_result_code_string(rc));

		old = MemoryContextSwitchTo(cxt);
		codes->entries = palloc0(sizeof(PriceEntry) * Max(SPI_processed, 1));
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			PriceRow	row;
			PriceEntry *e = &codes->entries[codes->n];
			char	   *err;
			int			sqlstate;

			/* the row's detoasted values are scratch: read them in SPI's context */
			MemoryContextSwitchTo(old);
			RowFromSpi(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, &row);
			MemoryContextSwitchTo(cxt);
			err = PriceEntryBuild(&row, e, &sqlstate);
			if (err != NULL)
			{
				/* only possible if the check trigger was bypassed */
				PriceEntryFreeCode(e);
				ereport(WARNING,
						(errmsg("lsbilling.model_prices entry %lld is ignored: %s",
								(long long) row.id, err)));
				continue;
			}
			codes->n++;
		}
		MemoryContextSwitchTo(old);
		SPI_finish();
	}
	PG_CATCH();
	{
		/* the old map may be out of date: the next lookup must try again */
		PriceMapStale = true;
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();

	ExactIndexReady = false;
	ExactIndex = NULL;
	if (PriceMapContext != NULL)
		MemoryContextDelete(PriceMapContext);
	PriceMapContext = cxt;
	PriceEntries = codes->entries;
	NumPriceEntries = codes->n;
	BuildExactIndex(cxt);
	ExactIndexReady = true;
	MemoContext = AllocSetContextCreate(cxt, "lsbilling price memo", ALLOCSET_DEFAULT_SIZES);
	MemoCreate();
}

static void
LowerInto(char *dst, const char *src, int len)
{
	for (int i = 0; i < len; i++)
		dst[i] = pg_ascii_tolower((unsigned char) src[i]);
	dst[len] = '\0';
}

static inline uint32
Trigram(const char *p)
{
	return (uint32) (unsigned char) p[0] | (uint32) (unsigned char) p[1] << 8 |
		(uint32) (unsigned char) p[2] << 16;
}

static int
TrigramCompare(const void *a, const void *b)
{
	const TrigramRef *x = (const TrigramRef *) a;
	const TrigramRef *y = (const TrigramRef *) b;

	if (x->trigram != y->trigram)
		return x->trigram < y->trigram ? -1 : 1;
	return x->r < y->r ? -1 : (x->r > y->r ? 1 : 0);
}

/*
 * Mark in seen[] the regexes (positions in RegexEntries) whose required text
 * of three or more characters occurs in lower (len bytes, lower-cased).
 */
static void
TrigramMark(const char *lower, int len, bool *seen)
{
	for (int p = 0; p + 3 <= len; p++)
	{
		uint32		t = Trigram(lower + p);
		int			lo = 0;
		int			hi = NumTrigrams;

		/* the first reference with this trigram */
		while (lo < hi)
		{
			int			mid = (lo + hi) / 2;

			if (Trigrams[mid].trigram < t)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < NumTrigrams && Trigrams[lo].trigram == t; lo++)
		{
			const PriceEntry *e = &PriceEntries[RegexEntries[Trigrams[lo].r]];

			if (p + e->requiredlen <= len && memcmp(lower + p, e->required, e->requiredlen) == 0)
				seen[Trigrams[lo].r] = true;
		}
	}
}

/* The exact-name index of the map just loaded, in the map's memory context. */
static void
BuildExactIndex(MemoryContext cxt)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = EXACT_KEY_LEN;
	ctl.entrysize = sizeof(ExactSlot);
	ctl.hcxt = cxt;
	ExactIndex = hash_create("lsbilling exact price names", Max(NumPriceEntries, 16), &ctl,
							 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	RegexEntries = MemoryContextAlloc(cxt, sizeof(int) * Max(NumPriceEntries, 1));
	NumRegexEntries = 0;
	for (int i = 0; i < NumPriceEntries; i++)
	{
		const PriceEntry *e = &PriceEntries[i];
		char		key[EXACT_KEY_LEN];
		ExactSlot  *slot;
		bool		found;

		if (e->exact == NULL || e->exactlen >= EXACT_KEY_LEN)
		{
			RegexEntries[NumRegexEntries++] = i;
			continue;
		}
		LowerInto(key, e->exact, e->exactlen);
		slot = hash_search(ExactIndex, key, HASH_ENTER, &found);
		if (!found)
		{
			slot->n = 0;
			slot->idx = NULL;
		}
		slot->idx = slot->idx == NULL ? MemoryContextAlloc(cxt, sizeof(int) * 4)
			: (slot->n % 4 == 0 ? repalloc(slot->idx, sizeof(int) * (slot->n + 4)) : slot->idx);
		slot->idx[slot->n++] = i;
	}
	Trigrams = MemoryContextAlloc(cxt, sizeof(TrigramRef) * Max(NumRegexEntries, 1));
	NumTrigrams = 0;
	for (int r = 0; r < NumRegexEntries; r++)
	{
		const PriceEntry *e = &PriceEntries[RegexEntries[r]];

		if (e->requiredlen >= 3)
		{
			Trigrams[NumTrigrams].trigram = Trigram(e->required);
			Trigrams[NumTrigrams].r = r;
			NumTrigrams++;
		}
	}
	qsort(Trigrams, NumTrigrams, sizeof(TrigramRef), TrigramCompare);
}

/* Map positions of the exact names equal to name (any case), appended to out. */
static int
ExactLookup(const char *name, int len, int *out, int n)
{
	char		key[EXACT_KEY_LEN];
	ExactSlot  *slot;

	if (len <= 0 || len >= EXACT_KEY_LEN)
		return n;
	LowerInto(key, name, len);
	slot = hash_search(ExactIndex, key, HASH_FIND, NULL);
	if (slot != NULL)
		for (int i = 0; i < slot->n; i++)
			out[n++] = slot->idx[i];
	return n;
}

static int
IntCompare(const void *a, const void *b)
{
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static inline void
PriceMapEnsure(void)
{
	if (PriceMapStale || PriceMapContext == NULL || !ExactIndexReady ||
		(LoadedInParallel && !IsInParallelMode()))
		PriceMapLoad();
}

/* ---- lookup ---- */

/*
 * The bare name after a client's provider prefix ("openai/gpt-4o" ->
 * "gpt-4o": one run of [a-z0-9_.-], any case, and a slash), or NULL when the
 * name has none.  Plain-name entries match the name or its bare name.
 */
static const char *
BareModelName(const char *model, int modellen)
{
	const char *slash = memchr(model, '/', modellen);

	if (slash == NULL || slash == model)
		return NULL;
	for (const char *c = model; c < slash; c++)
		if (!(isalnum((unsigned char) *c) || *c == '_' || *c == '.' || *c == '-'))
			return NULL;
	return slash + 1;
}

PriceMatch
PriceEntryMatches(const PriceEntry *entry, const char *model, int modellen)
{
	int			rc;

	if (entry->exact != NULL)
	{
		const char *bare;
		int			rest;

		if (modellen == entry->exactlen && pg_strncasecmp(model, entry->exact, modellen) == 0)
			return PRICE_MATCH_YES;
		bare = BareModelName(model, modellen);
		if (bare == NULL)
			return PRICE_MATCH_NO;
		rest = modellen - (int) (bare - model);
		return rest == entry->exactlen && pg_strncasecmp(bare, entry->exact, rest) == 0 ?
			PRICE_MATCH_YES : PRICE_MATCH_NO;
	}
	if (!entry->jitted)
	{
		/* pcre2_match uses the JIT code on its own when there is one */
		(void) pcre2_jit_compile((pcre2_code *) entry->code, PCRE2_JIT_COMPLETE);
		((PriceEntry *) entry)->jitted = true;
	}
	rc = pcre2_match((pcre2_code *) entry->code, (PCRE2_SPTR) model, modellen, 0,
					 MatchOptions, MatchData, MatchContext);
	if (rc >= 0)
		return PRICE_MATCH_YES;
	if (rc == PCRE2_ERROR_NOMATCH)
		return PRICE_MATCH_NO;
	/* match, depth, heap or JIT stack limit: give up on this entry */
	return PRICE_MATCH_LIMIT;
}

bool
PriceEntryProviderMatches(const PriceEntry *entry, const char *provider, int providerlen)
{
	if (entry->provider == NULL)
		return true;
	if (provider == NULL)
		return false;
	return (int) strlen(entry->provider) == providerlen &&
		pg_strncasecmp(entry->provider, provider, providerlen) == 0;
}

static MemoEntry *
MemoLookup(const char *model, int modellen, const char *provider, int providerlen,
		   const pg_uuid_t *workspace_id)
{
	MemoKey		key;
	MemoEntry  *m;
	bool		found;

	key.model = model;
	key.modellen = modellen;
	key.provider = provider;
	key.providerlen = provider ? providerlen : -1;
	key.has_workspace = workspace_id != NULL;
	if (workspace_id != NULL)
		key.workspace_id = *workspace_id;
	else
		memset(&key.workspace_id, 0, sizeof(pg_uuid_t));

	m = memo_lookup(Memo, key);
	if (m != NULL)
		return m;

	if (Memo->members >= PRICE_MEMO_MAX || MemoBytes >= PRICE_MEMO_MAX_BYTES)
		MemoCreate();
	{
		int		   *cands;
		int			n = 0;
		TimestampTz *from;
		int			nc = 0;
		int		   *found_idx = palloc(sizeof(int) * Max(NumPriceEntries, 1));
		int			nfound = 0;
		const char *bare = BareModelName(model, modellen);
		char	   *lower = NULL;	/* the name lower-cased, when it is ASCII */
		bool	   *seen = NULL;	/* regexes whose required text is in lower */

		/* plain names by the index: the whole name, or after one provider prefix */
		nfound = ExactLookup(model, modellen, found_idx, nfound);
		if (bare != NULL)
			nfound = ExactLookup(bare, modellen - (int) (bare - model), found_idx, nfound);

		/*
		 * then the regexes, each after its required text (RequiredLiteral) is
		 * found in the name; not for a name with non-ASCII bytes, which a
		 * caseless pattern may match through Unicode case folding
		 */
		{
			bool		ascii = true;

			for (int i = 0; i < modellen && ascii; i++)
				ascii = !IS_HIGHBIT_SET(model[i]);
			if (ascii)
			{
				lower = palloc(modellen + 1);
				LowerInto(lower, model, modellen);
				seen = palloc0(sizeof(bool) * Max(NumRegexEntries, 1));
				TrigramMark(lower, modellen, seen);
			}
		}
		for (int r = 0; r < NumRegexEntries; r++)
		{
			int			i = RegexEntries[r];

			/* another workspace's patterns are never run for this one's models */
			if (PriceEntries[i].has_workspace &&
				(workspace_id == NULL ||
				 memcmp(PriceEntries[i].workspace_id.data, workspace_id->data, UUID_LEN) != 0))
				continue;
			if (lower != NULL && PriceEntries[i].required != NULL &&
				(PriceEntries[i].requiredlen >= 3 ? !seen[r] :
				 strstr(lower, PriceEntries[i].required) == NULL))
				continue;
			if (PriceEntryMatches(&PriceEntries[i], model, modellen) == PRICE_MATCH_YES)
				found_idx[nfound++] = i;
		}
		if (lower != NULL)
		{
			pfree(lower);
			pfree(seen);
		}
		/* in map order, each once, then the workspace and provider filters */
		qsort(found_idx, nfound, sizeof(int), IntCompare);
		for (int k = 0; k < nfound; k++)
		{
			const PriceEntry *e = &PriceEntries[found_idx[k]];

			if (k > 0 && found_idx[k] == found_idx[k - 1])
				continue;
			if (e->has_workspace &&
				(workspace_id == NULL ||
				 memcmp(e->workspace_id.data, workspace_id->data, UUID_LEN) != 0))
				continue;
			if (PriceEntryProviderMatches(e, provider, providerlen))
				found_idx[n++] = found_idx[k];
		}
		/*
		 * What the memo keeps, in one chunk (the choice per row reads it all):
		 * the candidates' activation dates, the candidates, and the key's
		 * own copy of the name and provider (the caller's point into its datum).
		 */
		{
			Size		size = sizeof(TimestampTz) * Max(n, 1) + sizeof(int) * Max(n, 1) +
				modellen + 1 + (provider ? providerlen + 1 : 0);
			char	   *chunk = MemoryContextAlloc(MemoContext, size);

			from = (TimestampTz *) chunk;
			cands = (int *) (chunk + sizeof(TimestampTz) * Max(n, 1));
			key.model = (char *) (cands + Max(n, 1));
			memcpy((char *) key.model, model, modellen);
			if (provider)
			{
				key.provider = key.model + modellen + 1;
				memcpy((char *) key.provider, provider, providerlen);
			}
			MemoBytes += size + sizeof(MemoEntry);
		}
		/* the workspace's own entries win over the defaults whatever their dates */
		for (int pass = 0; pass < 2; pass++)
			for (int k = 0; k < n; k++)
			{
				const PriceEntry *e = &PriceEntries[found_idx[k]];

				if (e->has_workspace != (pass == 0))
					continue;
				cands[nc] = found_idx[k];
				from[nc] = e->has_activation ? e->activation_date : DT_NOBEGIN;
				nc++;
			}
		pfree(found_idx);
		m = memo_insert(Memo, key, &found);
		m->ncands = n;
		m->cands = cands;
		m->from = from;
	}
	return m;
}

/*
 * The entry that prices a run, or NULL: among entries matching model and
 * provider, active at `at`, the run's workspace's own first, then the latest
 * activation date, then the highest id (MemoLookup keeps the candidates in
 * that order).
 */
const PriceEntry *
PriceMapChoose(const char *model, int modellen, const char *provider, int providerlen,
			   TimestampTz at, const pg_uuid_t *workspace_id)
{
	MemoEntry  *m;

	if (model == NULL)
		return NULL;
	PriceMapEnsure();
	m = MemoLookup(model, modellen, provider, providerlen, workspace_id);
	for (int i = 0; i < m->ncands; i++)
		if (m->from[i] <= at)
			return &PriceEntries[m->cands[i]];
	return NULL;
}

/*
 * The cached map outlives the role that loaded it: a caller that may not
 * SELECT lsbilling.model_prices may not read it through the cache either.
 */
void
PriceMapCheckAccess(void)
{
	PriceMapEnsure();
	if (pg_class_aclcheck(PriceMapRelid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table model_prices"),
				 errdetail("Pricing reads lsbilling.model_prices, which role \"%s\" may not SELECT.",
						   GetUserNameFromId(GetUserId(), false))));
}

int
PriceMapEntries(const PriceEntry **entries)
{
	PriceMapEnsure();
	*entries = PriceEntries;
	return NumPriceEntries;
}
