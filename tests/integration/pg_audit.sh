# The audit trail: every up, down, force, baseline and checkpoint is an event with run id, OS
# user, database user, host, tool version and the pipeline's CI variables; `audit verify`
# finds a row altered or removed by hand; `audit log` lists them.  Also the pipeline outputs:
# --metrics-file (Prometheus text) and --log-format json (one object per stderr line).
. "$(dirname "$0")/lib.sh"
new_pg_db
mig m 1 users "CREATE TABLE users (id bigint PRIMARY KEY);" "DROP TABLE users;"
mig m 2 orders "CREATE TABLE orders (id bigint PRIMARY KEY);" "DROP TABLE orders;"
mig m 3 items "CREATE TABLE items (id bigint PRIMARY KEY);" "DROP TABLE items;"
export MIGRATE_PATH=m
export GITHUB_SHA=0123abcd GITHUB_RUN_ID=987 GITHUB_ACTOR=alice CI_COMMIT_SHA=fedc3210 \
    CI_PIPELINE_ID=55 GITLAB_USER_LOGIN=bob MIGRATE_DEPLOY_ENV=production MIGRATE_DEPLOY_TICKET=OPS-7

mg up
assert_rc 0
mg down
assert_rc 0
mg force 3
assert_rc 0
mg audit verify
assert_rc 0
assert_out "hash chain intact"

# baseline on a second database (it needs one without history)
url1=$DATABASE_URL db1=$PGDB
new_pg_db 1
url2=$DATABASE_URL
mg baseline 2
assert_rc 0
DATABASE_URL=$url1 PGDB=$db1

# every action is there, each with who, where, what and the pipeline
mg --format json audit log
assert_rc 0
assert_eq "$(jq -r '[.events[].action] | unique | join(",")' out)" "checkpoint,down,force,up"
assert_eq "$(jq -r '[.events[] | select(.action != "checkpoint") | .action + ":" + .outcome + ":" + (.version|tostring)] | join(",")' out)" \
    "up:ok:1,up:ok:2,up:ok:3,down:ok:3,force:recorded:3"
assert_eq "$(jq -r '[.events[] | .meta.pipeline | .GITHUB_SHA + .GITHUB_RUN_ID + .GITHUB_ACTOR + .CI_COMMIT_SHA + .CI_PIPELINE_ID + .GITLAB_USER_LOGIN + .MIGRATE_DEPLOY_ENV + .MIGRATE_DEPLOY_TICKET] | unique | join(",")' out)" \
    "0123abcd987alicefedc321055bobproductionOPS-7"
assert_eq "$(jq -r '[.events[] | .os_user + "|" + .db_user + "|" + .host + "|" + .tool_version] | unique | join(",")' out)" \
    "$(id -un)|postgres|$(hostname)|$(cat "$MG_TEST_ROOT/VERSION")"
assert_eq "$(jq -r '[.events[] | .run_id | test("^[0-9a-f-]{36}$")] | all' out)" true
assert_eq "$(jq -r '[.events[].run_id] | unique | length' out)" 3
assert_eq "$(jq -r '[.events[] | select(.action == "checkpoint") | .outcome] | join(",")' out)" "recorded,completed,recorded,completed"
DATABASE_URL=$url2 mg --format json audit log
assert_eq "$(jq -r '[.events[] | .action + ":" + .outcome + ":" + (.version|tostring) + ":" + .meta.pipeline.MIGRATE_DEPLOY_TICKET] | join(",")' out)" \
    "baseline:recorded:1:OPS-7,baseline:recorded:2:OPS-7"

# text log, filters
mg audit log --action up --limit 2
assert_rc 0
assert_eq "$(grep -c . out)" 2
assert_out "2_orders"
assert_out "3_items"
assert_no_out "1_users"
run=$(pg "SELECT run_id FROM migrate_events WHERE action = 'down'")
mg --format json audit log --run "${run:0:8}"
assert_eq "$(jq -r '[.events[].action] | join(",")' out)" "checkpoint,down,checkpoint"
mg audit log --limit 0
assert_rc 2

# verify, then keep the head to compare later
mg --format json audit verify
assert_rc 0
head=$(jq -r .head out)
n=$(jq -r .events out)
assert_eq "$n" "$(pg "SELECT count(*) FROM migrate_events")"
assert_eq "$(jq -r .ok out)" true

# an altered row is named
id=$(pg "SELECT id FROM migrate_events WHERE action = 'down'")
pg "UPDATE migrate_events SET outcome = 'failed' WHERE id = $id" >/dev/null
mg audit verify
assert_rc 5
assert_out "altered: event id $id was altered"
assert_err "error: the audit trail was tampered with: event id $id was altered"
# a forger who rewrites meta too: still the same row
pg "UPDATE migrate_events SET outcome = 'ok', meta = replace(meta, 'production', 'staging') WHERE id = $id" >/dev/null
mg --format json audit verify
assert_rc 5
assert_eq "$(jq -r '.ok, .problems[0].kind, .problems[0].id, (.problems | length)' out | paste -sd' ')" "false altered $id 1"
# put back exactly, and it verifies again
pg "UPDATE migrate_events SET meta = replace(meta, 'staging', 'production') WHERE id = $id" >/dev/null
mg audit verify
assert_rc 0

