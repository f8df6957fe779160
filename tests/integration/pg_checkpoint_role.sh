# Checkpoints as a user who may not create restore points: a clear warning, the LSN alone, and
# restore arguments by LSN; after GRANT EXECUTE the restore point is there.
. "$(dirname "$0")/lib.sh"
new_pg_db
role=cp_deploy
pg "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
pg "CREATE ROLE $role LOGIN; ALTER DATABASE \"$PGDB\" OWNER TO $role" >/dev/null || fail "cannot create role $role"
su_url=$DATABASE_URL
export DATABASE_URL=$(echo "$su_url" | sed "s|//postgres@|//$role@|")
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY);" "DROP TABLE users;"
mig m 2 orders "CREATE TABLE orders (id bigint PRIMARY KEY);" "DROP TABLE orders;"
export MIGRATE_PATH=m
SCHEMA=$MG_TEST_ROOT/docs/checkpoint.schema.json
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import jsonschema' 2>/dev/null || PY=python3
validate() { "$PY" "$MG_TEST_ROOT/tests/integration/validate-checkpoint.py" "$SCHEMA" "$@" || fail "checkpoint files do not validate against the schema: $*"; }
lsn_le() { [ "$(pg "SELECT '$1'::pg_lsn <= '$2'::pg_lsn")" = t ] || fail "LSN $1 is not <= $2"; }

before=$(pg "SELECT pg_current_wal_lsn()")
mg --format json up 1
assert_rc 0
after=$(pg "SELECT pg_current_wal_insert_lsn()")
assert_eq "$(pg "SELECT current_user")" "$role"
id=$(jq -r .checkpoint.id out)
file=.migrate/checkpoints/$id.json
validate "$file"
assert_err "warning: checkpoint: cannot create restore point 'migrate-$id': permission denied for function pg_create_restore_point"
assert_err "GRANT EXECUTE ON FUNCTION pg_create_restore_point(text) TO \"$role\""
assert_err "the checkpoint records the LSN alone"
assert_eq "$(jq -r .restore_point "$file")" null
assert_eq "$(jq -r '.warnings | length' "$file")" 1
jq -r '.warnings[0]' "$file" | grep -q "permission denied for function pg_create_restore_point" || fail "the warning is not in the checkpoint"
assert_eq "$(jq -r '.status + " " + .database.user' "$file")" "completed $role"
lsn=$(jq -r .position_before.lsn "$file")
lsn_le "$before" "$lsn"
lsn_le "$lsn" "$(jq -r .position_after.lsn "$file")"
lsn_le "$(jq -r .position_after.lsn "$file")" "$after"
assert_eq "$(pg "SELECT restore_point IS NULL FROM migrate_checkpoints WHERE id = '$id'")" t

# the restore arguments go by LSN, stopping just before it
mg checkpoint show "$id" --as pgbackrest
assert_rc 0
assert_out "pgbackrest --stanza=STANZA --type=lsn --target=$lsn --target-exclusive --target-timeline=1 --target-action=promote restore"
assert_out "# no restore point: cannot create restore point 'migrate-$id': permission denied"
mg checkpoint show "$id" --as recovery-conf
assert_out "recovery_target_lsn = '$lsn'"
assert_out "recovery_target_inclusive = false"
assert_no_out "recovery_target_name"
mg checkpoint show "$id" --as barman
assert_out "barman recover --target-lsn $lsn --exclusive --target-tli 1 --target-action promote"

# a superuser allows it: the next checkpoint has its restore point
psql -X -q "$su_url" -c "GRANT EXECUTE ON FUNCTION pg_create_restore_point(text) TO $role" || fail "grant failed"
mg --format json up
assert_rc 0
id2=$(jq -r .checkpoint.id out)
assert_no_err "cannot create restore point"
assert_eq "$(jq -r .restore_point.name ".migrate/checkpoints/$id2.json")" "migrate-$id2"
validate .migrate/checkpoints/*.json

psql -X -q "$su_url" -c "REVOKE EXECUTE ON FUNCTION pg_create_restore_point(text) FROM $role" \
    -c "REASSIGN OWNED BY $role TO postgres" -c "DROP OWNED BY $role" -c "DROP ROLE $role" >/dev/null
