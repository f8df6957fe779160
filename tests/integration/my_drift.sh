# drift on MariaDB: the live schema against its applied migrations replayed on a sandbox.
. "$(dirname "$0")/lib.sh"
new_my_db
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200) NOT NULL, name text);" "DROP TABLE users;"
mig m 2 report "CREATE VIEW report AS SELECT email FROM users;" "DROP VIEW report;"
export MIGRATE_PATH=m
mg up
assert_rc 0
mg drift
assert_rc 0
assert_out "against its 2 applied migrations replayed on a sandbox"
assert_out "no drift"
my "CREATE INDEX users_email_idx ON users (email); DROP VIEW report; CREATE PROCEDURE hotfix() SELECT 1"
mg drift
assert_rc 3
assert_out "changed table users"
assert_out "  + index users_email_idx (email) using BTREE"
assert_out "removed view report"
assert_out "added procedure hotfix"
assert_out "3 objects drifted: 1 added by hand, 1 removed by hand, 1 changed by hand"
