/*-------------------------------------------------------------------------
 *
 * usage_source.c
 *	  Where a run's usage, model and provider are: one reading order over the
 *	  places real clients put them, and one vocabulary for the detail keys
 *	  (README "Reading usage").
 *
 * For llm and embedding runs usage is the first of: extra.metadata.
 * usage_metadata; outputs.usage_metadata; LangChain's serialized generations
 * (summed); an OpenAI (Chat Completions or Responses), Anthropic or Vercel AI
 * SDK outputs.usage; Gemini's outputs.usageMetadata.  Other run types read
 * only the two usage_metadata places (LangSmith's way to send the cost of a
 * tool), never the shapes a chain echoes from its child.
 *
 * Detail keys are normalised before pricing: Anthropic's ephemeral writes
 * become cache_creation (5 minutes) and cache_creation_1h, OpenAI's service
 * tier prefixes (flex_cache_read, priority_reasoning, the flex / priority
 * buckets) become the base keys plus service_tier, and Gemini's reasoning
 * reported outside output_tokens is added to it.  A usage_metadata that needs
 * none of this is used as stored, without a copy.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "cost.h"

#define NU_MAX_DETAILS 32

typedef struct NuDetail
{
	const char *key;
	int			keylen;
	int64		count;
} NuDetail;

typedef struct NuSide
{
	bool		has_tokens;
	int64		tokens;
	int			n;
	NuDetail	d[NU_MAX_DETAILS];
} NuSide;

/* A usage in the vocabulary, before it becomes a usage_metadata document. */
typedef struct NuDoc
{
	NuSide		in;
	NuSide		out;
	bool		has_total;
	int64		total;
	const char *tier;			/* service tier, NULL for the standard one */
	int			tierlen;
} NuDoc;

#define LIT_EQ(p, len, lit) ((len) == (int) sizeof(lit) - 1 && memcmp((p), (lit), sizeof(lit) - 1) == 0)

static void
NuInit(NuDoc *d)
{
	memset(d, 0, sizeof(NuDoc));
}

/* A token count: a non-negative integer of at most LSB_MAX_TOKENS. */
static bool
CountOf(const JsonbValue *v, int64 *count)
{
	int128		n;

	if (v == NULL || v->type != jbvNumeric)
		return false;
	if (!NumericToFixed(v->val.numeric, 0, &n) || n < 0 || n > LSB_MAX_TOKENS)
		return false;
	*count = (int64) n;
	return true;
}

static bool
AddCount(int64 *into, int64 n)
{
	if (n > LSB_MAX_TOKENS - *into)
		return false;
	*into += n;
	return true;
}

static int
DetailIndex(const NuSide *s, const char *key, int keylen)
{
	for (int i = 0; i < s->n; i++)
		if (s->d[i].keylen == keylen && memcmp(s->d[i].key, key, keylen) == 0)
			return i;
	return -1;
}

static bool
DetailAdd(NuSide *s, const char *key, int keylen, int64 count)
{
	int			i = DetailIndex(s, key, keylen);

	if (i >= 0)
		return AddCount(&s->d[i].count, count);
	if (s->n >= NU_MAX_DETAILS)
		return false;
	s->d[s->n].key = key;
	s->d[s->n].keylen = keylen;
	s->d[s->n].count = count;
	s->n++;
	return true;
}

static void
DetailSet(NuSide *s, const char *key, int64 count)
{
	int			i = DetailIndex(s, key, strlen(key));

	if (i >= 0)
		s->d[i].count = count;
	else if (s->n < NU_MAX_DETAILS)
	{
		s->d[s->n].key = key;
		s->d[s->n].keylen = strlen(key);
		s->d[s->n].count = count;
		s->n++;
	}
}

/* Removes key and returns its count (0 when absent); *present says which. */
static int64
DetailTake(NuSide *s, const char *key, bool *present)
{
	int			i = DetailIndex(s, key, strlen(key));
	int64		count;

	if (i < 0)
		return 0;
	*present = true;
	count = s->d[i].count;
	s->d[i] = s->d[--s->n];
	return count;
}

