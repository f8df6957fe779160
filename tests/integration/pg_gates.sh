# The lint and checkpoint gates of an environment stop a run before it changes anything;
# --skip-gate with a reason lets it through and leaves an event row.
. "$(dirname "$0")/lib.sh"
new_pg_db
url=$DATABASE_URL
mig m 1 t "CREATE TABLE t (id bigint PRIMARY KEY, v text);" "DROP TABLE t;"
cat > migrate.ini <<INI
[env.prod]
production = true
database = \${TARGET}
path = m
gate.lint = error
gate.checkpoint = required
INI
export TARGET=$url
mg --env prod up
assert_rc 0
# a dangerous change on a table an earlier migration created
mig m 2 idx "CREATE INDEX t_v ON t (v);" "DROP INDEX t_v;"
mg --env prod up
assert_rc 5
assert_err "m/2_idx.up.sql:1:"
assert_err "require-concurrent-index"
assert_err "the lint gate stopped the run: 1 lint finding at or above error in the pending migrations, the first require-concurrent-index at m/2_idx.up.sql:1"
assert_eq "$(pg "SELECT count(*) FROM pg_indexes WHERE indexname = 't_v'")" 0
assert_eq "$(pg "SELECT count(*) FROM migrate_checkpoints")" 1
mg --env prod up --skip-gate lint --reason "t is tiny, reviewed by the DBA"
assert_rc 0
assert_eq "$(pg "SELECT outcome || ' ' || name || ' ' || (meta::json->>'reason') FROM migrate_events WHERE action = 'gate-override'")" \
    "skipped lint t is tiny, reviewed by the DBA"
# the same change in a table the same pending set creates is fine
mig m 3 new "CREATE TABLE n (id bigint PRIMARY KEY, v text); CREATE INDEX n_v ON n (v);" "DROP TABLE n;"
mg --env prod up
assert_rc 0

# the checkpoint gate: no checkpoint, or one without a restore point, stops the run
mig m 4 more "CREATE TABLE four (id bigint PRIMARY KEY);" "DROP TABLE four;"
mg --env prod up --no-checkpoint
assert_rc 5
assert_err "the checkpoint gate stopped the run: no checkpoint was recorded (--no-checkpoint)"
psql -X -q "$MG_PG_URL" -c "DROP ROLE IF EXISTS deployer_$PGDB" -c "CREATE ROLE deployer_$PGDB LOGIN PASSWORD 'pw'" \
    -c "ALTER DATABASE \"$PGDB\" OWNER TO deployer_$PGDB" >/dev/null
pg "ALTER SCHEMA public OWNER TO deployer_$PGDB; ALTER TABLE migrate_history OWNER TO deployer_$PGDB; ALTER TABLE migrate_events OWNER TO deployer_$PGDB; ALTER TABLE migrate_checkpoints OWNER TO deployer_$PGDB; ALTER TABLE t OWNER TO deployer_$PGDB; ALTER TABLE n OWNER TO deployer_$PGDB; ALTER SEQUENCE migrate_events_id_seq OWNER TO deployer_$PGDB"
port=$(echo "$MG_PG_TCP" | sed -E 's|.*:([0-9]+)/.*|\1|')
TARGET="postgres://deployer_$PGDB:pw@127.0.0.1:$port/$PGDB" mg --env prod up
assert_rc 5
assert_err "the checkpoint gate stopped the run: the checkpoint has no restore point or binlog position"
assert_eq "$(pg "SELECT to_regclass('four') IS NULL")" t
assert_eq "$(pg "SELECT status FROM migrate_checkpoints ORDER BY created_at DESC LIMIT 1")" failed

