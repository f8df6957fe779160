# The restore arguments of `checkpoint show --as`, golden-tested on fixed checkpoint files
# (tests/fixtures/checkpoints: PostgreSQL with and without a restore point, MariaDB and MySQL
# binlogs, binary logging off), and list/show read from files without a database.
. "$(dirname "$0")/lib.sh"
fx=$MG_TEST_ROOT/tests/fixtures/checkpoints
SCHEMA=$MG_TEST_ROOT/docs/checkpoint.schema.json
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import jsonschema' 2>/dev/null || PY=python3
unset DATABASE_URL
cpt() { mg --checkpoint-dir "$fx" checkpoint "$@"; }

# the fixtures are checkpoints as migrate writes them
"$PY" "$MG_TEST_ROOT/tests/integration/validate-checkpoint.py" "$SCHEMA" "$fx"/*.json || fail "fixtures do not validate"
# ... and the schema rejects what is not (a password in the URL, a bad LSN, an unknown key)
jq '.database.url = "postgres://deploy:hunter2@db1/shop"' "$fx/1a2b3c4d-0000-4000-8000-000000000001.json" >bad1.json
jq '.position_before.lsn = "3/XYZ"' "$fx/1a2b3c4d-0000-4000-8000-000000000001.json" >bad2.json
jq '.extra = 1' "$fx/1a2b3c4d-0000-4000-8000-000000000001.json" >bad3.json
jq '.status = "started"' "$fx/1a2b3c4d-0000-4000-8000-000000000001.json" >bad4.json
for b in bad1 bad2 bad3 bad4; do
    ! "$PY" "$MG_TEST_ROOT/tests/integration/validate-checkpoint.py" "$SCHEMA" $b.json 2>/dev/null || fail "the schema accepts $b.json"
done

# PostgreSQL, restore point created
cpt show 1a2b --as pgbackrest
assert_rc 0
golden checkpoint/pgbackrest-name.txt
cpt show 1a2b --as pgbackrest --stanza main
assert_rc 0
golden checkpoint/pgbackrest-name-stanza.txt
cpt show 1a2b --as barman
assert_rc 0
golden checkpoint/barman-name.txt
cpt show 1a2b --as barman --server pg-main --backup-id 20260430T000000 --destination "/srv/restore here"
assert_rc 0
golden checkpoint/barman-name-filled.txt
cpt show 1a2b --as recovery-conf
assert_rc 0
golden checkpoint/recovery-conf-name.txt

# PostgreSQL, no restore point (not permitted): by LSN, exclusive
cpt show 2b3c --as pgbackrest
assert_rc 0
golden checkpoint/pgbackrest-lsn.txt
cpt show 2b3c --as barman
assert_rc 0
golden checkpoint/barman-lsn.txt
cpt show 2b3c --as recovery-conf
assert_rc 0
golden checkpoint/recovery-conf-lsn.txt

# MariaDB and MySQL binary logs
cpt show 3c4d --as mysqlbinlog
assert_rc 0
golden checkpoint/mysqlbinlog-mariadb.txt
cpt show 4d5e --as mysqlbinlog
assert_rc 0
golden checkpoint/mysqlbinlog-mysql.txt

# what does not fit says so
cpt show 5e6f --as mysqlbinlog
assert_rc 2
assert_err "error: checkpoint 5e6f7081-0000-4000-8000-000000000005 has no binary log position"
assert_err "detail: binary logging is off"
cpt show 3c4d --as recovery-conf
assert_rc 2
assert_err "recovery-conf restores PostgreSQL, but checkpoint 3c4d5e6f-0000-4000-8000-000000000003 is of a MariaDB database"
assert_err "hint: use --as mysqlbinlog"
cpt show 1a2b --as mysqlbinlog
assert_rc 2
assert_err "is of a PostgreSQL database"
cpt show 1a2b --as pg_dump
assert_rc 2
assert_err "unknown restore tool 'pg_dump'"
cpt show 1a2b --as barman --stanza main
assert_rc 2
assert_err "--stanza goes with --as pgbackrest"
cpt show 1a2b --stanza main
assert_rc 2
assert_err "go with --as"

# JSON: the tool's output in a document
mg --format json --checkpoint-dir "$fx" checkpoint show 1a2b --as recovery-conf
assert_rc 0
jq -r .output out >as.txt
grep -qx "recovery_target_name = 'migrate-1a2b3c4d-0000-4000-8000-000000000001'" as.txt || fail "JSON output lacks the setting"

# list and show from files, no database needed
cpt list
assert_rc 0
golden checkpoint/list.txt
cpt show 2b3c
assert_rc 0
golden checkpoint/show-failed.txt
mg --format json --checkpoint-dir "$fx" checkpoint show 3c4d
assert_rc 0
[ "$(jq -S . out)" = "$(jq -S . "$fx/3c4d5e6f-0000-4000-8000-000000000003.json")" ] || fail "show --format json is not the document"
mg --checkpoint-dir empty-dir checkpoint list
assert_rc 0
assert_out "no checkpoints in empty-dir"

# a file that is not a checkpoint is skipped with a warning, not fatal
mkdir cps
src="$fx/1a2b3c4d-0000-4000-8000-000000000001.json"
cp "$src" cps/
echo '{"format": "something"}' >cps/00000000-0000-4000-8000-000000000000.json
jq '.format_version = 99' "$src" >cps/11111111-0000-4000-8000-000000000000.json
mg --checkpoint-dir cps checkpoint list
assert_rc 0
assert_out "1a2b3c4d-0000-4000-8000-000000000001"
assert_err "skipping cps/00000000-0000-4000-8000-000000000000.json: cps/00000000-0000-4000-8000-000000000000.json is not a migrate checkpoint"
assert_err "has checkpoint format version 99; this migrate reads up to version 1"
