/*-------------------------------------------------------------------------
 *
 * usage.c
 *	  Reading usage_metadata (LangSmith's schema, seed 004) into a Usage.
 *
 * The root object is read in one pass over its stored pairs instead of a
 * lookup per known key, and nothing is copied: counts become int64, costs
 * LsbAmount, and the detail objects stay pointers into the jsonb.  Errors are
 * returned as a message naming the field, never thrown, so that the write
 * path can store a run whose usage is bad together with the reason, without
 * the price of a subtransaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "cost.h"

/*
 * The walk uses the container layout documented in jsonb.h: an object's
 * JEntrys are its keys (sorted) then its values, each entry holding either
 * its length or, every JB_OFFSET_STRIDE entries, its end offset.
 */
static inline void
WalkInit(JsonbObjectWalk *walk, JsonbContainer *container)
{
	walk->container = container;
	walk->count = (int) JsonContainerSize(container);
	walk->base = (char *) &container->children[walk->count * 2];
	walk->i = 0;
	walk->keyoff = 0;
	/* the first value starts where the last key ends */
	walk->valoff = 0;
	for (int j = walk->count - 1; j >= 0; j--)
	{
		walk->valoff += JBE_OFFLENFLD(container->children[j]);
		if (JBE_HAS_OFF(container->children[j]))
			break;
	}
}

static inline bool
WalkNext(JsonbObjectWalk *walk, const char **key, int *keylen, JsonbValue *value)
{
	JsonbContainer *c = walk->container;
	JEntry		ke;
	JEntry		ve;
	uint32		start;
	uint32		end;

	if (walk->i >= walk->count)
		return false;
	ke = c->children[walk->i];
	ve = c->children[walk->count + walk->i];

	start = walk->keyoff;
	JBE_ADVANCE_OFFSET(walk->keyoff, ke);
	*key = walk->base + start;
	*keylen = (int) (walk->keyoff - start);

	start = walk->valoff;
	JBE_ADVANCE_OFFSET(walk->valoff, ve);
	end = walk->valoff;
	if (JBE_ISNULL(ve))
		value->type = jbvNull;
	else if (JBE_ISSTRING(ve))
	{
		value->type = jbvString;
		value->val.string.val = walk->base + start;
		value->val.string.len = (int) (end - start);
	}
	else if (JBE_ISNUMERIC(ve))
	{
		value->type = jbvNumeric;
		value->val.numeric = (Numeric) (walk->base + INTALIGN(start));
	}
	else if (JBE_ISBOOL(ve))
	{
		value->type = jbvBool;
		value->val.boolean = JBE_ISBOOL_TRUE(ve);
	}
	else
	{
		value->type = jbvBinary;
		value->val.binary.data = (JsonbContainer *) (walk->base + INTALIGN(start));
		value->val.binary.len = (int) (end - INTALIGN(start));
	}
	walk->i++;
	return true;
}

/* The same for other files; this file's readers use the inline ones. */
void
JsonbObjectWalkInit(JsonbObjectWalk *walk, JsonbContainer *container)
{
	WalkInit(walk, container);
}

bool
JsonbObjectWalkNext(JsonbObjectWalk *walk, const char **key, int *keylen, JsonbValue *value)
{
	return WalkNext(walk, key, keylen, value);
}

static const char *
JsonTypeName(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return "a string";
		case jbvBool:
			return "a boolean";
		case jbvNumeric:
			return "a number";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		default:
			return "null";
	}
}

