# An `up` killed with SIGKILL in the middle of a file on MariaDB: while the
# server still runs its statement, status says a run is in progress; once
# the server session is gone, status says where the run died, and the next
# `up` finishes the file from that statement.  The same when the server
# itself dies mid-file and is restarted.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
# statement 3 sleeps as long as k1 has rows, so the test controls it
mig m 1 kill "CREATE TABLE k1 (id int);
INSERT INTO k1 VALUES (1);
DO SLEEP((SELECT COUNT(*) FROM k1) * 60);
CREATE TABLE k2 (id int);" "DROP TABLE k2; DROP TABLE k1;"
lockname="$MYDB:migrate:migrate_history"

"$MIGRATE_BIN" up >"$T/a.out" 2>"$T/a.err" &
a=$!
wait_until "[ \"\$(my \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = '$MYDB' AND INFO LIKE 'DO SLEEP%'\")\" = 1 ]" "statement 3 to run"
kill -KILL $a
wait $a || true

# the server still runs statement 3 for the dead client: that is the truth
orphan=$(my "SELECT IS_USED_LOCK('$lockname')")
mg status
assert_out "runner:     a run is in progress: connection id $orphan"
assert_out "applying now: statement 2 of 4 done"
mg --lock-wait 0 up
assert_rc 4

# the server session ends; now the run is over, and status says where it died
my_client -e "KILL $orphan"
wait_until "[ \"\$(my \"SELECT IS_USED_LOCK('$lockname')\")\" = NULL ]" "the lock to be released"
mg status
assert_rc 5
assert_out "interrupted: its run died after statement 2 of 4; 'up' resumes at 3"
assert_no_out "runner:"
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done, stmts_total) FROM migrate_history")" "running 2 4"

# resume: statements 1 and 2 do not run again (k1 stays empty), 3 and 4 do
my "DELETE FROM k1"
mg up
assert_rc 0
assert_err "applying 1_kill.up.sql from statement 3 of 4 (resuming)"
assert_out "applied 1_kill (4 statements"
assert_eq "$(my "SELECT COUNT(*) FROM k1")" 0
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'k2'")" 1
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done, stmts_total) FROM migrate_history")" "applied 4 4"
mg status
assert_rc 0

# the server dies mid-migration (a sandbox of its own: the shared one must live)
sb="$T/sb"
trap '"$MIGRATE_BIN" sandbox stop "$sb" >/dev/null 2>&1 || true' EXIT
url=$("$MIGRATE_BIN" -q sandbox start --driver mariadb --dir "$sb") || fail "cannot start a sandbox"
my_sb() { mariadb --no-defaults -uroot --socket="$sb/sock/mysqld.sock" -N -B "$@"; }
my_sb -e "CREATE DATABASE die"
dieurl=$(echo "$url" | sed "s|/mysql?|/die?|")
mig die 1 die "CREATE TABLE f (id int);
SELECT SLEEP(60);
CREATE TABLE g (id int);" "DROP TABLE g; DROP TABLE f;"
"$MIGRATE_BIN" -d "$dieurl" -p die up >"$T/die.out" 2>"$T/die.err" &
a=$!
wait_until "[ \"\$(my_sb -e \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = 'die' AND INFO = 'SELECT SLEEP(60)'\")\" = 1 ]" "statement 2 to run"
kill -KILL "$(jq -r .pid "$sb/sandbox.json")"
rc=0
wait $a || rc=$?
assert_eq "$rc" 1 "(exit code when the server dies: $(cat "$T/die.err"))"
grep -q "statements 1 to 1 are applied and recorded; the server may or may not have finished statement 2" "$T/die.err" ||
    fail "no truthful message: $(cat "$T/die.err")"
"$MIGRATE_BIN" sandbox restart "$sb" || fail "the sandbox did not restart"
mg -d "$dieurl" -p die status
assert_rc 5
assert_out "interrupted: its run died after statement 1 of 3; 'up' resumes at 2"
sed -i 's/SLEEP(60)/SLEEP(0)/' die/1_die.up.sql
mg -d "$dieurl" -p die up
assert_rc 0
assert_err "from statement 2 of 3 (resuming)"
assert_eq "$(my_sb -e "SELECT CONCAT_WS(' ', status, stmts_done) FROM die.migrate_history")" "applied 3"
assert_eq "$(my_sb -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'die' AND table_name IN ('f', 'g')")" 2
