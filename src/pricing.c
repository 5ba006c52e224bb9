/*-------------------------------------------------------------------------
 *
 * pricing.c
 *	  The cost of one run: usage x price entry, then the costs sent by the
 *	  client on top (seed 004 "成本计算", DESIGN.md "Cost engine").
 *
 * Per side (input, output): every token type of the details that has a
 * detail price is charged at it and taken off the side's token count; the
 * rest, never below zero, is charged at the side's price.  A step tier
 * (the one with the highest input_tokens_above below input_tokens) replaces
 * the entry's prices for the whole request.  Costs sent in usage_metadata
 * then override the computed ones field by field.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "cost.h"

/* A copy of a container as a jsonb datum (its bytes are a valid jsonb body). */
Jsonb *
JsonbFromContainer(JsonbContainer *container, int len)
{
	Jsonb	   *result = palloc(VARHDRSZ + len);

	SET_VARSIZE(result, VARHDRSZ + len);
	memcpy(VARDATA(result), container, len);
	return result;
}

/*
 * A flat object of string keys (already in jsonb key order, unique) to
 * numerics, laid out as convertToJsonb lays it out (format in jsonb.h):
 * header, the keys' then the values' JEntrys (every JB_OFFSET_STRIDE'th
 * holding an end offset instead of a length), the key bytes, then each
 * numeric INTALIGN'ed with its padding counted in its length.  Building it
 * through JsonbValueToJsonb costs a 1 kB buffer per row; this costs one
 * palloc, or none when the caller lends a buffer (scratch) it copies at
 * once.  test/pgtap/20_cost_engine.sql compares the result with jsonb's own.
 */
static Jsonb *
DetailsToJsonb(JsonbPair *pairs, int n, LsbDetailsBuf *scratch)
{
	uint32		datalen = 0;
	uint32		totallen = 0;
	Size		size;
	Jsonb	   *result;
	JEntry	   *children;
	char	   *data;

	for (int i = 0; i < n; i++)
		datalen += pairs[i].key.val.string.len;
	for (int i = 0; i < n; i++)
		datalen = INTALIGN(datalen) + VARSIZE_ANY(pairs[i].value.val.numeric);
	size = VARHDRSZ + sizeof(uint32) + 2 * n * sizeof(JEntry) + datalen;
	/* every byte is written below, padding included */
	result = scratch != NULL && size <= sizeof(scratch->data) ? (Jsonb *) scratch->data : palloc(size);
	SET_VARSIZE(result, size);
	result->root.header = n | JB_FOBJECT;
	children = result->root.children;
	data = (char *) &children[2 * n];

	for (int i = 0; i < n; i++)
	{
		uint32		len = pairs[i].key.val.string.len;

		memcpy(data + totallen, pairs[i].key.val.string.val, len);
		totallen += len;
		children[i] = (i % JB_OFFSET_STRIDE) == 0 ? (JENTRY_ISSTRING | JENTRY_HAS_OFF | totallen)
			: (JENTRY_ISSTRING | len);
	}
	for (int i = 0; i < n; i++)
	{
		Numeric		num = pairs[i].value.val.numeric;
		uint32		pad = INTALIGN(totallen) - totallen;
		uint32		numlen = VARSIZE_ANY(num);

		for (uint32 k = 0; k < pad; k++)
			data[totallen + k] = 0;
		memcpy(data + totallen + pad, num, numlen);
		totallen += pad + numlen;
		children[n + i] = ((n + i) % JB_OFFSET_STRIDE) == 0 ?
			(JENTRY_ISNUMERIC | JENTRY_HAS_OFF | totallen) : (JENTRY_ISNUMERIC | (pad + numlen));
	}
	Assert(totallen == datalen);
	return result;
}

static inline const PriceDetail *
FindDetailPrice(const PriceSide *price, const char *key, int keylen)
{
	uint64		prefix = KeyPrefix(key, keylen);

	for (int i = 0; i < price->ndetails; i++)
	{
		const PriceDetail *d = &price->details[i];

		if (d->keylen == keylen && d->prefix == prefix &&
			(keylen <= 8 || memcmp(d->key + 8, key + 8, keylen - 8) == 0))
			return d;
	}
	return NULL;
}

