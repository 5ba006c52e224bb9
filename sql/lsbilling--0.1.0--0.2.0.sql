\echo Use "ALTER EXTENSION lsbilling UPDATE TO '0.2.0'" to load this file. \quit
-- ===========================================================================
-- lsbilling 0.1.0 -> 0.2.0.
--
-- This file is also the second half of the fresh 0.2.0 install script (make
-- builds lsbilling--0.2.0.sql from the frozen lsbilling--0.1.0.sql followed by
-- this file), so a fresh install and an update run the same statements.
--
-- Rules for everything below (see README "Upgrading"):
--  * idempotent: Citus runs an extension update on every node, and a rerun of
--    a half-applied update must not fail: CREATE ... IF NOT EXISTS,
--    CREATE OR REPLACE, ADD COLUMN IF NOT EXISTS, DROP ... IF EXISTS before a
--    re-create where no IF NOT EXISTS exists (policies, triggers, constraints);
--  * works on a database that already holds 0.1.0 data (new NOT NULL columns
--    get a default or a backfill);
--  * C symbols that 0.1.0's functions name stay exported by the library.
--
-- One section per concern, in dependency order; each issue's changes go
-- between its own markers so parallel work merges cleanly.
-- ===========================================================================

-- ---------------------------------------------------------------------------
-- Clock: one time source for billing, limits, windows, retention, invoices and
-- the worker (lsbilling.test_clock, superuser-only, for tests and demos).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION lsbilling.clock_now()
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'lsbilling_clock_now'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION lsbilling.clock_now() IS
	'lsbilling''s clock: lsbilling.test_clock when set (tests and demos only), else the transaction''s start time';

-- >>> section: access (organizations, roles, API keys, RLS, tags)
-- Security model (README "Access"): the write path runs as the extension's
-- owner; application roles get the grants of lsbilling.grant_access() and see
-- and write only the workspace lsbilling.authenticate() put in the
-- transaction's context (row-level security, failing closed when unset).

-- 1. The write path runs as the owner, with a pinned search_path, so that the
-- caller needs no rights on traces, the ledger or the counters and cannot
-- plant functions or operators that the triggers' SQL would call.
ALTER FUNCTION lsbilling.runs_before_write() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.runs_after_insert() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.runs_after_write() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.resolve_run_reference() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.upgrade_trace() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.record_deployment_run() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.billing_events_append_only() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.usage_flush() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.model_prices_check() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.model_prices_changed() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- The read-side functions of 0.1.0 run as their caller (so that RLS applies)
-- with a pinned search_path: a function or operator planted in a schema
-- earlier in a superuser's path is never called from them.
ALTER FUNCTION lsbilling.month_bounds(date) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.invoice(uuid, date) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.usage(uuid, date, date) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.run_tree(uuid, uuid) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.project_stats(uuid, timestamptz, timestamptz) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.cost_timeseries(uuid, interval, timestamptz, timestamptz, uuid)
	SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION lsbilling.recompute_costs(uuid, timestamptz, timestamptz) SET search_path = pg_catalog, pg_temp;

-- The ledger takes positive quantities only (the triggers write 1).
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
				   WHERE conrelid = 'lsbilling.billing_events'::regclass
					 AND conname = 'billing_events_quantity_check') THEN
		ALTER TABLE lsbilling.billing_events
			ADD CONSTRAINT billing_events_quantity_check CHECK (quantity > 0);
	END IF;
END
$$;

-- Nobody but the owner writes the ledger, the counters, traces or a partition
-- of runs (grant_access never grants them; this states it for PUBLIC).
REVOKE ALL ON lsbilling.billing_events, lsbilling.usage_counters, lsbilling.traces,
	lsbilling.runs_default, lsbilling.plans, lsbilling.organizations FROM PUBLIC;

-- Views read with the caller's rights, so that row-level security applies.
ALTER VIEW lsbilling.monthly_usage SET (security_invoker = on);

-- 2. The tenant context (src/access.c): set only by authenticate(), gone at
-- the end of the transaction.
CREATE OR REPLACE FUNCTION lsbilling.current_workspace_ids() RETURNS uuid[]
	AS 'MODULE_PATHNAME', 'lsbilling_current_workspace_ids' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION lsbilling.current_workspace_ids() IS
	'the workspaces the transaction''s principal (set by lsbilling.authenticate) may read; empty when none';
CREATE OR REPLACE FUNCTION lsbilling.current_workspace_ids(permission text) RETURNS uuid[]
	AS 'MODULE_PATHNAME', 'lsbilling_current_workspace_ids_for' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION lsbilling.current_workspace_ids(text) IS
	'the workspaces where the transaction''s principal holds permission; empty when none';
CREATE OR REPLACE FUNCTION lsbilling.current_organization_id() RETURNS uuid
	AS 'MODULE_PATHNAME', 'lsbilling_current_organization_id' LANGUAGE C STABLE PARALLEL RESTRICTED;
CREATE OR REPLACE FUNCTION lsbilling.current_user_id() RETURNS uuid
	AS 'MODULE_PATHNAME', 'lsbilling_current_user_id' LANGUAGE C STABLE PARALLEL RESTRICTED;
CREATE OR REPLACE FUNCTION lsbilling.current_key_id() RETURNS uuid
	AS 'MODULE_PATHNAME', 'lsbilling_current_key_id' LANGUAGE C STABLE PARALLEL RESTRICTED;
CREATE OR REPLACE FUNCTION lsbilling.current_permissions() RETURNS text[]
	AS 'MODULE_PATHNAME', 'lsbilling_current_permissions' LANGUAGE C STABLE PARALLEL RESTRICTED;
CREATE OR REPLACE FUNCTION lsbilling.reset_context() RETURNS void
	AS 'MODULE_PATHNAME', 'lsbilling_reset_context' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION lsbilling.reset_context() IS
	'forgets the transaction''s principal before its end (rights only shrink)';
CREATE OR REPLACE FUNCTION lsbilling.has_permission(permission text) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL RESTRICTED
	RETURN permission = ANY (lsbilling.current_permissions());
COMMENT ON FUNCTION lsbilling.has_permission(text) IS
	'whether the transaction''s principal holds permission in the workspace it acts in';

-- 3. Organizations: personal vs shared, PAT switch.
ALTER TABLE lsbilling.organizations ADD COLUMN IF NOT EXISTS pats_enabled boolean NOT NULL DEFAULT true;

