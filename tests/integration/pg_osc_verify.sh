# The verification before the swap.  A row changed in the shadow behind the triggers' back is
# found and its range copied again; a shadow that differs after every re-copy stops the job
# without a swap, and --abort cleans up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_pg_db
osc_tables 3000
pg "CREATE TABLE go (x int)" >/dev/null
# the throttle holds the job at its verification until go has a row
hold="SELECT phase = 'verify' AND NOT EXISTS (SELECT FROM go) FROM migrate_osc_jobs ORDER BY id DESC LIMIT 1"

"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t ALTER COLUMN v TYPE bigint" \
    --throttle-query "$hold" >"$T/out" 2>"$T/err" &
pid=$!
wait_until "grep -q 'osc job 1: paused' '$T/err'" "the job to pause in its verification"
assert_eq "$(job_field 1 phase)" verify
pg "UPDATE migrate_osc_1_new.t SET s = 'tampered' WHERE id = 1500;
    UPDATE t SET v = 7 WHERE id = 10; UPDATE c SET v = 7 WHERE id = 10;
    INSERT INTO go VALUES (1)" >/dev/null
wait $pid
assert_eq "$?" 0
grep -q "osc job 1: key range (the start, .*\]: .*; re-copying the range" "$T/err" ||
    fail "no re-copy message: $(cat "$T/err")"
grep -q "verified: .* (1 re-copied)" "$T/out" || fail "no re-copied range in the summary"
assert_same_rows
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'v'")" bigint

# a shadow trigger that changes every row it writes: the re-copies cannot help
pg "DELETE FROM go" >/dev/null
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t ALTER COLUMN s TYPE varchar(60)" \
    --throttle-query "$hold" >"$T/out" 2>"$T/err" &
pid=$!
wait_until "grep -q 'osc job 2: paused' '$T/err'" "the second job to pause in its verification"
pg "CREATE FUNCTION spoil() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.v := NEW.v + 1; RETURN NEW; END \$\$;
    CREATE TRIGGER spoil BEFORE INSERT OR UPDATE ON migrate_osc_2_new.t FOR EACH ROW EXECUTE FUNCTION spoil();
    UPDATE migrate_osc_2_new.t SET s = s WHERE id = 2000;
    INSERT INTO go VALUES (1)" >/dev/null
wait $pid
RC=$?
assert_rc 1 "verification failure"
assert_err "verification failed: a range of the shadow table still differs from the original after 2 re-copies"
assert_err "nothing was swapped"
assert_eq "$(job_field 2 phase)" verify
assert_eq "$(pg "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 's'")" text
mg osc --abort 2
assert_rc 0 "abort"
assert_eq "$(pg "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'migrate_osc_2_%'")" 0
assert_same_rows

# --no-verify: no checksums, straight from the copy to the swap
mg osc --table t --alter "ALTER TABLE t ADD COLUMN w int" --no-verify --format json
assert_rc 0 "no verification"
assert_eq "$(jq -r '.job.verified, .job.ranges_verified' "$T/out" | tr '\n' ' ')" "false 0 "
assert_err "verification skipped (--no-verify)"
assert_same_rows
