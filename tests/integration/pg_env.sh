# Environments in migrate.ini, ${VAR} and @file: values, the confirm gate, and dry runs that
# write nothing.
. "$(dirname "$0")/lib.sh"
new_pg_db
url=$DATABASE_URL
unset DATABASE_URL
mig m 1 a "CREATE TABLE a (id int);" "DROP TABLE a;"
mig m 2 b "CREATE INDEX CONCURRENTLY a_id ON a (id);" "DROP INDEX CONCURRENTLY a_id;"
printf '%s\n' "$url" > db-url
cat > migrate.ini <<INI
[lint]
fail-on = error

[env.dev]
database = \${DEV_URL}
path = m
lock_timeout = 1s

[env.prod]
production = true
database = @file:$T/db-url
path = m
INI
DEV_URL=$url mg --env dev up
assert_rc 0
assert_out "applied 2_b"
mg --env dev status
assert_rc 2
assert_err "migrate.ini [env.dev] database: the environment variable DEV_URL is not set"
MIGRATE_ENV=prod mg status
assert_rc 0
assert_out "2 applied"
mg --env nope status
assert_rc 2
assert_err "no environment 'nope' in migrate.ini"
mg env list
assert_rc 0
assert_out 'dev            -          ${DEV_URL}  path=m'
assert_out "prod           production @file:$T/db-url"
# the command line wins over the environment
mg --env prod -p nowhere status
assert_rc 1
assert_err "cannot read the migrations directory 'nowhere'"

# the confirm gate: down and force in production need the database's name
mg --env prod down
assert_rc 5
assert_err "the confirm gate stopped the run: 'down' in environment 'prod' needs --confirm=$PGDB"
mg --env prod --confirm=wrong down
assert_rc 5
assert_err "--confirm=wrong does not name the database"
mg --env prod --confirm="$PGDB" down
assert_rc 0
assert_out "reverted 2_b"
mg --env prod force 2
assert_rc 5
mg --env prod force 2 --skip-gate confirm
assert_rc 2
assert_err "--skip-gate confirm needs --reason"
mg --env prod force 2 --skip-gate confirm --reason "index built by hand during incident 42"
assert_rc 0
assert_eq "$(DATABASE_URL=$url pg "SELECT action || ' ' || name || ' ' || (meta::json->>'reason') FROM migrate_events WHERE action = 'gate-override'")" \
    "gate-override confirm index built by hand during incident 42"
# the dev environment has no gate
DEV_URL=$url mg --env dev force 1
assert_rc 0

# a literal password in a production section is refused; in dev it is allowed
cat > pw.ini <<INI
[env.prod]
production = yes
database = postgres://app:hunter2@db.example/app
[env.dev]
database = postgres://app:hunter2@localhost/app
INI
mg --config pw.ini --env prod status
assert_rc 2
assert_err "environment 'prod' is marked production and its database URL holds a literal password"
assert_no_err hunter2
mg --config pw.ini env list
assert_out "postgres://app:***@db.example/app"
assert_no_out hunter2
cat > bad.ini <<INI
[env.x]
databse = postgres://h/d
INI
mg --config bad.ini --env x status
assert_rc 2
assert_err "bad.ini:2: unknown setting 'databse' in [env.x]"
mg --config missing.ini status
assert_rc 2
assert_err "cannot read the configuration file 'missing.ini'"

# --database-file keeps the URL out of the process list
mg --database-file db-url -p m version
assert_rc 0
assert_eq "$(cat out)" 1

# a dry run prints the exact SQL and writes nothing, not even the history tables
new_pg_db 2
mg -d "$DATABASE_URL" -p m up --dry-run
assert_rc 0
assert_out "SELECT pg_try_advisory_lock("
assert_out "CREATE TABLE IF NOT EXISTS migrate_history"
assert_out "BEGIN; SET LOCAL lock_timeout = 3000; SET LOCAL statement_timeout = 0;"
assert_out "CREATE TABLE a (id int);"
assert_out "SELECT set_config('lock_timeout', \$1, false), set_config('statement_timeout', \$2, false);"
assert_out "CREATE INDEX CONCURRENTLY a_id ON a (id);"
assert_out "--   \$4 = 'applied'"
assert_out "COMMIT;"
assert_eq "$(pg "SELECT to_regclass('migrate_history') IS NULL AND to_regclass('a') IS NULL")" t
sed -E -e 's/[0-9a-f]{64}/<sha>/g' -e "s/'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z'/'<time>'/g" \
    -e "s/'[0-9a-f]{8}-[0-9a-f-]{27}'/'<uuid>'/g" -e "s/= '$(id -un)'/= '<os user>'/" \
    -e "s/= '$(hostname)'/= '<host>'/" -e "s/= '$(cat "$MG_TEST_ROOT/VERSION")'/= '<version>'/" \
    -e "s/\\\$12 = '[0-9]+'/\$12 = '<ms>'/" -e "s/\\\$4 = '[0-9]+'/\$4 = '<ms>'/" -e 's/"duration_ms":[0-9]+/"duration_ms":<ms>/' \
    -e "s/\\\$1 = '-?[0-9]{6,}'/\$1 = '<lock key>'/" out > out.sql
cp out.sql out
golden dry-run/up.sql

# plan: what up would run, read-only
mg -d "$DATABASE_URL" -p m plan
assert_rc 0
assert_out "2 migrations to apply"
assert_out "1_a: 1 statement, transaction"
assert_out "2_b: 1 statement, no transaction (CREATE INDEX CONCURRENTLY cannot run inside a transaction block, line 1); lint: 0 errors, 0 warnings, 0 info"
mg -p m --format json plan --offline
assert_rc 0
assert_eq "$(jq -r '.pending[1].mode' out)" "no transaction"
assert_eq "$(pg "SELECT to_regclass('migrate_history') IS NULL")" t