static bool
ReadDetails(const JsonbValue *v, NuSide *s)
{
	JsonbObjectWalk walk;
	const char *key;
	int			keylen;
	JsonbValue	item;

	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		return false;
	JsonbObjectWalkInit(&walk, v->val.binary.data);
	while (JsonbObjectWalkNext(&walk, &key, &keylen, &item))
	{
		int64		n;

		if (item.type == jbvNull)
			continue;
		if (!CountOf(&item, &n) || !DetailAdd(s, key, keylen, n))
			return false;
	}
	return true;
}

/*
 * A LangSmith usage_metadata's token fields into d (added to what d holds).
 * False when one of them is not what the schema says: the caller then leaves
 * the document as it came, and UsageParse names the bad field.
 */
static bool
NuReadUsageMetadata(JsonbContainer *c, NuDoc *d)
{
	JsonbObjectWalk walk;
	const char *key;
	int			keylen;
	JsonbValue	v;

	if (!JsonContainerIsObject(c))
		return false;
	JsonbObjectWalkInit(&walk, c);
	while (JsonbObjectWalkNext(&walk, &key, &keylen, &v))
	{
		int64		n;

		if (v.type == jbvNull)
			continue;
		if (LIT_EQ(key, keylen, "input_tokens"))
		{
			if (!CountOf(&v, &n) || !AddCount(&d->in.tokens, n))
				return false;
			d->in.has_tokens = true;
		}
		else if (LIT_EQ(key, keylen, "output_tokens"))
		{
			if (!CountOf(&v, &n) || !AddCount(&d->out.tokens, n))
				return false;
			d->out.has_tokens = true;
		}
		else if (LIT_EQ(key, keylen, "total_tokens"))
		{
			if (!CountOf(&v, &n) || !AddCount(&d->total, n))
				return false;
			d->has_total = true;
		}
		else if (LIT_EQ(key, keylen, "input_token_details"))
		{
			if (!ReadDetails(&v, &d->in))
				return false;
		}
		else if (LIT_EQ(key, keylen, "output_token_details"))
		{
			if (!ReadDetails(&v, &d->out))
				return false;
		}
		else if (LIT_EQ(key, keylen, "service_tier"))
		{
			if (v.type != jbvString)
				return false;
			d->tier = v.val.string.val;
			d->tierlen = v.val.string.len;
		}
	}
	return true;
}

static bool
IsTierName(const char *p, int len)
{
	return LIT_EQ(p, len, "flex") || LIT_EQ(p, len, "priority");
}

/* Service-tier prefixes and buckets of one side; true when something changed. */
static bool
NormaliseTier(NuDoc *d, NuSide *s)
{
	bool		changed = false;

	for (int i = 0; i < s->n;)
	{
		const char *key = s->d[i].key;
		int			keylen = s->d[i].keylen;
		const char *us = memchr(key, '_', keylen);
		int			plen = us ? (int) (us - key) : keylen;

		if (IsTierName(key, plen))
		{
			int64		count = s->d[i].count;

			d->tier = key;
			d->tierlen = plen;
			s->d[i] = s->d[--s->n];
			changed = true;
			/* the bucket itself is the tier's plain tokens: the remainder */
			if (us != NULL && keylen > plen + 1)
			{
				if (!DetailAdd(s, us + 1, keylen - plen - 1, count))
					return changed;
			}
			continue;
		}
		i++;
	}
	return changed;
}

/* The vocabulary (README "Reading usage"); true when d changed. */
static bool
NuNormalise(NuDoc *d)
{
	bool		changed = false;
	bool		has5 = false,
				has1h = false,
				hascc = false;
	int64		n5,
				n1h,
				cc;

	changed |= NormaliseTier(d, &d->in);
	changed |= NormaliseTier(d, &d->out);

	/* Anthropic's writes: 5-minute ones are cache_creation, 1-hour ones their own type */
	n5 = DetailTake(&d->in, "ephemeral_5m_input_tokens", &has5);
	n1h = DetailTake(&d->in, "ephemeral_1h_input_tokens", &has1h);
	n1h += DetailTake(&d->in, "ephemeral_1hr_input_tokens", &has1h);
	if (has5 || has1h)
	{
		int			i = DetailIndex(&d->in, "cache_creation", strlen("cache_creation"));

		if (i >= 0)
		{
			hascc = true;
			cc = d->in.d[i].count;
		}
		else
			cc = 0;
		/* cache_creation, when sent beside them, is either all writes or 0 */
		cc = hascc ? Max(cc - n1h, n5) : n5;
		DetailSet(&d->in, "cache_creation", cc);
		if (has1h)
			DetailSet(&d->in, "cache_creation_1h", n1h);
		changed = true;
	}

	/* Gemini: thinking tokens outside output_tokens */
	if (d->has_total && d->in.has_tokens && d->out.has_tokens)
	{
		int			i = DetailIndex(&d->out, "reasoning", strlen("reasoning"));

		if (i >= 0 && d->out.d[i].count > 0 &&
			d->total == d->in.tokens + d->out.tokens + d->out.d[i].count)
		{
			d->out.tokens += d->out.d[i].count;
			changed = true;
		}
	}
	return changed;
}

