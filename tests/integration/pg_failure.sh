# Failures are recorded with file, line, SQLSTATE and the server's words; a fixed file resumes.
. "$(dirname "$0")/lib.sh"
new_pg_db
export MIGRATE_PATH=m

# a transactional migration that fails: nothing applied, the failure recorded, 'up' retries it
mig m 1 users "CREATE TABLE users (id int PRIMARY KEY);" "DROP TABLE users;"
printf 'CREATE TABLE t2 (id int);\nINSERT INTO t2 VALUES (1);\nINSERT INTO nope VALUES (1);\n' > m/2_bad.up.sql
printf 'DROP TABLE t2;\n' > m/2_bad.down.sql
mg up
assert_rc 1
assert_out "applied 1_users"
assert_err 'relation "nope" does not exist'
assert_err "sqlstate: 42P01"
assert_err "at: m/2_bad.up.sql:3"
assert_err "statement 3 of 3"
assert_eq "$(pg "SELECT to_regclass('t2') IS NULL")" t "the failed transaction left t2 behind"
assert_eq "$(pg "SELECT status || ' ' || stmts_done || '/' || stmts_total || ' ' || error_sqlstate || ' line ' || error_line FROM migrate_history WHERE version = 2")" "failed 0/3 42P01 line 3"
assert_eq "$(pg "SELECT outcome FROM migrate_events WHERE version = 2")" failed
mg status
assert_rc 5
assert_out "up failed at statement 3 of 3 (line 3): [42P01] relation \"nope\" does not exist; rolled back, nothing of it is applied"
mg version
assert_rc 0
assert_eq "$(cat out)" 1
printf 'CREATE TABLE t2 (id int);\nINSERT INTO t2 VALUES (1);\n' > m/2_bad.up.sql
mg up
assert_rc 0
assert_eq "$(pg "SELECT status || ' ' || stmts_done || '/' || stmts_total || ' ' || coalesce(error_sqlstate, '-') FROM migrate_history WHERE version = 2")" "applied 2/2 -"

# a no-transaction migration failing at statement 3 of 4: 1-2 stay applied and recorded
printf 'CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE INDEX CONCURRENTLY b_id ON b (id);\nCREATE TABLE c (id int);\n' > m/3_nt.up.sql
printf 'DROP TABLE c; DROP TABLE a;\n' > m/3_nt.down.sql
mg up
assert_rc 1
assert_err 'relation "b" does not exist'
assert_err "m/3_nt.up.sql:3"
assert_eq "$(pg "SELECT status || ' ' || stmts_done || '/' || stmts_total FROM migrate_history WHERE version = 3")" "failed 2/4"
mg status
assert_rc 5
assert_out "up failed at statement 3 of 4 (line 3)"
assert_out "statements 1-2 are applied; fix the file and 'up' resumes at 3"
mg down
assert_rc 5
assert_err "is failed at statement 3 of 4 of its up file"
# editing an already-run statement is refused on resume
printf 'CREATE TABLE a (id bigint);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE INDEX CONCURRENTLY c_id ON a (id);\nCREATE TABLE c (id int);\n' > m/3_nt.up.sql
mg up
assert_rc 5
assert_err "statements 1 to 2 of '3_nt.up.sql' already ran, and they were edited since"
# the fix touches only the failed statement: resume runs statements 3 and 4 only
printf 'CREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE INDEX CONCURRENTLY c_id ON a (id);\nCREATE TABLE c (id int);\n' > m/3_nt.up.sql
mg up
assert_rc 0
assert_err "from statement 3 of 4 (resuming)"
assert_eq "$(pg "SELECT status || ' ' || stmts_done || '/' || stmts_total FROM migrate_history WHERE version = 3")" "applied 4/4"
assert_eq "$(pg "SELECT count(*) FROM pg_indexes WHERE tablename = 'a'")" 2
assert_eq "$(pg "SELECT checksum FROM migrate_history WHERE version = 3")" "$(sha256sum m/3_nt.up.sql | cut -d' ' -f1)"

# a failing down: a transactional one leaves the row applied; the event says failed
printf 'DROP TABLE nope;\n' > m/3_nt.down.sql
printf -- '-- migrate:no-transaction\nDROP TABLE c;\nDROP TABLE nope;\nDROP TABLE a;\n' > m/3_nt.down.sql
mg down
assert_rc 1
assert_eq "$(pg "SELECT status || ' ' || stmts_done || '/' || stmts_total FROM migrate_history WHERE version = 3")" "revert_failed 1/3"
mg status
assert_rc 5
assert_out "down failed at statement 2 of 3"
mg up
assert_rc 5
assert_err "of its down file"
printf -- '-- migrate:no-transaction\nDROP TABLE c;\nDROP TABLE IF EXISTS nope;\nDROP TABLE a;\n' > m/3_nt.down.sql
mg down
assert_rc 0
assert_eq "$(pg "SELECT count(*) FROM migrate_history WHERE version = 3")" 0
assert_eq "$(pg "SELECT to_regclass('a') IS NULL AND to_regclass('c') IS NULL")" t

# a statement timeout is an ordinary failure, reported as the server says
mig m 4 slow "SELECT pg_sleep(2);" "SELECT 1;"
mg --statement-timeout 100ms up
assert_rc 1
assert_err "canceling statement due to statement timeout"
assert_err "sqlstate: 57014"

# a statement running longer than a second says so while it runs
mig m 5 sleepy "SELECT pg_sleep(1.6);" "SELECT 1;"
printf "SELECT 1;\n" > m/4_slow.up.sql
mg up
assert_rc 0
assert_err "statement 1 of 1 (line 1) running for 1s"
assert_err "statement 1 of 1 (line 1) took 1."

# a migration that breaks the engine's own tables: the write after it fails, everything of it is
# rolled back (the history write and COMMIT go in one round trip), and the failure is recorded
mig m 6 breaker "CREATE TABLE six (id int); DROP TABLE migrate_events;" "DROP TABLE six;"
mg up
assert_rc 1
assert_err 'relation "migrate_events" does not exist'
assert_eq "$(pg "SELECT to_regclass('six') IS NULL AND to_regclass('migrate_events') IS NOT NULL")" t
assert_eq "$(pg "SELECT status FROM migrate_history WHERE version = 6")" failed

# the first statement of a transaction (sent with its BEGIN) fails: the line and column are its own
printf '\n\n  SELECT 1 FROM\n    nope7;\n' > m/7_first.up.sql
printf 'SELECT 1;\n' > m/7_first.down.sql
rm m/6_breaker.*; pg "DELETE FROM migrate_history WHERE version = 6"
mg up
assert_rc 1
assert_err 'relation "nope7" does not exist'
assert_err "at: m/7_first.up.sql:4"
assert_eq "$(pg "SELECT error_line FROM migrate_history WHERE version = 7")" 4
