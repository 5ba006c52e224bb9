-- Foundation: a small hierarchy and a trace tree, written out of order.
INSERT INTO lsbilling.organizations (id, name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'Acme');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'prod');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000c1', 'chatbot');
-- grandchild first, then child, then root
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, parent_run_id, dotted_order, project_id, name, run_type, start_time)
VALUES
 ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000001',
  '00000000-0000-0000-0000-000000000002', '1.2.3', '00000000-0000-0000-0000-0000000000c1', 'search', 'tool', '2026-06-01 10:00:02+00'),
 ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001',
  '00000000-0000-0000-0000-000000000001', '1.2', '00000000-0000-0000-0000-0000000000c1', 'AgentExecutor', 'chain', '2026-06-01 10:00:01+00'),
 ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000001',
  NULL, '1', '00000000-0000-0000-0000-0000000000c1', 'Chatbot', 'chain', '2026-06-01 10:00:00+00');
SELECT name, start_time, run_count, root_seen, tier, expires_at FROM lsbilling.traces;
-- PATCH: end_time and outputs arrive later
UPDATE lsbilling.runs SET end_time = start_time + interval '1 second', outputs = '{"answer": 42}'
WHERE id = '00000000-0000-0000-0000-000000000003';
SELECT dotted_order, name, run_type, end_time IS NOT NULL AS ended FROM lsbilling.runs ORDER BY dotted_order;
-- bad input
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-000000000009',
        '00000000-0000-0000-0000-000000000009', '00000000-0000-0000-0000-0000000000c1', 'x', 'agent', now());
SELECT count(*) AS traces FROM lsbilling.traces;
