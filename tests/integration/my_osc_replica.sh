# MariaDB: --max-lag with --replica, on a real replica of the tests' server.  The copy waits
# while the replica's replication is stopped or behind, and goes on once it has caught up; a
# --replica that is not a replica, or cannot be reached, is refused before anything is made.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db

# the replica: a sandbox of its own that replicates this test's database only, from now on
R=$T/replica
"$MIGRATE_BIN" -q sandbox start --driver mariadb --dir "$R" >/dev/null || fail "the replica's sandbox"
trap '"$MIGRATE_BIN" sandbox stop "$R" >/dev/null 2>&1' EXIT
RURL=$("$MIGRATE_BIN" sandbox url "$R")
rsql() { mariadb --no-defaults -uroot --socket="$R/sock/mysqld.sock" -N -B -e "$1"; }
port=$(echo "$MG_MY_TCP" | sed -n 's|.*@127\.0\.0\.1:\([0-9]*\)/.*|\1|p')
[ -n "$port" ] || fail "no port in $MG_MY_TCP"
read -r file pos <<<"$(my_client -N -B -e "SHOW MASTER STATUS" | cut -f1,2)"
rsql "SET GLOBAL server_id = 2; SET GLOBAL replicate_wild_do_table = '$MYDB.%';
      CREATE DATABASE \`$MYDB\`;
      CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $port, MASTER_USER = 'root',
          MASTER_LOG_FILE = '$file', MASTER_LOG_POS = $pos;
      START SLAVE" || fail "setting up replication"
my_osc_tables 2000
replica() { rsql "$1" 2>/dev/null; }
wait_until "[ \"\$(replica 'SELECT COUNT(*) FROM \`$MYDB\`.t')\" = 2000 ]" "the replica to have the table"

# refused up front: no --max-lag; the primary itself; a replica that cannot be reached
mg osc --alter "ALTER TABLE t MODIFY v bigint" --replica "$RURL"
assert_rc 2 "--replica without --max-lag"
assert_err "--replica goes with --max-lag"
mg osc --alter "ALTER TABLE t MODIFY v bigint" --replica "$MG_MY_TCP" --max-lag 1s
assert_rc 2 "a primary as --replica"
assert_err "is not a replica: it replicates from no server"
mg osc --alter "ALTER TABLE t MODIFY v bigint" --replica "mysql://root:secret@127.0.0.1:1/x" --max-lag 1s
[ "$RC" != 0 ] || fail "an unreachable --replica was accepted"
assert_err "--replica mysql://root:***@127.0.0.1:1/x"
assert_no_err "secret"
assert_eq "$(my "SELECT COUNT(*) FROM migrate_osc_jobs")" 0
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc%'")" 0

# replication stopped before the job: refused, as the job would wait from its first batch
rsql "STOP SLAVE SQL_THREAD"
mg osc --alter "ALTER TABLE t MODIFY v bigint" --replica "$RURL" --max-lag 1s
assert_rc 2 "a stopped replica"
assert_err "replication is stopped on --replica"
assert_eq "$(my "SELECT COUNT(*) FROM migrate_osc_jobs")" 0
rsql "START SLAVE SQL_THREAD"

# replication stopped during the job (held by the pause file until then): the copy waits, and
# goes on when it runs again
touch "$T/pause"
"$MIGRATE_BIN" osc --alter "ALTER TABLE t MODIFY v bigint" --replica "$RURL" --max-lag 1s \
    --chunk-time 10ms --pause-file "$T/pause" >"$T/run.out" 2>"$T/run.err" &
pid=$!
wait_until "grep -q 'paused: the pause file' '$T/run.err'" "the pause file"
rsql "STOP SLAVE SQL_THREAD"
rm "$T/pause"
wait_until "grep -q 'paused: replication is stopped on replica' '$T/run.err'" "the pause"
assert_eq "$(my "SELECT rows_copied FROM migrate_osc_jobs WHERE id = 1")" 0
rsql "START SLAVE SQL_THREAD"
wait $pid
assert_eq "$?" 0 "(the job: $(cat "$T/run.err"))"
grep -q "osc job 1: resumed after" "$T/run.err" || fail "no resume message: $(cat "$T/run.err")"
wait_until "[ \"\$(replica \"SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'\")\" = bigint ]" "the change on the replica"
assert_eq "$(replica "SELECT COUNT(*) FROM \`$MYDB\`.t")" 2000

# a replica behind: a session on the replica holds a table the replicated writes need, so
# its lag grows; the copy waits until the lock goes and the replica catches up
mariadb --no-defaults -uroot --socket="$R/sock/mysqld.sock" \
    -e "LOCK TABLES \`$MYDB\`.c WRITE; SELECT SLEEP(60) AS osc_holder" >/dev/null 2>&1 &
wait_until "[ \"\$(replica \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(60) AS osc_holder%'\")\" = 1 ]" "the lock on the replica"
my "UPDATE c SET v = v + 1 WHERE id = 1"
wait_until "[ \"\$(replica \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table metadata lock%'\")\" = 1 ]" "the replication to wait"
sleep 2
"$MIGRATE_BIN" osc --table t --backfill "SET s = CONCAT('r', id)" --replica "$RURL" --max-lag 1s \
    --chunk-time 10ms >"$T/run.out" 2>"$T/run.err" &
pid=$!
wait_until "grep -Eq 'paused: replica .* lags [0-9]+ms, above --max-lag 1000ms' '$T/run.err'" "the pause on lag"
assert_eq "$(my "SELECT rows_copied FROM migrate_osc_jobs WHERE id = 2")" 0
replica "KILL $(replica "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(60) AS osc_holder%'")"
wait $pid
assert_eq "$?" 0 "(the job: $(cat "$T/run.err"))"
assert_eq "$(my "SELECT COUNT(*) FROM t WHERE s = CONCAT('r', id)")" 2000
backfilled() { replica "SELECT COUNT(*) FROM \`$MYDB\`.t WHERE s = CONCAT('r', id)"; }
wait_until '[ "$(backfilled)" = 2000 ]' "the backfill on the replica"

# an online migration run by up takes its throttling from the environment of migrate.ini:
# osc.max_lag and osc.replicas (the URL from the environment variable)
cat >migrate.ini <<'INI'
[env.ci]
database = ${DATABASE_URL}
path = m
osc.max_lag = 1s
osc.replicas = ${REPLICA_URL}
osc.chunk_time = 10ms
INI
mig m 1 widen "-- migrate:online
ALTER TABLE c MODIFY v bigint;"
rsql "STOP SLAVE SQL_THREAD"
REPLICA_URL=$RURL mg --env ci up
assert_rc 2 "up with a stopped replica"
assert_err "replication is stopped on --replica"
rsql "START SLAVE SQL_THREAD"
REPLICA_URL=$RURL mg --env ci up
assert_rc 0 "up"
assert_err "osc: --max-lag watches replica"
assert_eq "$(my "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 'c' AND COLUMN_NAME = 'v'")" bigint
# a bad setting is named with its place
cat >migrate.ini <<'INI'
[env.ci]
database = ${DATABASE_URL}
osc.max_load = many
INI
mg --env ci osc --table t --backfill "SET s = 'x'"
assert_rc 2 "bad osc.max_load"
assert_err "migrate.ini [env.ci] osc.max_load = 'many' is not a whole number"
