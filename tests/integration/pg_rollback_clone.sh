# test-rollback --clone: runs on a given database with the engine's runner, so history
# rows and events are written as in real runs; already applied versions are not tested;
# after a failure a clone cannot be rebuilt, so the test stops and says why.
. "$(dirname "$0")/lib.sh"
new_pg_db
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email text);" "DROP TABLE users;"
mig m 2 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);" "DROP TABLE orders;"
mig m 3 users_idx "CREATE INDEX users_email_idx ON users (email);" "DROP INDEX users_email_idx;"
mig m 4 orders_note "ALTER TABLE orders ADD COLUMN note text;" "ALTER TABLE orders DROP COLUMN note;"
export MIGRATE_PATH=m
mg up 2
assert_rc 0
pg "INSERT INTO users VALUES (1, 'a@example.com'), (2, 'b@example.com')" >/dev/null

mg test-rollback --clone "$DATABASE_URL" --data
assert_rc 0
assert_out "test-rollback on the clone postgres://"
assert_out "ok   3_users_idx"
assert_out "ok   4_orders_note"
assert_out "2 migrations in range already applied on the clone: not tested"
assert_no_out "1_users"
# the history is what real runs leave: applied rows, and an event per step
assert_eq "$(pg "SELECT string_agg(version || ':' || status, ',' ORDER BY version) FROM migrate_history")" "1:applied,2:applied,3:applied,4:applied"
assert_eq "$(pg "SELECT string_agg(action || '/' || outcome, ',' ORDER BY id) FROM migrate_events WHERE version = 3")" "up/ok,down/ok,up/ok"
assert_eq "$(pg "SELECT count(*) FROM migrate_events WHERE meta LIKE '%\"command\": \"test-rollback\"%' OR meta LIKE '%\"command\":\"test-rollback\"%'")" 6
assert_eq "$(pg "SELECT count(*) FROM users")" 2

# a wrong down on a clone: reported, and the test stops there
mig m 5 orders_idx "CREATE INDEX orders_user_idx ON orders (user_id);" "SELECT 1;"
mig m 6 later "CREATE TABLE later (a int);" "DROP TABLE later;"
mg test-rollback --clone "$DATABASE_URL"
assert_rc 3
assert_out "FAIL 5_orders_idx"
assert_out "         + CREATE INDEX orders_user_idx ON public.orders USING btree (user_id)"
assert_out "skip 6_later: not run"
assert_out "stopped early: after 5_orders_idx failed, the clone is not where a passing migration would have left it, and a clone cannot be rebuilt"
assert_out "2 migrations: 0 passed, 1 failed, 1 not run"
mg --format json test-rollback --clone "$DATABASE_URL" --to 4
assert_rc 0
assert_eq "$(jq -r '.summary.already_applied' out)" 4

# a clone that cannot be reached
mg test-rollback --clone "postgres://nobody@127.0.0.1:1/none"
assert_rc 1
assert_err "cannot connect to PostgreSQL"
