/*-------------------------------------------------------------------------
 *
 * cost_sql.c
 *	  SQL entry points of the cost engine: compute_cost, explain_price,
 *	  recompute_costs, and the two triggers on model_prices.
 *
 * Thin wrappers: the work is in usage.c, pricing.c and price_map.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/uuid.h"

#include "cost.h"

/* What one call site of compute_cost keeps between rows. */
typedef struct ComputeCostCache
{
	TupleDesc	desc;
	Oid			checked_user;	/* may SELECT model_prices (checked once per role) */
	bool		known_row;		/* desc is the row FormCostRow lays out */
} ComputeCostCache;

static bool CostRowKnown(TupleDesc desc);
static bool FormCostRowAgrees(TupleDesc desc);

static ComputeCostCache *
CallCache(FunctionCallInfo fcinfo)
{
	ComputeCostCache *cache = (ComputeCostCache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		MemoryContext old;
		TupleDesc	desc;

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		cache = palloc0(sizeof(ComputeCostCache));
		cache->desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		cache->checked_user = InvalidOid;
		MemoryContextSwitchTo(old);
		cache->known_row = CostRowKnown(cache->desc) && FormCostRowAgrees(cache->desc);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

/*
 * compute_cost's row: (numeric, numeric, numeric, jsonb, jsonb, bigint), as
 * its OUT parameters declare it.
 */
static bool
CostRowKnown(TupleDesc desc)
{
	static const Oid types[6] = {NUMERICOID, NUMERICOID, NUMERICOID, JSONBOID, JSONBOID, INT8OID};

	if (desc->natts != 6)
		return false;
	for (int i = 0; i < 6; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->atttypid != types[i])
			return false;
		if (i < 5 && (att->attlen != -1 || att->attalign != TYPALIGN_INT ||
					  att->attstorage == TYPSTORAGE_PLAIN))
			return false;
		if (i == 5 && (att->attlen != 8 || !att->attbyval || att->attalign != TYPALIGN_DOUBLE))
			return false;
	}
	return true;
}

/*
 * heap_form_tuple for that row, in one pass over known types and one
 * allocation (the generic one was 15% of a detail-heavy compute_cost
 * profile).  The layout is heap_form_tuple's, byte for byte: the varlenas
 * (packable) with a 1-byte header when they fit one, else int-aligned; the
 * bigint double-aligned; padding zeroed.  Another row type, or a toasted
 * value, goes to heap_form_tuple.
 */
static Datum
FormCostRowKnown(TupleDesc desc, Datum *values, bool *nulls)
{
	bool		hasnull = false;
	Size		hoff;
	Size		len;
	Size		off = 0;
	HeapTupleHeader td;
	char	   *data;
	uint16		infomask = 0;

	/* the data's length, as heap_compute_data_size counts it */
	for (int i = 0; i < 5; i++)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(values[i]);

		if (nulls[i])
		{
			hasnull = true;
			continue;
		}
		if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
			return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
		if (VARATT_CAN_MAKE_SHORT(v))
			off += VARATT_CONVERTED_SHORT_SIZE(v);
		else if (VARATT_IS_SHORT(v))
			off += VARSIZE_SHORT(v);
		else
			off = INTALIGN(off) + VARSIZE(v);
	}
	if (nulls[5])
		hasnull = true;
	else
		off = DOUBLEALIGN(off) + sizeof(int64);
	hoff = MAXALIGN(offsetof(HeapTupleHeaderData, t_bits) + (hasnull ? BITMAPLEN(6) : 0));
	len = hoff + off;

	td = palloc(len);
	memset(td, 0, hoff);
	HeapTupleHeaderSetDatumLength(td, len);
	HeapTupleHeaderSetTypeId(td, desc->tdtypeid);
	HeapTupleHeaderSetTypMod(td, desc->tdtypmod);
	ItemPointerSetInvalid(&td->t_ctid);
	HeapTupleHeaderSetNatts(td, 6);
	td->t_hoff = hoff;
#ifdef HEAP_IS_DATUM
	HeapTupleHeaderSetDatum(td);	/* minor releases from 2025 mark composite datums */
#endif
	if (hasnull)
	{
		bits8		bits = 0;

		for (int i = 0; i < 6; i++)
			if (!nulls[i])
				bits |= 1 << i;
		td->t_bits[0] = bits;
		infomask |= HEAP_HASNULL;
	}

	data = (char *) td + hoff;
	off = 0;
	for (int i = 0; i < 5; i++)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(values[i]);

		if (nulls[i])
			continue;
		infomask |= HEAP_HASVARWIDTH;
		if (VARATT_IS_SHORT(v))
		{
			memcpy(data + off, v, VARSIZE_SHORT(v));
			off += VARSIZE_SHORT(v);
		}
		else if (VARATT_CAN_MAKE_SHORT(v))
		{
			Size		n = VARATT_CONVERTED_SHORT_SIZE(v);

			SET_VARSIZE_SHORT(data + off, n);
			memcpy(data + off + 1, VARDATA(v), n - 1);
			off += n;
		}
		else
		{
			Size		aligned = INTALIGN(off);

			memset(data + off, 0, aligned - off);
			memcpy(data + aligned, v, VARSIZE(v));
			off = aligned + VARSIZE(v);
		}
	}
	if (!nulls[5])
	{
		Size		aligned = DOUBLEALIGN(off);
		int64		id = DatumGetInt64(values[5]);

		memset(data + off, 0, aligned - off);
		memcpy(data + aligned, &id, sizeof(int64));
		off = aligned + sizeof(int64);
	}
	Assert(hoff + off == len);
	td->t_infomask |= infomask;
	return PointerGetDatum(td);
}

