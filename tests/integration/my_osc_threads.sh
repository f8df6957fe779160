# MariaDB: --threads copies and verifies with several sessions at once.  Under a workload that
# inserts, updates, deletes and re-keys rows (mirrored in a control table), the change ends
# with exactly the control table's rows; rows of a round that was cut short before the job
# recorded it are removed on resume; a range that differs is found and copied again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/osclib.sh"
new_my_db
my_osc_tables 100000

# refused where it cannot apply
mg osc --table t --backfill "SET s = 'x'" --threads 2
assert_rc 2 "threads with a backfill"
assert_err "--threads is for --alter"
mg osc --alter "ALTER TABLE t MODIFY v bigint" --threads 17
assert_rc 2 "too many threads"
assert_err "--threads must be from 1 to 16, not 17"

my_workload_start
mg -v --format json osc --table t --alter "ALTER TABLE t MODIFY id bigint" --chunk-time 50ms --threads 3
assert_rc 0 "osc --threads 3"
my_workload_more 50
grep -Eq "osc job 1: copying 3 ranges of [0-9]+ rows at once" "$T/err" || fail "no round of 3 ranges: $(grep 'osc job 1' "$T/err" | head -20)"
grep -Eq "osc job 1: verifying 3 ranges of [0-9]+ rows at once" "$T/err" || fail "no verification round of 3 ranges"
# after two rounds the integer key's density gives the ends without reading the rows first
grep -Eq "osc job 1: range ends from the key values" "$T/err" || fail "ends never computed from the key values"
my_assert_same_rows
assert_eq "$(jq -r '.job.phase' "$T/out")" done
assert_eq "$(my "SELECT JSON_VALUE(options, '$.threads') FROM migrate_osc_jobs WHERE id = 1")" 3
assert_eq "$(my "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$MYDB' AND TABLE_NAME = 't' AND COLUMN_NAME = 'id'")" bigint

# a round's ranges are committed one by one and the job's row moves after all of them: a run
# killed in between leaves rows beyond the recorded key.  Held between two rounds, killed, and
# such rows put into the shadow by hand, the resume removes them first (the copy would stop on
# their duplicate keys otherwise)
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t MODIFY v bigint" --chunk-time 20ms --threads 2 \
    --throttle-query "SELECT rows_copied > 30000 FROM migrate_osc_jobs WHERE id = 2" \
    >"$T/run1.out" 2>"$T/run1.err" &
pid=$!
wait_until "grep -q 'paused: --throttle-query returned true' '$T/run1.err'" "the pause"
kill -9 $pid
wait $pid 2>/dev/null
wait_until "[ \"\$(my \"SELECT IS_USED_LOCK(CONCAT(DATABASE(), ':migrate:osc:2'))\")\" = NULL ]" "the killed run's session to end"
last=$(my "SELECT JSON_VALUE(last_key, '\$[0]') FROM migrate_osc_jobs WHERE id = 2")
[ -n "$last" ] || fail "no last key"
my "INSERT INTO _osc2_new_t (id, v, s) SELECT id, v, s FROM t WHERE id > $last ORDER BY id LIMIT 500"
mg osc --resume 2 --threads 2
assert_rc 0 "resume"
assert_err "osc job 2: removed 500 rows copied after the last recorded batch"
my_workload_more 50

my_workload_stop
my_assert_same_rows

# a row changed in the shadow behind the triggers' back: the round finds its range, which is
# checked again in one snapshot and copied again
my "CREATE TABLE go (x int)"
hold="SELECT COUNT(*) > 0 AND (SELECT COUNT(*) FROM go) = 0 FROM migrate_osc_jobs WHERE id = 3 AND phase = 'verify'"
"$MIGRATE_BIN" osc --table t --alter "ALTER TABLE t MODIFY s varchar(60)" --threads 2 \
    --throttle-query "$hold" >"$T/run3.out" 2>"$T/run3.err" &
pid=$!
wait_until "grep -q 'osc job 3: paused' '$T/run3.err'" "the job to pause in its verification"
victim=$(my "SELECT id FROM c ORDER BY id LIMIT 1 OFFSET 70000")
my "UPDATE _osc3_new_t SET s = 'tampered' WHERE id = $victim"
assert_eq "$(my "SELECT s FROM _osc3_new_t WHERE id = $victim")" tampered
my "INSERT INTO go VALUES (1)"
wait $pid
assert_eq "$?" 0 "(the job: $(cat "$T/run3.err"))"
grep -q "osc job 3: key range .*; re-copying the range" "$T/run3.err" || fail "no re-copy: $(cat "$T/run3.err")"
my_assert_same_rows

# an AUTO_INCREMENT column under innodb_autoinc_lock_mode 1 (MariaDB's default): InnoDB would
# run the copies one after another, so one session copies (said), and the result is the same
my "CREATE TABLE ai (id int AUTO_INCREMENT PRIMARY KEY, v int); INSERT INTO ai (v) SELECT seq FROM seq_1_to_5000"
mg osc --alter "ALTER TABLE ai MODIFY v bigint" --threads 2
assert_rc 0 "auto_increment table"
assert_err "the table has an AUTO_INCREMENT column and innodb_autoinc_lock_mode is below 2"
assert_eq "$(my "SELECT CONCAT(COUNT(*), ' ', SUM(v)) FROM ai")" "5000 12502500"

# osc.threads of an environment applies to changes, and leaves backfills alone
cat >migrate.ini <<'INI'
[env.ci]
database = ${DATABASE_URL}
osc.threads = 2
INI
mg --env ci osc --table ai --backfill "SET v = v + 1"
assert_rc 0 "backfill with osc.threads"
mg -v --env ci osc --alter "ALTER TABLE c MODIFY v bigint"
assert_rc 0 "change with osc.threads"
assert_err "copying 2 ranges of"

# a key with a wide gap and a dense run after it: ends computed from the density before the
# gap put most of the dense run in one range, and the next round looks its ends up again;
# the copy is exact either way
my "CREATE TABLE gap (id bigint PRIMARY KEY, v int);
    INSERT INTO gap SELECT seq * 50, seq FROM seq_1_to_20000;
    INSERT INTO gap SELECT 100000000 + seq, seq FROM seq_1_to_60000;
    CREATE TABLE gap0 AS SELECT * FROM gap"
mg -v osc --alter "ALTER TABLE gap MODIFY v bigint" --threads 3 --chunk-time 10ms
assert_rc 0 "gappy key"
assert_err "range ends from the key values"
assert_eq "$(my "SELECT COUNT(*) FROM gap")" 80000
assert_eq "$(my "SELECT COUNT(*) FROM (SELECT id, v FROM gap EXCEPT SELECT id, v FROM gap0) x")" 0