-- 4. The permission matrix as data (seed 003): organization roles and
-- workspace roles; custom roles hold workspace-level permissions only.
CREATE TABLE IF NOT EXISTS lsbilling.permissions (
	name text PRIMARY KEY,
	scope text NOT NULL CONSTRAINT permissions_scope_check CHECK (scope IN ('organization', 'workspace')),
	description text NOT NULL
);
CREATE TABLE IF NOT EXISTS lsbilling.role_permissions (
	scope text NOT NULL CONSTRAINT role_permissions_scope_check CHECK (scope IN ('organization', 'workspace')),
	role text NOT NULL,
	permission text NOT NULL REFERENCES lsbilling.permissions (name),
	PRIMARY KEY (scope, role, permission)
);
INSERT INTO lsbilling.permissions (name, scope, description) VALUES
 ('organization:read', 'organization', 'View organization configuration'),
 ('organization:roles:read', 'organization', 'View organization roles'),
 ('organization:members:read', 'organization', 'View organization members'),
 ('organization:retention:read', 'organization', 'View data retention settings'),
 ('organization:usage-limits:read', 'organization', 'View usage limits'),
 ('organization:pats:create', 'organization', 'Create personal access tokens (PATs)'),
 ('organization:workspaces:admin', 'organization', 'Admin access to all workspaces'),
 ('organization:billing:manage', 'organization', 'Manage billing settings'),
 ('organization:workspaces:create', 'organization', 'Create workspaces'),
 ('organization:roles:manage', 'organization', 'Create, edit, and delete organization roles'),
 ('organization:members:invite', 'organization', 'Invite new users to organization'),
 ('organization:invites:delete', 'organization', 'Delete user invites'),
 ('organization:members:remove', 'organization', 'Remove users from an organization'),
 ('organization:retention:update', 'organization', 'Update data retention settings'),
 ('organization:usage-limits:update', 'organization', 'Update usage limits'),
 ('organization:manage', 'organization', 'Fully manage the organization (configuration, users, billing, workspaces)'),
 ('workspaces:read', 'workspace', 'View the workspace and its settings'),
 ('workspaces:manage', 'workspace', 'Workspace administration: settings, service keys, retention, price overrides'),
 ('workspaces:manage-members', 'workspace', 'Add and remove workspace users, change their roles'),
 ('projects:read', 'workspace', 'View tracing projects'),
 ('projects:create', 'workspace', 'Create tracing projects'),
 ('projects:update', 'workspace', 'Edit tracing projects'),
 ('projects:delete', 'workspace', 'Delete tracing projects'),
 ('projects:increase-trace-tier', 'workspace', 'Raise a project''s trace tier'),
 ('runs:read', 'workspace', 'View runs and traces'),
 ('runs:create', 'workspace', 'Write runs'),
 ('feedback:read', 'workspace', 'View feedback'),
 ('feedback:create', 'workspace', 'Write feedback'),
 ('annotation-queues:read', 'workspace', 'View annotation queues'),
 ('annotation-queues:create', 'workspace', 'Create annotation queues'),
 ('annotation-queues:update', 'workspace', 'Edit annotation queues and add runs to them'),
 ('annotation-queues:delete', 'workspace', 'Delete annotation queues'),
 ('rules:read', 'workspace', 'View automation rules'),
 ('rules:create', 'workspace', 'Create automation rules and record their matches'),
 ('rules:update', 'workspace', 'Edit automation rules'),
 ('rules:delete', 'workspace', 'Delete automation rules'),
 ('datasets:read', 'workspace', 'View datasets and examples'),
 ('datasets:create', 'workspace', 'Create datasets'),
 ('datasets:update', 'workspace', 'Edit datasets and their examples'),
 ('datasets:delete', 'workspace', 'Delete datasets'),
 ('deployments:read', 'workspace', 'View deployments'),
 ('deployments:create', 'workspace', 'Create deployments'),
 ('deployments:update', 'workspace', 'Edit deployments and record their runs'),
 ('deployments:delete', 'workspace', 'Delete deployments'),
 ('tags:read', 'workspace', 'View resource tags'),
 ('tags:update', 'workspace', 'Create tag keys and values, tag resources')
ON CONFLICT (name) DO NOTHING;

-- Organization roles (seed 003's matrix, row by row).
INSERT INTO lsbilling.role_permissions (scope, role, permission)
SELECT 'organization', r.role, p.name
FROM lsbilling.permissions p
CROSS JOIN (VALUES ('viewer'), ('user'), ('admin')) AS r(role)
WHERE p.scope = 'organization'
  AND (r.role = 'admin'
	   OR p.name IN ('organization:read', 'organization:roles:read', 'organization:members:read',
					 'organization:retention:read', 'organization:usage-limits:read')
	   OR (r.role = 'user' AND p.name = 'organization:pats:create'))
ON CONFLICT DO NOTHING;
-- Workspace roles: admin everything; editor everything but workspace
-- administration; viewer read only.
INSERT INTO lsbilling.role_permissions (scope, role, permission)
SELECT 'workspace', r.role, p.name
FROM lsbilling.permissions p
CROSS JOIN (VALUES ('viewer'), ('editor'), ('admin')) AS r(role)
WHERE p.scope = 'workspace'
  AND (r.role = 'admin'
	   OR (r.role = 'editor' AND p.name NOT IN ('workspaces:manage', 'workspaces:manage-members'))
	   OR (r.role = 'viewer' AND p.name LIKE '%:read'))
ON CONFLICT DO NOTHING;

-- Custom roles of an (enterprise) organization: sets of workspace-level permissions.
CREATE TABLE IF NOT EXISTS lsbilling.custom_roles (
	organization_id uuid NOT NULL REFERENCES lsbilling.organizations (id),
	name text NOT NULL
		CONSTRAINT custom_roles_name_check CHECK (name NOT IN ('admin', 'editor', 'viewer')),
	permissions text[] NOT NULL,
	description text,
	PRIMARY KEY (organization_id, name)
);
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname = 'lsbilling' AND 'lsbilling.custom_roles'::regclass = ANY (e.extconfig)) THEN
		PERFORM pg_catalog.pg_extension_config_dump('lsbilling.custom_roles', '');
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION lsbilling.custom_roles_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	bad text;
BEGIN
	IF (SELECT o.plan FROM lsbilling.organizations o WHERE o.id = NEW.organization_id) IS DISTINCT FROM 'enterprise' THEN
		RAISE EXCEPTION 'custom roles need an enterprise organization'
			USING ERRCODE = 'LS402',
				  DETAIL = format('Organization %s is not on the enterprise plan; workspace roles (RBAC) are an enterprise feature.', NEW.organization_id),
				  HINT = 'On other plans every workspace member is an admin.';
	END IF;
	SELECT string_agg(x.perm, ', ') INTO bad
	FROM unnest(NEW.permissions) AS x(perm)
	WHERE NOT EXISTS (SELECT 1 FROM lsbilling.permissions p WHERE p.name = x.perm AND p.scope = 'workspace');
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'custom role "%" names permissions that are not workspace-level: %', NEW.name, bad
			USING ERRCODE = '22023',
				  DETAIL = 'A custom role is a set of workspace-level permissions; organization-level permissions cannot be granted through one.',
				  HINT = 'SELECT name FROM lsbilling.permissions WHERE scope = ''workspace'' lists them.';
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS custom_roles_check ON lsbilling.custom_roles;
CREATE TRIGGER custom_roles_check BEFORE INSERT OR UPDATE ON lsbilling.custom_roles
	FOR EACH ROW EXECUTE FUNCTION lsbilling.custom_roles_check();

