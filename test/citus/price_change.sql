-- A price change is seen by the next statement of the same session: a run
-- priced, the price changed, the next run priced at the new price.  On
-- Citus the change is made on every node's placement of model_prices and
-- the runs are priced on a worker (test/citus/run.sh compares the output
-- with one PostgreSQL's).
\set ON_ERROR_STOP 1
INSERT INTO lsbilling.model_prices (workspace_id, name, match_pattern, input_price, output_price)
VALUES ('0b000000-0000-0000-0000-000000000003', 'pc-model', '^pc-model$', 1, 1);
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('0b000000-0000-0000-0000-000000000003', '0d000000-0000-0000-0000-00000000aa01', '0d000000-0000-0000-0000-00000000aa01',
 '0c000000-0000-0000-0000-000000000004', 'pc', 'llm', '2026-11-20 10:00:00+00',
 '{"metadata": {"ls_model_name": "pc-model", "usage_metadata": {"input_tokens": 1000000, "output_tokens": 0}}}');
UPDATE lsbilling.model_prices SET input_price = 7 WHERE name = 'pc-model';
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, extra)
VALUES ('0b000000-0000-0000-0000-000000000003', '0d000000-0000-0000-0000-00000000aa02', '0d000000-0000-0000-0000-00000000aa02',
 '0c000000-0000-0000-0000-000000000004', 'pc', 'llm', '2026-11-20 10:00:00+00',
 '{"metadata": {"ls_model_name": "pc-model", "usage_metadata": {"input_tokens": 1000000, "output_tokens": 0}}}');
SELECT id, total_cost FROM lsbilling.runs WHERE name = 'pc' ORDER BY id;
SELECT id, total_cost FROM lsbilling.traces WHERE name = 'pc' ORDER BY id;
