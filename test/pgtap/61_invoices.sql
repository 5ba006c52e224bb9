-- Issued invoices (issue 11), line by line in cents: plan history with a
-- mid-month plan change, a price change effective mid-month, seats in advance
-- and usage in arrears on one invoice, a mid-month seat charged the next day,
-- no refund for a removal, the free allowance, credits applied and expiring,
-- an enterprise yearly invoice, issuing twice, a late deployment run, and
-- finalized invoices refusing UPDATE / DELETE.  Rounding: half up, per line.
BEGIN;
SELECT plan(39);

CREATE FUNCTION pg_temp.at(ts timestamptz) RETURNS void LANGUAGE sql AS $$
SELECT set_config('lsbilling.test_clock', ts::text, true);
$$;
-- n ledger events of a metric for workspace ws at a moment (what the write path records)
CREATE FUNCTION pg_temp.events(ws uuid, metric text, n int, at timestamptz) RETURNS void LANGUAGE sql AS $$
INSERT INTO lsbilling.billing_events (organization_id, workspace_id, metric, trace_id, occurred_at)
SELECT w.organization_id, ws, metric, CASE WHEN metric <> 'deployment_run' THEN gen_random_uuid() END, at
FROM lsbilling.workspaces w, generate_series(1, n) WHERE w.id = ws;
$$;
-- an invoice's lines as "no kind quantity unit_price amount [late]"
CREATE FUNCTION pg_temp.lines(org uuid, day date, k text DEFAULT 'period') RETURNS SETOF text LANGUAGE sql AS $$
SELECT l.line_no || ' ' || l.kind || ' ' || l.quantity || ' ' || l.unit_price || ' ' || l.amount
	   || CASE WHEN l.late THEN ' late' ELSE '' END
FROM lsbilling.invoice_lines l JOIN lsbilling.invoices i ON i.id = l.invoice_id
WHERE i.organization_id = org AND i.issue_date = day AND i.kind = k ORDER BY l.line_no;
$$;
CREATE FUNCTION pg_temp.head(org uuid, day date, k text DEFAULT 'period') RETURNS text LANGUAGE sql AS $$
SELECT i.number || ' ' || i.status || ' ' || i.plan || ' ' || i.subtotal || ' ' || i.credits_applied || ' ' || i.total
FROM lsbilling.invoices i WHERE i.organization_id = org AND i.issue_date = day AND i.kind = k;
$$;

-- Organization A: developer without a card from June 1 ------------------------------------
SELECT pg_temp.at('2026-06-01 00:00+00');
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method, created_at)
VALUES ('a6100000-0000-0000-0000-00000000000a', 'Acme', 'developer', false, '2026-06-01 00:00+00');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('b6100000-0000-0000-0000-00000000000a', 'a6100000-0000-0000-0000-00000000000a', 'main');
INSERT INTO lsbilling.deployments (workspace_id, id, name)
VALUES ('b6100000-0000-0000-0000-00000000000a', 'd6100000-0000-0000-0000-00000000000a', 'agent');
INSERT INTO lsbilling.users (id, email) VALUES
	('e6100000-0000-0000-0000-000000000001', 'ana@acme.example'),
	('e6100000-0000-0000-0000-000000000002', 'bo@acme.example'),
	('e6100000-0000-0000-0000-000000000003', 'cy@acme.example');
INSERT INTO lsbilling.organization_members (organization_id, user_id, status, joined_at, removed_at) VALUES
	('a6100000-0000-0000-0000-00000000000a', 'e6100000-0000-0000-0000-000000000001', 'active', '2026-05-01 00:00+00', NULL),
	-- invited while on the developer plan without a card: no charge then, a seat from July
	('a6100000-0000-0000-0000-00000000000a', 'e6100000-0000-0000-0000-000000000002', 'invited', '2026-06-05 00:00+00', NULL);
SELECT is((SELECT plan || ' ' || has_payment_method || ' ' || billing_interval || ' ' || valid_from FROM lsbilling.organization_plans
	WHERE organization_id = 'a6100000-0000-0000-0000-00000000000a'),
	'developer false month 2026-06-01 00:00:00+00', 'a new organization starts its plan history at its creation');

