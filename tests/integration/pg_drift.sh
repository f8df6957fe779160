# drift: the live schema against its applied migrations replayed on a sandbox; changes
# made by hand are named, object by object.
. "$(dirname "$0")/lib.sh"
new_pg_db
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);" "DROP TABLE users;"
mig m 2 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users, note text);" "DROP TABLE orders;"
mig m 3 report "CREATE VIEW report AS SELECT u.email, count(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.email;" "DROP VIEW report;"
mig m 4 pending "CREATE TABLE pending_one (a int);" "DROP TABLE pending_one;"
export MIGRATE_PATH=m

mg drift
assert_rc 2
assert_err "has no migration history"

mg up 3
assert_rc 0
mg drift
assert_rc 0 "drift right after up"
assert_out "against its 3 applied migrations replayed on a sandbox"
assert_out "no drift"

# hand-made changes: an index added, a column dropped, a function added, a view removed
pg "CREATE INDEX users_name_idx ON users (name); DROP VIEW report; ALTER TABLE orders DROP COLUMN note;
CREATE FUNCTION hotfix() RETURNS int LANGUAGE sql AS 'SELECT 1';" >/dev/null
mg drift
assert_rc 3
assert_out "(- as the migrations make it, + as the database has it)"
assert_out "changed table public.users"
assert_out "  + CREATE INDEX users_name_idx ON public.users USING btree (name)"
assert_out "changed table public.orders"
assert_out "  - column note text"
assert_out "removed view public.report"
assert_out "added function public.hotfix()"
assert_out "4 objects drifted: 1 added by hand, 1 removed by hand, 2 changed by hand"
# the pending migration is not part of what the database should have
assert_no_out "pending_one"

mg --format json drift
assert_rc 3
assert_eq "$(jq -r '.drift' out)" true
assert_eq "$(jq -r '.replayed | join(",")' out)" "1,2,3"
assert_eq "$(jq -r '.differences[] | select(.change == "added") | .kind + " " + .name' out)" "function public.hotfix()"
assert_eq "$(jq -r '.summary.changed' out)" 2

# an applied migration edited since: said, and the edit shows as drift
pg "DROP INDEX users_name_idx; DROP FUNCTION hotfix(); ALTER TABLE orders ADD COLUMN note text;
CREATE VIEW report AS SELECT u.email, count(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.email;" >/dev/null
mg up
assert_rc 0
mg drift
assert_rc 0 "drift after undoing the hand-made changes"
mig m 4 pending "CREATE TABLE pending_one (a int, b int);" "DROP TABLE pending_one;"
mg drift
assert_rc 3
assert_err "4_pending.up.sql was edited after it was applied"
assert_out "  - column b integer"
