# schema dump on a schema with every object kind: golden text, the same bytes twice,
# JSON objects, and schema diff between a file and a database.
. "$(dirname "$0")/lib.sh"
new_pg_db
psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -f "$MG_TEST_ROOT/tests/fixtures/schema/pg_all_kinds.sql" >/dev/null
# the engine's own tables are not part of the schema
mkdir -p empty
mg -p empty up
assert_rc 0
assert_eq "$(pg "SELECT to_regclass('migrate_history') IS NOT NULL")" t

mg schema dump
assert_rc 0
golden schema/pg_all_kinds.txt
assert_no_out "migrate_history"
assert_no_out "migrate_events"
cp out dump1.txt

# determinism: same database, same bytes
mg schema dump
cmp -s out dump1.txt || fail "a second dump differs from the first"

# every kind is there
for kind in "extension citext" "schema billing" "type public.mood" "type billing.money_pair" \
    "type public.floatrange" "domain public.email" "sequence public.invoice_no" "table public.users" \
    "view public.active_users" "materialized view billing.totals" "function public.touch()" \
    "procedure billing.close_period(IN p_until date)" "aggregate billing.product(numeric)"; do
    grep -qx -- "$kind" dump1.txt || fail "the dump lacks the block '$kind'"
done

mg --format json schema dump
assert_rc 0
assert_eq "$(jq -r '.objects[] | select(.kind == "materialized view") | .name' out)" billing.totals
assert_eq "$(jq -r '[.objects[] | select(.kind == "table")] | length' out)" 7
assert_eq "$(jq -r '.dialect' out)" postgres

# a file against the database it came from: equal
mg schema diff dump1.txt "$DATABASE_URL"
assert_rc 0
assert_out "no differences"

# change by hand, then diff names each object and line
pg "CREATE INDEX users_born_idx ON users (born); ALTER TABLE billing.invoices ALTER COLUMN tags DROP DEFAULT; DROP VIEW active_users; CREATE TABLE extra (a int)" >/dev/null
mg schema diff dump1.txt "$DATABASE_URL"
assert_rc 3
assert_out "changed table public.users"
assert_out "  + CREATE INDEX users_born_idx ON public.users USING btree (born)"
assert_out "changed table billing.invoices"
assert_out "  - column tags text[] default '{}'::text[]"
assert_out "  + column tags text[]"
assert_out "removed view public.active_users"
assert_out "added table public.extra"
assert_out "4 objects differ: 1 added, 1 removed, 2 changed"

mg --format json schema diff dump1.txt "$DATABASE_URL"
assert_rc 3
assert_eq "$(jq -r '.equal' out)" false
assert_eq "$(jq -r '.differences[] | select(.change == "removed") | .name' out)" public.active_users
assert_eq "$(jq -r '.summary.changed' out)" 2

# bad inputs
echo "hello" >bad.txt
mg schema diff bad.txt dump1.txt
assert_rc 2
assert_err "'bad.txt' is not a schema snapshot"
mg schema diff nosuch.txt dump1.txt
assert_rc 1
assert_err "nosuch.txt"
mg schema diff dump1.txt
assert_rc 2
assert_err "usage: migrate schema diff A B"
mg schema frob
assert_rc 2
assert_err "unknown schema action 'frob'"
