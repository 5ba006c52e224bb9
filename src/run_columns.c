/*-------------------------------------------------------------------------
 *
 * run_columns.c
 *	  Attribute numbers of the runs columns, per partition.
 *
 * Triggers on a partitioned table fire on the partition, whose column
 * numbering can differ from the parent's.  Looking columns up by name on
 * every row would cost a linear scan each; we do it once per relation and
 * forget the entry when the relation's relcache entry is invalidated.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/partition.h"

#include "executor/spi.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"

#include "lsbilling.h"

static HTAB *RunColumnsCache = NULL;

static void
RunColumnsInvalidate(Datum arg, Oid relid)
{
	if (RunColumnsCache == NULL)
		return;
	if (relid == InvalidOid)
	{
		HASH_SEQ_STATUS status;
		RunColumns *entry;

		hash_seq_init(&status, RunColumnsCache);
		while ((entry = hash_seq_search(&status)) != NULL)
			hash_search(RunColumnsCache, &entry->relid, HASH_REMOVE, NULL);
	}
	else
		hash_search(RunColumnsCache, &relid, HASH_REMOVE, NULL);
}

const RunColumns *
RunColumnsFor(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	RunColumns *cols;
	bool		found;

	if (RunColumnsCache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(RunColumns);
		ctl.hcxt = TopMemoryContext;
		RunColumnsCache = hash_create("lsbilling run columns", 64, &ctl,
									  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(RunColumnsInvalidate, (Datum) 0);
	}

	cols = hash_search(RunColumnsCache, &relid, HASH_FIND, NULL);
	if (cols != NULL)
		return cols;

	/* Look everything up before entering, so an error leaves no half entry. */
	{
		RunColumns	c;

		c.relid = relid;
		c.workspace_id = LsbColumnOf(rel, "workspace_id");
		c.id = LsbColumnOf(rel, "id");
		c.trace_id = LsbColumnOf(rel, "trace_id");
		c.parent_run_id = LsbColumnOf(rel, "parent_run_id");
		c.project_id = LsbColumnOf(rel, "project_id");
		c.name = LsbColumnOf(rel, "name");
		c.run_type = LsbColumnOf(rel, "run_type");
		c.start_time = LsbColumnOf(rel, "start_time");
		c.outputs = LsbColumnOf(rel, "outputs");
		c.extra = LsbColumnOf(rel, "extra");
		c.ls_provider = LsbColumnOf(rel, "ls_provider");
		c.ls_model_name = LsbColumnOf(rel, "ls_model_name");
		c.usage_metadata = LsbColumnOf(rel, "usage_metadata");
		c.prompt_tokens = LsbColumnOf(rel, "prompt_tokens");
		c.completion_tokens = LsbColumnOf(rel, "completion_tokens");
		c.total_tokens = LsbColumnOf(rel, "total_tokens");
		c.prompt_token_details = LsbColumnOf(rel, "prompt_token_details");
		c.completion_token_details = LsbColumnOf(rel, "completion_token_details");
		c.prompt_cost = LsbColumnOf(rel, "prompt_cost");
		c.completion_cost = LsbColumnOf(rel, "completion_cost");
		c.total_cost = LsbColumnOf(rel, "total_cost");
		c.prompt_cost_details = LsbColumnOf(rel, "prompt_cost_details");
		c.completion_cost_details = LsbColumnOf(rel, "completion_cost_details");
		c.price_id = LsbColumnOf(rel, "price_id");
		c.cost_error = LsbColumnOf(rel, "cost_error");
		c.inputs = LsbColumnOf(rel, "inputs");
		c.usage_source = Max(SPI_fnumber(RelationGetDescr(rel), "usage_source"), InvalidAttrNumber);
		c.retained = Max(SPI_fnumber(RelationGetDescr(rel), "retained"), InvalidAttrNumber);
		c.default_partition = rel->rd_rel->relispartition &&
			get_default_partition_oid(get_partition_parent(relid, true)) == relid;

		cols = hash_search(RunColumnsCache, &relid, HASH_ENTER, &found);
		*cols = c;
	}
	return cols;
}
