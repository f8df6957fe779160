# MariaDB: a run killed with SIGKILL in the middle of the copy, under a workload: --resume
# continues from the last committed batch and the result is exactly the control table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db
my_osc_tables 200000
my_workload_start

# the throttle query holds the job between two batches once 30,000 rows are copied
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t MODIFY id bigint" --chunk-time 20ms \
    --throttle-query "SELECT rows_copied > 30000 FROM migrate_osc_jobs WHERE id = 1" \
    >"$T/run1.out" 2>"$T/run1.err" &
pid=$!
wait_until "grep -q 'paused: --throttle-query returned true' '$T/run1.err'" "the pause"
copied=$(my_job_field 1 rows_copied)
assert_eq "$(my_job_field 1 phase)" copy
kill -9 $pid
wait $pid 2>/dev/null
wait_until "[ \"\$(my \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND ID <> CONNECTION_ID() AND USER = 'root' AND COMMAND = 'Sleep' AND TIME > 100000\")\" = 0 ] && [ \"\$(my \"SELECT IS_USED_LOCK(CONCAT(DATABASE(), ':migrate:osc:1'))\")\" = NULL ]" "the killed run's session to end"
my_workload_more 100

mg osc --resume 1
assert_rc 0 "resume"
assert_err "osc job 1: resuming the change of"
[ "$(my_job_field 1 rows_copied)" -gt "$copied" ] || fail "the resume did not continue the copy"
my_workload_more 100
my_workload_stop
my_assert_same_rows
assert_eq "$(my "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'id'")" bigint
