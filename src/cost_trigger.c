/*-------------------------------------------------------------------------
 *
 * cost_trigger.c
 *	  Fills a run's derived columns (model, usage, tokens, costs) as it is
 *	  written; called from runs_before_write.
 *
 * Usage, model and provider are found by RunUsageFind (usage_source.c, the
 * documented reading order); where they came from is kept in usage_source.
 * A run whose usage cannot be priced is stored all the same, with NULL costs
 * and the reason in cost_error: the parser and the arithmetic report problems
 * as messages instead of errors, so no subtransaction is needed per row.
 *
 * On UPDATE the columns are derived again only when extra, outputs, inputs or
 * start_time change (or recompute_costs asks for it); otherwise the derived
 * values of the old row are kept, whatever the client wrote into them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/jsonb.h"

#include "cost.h"

/* Set by recompute_costs while it re-prices runs. */
bool		LsbCostRecompute = false;

enum
{
	D_PROVIDER,
	D_MODEL,
	D_USAGE,
	D_PROMPT_TOKENS,
	D_COMPLETION_TOKENS,
	D_TOTAL_TOKENS,
	D_PROMPT_TOKEN_DETAILS,
	D_COMPLETION_TOKEN_DETAILS,
	D_PROMPT_COST,
	D_COMPLETION_COST,
	D_TOTAL_COST,
	D_PROMPT_COST_DETAILS,
	D_COMPLETION_COST_DETAILS,
	D_PRICE_ID,
	D_COST_ERROR,
	D_USAGE_SOURCE,				/* last: absent before the 0.2.0 update */
	D_COUNT
};

static void
DerivedAttrs(const RunColumns *cols, int *attrs)
{
	attrs[D_PROVIDER] = cols->ls_provider;
	attrs[D_MODEL] = cols->ls_model_name;
	attrs[D_USAGE] = cols->usage_metadata;
	attrs[D_PROMPT_TOKENS] = cols->prompt_tokens;
	attrs[D_COMPLETION_TOKENS] = cols->completion_tokens;
	attrs[D_TOTAL_TOKENS] = cols->total_tokens;
	attrs[D_PROMPT_TOKEN_DETAILS] = cols->prompt_token_details;
	attrs[D_COMPLETION_TOKEN_DETAILS] = cols->completion_token_details;
	attrs[D_PROMPT_COST] = cols->prompt_cost;
	attrs[D_COMPLETION_COST] = cols->completion_cost;
	attrs[D_TOTAL_COST] = cols->total_cost;
	attrs[D_PROMPT_COST_DETAILS] = cols->prompt_cost_details;
	attrs[D_COMPLETION_COST_DETAILS] = cols->completion_cost_details;
	attrs[D_PRICE_ID] = cols->price_id;
	attrs[D_COST_ERROR] = cols->cost_error;
	attrs[D_USAGE_SOURCE] = cols->usage_source;
}

/* How many of the derived columns this relation has. */
static inline int
DerivedCount(const RunColumns *cols)
{
	return cols->usage_source != InvalidAttrNumber ? D_COUNT : D_COUNT - 1;
}

static bool
SameAttr(HeapTuple a, HeapTuple b, TupleDesc desc, AttrNumber attnum)
{
	Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
	bool		anull,
				bnull;
	Datum		x = heap_getattr(a, attnum, desc, &anull);
	Datum		y = heap_getattr(b, attnum, desc, &bnull);

	if (anull || bnull)
		return anull == bnull;
	return datumIsEqual(x, y, att->attbyval, att->attlen);
}

/* An update that does not touch what costs derive from keeps the old derived values. */
static HeapTuple
KeepDerived(HeapTuple newtup, HeapTuple oldtup, TupleDesc desc, const int *attrs, int natts)
{
	Datum		values[D_COUNT];
	bool		nulls[D_COUNT];
	bool		changed = false;

	for (int i = 0; i < natts; i++)
	{
		if (!SameAttr(newtup, oldtup, desc, attrs[i]))
			changed = true;
		values[i] = heap_getattr(oldtup, attrs[i], desc, &nulls[i]);
	}
	if (!changed)
		return newtup;
	return heap_modify_tuple_by_cols(newtup, desc, natts, (int *) attrs, values, nulls);
}

static const char *
JsonbValueTypeName(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		default:
			return "null";
	}
}

/* A jsonb column's root container, or NULL. */
static JsonbContainer *
JsonbColumn(HeapTuple tup, TupleDesc desc, AttrNumber attnum)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, attnum, desc, &isnull);

	return isnull ? NULL : &DatumGetJsonbP(d)->root;
}

