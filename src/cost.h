/*-------------------------------------------------------------------------
 *
 * cost.h
 *	  The cost engine: exact amounts, usage_metadata, the price map, and the
 *	  arithmetic that prices one run (DESIGN.md "Cost engine").
 *
 *-------------------------------------------------------------------------
 */
#ifndef LSB_COST_H
#define LSB_COST_H

#include "postgres.h"

#include "access/htup.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "lsbilling.h"

#ifndef HAVE_INT128
#error "lsbilling needs a compiler with 128-bit integers"
#endif

/*
 * amount.c: exact amounts.  Costs are held as integers of 1e-15 dollars and
 * prices ($ per 1M tokens) as integers of 1e-9, so tokens x price is a cost
 * with no rounding.  A value that does not fit (more decimals, or huge) keeps
 * its numeric form and the arithmetic falls back to numeric, still exact.
 */
#define LSB_COST_SCALE	15
#define LSB_PRICE_SCALE 9
/*
 * Largest token count we accept (10^15, far above any real run): the sums
 * over thousands of such runs still fit the bigint totals of a trace.
 */
#define LSB_MAX_TOKENS	INT64CONST(1000000000000000)
/* Largest cost a client may send for one run, in dollars (scale LSB_COST_SCALE). */
#define LSB_MAX_SENT_COST	INT64CONST(1000000)
#define LSB_COST_UNIT	INT64CONST(1000000000000000)	/* 10^LSB_COST_SCALE */

typedef struct LsbAmount
{
	int128		fixed;			/* the value, when num is NULL */
	Numeric		num;			/* the value, when it does not fit the fixed scale */
} LsbAmount;

/* Room for a numeric of a cost below 2^64 units (CostToNumericBuf). */
typedef union LsbNumericBuf
{
	char		data[VARHDRSZ + sizeof(uint16) + 6 * sizeof(int16)];	/* may be written whole */
	int32		align;			/* SET_VARSIZE writes a 4-byte header */
} LsbNumericBuf;

extern bool NumericToFixed(Numeric num, int scale, int128 *result);
extern bool NumericToCount(Numeric num, int128 *result);
extern Numeric FixedToNumeric(int128 value, int scale);
extern void AmountFromNumeric(Numeric num, int scale, LsbAmount *a);
extern Numeric AmountToNumeric(const LsbAmount *a, int scale);
extern Numeric AmountToNumericBuf(const LsbAmount *a, LsbNumericBuf *buf);
extern Numeric CostToNumericBuf(int128 value, LsbNumericBuf *buf);
extern bool AmountAddSlow(const LsbAmount *a, const LsbAmount *b, LsbAmount *result);
extern bool AmountTokenCostSlow(int128 tokens, const LsbAmount *price, LsbAmount *result);

/* Fixed-point values stay below 10^37 in magnitude, so that a few additions cannot overflow. */
#define LSB_FIXED_LIMIT ((int128) INT64CONST(1000000000000000000) * INT64CONST(1000000000000000000) * 10)

/* a + b (both at the cost scale); false only when numeric itself overflows */
static inline bool
AmountAdd(const LsbAmount *a, const LsbAmount *b, LsbAmount *result)
{
	if (a->num == NULL && b->num == NULL)
	{
		int128		r = a->fixed + b->fixed;

		if (r < LSB_FIXED_LIMIT && r > -LSB_FIXED_LIMIT)
		{
			result->fixed = r;
			result->num = NULL;
			return true;
		}
	}
	return AmountAddSlow(a, b, result);
}

/*
 * The cost of tokens at price ($ per 1M tokens, at the price scale): in
 * fixed point simply the product, since 1e-9 x 1e-6 = 1e-15.
 */
static inline bool
AmountTokenCost(int128 tokens, const LsbAmount *price, LsbAmount *result)
{
	if (price->num == NULL)
	{
		int128		r;

		if (!__builtin_mul_overflow(tokens, price->fixed, &r) &&
			r < LSB_FIXED_LIMIT && r > -LSB_FIXED_LIMIT)
		{
			result->fixed = r;
			result->num = NULL;
			return true;
		}
	}
	return AmountTokenCostSlow(tokens, price, result);
}
extern bool AmountIsNegative(const LsbAmount *a);

/*
 * usage.c: usage_metadata, read in one pass and checked without throwing
 * (the write path must store a run whose usage is bad, with the reason).
 */
typedef struct UsageDetail
{
	const char *key;
	int			keylen;
	int64		count;
} UsageDetail;

#define USAGE_INLINE_DETAILS 8

typedef struct UsageSide
{
	bool		has_tokens;
	int64		tokens;
	JsonbContainer *token_details;	/* as sent, NULL when absent */
	int			token_details_len;
	int			ndetails;
	UsageDetail *details;		/* token_details' counts, in jsonb key order */
	UsageDetail inline_details[USAGE_INLINE_DETAILS];
	bool		has_cost;
	LsbAmount	cost;
	JsonbContainer *cost_details;	/* as sent, NULL when absent */
	int			cost_details_len;
} UsageSide;

typedef struct Usage
{
	UsageSide	in;
	UsageSide	out;
	bool		has_total_tokens;
	int64		total_tokens;
	bool		has_total_cost;
	LsbAmount	total_cost;
	const char *service_tier;	/* NULL: standard */
	int			service_tierlen;
} Usage;

extern bool UsageParse(JsonbContainer *root, Usage *usage, char **error);

/*
 * usage_source.c: where a run's usage, model and provider are (the documented
 * reading order), with the detail keys normalised to one vocabulary.
 */