static Datum
FormCostRow(const ComputeCostCache *cache, Datum *values, bool *nulls)
{
	if (!cache->known_row)
		return HeapTupleGetDatum(heap_form_tuple(cache->desc, values, nulls));
	return FormCostRowKnown(cache->desc, values, nulls);
}

/*
 * The data area's layout is the on-disk format, but the header's marks have
 * changed in minor releases (HEAP_IS_DATUM): once per call site, two sample
 * rows are formed both ways, and any difference leaves heap_form_tuple to
 * do the work.
 */
static bool
FormCostRowAgrees(TupleDesc desc)
{
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	bool		agree = true;

	values[0] = NumericGetDatum(FixedToNumeric(INT64CONST(123456789), LSB_COST_SCALE));
	values[1] = NumericGetDatum(FixedToNumeric(0, LSB_COST_SCALE));
	values[2] = NumericGetDatum(FixedToNumeric((int128) PG_INT64_MAX * 1000, LSB_COST_SCALE));
	values[3] = DirectFunctionCall1(jsonb_in, CStringGetDatum("{\"audio\": 0.000012, \"cache_read\": 0.5}"));
	values[4] = DirectFunctionCall1(jsonb_in, CStringGetDatum("{\"reasoning\": 1}"));
	values[5] = Int64GetDatum(42);
	for (int round = 0; round < 2 && agree; round++)
	{
		HeapTuple	t = heap_form_tuple(desc, values, nulls);
		HeapTupleHeader td = (HeapTupleHeader) DatumGetPointer(FormCostRowKnown(desc, values, nulls));

		agree = t->t_len == VARSIZE(td) && memcmp(t->t_data, td, t->t_len) == 0;
		/* then with nulls (the bitmap) */
		nulls[1] = nulls[4] = true;
	}
	return agree;
}

/*
 * lsbilling.compute_cost(usage_metadata, model_name, provider, at, workspace_id)
 * -> (input_cost, output_cost, total_cost, input_cost_details, output_cost_details, price_id)
 */
PG_FUNCTION_INFO_V1(lsbilling_compute_cost);
Datum
lsbilling_compute_cost(PG_FUNCTION_ARGS)
{
	ComputeCostCache *cache = CallCache(fcinfo);
	Datum		values[6];
	bool		nulls[6] = {true, true, true, true, true, true};

	if (!PG_ARGISNULL(0))
	{
		Jsonb	   *jb = PG_GETARG_JSONB_P(0);
		text	   *model = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
		text	   *provider = PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2);
		TimestampTz at = PG_ARGISNULL(3) ? GetCurrentTransactionStartTimestamp()
			: PG_GETARG_TIMESTAMPTZ(3);
		pg_uuid_t  *workspace_id = PG_ARGISNULL(4) ? NULL : PG_GETARG_UUID_P(4);
		Usage		usage;
		CostResult	r;
		LsbNumericBuf bufs[3];	/* the three costs, until heap_form_tuple copies them */
		LsbDetailsBuf details[2];	/* and the detail costs */
		const PriceEntry *entry = NULL;
		char	   *error;

		/* like a table's, the privilege is checked per role, not per row */
		if (cache->checked_user != GetUserId())
		{
			PriceMapCheckAccess();
			cache->checked_user = GetUserId();
		}
		if (!UsageParse(&jb->root, &usage, &error))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s", error)));
		/* the vocabulary (README "Key vocabulary"), for the few documents that need it */
		if (UsageNeedsNormalise(&usage))
		{
			Jsonb	   *normalised = UsageNormalise(&jb->root);

			if (normalised != NULL && !UsageParse(&normalised->root, &usage, &error))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s", error)));
		}
		if (model != NULL)
			entry = PriceMapChoose(VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model),
								   provider ? VARDATA_ANY(provider) : NULL,
								   provider ? VARSIZE_ANY_EXHDR(provider) : 0,
								   at, workspace_id);
		if (!CostCompute(&usage, entry, &r, details, &error))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s", error)));

		if (r.has_input)
			values[0] = NumericGetDatum(AmountToNumericBuf(&r.input, &bufs[0])), nulls[0] = false;
		if (r.has_output)
			values[1] = NumericGetDatum(AmountToNumericBuf(&r.output, &bufs[1])), nulls[1] = false;
		if (r.has_total)
			values[2] = NumericGetDatum(AmountToNumericBuf(&r.total, &bufs[2])), nulls[2] = false;
		if (r.input_details)
			values[3] = JsonbPGetDatum(r.input_details), nulls[3] = false;
		if (r.output_details)
			values[4] = JsonbPGetDatum(r.output_details), nulls[4] = false;
		if (r.has_price)
			values[5] = Int64GetDatum(r.price_id), nulls[5] = false;
	}
	PG_RETURN_DATUM(FormCostRow(cache, values, nulls));
}

