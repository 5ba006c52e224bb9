-- ---------------------------------------------------------------------------
-- pg_dump: the extension's tables hold its users' data, so their rows are
-- dumped (pg_dump leaves the rows of extension tables out otherwise).  Day
-- partitions of runs made at run time are not extension members and are
-- dumped as ordinary tables.  Restore with session_replication_role =
-- replica (see README): the rows come back as they were, without the write
-- triggers validating, re-pricing or billing them a second time.
-- The seeded plans come back from CREATE EXTENSION; only added plans are dumped.
-- ---------------------------------------------------------------------------
-- one call a statement: each updates the extension's catalog row
SELECT pg_catalog.pg_extension_config_dump('lsbilling.organizations', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.workspaces', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.users', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.organization_members', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.workspace_members', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.projects', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.traces', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.runs_default', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.feedback', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.annotation_queues', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.annotation_queue_runs', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.automation_rules', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.rule_matches', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.datasets', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.examples', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.deployments', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.deployment_runs', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.billing_events', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.usage_limits', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.usage_counters', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.purge_passes', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.billing_events_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.purge_passes_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('lsbilling.plans',
	$$WHERE id NOT IN ('developer', 'plus', 'startup', 'enterprise')$$);