-- June 10: 3,000 traces on the developer plan without a card
SELECT pg_temp.events('b6100000-0000-0000-0000-00000000000a', 'base_trace', 3000, '2026-06-10 12:00+00');

-- credits: $5 expiring July 1, $30 expiring August 15, $20 without expiry
SELECT pg_temp.at('2026-06-15 09:00+00');
SELECT lives_ok($$SELECT lsbilling.grant_credit('a6100000-0000-0000-0000-00000000000a', 30.00, 'welcome', '2026-08-15 00:00+00')$$,
	'a credit grant with an expiry');
SELECT lsbilling.grant_credit('a6100000-0000-0000-0000-00000000000a', 5.00, 'promo', '2026-07-01 00:00+00');
SELECT lsbilling.grant_credit('a6100000-0000-0000-0000-00000000000a', 20.00, 'apology');
SELECT is(lsbilling.credit_balance('a6100000-0000-0000-0000-00000000000a'), 55.00, 'credit_balance: the three grants');
SELECT throws_ok($$SELECT lsbilling.grant_credit('a6100000-0000-0000-0000-00000000000a', 0.001, 'x')$$, '22023', NULL,
	'a credit is a positive amount in cents');

-- June 20: a card, and the plus plan ------------------------------------------------
SELECT pg_temp.at('2026-06-20 09:00+00');
UPDATE lsbilling.organizations SET plan = 'plus', has_payment_method = true WHERE id = 'a6100000-0000-0000-0000-00000000000a';
SELECT results_eq(
	$$SELECT plan, has_payment_method, billing_interval, valid_from, valid_to FROM lsbilling.organization_plans
	  WHERE organization_id = 'a6100000-0000-0000-0000-00000000000a' ORDER BY valid_from$$,
	$$VALUES ('developer'::text, false, 'month'::text, '2026-06-01 00:00+00'::timestamptz, '2026-06-20 09:00+00'::timestamptz),
	         ('plus', true, 'month', '2026-06-20 09:00+00', NULL)$$,
	'a plan change closes the old period and opens the new one at the clock''s time');
-- the plus price of an extended upgrade goes to $0.005 from June 28 (past days keep theirs)
INSERT INTO lsbilling.plan_prices (plan_id, effective_from, seat_price, free_traces_per_month, base_trace_price,
	extended_upgrade_price, deployment_run_price)
VALUES ('plus', '2026-06-28', 39, 10000, 0.0005, 0.005, 0.005);

-- June 21: the seats held when the card was added are charged from June 20, 11 of 30 days
SELECT pg_temp.at('2026-06-21 06:00+00');
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices()), 1, 'June 21: one invoice is due (the seats held at the plan change)');
SELECT results_eq($$SELECT pg_temp.lines('a6100000-0000-0000-0000-00000000000a', '2026-06-21', 'seats')$$,
	$$VALUES ('1 seats 1 39 14.30'), ('2 seats 1 39 14.30'), ('3 credit 1 -5.00 -5.00'), ('4 credit 1 -23.60 -23.60')$$,
	'a mid-month move to a paid plan: each seat held (the invited one too) costs $39 x 11/30 days from the change day; '
	'credits soonest-expiring first');
SELECT is(pg_temp.head('a6100000-0000-0000-0000-00000000000a', '2026-06-21', 'seats'), '1 issued plus 28.60 28.60 0.00',
	'invoice 1: subtotal 28.60, credits 28.60, total 0.00 (never below zero)');

-- June 21: a seat added (removed June 26: not refunded)
INSERT INTO lsbilling.organization_members (organization_id, user_id, status, joined_at, removed_at)
VALUES ('a6100000-0000-0000-0000-00000000000a', 'e6100000-0000-0000-0000-000000000003', 'active', '2026-06-21 10:00+00', '2026-06-26 10:00+00');
-- June 22: 101 deployment runs through the write path (started_at is the client's: back-dated, ignored)
SELECT pg_temp.at('2026-06-22 06:00+00');
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id, started_at)
SELECT 'b6100000-0000-0000-0000-00000000000a', 'd6100000-0000-0000-0000-00000000000a', '2026-05-01 00:00+00'
FROM generate_series(1, 101);

