# MariaDB: an online type change of the primary key (int -> bigint) of a 200,000-row table
# while two clients insert, update, delete and re-key rows, mirrored in a control table in the
# same transactions: afterwards the table holds exactly the control table's rows, and no
# statement of the workload failed (no deadlock, no lock wait timeout).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db
my_osc_tables 200000

my_workload_start
before=$(my "SELECT MAX(id) FROM c")
mg --format json osc --table t --alter "ALTER TABLE t MODIFY id bigint, ADD COLUMN w int NOT NULL DEFAULT 7" --chunk-time 50ms
assert_rc 0 "osc"
after=$(my "SELECT MAX(id) FROM c")
my_workload_more 50
my_workload_stop

[ "$after" -gt "$before" ] || fail "the workload did not run during the change"
my_assert_same_rows
assert_eq "$(my "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'id'")" "bigint(20)"
assert_eq "$(my "SELECT COUNT(*) FROM t WHERE w <> 7")" 0
assert_eq "$(jq -r '.ok' "$T/out")" true
assert_eq "$(jq -r '.job.phase' "$T/out")" done
assert_eq "$(jq -r '.job.old_table' "$T/out")" '`'"$MYDB"'`.`_osc1_old_t`'
[ "$(jq -r '.job.rows_copied' "$T/out")" -ge 150000 ] || fail "too few rows copied"
assert_err "osc job 1: swapped after"
grep -Eq "osc job 1: copied [0-9,]+ of ~[0-9,]+ rows \([0-9]+%\), [0-9,]+ rows/s, batch [0-9,]+" "$T/err" ||
    fail "no progress line with the rate: $(cat "$T/err")"
# the engine's triggers and tables are gone; the old table stays until dropped
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = '$MYDB'")" 0
assert_eq "$(my "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%'")" "_osc1_old_t"
mg osc --resume 1 --drop-old
assert_rc 0 "drop old"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%'")" 0
