# test-rollback on a realistic MariaDB history of 35 migrations (tests/fixtures/realistic/mysql):
# it must find exactly the downs its README lists as wrong, and name each.
. "$(dirname "$0")/lib.sh"
set_dir="$MG_TEST_ROOT/tests/fixtures/realistic/mysql"
wrong="20230308100000,20230405100000,20230510120000,20230607090000,20230621120000,20230705110000,20230726140000"

mg -p "$set_dir" --format json test-rollback --driver mysql
assert_rc 3
assert_eq "$(jq -r '[.migrations[] | select(.status == "failed") | .version] | join(",")' out)" "$wrong"
assert_eq "$(jq -r '.summary.migrations' out)" 35
assert_eq "$(jq -r '.summary.not_run' out)" 0

mg -p "$set_dir" test-rollback --driver mysql --ignore-column-order
assert_rc 3
assert_out "+ index invoices_status_issued_idx (status, issued_on) using BTREE"
assert_out "- column password_hash varchar(255) default NULL"
assert_out "+ column status enum('draft','open','paid','void') not null default 'draft'"
assert_out "+ trigger invoices_paid_au AFTER UPDATE FOR EACH ROW order 1"
assert_out "down: failed: Cannot drop index 'tasks_project_position_idx': needed in a foreign key constraint"
assert_out "up again: failed: Duplicate entry 'enterprise' for key 'PRIMARY'"
assert_out "ok   20230726140000_drop_tasks_estimate"
assert_out "35 migrations: 29 passed, 6 failed"
