# A batched backfill: UPDATE in key ranges with --where, progress, a dry run, a kill and a
# resume that continues where the last committed batch ended (and updates no row twice).
. "$(dirname "$0")/lib.sh"
new_pg_db
pg "CREATE TABLE o (a int, b int, total int, n int NOT NULL DEFAULT 0, PRIMARY KEY (a, b)); INSERT INTO o SELECT g % 100, g, NULL FROM generate_series(1, 60000) g" >/dev/null

mg osc --table o --backfill "SET total = a * b, n = n + 1" --where "b % 3 <> 0" --dry-run
assert_rc 0 "dry run"
assert_out "key:       a, b (index o_pkey)"
assert_out 'UPDATE "public"."o" SET total = a * b, n = n + 1 WHERE ("a", "b") > ($1::integer, $2::integer) AND ("a", "b") <= ($3::integer, $4::integer) AND (b % 3 <> 0);'
assert_eq "$(pg "SELECT count(*) FROM o WHERE total IS NOT NULL")" 0

# the throttle query holds the job once 5,000 rows are done: the kill lands mid-backfill
"$MIGRATE_BIN" osc --table o --backfill "SET total = a * b, n = n + 1" --where "b % 3 <> 0" \
    --chunk-time 10ms --throttle-query "SELECT rows_copied > 5000 FROM migrate_osc_jobs WHERE id = 1" \
    >"$T/run1.out" 2>"$T/run1.err" &
pid=$!
wait_until "grep -q 'paused: --throttle-query returned true' '$T/run1.err'" "the pause"
kill -9 $pid
wait $pid 2>/dev/null
done1=$(pg "SELECT rows_copied FROM migrate_osc_jobs WHERE id = 1")
assert_eq "$(pg "SELECT count(*) FROM o WHERE total IS NOT NULL")" "$done1"
wait_until "[ \$(pg \"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'\") = 0 ]" "the killed run's session to end"

mg --format json osc --resume 1
assert_rc 0 "resume"
assert_eq "$(jq -r '.job.kind + " " + .job.phase' "$T/out")" "backfill done"
assert_eq "$(jq -r '.job.rows_copied' "$T/out")" 40000
assert_eq "$(pg "SELECT count(*) FROM o WHERE b % 3 <> 0 AND total = a * b AND n = 1")" 40000
assert_eq "$(pg "SELECT count(*) FROM o WHERE b % 3 = 0 AND total IS NULL AND n = 0")" 20000

mg osc --table o --backfill "SET total = 0 WHERE a = 1"
assert_rc 2 "where inside"
assert_err "--backfill must be only the SET clause of an UPDATE"
mg osc --table o --backfill "SET total = 0" --where "a = 1; DELETE FROM o"
assert_rc 2 "two statements"
assert_err "--where must be only a condition"
mg osc --backfill "SET total = 0"
assert_rc 2 "no table"
assert_err "--backfill needs --table"
mg osc --table o --backfill "total = 0"
assert_rc 2 "no SET"
assert_err "--backfill is not valid SQL"