-- Personal organizations: developer plan only, one workspace, no invitations.
CREATE OR REPLACE FUNCTION lsbilling.personal_organization_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	org lsbilling.organizations;
BEGIN
	IF TG_TABLE_NAME = 'organizations' THEN
		IF NEW.is_personal AND NEW.plan <> 'developer' THEN
			RAISE EXCEPTION 'a personal organization is on the developer plan only'
				USING ERRCODE = 'LS409',
					  DETAIL = format('Organization %s is personal and cannot take plan %s.', NEW.id, NEW.plan),
					  HINT = 'Create a shared organization for a paid plan.';
		END IF;
		IF TG_OP = 'UPDATE' AND NEW.is_personal AND NOT OLD.is_personal
		   AND ((SELECT count(*) FROM lsbilling.workspaces w WHERE w.organization_id = NEW.id) > 1
				OR (SELECT count(DISTINCT m.user_id) FROM lsbilling.organization_members m
					WHERE m.organization_id = NEW.id) > 1) THEN
			RAISE EXCEPTION 'organization % cannot become personal', NEW.id
				USING ERRCODE = 'LS409',
					  DETAIL = 'A personal organization has at most one workspace and one member.';
		END IF;
		RETURN NEW;
	END IF;
	SELECT * INTO org FROM lsbilling.organizations o WHERE o.id = NEW.organization_id;
	IF NOT FOUND OR NOT org.is_personal THEN
		RETURN NEW;
	END IF;
	IF TG_TABLE_NAME = 'workspaces' THEN
		IF EXISTS (SELECT 1 FROM lsbilling.workspaces w
				   WHERE w.organization_id = NEW.organization_id AND w.id <> NEW.id) THEN
			RAISE EXCEPTION 'a personal organization has only one workspace'
				USING ERRCODE = 'LS409',
					  DETAIL = format('Organization %s is personal and already has a workspace.', NEW.organization_id),
					  HINT = 'Create a shared organization to have several workspaces.';
		END IF;
	ELSIF TG_TABLE_NAME = 'organization_members' THEN
		IF EXISTS (SELECT 1 FROM lsbilling.organization_members m
				   WHERE m.organization_id = NEW.organization_id AND m.user_id <> NEW.user_id) THEN
			RAISE EXCEPTION 'a personal organization cannot invite users'
				USING ERRCODE = 'LS409',
					  DETAIL = format('Organization %s is personal; its only member is its owner.', NEW.organization_id),
					  HINT = 'Create a shared organization and invite your team there.';
		END IF;
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS organizations_personal_check ON lsbilling.organizations;
CREATE TRIGGER organizations_personal_check BEFORE INSERT OR UPDATE OF plan, is_personal ON lsbilling.organizations
	FOR EACH ROW EXECUTE FUNCTION lsbilling.personal_organization_check();
DROP TRIGGER IF EXISTS workspaces_personal_check ON lsbilling.workspaces;
CREATE TRIGGER workspaces_personal_check BEFORE INSERT OR UPDATE OF organization_id ON lsbilling.workspaces
	FOR EACH ROW EXECUTE FUNCTION lsbilling.personal_organization_check();
DROP TRIGGER IF EXISTS organization_members_personal_check ON lsbilling.organization_members;
CREATE TRIGGER organization_members_personal_check BEFORE INSERT OR UPDATE OF organization_id, user_id
	ON lsbilling.organization_members
	FOR EACH ROW EXECUTE FUNCTION lsbilling.personal_organization_check();

-- has_permission(user, organization, workspace, permission): the matrix
-- applied to one user.  An organization limited to one workspace (personal,
-- or the developer plan) makes every member an organization admin; an
-- organization admin is admin of every workspace; outside enterprise
-- organizations every workspace member is a workspace admin.
CREATE OR REPLACE FUNCTION lsbilling.has_permission(user_id uuid, organization_id uuid,
	workspace_id uuid, permission text)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	perm_scope text;
	org lsbilling.organizations;
	org_role text;
	ws_role text;
BEGIN
	SELECT p.scope INTO perm_scope FROM lsbilling.permissions p WHERE p.name = permission;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown permission "%"', permission
			USING ERRCODE = '22023', HINT = 'SELECT name FROM lsbilling.permissions lists them.';
	END IF;
	SELECT * INTO org FROM lsbilling.organizations o WHERE o.id = organization_id;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	SELECT m.role INTO org_role FROM lsbilling.organization_members m
	WHERE m.organization_id = organization_id AND m.user_id = user_id
	  AND m.removed_at IS NULL AND m.status = 'active'
	ORDER BY m.joined_at DESC LIMIT 1;
	IF org_role IS NULL THEN
		RETURN false;
	END IF;
	IF org.is_personal OR org.plan = 'developer' THEN
		org_role := 'admin';
	END IF;
	IF perm_scope = 'organization' THEN
		RETURN EXISTS (SELECT 1 FROM lsbilling.role_permissions rp
					   WHERE rp.scope = 'organization' AND rp.role = org_role AND rp.permission = permission);
	END IF;
	IF workspace_id IS NULL THEN
		RAISE EXCEPTION 'permission "%" is workspace-level and needs a workspace', permission
			USING ERRCODE = '22023';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM lsbilling.workspaces w
				   WHERE w.id = workspace_id AND w.organization_id = organization_id) THEN
		RETURN false;
	END IF;
	IF org_role = 'admin' THEN
		ws_role := 'admin';
	ELSE
		SELECT wm.role INTO ws_role FROM lsbilling.workspace_members wm
		WHERE wm.workspace_id = workspace_id AND wm.user_id = user_id;
		IF ws_role IS NULL THEN
			RETURN false;
		END IF;
		IF org.plan <> 'enterprise' THEN
			ws_role := 'admin';
		END IF;
	END IF;
	RETURN EXISTS (SELECT 1 FROM lsbilling.role_permissions rp
				   WHERE rp.scope = 'workspace' AND rp.role = ws_role AND rp.permission = permission)
		OR EXISTS (SELECT 1 FROM lsbilling.custom_roles cr
				   WHERE org.plan = 'enterprise' AND cr.organization_id = organization_id
					 AND cr.name = ws_role AND permission = ANY (cr.permissions));
END
$$;
COMMENT ON FUNCTION lsbilling.has_permission(uuid, uuid, uuid, text) IS
	'whether a user holds a permission in an organization (workspace_id NULL for organization-level ones) or workspace';

-- 5. API keys (global: they belong to an organization).  Only a hash is
-- stored: sha256(key || secret), the secret a random value in a table no
-- application role can read.  A random 168-bit key needs no slow hash.
CREATE TABLE IF NOT EXISTS lsbilling.key_secrets (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	secret bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname = 'lsbilling' AND 'lsbilling.key_secrets'::regclass = ANY (e.extconfig)) THEN
		PERFORM pg_catalog.pg_extension_config_dump('lsbilling.key_secrets', '');
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION lsbilling.random_secret() RETURNS bytea
	AS 'MODULE_PATHNAME', 'lsbilling_random_secret' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION lsbilling.random_secret() FROM PUBLIC;
INSERT INTO lsbilling.key_secrets (secret)
SELECT lsbilling.random_secret() WHERE NOT EXISTS (SELECT 1 FROM lsbilling.key_secrets);

