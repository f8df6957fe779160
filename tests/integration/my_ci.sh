# migrate ci with --driver mysql and both: replay and test-rollback on MariaDB sandboxes.
. "$(dirname "$0")/lib.sh"
git init -q repo && cd repo
git config user.email ci@example.com && git config user.name ci
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200) NOT NULL);" "DROP TABLE users;"
git add -A && git commit -qm base && git branch -M main && git checkout -q -b pr
mig m 2 name "ALTER TABLE users ADD COLUMN name varchar(100);" "ALTER TABLE users DROP COLUMN name;"
mig m 3 wrong "CREATE TABLE t3 (id int PRIMARY KEY, v int); CREATE INDEX t3_v ON t3 (v);" "DROP INDEX t3_v ON t3;"
git add -A && git commit -qm pr
"$MIGRATE_BIN" -p m ci --base main --driver mysql >"$T/out" 2>"$T/err"; RC=$?
assert_rc 3
assert_out "test-rollback on mysql: 1 passed, 1 failed"
assert_out "down-does-not-undo-up"
assert_out "mysql (wrong): down step"