/*
 * lsbilling.explain_price(model_name, provider, at, workspace_id): the entries
 * whose pattern and provider match, in the order the choice walks them (the
 * workspace's own, then defaults; latest activation; highest id), and what
 * became of each.
 */
PG_FUNCTION_INFO_V1(lsbilling_explain_price);
Datum
lsbilling_explain_price(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *model;
	text	   *provider = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	TimestampTz at = PG_ARGISNULL(2) ? GetCurrentTransactionStartTimestamp()
		: PG_GETARG_TIMESTAMPTZ(2);
	pg_uuid_t  *workspace_id = PG_ARGISNULL(3) ? NULL : PG_GETARG_UUID_P(3);
	const PriceEntry *entries;
	int			n;
	int			rank = 0;
	bool		chosen = false;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	model = PG_GETARG_TEXT_PP(0);
	PriceMapCheckAccess();
	n = PriceMapEntries(&entries);

	for (int pass = 0; pass < 2; pass++)
	{
		for (int i = 0; i < n; i++)
		{
			const PriceEntry *e = &entries[i];
			PriceMatch	m;
			Datum		values[10];
			bool		nulls[10] = {false};
			const char *status;

			if (pass == 0 && (!e->has_workspace || workspace_id == NULL ||
							  memcmp(e->workspace_id.data, workspace_id->data, UUID_LEN) != 0))
				continue;
			if (pass == 1 && e->has_workspace)
				continue;
			if (!PriceEntryProviderMatches(e, provider ? VARDATA_ANY(provider) : NULL,
										   provider ? VARSIZE_ANY_EXHDR(provider) : 0))
				continue;
			m = PriceEntryMatches(e, VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model));
			if (m == PRICE_MATCH_NO)
				continue;

			if (m == PRICE_MATCH_LIMIT)
				status = "pattern exceeded the match limit: ignored";
			else if (e->has_activation && e->activation_date > at)
				status = "not active yet";
			else if (!chosen)
			{
				status = "chosen";
				chosen = true;
			}
			else
				status = "outranked";

			values[0] = Int32GetDatum(++rank);
			values[1] = Int64GetDatum(e->id);
			values[2] = CStringGetTextDatum(e->has_workspace ? "workspace" : "default");
			values[3] = CStringGetTextDatum(e->name ? e->name : "");
			values[4] = CStringGetTextDatum(e->pattern);
			if (e->provider)
				values[5] = CStringGetTextDatum(e->provider);
			else
				nulls[5] = true;
			if (e->has_activation)
				values[6] = TimestampTzGetDatum(e->activation_date);
			else
				nulls[6] = true;
			values[7] = NumericGetDatum(e->input_price);
			values[8] = NumericGetDatum(e->output_price);
			values[9] = CStringGetTextDatum(status);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/*
 * lsbilling.recompute_costs(workspace_id, since, until): re-price the runs
 * started in [since, until) with today's price map.  The update goes through
 * the run triggers, so every trace total moves by exactly the difference.
 */
PG_FUNCTION_INFO_V1(lsbilling_recompute_costs);
Datum
lsbilling_recompute_costs(PG_FUNCTION_ARGS)
{
	Oid			argtypes[3] = {UUIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[3];
	uint64		processed = 0;
	bool		saved = LsbCostRecompute;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("workspace_id, since and until must not be null")));
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_GETARG_DATUM(2);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	LsbCostRecompute = true;
	PG_TRY();
	{
		int			rc = SPI_execute_with_args(
											   "UPDATE lsbilling.runs SET extra = extra"
											   " WHERE workspace_id = $1 AND start_time >= $2 AND start_time < $3",
											   3, argtypes, args, NULL, false, 0);

		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "lsbilling.recompute_costs: update failed: %s", SPI_result_code_string(rc));
		processed = SPI_processed;
	}
	PG_FINALLY();
	{
		LsbCostRecompute = saved;
	}
	PG_END_TRY();
	SPI_finish();
	PG_RETURN_INT64((int64) processed);
}

