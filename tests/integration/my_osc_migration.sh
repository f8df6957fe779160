# MariaDB: a -- migrate:online file killed while its change waits for the table (an open
# transaction that read it keeps the triggers from being created) is resumed by the next 'up':
# the half-made setup is removed and the change starts again (nothing was copied yet); the
# writes made meanwhile are in the new table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db
export MIGRATE_PATH=m
my "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT seq, seq FROM seq_1_to_20000;
    CREATE TABLE rel (x int)"

my_hold_table
holder=$HOLDER

mig m 1 widen "-- migrate:online
ALTER TABLE t MODIFY v bigint;
CREATE TABLE after_it (id int);" "DROP TABLE after_it;"
"$MIGRATE_BIN" up >"$T/up.out" 2>"$T/up.err" &
pid=$!
wait_until "grep -q 'creating the triggers: .*retry' '$T/up.err'" "the job to wait for the table"
kill -9 $pid
wait $pid 2>/dev/null
wait_until "[ \"\$(my \"SELECT IS_USED_LOCK('$MYDB:migrate:migrate_history')\")\" = NULL ]" "the killed run's lock to be released"
mg status
assert_rc 5 "status after the kill"
assert_out "interrupted"
# writes made before the resumed job's triggers exist are copied too
my "UPDATE t SET v = -1 WHERE id = 7"
my "INSERT INTO rel VALUES (1)"
wait $holder
mg up
assert_rc 0 "resumed up"
assert_err "osc job 1 stopped while it set up its shadow table (nothing was copied yet)"
assert_eq "$(my "SELECT GROUP_CONCAT(CONCAT(id, ':', phase, ':', migration_version, ':', migration_statement) ORDER BY id) FROM migrate_osc_jobs")" "1:aborted:1:1,2:done:1:1"
assert_eq "$(my "SELECT CONCAT(DATA_TYPE, ' ', (SELECT v FROM t WHERE id = 7), ' ', (SELECT COUNT(*) FROM t)) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'")" "bigint -1 20000"
assert_eq "$(my "SELECT CONCAT(status, ' ', stmts_done) FROM migrate_history WHERE version = 1")" "applied 2"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'after_it'")" 1
