# Checkpoints on MariaDB: before up/down/goto change anything, the binary log
# position (file, offset, GTID) and the server's identity are recorded, in the
# table and as a file; replaying the binlog up to it stops before the run's
# first change; the schema hash comes back with a down; a failed run completes
# its checkpoint as failed; the restore arguments are mysqlbinlog's.
. "$(dirname "$0")/lib.sh"
new_my_db
mig m 1 users "CREATE TABLE cp_users (id bigint PRIMARY KEY, email varchar(200) NOT NULL);" "DROP TABLE cp_users;"
mig m 2 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint,
  FOREIGN KEY (user_id) REFERENCES cp_users (id), CHECK (id > 0));
CREATE INDEX orders_user ON orders (user_id);" "DROP TABLE orders;"
export MIGRATE_PATH=m
SCHEMA=$MG_TEST_ROOT/docs/checkpoint.schema.json
validate() { python3 "$MG_TEST_ROOT/tests/integration/validate-checkpoint.py" "$SCHEMA" "$@" || fail "checkpoint files do not validate against the schema: $*"; }
binlog_pos() { my_client -N -B -e "SHOW MASTER STATUS" | cut -f"$1"; }

before_file=$(binlog_pos 1)
before=$(binlog_pos 2)
mg --format json up
assert_rc 0
id=$(jq -r .checkpoint.id out)
file=.migrate/checkpoints/$id.json
[ -f "$file" ] || fail "no checkpoint file $file"
assert_err "checkpoint $id recorded: binlog $before_file:"
validate "$file"
assert_eq "$(jq -r '.status + " " + .command + " " + (.version_before|tostring) + " " + (.version_after|tostring)' "$file")" "completed up 0 2"
assert_eq "$(jq -r '.database | .driver + " " + .product + " " + .database + " " + (.server_id|tostring)' "$file")" "mysql MariaDB $MYDB 1"
assert_eq "$(jq -r '.position_before | .kind + " " + .binlog_file + " " + .gtid_variable' "$file")" "binlog $before_file gtid_binlog_pos"
assert_eq "$(jq -r '.warnings | length' "$file")" 0
pos=$(jq -r .position_before.binlog_position "$file")
final=$(jq -r .position_after.binlog_position "$file")
[ "$before" -le "$pos" ] && [ "$pos" -lt "$final" ] || fail "positions out of order: $before, $pos, $final"
[ "$(jq -r .position_before.gtid_set "$file")" != "$(jq -r .position_after.gtid_set "$file")" ] || fail "the GTID set did not move"

# the binary log up to the checkpoint holds nothing of the run; from it on, the run's DDL
binlog="$MG_MY_DIR/data/$before_file"
mariadb-binlog --stop-position="$pos" "$binlog" 2>/dev/null | grep -q "CREATE TABLE cp_users" &&
    fail "the binlog before the checkpoint already has the run's first change"
mariadb-binlog --start-position="$pos" "$binlog" 2>/dev/null | grep -q "CREATE TABLE cp_users" ||
    fail "the run's first change is not in the binlog after the checkpoint"

# the table keeps the same document, byte for byte; the event log brackets the run
assert_eq "$(my "SELECT SHA2(document, 256) FROM migrate_checkpoints WHERE id = '$id'")" "$(sha256sum "$file" | cut -c1-64)"
assert_eq "$(my "SELECT CONCAT_WS(' ', status, version_before, version_after) FROM migrate_checkpoints")" "completed 0 2"
assert_eq "$(my "SELECT GROUP_CONCAT(CONCAT(action, ':', outcome) ORDER BY id) FROM migrate_events WHERE run_id = (SELECT run_id FROM migrate_checkpoints)")" "checkpoint:recorded,up:ok,up:ok,checkpoint:completed"