CREATE TABLE IF NOT EXISTS lsbilling.api_keys (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	organization_id uuid NOT NULL REFERENCES lsbilling.organizations (id),
	kind text NOT NULL CONSTRAINT api_keys_kind_check CHECK (kind IN ('pat', 'service')),
	name text NOT NULL,
	key_hash bytea NOT NULL,
	short_key text NOT NULL,
	user_id uuid REFERENCES lsbilling.users (id),
	member_joined_at timestamptz,
	created_by uuid REFERENCES lsbilling.users (id),
	role text,
	workspace_ids uuid[],
	created_at timestamptz NOT NULL,
	expires_at timestamptz,
	revoked_at timestamptz,
	last_used_at timestamptz,
	CONSTRAINT api_keys_pat_check
		CHECK ((kind = 'pat') = (user_id IS NOT NULL AND member_joined_at IS NOT NULL)),
	CONSTRAINT api_keys_scope_check
		CHECK (kind = 'service' OR (role IS NULL AND workspace_ids IS NULL)),
	CONSTRAINT api_keys_workspaces_check
		CHECK (workspace_ids IS NULL OR cardinality(workspace_ids) > 0)
);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_key_hash_key ON lsbilling.api_keys (key_hash);
CREATE INDEX IF NOT EXISTS api_keys_organization_idx ON lsbilling.api_keys (organization_id);
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname = 'lsbilling' AND 'lsbilling.api_keys'::regclass = ANY (e.extconfig)) THEN
		PERFORM pg_catalog.pg_extension_config_dump('lsbilling.api_keys', '');
	END IF;
END
$$;

-- A key's identity never changes; revocation is final; an expired key cannot
-- be reactivated or have its expiry changed (seed 003); rows are never deleted.
CREATE OR REPLACE FUNCTION lsbilling.api_keys_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'api keys are not deleted'
			USING ERRCODE = '42501', DETAIL = 'A revoked key keeps its row.', HINT = 'Use lsbilling.revoke_api_key().';
	END IF;
	IF (NEW.id, NEW.organization_id, NEW.kind, NEW.key_hash, NEW.short_key, NEW.user_id,
		NEW.member_joined_at, NEW.created_by, NEW.created_at)
	   IS DISTINCT FROM (OLD.id, OLD.organization_id, OLD.kind, OLD.key_hash, OLD.short_key, OLD.user_id,
		OLD.member_joined_at, OLD.created_by, OLD.created_at) THEN
		RAISE EXCEPTION 'the identity of api key % cannot change', OLD.short_key USING ERRCODE = '42501';
	END IF;
	IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
		RAISE EXCEPTION 'api key % is revoked for good', OLD.short_key
			USING ERRCODE = 'LS403', HINT = 'Create a new key.';
	END IF;
	IF NEW.expires_at IS DISTINCT FROM OLD.expires_at
	   AND ((OLD.expires_at IS NOT NULL AND OLD.expires_at <= lsbilling.clock_now())
			OR OLD.revoked_at IS NOT NULL) THEN
		RAISE EXCEPTION 'api key % has expired or is revoked: its expiry cannot change', OLD.short_key
			USING ERRCODE = 'LS403', DETAIL = 'An expired key cannot be reactivated.', HINT = 'Create a new key.';
	END IF;
	RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS api_keys_guard ON lsbilling.api_keys;
CREATE TRIGGER api_keys_guard BEFORE UPDATE OR DELETE ON lsbilling.api_keys
	FOR EACH ROW EXECUTE FUNCTION lsbilling.api_keys_guard();

CREATE OR REPLACE FUNCTION lsbilling.generate_api_key(kind text) RETURNS text
	AS 'MODULE_PATHNAME', 'lsbilling_generate_api_key' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION lsbilling.generate_api_key(text) FROM PUBLIC;

-- The stored form of a key (the newest secret; authenticate tries each).
CREATE OR REPLACE FUNCTION lsbilling.api_key_hash(key text) RETURNS bytea
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN pg_catalog.sha256(pg_catalog.convert_to(key, 'UTF8')
		|| (SELECT s.secret FROM lsbilling.key_secrets s ORDER BY s.created_at DESC, s.id LIMIT 1));