static void
PushKey(JsonbParseState **st, const char *key, int keylen)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = keylen;
	pushJsonbValue(st, WJB_KEY, &k);
}

static void
PushCount(JsonbParseState **st, const char *key, int64 n)
{
	JsonbValue	v;

	PushKey(st, key, strlen(key));
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(n);
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
PushDetails(JsonbParseState **st, const char *key, const NuSide *s)
{
	if (s->n == 0)
		return;
	PushKey(st, key, strlen(key));
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < s->n; i++)
	{
		JsonbValue	v;

		PushKey(st, s->d[i].key, s->d[i].keylen);
		v.type = jbvNumeric;
		v.val.numeric = int64_to_numeric(s->d[i].count);
		pushJsonbValue(st, WJB_VALUE, &v);
	}
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * d as a usage_metadata document; the other keys of orig (sent costs, keys
 * we do not know) are kept as they came.
 */
static Jsonb *
NuToJsonb(const NuDoc *d, JsonbContainer *orig)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	if (orig != NULL)
	{
		JsonbObjectWalk walk;
		const char *key;
		int			keylen;
		JsonbValue	v;

		JsonbObjectWalkInit(&walk, orig);
		while (JsonbObjectWalkNext(&walk, &key, &keylen, &v))
		{
			if (LIT_EQ(key, keylen, "input_tokens") || LIT_EQ(key, keylen, "output_tokens") ||
				LIT_EQ(key, keylen, "total_tokens") || LIT_EQ(key, keylen, "service_tier") ||
				LIT_EQ(key, keylen, "input_token_details") ||
				LIT_EQ(key, keylen, "output_token_details"))
				continue;
			PushKey(&st, key, keylen);
			pushJsonbValue(&st, WJB_VALUE, &v);
		}
	}
	if (d->in.has_tokens)
		PushCount(&st, "input_tokens", d->in.tokens);
	if (d->out.has_tokens)
		PushCount(&st, "output_tokens", d->out.tokens);
	if (d->has_total)
		PushCount(&st, "total_tokens", d->total);
	PushDetails(&st, "input_token_details", &d->in);
	PushDetails(&st, "output_token_details", &d->out);
	if (d->tier != NULL)
	{
		JsonbValue	v;

		PushKey(&st, "service_tier", strlen("service_tier"));
		v.type = jbvString;
		v.val.string.val = (char *) d->tier;
		v.val.string.len = d->tierlen;
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/*
 * A usage_metadata in the vocabulary: NULL when it is already (the common
 * case, no copy) or when its token fields are malformed (UsageParse reports).
 */
Jsonb *
UsageNormalise(JsonbContainer *usage)
{
	NuDoc		d;

	NuInit(&d);
	if (!NuReadUsageMetadata(usage, &d))
		return NULL;
	if (!NuNormalise(&d))
		return NULL;
	return NuToJsonb(&d, usage);
}

/* A detail key the vocabulary renames (tier prefixes, Anthropic's writes). */
static bool
KeyNeedsNormalising(const char *key, int keylen)
{
	const char *us = memchr(key, '_', keylen);
	int			plen = us ? (int) (us - key) : keylen;

	return IsTierName(key, plen) ||
		(keylen > 10 && memcmp(key, "ephemeral_", 10) == 0);
}

/*
 * Whether a parsed usage_metadata needs UsageNormalise: cheaper than the
 * normalising walk, so that compute_cost pays it only for such documents.
 */
bool
UsageNeedsNormalise(const Usage *usage)
{
	const UsageSide *sides[2] = {&usage->in, &usage->out};

	for (int s = 0; s < 2; s++)
		for (int i = 0; i < sides[s]->ndetails; i++)
		{
			const UsageDetail *d = &sides[s]->details[i];

			if (KeyNeedsNormalising(d->key, d->keylen))
				return true;
			if (s == 1 && d->keylen == 9 && memcmp(d->key, "reasoning", 9) == 0 &&
				d->count > 0 && usage->has_total_tokens && usage->in.has_tokens &&
				usage->out.has_tokens &&
				usage->total_tokens == usage->in.tokens + usage->out.tokens + d->count)
				return true;
		}
	return false;
}

/* ---- provider formats ---- */

static bool
GetCount(JsonbContainer *c, const char *key, int64 *n, bool *has, const char *where,
		 char **error)
{
	JsonbValue	v;

	if (JsonbObjectGet(c, key, &v) == NULL || v.type == jbvNull)
		return true;
	if (!CountOf(&v, n))
	{
		*error = psprintf("%s.%s must be a non-negative integer of at most 10^15", where, key);
		return false;
	}
	if (has)
		*has = true;
	return true;
}

/* A detail count into side s as vocabulary key vkey. */
static bool
GetDetail(JsonbContainer *c, const char *key, NuSide *s, const char *vkey, const char *where,
		  char **error)
{
	int64		n = 0;
	bool		has = false;

	if (c == NULL)
		return true;
	if (!GetCount(c, key, &n, &has, where, error))
		return false;
	if (has && !DetailAdd(s, vkey, strlen(vkey), n))
	{
		*error = psprintf("%s.%s is out of range", where, key);
		return false;
	}
	return true;
}

/* OpenAI Chat Completions: prompt_tokens / completion_tokens and their details. */
static bool
ReadOpenAIChat(JsonbContainer *u, NuDoc *d, char **error)
{
	JsonbContainer *pd = JsonbObjectGetObject(u, "prompt_tokens_details");
	JsonbContainer *cd = JsonbObjectGetObject(u, "completion_tokens_details");

	return GetCount(u, "prompt_tokens", &d->in.tokens, &d->in.has_tokens, "outputs.usage", error) &&
		GetCount(u, "completion_tokens", &d->out.tokens, &d->out.has_tokens, "outputs.usage", error) &&
		GetCount(u, "total_tokens", &d->total, &d->has_total, "outputs.usage", error) &&
		GetDetail(pd, "cached_tokens", &d->in, "cache_read", "outputs.usage.prompt_tokens_details", error) &&
		GetDetail(pd, "audio_tokens", &d->in, "audio", "outputs.usage.prompt_tokens_details", error) &&
		GetDetail(cd, "reasoning_tokens", &d->out, "reasoning", "outputs.usage.completion_tokens_details", error) &&
		GetDetail(cd, "audio_tokens", &d->out, "audio", "outputs.usage.completion_tokens_details", error);
}

/* OpenAI Responses: input_tokens / output_tokens with *_tokens_details. */
static bool
ReadOpenAIResponses(JsonbContainer *u, NuDoc *d, char **error)
{
	JsonbContainer *id = JsonbObjectGetObject(u, "input_tokens_details");
	JsonbContainer *od = JsonbObjectGetObject(u, "output_tokens_details");

	return GetCount(u, "input_tokens", &d->in.tokens, &d->in.has_tokens, "outputs.usage", error) &&
		GetCount(u, "output_tokens", &d->out.tokens, &d->out.has_tokens, "outputs.usage", error) &&
		GetCount(u, "total_tokens", &d->total, &d->has_total, "outputs.usage", error) &&
		GetDetail(id, "cached_tokens", &d->in, "cache_read", "outputs.usage.input_tokens_details", error) &&
		GetDetail(id, "audio_tokens", &d->in, "audio", "outputs.usage.input_tokens_details", error) &&
		GetDetail(od, "reasoning_tokens", &d->out, "reasoning", "outputs.usage.output_tokens_details", error) &&
		GetDetail(od, "audio_tokens", &d->out, "audio", "outputs.usage.output_tokens_details", error);
}

/*
 * Anthropic Messages: input_tokens excludes the cache, so reads and writes
 * are added to it; writes are split by cache_creation's ephemeral counts.
 */
static bool
ReadAnthropic(JsonbContainer *u, NuDoc *d, char **error)
{
	JsonbContainer *cc = JsonbObjectGetObject(u, "cache_creation");
	int64		plain = 0,
				read = 0,
				write = 0,
				w5 = 0,
				w1h = 0;
	bool		hasread = false,
				haswrite = false,
				has5 = false,
				has1h = false;

	if (!GetCount(u, "input_tokens", &plain, &d->in.has_tokens, "outputs.usage", error) ||
		!GetCount(u, "output_tokens", &d->out.tokens, &d->out.has_tokens, "outputs.usage", error) ||
		!GetCount(u, "cache_read_input_tokens", &read, &hasread, "outputs.usage", error) ||
		!GetCount(u, "cache_creation_input_tokens", &write, &haswrite, "outputs.usage", error))
		return false;
	if (cc != NULL &&
		(!GetCount(cc, "ephemeral_5m_input_tokens", &w5, &has5, "outputs.usage.cache_creation", error) ||
		 !GetCount(cc, "ephemeral_1h_input_tokens", &w1h, &has1h, "outputs.usage.cache_creation", error)))
		return false;
	if (!haswrite)
		write = w5 + w1h;
	if (w1h > write)
		w1h = write;
	d->in.tokens = plain;
	if (!AddCount(&d->in.tokens, read) || !AddCount(&d->in.tokens, write))
	{
		*error = pstrdup("outputs.usage: input tokens are out of range");
		return false;
	}
	if (hasread)
		DetailSet(&d->in, "cache_read", read);
	if (haswrite || has5 || has1h)
		DetailSet(&d->in, "cache_creation", write - w1h);
	if (has1h)
		DetailSet(&d->in, "cache_creation_1h", w1h);
	if (hasread || haswrite)
		d->in.has_tokens = true;
	return true;
}

/*
 * Vercel AI SDK: inputTokens / outputTokens as objects ({total, noCache,
 * cacheRead, cacheWrite}, {total, text, reasoning}) or, before v6, numbers
 * with cachedInputTokens and reasoningTokens beside them.
 */
static bool
ReadVercel(JsonbContainer *u, NuDoc *d, char **error)
{
	JsonbContainer *it = JsonbObjectGetObject(u, "inputTokens");
	JsonbContainer *ot = JsonbObjectGetObject(u, "outputTokens");

	if (it != NULL)
	{
		if (!GetCount(it, "total", &d->in.tokens, &d->in.has_tokens, "outputs.usage.inputTokens", error) ||
			!GetDetail(it, "cacheRead", &d->in, "cache_read", "outputs.usage.inputTokens", error) ||
			!GetDetail(it, "cacheWrite", &d->in, "cache_creation", "outputs.usage.inputTokens", error))
			return false;
	}
	else if (!GetCount(u, "inputTokens", &d->in.tokens, &d->in.has_tokens, "outputs.usage", error) ||
			 !GetDetail(u, "cachedInputTokens", &d->in, "cache_read", "outputs.usage", error))
		return false;
	if (ot != NULL)
	{
		if (!GetCount(ot, "total", &d->out.tokens, &d->out.has_tokens, "outputs.usage.outputTokens", error) ||
			!GetDetail(ot, "reasoning", &d->out, "reasoning", "outputs.usage.outputTokens", error))
			return false;
	}
	else if (!GetCount(u, "outputTokens", &d->out.tokens, &d->out.has_tokens, "outputs.usage", error) ||
			 !GetDetail(u, "reasoningTokens", &d->out, "reasoning", "outputs.usage", error))
		return false;
	return GetCount(u, "totalTokens", &d->total, &d->has_total, "outputs.usage", error);
}

/* Gemini's own response: usageMetadata with thoughts outside candidates. */
static bool
ReadGemini(JsonbContainer *u, NuDoc *d, char **error)
{
	int64		thoughts = 0;
	bool		hasthoughts = false;

	if (!GetCount(u, "promptTokenCount", &d->in.tokens, &d->in.has_tokens, "outputs.usageMetadata", error) ||
		!GetCount(u, "candidatesTokenCount", &d->out.tokens, &d->out.has_tokens, "outputs.usageMetadata", error) ||
		!GetCount(u, "thoughtsTokenCount", &thoughts, &hasthoughts, "outputs.usageMetadata", error) ||
		!GetCount(u, "totalTokenCount", &d->total, &d->has_total, "outputs.usageMetadata", error) ||
		!GetDetail(u, "cachedContentTokenCount", &d->in, "cache_read", "outputs.usageMetadata", error))
		return false;
	if (hasthoughts)
	{
		d->out.has_tokens = true;
		d->out.tokens += thoughts;
		DetailSet(&d->out, "reasoning", thoughts);
	}
	return true;
}

/* The usage_metadata of one serialized LangChain generation, if any. */
static JsonbContainer *
GenerationUsage(JsonbContainer *gen)
{
	JsonbContainer *msg = JsonbObjectGetObject(gen, "message");
	JsonbContainer *u;

	if (msg == NULL)
		return NULL;
	u = JsonbObjectGetObject(JsonbObjectGetObject(msg, "kwargs"), "usage_metadata");
	if (u == NULL)
		u = JsonbObjectGetObject(msg, "usage_metadata");
	return u;
}

/* outputs.generations: a list of lists (or a flat list) of generations, summed. */
static bool
ReadGenerations(JsonbContainer *outputs, NuDoc *d, char **error)
{
	JsonbValue	gens;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			found = 0;
	int			depth = 0;

	if (JsonbObjectGet(outputs, "generations", &gens) == NULL || gens.type != jbvBinary ||
		!JsonContainerIsArray(gens.val.binary.data))
		return false;
	it = JsonbIteratorInit(gens.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_ARRAY)
			depth++;
		else if (tok == WJB_END_ARRAY)
			depth--;
		else if (tok == WJB_ELEM && v.type == jbvBinary && depth <= 2)
		{
			JsonbContainer *c = v.val.binary.data;

			if (JsonContainerIsArray(c))
			{
				/* a batch: its generations one level down */
				JsonbIterator *it2 = JsonbIteratorInit(c);
				JsonbValue	g;
				JsonbIteratorToken t2;

				while ((t2 = JsonbIteratorNext(&it2, &g, true)) != WJB_DONE)
				{
					JsonbContainer *u;

					if (t2 != WJB_ELEM || g.type != jbvBinary)
						continue;
					u = GenerationUsage(g.val.binary.data);
					if (u == NULL)
						continue;
					if (!NuReadUsageMetadata(u, d))
					{
						*error = pstrdup("outputs.generations: a message's usage_metadata is malformed");
						return true;
					}
					found++;
				}
			}
			else
			{
				JsonbContainer *u = GenerationUsage(c);

				if (u == NULL)
					continue;
				if (!NuReadUsageMetadata(u, d))
				{
					*error = pstrdup("outputs.generations: a message's usage_metadata is malformed");
					return true;
				}
				found++;
			}
		}
	}
	return found > 0;
}

static bool
ObjectHas(JsonbContainer *c, const char *key)
{
	JsonbValue	v;

	return JsonbObjectGet(c, key, &v) != NULL && v.type != jbvNull;
}

static void
SetProvider(RunUsage *ru, const char *provider)
{
	if (ru->provider == NULL)
	{
		ru->provider = provider;
		ru->providerlen = strlen(provider);
		ru->provider_inferred = true;
	}
}

/* A string member of c as the run's model, when none is known yet. */
static bool
ModelFrom(RunUsage *ru, JsonbContainer *c, const char *key, const char *source)
{
	JsonbValue	v;

	if (ru->model != NULL || JsonbObjectGet(c, key, &v) == NULL || v.type != jbvString ||
		v.val.string.len == 0)
		return false;
	ru->model = v.val.string.val;
	ru->modellen = v.val.string.len;
	ru->model_source = source;
	return true;
}

static bool
NameContains(const char *name, int namelen, const char *word)
{
	int			wlen = strlen(word);

	for (int i = 0; i + wlen <= namelen; i++)
		if (pg_strncasecmp(name + i, word, wlen) == 0)
			return true;
	return false;
}

/* The first generation's message, as LangChain serializes it. */
static JsonbContainer *
FirstGenerationMessage(JsonbContainer *outputs)
{
	JsonbValue	gens;
	JsonbValue *g;

	if (JsonbObjectGet(outputs, "generations", &gens) == NULL || gens.type != jbvBinary ||
		!JsonContainerIsArray(gens.val.binary.data) || JsonContainerSize(gens.val.binary.data) != 1)
		return NULL;
	g = getIthJsonbValueFromContainer(gens.val.binary.data, 0);
	if (g == NULL || g->type != jbvBinary)
		return NULL;
	if (JsonContainerIsArray(g->val.binary.data))
	{
		if (JsonContainerSize(g->val.binary.data) != 1)
			return NULL;
		g = getIthJsonbValueFromContainer(g->val.binary.data, 0);
		if (g == NULL || g->type != jbvBinary)
			return NULL;
	}
	return JsonbObjectGetObject(JsonbObjectGetObject(g->val.binary.data, "message"), "kwargs");
}

/*
 * What a LangChain usage_metadata leaves out but the run still says:
 * the service tier it was invoked with (LangChain-JS does not prefix the
 * keys), and the split of Anthropic cache writes into 5-minute and 1-hour
 * ones (LangChain-JS sums them into cache_creation; the provider's own usage
 * rides along in the message's additional_kwargs).  True when d changed.
 */
static bool
NuFromContext(NuDoc *d, JsonbContainer *extra, JsonbContainer *outputs)
{
	bool		changed = false;
	int			i;

	if (d->tier == NULL)
	{
		char	   *tier = JsonbObjectGetText(JsonbObjectGetObject(extra, "invocation_params"),
											  "service_tier");

		if (tier != NULL && IsTierName(tier, strlen(tier)))
		{
			d->tier = tier;
			d->tierlen = strlen(tier);
			changed = true;
		}
	}
	i = DetailIndex(&d->in, "cache_creation", strlen("cache_creation"));
	if (i >= 0 && d->in.d[i].count > 0 &&
		DetailIndex(&d->in, "cache_creation_1h", strlen("cache_creation_1h")) < 0)
	{
		JsonbContainer *kwargs = FirstGenerationMessage(outputs);
		JsonbContainer *raw = JsonbObjectGetObject(JsonbObjectGetObject(kwargs, "additional_kwargs"), "usage");
		JsonbValue	v;
		int64		n1h;

		if (raw == NULL)
			raw = JsonbObjectGetObject(JsonbObjectGetObject(kwargs, "response_metadata"), "usage");
		if (JsonbObjectGet(JsonbObjectGetObject(raw, "cache_creation"), "ephemeral_1h_input_tokens", &v) != NULL &&
			CountOf(&v, &n1h) && n1h > 0 && n1h <= d->in.d[i].count)
		{
			d->in.d[i].count -= n1h;
			DetailSet(&d->in, "cache_creation_1h", n1h);
			changed = true;
		}
	}
	return changed;
}

/*
 * Fill ru from a run's documents (either may be NULL).  ru->usage is the
 * document to parse and store, or NULL; ru->bad is set when the value found
 * is not an object (UsageParse's caller reports it).  inputs, the last place
 * to look for the model name, is left to RunUsageModelFromInputs.
 */
void
RunUsageFind(JsonbContainer *extra, JsonbContainer *outputs,
			 const char *run_type, int run_typelen, const char *name, int namelen,
			 RunUsage *ru)
{
	JsonbContainer *metadata = JsonbObjectGetObject(extra, "metadata");
	bool		llm = LIT_EQ(run_type, run_typelen, "llm") ||
		LIT_EQ(run_type, run_typelen, "embedding");
	JsonbValue	v;
	NuDoc		d;
	JsonbContainer *u;
	const char *format = NULL;

	memset(ru, 0, sizeof(RunUsage));
	ru->model_call = llm;

	if (JsonbObjectGet(metadata, "ls_model_name", &v) != NULL && v.type == jbvString)
	{
		ru->model = v.val.string.val;
		ru->modellen = v.val.string.len;
		ru->model_source = "extra.metadata.ls_model_name";
	}
	if (JsonbObjectGet(metadata, "ls_provider", &v) != NULL && v.type == jbvString)
	{
		ru->provider = v.val.string.val;
		ru->providerlen = v.val.string.len;
	}

	/* 1, 2: LangSmith's usage_metadata, for every run type */
	if (JsonbObjectGet(metadata, "usage_metadata", &v) != NULL && v.type != jbvNull)
		ru->source = "extra.metadata.usage_metadata";
	else if (JsonbObjectGet(outputs, "usage_metadata", &v) != NULL && v.type != jbvNull)
		ru->source = "outputs.usage_metadata";
	if (ru->source != NULL)
	{
		ru->found = true;
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		{
			ru->bad = v;
			ru->isbad = true;
		}
		else
		{
			JsonbContainer *c = v.val.binary.data;

			NuInit(&d);
			if (NuReadUsageMetadata(c, &d))
			{
				bool		changed = NuNormalise(&d);

				if (llm)
					changed |= NuFromContext(&d, extra, outputs);
				if (changed)
					ru->usage = NuToJsonb(&d, c);
			}
			if (ru->usage == NULL)
				ru->usage = JsonbFromContainer(c, v.val.binary.len);
		}
	}
	if (!llm)
		return;

	if (!ru->found)
	{
		NuInit(&d);
		/* 3: LangChain's generations */
		if (ReadGenerations(outputs, &d, &ru->error))
			ru->source = "outputs.generations";
		else if ((u = JsonbObjectGetObject(outputs, "usage")) != NULL)
		{
			/* 4-6: a provider's own usage object, told apart by its keys */
			if (ObjectHas(u, "prompt_tokens") || ObjectHas(u, "completion_tokens"))
			{
				format = "openai";
				ru->source = "outputs.usage (openai chat completions)";
				(void) ReadOpenAIChat(u, &d, &ru->error);
			}
			else if (ObjectHas(u, "inputTokens") || ObjectHas(u, "outputTokens"))
			{
				ru->source = "outputs.usage (vercel ai sdk)";
				(void) ReadVercel(u, &d, &ru->error);
			}
			else if (ObjectHas(u, "input_tokens_details") || ObjectHas(u, "output_tokens_details") ||
					 ObjectHas(u, "total_tokens"))
			{
				format = "openai";
				ru->source = "outputs.usage (openai responses)";
				(void) ReadOpenAIResponses(u, &d, &ru->error);
			}
			else if (ObjectHas(u, "input_tokens") || ObjectHas(u, "output_tokens"))
			{
				format = "anthropic";
				ru->source = "outputs.usage (anthropic)";
				(void) ReadAnthropic(u, &d, &ru->error);
			}
		}
		else if ((u = JsonbObjectGetObject(outputs, "usageMetadata")) != NULL)
		{
			format = "google";
			ru->source = "outputs.usageMetadata (gemini)";
			(void) ReadGemini(u, &d, &ru->error);
		}
		if (ru->source != NULL)
		{
			ru->found = true;
			if (ru->error == NULL)
			{
				char	   *tier = format && strcmp(format, "openai") == 0 ?
					JsonbObjectGetText(outputs, "service_tier") : NULL;

				if (tier != NULL && IsTierName(tier, strlen(tier)) && d.tier == NULL)
				{
					d.tier = tier;
					d.tierlen = strlen(tier);
				}
				(void) NuNormalise(&d);
				ru->usage = NuToJsonb(&d, NULL);
			}
		}
	}

	/* the model, where no ls_model_name names it */
	if (ru->model == NULL)
	{
		JsonbContainer *ip = JsonbObjectGetObject(extra, "invocation_params");

		(void) (ModelFrom(ru, ip, "model", "extra.invocation_params.model") ||
				ModelFrom(ru, ip, "model_name", "extra.invocation_params.model_name") ||
				ModelFrom(ru, ip, "model_id", "extra.invocation_params.model_id") ||
				ModelFrom(ru, outputs, "model", "outputs.model") ||
				ModelFrom(ru, outputs, "modelVersion", "outputs.modelVersion"));
	}
	/* the provider, from the format, else the run's name (openai.chat, ChatAnthropic) */
	if (ru->provider == NULL)
	{
		if (format != NULL)
			SetProvider(ru, format);
		else if (NameContains(name, namelen, "openai"))
			SetProvider(ru, "openai");
		else if (NameContains(name, namelen, "anthropic"))
			SetProvider(ru, "anthropic");
		else if (NameContains(name, namelen, "gemini") || NameContains(name, namelen, "google"))
			SetProvider(ru, "google");
	}
}

/*
 * inputs.model as the model of a run RunUsageFind left without one; the
 * caller reads inputs (the prompt, often a run's biggest document) only when
 * ru->model is NULL and ru->model_call is set.
 */
void
RunUsageModelFromInputs(RunUsage *ru, JsonbContainer *inputs)
{
	(void) ModelFrom(ru, inputs, "model", "inputs.model");
}