static void
RowFromTuple(HeapTuple tup, TupleDesc desc, PriceRow *row)
{
	bool		isnull;
	Datum		d;

#define COL(name) SPI_fnumber(desc, name)
	d = heap_getattr(tup, COL("id"), desc, &isnull);
	row->id = isnull ? 0 : DatumGetInt64(d);
	d = heap_getattr(tup, COL("workspace_id"), desc, &row->workspace_null);
	if (!row->workspace_null)
		row->workspace_id = *DatumGetUUIDP(d);
	d = heap_getattr(tup, COL("name"), desc, &isnull);
	row->name = isnull ? NULL : TextDatumGetCString(d);
	d = heap_getattr(tup, COL("match_pattern"), desc, &isnull);
	row->pattern = isnull ? NULL : TextDatumGetCString(d);
	d = heap_getattr(tup, COL("provider"), desc, &isnull);
	row->provider = isnull ? NULL : TextDatumGetCString(d);
	d = heap_getattr(tup, COL("activation_date"), desc, &row->activation_null);
	row->activation_date = row->activation_null ? 0 : DatumGetTimestampTz(d);
	d = heap_getattr(tup, COL("input_price"), desc, &isnull);
	row->input_price = isnull ? NULL : DatumGetNumeric(d);
	d = heap_getattr(tup, COL("output_price"), desc, &isnull);
	row->output_price = isnull ? NULL : DatumGetNumeric(d);
	d = heap_getattr(tup, COL("input_price_details"), desc, &isnull);
	row->input_price_details = isnull ? NULL : &DatumGetJsonbP(d)->root;
	d = heap_getattr(tup, COL("output_price_details"), desc, &isnull);
	row->output_price_details = isnull ? NULL : &DatumGetJsonbP(d)->root;
	d = heap_getattr(tup, COL("tiers"), desc, &isnull);
	row->tiers = isnull ? NULL : &DatumGetJsonbP(d)->root;
#undef COL
}

/* BEFORE INSERT OR UPDATE on model_prices: refuse an entry the price map could not use. */
PG_FUNCTION_INFO_V1(lsbilling_model_prices_check);
Datum
lsbilling_model_prices_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	PriceRow	row;
	PriceEntry	entry;
	char	   *error;
	int			sqlstate;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("model_prices_check: must be fired for each row")));
	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple
		: trigdata->tg_trigtuple;
	RowFromTuple(tup, RelationGetDescr(trigdata->tg_relation), &row);
	error = PriceEntryBuild(&row, &entry, &sqlstate);
	PriceEntryFreeCode(&entry);
	if (error != NULL)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid model price \"%s\": %s", row.name ? row.name : "", error),
				 sqlstate == ERRCODE_INVALID_REGULAR_EXPRESSION ?
				 errhint("match_pattern is a PCRE2 regular expression, searched for anywhere in ls_model_name; anchor it with ^ and $.") : 0));
	return PointerGetDatum(tup);
}

/*
 * AFTER ... FOR EACH STATEMENT on model_prices: tell every backend, at commit,
 * that its price map is stale (a relcache invalidation of the table).
 */
PG_FUNCTION_INFO_V1(lsbilling_model_prices_changed);
Datum
lsbilling_model_prices_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("model_prices_changed: not called by trigger manager")));
	CacheInvalidateRelcache(trigdata->tg_relation);

	/*
	 * On Citus this fires on a node's placement of the reference table
	 * (model_prices_NNN); the price maps there watch lsbilling.model_prices.
	 */
	{
		Oid			nsp = get_namespace_oid("lsbilling", true);
		Oid			relid = OidIsValid(nsp) ? get_relname_relid("model_prices", nsp) : InvalidOid;

		if (OidIsValid(relid) && relid != RelationGetRelid(trigdata->tg_relation))
			CacheInvalidateRelcacheByRelid(relid);
	}
	return PointerGetDatum(NULL);
}
