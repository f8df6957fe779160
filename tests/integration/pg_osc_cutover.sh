# The cut-over under a lock another session holds: attempts fail after the short lock timeout,
# are retried with backoff (and say who holds the lock), and win once the lock is released.
# When the lock outlasts --cut-over-timeout, nothing is swapped and --resume finishes later.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_pg_db
osc_tables 5000
pg "CREATE TABLE release (x int)" >/dev/null

# hold_lock: a session that reads t and keeps its transaction (and ACCESS SHARE) open until
# a row appears in release
hold_lock() {
    pg "DELETE FROM release" >/dev/null
    psql -X -q "$DATABASE_URL" -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL' &
BEGIN;
SELECT count(*) FROM t;
DO $$ BEGIN WHILE NOT EXISTS (SELECT 1 FROM release) LOOP PERFORM pg_sleep(0.05); END LOOP; END $$;
COMMIT;
SQL
    HOLDER=$!
    wait_until "[ \$(pg \"SELECT count(*) FROM pg_locks WHERE relation = 't'::regclass AND mode = 'AccessShareLock' AND granted\") -ge 1 ]" "the lock holder"
}

hold_lock
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t ALTER COLUMN v TYPE bigint" \
    --cut-over-lock-timeout 50ms >"$T/run.out" 2>"$T/run.err" &
pid=$!
wait_until "[ \$(grep -c 'cut-over attempt' '$T/run.err') -ge 3 ]" "three failed cut-over attempts"
grep -q "cut-over attempt 1: canceling statement due to lock timeout (locks held by pid" "$T/run.err" ||
    fail "no retry message naming the holder: $(cat "$T/run.err")"
# nothing swapped while it waits
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'")" integer
pg "INSERT INTO release VALUES (1)" >/dev/null
wait $HOLDER
wait $pid
rc=$?
assert_eq "$rc" 0
grep -q "osc job 1: swapped after [0-9]* attempts" "$T/run.err" || fail "no success after retries: $(cat "$T/run.err")"
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'")" bigint
assert_eq "$(pg "SELECT count(*) FROM t")" 5000

# the lock outlasts the cut-over timeout: the job fails without swapping, and resumes later
hold_lock
mg osc --table t --alter "ALTER TABLE t ALTER COLUMN v TYPE numeric" --cut-over-timeout 1s
assert_rc 1 "cut-over timeout"
assert_err "the cut-over did not get its lock in"
assert_err "locks on the table are held by pid"
assert_err "nothing was swapped"
assert_eq "$(job_field 2 phase)" cutover
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'")" bigint
pg "UPDATE t SET v = 42 WHERE id = 1" >/dev/null # carried over by the triggers meanwhile
pg "INSERT INTO release VALUES (1)" >/dev/null
wait $HOLDER
mg osc --resume 2
assert_rc 0 "resume after the timeout"
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) || ' ' || (SELECT v FROM t WHERE id = 1) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'")" "numeric 42"
