# lock_wait_timeout on MariaDB: an ALTER blocked by another session's
# metadata lock gives up after --lock-timeout instead of queueing everyone
# behind it, and is retried with backoff until the lock goes away; with the
# retries used up, the failure (1205) is recorded.  Row locks (UPDATE)
# are bounded the same way through innodb_lock_wait_timeout.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
mig m 1 t "CREATE TABLE t (id int PRIMARY KEY);
INSERT INTO t VALUES (1);" "DROP TABLE t;"
mg up
assert_rc 0
mig m 2 alter "ALTER TABLE t ADD COLUMN c int;" "ALTER TABLE t DROP COLUMN c;"

# holder: a transaction that read t keeps a metadata lock on it until it ends
hold() {
    my_client -N "$MYDB" -e "START TRANSACTION; $1; DO SLEEP(60)" >/dev/null 2>&1 &
    wait_until "[ -n \"\$(my \"SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO = 'DO SLEEP(60)'\")\" ]" "the holder to start"
    holder=$(my "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO = 'DO SLEEP(60)'")
}

hold "SELECT * FROM t"
"$MIGRATE_BIN" --lock-timeout 1s --retries 30 --retry-delay 200ms up >"$T/a.out" 2>"$T/a.err" &
a=$!
wait_until "grep -q 'retry 2 of 30' '$T/a.err'" "two lock timeouts"
my_client -e "KILL $holder"
rc=0
wait $a || rc=$?
assert_eq "$rc" 0 "(up after the lock went away: $(cat "$T/a.err"))"
grep -q "2_alter.up.sql: Lock wait timeout exceeded; try restarting transaction; retry 1 of 30" "$T/a.err" ||
    fail "no retry message: $(cat "$T/a.err")"
grep -q "applied 2_alter (1 statement, no transaction, .*after retries)" "$T/a.out" ||
    fail "up did not report the retries: $(cat "$T/a.out")"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't' AND column_name = 'c'")" 1
assert_eq "$(my "SELECT status FROM migrate_history WHERE version = 2")" applied

# retries used up: the failure is recorded with the server's error, nothing applied
mg down
assert_rc 0
hold "SELECT * FROM t"
mg --lock-timeout 1s --retries 1 --retry-delay 100ms up
assert_rc 1
assert_err "error: Lock wait timeout exceeded; try restarting transaction"
assert_err "server error: 1205"
assert_err "retry 1 of 1"
assert_err "hint: another session holds a conflicting lock"
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done, stmts_total, error_sqlstate) FROM migrate_history WHERE version = 2")" "failed 0 1 HY000"
mg status
assert_rc 5
assert_out "up failed at statement 1 of 1 (line 1): [HY000] Lock wait timeout exceeded"
my_client -e "KILL $holder"
mg up
assert_rc 0
assert_out "applied 2_alter"

# a row lock: UPDATE waits innodb_lock_wait_timeout, also bounded by --lock-timeout
mig m 3 upd "UPDATE t SET id = 2 WHERE id = 1;" "UPDATE t SET id = 1 WHERE id = 2;"
hold "UPDATE t SET c = 5 WHERE id = 1"
mg --lock-timeout 1s --retries 1 --retry-delay 100ms up
assert_rc 1
assert_err "Lock wait timeout exceeded"
assert_eq "$(my "SELECT id FROM t")" 1
my_client -e "KILL $holder"
wait_until "[ -z \"\$(my \"SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO = 'DO SLEEP(60)'\")\" ]" "the holder to end"
mg up
assert_rc 0
assert_eq "$(my "SELECT CONCAT(id, ' ', COALESCE(c, 'null')) FROM t")" "2 null"
