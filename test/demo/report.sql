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

\echo '== Two trace trees with their costs: each run''s own, and its subtree''s (input / output / other)'
SELECT '…' || right(tr.id::text, 6) AS trace, tr.thread_id,
       repeat('    ', t.depth) || t.name || ' (' || t.run_type || ')' AS run, t.ls_model_name AS model,
       t.total_tokens AS tokens, round(t.total_cost, 6) AS cost,
       t.subtree_total_tokens AS subtree_tokens, round(t.subtree_prompt_cost, 6) AS subtree_input,
       round(t.subtree_completion_cost, 6) AS subtree_output, round(t.subtree_other_cost, 6) AS subtree_other,
       round(t.subtree_total_cost, 6) AS subtree_total
FROM lsbilling.traces tr, LATERAL lsbilling.run_tree(tr.id, tr.workspace_id) t
WHERE tr.id IN ('0d000000-0000-0000-0000-0000000000c0', '0d000000-0000-0000-0000-000000000c10')
ORDER BY tr.id;

\echo '== Project statistics (all time; costs in dollars, exact)'
SELECT p.name AS project, s.trace_count AS traces, s.run_count AS runs, s.total_tokens AS tokens,
       s.prompt_cost AS input_cost, s.completion_cost AS output_cost, s.other_cost, s.total_cost
FROM lsbilling.projects p, LATERAL lsbilling.project_stats(p.id) s
ORDER BY p.name;

\echo '== Cost time series, acme-prod, weekly buckets'
SELECT bucket_start::date AS week, trace_count AS traces, round(prompt_cost, 4) AS input,
       round(completion_cost, 4) AS output, round(other_cost, 4) AS other, round(total_cost, 4) AS total, total_tokens AS tokens
FROM lsbilling.cost_timeseries('0b000000-0000-0000-0000-000000000001', interval '7 days',
                               '2026-09-28 00:00+00', '2026-12-01 00:00+00');

\echo '== Why this price? the candidates for gpt-4o-2024-08-06, in the order chosen'
SELECT rank, price_id, scope, name, match_pattern, input_price, output_price
FROM lsbilling.explain_price('openai/gpt-4o-2024-08-06', 'openai', '2026-10-01');

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

\echo '== Invoice (draft preview): Acme AI, November 2026'
SELECT * FROM lsbilling.invoice('0a000000-0000-0000-0000-000000000001', date '2026-11-01');

\echo '== Billable traces per day, acme-prod (the sample was written at one moment of the clock, November 21)'
SELECT * FROM lsbilling.usage('0b000000-0000-0000-0000-000000000001', date '2026-11-18', date '2026-11-24');

\echo '== Retention: one purge pass as of 2026-11-26 (what the background worker does on its interval)'
SELECT traces_purged, runs_deleted, feedback_deleted, queue_items_deleted, rule_matches_deleted, partitions_dropped
FROM lsbilling.purge_expired('2026-11-26 00:00+00');
\echo 'Purged traces keep their row and totals (monitoring and invoices stay right); extended ones keep their runs:'
SELECT t.tier, lsbilling.trace_purged_at(t) IS NOT NULL AS purged, count(*) AS traces, sum(t.run_count) AS runs_counted,
       (SELECT count(*) FROM lsbilling.runs r WHERE r.workspace_id = ANY (array_agg(t.workspace_id))
          AND r.trace_id = ANY (array_agg(t.id))) AS runs_stored,
       round(sum(t.total_cost), 4) AS total_cost
FROM lsbilling.traces t GROUP BY 1, 2 ORDER BY 1, 2;
