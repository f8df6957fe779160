# A run killed with SIGKILL, interrupted with SIGTERM, or whose server dies: status tells the truth,
# and the next up finishes the job.
. "$(dirname "$0")/lib.sh"
new_pg_db
export MIGRATE_PATH=m
mkdir -p m
wait_for() { # SQL expected
    for _ in $(seq 100); do
        [ "$(pg "$1" 2>/dev/null)" = "$2" ] && return 0
        sleep 0.1
    done
    fail "timed out waiting for: $1 = $2"
}

# SIGKILL in the middle of a no-transaction file
printf -- '-- migrate:no-transaction\nCREATE TABLE a (id int);\nSELECT pg_sleep(1.5);\nCREATE TABLE b (id int);\n' > m/1_nt.up.sql
printf 'DROP TABLE b; DROP TABLE a;\n' > m/1_nt.down.sql
"$MIGRATE_BIN" up >/dev/null 2>&1 & pid=$!
wait_for "SELECT stmts_done FROM migrate_history WHERE version = 1" 1
kill -9 $pid; wait $pid 2>/dev/null || true
# the server notices the dead client and ends its session, which frees the runner lock
wait_for "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())" 0
mg status
assert_rc 5
assert_out "interrupted: its run died after statement 1 of 3; 'up' resumes at 2"
mg up
assert_rc 0
assert_err "from statement 2 of 3 (resuming)"
assert_eq "$(pg "SELECT status || ' ' || stmts_done FROM migrate_history WHERE version = 1")" "applied 3"
assert_eq "$(pg "SELECT to_regclass('b') IS NOT NULL")" t

# SIGKILL in the middle of a transactional file: nothing of it is left, nothing recorded
mig m 2 tx "CREATE TABLE c (id int); SELECT pg_sleep(1.5); CREATE TABLE d (id int);" "DROP TABLE d; DROP TABLE c;"
"$MIGRATE_BIN" up >/dev/null 2>&1 & pid=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(1.5)%'" 1
kill -9 $pid; wait $pid 2>/dev/null || true
wait_for "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())" 0
mg status
assert_rc 0
assert_out "1 applied, 1 pending"
assert_eq "$(pg "SELECT to_regclass('c') IS NULL")" t
mg up
assert_rc 0
assert_eq "$(pg "SELECT to_regclass('d') IS NOT NULL")" t

# SIGTERM cancels the running statement and records the interruption
mig m 3 slow "CREATE TABLE e (id int); SELECT pg_sleep(30);" "DROP TABLE e;"
"$MIGRATE_BIN" up >term.out 2>term.err & pid=$!
wait_for "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'" 1
kill -TERM $pid
wait $pid; rc=$?
assert_eq "$rc" 1
grep -q "canceling statement due to user request" term.err || fail "no cancel message: $(cat term.err)"
assert_eq "$(pg "SELECT status || ' ' || error_sqlstate FROM migrate_history WHERE version = 3")" "failed 57014"
assert_eq "$(pg "SELECT to_regclass('e') IS NULL")" t

# the server dies mid-migration (own sandbox: the shared one must live)
rm -f m/3_slow.*
sb=$T/sb
url=$("$MIGRATE_BIN" sandbox start --dir "$sb")
printf -- '-- migrate:no-transaction\nCREATE TABLE f (id int);\nSELECT pg_sleep(30);\nCREATE TABLE g (id int);\n' > m/4_die.up.sql
printf 'DROP TABLE g; DROP TABLE f;\n' > m/4_die.down.sql
"$MIGRATE_BIN" -d "$url" up >die.out 2>die.err & pid=$!
for _ in $(seq 100); do
    [ "$(psql -X -At "$url" -c "SELECT stmts_done FROM migrate_history WHERE version = 4" 2>/dev/null)" = 1 ] && break
    sleep 0.1
done
kill -9 "$(jq -r .pid "$sb/sandbox.json")"
wait $pid; rc=$?
assert_eq "$rc" 1
grep -q "statements 1 to 1 are applied and recorded" die.err || fail "no truthful message: $(cat die.err)"
"$MIGRATE_BIN" sandbox restart "$sb" || fail "restart failed"
psql -X -At "$url" -c "SELECT 1" >/dev/null 2>&1 || fail "not reachable after restart: $(tail -n 30 "$sb/server.log")"
mg -d "$url" status
assert_rc 5
assert_out "interrupted: its run died after statement 1 of 3"
sed -i 's/pg_sleep(30)/pg_sleep(0)/' m/4_die.up.sql
mg -d "$url" up
assert_rc 0
assert_err "from statement 2 of 3 (resuming)"
"$MIGRATE_BIN" sandbox stop "$sb"