static char *
NumericText(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

/* A token count: a non-negative integer of at most LSB_MAX_TOKENS. */
static bool
ParseCount(const JsonbValue *v, const char *field, const char *subkey, int subkeylen,
		   int64 *count, char **error)
{
	int128		n;
	const char *dot = subkey ? "." : "";

	if (v->type != jbvNumeric)
	{
		*error = psprintf("usage_metadata.%s%s%.*s must be a non-negative integer, not %s",
						  field, dot, subkeylen, subkey ? subkey : "", JsonTypeName(v));
		return false;
	}
	if (!NumericToCount(v->val.numeric, &n) || n < 0 || n > LSB_MAX_TOKENS)
	{
		*error = psprintf("usage_metadata.%s%s%.*s must be a non-negative integer of at most 10^15, not %s",
						  field, dot, subkeylen, subkey ? subkey : "", NumericText(v->val.numeric));
		return false;
	}
	*count = (int64) n;
	return true;
}

static bool
ParseCost(const JsonbValue *v, const char *field, const char *subkey, int subkeylen,
		  LsbAmount *cost, char **error)
{
	if (v->type != jbvNumeric)
	{
		*error = psprintf("usage_metadata.%s%s%.*s must be a number, not %s",
						  field, subkey ? "." : "", subkeylen, subkey ? subkey : "",
						  JsonTypeName(v));
		return false;
	}
	/*
	 * A sent cost is bounded (README "Sent costs"): non-negative, at most
	 * LSB_MAX_SENT_COST dollars, at most LSB_COST_SCALE decimals, so that
	 * the sums over a project stay in range and exact.
	 */
	if (!NumericToFixed(v->val.numeric, LSB_COST_SCALE, &cost->fixed) ||
		cost->fixed < 0 || cost->fixed > LSB_MAX_SENT_COST * (int128) LSB_COST_UNIT)
	{
		*error = psprintf("usage_metadata.%s%s%.*s must be a non-negative number of at most %lld with at most %d decimals, not %s",
						  field, subkey ? "." : "", subkeylen, subkey ? subkey : "",
						  (long long) LSB_MAX_SENT_COST, LSB_COST_SCALE,
						  NumericText(v->val.numeric));
		return false;
	}
	cost->num = NULL;
	return true;
}

static bool
ParseObject(const JsonbValue *v, const char *field, JsonbContainer **result, int *len,
			char **error)
{
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
	{
		*error = psprintf("usage_metadata.%s must be an object, not %s", field, JsonTypeName(v));
		return false;
	}
	*result = v->val.binary.data;
	*len = v->val.binary.len;
	return true;
}

static bool
ParseTokenDetails(const JsonbValue *v, const char *field, UsageSide *side, char **error)
{
	JsonbObjectWalk walk;
	const char *key;
	int			keylen;
	JsonbValue	item;

	if (!ParseObject(v, field, &side->token_details, &side->token_details_len, error))
		return false;
	WalkInit(&walk, side->token_details);
	if (walk.count > USAGE_INLINE_DETAILS)
		side->details = palloc(sizeof(UsageDetail) * walk.count);
	while (WalkNext(&walk, &key, &keylen, &item))
	{
		UsageDetail *d;

		if (item.type == jbvNull)
			continue;
		d = &side->details[side->ndetails];
		if (!ParseCount(&item, field, key, keylen, &d->count, error))
			return false;
		d->key = key;
		d->keylen = keylen;
		side->ndetails++;
	}
	return true;
}

static bool
ParseCostDetails(const JsonbValue *v, const char *field, UsageSide *side, char **error)
{
	JsonbObjectWalk walk;
	const char *key;
	int			keylen;
	JsonbValue	item;
	LsbAmount	ignored;

	if (!ParseObject(v, field, &side->cost_details, &side->cost_details_len, error))
		return false;
	WalkInit(&walk, side->cost_details);
	while (WalkNext(&walk, &key, &keylen, &item))
		if (item.type != jbvNull && !ParseCost(&item, field, key, keylen, &ignored, error))
			return false;
	return true;
}

#define KEY_IS(lit) (keylen == sizeof(lit) - 1 && memcmp(key, lit, sizeof(lit) - 1) == 0)

/*
 * Fill usage from a usage_metadata object.  Unknown keys are ignored and
 * JSON nulls count as absent, as LangSmith's SDKs send both.
 */
bool
UsageParse(JsonbContainer *root, Usage *usage, char **error)
{
	JsonbObjectWalk walk;
	const char *key;
	int			keylen;
	JsonbValue	v;

	usage->in.has_tokens = usage->out.has_tokens = false;
	usage->in.token_details = usage->out.token_details = NULL;
	usage->in.ndetails = usage->out.ndetails = 0;
	usage->in.details = usage->in.inline_details;
	usage->out.details = usage->out.inline_details;
	usage->in.has_cost = usage->out.has_cost = false;
	usage->in.cost_details = usage->out.cost_details = NULL;
	usage->has_total_tokens = false;
	usage->has_total_cost = false;
	usage->service_tier = NULL;
	usage->service_tierlen = 0;

	if (!JsonContainerIsObject(root))
	{
		*error = pstrdup("usage_metadata must be an object");
		return false;
	}

	WalkInit(&walk, root);
	while (WalkNext(&walk, &key, &keylen, &v))
	{
		bool		ok = true;

		if (v.type == jbvNull)
			continue;
		switch (keylen)
		{
			case 10:
				if (KEY_IS("input_cost"))
					ok = usage->in.has_cost = ParseCost(&v, "input_cost", NULL, 0, &usage->in.cost, error);
				else if (KEY_IS("total_cost"))
					ok = usage->has_total_cost = ParseCost(&v, "total_cost", NULL, 0, &usage->total_cost, error);
				break;
			case 11:
				if (KEY_IS("output_cost"))
					ok = usage->out.has_cost = ParseCost(&v, "output_cost", NULL, 0, &usage->out.cost, error);
				break;
			case 12:
				if (KEY_IS("input_tokens"))
					ok = usage->in.has_tokens = ParseCount(&v, "input_tokens", NULL, 0, &usage->in.tokens, error);
				else if (KEY_IS("total_tokens"))
					ok = usage->has_total_tokens = ParseCount(&v, "total_tokens", NULL, 0, &usage->total_tokens, error);
				else if (KEY_IS("service_tier"))
				{
					if (v.type != jbvString)
					{
						*error = psprintf("usage_metadata.service_tier must be a string, not %s",
										  JsonTypeName(&v));
						ok = false;
					}
					else
					{
						usage->service_tier = v.val.string.val;
						usage->service_tierlen = v.val.string.len;
					}
				}
				break;
			case 13:
				if (KEY_IS("output_tokens"))
					ok = usage->out.has_tokens = ParseCount(&v, "output_tokens", NULL, 0, &usage->out.tokens, error);
				break;
			case 18:
				if (KEY_IS("input_cost_details"))
					ok = ParseCostDetails(&v, "input_cost_details", &usage->in, error);
				break;
			case 19:
				if (KEY_IS("output_cost_details"))
					ok = ParseCostDetails(&v, "output_cost_details", &usage->out, error);
				else if (KEY_IS("input_token_details"))
					ok = ParseTokenDetails(&v, "input_token_details", &usage->in, error);
				break;
			case 20:
				if (KEY_IS("output_token_details"))
					ok = ParseTokenDetails(&v, "output_token_details", &usage->out, error);
				break;
		}
		if (!ok)
			return false;
	}
	return true;
}
