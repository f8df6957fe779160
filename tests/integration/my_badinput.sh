# Bad migration files on MariaDB: each is reported with what is wrong and what
# to do, and nothing runs while the directory has errors.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m

# malformed file names are reported, not skipped silently
mig m 1 a "CREATE TABLE a (id int);" "DROP TABLE a;"
printf 'CREATE TABLE b (id int);\n' >m/2-b.up.sql
printf 'CREATE TABLE c (id int);\n' >m/x3_c.up.sql
mg up
assert_rc 2
assert_err "'2-b.up.sql' is not a valid migration file name"
assert_err "'x3_c.up.sql' is not a valid migration file name"
assert_err "nothing was run"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'a'")" 0
rm m/2-b.up.sql m/x3_c.up.sql

# duplicate versions
mig m 1 again "CREATE TABLE again (id int);"
mg up
assert_rc 2
assert_err "version 1 is used by both"
rm m/1_again.up.sql

# a down without its up is an error
printf 'DROP TABLE d;\n' >m/4_d.down.sql
mg up
assert_rc 2
assert_err "'4_d.down.sql' has no matching up file"
rm m/4_d.down.sql

# an up without a down is a warning: it runs
mig m 2 nodown "CREATE TABLE nodown (id int);"
mg up
assert_rc 0
assert_err "'2_nodown.up.sql' has no down file"
assert_out "applied 2_nodown"

# empty files
: >m/3_empty.up.sql
mg up
assert_rc 2
assert_err "'3_empty.up.sql' is empty"
# a file of comments only has no statement for MySQL either
printf -- '-- nothing yet; really\n# nor here;\n/* nor; here */\nDELIMITER $$\nDELIMITER ;\n' >m/3_empty.up.sql
mg up
assert_rc 2
assert_err "'3_empty.up.sql' contains no SQL statements"
assert_eq "$(my "SELECT COUNT(*) FROM migrate_history WHERE version = 3")" 0
rm m/3_empty.up.sql

# invalid UTF-8
printf 'CREATE TABLE bad (name varchar(10) DEFAULT \x27\xff\xfe\x27);\n' >m/5_bad.up.sql
mg up
assert_rc 2
assert_err "5_bad.up.sql"
assert_err "UTF-8"
rm m/5_bad.up.sql

# a lexical error: file, line and what to do; nothing of the file ran
printf 'CREATE TABLE six (id int);\nINSERT INTO six VALUES (1);\nINSERT INTO six VALUES (\x27open);\n' >m/6_six.up.sql
mg up
assert_rc 2
assert_err "unterminated quoted string starting at line 3"
assert_err "6_six.up.sql"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'six'")" 0

# a DELIMITER line that names no delimiter
printf 'DELIMITER\nCREATE TABLE six (id int);\n' >m/6_six.up.sql
mg up
assert_rc 2
assert_err "DELIMITER at line 1 names no delimiter"
rm m/6_six.up.sql

# BEGIN/COMMIT in a file: the engine owns transactions
mig m 7 txn "START TRANSACTION;
INSERT INTO nodown VALUES (1);
COMMIT;"
mg up
assert_rc 2
assert_err "controls transactions itself (line 1)"
rm m/7_txn.up.sql

# a syntax error from the server points at the file's line
mig m 8 syntax "CREATE TABLE eight (id int);
CREATE TABLE nine (
  id int,
  name varchar(10) NOT NUL
);"
mg up
assert_rc 1
assert_err "You have an error in your SQL syntax"
assert_err "sqlstate: 42000"
assert_err "server error: 1064"
assert_err "8_syntax.up.sql:4"
assert_err "statement 2 of 2"
mg status
assert_rc 5
assert_out "up failed at statement 2 of 2 (line 4): [42000]"
assert_out "statements 1-1 are applied"
