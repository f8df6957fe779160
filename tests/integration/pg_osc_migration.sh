# A -- migrate:online file: its ALTER TABLE statements run through the online schema change
# engine, the others as usual, all recorded statement by statement.  A run killed while the
# change waits for its cut-over is resumed by the next 'up', which finishes the same job.
. "$(dirname "$0")/lib.sh"
new_pg_db
export MIGRATE_PATH=m
pg "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 20000) g" >/dev/null
pg "CREATE TABLE release (x int)" >/dev/null

mig m 1 widen "-- migrate:online
CREATE TABLE audit (id int);
ALTER TABLE t ALTER COLUMN v TYPE bigint, ADD COLUMN note text DEFAULT 'none';
INSERT INTO audit VALUES (1);" "ALTER TABLE t DROP COLUMN note; DROP TABLE audit;"
mg up
assert_rc 0 "up"
assert_out "applied 1_widen (3 statements, no transaction"
assert_err "statement 2 of 3 (line 3): online schema change"
assert_err "statement 2: online change of \"public\".\"t\" done (osc job 1"
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'")" bigint
assert_eq "$(pg "SELECT count(*) FROM t WHERE note = 'none'")" 20000
assert_eq "$(pg "SELECT status || ' ' || stmts_done || '/' || stmts_total FROM migrate_history WHERE version = 1")" "applied 3/3"
assert_eq "$(pg "SELECT migration_version || ':' || migration_statement || ':' || phase FROM migrate_osc_jobs WHERE id = 1")" "1:2:done"
mg down
assert_rc 0 "down"

# killed while the change waits for its cut-over (a session holds a lock on t)
psql -X -q "$DATABASE_URL" >/dev/null 2>&1 <<'SQL' &
BEGIN;
SELECT count(*) FROM t;
DO $$ BEGIN WHILE NOT EXISTS (SELECT 1 FROM release) LOOP PERFORM pg_sleep(0.05); END LOOP; END $$;
COMMIT;
SQL
holder=$!
wait_until "[ \$(pg \"SELECT count(*) FROM pg_locks WHERE relation = 't'::regclass AND granted\") -ge 1 ]" "the lock holder"
mig m 2 again "-- migrate:online
ALTER TABLE t ALTER COLUMN v TYPE numeric;
CREATE INDEX t_v ON t (v);"
"$MIGRATE_BIN" up >"$T/up.out" 2>"$T/up.err" &
pid=$!
wait_until "grep -q 'cut-over attempt' '$T/up.err'" "the first cut-over attempt"
kill -9 $pid
wait $pid 2>/dev/null
wait_until "[ \$(pg \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())\") = 0 ]" "the killed run's session to end"
mg status
assert_rc 5 "status after the kill"
assert_out "interrupted"
# the triggers carry writes meanwhile
pg "UPDATE t SET v = -1 WHERE id = 7" >/dev/null
pg "INSERT INTO release VALUES (1)" >/dev/null
wait $holder
mg up
assert_rc 0 "resumed up"
assert_err "osc job 2: resuming the change of \"public\".\"t\" (phase cutover)"
assert_eq "$(pg "SELECT count(*) FROM migrate_osc_jobs")" 2
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) || ' ' || (SELECT v FROM t WHERE id = 7) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'")" "numeric -1"
assert_eq "$(pg "SELECT status || ' ' || stmts_done FROM migrate_history WHERE version = 2")" "applied 2"
assert_eq "$(pg "SELECT to_regclass('t_v') IS NOT NULL")" t

# an online file may not manage transactions itself
mig m 3 bad "-- migrate:online
-- migrate:no-transaction
BEGIN;
ALTER TABLE t ADD COLUMN x int;
COMMIT;"
mg up
assert_rc 2 "transaction control"
assert_err "asks for an online schema change and controls transactions"
