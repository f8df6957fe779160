# preflight: finds an old transaction and an idle-in-transaction session holding a lock
# on a table the pending migrations touch; replication and disk notes; read-only.
. "$(dirname "$0")/lib.sh"
new_pg_db
export MIGRATE_PATH=m
mig m 1 base "CREATE TABLE t (id int PRIMARY KEY, v int); CREATE TABLE other (id int);"
mg up
assert_rc 0
pg "INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g" >/dev/null
mig m 2 widen "ALTER TABLE t ALTER COLUMN v TYPE bigint;"
mig m 3 idx "CREATE INDEX CONCURRENTLY t_v ON t (v);"

# nothing in the way
mg preflight
assert_rc 0 "preflight on a quiet database"
assert_out "pending migrations: 2; tables they touch on the target: 1"
assert_out "public.t ("
assert_out "may be rewritten: ALTER COLUMN TYPE rewrites the table unless the types are binary-compatible"
assert_out "no other session holds a lock on the touched tables"
assert_out "no standby streams from the target"
assert_out "no findings"

# a session that is idle in transaction after reading t, and one after reading another table
mkfifo idle1 idle2
psql -X -q "$DATABASE_URL" <idle1 >/dev/null 2>&1 &
p1=$!
exec 3>idle1
echo "SET application_name = 'idle-on-t'; BEGIN; SELECT count(*) FROM t;" >&3
psql -X -q "$DATABASE_URL" <idle2 >/dev/null 2>&1 &
p2=$!
exec 4>idle2
echo "SET application_name = 'idle-elsewhere'; BEGIN; SELECT count(*) FROM other;" >&4
for _ in $(seq 100); do
    [ "$(pg "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'idle-%' AND state = 'idle in transaction'")" = 2 ] && break
    sleep 0.1
done
cleanup_idle() {
    echo "ROLLBACK;" >&3 2>/dev/null; exec 3>&- 2>/dev/null
    echo "ROLLBACK;" >&4 2>/dev/null; exec 4>&- 2>/dev/null
    wait $p1 $p2 2>/dev/null
}
trap cleanup_idle EXIT

# the lock holder is a finding whatever its age; old transactions only above --max-xact-age
mg preflight --max-xact-age 1h
assert_rc 3 "idle lock holder"
assert_out "FINDING  idle_lock_holder"
assert_out "holds AccessShareLock public.t"
assert_no_out "old_transaction  a transaction"
assert_err "preflight found 1 thing to deal with first"

mg --format json preflight --max-xact-age 0s
assert_rc 3 "old transactions"
cp "$T/out" pf.json
assert_eq "$(jq -r '[.findings[] | select(.check == "idle_lock_holder") | .application] | join(",")' pf.json)" idle-on-t
assert_eq "$(jq -r '[.findings[] | select(.check == "old_transaction") | .application] | sort | join(",")' pf.json)" idle-elsewhere,idle-on-t
assert_eq "$(jq -r '.findings[] | select(.check == "idle_lock_holder") | .locks[0].relation' pf.json)" public.t
assert_eq "$(jq -r '.tables[0].relation + " " + (.tables[0].may_rewrite != null | tostring)' pf.json)" "public.t true"
# the sandbox is on this machine and we may read its data directory: the room is known
assert_eq "$(jq -r '.notes[] | select(.check == "disk") | .knowable' pf.json)" true
assert_eq "$(jq '.pending' pf.json)" 2

cleanup_idle
trap - EXIT
mg preflight
assert_rc 0 "after the sessions ended"

# read-only: a database without history gets none
new_pg_db fresh
mg preflight
assert_rc 0
assert_eq "$(pg "SELECT to_regclass('migrate_history') IS NULL")" t