# the schema hash: what down --all restores is the schema the first up started from
mg down --all
assert_rc 0
id2=$(ls -t .migrate/checkpoints | head -1 | sed 's/.json$//')
validate .migrate/checkpoints/*.json
assert_eq "$(jq -r .schema_hash.after ".migrate/checkpoints/$id2.json")" "$(jq -r .schema_hash.before "$file")"
assert_eq "$(jq -r .schema_hash.before ".migrate/checkpoints/$id2.json")" "$(jq -r .schema_hash.after "$file")"
[ "$(jq -r .schema_hash.before "$file")" != "$(jq -r .schema_hash.after "$file")" ] || fail "the schema hash did not change with the schema"

# a failed run completes its checkpoint as failed, with what did run
mig m 3 bad "CREATE TABLE t3 (id int);
CREATE INDEX t3_x ON no_such_table (x);" "DROP TABLE t3;"
mg --checkpoint-dir cps up
assert_rc 1
f3=$(ls cps/*.json)
validate "$f3"
assert_eq "$(jq -r '.status + " " + (.outcome.ok|tostring) + " " + (.version_before|tostring)' "$f3")" "failed false 0"
jq -r .outcome.error.message "$f3" | grep -q "no_such_table" || fail "the failure's message is not in the checkpoint"
assert_eq "$(my "SELECT status FROM migrate_checkpoints WHERE id = '$(jq -r .id "$f3")'")" failed
rm m/3_bad.*
my "DROP TABLE t3"
mg force 2
assert_rc 0

# list, show and the restore arguments
mg checkpoint list
assert_rc 0
assert_out "$id  "
assert_out "binlog $before_file:$pos"
mg checkpoint show "$id" --as mysqlbinlog
assert_rc 0
assert_out "mysqlbinlog --stop-position=$pos $before_file | mysql"
assert_out "MariaDB database \"$MYDB\""

# a password never reaches the checkpoint (TCP, a user with a password)
user="cp_${MG_TEST_NAME}"
my_client -e "DROP USER IF EXISTS '$user'@'127.0.0.1'; CREATE USER '$user'@'127.0.0.1' IDENTIFIED BY 's3cr3t-pw';
  GRANT ALL ON \`$MYDB\`.* TO '$user'@'127.0.0.1'; GRANT BINLOG MONITOR ON *.* TO '$user'@'127.0.0.1';"
tcp=$(echo "$MG_MY_TCP" | sed "s|root@|$user:s3cr3t-pw@|; s|/mysql\$|/$MYDB|")
mg -d "$tcp" --checkpoint-dir pwcps down
assert_rc 0
fpw=$(ls pwcps/*.json)
validate "$fpw"
! grep -q "s3cr3t-pw" "$fpw" || fail "the password is in the checkpoint file"
assert_eq "$(my "SELECT COUNT(*) FROM migrate_checkpoints WHERE document LIKE '%s3cr3t-pw%'")" 0
assert_eq "$(jq -r .database.url "$fpw" | grep -c "$user:\*\*\*@")" 1
assert_eq "$(jq -r '.position_before.kind' "$fpw")" binlog

# without the privilege to read the binlog position the checkpoint says what it lacks
my_client -e "REVOKE BINLOG MONITOR ON *.* FROM '$user'@'127.0.0.1'"
mg -d "$tcp" --checkpoint-dir nopriv up
assert_rc 0
fnp=$(ls nopriv/*.json)
validate "$fnp"
jq -r '.position_before.note' "$fnp" | grep -q "BINLOG MONITOR" || fail "no note about the missing privilege: $(jq .position_before "$fnp")"
assert_eq "$(jq -r '.position_before.gtid_variable' "$fnp")" gtid_binlog_pos

# the audit trail verifies on MariaDB (the server computed every hash), and a row changed by hand shows
mg audit verify
assert_rc 0
assert_out "hash chain intact"
my "UPDATE migrate_events SET outcome = 'ok' WHERE outcome = 'failed' ORDER BY id LIMIT 1"
mg audit verify
[ "$RC" != 0 ] || fail "audit verify missed a row changed by hand"
mg --format json audit log
assert_rc 0
assert_eq "$(jq -r '[.events[].action] | unique | join(",")' out)" "checkpoint,down,force,up"
