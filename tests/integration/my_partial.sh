# MySQL commits every DDL statement on its own, so a file that fails on its
# third of five statements leaves the first two applied: they stay recorded
# as done, status explains, and the fixed file resumes at statement 3.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
mig m 1 five "CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int);
CREATE INDEX c_id ON missing_table (id);
CREATE TABLE d (id int);
ALTER TABLE a ADD COLUMN note varchar(10);" "DROP TABLE d; DROP TABLE c; DROP TABLE b; DROP TABLE a;"

mg up
assert_rc 1
assert_err "Table '$MYDB.missing_table' doesn't exist"
assert_err "sqlstate: 42S02"
assert_err "server error: 1146"
assert_err "1_five.up.sql, statement 3 of 5 (line 3)"
assert_err "at: m/1_five.up.sql:3"
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done, stmts_total, error_sqlstate, error_line, no_transaction) FROM migrate_history")" "failed 2 5 42S02 3 1"
assert_eq "$(my "SELECT error_statement FROM migrate_history")" "CREATE INDEX c_id ON missing_table (id)"
assert_eq "$(my "SELECT error_detail FROM migrate_history")" "MariaDB error 1146"
assert_eq "$(my "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name NOT LIKE 'migrate%'")" "a,b"
assert_eq "$(my "SELECT CONCAT(action, ' ', outcome) FROM migrate_events WHERE action <> 'checkpoint' ORDER BY id DESC LIMIT 1")" "up failed"

mg status
assert_rc 5
assert_out "up failed at statement 3 of 5 (line 3): [42S02] Table '$MYDB.missing_table' doesn't exist; statements 1-2 are applied; fix the file and 'up' resumes at 3"
mg --format json status
assert_eq "$(jq -r '.migrations[0] | [.status, .statements_done, .statements_total, .error.sqlstate, .error.line, .error.detail] | join(" ")' out)" "failed 2 5 42S02 3 MariaDB error 1146"
assert_eq "$(jq -r .dirty out)" true

# a marker row: if statement 1 ran again, the table would be new (and empty)
my "INSERT INTO a (id) VALUES (42)"

# a plain retry fails the same way, and changes nothing recorded
mg up
assert_rc 1
assert_err "from statement 3 of 5 (resuming)"
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done) FROM migrate_history")" "failed 2"

# editing a statement that already ran is refused
sed -i 's/CREATE TABLE b (id int);/CREATE TABLE b (id bigint);/' m/1_five.up.sql
mg up
assert_rc 5
assert_err "statements 1 to 2 of '1_five.up.sql' already ran, and they were edited since"
sed -i 's/CREATE TABLE b (id bigint);/CREATE TABLE b (id int);/' m/1_five.up.sql

# the fix: only statements 3 to 5 run
sed -i 's/CREATE INDEX c_id ON missing_table (id);/CREATE TABLE c (id int);/' m/1_five.up.sql
mg up
assert_rc 0
assert_err "applying 1_five.up.sql from statement 3 of 5 (resuming)"
assert_out "applied 1_five (5 statements"
assert_eq "$(my "SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name NOT LIKE 'migrate%'")" "a,b,c,d"
assert_eq "$(my "SELECT CONCAT_WS(' ', id, COALESCE(note, 'null')) FROM a")" "42 null"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'a' AND column_name = 'note'")" 1
assert_eq "$(my "SELECT CONCAT_WS(' ', status, stmts_done, stmts_total, COALESCE(error_message, 'none')) FROM migrate_history")" "applied 5 5 none"
assert_eq "$(my "SELECT meta FROM migrate_events WHERE action = 'up' ORDER BY id DESC LIMIT 1" | jq -r .resumed_at)" 3
mg status
assert_rc 0
assert_out "1 applied, 0 pending"
