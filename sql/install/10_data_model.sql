-- ---------------------------------------------------------------------------
-- Data model: organizations -> workspaces -> projects -> traces -> runs.
--
-- Every tenant table leads its primary key with workspace_id and every foreign
-- key between tenant tables includes it, so that each table can be distributed
-- by workspace_id on Citus (see DESIGN.md "Scale-out").  organizations, users
-- and plans are small global tables (reference tables on Citus).
-- Nothing holds a foreign key to runs: runs is partitioned by start_time and
-- its rows go with partition drops; references to runs are checked by triggers.
-- ---------------------------------------------------------------------------

CREATE TABLE lsbilling.organizations (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL,
	plan text NOT NULL DEFAULT 'developer',
	is_personal boolean NOT NULL DEFAULT false,
	has_payment_method boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lsbilling.workspaces (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	organization_id uuid NOT NULL REFERENCES lsbilling.organizations (id),
	name text NOT NULL,
	base_retention_days integer NOT NULL DEFAULT 14
		CONSTRAINT workspaces_base_retention_days_check CHECK (base_retention_days > 0),
	extended_retention_days integer NOT NULL DEFAULT 400
		CONSTRAINT workspaces_extended_retention_days_check
		CHECK (extended_retention_days >= base_retention_days),
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (organization_id, name)
);
CREATE INDEX ON lsbilling.workspaces (organization_id);

CREATE TABLE lsbilling.users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email text NOT NULL UNIQUE
);

-- Membership history, not just current state: seats are derived from it at
-- invoice time (joined_at, removed_at), so a removal is an UPDATE of removed_at
-- and a re-join is a new row.
CREATE TABLE lsbilling.organization_members (
	organization_id uuid NOT NULL REFERENCES lsbilling.organizations (id),
	user_id uuid NOT NULL REFERENCES lsbilling.users (id),
	role text NOT NULL DEFAULT 'user'
		CONSTRAINT organization_members_role_check CHECK (role IN ('admin', 'user', 'viewer')),
	status text NOT NULL DEFAULT 'active'
		CONSTRAINT organization_members_status_check CHECK (status IN ('invited', 'active')),
	joined_at timestamptz NOT NULL DEFAULT now(),
	removed_at timestamptz,
	PRIMARY KEY (organization_id, user_id, joined_at),
	CONSTRAINT organization_members_removed_after_joined CHECK (removed_at IS NULL OR removed_at >= joined_at)
);

CREATE TABLE lsbilling.workspace_members (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	user_id uuid NOT NULL REFERENCES lsbilling.users (id),
	role text NOT NULL DEFAULT 'admin',
	PRIMARY KEY (workspace_id, user_id)
);

-- Tracing projects ("sessions" in LangSmith's API).
CREATE TABLE lsbilling.projects (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	default_tier text NOT NULL DEFAULT 'base'
		CONSTRAINT projects_default_tier_check CHECK (default_tier IN ('base', 'extended')),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	UNIQUE (workspace_id, name)
);

-- One row per trace, created by the first of its runs to arrive (see
-- runs_after_write).  The totals are kept equal to the sum over its runs by
-- the run triggers and survive the purge of the runs themselves.
CREATE TABLE lsbilling.traces (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL,
	project_id uuid NOT NULL,
	thread_id text,
	name text,
	start_time timestamptz NOT NULL,
	root_seen boolean NOT NULL DEFAULT false,
	tier text NOT NULL DEFAULT 'base'
		CONSTRAINT traces_tier_check CHECK (tier IN ('base', 'extended')),
	upgraded_at timestamptz,
	expires_at timestamptz,
	purged_at timestamptz,
	run_count bigint NOT NULL DEFAULT 0,
	prompt_tokens bigint NOT NULL DEFAULT 0,
	completion_tokens bigint NOT NULL DEFAULT 0,
	total_tokens bigint NOT NULL DEFAULT 0,
	prompt_cost numeric NOT NULL DEFAULT 0,
	completion_cost numeric NOT NULL DEFAULT 0,
	other_cost numeric NOT NULL DEFAULT 0,
	total_cost numeric NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, project_id) REFERENCES lsbilling.projects (workspace_id, id)
);
CREATE INDEX traces_project_start_idx ON lsbilling.traces (workspace_id, project_id, start_time);
CREATE INDEX traces_thread_idx ON lsbilling.traces (workspace_id, thread_id) WHERE thread_id IS NOT NULL;

