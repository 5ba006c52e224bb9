-- What lsbilling knows about the demo sample.
\set ON_ERROR_STOP on
\pset footer off

\echo
\echo '== Resource hierarchy: organizations > workspaces > tracing projects'
SELECT o.name AS organization, o.plan, w.name AS workspace, p.name AS project, p.default_tier,
       count(t.id) AS traces, coalesce(sum(t.run_count), 0) AS runs
FROM lsbilling.organizations o
JOIN lsbilling.workspaces w ON w.organization_id = o.id
JOIN lsbilling.projects p ON p.workspace_id = w.id
LEFT JOIN lsbilling.traces t ON t.workspace_id = p.workspace_id AND t.project_id = p.id
GROUP BY o.name, o.plan, w.name, p.name, p.default_tier
ORDER BY 1, 3, 4;

\echo '== Members'
SELECT o.name AS organization, u.email, m.role, m.status, m.joined_at::date AS joined, m.removed_at::date AS removed
FROM lsbilling.organization_members m
JOIN lsbilling.organizations o ON o.id = m.organization_id
JOIN lsbilling.users u ON u.id = m.user_id
ORDER BY 1, 2;

\echo '== Traces written leaves-first still got one row each, named by their root'
SELECT count(*) AS traces, count(*) FILTER (WHERE root_seen) AS with_root,
       count(DISTINCT thread_id) AS threads, sum(run_count) AS runs
FROM lsbilling.traces;

\echo '== Two trace trees (indented by depth, in dotted_order)'
SELECT t.name AS trace, t.thread_id,
       repeat('    ', array_length(string_to_array(r.dotted_order, '.'), 1) - 1) || r.name || ' (' || r.run_type || ')' AS run,
       to_char(r.end_time - r.start_time, 'SS.MS') AS seconds
FROM lsbilling.traces t
JOIN lsbilling.runs r ON r.workspace_id = t.workspace_id AND r.trace_id = t.id
WHERE t.id IN ('0d000000-0000-0000-0000-0000000000c0', '0d000000-0000-0000-0000-000000000c10')
ORDER BY t.id, r.dotted_order;

\echo '== Retention tiers: what upgraded traces, and when they expire'
SELECT p.name AS project, t.tier, count(*) AS traces, min(t.expires_at)::date AS first_expiry,
       max(t.expires_at)::date AS last_expiry
FROM lsbilling.traces t JOIN lsbilling.projects p ON p.workspace_id = t.workspace_id AND p.id = t.project_id
GROUP BY 1, 2 ORDER BY 1, 2;

\echo '== Billing ledger by month (UTC)'
SELECT o.name AS organization, to_char(date_trunc('month', e.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
       e.metric, count(*) AS events, sum(e.quantity) AS quantity
FROM lsbilling.billing_events e JOIN lsbilling.organizations o ON o.id = e.organization_id
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

\echo '== Invoice: Acme AI, October 2026'
SELECT * FROM lsbilling.invoice('0a000000-0000-0000-0000-000000000001', date '2026-10-01');

\echo '== Billable traces per day, acme-prod, first week of October'
SELECT * FROM lsbilling.usage('0b000000-0000-0000-0000-000000000001', date '2026-10-01', date '2026-10-07');
