# up, status, down, goto, version, force, baseline, validate, JSON output and the
# history rows on MariaDB, where every statement commits on its own.
. "$(dirname "$0")/lib.sh"
new_my_db
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200) NOT NULL);
CREATE INDEX users_email ON users (email);" "DROP TABLE users;"
mig m 2 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint,
  FOREIGN KEY (user_id) REFERENCES users (id));" "DROP TABLE orders;"
mig m 3 fn "CREATE FUNCTION one() RETURNS int DETERMINISTIC RETURN 1;" "DROP FUNCTION one;"
export MIGRATE_PATH=m

mg status
assert_rc 0
assert_out "MariaDB"
assert_out "3 pending"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()")" 0 "status must not create tables"

mg up 2
assert_rc 0
assert_out "applied 1_users (2 statements, no transaction"
assert_out "applied 2_orders"
assert_out "version: 2"
assert_err "one by one: MariaDB commits DDL implicitly"
assert_eq "$(my "SELECT GROUP_CONCAT(CONCAT(version, ':', status, ':', stmts_done, '/', stmts_total) ORDER BY version) FROM migrate_history")" "1:applied:2/2,2:applied:1/1"
# the engine's tables are InnoDB and utf8mb4
assert_eq "$(my "SELECT GROUP_CONCAT(DISTINCT CONCAT(engine, ' ', table_collation)) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'migrate%'")" "InnoDB utf8mb4_bin"

mg up
assert_rc 0
assert_out "applied 3_fn"
assert_eq "$(my "SELECT one()")" 1

mg up
assert_rc 0
assert_out "no change"

mg version
assert_rc 0
assert_eq "$(cat out)" 3

mg --format json status
assert_rc 0
assert_eq "$(jq -r '[.migrations[].status] | join(",")' out)" "applied,applied,applied"
assert_eq "$(jq -r '.migrations[0].statements_total' out)" 2
assert_eq "$(jq -r '.migrations[0].applied_at' out | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$')" 1

mg down
assert_rc 0
assert_out "reverted 3_fn"
mg --format json version
assert_eq "$(jq -r .version out)" 2

mg goto 0
assert_rc 0
assert_out "reverted 2_orders"
assert_out "reverted 1_users"
assert_eq "$(my "SELECT COUNT(*) FROM migrate_history")" 0
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'users'")" 0

mg goto 2
assert_rc 0
assert_eq "$(my "SELECT GROUP_CONCAT(version ORDER BY version) FROM migrate_history")" "1,2"

mg --format json up
assert_rc 0
assert_eq "$(jq -r '.steps[0].name + " " + (.steps[0].ok|tostring) + " " + (.steps[0].transaction|tostring) + " " + (.version|tostring)' out)" "fn true false 3"

mg down --all
assert_rc 0
assert_eq "$(my "SELECT COUNT(*) FROM migrate_history")" 0

# the event log records every step, chained by hash
assert_eq "$(my "SELECT COUNT(*) FROM migrate_events WHERE action <> 'checkpoint'")" 12
assert_eq "$(my "SELECT COUNT(*) FROM migrate_events e JOIN migrate_events p ON p.id = e.id - 1 WHERE e.prev_hash <> p.hash")" 0
# the server computes each hash over the canonical text the engine defines (fields joined by 0x1f)
IFS=$'\t' read -r -a ev <<<"$(my_client -N -B -r -e "SELECT prev_hash, at, run_id, action, outcome, CAST(version AS CHAR), name, checksum, os_user, db_user, host, tool_version, meta, hash FROM migrate_events WHERE action = 'up' ORDER BY id LIMIT 1 OFFSET 1" "$MYDB")"
assert_eq "${#ev[@]}" 14
want=$( (IFS=$'\x1f'; printf '%s' "${ev[*]:0:13}") | sha256sum | cut -d' ' -f1)
assert_eq "${ev[13]}" "$want" "(event hash)"

# force: record a version without running SQL
mg force 2
assert_rc 0
assert_out "version: 2 (no SQL was run)"
assert_eq "$(my "SELECT GROUP_CONCAT(CONCAT(version, ':', kind) ORDER BY version) FROM migrate_history")" "1:forced,2:forced"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'users'")" 0
mg force 0
assert_rc 0
assert_eq "$(my "SELECT COUNT(*) FROM migrate_history")" 0

# baseline: adopt a database that already has the schema
my "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200) NOT NULL)"
mg baseline 1
assert_rc 0
assert_eq "$(my "SELECT CONCAT(version, ':', kind, ':', status) FROM migrate_history")" "1:baseline:applied"
mg baseline 2
assert_rc 2
assert_err "already has migration history"
mg up
assert_rc 0
assert_out "applied 2_orders"
assert_out "applied 3_fn"

# validate against the history: an applied file edited afterwards
mg validate
assert_rc 0
echo "-- edited" >>m/2_orders.up.sql
mg validate
[ "$RC" != 0 ] || fail "validate must notice the edit of an applied file"
assert_out "2_orders"
mg up
[ "$RC" != 0 ] || fail "up must refuse an edited applied migration"
