# golang-migrate's command lines work unchanged: -path, -database, -source, up, down N, goto,
# force, version.
. "$(dirname "$0")/lib.sh"
new_pg_db
unset DATABASE_URL
db=$(echo "$MG_PG_URL" | sed "s|/postgres?|/$PGDB?|")
mig m 1 a "CREATE TABLE a (id int);" "DROP TABLE a;"
mig m 2 b "CREATE TABLE b (id int);" "DROP TABLE b;"
mig m 3 c "CREATE TABLE c (id int);" "DROP TABLE c;"
mg -path m -database "$db" up 2
assert_rc 0
assert_out "applied 2_b"
mg -source file://m -database="$db" version
assert_rc 0
assert_eq "$(cat out)" 2
mg -path=m -database "$db" -verbose up
assert_rc 0
mg -path m -database "$db" down 2
assert_rc 0
assert_out "reverted 2_b"
mg -path m -database "$db" goto 3
assert_rc 0
mg -path m -database "$db" force 1
assert_rc 0
mg -path m -database "$db" -lock-timeout 5 down -all
assert_rc 0
assert_out "reverted 1_a"
mg -source s3://bucket/path -database "$db" up
assert_rc 2
assert_err "only file:// migration sources are supported"
mg -path m create -ext sql -seq -digits 6 fourth
assert_rc 0
assert_out "m/4_fourth.up.sql"
