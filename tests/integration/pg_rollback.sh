# test-rollback on a sandbox: a correct set passes; a down that forgets an index, a down
# that drops the wrong column, an up that cannot run again and a missing down are each
# caught and named; JSON, JUnit, --from/--to and usage errors.
. "$(dirname "$0")/lib.sh"

# a correct set: tables, index, enum, view, function and trigger, every down exact
mig good 1 users "CREATE TYPE user_state AS ENUM ('active', 'banned');
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL,
    state user_state NOT NULL DEFAULT 'active', updated_at timestamptz);" \
    "DROP TABLE users;
DROP TYPE user_state;"
mig good 2 users_email "CREATE UNIQUE INDEX users_email_key ON users (lower(email));" \
    "DROP INDEX users_email_key;"
mig good 3 touch "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN NEW.updated_at := now(); RETURN NEW; END \$\$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();" \
    "DROP TRIGGER users_touch ON users;
DROP FUNCTION touch();"
mig good 4 active_users "CREATE VIEW active_users AS SELECT id, email FROM users WHERE state = 'active';" \
    "DROP VIEW active_users;"
# outside a transaction, statement by statement
mig good 5 users_state_idx "CREATE INDEX CONCURRENTLY users_state_idx ON users (state);" \
    "DROP INDEX CONCURRENTLY users_state_idx;"

mkdir -p "$T/tmp" && chmod 755 "$T" "$T/tmp"
TMPDIR="$T/tmp" mg -p good test-rollback
assert_rc 0 "test-rollback of a correct set"
assert_out "test-rollback on a PostgreSQL"
assert_out "ok   1_users"
assert_out "ok   4_active_users"
assert_out "ok   5_users_state_idx"
assert_out "5 migrations: 5 passed, 0 failed"
assert_err "starting a postgres sandbox"
# the sandbox was made in TMPDIR, and is stopped and removed afterwards
assert_err "starting a postgres sandbox"
assert_eq "$(ls "$T/tmp" | wc -l)" 0 "(sandbox folders left behind)"

# a wrong set
mig bad 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz);
CREATE TABLE roles (name text PRIMARY KEY);" "DROP TABLE roles;
DROP TABLE users;"
mig bad 2 users_indexes "CREATE INDEX users_email_idx ON users (email);
CREATE INDEX users_created_idx ON users (created_at);" "DROP INDEX users_email_idx;"
mig bad 3 users_name "ALTER TABLE users ADD COLUMN name text;" "ALTER TABLE users DROP COLUMN email;"
mig bad 4 seed_roles "INSERT INTO roles (name) VALUES ('auditor');" "SELECT 1;"
mig bad 5 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);" \
    "DROP TABLE orders;"
mig bad 6 no_down "CREATE TABLE audit (at timestamptz);"

mg -p bad test-rollback
assert_rc 3 "test-rollback of a wrong set"
assert_out "ok   1_users"
# the down that forgets an index
assert_out "FAIL 2_users_indexes"
assert_out "     down: the schema after the down differs from the schema before the up"
assert_out "         + CREATE INDEX users_created_idx ON public.users USING btree (created_at)"
# the down that drops the wrong column
assert_out "FAIL 3_users_name"
assert_out "         - column email text not null"
assert_out "         + column name text"
# the up that cannot run again
assert_out "FAIL 4_seed_roles"
assert_out "     up again: failed: duplicate key value violates unique constraint \"roles_pkey\""
assert_out "detail: Key (name)=(auditor) already exists."
assert_out "ok   5_orders"
assert_out "FAIL 6_no_down"
assert_out "     down: failed: cannot revert version 6 (no_down): it has no down file"
assert_out "6 migrations: 2 passed, 4 failed; the sandbox database was rebuilt 3 times after failures"
# the correct ones are not blamed
assert_no_out "FAIL 1_users"
assert_no_out "FAIL 5_orders"

mg -p bad --format json test-rollback
assert_rc 3
assert_eq "$(jq -r '[.migrations[] | select(.status == "failed") | .version] | join(",")' out)" "2,3,4,6"
assert_eq "$(jq -r '.migrations[1].steps[1].differences[0].added[0]' out)" \
    "CREATE INDEX users_created_idx ON public.users USING btree (created_at)"
assert_eq "$(jq -r '.migrations[3].steps[2].error.sqlstate' out)" 23505
assert_eq "$(jq -r '.summary.passed' out)" 2
assert_eq "$(jq -r '.ok' out)" false

mg -p bad test-rollback --format junit
assert_rc 3
python3 -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" out || fail "the JUnit output is not well-formed XML"
assert_out 'tests="18" failures="6" errors="0" skipped="1"'
assert_out '<testcase classname="test-rollback.2_users_indexes" name="down"'
assert_out '<failure message="the schema after the down differs from the schema before the up" type="schema-differs">'
assert_out '<testcase classname="test-rollback.6_no_down" name="up again"'

# a range: the migrations below --from are applied first, untested
mg -p bad test-rollback --from 3 --to 3
assert_rc 3
assert_out "FAIL 3_users_name"
assert_out "1 migration: 0 passed, 1 failed"
assert_no_out "2_users_indexes"
assert_err "applying 2 migrations below version 3 first"
mg -p bad test-rollback --from 5 --to 5
assert_rc 0
assert_out "ok   5_orders"

# usage errors
new_pg_db
mg -p good test-rollback --sandbox --clone "$DATABASE_URL"
assert_rc 2
assert_err "--sandbox and --clone exclude each other"
mg -p good test-rollback --from 4 --to 2
assert_rc 2
assert_err "--from 4 is above --to 2"
mg -p good test-rollback --format xml
assert_rc 2
assert_err "unknown --format 'xml'"
mg -p good test-rollback --driver oracle
assert_rc 2
assert_err "unknown --driver 'oracle'"
mg -p good test-rollback extra
assert_rc 2
assert_err "test-rollback takes no arguments"
