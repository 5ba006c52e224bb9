-- Billing demo (0.2.0): one organization over three months, with issued
-- invoices.  History is written with the test clock (lsbilling.test_clock,
-- superuser-only, for tests and demos): every write below is billed at the
-- clock's time, whatever times the rows carry.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
\o /dev/null

SET lsbilling.test_clock = '2026-06-01 00:00+00';
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method, created_at)
VALUES ('0a000000-0000-0000-0000-0000000000b1', 'Lumen Labs', 'developer', false, '2026-06-01 00:00+00');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('0b000000-0000-0000-0000-0000000000b1', '0a000000-0000-0000-0000-0000000000b1', 'lumen');
INSERT INTO lsbilling.projects (workspace_id, id, name)
VALUES ('0b000000-0000-0000-0000-0000000000b1', '0c000000-0000-0000-0000-0000000000b1', 'assistant');
INSERT INTO lsbilling.users (id, email) VALUES
	('0e000000-0000-0000-0000-0000000000b1', 'lea@lumen.example'),
	('0e000000-0000-0000-0000-0000000000b2', 'max@lumen.example');
INSERT INTO lsbilling.organization_members (organization_id, user_id, role, joined_at)
VALUES ('0a000000-0000-0000-0000-0000000000b1', '0e000000-0000-0000-0000-0000000000b1', 'admin', '2026-06-01 00:00+00');
INSERT INTO lsbilling.deployments (workspace_id, id, name)
VALUES ('0b000000-0000-0000-0000-0000000000b1', '0f000000-0000-0000-0000-0000000000b1', 'assistant-api');

-- n one-run traces, written when the clock says "at"
CREATE FUNCTION pg_temp.traces(n int, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('lsbilling.test_clock', at::text, false);
	INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	SELECT '0b000000-0000-0000-0000-0000000000b1', u, u, '0c000000-0000-0000-0000-0000000000b1', 'answer', 'chain', at
	FROM (SELECT gen_random_uuid() AS u FROM generate_series(1, n)) s;
END $$;
-- feedback on n base traces of the day (each upgrades its trace to extended retention)
CREATE FUNCTION pg_temp.feedback(n int, at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('lsbilling.test_clock', at::text, false);
	INSERT INTO lsbilling.feedback (workspace_id, trace_id, key, score)
	SELECT workspace_id, id, 'thumbs', 1 FROM lsbilling.traces
	WHERE workspace_id = '0b000000-0000-0000-0000-0000000000b1' AND tier = 'base'
	  AND start_time >= date_trunc('day', at) AND start_time < date_trunc('day', at) + interval '1 day'
	LIMIT n;
END $$;

-- June: 3,000 traces on the free developer plan; a $50 credit; a card and Plus on the 20th; a seat added the 21st
SELECT pg_temp.traces(3000, '2026-06-10 12:00+00');
SET lsbilling.test_clock = '2026-06-15 09:00+00';
SELECT lsbilling.grant_credit('0a000000-0000-0000-0000-0000000000b1', 50.00, 'launch credit', '2026-09-30 00:00+00') IS NOT NULL AS granted;
SELECT lsbilling.change_plan('0a000000-0000-0000-0000-0000000000b1', 'plus', has_payment_method => true,
                             effective => '2026-06-20 09:00+00');
SET lsbilling.test_clock = '2026-06-21 10:00+00';
INSERT INTO lsbilling.organization_members (organization_id, user_id, status, joined_at)
VALUES ('0a000000-0000-0000-0000-0000000000b1', '0e000000-0000-0000-0000-0000000000b2', 'invited', '2026-06-21 10:00+00');
SET lsbilling.test_clock = '2026-06-22 02:00+00';
SELECT count(*) AS issued_june_22 FROM lsbilling.issue_invoices();
SELECT pg_temp.traces(9000, '2026-06-25 12:00+00');
SELECT pg_temp.feedback(300, '2026-06-25 12:00+00');
SET lsbilling.test_clock = '2026-07-01 02:00+00';
SELECT count(*) AS issued_july_1 FROM lsbilling.issue_invoices();

-- July: 11,500 traces, 200 upgraded, 120 deployment runs
SELECT pg_temp.traces(11500, '2026-07-14 12:00+00');
SELECT pg_temp.feedback(200, '2026-07-14 12:00+00');
SET lsbilling.test_clock = '2026-07-20 08:00+00';
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id)
SELECT '0b000000-0000-0000-0000-0000000000b1', '0f000000-0000-0000-0000-0000000000b1' FROM generate_series(1, 120);
SET lsbilling.test_clock = '2026-08-01 02:00+00';
SELECT count(*) AS issued_august_1 FROM lsbilling.issue_invoices();

-- August: Startup from the 16th (30,000 free traces); 14,000 traces
SELECT lsbilling.change_plan('0a000000-0000-0000-0000-0000000000b1', 'startup', effective => '2026-08-16 00:00+00');
SELECT pg_temp.traces(14000, '2026-08-20 12:00+00');
SET lsbilling.test_clock = '2026-09-01 02:00+00';
SELECT count(*) AS issued_september_1 FROM lsbilling.issue_invoices();
\o
SELECT count(*) AS issued_again FROM lsbilling.issue_invoices();

\echo
\echo '== Billing: Lumen Labs, plan history'
SELECT plan, has_payment_method AS card, billing_interval, valid_from, valid_to
FROM lsbilling.organization_plans WHERE organization_id = '0a000000-0000-0000-0000-0000000000b1' ORDER BY valid_from;

\echo '== Issued invoices (append-only; amounts in dollars, each line rounded half up to the cent)'
SELECT number, kind, issue_date, plan, subtotal, credits_applied, total, status
FROM lsbilling.invoices WHERE organization_id = '0a000000-0000-0000-0000-0000000000b1' ORDER BY number;

\echo '== Their lines'
SELECT i.number AS invoice, l.line_no AS line, l.description, l.quantity, l.unit_price,
       CASE WHEN l.prorate_days IS NOT NULL THEN l.prorate_days || '/' || l.period_days END AS prorated, l.amount
FROM lsbilling.invoices i JOIN lsbilling.invoice_lines l ON l.invoice_id = i.id
WHERE i.organization_id = '0a000000-0000-0000-0000-0000000000b1' ORDER BY i.number, l.line_no;

\echo '== Credit ledger and balance'
SELECT g.reason, l.kind, l.amount, l.occurred_at::date AS day, i.number AS invoice
FROM lsbilling.credit_ledger l JOIN lsbilling.credit_grants g ON g.id = l.grant_id
LEFT JOIN lsbilling.invoices i ON i.id = l.invoice_id
WHERE l.organization_id = '0a000000-0000-0000-0000-0000000000b1' ORDER BY l.occurred_at, i.number NULLS FIRST;
SELECT lsbilling.credit_balance('0a000000-0000-0000-0000-0000000000b1') AS credit_balance_now;

\echo '== The draft preview of September so far (lsbilling.invoice: never issued)'
SELECT * FROM lsbilling.invoice('0a000000-0000-0000-0000-0000000000b1', '2026-09-01');
RESET lsbilling.test_clock;
