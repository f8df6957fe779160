# test-rollback on a realistic history of 41 migrations (tests/fixtures/realistic/postgres):
# it must find exactly the downs its README lists as wrong, and name each.
. "$(dirname "$0")/lib.sh"
set_dir="$MG_TEST_ROOT/tests/fixtures/realistic/postgres"
wrong="20230308100000,20230405100000,20230510120000,20230621120000,20230719093000,20230823110000"

mg -p "$set_dir" --format json test-rollback
assert_rc 3
assert_eq "$(jq -r '[.migrations[] | select(.status == "failed") | .version] | join(",")' out)" "$wrong"
assert_eq "$(jq -r '.summary.migrations' out)" 41
assert_eq "$(jq -r '.summary.passed' out)" 35
assert_eq "$(jq -r '.summary.not_run' out)" 0

mg -p "$set_dir" test-rollback
assert_rc 3
assert_out "FAIL 20230308100000_index_invoices_by_account_status"
assert_out "+ CREATE INDEX invoices_account_status_idx ON public.invoices USING btree (account_id, status)"
assert_out "FAIL 20230405100000_add_users_display_name"
assert_out "- column password_hash text"
assert_out "FAIL 20230510120000_add_invoice_status_void"
assert_out "+ enum ('draft', 'open', 'paid', 'void')"
assert_out "FAIL 20230621120000_notify_invoice_paid"
assert_out "added function public.notify_invoice_paid()"
assert_out "FAIL 20230719093000_add_enterprise_plan"
assert_out "up again: failed: duplicate key value violates unique constraint \"plan_limits_pkey\""
assert_out "FAIL 20230823110000_drop_tasks_due_on"
assert_out "(the same lines in another order; --ignore-column-order accepts a different column order)"
assert_out "41 migrations: 35 passed, 6 failed"

# column order accepted: the other five remain
mg -p "$set_dir" --format json test-rollback --ignore-column-order
assert_rc 3
assert_eq "$(jq -r '[.migrations[] | select(.status == "failed") | .version] | join(",")' out)" \
    "20230308100000,20230405100000,20230510120000,20230621120000,20230719093000"