static text *
TextColumn(HeapTuple tup, TupleDesc desc, AttrNumber attnum)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, attnum, desc, &isnull);

	return isnull ? NULL : DatumGetTextPP(d);
}

HeapTuple
CostDeriveRun(const RunColumns *cols, TupleDesc desc, HeapTuple newtup, HeapTuple oldtup)
{
	int			attrs[D_COUNT];
	Datum		values[D_COUNT];
	bool		nulls[D_COUNT];
	int			natts = DerivedCount(cols);
	bool		isnull;
	text	   *run_type;
	text	   *name;
	JsonbContainer *extra;
	JsonbContainer *outputs;
	JsonbContainer *inputs;
	RunUsage	ru;
	const char *model;
	int			modellen;
	const char *provider;
	int			providerlen;
	char	   *error = NULL;
	bool		has_usage;

	DerivedAttrs(cols, attrs);
	if (oldtup != NULL && !LsbCostRecompute &&
		SameAttr(newtup, oldtup, desc, cols->extra) &&
		SameAttr(newtup, oldtup, desc, cols->outputs) &&
		SameAttr(newtup, oldtup, desc, cols->inputs) &&
		SameAttr(newtup, oldtup, desc, cols->start_time))
		return KeepDerived(newtup, oldtup, desc, attrs, natts);

	for (int i = 0; i < D_COUNT; i++)
	{
		values[i] = (Datum) 0;
		nulls[i] = true;
	}

	run_type = TextColumn(newtup, desc, cols->run_type);
	name = TextColumn(newtup, desc, cols->name);
	extra = JsonbColumn(newtup, desc, cols->extra);
	outputs = JsonbColumn(newtup, desc, cols->outputs);

	/*
	 * inputs (the prompt: often a run's biggest document, and on an update
	 * that does not change it a TOAST pointer) is only the last place to
	 * look for the model name of an llm or embedding run: read it only when
	 * that is where the model name could be.
	 */
	RunUsageFind(extra, outputs,
				 run_type ? VARDATA_ANY(run_type) : "", run_type ? VARSIZE_ANY_EXHDR(run_type) : 0,
				 name ? VARDATA_ANY(name) : "", name ? VARSIZE_ANY_EXHDR(name) : 0,
				 &ru);
	if (ru.model == NULL && ru.model_call &&
		(inputs = JsonbColumn(newtup, desc, cols->inputs)) != NULL)
		RunUsageModelFromInputs(&ru, inputs);
	model = ru.model;
	modellen = ru.modellen;
	provider = ru.provider;
	providerlen = ru.providerlen;
	if (model != NULL)
	{
		values[D_MODEL] = PointerGetDatum(cstring_to_text_with_len(model, modellen));
		nulls[D_MODEL] = false;
	}
	if (provider != NULL)
	{
		values[D_PROVIDER] = PointerGetDatum(cstring_to_text_with_len(provider, providerlen));
		nulls[D_PROVIDER] = false;
	}
	if (ru.found)
	{
		char	   *src = (char *) ru.source;

		if (ru.model_source != NULL && strcmp(ru.model_source, "extra.metadata.ls_model_name") != 0)
			src = psprintf("%s; model from %s", src, ru.model_source);
		if (ru.provider_inferred)
			src = psprintf("%s; provider inferred", src);
		values[D_USAGE_SOURCE] = CStringGetTextDatum(src);
		nulls[D_USAGE_SOURCE] = false;
	}

	has_usage = ru.found;
	if (ru.isbad)
	{
		values[D_USAGE] = JsonbPGetDatum(JsonbValueToJsonb(&ru.bad));
		nulls[D_USAGE] = false;
		error = psprintf("usage_metadata must be an object, not %s", JsonbValueTypeName(&ru.bad));
	}
	else if (ru.error != NULL)
		error = ru.error;
	else if (ru.usage != NULL)
	{
		values[D_USAGE] = JsonbPGetDatum(ru.usage);
		nulls[D_USAGE] = false;
	}

	if (has_usage && error == NULL && ru.usage != NULL)
	{
		Usage		usage;
		CostResult	r;
		const PriceEntry *entry;
		pg_uuid_t  *workspace_id;
		TimestampTz start_time;

		if (UsageParse(&ru.usage->root, &usage, &error))
		{
			if (usage.in.has_tokens)
				values[D_PROMPT_TOKENS] = Int64GetDatum(usage.in.tokens), nulls[D_PROMPT_TOKENS] = false;
			if (usage.out.has_tokens)
				values[D_COMPLETION_TOKENS] = Int64GetDatum(usage.out.tokens), nulls[D_COMPLETION_TOKENS] = false;
			if (usage.has_total_tokens)
				values[D_TOTAL_TOKENS] = Int64GetDatum(usage.total_tokens), nulls[D_TOTAL_TOKENS] = false;
			else if (usage.in.has_tokens || usage.out.has_tokens)
			{
				/* LangSmith infers total_tokens as input + output */
				values[D_TOTAL_TOKENS] = Int64GetDatum((usage.in.has_tokens ? usage.in.tokens : 0) +
													   (usage.out.has_tokens ? usage.out.tokens : 0));
				nulls[D_TOTAL_TOKENS] = false;
			}
			if (usage.in.token_details)
			{
				values[D_PROMPT_TOKEN_DETAILS] = JsonbPGetDatum(JsonbFromContainer(usage.in.token_details, usage.in.token_details_len));
				nulls[D_PROMPT_TOKEN_DETAILS] = false;
			}
			if (usage.out.token_details)
			{
				values[D_COMPLETION_TOKEN_DETAILS] = JsonbPGetDatum(JsonbFromContainer(usage.out.token_details, usage.out.token_details_len));
				nulls[D_COMPLETION_TOKEN_DETAILS] = false;
			}

			workspace_id = DatumGetUUIDP(heap_getattr(newtup, cols->workspace_id, desc, &isnull));
			if (isnull)
				workspace_id = NULL;
			start_time = DatumGetTimestampTz(heap_getattr(newtup, cols->start_time, desc, &isnull));
			entry = PriceMapChoose(model, modellen, provider, providerlen, start_time, workspace_id);

			if (CostCompute(&usage, entry, &r, NULL, &error))
			{
				if (r.has_input)
					values[D_PROMPT_COST] = NumericGetDatum(AmountToNumeric(&r.input, LSB_COST_SCALE)), nulls[D_PROMPT_COST] = false;
				if (r.has_output)
					values[D_COMPLETION_COST] = NumericGetDatum(AmountToNumeric(&r.output, LSB_COST_SCALE)), nulls[D_COMPLETION_COST] = false;
				if (r.has_total)
					values[D_TOTAL_COST] = NumericGetDatum(AmountToNumeric(&r.total, LSB_COST_SCALE)), nulls[D_TOTAL_COST] = false;
				if (r.input_details)
					values[D_PROMPT_COST_DETAILS] = JsonbPGetDatum(r.input_details), nulls[D_PROMPT_COST_DETAILS] = false;
				if (r.output_details)
					values[D_COMPLETION_COST_DETAILS] = JsonbPGetDatum(r.output_details), nulls[D_COMPLETION_COST_DETAILS] = false;
				if (r.has_price)
					values[D_PRICE_ID] = Int64GetDatum(r.price_id), nulls[D_PRICE_ID] = false;

				/* tokens that nothing could price are worth a word */
				if (!r.has_total && (usage.in.has_tokens || usage.out.has_tokens))
				{
					if (model == NULL)
						error = pstrdup("no model name (extra.metadata.ls_model_name, extra.invocation_params, outputs.model or inputs.model): the tokens cannot be priced");
					else
						error = psprintf("no model price matches ls_model_name \"%.*s\"%s%.*s%s",
										 modellen, model,
										 provider ? " with ls_provider \"" : "",
										 providerlen, provider ? provider : "",
										 provider ? "\"" : "");
				}
			}
			else
			{
				for (int i = D_PROMPT_COST; i <= D_PRICE_ID; i++)
					nulls[i] = true;
			}
		}
		else
		{
			for (int i = D_PROMPT_TOKENS; i <= D_PRICE_ID; i++)
				nulls[i] = true;
		}
	}
	if (error != NULL)
	{
		values[D_COST_ERROR] = CStringGetTextDatum(error);
		nulls[D_COST_ERROR] = false;
	}

	/* a run without model or usage whose derived columns are already empty: nothing to write */
	if (oldtup == NULL && !has_usage && model == NULL && provider == NULL)
	{
		bool		all_null = true;

		for (int i = 0; i < natts && all_null; i++)
			all_null = heap_attisnull(newtup, attrs[i], desc);
		if (all_null)
			return newtup;
	}
	return heap_modify_tuple_by_cols(newtup, desc, natts, attrs, values, nulls);
}
