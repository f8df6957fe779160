# Checkpoints on PostgreSQL: recorded before up/down/goto change anything, with an LSN between
# the positions read before and after, a restore point that is really in the WAL, the same
# document in the table and the file, a valid JSON Schema, and completion after the run.
. "$(dirname "$0")/lib.sh"
new_pg_db
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);" "DROP TABLE users;"
mig m 2 orders "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);" "DROP TABLE orders;"
export MIGRATE_PATH=m
SCHEMA=$MG_TEST_ROOT/docs/checkpoint.schema.json
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import jsonschema' 2>/dev/null || PY=python3
validate() { "$PY" "$MG_TEST_ROOT/tests/integration/validate-checkpoint.py" "$SCHEMA" "$@" || fail "checkpoint files do not validate against the schema: $*"; }
lsn_le() { [ "$(pg "SELECT '$1'::pg_lsn <= '$2'::pg_lsn")" = t ] || fail "LSN $1 is not <= $2"; }
# a synchronous commit flushes all WAL before it, so pg_waldump sees the records on disk
flush_wal() { psql -X -q "$DATABASE_URL" -c "SET synchronous_commit = on" -c "CREATE TABLE IF NOT EXISTS flush_marker (); DROP TABLE flush_marker" >/dev/null; }

# nothing pending, nothing recorded: a checkpoint is for runs that change something
mg up
assert_rc 0
mg up
assert_rc 0
assert_out "no change"
before=$(pg "SELECT pg_current_wal_lsn()")
mg goto 0
assert_rc 0
[ "$(ls .migrate/checkpoints | wc -l)" = 2 ] || fail "expected 2 checkpoint files (up, goto 0), got: $(ls .migrate/checkpoints)"

# --- one up, watched closely ---
rm -rf .migrate
pg "DELETE FROM migrate_checkpoints" >/dev/null
before=$(pg "SELECT pg_current_wal_lsn()")
GITHUB_SHA=deadbeef MIGRATE_DEPLOY_ENV=staging mg --format json up
assert_rc 0
flush_wal
after=$(pg "SELECT pg_current_wal_insert_lsn()")
id=$(jq -r .checkpoint.id out)
file=.migrate/checkpoints/$id.json
[ -f "$file" ] || fail "no checkpoint file $file"
assert_eq "$(jq -r .checkpoint.file out)" "$file"
assert_err "checkpoint $id recorded: restore point migrate-$id"
validate "$file"
assert_eq "$(jq -r '.status + " " + .command + " " + (.version_before|tostring) + " " + (.version_after|tostring)' "$file")" "completed up 0 2"
assert_eq "$(jq -r '[.plan[] | .direction + ":" + (.version|tostring) + ":" + .checksum] | join(",")' "$file")" \
    "up:1:$(sha256sum m/1_users.up.sql | cut -c1-64),up:2:$(sha256sum m/2_orders.up.sql | cut -c1-64)"
assert_eq "$(jq -r '[.applied[] | (.version|tostring) + ":" + (.ok|tostring)] | join(",")' "$file")" "1:true,2:true"
assert_eq "$(jq -r '.outcome.ok' "$file")" true
assert_eq "$(jq -r '.recorded_by.pipeline.GITHUB_SHA + " " + .recorded_by.pipeline.MIGRATE_DEPLOY_ENV' "$file")" "deadbeef staging"
assert_eq "$(jq -r .database.system_identifier "$file")" "$(pg "SELECT system_identifier FROM pg_control_system()")"
assert_eq "$(jq -r '.database.database + " " + .database.user + " " + .database.driver' "$file")" "$PGDB postgres postgres"
assert_eq "$(jq -r '.position_before.timeline' "$file")" "$(pg "SELECT timeline_id FROM pg_control_checkpoint()")"
assert_eq "$(jq -r '.position_before.wal_level' "$file")" replica
assert_eq "$(jq -r '.restore_point.name' "$file")" "migrate-$id"

# the LSN lies between the positions read before and after the run, and so does the final one
lsn=$(jq -r .position_before.lsn "$file")
final=$(jq -r .position_after.lsn "$file")
lsn_le "$before" "$lsn"
lsn_le "$lsn" "$final"
lsn_le "$final" "$after"
[ "$lsn" != "$final" ] || fail "the run wrote no WAL between the checkpoint and its completion"