# the preflight gate: an old transaction on the target stops the run
new_pg_db 2
url2=$DATABASE_URL
cat > pre.ini <<INI
[env.prod]
production = true
database = \${TARGET2}
path = p
gate.preflight = on
gate.max_xact_age = 1s
gate.max_blocking = 1ms
INI
export TARGET2=$url2
mig p 1 t "CREATE TABLE t (id bigint PRIMARY KEY, v int);" "DROP TABLE t;"
mg --config pre.ini --env prod up
assert_rc 0
pg "INSERT INTO t SELECT g, g FROM generate_series(1, 20000) g"
mig p 2 widen "ALTER TABLE t ALTER COLUMN v TYPE bigint;" "ALTER TABLE t ALTER COLUMN v TYPE int;"
psql -X -q "$url2" -c "BEGIN; SELECT txid_current(); SELECT pg_sleep(5); COMMIT" >/dev/null 2>&1 &
holder=$!
sleep 2
mg --config pre.ini --env prod up
assert_rc 5
assert_err "the preflight gate stopped the run"
wait $holder

# the blocking gate: an estimate on a clone predicts the rewrite's window
psql -X -q "$MG_PG_URL" -c "DROP DATABASE IF EXISTS \"${PGDB}_clone\"" -c "CREATE DATABASE \"${PGDB}_clone\" TEMPLATE \"$PGDB\"" >/dev/null
clone=$(echo "$MG_PG_URL" | sed "s|/postgres?|/${PGDB}_clone?|")
mg --config pre.ini --env prod up --clone "$clone"
assert_rc 5
assert_err "the blocking gate stopped the run: the estimate predicts that 2_widen blocks reads and writes"
ls .migrate/estimates/*.json >/dev/null 2>&1 || fail "the estimate was not kept"
assert_eq "$(pg "SELECT data_type FROM information_schema.columns WHERE table_name = 't' AND column_name = 'v'")" integer
# the kept estimate applies to a later run of the same migrations, without a clone
mg --config pre.ini --env prod up
assert_rc 5
assert_err "the blocking gate stopped the run"
mg --config pre.ini --env prod up --skip-gate blocking --reason "maintenance window"
assert_rc 0
assert_eq "$(pg "SELECT data_type FROM information_schema.columns WHERE table_name = 't' AND column_name = 'v'")" bigint

# plan shows the kept estimate of exactly the pending migrations, and makes one with --clone
mig p 3 narrow "ALTER TABLE t ALTER COLUMN v TYPE int;" "ALTER TABLE t ALTER COLUMN v TYPE bigint;"
psql -X -q "$MG_PG_URL" -c "DROP DATABASE IF EXISTS \"${PGDB}_c2\"" -c "CREATE DATABASE \"${PGDB}_c2\" TEMPLATE \"$PGDB\"" >/dev/null
clone2=$(echo "$MG_PG_URL" | sed "s|/postgres?|/${PGDB}_c2?|")
mg --config pre.ini --env prod plan --clone "$clone2"
assert_rc 0
assert_out "3_narrow: 1 statement, transaction"
assert_out "estimate: ~"
assert_out "blocks reads and writes"
mg --config pre.ini --env prod --format json plan
assert_eq "$(jq -r '.pending[0].estimate.verdict' out)" blocks_reads_writes

# the checkpoint gate overridden
mig p 4 four "CREATE TABLE four (id bigint PRIMARY KEY);" "DROP TABLE four;"
cat > cp.ini <<INI
[env.prod]
database = \${TARGET2}
path = p
gate.checkpoint = required
INI
mg --config cp.ini --env prod up --no-checkpoint --skip-gate checkpoint --reason "restore via snapshot taken by hand"
assert_rc 0
assert_eq "$(pg "SELECT count(*) FROM migrate_events WHERE action = 'gate-override' AND name = 'checkpoint'")" 1

# the preflight gate overridden: the run goes on, and the override is an event
mig p 5 five "CREATE TABLE five (id bigint PRIMARY KEY);" "DROP TABLE five;"
psql -X -q "$url2" -c "BEGIN; SELECT txid_current(); SELECT pg_sleep(4); COMMIT" >/dev/null 2>&1 &
holder=$!
sleep 2
mg --config pre.ini --env prod up --skip-gate preflight --reason "the old transaction is a report, not DDL"
assert_rc 0
assert_eq "$(pg "SELECT count(*) FROM migrate_events WHERE action = 'gate-override' AND name = 'preflight'")" 1
wait $holder
