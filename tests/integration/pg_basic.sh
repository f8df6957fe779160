# up, status, down, goto, version, JSON output and the history rows on PostgreSQL.
. "$(dirname "$0")/lib.sh"
new_pg_db
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);" "DROP TABLE users;"
mig m 2 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);" "DROP TABLE orders;"
mig m 3 fn "CREATE FUNCTION one() RETURNS int AS \$\$ SELECT 1; \$\$ LANGUAGE sql;" "DROP FUNCTION one();"
export MIGRATE_PATH=m

mg status
assert_rc 0
assert_out "3 pending"
assert_eq "$(pg "SELECT to_regclass('migrate_history') IS NULL")" t "status must not create tables"

mg up 2
assert_rc 0
assert_out "applied 1_users"
assert_out "applied 2_orders"
assert_out "version: 2"
assert_eq "$(pg "SELECT string_agg(version::text || ':' || status, ',' ORDER BY version) FROM migrate_history")" "1:applied,2:applied"

mg up
assert_rc 0
assert_out "applied 3_fn"
assert_eq "$(pg "SELECT one()")" 1

mg up
assert_rc 0
assert_out "no change"

mg version
assert_rc 0
assert_eq "$(cat out)" 3

mg down
assert_rc 0
assert_out "reverted 3_fn"
mg --format json version
assert_eq "$(jq -r .version out)" 2

mg goto 0
assert_rc 0
assert_out "reverted 2_orders"
assert_out "reverted 1_users"
assert_eq "$(pg "SELECT count(*) FROM migrate_history")" 0
assert_eq "$(pg "SELECT to_regclass('users') IS NULL")" t

mg goto 2
assert_rc 0
assert_eq "$(pg "SELECT string_agg(version::text, ',' ORDER BY version) FROM migrate_history")" "1,2"

mg --format json up
assert_rc 0
assert_eq "$(jq -r '.steps[0].name + " " + (.steps[0].ok|tostring) + " " + (.version|tostring)' out)" "fn true 3"

mg down --all
assert_rc 0
assert_eq "$(pg "SELECT count(*) FROM migrate_history")" 0

# the event log records every step, chained by hash
assert_eq "$(pg "SELECT count(*) FROM migrate_events WHERE action IN ('up', 'down')")" 12
assert_eq "$(pg "SELECT count(*) FROM migrate_events e JOIN migrate_events p ON p.id = e.id - 1 WHERE e.prev_hash <> p.hash")" 0