static inline void
SetPair(JsonbPair *pair, const UsageDetail *d, Numeric cost, int order)
{
	pair->key.type = jbvString;
	pair->key.val.string.val = (char *) d->key;
	pair->key.val.string.len = d->keylen;
	pair->value.type = jbvNumeric;
	pair->value.val.numeric = cost;
	pair->order = order;
}

/*
 * SideCost's common case, all in int64 locals (int128 ones end up on the
 * stack, and their reloads stall): every price of the side in fixed point
 * and below 2^63, every product and sum below 2^63 (a cost below $9,223).
 * False (and nothing written) otherwise: SideCost then starts over with
 * LsbAmount, whose results are the same wherever both apply.
 */
static inline bool
SideCostFixed(const UsageSide *side, const PriceSide *price, LsbAmount *cost, Jsonb **details,
			  LsbDetailsBuf *scratch)
{
	int64		rest = side->has_tokens ? side->tokens : 0;
	int64		sum = 0;
	int64		c;
	int64		costs[USAGE_INLINE_DETAILS];
	const UsageDetail *priced[USAGE_INLINE_DETAILS];
	int			n = 0;

	if (side->ndetails > USAGE_INLINE_DETAILS || price->price.num != NULL ||
		price->price.fixed > PG_INT64_MAX || price->price.fixed < 0)
		return false;
	for (int i = 0; i < side->ndetails; i++)
	{
		const UsageDetail *d = &side->details[i];
		const PriceDetail *p = FindDetailPrice(price, d->key, d->keylen);

		if (p == NULL)
			continue;			/* unpriced types stay in the rest */
		/* counts are at most 10^15 (usage.c): rest stays far inside int64 */
		if (p->price.num != NULL || p->price.fixed > PG_INT64_MAX || p->price.fixed < 0 ||
			__builtin_mul_overflow(d->count, (int64) p->price.fixed, &c) ||
			__builtin_add_overflow(sum, c, &sum))
			return false;
		rest -= d->count;
		costs[n] = c;
		priced[n] = d;
		n++;
	}
	if (rest > 0)
	{
		if (__builtin_mul_overflow(rest, (int64) price->price.fixed, &c) ||
			__builtin_add_overflow(sum, c, &sum))
			return false;
	}
	cost->fixed = sum;
	cost->num = NULL;
	*details = NULL;
	if (n > 0)
	{
		JsonbPair	pairs[USAGE_INLINE_DETAILS];
		LsbNumericBuf numbufs[USAGE_INLINE_DETAILS];	/* the detail costs, until copied */

		/* the usage's keys come in jsonb order, so the pairs need no sorting */
		for (int i = 0; i < n; i++)
			SetPair(&pairs[i], priced[i], CostToNumericBuf(costs[i], &numbufs[i]), i);
		*details = DetailsToJsonb(pairs, n, scratch);
	}
	return true;
}

static bool
SideCost(const UsageSide *side, const PriceSide *price, LsbAmount *cost, Jsonb **details,
		 LsbDetailsBuf *scratch, const char *field, char **error)
{
	int128		rest = side->has_tokens ? side->tokens : 0;
	LsbAmount	sum = {0, NULL};
	LsbAmount	c;
	JsonbPair	inline_pairs[USAGE_INLINE_DETAILS];
	JsonbPair  *pairs = inline_pairs;
	int			npairs = 0;

	if (SideCostFixed(side, price, cost, details, scratch))
		return true;

	if (side->ndetails > USAGE_INLINE_DETAILS)
		pairs = palloc(sizeof(JsonbPair) * side->ndetails);

	for (int i = 0; i < side->ndetails; i++)
	{
		const UsageDetail *d = &side->details[i];
		const PriceDetail *p = FindDetailPrice(price, d->key, d->keylen);

		if (p == NULL)
			continue;			/* unpriced types stay in the rest */
		if (!AmountTokenCost(d->count, &p->price, &c) || !AmountAdd(&sum, &c, &sum))
			goto overflow;
		rest -= d->count;

		/* the usage's keys come in jsonb order, so the pairs need no sorting */
		SetPair(&pairs[npairs], d, AmountToNumeric(&c, LSB_COST_SCALE), npairs);
		npairs++;
	}
	if (rest > 0)
	{
		if (!AmountTokenCost(rest, &price->price, &c) || !AmountAdd(&sum, &c, &sum))
			goto overflow;
	}
	*cost = sum;

	*details = npairs > 0 ? DetailsToJsonb(pairs, npairs, scratch) : NULL;
	return true;

overflow:
	*error = psprintf("the %s of this run overflows numeric", field);
	return false;
}

