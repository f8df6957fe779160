# One runner at a time; lock timeouts retried with backoff; the holder is named.
. "$(dirname "$0")/lib.sh"
new_pg_db
export MIGRATE_PATH=m
for i in 1 2 3 4 5; do
    mig m $i step$i "CREATE TABLE t$i (id int); SELECT pg_sleep(0.2);" "DROP TABLE t$i;"
done

# two runs started at the same moment: each migration is applied exactly once
"$MIGRATE_BIN" up >a.out 2>a.err & a=$!
"$MIGRATE_BIN" up >b.out 2>b.err & b=$!
wait $a; ra=$?
wait $b; rb=$?
assert_eq "$ra $rb" "0 0" "(both runs end well: one applies, the other waits and finds nothing)"
assert_eq "$(cat a.out b.out | grep -c '^applied')" 5
assert_eq "$(pg "SELECT count(*) FROM migrate_events WHERE action = 'up'")" 5
grep -q "waiting for the migration lock, held by backend pid" a.err b.err || fail "nobody waited"

# a runner that cannot get the lock in time exits with the lock code and names the holder
psql -X -q "$DATABASE_URL" -c "SET application_name = 'holder'; SELECT pg_advisory_lock(x) FROM (SELECT ('x' || left(encode(sha256('migrate:migrate_history'), 'hex'), 16))::bit(64)::bigint AS x) k; SELECT pg_sleep(3)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
    [ "$(pg "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'holder'")" = 1 ] && break
    sleep 0.1
done
mig m 6 six "CREATE TABLE t6 (id int);" "DROP TABLE t6;"
mg --lock-wait 500ms up
assert_rc 4
assert_err "another migrate run holds the migration lock"
assert_err "application_name 'holder'"
assert_eq "$(pg "SELECT to_regclass('t6') IS NULL")" t
wait $holder

# a lock timeout is retried with backoff, then succeeds once the lock is released
psql -X -q "$DATABASE_URL" -c "BEGIN; LOCK TABLE t1; SELECT pg_sleep(1.5); COMMIT" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
    [ "$(pg "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 't1'::regclass")" = 1 ] && break
    sleep 0.1
done
mig m 7 alter "ALTER TABLE t1 ADD COLUMN note text;" "ALTER TABLE t1 DROP COLUMN note;"
mg --lock-timeout 200ms --retries 10 --retry-delay 200ms up
assert_rc 0
assert_err "canceling statement due to lock timeout; retry 1 of 10"
assert_out "after retries"
assert_eq "$(pg "SELECT count(*) FROM information_schema.columns WHERE table_name = 't1' AND column_name = 'note'")" 1
wait $holder

# out of retries: the failure is recorded with SQLSTATE 55P03
psql -X -q "$DATABASE_URL" -c "BEGIN; LOCK TABLE t2; SELECT pg_sleep(2); COMMIT" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
    [ "$(pg "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation = 't2'::regclass")" = 1 ] && break
    sleep 0.1
done
mig m 8 alter2 "ALTER TABLE t2 ADD COLUMN note text;" "ALTER TABLE t2 DROP COLUMN note;"
mg --lock-timeout 100ms --retries 1 --retry-delay 100ms up
assert_rc 1
assert_err "sqlstate: 55P03"
assert_eq "$(pg "SELECT status || ' ' || error_sqlstate FROM migrate_history WHERE version = 8")" "failed 55P03"
wait $holder
# other errors are not retried
mig m 9 syntax "CREATE TABLE (;" "SELECT 1;"
mg --retries 5 up
assert_rc 1
assert_no_err "retry 1 of"
