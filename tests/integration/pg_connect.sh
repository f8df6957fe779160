# Connection failures say what is wrong and never print the password.
. "$(dirname "$0")/lib.sh"
new_pg_db
mig m 1 a "CREATE TABLE a (id int);" "DROP TABLE a;"
port=$(echo "$MG_PG_TCP" | sed -E 's|.*:([0-9]+)/.*|\1|')

# unreachable server (nothing listens on port 1)
mg -p m -d "postgres://u:topsecret@127.0.0.1:1/db" up
assert_rc 1
assert_err "cannot connect to PostgreSQL"
assert_err "check that the server is running"
assert_err "postgres://u:***@127.0.0.1:1/db"
assert_no_err topsecret

# wrong password (the sandbox asks other users for one over TCP)
psql -X -q "$MG_PG_URL" -c "DROP ROLE IF EXISTS alice" -c "CREATE ROLE alice LOGIN PASSWORD 'right-one'"
mg -p m -d "postgres://alice:wrong-one@127.0.0.1:$port/$PGDB" up
assert_rc 1
assert_err "password authentication failed"
assert_err "check the user and password"
assert_no_err wrong-one
assert_no_out wrong-one

# the right password works, also through PGPASSFILE
mg -p m -d "postgres://alice:right-one@127.0.0.1:$port/$PGDB" status
assert_rc 0
printf '127.0.0.1:%s:*:alice:right-one\n' "$port" > pgpass; chmod 600 pgpass
PGPASSFILE=$T/pgpass mg -p m -d "postgres://alice@127.0.0.1:$port/$PGDB" status
assert_rc 0
assert_out "postgres://alice@127.0.0.1"

# a database that does not exist
mg -p m -d "postgres://postgres@127.0.0.1:$port/no_such_db" up
assert_rc 1
assert_err 'database "no_such_db" does not exist'
assert_err "create the database first"

# bad URLs
mg -p m -d "localhost/db" up
assert_rc 2
assert_err "it has no scheme"
mg -p m -d "oracle://x/y" up
assert_rc 2
assert_err "unsupported database URL scheme 'oracle://'"
mg -p m -d "postgres://u@h/db?sslmod=require" up
assert_rc 2
assert_err "unknown connection parameter 'sslmod'"
unset DATABASE_URL
mg -p m up
assert_rc 2
assert_err "no database given"
