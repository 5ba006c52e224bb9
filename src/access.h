/*-------------------------------------------------------------------------
 *
 * access.h
 *	  The principal of an authenticated request, shared by api_keys.c (which
 *	  verifies it) and access_context.c (which keeps it for the transaction).
 *
 *-------------------------------------------------------------------------
 */
#ifndef LSBILLING_ACCESS_H
#define LSBILLING_ACCESS_H

#include "utils/uuid.h"

typedef struct AccessPrincipal
{
	pg_uuid_t	key_id;
	pg_uuid_t	organization_id;
	pg_uuid_t	workspace_id;	/* the workspace the request acts in */
	pg_uuid_t	user_id;		/* a PAT's user */
	bool		has_user;
	char		kind[8];		/* pat, service */
	char		short_key[32];	/* lsv2_pt_…ab12: never the secret */
	char	   *role;			/* workspace role */
	char	   *org_role;		/* organization role, NULL for service keys */
	int			npermissions;
	char	  **permissions;	/* workspace- and organization-level */
} AccessPrincipal;

/* access_context.c: the transaction's principal (a copy is kept) */
extern void AccessContextSet(const AccessPrincipal *principal);

/* tenant_token.c: the principal as a signed token for Citus shards */
extern void TenantTokenInit(void);
extern void TenantTokenIssue(const AccessPrincipal *principal, const bytea *secret);
extern void TenantTokenClear(void);
extern const AccessPrincipal *TenantTokenPrincipal(void);

#endif							/* LSBILLING_ACCESS_H */