-- the seat added June 21 is charged June 22, on an invoice of its own: 10 of 30 days of $39
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices()), 1, 'June 22: one invoice is due (the seat added yesterday)');
SELECT results_eq($$SELECT pg_temp.lines('a6100000-0000-0000-0000-00000000000a', '2026-06-22', 'seats')$$,
	$$VALUES ('1 seats 1 39 13.00'), ('2 credit 1 -6.40 -6.40'), ('3 credit 1 -6.60 -6.60')$$,
	'the mid-month seat: 1 x $39 x 10/30 days (join day included) = 13.00; the rest of the credits, soonest-expiring first');
SELECT is((SELECT prorate_days || '/' || period_days FROM lsbilling.invoice_lines l JOIN lsbilling.invoices i ON i.id = l.invoice_id
	WHERE i.organization_id = 'a6100000-0000-0000-0000-00000000000a' AND i.issue_date = '2026-06-22' AND l.kind = 'seats'),
	'10/30', 'the proration is kept exact as days');
SELECT is(pg_temp.head('a6100000-0000-0000-0000-00000000000a', '2026-06-22', 'seats'), '2 issued plus 13.00 13.00 0.00',
	'invoice 2: subtotal 13.00, credits 13.00, total 0.00');
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices()), 0, 'issuing again the same day issues nothing');

-- June 25 / June 29: traces and upgrades on plus
SELECT pg_temp.events('b6100000-0000-0000-0000-00000000000a', 'base_trace', 9000, '2026-06-25 12:00+00');
SELECT pg_temp.events('b6100000-0000-0000-0000-00000000000a', 'extended_upgrade', 200, '2026-06-25 13:00+00');
SELECT pg_temp.events('b6100000-0000-0000-0000-00000000000a', 'extended_upgrade', 100, '2026-06-29 13:00+00');

-- July 1: seats in advance, June's usage in arrears ----------------------------------------
SELECT pg_temp.at('2026-07-01 10:00+00');
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices()), 1, 'July 1: the period invoice');
SELECT results_eq($$SELECT pg_temp.lines('a6100000-0000-0000-0000-00000000000a', '2026-07-01')$$,
	$$VALUES ('1 seats 2 39 78.00'),
	         ('2 base_trace 2000 0.0005 1.00'),
	         ('3 extended_upgrade 200 0.0045 0.90'),
	         ('4 extended_upgrade 100 0.005 0.50'),
	         ('5 deployment_run 101 0.005 0.51'),
	         ('6 credit 1 -13.40 -13.40')$$,
	'July 1, line by line: 2 seats in advance (the invited one counts; the removed one is not refunded nor billed); '
	'12,000 June traces less plus''s 10,000 free = 2,000; upgrades at the price of their day; 101 x 0.005 = 0.505 rounds half up to 0.51; credits');
SELECT is(pg_temp.head('a6100000-0000-0000-0000-00000000000a', '2026-07-01'), '3 issued plus 80.91 13.40 67.51',
	'invoice 3: subtotal 80.91 = the sum of the rounded lines, credits 13.40, total 67.51');
SELECT is((SELECT sum(billed)::int || '/' || sum(events)::int FROM lsbilling.invoice_usage u
	JOIN lsbilling.invoices i ON i.id = u.invoice_id
	WHERE i.organization_id = 'a6100000-0000-0000-0000-00000000000a' AND u.usage_day = '2026-06-10'),
	'0/3000', 'the developer days without a card are covered and billed nothing');
SELECT is((SELECT l.amount || ' ' || l.kind FROM lsbilling.credit_ledger l JOIN lsbilling.credit_grants g ON g.id = l.grant_id
	WHERE g.reason = 'promo' ORDER BY l.occurred_at DESC LIMIT 1), '-5.00 applied', 'the promo credit was used before it expired');
