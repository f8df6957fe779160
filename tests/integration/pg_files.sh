# Bad migration directories are reported, never skipped silently, and nothing runs.
. "$(dirname "$0")/lib.sh"
new_pg_db

# malformed names, duplicates, a down without an up: up refuses and runs nothing
mig m 1 a "CREATE TABLE a (id int);" "DROP TABLE a;"
mig m 01 dup "CREATE TABLE dup (id int);" "DROP TABLE dup;"
printf 'CREATE TABLE x (id int);\n' > m/2_x.sql
printf 'DROP TABLE orphan;\n' > m/3_orphan.down.sql
mg -p m up
assert_rc 2
assert_err "version 1 is used by both"
assert_err "'2_x.sql' is not a valid migration file name"
assert_err "'3_orphan.down.sql' has no matching up file"
assert_err "has errors; nothing was run"
assert_eq "$(pg "SELECT to_regclass('a') IS NULL")" t
mg -p m validate
assert_rc 3
assert_out "error: duplicate-version"
assert_out "error: bad-file-name"
assert_out "error: down-without-up"
mg -p m --format json validate
assert_rc 3
assert_eq "$(jq -r '[.problems[].code] | sort | join(",")' out)" "bad-file-name,down-without-up,duplicate-version"

# an up without a down is a warning; it applies
rm -rf m; mig m 1 a "CREATE TABLE a (id int);"
mg -p m up
assert_rc 0
assert_err "'1_a.up.sql' has no down file"
mg -p m down
assert_rc 2
assert_err "cannot revert version 1 (a): it has no down file"

# empty files
new_pg_db 2
rm -rf m; mkdir m; printf '\n  \n' > m/1_empty.up.sql; printf '\n' > m/1_empty.down.sql
mg -p m up
assert_rc 2
assert_err "'1_empty.up.sql' is empty"
rm -rf m; mkdir m; printf -- '-- only a comment\n' > m/1_c.up.sql; printf '\n' > m/1_c.down.sql
mg -p m up
assert_rc 2
assert_err "'1_c.up.sql' contains no SQL statements"
assert_eq "$(pg "SELECT count(*) FROM migrate_history")" 0

# invalid UTF-8, with its line
rm -rf m; mkdir m; printf 'SELECT 1;\nSELECT \xe9t\xe9;\n' > m/1_latin1.up.sql; printf '\n' > m/1_latin1.down.sql
mg -p m up
assert_rc 2
assert_err "m/1_latin1.up.sql:2: invalid UTF-8 at line 2, column 8"

# an unknown directive (a typo must not silently run in a transaction)
rm -rf m; mkdir m; printf -- '-- migrate:no-transactoin\nCREATE INDEX CONCURRENTLY i ON t (a);\n' > m/1_t.up.sql
mg -p m validate
assert_rc 3
assert_out "unknown or malformed directive 'migrate:no-transactoin'"

# a missing directory
mg -p nowhere up
assert_rc 1
assert_err "cannot read the migrations directory 'nowhere'"

# a file that manages its own transaction is refused unless it says so
rm -rf m; mig m 1 tx "BEGIN; CREATE TABLE tx (id int); COMMIT;" "DROP TABLE tx;"
mg -p m up
assert_rc 2
assert_err "controls transactions itself (line 1)"
printf -- '-- migrate:no-transaction\nBEGIN; CREATE TABLE tx (id int); COMMIT;\n' > m/1_tx.up.sql
mg -p m up
assert_rc 0
assert_eq "$(pg "SELECT status FROM migrate_history")" applied

# CRLF line endings do not count as an edit
new_pg_db 3
rm -rf m; mig m 1 crlf "CREATE TABLE c (id int);" "DROP TABLE c;"
mg -p m up
assert_rc 0
printf 'CREATE TABLE c (id int);\r\n' > m/1_crlf.up.sql
mg -p m status
assert_rc 0
assert_out "1 applied"
# a real edit is detected by status, validate and up
printf 'CREATE TABLE c (id bigint);\n' > m/1_crlf.up.sql
mig m 2 more "SELECT 1;" "SELECT 1;"
mg -p m status
assert_rc 5
assert_out "EDITED after apply"
mg -p m validate -d "$DATABASE_URL"
assert_rc 3
assert_out "edited-after-apply"
mg -p m up
assert_rc 5
assert_err "'1_crlf.up.sql' was edited after it was applied"
assert_eq "$(pg "SELECT count(*) FROM migrate_history")" 1
mg -p m up --allow-edited
assert_rc 0
assert_eq "$(pg "SELECT count(*) FROM migrate_history")" 2
