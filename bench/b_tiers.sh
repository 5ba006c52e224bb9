#!/usr/bin/env bash
# Tiers on the write path, as ratios against baselines measured in the same run:
#  1. feedback insert with the upgrade trigger vs the same insert into a copy
#     of feedback without it (same resolve_run_reference trigger), on traces
#     that are already extended: the steady state (target <= 1.25x, issue 12)
#  2. the same when every feedback upgrades a base trace (first feedback:
#     trace update + ledger event + monthly count)
#  3. run insert creating a new trace in a workspace with monthly limits vs one
#     without: the limit check itself (both count usage and write the ledger)
# Best of $REPS for each; N rows per statement.
set -u
N=${LSB_BENCH_ROWS:-20000}
REPS=${LSB_BENCH_REPS:-3}
DB=lsb_bench_tiers
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"
$PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
q() { $PSQL -d $DB -At -c "$1"; }

q "
CREATE EXTENSION lsbilling;
INSERT INTO lsbilling.organizations (id, name, plan, has_payment_method)
VALUES ('a0000000-0000-0000-0000-000000000001', 'Bench', 'plus', true);
INSERT INTO lsbilling.workspaces (id, organization_id, name) VALUES
	('b0000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000001', 'free'),
	('b0000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-000000000001', 'limited');
INSERT INTO lsbilling.usage_limits VALUES ('b0000000-0000-0000-0000-000000000002', 1000000000, 1000000000);
INSERT INTO lsbilling.projects (workspace_id, id, name, default_tier) VALUES
	('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001', 'ext', 'extended'),
	('b0000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000002', 'base', 'base'),
	('b0000000-0000-0000-0000-000000000002', 'c0000000-0000-0000-0000-000000000003', 'base', 'base');
-- traces already extended (set 0), and one set of base traces per repetition (sets 1..REPS)
INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time, tags)
SELECT 'b0000000-0000-0000-0000-000000000001', u, u,
	   CASE WHEN s = 0 THEN 'c0000000-0000-0000-0000-000000000001'::uuid ELSE 'c0000000-0000-0000-0000-000000000002' END,
	   'r', 'chain', now(), ARRAY['set' || s]
FROM (SELECT s, gen_random_uuid() AS u FROM generate_series(0, $REPS) s, generate_series(1, $N) i) x;
CREATE TABLE lsbilling.feedback_nu (LIKE lsbilling.feedback INCLUDING ALL);
CREATE TRIGGER feedback_resolve_run BEFORE INSERT ON lsbilling.feedback_nu
	FOR EACH ROW EXECUTE FUNCTION lsbilling.resolve_run_reference();
CREATE INDEX ON lsbilling.runs (workspace_id, (tags[1]));
" >/dev/null || exit 1
q "VACUUM ANALYZE" >/dev/null || exit 1

# ms of one statement
ms() { $PSQL -d $DB -At -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
ratio() { echo "scale=2; $1 / $2" | bc; }
fb() { echo "INSERT INTO lsbilling.$1 (workspace_id, run_id, key, score)
	SELECT workspace_id, id, 'k', 1 FROM lsbilling.runs
	WHERE workspace_id = 'b0000000-0000-0000-0000-000000000001' AND tags[1] = '$2'"; }

# 1. steady state: feedback on extended traces
a=(); b=()
for r in $(seq 1 "$REPS"); do
	q "TRUNCATE lsbilling.feedback, lsbilling.feedback_nu; CHECKPOINT" >/dev/null
	b+=("$(ms "$(fb feedback_nu set0)")")
	a+=("$(ms "$(fb feedback set0)")")
done
A1=$(best "${a[@]}"); B1=$(best "${b[@]}")

# 2. upgrade path: every feedback upgrades a fresh base trace
a=(); b=()
for r in $(seq 1 "$REPS"); do
	q "TRUNCATE lsbilling.feedback, lsbilling.feedback_nu; CHECKPOINT" >/dev/null
	b+=("$(ms "$(fb feedback_nu set$r)")")
	a+=("$(ms "$(fb feedback set$r)")")
done
A2=$(best "${a[@]}"); B2=$(best "${b[@]}")
upgraded=$(q "SELECT count(*) FROM lsbilling.traces WHERE upgraded_at IS NOT NULL")

# 3. run insert (a new trace each) with the limit check vs without
run() { echo "INSERT INTO lsbilling.runs (workspace_id, id, trace_id, project_id, name, run_type, start_time)
	SELECT '$1', u, u, '$2', 'r', 'chain', now() FROM (SELECT gen_random_uuid() AS u FROM generate_series(1, $N)) x"; }
a=(); b=()
for r in $(seq 1 "$REPS"); do
	q "CHECKPOINT" >/dev/null
	b+=("$(ms "$(run b0000000-0000-0000-0000-000000000001 c0000000-0000-0000-0000-000000000002)")")
	a+=("$(ms "$(run b0000000-0000-0000-0000-000000000002 c0000000-0000-0000-0000-000000000003)")")
done
A3=$(best "${a[@]}"); B3=$(best "${b[@]}")

echo "rows per statement: $N, best of $REPS (ms); $upgraded upgrades in case 2 (expected $((N * REPS)))"
printf '%-62s %9s %9s %6s\n' case with without ratio
printf '%-62s %9s %9s %6sx  (target <= 1.25)\n' "feedback insert, trace already extended (upgrade trigger)" "$A1" "$B1" "$(ratio "$A1" "$B1")"
printf '%-62s %9s %9s %6sx\n' "feedback insert that upgrades its trace (trigger + ledger)" "$A2" "$B2" "$(ratio "$A2" "$B2")"
printf '%-62s %9s %9s %6sx\n' "run insert, new trace: workspace with limits vs without" "$A3" "$B3" "$(ratio "$A3" "$B3")"
$PSQL -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
[ "$upgraded" -eq $((N * REPS)) ]
