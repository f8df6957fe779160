# MariaDB: the verification before the swap.  A row changed in the shadow behind the triggers'
# back is found and its range copied again; a shadow that differs after every re-copy stops
# the job without a swap.  A two-column key (ranges found by OFFSET) with NULLs in changing
# places ends with the same rows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db
my_osc_tables 3000
my "CREATE TABLE go (x int)"
# the throttle holds the job at its verification until go has a row
hold="SELECT COUNT(*) > 0 AND (SELECT COUNT(*) FROM go) = 0 FROM migrate_osc_jobs WHERE phase = 'verify'"

"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t MODIFY v bigint NOT NULL" \
    --throttle-query "$hold" >"$T/out" 2>"$T/err" &
pid=$!
wait_until "grep -q 'osc job 1: paused' '$T/err'" "the job to pause in its verification"
assert_eq "$(my_job_field 1 phase)" verify
my "UPDATE _osc1_new_t SET s = 'tampered' WHERE id = 1500"
my "UPDATE t SET v = 7 WHERE id = 10; UPDATE c SET v = 7 WHERE id = 10"
my "INSERT INTO go VALUES (1)"
wait $pid
assert_eq "$?" 0
grep -q "osc job 1: key range (the start, .*\]: the original has 3000 rows (checksum [0-9]*), the shadow 3000 (checksum [0-9]*); re-copying the range" "$T/err" ||
    fail "no re-copy message: $(cat "$T/err")"
grep -q "verified: .* (1 re-copied)" "$T/out" || fail "no re-copied range in the summary: $(cat "$T/err")"
my_assert_same_rows
assert_eq "$(my "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'v'")" bigint

# a shadow trigger that changes every row it writes: the re-copies cannot help
my "DELETE FROM go"
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t MODIFY s varchar(60)" \
    --throttle-query "$hold" >"$T/out" 2>"$T/err" &
pid=$!
wait_until "grep -q 'osc job 2: paused' '$T/err'" "the second job to pause in its verification"
my "CREATE TRIGGER spoil BEFORE INSERT ON _osc2_new_t FOR EACH ROW SET NEW.v = NEW.v + 1;
    UPDATE _osc2_new_t SET v = v + 1 WHERE id = 2000;
    INSERT INTO go VALUES (1)"
wait $pid
RC=$?
assert_rc 1 "verification failure"
assert_err "verification failed: a range of the shadow table still differs from the original after 2 re-copies"
assert_err "nothing was swapped"
assert_eq "$(my_job_field 2 phase)" verify
assert_eq "$(my "SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 's'")" 40
mg osc --abort 2
assert_rc 0 "abort"
assert_eq "$(my "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME LIKE '\\_osc2\\_%'")" 0
my_assert_same_rows

# a two-column key, nullable columns with NULLs in changing places
my "CREATE TABLE k2 (a int NOT NULL, b varchar(10) NOT NULL, x int, y varchar(10), z datetime,
        PRIMARY KEY (a, b));
    INSERT INTO k2 SELECT seq % 7, CONCAT('b', seq), IF(seq % 3 = 0, NULL, seq),
        IF(seq % 5 = 0, NULL, CONCAT('y', seq)), IF(seq % 2 = 0, NULL, '2024-01-02 03:04:05')
        FROM seq_1_to_2000;
    CREATE TABLE k2c AS SELECT * FROM k2"
mg osc --table k2 --alter "ALTER TABLE k2 MODIFY x bigint, ADD COLUMN w int DEFAULT 5" --chunk-time 10ms
assert_rc 0 "two-column key"
assert_eq "$(my "SELECT COUNT(*) FROM (SELECT a, b, x, y, z FROM k2 EXCEPT SELECT * FROM k2c) d")" 0
assert_eq "$(my "SELECT COUNT(*) FROM (SELECT * FROM k2c EXCEPT SELECT a, b, x, y, z FROM k2) d")" 0
assert_eq "$(my "SELECT COUNT(*) FROM k2 WHERE w = 5")" 2000

# --no-verify: no checksums, straight from the copy to the swap
mg osc --table t --alter "ALTER TABLE t ADD COLUMN w int" --no-verify
assert_rc 0 "no verification"
assert_out "verified:  skipped (--no-verify)"
my_assert_same_rows