typedef struct RunUsage
{
	bool		found;			/* some place held usage */
	const char *source;			/* which place, for usage_source */
	Jsonb	   *usage;			/* the usage_metadata to parse and store */
	bool		isbad;			/* the value found is not an object */
	JsonbValue	bad;
	char	   *error;			/* a provider format's bad field */
	const char *model;
	int			modellen;
	const char *model_source;
	const char *provider;
	int			providerlen;
	bool		provider_inferred;
	bool		model_call;		/* an llm or embedding run */
} RunUsage;

extern Jsonb *UsageNormalise(JsonbContainer *usage);
extern bool UsageNeedsNormalise(const Usage *usage);
extern void RunUsageFind(JsonbContainer *extra, JsonbContainer *outputs,
						 const char *run_type, int run_typelen, const char *name, int namelen,
						 RunUsage *ru);
extern void RunUsageModelFromInputs(RunUsage *ru, JsonbContainer *inputs);

/* Walks an object container's pairs in storage order, without lookups. */
typedef struct JsonbObjectWalk
{
	JsonbContainer *container;
	char	   *base;
	int			count;
	int			i;
	uint32		keyoff;
	uint32		valoff;
} JsonbObjectWalk;

extern void JsonbObjectWalkInit(JsonbObjectWalk *walk, JsonbContainer *container);
extern bool JsonbObjectWalkNext(JsonbObjectWalk *walk, const char **key, int *keylen,
								JsonbValue *value);

/*
 * price_map.c: the model_prices rows of this backend, patterns compiled once,
 * and a memo from (model, provider) to the entries whose pattern matches.
 */
typedef struct PriceDetail
{
	char	   *key;
	int			keylen;
	uint64		prefix;			/* KeyPrefix(key, keylen) */
	LsbAmount	price;
} PriceDetail;

/* A key's first 8 bytes (zero-padded) as one word: most detail keys differ there. */
static inline uint64
KeyPrefix(const char *key, int keylen)
{
	uint64		w = 0;

	if (keylen >= 8)
		memcpy(&w, key, 8);
	else
		for (int i = 0; i < keylen; i++)
			w |= (uint64) (unsigned char) key[i] << (8 * i);
	return w;
}

typedef struct PriceSide
{
	LsbAmount	price;
	int			ndetails;
	PriceDetail *details;
} PriceSide;

typedef struct PriceTier
{
	char	   *service_tier;	/* NULL: the standard tier; else e.g. "flex" */
	int64		above;			/* applies when input_tokens > above (-1: always) */
	PriceSide	in;				/* absent fields already filled from the entry */
	PriceSide	out;
} PriceTier;

typedef struct PriceEntry
{
	int64		id;
	bool		has_workspace;
	pg_uuid_t	workspace_id;
	char	   *name;
	char	   *pattern;
	char	   *provider;		/* NULL: any provider */
	bool		has_activation;
	TimestampTz activation_date;
	Numeric		input_price;	/* as stored, for explain_price */
	Numeric		output_price;
	PriceSide	in;
	PriceSide	out;
	int			ntiers;
	PriceTier  *tiers;			/* ascending by above */
	void	   *code;			/* pcre2_code; NULL for an exact name */
	bool		jitted;			/* pcre2_jit_compile was called on code */
	char	   *exact;			/* the import's plain-name pattern: the name */
	int			exactlen;
	char	   *required;		/* lower-cased text every match contains, or NULL */
	int			requiredlen;
} PriceEntry;

/* Outcome of matching one entry's pattern against a model name. */
typedef enum PriceMatch
{
	PRICE_MATCH_NO,
	PRICE_MATCH_YES,
	PRICE_MATCH_LIMIT			/* PCRE2 gave up: treated as no match */
} PriceMatch;

/* A model_prices row, as read from a tuple. */
typedef struct PriceRow
{
	int64		id;
	bool		workspace_null;
	pg_uuid_t	workspace_id;
	char	   *name;
	char	   *pattern;
	char	   *provider;
	bool		activation_null;
	TimestampTz activation_date;
	Numeric		input_price;
	Numeric		output_price;
	JsonbContainer *input_price_details;
	JsonbContainer *output_price_details;
	JsonbContainer *tiers;
} PriceRow;

extern char *PriceEntryBuild(const PriceRow *row, PriceEntry *entry, int *sqlstate);
extern void PriceEntryFreeCode(PriceEntry *entry);
extern const PriceEntry *PriceMapChoose(const char *model, int modellen,
										const char *provider, int providerlen,
										TimestampTz at, const pg_uuid_t *workspace_id);
extern int	PriceMapEntries(const PriceEntry **entries);
extern void PriceMapCheckAccess(void);
extern PriceMatch PriceEntryMatches(const PriceEntry *entry, const char *model, int modellen);
extern bool PriceEntryProviderMatches(const PriceEntry *entry, const char *provider,
									  int providerlen);

/* pricing.c: the arithmetic of one run */
typedef struct CostResult
{
	bool		has_input;
	LsbAmount	input;
	bool		has_output;
	LsbAmount	output;
	bool		has_total;
	LsbAmount	total;
	Jsonb	   *input_details;	/* NULL when none */
	Jsonb	   *output_details;
	bool		has_price;
	int64		price_id;
} CostResult;

/* Room for a side's detail costs as jsonb, for CostCompute. */
typedef union LsbDetailsBuf
{
	char		data[256];
	int64		align;
} LsbDetailsBuf;

extern Jsonb *JsonbFromContainer(JsonbContainer *container, int len);
extern bool CostCompute(const Usage *usage, const PriceEntry *entry, CostResult *result,
						LsbDetailsBuf *scratch, char **error);

/* cost_trigger.c: fills the derived columns of a run being written */
extern bool LsbCostRecompute;
extern HeapTuple CostDeriveRun(const RunColumns *cols, TupleDesc desc, HeapTuple newtup,
							   HeapTuple oldtup);

#endif							/* LSB_COST_H */