SELECT is(lsbilling.credit_balance('a6100000-0000-0000-0000-00000000000a'), 0.00, 'all credits are used');
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices()), 0, 'issue twice: nothing new');
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices('2026-06-22')), 0, 'issuing for a past day again: nothing new');
SELECT is((SELECT string_agg(number::text, ',' ORDER BY number) FROM lsbilling.invoices
	WHERE organization_id = 'a6100000-0000-0000-0000-00000000000a'), '1,2,3', 'numbers are sequential per organization');

-- a deployment run recorded for June 30 after June was invoiced (its transaction began before midnight)
SELECT pg_temp.at('2026-06-30 23:59:59+00');
INSERT INTO lsbilling.deployment_runs (workspace_id, deployment_id)
VALUES ('b6100000-0000-0000-0000-00000000000a', 'd6100000-0000-0000-0000-00000000000a');
-- a credit that will expire unused
SELECT pg_temp.at('2026-07-02 00:00+00');
SELECT lsbilling.grant_credit('a6100000-0000-0000-0000-00000000000a', 10.00, 'summer', '2026-07-15 00:00+00');
SELECT is(lsbilling.credit_balance('a6100000-0000-0000-0000-00000000000a'), 10.00, 'a new grant shows in the balance');
SELECT pg_temp.at('2026-07-20 00:00+00');
SELECT is(lsbilling.credit_balance('a6100000-0000-0000-0000-00000000000a'), 0.00, 'an expired grant no longer counts');
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices()), 0, 'nothing is due on July 20');
SELECT is((SELECT l.amount || ' ' || l.occurred_at FROM lsbilling.credit_ledger l JOIN lsbilling.credit_grants g ON g.id = l.grant_id
	WHERE g.reason = 'summer' AND l.kind = 'expired'), '-10.00 2026-07-15 00:00:00+00',
	'the expired remainder is written off in the credit ledger, at its expiry');

SELECT pg_temp.at('2026-08-01 08:00+00');
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices()), 1, 'August 1: the period invoice');
SELECT results_eq($$SELECT pg_temp.lines('a6100000-0000-0000-0000-00000000000a', '2026-08-01')$$,
	$$VALUES ('1 seats 2 39 78.00'), ('2 deployment_run 1 0.005 0.01 late')$$,
	'the late June deployment run is billed on the next invoice, on a line marked late (0.005 rounds half up to 0.01)');
SELECT is((SELECT description FROM lsbilling.invoice_lines l JOIN lsbilling.invoices i ON i.id = l.invoice_id
	WHERE i.organization_id = 'a6100000-0000-0000-0000-00000000000a' AND l.late),
	'deployment runs, 2026-06, plus plan, recorded after 2026-06-30 was invoiced (late)', 'the late line says so');
SELECT results_eq($$SELECT pg_temp.lines('a6100000-0000-0000-0000-00000000000a', '2026-07-01')$$,
	$$VALUES ('1 seats 2 39 78.00'), ('2 base_trace 2000 0.0005 1.00'), ('3 extended_upgrade 200 0.0045 0.90'),
	         ('4 extended_upgrade 100 0.005 0.50'), ('5 deployment_run 101 0.005 0.51'),
	         ('6 credit 1 -13.40 -13.40')$$,
	'the July invoice is unchanged');

-- Organization E: enterprise, billed yearly ------------------------------------------------
SELECT pg_temp.at('2026-12-01 00:00+00');
INSERT INTO lsbilling.plan_prices (plan_id, effective_from, seat_price, free_traces_per_month, base_trace_price,
	extended_upgrade_price, deployment_run_price)
VALUES ('enterprise', '2026-01-01', 50, 0, 0.0005, 0.0045, 0.005);
INSERT INTO lsbilling.organizations (id, name, plan, created_at)
VALUES ('a6100000-0000-0000-0000-00000000000e', 'BigCo', 'enterprise', '2026-12-01 00:00+00');
INSERT INTO lsbilling.workspaces (id, organization_id, name)
VALUES ('b6100000-0000-0000-0000-00000000000e', 'a6100000-0000-0000-0000-00000000000e', 'main');
INSERT INTO lsbilling.organization_members (organization_id, user_id, joined_at)
SELECT 'a6100000-0000-0000-0000-00000000000e', u, '2026-12-01 00:00+00'
FROM unnest(ARRAY['e6100000-0000-0000-0000-000000000001', 'e6100000-0000-0000-0000-000000000002',
                  'e6100000-0000-0000-0000-000000000003']::uuid[]) u;
