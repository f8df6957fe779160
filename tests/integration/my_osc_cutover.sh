# MariaDB: the cut-over under a transaction that holds the table: with a lock timeout under a
# second the RENAME is NOWAIT, each attempt fails at once and is retried (saying who holds
# the table), and it wins once the transaction ends.  Past --cut-over-timeout nothing is
# swapped and --resume finishes later.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db
my_osc_tables 5000
my "CREATE TABLE rel (x int)"

# (on MariaDB an open transaction also keeps the triggers from being created: the job waits in
# its copy, on the pause file, until the holder is in place)
touch "$T/pause"
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t MODIFY v bigint" --pause-file "$T/pause" \
    >"$T/run.out" 2>"$T/run.err" &
pid=$!
wait_until "grep -q 'paused' '$T/run.err'" "the job to pause"
my_hold_table
rm "$T/pause"
wait_until "[ \$(grep -c 'cut-over attempt' '$T/run.err') -ge 3 ]" "three failed cut-over attempts"
grep -q "cut-over attempt 1: Lock wait timeout exceeded; try restarting transaction (locks held by thread" "$T/run.err" ||
    fail "no retry message naming the holder: $(cat "$T/run.err")"
assert_eq "$(my "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'")" int
my "INSERT INTO rel VALUES (1)"
wait $HOLDER
wait $pid
assert_eq "$?" 0
grep -q "osc job 1: swapped after [0-9]* attempts" "$T/run.err" || fail "no success after retries: $(cat "$T/run.err")"
assert_eq "$(my "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'")" bigint
assert_eq "$(my "SELECT COUNT(*) FROM t")" 5000

touch "$T/pause"
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t MODIFY v decimal(20,0)" --cut-over-timeout 1s \
    --pause-file "$T/pause" >"$T/out" 2>"$T/err" &
pid=$!
wait_until "grep -q 'paused' '$T/err'" "the job to pause"
my_hold_table
rm "$T/pause"
wait $pid
RC=$?
assert_rc 1 "cut-over timeout"
assert_err "the cut-over did not get its lock in"
assert_err "nothing was swapped"
assert_eq "$(my_job_field 2 phase)" cutover
my "UPDATE t SET v = 42 WHERE id = 1" # carried over by the triggers meanwhile
my "INSERT INTO rel VALUES (1)"
wait $HOLDER
mg osc --resume 2
assert_rc 0 "resume after the timeout"
assert_eq "$(my "SELECT CONCAT(DATA_TYPE, ' ', (SELECT v FROM t WHERE id = 1)) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'")" "decimal 42"
