# create, force, baseline and goto: recording state without running SQL, and the event rows.
. "$(dirname "$0")/lib.sh"
new_pg_db
export MIGRATE_PATH=m

mg create "Add users table"
assert_rc 0
up=$(sed -n 1p out); down=$(sed -n 2p out)
[[ "$up" =~ ^m/[0-9]{14}_add_users_table\.up\.sql$ ]] || fail "bad name $up"
[ -f "$up" ] && [ -f "$down" ] || fail "files not created"
mg create "Second"
assert_rc 0
v1=$(basename "$up" | cut -d_ -f1); v2=$(basename "$(sed -n 1p out)" | cut -d_ -f1)
[ "$v2" -gt "$v1" ] || fail "versions not increasing: $v1 $v2"
# a new file holds only a comment: running it unchanged is refused
mg up
assert_rc 2
assert_err "contains no SQL statements"
rm -rf m
mg create --seq first
assert_out "m/000001_first.up.sql"
mg create --seq second
assert_out "m/000002_second.up.sql"
mg create "!!!"
assert_rc 2
assert_err "makes an empty migration name"
rm -rf m

# baseline: adopt a database whose schema exists already
pg "CREATE TABLE legacy (id int)"
mig m 1 legacy "CREATE TABLE legacy (id int);" "DROP TABLE legacy;"
mig m 2 more "CREATE TABLE more (id int);" "DROP TABLE more;"
mig m 3 third "CREATE TABLE third (id int);" "DROP TABLE third;"
mg baseline 1
assert_rc 0
assert_out "1_legacy: recorded as applied"
assert_out "no SQL was run"
assert_eq "$(pg "SELECT kind FROM migrate_history WHERE version = 1")" baseline
mg baseline 1
assert_rc 2
assert_err "already has migration history"
mg up
assert_rc 0
assert_out "applied 2_more"
mg down 3
assert_rc 2
assert_err "recorded by baseline, not applied by migrate"

# force: record the truth after fixing by hand
printf -- '-- migrate:no-transaction\nCREATE TABLE four_a (id int);\nCREATE TABLE nope.x (id int);\n' > m/4_four.up.sql
printf 'DROP TABLE four_a;\n' > m/4_four.down.sql
mg up
assert_rc 1
pg "CREATE SCHEMA nope; CREATE TABLE nope.x (id int)"
mg force 4
assert_rc 0
assert_out "4_four: recorded as applied (was unfinished)"
mg status
assert_rc 0
assert_out "4 applied, 0 pending"
mg force 2
assert_rc 0
assert_out "3_third: recorded as not applied"
assert_out "4_four: recorded as not applied"
mg version
assert_eq "$(cat out)" 2
mg force 9
assert_rc 2
assert_err "no migration with version 9"
mg force x
assert_rc 2
assert_err "'x' is not a version"
assert_eq "$(pg "SELECT string_agg(action || ':' || outcome || ':' || version, ',' ORDER BY id) FROM migrate_events WHERE action IN ('force', 'baseline')")" \
    "baseline:recorded:1,force:recorded:4,force:unrecorded:3,force:unrecorded:4"

# goto with a pending version below the current one: refused unless allowed
pg "DROP TABLE third; DROP TABLE four_a; DROP SCHEMA nope CASCADE"
mg goto 3
assert_rc 0
mig m 2 more "CREATE TABLE more (id int);" "DROP TABLE more;"
pg "DELETE FROM migrate_history WHERE version = 2; DROP TABLE more"
mg up
assert_rc 5
assert_err "'2_more.up.sql' is pending but a later version (3) is already applied"
mg up 1 --allow-out-of-order
assert_rc 0
assert_out "applied 2_more"
