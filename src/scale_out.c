/*-------------------------------------------------------------------------
 *
 * scale_out.c
 *	  What the write path needs to know about Citus.
 *
 * On Citus the triggers fire on the shards, and their SPI statements are
 * planned by Citus: only statements that route to one shard group (a
 * workspace_id given as a parameter) can run there.  Where the single-node
 * path batches a statement's traces into one multi-row statement, the code
 * asks LsbCitusActive() and then writes one trace a statement instead.
 * See README "Distributing with Citus".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/extension.h"
#include "storage/proc.h"

#include "lsbilling.h"

/*
 * True when the citus extension exists in this database.  A positive answer
 * is kept for the backend's life (Citus cannot be dropped from a database
 * with distributed tables); a negative one for the transaction (every run
 * insert asks, and pg_extension has no syscache), so that a session that ran
 * CREATE EXTENSION citus sees it from its next transaction on.
 */
bool
LsbCitusActive(void)
{
	static bool citus = false;
	static LocalTransactionId checked = InvalidLocalTransactionId;

	if (!citus && checked != MyProc->lxid)
	{
		citus = OidIsValid(get_extension_oid("citus", true));
		checked = MyProc->lxid;
	}
	return citus;
}