/*
 * The tier that prices a request: the run's service tier's (the one with the
 * highest threshold below input_tokens) when the entry has one, else the
 * standard tier with the highest threshold below input_tokens; NULL: the
 * entry's own prices.
 */
static const PriceTier *
ChooseTier(const PriceEntry *entry, const Usage *usage, int64 input_tokens)
{
	if (usage->service_tier != NULL)
	{
		for (int i = entry->ntiers - 1; i >= 0; i--)
		{
			const PriceTier *t = &entry->tiers[i];

			if (t->service_tier != NULL && input_tokens > t->above &&
				(int) strlen(t->service_tier) == usage->service_tierlen &&
				memcmp(t->service_tier, usage->service_tier, usage->service_tierlen) == 0)
				return t;
		}
	}
	for (int i = entry->ntiers - 1; i >= 0; i--)
	{
		const PriceTier *t = &entry->tiers[i];

		if (t->service_tier == NULL && input_tokens > t->above)
			return t;
	}
	return NULL;
}

/*
 * Price usage with entry (NULL when no entry matches).  A side is known when
 * it has tokens (or token details) and an entry prices it, or when its cost
 * was sent; the total is the sent total, else the sum of the known sides.
 * The detail costs are built in scratch[0] (input) and scratch[1] (output)
 * when they fit, for a caller that copies the result at once (compute_cost's
 * FormCostRow); scratch NULL: palloc'd.
 */
bool
CostCompute(const Usage *usage, const PriceEntry *entry, CostResult *result,
			LsbDetailsBuf *scratch, char **error)
{
	result->has_input = result->has_output = result->has_total = false;
	result->input_details = result->output_details = NULL;
	result->has_price = false;

	if (entry != NULL)
	{
		const PriceSide *in = &entry->in;
		const PriceSide *out = &entry->out;
		int64		input_tokens = usage->in.has_tokens ? usage->in.tokens : 0;

		const PriceTier *tier = ChooseTier(entry, usage, input_tokens);

		if (tier != NULL)
		{
			in = &tier->in;
			out = &tier->out;
		}
		/* a matched entry prices both sides: no tokens on a side cost 0 */
		if (!SideCost(&usage->in, in, &result->input, &result->input_details,
					  scratch ? &scratch[0] : NULL,
					  "input cost", error))
			return false;
		result->has_input = true;
		if (!SideCost(&usage->out, out, &result->output, &result->output_details,
					  scratch ? &scratch[1] : NULL,
					  "output cost", error))
			return false;
		result->has_output = true;
		result->has_price = true;
		result->price_id = entry->id;
	}

	if (usage->in.has_cost)
	{
		result->input = usage->in.cost;
		result->has_input = true;
	}
	if (usage->in.cost_details != NULL)
		result->input_details = JsonbFromContainer(usage->in.cost_details,
												   usage->in.cost_details_len);
	if (usage->out.has_cost)
	{
		result->output = usage->out.cost;
		result->has_output = true;
	}
	if (usage->out.cost_details != NULL)
		result->output_details = JsonbFromContainer(usage->out.cost_details,
													usage->out.cost_details_len);

	if (usage->has_total_cost)
	{
		result->total = usage->total_cost;
		result->has_total = true;
	}
	else if (result->has_input || result->has_output)
	{
		LsbAmount	zero = {0, NULL};

		if (!AmountAdd(result->has_input ? &result->input : &zero,
					   result->has_output ? &result->output : &zero, &result->total))
		{
			*error = pstrdup("the total cost of this run overflows numeric");
			return false;
		}
		result->has_total = true;
	}
	return true;
}