# the restore point is in the WAL, between the same positions
pgbin=${MIGRATE_PG_BINDIR:-$(dirname "$(ls -d /usr/lib/postgresql/*/bin/pg_waldump 2>/dev/null | sort -V | tail -1)")}
waldump=$pgbin/pg_waldump
[ -x "$waldump" ] || waldump=$(command -v pg_waldump) || fail "pg_waldump not found"
"$waldump" -p "$MG_PG_DIR/data/pg_wal" --start="$before" --end="$after" --rmgr=XLOG >waldump.txt 2>waldump.err || true
grep -q "RESTORE_POINT migrate-$id" waldump.txt || fail "restore point migrate-$id not in the WAL between $before and $after: $(grep -c . waldump.txt) XLOG records, $(cat waldump.err)"
# ... and before the first record of the run's first migration (the transaction that created users)
xid=$(pg "SELECT xmin FROM pg_class WHERE relname = 'users'")
"$waldump" -p "$MG_PG_DIR/data/pg_wal" --start="$before" --end="$after" >waldump-all.txt 2>/dev/null || true
rp_line=$(grep -n "RESTORE_POINT migrate-$id" waldump-all.txt | cut -d: -f1)
first_change=$(grep -n "tx: *$xid," waldump-all.txt | head -1 | cut -d: -f1)
[ -n "$first_change" ] || fail "no WAL record of transaction $xid (migration 1)"
[ "$rp_line" -lt "$first_change" ] || fail "the restore point is not before the run's first change"

# the table keeps the same document, byte for byte
assert_eq "$(pg "SELECT count(*) FROM migrate_checkpoints")" 1
assert_eq "$(pg "SELECT encode(sha256(convert_to(document, 'UTF8')), 'hex') FROM migrate_checkpoints WHERE id = '$id'")" "$(sha256sum "$file" | cut -c1-64)"
assert_eq "$(pg "SELECT status || ' ' || version_before || ' ' || version_after || ' ' || restore_point FROM migrate_checkpoints")" "completed 0 2 migrate-$id"
# and the event log has the checkpoint, before the migrations it guards
assert_eq "$(pg "SELECT string_agg(action || ':' || outcome, ',' ORDER BY id) FROM migrate_events WHERE run_id = (SELECT run_id FROM migrate_checkpoints)")" "checkpoint:recorded,up:ok,up:ok,checkpoint:completed"
assert_eq "$(pg "SELECT count(*) FROM migrate_events WHERE action = 'checkpoint' AND meta::json->>'checkpoint' = '$id'")" 2

