/*-------------------------------------------------------------------------
 *
 * spi_util.c
 *	  Small helpers shared by the C triggers that use SPI.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"

#include "lsbilling.h"

/*
 * Prepare a statement once per backend and keep it past SPI_finish; the plan
 * cache re-plans it when the tables change.  cursor_options may ask for
 * custom plans (CURSOR_OPT_CUSTOM_PLAN) where a generic plan made on an empty
 * table would be kept for a whole bulk load.
 */
SPIPlanPtr
LsbPrepareKept(const char *sql, int nargs, Oid *argtypes, int cursor_options)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes, cursor_options);

	if (plan == NULL || SPI_keepplan(plan) != 0)
		elog(ERROR, "lsbilling could not prepare \"%s\": %s",
			 sql, SPI_result_code_string(SPI_result));
	return plan;
}

/*
 * The statement's rows, gathered column by column (values[c][0..n-1] and
 * nulls[c][..], of type elemtypes[c]), as one array a column: the parameters
 * of a query that unnests them, since SQL cannot read a trigger's transition
 * table on Citus.
 */
void
LsbColumnArrays(int ncols, const Oid *elemtypes, Datum **values, bool **nulls, int n,
				Datum *arrays)
{
	for (int c = 0; c < ncols; c++)
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;
		int			dims[1] = {n};
		int			lbs[1] = {1};

		get_typlenbyvalalign(elemtypes[c], &typlen, &typbyval, &typalign);
		arrays[c] = PointerGetDatum(construct_md_array(values[c], nulls[c], 1, dims, lbs,
													   elemtypes[c], typlen, typbyval, typalign));
	}
}

/* Attribute number of a column the triggers rely on, by name. */
int
LsbColumnOf(Relation rel, const char *name)
{
	int			attnum = SPI_fnumber(RelationGetDescr(rel), name);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("relation \"%s\" has no column \"%s\"",
						RelationGetRelationName(rel), name),
				 errhint("lsbilling's triggers expect the columns of the tables it created.")));
	return attnum;
}

/* A uuid datum as text, for messages. */
char *
LsbUuidText(Datum uuid)
{
	return DatumGetCString(DirectFunctionCall1(uuid_out, uuid));
}
