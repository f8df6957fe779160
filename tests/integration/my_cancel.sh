# Interrupting `up` on MariaDB: SIGTERM (or Ctrl-C) cancels the running
# statement on the server with KILL QUERY from a second session, the run
# stops and says so, and the next `up` resumes.  --statement-timeout maps
# to MariaDB's max_statement_time.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
my "CREATE TABLE busy (id int)"
mig m 1 long "CREATE TABLE l (id int);
ALTER TABLE busy ADD COLUMN note varchar(10);
CREATE TABLE l2 (id int);" "DROP TABLE l2; DROP TABLE l;"

# another session's transaction keeps a metadata lock on busy; without a lock
# timeout the ALTER would wait for it forever
my_client -N "$MYDB" -e "START TRANSACTION; SELECT * FROM busy; DO SLEEP(60)" >/dev/null 2>&1 &
h=$!
wait_until "[ -n \"\$(my \"SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO = 'DO SLEEP(60)'\")\" ]" "the holder to start"
holder=$(my "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO = 'DO SLEEP(60)'")
"$MIGRATE_BIN" --lock-timeout 0 up >"$T/a.out" 2>"$T/a.err" &
a=$!
wait_until "[ \"\$(my \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO LIKE 'ALTER TABLE busy%' AND STATE LIKE 'Waiting for table metadata lock%'\")\" = 1 ]" "the ALTER to wait for its lock"
# while it waits, the run says what the server says it is doing (read on a second session)
wait_until "grep -q 'statement 2 of 3 (line 2) running for 1s: Waiting for table metadata lock' '$T/a.err'" "a progress line"
kill -TERM $a
rc=0
wait $a || rc=$?
assert_eq "$rc" 1 "(exit code after SIGTERM: $(cat "$T/a.err"))"
grep -q "error: Query execution was interrupted" "$T/a.err" || fail "no interruption message: $(cat "$T/a.err")"
grep -q "the run was interrupted; run 'migrate up' again to finish" "$T/a.err" || fail "no hint: $(cat "$T/a.err")"
# the ALTER is gone from the server, not left waiting
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO LIKE 'ALTER TABLE busy%'")" 0
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done, stmts_total) FROM migrate_history")" "failed 1 3"
my_client -e "KILL $holder"
wait $h || true

# a statement timeout stops a statement on the server (MariaDB max_statement_time)
mig m 2 slow "SELECT SLEEP(30);"
mg --statement-timeout 500ms up
assert_rc 1
assert_err "max_statement_time exceeded"
assert_err "hint: the statement ran longer than --statement-timeout"
assert_eq "$(my "SELECT GROUP_CONCAT(CONCAT_WS(' ', version, status, stmts_done) ORDER BY version) FROM migrate_history")" "1 applied 3,2 failed 0"
assert_err "from statement 2 of 3 (resuming)"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'busy' AND column_name = 'note'")" 1

# a statement running longer than a second says so while it runs, and when it ends
sed -i 's/SLEEP(30)/SLEEP(1.6)/' m/2_slow.up.sql
mg up
assert_rc 0
assert_err "statement 1 of 1 (line 1) running for 1s: User sleep"
assert_err "statement 1 of 1 (line 1) took 1."