# the schema hash: what a down --all restores is the schema the first up started from
mg down --all
assert_rc 0
id2=$(ls -t .migrate/checkpoints | head -1 | sed 's/.json$//')
validate .migrate/checkpoints/*.json
assert_eq "$(jq -r .schema_hash.after ".migrate/checkpoints/$id2.json")" "$(jq -r .schema_hash.before "$file")"
assert_eq "$(jq -r .schema_hash.before ".migrate/checkpoints/$id2.json")" "$(jq -r .schema_hash.after "$file")"
[ "$(jq -r .schema_hash.before "$file")" != "$(jq -r .schema_hash.after "$file")" ] || fail "the schema hash did not change with the schema"
assert_eq "$(jq -r '[.plan[] | .direction + ":" + (.version|tostring) + ":" + .checksum] | join(",")' ".migrate/checkpoints/$id2.json")" \
    "down:2:$(sha256sum m/2_orders.down.sql | cut -c1-64),down:1:$(sha256sum m/1_users.down.sql | cut -c1-64)"

# --no-checkpoint records none
n=$(ls .migrate/checkpoints | wc -l)
mg --no-checkpoint up 1
assert_rc 0
assert_eq "$(ls .migrate/checkpoints | wc -l)" "$n"
assert_eq "$(pg "SELECT count(*) FROM migrate_checkpoints")" "$n"

# a failed run completes its checkpoint as failed, with the error and what did run
mig m 3 bad "CREATE TABLE t3 (id int); SELECT no_such_function();" "DROP TABLE t3;"
mg --checkpoint-dir cps up
assert_rc 1
f3=$(ls cps/*.json)
validate "$f3"
assert_eq "$(jq -r '.status + " " + (.outcome.ok|tostring) + " " + (.version_before|tostring) + " " + (.version_after|tostring)' "$f3")" "failed false 1 2"
assert_eq "$(jq -r '[.applied[] | (.version|tostring) + ":" + (.ok|tostring)] | join(",")' "$f3")" "2:true,3:false"
jq -r .outcome.error.message "$f3" | grep -q "no_such_function" || fail "the failure's message is not in the checkpoint"
assert_eq "$(pg "SELECT status FROM migrate_checkpoints WHERE id = '$(jq -r .id "$f3")'")" failed
mg force 2
assert_rc 0
rm m/3_bad.*
mg down
assert_rc 0

# a checkpoint that cannot be written stops the run before it changes anything
echo "not a directory" >plainfile
mg --checkpoint-dir plainfile/cps up
assert_rc 1
assert_err "cannot create directory 'plainfile/cps'"
assert_err "--no-checkpoint"
assert_err "nothing was run"
assert_eq "$(pg "SELECT coalesce(max(version), 0) FROM migrate_history WHERE status = 'applied'")" 1

# a password never reaches the checkpoint (TCP, a user with a password)
pg "CREATE ROLE cp_pw LOGIN SUPERUSER PASSWORD 's3cr3t-pw'" >/dev/null || fail "cannot create role cp_pw"
tcp=$(echo "$MG_PG_TCP" | sed "s|postgres@|cp_pw:s3cr3t-pw@|; s|/postgres\$|/$PGDB|")
mg -d "$tcp" --checkpoint-dir pwcps up
assert_rc 0
fpw=$(ls pwcps/*.json)
validate "$fpw"
! grep -q "s3cr3t-pw" "$fpw" || fail "the password is in the checkpoint file"
[ "$(pg "SELECT count(*) FROM migrate_checkpoints WHERE document LIKE '%s3cr3t-pw%'")" = 0 ] || fail "the password is in migrate_checkpoints"
assert_eq "$(jq -r .database.url "$fpw" | grep -c 'cp_pw:\*\*\*@')" 1
pg "REASSIGN OWNED BY cp_pw TO postgres; DROP OWNED BY cp_pw; DROP ROLE cp_pw" >/dev/null

# list and show, from the table and from the files
mg checkpoint list
assert_rc 0
assert_out "$id  "
assert_out "restore point migrate-$id, LSN $lsn"
mg --format json checkpoint list --source files
assert_rc 0
assert_eq "$(jq -r .source out)" .migrate/checkpoints
jq -e --arg id "$id" '.checkpoints | map(.id) | index($id) != null' out >/dev/null || fail "list --source files lacks $id"
mg checkpoint show "${id:0:8}"
assert_rc 0
assert_out "checkpoint $id"
assert_out "restore point    migrate-$id at"
assert_out "versions         0 -> 2"
mg --format json checkpoint show "$id"
assert_rc 0
assert_eq "$(jq -r .id out)" "$id"
mg checkpoint show ffffffff
assert_rc 1
assert_err "no checkpoint with id 'ffffffff'"
mg checkpoint show
assert_rc 2
mg checkpoint show "$id" --source nowhere
assert_rc 2
assert_err "unknown --source 'nowhere'"

# the restore arguments of this live checkpoint
mg checkpoint show "$id" --as pgbackrest --stanza main
assert_rc 0
assert_out "pgbackrest --stanza=main --type=name --target=migrate-$id --target-timeline=1 --target-action=promote restore"
mg checkpoint show "$id" --as recovery-conf
assert_out "recovery_target_name = 'migrate-$id'"
assert_out "# recovery_target_lsn = '$lsn'"
mg checkpoint show "$id" --as barman
assert_out "barman recover --target-name migrate-$id --target-tli 1 --target-action promote SERVER BACKUP_ID DESTINATION_DIR"
