# Throttling: a --throttle-query that returns true pauses the copy until it returns false, the
# --pause-file pauses by hand, and above --critical-load the job stops (resumable).
. "$(dirname "$0")/lib.sh"
new_pg_db
pg "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 20000) g" >/dev/null
pg "CREATE TABLE brake (on_ boolean); INSERT INTO brake VALUES (true)" >/dev/null

"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t ALTER COLUMN v TYPE bigint" \
    --throttle-query "SELECT on_ FROM brake" --max-lag 5s --max-load 1000 >"$T/run.out" 2>"$T/run.err" &
pid=$!
wait_until "grep -q 'paused: --throttle-query returned true' '$T/run.err'" "the throttle"
assert_eq "$(pg "SELECT rows_copied FROM migrate_osc_jobs WHERE id = 1")" 0
pg "UPDATE brake SET on_ = false" >/dev/null
wait $pid
assert_eq "$?" 0
grep -q "osc job 1: resumed after" "$T/run.err" || fail "no resume message: $(cat "$T/run.err")"
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'")" bigint

# --critical-load: two sessions that run a statement push the count of active sessions over 1
for i in 1 2; do psql -X -q "$DATABASE_URL" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 & done
wait_until "[ \$(pg \"SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'\") = 2 ]" "the busy sessions"
mg osc --table t --alter "ALTER TABLE t ADD COLUMN w int" --critical-load 1
assert_rc 1 "critical load"
assert_err "stopped: "
assert_err "active sessions on the server, above --critical-load 1"
assert_err "osc job 2"
assert_eq "$(pg "SELECT phase FROM migrate_osc_jobs WHERE id = 2")" copy
pg "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'" >/dev/null
wait
mg osc --resume 2
assert_rc 0 "resume after the load"
assert_eq "$(pg "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'w'")" 1
mg osc --table t --alter "ALTER TABLE t ADD COLUMN x int" --max-load 1 --critical-load 1
assert_rc 2 "bad limits"
assert_err "--critical-load (1) must be above --max-load (1)"
