# A run killed with SIGKILL in the middle of the copy, under a workload: --resume continues from
# the last committed batch and the result is exactly the control table.  Also a SIGTERM, which
# stops after the running batch, and a second process refused while the first runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_pg_db
osc_tables 200000
workload_start

# the throttle query holds the job between two batches once 30,000 rows are copied: the kill
# lands mid-copy every time
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t ALTER COLUMN id TYPE bigint, ADD COLUMN w int DEFAULT 7" \
    --chunk-time 20ms --throttle-query "SELECT rows_copied > 30000 FROM migrate_osc_jobs WHERE id = 1" \
    >"$T/run1.out" 2>"$T/run1.err" &
pid=$!
wait_until "grep -q 'paused: --throttle-query returned true' '$T/run1.err'" "the pause"
copied=$(job_field 1 rows_copied)
assert_eq "$(job_field 1 phase)" copy
kill -9 $pid
wait $pid 2>/dev/null
wait_until job_unlocked "the killed run's session to end"

# the triggers kept the shadow table in step while no process ran
workload_more 100
mg osc --list
assert_rc 0 "list"
assert_out "1  alter    copy"

# a second process may not run the job at the same time
touch "$T/pause2"
"$MIGRATE_BIN" osc --resume 1 --pause-file "$T/pause2" >"$T/run2.out" 2>"$T/run2.err" &
pid=$!
wait_until "grep -q 'paused: the pause file' '$T/run2.err'" "the second run to pause"
mg osc --resume 1
assert_rc 4 "a concurrent resume"
assert_err "osc job 1 is being run by another process"
# SIGTERM: the run stops after its batch, the job stays resumable
kill -TERM $pid
wait $pid
rc=$?
assert_eq "$rc" 1
grep -q "migrate osc --resume 1" "$T/run2.err" || fail "no resume hint: $(cat "$T/run2.err")"

mg osc --resume 1
assert_rc 0 "resume"
assert_err "osc job 1: resuming the change of \"public\".\"t\" (phase copy)"
[ "$(job_field 1 rows_copied)" -gt "$copied" ] || fail "the resume did not continue the copy"
workload_more 100
workload_stop
assert_same_rows
assert_eq "$(pg "SELECT count(*) FROM t WHERE w <> 7")" 0
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'id'")" bigint
