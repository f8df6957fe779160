# MariaDB throttling by load: above --max-load (Threads_running) the copy pauses until the
# load drops; above --critical-load the job stops, and --resume finishes it (a backfill too).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db
my_osc_tables 20000

# sleepers: two statements that keep running (Threads_running counts them) until killed
sleepers() {
    for _ in 1 2; do my_client -e "SELECT SLEEP(60) AS osc_sleeper" >/dev/null 2>&1 & done
    wait_until "[ \"\$(my \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(60) AS osc_sleeper%'\")\" = 2 ]" "the sleepers"
}
wake() {
    for id in $(my "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(60) AS osc_sleeper%'"); do
        my "KILL QUERY $id"
    done
    wait_until "[ \"\$(my \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(60) AS osc_sleeper%'\")\" = 0 ]" "the sleepers to end"
}

# --max-load: the copy waits while more threads run than allowed, and goes on afterwards
sleepers
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t MODIFY v bigint" --max-load 1 --critical-load 100 \
    >"$T/run.out" 2>"$T/run.err" &
pid=$!
wait_until "grep -q 'paused: [0-9]* active sessions, above --max-load 1' '$T/run.err'" "the pause"
assert_eq "$(my "SELECT rows_copied FROM migrate_osc_jobs WHERE id = 1")" 0
wake
wait $pid
assert_eq "$?" 0
grep -q "osc job 1: resumed after" "$T/run.err" || fail "no resume message: $(cat "$T/run.err")"
assert_eq "$(my "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'")" bigint
assert_eq "$(my "SELECT COUNT(*) FROM t")" 20000

# --critical-load: the job stops where it is; --resume finishes it once the load is gone
sleepers
mg osc --table t --backfill "SET s = CONCAT('b', id)" --critical-load 1
assert_rc 1 "critical load"
assert_err "active sessions on the server, above --critical-load 1"
assert_err "osc job 2"
assert_eq "$(my "SELECT phase FROM migrate_osc_jobs WHERE id = 2")" copy
wake
mg osc --resume 2
assert_rc 0 "resume after the load"
assert_eq "$(my "SELECT COUNT(*) FROM t WHERE s = CONCAT('b', id)")" 20000
assert_eq "$(my "SELECT phase FROM migrate_osc_jobs WHERE id = 2")" done