SELECT pg_temp.events('b6100000-0000-0000-0000-00000000000e', 'base_trace', 1000, '2026-12-10 00:00+00');
SELECT pg_temp.events('b6100000-0000-0000-0000-00000000000e', 'extended_upgrade', 10, '2026-12-11 00:00+00');
SELECT pg_temp.at('2027-01-01 01:00+00');
SELECT is((SELECT count(*)::int FROM lsbilling.issue_invoices() WHERE organization_id = 'a6100000-0000-0000-0000-00000000000e'),
	1, 'January 1: the enterprise organization''s yearly invoice');
SELECT results_eq($$SELECT pg_temp.lines('a6100000-0000-0000-0000-00000000000e', '2027-01-01')$$,
	$$VALUES ('1 seats 36 50 1800.00'), ('2 base_trace 1000 0.0005 0.50'), ('3 extended_upgrade 10 0.0045 0.05')$$,
	'the yearly invoice: 3 seats x 12 months in advance; December''s usage in arrears (0.045 rounds half up to 0.05)');
SELECT is(pg_temp.head('a6100000-0000-0000-0000-00000000000e', '2027-01-01'), '1 issued enterprise 1800.55 0.00 1800.55',
	'the enterprise invoice is number 1 of its organization');
-- a seat added February 10: 12 months x $50 x 325/365 days, the next day; no period invoice on February 1
INSERT INTO lsbilling.users (id, email) VALUES ('e6100000-0000-0000-0000-000000000004', 'di@big.example');
INSERT INTO lsbilling.organization_members (organization_id, user_id, joined_at)
VALUES ('a6100000-0000-0000-0000-00000000000e', 'e6100000-0000-0000-0000-000000000004', '2027-02-10 15:00+00');
SELECT pg_temp.at('2027-02-11 01:00+00');
SELECT results_eq(
	$$SELECT kind, issue_date FROM lsbilling.issue_invoices() WHERE organization_id = 'a6100000-0000-0000-0000-00000000000e'$$,
	$$VALUES ('seats'::text, '2027-02-11'::date)$$,
	'February: no period invoice for a yearly organization, one seat invoice the day after the seat was added');
SELECT results_eq($$SELECT pg_temp.lines('a6100000-0000-0000-0000-00000000000e', '2027-02-11', 'seats')$$,
	$$VALUES ('1 seats 12 50 534.25')$$, 'a mid-year seat: 12 x $50 x 325/365 = 534.246... rounds to 534.25');

-- Issued invoices never change, as the application role or anyone else -------------------------
SET CONSTRAINTS ALL IMMEDIATE;
CREATE ROLE lsb_invoice_app NOLOGIN;
GRANT USAGE ON SCHEMA lsbilling TO lsb_invoice_app;
GRANT SELECT, UPDATE, DELETE, TRUNCATE ON lsbilling.invoices, lsbilling.invoice_lines, lsbilling.credit_ledger TO lsb_invoice_app;
SET LOCAL ROLE lsb_invoice_app;
SELECT throws_ok($$UPDATE lsbilling.invoices SET total = 0 WHERE organization_id = 'a6100000-0000-0000-0000-00000000000a'$$,
	'42501', 'lsbilling.invoices is append-only', 'an issued invoice refuses UPDATE');
SELECT throws_ok($$DELETE FROM lsbilling.invoice_lines$$,
	'42501', 'lsbilling.invoice_lines is append-only', 'invoice lines refuse DELETE');
SELECT throws_ok($$TRUNCATE lsbilling.credit_ledger$$,
	'42501', NULL, 'the credit ledger refuses TRUNCATE');
RESET ROLE;
SELECT throws_ok($$SELECT lsbilling.issue_invoices('2099-01-01')$$, '22023', NULL,
	'invoices cannot be issued ahead of the clock');

SELECT * FROM finish();
ROLLBACK;