END
$$;
REVOKE ALL ON FUNCTION lsbilling.api_key_hash(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION lsbilling.authenticate(api_key text, workspace_id uuid DEFAULT NULL,
	endpoint text DEFAULT 'other',
	OUT key_id uuid, OUT key_kind text, OUT organization_id uuid, OUT acting_workspace_id uuid,
	OUT user_id uuid, OUT role text)
	AS 'MODULE_PATHNAME', 'lsbilling_authenticate'
	LANGUAGE C VOLATILE SECURITY DEFINER;
COMMENT ON FUNCTION lsbilling.authenticate(text, uuid, text) IS
	'verifies an API key and sets the transaction''s tenant context (workspace, principal, permissions) that row-level security reads';

-- authenticate() keeps the keys it verified in backend memory (src/access.c;
-- no SQL per request, and no SET search_path: the SQL of a miss pins it in C);
-- a change to anything it read makes every backend's copy stale at commit.
CREATE OR REPLACE FUNCTION lsbilling.access_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_access_changed' LANGUAGE C;
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['key_secrets', 'organizations', 'organization_members', 'workspaces',
		'workspace_members', 'role_permissions', 'custom_roles']
	LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS access_changed ON lsbilling.%I', t);
		EXECUTE format('CREATE TRIGGER access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE'
					   ' ON lsbilling.%I FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.access_changed()', t);
	END LOOP;
END
$$;
-- not on last_used_at, which authenticate() itself writes
DROP TRIGGER IF EXISTS access_changed ON lsbilling.api_keys;
CREATE TRIGGER access_changed
	AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF revoked_at, expires_at, role, workspace_ids, key_hash
	ON lsbilling.api_keys
	FOR EACH STATEMENT EXECUTE FUNCTION lsbilling.access_changed();

-- A personal access token for user_id in organization_id, shown once.
CREATE OR REPLACE FUNCTION lsbilling.create_pat(organization_id uuid, user_id uuid, name text,
	expires_at timestamptz DEFAULT NULL, OUT id uuid, OUT key text, OUT short_key text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	org lsbilling.organizations;
	joined timestamptz;
	now timestamptz := lsbilling.clock_now();
BEGIN
	IF lsbilling.current_key_id() IS NOT NULL
	   AND lsbilling.current_user_id() IS DISTINCT FROM create_pat.user_id THEN
		RAISE EXCEPTION 'a personal access token is created by its own user'
			USING ERRCODE = '42501', DETAIL = 'The transaction is authenticated as another principal.';
	END IF;
	SELECT * INTO org FROM lsbilling.organizations o WHERE o.id = create_pat.organization_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'organization % does not exist', create_pat.organization_id USING ERRCODE = '23503';
	END IF;
	IF NOT org.pats_enabled THEN
		RAISE EXCEPTION 'organization % has disabled personal access tokens', org.id
			USING ERRCODE = '42501', HINT = 'Use a service key, or ask an organization admin to enable PAT creation.';
	END IF;
	SELECT m.joined_at INTO joined FROM lsbilling.organization_members m
	WHERE m.organization_id = create_pat.organization_id AND m.user_id = create_pat.user_id
	  AND m.removed_at IS NULL AND m.status = 'active'
	ORDER BY m.joined_at DESC LIMIT 1;
	IF joined IS NULL THEN
		RAISE EXCEPTION 'user % is not an active member of organization %', create_pat.user_id, org.id
			USING ERRCODE = '42501';
	END IF;
	IF NOT lsbilling.has_permission(create_pat.user_id, org.id, NULL, 'organization:pats:create') THEN
		RAISE EXCEPTION 'user % may not create personal access tokens', create_pat.user_id
			USING ERRCODE = '42501', DETAIL = 'Organization viewers cannot create personal access tokens.';
	END IF;
	IF create_pat.expires_at IS NOT NULL AND create_pat.expires_at <= now THEN
		RAISE EXCEPTION 'expiry % is not in the future', create_pat.expires_at USING ERRCODE = '22023';
	END IF;
	key := lsbilling.generate_api_key('pat');
	short_key := pg_catalog.left(key, 8) || '…' || pg_catalog.right(key, 4);
	INSERT INTO lsbilling.api_keys AS k (organization_id, kind, name, key_hash, short_key, user_id,
		member_joined_at, created_by, created_at, expires_at)
	VALUES (org.id, 'pat', create_pat.name, lsbilling.api_key_hash(key), create_pat.short_key,
		create_pat.user_id, joined, create_pat.user_id, now, create_pat.expires_at)
	RETURNING k.id INTO create_pat.id;
END
$$;
REVOKE ALL ON FUNCTION lsbilling.create_pat(uuid, uuid, text, timestamptz) FROM PUBLIC;
COMMENT ON FUNCTION lsbilling.create_pat(uuid, uuid, text, timestamptz) IS
	'a personal access token (lsv2_pt_…) of a user in an organization; the key is returned here only';

-- A service key, created by an admin: scoped to workspace_ids (NULL = the
-- whole organization) with one workspace role.
CREATE OR REPLACE FUNCTION lsbilling.create_service_key(organization_id uuid, name text,
	workspace_ids uuid[] DEFAULT NULL, role text DEFAULT 'admin', expires_at timestamptz DEFAULT NULL,
	created_by uuid DEFAULT NULL, OUT id uuid, OUT key text, OUT short_key text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	creator uuid := coalesce(lsbilling.current_user_id(), create_service_key.created_by);
	now timestamptz := lsbilling.clock_now();
	ws uuid;
BEGIN
	IF lsbilling.current_key_id() IS NOT NULL AND lsbilling.current_user_id() IS NULL THEN
		RAISE EXCEPTION 'a service key cannot create service keys'
			USING ERRCODE = '42501', HINT = 'An organization or workspace admin creates them.';
	END IF;
	IF creator IS NULL THEN
		RAISE EXCEPTION 'a service key needs the admin who creates it'
			USING ERRCODE = '22023', HINT = 'Pass created_by, or authenticate with the admin''s token.';
	END IF;
	IF create_service_key.workspace_ids IS NULL THEN
		IF NOT lsbilling.has_permission(creator, create_service_key.organization_id, NULL, 'organization:manage') THEN
			RAISE EXCEPTION 'only organization admins create organization-wide service keys'
				USING ERRCODE = '42501', DETAIL = format('User %s is not an admin of organization %s.', creator, create_service_key.organization_id);
		END IF;
	ELSE
		IF cardinality(create_service_key.workspace_ids) = 0 THEN
			RAISE EXCEPTION 'a service key needs at least one workspace' USING ERRCODE = '22023',
				HINT = 'Pass NULL for an organization-wide key.';
		END IF;
		FOREACH ws IN ARRAY create_service_key.workspace_ids LOOP
			IF NOT EXISTS (SELECT 1 FROM lsbilling.workspaces w
						   WHERE w.id = ws AND w.organization_id = create_service_key.organization_id) THEN
				RAISE EXCEPTION 'workspace % is not in organization %', ws, create_service_key.organization_id
					USING ERRCODE = '22023';
			END IF;
			IF NOT lsbilling.has_permission(creator, create_service_key.organization_id, ws, 'workspaces:manage') THEN
				RAISE EXCEPTION 'only admins create service keys'
					USING ERRCODE = '42501', DETAIL = format('User %s is not an admin of workspace %s.', creator, ws);
			END IF;
		END LOOP;
	END IF;
	IF create_service_key.role NOT IN ('admin', 'editor', 'viewer')
	   AND NOT EXISTS (SELECT 1 FROM lsbilling.custom_roles cr
					   WHERE cr.organization_id = create_service_key.organization_id AND cr.name = create_service_key.role) THEN
		RAISE EXCEPTION 'unknown role "%"', create_service_key.role
			USING ERRCODE = '22023', HINT = 'The roles are admin, editor, viewer and the organization''s custom roles.';
	END IF;
	IF create_service_key.expires_at IS NOT NULL AND create_service_key.expires_at <= now THEN
		RAISE EXCEPTION 'expiry % is not in the future', create_service_key.expires_at USING ERRCODE = '22023';
	END IF;
	key := lsbilling.generate_api_key('service');
	short_key := pg_catalog.left(key, 8) || '…' || pg_catalog.right(key, 4);
	INSERT INTO lsbilling.api_keys AS k (organization_id, kind, name, key_hash, short_key, created_by,
		role, workspace_ids, created_at, expires_at)
	VALUES (create_service_key.organization_id, 'service', create_service_key.name, lsbilling.api_key_hash(key),
		create_service_key.short_key, creator, create_service_key.role, create_service_key.workspace_ids,
		now, create_service_key.expires_at)
	RETURNING k.id INTO create_service_key.id;
END
$$;
REVOKE ALL ON FUNCTION lsbilling.create_service_key(uuid, text, uuid[], text, timestamptz, uuid) FROM PUBLIC;
COMMENT ON FUNCTION lsbilling.create_service_key(uuid, text, uuid[], text, timestamptz, uuid) IS
	'a service key (lsv2_sk_…) scoped to workspaces (NULL = the organization) with a workspace role; the key is returned here only';

-- Revocation keeps the row; true when this call revoked it.
CREATE OR REPLACE FUNCTION lsbilling.revoke_api_key(key_id uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	k lsbilling.api_keys;
BEGIN
	SELECT * INTO k FROM lsbilling.api_keys a WHERE a.id = revoke_api_key.key_id;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF lsbilling.current_key_id() IS NOT NULL
	   AND lsbilling.current_user_id() IS DISTINCT FROM k.user_id
	   AND NOT coalesce(lsbilling.has_permission(lsbilling.current_user_id(), k.organization_id, NULL,
												 'organization:manage'), false) THEN
		RAISE EXCEPTION 'api key % is not yours to revoke', k.short_key USING ERRCODE = '42501';
	END IF;
	UPDATE lsbilling.api_keys a SET revoked_at = lsbilling.clock_now()
	WHERE a.id = k.id AND a.revoked_at IS NULL;
	RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION lsbilling.revoke_api_key(uuid) FROM PUBLIC;

-- 6. Resource tags: per-workspace keys and values on projects, datasets,
-- annotation queues, deployments (and experiments).
CREATE TABLE IF NOT EXISTS lsbilling.tag_keys (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	key text NOT NULL,
	PRIMARY KEY (workspace_id, id),
	CONSTRAINT tag_keys_workspace_key_key UNIQUE (workspace_id, key)
);
CREATE TABLE IF NOT EXISTS lsbilling.tag_values (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	tag_key_id uuid NOT NULL,
	value text NOT NULL,
	PRIMARY KEY (workspace_id, id),
	CONSTRAINT tag_values_key_value_key UNIQUE (workspace_id, tag_key_id, value),
	CONSTRAINT tag_values_key_id_key UNIQUE (workspace_id, tag_key_id, id),
	FOREIGN KEY (workspace_id, tag_key_id) REFERENCES lsbilling.tag_keys (workspace_id, id) ON DELETE CASCADE
);
-- One value per key per resource.
CREATE TABLE IF NOT EXISTS lsbilling.resource_tags (
	workspace_id uuid NOT NULL,
	resource_type text NOT NULL CONSTRAINT resource_tags_resource_type_check
		CHECK (resource_type IN ('project', 'dataset', 'annotation_queue', 'deployment', 'experiment')),
	resource_id uuid NOT NULL,
	tag_key_id uuid NOT NULL,
	tag_value_id uuid NOT NULL,
	PRIMARY KEY (workspace_id, resource_type, resource_id, tag_key_id),
	FOREIGN KEY (workspace_id, tag_key_id, tag_value_id)
		REFERENCES lsbilling.tag_values (workspace_id, tag_key_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS resource_tags_value_idx ON lsbilling.resource_tags (workspace_id, tag_value_id);
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname = 'lsbilling' AND 'lsbilling.tag_keys'::regclass = ANY (e.extconfig)) THEN
		PERFORM pg_catalog.pg_extension_config_dump('lsbilling.tag_keys', '');
	END IF;
END
$$;
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname = 'lsbilling' AND 'lsbilling.tag_values'::regclass = ANY (e.extconfig)) THEN
		PERFORM pg_catalog.pg_extension_config_dump('lsbilling.tag_values', '');
	END IF;
END
$$;
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
				   WHERE e.extname = 'lsbilling' AND 'lsbilling.resource_tags'::regclass = ANY (e.extconfig)) THEN
		PERFORM pg_catalog.pg_extension_config_dump('lsbilling.resource_tags', '');
	END IF;
END
$$;

-- Every workspace has the tag keys Application and Environment.
INSERT INTO lsbilling.tag_keys (workspace_id, key)
SELECT w.id, k.key FROM lsbilling.workspaces w CROSS JOIN (VALUES ('Application'), ('Environment')) AS k(key)
ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION lsbilling.create_workspace(organization_id uuid, name text,
	base_retention_days integer DEFAULT 14, extended_retention_days integer DEFAULT 400)
RETURNS uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ws uuid;
BEGIN
	INSERT INTO lsbilling.workspaces AS w (organization_id, name, base_retention_days, extended_retention_days)
	VALUES (create_workspace.organization_id, create_workspace.name, create_workspace.base_retention_days,
			create_workspace.extended_retention_days)
	RETURNING w.id INTO ws;
	INSERT INTO lsbilling.tag_keys (workspace_id, key)
	VALUES (ws, 'Application'), (ws, 'Environment') ON CONFLICT DO NOTHING;
	RETURN ws;
END
$$;
COMMENT ON FUNCTION lsbilling.create_workspace(uuid, text, integer, integer) IS
	'a new workspace with the default tag keys Application and Environment';

-- Tag a resource (key and value made on first use); replaces its value for that key.
CREATE OR REPLACE FUNCTION lsbilling.set_tag(workspace_id uuid, resource_type text, resource_id uuid,
	key text, value text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	kid uuid;
	vid uuid;
	found_resource boolean;
BEGIN
	found_resource := CASE set_tag.resource_type
		WHEN 'project' THEN EXISTS (SELECT 1 FROM lsbilling.projects p
									WHERE p.workspace_id = set_tag.workspace_id AND p.id = set_tag.resource_id)
		WHEN 'dataset' THEN EXISTS (SELECT 1 FROM lsbilling.datasets d
									WHERE d.workspace_id = set_tag.workspace_id AND d.id = set_tag.resource_id)
		WHEN 'annotation_queue' THEN EXISTS (SELECT 1 FROM lsbilling.annotation_queues q
									WHERE q.workspace_id = set_tag.workspace_id AND q.id = set_tag.resource_id)
		WHEN 'deployment' THEN EXISTS (SELECT 1 FROM lsbilling.deployments d
									WHERE d.workspace_id = set_tag.workspace_id AND d.id = set_tag.resource_id)
		WHEN 'experiment' THEN true
		ELSE NULL END;
	IF found_resource IS NULL THEN
		RAISE EXCEPTION 'resources of type "%" cannot be tagged', set_tag.resource_type
			USING ERRCODE = '22023', HINT = 'Tags go on projects, datasets, annotation queues, deployments and experiments.';
	ELSIF NOT found_resource THEN
		RAISE EXCEPTION '% % does not exist in workspace %', set_tag.resource_type, set_tag.resource_id, set_tag.workspace_id
			USING ERRCODE = '23503';
	END IF;
	INSERT INTO lsbilling.tag_keys AS k (workspace_id, key) VALUES (set_tag.workspace_id, set_tag.key)
	ON CONFLICT ON CONSTRAINT tag_keys_workspace_key_key DO NOTHING;
	SELECT k.id INTO kid FROM lsbilling.tag_keys k WHERE k.workspace_id = set_tag.workspace_id AND k.key = set_tag.key;
	INSERT INTO lsbilling.tag_values AS v (workspace_id, tag_key_id, value) VALUES (set_tag.workspace_id, kid, set_tag.value)
	ON CONFLICT ON CONSTRAINT tag_values_key_value_key DO NOTHING;
	SELECT v.id INTO vid FROM lsbilling.tag_values v
	WHERE v.workspace_id = set_tag.workspace_id AND v.tag_key_id = kid AND v.value = set_tag.value;
	DELETE FROM lsbilling.resource_tags t
	WHERE t.workspace_id = set_tag.workspace_id AND t.resource_type = set_tag.resource_type
	  AND t.resource_id = set_tag.resource_id AND t.tag_key_id = kid;
	INSERT INTO lsbilling.resource_tags (workspace_id, resource_type, resource_id, tag_key_id, tag_value_id)
	VALUES (set_tag.workspace_id, set_tag.resource_type, set_tag.resource_id, kid, vid);
END
$$;

-- The resources of a type carrying key = value.
CREATE OR REPLACE FUNCTION lsbilling.resources_with_tag(workspace_id uuid, resource_type text, key text, value text)
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT t.resource_id
	FROM lsbilling.resource_tags t
	JOIN lsbilling.tag_keys k ON k.workspace_id = t.workspace_id AND k.id = t.tag_key_id
	JOIN lsbilling.tag_values v ON v.workspace_id = t.workspace_id AND v.id = t.tag_value_id
	WHERE t.workspace_id = resources_with_tag.workspace_id AND t.resource_type = resources_with_tag.resource_type
	  AND k.key = resources_with_tag.key AND v.value = resources_with_tag.value
	ORDER BY t.resource_id;
END
$$;

-- Costs grouped by the value a tag key has on each trace's project (NULL:
-- projects without that tag), over traces started in [since, until).
CREATE OR REPLACE FUNCTION lsbilling.cost_by_tag(workspace_id uuid, key text,
	since timestamptz DEFAULT '-infinity', until timestamptz DEFAULT 'infinity')
RETURNS TABLE (tag_value text, project_count bigint, trace_count bigint, run_count bigint,
	prompt_tokens bigint, completion_tokens bigint, total_tokens bigint,
	prompt_cost numeric, completion_cost numeric, other_cost numeric, total_cost numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT v.value, count(DISTINCT t.project_id), count(*), coalesce(sum(t.run_count), 0)::bigint,
		coalesce(sum(t.prompt_tokens), 0)::bigint, coalesce(sum(t.completion_tokens), 0)::bigint,
		coalesce(sum(t.total_tokens), 0)::bigint, coalesce(sum(t.prompt_cost), 0),
		coalesce(sum(t.completion_cost), 0), coalesce(sum(t.other_cost), 0), coalesce(sum(t.total_cost), 0)
	FROM lsbilling.traces t
	LEFT JOIN (lsbilling.resource_tags rt
			   JOIN lsbilling.tag_keys k ON k.workspace_id = rt.workspace_id AND k.id = rt.tag_key_id
			   JOIN lsbilling.tag_values v ON v.workspace_id = rt.workspace_id AND v.id = rt.tag_value_id)
		ON rt.workspace_id = t.workspace_id AND rt.resource_type = 'project' AND rt.resource_id = t.project_id
		   AND k.key = cost_by_tag.key
	WHERE t.workspace_id = cost_by_tag.workspace_id
	  AND t.start_time >= cost_by_tag.since AND t.start_time < cost_by_tag.until
	GROUP BY v.value
	ORDER BY v.value NULLS LAST;
END
$$;
COMMENT ON FUNCTION lsbilling.cost_by_tag(uuid, text, timestamptz, timestamptz) IS
	'traces, runs, tokens and costs of a workspace grouped by the value of a tag key on their projects (NULL: untagged)';

-- 7. Permission checks of the write triggers (src/access.c): with a
-- principal in the transaction, a row must be of its workspace and the
-- principal must hold the permission.  Named to fire before the other
-- BEFORE triggers (alphabetical order).
CREATE OR REPLACE FUNCTION lsbilling.access_check() RETURNS trigger
	AS 'MODULE_PATHNAME', 'lsbilling_access_check' LANGUAGE C;
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('runs', 'runs:create'),
		('feedback', 'feedback:create'),
		('annotation_queue_runs', 'annotation-queues:update'),
		('rule_matches', 'rules:create'),
		('deployment_runs', 'deployments:update')) AS v(tab, perm)
	LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS access_check ON lsbilling.%I', t.tab);
		EXECUTE format('CREATE TRIGGER access_check BEFORE INSERT OR UPDATE ON lsbilling.%I'
					   ' FOR EACH ROW EXECUTE FUNCTION lsbilling.access_check(%L)', t.tab, t.perm);
	END LOOP;
END
$$;

-- 8. Row-level security: a session sees and writes only the workspace of its
-- principal; the context is read once per statement (an InitPlan).  The
-- owner and superusers bypass it (the triggers, the worker, maintenance).
DO $$
DECLARE
	t record;
	ids text;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('workspaces', 'id', NULL, NULL, NULL),
		('projects', 'workspace_id', 'projects:create', 'projects:update', 'projects:delete'),
		('traces', 'workspace_id', NULL, NULL, NULL),
		('runs', 'workspace_id', 'runs:create', 'runs:create', NULL),
		('feedback', 'workspace_id', 'feedback:create', 'feedback:create', 'feedback:create'),
		('annotation_queues', 'workspace_id', 'annotation-queues:create', 'annotation-queues:update',
		 'annotation-queues:delete'),
		('annotation_queue_runs', 'workspace_id', 'annotation-queues:update', 'annotation-queues:update',
		 'annotation-queues:update'),
		('automation_rules', 'workspace_id', 'rules:create', 'rules:update', 'rules:delete'),
		('rule_matches', 'workspace_id', 'rules:create', NULL, NULL),
		('datasets', 'workspace_id', 'datasets:create', 'datasets:update', 'datasets:delete'),
		('examples', 'workspace_id', 'datasets:update', 'datasets:update', 'datasets:update'),
		('deployments', 'workspace_id', 'deployments:create', 'deployments:update', 'deployments:delete'),
		('deployment_runs', 'workspace_id', 'deployments:update', NULL, NULL),
		('billing_events', 'workspace_id', NULL, NULL, NULL),
		('usage_counters', 'workspace_id', NULL, NULL, NULL),
		('usage_limits', 'workspace_id', 'organization:usage-limits:update', 'organization:usage-limits:update',
		 'organization:usage-limits:update'),
		('workspace_members', 'workspace_id', 'workspaces:manage-members', 'workspaces:manage-members',
		 'workspaces:manage-members'),
		('tag_keys', 'workspace_id', 'tags:update', 'tags:update', 'tags:update'),
		('tag_values', 'workspace_id', 'tags:update', 'tags:update', 'tags:update'),
		('resource_tags', 'workspace_id', 'tags:update', 'tags:update', 'tags:update'))
		AS v(tab, col, ins, upd, del)
	LOOP
		EXECUTE format('ALTER TABLE lsbilling.%I ENABLE ROW LEVEL SECURITY', t.tab);
		EXECUTE format('DROP POLICY IF EXISTS %I ON lsbilling.%I', t.tab || '_read', t.tab);
		EXECUTE format('CREATE POLICY %I ON lsbilling.%I FOR SELECT'
					   ' USING (%I = ANY ((SELECT lsbilling.current_workspace_ids())::uuid[]))',
					   t.tab || '_read', t.tab, t.col);
		EXECUTE format('DROP POLICY IF EXISTS %I ON lsbilling.%I', t.tab || '_insert', t.tab);
		EXECUTE format('DROP POLICY IF EXISTS %I ON lsbilling.%I', t.tab || '_update', t.tab);
		EXECUTE format('DROP POLICY IF EXISTS %I ON lsbilling.%I', t.tab || '_delete', t.tab);
		IF t.ins IS NOT NULL THEN
			ids := format('%I = ANY ((SELECT lsbilling.current_workspace_ids(%L))::uuid[])', t.col, t.ins);
			EXECUTE format('CREATE POLICY %I ON lsbilling.%I FOR INSERT WITH CHECK (%s)',
						   t.tab || '_insert', t.tab, ids);
		END IF;
		IF t.upd IS NOT NULL THEN
			ids := format('%I = ANY ((SELECT lsbilling.current_workspace_ids(%L))::uuid[])', t.col, t.upd);
			EXECUTE format('CREATE POLICY %I ON lsbilling.%I FOR UPDATE USING (%s) WITH CHECK (%s)',
						   t.tab || '_update', t.tab, ids, ids);
		END IF;
		IF t.del IS NOT NULL THEN
			ids := format('%I = ANY ((SELECT lsbilling.current_workspace_ids(%L))::uuid[])', t.col, t.del);
			EXECUTE format('CREATE POLICY %I ON lsbilling.%I FOR DELETE USING (%s)',
						   t.tab || '_delete', t.tab, ids);
		END IF;
	END LOOP;
END
$$;

-- Organization-level tables: the principal's organization only.
ALTER TABLE lsbilling.organizations ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS organizations_read ON lsbilling.organizations;
CREATE POLICY organizations_read ON lsbilling.organizations FOR SELECT
	USING (id = (SELECT lsbilling.current_organization_id()));
ALTER TABLE lsbilling.organization_members ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS organization_members_read ON lsbilling.organization_members;
CREATE POLICY organization_members_read ON lsbilling.organization_members FOR SELECT
	USING (organization_id = (SELECT lsbilling.current_organization_id()));
ALTER TABLE lsbilling.users ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS users_read ON lsbilling.users;
CREATE POLICY users_read ON lsbilling.users FOR SELECT
	USING (EXISTS (SELECT 1 FROM lsbilling.organization_members m
				   WHERE m.user_id = users.id AND m.organization_id = (SELECT lsbilling.current_organization_id())));
ALTER TABLE lsbilling.custom_roles ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS custom_roles_read ON lsbilling.custom_roles;
CREATE POLICY custom_roles_read ON lsbilling.custom_roles FOR SELECT
	USING (organization_id = (SELECT lsbilling.current_organization_id()));
ALTER TABLE lsbilling.api_keys ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS api_keys_read ON lsbilling.api_keys;
CREATE POLICY api_keys_read ON lsbilling.api_keys FOR SELECT
	USING (organization_id = (SELECT lsbilling.current_organization_id()));
-- The price map: shipped defaults are read by all and written by the owner
-- only; a workspace's entries are written by that workspace's admins.
ALTER TABLE lsbilling.model_prices ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS model_prices_read ON lsbilling.model_prices;
CREATE POLICY model_prices_read ON lsbilling.model_prices FOR SELECT USING (true);
DROP POLICY IF EXISTS model_prices_write ON lsbilling.model_prices;
CREATE POLICY model_prices_write ON lsbilling.model_prices FOR ALL
	USING (workspace_id = ANY ((SELECT lsbilling.current_workspace_ids('workspaces:manage'))::uuid[]))
	WITH CHECK (workspace_id = ANY ((SELECT lsbilling.current_workspace_ids('workspaces:manage'))::uuid[]));

-- Trigger functions are not callable by PUBLIC: a SECURITY DEFINER trigger
-- function attached by someone else to a table of their own would run the
-- owner's writes with rows they choose (CREATE TRIGGER needs EXECUTE).
REVOKE ALL ON FUNCTION lsbilling.runs_before_write(), lsbilling.runs_after_insert(), lsbilling.runs_after_write(),
	lsbilling.resolve_run_reference(), lsbilling.upgrade_trace(), lsbilling.record_deployment_run(),
	lsbilling.billing_events_append_only(), lsbilling.usage_flush(), lsbilling.model_prices_check(),
	lsbilling.model_prices_changed(), lsbilling.access_check(), lsbilling.access_changed(),
	lsbilling.custom_roles_check(), lsbilling.personal_organization_check(), lsbilling.api_keys_guard()
	FROM PUBLIC;
-- Who holds what in which organization is for members' tools, not for everyone.
REVOKE ALL ON FUNCTION lsbilling.has_permission(uuid, uuid, uuid, text) FROM PUBLIC;

-- 9. Access levels for application roles (functions, not group roles: roles
-- are cluster-wide, would collide between databases and outlive
-- DROP EXTENSION; these grants are on this database's objects and go with it).
CREATE OR REPLACE FUNCTION lsbilling.access_grants(access text)
RETURNS TABLE (privileges text, object text)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF access NOT IN ('ingest', 'read', 'admin') THEN
		RAISE EXCEPTION 'unknown access level "%"', access
			USING ERRCODE = '22023', HINT = 'The levels are ingest, read and admin.';
	END IF;
	RETURN QUERY
	SELECT g.privileges, g.object FROM (VALUES
		('{ingest,read,admin}', 'USAGE', 'SCHEMA lsbilling'),
		('{ingest,admin}', 'SELECT, INSERT, UPDATE', 'TABLE lsbilling.runs'),
		('{ingest,admin}', 'SELECT, INSERT', 'TABLE lsbilling.feedback, lsbilling.annotation_queue_runs, lsbilling.rule_matches, lsbilling.deployment_runs'),
		('{ingest}', 'SELECT', 'TABLE lsbilling.workspaces, lsbilling.projects, lsbilling.annotation_queues, lsbilling.automation_rules, lsbilling.deployments'),
		('{read,admin}', 'SELECT', 'TABLE lsbilling.workspaces, lsbilling.projects, lsbilling.traces, lsbilling.runs, lsbilling.feedback, lsbilling.annotation_queues, lsbilling.annotation_queue_runs, lsbilling.automation_rules, lsbilling.rule_matches, lsbilling.datasets, lsbilling.examples, lsbilling.deployments, lsbilling.deployment_runs, lsbilling.billing_events, lsbilling.usage_limits, lsbilling.usage_counters, lsbilling.monthly_usage, lsbilling.workspace_members, lsbilling.tag_keys, lsbilling.tag_values, lsbilling.resource_tags, lsbilling.organizations, lsbilling.organization_members, lsbilling.users, lsbilling.plans, lsbilling.model_prices, lsbilling.permissions, lsbilling.role_permissions, lsbilling.custom_roles'),
		('{read,admin}', 'SELECT (id, organization_id, kind, name, short_key, user_id, created_by, role, workspace_ids, created_at, expires_at, revoked_at, last_used_at)', 'TABLE lsbilling.api_keys'),
		('{admin}', 'INSERT, UPDATE, DELETE', 'TABLE lsbilling.projects, lsbilling.annotation_queues, lsbilling.automation_rules, lsbilling.datasets, lsbilling.examples, lsbilling.deployments, lsbilling.usage_limits, lsbilling.workspace_members, lsbilling.tag_keys, lsbilling.tag_values, lsbilling.resource_tags, lsbilling.model_prices'),
		('{admin}', 'USAGE', 'SEQUENCE lsbilling.model_prices_id_seq'),
		('{read,admin}', 'EXECUTE', 'FUNCTION lsbilling.has_permission(uuid, uuid, uuid, text)'),
		('{admin}', 'EXECUTE', 'FUNCTION lsbilling.create_pat(uuid, uuid, text, timestamptz), lsbilling.create_service_key(uuid, text, uuid[], text, timestamptz, uuid), lsbilling.revoke_api_key(uuid)'))
		AS g(levels, privileges, object)
	WHERE access = ANY (g.levels::text[]);
END
$$;
COMMENT ON FUNCTION lsbilling.access_grants(text) IS
	'the privileges an access level (ingest, read, admin) grants';

CREATE OR REPLACE FUNCTION lsbilling.grant_access(role regrole, access text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
BEGIN
	FOR g IN SELECT * FROM lsbilling.access_grants(access) LOOP
		EXECUTE format('GRANT %s ON %s TO %s', g.privileges, g.object, role);
	END LOOP;
END
$$;
REVOKE ALL ON FUNCTION lsbilling.grant_access(regrole, text) FROM PUBLIC;
COMMENT ON FUNCTION lsbilling.grant_access(regrole, text) IS
	'grants an application role an access level: ingest (write runs, feedback, queue items, rule matches), read (the workspace''s data, costs, stats) or admin';

CREATE OR REPLACE FUNCTION lsbilling.revoke_access(role regrole, access text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
BEGIN
	FOR g IN SELECT * FROM lsbilling.access_grants(access) LOOP
		EXECUTE format('REVOKE %s ON %s FROM %s', g.privileges, g.object, role);
	END LOOP;
END
$$;
REVOKE ALL ON FUNCTION lsbilling.revoke_access(regrole, text) FROM PUBLIC;
COMMENT ON FUNCTION lsbilling.revoke_access(regrole, text) IS
	'revokes the grants of an access level (shared grants of other levels go too: grant those again)';

-- <<< end section: access


-- >>> section: real client traffic (usage reading, price catalog)

-- <<< end section: real client traffic


-- >>> section: billing (plan history, invoices, credits, spend cap)

-- <<< end section: billing


-- >>> section: rate limits (shared memory)

-- <<< end section: rate limits


-- >>> section: retention and write path (purge, partitions)

-- <<< end section: retention and write path


-- >>> section: scale-out (Citus)

-- <<< end section: scale-out
