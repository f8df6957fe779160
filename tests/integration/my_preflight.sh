# preflight on MariaDB: old transactions and sessions idle in a transaction that hold locks on
# a table the pending migrations touch, found from what the server shows (InnoDB lock waits
# on the shared sandbox, where performance_schema is off; metadata locks on a sandbox of its
# own with the METADATA_LOCK_INFO plugin); replication and disk notes; read-only.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
mig m 1 base "CREATE TABLE t (id INT PRIMARY KEY, v INT); CREATE TABLE other (id INT);"
mg up
assert_rc 0
my "INSERT INTO t SELECT seq, seq FROM seq_1_to_1000"
mig m 2 widen "ALTER TABLE t MODIFY v BIGINT;"
mig m 3 idx "CREATE INDEX t_v ON t (v);"

# nothing in the way
mg preflight
assert_rc 0 "preflight on a quiet database"
assert_out "pending migrations: 2; tables they touch on the target: 1"
assert_out "$MYDB.t ("
assert_out "may be rewritten: MODIFY/CHANGE COLUMN rebuilds the table"
assert_out "not visible on this server: metadata locks: performance_schema is off"
assert_out "the target is not a replica (SHOW ALL SLAVES STATUS is empty): this checks the server itself"
assert_out "no findings"

# SESSIONS: background clients fed through fifos, so that they stay idle in a transaction
sessions=()
# open_session N URL-DB: a client on fd N; its thread id in $T/sN.id
open_session() {
    rm -f "$T/s$1" "$T/s$1.out"
    mkfifo "$T/s$1"
    mariadb --no-defaults -uroot --socket="$2" -N -B -n "$3" <"$T/s$1" >"$T/s$1.out" 2>&1 &
    sessions+=($!)
    eval "exec $1>\"$T/s$1\""
    echo "SELECT CONNECTION_ID();" >&"$1"
    wait_until "[ -s '$T/s$1.out' ]" "session $1 to start"
    head -1 "$T/s$1.out" >"$T/s$1.id"
}
close_sessions() {
    for fd in 3 4 5 6 7 8; do
        { echo "ROLLBACK;" >&$fd; } 2>/dev/null
        eval "exec $fd>&-" 2>/dev/null
    done
    wait "${sessions[@]}" 2>/dev/null
    sessions=()
}
trap close_sessions EXIT
sock="$MG_MY_DIR/sock/mysqld.sock"

# the shared sandbox shows no metadata locks: a row lock someone waits for shows, an idle
# transaction elsewhere is suspect
open_session 3 "$sock" "$MYDB"
echo "BEGIN; UPDATE t SET v = v + 1 WHERE id = 1;" >&3
open_session 4 "$sock" "$MYDB"
echo "BEGIN; SELECT COUNT(*) FROM other;" >&4
open_session 5 "$sock" "$MYDB"
echo "SET innodb_lock_wait_timeout = 120; UPDATE t SET v = 0 WHERE id = 1;" >&5
holder=$(cat "$T/s3.id") other=$(cat "$T/s4.id") waiter=$(cat "$T/s5.id")
wait_until "[ \"\$(my \"SELECT COUNT(*) FROM information_schema.INNODB_LOCK_WAITS\")\" -ge 1 ]" "the row lock wait"

mg --format json preflight --max-xact-age 0s
assert_rc 3 "idle lock holder, waiter, old transactions"
cp "$T/out" pf.json
f() { jq -r --arg c "$1" --arg p "$2" ".findings[] | select(.check == \$c and .pid == \$p) | $3" pf.json; }
assert_eq "$(f idle_lock_holder "$holder" '.state + " " + .locks[0].relation + " " + .locks[0].mode + " " + .locks[0].kind')" \
    "idle in transaction $MYDB.t X RECORD InnoDB"
assert_eq "$(f lock_queue "$waiter" '.locks[0].granted')" false
assert_eq "$(f idle_in_transaction "$other" '.database')" "$MYDB"
assert_eq "$(f old_transaction "$holder" '.state')" "idle in transaction"
assert_eq "$(f old_transaction "$other" '.state')" "idle in transaction"
assert_eq "$(jq -r '.tables[0].relation + " " + (.tables[0].may_rewrite != null | tostring)' pf.json)" "$MYDB.t true"
# the sandbox runs on this machine: the room for the rebuilt copy is known
assert_eq "$(jq -r '.notes[] | select(.check == "disk") | .knowable' pf.json)" true
assert_eq "$(jq '.pending' pf.json)" 2

mg preflight --max-xact-age 1h
assert_rc 3
assert_out "FINDING  idle_lock_holder thread $holder (user 'root', from localhost) is idle in transaction"
assert_out "holds X RECORD $MYDB.t"
assert_out "FINDING  lock_queue       thread $waiter already waits for a lock (X RECORD $MYDB.t (waiting))"
assert_out "whether it holds a metadata lock on a touched table cannot be seen on this server"
assert_no_out "FINDING  old_transaction"
close_sessions

# a sandbox of its own with the METADATA_LOCK_INFO plugin: metadata locks are seen
"$MIGRATE_BIN" -q sandbox start --driver mariadb --dir "$T/sb" >"$T/sb.url" || fail "sandbox start"
stop_all() { close_sessions; "$MIGRATE_BIN" sandbox stop "$T/sb" >/dev/null 2>&1; }
trap stop_all EXIT
sock2="$T/sb/sock/mysqld.sock"
sb() { mariadb --no-defaults -uroot --socket="$sock2" -N -B "$@"; }
sb -e "INSTALL SONAME 'metadata_lock_info'; CREATE DATABASE pf; CREATE DATABASE fresh"
export DATABASE_URL="mysql://root@localhost/pf?socket=$sock2"
mg up 1
assert_rc 0
open_session 3 "$sock2" pf
echo "BEGIN; SELECT COUNT(*) FROM t;" >&3
open_session 4 "$sock2" pf
echo "BEGIN; SELECT COUNT(*) FROM other;" >&4
open_session 5 "$sock2" pf
echo "SET lock_wait_timeout = 120; ALTER TABLE t ADD COLUMN w INT;" >&5
holder=$(cat "$T/s3.id") other=$(cat "$T/s4.id") waiter=$(cat "$T/s5.id")
wait_until "[ -n \"\$(sb -e \"SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock'\")\" ]" "the ALTER to wait"
pos() { sb -e "SHOW MASTER STATUS" | cut -f1,2; }

mg preflight --max-xact-age 1h
assert_rc 3 "metadata lock holder and waiter"
assert_out "ok       lock_holder      read metadata locks from information_schema.METADATA_LOCK_INFO"
assert_out "FINDING  idle_lock_holder thread $holder (user 'root', from localhost) is idle in transaction"
assert_out "holds SHARED_READ pf.t"
assert_out "FINDING  lock_queue       thread $waiter already waits for a lock"
assert_no_out "thread $other "
assert_err "preflight found 2 things to deal with first"
mg --format json preflight --max-xact-age 0s
assert_rc 3
assert_eq "$(jq -r --arg p "$other" '.findings[] | select(.check == "old_transaction" and .pid == $p) | .database' "$T/out")" pf

close_sessions
before=$(pos)
mg preflight
assert_rc 0 "after the sessions ended"
assert_out "no other session holds a lock on the touched tables"

# read-only: nothing was written (the binary log did not move), and a database without
# history gets none
DATABASE_URL="mysql://root@localhost/fresh?socket=$sock2" mg preflight
assert_rc 0
assert_eq "$(pos)" "$before" "(the binary log moved: something was written)"
assert_eq "$(sb -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'fresh'")" 0
