# Two runners on one MariaDB database: GET_LOCK lets one run at a time; the
# other waits, or gives up with exit code 4 naming the holder.  Exactly one
# of them applies each migration.
. "$(dirname "$0")/lib.sh"
new_my_db
export MIGRATE_PATH=m
mig m 1 slow "CREATE TABLE one (id int);
DO SLEEP(2);
INSERT INTO one VALUES (1);" "DROP TABLE one;"
mig m 2 two "CREATE TABLE two (id int);" "DROP TABLE two;"
lockname="$MYDB:migrate:migrate_history"

# A holds the lock while it sleeps; B gives up quickly with the lock code
"$MIGRATE_BIN" up >"$T/a.out" 2>"$T/a.err" &
a=$!
wait_until "[ -n \"\$(my \"SELECT IS_USED_LOCK('$lockname')\" | grep -v NULL)\" ]" "runner A to take the lock"
holder=$(my "SELECT IS_USED_LOCK('$lockname')")
mg --lock-wait 300ms up
assert_rc 4
assert_err "another migrate run holds the migration lock"
assert_err "held by connection id $holder (user 'root', from localhost"
assert_err "wait for that run to finish"
# status shows the run in progress, and does not call it interrupted
mg status
assert_out "runner:     a run is in progress: connection id $holder"
assert_out "applying now: statement"
assert_no_out "its run died"
wait $a || fail "runner A failed: $(cat "$T/a.err")"
grep -q "applied 1_slow" "$T/a.out" || fail "runner A did not apply 1_slow"
assert_eq "$(my "SELECT GROUP_CONCAT(version ORDER BY version) FROM migrate_history WHERE status = 'applied'")" "1,2"

# both start at the same moment: one applies, the other waits and finds nothing to do
mg down --all
assert_rc 0
"$MIGRATE_BIN" up >"$T/c.out" 2>"$T/c.err" &
c=$!
"$MIGRATE_BIN" up >"$T/d.out" 2>"$T/d.err" &
d=$!
rc_c=0; rc_d=0
wait $c || rc_c=$?
wait $d || rc_d=$?
assert_eq "$rc_c $rc_d" "0 0" "(both runners succeed: $(cat "$T/c.err" "$T/d.err"))"
assert_eq "$(cat "$T/c.out" "$T/d.out" | grep -c 'applied 1_slow')" 1
assert_eq "$(cat "$T/c.out" "$T/d.out" | grep -c 'applied 2_two')" 1
grep -q "waiting for the migration lock, held by connection id" "$T/c.err" "$T/d.err" ||
    fail "the waiting runner did not say who holds the lock"
assert_eq "$(my "SELECT COUNT(*) FROM one")" 1
assert_eq "$(my "SELECT COUNT(*) FROM migrate_events WHERE action = 'up' AND outcome = 'ok' AND version = 1")" 2
assert_eq "$(my "SELECT COUNT(*) FROM migrate_events e JOIN migrate_events p ON p.id = e.id - 1 WHERE e.prev_hash <> p.hash")" 0

# the lock is per database: a session holding it on this database does not
# block a runner on another database of the same server
my_client -N -e "SELECT GET_LOCK('$lockname', 0); DO SLEEP(60)" >/dev/null 2>&1 &
h=$!
wait_until "[ -n \"\$(my \"SELECT IS_USED_LOCK('$lockname')\" | grep -v NULL)\" ]" "the foreign session to take the lock"
holder=$(my "SELECT IS_USED_LOCK('$lockname')")
mg --lock-wait 0 up
assert_rc 4
assert_err "held by connection id $holder"
assert_err "running: DO SLEEP(60)"
new_my_db 1
mg --lock-wait 0 up 2
assert_rc 0
assert_out "applied 2_two"
my_client -e "KILL $holder"
wait $h || true