-- Runs follow LangSmith's run schema; the columns after "tags" are derived by
-- the BEFORE trigger (runs_before_write) and must not be written by clients.
CREATE TABLE lsbilling.runs (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	trace_id uuid NOT NULL,
	parent_run_id uuid,
	dotted_order text,
	project_id uuid NOT NULL,
	name text NOT NULL,
	run_type text NOT NULL,
	start_time timestamptz NOT NULL,
	end_time timestamptz,
	inputs jsonb,
	outputs jsonb,
	extra jsonb,
	error text,
	tags text[],
	-- derived
	ls_provider text,
	ls_model_name text,
	usage_metadata jsonb,
	prompt_tokens bigint,
	completion_tokens bigint,
	total_tokens bigint,
	prompt_token_details jsonb,
	completion_token_details jsonb,
	prompt_cost numeric,
	completion_cost numeric,
	total_cost numeric,
	prompt_cost_details jsonb,
	completion_cost_details jsonb,
	price_id bigint,
	cost_error text,
	PRIMARY KEY (workspace_id, id, start_time)
) PARTITION BY RANGE (start_time);
CREATE TABLE lsbilling.runs_default PARTITION OF lsbilling.runs DEFAULT;
CREATE INDEX runs_trace_idx ON lsbilling.runs (workspace_id, trace_id);

CREATE TABLE lsbilling.feedback (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	run_id uuid,
	trace_id uuid,
	key text NOT NULL,
	score numeric,
	value jsonb,
	comment text,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	CONSTRAINT feedback_target_check CHECK (run_id IS NOT NULL OR trace_id IS NOT NULL)
);
CREATE INDEX feedback_trace_idx ON lsbilling.feedback (workspace_id, trace_id);

CREATE TABLE lsbilling.annotation_queues (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	PRIMARY KEY (workspace_id, id)
);

CREATE TABLE lsbilling.annotation_queue_runs (
	workspace_id uuid NOT NULL,
	queue_id uuid NOT NULL,
	run_id uuid NOT NULL,
	trace_id uuid,
	added_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, queue_id, run_id),
	FOREIGN KEY (workspace_id, queue_id) REFERENCES lsbilling.annotation_queues (workspace_id, id)
);
CREATE INDEX annotation_queue_runs_trace_idx ON lsbilling.annotation_queue_runs (workspace_id, trace_id);

CREATE TABLE lsbilling.automation_rules (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	project_id uuid,
	name text NOT NULL,
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, project_id) REFERENCES lsbilling.projects (workspace_id, id)
);

CREATE TABLE lsbilling.rule_matches (
	workspace_id uuid NOT NULL,
	rule_id uuid NOT NULL,
	run_id uuid NOT NULL,
	trace_id uuid,
	matched_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, rule_id, run_id),
	FOREIGN KEY (workspace_id, rule_id) REFERENCES lsbilling.automation_rules (workspace_id, id)
);
CREATE INDEX rule_matches_trace_idx ON lsbilling.rule_matches (workspace_id, trace_id);

-- Examples are copies of run inputs/outputs: they never expire and hold no
-- reference that a purge could break (source_run_id is informational).
CREATE TABLE lsbilling.datasets (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	PRIMARY KEY (workspace_id, id)
);

CREATE TABLE lsbilling.examples (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	dataset_id uuid NOT NULL,
	inputs jsonb,
	outputs jsonb,
	source_run_id uuid,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, dataset_id) REFERENCES lsbilling.datasets (workspace_id, id)
);

CREATE TABLE lsbilling.deployments (
	workspace_id uuid NOT NULL REFERENCES lsbilling.workspaces (id),
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	PRIMARY KEY (workspace_id, id)
);

-- One row per deployment run; a resumed human-in-the-loop interrupt is its own row (kind = 'resume').
CREATE TABLE lsbilling.deployment_runs (
	workspace_id uuid NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	deployment_id uuid NOT NULL,
	started_at timestamptz NOT NULL DEFAULT now(),
	kind text NOT NULL DEFAULT 'run'
		CONSTRAINT deployment_runs_kind_check CHECK (kind IN ('run', 'resume')),
	PRIMARY KEY (workspace_id, id),
	FOREIGN KEY (workspace_id, deployment_id) REFERENCES lsbilling.deployments (workspace_id, id)
);
