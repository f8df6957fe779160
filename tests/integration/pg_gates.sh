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
