/*-------------------------------------------------------------------------
 *
 * jsonb_util.c
 *	  Small read helpers over jsonb objects, for the triggers.
 *
 * They read the on-disk container directly through jsonb's public lookup
 * (getKeyJsonValueFromContainer), without building intermediate jsonb datums.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/jsonb.h"

#include "lsbilling.h"

/* Value of key in an object container, or NULL if absent or not an object. */
JsonbValue *
JsonbObjectGet(JsonbContainer *container, const char *key, JsonbValue *result)
{
	if (container == NULL || !JsonContainerIsObject(container))
		return NULL;
	return getKeyJsonValueFromContainer(container, key, strlen(key), result);
}

/* A string member as a palloc'd C string; NULL when absent, null or not a string. */
char *
JsonbObjectGetText(JsonbContainer *container, const char *key)
{
	JsonbValue	v;

	if (JsonbObjectGet(container, key, &v) == NULL || v.type != jbvString)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* An object member's container; NULL when absent or not an object. */
JsonbContainer *
JsonbObjectGetObject(JsonbContainer *container, const char *key)
{
	JsonbValue	v;

	if (JsonbObjectGet(container, key, &v) == NULL || v.type != jbvBinary)
		return NULL;
	if (!JsonContainerIsObject(v.val.binary.data))
		return NULL;
	return v.val.binary.data;
}