# a deleted row is named too
victim=$(pg "SELECT id FROM migrate_events WHERE action = 'up' AND version = 2")
pg "DELETE FROM migrate_events WHERE id = $victim" >/dev/null
mg audit verify
assert_rc 5
assert_out "removed: event id $victim was removed"
assert_err "the audit trail was tampered with: event id $victim was removed"
mg --format json audit verify
assert_eq "$(jq -r '.problems[0].kind + " " + (.problems[0].id|tostring) + " " + (.problems[0].after_id|tostring)' out)" "removed $((victim + 1)) $((victim - 1))"

# the newest row deleted leaves the chain whole: the head kept from before shows it
DATABASE_URL=$url2 mg --format json audit verify
assert_rc 0
head2=$(jq -r .head out)
last2=$(DATABASE_URL=$url2 pg "SELECT max(id) FROM migrate_events")
DATABASE_URL=$url2 pg "DELETE FROM migrate_events WHERE id = $last2" >/dev/null
DATABASE_URL=$url2 mg audit verify
assert_rc 0
DATABASE_URL=$url2 mg audit verify --expect-head "$head2"
assert_rc 5
assert_out "truncated: the chain no longer contains the expected head ${head2:0:12}"
DATABASE_URL=$url2 mg audit verify --expect-head nothex
assert_rc 2
mg audit verify --expect-head "$head"
assert_rc 5

# a database without migrate's tables has no events, and that is not tampering
new_pg_db 2
mg audit verify
assert_rc 0
assert_out "0 events, hash chain intact"
mg audit log
assert_rc 0
assert_out "no events"
DATABASE_URL=$url1 PGDB=$db1

# --- pipeline outputs ---
rm -f m/3_items.*
pg "DELETE FROM migrate_history WHERE version = 3" >/dev/null
mg goto 1
assert_rc 0
mg --metrics-file metrics.prom up
assert_rc 0
grep -q '^migrate_last_run_success{database="'"$PGDB"'",command="up"} 1$' metrics.prom || fail "metrics: last_run_success"
grep -q '^migrate_migrations_applied{database="'"$PGDB"'",direction="up"} 1$' metrics.prom || fail "metrics: applied"
grep -q '^migrate_migration_duration_seconds{database="'"$PGDB"'",version="2",name="orders",direction="up"} [0-9.]*$' metrics.prom || fail "metrics: duration per migration"
grep -q '^migrate_version{database="'"$PGDB"'"} 2$' metrics.prom || fail "metrics: version"
grep -q '^migrate_retries{database="'"$PGDB"'"} 0$' metrics.prom || fail "metrics: retries"
grep -q '^migrate_lock_wait_seconds{database="'"$PGDB"'"} 0.000$' metrics.prom || fail "metrics: lock wait"
ok_line=$(grep '^migrate_last_success_timestamp_seconds' metrics.prom)
[ -n "$ok_line" ] || fail "metrics: last success"
# every sample line is name{labels} number, every family has HELP and TYPE gauge
! grep -v '^#' metrics.prom | grep -Ev '^[a-z_]+\{[^}]*\} [0-9.]+$' || fail "metrics: a line not in the text format"
for f in $(grep -v '^#' metrics.prom | sed 's/{.*//' | sort -u); do
    grep -q "^# TYPE $f gauge$" metrics.prom || fail "metrics: no TYPE for $f"
    grep -q "^# HELP $f " metrics.prom || fail "metrics: no HELP for $f"
done
# a failed run says so and keeps the time of the last success
mig m 3 bad "SELECT no_such_function();" "SELECT 1;"
mg --metrics-file metrics.prom up
assert_rc 1
grep -q '^migrate_last_run_success{database="'"$PGDB"'",command="up"} 0$' metrics.prom || fail "metrics: failure not recorded"
grep -q '^migrate_migrations_failed{database="'"$PGDB"'"} 1$' metrics.prom || fail "metrics: failed count"
assert_eq "$(grep '^migrate_last_success_timestamp_seconds' metrics.prom)" "$ok_line"
# the file is replaced whole (rename): no temporary file is left behind
assert_eq "$(ls | grep -c 'metrics.prom.tmp')" 0
# an unwritable metrics file is a warning, not the run's failure
mg force 2
mg --metrics-file no-such-dir/metrics.prom down
assert_rc 0
assert_err "warning: cannot create 'no-such-dir/metrics.prom.tmp"

# --log-format json: every stderr line is one JSON object, messages and the final error alike
mg --log-format json up
assert_rc 1
[ -s err ] || fail "no log lines"
while IFS= read -r line; do
    echo "$line" | jq -e 'type == "object" and has("time") and has("level") and has("msg")' >/dev/null || fail "not a JSON log line: $line"
done <err
assert_eq "$(jq -r 'select(.level == "error") | .msg' err | head -1 | grep -c no_such_function)" 1
assert_eq "$(jq -r 'select(.level == "error") | .sqlstate' err)" 42883
assert_eq "$(jq -r 'select(.level == "info") | .msg' err | grep -c '^checkpoint .* recorded')" 1
