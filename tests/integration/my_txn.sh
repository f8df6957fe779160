# A no-transaction file that opens its own transaction, on MariaDB: when a
# statement inside it fails, the rollback also takes back the progress the
# engine recorded inside it, so the history says what is really committed,
# and a retry or a resume starts again at START TRANSACTION.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
my "CREATE TABLE acct (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)"
my "INSERT INTO acct VALUES (5, 0)"
mkdir m

# BEGIN/COMMIT needs the directive
printf 'START TRANSACTION;\nINSERT INTO acct (id) VALUES (1);\nCOMMIT;\n' >m/1_tx.up.sql
mg up
assert_rc 2
assert_err "controls transactions itself"

# a failure inside the file's transaction: nothing of it stays, nothing is recorded as done
printf -- '-- migrate:no-transaction\nSTART TRANSACTION;\nINSERT INTO acct (id) VALUES (1);\nINSERT INTO acct (id) VALUES (1);\nCOMMIT;\n' >m/1_tx.up.sql
mg up
assert_rc 1
assert_err "Duplicate entry '1' for key 'PRIMARY'"
assert_err "statements 1 to 2 are undone, and 'up' resumes at statement 1"
assert_eq "$(my "SELECT GROUP_CONCAT(id ORDER BY id) FROM acct")" 5
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done, stmts_total) FROM migrate_history")" "failed 0 4"
mg status
assert_rc 5
assert_out "nothing of it is applied"

# fixed, it runs whole again, from START TRANSACTION
sed -i '4s/(1)/(2)/' m/1_tx.up.sql
mg up
assert_rc 0
assert_eq "$(my "SELECT GROUP_CONCAT(id ORDER BY id) FROM acct")" "1,2,5"
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done) FROM migrate_history")" "applied 4"

# a lock timeout inside the file's transaction: the retry runs the whole transaction again
printf -- '-- migrate:no-transaction\nSTART TRANSACTION;\nINSERT INTO acct (id) VALUES (3);\nUPDATE acct SET n = n + 1 WHERE id = 5;\nCOMMIT;\n' >m/2_tx.up.sql
my_client -N "$MYDB" -e "START TRANSACTION; SELECT * FROM acct WHERE id = 5 FOR UPDATE; DO SLEEP(60)" >/dev/null 2>&1 &
wait_until "[ -n \"\$(my \"SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO = 'DO SLEEP(60)'\")\" ]" "the holder to start"
holder=$(my "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO = 'DO SLEEP(60)'")
"$MIGRATE_BIN" --lock-timeout 1s --retries 30 --retry-delay 200ms up >"$T/a.out" 2>"$T/a.err" &
a=$!
wait_until "grep -q 'retry 1 of 30' '$T/a.err'" "a lock timeout"
my_client -e "KILL $holder"
rc=0
wait $a || rc=$?
assert_eq "$rc" 0 "(up after the lock went away: $(cat "$T/a.err"))"
grep -q "rolled back the transaction the file opened: statements 1 to 2 are undone" "$T/a.err" ||
    fail "no word about the undone statements: $(cat "$T/a.err")"
assert_eq "$(my "SELECT GROUP_CONCAT(CONCAT(id, ':', n) ORDER BY id) FROM acct")" "1:0,2:0,3:0,5:1"
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done) FROM migrate_history WHERE version = 2")" "applied 4"
